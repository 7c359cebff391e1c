//! Sending keysends through the LND adapter to the simulator: success with
//! a signed message read back on the receiving node, every failure kind,
//! duplicate hashes, tracking, fee estimates and the sent history.

mod lnd_support;

use std::time::{SystemTime, UNIX_EPOCH};

use lnd_support::{Sim, connect_admin, id, keysend, outcome, serve, start, updates, within};
use satchel::keysend::identity::whatsat_digest;
use satchel::keysend::incoming::{Scheme, Sender, verify_sender};
use satchel::keysend::record::{MESSAGE, SENDER_PUBKEY};
use satchel::keysend::{Msat, NodeId, Records, SignedIdentity, Tip};
use satchel::lnd::Lnd;
use satchel::node::{Node, NodeError, OutgoingKeysend, PaymentFailure, PaymentStatus};
use secp256k1::{PublicKey, SECP256K1, ecdsa::Signature};

fn message(text: &str) -> Records {
    Records::from([(MESSAGE, text.as_bytes().to_vec())])
}

/// A tip with a message and a Whatsat identity signed by our node
/// (the two-step flow of `keysend::outgoing`).
async fn signed_message(node: &Lnd, sender: NodeId, recipient: NodeId, text: &str) -> Records {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let timestamp_ns = u64::try_from(now.as_nanos()).unwrap();
    let mut tip = Tip {
        message: Some(text.to_owned()),
        ..Tip::default()
    };
    let payload = tip
        .signing_payload(&sender, &recipient, timestamp_ns)
        .expect("a message to sign");
    let signature = within(node.sign_with_node_key(payload))
        .await
        .expect("the node signs");
    let signature: [u8; 64] = signature.try_into().expect("64 bytes");
    tip.identity = Some(SignedIdentity {
        sender,
        timestamp_ns,
        signature,
    });
    tip.records().expect("valid records")
}

async fn failure_of(node: &Lnd, payment: OutgoingKeysend) -> PaymentFailure {
    match outcome(node.send(payment)).await {
        Ok(update) => match update.status {
            PaymentStatus::Failed(failure) => failure,
            other => panic!("expected a failure, got {other:?}"),
        },
        Err(err) => panic!("expected a failed payment, got the error {err}"),
    }
}

#[tokio::test]
async fn a_signed_message_arrives_and_verifies() {
    let sim = start().await;
    let node = connect_admin(&sim.handle).await;
    let (me, carol) = (sim.handle.user_node(), id(&sim, "carol"));
    let records = signed_message(&node, me, carol, "hello carol ⚡").await;
    let payment = keysend(carol, 1_000, records);
    let estimate = within(node.estimate_fee(&payment))
        .await
        .expect("a route to carol");
    assert_eq!(estimate.hops, 2, "satchel -> bob -> carol");
    assert!(estimate.fee > Msat::ZERO);

    let all = updates(node.send(payment.clone())).await;
    let last = all.last().unwrap().clone().expect("no error");
    assert_eq!(
        last.status,
        PaymentStatus::Succeeded {
            preimage: payment.preimage
        }
    );
    assert!(
        all[..all.len() - 1]
            .iter()
            .all(|u| !u.as_ref().unwrap().status.is_final())
    );
    assert_eq!(
        (last.hash, last.amount, last.hops),
        (payment.hash(), Msat::from_sat(1_000), 2)
    );
    assert_eq!(
        last.fee, estimate.fee,
        "the estimate counted the same route"
    );

    let (_carol_handle, carol_node) = serve(&sim, "carol").await;
    let inbox = within(carol_node.received_page(0, 100)).await.unwrap();
    let item = inbox
        .items
        .iter()
        .find(|i| i.hash == payment.hash())
        .expect("carol received it");
    assert_eq!(item.records[&MESSAGE], "hello carol ⚡".as_bytes());
    assert_eq!(item.records[&SENDER_PUBKEY], me.as_bytes().to_vec());
    assert_eq!(item.amount, Msat::from_sat(1_000));
    assert_eq!(
        verify_sender(&item.records, &carol),
        Sender::Verified {
            id: me,
            scheme: Scheme::Whatsat
        },
        "carol can verify that satchel signed it"
    );
}

