//! [`Node`] for [`Lnd`]: each operation is one LND call (or stream), its
//! request built and its answer read by the pure functions in `convert`.

use futures::{FutureExt, StreamExt, TryStreamExt, stream};

use super::client::{Lnd, unary};
use super::convert::{self, invoice, payment};
use super::stream::{open, until};
use crate::keysend::{NodeId, PaymentHash};
use crate::node::{
    Feature, FeeEstimate, GraphNode, Node, NodeError, NodeFuture, NodeStream, OutgoingKeysend,
    PaymentUpdate, Peer, Permissions, ReceivedKeysend, ReceivedPage, SentPage,
};
use crate::rpc::{lnrpc, routerrpc, signrpc};

/// LND's key family of the node identity key (`keychain.KeyFamilyNodeKey`).
const NODE_KEY_FAMILY: i32 = 6;
/// A compact R||S ECDSA signature, as signrpc returns by default.
const SIGNATURE_LEN: usize = 64;

impl Node for Lnd {
    fn info(&self) -> NodeFuture<crate::node::NodeInfo> {
        let (mut client, ctx) = (self.lightning.clone(), self.context("GetInfo"));
        async move { convert::node_info(unary(ctx, client.get_info(lnrpc::GetInfoRequest {})).await?) }.boxed()
    }

    fn balance(&self) -> NodeFuture<crate::node::Balance> {
        let (mut client, ctx) = (self.lightning.clone(), self.context("ChannelBalance"));
        let request = lnrpc::ChannelBalanceRequest {};
        async move {
            Ok(convert::balance(
                unary(ctx, client.channel_balance(request)).await?,
            ))
        }
        .boxed()
    }

    fn lookup(&self, id: NodeId) -> NodeFuture<Option<GraphNode>> {
        let (mut client, ctx) = (self.lightning.clone(), self.context("GetNodeInfo"));
        let request = lnrpc::NodeInfoRequest {
            pub_key: id.to_hex(),
            ..Default::default()
        };
        async move {
            // LND: a node that is not in the graph is NOT_FOUND.
            match unary(ctx, client.get_node_info(request)).await {
                Ok(info) => convert::graph_node(info).map(Some),
                Err(NodeError::NotFound(_)) => Ok(None),
                Err(err) => Err(err),
            }
        }
        .boxed()
    }

    fn peers(&self) -> NodeFuture<Vec<Peer>> {
        let (mut client, ctx) = (self.lightning.clone(), self.context("ListChannels"));
        let request = lnrpc::ListChannelsRequest::default();
        async move { convert::peers(unary(ctx, client.list_channels(request)).await?) }.boxed()
    }

    fn estimate_fee(&self, keysend: &OutgoingKeysend) -> NodeFuture<FeeEstimate> {
        let (mut client, ctx) = (self.lightning.clone(), self.context("QueryRoutes"));
        let request = convert::query_routes_request(keysend);
        let destination = keysend.destination;
        async move {
            let routes = unary(ctx, client.query_routes(request))
                .await
                .map_err(|err| no_route(err, &destination))?;
            convert::fee_estimate(routes).ok_or_else(|| no_route_to(&destination))
        }
        .boxed()
    }

    fn sign_with_node_key(&self, payload: Vec<u8>) -> NodeFuture<Vec<u8>> {
        let (mut client, ctx) = (self.signer.clone(), self.context("SignMessage"));
        let request = signrpc::SignMessageReq {
            msg: payload,
            key_loc: Some(signrpc::KeyLocator {
                key_family: NODE_KEY_FAMILY,
                key_index: 0,
            }),
            double_hash: false,
            ..Default::default()
        };
        async move {
            let signature = unary(ctx, client.sign_message(request)).await?.signature;
            match signature.len() {
                SIGNATURE_LEN => Ok(signature),
                other => Err(NodeError::Other(format!(
                    "the node returned a {other}-byte signature, not 64"
                ))),
            }
        }
        .boxed()
    }

