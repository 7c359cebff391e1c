//! `satchel nwc add|list|revoke|serve`: Nostr Wallet Connect connections
//! for apps, and the headless wallet service (see [`crate::nwc`]).

use std::sync::Arc;

use clap::{Args, Subcommand};
use nostr::RelayUrl;
use serde::Serialize;

use super::args::{ConnectArgs, JsonFlag};
use super::exit::CliError;
use super::report::{print_json, progress, safe};
use crate::nwc::relay::DemoRelay;
use crate::nwc::{self, Connections, NewConnection, NwcError, Period, Service};
use crate::store::{Paths, SecretStore};

/// The port of the local relay `--demo` runs (`nwc serve --demo`, the GUI).
pub const DEMO_RELAY_PORT: u16 = 4869;

/// `satchel nwc ...`.
#[derive(Debug, Clone, Subcommand)]
pub enum NwcCommand {
    /// Create a connection for an app; prints its nostr+walletconnect:// URI.
    Add(AddArgs),
    /// List connections with their budget, spending and last use.
    List(JsonFlag),
    /// Revoke a connection: its app can no longer use the wallet.
    Revoke {
        /// The connection's name.
        name: String,
    },
    /// Serve the connections on their relays until Ctrl-C.
    Serve {
        /// Also listen on this relay (repeatable).
        #[arg(long = "relay", value_name = "URL")]
        relays: Vec<String>,
    },
}

/// `satchel nwc add`.
#[derive(Debug, Clone, Args)]
pub struct AddArgs {
    /// A name for the app (unique).
    pub name: String,
    /// Most the app may spend per period, in sats (none: no budget).
    #[arg(long, value_name = "SATS")]
    pub budget: Option<u64>,
    /// How often the budget renews: day, week, month or never.
    #[arg(long, default_value = "month")]
    pub period: Period,
    /// Allowed methods, comma-separated (default: every method Satchel serves).
    #[arg(long, value_name = "LIST")]
    pub methods: Option<String>,
    /// A relay the app and Satchel meet on (repeatable; `--demo`: the local relay).
    #[arg(long = "relay", value_name = "URL")]
    pub relays: Vec<String>,
    /// The connection stops working after this many days.
    #[arg(long, value_name = "DAYS")]
    pub expires: Option<u64>,
    /// Send payment_received and payment_sent notifications to the app.
    #[arg(long)]
    pub notifications: bool,
    /// Print JSON (`uri`, `name`, ...) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `nwc add --json`.
#[derive(Debug, Serialize)]
struct Added<'a> {
    name: &'a str,
    uri: String,
    wallet_pubkey: &'a str,
    relays: &'a [String],
    methods: &'a [String],
    budget_sat: Option<u64>,
    period: Period,
    expires_at: Option<u64>,
    secret_persistent: bool,
}

/// One row of `nwc list --json`.
#[derive(Debug, Serialize)]
struct Listed<'a> {
    name: &'a str,
    wallet_pubkey: &'a str,
    relays: &'a [String],
    methods: &'a [String],
    budget_sat: Option<u64>,
    period: Period,
    spent_sat: u64,
    spent_msat: u64,
    /// Reserved by payments still in flight (any serving process).
    in_flight_msat: u64,
    payments: usize,
    last_used: Option<u64>,
    expires_at: Option<u64>,
    expired: bool,
}

/// Run `nwc add|list|revoke` on the profile's files (no node needed).
pub fn run_files(paths: &Paths, demo: bool, command: &NwcCommand) -> Result<(), CliError> {
    match command {
        NwcCommand::Add(add) => run_add(paths, demo, add),
        NwcCommand::List(flag) => list(paths, flag.json),
        NwcCommand::Revoke { name } => {
            let (secrets, no_keyring) = nwc::secrets_for(paths);
            nwc::connection::revoke(paths, secrets.as_ref(), name).map_err(nwc_error)?;
            println!(
                "Revoked {:?}: its app can no longer use this wallet.",
                safe(name, 64)
            );
            if let Some(why) = no_keyring {
                progress(&format!(
                    "Note: {why}, so this connection's key was kept only by the process that \
                     added or served it; there was nothing else to remove."
                ));
            }
            Ok(())
        }
        NwcCommand::Serve { .. } => Err(CliError::Other("serve needs a node".into())),
    }
}

