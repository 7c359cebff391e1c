//! Sim state -> LND protobuf messages, filled the way LND fills them
//! (research §2.2, §2.8, §3): features with names, invoice HTLCs with
//! states and records, routes with every hop field, channel points.

use std::collections::HashMap;

use crate::rpc::lnrpc;

use super::graph::{self, CHANNELS, NODES};
use super::ledger::StoredInvoice;
use super::network::Network;
use super::route::PlannedRoute;

/// LND: the feature bit a keysend invoice carries ("tlv-onion", required).
const TLV_ONION_REQUIRED: u32 = 8;

/// A feature map for node `index` (bit -> name, optional, known).
pub(crate) fn node_features(index: usize) -> HashMap<u32, lnrpc::Feature> {
    graph::node_features(
        NODES[index].accepts_keysend,
        super::behaviour::accepts_amp(index),
    )
    .into_iter()
    .map(|f| (f.bit, feature(f.name, f.bit % 2 == 0)))
    .collect()
}

fn feature(name: &str, is_required: bool) -> lnrpc::Feature {
    lnrpc::Feature {
        name: name.to_owned(),
        is_required,
        is_known: true,
    }
}

/// The graph's view of node `index` (GetNodeInfo).
pub(crate) fn node_info(network: &Network, index: usize) -> lnrpc::NodeInfo {
    let spec = &NODES[index];
    let public: Vec<_> = graph::channels_of(index)
        .into_iter()
        .filter(|(c, _, _)| !CHANNELS[*c].private)
        .collect();
    let total_capacity = public
        .iter()
        .map(|(c, _, _)| CHANNELS[*c].capacity_sat as i64)
        .sum();
    lnrpc::NodeInfo {
        node: Some(lnrpc::LightningNode {
            last_update: 1_700_000_000 + index as u32 * 3_600,
            pub_key: network.ids[index].to_hex(),
            alias: spec.alias.to_owned(),
            addresses: vec![lnrpc::NodeAddress {
                network: "tcp".to_owned(),
                addr: format!("127.0.0.1:{}", 9735 + index),
            }],
            color: spec.color.to_owned(),
            features: node_features(index),
            custom_records: HashMap::new(),
        }),
        num_channels: public.len() as u32,
        total_capacity,
    }
}

/// One of `node`'s channels (ListChannels).
pub(crate) fn channel(network: &Network, index: usize, peer: usize, is_a: bool) -> lnrpc::Channel {
    let spec = &CHANNELS[index];
    let state = &network.channels[index];
    let local = network.local_msat(index, is_a) / 1000;
    let remote = network.local_msat(index, !is_a) / 1000;
    let (sent, received) = if is_a {
        (state.a_sent_msat, state.b_sent_msat)
    } else {
        (state.b_sent_msat, state.a_sent_msat)
    };
    lnrpc::Channel {
        active: true,
        remote_pubkey: network.ids[peer].to_hex(),
        channel_point: graph::channel_point(index),
        chan_id: state.chan_id,
        capacity: spec.capacity_sat as i64,
        local_balance: local as i64,
        remote_balance: remote as i64,
        commit_fee: if is_a { 2_810 } else { 0 },
        unsettled_balance: 0,
        total_satoshis_sent: (sent / 1000) as i64,
        total_satoshis_received: (received / 1000) as i64,
        num_updates: state.a_htlcs + state.b_htlcs,
        private: spec.private,
        initiator: is_a,
        chan_status_flags: "ChanStatusDefault".to_owned(),
    }
}

/// A sat/msat pair.
pub(crate) fn amount(msat: u64) -> lnrpc::Amount {
    lnrpc::Amount {
        sat: msat / 1000,
        msat,
    }
}

/// A stored keysend invoice as LND returns it.
#[allow(deprecated)] // LND still fills its deprecated fields.
pub(crate) fn invoice(stored: &StoredInvoice) -> lnrpc::Invoice {
    let paid: i64 = stored.htlcs.iter().map(|h| h.amt_msat as i64).sum();
    lnrpc::Invoice {
        r_preimage: stored.r_preimage.clone(),
        r_hash: stored.r_hash.clone(),
        value: stored.value_msat / 1000,
        value_msat: stored.value_msat,
        settled: stored.state == super::ledger::INVOICE_SETTLED,
        creation_date: stored.creation_date,
        settle_date: stored.settle_date,
        expiry: 86_400,
        cltv_expiry: 40,
        add_index: stored.add_index,
        settle_index: stored.settle_index,
        amt_paid: paid,
        amt_paid_sat: paid / 1000,
        amt_paid_msat: paid,
        state: if stored.is_amp {
            lnrpc::invoice::InvoiceState::Open as i32
        } else {
            stored.state
        },
        htlcs: stored.htlcs.iter().map(invoice_htlc).collect(),
        features: HashMap::from([(TLV_ONION_REQUIRED, feature("tlv-onion", true))]),
        is_keysend: stored.payment_request.is_empty() && !stored.is_amp,
        payment_request: stored.payment_request.clone(),
        memo: stored.memo.clone(),
        payment_addr: vec![0; 32],
        ..amp_fields(stored, paid)
    }
}

