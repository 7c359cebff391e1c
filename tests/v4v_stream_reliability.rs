//! `satchel stream` killed with SIGKILL during a stream (a minute just
//! accrued) and during a batch (legs written, or one handed to the node):
//! run again, it carries on with the same stream; no content minute is
//! accrued or paid twice, legs the node has are followed by hash (never
//! resent), and the ledger holds: accrued = paid + owed, paid = what the
//! node paid.

mod reliability_support;

use std::collections::BTreeSet;
use std::time::Duration;

use reliability_support::child::{self, Run};
use reliability_support::*;
use satchel::fault::AFTER_DISPATCH;
use satchel::node::PaymentStatus;
use satchel::store::Paths;
use satchel::wallet::stream::{BATCH_PLANNED, MINUTE_ACCRUED};
use satchel::wallet::stream_store::{LegState, StreamState, StreamStore};

const LATENCY: Duration = Duration::from_millis(100);
const FEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo-feed.xml");
/// One stream minute in 100 ms.
const SCALE: &str = "600";

fn stream_command(bench: &Bench) -> std::process::Command {
    bench.cli().with_env("SATCHEL_TIME_SCALE", SCALE).node(&[
        "stream",
        FEED,
        "--rate",
        "10",
        "--minutes",
        "10",
        "--json",
    ])
}

async fn kill_at(bench: &Bench, point: &'static str) {
    let command = stream_command(bench);
    let paused = blocking(move || child::start_paused(command, point)).await;
    let paused = paused.unwrap_or_else(|run| panic!("never paused at {point}:\n{}", run.output()));
    let status = blocking(move || paused.kill()).await;
    assert_eq!(status.code(), None, "killed by a signal");
}

async fn run_again(bench: &Bench) -> Run {
    let command = stream_command(bench);
    let run = blocking(move || child::run(command)).await;
    assert_eq!(run.code(), Some(0), "{}", run.output());
    run
}

fn store(bench: &Bench) -> StreamStore {
    StreamStore::open(&Paths::at(bench.home()).node_data_dir(&bench.sim().user_node())).unwrap()
}

/// One stream, stopped after its 10 minutes, each accrued once; what the
/// ledger says is paid is what the node paid, once per hash.
async fn assert_ledger_matches_the_node(bench: &Bench) {
    let store = store(bench);
    let streams = store.recent(10).unwrap();
    assert_eq!(
        streams.len(),
        1,
        "the second run carried on with the same stream"
    );
    let stream = &streams[0];
    assert_eq!(stream.state, StreamState::Stopped);
    assert_eq!(stream.content_ms, 10 * 60_000);
    assert!(store.check_invariant().unwrap().is_empty());
    let ledger = store.ledger(&stream.id).unwrap();
    let accrued: u64 = ledger.iter().map(|r| r.accrued.0).sum();
    assert_eq!(accrued, 100_000, "10 minutes of 10 sats, each minute once");
    let node = bench.connect().await;
    let payments = node_payments(&node).await;
    let hashes: BTreeSet<_> = payments.iter().map(|p| p.hash).collect();
    assert_eq!(hashes.len(), payments.len(), "one payment per hash");
    let paid_by_node: u64 = payments
        .iter()
        .filter(|p| matches!(p.status, PaymentStatus::Succeeded { .. }))
        .map(|p| p.amount.0)
        .sum();
    let paid_by_ledger: u64 = ledger.iter().map(|r| r.paid.0).sum();
    assert_eq!(paid_by_ledger, paid_by_node);
    for row in &ledger {
        assert!(row.owed().0 < 1_000, "{} owes {}", row.name, row.owed());
    }
    let legs = store.legs_of(&stream.id).unwrap();
    assert!(
        legs.iter()
            .all(|l| matches!(l.state, LegState::Succeeded | LegState::Failed)),
        "{legs:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_streaming_no_minute_accrues_twice() {
    let bench = Bench::start(LATENCY).await;
    kill_at(&bench, MINUTE_ACCRUED).await;
    let minutes = store(&bench).recent(1).unwrap()[0].content_ms / 60_000;
    assert!(minutes >= 1, "the killed run accrued a minute");
    let run = run_again(&bench).await;
    assert!(
        run.stderr.contains("Carrying on with stream"),
        "{}",
        run.output()
    );
    assert_ledger_matches_the_node(&bench).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_with_a_batch_written_its_legs_are_owed_again_not_lost() {
    let bench = Bench::start(LATENCY).await;
    kill_at(&bench, BATCH_PLANNED).await;
    let store_now = store(&bench);
    let id = store_now.recent(1).unwrap()[0].id.clone();
    let planned = store_now.legs_of(&id).unwrap();
    assert!(!planned.is_empty());
    assert!(planned.iter().all(|l| l.state == LegState::Planned));
    assert!(
        bench.journal().unfinished().unwrap().is_empty(),
        "nothing sent"
    );
    let _ = run_again(&bench).await;
    assert_ledger_matches_the_node(&bench).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_with_a_leg_at_the_node_it_is_followed_not_resent() {
    let bench = Bench::start(LATENCY).await;
    kill_at(&bench, AFTER_DISPATCH).await;
    assert!(
        !bench.journal().unfinished().unwrap().is_empty(),
        "a leg is at the node"
    );
    let _ = run_again(&bench).await;
    assert_ledger_matches_the_node(&bench).await;
}
