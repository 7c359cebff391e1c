//! The seam between the app and a Lightning node: domain types and the
//! operations Satchel needs. The LND adapter (`crate::lnd`) implements
//! [`Node`]; the GUI and CLI only ever see these types.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::BoxStream;

use crate::keysend::{Msat, NodeId, PaymentHash, Preimage, Records};

pub mod journaled;
pub mod permissions;
pub mod routing;
pub use permissions::{Feature, Permissions};

/// A future a node operation returns; `'static` so it can go straight into a task.
pub type NodeFuture<T> = BoxFuture<'static, Result<T, NodeError>>;
/// A stream of updates from a node.
pub type NodeStream<T> = BoxStream<'static, Result<T, NodeError>>;

/// What Satchel needs from a Lightning node.
pub trait Node: Send + Sync + 'static {
    /// Identity, network, sync state and keysend support of our node.
    fn info(&self) -> NodeFuture<NodeInfo>;
    /// Spendable and receivable channel balance.
    fn balance(&self) -> NodeFuture<Balance>;
    /// Look a node up in the graph. `Ok(None)`: not in the graph (private or unknown).
    fn lookup(&self, id: NodeId) -> NodeFuture<Option<GraphNode>>;
    /// Our channel peers (suggestions for contacts).
    fn peers(&self) -> NodeFuture<Vec<Peer>>;
    /// Route fee for this keysend, counting the size of its records.
    fn estimate_fee(&self, keysend: &OutgoingKeysend) -> NodeFuture<FeeEstimate>;
    /// Sign `payload` with the node identity key (signrpc, key family 6,
    /// index 0, single SHA-256): the 64-byte compact R||S signature.
    fn sign_with_node_key(&self, payload: Vec<u8>) -> NodeFuture<Vec<u8>>;
    /// Send a keysend and stream its progress until a terminal update.
    fn send(&self, keysend: OutgoingKeysend) -> NodeStream<PaymentUpdate>;
    /// Follow a payment by hash (crash recovery). `Err(NodeError::NotFound)`
    /// when the node never saw it.
    fn track(&self, hash: PaymentHash) -> NodeStream<PaymentUpdate>;
    /// One page of received keysends, in add-index order, strictly after
    /// `after_add_index` (LND's exclusive offset).
    fn received_page(&self, after_add_index: u64, max: u64) -> NodeFuture<ReceivedPage>;
    /// Received keysends as they settle. With `after_settle_index > 0`,
    /// everything settled after it is replayed first; with `0`, LND replays
    /// nothing and only new settlements arrive (live only), so a caller
    /// without a cursor must read [`Node::received_page`] to catch up
    /// (LND: `InvoiceSubscription.settle_index` 0 means "not set").
    fn subscribe_received(&self, after_settle_index: u64) -> NodeStream<ReceivedKeysend>;
    /// One page of our sent keysends, strictly after `after_index`.
    fn sent_page(&self, after_index: u64, max: u64) -> NodeFuture<SentPage>;
    /// Send with AMP, route hints or route restrictions (issue 17).
    fn send_routed(
        &self,
        keysend: OutgoingKeysend,
        routing: routing::Routing,
    ) -> NodeStream<PaymentUpdate> {
        if routing == routing::Routing::default() {
            return self.send(keysend);
        }
        Box::pin(futures::stream::once(async {
            Err(NodeError::Other(
                "this node cannot route beyond one keysend path".into(),
            ))
        }))
    }
    /// The feature bits a node announces; `Ok(None)` when it is not in the graph.
    fn feature_bits(&self, _id: NodeId) -> NodeFuture<Option<Vec<u32>>> {
        Box::pin(async { Ok(None) })
    }
    /// Probe the route to the keysend's destination: pays nothing.
    fn probe(
        &self,
        _keysend: OutgoingKeysend,
        _routing: routing::Routing,
    ) -> NodeFuture<routing::Probe> {
        Box::pin(async { Err(NodeError::Other("this node cannot probe".into())) })
    }
    /// Issue 17: the best route for `keysend` that uses none of the directed
    /// node pairs in `avoid` (LND QueryRoutes `ignored_pairs`).
    fn route_avoiding(
        &self,
        _keysend: &OutgoingKeysend,
        _avoid: Vec<(NodeId, NodeId)>,
    ) -> NodeFuture<routing::ShardRoute> {
        Box::pin(async { Err(NodeError::Other("this node cannot query routes".into())) })
    }
    /// Issue 17: the payment (an AMP set) whose shards carry `payment_addr`,
    /// created at or after `since_secs` (Unix seconds); `Ok(None)` when the
    /// node has none. A node that cannot look gives an error, never `None`.
    fn find_by_payment_addr(
        &self,
        _payment_addr: [u8; 32],
        _since_secs: u64,
    ) -> NodeFuture<Option<PaymentHash>> {
        Box::pin(async {
            Err(NodeError::Other(
                "this node cannot look payments up by address".into(),
            ))
        })
    }
    /// Which features the macaroon allows (LND's CheckMacaroonPermissions).
    fn permissions(&self) -> NodeFuture<Permissions> {
        Box::pin(async { Ok(Permissions::Unknown("this node cannot say".into())) })
    }
}

