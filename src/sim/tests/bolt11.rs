//! BOLT11 invoices as LND serves them: AddInvoice returns a signed payment
//! request; SendPaymentV2 with it pays the payee and settles the invoice
//! (LookupInvoice says SETTLED, not a keysend); a second payment and a
//! wrong amount are refused as LND refuses them.

use tonic::Code;

use super::{admin, admin_sim};
use crate::keysend::Msat;
use crate::payto::Invoice;
use crate::rpc::lnrpc::{self, payment::PaymentStatus};
use crate::rpc::routerrpc::SendPaymentRequest;

fn pay_request(payment_request: &str, amt_msat: i64) -> SendPaymentRequest {
    SendPaymentRequest {
        payment_request: payment_request.to_owned(),
        amt_msat,
        fee_limit_msat: 100_000,
        timeout_seconds: 60,
        ..SendPaymentRequest::default()
    }
}

#[tokio::test]
async fn add_invoice_then_pay_it_by_payment_request() {
    let (_dir, handle, mut client) = admin_sim(0).await;
    let grace_dir = tempfile::tempdir().unwrap();
    let grace_node = handle
        .serve_node("grace", grace_dir.path().to_owned())
        .await
        .unwrap();
    let mut grace = admin(&grace_node).await;
    let added = grace
        .lightning
        .add_invoice(lnrpc::Invoice {
            memo: "a book".into(),
            value_msat: 5_000_000,
            ..lnrpc::Invoice::default()
        })
        .await
        .unwrap()
        .into_inner();
    let invoice = Invoice::decode(&added.payment_request).unwrap();
    assert_eq!(invoice.payee, handle.node_id("grace").unwrap());
    assert_eq!(invoice.amount, Some(Msat(5_000_000)));
    assert_eq!(invoice.payment_hash.as_bytes().as_slice(), added.r_hash);
    assert_eq!(invoice.currency, "bcrt", "the sim is regtest");
    let open = grace.lookup(&added.r_hash).await.unwrap();
    assert_eq!((open.state, open.is_keysend), (0, false));
    assert_eq!(open.payment_request, added.payment_request);

    let refused = client
        .router
        .send_payment_v2(pay_request(&added.payment_request, 1_000))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Code::InvalidArgument, "{refused:?}");

    let updates = client.pay(pay_request(&added.payment_request, 0)).await;
    let done = updates.last().unwrap();
    assert_eq!(done.status, PaymentStatus::Succeeded as i32);
    assert_eq!(done.payment_request, added.payment_request);
    let settled = grace.lookup(&added.r_hash).await.unwrap();
    assert_eq!(settled.state, 1, "SETTLED");
    assert_eq!(hex::encode(&settled.r_preimage), done.payment_preimage);
    assert_eq!(settled.amt_paid_msat, 5_000_000);

    let twice = client
        .router
        .send_payment_v2(pay_request(&added.payment_request, 0))
        .await
        .unwrap_err();
    assert_eq!(twice.code(), Code::AlreadyExists);
}

#[tokio::test]
async fn a_zero_amount_invoice_needs_an_amount() {
    let (_dir, handle, mut client) = admin_sim(0).await;
    let (text, hash) = handle.add_invoice("carol", None, "tips", None).unwrap();
    let refused = client
        .router
        .send_payment_v2(pay_request(&text, 0))
        .await
        .unwrap_err();
    assert!(
        refused.message().contains("amount must be specified"),
        "{refused:?}"
    );
    let updates = client.pay(pay_request(&text, 7_000)).await;
    let done = updates.last().unwrap();
    assert_eq!(done.status, PaymentStatus::Succeeded as i32);
    assert_eq!(done.payment_hash, hash.to_hex());
    assert_eq!(done.value_msat, 7_000);
}