#[tokio::test]
async fn each_failure_kind_is_reported() {
    let sim = start().await;
    let node = connect_admin(&sim.handle).await;
    let erin = keysend(id(&sim, "erin"), 100, message("hi"));
    assert_eq!(
        failure_of(&node, erin).await,
        PaymentFailure::ReceiverRefusedKeysend
    );

    let stranger: NodeId = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"
        .parse()
        .unwrap();
    assert_eq!(
        failure_of(&node, keysend(stranger, 100, message("hi"))).await,
        PaymentFailure::NoRoute
    );

    let novel = "x".repeat(1_300);
    let too_large = keysend(id(&sim, "alice"), 100, message(&novel));
    assert_eq!(failure_of(&node, too_large).await, PaymentFailure::NoRoute);

    let too_much = keysend(id(&sim, "alice"), 9_000_000, message("all of it"));
    assert_eq!(
        failure_of(&node, too_much).await,
        PaymentFailure::InsufficientBalance
    );

    let mut stingy = keysend(id(&sim, "carol"), 100, message("hi"));
    stingy.fee_limit = Msat(1);
    assert_eq!(failure_of(&node, stingy).await, PaymentFailure::NoRoute);
}

#[tokio::test]
async fn the_same_hash_is_not_paid_twice_and_can_be_tracked() {
    let sim = start().await;
    let node = connect_admin(&sim.handle).await;
    let payment = keysend(id(&sim, "alice"), 50, message("once"));
    let first = outcome(node.send(payment.clone())).await.unwrap();
    assert!(matches!(first.status, PaymentStatus::Succeeded { .. }));
    assert_eq!(
        outcome(node.send(payment.clone())).await,
        Err(NodeError::AlreadyPaid)
    );

    let tracked = updates(node.track(payment.hash())).await;
    assert_eq!(
        tracked.len(),
        1,
        "a finished payment is reported once: {tracked:?}"
    );
    assert_eq!(tracked[0].as_ref().unwrap().status, first.status);

    let unknown = keysend(id(&sim, "alice"), 1, Records::new()).hash();
    assert!(matches!(
        outcome(node.track(unknown)).await,
        Err(NodeError::NotFound(_))
    ));
}

#[tokio::test]
async fn fees_for_unknown_nodes_and_node_signatures() {
    let Sim { handle, dir: _dir } = start().await;
    let node = connect_admin(&handle).await;
    let stranger: NodeId = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"
        .parse()
        .unwrap();
    let estimate = within(node.estimate_fee(&keysend(stranger, 10, Records::new()))).await;
    assert!(
        matches!(estimate, Err(NodeError::NotFound(_))),
        "{estimate:?}"
    );

    let signature = within(node.sign_with_node_key(b"payload".to_vec()))
        .await
        .unwrap();
    assert_eq!(signature.len(), 64);
    let key = PublicKey::from_slice(handle.user_node().as_bytes()).unwrap();
    let signature = Signature::from_compact(&signature).unwrap();
    assert!(
        SECP256K1
            .verify_ecdsa(&whatsat_digest(b"payload"), &signature, &key)
            .is_ok()
    );
}

#[tokio::test]
async fn sent_history_reads_messages_from_the_final_hop() {
    let sim = start().await;
    let node = connect_admin(&sim.handle).await;
    let sends = [
        ("alice", "to alice"),
        ("dave", "boost!"),
        ("erin", "refused"),
    ];
    let mut hashes = Vec::new();
    for (name, text) in sends {
        let payment = keysend(id(&sim, name), 21, message(text));
        hashes.push(payment.hash());
        let _ = outcome(node.send(payment)).await.unwrap();
    }
    let page = within(node.sent_page(0, 100)).await.unwrap();
    assert_eq!(page.items.len(), 3);
    for ((name, text), hash) in sends.iter().zip(&hashes) {
        let item = page
            .items
            .iter()
            .find(|i| i.hash == *hash)
            .expect("in the history");
        assert_eq!(item.destination, Some(id(&sim, name)));
        assert_eq!(
            item.records,
            message(text),
            "{name}: the message without the preimage record"
        );
        assert_eq!(item.amount, Msat::from_sat(21));
    }
    let refused = &page.items[2];
    assert_eq!(
        refused.status,
        PaymentStatus::Failed(PaymentFailure::ReceiverRefusedKeysend)
    );

    // One at a time: strictly after the previous index, then an empty end.
    let mut after = 0;
    let mut seen = Vec::new();
    loop {
        let page = within(node.sent_page(after, 1)).await.unwrap();
        if page.scanned == 0 {
            assert_eq!(page.last_index, after);
            break;
        }
        assert!(page.last_index > after);
        seen.extend(page.items.iter().map(|i| i.hash));
        after = page.last_index;
    }
    assert_eq!(seen, hashes);
}
