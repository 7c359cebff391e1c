//! The send flow against the simulator over real gRPC: journal first, node
//! second, the journal agreeing with the node at the end, and recovery of a
//! payment the node never saw.

mod wallet_support;

use std::time::Duration;

use futures::{Stream, StreamExt};
use satchel::keysend::incoming::{Scheme, Sender, verify_sender};
use satchel::keysend::outgoing::Tip;
use satchel::keysend::{NodeId, PaymentHash, Preimage};
use satchel::node::{OutgoingKeysend, PaymentFailure, PaymentStatus, SharedNode};
use satchel::wallet::{
    self, Journal, JournalEntry, JournalError, JournalState, Reconciled, SendError, SendEvent,
    SendRequest, SentStatus,
};
use wallet_support::*;

/// A signed tip of `amount` sats to `destination` with `text`.
fn request(intent: &str, destination: NodeId, amount: u64, text: &str) -> SendRequest {
    SendRequest {
        intent_id: intent.to_owned(),
        destination,
        amount: sats(amount),
        tip: Tip {
            message: Some(text.to_owned()),
            ..Tip::default()
        },
        sign: true,
        fee_limit: sats(50),
    }
}

async fn prepared(world: &World, req: SendRequest) -> Result<OutgoingKeysend, SendError> {
    let info = within(world.node.info()).await.expect("info");
    let balance = within(world.node.balance()).await.expect("balance");
    within(wallet::prepare(&world.node, &info, req, Some(balance))).await
}

/// A signed tip that `prepare` must accept.
async fn tip(world: &World, intent: &str, to: NodeId, amount: u64, text: &str) -> OutgoingKeysend {
    let prepared = prepared(world, request(intent, to, amount, text)).await;
    prepared.expect("the tip is prepared")
}

/// Every event of a send stream, until it ends.
async fn all(stream: impl Stream<Item = SendEvent>) -> Vec<SendEvent> {
    within(stream.collect()).await
}

/// Send `keysend` for `intent` and collect every event.
async fn send_all(world: &World, intent: &str, keysend: OutgoingKeysend) -> Vec<SendEvent> {
    let node = world.node.clone();
    all(wallet::send(
        node,
        world.journal.clone(),
        intent.into(),
        keysend,
    ))
    .await
}

/// The NOT_FOUND confirmation wait of [`quick`].
const QUICK: Duration = Duration::from_millis(300);

/// The world's journal with a short NOT_FOUND confirmation wait.
fn quick(world: &World) -> Journal {
    world.journal.clone().with_confirm_not_found(QUICK)
}

/// Resend a journal entry with its own preimage and collect every event.
async fn resend_all(world: &World, entry: JournalEntry) -> Vec<SendEvent> {
    all(wallet::resend_same(
        world.node.clone(),
        world.journal.clone(),
        entry,
    ))
    .await
}

/// A keysend carrying `text` with a fresh preimage, built by hand (not
/// through `prepare`), as a process that died mid-send left it.
fn by_hand(destination: NodeId, amount: u64, text: &str) -> OutgoingKeysend {
    OutgoingKeysend {
        destination,
        amount: sats(amount),
        preimage: Preimage::random(),
        records: message(text),
        fee_limit: sats(50),
        timeout: wallet::SEND_TIMEOUT,
    }
}

fn finished(events: &[SendEvent]) -> &satchel::node::PaymentUpdate {
    match events.last() {
        Some(SendEvent::Finished(update)) => update,
        other => panic!("expected Finished last, got {other:?} in {events:?}"),
    }
}

/// How many payments with `hash` the node has.
async fn payments_with(node: &SharedNode, hash: PaymentHash) -> usize {
    let page = within(node.sent_page(0, 1000)).await.expect("sent page");
    page.items.iter().filter(|p| p.hash == hash).count()
}

#[tokio::test]
async fn signed_message_arrives_verified_and_journal_says_succeeded() {
    let world = world(|_| {}).await;
    let alice = world.sim.node_id("alice").unwrap();
    let keysend = tip(&world, "tip-1", alice, 1_000, "great show").await;
    let hash = keysend.hash();
    let events = send_all(&world, "tip-1", keysend).await;
    assert!(
        matches!(&events[0], SendEvent::Started { intent_id, hash: h } if intent_id == "tip-1" && *h == hash)
    );
    let update = finished(&events);
    assert!(
        matches!(update.status, PaymentStatus::Succeeded { .. }),
        "{update:?}"
    );
    let entry = world.journal.get("tip-1").unwrap().unwrap();
    assert_eq!(
        (entry.state, entry.fee),
        (JournalState::Succeeded, Some(update.fee))
    );
    assert!(world.journal.unfinished().unwrap().is_empty());

    let alice_dir = world.dir.path().join("alice");
    let alice_handle = within(world.sim.serve_node("alice", alice_dir))
        .await
        .unwrap();
    let alice_node = connect(&alice_handle).await;
    let page = within(alice_node.received_page(0, 100)).await.unwrap();
    let received = page
        .items
        .iter()
        .find(|r| r.hash == hash)
        .expect("alice received it");
    let our_id = within(world.node.info()).await.unwrap().id;
    assert_eq!(
        verify_sender(&received.records, &alice),
        Sender::Verified {
            id: our_id,
            scheme: Scheme::Whatsat
        }
    );

    let stats = within(wallet::backfill(&world.node, &world.index, |_| {}))
        .await
        .unwrap();
    assert_eq!(stats.sent_stored, 1);
    let sent = world.index.sent(0, 10).unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].hash, sent[0].destination, sent[0].status),
        (hash, Some(alice), SentStatus::Succeeded)
    );
    assert_eq!(
        (sent[0].amount, sent[0].preview.as_str()),
        (sats(1_000), "great show")
    );
}

