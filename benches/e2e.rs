//! End-to-end figures against a simulated node seeded with 100,000 received
//! keysends, each with a ~100-byte message and a Whatsat-signed sender
//! (`satchel sim --seed-all-signed`, the history of issue #5; the mix is
//! printed), served over TLS gRPC by a separate `satchel sim` process (so
//! this process's memory is the app's, not the simulator's): first sync vs
//! bare ListInvoices pages, lazy verification of the first page, restart to
//! the first page, incremental sync, resident memory, and click-send to the
//! node's first SendPaymentV2 update.
//!
//! Run: `cargo bench --bench e2e` (`-- --entries N` for another size,
//! `-- --sync-runs N` for N first syncs, 3 by default, median printed).
//! The million scenario of issue 19: `-- --entries 1000000 --sync-runs 1`.
//! Prints each figure; BENCHMARKS.md records them against the targets.

#[path = "support/mix.rs"]
mod mix;
#[path = "support/sim_process.rs"]
mod sim_process;
mod support;

use std::time::{Duration, Instant};

use futures::StreamExt;
use mix::HistoryMix;
use satchel::keysend::{Msat, NodeId, Sender, outgoing::Tip};
use satchel::node::SharedNode;
use satchel::wallet::{self, InboxQuery, Index, Journal, SendEvent, SendRequest, SyncStats};
use sim_process::SimProcess;

/// The GUI's page around the visible rows, and its spam threshold.
const GUI_PAGE: u64 = 120;
const SPAM_SAT: u64 = 10;
/// Tips sent for the click-send figure.
const SENDS: usize = 15;

