//! The search index during a first sync: built once at its end.
//!
//! Added row by row, the full-text index flushes a small segment at every
//! transaction and merges them again and again as they pile up; built in
//! one pass over the table at the end of a first sync it costs about a
//! third (measured with this schema's search table: 300,000 rows, 1.34 s
//! row by row against 0.35-0.42 s in one pass).
//!
//! Decided: **search is complete or says it is not.** While the flag below
//! is set, rows are stored without their search entries, and
//! [`Index::search_pending`] says so (the window tells the user its search
//! is being built; the CLI searches only after its sync). The flag is a row
//! of the `cursors` table, written in the transaction that sets it and
//! cleared in the one that builds the index, so a sync cancelled or
//! crashed in between leaves it set, and the next sync's end builds the
//! index (`end_bulk`): a rebuild from the table, never an append that could
//! list a row twice.
//!
//! Measured and left out: adding the rows stored so far in steps of 10,000
//! whenever the index waited for a page (the highest id indexed in the
//! flag): no faster at 1,000,000 (18.5-18.7 s against 17.4-18.4 s, back to
//! back at load 3.3-3.8) and 15 MB more memory; both cores are busy during
//! the pages anyway.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::FileId;
use crate::wallet::IndexError;

/// The `cursors` row that says the search index waits for the end of a sync.
const FLAG: &str = "search_deferred";

impl super::Index {
    /// Before a first sync: store rows without their search entries until
    /// the sync's end builds the search index in one pass. Does nothing when
    /// the background check replaced the file meanwhile.
    pub(crate) fn defer_search(&self, file: FileId) -> Result<(), IndexError> {
        let conn = self.lock();
        if self.file() != file {
            return Ok(());
        }
        let _ = conn.execute(
            "INSERT OR IGNORE INTO cursors (name, value) VALUES (?1, 1)",
            [FLAG],
        )?;
        Ok(())
    }

    /// Whether search is waiting for the end of a first sync: until then it
    /// finds only the rows stored before that sync began.
    pub fn search_pending(&self) -> Result<bool, IndexError> {
        deferred(&self.lock())
    }
}

/// Whether rows are being stored without their search entries.
pub(super) fn deferred(conn: &Connection) -> Result<bool, IndexError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM cursors WHERE name = ?1")?
        .query_row([FLAG], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Set the memory FTS5 gathers terms in before it writes them out as a
/// segment (`hashsize`, a setting stored with the search table, not part
/// of its definition).
const HASHSIZE: &str = "INSERT INTO received_fts (received_fts, rank) VALUES ('hashsize', ?1)";
/// While the search index is rebuilt: 16 MiB instead of 1 MiB, so a
/// million rows make a few large segments instead of hundreds of small
/// ones merged again and again (measured with this table at 1,000,000 rows:
/// 2.3-2.6 s against 4.5-4.6 s, ~20 MB more at the peak; 8 MiB: 3.3 s).
const REBUILD_HASHSIZE: i64 = 16 << 20;
/// FTS5's default, for the rows stored one page at a time afterwards.
const DEFAULT_HASHSIZE: i64 = 1 << 20;

/// Build the search index from the table if a sync deferred it, and clear
/// the flag, in one transaction.
pub(super) fn build_deferred(conn: &Connection) -> Result<(), IndexError> {
    if !deferred(conn)? {
        return Ok(());
    }
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let _ = tx.execute(HASHSIZE, [REBUILD_HASHSIZE])?;
    tx.execute_batch("INSERT INTO received_fts (received_fts) VALUES ('rebuild')")?;
    let _ = tx.execute(HASHSIZE, [DEFAULT_HASHSIZE])?;
    let _ = tx.execute("DELETE FROM cursors WHERE name = ?1", [FLAG])?;
    tx.commit()?;
    Ok(())
}
