//! Inbox sync for the GUI: the history backfill as a task that reports
//! progress, and the live follow of new keysends as a subscription keyed by
//! the connection (re-renders never restart it; a new connection does).

use std::hash::{Hash, Hasher};

use futures::{SinkExt, StreamExt};
use iced::{Subscription, Task};

use crate::gui::health::State;

/// Pages of history are this long: the progress bar's unit.
pub const PAGE: u64 = PAGE_SIZE;
use crate::node::SharedNode;
use crate::wallet::{self as wallet_sync, FollowEvent, InboxRow, Index, PAGE_SIZE};

/// What sync reports to the session.
#[derive(Debug, Clone)]
pub enum Event {
    /// Backfill progress: invoices and payments read, keysends stored.
    Progress(u64, u64),
    /// Backfill finished.
    Backfilled(Result<(), String>),
    /// A new keysend was stored.
    Received(InboxRow),
    /// The live stream's connection state.
    State(State),
    /// The index refused an update (shown as a notice).
    Failed(String),
}

/// Read the node's history into the index, reporting progress.
pub fn backfill(node: SharedNode, index: Index) -> Task<Event> {
    Task::stream(iced::stream::channel(
        16,
        async move |mut output: futures::channel::mpsc::Sender<Event>| {
            let mut progress_out = output.clone();
            let result = wallet_sync::backfill(&node, &index, move |p| {
                let _ = progress_out.try_send(Event::Progress(p.scanned, p.stored));
            })
            .await;
            let _ = output
                .send(Event::Backfilled(
                    result.map(|_| ()).map_err(|e| e.to_string()),
                ))
                .await;
        },
    ))
}

/// The subscription's identity: one per connection.
struct Follow {
    id: u64,
    node: SharedNode,
    index: Index,
}

impl Hash for Follow {
    fn hash<H: Hasher>(&self, state: &mut H) {
        "follow".hash(state);
        self.id.hash(state);
    }
}

/// Follow new keysends on connection `id`.
pub fn follow(id: u64, node: SharedNode, index: Index) -> Subscription<Event> {
    Subscription::run_with(Follow { id, node, index }, |follow| {
        wallet_sync::follow(follow.node.clone(), follow.index.clone()).map(event)
    })
}

fn event(event: FollowEvent) -> Event {
    match event {
        FollowEvent::Received(row) => Event::Received(row),
        FollowEvent::Connected => Event::State(State::Connected),
        FollowEvent::Reconnecting { attempt, retry_in } => {
            Event::State(State::Reconnecting { attempt, retry_in })
        }
        FollowEvent::Offline(error) => {
            Event::State(State::Offline(format!("{error}. {}", error.next_step())))
        }
        FollowEvent::IndexFailed(error) => Event::Failed(error.to_string()),
    }
}
