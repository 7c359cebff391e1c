//! The received half of a backfill, split in two: a task reads ListInvoices
//! pages ahead (and prepares their rows) while the index stores the pages
//! that have arrived, several to a transaction, taking each page out of the
//! read-ahead queue only as it is inserted (so at most the queue is held in
//! memory, never a whole group besides it).

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{GROUP_PAGES, PAGE_SIZE};
use crate::node::{NodeError, ReceivedPage, SharedNode};
use crate::wallet::index::Row;

/// Pages read ahead of the one being stored.
const READ_AHEAD: usize = 4;

/// A received page with its keysends prepared for the index.
pub(super) struct Page {
    pub rows: Vec<Row>,
    pub scanned: usize,
    pub last_add_index: u64,
}

impl Page {
    /// Decode and encode the keysends of `page` (done by the reader task,
    /// beside the index thread).
    fn prepare(page: ReceivedPage) -> Self {
        Self {
            rows: page.items.iter().map(Row::of).collect(),
            scanned: page.scanned,
            last_add_index: page.last_add_index,
        }
    }
}

/// Reads received pages in order in a task of its own, up to [`READ_AHEAD`]
/// ahead; the task stops when this is dropped (the backfill failed or was
/// cancelled).
pub(super) struct Reader {
    pages: mpsc::Receiver<Result<Page, NodeError>>,
    task: JoinHandle<()>,
}

impl Reader {
    /// Start reading the pages after add index `after`.
    pub fn start(node: &SharedNode, mut after: u64) -> Self {
        let (send, pages) = mpsc::channel(READ_AHEAD);
        let node = node.clone();
        let task = tokio::spawn(async move {
            loop {
                let page = node.received_page(after, PAGE_SIZE).await;
                let page = page.map(Page::prepare);
                let next = match &page {
                    Ok(p) if p.scanned as u64 >= PAGE_SIZE && p.last_add_index > after => {
                        Some(p.last_add_index)
                    }
                    _ => None,
                };
                if send.send(page).await.is_err() {
                    return;
                }
                match next {
                    Some(position) => after = position,
                    None => return,
                }
            }
        });
        Self { pages, task }
    }

    /// The next page, waiting for it; `None` after the last one.
    pub async fn next(&mut self) -> Option<Result<Page, NodeError>> {
        self.pages.recv().await
    }

    /// The next page if it has already arrived.
    fn ready(&mut self) -> Option<Result<Page, NodeError>> {
        self.pages.try_recv().ok()
    }

    /// A reader of pages sent on `pages` by the caller (tests).
    #[cfg(test)]
    pub fn of(pages: mpsc::Receiver<Result<Page, NodeError>>) -> Self {
        Self {
            pages,
            task: tokio::spawn(async {}),
        }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The pages of one transaction: a first page, then those that have already
/// arrived, up to `most` in all. Feeds the index's insert page by page.
pub(super) struct Group {
    first: Option<Page>,
    most: usize,
    /// Invoices scanned and the add index reached, per page taken.
    pub taken: Vec<(usize, u64)>,
    /// A read error met while gathering: the pages before it are stored.
    pub failed: Option<NodeError>,
}

impl Group {
    /// A group starting with `first`: the first of a sync stands alone.
    pub fn new(first: Page, alone: bool) -> Self {
        Self {
            first: Some(first),
            most: if alone { 1 } else { GROUP_PAGES },
            taken: Vec::new(),
            failed: None,
        }
    }

    /// The rows and add index of the next page of the group, if any.
    pub fn next_page(&mut self, reader: &mut Reader) -> Option<(Vec<Row>, Option<u64>)> {
        let page = match self.first.take() {
            Some(page) => page,
            None if self.taken.len() >= self.most || self.failed.is_some() => return None,
            None => match reader.ready()? {
                Ok(page) => page,
                Err(error) => {
                    self.failed = Some(error);
                    return None;
                }
            },
        };
        self.taken.push((page.scanned, page.last_add_index));
        Some((page.rows, Some(page.last_add_index)))
    }
}
