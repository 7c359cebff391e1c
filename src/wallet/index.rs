//! The local index of received and sent keysends (`index.db`): open with
//! corruption recovery (see [`super::integrity`]), batched inserts, sync cursors, read flags.
//!
//! Synchronous by design (one SQLite connection behind a mutex); async callers
//! use [`Index::call`], which runs the work on tokio's blocking pool.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, OptionalExtension, params};

use super::IndexError;
use super::index_file::{is_corrupt, move_aside, open_checked};
use super::integrity::{Check, Marker};
use crate::keysend::Msat;
use crate::node::ReceivedKeysend;

#[path = "index_bulk.rs"]
mod bulk;
#[path = "index_insert.rs"]
mod insert;
#[path = "index_search.rs"]
mod search;

pub(crate) use insert::Row;

/// Which file an [`Index`] handle writes (see [`Index::file`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId(bool);

impl FileId {
    /// The file the index opened.
    #[cfg(test)]
    pub(crate) const FIRST: Self = Self(false);
}

/// A handle to the index; cheap to clone, shared between tasks.
/// Fields drop in order: the check stops, then the connection closes, then
/// the open marker goes.
#[derive(Clone)]
pub struct Index {
    check: Arc<Check>,
    conn: Arc<Mutex<Connection>>,
    /// [`Index::call`]s started and not yet finished (see [`Index::others_calling`]).
    calls: Arc<std::sync::atomic::AtomicUsize>,
    _marker: Option<Arc<Marker>>,
}

/// Something the user should hear about after [`Index::open`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the inbox database could not be read ({reason}); it was moved to {} and a new one \
     will be rebuilt from your node",
    moved_to.display()
)]
pub struct IndexWarning {
    /// Where the unreadable file now is.
    pub moved_to: PathBuf,
    /// What SQLite said about it.
    pub reason: String,
}

/// Sync positions on the node, all exclusive offsets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursors {
    /// Highest invoice add index fully scanned by backfill.
    pub add_index: u64,
    /// Highest settle index of a received keysend stored.
    pub settle_index: u64,
    /// Highest payment index scanned from the node's payment history.
    pub payment_index: u64,
}

/// One of the [`Cursors`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    AddIndex,
    SettleIndex,
    PaymentIndex,
}

impl Cursor {
    pub(super) fn key(self) -> &'static str {
        match self {
            Self::AddIndex => "add_index",
            Self::SettleIndex => "settle_index",
            Self::PaymentIndex => "payment_index",
        }
    }
}

const BUMP_CURSOR: &str = "INSERT INTO cursors (name, value) VALUES (?1, ?2) \
    ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)";

