//! Received spontaneous AMP payments (issue 17): LND keeps them in an AMP
//! invoice (`is_amp`, state OPEN) whose HTLCs each carry the payer's
//! records and an AMP record; a set is paid when
//! `amp_invoice_state[hex set id]` is SETTLED. Each settled set becomes one
//! received payment, decoded like a keysend: its id is the set id, its
//! amount the sum of its shards, its records those of its first shard
//! (every shard carries the same records).

use super::from_proto_records;
use crate::keysend::{Msat, PaymentHash};
use crate::node::ReceivedKeysend;
use crate::rpc::lnrpc::{self, InvoiceHtlcState};

/// One [`ReceivedKeysend`] per settled set, in settle order.
pub(crate) fn received(invoice: lnrpc::Invoice) -> Vec<ReceivedKeysend> {
    let mut sets: Vec<(String, lnrpc::AmpInvoiceState)> = invoice
        .amp_invoice_state
        .clone()
        .into_iter()
        .filter(|(_, state)| state.state() == InvoiceHtlcState::Settled)
        .collect();
    sets.sort_by_key(|(_, state)| state.settle_index);
    sets.into_iter()
        .filter_map(|(set_hex, state)| one_set(&invoice, &set_hex, &state))
        .collect()
}

fn one_set(
    invoice: &lnrpc::Invoice,
    set_hex: &str,
    state: &lnrpc::AmpInvoiceState,
) -> Option<ReceivedKeysend> {
    let set_id = hex::decode(set_hex).ok()?;
    let hash = PaymentHash::from_slice(&set_id)?;
    let mut shards: Vec<&lnrpc::InvoiceHtlc> = invoice
        .htlcs
        .iter()
        .filter(|h| h.state() != InvoiceHtlcState::Canceled)
        .filter(|h| h.amp.as_ref().is_some_and(|a| a.set_id == set_id))
        .collect();
    shards.sort_by_key(|h| h.amp.as_ref().map_or(0, |a| a.child_index));
    let first = shards.first()?;
    Some(ReceivedKeysend {
        hash,
        chan_id: first.chan_id,
        htlc_index: first.htlc_index,
        amount: Msat(shards.iter().map(|h| h.amt_msat).sum()),
        add_index: invoice.add_index,
        settle_index: state.settle_index,
        created_at: invoice.creation_date,
        settled_at: state.settle_time,
        records: from_proto_records(first.custom_records.clone()),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::keysend::record::MESSAGE;

    fn shard(set: u8, child: u32, amt: u64) -> lnrpc::InvoiceHtlc {
        lnrpc::InvoiceHtlc {
            chan_id: 7 + u64::from(child),
            amt_msat: amt,
            state: InvoiceHtlcState::Settled as i32,
            custom_records: HashMap::from([(MESSAGE, b"big tip".to_vec())]),
            amp: Some(lnrpc::Amp {
                set_id: vec![set; 32],
                child_index: child,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn settled_sets_become_one_payment_each() {
        let settled = |index| lnrpc::AmpInvoiceState {
            state: InvoiceHtlcState::Settled as i32,
            settle_index: index,
            settle_time: 1_700_000_000,
            amt_paid_msat: 0,
        };
        let invoice = lnrpc::Invoice {
            is_amp: true,
            add_index: 3,
            htlcs: vec![shard(1, 1, 400), shard(1, 0, 600), shard(2, 0, 50)],
            amp_invoice_state: HashMap::from([
                (hex::encode([1u8; 32]), settled(9)),
                (
                    hex::encode([2u8; 32]),
                    lnrpc::AmpInvoiceState {
                        state: InvoiceHtlcState::Accepted as i32,
                        ..settled(0)
                    },
                ),
            ]),
            ..Default::default()
        };
        let got = received(invoice);
        assert_eq!(got.len(), 1, "the accepted set is not paid yet");
        assert_eq!(got[0].amount, Msat(1000));
        assert_eq!(got[0].chan_id, 7, "child 0 names the payment");
        assert_eq!(got[0].settle_index, 9);
        assert_eq!(got[0].records[&MESSAGE], b"big tip");
    }
}
