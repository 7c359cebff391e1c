//! Issue 17 calls on [`Lnd`]: a keysend (or spontaneous AMP) with route
//! hints, outgoing channel and last hop; a receiver's feature bits from
//! GetNodeInfo; a probe (a payment to a random hash the receiver must reject).

use futures::{FutureExt, StreamExt};

use super::client::{Lnd, unary};
use super::convert::payment;
use super::stream::{open, until};
use crate::keysend::record::KEYSEND_PREIMAGE;
use crate::keysend::{NodeId, PaymentHash};
use crate::node::journaled::LOCAL_ROUTING_RECORD;
use crate::node::routing::{Probe, Routing};
use crate::node::{
    NodeError, NodeFuture, NodeStream, OutgoingKeysend, PaymentFailure, PaymentUpdate,
};
use crate::rpc::lnrpc::{self, failure::FailureCode, payment::PaymentStatus};
use crate::rpc::routerrpc;

impl Lnd {
    /// SendPaymentV2 with `routing` applied (a plain keysend: the default).
    pub(super) fn send_with(
        &self,
        keysend: &OutgoingKeysend,
        routing: &Routing,
    ) -> NodeStream<PaymentUpdate> {
        let (mut client, ctx) = (self.router.clone(), self.context("SendPaymentV2"));
        let request = journaled_request(keysend, routing);
        let updates = open(
            ctx,
            async move { client.send_payment_v2(request).await },
            |p| payment::payment_update(&p),
        );
        until(
            updates,
            |u| u.status.is_final(),
            "the node closed the payment stream before the payment finished",
        )
    }

    /// The feature bits `id` announces; `None` when it is not in the graph.
    pub(super) fn feature_bits(&self, id: NodeId) -> NodeFuture<Option<Vec<u32>>> {
        let (mut client, ctx) = (self.lightning.clone(), self.context("GetNodeInfo"));
        let request = lnrpc::NodeInfoRequest {
            pub_key: id.to_hex(),
            ..Default::default()
        };
        async move {
            match unary(ctx, client.get_node_info(request)).await {
                Ok(info) => {
                    let features = info.node.map(|n| n.features).unwrap_or_default();
                    let mut bits: Vec<u32> = features.into_keys().collect();
                    bits.sort_unstable();
                    Ok(Some(bits))
                }
                Err(NodeError::NotFound(_)) => Ok(None),
                Err(err) => Err(err),
            }
        }
        .boxed()
    }

    /// The payment whose shards carry `payment_addr` (an AMP set, known by
    /// its set id), among those created since `since_secs`: ListPayments
    /// pages, oldest first (LND: `creation_date_start`, v0.16+).
    pub(super) fn find_by_payment_addr(
        &self,
        payment_addr: [u8; 32],
        since_secs: u64,
    ) -> NodeFuture<Option<PaymentHash>> {
        let (mut client, ctx) = (self.lightning.clone(), self.context("ListPayments"));
        async move {
            let mut offset = 0;
            loop {
                let request = lnrpc::ListPaymentsRequest {
                    include_incomplete: true,
                    index_offset: offset,
                    max_payments: 500,
                    creation_date_start: since_secs,
                    ..Default::default()
                };
                let page = unary(ctx.clone(), client.list_payments(request)).await?;
                if let Some(found) = page.payments.iter().find(|p| carries(p, &payment_addr)) {
                    return payment::sent(found).map(|s| Some(s.hash)).ok_or_else(|| {
                        NodeError::Other("the node sent an unreadable payment".into())
                    });
                }
                if page.payments.is_empty() || page.last_index_offset <= offset {
                    return Ok(None);
                }
                offset = page.last_index_offset;
            }
        }
        .boxed()
    }

    /// Send to a random hash without a keysend record and read how it failed.
    pub(super) fn probe_with(
        &self,
        keysend: &OutgoingKeysend,
        routing: &Routing,
    ) -> NodeFuture<Probe> {
        let (mut client, ctx) = (self.router.clone(), self.context("SendPaymentV2"));
        let request = probe_request(keysend, routing);
        let payments = open(
            ctx,
            async move { client.send_payment_v2(request).await },
            Ok,
        );
        async move {
            let mut payments = payments;
            while let Some(next) = payments.next().await {
                let payment = next?;
                if let Some(probe) = probe_result(&payment) {
                    return Ok(probe);
                }
            }
            Err(NodeError::Disconnected(
                "the node closed the probe's payment stream early".into(),
            ))
        }
        .boxed()
    }
}

