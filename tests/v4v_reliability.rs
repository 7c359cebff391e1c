//! A boost killed with SIGKILL half way: the boost record is on disk before
//! any leg goes out; on restart `boost --retry` follows the legs the node
//! has, sends the missing ones under the same boost id, and nothing is paid
//! twice.

mod reliability_support;

use std::collections::BTreeMap;
use std::time::Duration;

use reliability_support::child::{self, Run};
use reliability_support::*;
use satchel::fault::AFTER_DISPATCH;
use satchel::keysend::NodeId;
use satchel::node::{PaymentStatus, SharedNode};
use satchel::wallet::boost::BOOST_RECORDED;
use satchel::wallet::boost_store::{BoostStore, LegState};

const LATENCY: Duration = Duration::from_millis(200);
const FEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo-feed.xml");

/// Start `satchel boost` of the demo feed's latest episode paused at
/// `point`, kill it there; the id of the boost it recorded.
async fn kill_boost_at(bench: &Bench, point: &'static str) -> String {
    let command = bench
        .cli()
        .node(&["boost", FEED, "100", "--latest", "--yes"]);
    let paused = blocking(move || child::start_paused(command, point)).await;
    let paused = paused.unwrap_or_else(|run| panic!("never paused at {point}:\n{}", run.output()));
    let status = blocking(move || paused.kill()).await;
    assert_eq!(status.code(), None, "killed by a signal");
    let store = boosts(bench);
    let unfinished = store.unfinished().unwrap();
    let [id] = unfinished.as_slice() else {
        panic!("expected one unfinished boost, got {unfinished:?}");
    };
    id.clone()
}

/// The node's boost records (the CLI keeps them in the node's data folder).
fn boosts(bench: &Bench) -> BoostStore {
    BoostStore::open_only_node(&satchel::store::Paths::at(bench.home()))
        .expect("the node that boosted has its boost records")
}

async fn retry(bench: &Bench, id: &str) -> Run {
    let command = bench
        .cli()
        .node(&["boost", "--retry", id, "--yes", "--json"]);
    blocking(move || child::run(command)).await
}

/// Succeeded payments per destination, and how many payments per hash.
async fn paid(node: &SharedNode) -> (BTreeMap<NodeId, Vec<u64>>, usize) {
    let payments = node_payments(node).await;
    let mut by_node: BTreeMap<NodeId, Vec<u64>> = BTreeMap::new();
    for p in payments
        .iter()
        .filter(|p| matches!(p.status, PaymentStatus::Succeeded { .. }))
    {
        by_node
            .entry(p.destination.unwrap())
            .or_default()
            .push(p.amount.sats());
    }
    let hashes: std::collections::BTreeSet<_> = payments.iter().map(|p| p.hash).collect();
    assert_eq!(hashes.len(), payments.len(), "one payment per hash");
    (by_node, payments.len())
}

/// Every leg of the boost paid exactly once, by the node's own account.
async fn assert_each_leg_paid_once(bench: &Bench, node: &SharedNode, id: &str) {
    let record = boosts(bench).get(id).unwrap();
    assert!(record.complete(), "{record:#?}");
    let (by_node, _) = paid(node).await;
    assert_eq!(by_node.len(), record.legs.len());
    for leg in &record.legs {
        assert_eq!(
            by_node[&leg.leg.node],
            [leg.leg.amount.sats()],
            "{} paid once",
            leg.leg.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_recording_the_missing_legs_are_sent_with_the_same_boost_id() {
    let bench = Bench::start(LATENCY).await;
    let node = bench.connect().await;
    let id = kill_boost_at(&bench, BOOST_RECORDED).await;
    let record = boosts(&bench).get(&id).unwrap();
    assert!(
        record.legs.iter().all(|l| l.state == LegState::Planned),
        "{record:#?}"
    );
    assert_eq!(node_payments(&node).await.len(), 0, "no leg went out");
    assert!(
        bench.journal().unfinished().unwrap().is_empty(),
        "nothing journaled"
    );

    let run = retry(&bench, &id).await;
    assert_eq!(run.code(), Some(0), "{}", run.output());
    assert!(
        run.stdout.contains(&id) && run.stderr.contains("never went out: send it now"),
        "{}",
        run.output()
    );
    assert_each_leg_paid_once(&bench, &node, &id).await;

    // Again: nothing to send, nothing paid.
    let before = paid(&node).await;
    let run = retry(&bench, &id).await;
    assert_eq!(run.code(), Some(0), "{}", run.output());
    assert_eq!(paid(&node).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_dispatch_the_dispatched_legs_are_followed_not_resent() {
    let bench = Bench::start(LATENCY).await;
    let node = bench.connect().await;
    let id = kill_boost_at(&bench, AFTER_DISPATCH).await;
    let journaled = bench.journal().unfinished().unwrap().len();
    assert!(journaled >= 1, "at least the paused leg is journaled");
    // Let the node finish what it was given.
    tokio::time::sleep(LATENCY * 3).await;

    let run = retry(&bench, &id).await;
    assert_eq!(run.code(), Some(0), "{}", run.output());
    assert_each_leg_paid_once(&bench, &node, &id).await;
    let before = paid(&node).await;
    let run = retry(&bench, &id).await;
    assert_eq!(run.code(), Some(0), "{}", run.output());
    assert_eq!(paid(&node).await, before, "a second retry pays nothing");
}
