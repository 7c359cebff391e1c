//! Sending keysends through the network, as LND's router does: validate the
//! request (research §2.7), refuse a hash already in flight or paid, pick a
//! route, put the HTLC in flight (balances reserved along the route), and
//! after the configured latency settle it at the destination (creating the
//! keysend invoice there) or fail it (INCORRECT_PAYMENT_DETAILS from the
//! destination). The payment runs on its own task: a client that hangs up
//! does not stop it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};
use tonic::Status;

use crate::keysend::Records;
use crate::keysend::record::{FIRST_CUSTOM, KEYSEND_PREIMAGE};
use crate::rpc::lnrpc::{self, HtlcAttempt, Payment, PaymentFailureReason, htlc_attempt, payment};
use crate::rpc::routerrpc::SendPaymentRequest;

use super::behaviour::{self, Refusal};
use super::convert;
use super::graph::{CHANNELS, NODES};
use super::ledger::{Arrival, StoredHtlc};
use super::network::Network;
use super::route::{self, Limits, RouteError, RouteQuery};
use super::server::Shared;

/// LND: `final_cltv_delta` 0 means the node's `bitcoin.timelockdelta`.
pub(crate) const DEFAULT_FINAL_CLTV: u32 = 80;

/// A validated keysend request.
pub(crate) struct Keysend {
    pub dest: usize,
    pub amount_msat: u64,
    pub hash: [u8; 32],
    pub records: Records,
    pub fee_limit_msat: u64,
    pub final_cltv_delta: u32,
    /// The BOLT11 invoice paid; empty for a keysend.
    pub payment_request: String,
    /// Outgoing channel, last hop and route hints (issue 17).
    pub limits: Limits,
}

/// Nanoseconds since the Unix epoch.
pub(crate) fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}

/// Check a SendPaymentV2 request the way LND's router backend does.
pub(crate) fn validate(
    network: &Network,
    sender: usize,
    request: &SendPaymentRequest,
) -> Result<Keysend, Status> {
    if !request.payment_request.is_empty() {
        return super::bolt11::validate(network, sender, request);
    }
    if request.max_shard_size_msat > 0 {
        return Err(Status::invalid_argument(
            "AMP and sharding are not supported for keysend",
        ));
    }
    let dest_id = crate::keysend::NodeId::from_slice(&request.dest).map_err(|_| {
        Status::invalid_argument(format!(
            "invalid vertex length of {}, want 33",
            request.dest.len()
        ))
    })?;
    let amount_msat = exclusive_msat(request.amt, request.amt_msat)?;
    if amount_msat == 0 {
        return Err(Status::invalid_argument("amount must be greater than zero"));
    }
    let fee_limit_msat = exclusive_msat(request.fee_limit_sat, request.fee_limit_msat)?;
    let hash: [u8; 32] = request.payment_hash.as_slice().try_into().map_err(|_| {
        Status::invalid_argument(format!(
            "invalid hash length of {}, want 32",
            request.payment_hash.len()
        ))
    })?;
    let records = custom_records(&request.dest_custom_records)?;
    let dest = network.node_by_id(&dest_id);
    if dest == Some(sender) && !request.allow_self_payment {
        return Err(Status::invalid_argument("no self-payments allowed"));
    }
    let final_cltv_delta = match request.final_cltv_delta {
        0 => DEFAULT_FINAL_CLTV,
        d => d.unsigned_abs(),
    };
    let limits = limits(network, request)?;
    // A destination outside the sim network is unreachable: NO_ROUTE later.
    Ok(Keysend {
        dest: dest.unwrap_or(usize::MAX),
        amount_msat,
        hash,
        records,
        fee_limit_msat,
        final_cltv_delta,
        payment_request: String::new(),
        limits,
    })
}

