//! Guarantee 1, crash-safe sends: the `satchel` binary is killed (SIGKILL)
//! just before and just after it hands a keysend to the node; a restart must
//! find exactly one payment (or none, offered again with the same hash) and
//! never pay twice. Concurrent sends, in-process and from several processes,
//! never produce a duplicate payment.

mod reliability_support;

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use reliability_support::child::{self, Run};
use reliability_support::*;
use satchel::fault::{AFTER_DISPATCH, BEFORE_DISPATCH};
use satchel::keysend::{NodeId, PaymentHash};
use satchel::node::{PaymentStatus, SharedNode};
use satchel::wallet::{self, JournalEntry, JournalState, SendError, SendEvent};

const LATENCY: Duration = Duration::from_millis(200);

/// Start `satchel send` paused at `point` and kill it there; the one
/// journal entry it left behind.
async fn kill_send_at(bench: &Bench, to: NodeId, point: &'static str) -> JournalEntry {
    let command = bench.cli().send(&to.to_hex(), "21", "hi");
    let paused = blocking(move || child::start_paused(command, point)).await;
    let paused = paused.unwrap_or_else(|run| {
        panic!(
            "`satchel send` never reached the fault point {point:?}; is \
             `crate::fault::point(\"{point}\")` in src/wallet/send.rs?\n{}",
            run.output()
        )
    });
    let status = blocking(move || paused.kill()).await;
    assert_eq!(status.code(), None, "killed by a signal");
    let unfinished = bench.journal().unfinished().expect("journal readable");
    let [entry] = unfinished.as_slice() else {
        panic!("expected one unfinished journal entry, got {unfinished:?}");
    };
    entry.clone()
}

/// `satchel sent --json`, which reconciles the journal first.
async fn sent_json(bench: &Bench) -> (Run, Vec<serde_json::Value>) {
    let command = bench.cli().node(&["sent", "--json"]);
    let run = blocking(move || child::run(command)).await;
    assert_eq!(run.code(), Some(0), "{}", run.output());
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.output()));
    (run, rows)
}

/// The rows of `satchel sent --json` for `hash`.
fn rows_for(rows: &[serde_json::Value], hash: PaymentHash) -> Vec<&serde_json::Value> {
    let hex = hash.to_hex();
    rows.iter().filter(|r| r["hash"] == hex.as_str()).collect()
}

/// Resend a `NotSent` entry with its own hash; every event until the end.
async fn resend(node: &SharedNode, bench: &Bench, entry: JournalEntry) -> Vec<SendEvent> {
    let stream = wallet::resend_same(node.clone(), bench.journal(), entry);
    within(futures::StreamExt::collect(stream)).await
}

