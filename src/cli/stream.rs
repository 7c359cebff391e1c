//! `satchel stream`: stream sats per content minute to a feed's value block
//! or a contact, in the foreground; each batch is printed (a JSON line with
//! `--json`). Ctrl+C or the end of `--minutes` pays what is owed and exits.
//! `--status` shows the streams and their ledgers; `--daily-cap` sets the
//! cap across every stream and recurring tip.

use serde::Serialize;
use tokio::sync::mpsc;

use super::args::StreamArgs;
use super::exit::CliError;
use super::report::{print_json, print_json_line, progress, safe, sats};
use super::{contacts, feed, journal};
use crate::keysend::Msat;
use crate::node::SharedNode;
use crate::store::{Paths, Settings};
use crate::wallet::stream::{
    self, BatchReport, Control, DEFAULT_BATCH_MINUTES, Engine, NewStream, StreamEvent, Target,
};
use crate::wallet::stream_store::{LedgerRow, StreamRow, StreamState, StreamStore};

/// Run `stream` on a connected node.
pub async fn run(node: &SharedNode, paths: &Paths, args: &StreamArgs) -> Result<(), CliError> {
    let info = node.info().await?;
    let store = open_store(paths, &info.id)?;
    if let Some(cap) = &args.daily_cap {
        return set_daily_cap(&store, cap);
    }
    if args.status {
        return status(&store, args.json);
    }
    let (Some(text), Some(rate)) = (&args.target, &args.rate) else {
        return Err(CliError::BadInput("give FEED_OR_CONTACT and --rate".into()));
    };
    let cap = args.cap.as_deref().map(feed::parse_amount).transpose()?;
    let cap = cap.map(Msat::from_sat);
    let per_minute_cap = cap.filter(|_| !args.per_hour);
    let rate = stream::parse_rate(rate, per_minute_cap).map_err(bad)?;
    let rate_msat_hour = if args.per_hour { rate.0 } else { rate.0 * 60 };
    let clock = crate::clock::from_env().map_err(CliError::BadInput)?;
    let (target, context) = target(paths, text, args.episode.as_deref()).await?;
    let files = super::history::open_node(node, paths).await?;
    journal::reconcile_and_report(node, &files.journal, paths).await?;
    let settings = Settings::load(paths)?;
    let new = NewStream {
        target_text: text.trim().to_owned(),
        episode: args.episode.clone().unwrap_or_default(),
        rate_msat_hour,
        batch_minutes: if args.batch == 0 {
            DEFAULT_BATCH_MINUTES
        } else {
            args.batch
        },
        cap,
        context,
    };
    let row = stream::open_or_create(&store, &new, clock.now_ms()).map_err(bad)?;
    if row.content_ms > 0 {
        progress(&format!(
            "Carrying on with stream {} from minute {} (each minute is paid once).",
            row.id,
            row.content_ms / 60_000
        ));
    }
    let engine = Engine {
        node: node.clone(),
        journal: files.journal,
        store: store.clone(),
        clock,
        info,
        fee_limit: settings.value.default_fee_limit,
        target,
    };
    follow(engine, row, args).await
}

/// Run the engine, print its events; Ctrl+C stops it (paying what is owed).
async fn follow(engine: Engine, row: StreamRow, args: &StreamArgs) -> Result<(), CliError> {
    let (control, control_rx) = mpsc::unbounded_channel();
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let minutes = args.minutes;
    let task = tokio::spawn(engine.run(row, control_rx, minutes, events_tx));
    let mut stop = Box::pin(tokio::signal::ctrl_c());
    let mut stopping = false;
    loop {
        tokio::select! {
            _ = &mut stop, if !stopping => {
                stopping = true;
                progress("Stopping: paying what is owed...");
                let _ = control.send(Control::Stop);
            }
            event = events.recv() => match event {
                Some(event) => {
                    if matches!(event, StreamEvent::Capped { .. }) {
                        let _ = control.send(Control::Leave);
                    }
                    show(&event, args.json)?;
                }
                None => break,
            },
        }
    }
    match task.await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => Err(bad(error)),
        Err(error) => Err(CliError::Other(error.to_string())),
    }
}

