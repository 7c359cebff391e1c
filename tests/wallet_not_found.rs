//! "Not sent" only on the node's confirmed word, against the simulator over
//! real gRPC. LND answers TrackPaymentV2 with NOT_FOUND until it has
//! registered a payment, so right after a broken connection a SendPaymentV2
//! that was on its way can still turn up. Here a second connection sends the
//! same keysend shortly after the first NOT_FOUND, standing in for that late
//! registration: the wallet must follow it, never offer to send it again.

mod wallet_support;

use std::time::{Duration, Instant};

use futures::{Stream, StreamExt};
use satchel::keysend::{NodeId, Preimage};
use satchel::node::{OutgoingKeysend, PaymentFailure, PaymentStatus, SharedNode};
use satchel::wallet::{self, Journal, JournalEntry, JournalState, Reconciled, SendEvent};
use wallet_support::*;

/// The NOT_FOUND confirmation wait in these tests.
const CONFIRM: Duration = Duration::from_millis(1_500);
/// When the "late" payment reaches the node, after the first NOT_FOUND.
const LATE: Duration = Duration::from_millis(300);

/// A keysend with a fresh preimage, as a send that was cut off left it.
fn keysend(to: NodeId, text: &str) -> OutgoingKeysend {
    OutgoingKeysend {
        destination: to,
        amount: sats(100),
        preimage: Preimage::random(),
        records: message(text),
        fee_limit: sats(50),
        timeout: wallet::SEND_TIMEOUT,
    }
}

/// The world's journal with the test's confirmation wait.
fn journal(world: &World) -> Journal {
    world.journal.clone().with_confirm_not_found(CONFIRM)
}

/// Journal `keysend` under `intent` and move it to `state` by hand.
fn journaled(world: &World, intent: &str, keysend: &OutgoingKeysend, state: JournalState) {
    let _ = world.journal.begin(intent, keysend).unwrap();
    if state != JournalState::Pending {
        let _ = world.journal.update(intent, state, None, None).unwrap();
    }
}

/// Hand `keysend` to the node over the test's own connection after `after`,
/// and wait for the node's first answer (it keeps paying on its own).
async fn arrives_late(node: SharedNode, keysend: OutgoingKeysend, after: Duration) {
    tokio::time::sleep(after).await;
    let mut updates = node.send(keysend);
    let first = next(&mut updates)
        .await
        .expect("the node takes the payment");
    assert!(
        !matches!(first.status, PaymentStatus::Failed(_)),
        "{first:?}"
    );
}

/// Every event of `stream`, collected in a task (so it starts now).
fn collect(
    stream: impl Stream<Item = SendEvent> + Send + 'static,
) -> tokio::task::JoinHandle<Vec<SendEvent>> {
    tokio::spawn(stream.collect::<Vec<_>>())
}

/// How many payments with the hash of `keysend` the node has.
async fn payments_of(node: &SharedNode, keysend: &OutgoingKeysend) -> usize {
    let page = within(node.sent_page(0, 1000)).await.expect("sent page");
    page.items
        .iter()
        .filter(|p| p.hash == keysend.hash())
        .count()
}

fn state(world: &World, intent: &str) -> JournalEntry {
    world.journal.get(intent).unwrap().expect("journaled")
}

#[tokio::test]
async fn tracking_follows_a_payment_the_node_registers_after_its_first_not_found() {
    let world = world(|_| {}).await;
    let sent = keysend(world.sim.node_id("alice").unwrap(), "cut off mid-call");
    journaled(&world, "cut", &sent, JournalState::Dispatched);
    let entry = state(&world, "cut");
    let events = collect(wallet::track_entry(
        world.node.clone(),
        journal(&world),
        entry,
    ));
    arrives_late(world.node.clone(), sent.clone(), LATE).await;
    let events = within(events).await.unwrap();

    assert!(
        !events.iter().any(|e| matches!(e, SendEvent::NotSent(_))),
        "one NOT_FOUND is not proof: {events:?}"
    );
    assert!(
        matches!(events.last(), Some(SendEvent::Finished(u)) if matches!(u.status, PaymentStatus::Succeeded { .. })),
        "{events:?}"
    );
    assert_eq!(state(&world, "cut").state, JournalState::Succeeded);
    assert_eq!(payments_of(&world.node, &sent).await, 1);
}

