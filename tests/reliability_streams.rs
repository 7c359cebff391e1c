//! Guarantee 2, streams that heal: 1,000 keysends from several nodes reach
//! the user's node while the connection is cut and restored again and again
//! and the simulator itself is restarted on the same port. The wallet's live
//! follow stream (reconnect with back-off, catch up from the stored
//! settle-index cursor) must end with exactly 1,000 index entries: none
//! missing, none twice. Loopback only, bounded in time.

mod reliability_support;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use reliability_support::*;
use satchel::keysend::{Msat, PaymentHash, Records, record};
use satchel::wallet::{FollowEvent, InboxQuery, Index};

/// Keysends sent in all.
const TOTAL: usize = 1_000;
/// Rounds of sends; a fault is injected in every round.
const ROUNDS: usize = 10;
/// Keysends in flight at once.
const PARALLEL: usize = 25;
/// The nodes that pay us (all public and keysend-capable).
const SENDERS: [&str; 5] = ["alice", "bob", "carol", "dave", "grace"];
/// The whole test must finish within this.
const LIMIT: Duration = Duration::from_secs(150);

/// What the follow stream reported, shared with the test.
#[derive(Default)]
struct Seen {
    received: HashMap<PaymentHash, usize>,
    connected: usize,
    reconnecting: usize,
    stopped: Option<String>,
    /// Timeline of everything but single receipts, for failure messages.
    log: Vec<String>,
}

/// Follow the node in a task, tallying every event.
fn follow_in_background(
    node: satchel::node::SharedNode,
    index: Index,
    started: Instant,
) -> Arc<Mutex<Seen>> {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let tally = seen.clone();
    drop(tokio::spawn(async move {
        let mut events = Box::pin(satchel::wallet::follow(node, index));
        while let Some(event) = events.next().await {
            let mut seen = tally
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if !matches!(event, FollowEvent::Received(_)) {
                let line = format!(
                    "{:.2}s {event:?} after {} received",
                    started.elapsed().as_secs_f64(),
                    seen.received.len()
                );
                seen.log.push(line);
            }
            match event {
                FollowEvent::Received(row) => *seen.received.entry(row.hash).or_default() += 1,
                FollowEvent::Connected => seen.connected += 1,
                FollowEvent::Reconnecting { .. } => seen.reconnecting += 1,
                FollowEvent::Offline(e) => seen.stopped = Some(format!("offline: {e}")),
                FollowEvent::IndexFailed(e) => seen.stopped = Some(format!("index: {e}")),
            }
        }
    }));
    seen
}

/// Add a line to the timeline.
fn note(seen: &Mutex<Seen>, started: Instant, what: &str) {
    let mut seen = seen.lock().unwrap();
    let line = format!(
        "{:.2}s test: {what} after {} received",
        started.elapsed().as_secs_f64(),
        seen.received.len()
    );
    seen.log.push(line);
}

/// Wait until the follow stream has (re)connected `times` times.
async fn connected(seen: &Arc<Mutex<Seen>>, times: usize) {
    eventually(|| {
        let seen = seen.clone();
        async move { seen.lock().unwrap().connected >= times }
    })
    .await;
}

/// Wait until the follow stream has reported `count` keysends.
async fn received(seen: &Arc<Mutex<Seen>>, count: usize) {
    eventually(|| {
        let seen = seen.clone();
        async move { seen.lock().unwrap().received.len() >= count }
    })
    .await;
}

/// Send keysends `range` to the user's node from the senders, in parallel.
async fn send_round(bench: &Bench, range: std::ops::Range<usize>) -> Vec<PaymentHash> {
    let sim = bench.sim();
    let sends = range.map(|n| {
        let mut records = Records::new();
        let _ = records.insert(record::MESSAGE, format!("keysend {n}").into_bytes());
        sim.inject_keysend(SENDERS[n % SENDERS.len()], Msat::from_sat(10), records)
    });
    let results: Vec<_> = futures::stream::iter(sends)
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    results
        .into_iter()
        .map(|r| r.expect("the simulated keysend succeeds"))
        .collect()
}