/// A feed (URL, file, `demo`) or a contact / pubkey.
async fn target(
    paths: &Paths,
    text: &str,
    episode: Option<&str>,
) -> Result<(Target, crate::podcast::boost::BoostContext), CliError> {
    if stream::is_feed(text, paths.is_demo()) {
        let selected =
            feed::load(paths, paths.is_demo(), text, &feed::episode(episode, false)).await?;
        progress(&feed::describe(&selected));
        let block = selected
            .block
            .clone()
            .map_err(|e| CliError::BadInput(e.to_string()))?;
        let context = selected.context.clone();
        let windows = crate::wallet::stream_vts::windows_fetched(
            &selected,
            Some(paths.feeds_cache_dir()),
            &super::web::web()?,
        )
        .await;
        for window in &windows {
            let text = match &window.block {
                Ok(block) => format!(
                    "value time split {}-{} s: {} % to {} recipient(s)",
                    window.start_s,
                    window.end_s,
                    window.percent,
                    block.recipients.len()
                ),
                Err(why) => format!(
                    "value time split {}-{} s: paying the host block, because {why}",
                    window.start_s, window.end_s
                ),
            };
            progress(&text);
        }
        return Ok((
            Target::Feed {
                block,
                context: context.clone(),
                windows,
            },
            context,
        ));
    }
    if episode.is_some() {
        return Err(CliError::BadInput(
            "--episode is for feeds; a contact or pubkey has no episodes".into(),
        ));
    }
    let book = contacts::load(paths)?;
    let (id, matched) = contacts::destination(&book, text, true)?;
    let name = matched.map_or_else(|| id.short(), |m| m.name);
    Ok((Target::Node { id, name }, Default::default()))
}

fn open_store(paths: &Paths, node: &crate::keysend::NodeId) -> Result<StreamStore, CliError> {
    StreamStore::open(&paths.node_data_dir(node)).map_err(bad)
}

fn set_daily_cap(store: &StreamStore, text: &str) -> Result<(), CliError> {
    let cap =
        crate::wallet::stream::parse_daily_cap(text).map_err(|source| CliError::BadAmount {
            text: safe(text, 40),
            source,
        })?;
    store.set_daily_cap(cap).map_err(bad)?;
    match cap {
        Some(cap) => println!("Daily cap across streams and recurring tips: {}", sats(cap)),
        None => println!("No daily cap."),
    }
    Ok(())
}

fn bad(error: impl std::fmt::Display) -> CliError {
    CliError::BadInput(error.to_string())
}

/// One leg in JSON.
#[derive(Serialize)]
struct LegJson {
    name: String,
    pubkey: String,
    sat: u64,
    state: &'static str,
    error: Option<String>,
}

/// One recipient's ledger in JSON.
#[derive(Serialize)]
struct LedgerJson {
    name: String,
    pubkey: String,
    accrued_msat: u64,
    paid_msat: u64,
    owed_msat: u64,
    last_error: Option<String>,
}

impl LedgerJson {
    fn of(row: &LedgerRow) -> Self {
        Self {
            name: safe(&row.name, 60),
            pubkey: row.node.to_hex(),
            accrued_msat: row.accrued.0,
            paid_msat: row.paid.0,
            owed_msat: row.owed().0,
            last_error: row.last_error.clone(),
        }
    }
}

/// A batch in JSON (one line per batch).
#[derive(Serialize)]
struct BatchJson {
    event: &'static str,
    stream: String,
    batch_uuid: String,
    content_minutes: u64,
    paid_sat: u64,
    owed_msat: u64,
    legs: Vec<LegJson>,
    ledger: Vec<LedgerJson>,
    note: Option<String>,
}

impl BatchJson {
    fn of(report: &BatchReport) -> Self {
        Self {
            event: "batch",
            stream: report.stream_id.clone(),
            batch_uuid: report.batch_uuid.clone(),
            content_minutes: report.content_minutes,
            paid_sat: report.paid.sats(),
            owed_msat: report.ledger.iter().map(|r| r.owed().0).sum(),
            legs: report
                .legs
                .iter()
                .map(|l| LegJson {
                    name: safe(&l.name, 60),
                    pubkey: l.node.to_hex(),
                    sat: l.amount.sats(),
                    state: l.state.as_str(),
                    error: l.error.clone(),
                })
                .collect(),
            ledger: report.ledger.iter().map(LedgerJson::of).collect(),
            note: report.note.clone(),
        }
    }
}

