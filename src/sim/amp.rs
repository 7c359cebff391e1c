//! Spontaneous AMP as LND sends and receives it (SendPaymentV2 `amp=true`):
//! the sender draws a random set id and root share, the payment is known by
//! the set id (LND ignores `payment_hash` for AMP), the amount is split into
//! shards routed over different paths, every shard carries the same custom
//! records plus an AMP record (root share, set id, child index). A receiver
//! with `accept-amp` settles the whole set into one AMP invoice (`is_amp`,
//! per-HTLC records and AMP data, the set's state in `amp_invoice_state`);
//! any other receiver fails every shard with incorrect payment details.
//!
//! Child preimages are derived here as SHA-256(root share ‖ set id ‖ child
//! index); LND derives them from XOR-split shares, which a wallet never sees.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use tonic::Status;

use crate::keysend::record::KEYSEND_PREIMAGE;
use crate::keysend::{NodeId, Records};
use crate::node::routing::split;
use crate::rpc::lnrpc::{self, HtlcAttempt, htlc_attempt, payment};
use crate::rpc::routerrpc::SendPaymentRequest;

use super::behaviour::{self, Refusal};
use super::convert;
use super::ledger::{StoredAmp, StoredHtlc};
use super::network::Network;
use super::pay::{self, DEFAULT_FINAL_CLTV, now_ns};
use super::route::{self, Limits, PlannedRoute, RouteError, RouteQuery};
use super::server::Shared;

/// LND's default `max_parts` for a payment that may be split.
const DEFAULT_MAX_PARTS: u32 = 16;

/// A validated AMP request.
pub(crate) struct AmpSend {
    pub dest: usize,
    pub amount_msat: u64,
    pub records: Records,
    pub fee_limit_msat: u64,
    pub final_cltv_delta: u32,
    pub max_parts: u32,
    pub limits: Limits,
    /// LND: the caller's `payment_addr`, else a random one; in every
    /// shard's MPP record.
    pub payment_addr: [u8; 32],
}

/// Check an `amp=true` SendPaymentV2 request as LND's router backend does.
pub(crate) fn validate(
    network: &Network,
    sender: usize,
    request: &SendPaymentRequest,
) -> Result<AmpSend, Status> {
    let dest = NodeId::from_slice(&request.dest).map_err(|_| {
        Status::invalid_argument(format!(
            "invalid vertex length of {}, want 33",
            request.dest.len()
        ))
    })?;
    let amount_msat = pay::exclusive_msat(request.amt, request.amt_msat)?;
    if amount_msat == 0 {
        return Err(Status::invalid_argument("amount must be specified"));
    }
    let records = pay::custom_records(&request.dest_custom_records)?;
    if records.contains_key(&KEYSEND_PREIMAGE) {
        // lncli: "--amp and --keysend cannot be used together".
        return Err(Status::invalid_argument(
            "an AMP payment cannot carry a keysend preimage record",
        ));
    }
    let dest = network.node_by_id(&dest);
    if dest == Some(sender) {
        return Err(Status::invalid_argument("self-payments not allowed"));
    }
    Ok(AmpSend {
        dest: dest.unwrap_or(usize::MAX),
        amount_msat,
        records,
        fee_limit_msat: pay::exclusive_msat(request.fee_limit_sat, request.fee_limit_msat)?,
        final_cltv_delta: match request.final_cltv_delta {
            0 => DEFAULT_FINAL_CLTV,
            d => d.unsigned_abs(),
        },
        max_parts: match request.max_parts {
            0 => DEFAULT_MAX_PARTS,
            n => n,
        },
        limits: pay::limits(network, request)?,
        payment_addr: match request.payment_addr.len() {
            0 => rand::random(),
            32 => request.payment_addr.clone().try_into().unwrap_or_default(),
            n => {
                return Err(Status::invalid_argument(format!(
                    "payment_addr must be 32 bytes, got {n}"
                )));
            }
        },
    })
}