/// The request for a payment that may carry its own routing (a journaled
/// AMP send or rebalance, see `node::journaled`): that routing plus
/// `routing`, and for AMP the payment address Satchel drew.
pub(crate) fn journaled_request(
    keysend: &OutgoingKeysend,
    routing: &Routing,
) -> routerrpc::SendPaymentRequest {
    let Some(routed) = keysend.routed() else {
        return routed_request(keysend, routing);
    };
    let mut request = routed_request(keysend, &routed.routing.merged(routing));
    if let Some(addr) = routed.payment_addr().filter(|_| request.amp) {
        request.payment_addr = addr.to_vec();
    }
    request
}

/// Whether one of `payment`'s shards carries `payment_addr` in its final
/// hop's MPP record.
fn carries(payment: &lnrpc::Payment, payment_addr: &[u8; 32]) -> bool {
    payment.htlcs.iter().any(|htlc| {
        let last = htlc.route.as_ref().and_then(|r| r.hops.last());
        last.and_then(|hop| hop.mpp_record.as_ref())
            .is_some_and(|mpp| mpp.payment_addr == payment_addr)
    })
}

/// The keysend request plus routing; AMP drops the keysend record and the
/// hash (LND picks the set id that identifies the payment).
pub(crate) fn routed_request(
    keysend: &OutgoingKeysend,
    routing: &Routing,
) -> routerrpc::SendPaymentRequest {
    let mut request = payment::send_request(keysend);
    let _ = request.dest_custom_records.remove(&LOCAL_ROUTING_RECORD);
    if routing.amp {
        let _ = request.dest_custom_records.remove(&KEYSEND_PREIMAGE);
        request.payment_hash = Vec::new();
        request.amp = true;
    }
    request.route_hints = routing
        .route_hints
        .iter()
        .map(|hint| lnrpc::RouteHint {
            hop_hints: hint
                .iter()
                .map(|hop| lnrpc::HopHint {
                    node_id: hop.node.to_hex(),
                    chan_id: hop.chan_id,
                    fee_base_msat: hop.fee_base_msat,
                    fee_proportional_millionths: hop.fee_ppm,
                    cltv_expiry_delta: hop.cltv_delta,
                })
                .collect(),
        })
        .collect();
    request.outgoing_chan_ids = routing.outgoing_chan_id.into_iter().collect();
    request.last_hop_pubkey = routing
        .last_hop
        .map(|id| id.as_bytes().to_vec())
        .unwrap_or_default();
    request.allow_self_payment = routing.allow_self_payment;
    request
}

/// A probe: no keysend record, a random hash nobody has the preimage of.
pub(crate) fn probe_request(
    keysend: &OutgoingKeysend,
    routing: &Routing,
) -> routerrpc::SendPaymentRequest {
    let mut request = routed_request(
        keysend,
        &Routing {
            amp: false,
            ..routing.clone()
        },
    );
    let _ = request.dest_custom_records.remove(&KEYSEND_PREIMAGE);
    request.payment_hash = rand::random::<[u8; 32]>().to_vec();
    request
}

/// What a finished probe payment says; `None` while it is in flight.
/// Reachable: the destination itself (the last hop) answered
/// INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS. A probe that succeeded would have
/// paid: it is reported as an error, never as reachable.
pub(crate) fn probe_result(payment: &lnrpc::Payment) -> Option<Probe> {
    match payment.status() {
        PaymentStatus::Failed => {}
        PaymentStatus::Succeeded => {
            return Some(Probe {
                reachable: false,
                fee: crate::keysend::Msat(payment.fee_msat.max(0) as u64),
                hops: 0,
                failure: PaymentFailure::Error,
            });
        }
        _ => return None,
    }
    let attempt = payment.htlcs.last();
    let route = attempt.and_then(|a| a.route.as_ref());
    let hops = route.map_or(0, |r| r.hops.len() as u32);
    let at_destination = attempt.and_then(|a| a.failure.as_ref()).is_some_and(|f| {
        f.code() == FailureCode::IncorrectOrUnknownPaymentDetails && f.failure_source_index == hops
    });
    Some(Probe {
        reachable: at_destination,
        fee: crate::keysend::Msat(route.map_or(0, |r| r.total_fees_msat.max(0) as u64)),
        hops,
        failure: payment::failure(payment),
    })
}
