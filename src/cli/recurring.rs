//! `satchel recurring add | list | remove | run`: recurring tips to a
//! contact. `run` pays what is due now and exits (for cron or a systemd
//! timer); missed periods are paid once, for the latest period.

use super::args::RecurringCommand;
use super::exit::CliError;
use super::report::{print_json, progress, safe, sats};
use super::{contacts, feed, journal};
use crate::node::SharedNode;
use crate::store::{Paths, Settings};
use crate::wallet::recurring::{self, Every, Payer};
use crate::wallet::stream_store::StreamStore;

/// Run `recurring` on a connected node.
pub async fn run(
    node: &SharedNode,
    paths: &Paths,
    command: &RecurringCommand,
) -> Result<(), CliError> {
    let info = node.info().await?;
    let store = StreamStore::open(&paths.node_data_dir(&info.id)).map_err(bad)?;
    let clock = crate::clock::from_env().map_err(CliError::BadInput)?;
    let now = clock.now_ms();
    match command {
        RecurringCommand::Add {
            target,
            amount,
            every,
            message,
        } => {
            let every = Every::parse(every).map_err(bad)?;
            let amount = recurring::parse_amount(amount).map_err(bad)?;
            if crate::wallet::stream::is_feed(target, paths.is_demo()) {
                return add_feed(
                    &store,
                    paths,
                    target,
                    amount,
                    every,
                    message.as_deref(),
                    now,
                )
                .await;
            }
            let book = contacts::load(paths)?;
            let (id, matched) = contacts::destination(&book, target, true)?;
            let name = matched.map_or_else(|| id.short(), |m| m.name);
            let tip = recurring::add(&store, &name, id, amount, every, message.as_deref(), now)
                .map_err(bad)?;
            println!(
                "Recurring tip {tip}: {} to {} every {}. `satchel recurring run` pays what is due.",
                sats(amount),
                safe(&name, 60),
                every.as_str()
            );
            Ok(())
        }
        RecurringCommand::List { json } => list(&store, now, *json),
        RecurringCommand::Remove { id } => match recurring::remove(&store, *id).map_err(bad)? {
            true => {
                println!("Removed recurring tip {id}.");
                Ok(())
            }
            false => Err(CliError::BadInput(format!("no recurring tip has id {id}"))),
        },
        RecurringCommand::Run { json } => {
            let files = super::history::open_node(node, paths).await?;
            journal::reconcile_and_report(node, &files.journal, paths).await?;
            let settings = Settings::load(paths)?;
            let feeds = load_feeds(&store, paths, now).await?;
            let payer = Payer {
                node,
                journal: &files.journal,
                info: &info,
                fee_limit: settings.value.default_fee_limit,
                store: &store,
                feeds: &feeds,
            };
            let outcomes = recurring::run(&payer, now).await.map_err(bad)?;
            if *json {
                let rows: Vec<serde_json::Value> = outcomes
                    .iter()
                    .map(|o| {
                        serde_json::json!({
                            "id": o.due.tip.id,
                            "name": safe(&o.due.tip.name, 60),
                            "sat": o.due.tip.amount.sats(),
                            "period": o.due.period,
                            "missed_periods": o.due.missed,
                            "paid": o.paid,
                            "error": o.error,
                        })
                    })
                    .collect();
                print_json(&rows)?;
            } else if outcomes.is_empty() {
                println!("Nothing is due.");
            }
            for o in &outcomes {
                let text = match (&o.error, o.paid) {
                    (_, true) => format!(
                        "tip {}: paid {} to {}",
                        o.due.tip.id,
                        sats(o.due.tip.amount),
                        safe(&o.due.tip.name, 60)
                    ),
                    (error, false) => format!(
                        "tip {}: not paid: {}",
                        o.due.tip.id,
                        error.as_deref().unwrap_or("unknown")
                    ),
                };
                let text = match o.due.missed {
                    0 => text,
                    n => format!(
                        "{text} ({n} earlier period(s) passed unpaid: paid once, for this one)"
                    ),
                };
                if *json {
                    progress(&text);
                } else {
                    println!("{text}");
                }
            }
            match outcomes.iter().all(|o| o.paid) {
                true => Ok(()),
                false => Err(CliError::Other(
                    "some recurring tips were not paid; run again to retry".into(),
                )),
            }
        }
    }
}