/// The value after `--name` on the command line, or `default`.
fn arg_or(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn gui_query() -> InboxQuery {
    InboxQuery {
        min_amount: Msat::from_sat(SPAM_SAT),
        limit: GUI_PAGE,
        ..InboxQuery::default()
    }
}

/// Bare cost: receive and prost-decode every ListInvoices page (and map it
/// to domain values in the adapter), without decoding records or indexing.
/// With `mix`, also counts what the pages hold (a few map look-ups a row).
async fn bare_pages(node: &SharedNode, mut mix: Option<&mut HistoryMix>) -> (usize, Duration) {
    let start = Instant::now();
    let (mut after, mut seen) = (0, 0);
    loop {
        let page = node
            .received_page(after, wallet::PAGE_SIZE)
            .await
            .expect("ListInvoices page");
        seen += page.items.len();
        if let Some(mix) = mix.as_deref_mut() {
            mix.add(&page.items);
        }
        if (page.scanned as u64) < wallet::PAGE_SIZE || page.last_add_index <= after {
            break;
        }
        after = page.last_add_index;
    }
    (seen, start.elapsed())
}

/// A backfill, timed: its stats, the whole run, and the time until the first
/// page was stored (when the GUI can show rows).
async fn timed_backfill(node: &SharedNode, index: &Index) -> (SyncStats, Duration, Duration) {
    let start = Instant::now();
    let mut first = None;
    let stats = wallet::backfill(node, index, |_| {
        let _ = first.get_or_insert_with(|| start.elapsed());
    })
    .await
    .expect("backfill");
    let took = start.elapsed();
    (stats, took, first.unwrap_or(took))
}

/// First sync into an empty index, `runs` times (each into a new file, the
/// last one at `db`), against the best of two bare reads.
async fn first_sync(node: &SharedNode, db: &std::path::Path, entries: usize, runs: usize) {
    let mut mix = HistoryMix::default();
    let (seen, bare_1) = bare_pages(node, Some(&mut mix)).await;
    println!("{}", mix.describe());
    let (_, bare_2) = bare_pages(node, None).await;
    let bare = bare_1.min(bare_2);
    println!(
        "bare ListInvoices pages: {seen} keysends in {:.3} s (runs: {:.3} s, {:.3} s)",
        bare.as_secs_f64(),
        bare_1.as_secs_f64(),
        bare_2.as_secs_f64()
    );
    assert_eq!(seen, entries, "the sim serves every seeded keysend");
    let mut times = Vec::new();
    for run in 1..=runs {
        let path = if run == runs {
            db.to_owned()
        } else {
            db.with_extension(format!("run{run}.db"))
        };
        let index = Index::open(&path).expect("open index");
        let (stats, sync, first) = timed_backfill(node, &index).await;
        let rows = index.count(&InboxQuery::default()).expect("count");
        assert_eq!(rows, entries as u64, "every keysend is indexed");
        println!(
            "first sync into the index, run {run}/{runs}: {rows} rows in {:.3} s \
             (first page stored after {:.1} ms); ratio to bare pages {:.2}; {stats:?}",
            sync.as_secs_f64(),
            ms(first),
            sync.as_secs_f64() / bare.as_secs_f64()
        );
        times.push(sync);
    }
    let median = median_ms(&mut times) / 1e3;
    println!(
        "first sync median of {runs}: {median:.3} s (target <= 3 s; runs {:.3}-{:.3} s); \
         ratio to bare pages {:.2}",
        times[0].as_secs_f64(),
        times[times.len() - 1].as_secs_f64(),
        median / bare.as_secs_f64()
    );
}

/// What the inbox does after loading a page: check each claimed sender once.
fn verify_first_page(index: &Index, me: &NodeId) {
    let rows = index.inbox(&gui_query()).expect("first page");
    let claimed: Vec<i64> = rows
        .iter()
        .filter(|r| r.sender_pubkey.is_some())
        .map(|r| r.id)
        .collect();
    let start = Instant::now();
    let verified = claimed
        .iter()
        .filter(|id| matches!(index.verify(**id, me), Ok(Sender::Verified { .. })))
        .count();
    let took = start.elapsed();
    println!(
        "lazy verification of the first page: {} claimed senders ({verified} verified) \
         in {:.1} ms ({:.0} µs each, read + verify + cache write)",
        claimed.len(),
        ms(took),
        took.as_secs_f64() * 1e6 / claimed.len().max(1) as f64
    );
}

/// What `inbox --json --limit all` does: check every sender, a page of
/// 1,000 at a time, on every core (`Index::verify_many`), each outcome cached.
fn verify_everything(index: &Index, me: &NodeId) {
    let start = Instant::now();
    let (mut offset, mut checked) = (0, 0);
    loop {
        let query = InboxQuery {
            offset,
            limit: 1_000,
            ..InboxQuery::default()
        };
        let ids: Vec<i64> = index
            .inbox(&query)
            .expect("page")
            .iter()
            .map(|r| r.id)
            .collect();
        if ids.is_empty() {
            break;
        }
        checked += index.verify_many(&ids, me).expect("verify");
        offset += ids.len() as u64;
    }
    let took = start.elapsed();
    println!(
        "every sender checked on {} cores: {checked} of {offset} rows in {:.2} s \
         ({:.0} µs per check, read + verify + cache write)",
        std::thread::available_parallelism().map_or(1, usize::from),
        took.as_secs_f64(),
        took.as_secs_f64() * 1e6 / checked.max(1) as f64
    );
}

/// Reopen the index and load what the inbox shows first (as `Inbox::reload`
/// and the session's unread count do), timing each step.
fn restart_to_first_page(db: &std::path::Path) -> Index {
    let start = Instant::now();
    let index = Index::open(db).expect("reopen index");
    let opened = start.elapsed();
    let query = gui_query();
    let total = index.count(&query).expect("count");
    let counted = start.elapsed();
    let page = index.inbox(&query).expect("first page");
    let paged = start.elapsed();
    let podcasts = index.podcasts(50).expect("podcasts");
    let unread = index
        .unread_count(Msat::from_sat(SPAM_SAT))
        .expect("unread");
    let done = start.elapsed();
    println!(
        "restart to inbox shown: {} of {total} rows, {} podcasts, {unread} unread in {:.1} ms \
         (target <= 1 s): open {:.1} ms, count {:.1} ms, page {:.1} ms, podcasts + unread {:.1} ms",
        page.len(),
        podcasts.len(),
        ms(done),
        ms(opened),
        ms(counted - opened),
        ms(paged - counted),
        ms(done - paged)
    );
    index
}

/// Click-send: from calling the wallet send flow with a prepared keysend
/// (journal writes included) to its first events.
async fn click_send(node: &SharedNode, journal: &Journal, to: NodeId) {
    let info = node.info().await.expect("info");
    let (mut started, mut first_update, mut prepared) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..SENDS {
        let request = SendRequest {
            intent_id: format!("bench-{i}"),
            destination: to,
            amount: Msat::from_sat(10),
            tip: Tip {
                message: Some(format!("bench tip {i}")),
                ..Tip::default()
            },
            sign: true,
            fee_limit: Msat::from_sat(5),
        };
        let t = Instant::now();
        let keysend = wallet::prepare(node, &info, request, None)
            .await
            .expect("prepare");
        prepared.push(t.elapsed());
        let click = Instant::now();
        let mut events = Box::pin(wallet::send(
            node.clone(),
            journal.clone(),
            format!("bench-{i}"),
            keysend,
        ));
        let mut finished = false;
        while let Some(event) = events.next().await {
            match event {
                SendEvent::Started { .. } => started.push(click.elapsed()),
                SendEvent::Progress(_) if first_update.len() <= i => {
                    first_update.push(click.elapsed());
                }
                SendEvent::Finished(update) => {
                    if first_update.len() <= i {
                        first_update.push(click.elapsed());
                    }
                    finished = update.status.is_final();
                    break;
                }
                SendEvent::Error(error) => panic!("send failed: {error}"),
                _ => {}
            }
        }
        assert!(finished, "the payment reached a final state");
    }
    println!(
        "click-send ({SENDS} tips): prepare (sign + fee estimate, excluded) median {:.2} ms; \
         send() to Started (journal begin + dispatched, fsync'd) median {:.2} ms; \
         to the node's first SendPaymentV2 update median {:.2} ms, max {:.2} ms (target <= 5 ms)",
        median_ms(&mut prepared),
        median_ms(&mut started),
        median_ms(&mut first_update),
        first_update.iter().map(|d| ms(*d)).fold(0.0, f64::max)
    );
}

fn median_ms(values: &mut [Duration]) -> f64 {
    values.sort();
    values.get(values.len() / 2).map_or(f64::NAN, |d| ms(*d))
}

/// The complete listing's work on an empty profile: a first sync that
/// checks every new sender as it stores it (`wallet::backfill_checking`, as
/// `inbox --limit all` does). The file is removed afterwards.
async fn sync_and_check(node: &SharedNode, db: &std::path::Path, me: NodeId) {
    let index = Index::open(db).expect("open index");
    let started = Instant::now();
    let stats = wallet::backfill_checking(node, &index, me, |_| {})
        .await
        .expect("backfill");
    println!(
        "first sync with every sender checked as it is stored: {} rows in {:.3} s",
        stats.received_new,
        started.elapsed().as_secs_f64(),
    );
    drop(index);
    for end in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{end}", db.display()));
    }
}

