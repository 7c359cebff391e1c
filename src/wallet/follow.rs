//! Following the node live: received keysends as they settle, stored and
//! reported; reconnects with back-off and catches up from the settle-index
//! cursor, so nothing is missed and nothing is stored twice (research notes §2.3).
//!
//! [`follow`] reports one event per stored keysend (the CLI prints each);
//! [`FollowEvent::batches`] reports each stored batch as one item, so a
//! backlog of thousands costs the GUI one reload, not thousands.

use std::time::Duration;

use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;

use super::{InboxRow, Index};
use crate::node::{Backoff, NodeError, ReceivedKeysend, SharedNode};

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
/// stream is dropped, one event per stored keysend. Runs inside the stream:
/// dropping it stops everything.
pub fn follow(node: SharedNode, index: Index) -> impl Stream<Item = FollowEvent> + Send + 'static {
    FollowEvent::batches(node, index).flat_map(futures::stream::iter)
}

impl FollowEvent {
    /// Like [`follow`], but each item is what one step produced: all the
    /// `Received` rows of one stored batch together (in settle order), or a
    /// single state event. Never an empty batch.
    pub fn batches(
        node: SharedNode,
        index: Index,
    ) -> impl Stream<Item = Vec<FollowEvent>> + Send + 'static {
        let (tx, rx) = mpsc::unbounded_channel();
        let driver = futures::stream::once(run(node, index, tx)).filter_map(|()| async { None });
        futures::stream::select(UnboundedReceiverStream::new(rx), driver)
    }
}

/// Sends each step's events as one batch.
struct Events(mpsc::UnboundedSender<Vec<FollowEvent>>);

impl Events {
    /// Report one state event.
    fn send(&self, event: FollowEvent) {
        self.batch(vec![event]);
    }

    /// Report a batch; dropped silently when nobody listens any more.
    fn batch(&self, events: Vec<FollowEvent>) {
        if !events.is_empty() {
            let _ = self.0.send(events);
        }
    }
}

async fn run(node: SharedNode, index: Index, events: mpsc::UnboundedSender<Vec<FollowEvent>>) {
    let events = Events(events);
    let mut backoff = Backoff::new();
    loop {
        match session(&node, &index, &events).await {
            Ended::Lost { was_connected } => {
                if was_connected {
                    backoff.reset();
                }
            }
            Ended::Stop(event) => {
                events.send(event);
                return;
            }
        }
        let (attempt, retry_in) = backoff.failed();
        events.send(FollowEvent::Reconnecting { attempt, retry_in });
        tokio::time::sleep(retry_in).await;
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
///
/// LND reads `settle_index = 0` as "no replay" (research notes §2.3), so
/// with a zero cursor the history is first read page by page; and because a
/// keysend may settle between that scan and the subscription taking hold,
/// the scan runs once more after the first live keysend.
async fn session(node: &SharedNode, index: &Index, events: &Events) -> Ended {
    if let Err(error) = node.info().await {
        return lost_or_stop(error, false);
    }
    let mut cursor = match settle_cursor(index).await {
        Ok(cursor) => cursor,
        Err(ended) => return ended,
    };
    events.send(FollowEvent::Connected);
    let mut rescan = cursor == 0;
    if rescan {
        if let Err(ended) = catch_up(node, index, events).await {
            return ended;
        }
        cursor = match settle_cursor(index).await {
            Ok(cursor) => cursor,
            Err(ended) => return ended,
        };
    }
    let mut batches = node.subscribe_received(cursor).ready_chunks(BATCH);
    while let Some(batch) = batches.next().await {
        let (items, error) = split(batch);
        let live = !items.is_empty();
        if let Err(error) = store(index, items, None, events).await {
            return Ended::Stop(FollowEvent::IndexFailed(error));
        }
        if rescan && live {
            rescan = false;
            if let Err(ended) = catch_up(node, index, events).await {
                return ended;
            }
        }
        if let Some(error) = error {
            return lost_or_stop(error, true);
        }
    }
    Ended::Lost {
        was_connected: true,
    }
}

/// The stored settle-index cursor.
async fn settle_cursor(index: &Index) -> Result<u64, Ended> {
    match index.call(|i| i.cursors()).await {
        Ok(cursors) => Ok(cursors.settle_index),
        Err(error) => Err(Ended::Stop(FollowEvent::IndexFailed(error))),
    }
}

/// Read received keysends page by page from the add-index cursor, storing
/// and reporting the new ones (duplicates are ignored by the index).
async fn catch_up(node: &SharedNode, index: &Index, events: &Events) -> Result<(), Ended> {
    let cursors = index
        .call(|i| i.cursors())
        .await
        .map_err(|e| Ended::Stop(FollowEvent::IndexFailed(e)))?;
    let mut after = cursors.add_index;
    loop {
        let page = node
            .received_page(after, super::PAGE_SIZE)
            .await
            .map_err(|e| lost_or_stop(e, true))?;
        let last = page.last_add_index;
        store(index, page.items, Some(last), events)
            .await
            .map_err(|e| Ended::Stop(FollowEvent::IndexFailed(e)))?;
        if (page.scanned as u64) < super::PAGE_SIZE || last <= after {
            return Ok(());
        }
        after = last;
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

/// Store a batch (raising the settle cursor, and the add-index cursor when
/// given) and report the new rows.
async fn store(
    index: &Index,
    items: Vec<ReceivedKeysend>,
    add_index: Option<u64>,
    events: &Events,
) -> Result<(), super::IndexError> {
    if items.is_empty() && add_index.is_none() {
        return Ok(());
    }
    let rows = index
        .call(move |i| {
            let ids = i.insert_page(&items, add_index)?;
            ids.into_iter()
                .map(|id| i.row(id))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    events.batch(rows.into_iter().map(FollowEvent::Received).collect());
    Ok(())
}