#[tokio::test]
async fn the_same_intent_twice_pays_once() {
    let world = world(|_| {}).await;
    let alice = world.sim.node_id("alice").unwrap();
    let first = tip(&world, "click", alice, 100, "once").await;
    let second = tip(&world, "click", alice, 100, "once").await;
    let hashes = [first.hash(), second.hash()];
    let (a, b) = tokio::join!(
        send_all(&world, "click", first),
        send_all(&world, "click", second),
    );
    let refused = |events: &[SendEvent]| {
        matches!(
            events,
            [SendEvent::Error(SendError::Journal(
                JournalError::AlreadySubmitted { .. }
            ))]
        )
    };
    assert!(
        refused(&a) ^ refused(&b),
        "exactly one refused: {a:?} / {b:?}"
    );
    let paid = if refused(&a) { &b } else { &a };
    assert!(matches!(
        finished(paid).status,
        PaymentStatus::Succeeded { .. }
    ));
    let paid_hash = world.journal.get("click").unwrap().unwrap().hash();
    let unpaid_hash = if paid_hash == hashes[0] {
        hashes[1]
    } else {
        hashes[0]
    };
    assert!(hashes.contains(&paid_hash));
    assert_eq!(payments_with(&world.node, paid_hash).await, 1);
    assert_eq!(payments_with(&world.node, unpaid_hash).await, 0);
}

