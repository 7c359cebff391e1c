//! Tests for keysend requests, payment updates and sent history.

use std::time::Duration;

use super::*;
use crate::keysend::Msat;
use crate::keysend::record::MESSAGE;
use crate::lnd::convert::tests::{ALICE, BOB, keysend_to_bob};

fn hop(pub_key: &str, records: &[(u64, &[u8])]) -> lnrpc::Hop {
    lnrpc::Hop {
        pub_key: pub_key.into(),
        custom_records: records.iter().map(|(k, v)| (*k, v.to_vec())).collect(),
        ..Default::default()
    }
}

fn attempt(
    status: HtlcStatus,
    hops: Vec<lnrpc::Hop>,
    code: Option<FailureCode>,
) -> lnrpc::HtlcAttempt {
    lnrpc::HtlcAttempt {
        status: status as i32,
        route: Some(lnrpc::Route {
            hops,
            ..Default::default()
        }),
        failure: code.map(|c| lnrpc::Failure {
            code: c as i32,
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn payment(status: ProtoStatus, reason: Reason, htlcs: Vec<lnrpc::HtlcAttempt>) -> lnrpc::Payment {
    lnrpc::Payment {
        payment_hash: Preimage::from_bytes([7; 32]).hash().to_hex(),
        value_msat: 1_000_000,
        fee_msat: 1_001,
        creation_time_ns: 1_700_000_000_000_000_000,
        status: status as i32,
        failure_reason: reason as i32,
        payment_index: 9,
        htlcs,
        ..Default::default()
    }
}

fn failed(reason: Reason, code: Option<FailureCode>) -> PaymentStatus {
    let htlcs = vec![attempt(HtlcStatus::Failed, vec![hop(BOB, &[])], code)];
    status(&payment(ProtoStatus::Failed, reason, htlcs)).unwrap()
}

#[test]
fn send_request_is_a_keysend() {
    let keysend = keysend_to_bob();
    let request = send_request(&keysend);
    assert_eq!(request.dest, keysend.destination.as_bytes().to_vec());
    assert_eq!(request.dest.len(), 33);
    assert_eq!(request.payment_hash, keysend.hash().as_bytes().to_vec());
    assert_eq!(
        request.dest_custom_records.get(&KEYSEND_PREIMAGE),
        Some(&vec![7; 32])
    );
    assert_eq!(
        request.dest_custom_records.get(&MESSAGE),
        Some(&b"hi".to_vec())
    );
    assert_eq!((request.amt_msat, request.amt), (1_000_000, 0));
    assert_eq!((request.fee_limit_msat, request.fee_limit_sat), (5_000, 0));
    assert_eq!(request.timeout_seconds, 30);
    assert!(!request.no_inflight_updates);
    assert!(request.payment_request.is_empty());
}

#[test]
fn timeouts_round_up_to_whole_seconds() {
    let cases = [(0, 1), (500, 1), (1_000, 1), (1_500, 2), (60_000, 60)];
    for (millis, seconds) in cases {
        assert_eq!(
            timeout_seconds(Duration::from_millis(millis)),
            seconds,
            "{millis} ms"
        );
    }
}

#[test]
fn failure_reasons_map_to_domain_failures() {
    use FailureCode::*;
    let cases = [
        (
            Reason::FailureReasonIncorrectPaymentDetails,
            Some(IncorrectOrUnknownPaymentDetails),
            PaymentFailure::ReceiverRefusedKeysend,
        ),
        (Reason::FailureReasonNoRoute, None, PaymentFailure::NoRoute),
        (
            Reason::FailureReasonInsufficientBalance,
            None,
            PaymentFailure::InsufficientBalance,
        ),
        (Reason::FailureReasonTimeout, None, PaymentFailure::Timeout),
        (
            Reason::FailureReasonError,
            Some(InvalidOnionPayload),
            PaymentFailure::Error,
        ),
        (
            Reason::FailureReasonError,
            Some(IncorrectOrUnknownPaymentDetails),
            PaymentFailure::ReceiverRefusedKeysend,
        ),
        (
            Reason::FailureReasonCanceled,
            None,
            PaymentFailure::Canceled,
        ),
        (Reason::FailureReasonNone, None, PaymentFailure::Error),
    ];
    for (reason, code, expected) in cases {
        assert_eq!(
            failed(reason, code),
            PaymentStatus::Failed(expected),
            "{reason:?} {code:?}"
        );
    }
}

#[test]
fn update_reports_success_fee_and_hops() {
    let htlcs = vec![
        attempt(
            HtlcStatus::Failed,
            vec![hop(ALICE, &[])],
            Some(FailureCode::TemporaryChannelFailure),
        ),
        attempt(
            HtlcStatus::Succeeded,
            vec![hop(ALICE, &[]), hop(BOB, &[])],
            None,
        ),
    ];
    let mut succeeded = payment(ProtoStatus::Succeeded, Reason::FailureReasonNone, htlcs);
    succeeded.payment_preimage = hex::encode([7; 32]);
    let update = payment_update(&succeeded).unwrap();
    assert_eq!(update.hash, Preimage::from_bytes([7; 32]).hash());
    assert_eq!(
        update.status,
        PaymentStatus::Succeeded {
            preimage: Preimage::from_bytes([7; 32])
        }
    );
    assert_eq!((update.amount, update.fee), (Msat(1_000_000), Msat(1_001)));
    assert_eq!((update.hops, update.attempts), (2, 2));
    assert_eq!(update.created_ns, 1_700_000_000_000_000_000);

    // No hex preimage: the succeeded attempt's raw bytes are used.
    succeeded.payment_preimage.clear();
    succeeded.htlcs[1].preimage = vec![7; 32];
    assert!(matches!(
        payment_update(&succeeded).unwrap().status,
        PaymentStatus::Succeeded { .. }
    ));
    succeeded.htlcs[1].preimage.clear();
    assert!(
        payment_update(&succeeded).is_err(),
        "a success needs a preimage"
    );
}

#[test]
fn update_for_in_flight_and_initiated() {
    let in_flight = payment(ProtoStatus::InFlight, Reason::FailureReasonNone, vec![]);
    let update = payment_update(&in_flight).unwrap();
    assert_eq!(
        (update.status, update.hops, update.attempts),
        (PaymentStatus::InFlight, 0, 0)
    );
    let initiated = payment(ProtoStatus::Initiated, Reason::FailureReasonNone, vec![]);
    assert_eq!(
        payment_update(&initiated).unwrap().status,
        PaymentStatus::Initiated
    );
    let mut bad = in_flight;
    bad.payment_hash = "xyz".into();
    assert!(payment_update(&bad).is_err());
}

#[test]
fn sent_reads_the_final_hop_records() {
    let records: &[(u64, &[u8])] = &[(KEYSEND_PREIMAGE, &[7; 32]), (MESSAGE, b"hello bob")];
    let htlcs = vec![attempt(
        HtlcStatus::Succeeded,
        vec![hop(ALICE, &[]), hop(BOB, records)],
        None,
    )];
    let mut p = payment(ProtoStatus::Succeeded, Reason::FailureReasonNone, htlcs);
    p.payment_preimage = hex::encode([7; 32]);
    p.payment_request = "lnbcrt1fake".into(); // still a keysend: the record says so
    let sent = sent(&p).unwrap();
    assert_eq!(sent.destination.map(|d| d.to_hex()), Some(BOB.to_owned()));
    assert_eq!(
        sent.records,
        Records::from([(MESSAGE, b"hello bob".to_vec())])
    );
    assert_eq!(
        (sent.payment_index, sent.amount, sent.fee),
        (9, Msat(1_000_000), Msat(1_001))
    );
}

#[test]
fn sent_keeps_invoice_payments_and_failed_keysends() {
    let invoice_htlcs = vec![attempt(HtlcStatus::Succeeded, vec![hop(BOB, &[])], None)];
    let mut invoice = payment(
        ProtoStatus::Succeeded,
        Reason::FailureReasonNone,
        invoice_htlcs,
    );
    invoice.payment_request = "lnbcrt1invoice".into();
    invoice.payment_preimage = hex::encode([7; 32]);
    let paid = sent(&invoice).expect("an invoice payment is listed");
    assert_eq!(paid.destination.map(|d| d.to_hex()), Some(BOB.to_owned()));
    assert!(paid.records.is_empty());

    let no_attempt = payment(ProtoStatus::Failed, Reason::FailureReasonNoRoute, vec![]);
    let sent_failed = sent(&no_attempt).unwrap();
    assert_eq!(sent_failed.destination, None);
    assert_eq!(
        sent_failed.status,
        PaymentStatus::Failed(PaymentFailure::NoRoute)
    );
    assert!(sent_failed.records.is_empty());
}

#[test]
fn sent_page_advances_past_everything_scanned() {
    let mut invoice = payment(ProtoStatus::Failed, Reason::FailureReasonNoRoute, vec![]);
    invoice.payment_request = "lnbcrt1invoice".into();
    invoice.payment_index = 12;
    let keysend = payment(ProtoStatus::Failed, Reason::FailureReasonNoRoute, vec![]);
    let page = lnrpc::ListPaymentsResponse {
        payments: vec![keysend, invoice],
        ..Default::default()
    };
    let page = sent_page(page, 5);
    assert_eq!(
        (page.items.len(), page.last_index, page.scanned),
        (2, 12, 2)
    );
    let empty = sent_page(lnrpc::ListPaymentsResponse::default(), 5);
    assert_eq!(
        (empty.items.len(), empty.last_index, empty.scanned),
        (0, 5, 0)
    );
}
