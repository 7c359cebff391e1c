//! The connection watch: a subscription that asks the node for its info and
//! balance periodically and reports connected / reconnecting (with back-off)
//! / offline for the header. Keyed by the connection, so re-renders never
//! restart it.

use std::hash::{Hash, Hasher};
use std::time::Duration;

use futures::Stream;
use iced::Subscription;

use crate::node::{Balance, NodeError, NodeInfo, SharedNode};

/// Time between checks while the node answers.
const POLL: Duration = Duration::from_secs(20);
/// First retry delay after a transient failure; doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// Longest retry delay.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// What the watch saw.
#[derive(Debug, Clone)]
pub enum Event {
    /// The node answered.
    Online(NodeInfo, Balance),
    /// A transient failure: retrying after `retry_in`.
    Reconnecting {
        attempt: u32,
        retry_in: Duration,
        error: NodeError,
    },
    /// A failure retrying will not fix (macaroon, permissions...).
    Offline(NodeError),
}

/// The connection state shown in the header.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    Connected,
    Reconnecting { attempt: u32, retry_in: Duration },
    Offline(String),
}

/// The subscription's identity: one per connection.
struct Watch {
    id: u64,
    node: SharedNode,
}

impl Hash for Watch {
    fn hash<H: Hasher>(&self, state: &mut H) {
        "health".hash(state);
        self.id.hash(state);
    }
}

/// Watch the node of connection `id`.
pub fn watch(id: u64, node: SharedNode) -> Subscription<Event> {
    Subscription::run_with(Watch { id, node }, |watch| poll(watch.node.clone()))
}

/// Back-off delay before retry `attempt` (1-based).
pub fn backoff(attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
    FIRST_BACKOFF.saturating_mul(factor).min(MAX_BACKOFF)
}

fn poll(node: SharedNode) -> impl Stream<Item = Event> {
    iced::stream::channel(
        4,
        async move |mut output: futures::channel::mpsc::Sender<Event>| {
            use futures::SinkExt;
            let mut attempt = 0u32;
            loop {
                let result = match node.info().await {
                    Ok(info) => node.balance().await.map(|balance| (info, balance)),
                    Err(error) => Err(error),
                };
                let (event, wait) = match result {
                    Ok((info, balance)) => {
                        attempt = 0;
                        (Event::Online(info, balance), POLL)
                    }
                    Err(error) if error.is_transient() => {
                        attempt += 1;
                        let retry_in = backoff(attempt);
                        (
                            Event::Reconnecting {
                                attempt,
                                retry_in,
                                error,
                            },
                            retry_in,
                        )
                    }
                    Err(error) => (Event::Offline(error), POLL),
                };
                if output.send(event).await.is_err() {
                    return;
                }
                tokio::time::sleep(wait).await;
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let delays: Vec<u64> = (1..=8).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }
}
