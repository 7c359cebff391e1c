//! `satchel feed show`: read a feed (URL or file), pick the show or an
//! episode, and print the value block that applies, every recipient that
//! cannot be paid with the reason, and, with `--amount`, the legs of a boost
//! and the smallest amount that pays everyone. Also the feed loading and
//! preview shared with `satchel boost`.

use serde::Serialize;

use super::args::{ConnectArgs, FeedCommand, FeedShowArgs};
use super::exit::CliError;
use super::report::{print_json, safe, sats};
use super::{serve, session};
use crate::keysend::Msat;
use crate::podcast::{Episode, Selected, Split, ValueBlock};
use crate::store::Paths;
use crate::wallet::boost_store::BoostStore;

/// Display cap for names in tables.
const NAME_COLUMN: usize = 28;

/// Run `feed`: works on the profile's files, no node needed.
pub fn run(args: &ConnectArgs, command: &FeedCommand) -> Result<(), CliError> {
    let real = session::real_paths()?;
    let paths = if args.demo { real.demo() } else { real };
    match command {
        FeedCommand::Show(show) => serve::runtime()?.block_on(run_show(&paths, args.demo, show)),
    }
}

async fn run_show(paths: &Paths, demo: bool, args: &FeedShowArgs) -> Result<(), CliError> {
    let episode = episode(args.episode.as_deref(), args.latest);
    let selected = load(paths, demo, &args.feed, &episode).await?;
    let amount = args.amount.as_deref().map(parse_amount).transpose()?;
    let split = match (&selected.block, amount) {
        (Ok(block), Some(sats)) => Some(preview_split(paths, block, sats)?),
        _ => None,
    };
    if args.json {
        return print_json(&FeedJson::of(&selected, split.as_ref()));
    }
    println!("{}", describe(&selected));
    match (&selected.block, &split) {
        (Err(error), _) => return Err(CliError::BadInput(error.to_string())),
        (Ok(_), Some(split)) => println!("\n{}", legs_table(split)),
        (Ok(_), None) => {}
    }
    Ok(())
}

/// `--episode GUID` / `--latest` / neither (the show).
pub(super) fn episode(guid: Option<&str>, latest: bool) -> Episode {
    match (guid, latest) {
        (Some(guid), _) => Episode::Guid(guid.to_owned()),
        (None, true) => Episode::Latest,
        (None, false) => Episode::Show,
    }
}

/// Whole sats for a boost.
pub(super) fn parse_amount(text: &str) -> Result<u64, CliError> {
    let amount = Msat::parse_sats(text).map_err(|source| CliError::BadAmount {
        text: safe(text, 40),
        source,
    })?;
    Ok(amount.sats())
}

/// Read `feed` (the demo feed, a URL or a file) and select `episode`.
pub(super) async fn load(
    paths: &Paths,
    demo: bool,
    feed: &str,
    episode: &Episode,
) -> Result<Selected, CliError> {
    let web = super::web::web()?;
    let loaded = crate::podcast::load::load(Some(paths.feeds_cache_dir()), demo, feed, &web)
        .await
        .map_err(|e| CliError::BadInput(e.to_string()))?;
    if loaded.from_cache {
        super::report::progress("(feed unchanged since last time; using the saved copy)");
    }
    for note in &loaded.notes {
        super::report::progress(&format!("Lightning Address {note}"));
    }
    crate::podcast::select(loaded.feed, loaded.url, episode)
        .map_err(|e| CliError::BadInput(e.to_string()))
}

/// The split `feed show` previews (no node is asked): with the ledger's
/// carries when exactly one node of the profile has boosted before.
fn preview_split(paths: &Paths, block: &ValueBlock, sats: u64) -> Result<Split, CliError> {
    let Some(store) = BoostStore::open_only_node(paths) else {
        return Ok(crate::podcast::split(block, sats, &[]));
    };
    crate::wallet::boost::split_with_ledger(&store, block, sats)
        .map_err(|e| CliError::Other(e.to_string()))
}

/// The show, the episode and the block, as text.
pub(super) fn describe(selected: &Selected) -> String {
    let feed = &selected.feed;
    let mut text = format!("Podcast: {}", safe(&feed.title, 100));
    if let Some(guid) = &feed.guid {
        text.push_str(&format!(" (guid {guid})"));
    }
    match &selected.item {
        Some(item) => text.push_str(&format!(
            "\nEpisode: {} (guid {})",
            safe(&item.title, 100),
            item.guid.as_deref().unwrap_or("none")
        )),
        None => text.push_str(&format!(
            "\nEpisodes: {} (boosting the show)",
            feed.items.len()
        )),
    }
    let block = match &selected.block {
        Ok(block) => block,
        Err(error) => return format!("{text}\nValue block: {error}"),
    };
    let fees = block.fee_percent();
    text.push_str(&format!(
        "\nValue block (lightning keysend): {} recipient(s){}",
        block.recipients.len(),
        if fees > 0 {
            format!(", fee recipients take {fees} % off the top")
        } else {
            String::new()
        }
    ));
    for r in &block.recipients {
        let custom = r.custom.as_ref().map_or_else(String::new, |c| {
            format!("  customKey {} = {:?}", c.key, safe(&c.value, 40))
        });
        let share = if r.fee {
            format!("{} % fee", r.split)
        } else {
            format!("split {}", r.split)
        };
        text.push_str(&format!(
            "\n  {:<NAME_COLUMN$} {:>12}  {}{custom}",
            safe(&r.label(), NAME_COLUMN),
            share,
            r.node
        ));
    }
    for s in &block.skipped {
        text.push_str(&format!(
            "\n  skipped: {} ({}): {}",
            if s.name.is_empty() {
                "unnamed"
            } else {
                &s.name
            },
            s.address,
            s.reason
        ));
    }
    if !block.merged.is_empty() {
        text.push_str(&format!(
            "\n  merged duplicates (splits added up): {}",
            block.merged.join(", ")
        ));
    }
    if selected.time_splits > 0 {
        text.push_str(&format!(
            "\n  {} value time split(s) kept for streams; boosts pay the recipients above",
            selected.time_splits
        ));
    }
    text
}