/// A shared handle to a node.
pub type SharedNode = Arc<dyn Node>;

/// Bitcoin network a node runs on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Network {
    Mainnet,
    Testnet,
    Testnet4,
    Signet,
    Regtest,
    Simnet,
    Other(String),
}

impl Network {
    /// Parse LND's network name (`chains[0].network`, macaroon directory).
    pub fn from_name(name: &str) -> Self {
        match name {
            "mainnet" => Self::Mainnet,
            "testnet" | "testnet3" => Self::Testnet,
            "testnet4" => Self::Testnet4,
            "signet" => Self::Signet,
            "regtest" => Self::Regtest,
            "simnet" => Self::Simnet,
            other => Self::Other(other.to_owned()),
        }
    }

    /// LND's name for it (also its macaroon directory).
    pub fn name(&self) -> &str {
        match self {
            Self::Mainnet => "mainnet",
            Self::Testnet => "testnet",
            Self::Testnet4 => "testnet4",
            Self::Signet => "signet",
            Self::Regtest => "regtest",
            Self::Simnet => "simnet",
            Self::Other(name) => name,
        }
    }

    /// Real money moves on this network.
    pub fn is_mainnet(&self) -> bool {
        *self == Self::Mainnet
    }
}

/// Our own node.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeInfo {
    pub id: NodeId,
    pub alias: String,
    /// `#rrggbb`
    pub color: String,
    pub network: Network,
    pub synced_to_chain: bool,
    pub synced_to_graph: bool,
    pub block_height: u32,
    pub version: String,
    pub active_channels: u32,
    /// Feature bit 55 (or 54) is set: `accept-keysend=true`.
    pub accepts_keysend: bool,
}

/// Channel balances.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Balance {
    /// What we could send (sum over channels, before reserves).
    pub local: Msat,
    /// What we could receive.
    pub remote: Msat,
    pub unsettled_local: Msat,
    pub pending_open_local: Msat,
}

/// Another node as the graph describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphNode {
    pub id: NodeId,
    pub alias: String,
    pub color: String,
    /// Advertises keysend (bit 54/55). Missing is a warning, not proof.
    pub accepts_keysend: bool,
    /// Advertises AMP (bit 30/31, issue 17).
    pub accepts_amp: bool,
    pub num_channels: u32,
    pub total_capacity: Msat,
}

/// A channel peer of ours.
#[derive(Debug, Clone, PartialEq)]
pub struct Peer {
    pub id: NodeId,
    pub chan_id: u64,
    pub active: bool,
    pub private: bool,
    pub capacity: Msat,
    pub local: Msat,
    pub remote: Msat,
}

/// A keysend ready to go: records are final (message, identity, boostagram,
/// extras) and never contain the preimage record; the adapter adds it.
#[derive(Debug, Clone)]
pub struct OutgoingKeysend {
    pub destination: NodeId,
    pub amount: Msat,
    pub preimage: Preimage,
    pub records: Records,
    /// Always set: 0 would mean "zero-fee routes only" in LND.
    pub fee_limit: Msat,
    pub timeout: Duration,
}

/// A record type that never leaves Satchel: an [`OutgoingKeysend`] holding
/// it pays a BOLT11 invoice (value: the payment hash, then the invoice
/// text), so the journal keeps invoice payments with no schema change. The
/// adapter sends the invoice as `payment_request` and drops this record.
pub const LOCAL_INVOICE_RECORD: u64 = 1;

impl OutgoingKeysend {
    /// The payment hash: the invoice's, or SHA-256 of the preimage.
    pub fn hash(&self) -> PaymentHash {
        self.records
            .get(&LOCAL_INVOICE_RECORD)
            .and_then(|v| PaymentHash::from_slice(v.get(..32)?))
            // Issue 17: an AMP payment is known by the set id LND drew.
            .or_else(|| self.amp_set_id())
            .unwrap_or_else(|| self.preimage.hash())
    }

    /// The BOLT11 invoice this pays, if it pays one.
    pub fn invoice(&self) -> Option<&str> {
        let value = self.records.get(&LOCAL_INVOICE_RECORD)?;
        std::str::from_utf8(value.get(32..)?).ok()
    }

