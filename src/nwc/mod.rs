//! Nostr Wallet Connect (NIP-47): apps pay through Satchel over nostr relays.
//!
//! - [`connection`]: one connection per app (file + keyring), add, revoke.
//! - [`budget`]: periods and spends.
//! - [`ledger`]: `nwc.db`, the reservations and spends that keep a budget
//!   across concurrent requests and processes.
//! - [`handle`]: one decrypted request against the node and the wallet's
//!   journaled send flow; the NIP-47 error codes.
//! - [`service`]: the relay side: info events, requests in, responses and
//!   notifications out, NIP-44 v2 or NIP-04 as the request's `encryption` tag says.
//! - [`notify`]: `payment_sent` and `payment_received` notifications.
//! - [`relay`]: an in-process relay on 127.0.0.1 for `--demo` and the tests.

pub mod budget;
pub mod connection;
mod demo_secrets;
mod error;
pub mod gui_api;
pub mod handle;
pub mod ledger;
pub mod notify;
pub mod relay;
pub mod service;

pub use budget::{Period, Spend};
pub use connection::{Connection, Connections, DEFAULT_METHODS, NewConnection};
pub use demo_secrets::{DemoSecrets, secrets_for};
pub use error::NwcError;
pub use service::{Clock, Encryption, Service, ServiceHandle};

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