/// The request's route restrictions: `outgoing_chan_ids` (the sim honours
/// the first), `last_hop_pubkey` and `route_hints`.
pub(crate) fn limits(network: &Network, request: &SendPaymentRequest) -> Result<Limits, Status> {
    let outgoing =
        match request.outgoing_chan_ids.first() {
            None => None,
            Some(id) => Some(network.channel_by_id(*id).ok_or_else(|| {
                Status::invalid_argument(format!("unknown outgoing channel {id}"))
            })?),
        };
    let last_hop = match request.last_hop_pubkey.as_slice() {
        [] => None,
        bytes => {
            let id = crate::keysend::NodeId::from_slice(bytes)
                .map_err(|_| Status::invalid_argument("invalid last_hop_pubkey"))?;
            Some(network.node_by_id(&id).unwrap_or(usize::MAX))
        }
    };
    Ok(Limits {
        outgoing,
        last_hop,
        hinted: super::behaviour::hinted_channels(network, &request.route_hints),
        ignored_pairs: Vec::new(),
    })
}

/// LND: `dest_custom_records` below 65536 are refused.
pub(crate) fn custom_records(map: &HashMap<u64, Vec<u8>>) -> Result<Records, Status> {
    if map.keys().any(|k| *k < FIRST_CUSTOM) {
        return Err(Status::invalid_argument(
            "no custom records with types below 65536 allowed",
        ));
    }
    Ok(map.iter().map(|(k, v)| (*k, v.clone())).collect())
}

/// `sat` xor `msat`, as msat (LND: "mutually exclusive").
pub(crate) fn exclusive_msat(sat: i64, msat: i64) -> Result<u64, Status> {
    match (sat, msat) {
        (s, m) if s < 0 || m < 0 => Err(Status::invalid_argument("amounts cannot be negative")),
        (s, m) if s != 0 && m != 0 => Err(Status::invalid_argument(
            "sat and msat arguments are mutually exclusive",
        )),
        (s, 0) => Ok(s as u64 * 1000),
        (_, m) => Ok(m as u64),
    }
}

/// Create the payment on `sender` and put it in flight (or fail it at once
/// when no route exists). Returns the payment hash in hex.
#[allow(deprecated)] // LND still fills its deprecated fields.
pub(crate) fn begin(
    shared: &Arc<Shared>,
    sender: usize,
    keysend: Keysend,
) -> Result<String, Status> {
    let hash_hex = hex::encode(keysend.hash);
    let mut network = shared.lock();
    refuse_duplicate(&network, sender, &hash_hex)?;
    let now = now_ns();
    let found = if keysend.dest == usize::MAX {
        Err(RouteError::NoRoute)
    } else {
        let query = RouteQuery {
            from: sender,
            to: keysend.dest,
            amount_msat: keysend.amount_msat,
            fee_limit_msat: Some(keysend.fee_limit_msat),
            records: &keysend.records,
            final_cltv_delta: keysend.final_cltv_delta,
            limits: keysend.limits.clone(),
        };
        route::find(&network, &query)
    };
    let mut record = new_payment(&hash_hex, keysend.amount_msat, now);
    record.payment_request = keysend.payment_request.clone();
    match found {
        Err(error) => {
            fail_unrouted(&mut record, error);
            let _ = network.ledgers[sender].create_payment(record);
        }
        Ok(planned) => {
            for hop in &planned.hops {
                network.offer(
                    hop.channel,
                    hop.from_a,
                    hop.amt_to_forward_msat + hop.fee_msat,
                );
            }
            let attempt_id = network.ledgers[sender].next_attempt_id;
            network.ledgers[sender].next_attempt_id += 1;
            record.status = payment::PaymentStatus::InFlight as i32;
            record.htlcs = vec![HtlcAttempt {
                status: htlc_attempt::HtlcStatus::InFlight as i32,
                route: Some(convert::route(&network, &planned, &keysend.records)),
                attempt_time_ns: now,
                attempt_id,
                ..HtlcAttempt::default()
            }];
            let _ = network.ledgers[sender].create_payment(record);
            spawn_resolution(shared.clone(), sender, hash_hex.clone());
        }
    }
    drop(network);
    shared.mark_dirty();
    Ok(hash_hex)
}

