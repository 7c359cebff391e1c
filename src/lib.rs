//! Satchel: a keysend wallet for your own LND node.
//!
//! Layers, with dependencies pointing down only:
//! `gui` / `cli` -> `node` (the seam) -> `lnd` (adapter) -> generated proto;
//! `keysend` (pure domain) and `store` (files) never import iced or tonic.
//! `sim` serves an LND-compatible network over real gRPC for tests and `--demo`.

pub mod cli;
pub mod clock;
pub mod desktop;
pub mod fault;
pub mod fiat;
#[cfg(feature = "gui")]
pub mod gui;
pub mod keysend;
pub mod lnd;
pub mod logging;
pub mod node;
pub mod nwc;
pub mod payto;
pub mod podcast;
pub mod sim;
pub mod store;
pub mod wallet;
pub mod web;

/// Generated LND protocol code. Private to `lnd` and `sim`.
pub(crate) mod rpc {
    #![allow(clippy::all, clippy::pedantic, missing_docs, unused_results)]
    pub mod lnrpc {
        tonic::include_proto!("lnrpc");
    }
    pub mod routerrpc {
        tonic::include_proto!("routerrpc");
    }
    pub mod signrpc {
        tonic::include_proto!("signrpc");
    }
}

/// Install ring as the process-wide rustls provider (the tonic server needs
/// one chosen explicitly). Safe to call more than once.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
