//! Outgoing keysends: the `SendPaymentV2` request, `lnrpc.Payment` ->
//! [`PaymentUpdate`], and our sent history from `ListPayments`.

use super::{from_proto_records, msat_from_i64, msat_to_i64, to_proto_records};
use crate::keysend::record::KEYSEND_PREIMAGE;
use crate::keysend::{NodeId, PaymentHash, Preimage, Records};
use crate::node::{
    NodeError, OutgoingKeysend, PaymentFailure, PaymentStatus, PaymentUpdate, SentKeysend, SentPage,
};
use crate::rpc::lnrpc::failure::FailureCode;
use crate::rpc::lnrpc::htlc_attempt::HtlcStatus;
use crate::rpc::lnrpc::payment::PaymentStatus as ProtoStatus;
use crate::rpc::lnrpc::{self, PaymentFailureReason as Reason};
use crate::rpc::routerrpc;

/// `SendPaymentV2` for a keysend. LND: there is no keysend flag; a keysend
/// is `dest_custom_records[5482373484] = preimage` with
/// `payment_hash = SHA-256(preimage)`, `dest` as raw 33 bytes.
/// `fee_limit_msat` is always set (0 would mean zero-fee routes only).
pub(crate) fn send_request(keysend: &OutgoingKeysend) -> routerrpc::SendPaymentRequest {
    if let Some(invoice) = keysend.invoice() {
        return invoice_request(keysend, invoice);
    }
    let mut records = to_proto_records(&keysend.records);
    let _ = records.insert(KEYSEND_PREIMAGE, keysend.preimage.as_bytes().to_vec());
    routerrpc::SendPaymentRequest {
        dest: keysend.destination.as_bytes().to_vec(),
        amt_msat: msat_to_i64(keysend.amount),
        payment_hash: keysend.hash().as_bytes().to_vec(),
        dest_custom_records: records,
        fee_limit_msat: msat_to_i64(keysend.fee_limit),
        timeout_seconds: timeout_seconds(keysend.timeout),
        no_inflight_updates: false,
        ..Default::default()
    }
}

/// `SendPaymentV2` for a BOLT11 invoice. LND: `amt` only for a zero-amount
/// invoice (otherwise "amount must not be specified").
fn invoice_request(keysend: &OutgoingKeysend, invoice: &str) -> routerrpc::SendPaymentRequest {
    let has_amount = crate::payto::Invoice::decode(invoice).is_ok_and(|i| i.amount.is_some());
    routerrpc::SendPaymentRequest {
        payment_request: invoice.to_owned(),
        amt_msat: if has_amount {
            0
        } else {
            msat_to_i64(keysend.amount)
        },
        fee_limit_msat: msat_to_i64(keysend.fee_limit),
        timeout_seconds: timeout_seconds(keysend.timeout),
        no_inflight_updates: false,
        ..Default::default()
    }
}

/// LND: 0 means its default (60 s), so round up to at least one second.
fn timeout_seconds(timeout: std::time::Duration) -> i32 {
    let seconds = timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0);
    i32::try_from(seconds.max(1)).unwrap_or(i32::MAX)
}

/// One progress report from `SendPaymentV2` / `TrackPaymentV2`.
pub(crate) fn payment_update(payment: &lnrpc::Payment) -> Result<PaymentUpdate, NodeError> {
    let attempt = chosen_attempt(payment);
    Ok(PaymentUpdate {
        hash: payment_hash(&payment.payment_hash)?,
        status: status(payment)?,
        amount: msat_from_i64(payment.value_msat),
        fee: msat_from_i64(payment.fee_msat),
        hops: attempt.map_or(0, |a| hop_count(a.route.as_ref())),
        attempts: u32::try_from(payment.htlcs.len()).unwrap_or(u32::MAX),
        created_ns: payment.creation_time_ns,
    })
}

/// Where the payment stands.
pub(crate) fn status(payment: &lnrpc::Payment) -> Result<PaymentStatus, NodeError> {
    Ok(match payment.status() {
        ProtoStatus::InFlight => PaymentStatus::InFlight,
        ProtoStatus::Succeeded => PaymentStatus::Succeeded {
            preimage: preimage(payment)?,
        },
        ProtoStatus::Failed => PaymentStatus::Failed(failure(payment)),
        // INITIATED, and the deprecated UNKNOWN that LND never sends.
        _ => PaymentStatus::Initiated,
    })
}