/// Every hash in the index, and how many rows it has.
fn index_rows(index: &Index) -> Vec<PaymentHash> {
    let query = InboxQuery {
        limit: 10 * TOTAL as u64,
        ..InboxQuery::default()
    };
    index
        .inbox(&query)
        .expect("the index reads")
        .into_iter()
        .map(|row| row.hash)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_keysends_through_cuts_and_a_restart_are_indexed_exactly_once() {
    let started = Instant::now();
    let mut bench = Bench::start(Duration::from_millis(2)).await;
    let node = bench.connect().await;
    let index = Index::open(&bench.index_path()).expect("index opens");
    let seen = follow_in_background(node, index.clone(), started);
    connected(&seen, 1).await;
    let per_round = TOTAL / ROUNDS;
    let mut sent = Vec::with_capacity(TOTAL);
    let (mut cuts, mut restarts) = (0, 0);
    for round in 0..ROUNDS {
        let range = round * per_round..(round + 1) * per_round;
        let connections = seen.lock().unwrap().connected;
        match (round + 1) % 3 {
            // Cut for the whole round: everything arrives while offline.
            0 => {
                note(&seen, started, "cut");
                bench.sim().set_connections_enabled(false);
                sent.extend(send_round(&bench, range).await);
                tokio::time::sleep(Duration::from_millis(300)).await;
                bench.sim().set_connections_enabled(true);
                note(&seen, started, "restored");
                cuts += 1;
            }
            // Cut in the middle of the round.
            1 => {
                let half = range.start + per_round / 2;
                sent.extend(send_round(&bench, range.start..half).await);
                if round == 0 {
                    // A first keysend stored, so the cursor is past 0 (see
                    // `a_cut_before_the_first_keysend_is_caught_up`).
                    received(&seen, 1).await;
                }
                note(&seen, started, "cut");
                bench.sim().set_connections_enabled(false);
                sent.extend(send_round(&bench, half..range.end).await);
                bench.sim().set_connections_enabled(true);
                note(&seen, started, "restored");
                cuts += 1;
            }
            // Restart the node after the round.
            _ => {
                sent.extend(send_round(&bench, range).await);
                note(&seen, started, "restart");
                bench.restart_sim().await;
                note(&seen, started, "restarted");
                restarts += 1;
            }
        }
        // The next fault hits a stream that is up again.
        connected(&seen, connections + 1).await;
    }
    let expected: BTreeSet<PaymentHash> = sent.iter().copied().collect();
    assert_eq!(expected.len(), TOTAL, "the simulator made {TOTAL} keysends");

    let deadline = started + LIMIT;
    loop {
        let count = seen.lock().unwrap().received.len();
        let stopped = seen.lock().unwrap().stopped.clone();
        assert!(stopped.is_none(), "the follow stream stopped: {stopped:?}");
        if count >= TOTAL || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let late duplicates (if any) show up before counting.
    tokio::time::sleep(Duration::from_secs(1)).await;

    let rows = index_rows(&index);
    let stored: BTreeSet<PaymentHash> = rows.iter().copied().collect();
    let missing = expected.difference(&stored).count();
    let extra = stored.difference(&expected).count();
    let seen = seen
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    println!("follow timeline:\n{}", seen.log.join("\n"));
    let reported_twice = seen.received.values().filter(|n| **n > 1).count();
    println!(
        "streams: {TOTAL} keysends, {cuts} cuts, {restarts} restarts, {} reconnects, \
         {} rows, {missing} missing, {} duplicate rows, {reported_twice} reported twice, {:.1} s",
        seen.reconnecting,
        rows.len(),
        rows.len() - stored.len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(missing, 0, "keysends missing from the index");
    assert_eq!(extra, 0, "rows the node never sent");
    assert_eq!(rows.len(), TOTAL, "no keysend stored twice");
    assert_eq!(seen.received.len(), TOTAL, "each one reported");
    assert_eq!(reported_twice, 0, "none reported twice");
    assert!(
        seen.reconnecting >= cuts + restarts,
        "every fault was felt: {} reconnects for {} faults",
        seen.reconnecting,
        cuts + restarts
    );
    assert!(started.elapsed() < LIMIT, "bounded in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keysends_arrive_live_without_faults() {
    let bench = Bench::start(Duration::from_millis(2)).await;
    let node = bench.connect().await;
    let index = Index::open(&bench.index_path()).expect("index opens");
    let seen = follow_in_background(node, index.clone(), Instant::now());
    connected(&seen, 1).await;
    let sent = send_round(&bench, 0..20).await;
    received(&seen, 20).await;
    let stored: BTreeSet<PaymentHash> = index_rows(&index).into_iter().collect();
    assert_eq!(stored, sent.into_iter().collect());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_before_the_first_keysend_is_caught_up() {
    let bench = Bench::start(Duration::from_millis(2)).await;
    let node = bench.connect().await;
    let index = Index::open(&bench.index_path()).expect("index opens");
    let started = Instant::now();
    let seen = follow_in_background(node, index.clone(), started);
    connected(&seen, 1).await;
    bench.sim().set_connections_enabled(false);
    let sent = send_round(&bench, 0..10).await;
    bench.sim().set_connections_enabled(true);
    connected(&seen, 2).await;
    // Give the catch-up a fair while, then compare.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let stored: BTreeSet<PaymentHash> = index_rows(&index).into_iter().collect();
    let missing = sent.iter().filter(|h| !stored.contains(h)).count();
    assert_eq!(
        missing,
        0,
        "keysends settled during the first cut (stored settle-index cursor 0) were never \
         caught up; timeline:\n{}",
        seen.lock().unwrap().log.join("\n")
    );
}
