//! The command line, as clap derive structs: global connection flags
//! (named as lncli names them) and one variant per subcommand.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Arg, ArgAction, Args, Parser, Subcommand, value_parser};

use super::exit::EXIT_CODES_HELP;
use crate::store::RendererChoice;

/// Satchel: send and receive keysend messages with your own LND node.
#[derive(Debug, Parser)]
#[command(name = "satchel", version, about, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// How to reach the node.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// How the window is drawn: auto (the GPU when the machine has one, else
    /// the CPU), gpu or cpu. Overrides the setting; ICED_BACKEND overrides both.
    #[arg(long, value_name = "auto|gpu|cpu", value_parser = str::parse::<RendererChoice>)]
    pub renderer: Option<RendererChoice>,
    /// Without a subcommand, Satchel opens its window.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Where the node is and how to authenticate (lncli's flag names). Shown
/// under their own "Connection" heading in every command's help.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Connection")]
pub struct ConnectArgs {
    /// Host and gRPC port of lnd (default localhost:10009).
    #[arg(long, global = true, value_name = "HOST:PORT")]
    pub rpcserver: Option<String>,
    /// lnd's tls.cert (default <lnddir>/tls.cert).
    #[arg(long, global = true, value_name = "FILE")]
    pub tlscertpath: Option<PathBuf>,
    /// The macaroon to use (default <lnddir>/data/chain/bitcoin/<network>/admin.macaroon).
    #[arg(long, global = true, value_name = "FILE")]
    pub macaroonpath: Option<PathBuf>,
    /// lnd's data directory (default ~/.lnd).
    #[arg(long, global = true, value_name = "DIR")]
    pub lnddir: Option<PathBuf>,
    /// Network of the macaroon directory (lnd's data/chain/bitcoin/<network>).
    #[arg(long, short = 'n', global = true, value_name = "NETWORK", value_parser = NETWORKS)]
    pub network: Option<String>,
    /// An lndconnect://host:port?cert=..&macaroon=.. URI (instead of the flags above).
    /// `-` reads it from standard input, which keeps the macaroon out of the
    /// process list and the shell history.
    #[arg(long, global = true, value_name = "URI|-", conflicts_with_all = ["rpcserver", "tlscertpath", "macaroonpath", "lnddir", "lndconnect-file"])]
    pub lndconnect: Option<String>,
    /// A file holding the lndconnect URI (safer than --lndconnect URI).
    #[arg(id = "lndconnect-file", long = "lndconnect-file", global = true, value_name = "FILE", conflicts_with_all = ["rpcserver", "tlscertpath", "macaroonpath", "lnddir"])]
    pub lndconnect_file: Option<PathBuf>,
    /// A SOCKS5 proxy to reach the node through, e.g. Tor's 127.0.0.1:9050.
    /// Host names are resolved by the proxy. A .onion node uses the system's
    /// Tor without this flag.
    #[arg(long, global = true, value_name = "HOST:PORT")]
    pub socksproxy: Option<String>,
    /// Use the built-in demo network (play money, a separate profile).
    #[arg(long, global = true, conflicts_with_all = ["lndconnect", "lndconnect-file", "rpcserver", "tlscertpath", "macaroonpath", "lnddir"])]
    pub demo: bool,
}

/// The networks lnd keeps macaroons for (`--network`).
pub const NETWORKS: [&str; 6] = [
    "mainnet", "testnet", "testnet4", "signet", "regtest", "simnet",
];

/// The ids of the connection flags, as [`ConnectArgs`] names them.
const CONNECTION_FLAGS: [&str; 9] = [
    "rpcserver",
    "tlscertpath",
    "macaroonpath",
    "lnddir",
    "network",
    "lndconnect",
    "lndconnect-file",
    "socksproxy",
    "demo",
];

impl ConnectArgs {
    /// True when any flag names a node explicitly (so saved settings are not used).
    pub fn is_explicit(&self) -> bool {
        self.rpcserver.is_some()
            || self.tlscertpath.is_some()
            || self.macaroonpath.is_some()
            || self.lnddir.is_some()
            || self.network.is_some()
            || self.lndconnect.is_some()
            || self.lndconnect_file.is_some()
    }