fn run_add(paths: &Paths, demo: bool, add: &AddArgs) -> Result<(), CliError> {
    let mut relays = parse_relays(&add.relays)?;
    if relays.is_empty() && demo {
        relays.push(demo_relay_url());
    }
    if relays.is_empty() {
        return Err(CliError::BadInput(
            "give the relay the app and Satchel meet on: --relay wss://relay.example (or use --demo)"
                .into(),
        ));
    }
    let methods = match &add.methods {
        Some(list) => nwc::connection::parse_methods(list).map_err(nwc_error)?,
        None => nwc::DEFAULT_METHODS.to_vec(),
    };
    let new = NewConnection {
        name: add.name.clone(),
        budget_sats: add.budget,
        period: add.period,
        methods,
        notifications: add.notifications,
        relays,
        expires_in: add.expires.map(|days| days.saturating_mul(86_400)),
    };
    let (secrets, warning) = nwc::secrets_for(paths);
    let (connection, uri) =
        nwc::connection::add(paths, secrets.as_ref(), new, nwc::unix_now()).map_err(nwc_error)?;
    if let Some(warning) = warning {
        progress(&format!(
            "warning: {warning}, so this connection's key is kept only while this process \
             runs: the connection cannot be served once it ends"
        ));
    }
    if add.json {
        return print_json(&Added {
            name: &connection.name,
            uri: uri.to_string(),
            wallet_pubkey: &connection.wallet_pubkey,
            relays: &connection.relays,
            methods: &connection.methods,
            budget_sat: add.budget,
            period: connection.period,
            expires_at: connection.expires_at,
            secret_persistent: secrets.is_persistent(),
        });
    }
    println!("{uri}");
    progress(&format!(
        "Connection {:?} added. Paste the URI above into the app; it is shown only once \
         (Satchel keeps only the wallet's half of the keys). Serve it with `satchel nwc serve`.",
        connection.name
    ));
    Ok(())
}

fn list(paths: &Paths, json: bool) -> Result<(), CliError> {
    let all = Connections::load(paths).map_err(nwc_error)?;
    let now = nwc::unix_now();
    // The ledger is what budgets are decided by (every serving process
    // writes it); the file's own record is the fallback.
    let ledger = nwc::ledger::Ledger::open(paths)
        .and_then(|ledger| ledger.import(&all.connections).map(|()| ledger))
        .map_err(|e| progress(&format!("warning: {e}; spending shown from nwc.json")))
        .ok();
    let usage = |c: &nwc::Connection| {
        let usage = ledger.as_ref().and_then(|l| {
            let (spent, held) = l.usage(c, now).ok()?;
            let payments = l.spends(&c.wallet_pubkey).ok()?.len();
            Some((spent, held, payments))
        });
        usage.unwrap_or((c.spent(now), 0, c.spends.len()))
    };
    let rows: Vec<Listed<'_>> = all
        .connections
        .iter()
        .map(|c| (c, usage(c)))
        .map(|(c, (spent, in_flight, payments))| Listed {
            name: &c.name,
            wallet_pubkey: &c.wallet_pubkey,
            relays: &c.relays,
            methods: &c.methods,
            budget_sat: c.budget_msat.map(|m| m / 1000),
            period: c.period,
            spent_sat: spent / 1000,
            spent_msat: spent,
            in_flight_msat: in_flight,
            payments,
            last_used: c.last_used,
            expires_at: c.expires_at,
            expired: c.expired(now),
        })
        .collect();
    if json {
        return print_json(&rows);
    }
    if rows.is_empty() {
        println!("No connections. Add one with `satchel nwc add NAME --relay URL`.");
    }
    for row in rows {
        println!("{}", describe(&row, now));
    }
    Ok(())
}

