//! `sim`: an LND-compatible Lightning network served over real gRPC with a
//! real TLS certificate and macaroons. Eight deterministic nodes (the user's
//! node is "satchel"), channels with balances and fee policies, keysend
//! payments routed hop by hop, received keysends turned into invoices the
//! way LND does it, and state persisted in the node directory.
//!
//! It powers the integration tests, `satchel --demo` and the benchmarks.
//! The unchanged LND client connects to it exactly as to LND.

mod amp;
mod behaviour;
mod bolt11;
pub use behaviour::{demo_node_id, private_invoice, route_hint_to};
mod convert;
mod disk;
mod gate;
mod graph;
mod handle;
mod history;
mod invoices;
mod ledger;
mod lightning;
mod macaroon;
pub use macaroon::add_first_party_caveat;
mod network;
mod pay;
mod payments;
mod persist;
mod route;
mod router;
mod server;
mod signer;
mod tls;
mod version;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::keysend::NodeId;

pub use handle::{SimHandle, run_standalone, start};
pub use history::DEMO_TIP_EVERY;

/// How to run a simulated network.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// LND-like directory of the user's node (cert, macaroons, sim state).
    pub dir: PathBuf,
    /// gRPC address; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Historical received keysends to create on first start.
    pub seed_history: usize,
    /// Seed a benchmark history instead of the demo mix: every keysend has a
    /// ~100-byte message and a Whatsat-signed sender.
    pub seed_all_signed: bool,
    /// Demo traffic: other nodes pay the user's node about this often.
    pub traffic: Option<Duration>,
    /// How long an HTLC takes to settle or fail.
    pub payment_latency: Duration,
    /// A new directory gets a node identity of its own (a random seed kept
    /// in its state), so two directories are two nodes. `false` keeps the
    /// fixed identity of the demo ([`demo_node`]).
    pub own_identity: bool,
}

impl SimConfig {
    /// `127.0.0.1:0`, no seeded history, no traffic, 300 ms per payment.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed_history: 0,
            seed_all_signed: false,
            traffic: None,
            payment_latency: Duration::from_millis(300),
            own_identity: true,
        }
    }
}

/// A node of the simulated network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimNode {
    /// Short name used in the sim API ("alice", "erin", ...).
    pub name: String,
    pub id: NodeId,
    pub alias: String,
    pub accepts_keysend: bool,
    /// Not in the public graph.
    pub private: bool,
}

/// Why the simulator failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SimError {
    #[error("cannot access {path}: {source}")]
    Io {
        path: PathBuf,
        source: Arc<std::io::Error>,
    },
    #[error("cannot listen on {0}: {1}")]
    Listen(SocketAddr, String),
    #[error("TLS setup failed: {0}")]
    Tls(String),
    #[error("the simulator state is unreadable (move it aside to start fresh): {0}")]
    Corrupt(String),
    #[error("there is no node named {0:?} in the simulated network")]
    UnknownNode(String),
    #[error("the payment was refused: {0}")]
    Refused(String),
    #[error("the payment failed: {0}")]
    PaymentFailed(String),
}

impl SimError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            source: Arc::new(source),
        }
    }
}

/// The id of the user's node in a network started without
/// [`SimConfig::own_identity`] (the demo), and in every sim directory
/// created before identities were kept there.
pub fn demo_node() -> NodeId {
    graph::node_id(graph::USER)
}

/// Contacts for the demo: every other node of the deterministic graph
/// (name, id, note).
pub fn demo_contacts() -> Vec<(String, NodeId, String)> {
    graph::NODES
        .iter()
        .filter(|n| n.name != graph::USER && !behaviour::is_issue17_node(n.name))
        .map(|n| {
            (
                n.alias.to_owned(),
                graph::node_id(n.name),
                n.note.to_owned(),
            )
        })
        .collect()
}
