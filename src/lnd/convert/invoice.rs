//! Received keysends: LND turns each accepted keysend into an invoice
//! (`is_keysend`, no payment request) whose HTLCs carry the onion's custom
//! records. One [`ReceivedKeysend`] per settled HTLC: LND appends a second
//! HTLC to a SETTLED invoice when a sender reuses a preimage, each with its
//! own records (research notes §2.2).

use crate::keysend::{Msat, PaymentHash};
use crate::node::{ReceivedKeysend, ReceivedPage};
use crate::rpc::lnrpc::invoice::InvoiceState;
use crate::rpc::lnrpc::{self, InvoiceHtlcState};

use super::from_proto_records;

/// The received keysends in one invoice: empty unless it is a SETTLED
/// keysend invoice. Canceled HTLCs are left out.
pub(crate) fn received(invoice: lnrpc::Invoice) -> Vec<ReceivedKeysend> {
    if invoice.is_amp {
        return super::amp_invoice::received(invoice);
    }
    if !invoice.is_keysend || invoice.state() != InvoiceState::Settled {
        return Vec::new();
    }
    let Some(hash) = PaymentHash::from_slice(&invoice.r_hash) else {
        log::warn!(
            "skipping keysend invoice {} with a {}-byte hash",
            invoice.add_index,
            invoice.r_hash.len()
        );
        return Vec::new();
    };
    let (add_index, settle_index) = (invoice.add_index, invoice.settle_index);
    let (created_at, settle_date) = (invoice.creation_date, invoice.settle_date);
    invoice
        .htlcs
        .into_iter()
        .filter(|htlc| htlc.state() != InvoiceHtlcState::Canceled)
        .map(|htlc| ReceivedKeysend {
            hash,
            chan_id: htlc.chan_id,
            htlc_index: htlc.htlc_index,
            amount: Msat(htlc.amt_msat),
            add_index,
            settle_index,
            created_at,
            // Each HTLC's own resolve time: a repeated hash settles later.
            settled_at: if htlc.resolve_time > 0 {
                htlc.resolve_time
            } else {
                settle_date
            },
            records: from_proto_records(htlc.custom_records),
        })
        .collect()
}

/// One page of `ListInvoices` (forward from `after_add_index`).
pub(crate) fn received_page(
    page: lnrpc::ListInvoiceResponse,
    after_add_index: u64,
) -> ReceivedPage {
    let scanned = page.invoices.len();
    let last = page
        .invoices
        .iter()
        .map(|i| i.add_index)
        .max()
        .unwrap_or(after_add_index);
    ReceivedPage {
        items: page.invoices.into_iter().flat_map(received).collect(),
        last_add_index: last.max(after_add_index),
        scanned,
    }
}

#[cfg(test)]
#[path = "invoice_tests.rs"]
mod tests;