    /// Pay `invoice` (its text `text`) with `amount` (its own, or the
    /// payer's for a zero-amount invoice). The preimage is unused: the
    /// payee knows it.
    pub fn pay_invoice(
        invoice: &crate::payto::Invoice,
        text: &str,
        amount: Msat,
        fee_limit: Msat,
        timeout: Duration,
    ) -> Self {
        let mut value = invoice.payment_hash.as_bytes().to_vec();
        value.extend_from_slice(text.as_bytes());
        Self {
            destination: invoice.payee,
            amount,
            preimage: Preimage::random(),
            records: Records::from([(LOCAL_INVOICE_RECORD, value)]),
            fee_limit,
            timeout,
        }
    }
}

/// A route fee estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeeEstimate {
    pub fee: Msat,
    /// Hops including the destination.
    pub hops: u32,
    pub time_lock_delay: u32,
    pub success_probability: f64,
}

/// Where a payment stands.
#[derive(Debug, Clone, PartialEq)]
pub enum PaymentStatus {
    /// Created, no HTLC yet.
    Initiated,
    InFlight,
    Succeeded {
        preimage: Preimage,
    },
    Failed(PaymentFailure),
}

impl PaymentStatus {
    /// Succeeded or failed: no more updates will come.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Succeeded { .. } | Self::Failed(_))
    }
}

/// Why a payment failed, in LND's terms (`PaymentFailureReason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PaymentFailure {
    /// Gave up searching for a route in time.
    Timeout,
    /// No route with enough capacity, or the records are too large for the route.
    NoRoute,
    /// An unexpected error, e.g. the receiver's wallet refused the onion payload.
    Error,
    /// The destination refused: keysend not accepted (or bad payment details).
    ReceiverRefusedKeysend,
    /// Not enough outbound liquidity.
    InsufficientBalance,
    Canceled,
}

impl PaymentFailure {
    /// Plain-language explanation with the next step.
    pub fn explain(self) -> &'static str {
        match self {
            Self::Timeout => "No route was found in time. Try again later, or raise the fee limit.",
            Self::NoRoute => {
                "No route could carry this payment. The recipient may be unreachable, channels may \
                 lack capacity, the fee limit may be too low, or the message is too large for the \
                 route: try a shorter message or a higher fee limit."
            }
            Self::Error => {
                "The payment failed with an error along the way. The recipient's wallet may not \
                 accept the attached records; try again without a message."
            }
            Self::ReceiverRefusedKeysend => {
                "This node does not accept keysend payments. Ask the recipient to enable \
                 keysend (accept-keysend=true in lnd) or send them an invoice payment instead."
            }
            Self::InsufficientBalance => {
                "Your node does not have enough outbound balance in its channels for this amount \
                 plus fees."
            }
            Self::Canceled => "The payment was canceled.",
        }
    }
}

/// A progress report for one payment.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentUpdate {
    pub hash: PaymentHash,
    pub status: PaymentStatus,
    pub amount: Msat,
    pub fee: Msat,
    /// Hops of the successful (or last) route, including the destination.
    pub hops: u32,
    /// HTLC attempts made so far.
    pub attempts: u32,
    /// When the node created the payment, ns since the Unix epoch.
    pub created_ns: i64,
}

/// One received keysend HTLC. Unique by `(hash, chan_id, htlc_index)`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedKeysend {
    pub hash: PaymentHash,
    pub chan_id: u64,
    pub htlc_index: u64,
    pub amount: Msat,
    pub add_index: u64,
    pub settle_index: u64,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub settled_at: i64,
    /// All custom records of the HTLC, including the keysend preimage record.
    pub records: Records,
}

/// A page of received keysends.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedPage {
    pub items: Vec<ReceivedKeysend>,
    /// The add index to continue after; equal to the request's when the page was empty.
    pub last_add_index: u64,
    /// Invoices the node returned in this page (keysend or not); 0 means the end.
    pub scanned: usize,
}

/// One of our sent keysends, rebuilt from the node's payment history.
#[derive(Debug, Clone, PartialEq)]
pub struct SentKeysend {
    pub hash: PaymentHash,
    pub payment_index: u64,
    pub destination: Option<NodeId>,
    pub amount: Msat,
    pub fee: Msat,
    pub status: PaymentStatus,
    pub created_ns: i64,
    /// The final hop's custom records of the successful (or last) attempt.
    pub records: Records,
}

/// A page of sent keysends.
#[derive(Debug, Clone, PartialEq)]
pub struct SentPage {
    pub items: Vec<SentKeysend>,
    pub last_index: u64,
    pub scanned: usize,
}

