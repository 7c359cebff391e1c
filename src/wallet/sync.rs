//! Backfill: bring the index up to date with the node's history, page by
//! page from the stored cursors (research notes §2.4: offsets are exclusive).

use tokio::task::JoinHandle;

use super::{Index, SyncError};
use crate::node::{NodeError, ReceivedPage, SharedNode};

/// Invoices (or payments) asked for per page.
pub const PAGE_SIZE: u64 = 1000;

/// Which history a backfill is reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncPhase {
    Received,
    Sent,
}

/// Progress after each page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    /// Invoices or payments read from the node so far in this phase.
    pub scanned: u64,
    /// Keysends stored so far in this phase (new received, or sent upserted).
    pub stored: u64,
    /// The node index reached (add index, or payment index).
    pub position: u64,
}

/// What a backfill did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncStats {
    /// Received keysends that were new to the index.
    pub received_new: u64,
    pub invoices_scanned: u64,
    /// Sent keysends stored or refreshed.
    pub sent_stored: u64,
    pub payments_scanned: u64,
}

/// Read everything the index has not seen: received keysends after the
/// add-index cursor, then sent keysends after the payment-index cursor. Each
/// page is stored in one transaction together with its cursor, so an
/// interrupted backfill resumes where it stopped.
pub async fn backfill(
    node: &SharedNode,
    index: &Index,
    mut progress: impl FnMut(SyncProgress),
) -> Result<SyncStats, SyncError> {
    // A damaged file found by the background check is replaced by an empty
    // one: start from that one's cursors, never write ours into it.
    let cursors = index
        .call(|i| {
            let _ = i.warning();
            i.cursors()
        })
        .await?;
    let mut stats = SyncStats::default();
    let mut after = cursors.add_index;
    let mut pending = Ahead::fetch(node, after);
    loop {
        let page = pending.page().await?;
        let (items, last) = (page.items, page.last_add_index);
        let more = (page.scanned as u64) >= PAGE_SIZE && last > after;
        // One page ahead: the node reads page n+1 while page n is stored.
        let ahead = more.then(|| Ahead::fetch(node, last));
        let new = index
            .call(move |i| i.insert_page(&items, Some(last)))
            .await?
            .len();
        stats.received_new += new as u64;
        stats.invoices_scanned += page.scanned as u64;
        progress(SyncProgress {
            phase: SyncPhase::Received,
            scanned: stats.invoices_scanned,
            stored: stats.received_new,
            position: last,
        });
        match ahead {
            Some(next) => (pending, after) = (next, last),
            None => break,
        }
    }
    backfill_sent(
        node,
        index,
        cursors.payment_index,
        &mut stats,
        &mut progress,
    )
    .await?;
    Ok(stats)
}

/// A received page being read in a task of its own; aborted if dropped
/// unread (the backfill failed or was cancelled).
struct Ahead(JoinHandle<Result<ReceivedPage, NodeError>>);

impl Ahead {
    /// Start reading the page after add index `after`.
    fn fetch(node: &SharedNode, after: u64) -> Self {
        let node = node.clone();
        Self(tokio::spawn(async move {
            node.received_page(after, PAGE_SIZE).await
        }))
    }

    /// The page, once read.
    async fn page(&mut self) -> Result<ReceivedPage, SyncError> {
        match (&mut self.0).await {
            Ok(page) => Ok(page?),
            Err(stopped) => {
                Err(NodeError::Other(format!("reading invoices stopped: {stopped}")).into())
            }
        }
    }
}

impl Drop for Ahead {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The sent half. The stored cursor never passes a payment that was still in
/// flight, so its outcome is read again next time.
async fn backfill_sent(
    node: &SharedNode,
    index: &Index,
    mut after: u64,
    stats: &mut SyncStats,
    progress: &mut impl FnMut(SyncProgress),
) -> Result<(), SyncError> {
    let mut hold: Option<u64> = None;
    loop {
        let page = node.sent_page(after, PAGE_SIZE).await?;
        let unfinished = page.items.iter().filter(|p| !p.status.is_final());
        hold = hold.or(unfinished.map(|p| p.payment_index.saturating_sub(1)).min());
        let cursor = hold.unwrap_or(page.last_index);
        let items = page.items;
        stats.sent_stored += index
            .call(move |i| i.upsert_sent_page(&items, Some(cursor)))
            .await? as u64;
        stats.payments_scanned += page.scanned as u64;
        progress(SyncProgress {
            phase: SyncPhase::Sent,
            scanned: stats.payments_scanned,
            stored: stats.sent_stored,
            position: page.last_index,
        });
        if (page.scanned as u64) < PAGE_SIZE || page.last_index <= after {
            return Ok(());
        }
        after = page.last_index;
    }
}