/// Create the payment (known by its set id), reserve every shard's route
/// and put them in flight, or fail at once. Returns the set id in hex.
pub(crate) fn begin(shared: &Arc<Shared>, sender: usize, send: AmpSend) -> Result<String, Status> {
    let set_id: [u8; 32] = rand::random();
    let root_share: [u8; 32] = rand::random();
    let id_hex = hex::encode(set_id);
    let now = now_ns();
    let mut network = shared.lock();
    let mut record = pay::new_payment(&id_hex, send.amount_msat, now);
    match shards(&mut network, sender, &send) {
        Err(error) => pay::fail_unrouted(&mut record, error),
        Ok(planned) => {
            record.status = payment::PaymentStatus::InFlight as i32;
            for (child, shard) in planned.iter().enumerate() {
                let mut route = convert::route(&network, shard, &send.records);
                if let Some(last) = route.hops.last_mut() {
                    last.mpp_record = Some(lnrpc::MppRecord {
                        payment_addr: send.payment_addr.to_vec(),
                        total_amt_msat: send.amount_msat as i64,
                    });
                    last.amp_record = Some(lnrpc::AmpRecord {
                        root_share: root_share.to_vec(),
                        set_id: set_id.to_vec(),
                        child_index: child as u32,
                    });
                }
                let attempt_id = network.ledgers[sender].next_attempt_id;
                network.ledgers[sender].next_attempt_id += 1;
                record.htlcs.push(HtlcAttempt {
                    status: htlc_attempt::HtlcStatus::InFlight as i32,
                    route: Some(route),
                    attempt_time_ns: now,
                    attempt_id,
                    ..HtlcAttempt::default()
                });
            }
        }
    }
    let in_flight = record.status == payment::PaymentStatus::InFlight as i32;
    let _ = network.ledgers[sender].create_payment(record);
    drop(network);
    if in_flight {
        spawn_resolution(shared.clone(), sender, id_hex.clone());
    }
    shared.mark_dirty();
    Ok(id_hex)
}

/// Split the amount into 1, 2, ... `max_parts` equal shards until every
/// shard has a route within the remaining fee budget; the routes found are
/// reserved (in flight). LND's splitting halves shards on failure; equal
/// shards find the same sets on this small graph.
fn shards(
    network: &mut Network,
    sender: usize,
    send: &AmpSend,
) -> Result<Vec<PlannedRoute>, RouteError> {
    if send.dest == usize::MAX {
        return Err(RouteError::NoRoute);
    }
    if send.amount_msat > network.balances(sender).0 {
        return Err(RouteError::InsufficientBalance);
    }
    for parts in 1..=u64::from(send.max_parts) {
        let mut planned: Vec<PlannedRoute> = Vec::new();
        for amount in split(send.amount_msat, parts) {
            let spent: u64 = planned.iter().map(|r| r.total_fees_msat).sum();
            let query = RouteQuery {
                from: sender,
                to: send.dest,
                amount_msat: amount,
                fee_limit_msat: Some(send.fee_limit_msat.saturating_sub(spent)),
                records: &send.records,
                final_cltv_delta: send.final_cltv_delta,
                limits: send.limits.clone(),
            };
            let Ok(found) = route::find(network, &query) else {
                break;
            };
            reserve(network, &found, true);
            planned.push(found);
        }
        if planned.len() as u64 == parts {
            return Ok(planned);
        }
        for shard in &planned {
            reserve(network, shard, false);
        }
    }
    Err(RouteError::NoRoute)
}

/// Put a route's HTLCs in flight, or give them back.
fn reserve(network: &mut Network, planned: &PlannedRoute, offer: bool) {
    for hop in &planned.hops {
        let amount = hop.amt_to_forward_msat + hop.fee_msat;
        if offer {
            network.offer(hop.channel, hop.from_a, amount);
        } else {
            network.refund(hop.channel, hop.from_a, amount);
        }
    }
}

fn spawn_resolution(shared: Arc<Shared>, sender: usize, id_hex: String) {
    let _task = tokio::spawn(async move {
        tokio::time::sleep(shared.latency).await;
        resolve(&mut shared.lock(), sender, &id_hex);
        shared.mark_dirty();
    });
}

/// One in-flight shard: its hops and its final hop as sent.
struct Shard {
    hops: Vec<(usize, bool, usize, u64)>,
    last: lnrpc::Hop,
}