/// LND: a spontaneous AMP invoice is not a keysend, stays OPEN, and keeps
/// each set's state in `amp_invoice_state[hex set id]` (research §2.2).
fn amp_fields(stored: &StoredInvoice, paid: i64) -> lnrpc::Invoice {
    if !stored.is_amp {
        return lnrpc::Invoice::default();
    }
    let set = lnrpc::AmpInvoiceState {
        state: lnrpc::InvoiceHtlcState::Settled as i32,
        settle_index: stored.settle_index,
        settle_time: stored.settle_date,
        amt_paid_msat: paid,
    };
    lnrpc::Invoice {
        is_amp: true,
        amp_invoice_state: HashMap::from([(hex::encode(&stored.r_hash), set)]),
        ..lnrpc::Invoice::default()
    }
}

/// The invoice as the OPEN "add" event shows it (no HTLCs yet).
#[allow(deprecated)] // LND still fills its deprecated fields.
pub(crate) fn invoice_opened(stored: &StoredInvoice) -> lnrpc::Invoice {
    lnrpc::Invoice {
        settled: false,
        settle_date: 0,
        settle_index: 0,
        amt_paid: 0,
        amt_paid_sat: 0,
        amt_paid_msat: 0,
        state: lnrpc::invoice::InvoiceState::Open as i32,
        htlcs: Vec::new(),
        ..invoice(stored)
    }
}

fn invoice_htlc(htlc: &super::ledger::StoredHtlc) -> lnrpc::InvoiceHtlc {
    lnrpc::InvoiceHtlc {
        chan_id: htlc.chan_id,
        htlc_index: htlc.htlc_index,
        amt_msat: htlc.amt_msat,
        accept_height: htlc.accept_height,
        accept_time: htlc.accept_time,
        resolve_time: htlc.resolve_time,
        expiry_height: htlc.expiry_height,
        state: lnrpc::InvoiceHtlcState::Settled as i32,
        custom_records: htlc.records.iter().map(|(k, v)| (*k, v.clone())).collect(),
        mpp_total_amt_msat: 0,
        amp: htlc.amp.as_ref().map(|amp| lnrpc::Amp {
            root_share: amp.root_share.clone(),
            set_id: amp.set_id.clone(),
            child_index: amp.child_index,
            hash: amp.hash.clone(),
            preimage: amp.preimage.clone(),
        }),
    }
}

/// A planned route as `lnrpc.Route`; `records` go on the final hop.
#[allow(deprecated)] // LND still fills its deprecated fields.
pub(crate) fn route(
    network: &Network,
    planned: &PlannedRoute,
    records: &crate::keysend::Records,
) -> lnrpc::Route {
    let last = planned.hops.len().saturating_sub(1);
    let hops = planned
        .hops
        .iter()
        .enumerate()
        .map(|(j, hop)| lnrpc::Hop {
            chan_id: network.channels[hop.channel].chan_id,
            chan_capacity: CHANNELS[hop.channel].capacity_sat as i64,
            amt_to_forward: (hop.amt_to_forward_msat / 1000) as i64,
            fee: (hop.fee_msat / 1000) as i64,
            expiry: hop.expiry,
            amt_to_forward_msat: hop.amt_to_forward_msat as i64,
            fee_msat: hop.fee_msat as i64,
            pub_key: network.ids[hop.node].to_hex(),
            tlv_payload: true,
            custom_records: if j == last {
                records.iter().map(|(k, v)| (*k, v.clone())).collect()
            } else {
                HashMap::new()
            },
            ..lnrpc::Hop::default()
        })
        .collect();
    lnrpc::Route {
        total_time_lock: planned.total_time_lock,
        total_fees: (planned.total_fees_msat / 1000) as i64,
        total_amt: (planned.total_amt_msat / 1000) as i64,
        hops,
        total_fees_msat: planned.total_fees_msat as i64,
        total_amt_msat: planned.total_amt_msat as i64,
    }
}