    /// The connection flags given, as typed (`--demo`, `--rpcserver`...).
    pub fn given(&self) -> Vec<String> {
        let set = [
            self.rpcserver.is_some(),
            self.tlscertpath.is_some(),
            self.macaroonpath.is_some(),
            self.lnddir.is_some(),
            self.network.is_some(),
            self.lndconnect.is_some(),
            self.lndconnect_file.is_some(),
            self.socksproxy.is_some(),
            self.demo,
        ];
        CONNECTION_FLAGS
            .iter()
            .zip(set)
            .filter(|(_, on)| *on)
            .map(|(id, _)| format!("--{id}"))
            .collect()
    }
}

/// `satchel sim` serves a node and connects to none: the global connection
/// flags are replaced there by hidden ones of the same ids and value types
/// (so clap does not propagate the global ones into its help), and
/// [`super::run`] refuses them.
fn hidden_connection_flags() -> Vec<Arg> {
    CONNECTION_FLAGS
        .iter()
        .map(|&id| {
            let arg = Arg::new(id).long(id).hide(true);
            match id {
                "demo" => arg.action(ArgAction::SetTrue),
                "tlscertpath" | "macaroonpath" | "lnddir" | "lndconnect-file" => arg
                    .action(ArgAction::Set)
                    .value_parser(value_parser!(PathBuf)),
                "network" => arg
                    .short('n')
                    .action(ArgAction::Set)
                    .value_parser(value_parser!(String)),
                _ => arg
                    .action(ArgAction::Set)
                    .value_parser(value_parser!(String)),
            }
        })
        .collect()
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show our node: alias, id, network, sync state, keysend support.
    Info(JsonFlag),
    /// Show spendable and receivable channel balance.
    Balance(JsonFlag),
    /// Send a keysend payment, optionally with a message.
    Send(SendArgs),
    /// Show what a Lightning Address, lnurl or invoice resolves to (keysend
    /// first, else LNURL-pay); nothing is paid.
    Resolve(ResolveArgs),
    /// List received keysend messages, newest first (fetches new ones from the node first).
    Inbox(InboxArgs),
    /// List keysends we sent, newest first; send or discard one that never reached the node.
    Sent(SentArgs),
    /// Show the conversation with one node: keysends both ways, in time order.
    Thread(ThreadArgs),
    /// Answer a received keysend: pay its sender, referencing its hash.
    Reply(ReplyArgs),
    /// Send all or part of a received keysend back to its verified sender.
    Refund(RefundArgs),
    /// Boosts grouped (legs sharing a boost_uuid), totals per podcast and episode, supporters.
    Boosts(BoostsArgs),
    /// Manage the contact book.
    #[command(subcommand)]
    Contacts(ContactsCommand),
    /// Serve a simulated LND network (for testing clients).
    #[command(args = hidden_connection_flags())]
    Sim(SimArgs),
    /// Podcast feeds: show a feed's value block and how a boost splits.
    #[command(subcommand)]
    Feed(FeedCommand),
    /// Boost a podcast: one payment to every recipient of its value block.
    Boost(BoostArgs),
    /// What earlier boosts owe each recipient (msat below 1 sat); --settle pays the whole sats.
    Owed(OwedArgs),
    /// Stream sats per minute of content to a feed's value block or a contact.
    Stream(StreamArgs),
    /// Recurring tips to a contact: every day, week or month.
    #[command(subcommand)]
    Recurring(RecurringCommand),
    /// Print a shell completion script (bash, zsh or fish) to stdout.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout: `satchel man > satchel.1`.
    Man,
    /// List your channels: local and remote balance of each.
    Channels(JsonFlag),
    /// Move outbound liquidity between your channels by paying yourself.
    Rebalance(RebalanceArgs),
    /// Let apps pay through Satchel: Nostr Wallet Connect connections and service.
    #[command(subcommand)]
    Nwc(super::nwc::NwcCommand),
}