#[tokio::main]
async fn main() {
    satchel::install_crypto_provider();
    let entries = arg_or("--entries", 100_000);
    let runs = arg_or("--sync-runs", 3).max(1);
    let work = tempfile::tempdir().expect("tempdir");
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_satchel"));
    let sim = SimProcess::start(binary, &work.path().join("sim"), entries);
    let node = sim.connect().await;
    let me = node.info().await.expect("info").id;
    println!(
        "sim seeded with {entries} keysends, up in {:.2} s",
        sim.startup.as_secs_f64()
    );
    println!(
        "resident memory before sync: {:.1} MB",
        support::resident_mb()
    );

    let db = work.path().join("index.db");
    first_sync(&node, &db, entries, runs).await;
    let index = Index::open(&db).expect("open index");
    println!(
        "resident memory after first sync of {entries}: {:.1} MB (peak {:.1} MB; target <= 150 MB)",
        support::resident_mb(),
        support::peak_resident_mb()
    );
    verify_first_page(&index, &me);
    verify_everything(&index, &me);
    drop(index);
    sync_and_check(&node, &work.path().join("checked.db"), me).await;

    let index = restart_to_first_page(&db);
    let (stats, took, _) = timed_backfill(&node, &index).await;
    println!(
        "incremental sync from the stored cursors, nothing new: {:.1} ms; {stats:?}",
        ms(took)
    );

    let journal = Journal::open(&work.path().join("journal.db")).expect("journal");
    click_send(&node, &journal, sim.keysend_peer()).await;
    println!(
        "resident memory at the end: {:.1} MB",
        support::resident_mb()
    );
}
