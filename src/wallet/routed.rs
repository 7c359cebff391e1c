//! A node whose keysends go out with route hints (issue 17): wraps the
//! connected node so the journaled send flow (persist before sending,
//! track by hash, never pay twice) stays the one path, while every keysend
//! it sends carries the hints. The hash is still ours, so recovery works
//! as for any keysend.

use super::{Journal, JournalEntry};
use crate::keysend::{NodeId, PaymentHash};
use crate::node::routing::{HopHint, Routing};
use crate::node::{
    Balance, FeeEstimate, GraphNode, Node, NodeError, NodeFuture, NodeInfo, NodeStream,
    OutgoingKeysend, PaymentUpdate, Peer, Permissions, ReceivedKeysend, ReceivedPage, SentPage,
    SharedNode,
};

/// The route hints a contact holds, parsed; the first that does not parse
/// is the error, naming it.
pub fn contact_hints(contact: &crate::store::Contact) -> Result<Vec<HopHint>, String> {
    contact
        .route_hints
        .iter()
        .map(|text| {
            text.parse::<HopHint>()
                .map_err(|err| format!("route hint of {}: {err}", contact.name))
        })
        .collect()
}

/// A contact's hop hints taken from one of their BOLT11 invoices (`text`):
/// the last hop of each `r` field, the private channel into `payee`. An
/// invoice of another node, or without `r` fields, is refused with why.
pub fn hints_from_invoice(text: &str, payee: &NodeId) -> Result<Vec<HopHint>, String> {
    let invoice = crate::payto::Invoice::decode(text).map_err(|e| e.to_string())?;
    if invoice.payee != *payee {
        return Err(format!(
            "the invoice is from {}, not from this contact ({})",
            invoice.payee.short(),
            payee.short()
        ));
    }
    let hints: Vec<HopHint> = invoice
        .route_hints
        .iter()
        .filter_map(|route| route.last().cloned())
        .collect();
    match hints.is_empty() {
        true => Err(
            "the invoice carries no route hints (no `r` field): its node is \
                     reachable without them, or ask for an invoice of a private channel"
                .into(),
        ),
        false => Ok(hints),
    }
}

/// A contact's hints as typed or pasted (CLI arguments, the contact form):
/// each word a hop hint `NODE_ID:CHAN_ID:FEE_BASE_MSAT:FEE_PPM:CLTV_DELTA`
/// or one of `payee`'s BOLT11 invoices (see [`hints_from_invoice`]).
pub fn parse_hints(text: &str, payee: &NodeId) -> Result<Vec<HopHint>, String> {
    let mut hints = Vec::new();
    for word in text.split_whitespace() {
        if crate::payto::Invoice::decode(word).is_ok() {
            hints.extend(hints_from_invoice(word, payee).map_err(|e| format!("invoice: {e}"))?);
        } else {
            let safe = crate::keysend::text::display_safe(word, 80);
            hints.push(word.parse().map_err(|e| format!("hint {safe}: {e}"))?);
        }
    }
    Ok(hints)
}

/// `keysend` carrying `hints` with it into the journal (so a resend after a
/// crash uses them too); a keysend without hints, or paying an invoice
/// (its own hints), is left as it is.
pub fn keep_hints(keysend: OutgoingKeysend, hints: Vec<HopHint>) -> OutgoingKeysend {
    if hints.is_empty() || keysend.invoice().is_some() {
        return keysend;
    }
    keysend.with_routing(Routing {
        route_hints: hints.into_iter().map(|h| vec![h]).collect(),
        ..Routing::default()
    })
}

/// An AMP entry whose set id the journal lacks (a crash came between
/// dispatch and the node's first answer): find the payment by the address
/// Satchel drew and write its set id down. Any other entry, or one the node
/// has no payment for, comes back as it is; an error when the node cannot
/// say (never taken for "not found").
pub async fn locate(
    node: &SharedNode,
    journal: &Journal,
    entry: JournalEntry,
) -> Result<JournalEntry, NodeError> {
    let addr = entry.keysend.routed().and_then(|r| r.payment_addr());
    let (Some(addr), true) = (addr, entry.keysend.awaits_set_id()) else {
        return Ok(entry);
    };
    // Ten minutes of slack for the node's clock against ours.
    let since = u64::try_from(entry.created_at / 1000 - 600).unwrap_or(0);
    let Some(set_id) = node.find_by_payment_addr(addr, since).await? else {
        return Ok(entry);
    };
    let intent = entry.intent_id.clone();
    journal
        .call(move |j| j.identify(&intent, set_id))
        .await
        .map_err(|error| NodeError::Other(format!("the journal could not be written: {error}")))
}

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
    fn route_avoiding(
        &self,
        keysend: &OutgoingKeysend,
        avoid: Vec<(NodeId, NodeId)>,
    ) -> NodeFuture<crate::node::routing::ShardRoute> {
        self.inner.route_avoiding(keysend, avoid)
    }
    fn find_by_payment_addr(
        &self,
        payment_addr: [u8; 32],
        since_secs: u64,
    ) -> NodeFuture<Option<PaymentHash>> {
        self.inner.find_by_payment_addr(payment_addr, since_secs)
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
