//! Issue 17 against the simulator over real gRPC: AMP where one path is
//! not enough (sent, received and decoded), a private node reached only
//! with route hints, a rebalance to ourselves within its fee limit, the
//! receivers that are not LND explained before and after sending, and a
//! probe that pays nothing.

mod lnd_support;

use lnd_support::{Sim, connect_admin, id, keysend, outcome, serve, start, within};
use satchel::keysend::record::{BOOSTAGRAM, MESSAGE};
use satchel::keysend::{Msat, NodeId, Records};
use satchel::lnd::Lnd;
use satchel::node::routing::{HopHint, Routing};
use satchel::node::{Node, OutgoingKeysend, PaymentFailure, PaymentStatus, Peer, SharedNode};
use satchel::wallet::amp_fee;
use satchel::wallet::rebalance::{self, RebalanceRequest};
use satchel::wallet::receiver::{ReceiverCheck, ReceiverWarning};
use satchel::wallet::{Journal, JournalState};

fn shared(node: Lnd) -> SharedNode {
    std::sync::Arc::new(node)
}

fn tip(text: &str) -> Records {
    Records::from([
        (MESSAGE, text.as_bytes().to_vec()),
        (BOOSTAGRAM, br#"{"action":"boost"}"#.to_vec()),
    ])
}

fn generous(mut payment: OutgoingKeysend) -> OutgoingKeysend {
    payment.fee_limit = Msat::from_sat(5_000);
    payment
}

async fn status(node: &SharedNode, payment: OutgoingKeysend, routing: Routing) -> PaymentStatus {
    outcome(node.send_routed(payment, routing))
        .await
        .expect("a final update")
        .status
}

fn failed(status: PaymentStatus) -> PaymentFailure {
    match status {
        PaymentStatus::Failed(failure) => failure,
        other => panic!("expected a failure, got {other:?}"),
    }
}

async fn check(node: &SharedNode, to: NodeId, records: &Records) -> ReceiverCheck {
    within(ReceiverCheck::read(node, to, records))
        .await
        .expect("features read")
}

/// What `name` received, as the wallet reads it (ListInvoices).
async fn received_by(sim: &Sim, name: &str) -> Vec<satchel::node::ReceivedKeysend> {
    let (_handle, node) = serve(sim, name).await;
    within(node.received_page(0, 100))
        .await
        .expect("invoices")
        .items
}

#[tokio::test]
async fn a_large_tip_fails_as_keysend_and_succeeds_as_amp_received_and_decoded() {
    let sim = start().await;
    let node = shared(connect_admin(&sim.handle).await);
    let oscar = id(&sim, "oscar");
    let big = || generous(keysend(oscar, 2_500_000, tip("a big tip")));

    let as_keysend = failed(status(&node, big(), Routing::default()).await);
    assert_eq!(
        as_keysend,
        PaymentFailure::NoRoute,
        "no one path carries 2.5M"
    );
    let before = check(&node, oscar, &Records::new()).await;
    assert!(before.offers_amp(), "oscar announces bit 31");
    assert!(before.explain_failure(as_keysend).contains("--amp"));

    let estimate = within(amp_fee::estimate(&node, &big()))
        .await
        .expect("estimated")
        .expect("a split with routes");
    let amp = Routing {
        amp: true,
        ..Routing::default()
    };
    let done = within(outcome(node.send_routed(big(), amp)))
        .await
        .expect("a final update");
    assert!(
        matches!(done.status, PaymentStatus::Succeeded { .. }),
        "{done:?}"
    );
    assert!(done.attempts >= 2, "sent in shards: {}", done.attempts);
    assert!(done.fee > Msat::ZERO && done.fee <= Msat::from_sat(5_000));
    // The estimate before sending is what the node then charged: the
    // second shard had to come in through bob, who charges more.
    assert_eq!(
        (estimate.shards, estimate.fee),
        (done.attempts, done.fee),
        "estimate against what the sim charged"
    );
    assert_eq!(
        estimate.fee,
        Msat(126_000 + 251_000),
        "alice's and bob's fees"
    );

    let got = received_by(&sim, "oscar").await;
    assert_eq!(got.len(), 1, "one AMP set is one received payment");
    assert_eq!(got[0].amount, Msat::from_sat(2_500_000));
    assert_eq!(got[0].hash, done.hash, "known by its set id on both sides");
    assert_eq!(got[0].records[&MESSAGE], b"a big tip");
    let decoded = satchel::keysend::incoming::decode(&got[0].records);
    assert_eq!(decoded.message.as_deref(), Some("a big tip"));
}

#[tokio::test]
async fn a_private_node_is_reached_only_with_route_hints() {
    let sim = start().await;
    let node = shared(connect_admin(&sim.handle).await);
    let kate = id(&sim, "kate");
    let before = check(&node, kate, &Records::new()).await;
    assert_eq!(
        before.warnings(false),
        vec![ReceiverWarning::NotInGraph { hinted: false }]
    );
    let without = failed(
        status(
            &node,
            generous(keysend(kate, 1_000, tip("hi"))),
            Routing::default(),
        )
        .await,
    );
    assert_eq!(without, PaymentFailure::NoRoute);
    assert!(before.explain_failure(without).contains("--hint"));

    let hint: HopHint = satchel::sim::route_hint_to("kate")
        .expect("kate's hint")
        .parse()
        .expect("the hint parses");
    let hinted = satchel::wallet::routed::with_hints(node.clone(), vec![hint]);
    let done = within(outcome(hinted.send(generous(keysend(
        kate,
        1_000,
        tip("hi"),
    )))))
    .await
    .expect("a final update");
    assert!(
        matches!(done.status, PaymentStatus::Succeeded { .. }),
        "{done:?}"
    );
    assert_eq!(done.hops, 3, "bob, carol, then the private channel to kate");
    let got = received_by(&sim, "kate").await;
    assert_eq!(got[0].records[&MESSAGE], b"hi");
}

fn channel(channels: &[Peer], peer: NodeId) -> Peer {
    channels
        .iter()
        .find(|c| c.id == peer)
        .cloned()
        .expect("a channel")
}

#[tokio::test]
async fn an_amp_estimate_of_one_shard_is_the_single_route_fee() {
    let sim = start().await;
    let node = shared(connect_admin(&sim.handle).await);
    let oscar = id(&sim, "oscar");
    let small = generous(keysend(oscar, 100_000, tip("small")));
    let estimate = within(amp_fee::estimate(&node, &small))
        .await
        .expect("estimated")
        .expect("a route");
    let single = within(node.estimate_fee(&small)).await.expect("a route");
    assert_eq!((estimate.shards, estimate.fee), (1, single.fee));
    let amp = Routing {
        amp: true,
        ..Routing::default()
    };
    let done = within(outcome(node.send_routed(small, amp)))
        .await
        .expect("a final update");
    assert_eq!((done.attempts, done.fee), (1, estimate.fee));
}

#[tokio::test]
async fn a_rebalance_moves_exactly_the_amount_within_the_fee_limit() {
    let sim = start().await;
    let node = shared(connect_admin(&sim.handle).await);
    let (me, alice, bob) = (sim.handle.user_node(), id(&sim, "alice"), id(&sim, "bob"));
    let before = within(node.peers()).await.unwrap();
    let amount = Msat::from_sat(100_000);
    let plan = rebalance::plan(
        &before,
        RebalanceRequest {
            out_chan: channel(&before, bob).chan_id,
            in_peer: alice,
            amount,
            max_fee_ppm: 1_000,
        },
    )
    .expect("a valid plan");
    assert_eq!(plan.fee_limit, Msat::from_sat(100));
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = Journal::open(&dir.path().join("journal.db")).expect("journal");
    let intent = "rebalance-1".to_owned();
    let done = within(rebalance::run(&node, &journal, intent.clone(), me, &plan))
        .await
        .expect("rebalanced");
    let entry = journal.get(&intent).unwrap().expect("journaled");
    assert_eq!(entry.state, JournalState::Succeeded);
    assert_eq!(entry.fee, Some(done.fee));
    assert!(rebalance::is_rebalance(&entry), "its route is kept with it");
    let again = within(rebalance::run(&node, &journal, intent, me, &plan)).await;
    assert!(
        matches!(again, Err(rebalance::RebalanceError::Journal(_))),
        "the same rebalance twice (a double click) is refused: {again:?}"
    );
    assert!(
        done.fee > Msat::ZERO && done.fee <= plan.fee_limit,
        "{:?}",
        done.fee
    );
    assert_eq!(done.hops, 3, "bob, alice, back to us");
    let (bob_before, bob_after) = (channel(&before, bob), channel(&done.channels, bob));
    let (alice_before, alice_after) = (channel(&before, alice), channel(&done.channels, alice));
    // ListChannels reports whole sats: the paid msat round the balance down.
    let paid = amount.0 + done.fee.0;
    assert_eq!(
        bob_before.local.0 - bob_after.local.0,
        paid.div_ceil(1000) * 1000
    );
    assert_eq!(alice_after.local.0 - alice_before.local.0, amount.0);

    let greedy = RebalanceRequest {
        out_chan: channel(&before, bob).chan_id,
        in_peer: alice,
        amount,
        max_fee_ppm: 10,
    };
    let too_cheap = rebalance::plan(&done.channels, greedy).expect("a valid plan");
    let refused = within(rebalance::run(
        &node,
        &journal,
        "rebalance-2".into(),
        me,
        &too_cheap,
    ))
    .await;
    assert!(
        matches!(
            refused,
            Err(rebalance::RebalanceError::Failed(PaymentFailure::NoRoute))
        ),
        "1 sat cannot pay the circle: {refused:?}"
    );
}

#[tokio::test]
async fn receivers_that_are_not_lnd_are_explained_before_and_after() {
    let sim = start().await;
    let node = shared(connect_admin(&sim.handle).await);
    let records = tip("gm");

    // Core Lightning: accepts keysend, strips the even message, keeps the odd boostagram.
    let heidi = id(&sim, "heidi");
    let cln = check(&node, heidi, &records).await;
    assert_eq!(
        cln.warnings(false),
        vec![ReceiverWarning::EvenRecords(vec![MESSAGE])]
    );
    let sent = status(
        &node,
        generous(keysend(heidi, 1_000, records.clone())),
        Routing::default(),
    );
    assert!(matches!(sent.await, PaymentStatus::Succeeded { .. }));
    let got = received_by(&sim, "heidi").await;
    assert!(!got[0].records.contains_key(&MESSAGE), "stripped");
    assert!(got[0].records.contains_key(&BOOSTAGRAM), "kept");

    // Eclair: no bit 55, refuses keysend; nothing to offer instead.
    let ivan = id(&sim, "ivan");
    let eclair = check(&node, ivan, &Records::new()).await;
    assert_eq!(
        eclair.warnings(false),
        vec![ReceiverWarning::NoKeysend { amp: false }]
    );
    let refused = failed(
        status(
            &node,
            generous(keysend(ivan, 1_000, Records::new())),
            Routing::default(),
        )
        .await,
    );
    assert_eq!(refused, PaymentFailure::ReceiverRefusedKeysend);
    assert!(eclair.explain_failure(refused).contains("Eclair"));

    // LDK: fails the payment over the even message; without it, it is paid.
    let judy = id(&sim, "judy");
    let ldk = check(&node, judy, &records).await;
    assert_eq!(
        ldk.warnings(false),
        vec![ReceiverWarning::EvenRecords(vec![MESSAGE])]
    );
    let error = failed(
        status(
            &node,
            generous(keysend(judy, 1_000, records.clone())),
            Routing::default(),
        )
        .await,
    );
    assert_eq!(error, PaymentFailure::Error);
    assert!(ldk.explain_failure(error).contains("34349334"));
    let odd_only = Records::from([(BOOSTAGRAM, b"{}".to_vec())]);
    let sent = status(
        &node,
        generous(keysend(judy, 1_000, odd_only)),
        Routing::default(),
    );
    assert!(matches!(sent.await, PaymentStatus::Succeeded { .. }));

    // LND without keysend but with AMP: keysend refused, AMP offered and paid.
    let erin = id(&sim, "erin");
    let amp_only = check(&node, erin, &Records::new()).await;
    assert_eq!(
        amp_only.warnings(false),
        vec![ReceiverWarning::NoKeysend { amp: true }]
    );
    let refused = failed(
        status(
            &node,
            generous(keysend(erin, 1_000, Records::new())),
            Routing::default(),
        )
        .await,
    );
    assert!(amp_only.explain_failure(refused).contains("--amp"));
    let amp = Routing {
        amp: true,
        ..Routing::default()
    };
    let sent = status(&node, generous(keysend(erin, 1_000, Records::new())), amp);
    assert!(matches!(sent.await, PaymentStatus::Succeeded { .. }));
}

#[tokio::test]
async fn a_probe_learns_the_fee_and_pays_nothing() {
    let sim = start().await;
    let node = shared(connect_admin(&sim.handle).await);
    let grace = id(&sim, "grace");
    let before = within(node.balance()).await.unwrap();
    let probe = within(node.probe(
        generous(keysend(grace, 50_000, tip("x"))),
        Routing::default(),
    ))
    .await
    .expect("a probe result");
    assert!(probe.reachable, "{probe:?}");
    assert_eq!(probe.hops, 3);
    assert!(probe.fee > Msat::ZERO);
    let after = within(node.balance()).await.unwrap();
    assert_eq!(after.local, before.local, "a probe pays nothing");
    let estimate = within(node.estimate_fee(&keysend(grace, 50_000, Records::new())))
        .await
        .unwrap();
    assert_eq!(
        probe.fee, estimate.fee,
        "the probe's route fee is the estimate's"
    );
}