#[tokio::test]
async fn tracking_calls_a_payment_not_sent_only_after_the_wait() {
    let world = world(|_| {}).await;
    let lost = keysend(world.sim.node_id("alice").unwrap(), "never arrived");
    journaled(&world, "lost", &lost, JournalState::Dispatched);
    let started = Instant::now();
    let events = wallet::track_entry(world.node.clone(), journal(&world), state(&world, "lost"));
    let events = within(events.collect::<Vec<_>>()).await;
    assert!(started.elapsed() >= CONFIRM, "{:?}", started.elapsed());
    let [SendEvent::NotSent(entry)] = events.as_slice() else {
        panic!("expected NotSent alone, got {events:?}");
    };
    assert_eq!(entry.state, JournalState::NotSent);
    assert_eq!(payments_of(&world.node, &lost).await, 0);
}

#[tokio::test]
async fn reconcile_confirms_not_found_for_entries_that_may_have_reached_the_node() {
    let world = world(|_| {}).await;
    let alice = world.sim.node_id("alice").unwrap();
    let (late, lost, crashed) = (
        keysend(alice, "registered late"),
        keysend(alice, "lost on the way"),
        keysend(alice, "killed around the call"),
    );
    journaled(&world, "late", &late, JournalState::Dispatched);
    journaled(&world, "lost", &lost, JournalState::Dispatched);
    // `Dispatched` is written alongside SendPaymentV2, so `Pending` may have been sent too.
    journaled(&world, "crashed", &crashed, JournalState::Pending);
    let started = Instant::now();
    let reconciling = {
        let (node, journal) = (world.node.clone(), journal(&world));
        tokio::spawn(async move { wallet::reconcile(&node, &journal).await })
    };
    arrives_late(world.node.clone(), late.clone(), LATE).await;
    let found = within(reconciling).await.unwrap().unwrap();
    assert!(started.elapsed() >= CONFIRM, "{:?}", started.elapsed());

    let outcome: Vec<_> = found
        .iter()
        .map(|r| (r.entry().intent_id.as_str(), kind(r)))
        .collect();
    assert_eq!(
        outcome,
        [
            ("late", "followed"),
            ("lost", "not sent"),
            ("crashed", "not sent")
        ]
    );
    assert_ne!(state(&world, "late").state, JournalState::NotSent);
    assert_eq!(payments_of(&world.node, &late).await, 1);
    assert_eq!(payments_of(&world.node, &lost).await, 0);
}

/// A short name for what reconcile found.
fn kind(found: &Reconciled) -> &'static str {
    match found {
        Reconciled::NotSent(_) => "not sent",
        Reconciled::InFlight(_) | Reconciled::Succeeded(_) => "followed",
        Reconciled::Failed(_) => "failed",
        Reconciled::Unknown { .. } => "unknown",
        Reconciled::OtherNode { .. } => "another node's",
    }
}

#[tokio::test]
async fn an_entry_found_not_sent_before_is_not_waited_for_again() {
    let world = world(|_| {}).await;
    let unsent = keysend(world.sim.node_id("bob").unwrap(), "offered again");
    journaled(&world, "unsent", &unsent, JournalState::NotSent);
    let started = Instant::now();
    let found = within(wallet::reconcile(&world.node, &journal(&world)))
        .await
        .unwrap();
    assert!(started.elapsed() < CONFIRM, "{:?}", started.elapsed());
    assert!(matches!(found.as_slice(), [Reconciled::NotSent(e)] if e.intent_id == "unsent"));
}

