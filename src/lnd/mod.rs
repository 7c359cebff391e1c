//! The LND adapter: connects to the user's own node over gRPC (pinned TLS
//! certificate, macaroon header) and implements [`crate::node::Node`].
//!
//! - [`connect`](mod@connect): connection specs from files; [`lndconnect`] URIs;
//!   [`discover`](mod@discover): LND's default paths.
//! - `tls`: the pinned-certificate verifier.
//! - `error`: gRPC status -> [`NodeError`](crate::node::NodeError).
//!
//! Generated proto types stay inside this module; everything public speaks
//! the domain types of [`crate::node`] and [`crate::keysend`].

mod calls;
mod client;
pub mod connect;
mod convert;
pub mod discover;
mod error;
pub mod lndconnect;
mod routing;
mod saved;
pub mod socks;
mod stream;
mod tls;

pub use client::{Lnd, connect, connect_timeout, route};

pub use self::connect::{
    CertSource, ConnectSpec, ConnectSpecError, DEFAULT_PORT, InvalidPem, Macaroon,
};
pub use self::discover::{DiscoverError, default_lnd_dir, discover, discover_in};
pub use lndconnect::LndConnectError;
pub use saved::SavedSpecError;
pub use socks::{Route, SocksError, SocksProxy};
pub use tls::PinnedCert;