/// A new payment record as LND starts it (`id_hex`: hash or AMP set id).
#[allow(deprecated)] // LND still fills its deprecated fields.
pub(crate) fn new_payment(id_hex: &str, amount_msat: u64, now: i64) -> Payment {
    Payment {
        payment_hash: id_hex.to_owned(),
        value: (amount_msat / 1000) as i64,
        value_sat: (amount_msat / 1000) as i64,
        value_msat: amount_msat as i64,
        creation_date: now / 1_000_000_000,
        creation_time_ns: now,
        ..Payment::default()
    }
}

/// The payment failed before any HTLC left: no route or not enough balance.
pub(crate) fn fail_unrouted(record: &mut Payment, error: RouteError) {
    record.status = payment::PaymentStatus::Failed as i32;
    record.failure_reason = match error {
        RouteError::NoRoute => PaymentFailureReason::FailureReasonNoRoute,
        RouteError::InsufficientBalance => PaymentFailureReason::FailureReasonInsufficientBalance,
    } as i32;
}

/// LND: a hash that is INITIATED, IN_FLIGHT or SUCCEEDED cannot be sent again.
fn refuse_duplicate(network: &Network, sender: usize, hash_hex: &str) -> Result<(), Status> {
    let Some(existing) = network.ledgers[sender].payment(hash_hex) else {
        return Ok(());
    };
    match payment::PaymentStatus::try_from(existing.status) {
        Ok(payment::PaymentStatus::Succeeded) => {
            Err(Status::already_exists("invoice is already paid"))
        }
        Ok(payment::PaymentStatus::Failed) => Ok(()),
        _ => Err(Status::already_exists("payment is in transition")),
    }
}

/// Resolve the HTLC after the network's latency.
pub(crate) fn spawn_resolution(shared: Arc<Shared>, sender: usize, hash_hex: String) {
    let _task = tokio::spawn(async move {
        tokio::time::sleep(shared.latency).await;
        resolve(&mut shared.lock(), sender, &hash_hex);
        shared.mark_dirty();
    });
}

/// The in-flight HTLC reaches the destination: settle or fail it.
pub(crate) fn resolve(network: &mut Network, sender: usize, hash_hex: &str) {
    let Some(payment) = network.ledgers[sender].payment(hash_hex).cloned() else {
        return;
    };
    let Some(route) = payment.htlcs.last().and_then(|a| a.route.clone()) else {
        return;
    };
    if payment.status != payment::PaymentStatus::InFlight as i32 {
        return;
    }
    let Some(hops) = route_hops(network, sender, &route) else {
        return;
    };
    let last = route.hops.last().cloned().unwrap_or_default();
    let records: Records = last
        .custom_records
        .iter()
        .map(|(k, v)| (*k, v.clone()))
        .collect();
    let dest = hops.last().map_or(sender, |h| h.2);
    let now = now_ns();
    let amount = last.amt_to_forward_msat as u64;
    // A keysend to a node that takes keysends (as its kind allows), else
    // the open invoice this hash pays, else the destination refuses.
    let delivered =
        match keysend_preimage(&records, hash_hex).filter(|_| NODES[dest].accepts_keysend) {
            Some(preimage) => behaviour::deliver(dest, records).map(|records| (preimage, records)),
            None => super::bolt11::open_preimage(network, dest, hash_hex, amount)
                .map(|preimage| (preimage, records))
                .ok_or(Refusal::DETAILS),
        };
    match delivered {
        Ok((preimage, records)) => {
            let mut htlc_index = 0;
            for &(channel, from_a, _, amount) in &hops {
                htlc_index = network.settle(channel, from_a, amount);
            }
            let htlc = StoredHtlc {
                chan_id: last.chan_id,
                htlc_index,
                amt_msat: last.amt_to_forward_msat as u64,
                accept_height: network.block_height as i32,
                accept_time: payment.creation_time_ns / 1_000_000_000,
                resolve_time: now / 1_000_000_000,
                expiry_height: last.expiry as i32,
                records,
                amp: None,
            };
            let hash = hex_array(hash_hex);
            let arrival = Arrival {
                hash,
                preimage,
                htlc,
            };
            super::bolt11::settle(network, dest, arrival, now / 1_000_000_000);
            network.ledgers[sender].update_payment(hash_hex, |p| {
                succeed(p, &preimage, route.total_fees_msat, now);
            });
        }
        Err(refusal) => {
            for &(channel, from_a, _, amount) in &hops {
                network.refund(channel, from_a, amount);
            }
            let height = network.block_height;
            network.ledgers[sender].update_payment(hash_hex, |p| {
                fail_at_destination(p, refusal, (hops.len(), height, now));
            });
        }
    }
}

