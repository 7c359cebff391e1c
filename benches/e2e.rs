//! End-to-end figures against a simulated node seeded with 100,000 received
//! keysends, served over TLS gRPC by a separate `satchel sim` process (so
//! this process's memory is the app's, not the simulator's): first sync vs
//! bare ListInvoices pages, lazy verification of the first page, restart to
//! the first page, incremental sync, resident memory, and click-send to the
//! node's first SendPaymentV2 update.
//!
//! Run: `cargo bench --bench e2e` (`-- --entries N` for another size).
//! Prints each figure; BENCHMARKS.md records them against the targets.

#[path = "support/sim_process.rs"]
mod sim_process;
mod support;

use std::time::{Duration, Instant};

use futures::StreamExt;
use satchel::keysend::{Msat, NodeId, Sender, outgoing::Tip};
use satchel::node::SharedNode;
use satchel::wallet::{self, InboxQuery, Index, Journal, SendEvent, SendRequest, SyncStats};
use sim_process::SimProcess;

/// The GUI's page around the visible rows, and its spam threshold.
const GUI_PAGE: u64 = 120;
const SPAM_SAT: u64 = 10;
/// Tips sent for the click-send figure.
const SENDS: usize = 15;

fn entries_arg() -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--entries")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000)
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
async fn bare_pages(node: &SharedNode) -> (usize, Duration) {
    let start = Instant::now();
    let (mut after, mut seen) = (0, 0);
    loop {
        let page = node
            .received_page(after, wallet::PAGE_SIZE)
            .await
            .expect("ListInvoices page");
        seen += page.items.len();
        if (page.scanned as u64) < wallet::PAGE_SIZE || page.last_add_index <= after {
            break;
        }
        after = page.last_add_index;
    }
    (seen, start.elapsed())
}

async fn timed_backfill(node: &SharedNode, index: &Index) -> (SyncStats, Duration) {
    let start = Instant::now();
    let stats = wallet::backfill(node, index, |_| {})
        .await
        .expect("backfill");
    (stats, start.elapsed())
}

/// First sync into an empty index, against the best of two bare reads.
async fn first_sync(node: &SharedNode, index: &Index, entries: usize) {
    let (seen, bare_1) = bare_pages(node).await;
    let (_, bare_2) = bare_pages(node).await;
    let bare = bare_1.min(bare_2);
    println!(
        "bare ListInvoices pages: {seen} keysends in {:.3} s (runs: {:.3} s, {:.3} s)",
        bare.as_secs_f64(),
        bare_1.as_secs_f64(),
        bare_2.as_secs_f64()
    );
    assert_eq!(seen, entries, "the sim serves every seeded keysend");
    let (stats, sync) = timed_backfill(node, index).await;
    let rows = index.count(&InboxQuery::default()).expect("count");
    assert_eq!(rows, entries as u64, "every keysend is indexed");
    println!(
        "first sync into the index: {rows} rows in {:.3} s (target <= 3 s); \
         ratio to bare pages {:.2}; {stats:?}",
        sync.as_secs_f64(),
        sync.as_secs_f64() / bare.as_secs_f64()
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

#[tokio::main]
async fn main() {
    satchel::install_crypto_provider();
    let entries = entries_arg();
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
    let index = Index::open(&db).expect("open index");
    first_sync(&node, &index, entries).await;
    println!(
        "resident memory after first sync of {entries}: {:.1} MB (peak {:.1} MB; target <= 150 MB)",
        support::resident_mb(),
        support::peak_resident_mb()
    );
    verify_first_page(&index, &me);
    drop(index);

    let index = restart_to_first_page(&db);
    let (stats, took) = timed_backfill(&node, &index).await;
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