/// Every leg of a split, 0-sat legs and the amount that pays everyone.
pub(super) fn legs_table(split: &Split) -> String {
    let paying = split.paying_legs().count();
    let mut text = format!(
        "Boost of {}, split in {paying} payment(s):",
        sats(split.total)
    );
    for leg in &split.legs {
        let carry = leg.carry();
        let note = match carry {
            0 => String::new(),
            c if c > 0 => format!(
                "  ({} owed, added to a later boost)",
                Msat(c.unsigned_abs())
            ),
            c => format!("  ({} ahead)", Msat(c.unsigned_abs())),
        };
        text.push_str(&format!(
            "\n  {:<NAME_COLUMN$} {:>12}{}  exact {}{note}",
            safe(&leg.label(), NAME_COLUMN),
            sats(leg.amount),
            if leg.fee { "  fee" } else { "     " },
            leg.exact,
        ));
    }
    let zero: Vec<String> = split
        .zero_legs()
        .map(|l| safe(&l.label(), NAME_COLUMN))
        .collect();
    if !zero.is_empty() {
        text.push_str(&format!(
            "\n  warning: {} get(s) 0 sats at this amount (their msat share is kept in the ledger).",
            zero.join(", ")
        ));
    }
    if let Some(from) = split.pays_everyone_from {
        text.push_str(&format!(
            "\n  From {} on, every recipient gets at least 1 sat.",
            sats(Msat::from_sat(from))
        ));
    }
    text
}

/// `feed show --json`.
#[derive(Serialize)]
struct FeedJson {
    podcast: String,
    guid: Option<String>,
    episode: Option<String>,
    episode_guid: Option<String>,
    episodes: usize,
    /// Why the block cannot be paid, when it cannot.
    error: Option<String>,
    recipients: Vec<RecipientJson>,
    skipped: Vec<SkippedJson>,
    merged: Vec<String>,
    time_splits: usize,
    boost: Option<SplitJson>,
}

#[derive(Serialize)]
struct RecipientJson {
    name: String,
    pubkey: String,
    custom_key: Option<u64>,
    custom_value: Option<String>,
    split: u64,
    fee: bool,
}

#[derive(Serialize)]
struct SkippedJson {
    name: String,
    address: String,
    reason: String,
}

/// A split as JSON (shared with `boost --json`).
#[derive(Serialize)]
pub(super) struct SplitJson {
    amount_sat: u64,
    legs: Vec<LegJson>,
    zero_legs: usize,
    pays_everyone_from_sat: Option<u64>,
}

#[derive(Serialize)]
pub(super) struct LegJson {
    name: String,
    pubkey: String,
    fee: bool,
    split: u64,
    sat: u64,
    exact_msat: u64,
}

impl SplitJson {
    pub(super) fn of(split: &Split) -> Self {
        Self {
            amount_sat: split.total.sats(),
            legs: split
                .legs
                .iter()
                .map(|l| LegJson {
                    name: l.name.clone(),
                    pubkey: l.node.to_string(),
                    fee: l.fee,
                    split: l.split,
                    sat: l.amount.sats(),
                    exact_msat: l.exact.0,
                })
                .collect(),
            zero_legs: split.zero_legs().count(),
            pays_everyone_from_sat: split.pays_everyone_from,
        }
    }
}

impl FeedJson {
    fn of(selected: &Selected, split: Option<&Split>) -> Self {
        let block = selected.block.as_ref().ok();
        Self {
            podcast: selected.feed.title.clone(),
            guid: selected.feed.guid.clone(),
            episode: selected.context.episode.clone(),
            episode_guid: selected.context.episode_guid.clone(),
            episodes: selected.feed.items.len(),
            error: selected.block.as_ref().err().map(ToString::to_string),
            recipients: block.map_or_else(Vec::new, |b| {
                b.recipients
                    .iter()
                    .map(|r| RecipientJson {
                        name: r.name.clone(),
                        pubkey: r.node.to_string(),
                        custom_key: r.custom.as_ref().map(|c| c.key),
                        custom_value: r.custom.as_ref().map(|c| c.value.clone()),
                        split: r.split,
                        fee: r.fee,
                    })
                    .collect()
            }),
            skipped: block.map_or_else(Vec::new, |b| {
                b.skipped
                    .iter()
                    .map(|s| SkippedJson {
                        name: s.name.clone(),
                        address: s.address.clone(),
                        reason: s.reason.clone(),
                    })
                    .collect()
            }),
            merged: block.map_or_else(Vec::new, |b| b.merged.clone()),
            time_splits: selected.time_splits,
            boost: split.map(SplitJson::of),
        }
    }
}
