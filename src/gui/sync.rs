//! Inbox sync for the GUI: the history backfill as a task that reports its
//! start, progress and end, and the live follow of new keysends as a
//! subscription keyed by the connection (re-renders never restart it; a new
//! connection does).

use std::hash::{Hash, Hasher};
use std::time::Duration;

use futures::channel::oneshot;
use futures::{SinkExt, StreamExt};
use iced::{Subscription, Task};

use crate::gui::health::State;
use crate::node::SharedNode;
use crate::wallet::{
    self as wallet_sync, FollowEvent, InboxRow, Index, IndexError, SyncError, SyncProgress,
    SyncStats,
};

/// What sync reports to the session.
#[derive(Debug, Clone)]
pub enum Event {
    /// A backfill starts; `fresh` when the index has never been synced.
    Started { fresh: bool },
    /// Backfill progress after a page (received, then sent history).
    Progress(SyncProgress),
    /// Backfill finished: what it stored, or why it stopped.
    Backfilled(Result<SyncStats, SyncError>),
    /// New keysends were stored (one live batch, in settle order; never empty).
    Received(Vec<InboxRow>),
    /// The live stream's connection state.
    State(State),
    /// The index refused an update (shown as a notice).
    Failed(IndexError),
}

/// Longest a first sync waits for the window to show its first rows
/// before it reads on anyway.
const SHOW_FIRST: Duration = Duration::from_secs(1);

/// The window tells a first sync that its first rows are on screen.
pub type Shown = oneshot::Sender<()>;

/// Read the node's history into the index: `Started`, `Progress` after
/// each page (dropped when the window is behind), then `Backfilled`. A
/// first sync reads on after its first page only once `shown` fires (or
/// [`SHOW_FIRST`] passed): on 2 cores the next pages would otherwise hold
/// the index and the CPU while the window loads its first rows and count.
pub fn backfill(node: SharedNode, index: Index, shown: oneshot::Receiver<()>) -> Task<Event> {
    Task::stream(iced::stream::channel(
        16,
        async move |mut output: futures::channel::mpsc::Sender<Event>| {
            let fresh = never_synced(&index).await;
            let _ = output.send(Event::Started { fresh }).await;
            let mut progress_out = output.clone();
            let shown = async move {
                let _ = tokio::time::timeout(SHOW_FIRST, shown).await;
            };
            let progress = move |p| {
                let _ = progress_out.try_send(Event::Progress(p));
            };
            let result = wallet_sync::backfill_showing(&node, &index, progress, shown).await;
            let _ = output.send(Event::Backfilled(result)).await;
        },
    ))
}

/// Whether the index has read no invoices yet (LND: add indexes start at 1,
/// so a zero cursor means nothing was read). Waits for the integrity check,
/// as the backfill does: a damaged file replaced by an empty one is fresh.
async fn never_synced(index: &Index) -> bool {
    let cursors = index.call(|i| {
        let _ = i.warning();
        i.cursors()
    });
    cursors.await.is_ok_and(|c| c.add_index == 0)
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

/// Follow new keysends on connection `id`, a stored batch per event. Start
/// it after the backfill: on an empty index it would read the whole history
/// again (LND: `settle_index = 0` means "no replay"), racing the backfill.
pub fn follow(id: u64, node: SharedNode, index: Index) -> Subscription<Event> {
    Subscription::run_with(Follow { id, node, index }, |follow| {
        FollowEvent::batches(follow.node.clone(), follow.index.clone()).filter_map(|batch| {
            let event = batch_event(batch);
            async move { event }
        })
    })
}

/// One event for a batch: its rows together, or its single state event.
fn batch_event(batch: Vec<FollowEvent>) -> Option<Event> {
    let mut rows = Vec::new();
    let mut state = None;
    for event in batch {
        match event {
            FollowEvent::Received(row) => rows.push(row),
            other => state = Some(event_of(other)),
        }
    }
    if rows.is_empty() {
        state
    } else {
        Some(Event::Received(rows))
    }
}

fn event_of(event: FollowEvent) -> Event {
    match event {
        FollowEvent::Received(row) => Event::Received(vec![row]),
        FollowEvent::Connected => Event::State(State::Connected),
        FollowEvent::Reconnecting { attempt, retry_in } => {
            Event::State(State::Reconnecting { attempt, retry_in })
        }
        FollowEvent::Offline(error) => {
            Event::State(State::Offline(format!("{error}. {}", error.next_step())))
        }
        FollowEvent::IndexFailed(error) => Event::Failed(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64) -> InboxRow {
        InboxRow {
            settled_at: 1_700_000_000 + id,
            ..InboxRow::sample(id)
        }
    }

    #[test]
    fn a_stored_batch_becomes_one_event_in_order() {
        let batch = (1..=300).map(|id| FollowEvent::Received(row(id))).collect();
        let Some(Event::Received(rows)) = batch_event(batch) else {
            panic!("expected one Received event");
        };
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        assert_eq!(ids, (1..=300).collect::<Vec<_>>());
    }

    #[test]
    fn state_events_pass_through_and_empty_batches_vanish() {
        let connected = batch_event(vec![FollowEvent::Connected]);
        assert!(matches!(connected, Some(Event::State(State::Connected))));
        assert!(batch_event(Vec::new()).is_none());
    }
}
