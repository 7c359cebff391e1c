//! The search index during a first sync: built once at its end.
//!
//! Added row by row, the full-text index flushes a small segment at every
//! transaction and merges them again and again as they pile up; built in
//! one pass over the table at the end of a first sync it costs about a
//! third (measured with this schema's search table: 300,000 rows, 1.34 s
//! row by row against 0.35-0.42 s in one pass, ~0.6 s in steps of 20,000).
//!
//! While the index waits for pages from the node (the reader is behind),
//! the sync adds the rows stored so far to the search index in bounded
//! steps ([`Index::catch_up_search`]), so the end has less left to do.
//!
//! Decided: **search is complete or says it is not.** While the flag below
//! is set, rows are stored without their search entries, and
//! [`Index::search_pending`] says so (the window tells the user its search
//! is being built; the CLI searches only after its sync). The flag is a row
//! of the `cursors` table holding the highest id in the search index: every
//! row up to it is in the index, none after it (ids only grow and rows are
//! never deleted). It is written in the transaction that sets it, moved in
//! each step's, and cleared in the one that adds the rest, so a sync cut
//! short leaves it where the last step put it and the next sync's end
//! (`end_bulk`) adds the rows after it, each once.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::FileId;
use crate::wallet::IndexError;

/// The `cursors` row holding the highest id in the search index while it
/// waits for the end of a sync.
const FLAG: &str = "search_deferred";

/// Search entries of the rows `?1 < id <= ?2` (those with any text, as
/// the insert path adds them).
const ADD_RANGE: &str = "INSERT INTO received_fts (rowid, message, sender_name, podcast) \
    SELECT id, message, sender_name, podcast FROM received WHERE id > ?1 AND id <= ?2 \
    AND (message IS NOT NULL OR sender_name IS NOT NULL OR podcast IS NOT NULL)";

impl super::Index {
    /// Before a first sync: store rows without their search entries until
    /// the sync adds them (in steps, then the rest at its end). Does nothing
    /// when the background check replaced the file meanwhile.
    pub(crate) fn defer_search(&self, file: FileId) -> Result<(), IndexError> {
        let conn = self.lock();
        if self.file() != file {
            return Ok(());
        }
        let _ = conn.execute(
            "INSERT OR IGNORE INTO cursors (name, value) \
             VALUES (?1, (SELECT coalesce(max(id), 0) FROM received))",
            [FLAG],
        )?;
        Ok(())
    }

    /// Add up to `most` rows stored since the last step to the search index
    /// (one transaction), while a first sync defers it; nothing otherwise.
    pub(crate) fn catch_up_search(&self, file: FileId, most: i64) -> Result<(), IndexError> {
        let conn = self.lock();
        if self.file() != file {
            return Ok(());
        }
        add_deferred(&conn, most)
    }

    /// Whether search is waiting for the end of a first sync: until then it
    /// finds only part of the rows stored.
    pub fn search_pending(&self) -> Result<bool, IndexError> {
        Ok(indexed_up_to(&self.lock())?.is_some())
    }
}

/// The highest id in the search index while a sync defers it.
fn indexed_up_to(conn: &Connection) -> Result<Option<i64>, IndexError> {
    Ok(conn
        .prepare_cached("SELECT value FROM cursors WHERE name = ?1")?
        .query_row([FLAG], |r| r.get(0))
        .optional()?)
}

/// Whether rows are being stored without their search entries.
pub(super) fn deferred(conn: &Connection) -> Result<bool, IndexError> {
    Ok(indexed_up_to(conn)?.is_some())
}

/// Add up to `most` rows after the flag's id to the search index and move
/// the flag past them, in one transaction.
fn add_deferred(conn: &Connection, most: i64) -> Result<(), IndexError> {
    let Some(after) = indexed_up_to(conn)? else {
        return Ok(());
    };
    let last: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM received", [], |r| {
        r.get(0)
    })?;
    let until = last.min(after.saturating_add(most));
    if until <= after {
        return Ok(());
    }
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let _ = tx.prepare_cached(ADD_RANGE)?.execute([after, until])?;
    let _ = tx.execute(
        "UPDATE cursors SET value = ?2 WHERE name = ?1",
        rusqlite::params![FLAG, until],
    )?;
    tx.commit()?;
    Ok(())
}

/// Add every row the search index is missing if a sync deferred it, and
/// clear the flag, in one transaction.
pub(super) fn build_deferred(conn: &Connection) -> Result<(), IndexError> {
    let Some(after) = indexed_up_to(conn)? else {
        return Ok(());
    };
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let _ = tx.prepare_cached(ADD_RANGE)?.execute([after, i64::MAX])?;
    let _ = tx.execute("DELETE FROM cursors WHERE name = ?1", [FLAG])?;
    tx.commit()?;
    Ok(())
}