fn list(store: &StreamStore, now: i64, json: bool) -> Result<(), CliError> {
    let tips = recurring::statuses(store, now).map_err(bad)?;
    let iso = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default()
    };
    if json {
        let rows: Vec<serde_json::Value> = tips
            .iter()
            .map(|s| {
                let t = &s.tip;
                serde_json::json!({
                    "id": t.id,
                    "name": safe(&t.name, 60),
                    "pubkey": t.node.to_hex(),
                    "sat": t.amount.sats(),
                    "every": t.every,
                    "message": t.message.as_deref().map(|m| safe(m, 200)),
                    "due": s.due.is_some(),
                    "missed_periods": s.due.as_ref().map_or(0, |d| d.missed),
                    "next_due_ms": s.next_due_ms,
                    "last_paid_ms": s.last_paid_ms,
                })
            })
            .collect();
        return print_json(&rows);
    }
    if tips.is_empty() {
        println!("No recurring tips.");
    }
    for s in &tips {
        let t = &s.tip;
        let state = match &s.due {
            Some(d) if d.missed > 0 => format!("due now ({} earlier period(s) missed)", d.missed),
            Some(_) => "due now".to_owned(),
            None => format!("next due {}", iso(s.next_due_ms)),
        };
        let last = s.last_paid_ms.map_or_else(
            || "never paid".to_owned(),
            |ms| format!("last paid {}", iso(ms)),
        );
        println!(
            "{:>3}  {:<20} {:>10} every {:<5}  {state}; {last}{}",
            t.id,
            safe(&t.name, 20),
            sats(t.amount),
            t.every,
            t.message
                .as_deref()
                .map(|m| format!("  \"{}\"", safe(m, 40)))
                .unwrap_or_default()
        );
    }
    Ok(())
}

/// A recurring tip to a feed's show block: paid over its splits with
/// `action` "auto" (the block is read again at every run).
async fn add_feed(
    store: &StreamStore,
    paths: &Paths,
    feed_text: &str,
    amount: crate::keysend::Msat,
    every: Every,
    message: Option<&str>,
    now: i64,
) -> Result<(), CliError> {
    let (block, context) = block_of(paths, feed_text).await?;
    let first = block
        .recipients
        .first()
        .ok_or_else(|| CliError::BadInput("the feed's value block has no recipient".into()))?;
    let name = if context.podcast.is_empty() {
        feed_text.to_owned()
    } else {
        context.podcast.clone()
    };
    let tip = recurring::add_feed(
        store, &name, first.node, feed_text, amount, every, message, now,
    )
    .map_err(bad)?;
    println!(
        "Recurring tip {tip}: {} to the value block of {} ({} recipient(s), action \"auto\") \
         every {}. `satchel recurring run` pays what is due.",
        sats(amount),
        safe(&name, 60),
        block.recipients.len(),
        every.as_str()
    );
    Ok(())
}

/// A feed's show block and its metadata.
async fn block_of(
    paths: &Paths,
    feed_text: &str,
) -> Result<
    (
        crate::podcast::value::ValueBlock,
        crate::podcast::boost::BoostContext,
    ),
    CliError,
> {
    let selected = feed::load(
        paths,
        paths.is_demo(),
        feed_text,
        &crate::podcast::Episode::Show,
    )
    .await?;
    let block = selected.block.map_err(bad)?;
    Ok((block, selected.context))
}

/// The blocks of the feed tips due now; a feed that cannot be read is
/// reported for its tips (the others are still paid).
async fn load_feeds(
    store: &StreamStore,
    paths: &Paths,
    now: i64,
) -> Result<recurring::FeedBlocks, CliError> {
    let web = super::web::web()?;
    recurring::feed_blocks(
        store,
        now,
        Some(paths.feeds_cache_dir()),
        paths.is_demo(),
        &web,
    )
    .await
    .map_err(bad)
}

fn bad(error: impl std::fmt::Display) -> CliError {
    CliError::BadInput(error.to_string())
}
