//! A node whose keysends go out with route hints (issue 17): wraps the
//! connected node so the journaled send flow (persist before sending,
//! track by hash, never pay twice) stays the one path, while every keysend
//! it sends carries the hints. The hash is still ours, so recovery works
//! as for any keysend.

use crate::keysend::{NodeId, PaymentHash};
use crate::node::routing::{HopHint, Routing};
use crate::node::{
    Balance, FeeEstimate, GraphNode, Node, NodeFuture, NodeInfo, NodeStream, OutgoingKeysend,
    PaymentUpdate, Peer, Permissions, ReceivedKeysend, ReceivedPage, SentPage, SharedNode,
};

/// `inner`, with route hints on every keysend.
pub struct Hinted {
    inner: SharedNode,
    routing: Routing,
}

/// `node` itself without hints, else a node that sends with them (each
/// hop hint is its own one-hop route hint, as a BOLT 11 `r` field per
/// private channel).
pub fn with_hints(node: SharedNode, hints: Vec<HopHint>) -> SharedNode {
    if hints.is_empty() {
        return node;
    }
    let routing = Routing {
        route_hints: hints.into_iter().map(|h| vec![h]).collect(),
        ..Routing::default()
    };
    std::sync::Arc::new(Hinted {
        inner: node,
        routing,
    })
}

impl Node for Hinted {
    fn info(&self) -> NodeFuture<NodeInfo> {
        self.inner.info()
    }
    fn balance(&self) -> NodeFuture<Balance> {
        self.inner.balance()
    }
    fn lookup(&self, id: NodeId) -> NodeFuture<Option<GraphNode>> {
        self.inner.lookup(id)
    }
    fn peers(&self) -> NodeFuture<Vec<Peer>> {
        self.inner.peers()
    }
    fn estimate_fee(&self, keysend: &OutgoingKeysend) -> NodeFuture<FeeEstimate> {
        self.inner.estimate_fee(keysend)
    }
    fn sign_with_node_key(&self, payload: Vec<u8>) -> NodeFuture<Vec<u8>> {
        self.inner.sign_with_node_key(payload)
    }
    fn send(&self, keysend: OutgoingKeysend) -> NodeStream<PaymentUpdate> {
        self.inner.send_routed(keysend, self.routing.clone())
    }
    fn track(&self, hash: PaymentHash) -> NodeStream<PaymentUpdate> {
        self.inner.track(hash)
    }
    fn received_page(&self, after_add_index: u64, max: u64) -> NodeFuture<ReceivedPage> {
        self.inner.received_page(after_add_index, max)
    }
    fn subscribe_received(&self, after_settle_index: u64) -> NodeStream<ReceivedKeysend> {
        self.inner.subscribe_received(after_settle_index)
    }
    fn sent_page(&self, after_index: u64, max: u64) -> NodeFuture<SentPage> {
        self.inner.sent_page(after_index, max)
    }
    fn permissions(&self) -> NodeFuture<Permissions> {
        self.inner.permissions()
    }
    fn send_routed(&self, keysend: OutgoingKeysend, routing: Routing) -> NodeStream<PaymentUpdate> {
        let mut routing = routing;
        routing.route_hints.extend(self.routing.route_hints.clone());
        self.inner.send_routed(keysend, routing)
    }
    fn feature_bits(&self, id: NodeId) -> NodeFuture<Option<Vec<u32>>> {
        self.inner.feature_bits(id)
    }
    fn probe(
        &self,
        keysend: OutgoingKeysend,
        routing: Routing,
    ) -> NodeFuture<crate::node::routing::Probe> {
        let mut routing = routing;
        routing.route_hints.extend(self.routing.route_hints.clone());
        self.inner.probe(keysend, routing)
    }
}
