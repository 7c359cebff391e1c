//! Following the node live: received keysends as they settle, stored and
//! reported; reconnects with back-off and catches up from the settle-index
//! cursor, so nothing is missed and nothing is stored twice (research notes §2.3).

use std::time::Duration;

use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;

use super::{InboxRow, Index};
use crate::node::{NodeError, ReceivedKeysend, SharedNode};

/// First wait before reconnecting.
pub const RECONNECT_FIRST: Duration = Duration::from_millis(500);
/// Longest wait between reconnects.
pub const RECONNECT_MAX: Duration = Duration::from_secs(30);
/// Keysends stored together when a backlog arrives at once.
const BATCH: usize = 256;

/// What the live inbox reports.
#[derive(Debug, Clone)]
pub enum FollowEvent {
    /// Subscribed to the node (again); the backlog since the cursor follows.
    Connected,
    /// A keysend new to the index (whatever its amount: apply the spam
    /// threshold when showing or notifying).
    Received(InboxRow),
    /// Lost the node; trying again after `retry_in`.
    Reconnecting { attempt: u32, retry_in: Duration },
    /// Stopped for good: the node refuses us (not a network problem).
    Offline(NodeError),
    /// The index failed; the stream stops (nothing was acknowledged past the cursor).
    IndexFailed(super::IndexError),
}

/// Follow received keysends from the stored settle-index cursor until the
/// stream is dropped. Runs inside the stream: dropping it stops everything.
pub fn follow(node: SharedNode, index: Index) -> impl Stream<Item = FollowEvent> + Send + 'static {
    let (tx, rx) = mpsc::unbounded_channel();
    let driver = futures::stream::once(run(node, index, tx)).filter_map(|()| async { None });
    futures::stream::select(UnboundedReceiverStream::new(rx), driver)
}

type Events = mpsc::UnboundedSender<FollowEvent>;

async fn run(node: SharedNode, index: Index, events: Events) {
    let mut delay = RECONNECT_FIRST;
    for attempt in 1u32.. {
        match session(&node, &index, &events).await {
            Ended::Lost { was_connected } => {
                if was_connected {
                    delay = RECONNECT_FIRST;
                }
            }
            Ended::Stop(event) => {
                let _ = events.send(event);
                return;
            }
        }
        let _ = events.send(FollowEvent::Reconnecting {
            attempt,
            retry_in: delay,
        });
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(RECONNECT_MAX);
    }
}

/// How one subscription ended.
enum Ended {
    /// A transient failure: reconnect.
    Lost { was_connected: bool },
    /// Give up with this event.
    Stop(FollowEvent),
}

/// One subscription: confirm the node answers, subscribe from the cursor,
/// store what arrives in batches.
async fn session(node: &SharedNode, index: &Index, events: &Events) -> Ended {
    if let Err(error) = node.info().await {
        return lost_or_stop(error, false);
    }
    let cursor = match index.call(|i| i.cursors()).await {
        Ok(cursors) => cursors.settle_index,
        Err(error) => return Ended::Stop(FollowEvent::IndexFailed(error)),
    };
    let _ = events.send(FollowEvent::Connected);
    let mut batches = node.subscribe_received(cursor).ready_chunks(BATCH);
    while let Some(batch) = batches.next().await {
        let (items, error) = split(batch);
        if let Err(error) = store(index, items, events).await {
            return Ended::Stop(FollowEvent::IndexFailed(error));
        }
        if let Some(error) = error {
            return lost_or_stop(error, true);
        }
    }
    Ended::Lost {
        was_connected: true,
    }
}

fn lost_or_stop(error: NodeError, was_connected: bool) -> Ended {
    if error.is_transient() {
        Ended::Lost { was_connected }
    } else {
        Ended::Stop(FollowEvent::Offline(error))
    }
}

/// The keysends of a batch up to the first error, and that error.
fn split(
    batch: Vec<Result<ReceivedKeysend, NodeError>>,
) -> (Vec<ReceivedKeysend>, Option<NodeError>) {
    let mut items = Vec::with_capacity(batch.len());
    for item in batch {
        match item {
            Ok(keysend) => items.push(keysend),
            Err(error) => return (items, Some(error)),
        }
    }
    (items, None)
}

/// Store a batch (raising the settle cursor) and report the new rows.
async fn store(
    index: &Index,
    items: Vec<ReceivedKeysend>,
    events: &Events,
) -> Result<(), super::IndexError> {
    if items.is_empty() {
        return Ok(());
    }
    let rows = index
        .call(move |i| {
            let ids = i.insert_page(&items, None)?;
            ids.into_iter()
                .map(|id| i.row(id))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    for row in rows {
        let _ = events.send(FollowEvent::Received(row));
    }
    Ok(())
}