impl Command {
    /// The subcommand's name, as typed (for the log: never its arguments).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Info(_) => "info",
            Self::Balance(_) => "balance",
            Self::Send(_) => "send",
            Self::Resolve(_) => "resolve",
            Self::Inbox(_) => "inbox",
            Self::Sent(_) => "sent",
            Self::Contacts(_) => "contacts",
            Self::Sim(_) => "sim",
            Self::Feed(_) => "feed",
            Self::Boost(_) => "boost",
            Self::Owed(_) => "owed",
            Self::Boosts(_) => "boosts",
            Self::Stream(_) => "stream",
            Self::Recurring(_) => "recurring",
            Self::Thread(_) => "thread",
            Self::Reply(_) => "reply",
            Self::Refund(_) => "refund",
            Self::Completions { .. } => "completions",
            Self::Man => "man",
            Self::Channels(_) => "channels",
            Self::Rebalance(_) => "rebalance",
            Self::Nwc(_) => "nwc",
        }
    }

    /// Whether the command only prints text derived from the definitions
    /// (no profile, no log file).
    pub fn is_documentation(&self) -> bool {
        matches!(self, Self::Completions { .. } | Self::Man)
    }
}

/// A `--limit`: a count, or `all` (no limit).
fn parse_limit(text: &str) -> Result<usize, String> {
    if text.eq_ignore_ascii_case("all") {
        return Ok(usize::MAX);
    }
    text.parse()
        .map_err(|_| format!("{text:?} is not a count; give a number such as 50, or `all`"))
}

/// `satchel feed`.
#[derive(Debug, Subcommand)]
pub enum FeedCommand {
    /// The value block that applies, the legs for an amount, and the
    /// smallest amount that pays everyone.
    Show(FeedShowArgs),
}