/// All shards reach the destination: settle the set or fail every shard.
fn resolve(network: &mut Network, sender: usize, id_hex: &str) {
    let Some(payment) = network.ledgers[sender].payment(id_hex).cloned() else {
        return;
    };
    if payment.status != payment::PaymentStatus::InFlight as i32 {
        return;
    }
    let shards: Option<Vec<Shard>> = payment
        .htlcs
        .iter()
        .map(|attempt| {
            let route = attempt.route.as_ref()?;
            Some(Shard {
                hops: pay::route_hops(network, sender, route)?,
                last: route.hops.last()?.clone(),
            })
        })
        .collect();
    let Some(shards) = shards else {
        return;
    };
    let dest = shards
        .first()
        .and_then(|s| s.hops.last())
        .map_or(sender, |h| h.2);
    let now = now_ns();
    if behaviour::accepts_amp(dest) {
        settle(network, (sender, dest), &shards, id_hex, now);
    } else {
        fail(network, sender, &shards, id_hex, now);
    }
}

fn settle(
    network: &mut Network,
    (sender, dest): (usize, usize),
    shards: &[Shard],
    id_hex: &str,
    now: i64,
) {
    let mut htlcs = Vec::new();
    let mut fees = 0i64;
    let mut first_preimage = [0u8; 32];
    for shard in shards {
        let mut htlc_index = 0;
        for &(channel, from_a, _, amount) in &shard.hops {
            htlc_index = network.settle(channel, from_a, amount);
        }
        fees += shard.fee_msat();
        let amp = shard.last.amp_record.clone().unwrap_or_default();
        let preimage = child_preimage(&amp);
        if amp.child_index == 0 {
            first_preimage = preimage;
        }
        htlcs.push(StoredHtlc {
            chan_id: shard.last.chan_id,
            htlc_index,
            amt_msat: shard.last.amt_to_forward_msat as u64,
            accept_height: network.block_height as i32,
            accept_time: now / 1_000_000_000,
            resolve_time: now / 1_000_000_000,
            expiry_height: shard.last.expiry as i32,
            records: shard
                .last
                .custom_records
                .iter()
                .map(|(k, v)| (*k, v.clone()))
                .collect(),
            amp: Some(StoredAmp {
                hash: Sha256::digest(preimage).to_vec(),
                preimage: preimage.to_vec(),
                root_share: amp.root_share,
                set_id: amp.set_id,
                child_index: amp.child_index,
            }),
        });
    }
    let _ = network.ledgers[dest].settle_amp(pay::hex_array(id_hex), htlcs, now / 1_000_000_000);
    network.ledgers[sender].update_payment(id_hex, |p| {
        pay::succeed(p, &first_preimage, fees, now);
        for attempt in &mut p.htlcs {
            attempt.status = htlc_attempt::HtlcStatus::Succeeded as i32;
            attempt.resolve_time_ns = now;
        }
    });
}

fn fail(network: &mut Network, sender: usize, shards: &[Shard], id_hex: &str, now: i64) {
    for shard in shards {
        for &(channel, from_a, _, amount) in &shard.hops {
            network.refund(channel, from_a, amount);
        }
    }
    let height = network.block_height;
    let hops = shards.first().map_or(0, |s| s.hops.len());
    network.ledgers[sender].update_payment(id_hex, |p| {
        pay::fail_at_destination(p, Refusal::DETAILS, (hops, height, now));
        for attempt in &mut p.htlcs {
            attempt.status = htlc_attempt::HtlcStatus::Failed as i32;
        }
    });
}

impl Shard {
    /// Fees this shard paid: what left the sender minus what arrived.
    fn fee_msat(&self) -> i64 {
        let sent = self.hops.first().map_or(0, |h| h.3) as i64;
        sent - self.last.amt_to_forward_msat
    }
}

/// The sim's child preimage of an AMP shard.
fn child_preimage(amp: &lnrpc::AmpRecord) -> [u8; 32] {
    Sha256::new()
        .chain_update(&amp.root_share)
        .chain_update(&amp.set_id)
        .chain_update(amp.child_index.to_be_bytes())
        .finalize()
        .into()
}