    fn send(&self, keysend: OutgoingKeysend) -> NodeStream<PaymentUpdate> {
        // A plain keysend is a routed one without hints or restrictions.
        self.send_with(&keysend, &crate::node::routing::Routing::default())
    }

    fn track(&self, hash: PaymentHash) -> NodeStream<PaymentUpdate> {
        let (mut client, ctx) = (self.router.clone(), self.context("TrackPaymentV2"));
        let request = routerrpc::TrackPaymentRequest {
            payment_hash: hash.as_bytes().to_vec(),
            no_inflight_updates: false,
        };
        let updates = open(
            ctx,
            async move { client.track_payment_v2(request).await },
            |p| payment::payment_update(&p),
        );
        until(
            updates,
            is_final,
            "the node closed the tracking stream before the payment finished",
        )
    }

    fn received_page(&self, after_add_index: u64, max: u64) -> NodeFuture<ReceivedPage> {
        let (mut client, ctx) = (self.lightning.clone(), self.context("ListInvoices"));
        // LND: index_offset is an exclusive add_index; forward, oldest first.
        let request = lnrpc::ListInvoiceRequest {
            index_offset: after_add_index,
            num_max_invoices: max,
            ..Default::default()
        };
        async move {
            let page = unary(ctx, client.list_invoices(request)).await?;
            Ok(invoice::received_page(page, after_add_index))
        }
        .boxed()
    }

    fn subscribe_received(&self, after_settle_index: u64) -> NodeStream<ReceivedKeysend> {
        let (mut client, ctx) = (self.lightning.clone(), self.context("SubscribeInvoices"));
        // LND: settle_index replays every invoice settled after it, then live events;
        // 0 means "not set" (live only), so callers with no cursor read the
        // history by ListInvoices first (wallet::follow does).
        let request = lnrpc::InvoiceSubscription {
            add_index: 0,
            settle_index: after_settle_index,
        };
        let invoices = open(
            ctx,
            async move { client.subscribe_invoices(request).await },
            Ok,
        );
        let settled = invoices
            .map_ok(move |inv| {
                let items = if inv.settle_index > after_settle_index {
                    invoice::received(inv)
                } else {
                    Vec::new()
                };
                stream::iter(items.into_iter().map(Ok))
            })
            .try_flatten()
            .boxed();
        until(settled, |_| false, "the node closed the invoice stream")
    }

    fn sent_page(&self, after_index: u64, max: u64) -> NodeFuture<SentPage> {
        let (mut client, ctx) = (self.lightning.clone(), self.context("ListPayments"));
        let request = lnrpc::ListPaymentsRequest {
            include_incomplete: true,
            index_offset: after_index,
            max_payments: max,
            ..Default::default()
        };
        async move {
            let page = unary(ctx, client.list_payments(request)).await?;
            Ok(payment::sent_page(page, after_index))
        }
        .boxed()
    }

    fn send_routed(
        &self,
        keysend: OutgoingKeysend,
        routing: crate::node::routing::Routing,
    ) -> NodeStream<PaymentUpdate> {
        self.send_with(&keysend, &routing)
    }

    fn feature_bits(&self, id: NodeId) -> NodeFuture<Option<Vec<u32>>> {
        Lnd::feature_bits(self, id)
    }

    fn probe(
        &self,
        keysend: OutgoingKeysend,
        routing: crate::node::routing::Routing,
    ) -> NodeFuture<crate::node::routing::Probe> {
        self.probe_with(&keysend, &routing)
    }

    fn route_avoiding(
        &self,
        keysend: &OutgoingKeysend,
        avoid: Vec<(NodeId, NodeId)>,
    ) -> NodeFuture<crate::node::routing::ShardRoute> {
        let (mut client, ctx) = (self.lightning.clone(), self.context("QueryRoutes"));
        let mut request = convert::query_routes_request(keysend);
        request.ignored_pairs = avoid
            .iter()
            .map(|(from, to)| lnrpc::NodePair {
                from: from.as_bytes().to_vec(),
                to: to.as_bytes().to_vec(),
            })
            .collect();
        let destination = keysend.destination;
        async move {
            let routes = unary(ctx, client.query_routes(request))
                .await
                .map_err(|err| no_route(err, &destination))?;
            convert::shard_route(routes).ok_or_else(|| no_route_to(&destination))
        }
        .boxed()
    }

