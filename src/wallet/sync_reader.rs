//! The received half of a backfill, split in two: a task reads ListInvoices
//! pages ahead (and prepares their rows) while the index stores the pages
//! that have arrived, several to a transaction, taking each page out of the
//! read-ahead queue only as it is inserted (so at most the queue is held in
//! memory, never a whole group besides it).

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{GROUP_PAGES, PAGE_SIZE};
use crate::keysend::NodeId;
use crate::node::{NodeError, ReceivedPage, SharedNode};
use crate::wallet::index::Row;
use crate::wallet::verification::on_all_cores;

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
    /// beside the index thread); with `check`, their senders are checked
    /// for that recipient too, on every core.
    fn prepare(page: ReceivedPage, check: Option<&NodeId>) -> Self {
        let rows = match check {
            Some(me) => on_all_cores(&page.items, |item| Row::checked(item, me)),
            None => page.items.iter().map(Row::of).collect(),
        };
        Self {
            rows,
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
    /// `None` once it has been awaited (after the last page).
    task: Option<JoinHandle<()>>,
}

impl Reader {
    /// Start reading the pages after add index `after`, the first of `size`
    /// invoices (at most [`PAGE_SIZE`]; the next ones double up to it), and
    /// checking senders for `check`, if given. Two tasks: one asks
    /// the node for page after page, the other prepares each page's rows, so
    /// the node encodes the next page while this one is prepared (one task
    /// doing both left each waiting for the other).
    pub fn start(node: &SharedNode, (after, size): (u64, u64), check: Option<NodeId>) -> Self {
        let (send_raw, raw) = mpsc::channel(READ_AHEAD);
        let size = PageSize {
            now: size.clamp(1, PAGE_SIZE),
        };
        let fetch = Fetch(tokio::spawn(fetch(node.clone(), after, size, send_raw)));
        let (send, pages) = mpsc::channel(READ_AHEAD);
        let task = tokio::spawn(prepare(raw, fetch, send, check));
        Self {
            pages,
            task: Some(task),
        }
    }

    /// The next page, waiting for it; `None` after the last one. A task that
    /// panicked or was cancelled also closes the queue: that is an error
    /// (pages are missing), never the end of the history.
    pub async fn next(&mut self) -> Option<Result<Page, NodeError>> {
        if let Some(page) = self.pages.recv().await {
            return Some(page);
        }
        let ended = self.task.take()?.await;
        ended.err().map(|error| Err(stopped(&error)))
    }

    /// The next page if it has already arrived.
    fn ready(&mut self) -> Option<Result<Page, NodeError>> {
        self.pages.try_recv().ok()
    }

    /// A reader of pages sent on `pages` by the caller (tests).
    #[cfg(test)]
    pub fn of(pages: mpsc::Receiver<Result<Page, NodeError>>) -> Self {
        Self::with_task(pages, tokio::spawn(async {}))
    }

    /// A reader of pages sent on `pages` by `task` (tests).
    #[cfg(test)]
    pub fn with_task(pages: mpsc::Receiver<Result<Page, NodeError>>, task: JoinHandle<()>) -> Self {
        Self {
            pages,
            task: Some(task),
        }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// The fetching task, aborted when the preparing task that owns it ends or
/// is aborted (the reader was dropped).
struct Fetch(JoinHandle<()>);

impl Drop for Fetch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Ask for the pages after add index `after` in order, the first of `size`,
/// sending each answer on `raw` until the last page, an error, or nobody
/// listens.
async fn fetch(
    node: SharedNode,
    mut after: u64,
    mut size: PageSize,
    raw: mpsc::Sender<Result<ReceivedPage, NodeError>>,
) {
    loop {
        let page = match node.received_page(after, size.now).await {
            Err(NodeError::TooLarge { method, detail }) => match size.shrink() {
                true => continue,
                false => Err(single_too_large(after, method, &detail)),
            },
            page => page,
        };
        let next = match &page {
            Ok(p) if p.scanned as u64 >= size.now && p.last_add_index > after => {
                Some(p.last_add_index)
            }
            _ => None,
        };
        if raw.send(page).await.is_err() {
            return;
        }
        match next {
            Some(position) => {
                after = position;
                size.grow();
            }
            None => return,
        }
    }
}

/// Prepare the rows of each page `fetch` sends, in order, and pass them on.
/// A fetching task that panicked or was cancelled ends this one the same way
/// (so the reader reports it, never the end of the history).
async fn prepare(
    mut raw: mpsc::Receiver<Result<ReceivedPage, NodeError>>,
    mut fetch: Fetch,
    pages: mpsc::Sender<Result<Page, NodeError>>,
    check: Option<NodeId>,
) {
    while let Some(page) = raw.recv().await {
        let page = page.map(|page| Page::prepare(page, check.as_ref()));
        if pages.send(page).await.is_err() {
            return;
        }
    }
    if let Err(error) = (&mut fetch.0).await {
        if error.is_panic() {
            std::panic::resume_unwind(error.into_panic());
        }
        let _ = pages.send(Err(stopped(&error))).await;
    }
}

/// How many invoices to ask for: [`PAGE_SIZE`], halved while the node's
/// answer is over gRPC's message limit (invoices with huge records), down
/// to 1, and doubled back after each page that arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PageSize {
    now: u64,
}

impl Default for PageSize {
    fn default() -> Self {
        Self { now: PAGE_SIZE }
    }
}

impl PageSize {
    /// Halve; `false` when it is already 1 (nothing smaller to ask for).
    fn shrink(&mut self) -> bool {
        if self.now <= 1 {
            return false;
        }
        self.now /= 2;
        log::info!(
            "a ListInvoices page is over the message limit: asking for {} invoices",
            self.now
        );
        true
    }

    fn grow(&mut self) {
        self.now = (self.now * 2).min(PAGE_SIZE);
    }
}

/// Even one invoice is over the limit: say which, and that the sync stops
/// there (it never skips an invoice, so it cannot go on past it).
fn single_too_large(after: u64, method: String, detail: &str) -> NodeError {
    NodeError::TooLarge {
        method,
        detail: format!(
            "the invoice after add index {after} alone is larger than Satchel accepts ({detail}); \
             the invoices before it are stored, the sync cannot go past it"
        ),
    }
}

/// The error for a reader task that ended without reading the last page.
fn stopped(error: &tokio::task::JoinError) -> NodeError {
    let how = if error.is_panic() {
        "failed (panicked)"
    } else {
        "was cancelled"
    };
    NodeError::Other(format!(
        "reading the invoice history {how} before the last page; the sync is incomplete and \
         resumes from the last stored page next time"
    ))
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

    /// The rows and add index of the next page of the group, if any: none
    /// after the first while `others_waiting` (someone else waits for the
    /// index, which this transaction holds).
    pub fn next_page(
        &mut self,
        reader: &mut Reader,
        others_waiting: impl Fn() -> bool,
    ) -> Option<(Vec<Row>, Option<u64>)> {
        let page = match self.first.take() {
            Some(page) => page,
            None if self.taken.len() >= self.most || self.failed.is_some() => return None,
            None if others_waiting() => return None,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn page(last_add_index: u64) -> Page {
        Page {
            rows: Vec::new(),
            scanned: 1,
            last_add_index,
        }
    }

    /// A reader whose task sends one page, then runs `end`.
    fn reader(end: impl FnOnce() + Send + 'static) -> Reader {
        let (send, pages) = mpsc::channel(READ_AHEAD);
        let task = tokio::spawn(async move {
            let _ = send.send(Ok(page(7))).await;
            drop(send);
            end();
        });
        Reader::with_task(pages, task)
    }

    #[test]
    fn the_page_size_halves_down_to_one_and_grows_back() {
        let mut size = PageSize::default();
        let mut seen = vec![size.now];
        while size.shrink() {
            seen.push(size.now);
        }
        assert_eq!(seen, [1000, 500, 250, 125, 62, 31, 15, 7, 3, 1]);
        size.grow();
        assert_eq!(size.now, 2);
        for _ in 0..20 {
            size.grow();
        }
        assert_eq!(size, PageSize::default());
    }

    #[tokio::test]
    async fn a_reader_that_finished_ends_the_pages() {
        let mut reader = reader(|| {});
        assert!(matches!(reader.next().await, Some(Ok(p)) if p.last_add_index == 7));
        assert!(reader.next().await.is_none());
        assert!(reader.next().await.is_none(), "asking again is harmless");
    }

    #[tokio::test]
    async fn a_reader_that_panicked_is_an_error_not_the_end() {
        let mut reader = reader(|| panic!("reader bug"));
        assert!(matches!(reader.next().await, Some(Ok(_))));
        let Some(Err(NodeError::Other(text))) = reader.next().await else {
            panic!("a crashed reader must not look like the end of the history");
        };
        assert!(text.contains("panicked"), "{text}");
        assert!(reader.next().await.is_none());
    }

    /// The fetching task panicking after a page (a node answer that trips a
    /// bug) ends the reader with an error once that page is through, never
    /// with the end of the history.
    #[tokio::test]
    async fn a_fetching_task_that_panicked_is_an_error_not_the_end() {
        let (send_raw, raw) = mpsc::channel(READ_AHEAD);
        let fetch = Fetch(tokio::spawn(async move {
            let page = ReceivedPage {
                items: Vec::new(),
                last_add_index: 7,
                scanned: 1,
            };
            let _ = send_raw.send(Ok(page)).await;
            panic!("fetch bug");
        }));
        let (send, pages) = mpsc::channel(READ_AHEAD);
        let mut reader = Reader::with_task(pages, tokio::spawn(prepare(raw, fetch, send, None)));
        assert!(matches!(reader.next().await, Some(Ok(p)) if p.last_add_index == 7));
        let Some(Err(NodeError::Other(text))) = reader.next().await else {
            panic!("a crashed fetch must not look like the end of the history");
        };
        assert!(text.contains("panicked"), "{text}");
    }

    #[tokio::test]
    async fn a_cancelled_reader_is_an_error() {
        let (send, pages) = mpsc::channel::<Result<Page, NodeError>>(READ_AHEAD);
        let task = tokio::spawn(async move {
            std::future::pending::<()>().await;
            drop(send);
        });
        task.abort();
        let mut reader = Reader::with_task(pages, task);
        let Some(Err(NodeError::Other(text))) = reader.next().await else {
            panic!("a cancelled reader must not look like the end of the history");
        };
        assert!(text.contains("cancelled"), "{text}");
    }
}