fn succeeded(events: &[SendEvent]) -> bool {
    matches!(events.last(), Some(SendEvent::Finished(u)) if matches!(u.status, PaymentStatus::Succeeded { .. }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_before_dispatch_pays_nothing_and_is_offered_again_with_the_same_hash() {
    let bench = Bench::start(LATENCY).await;
    let node = bench.connect().await;
    let alice = bench.sim().node_id("alice").unwrap();
    let entry = kill_send_at(&bench, alice, BEFORE_DISPATCH).await;
    let hash = entry.hash();
    assert!(
        matches!(
            entry.state,
            JournalState::Pending | JournalState::Dispatched
        ),
        "journaled before dispatch: {entry:?}"
    );
    assert_eq!(node_payments(&node).await.len(), 0, "the node saw nothing");

    let (run, rows) = sent_json(&bench).await;
    assert!(
        run.stderr.contains("never reached the node"),
        "the restart tells the user: {}",
        run.output()
    );
    assert!(rows_for(&rows, hash).is_empty(), "{rows:?}");
    let entry = bench.journal().get(&entry.intent_id).unwrap().unwrap();
    assert_eq!(entry.state, JournalState::NotSent);
    assert_eq!(payments_with(&node, hash).await, 0, "never resent silently");

    assert!(succeeded(&resend(&node, &bench, entry.clone()).await));
    let again = resend(&node, &bench, entry).await;
    assert!(
        matches!(
            again.as_slice(),
            [SendEvent::Error(SendError::NotResendable {
                state: JournalState::Succeeded,
                ..
            })]
        ),
        "a preimage that was paid is never reused: {again:?}"
    );
    assert_eq!(payments_with(&node, hash).await, 1);
    let (_, rows) = sent_json(&bench).await;
    let shown = rows_for(&rows, hash);
    assert_eq!(shown.len(), 1, "{rows:?}");
    assert_eq!(shown[0]["status"], "succeeded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_dispatch_the_payment_exists_once_and_is_recorded_not_resent() {
    let bench = Bench::start(LATENCY).await;
    let node = bench.connect().await;
    let bob = bench.sim().node_id("bob").unwrap();
    let entry = kill_send_at(&bench, bob, AFTER_DISPATCH).await;
    let hash = entry.hash();
    assert_eq!(payments_with(&node, hash).await, 1, "dispatched once");

    let shown = within(async {
        loop {
            let (_, rows) = sent_json(&bench).await;
            let shown: Vec<_> = rows_for(&rows, hash).into_iter().cloned().collect();
            if shown.len() != 1 || shown[0]["status"] == "succeeded" {
                return shown;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert_eq!(shown.len(), 1, "shown once: {shown:?}");
    assert_eq!(shown[0]["status"], "succeeded");
    let entry = bench.journal().get(&entry.intent_id).unwrap().unwrap();
    assert_eq!(entry.state, JournalState::Succeeded, "{entry:?}");
    assert!(bench.journal().unfinished().unwrap().is_empty());
    let again = resend(&node, &bench, entry).await;
    assert!(
        matches!(
            again.as_slice(),
            [SendEvent::Error(SendError::NotResendable { .. })]
        ),
        "{again:?}"
    );
    assert_eq!(payments_with(&node, hash).await, 1, "exactly one payment");
    assert_eq!(node_payments(&node).await.len(), 1, "and nothing else");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sends_with_double_submits_pay_each_intent_once() {
    const INTENTS: usize = 24;
    let bench = Bench::start(Duration::from_millis(20)).await;
    let node = bench.connect().await;
    let journal = bench.journal();
    let names = ["alice", "bob", "carol", "dave"];
    let mut sends = Vec::new();
    for n in 0..INTENTS {
        let to = bench.sim().node_id(names[n % names.len()]).unwrap();
        for _click in 0..2 {
            let keysend = prepared(&node, &format!("tip-{n}"), to).await;
            let stream = wallet::send(node.clone(), journal.clone(), format!("tip-{n}"), keysend);
            sends.push(futures::StreamExt::collect::<Vec<_>>(stream));
        }
    }
    let outcomes = within(futures::future::join_all(sends)).await;
    let paid = outcomes.iter().filter(|e| succeeded(e)).count();
    let refused = outcomes
        .iter()
        .filter(|e| matches!(e.as_slice(), [SendEvent::Error(SendError::Journal(_))]))
        .count();
    assert_eq!((paid, refused), (INTENTS, INTENTS), "{outcomes:?}");
    let hashes = assert_paid_once_each(&node).await;
    assert_eq!(hashes.len(), INTENTS, "one payment per intent");
    assert_journal_agrees(&bench, &hashes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_cli_processes_sending_at_once_pay_each_send_once() {
    const PROCESSES: usize = 6;
    let bench = Bench::start(Duration::from_millis(20)).await;
    let node = bench.connect().await;
    let carol = bench.sim().node_id("carol").unwrap().to_hex();
    let commands: Vec<_> = (0..PROCESSES)
        .map(|n| bench.cli().send(&carol, "21", &format!("from process {n}")))
        .collect();
    let runs = blocking(move || {
        let threads: Vec<_> = commands
            .into_iter()
            .map(|c| std::thread::spawn(move || child::run(c)))
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect::<Vec<_>>()
    })
    .await;
    let hashes = assert_paid_once_each(&node).await;
    let failed: Vec<_> = runs.iter().filter(|r| r.code() != Some(0)).collect();
    assert!(
        failed.is_empty(),
        "{} of {PROCESSES} processes failed ({} payments made): {failed:#?}",
        failed.len(),
        hashes.len()
    );
    assert_eq!(hashes.len(), PROCESSES, "one payment per process");
    assert_journal_agrees(&bench, &hashes);
}

/// A keysend of 21 sat to `to`, prepared as the GUI prepares it.
async fn prepared(node: &SharedNode, intent: &str, to: NodeId) -> satchel::node::OutgoingKeysend {
    let info = within(node.info()).await.unwrap();
    let request = wallet::SendRequest {
        intent_id: intent.to_owned(),
        destination: to,
        amount: satchel::keysend::Msat::from_sat(21),
        tip: satchel::keysend::Tip {
            message: Some(format!("concurrent {intent}")),
            ..Default::default()
        },
        sign: false,
        fee_limit: satchel::keysend::Msat::from_sat(10),
    };
    within(wallet::prepare(node, &info, request, None))
        .await
        .unwrap()
}

/// The node paid each hash at most once; the hashes it paid.
async fn assert_paid_once_each(node: &SharedNode) -> BTreeSet<PaymentHash> {
    let payments = node_payments(node).await;
    let mut per_hash: HashMap<PaymentHash, usize> = HashMap::new();
    for payment in &payments {
        *per_hash.entry(payment.hash).or_default() += 1;
    }
    let duplicates: Vec<_> = per_hash.iter().filter(|(_, n)| **n > 1).collect();
    assert!(duplicates.is_empty(), "duplicate payments: {duplicates:?}");
    per_hash.into_keys().collect()
}

/// The journal holds exactly `hashes`, all succeeded, nothing unfinished.
fn assert_journal_agrees(bench: &Bench, hashes: &BTreeSet<PaymentHash>) {
    let journal = bench.journal();
    assert!(
        journal.unfinished().unwrap().is_empty(),
        "nothing left unfinished"
    );
    for hash in hashes {
        let entry = journal.by_hash(hash).unwrap().expect("journaled");
        assert_eq!(entry.state, JournalState::Succeeded, "{entry:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_cuts_during_sends_never_make_a_paid_payment_look_unsent() {
    const SENDS: usize = 40;
    let bench = Bench::start(Duration::from_millis(100)).await;
    let node = bench.connect().await;
    let journal = bench
        .journal()
        .with_confirm_not_found(Duration::from_millis(400));
    let dave = bench.sim().node_id("dave").unwrap();
    let mut keysends = Vec::with_capacity(SENDS);
    for n in 0..SENDS {
        keysends.push(prepared(&node, &format!("cut-{n}"), dave).await);
    }
    // Sends start 5 ms apart while the connection is cut three times, so
    // some are cut before, during and after SendPaymentV2 reaches the node.
    let sends: Vec<_> = keysends
        .into_iter()
        .enumerate()
        .map(|(n, keysend)| {
            let (node, journal) = (node.clone(), journal.clone());
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(5 * n as u64)).await;
                let stream = wallet::send(node, journal, format!("cut-{n}"), keysend);
                futures::StreamExt::collect::<Vec<_>>(stream).await
            })
        })
        .collect();
    for _cut in 0..3 {
        tokio::time::sleep(Duration::from_millis(40)).await;
        bench.sim().set_connections_enabled(false);
        tokio::time::sleep(Duration::from_millis(60)).await;
        bench.sim().set_connections_enabled(true);
    }
    let mut unsent = Vec::new();
    for send in sends {
        let events = within(send).await.expect("the send task finished");
        match events.last() {
            Some(SendEvent::NotSent(entry)) => unsent.push(entry.clone()),
            _ => assert!(succeeded(&events), "{events:?}"),
        }
    }
    // Ask over a fresh connection: the node itself, not our view of it.
    let node = bench.connect().await;
    for entry in &unsent {
        assert_eq!(payments_with(&node, entry.hash()).await, 0, "{entry:?}");
        assert!(succeeded(&resend(&node, &bench, entry.clone()).await));
    }
    eprintln!(
        "{} of {SENDS} sends were cut before reaching the node",
        unsent.len()
    );
    let hashes = assert_paid_once_each(&node).await;
    assert_eq!(hashes.len(), SENDS, "one payment per send");
    assert_journal_agrees(&bench, &hashes);
}