/// Why a node operation failed. `Clone` so it can ride in messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NodeError {
    #[error("cannot reach the node at {address}: {detail}")]
    Unreachable { address: String, detail: String },
    #[error("the node's TLS certificate does not match the one Satchel trusts")]
    CertificateMismatch,
    #[error("the TLS certificate file is not valid: {0}")]
    BadCertificate(String),
    #[error("the node rejected the macaroon")]
    MacaroonRejected,
    #[error("the macaroon lacks permission for this: {0}")]
    PermissionDenied(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("a payment with this hash is already in flight or succeeded")]
    AlreadyPaid,
    #[error("the node refused the request: {0}")]
    Invalid(String),
    #[error("the connection to the node was lost: {0}")]
    Disconnected(String),
    #[error("the node did not answer in time")]
    Timeout,
    /// The SOCKS proxy (Tor) did not give a path to the node; `next_step`
    /// says whether to look at the proxy, Tor or the node.
    #[error("{detail}")]
    Proxy {
        detail: String,
        next_step: &'static str,
    },
    /// An answer larger than Satchel accepts (gRPC's message limit).
    #[error("the node's answer to {method} is too large for Satchel: {detail}")]
    TooLarge { method: String, detail: String },
    #[error("unexpected answer from the node: {0}")]
    Other(String),
}

impl NodeError {
    /// What the user can do about it.
    pub fn next_step(&self) -> &'static str {
        match self {
            Self::Unreachable { .. } => {
                "Check that lnd is running, that the host and port are right (gRPC is 10009 by \
                 default) and that rpclisten allows this address."
            }
            Self::CertificateMismatch => {
                "lnd may have regenerated tls.cert (it does when it expires or its addresses \
                 change). Check the new certificate and trust it again if you expected this."
            }
            Self::BadCertificate(_) => "Point Satchel at lnd's tls.cert (PEM) file.",
            Self::MacaroonRejected => {
                "Use a macaroon from this node (data/chain/bitcoin/<network>/admin.macaroon, or \
                 one baked with lncli bakemacaroon)."
            }
            Self::PermissionDenied(_) => {
                "The macaroon is missing a permission (a readonly macaroon cannot send). Bake one \
                 with the permissions listed in the README."
            }
            Self::NotFound(_) => "Nothing to do: the node does not know this item.",
            Self::AlreadyPaid => "This payment was already made; it will not be sent again.",
            Self::Invalid(_) => "Check the values you entered.",
            Self::Disconnected(_) | Self::Timeout => {
                "Satchel reconnects on its own; check the node if this persists."
            }
            Self::Other(_) => "If this persists, check lnd's log.",
            Self::Proxy { next_step, .. } => next_step,
            Self::TooLarge { .. } => {
                "Satchel asks for smaller pages on its own; when a single item is too large, \
                 it cannot be read by Satchel (see lnd's log for what it holds)."
            }
        }
    }

    /// A transient failure worth retrying with back-off.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. } | Self::Disconnected(_) | Self::Timeout
        )
    }
}

/// The one retry policy for everything that talks to the node (the
/// connection watch, the live inbox, tracking a payment): wait
/// [`Backoff::FIRST`] after the first failure, twice as long after each
/// next one, never more than [`Backoff::MAX`]; start over after a success.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    /// The wait after the first failure.
    pub const FIRST: Duration = Duration::from_millis(500);
    /// The longest wait.
    pub const MAX: Duration = Duration::from_secs(30);

    /// No failure yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// One more failure: its number (1-based) and the wait before retrying.
    pub fn failed(&mut self) -> (u32, Duration) {
        self.failures = self.failures.saturating_add(1);
        (self.failures, Self::delay(self.failures))
    }

    /// It worked: the next failure waits [`Backoff::FIRST`] again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// The wait before retry `attempt` (1-based).
    pub fn delay(attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
        Self::FIRST.saturating_mul(factor).min(Self::MAX)
    }
}

#[cfg(test)]
mod backoff_tests {
    use super::Backoff;

    #[test]
    fn backoff_doubles_caps_and_starts_over() {
        let mut backoff = Backoff::new();
        let waits: Vec<(u32, u64)> = (0..8)
            .map(|_| backoff.failed())
            .map(|(attempt, wait)| (attempt, wait.as_millis() as u64))
            .collect();
        assert_eq!(
            waits,
            [
                (1, 500),
                (2, 1_000),
                (3, 2_000),
                (4, 4_000),
                (5, 8_000),
                (6, 16_000),
                (7, 30_000),
                (8, 30_000)
            ]
        );
        assert_eq!(Backoff::delay(u32::MAX), Backoff::MAX);
        backoff.reset();
        assert_eq!(backoff.failed(), (1, Backoff::FIRST));
    }
}