/// Why a FAILED payment failed (LND: `PaymentFailureReason`, see the
/// research notes §2.5 for what each receiver answers).
pub(crate) fn failure(payment: &lnrpc::Payment) -> PaymentFailure {
    match payment.failure_reason() {
        Reason::FailureReasonTimeout => PaymentFailure::Timeout,
        Reason::FailureReasonNoRoute => PaymentFailure::NoRoute,
        // LND: a receiver without accept-keysend answers
        // incorrect_or_unknown_payment_details.
        Reason::FailureReasonIncorrectPaymentDetails => PaymentFailure::ReceiverRefusedKeysend,
        Reason::FailureReasonInsufficientBalance => PaymentFailure::InsufficientBalance,
        Reason::FailureReasonCanceled => PaymentFailure::Canceled,
        // ERROR covers INVALID_ONION_PAYLOAD (the receiver's wallet refused
        // our records): PaymentFailure::Error explains that.
        Reason::FailureReasonError | Reason::FailureReasonNone => {
            match last_failure_code(payment) {
                Some(FailureCode::IncorrectOrUnknownPaymentDetails) => {
                    PaymentFailure::ReceiverRefusedKeysend
                }
                _ => PaymentFailure::Error,
            }
        }
    }
}

fn last_failure_code(payment: &lnrpc::Payment) -> Option<FailureCode> {
    payment
        .htlcs
        .iter()
        .rev()
        .find_map(|htlc| htlc.failure.as_ref())
        .map(lnrpc::Failure::code)
}

/// The succeeded HTLC attempt, else the last one.
fn chosen_attempt(payment: &lnrpc::Payment) -> Option<&lnrpc::HtlcAttempt> {
    payment
        .htlcs
        .iter()
        .find(|htlc| htlc.status() == HtlcStatus::Succeeded)
        .or_else(|| payment.htlcs.last())
}

fn hop_count(route: Option<&lnrpc::Route>) -> u32 {
    route.map_or(0, |r| u32::try_from(r.hops.len()).unwrap_or(u32::MAX))
}

fn final_hop(payment: &lnrpc::Payment) -> Option<&lnrpc::Hop> {
    chosen_attempt(payment)?.route.as_ref()?.hops.last()
}

fn payment_hash(hex: &str) -> Result<PaymentHash, NodeError> {
    hex.parse()
        .map_err(|_| NodeError::Other(format!("the node sent an invalid payment hash {hex:?}")))
}

/// LND: `payment_preimage` is hex; the succeeded attempt carries raw bytes.
fn preimage(payment: &lnrpc::Payment) -> Result<Preimage, NodeError> {
    let from_hex = hex::decode(&payment.payment_preimage)
        .ok()
        .and_then(|b| Preimage::from_slice(&b));
    let from_attempt = || chosen_attempt(payment).and_then(|a| Preimage::from_slice(&a.preimage));
    from_hex.or_else(from_attempt).ok_or_else(|| {
        NodeError::Other("the node reported a success without a valid preimage".into())
    })
}

/// A payment we sent, from `ListPayments`: keysends and (issue 16, "shown
/// in Sent") invoice payments, whose final hop carries no records. `None`
/// for entries that cannot be read.
pub(crate) fn sent(payment: &lnrpc::Payment) -> Option<SentKeysend> {
    let hop = final_hop(payment);
    let mut records: Records = hop
        .map(|h| from_proto_records(h.custom_records.clone()))
        .unwrap_or_default();
    let _ = records.remove(&KEYSEND_PREIMAGE);
    let read = || -> Result<SentKeysend, NodeError> {
        Ok(SentKeysend {
            hash: payment_hash(&payment.payment_hash)?,
            payment_index: payment.payment_index,
            destination: hop.and_then(|h| h.pub_key.parse::<NodeId>().ok()),
            amount: msat_from_i64(payment.value_msat),
            fee: msat_from_i64(payment.fee_msat),
            status: status(payment)?,
            created_ns: payment.creation_time_ns,
            records,
        })
    };
    read()
        .inspect_err(|err| log::warn!("skipping payment {}: {err}", payment.payment_index))
        .ok()
}

/// One page of `ListPayments` as sent keysends.
pub(crate) fn sent_page(page: lnrpc::ListPaymentsResponse, after_index: u64) -> SentPage {
    let last_index = page
        .payments
        .iter()
        .map(|p| p.payment_index)
        .max()
        .unwrap_or(after_index);
    SentPage {
        items: page.payments.iter().filter_map(sent).collect(),
        last_index: last_index.max(after_index),
        scanned: page.payments.len(),
    }
}

#[cfg(test)]
#[path = "payment_tests.rs"]
mod tests;
