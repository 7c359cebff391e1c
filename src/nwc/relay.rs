//! A nostr relay run in this process on 127.0.0.1 (rust-nostr's
//! `nostr-relay-builder`, in-memory): `--demo` serves its connections
//! through it, and the tests use it as the real relay between app and wallet.

use nostr_relay_builder::builder::RateLimit;
use nostr_relay_builder::{LocalRelay, RelayBuilder};

use super::NwcError;

/// A running local relay; stops when dropped.
pub struct DemoRelay {
    relay: LocalRelay,
    url: String,
}

impl DemoRelay {
    /// Start a relay on 127.0.0.1 at `port` (0: any free port).
    pub async fn start(port: u16) -> Result<Self, NwcError> {
        // A local relay serves one user's apps: no per-minute cap on events
        // (the default 60 would throttle a burst of streamed payments).
        let limit = RateLimit {
            max_reqs: 10_000,
            notes_per_minute: 1_000_000,
        };
        let mut builder = RelayBuilder::default()
            .addr([127, 0, 0, 1].into())
            .rate_limit(limit);
        if port != 0 {
            builder = builder.port(port);
        }
        let relay = LocalRelay::new(builder);
        relay
            .run()
            .await
            .map_err(|e| NwcError::Relay(e.to_string()))?;
        let url = relay.url().await.to_string();
        Ok(Self { relay, url })
    }

    /// `ws://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        self.url.trim_end_matches('/')
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.url()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    }

    /// Stop serving (connections drop).
    pub fn shutdown(&self) {
        self.relay.shutdown();
        // The relay's stop wakes only the tasks waiting for it at that
        // instant: a connection busy with a message misses it and lives on,
        // so a client would stay attached to a relay that is gone. Repeat
        // the stop for a moment so every task sees one.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let relay = self.relay.clone();
            drop(runtime.spawn(async move {
                for _ in 0..20 {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    relay.shutdown();
                }
            }));
        }
    }
}

impl Drop for DemoRelay {
    fn drop(&mut self) {
        self.shutdown();
    }
}