impl Index {
    /// Open (or create) the index at `path`. A file SQLite cannot read is
    /// moved aside and a fresh index is created; see [`Index::warning`].
    pub fn open(path: &Path) -> Result<Self, IndexError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| IndexError::io(dir, e))?;
        }
        let unclean = Marker::left_behind(path);
        let empty = std::fs::metadata(path).map_or(true, |m| m.len() == 0);
        let marker = Marker::create(path)
            .map_err(|e| log::warn!("index open marker not written: {e}"))
            .ok()
            .map(Arc::new);
        let opened = open_checked(path, unclean).or_else(|e| recheck_if_damaged(path, e));
        let (conn, check) = match opened {
            Ok(conn) if unclean || empty => (conn, Some(Check::done(None))),
            Ok(conn) => (conn, None),
            Err(IndexError::Database(e)) if is_corrupt(&e) => {
                let warning = move_aside(path, e.to_string())?;
                log::warn!("{warning}");
                (open_checked(path, false)?, Some(Check::done(Some(warning))))
            }
            Err(other) => return Err(other),
        };
        let conn = Arc::new(Mutex::new(conn));
        let check = check.unwrap_or_else(|| Check::start(path, &conn));
        Ok(Self {
            check: Arc::new(check),
            conn,
            calls: Arc::default(),
            _marker: marker,
        })
    }

    /// Set when the file was found damaged: it was moved aside and a new
    /// index started. The full check runs in the background after a clean
    /// shutdown; this waits for it (at most one read of the file).
    pub fn warning(&self) -> Option<&IndexWarning> {
        self.check.outcome()
    }

    /// Whether the integrity check has finished (never waits); then
    /// [`Index::warning`] answers at once.
    pub fn integrity_checked(&self) -> bool {
        self.check.finished().is_some()
    }

    /// Run `work` on the blocking pool (for async callers).
    pub async fn call<T, F>(&self, work: F) -> Result<T, IndexError>
    where
        T: Send + 'static,
        F: FnOnce(&Index) -> Result<T, IndexError> + Send + 'static,
    {
        let index = self.clone();
        let calling = Calling::new(&self.calls);
        tokio::task::spawn_blocking(move || {
            let _calling = calling;
            work(&index)
        })
        .await
        .map_err(|_| IndexError::Interrupted)?
    }

    /// Whether another [`Index::call`] than the caller's own is waiting or
    /// running: a sync storing pages ends its transaction early then, so
    /// the window's reads never wait for a whole group of pages.
    pub(crate) fn others_calling(&self) -> bool {
        self.calls.load(std::sync::atomic::Ordering::Relaxed) > 1
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Store received keysends in one transaction; duplicates (same hash,
    /// channel and HTLC index) are ignored. Returns how many were new. Also
    /// raises the settle-index cursor to the highest one seen.
    pub fn insert_received(&self, items: &[ReceivedKeysend]) -> Result<usize, IndexError> {
        Ok(self.insert_page(items, None)?.len())
    }

    /// [`Index::insert_received`] plus raising the add-index cursor, atomically.
    /// Returns the ids of the new rows.
    pub(crate) fn insert_page(
        &self,
        items: &[ReceivedKeysend],
        add_index: Option<u64>,
    ) -> Result<Vec<i64>, IndexError> {
        let rows: Vec<Row> = items.iter().map(Row::of).collect();
        let mut new = Vec::new();
        let page = std::iter::once((rows, add_index));
        let _ = insert::store(&mut self.lock(), false, page, |id| new.push(id))?;
        Ok(new)
    }

    /// Node pages, prepared with [`Row::of`], in one transaction, taken from
    /// `next` (rows and add index of each page) until it returns `None`; the
    /// add-index cursor is raised to the last page's in the same transaction,
    /// so either every page and the cursor are stored, or nothing is.
    /// Returns how many rows of each page were new; `None` (nothing taken
    /// or stored) when the file is no longer the one `file` named (the
    /// background check replaced a damaged one since).
    pub(crate) fn insert_pages_from(
        &self,
        file: FileId,
        next: impl FnMut() -> Option<(Vec<Row>, Option<u64>)>,
    ) -> Result<Option<Vec<usize>>, IndexError> {
        let mut conn = self.lock();
        if self.file() != file {
            return Ok(None);
        }
        insert::store(&mut conn, true, std::iter::from_fn(next), |_| {}).map(Some)
    }

    /// Which file the index is writing: it changes (once) when the
    /// background integrity check replaces a damaged file by a fresh one.
    /// Never waits for the check.
    pub(crate) fn file(&self) -> FileId {
        FileId(self.check.replaced())
    }

    /// The stored sync positions and the file they belong to, without
    /// waiting for the integrity check: a swap (at most one, flagged under
    /// the lock) between the two reads of the file shows, and reads again.
    pub(crate) fn cursors_of_file(&self) -> Result<(Cursors, FileId), IndexError> {
        loop {
            let file = self.file();
            let cursors = self.cursors()?;
            if self.file() == file {
                return Ok((cursors, file));
            }
        }
    }

    /// After the last [`Index::insert_pages_from`] of a sync: checkpoint the
    /// write-ahead log as often as usual again.
    pub(crate) fn end_bulk_insert(&self) -> Result<(), IndexError> {
        insert::end_bulk(&self.lock())
    }

    /// The stored sync positions (0 when never synced).
    pub fn cursors(&self) -> Result<Cursors, IndexError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached("SELECT name, value FROM cursors")?;
        let mut cursors = Cursors::default();
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (name, value) = row?;
            let value = value as u64;
            match name.as_str() {
                "add_index" => cursors.add_index = value,
                "settle_index" => cursors.settle_index = value,
                "payment_index" => cursors.payment_index = value,
                _ => {}
            }
        }
        Ok(cursors)
    }

    /// Raise a cursor to `value`; cursors never move backwards.
    pub fn set_cursor(&self, cursor: Cursor, value: u64) -> Result<(), IndexError> {
        bump(&self.lock(), cursor, Some(value))
    }

    /// Mark one entry as read.
    pub fn mark_read(&self, id: i64) -> Result<(), IndexError> {
        let conn = self.lock();
        let changed = conn
            .prepare_cached("UPDATE received SET read = 1 WHERE id = ?1")?
            .execute([id])?;
        if changed == 0 {
            return Err(IndexError::NotFound(id));
        }
        Ok(())
    }

    /// Unread entries of at least `min_amount` (the spam threshold).
    /// Stored and kept up to date (see `wallet::counts`), not counted
    /// again on every open.
    pub fn unread_count(&self, min_amount: Msat) -> Result<u64, IndexError> {
        let (count, _) = super::counts::count_and_sum(&self.lock(), true, min_amount)?;
        Ok(count)
    }

    /// The id of a received entry, by its unique key.
    pub fn find_received(
        &self,
        hash: &crate::keysend::PaymentHash,
        chan_id: u64,
        htlc_index: u64,
    ) -> Result<Option<i64>, IndexError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(concat!(
            "SELECT id FROM received WHERE channel = ",
            super::interned::channel_id!("?2"),
            " AND htlc_index = ?3 AND hash = ?1"
        ))?;
        let params = params![&hash.as_bytes()[..], chan_id as i64, htlc_index as i64];
        Ok(stmt.query_row(params, |r| r.get(0)).optional()?)
    }
}

/// One [`Index::call`] counted from its start until its work returned
/// (or panicked, or was never run).
struct Calling(Arc<std::sync::atomic::AtomicUsize>);

impl Calling {
    fn new(calls: &Arc<std::sync::atomic::AtomicUsize>) -> Self {
        let _ = calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self(calls.clone())
    }
}

impl Drop for Calling {
    fn drop(&mut self) {
        let _ = self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

pub(super) fn bump(
    conn: &Connection,
    cursor: Cursor,
    value: Option<u64>,
) -> Result<(), IndexError> {
    if let Some(value) = value {
        let _ = conn
            .prepare_cached(BUMP_CURSOR)?
            .execute(params![cursor.key(), value as i64])?;
    }
    Ok(())
}

/// How long to wait before checking a file that looked damaged again.
const RECHECK_PAUSE: std::time::Duration = std::time::Duration::from_millis(100);

/// A file that looks damaged is checked again, in full, after a pause
/// before it is moved aside: while another process migrates the same file,
/// FTS5 can fail to read its tables for a moment ("vtable constructor
/// failed"), which is not damage. Real damage is still there the second time.
fn recheck_if_damaged(path: &Path, error: IndexError) -> Result<Connection, IndexError> {
    match &error {
        IndexError::Database(e) if is_corrupt(e) => {
            log::debug!("index looked damaged ({e}); checking again");
            std::thread::sleep(RECHECK_PAUSE);
            open_checked(path, true)
        }
        _ => Err(error),
    }
}
