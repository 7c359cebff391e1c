//! Backfill: bring the index up to date with the node's history, page by
//! page from the stored cursors (research notes §2.4: offsets are exclusive).

#[path = "sync_reader.rs"]
mod reader;

use std::pin::Pin;

use reader::{Group, Reader};

use super::index::FileId;
use super::{Cursors, Index, SyncError};
use crate::keysend::NodeId;
use crate::node::SharedNode;

/// Invoices (or payments) asked for per page.
pub const PAGE_SIZE: u64 = 1000;

/// Invoices asked for in the first page of a first sync in the window
/// ([`backfill_showing`]): a screenful and a little more, stored and shown
/// before anything else (a page of 1,000 from a node with a million took
/// ~60 ms to arrive and store); the pages after it double up to
/// [`PAGE_SIZE`].
pub const SHOWN_FIRST_PAGE: u64 = 150;

/// Most received pages stored in one transaction (the first page is stored
/// alone).
pub(crate) const GROUP_PAGES: usize = 8;

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
/// add-index cursor, then sent keysends after the payment-index cursor.
///
/// The first received page is stored alone, so the inbox can show rows at
/// once; later pages are stored several to a transaction (up to
/// [`GROUP_PAGES`], as many as the node delivers while they are inserted),
/// which rewrites the index's shared pages, flushes the search index and
/// checkpoints the log less often. A transaction ends after its page as
/// soon as anyone else asks the index for something (the window's list and
/// count), so a read waits for one page at most, never a group.
/// Every transaction carries its add-index cursor, so an interrupted backfill
/// resumes after the last stored page, with nothing missing or repeated.
pub async fn backfill(
    node: &SharedNode,
    index: &Index,
    progress: impl FnMut(SyncProgress),
) -> Result<SyncStats, SyncError> {
    let ready = std::future::ready(());
    backfill_with(node, index, progress, (ready, PAGE_SIZE), None).await
}

/// [`backfill`], where a first sync asks for a small first page
/// ([`SHOWN_FIRST_PAGE`]) and waits for `shown` after it (stored alone, and
/// reported) before it reads on: the window's first rows and count then do
/// not queue behind the next pages for the index, or for the CPU on 2
/// cores. `shown` is awaited once at most.
pub async fn backfill_showing(
    node: &SharedNode,
    index: &Index,
    progress: impl FnMut(SyncProgress),
    shown: impl Future<Output = ()>,
) -> Result<SyncStats, SyncError> {
    backfill_with(node, index, progress, (shown, SHOWN_FIRST_PAGE), None).await
}

/// [`backfill`], checking the sender signature of every new received
/// keysend for `recipient` (our node) as its page is prepared, on every
/// core, and storing the outcome with the row: for a listing of the whole
/// history right after the sync (no row is read back to be checked).
/// The window never does this: at a million rows the checks would take
/// longer than the sync; it checks the rows it shows.
pub async fn backfill_checking(
    node: &SharedNode,
    index: &Index,
    recipient: NodeId,
    progress: impl FnMut(SyncProgress),
) -> Result<SyncStats, SyncError> {
    let ready = std::future::ready(());
    backfill_with(node, index, progress, (ready, PAGE_SIZE), Some(recipient)).await
}

/// The backfills above: a first sync's first page has `first_page`
/// invoices and waits for `shown`; `check` names the recipient senders are
/// checked for.
async fn backfill_with(
    node: &SharedNode,
    index: &Index,
    mut progress: impl FnMut(SyncProgress),
    (shown, first_page): (impl Future<Output = ()>, u64),
    check: Option<NodeId>,
) -> Result<SyncStats, SyncError> {
    let mut shown = Some(Box::pin(shown));
    // Never waits for the background integrity check (it reads the whole
    // file: seconds at a million rows). A damaged file it finds is replaced
    // by an empty one: then the pages read for the old file are not stored
    // and the sync starts again from the new file's cursors.
    loop {
        let (cursors, file) = index.call(Index::cursors_of_file).await?;
        let first = backfill_file(
            node,
            index,
            (cursors, file),
            (check, first_page),
            &mut progress,
            &mut shown,
        );
        if let Some(stats) = first.await? {
            return Ok(stats);
        }
        log::warn!("the index was replaced during the sync; syncing the new one from the start");
    }
}

/// [`backfill`] into the index file `file`, from `cursors`; `None` when the
/// file was replaced before the end.
async fn backfill_file(
    node: &SharedNode,
    index: &Index,
    (cursors, file): (Cursors, FileId),
    (check, first_page): (Option<NodeId>, u64),
    progress: &mut impl FnMut(SyncProgress),
    shown: &mut Option<Pin<Box<impl Future<Output = ()>>>>,
) -> Result<Option<SyncStats>, SyncError> {
    let first = cursors.add_index == 0;
    if !first {
        *shown = None;
    }
    if first {
        // A first sync: the random-order indexes are built once at the end.
        // So is the search index (`index_search`).
        index
            .call(move |i| {
                i.defer_indexes(file)?;
                i.defer_search(file)
            })
            .await?;
    }
    let size = if first { first_page } else { PAGE_SIZE };
    let reader = Reader::start(node, (cursors.add_index, size), check);
    let received = backfill_received(index, reader, file, progress, shown).await;
    // Always, so a failed first sync leaves every index (a cancelled one
    // gets them at the end of the next sync).
    let ended = index.call(|i| i.end_bulk_insert()).await;
    let Some(mut stats) = received? else {
        return Ok(None);
    };
    ended?;
    backfill_sent(node, index, cursors.payment_index, &mut stats, progress).await?;
    Ok(Some(stats))
}

/// The received half of [`backfill_file`]; `None` when the file was
/// replaced before the end.
async fn backfill_received(
    index: &Index,
    mut reader: Reader,
    file: FileId,
    progress: &mut impl FnMut(SyncProgress),
    shown: &mut Option<Pin<Box<impl Future<Output = ()>>>>,
) -> Result<Option<SyncStats>, SyncError> {
    let mut stats = SyncStats::default();
    let mut alone = true;
    while let Some(first) = reader.next().await {
        let group = Group::new(first?, std::mem::take(&mut alone));
        let (group, new, back) = index
            .call(move |i| {
                let (mut group, mut reader) = (group, reader);
                let others = || i.others_calling();
                let new = i.insert_pages_from(file, || group.next_page(&mut reader, others))?;
                Ok((group, new, reader))
            })
            .await?;
        reader = back;
        let Some(new) = new else { return Ok(None) };
        for ((scanned, position), new) in group.taken.into_iter().zip(new) {
            stats.received_new += new as u64;
            stats.invoices_scanned += scanned as u64;
            progress(SyncProgress {
                phase: SyncPhase::Received,
                scanned: stats.invoices_scanned,
                stored: stats.received_new,
                position,
            });
        }
        if let Some(error) = group.failed {
            return Err(error.into());
        }
        if let Some(shown) = shown.take() {
            shown.await;
        }
    }
    Ok(Some(stats))
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

#[cfg(test)]
#[path = "sync_tests.rs"]
mod tests;