    fn find_by_payment_addr(
        &self,
        payment_addr: [u8; 32],
        since_secs: u64,
    ) -> NodeFuture<Option<PaymentHash>> {
        Lnd::find_by_payment_addr(self, payment_addr, since_secs)
    }

    fn permissions(&self) -> NodeFuture<Permissions> {
        let lnd = self.clone();
        async move { Ok(lnd.check_permissions().await) }.boxed()
    }
}

impl Lnd {
    /// Ask the node which features our macaroon allows: one
    /// CheckMacaroonPermissions call per feature. The call itself needs
    /// `macaroon:read`; `info:read` is known to be granted (GetInfo answered
    /// at connect), so a refusal there means the check itself is refused.
    async fn check_permissions(&self) -> Permissions {
        let checks = Feature::ALL.map(|feature| async move {
            let allowed = self
                .macaroon_allows(&[feature.permission()], feature.method())
                .await;
            (feature, allowed)
        });
        let answers = futures::future::join_all(checks).await;
        let mut missing = Vec::new();
        for (feature, allowed) in answers {
            match (feature, allowed) {
                (_, Ok(true)) => {}
                (Feature::NodeInfo, Ok(false) | Err(NodeError::PermissionDenied(_))) => {
                    return Permissions::Unknown(
                        "this macaroon lacks macaroon:read, which the check needs".into(),
                    );
                }
                // LND answers a macaroon without the permission with an
                // error ("permission denied"), not `valid: false`.
                (_, Ok(false) | Err(NodeError::Invalid(_) | NodeError::PermissionDenied(_))) => {
                    missing.push(feature);
                }
                (_, Err(err)) => return Permissions::Unknown(unknown_reason(&err)),
            }
        }
        Permissions::Checked { missing }
    }

    /// Whether our macaroon grants `permissions` for `method`.
    async fn macaroon_allows(
        &self,
        permissions: &[(&str, &str)],
        method: &str,
    ) -> Result<bool, NodeError> {
        let (mut client, ctx) = (
            self.lightning.clone(),
            self.context("CheckMacaroonPermissions"),
        );
        let request = lnrpc::CheckMacPermRequest {
            macaroon: self.macaroon().as_bytes().to_vec(),
            permissions: permissions
                .iter()
                .map(|(entity, action)| lnrpc::MacaroonPermission {
                    entity: (*entity).to_owned(),
                    action: (*action).to_owned(),
                })
                .collect(),
            full_method: method.to_owned(),
        };
        unary(ctx, client.check_macaroon_permissions(request))
            .await
            .map(|answer| answer.valid)
    }
}

/// Why the check could not be made, in words (an lnd older than 0.13 does
/// not have it).
fn unknown_reason(err: &NodeError) -> String {
    match err {
        NodeError::Other(text)
            if ["unimplemented", "unknown method", "not implemented"]
                .iter()
                .any(|word| text.to_ascii_lowercase().contains(word)) =>
        {
            "this lnd is too old to check macaroons (0.13 or newer can)".into()
        }
        other => other.to_string(),
    }
}

fn is_final(update: &PaymentUpdate) -> bool {
    update.status.is_final()
}

fn no_route_to(destination: &NodeId) -> NodeError {
    NodeError::NotFound(format!("no route to {}", destination.short()))
}

/// LND answers QueryRoutes without a path with a plain error
/// ("unable to find a path to destination"): that is a missing route.
fn no_route(err: NodeError, destination: &NodeId) -> NodeError {
    match &err {
        NodeError::Other(text) | NodeError::NotFound(text)
            if text.contains("unable to find a path") || text.contains("no route") =>
        {
            no_route_to(destination)
        }
        _ => err,
    }
}
