//! Keysend payments: success, refusal by the receiver, size and fee limits,
//! duplicates, tracking and listing.

use std::time::Duration;

use tonic::Code;

use super::{admin, admin_sim, keysend};
use crate::keysend::Records;
use crate::keysend::record::{KEYSEND_PREIMAGE, MESSAGE};
use crate::rpc::lnrpc::{
    ListPaymentsRequest, PaymentFailureReason, QueryRoutesRequest, failure, htlc_attempt,
    payment::PaymentStatus,
};
use crate::rpc::routerrpc::TrackPaymentRequest;

fn message(text: &str) -> Records {
    Records::from([(MESSAGE, text.as_bytes().to_vec())])
}

#[tokio::test]
async fn keysend_to_grace_succeeds_and_creates_the_invoice() {
    let (_dir, handle, mut client) = admin_sim(0).await;
    let grace = handle.node_id("grace").unwrap();
    let (request, preimage) = keysend(grace, 1_000, message("hello grace"));
    let updates = client.pay(request).await;
    let statuses: Vec<_> = updates.iter().map(|u| u.status).collect();
    assert_eq!(
        statuses,
        [
            PaymentStatus::InFlight as i32,
            PaymentStatus::Succeeded as i32
        ]
    );
    assert_eq!(
        updates[0].htlcs[0].status,
        htlc_attempt::HtlcStatus::InFlight as i32
    );
    let done = updates.last().unwrap();
    assert_eq!(done.payment_preimage, preimage.to_hex());
    assert_eq!(done.fee_msat, 2_150, "bob 1000+200ppm, carol 800+150ppm");
    let route = done.htlcs[0].route.as_ref().unwrap();
    assert_eq!(route.hops.len(), 3);
    assert_eq!(route.hops[2].custom_records[&MESSAGE], b"hello grace");
    assert_eq!(
        route.hops[2].custom_records[&KEYSEND_PREIMAGE],
        preimage.as_bytes()
    );

    let grace_dir = tempfile::tempdir().unwrap();
    let grace_node = handle
        .serve_node("grace", grace_dir.path().to_owned())
        .await
        .unwrap();
    let mut grace_client = admin(&grace_node).await;
    let invoice = grace_client
        .lookup(preimage.hash().as_bytes())
        .await
        .unwrap();
    assert!(invoice.is_keysend);
    assert_eq!(
        (invoice.state, invoice.value_msat, invoice.amt_paid_sat),
        (1, 1_000_000, 1_000)
    );
    assert_eq!(invoice.r_preimage, preimage.as_bytes());
    assert_eq!(invoice.payment_addr, vec![0; 32]);
    assert_eq!(invoice.features[&8].name, "tlv-onion");
    assert_eq!((invoice.add_index, invoice.settle_index), (1, 1));
    let htlc = &invoice.htlcs[0];
    assert_eq!(htlc.custom_records[&MESSAGE], b"hello grace");
    assert_eq!(htlc.custom_records[&KEYSEND_PREIMAGE], preimage.as_bytes());
    let balance = client.balance().await;
    assert_eq!(
        balance.local_balance.unwrap().msat,
        8_700_000_000 - 1_002_150
    );
    grace_node.shutdown().await;
    handle.shutdown().await;
}