/// `podcasts  120 of 1000 sat this day · last used 5 min ago · 3 payments`.
fn describe(row: &Listed<'_>, now: u64) -> String {
    let budget = match row.budget_sat {
        Some(budget) => format!("{} of {budget} sat per {}", row.spent_sat, row.period),
        None => format!("{} sat spent ({}), no budget", row.spent_sat, row.period),
    };
    let used = match row.last_used {
        Some(at) => format!("last used {}", ago(now.saturating_sub(at))),
        None => "never used".to_owned(),
    };
    let expiry = match (row.expired, row.expires_at) {
        (true, _) => " · EXPIRED".to_owned(),
        (false, Some(at)) => format!(" · expires in {}", span(at.saturating_sub(now))),
        (false, None) => String::new(),
    };
    format!(
        "{}  {budget} · {used} · {} payments{expiry}",
        safe(row.name, 64),
        row.payments
    )
}

fn ago(seconds: u64) -> String {
    format!("{} ago", span(seconds))
}

fn span(seconds: u64) -> String {
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min", seconds / 60),
        3600..86_400 => format!("{} h", seconds / 3600),
        _ => format!("{} days", seconds / 86_400),
    }
}

/// `nwc serve`: run the service against the connected node until Ctrl-C.
pub async fn serve(
    node: &crate::node::SharedNode,
    paths: &Paths,
    demo: bool,
    relays: &[String],
) -> Result<(), CliError> {
    let extra = parse_relays(relays)?;
    let _relay = match demo {
        true => Some(DemoRelay::start(DEMO_RELAY_PORT).await.map_err(nwc_error)?),
        false => None,
    };
    let owned = paths.clone();
    let (secrets, no_keyring) = tokio::task::spawn_blocking(move || nwc::secrets_for(&owned))
        .await
        .map_err(|e| CliError::Other(e.to_string()))?;
    if let Some(why) = no_keyring {
        progress(&format!(
            "warning: {why}; only connections added by this process could be served, so none are"
        ));
    }
    let clock: nwc::Clock = Arc::new(nwc::unix_now);
    let service = Service::open(
        node.clone(),
        paths,
        secrets.as_ref() as &dyn SecretStore,
        clock,
    )
    .await
    .map_err(nwc_error)?;
    for skipped in &service.skipped {
        progress(&format!("warning: {skipped}"));
    }
    let served = service.served();
    let on: Vec<String> = service
        .relays()
        .iter()
        .chain(extra.iter())
        .map(|r| r.to_string())
        .collect();
    let handle = service.serve(extra).await.map_err(nwc_error)?;
    progress(&format!(
        "Serving {served} connection(s) on {}. Ctrl-C stops.",
        on.join(", ")
    ));
    let _ = tokio::signal::ctrl_c().await;
    handle.stop().await;
    progress("Stopped.");
    Ok(())
}

/// The local relay `--demo` runs.
pub fn demo_relay_url() -> RelayUrl {
    RelayUrl::parse(&format!("ws://127.0.0.1:{DEMO_RELAY_PORT}")).expect("a valid url")
}

fn parse_relays(relays: &[String]) -> Result<Vec<RelayUrl>, CliError> {
    relays
        .iter()
        .map(|text| {
            RelayUrl::parse(text).map_err(|e| {
                CliError::BadInput(format!(
                    "--relay {}: {e} (use wss://host or ws://127.0.0.1:port)",
                    safe(text, 80)
                ))
            })
        })
        .collect()
}

fn nwc_error(error: NwcError) -> CliError {
    match error {
        NwcError::BadInput(text) => CliError::BadInput(text),
        NwcError::NotFound(_) => CliError::BadInput(error.to_string()),
        NwcError::Store(e) => CliError::Store(e),
        other => CliError::Other(other.to_string()),
    }
}

/// `satchel nwc ...`: files-only commands on the profile, `serve` on the node.
pub fn run(args: &ConnectArgs, command: &NwcCommand) -> Result<(), CliError> {
    match command {
        NwcCommand::Serve { relays } => super::on_node(args, None, async |node, paths| {
            serve(node, paths, args.demo, relays).await
        }),
        files => {
            let real = super::session::real_paths()?;
            match args.demo {
                true => run_files(&real.demo(), true, files),
                false => run_files(&real, false, files),
            }
        }
    }
}
