//! Issue 17, money first: an AMP send and a rebalance are journaled like a
//! keysend. The `satchel` binary is killed (SIGKILL) right after it hands
//! one to the node; a restart finds the payment by its hash (the AMP set id
//! LND drew, the rebalance's own hash), never sends it again, and the
//! journal ends as the node says. An AMP payment whose set id never reached
//! the journal is found by the payment address Satchel drew.

mod reliability_support;

use std::time::Duration;

use reliability_support::child::{self, Run};
use reliability_support::*;
use satchel::fault::{AFTER_DISPATCH, BEFORE_DISPATCH};
use satchel::keysend::{Msat, PaymentHash, Preimage, Records};
use satchel::node::routing::Routing;
use satchel::node::{OutgoingKeysend, SharedNode};
use satchel::wallet::{self, JournalEntry, JournalState, Reconciled};

const LATENCY: Duration = Duration::from_millis(200);

/// Start `command` paused at `point`, kill it there, and return the one
/// journal entry it left behind.
async fn kill_at(
    bench: &Bench,
    command: std::process::Command,
    point: &'static str,
) -> JournalEntry {
    let paused = blocking(move || child::start_paused(command, point)).await;
    let paused = paused.unwrap_or_else(|run| panic!("never paused at {point}:\n{}", run.output()));
    let status = blocking(move || paused.kill()).await;
    assert_eq!(status.code(), None, "killed by a signal");
    let unfinished = bench.journal().unfinished().expect("journal readable");
    let [entry] = unfinished.as_slice() else {
        panic!("expected one unfinished journal entry, got {unfinished:?}");
    };
    entry.clone()
}