/// `satchel feed show`.
#[derive(Debug, Clone, Args)]
pub struct FeedShowArgs {
    /// Feed URL (http/https) or file; with --demo, `demo` is the demo feed.
    pub feed: String,
    /// The episode with this guid (default: the show).
    #[arg(long, value_name = "GUID", conflicts_with = "latest")]
    pub episode: Option<String>,
    /// The newest episode.
    #[arg(long)]
    pub latest: bool,
    /// Show the legs for a boost of this many sats.
    #[arg(long, value_name = "SATS")]
    pub amount: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `satchel stream`.
#[derive(Debug, Clone, Args)]
pub struct StreamArgs {
    /// Feed URL or file (with --demo, `demo` is the demo feed), a contact's
    /// name or a node public key.
    #[arg(required_unless_present_any = ["status", "daily_cap"])]
    pub target: Option<String>,
    /// Sats per minute of content (per hour with --per-hour).
    #[arg(long, value_name = "SATS_PER_MINUTE", required_unless_present_any = ["status", "daily_cap"])]
    pub rate: Option<String>,
    /// The rate is per hour (contacts and pubkeys).
    #[arg(long)]
    pub per_hour: bool,
    /// Stop after this many minutes of content (default: until Ctrl+C).
    #[arg(long, value_name = "N")]
    pub minutes: Option<u64>,
    /// Pay what is owed every this many minutes.
    #[arg(long, value_name = "MINUTES", default_value_t = 5)]
    pub batch: u32,
    /// Most this stream may pay, in sats; reaching it pauses the stream.
    #[arg(long, value_name = "SATS")]
    pub cap: Option<String>,
    /// The episode with this guid (default: the show).
    #[arg(long, value_name = "GUID")]
    pub episode: Option<String>,
    /// Print each batch as a JSON line.
    #[arg(long)]
    pub json: bool,
    /// Show streams and their ledgers instead of streaming.
    #[arg(long, conflicts_with_all = ["target", "rate", "minutes", "cap", "episode"])]
    pub status: bool,
    /// Set the daily cap across all streams and recurring tips (sats, or `off`).
    #[arg(long, value_name = "SATS|off", conflicts_with_all = ["target", "rate", "minutes", "cap", "episode"])]
    pub daily_cap: Option<String>,
}

/// `satchel recurring`.
#[derive(Debug, Subcommand)]
pub enum RecurringCommand {
    /// Add a recurring tip.
    Add {
        /// A contact's name or a node public key.
        target: String,
        /// Sats each period.
        amount: String,
        /// day, week or month.
        #[arg(long, value_name = "day|week|month")]
        every: String,
        /// Message sent with each tip.
        #[arg(long, short = 'm', value_name = "TEXT")]
        message: Option<String>,
    },
    /// The tips, with what is due now.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Remove a tip.
    Remove {
        /// The tip's id (from `recurring list`).
        id: i64,
    },
    /// Pay what is due now and exit (for cron or a systemd timer).
    Run {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// `satchel boost`.
#[derive(Debug, Clone, Args)]
pub struct BoostArgs {
    /// Feed URL (http/https) or file; with --demo, `demo` is the demo feed.
    #[arg(required_unless_present = "retry")]
    pub feed: Option<String>,
    /// Sats for the whole boost, split over the value block.
    #[arg(required_unless_present = "retry")]
    pub amount: Option<String>,
    /// The episode with this guid (default: the show).
    #[arg(long, value_name = "GUID", conflicts_with = "latest")]
    pub episode: Option<String>,
    /// The newest episode.
    #[arg(long)]
    pub latest: bool,
    /// Boostagram message.
    #[arg(long, short = 'm', value_name = "TEXT")]
    pub message: Option<String>,
    /// Your name, as the boostagram's sender_name.
    #[arg(long, value_name = "SENDER")]
    pub name: Option<String>,
    /// Send the legs that failed (or never went out) of an earlier boost,
    /// with the same boost id; legs already paid are never paid again.
    #[arg(long, value_name = "BOOST_ID", conflicts_with_all = ["feed", "amount", "episode", "latest", "message", "name"])]
    pub retry: Option<String>,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `satchel owed`.
#[derive(Debug, Clone, Args)]
pub struct OwedArgs {
    /// Pay every recipient owed at least 1 sat its whole sats (one keysend
    /// each); the msat remainder stays owed.
    #[arg(long)]
    pub settle: bool,
    /// Do not ask for confirmation (with --settle).
    #[arg(long, short = 'y', requires = "settle")]
    pub yes: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Just `--json`.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct JsonFlag {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `satchel send`.
#[derive(Debug, Clone, Args)]
pub struct SendArgs {
    /// Destination: a node public key (66 hex), a contact name, a Lightning
    /// Address (user@domain), an lnurl1… string or a BOLT11 invoice
    /// (`lightning:` prefixes are accepted).
    pub destination: String,
    /// Amount in sats (1000, 1,000 and 1_000 are all accepted); may be left
    /// out only for an invoice that names its amount.
    pub sats: Option<String>,
    /// A message to attach (record 34349334).
    #[arg(long, short = 'm', value_name = "TEXT")]
    pub message: Option<String>,
    /// Attach our node id and a signature so the receiver can verify the sender.
    #[arg(long)]
    pub sign: bool,
    /// Maximum routing fee in sats (default: the wallet's limit for this amount).
    #[arg(long, value_name = "SATS")]
    pub fee_limit: Option<String>,
    /// An extra custom record, TYPE=HEX (type >= 65536); repeatable. lncli's
    /// `--data TYPE=HEX,TYPE=HEX` is accepted too.
    #[arg(long = "record", visible_alias = "data", value_name = "TYPE=HEX")]
    pub records: Vec<String>,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print the outcome as one JSON object on stdout (status, payment_hash,
    /// preimage, amount, fee, hops, failure); the summary goes to stderr.
    #[arg(long)]
    pub json: bool,
    /// AMP, route hints, probing (issue 17).
    #[command(flatten)]
    pub beyond: BeyondFlags,
}

/// `send` beyond one keysend path.
#[derive(Debug, Clone, Default, Args)]
pub struct BeyondFlags {
    /// Send as AMP: several shards over several paths, one payment (the
    /// receiver must announce AMP, feature bit 30/31).
    #[arg(long, conflicts_with = "probe")]
    pub amp: bool,
    /// Only probe: pay a random hash the receiver must reject, to learn
    /// whether it is reachable and the fee. Pays nothing.
    #[arg(long)]
    pub probe: bool,
    /// A route hint to a private receiver,
    /// NODE_ID:CHAN_ID:FEE_BASE_MSAT:FEE_PPM:CLTV_DELTA; repeatable.
    #[arg(long = "hint", value_name = "HINT")]
    pub hints: Vec<String>,
}

/// `satchel rebalance`.
#[derive(Debug, Clone, Args)]
pub struct RebalanceArgs {
    /// The channel the liquidity leaves through (a number or BLOCKxTXxOUT).
    #[arg(long, value_name = "CHAN_ID")]
    pub out: String,
    /// The peer whose channel it comes back through.
    #[arg(long = "in", value_name = "PEER_PUBKEY")]
    pub in_peer: String,
    /// Amount in sats.
    pub sats: String,
    /// The most to pay in fees, in parts per million of the amount.
    #[arg(long, value_name = "N")]
    pub max_fee_ppm: u64,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `satchel resolve`.
#[derive(Debug, Clone, Args)]
pub struct ResolveArgs {
    /// A Lightning Address (user@domain), an lnurl1… string or a BOLT11 invoice.
    pub address: String,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `satchel inbox`.
#[derive(Debug, Clone, Args)]
pub struct InboxArgs {
    /// Print JSON: one array, newest first; with --follow, JSON lines (one
    /// object per line), oldest first, then each new one as it arrives.
    #[arg(long)]
    pub json: bool,
    /// Keep running and print new messages as they arrive. The list shown
    /// first is then oldest first, so the output reads in time order.
    #[arg(long)]
    pub follow: bool,
    /// Show the newest N (`all`: every one).
    #[arg(long, value_name = "N|all", default_value = "50", value_parser = parse_limit)]
    pub limit: usize,
    /// Only messages whose text or sender contains this.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Export instead of listing: `csv` or `json` (JSON carries every raw
    /// record), newest first, to stdout.
    #[arg(long, value_name = "FORMAT", value_parser = ["csv", "json"], conflicts_with_all = ["json", "follow"])]
    pub format: Option<String>,
    /// With --format: every entry, not only the newest --limit.
    #[arg(long, requires = "format")]
    pub all: bool,
    /// With --format: only entries from this day (YYYY-MM-DD, UTC) or time (RFC 3339) on.
    #[arg(long, value_name = "DATE", requires = "format")]
    pub since: Option<String>,
    /// With --format: only entries up to this day (included) or before this time.
    #[arg(long, value_name = "DATE", requires = "format")]
    pub until: Option<String>,
}

/// `satchel thread`.
#[derive(Debug, Clone, Args)]
pub struct ThreadArgs {
    /// A contact name or a node public key (66 hex). Without it: the list
    /// of conversations, newest activity first, with unread counts.
    pub peer: Option<String>,
    /// Print JSON (one array, oldest first) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Show the newest N keysends.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub limit: usize,
}

/// `satchel boosts`.
#[derive(Debug, Clone, Args)]
pub struct BoostsArgs {
    /// Only this podcast (its exact title).
    #[arg(long, value_name = "NAME")]
    pub podcast: Option<String>,
    /// Only boosts from this day (YYYY-MM-DD, UTC) or time (RFC 3339) on.
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only boosts up to this day (included) or before this time.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Show the newest N boosts (totals and supporters count all).
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub limit: usize,
}

/// `satchel reply`.
#[derive(Debug, Clone, Args)]
pub struct ReplyArgs {
    /// The start of the received keysend's payment hash.
    pub hash: String,
    /// Amount in sats.
    pub sats: String,
    /// A message to attach (signed with your node key, so they can verify you).
    #[arg(long, short = 'm', value_name = "TEXT")]
    pub message: Option<String>,
    /// Do not ask for confirmation (warnings are still printed).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `satchel refund`.
#[derive(Debug, Clone, Args)]
pub struct RefundArgs {
    /// The start of the received keysend's payment hash.
    pub hash: String,
    /// Amount in sats (default: all of it).
    pub sats: Option<String>,
    /// Do not ask for confirmation (warnings are still printed).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `satchel sent`.
#[derive(Debug, Clone, Args)]
pub struct SentArgs {
    /// Print JSON (one array, newest first) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Show the newest N (`all`: every one).
    #[arg(long, value_name = "N|all", default_value = "50", value_parser = parse_limit)]
    pub limit: usize,
    /// With --format: only payments whose message or recipient (contact
    /// name, start of the key) matches every word.
    #[arg(long, value_name = "TEXT", requires = "format")]
    pub search: Option<String>,
    /// Send a payment that never reached the node, with its original payment
    /// hash (so it can be paid at most once). HASH: the start of its hash.
    #[arg(long, value_name = "HASH", conflicts_with_all = ["discard", "json"])]
    pub resend: Option<String>,
    /// Drop a payment that never reached the node; nothing was paid and it
    /// will not be offered again. HASH: the start of its hash.
    #[arg(long, value_name = "HASH", conflicts_with = "json")]
    pub discard: Option<String>,
    /// With --resend: do not ask for confirmation.
    #[arg(long, short = 'y', requires = "resend")]
    pub yes: bool,
    /// Export instead of listing: `csv` or `json` (JSON carries every raw
    /// record), newest first, to stdout.
    #[arg(long, value_name = "FORMAT", value_parser = ["csv", "json"], conflicts_with_all = ["json", "resend", "discard"])]
    pub format: Option<String>,
    /// With --format: every entry, not only the newest --limit.
    #[arg(long, requires = "format")]
    pub all: bool,
    /// With --format: only entries from this day (YYYY-MM-DD, UTC) or time (RFC 3339) on.
    #[arg(long, value_name = "DATE", requires = "format")]
    pub since: Option<String>,
    /// With --format: only entries up to this day (included) or before this time.
    #[arg(long, value_name = "DATE", requires = "format")]
    pub until: Option<String>,
}

/// `satchel contacts ...`.
#[derive(Debug, Clone, Subcommand)]
pub enum ContactsCommand {
    /// List contacts.
    List(JsonFlag),
    /// Add a contact.
    Add {
        /// A name for the contact.
        name: String,
        /// Their node public key (66 hex), or a Lightning Address whose
        /// provider serves a keysend document (re-resolved at each send).
        pubkey: String,
        /// A private note.
        #[arg(long)]
        note: Option<String>,
    },
    /// Give a contact route hints (a private node), or clear them.
    Hint {
        /// Name or public key.
        contact: String,
        /// Hop hints NODE_ID:CHAN_ID:FEE_BASE_MSAT:FEE_PPM:CLTV_DELTA (none: clear).
        hints: Vec<String>,
    },
    /// Remove a contact by name or public key.
    Remove {
        /// Name or public key.
        contact: String,
    },
    /// Add contacts from a .json or .csv file.
    Import {
        /// The file; its extension picks the format.
        file: PathBuf,
    },
    /// Write all contacts to a .json or .csv file.
    Export {
        /// The file; its extension picks the format.
        file: PathBuf,
    },
}

/// `satchel sim`.
#[derive(Debug, Clone, Args)]
pub struct SimArgs {
    /// Directory for the simulated node's tls.cert and macaroons (lnd layout).
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
    /// Address our node's gRPC listens on.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:10009")]
    pub listen: SocketAddr,
    /// Seed this many historical keysends into the inbox on first start.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed_history: usize,
    /// Seed a benchmark history instead of the demo mix: every keysend has a
    /// ~100-byte message and a signed sender.
    #[arg(long)]
    pub seed_all_signed: bool,
    /// Keep sending demo messages to our node while running.
    #[arg(long)]
    pub traffic: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_go_anywhere() {
        let cli = Cli::try_parse_from(["satchel", "info", "--demo", "--json"]).unwrap();
        assert!(cli.connect.demo);
        assert!(matches!(
            cli.command,
            Some(Command::Info(JsonFlag { json: true }))
        ));
    }

    #[test]
    fn send_takes_records_as_record_or_lncli_data() {
        let cli = Cli::try_parse_from([
            "satchel",
            "send",
            "bob",
            "21",
            "--record",
            "65536=ab",
            "--data",
            "70000=01,70001=02",
        ])
        .unwrap();
        let Some(Command::Send(send)) = cli.command else {
            panic!("not send")
        };
        assert_eq!(send.records, ["65536=ab", "70000=01,70001=02"]);
    }

    #[test]
    fn send_parses_options() {
        let cli = Cli::try_parse_from([
            "satchel",
            "--rpcserver",
            "h:1",
            "send",
            "alice",
            "1,000",
            "-m",
            "hi",
            "--sign",
            "--fee-limit",
            "5",
            "-y",
        ])
        .unwrap();
        let Some(Command::Send(send)) = cli.command else {
            panic!("not send")
        };
        assert_eq!(send.destination, "alice");
        assert_eq!(send.sats.as_deref(), Some("1,000"));
        assert_eq!(send.message.as_deref(), Some("hi"));
        assert!(send.sign && send.yes);
        assert_eq!(send.fee_limit.as_deref(), Some("5"));
        assert!(send.records.is_empty());
        assert!(cli.connect.is_explicit());
    }

    #[test]
    fn demo_conflicts_with_a_real_node() {
        let err =
            Cli::try_parse_from(["satchel", "--demo", "--rpcserver", "h:1", "info"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn renderer_flag_is_checked() {
        let cli = Cli::try_parse_from(["satchel", "--renderer", "cpu"]).unwrap();
        assert_eq!(cli.renderer, Some(RendererChoice::Cpu));
        let err = Cli::try_parse_from(["satchel", "--renderer", "vulkan"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation);
    }

    #[test]
    fn an_unknown_network_is_refused_by_clap() {
        let err = Cli::try_parse_from(["satchel", "--network", "bogus", "info"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::InvalidValue);
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("regtest"), "{err}");
        let cli = Cli::try_parse_from(["satchel", "info", "-n", "testnet4"]).unwrap();
        assert_eq!(cli.connect.network.as_deref(), Some("testnet4"));
    }

    /// The help of `sub` (or of the top level), as printed.
    fn help_of(sub: Option<&str>) -> String {
        let mut command = Cli::command();
        command.build();
        let command = match sub {
            Some(name) => command.find_subcommand_mut(name).unwrap(),
            None => &mut command,
        };
        command.render_long_help().to_string()
    }

    #[test]
    fn connection_flags_have_their_own_heading_and_stay_out_of_sim() {
        for sub in [None, Some("send"), Some("inbox")] {
            let help = help_of(sub);
            let heading = help.find("Connection:").expect("a Connection heading");
            let flag = help.find("--rpcserver").expect("--rpcserver listed");
            assert!(flag > heading, "{sub:?}: {help}");
            let send_flag = help.find("--help").unwrap();
            assert!(send_flag < heading || sub.is_none(), "{sub:?}: {help}");
        }
        let sim = help_of(Some("sim"));
        for flag in [
            "--rpcserver",
            "--lndconnect",
            "--demo",
            "--network",
            "Connection:",
        ] {
            assert!(!sim.contains(flag), "sim help lists {flag}: {sim}");
        }
    }

    #[test]
    fn connection_flags_given_to_sim_are_seen_either_side() {
        for args in [
            ["satchel", "--demo", "sim", "--dir", "d"],
            ["satchel", "sim", "--demo", "--dir", "d"],
        ] {
            let cli = Cli::try_parse_from(args).unwrap();
            assert!(matches!(cli.command, Some(Command::Sim(_))));
            assert_eq!(cli.connect.given(), ["--demo"], "{args:?}");
        }
        let cli = Cli::try_parse_from([
            "satchel", "sim", "--dir", "d", "--lnddir", "x", "-n", "regtest",
        ]);
        let cli = cli.unwrap();
        assert_eq!(cli.connect.given(), ["--lnddir", "--network"]);
        let plain = Cli::try_parse_from(["satchel", "sim", "--dir", "d"]).unwrap();
        assert!(plain.connect.given().is_empty());
    }

    #[test]
    fn sent_decisions_parse() {
        let cli = Cli::try_parse_from(["satchel", "sent", "--resend", "ab12", "-y"]).unwrap();
        let Some(Command::Sent(sent)) = cli.command else {
            panic!("not sent")
        };
        assert_eq!((sent.resend.as_deref(), sent.yes), (Some("ab12"), true));
        for refused in [
            vec!["satchel", "sent", "--resend", "a", "--discard", "b"],
            vec!["satchel", "sent", "--yes"],
            vec!["satchel", "sent", "--discard", "a", "--json"],
        ] {
            assert!(Cli::try_parse_from(&refused).is_err(), "{refused:?}");
        }
    }

    #[test]
    fn limit_takes_a_count_or_all() {
        let limit = |args: &[&str]| match Cli::try_parse_from(args).unwrap().command {
            Some(Command::Inbox(inbox)) => inbox.limit,
            Some(Command::Sent(sent)) => sent.limit,
            _ => panic!("not a listing"),
        };
        assert_eq!(limit(&["satchel", "inbox"]), 50);
        assert_eq!(limit(&["satchel", "inbox", "--limit", "7"]), 7);
        assert_eq!(limit(&["satchel", "inbox", "--limit", "all"]), usize::MAX);
        assert_eq!(limit(&["satchel", "sent", "--limit", "ALL"]), usize::MAX);
        let err = Cli::try_parse_from(["satchel", "sent", "--limit", "many"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation);
        assert!(err.to_string().contains("`all`"), "{err}");
    }

    #[test]
    fn no_subcommand_means_gui() {
        let cli = Cli::try_parse_from(["satchel", "--demo"]).unwrap();
        assert!(cli.command.is_none());
    }
}