#[tokio::test]
async fn keysend_to_erin_fails_with_incorrect_payment_details() {
    let (_dir, handle, mut client) = admin_sim(0).await;
    let (request, _) = keysend(handle.node_id("erin").unwrap(), 100, message("hi"));
    let updates = client.pay(request).await;
    let done = updates.last().unwrap();
    assert_eq!(done.status, PaymentStatus::Failed as i32);
    assert_eq!(
        done.failure_reason,
        PaymentFailureReason::FailureReasonIncorrectPaymentDetails as i32
    );
    let attempt = &done.htlcs[0];
    let failure = attempt.failure.as_ref().unwrap();
    assert_eq!(
        failure.code,
        failure::FailureCode::IncorrectOrUnknownPaymentDetails as i32
    );
    assert_eq!(failure.failure_source_index, 2, "alice, then erin");
    let balance = client.balance().await;
    assert_eq!(
        balance.local_balance.unwrap().sat,
        8_700_000,
        "a failed HTLC returns the funds"
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn limits_give_no_route_or_insufficient_balance() {
    let (_dir, handle, mut client) = admin_sim(0).await;
    let carol = handle.node_id("carol").unwrap();
    let cases = [
        (
            keysend(carol, 100, message(&"x".repeat(1_200))).0,
            PaymentFailureReason::FailureReasonNoRoute,
        ),
        (
            {
                let (mut request, _) = keysend(carol, 100, message("zero fee"));
                request.fee_limit_sat = 0;
                request
            },
            PaymentFailureReason::FailureReasonNoRoute,
        ),
        (
            keysend(carol, 50_000_000, message("too much")).0,
            PaymentFailureReason::FailureReasonInsufficientBalance,
        ),
    ];
    for (request, reason) in cases {
        let updates = client.pay(request).await;
        assert_eq!(updates.len(), 1);
        assert_eq!(updates[0].status, PaymentStatus::Failed as i32);
        assert_eq!(updates[0].failure_reason, reason as i32);
    }
    let (mut bad, _) = keysend(carol, 100, Records::new());
    let _ = bad.dest_custom_records.insert(65_535, b"low".to_vec());
    assert_eq!(
        client.router.send_payment_v2(bad).await.unwrap_err().code(),
        Code::InvalidArgument
    );
    let (mut both, _) = keysend(carol, 100, Records::new());
    both.amt_msat = 100_000;
    assert_eq!(
        client
            .router
            .send_payment_v2(both)
            .await
            .unwrap_err()
            .code(),
        Code::InvalidArgument
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn duplicate_hash_is_refused_and_tracking_works() {
    let (_dir, handle, mut client) = admin_sim(0).await;
    let (request, preimage) = keysend(handle.node_id("alice").unwrap(), 500, message("once"));
    let first = client
        .router
        .send_payment_v2(request.clone())
        .await
        .unwrap()
        .into_inner();
    let status = client
        .router
        .send_payment_v2(request.clone())
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::AlreadyExists);
    let tracked = client.track(preimage.hash().as_bytes(), false).await;
    assert_eq!(
        tracked.last().unwrap().status,
        PaymentStatus::Succeeded as i32
    );
    drop(first);
    assert_eq!(
        client
            .router
            .send_payment_v2(request)
            .await
            .unwrap_err()
            .code(),
        Code::AlreadyExists
    );
    let unknown = TrackPaymentRequest {
        payment_hash: vec![9; 32],
        no_inflight_updates: false,
    };
    let status = client.router.track_payment_v2(unknown).await.unwrap_err();
    assert_eq!(
        (status.code(), status.message()),
        (Code::NotFound, "payment isn't initiated")
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn list_payments_pages_and_query_routes_counts_records() {
    let (_dir, handle, mut client) = admin_sim(0).await;
    let alice = handle.node_id("alice").unwrap();
    for i in 0..3 {
        let (request, _) = keysend(alice, 100 + i, message("page"));
        let _ = client.pay(request).await;
    }
    let (request, _) = keysend(handle.node_id("erin").unwrap(), 100, Records::new());
    let _ = client.pay(request).await;
    let list = |offset, max, reversed, incomplete| ListPaymentsRequest {
        index_offset: offset,
        max_payments: max,
        reversed,
        include_incomplete: incomplete,
        count_total_payments: true,
        ..Default::default()
    };
    let page = client.payments(list(0, 0, false, false)).await;
    assert_eq!(
        page.payments.len(),
        3,
        "failed payments need include_incomplete"
    );
    let page = client.payments(list(1, 2, false, true)).await;
    let indexes: Vec<_> = page.payments.iter().map(|p| p.payment_index).collect();
    assert_eq!(
        (
            indexes,
            page.first_index_offset,
            page.last_index_offset,
            page.total_num_payments
        ),
        (vec![2, 3], 2, 3, 4)
    );
    let page = client.payments(list(0, 2, true, true)).await;
    assert_eq!(
        page.payments
            .iter()
            .map(|p| p.payment_index)
            .collect::<Vec<_>>(),
        [3, 4]
    );

    let query = |len: usize| QueryRoutesRequest {
        pub_key: handle.node_id("carol").unwrap().to_hex(),
        amt: 100,
        dest_custom_records: [(KEYSEND_PREIMAGE, vec![0; 32]), (MESSAGE, vec![b'x'; len])].into(),
        ..Default::default()
    };
    let routes = client
        .lightning
        .query_routes(query(100))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(routes.routes[0].hops.len(), 2);
    assert_eq!(
        routes.routes[0].total_fees_msat, 1_020,
        "bob: 1000 + 200 ppm"
    );
    assert!(
        client.lightning.query_routes(query(1_152)).await.is_ok(),
        "research §2.6: 1152 bytes over two hops"
    );
    assert!(
        client.lightning.query_routes(query(1_153)).await.is_err(),
        "too large for two hops"
    );
    handle.shutdown().await;
}

#[tokio::test]
async fn payment_continues_after_the_client_hangs_up() {
    let (_dir, handle, mut client) = admin_sim(0).await;
    let (request, preimage) = keysend(handle.node_id("dave").unwrap(), 300, message("boost"));
    drop(client.router.send_payment_v2(request).await.unwrap());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let tracked = client.track(preimage.hash().as_bytes(), true).await;
    assert_eq!(
        tracked.len(),
        1,
        "no_inflight_updates sends only the terminal state"
    );
    assert_eq!(tracked[0].status, PaymentStatus::Succeeded as i32);
    handle.shutdown().await;
}