/// (channel index, sender side is `a`, node reached, amount over the channel).
pub(crate) fn route_hops(
    network: &Network,
    sender: usize,
    route: &lnrpc::Route,
) -> Option<Vec<(usize, bool, usize, u64)>> {
    let mut previous = sender;
    route
        .hops
        .iter()
        .map(|hop| {
            let channel = network.channel_by_id(hop.chan_id)?;
            let node = network.node_by_id(&hop.pub_key.parse().ok()?)?;
            let from_a = CHANNELS[channel].a == NODES[previous].name;
            previous = node;
            Some((
                channel,
                from_a,
                node,
                (hop.amt_to_forward_msat + hop.fee_msat) as u64,
            ))
        })
        .collect()
}

/// The keysend record if it is 32 bytes hashing to the payment hash
/// (LND: otherwise "invalid keysend parameters", failed as incorrect details).
fn keysend_preimage(records: &Records, hash_hex: &str) -> Option<[u8; 32]> {
    let preimage: [u8; 32] = records.get(&KEYSEND_PREIMAGE)?.as_slice().try_into().ok()?;
    (hex::encode(Sha256::digest(preimage)) == hash_hex).then_some(preimage)
}

pub(crate) fn hex_array(hash_hex: &str) -> [u8; 32] {
    let mut hash = [0u8; 32];
    let _ = hex::decode_to_slice(hash_hex, &mut hash);
    hash
}

#[allow(deprecated)] // LND still fills its deprecated fields.
pub(crate) fn succeed(payment: &mut Payment, preimage: &[u8; 32], fee_msat: i64, now: i64) {
    payment.status = payment::PaymentStatus::Succeeded as i32;
    payment.payment_preimage = hex::encode(preimage);
    payment.fee = fee_msat / 1000;
    payment.fee_sat = fee_msat / 1000;
    payment.fee_msat = fee_msat;
    if let Some(attempt) = payment.htlcs.last_mut() {
        attempt.status = htlc_attempt::HtlcStatus::Succeeded as i32;
        attempt.resolve_time_ns = now;
        attempt.preimage = preimage.to_vec();
    }
}

/// The destination failed the HTLC (`at`: hops, height, now).
pub(crate) fn fail_at_destination(payment: &mut Payment, refusal: Refusal, at: (usize, u32, i64)) {
    let (hops, height, now) = at;
    payment.status = payment::PaymentStatus::Failed as i32;
    payment.failure_reason = refusal.reason as i32;
    if let Some(attempt) = payment.htlcs.last_mut() {
        attempt.status = htlc_attempt::HtlcStatus::Failed as i32;
        attempt.resolve_time_ns = now;
        attempt.failure = Some(lnrpc::Failure {
            code: refusal.code as i32,
            htlc_msat: payment.value_msat as u64,
            failure_source_index: hops as u32,
            height,
            ..lnrpc::Failure::default()
        });
    }
}