#[tokio::test]
async fn journal_is_written_before_dispatch_and_an_unseen_payment_becomes_not_sent() {
    let world = world(|_| {}).await;
    let alice = world.sim.node_id("alice").unwrap();
    let keysend = tip(&world, "offline", alice, 200, "while offline").await;
    let hash = keysend.hash();
    world.sim.set_connections_enabled(false);
    let mut events = Box::pin(wallet::send(
        world.node.clone(),
        quick(&world),
        "offline".into(),
        keysend,
    ));
    assert!(matches!(next(&mut events).await, SendEvent::Started { .. }));
    let entry = world
        .journal
        .get("offline")
        .unwrap()
        .expect("journaled before the node was reached");
    assert_eq!(
        (entry.state, entry.hash()),
        (JournalState::Dispatched, hash)
    );
    assert!(matches!(
        next(&mut events).await,
        SendEvent::Reconnecting { attempt: 1, .. }
    ));
    world.sim.set_connections_enabled(true);
    let not_sent = loop {
        match next(&mut events).await {
            SendEvent::NotSent(entry) => break entry,
            SendEvent::Reconnecting { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(
        (not_sent.state, not_sent.hash()),
        (JournalState::NotSent, hash)
    );
    assert_eq!(payments_with(&world.node, hash).await, 0);
    let events = resend_all(&world, not_sent).await;
    assert!(matches!(
        finished(&events).status,
        PaymentStatus::Succeeded { .. }
    ));
    assert_eq!(payments_with(&world.node, hash).await, 1);
}

#[tokio::test]
async fn reconcile_finds_a_pending_entry_unsent_and_resend_same_pays_exactly_once() {
    let world = world(|_| {}).await;
    let alice = world.sim.node_id("alice").unwrap();
    let keysend = by_hand(alice, 300, "crashed before dispatch");
    let hash = keysend.hash();
    let _ = world.journal.begin("crash", &keysend).unwrap();
    let found = within(wallet::reconcile(&world.node, &quick(&world)))
        .await
        .unwrap();
    let [Reconciled::NotSent(entry)] = found.as_slice() else {
        panic!("expected NotSent, got {found:?}")
    };
    assert_eq!((entry.state, entry.hash()), (JournalState::NotSent, hash));
    assert_eq!(
        payments_with(&world.node, hash).await,
        0,
        "reconcile never sends by itself"
    );

    let events = resend_all(&world, entry.clone()).await;
    assert!(matches!(
        finished(&events).status,
        PaymentStatus::Succeeded { .. }
    ));
    let again = resend_all(&world, entry.clone()).await;
    assert!(matches!(
        again.as_slice(),
        [SendEvent::Error(SendError::NotResendable {
            state: JournalState::Succeeded,
            ..
        })]
    ));
    assert_eq!(payments_with(&world.node, hash).await, 1);
    assert!(
        within(wallet::reconcile(&world.node, &world.journal))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn prepare_refuses_before_sending() {
    let world = world(|_| {}).await;
    let alice = world.sim.node_id("alice").unwrap();
    let huge = "x".repeat(1_250);
    let too_large = prepared(&world, request("big", alice, 100, &huge)).await;
    assert!(
        matches!(too_large, Err(SendError::TooLarge { .. })),
        "{too_large:?}"
    );
    let too_much = prepared(&world, request("rich", alice, 2_100_000_000_000, "hi")).await;
    assert!(
        matches!(too_much, Err(SendError::InsufficientBalance { .. })),
        "{too_much:?}"
    );
    let own = within(world.node.info()).await.unwrap().id;
    let to_self = prepared(&world, request("me", own, 100, "hi")).await;
    assert!(
        matches!(to_self, Err(SendError::SelfPayment)),
        "{to_self:?}"
    );
    assert!(world.journal.unfinished().unwrap().is_empty());
}

#[tokio::test]
async fn a_refused_keysend_is_journaled_as_failed_with_the_reason() {
    let world = world(|_| {}).await;
    let erin = world.sim.node_id("erin").unwrap();
    let mut req = request("to-erin", erin, 100, "hello?");
    req.sign = false;
    let keysend = prepared(&world, req).await.unwrap();
    let events = send_all(&world, "to-erin", keysend).await;
    let update = finished(&events);
    assert_eq!(
        update.status,
        PaymentStatus::Failed(PaymentFailure::ReceiverRefusedKeysend)
    );
    let entry = world.journal.get("to-erin").unwrap().unwrap();
    assert_eq!(
        (entry.state, entry.failure),
        (
            JournalState::Failed,
            Some(PaymentFailure::ReceiverRefusedKeysend)
        )
    );
    assert!(
        !entry
            .keysend
            .records
            .contains_key(&satchel::keysend::record::SIGNATURE),
        "not signed when not asked"
    );
}

#[tokio::test]
async fn outcomes_a_backfill_learns_are_written_into_the_journal() {
    let world = world(|_| {}).await;
    let keysend = |to: &str| by_hand(world.sim.node_id(to).unwrap(), 100, "the sender died");
    // Dispatched by a process that died before it heard the outcome.
    let refused = keysend("erin");
    let _ = world.journal.begin("refused", &refused).unwrap();
    let _ = world
        .journal
        .update("refused", JournalState::Dispatched, None, None)
        .unwrap();
    let mut updates = world.node.send(refused.clone());
    while !next(&mut updates).await.unwrap().status.is_final() {}
    // Journaled, never dispatched: the node and the index know nothing of it.
    let _ = world.journal.begin("pending", &keysend("alice")).unwrap();

    let _ = within(wallet::backfill(&world.node, &world.index, |_| {}))
        .await
        .unwrap();
    let changed = within(wallet::record_outcomes(&world.journal, &world.index))
        .await
        .unwrap();
    let got: Vec<_> = changed
        .iter()
        .map(|e| (e.intent_id.as_str(), e.state, e.failure))
        .collect();
    assert_eq!(
        got,
        [(
            "refused",
            JournalState::Failed,
            Some(PaymentFailure::ReceiverRefusedKeysend)
        )]
    );
    let pending = world.journal.get("pending").unwrap().unwrap();
    assert_eq!(pending.state, JournalState::Pending, "left for reconcile");
    let again = within(wallet::record_outcomes(&world.journal, &world.index))
        .await
        .unwrap();
    assert!(again.is_empty(), "nothing left to record: {again:?}");
}

/// One route query per tip: `prepare_probed` judges the tip by the probe the
/// frontend already has (here one that claims a 6-hop route to a direct
/// peer, so a message that fits one hop is refused as too large for six),
/// and asks the node again only for a probe of another amount.
#[tokio::test]
async fn prepare_uses_the_probe_it_is_given_and_only_that_tips() {
    let world = world(|_| {}).await;
    let alice = world.sim.node_id("alice").unwrap();
    let info = within(world.node.info()).await.unwrap();
    let text = "x".repeat(1_000);
    let mut req = request("probed", alice, 100, &text);
    req.sign = false;
    let key = wallet::ProbeKey {
        destination: alice,
        amount: req.amount,
        fee_limit: req.fee_limit,
    };
    let mut probe = within(wallet::draft::probe(&world.node, key)).await;
    let route = probe.route.as_mut().expect("alice is a direct peer");
    assert_eq!(route.hops, 1);
    route.hops = 6;
    let judged = within(wallet::prepare_probed(
        &world.node,
        &info,
        req.clone(),
        None,
        Some(&probe),
    ))
    .await;
    assert!(
        matches!(judged, Err(SendError::TooLarge { hops: 6, .. })),
        "{judged:?}"
    );
    // A probe for another amount is not this tip's: the node is asked.
    probe.key.amount = sats(99);
    let asked = within(wallet::prepare_probed(
        &world.node,
        &info,
        req,
        None,
        Some(&probe),
    ))
    .await;
    assert!(asked.is_ok(), "{asked:?}");
}