#[tokio::test]
async fn send_now_follows_a_payment_the_node_knows_instead_of_sending_it_again() {
    let world = world(|_| {}).await;
    // Erin refuses keysend: the node holds the payment as FAILED, and LND
    // would accept the same hash again.
    let refused = keysend(world.sim.node_id("erin").unwrap(), "hello?");
    journaled(&world, "erin", &refused, JournalState::NotSent);
    let mut updates = world.node.send(refused.clone());
    while !next(&mut updates).await.unwrap().status.is_final() {}

    let events = wallet::resend_same(world.node.clone(), journal(&world), state(&world, "erin"));
    let events = within(events.collect::<Vec<_>>()).await;
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, SendEvent::Started { .. })),
        "not sent a second time: {events:?}"
    );
    assert!(
        matches!(events.last(), Some(SendEvent::Finished(u)) if u.status == PaymentStatus::Failed(PaymentFailure::ReceiverRefusedKeysend)),
        "{events:?}"
    );
    let entry = state(&world, "erin");
    assert_eq!(
        (entry.state, entry.failure),
        (
            JournalState::Failed,
            Some(PaymentFailure::ReceiverRefusedKeysend)
        )
    );
}

#[tokio::test]
async fn two_send_now_clicks_at_once_send_once() {
    let world = world(|_| {}).await;
    let unsent = keysend(world.sim.node_id("carol").unwrap(), "click click");
    journaled(&world, "twice", &unsent, JournalState::NotSent);
    let entry = state(&world, "twice");
    let resend = || wallet::resend_same(world.node.clone(), journal(&world), entry.clone());
    let (a, b) =
        within(async { tokio::join!(resend().collect::<Vec<_>>(), resend().collect::<Vec<_>>()) })
            .await;
    let started = |events: &[SendEvent]| {
        events
            .iter()
            .filter(|e| matches!(e, SendEvent::Started { .. }))
            .count()
    };
    assert_eq!(started(&a) + started(&b), 1, "{a:?} / {b:?}");
    assert_eq!(payments_of(&world.node, &unsent).await, 1);
    assert_eq!(state(&world, "twice").state, JournalState::Succeeded);
}

/// Reconcile writes the node's answers after its NOT_FOUND wait, so they can
/// be stale by then: an entry another handle moved meanwhile (here to
/// `Succeeded`, as the GUI's own tracker would) is reported as it now
/// stands, never overwritten, and the run still settles the other entries.
#[tokio::test]
async fn reconcile_reports_an_entry_moved_meanwhile_and_settles_the_rest() {
    // Long enough that the node still says in flight when reconcile asks.
    let world = world(|c| c.payment_latency = Duration::from_secs(20)).await;
    let alice = world.sim.node_id("alice").unwrap();
    let (moving, lost) = (
        keysend(alice, "finished elsewhere"),
        keysend(alice, "never arrived"),
    );
    journaled(&world, "moving", &moving, JournalState::Dispatched);
    journaled(&world, "lost", &lost, JournalState::Dispatched);
    arrives_late(world.node.clone(), moving.clone(), Duration::ZERO).await;
    let wait = Duration::from_secs(3);
    let reconciling = {
        let (node, journal) = (
            world.node.clone(),
            journal(&world).with_confirm_not_found(wait),
        );
        tokio::spawn(async move { wallet::reconcile(&node, &journal).await })
    };
    // During the NOT_FOUND wait for "lost", another handle records the end.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let other = Journal::open(&world.dir.path().join("profile/journal.db")).unwrap();
    let _ = other
        .update("moving", JournalState::Succeeded, None, Some(sats(1)))
        .unwrap();
    let found = within(reconciling)
        .await
        .unwrap()
        .expect("the run finishes");

    let outcome: Vec<_> = found
        .iter()
        .map(|r| (r.entry().intent_id.as_str(), kind(r), r.entry().state))
        .collect();
    assert_eq!(
        outcome,
        [
            ("moving", "followed", JournalState::Succeeded),
            ("lost", "not sent", JournalState::NotSent),
        ]
    );
    assert!(matches!(found[0], Reconciled::Succeeded(_)), "{found:?}");
    assert_eq!(state(&world, "moving").state, JournalState::Succeeded);
    assert_eq!(state(&world, "lost").state, JournalState::NotSent);
}