/// `satchel sent --json` (it reconciles the journal first) until the
/// payment `hash` shows as succeeded; its rows for `hash`.
async fn shown_succeeded(bench: &Bench, hash: PaymentHash) -> Vec<serde_json::Value> {
    within(async {
        loop {
            let command = bench.cli().node(&["sent", "--json"]);
            let run: Run = blocking(move || child::run(command)).await;
            assert_eq!(run.code(), Some(0), "{}", run.output());
            let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
            let shown: Vec<_> = rows
                .into_iter()
                .filter(|r| r["hash"] == hash.to_hex().as_str())
                .collect();
            if shown.len() != 1 || shown[0]["status"] == "succeeded" {
                return shown;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
}

/// Check the journal agrees with the node: one payment, succeeded, the
/// fee the node reports, nothing else sent.
async fn assert_once(bench: &Bench, node: &SharedNode, entry: &JournalEntry, hash: PaymentHash) {
    let rows = shown_succeeded(bench, hash).await;
    assert_eq!(rows.len(), 1, "shown once: {rows:?}");
    let stored = bench.journal().get(&entry.intent_id).unwrap().unwrap();
    assert_eq!(stored.state, JournalState::Succeeded, "{stored:?}");
    assert_eq!(stored.hash(), hash, "found by its hash");
    let payments = node_payments(node).await;
    assert_eq!(payments.len(), 1, "exactly one payment: {payments:?}");
    assert_eq!(payments[0].hash, hash);
    assert_eq!(
        stored.fee,
        Some(payments[0].fee),
        "the journal's fee is the node's"
    );
    assert!(bench.journal().unfinished().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amp_send_killed_after_dispatch_is_found_by_its_set_id_and_not_resent() {
    let bench = Bench::start(LATENCY).await;
    let node = bench.connect().await;
    let oscar = bench.sim().node_id("oscar").unwrap().to_hex();
    let command = bench.cli().node(&[
        "send",
        &oscar,
        "2500000",
        "--message",
        "big",
        "--fee-limit",
        "5000",
        "--amp",
        "--yes",
    ]);
    let entry = kill_at(&bench, command, AFTER_DISPATCH).await;
    assert!(entry.keysend.is_amp(), "journaled as AMP: {entry:?}");
    assert!(
        !entry.keysend.awaits_set_id(),
        "the set id LND drew was written from its first answer"
    );
    let set_id = entry.hash();
    assert_eq!(
        payments_with(&node, set_id).await,
        1,
        "the node knows it by that id"
    );
    assert_once(&bench, &node, &entry, set_id).await;
    // A resend of the finished entry is refused; still one payment.
    let stored = bench.journal().get(&entry.intent_id).unwrap().unwrap();
    let again: Vec<_> = within(futures::StreamExt::collect(wallet::resend_same(
        node.clone(),
        bench.journal(),
        stored,
    )))
    .await;
    assert!(
        matches!(
            again.as_slice(),
            [wallet::SendEvent::Error(
                wallet::SendError::NotResendable { .. }
            )]
        ),
        "{again:?}"
    );
    assert_eq!(node_payments(&node).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amp_payment_whose_set_id_never_reached_the_journal_is_found_by_its_address() {
    let bench = Bench::start(LATENCY).await;
    let node = bench.connect().await;
    let journal = bench.journal();
    let oscar = bench.sim().node_id("oscar").unwrap();
    let keysend = OutgoingKeysend {
        destination: oscar,
        amount: Msat::from_sat(2_500_000),
        preimage: Preimage::random(),
        records: Records::new(),
        fee_limit: Msat::from_sat(5_000),
        timeout: Duration::from_secs(60),
    }
    .with_routing(Routing {
        amp: true,
        ..Routing::default()
    });
    // Written down, sent, and the process gone before the node answered.
    let entry = journal.begin("amp-1", &keysend).unwrap();
    let placeholder = entry.hash();
    let sent = within(final_update(node.send(keysend))).await;
    assert_ne!(
        sent.hash, placeholder,
        "LND names it by a set id of its own"
    );
    assert_eq!(payments_with(&node, placeholder).await, 0);

    let found = within(wallet::reconcile(&node, &journal)).await.unwrap();
    let [Reconciled::Succeeded(settled)] = found.as_slice() else {
        panic!("found and recorded: {found:?}");
    };
    assert_eq!(settled.hash(), sent.hash, "found by its payment address");
    assert_eq!(settled.fee, Some(sent.fee));
    assert_eq!(node_payments(&node).await.len(), 1, "never sent again");
}

/// The last update of a payment stream (its final state).
async fn final_update(
    stream: satchel::node::NodeStream<satchel::node::PaymentUpdate>,
) -> satchel::node::PaymentUpdate {
    let updates: Vec<_> = futures::StreamExt::collect(stream).await;
    updates
        .into_iter()
        .last()
        .expect("an update")
        .expect("no error")
}

/// `satchel rebalance` out through the channel with bob, back in through
/// alice, 100,000 sat at most 1,000 ppm.
async fn rebalance_command(bench: &Bench, node: &SharedNode) -> std::process::Command {
    let peers = within(node.peers()).await.unwrap();
    let bob = bench.sim().node_id("bob").unwrap();
    let alice = bench.sim().node_id("alice").unwrap().to_hex();
    let out = peers
        .iter()
        .find(|p| p.id == bob)
        .unwrap()
        .chan_id
        .to_string();
    bench.cli().node(&[
        "rebalance",
        "--out",
        &out,
        "--in",
        &alice,
        "100000",
        "--max-fee-ppm",
        "1000",
        "--yes",
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebalance_killed_after_dispatch_is_found_by_hash_and_not_resent() {
    let bench = Bench::start(LATENCY).await;
    let node = bench.connect().await;
    let command = rebalance_command(&bench, &node).await;
    let entry = kill_at(&bench, command, AFTER_DISPATCH).await;
    assert!(wallet::rebalance::is_rebalance(&entry), "{entry:?}");
    let hash = entry.hash();
    assert_eq!(hash, entry.keysend.preimage.hash(), "our own hash");
    assert_once(&bench, &node, &entry, hash).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebalance_killed_before_dispatch_moves_nothing_and_is_not_doubled_by_a_rerun() {
    let bench = Bench::start(LATENCY).await;
    let node = bench.connect().await;
    let command = rebalance_command(&bench, &node).await;
    let entry = kill_at(&bench, command, BEFORE_DISPATCH).await;
    assert_eq!(node_payments(&node).await.len(), 0, "the node saw nothing");
    // Running it again: reconcile finds the first one never sent, and the
    // rerun refuses rather than leave two rebalances to pay.
    let command = rebalance_command(&bench, &node).await;
    let rerun = blocking(move || child::run(command)).await;
    assert_ne!(rerun.code(), Some(0), "{}", rerun.output());
    assert!(
        rerun.stderr.contains("could move the liquidity twice"),
        "{}",
        rerun.output()
    );
    let stored = bench.journal().get(&entry.intent_id).unwrap().unwrap();
    assert_eq!(stored.state, JournalState::NotSent);
    assert_eq!(
        node_payments(&node).await.len(),
        0,
        "nothing sent by the rerun"
    );
    // Sent on the user's word, with its route: exactly once.
    let events: Vec<_> = within(futures::StreamExt::collect(wallet::resend_same(
        node.clone(),
        bench.journal(),
        stored,
    )))
    .await;
    assert!(
        matches!(events.last(), Some(wallet::SendEvent::Finished(u)) if matches!(u.status, satchel::node::PaymentStatus::Succeeded { .. })),
        "{events:?}"
    );
    assert_once(&bench, &node, &entry, entry.hash()).await;
}