/// Print one event: batches on stdout, the rest as progress on stderr.
fn show(event: &StreamEvent, json: bool) -> Result<(), CliError> {
    match event {
        StreamEvent::Started(row) => progress(&format!(
            "Streaming {} a minute to {} (stream {}, a batch every {} min{}). Ctrl+C pays what \
             is owed and stops.",
            Msat(row.rate_msat_hour / 60),
            safe(&row.target, 80),
            row.id,
            row.batch_minutes,
            row.cap
                .map(|c| format!(", cap {}", sats(c)))
                .unwrap_or_default()
        )),
        StreamEvent::Batch(report) if json => print_json_line(&BatchJson::of(report))?,
        StreamEvent::Batch(report) => println!("{}", batch_text(report)),
        StreamEvent::Capped { reason } => {
            if json {
                print_json_line(&serde_json::json!({"event": "capped", "reason": reason}))?;
            }
            progress(&format!("Paused: {reason}. Paying what is owed."));
        }
        StreamEvent::Ended { state } => progress(&format!("Stream {}.", state.as_str())),
        StreamEvent::Failed(reason) => progress(&format!("error: {reason}")),
        StreamEvent::Note(note) => progress(&format!("note: {note}")),
        StreamEvent::Accrued { .. } | StreamEvent::Paused | StreamEvent::Resumed => {}
    }
    Ok(())
}

/// A batch as text: what each leg did and what stays owed.
fn batch_text(report: &BatchReport) -> String {
    let owed: u64 = report.ledger.iter().map(|r| r.owed().0).sum();
    let mut text = format!(
        "minute {}: paid {} in {} leg(s); owed {}",
        report.content_minutes,
        sats(report.paid),
        report.legs.len(),
        Msat(owed)
    );
    if let Some(note) = &report.note {
        text.push_str(&format!("\n  {note}"));
    }
    for leg in &report.legs {
        text.push_str(&format!(
            "\n  {:<20} {:>8}  {}{}",
            safe(&leg.name, 20),
            sats(leg.amount),
            leg.state.as_str(),
            leg.error
                .as_deref()
                .map(|e| format!(" ({})", safe(e, 80)))
                .unwrap_or_default()
        ));
    }
    text
}

/// `--status`: the streams, newest first, with their ledgers.
fn status(store: &StreamStore, json: bool) -> Result<(), CliError> {
    let rows = store.recent(20).map_err(bad)?;
    let daily = store.daily_cap().map_err(bad)?;
    if json {
        let streams: Vec<serde_json::Value> = rows
            .iter()
            .map(|row| {
                let ledger = store.ledger(&row.id).unwrap_or_default();
                serde_json::json!({
                    "id": row.id,
                    "target": safe(&row.target, 120),
                    "state": row.state.as_str(),
                    "reason": row.reason,
                    "rate_msat_per_minute": row.rate_msat_hour / 60,
                    "content_minutes": row.content_ms / 60_000,
                    "cap_msat": row.cap.map(|c| c.0),
                    "ledger": ledger.iter().map(LedgerJson::of).collect::<Vec<_>>(),
                })
            })
            .collect();
        return print_json(&serde_json::json!({
            "daily_cap_msat": daily.map(|c| c.0),
            "streams": streams,
        }));
    }
    println!(
        "Daily cap: {}",
        daily.map_or_else(|| "none".to_owned(), sats)
    );
    if rows.is_empty() {
        println!("No streams yet.");
    }
    for row in rows {
        let ledger = store.ledger(&row.id).map_err(bad)?;
        let paid = Msat(ledger.iter().map(|r| r.paid.0).sum());
        let owed = Msat(ledger.iter().map(|r| r.owed().0).sum());
        let state = match (row.state, &row.reason) {
            (StreamState::Running, _) => "running (or interrupted)".to_owned(),
            (state, Some(reason)) => format!("{} ({reason})", state.as_str()),
            (state, None) => state.as_str().to_owned(),
        };
        println!(
            "\n{} -> {}\n  {state}; {} a minute; {} min of content; paid {}; owed {}",
            row.id,
            safe(&row.target, 80),
            Msat(row.rate_msat_hour / 60),
            row.content_ms / 60_000,
            sats(paid),
            owed
        );
        for r in &ledger {
            println!(
                "  {:<20} paid {:>10}  owed {:>12}{}",
                safe(&r.name, 20),
                sats(r.paid),
                r.owed().to_string(),
                r.last_error
                    .as_deref()
                    .map(|e| format!("  last: {}", safe(e, 60)))
                    .unwrap_or_default()
            );
        }
    }
    Ok(())
}
