//! The connection watch: a subscription that asks the node for its info and
//! balance periodically and reports connected / reconnecting (with back-off)
//! / offline for the header. Keyed by the connection, so re-renders never
//! restart it.
//!
//! The header's connection state has one writer, [`Link`]: the watch and
//! the live inbox stream both report to it, and the state shown is derived
//! from both (the worse one wins), so neither overwrites the other.

use std::hash::{Hash, Hasher};
use std::time::Duration;

use futures::Stream;
use iced::Subscription;

use crate::node::{Backoff, Balance, NodeError, NodeInfo, SharedNode};

/// Time between checks while the node answers.
const POLL: Duration = Duration::from_secs(20);

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

fn poll(node: SharedNode) -> impl Stream<Item = Event> {
    iced::stream::channel(
        4,
        async move |mut output: futures::channel::mpsc::Sender<Event>| {
            use futures::SinkExt;
            let mut backoff = Backoff::new();
            loop {
                let result = match node.info().await {
                    Ok(info) => node.balance().await.map(|balance| (info, balance)),
                    Err(error) => Err(error),
                };
                let (event, wait) = match result {
                    Ok((info, balance)) => {
                        backoff.reset();
                        (Event::Online(info, balance), POLL)
                    }
                    Err(error) if error.is_transient() => {
                        let (attempt, retry_in) = backoff.failed();
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

/// Who reports the connection state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The periodic info and balance check ([`watch`]).
    Watch,
    /// The live inbox stream.
    Follow,
}

/// The connection state's one owner: what each source last reported, and
/// the state shown, derived from both.
#[derive(Debug, Clone)]
pub struct Link {
    watch: State,
    follow: State,
}

impl Default for Link {
    fn default() -> Self {
        Self {
            watch: State::Connected,
            follow: State::Connected,
        }
    }
}

impl Link {
    /// The state shown: offline if either source gave up, else
    /// reconnecting if either is retrying, else connected.
    pub fn state(&self) -> &State {
        match (&self.watch, &self.follow) {
            (offline @ State::Offline(_), _) | (_, offline @ State::Offline(_)) => offline,
            (retrying @ State::Reconnecting { .. }, _)
            | (_, retrying @ State::Reconnecting { .. }) => retrying,
            (State::Connected, State::Connected) => &State::Connected,
        }
    }

    /// `source` reports `state`; true when the link came back online.
    pub fn report(&mut self, source: Source, state: State) -> bool {
        let was_connected = *self.state() == State::Connected;
        match source {
            Source::Watch => self.watch = state,
            Source::Follow => self.follow = state,
        }
        !was_connected && *self.state() == State::Connected
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retrying(attempt: u32) -> State {
        State::Reconnecting {
            attempt,
            retry_in: Backoff::delay(attempt),
        }
    }

    #[test]
    fn both_sources_count_and_neither_overwrites_the_other() {
        let mut link = Link::default();
        assert!(!link.report(Source::Follow, retrying(1)));
        // The watch answered, but the live stream is still down.
        assert!(!link.report(Source::Watch, State::Connected));
        assert_eq!(*link.state(), retrying(1));
        assert!(!link.report(Source::Watch, State::Offline("refused".into())));
        assert!(!link.report(Source::Follow, State::Connected));
        assert_eq!(*link.state(), State::Offline("refused".into()));
        assert!(
            link.report(Source::Watch, State::Connected),
            "online again once both are"
        );
        assert_eq!(*link.state(), State::Connected);
        assert!(!link.report(Source::Watch, State::Connected), "only once");
    }
}
