//! Counts and totals of the whole inbox (every keysend, or the unread ones,
//! at or above the spam threshold), kept in the index so that opening a
//! history of a million entries does not count it again: a count is stored
//! with the highest row id it covers, and the next one adds only the rows
//! stored since (a range of the primary key). Rows are never deleted and
//! ids only grow, so that sum is exact. A change of any read flag drops the
//! stored unread counts (a trigger on the column, whoever writes it); the
//! next count of them reads the unread index once.
//!
//! The table and its trigger are created on first use (`IF NOT EXISTS`): a
//! cache of the table it counts, with no schema version of its own.

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use super::IndexError;
use super::schema::BUSY_TIMEOUT;
use crate::keysend::Msat;

/// More new rows than this since the stored count, and counting them by id
/// (reading their rows) would cost more than counting everything again in
/// the covering amount index.
const DELTA_MAX: i64 = 20_000;

const CREATE: &str = "
CREATE TABLE IF NOT EXISTS received_counts (
    filter  TEXT PRIMARY KEY,
    unread  INTEGER NOT NULL,
    upto    INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    total   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS received_counts_read AFTER UPDATE OF read ON received
WHEN old.read IS NOT new.read
BEGIN
    DELETE FROM received_counts WHERE unread = 1;
END;
";

/// How many keysends of at least `min_amount` the index holds (only the
/// unread ones if `unread_only`), and what they add up to. Read in one
/// snapshot; the count is stored only if nobody wrote meanwhile, and never
/// waits for another process to store it.
pub(super) fn count_and_sum(
    conn: &Connection,
    unread_only: bool,
    min_amount: Msat,
) -> Result<(u64, Msat), IndexError> {
    let min = i64::try_from(min_amount.0).unwrap_or(i64::MAX);
    // Unread: the list index holds every row's amount and read flag
    // (schema v9 has no unread index; the amount index would read rows).
    let (source, read) = if unread_only {
        ("received INDEXED BY received_list", " AND read = 0")
    } else {
        ("received", "")
    };
    let full = |conn: &Connection| -> Result<(i64, i64), IndexError> {
        let sql = format!(
            "SELECT count(*), coalesce(sum(amount_msat), 0) FROM {source} \
             WHERE amount_msat >= ?1{read}"
        );
        Ok(conn
            .prepare_cached(&sql)?
            .query_row([min], |r| Ok((r.get(0)?, r.get(1)?)))?)
    };
    let (n, total) = if created(conn) {
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Deferred)?;
        let filter = format!("{}>={min}", if unread_only { "unread" } else { "all" });
        let (upto, stored) = stored_count(&tx, &filter)?;
        let (n, total) = match stored {
            Some((counted, n, total)) if counted == upto => (n, total),
            Some((counted, n, total)) if upto - counted <= DELTA_MAX => {
                let sql = delta_sql(unread_only);
                let (more, more_total): (i64, i64) = tx
                    .prepare_cached(sql)?
                    .query_row(params![counted, min], |r| Ok((r.get(0)?, r.get(1)?)))?;
                (n + more, total + more_total)
            }
            _ => full(&tx)?,
        };
        if stored.is_none_or(|(counted, ..)| counted != upto) {
            let stored = without_waiting(conn, move || {
                let _ = tx
                    .prepare_cached(
                        "INSERT OR REPLACE INTO received_counts (filter, unread, upto, n, total) \
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?
                    .execute(params![filter, unread_only, upto, n, total])?;
                tx.commit()
            });
            if let Err(error) = stored {
                // A cache: another process writing only means the next
                // open counts again.
                log::debug!("inbox count not stored: {error}");
            }
        }
        (n, total)
    } else {
        full(conn)?
    };
    Ok((
        u64::try_from(n).unwrap_or_default(),
        Msat(u64::try_from(total).unwrap_or_default()),
    ))
}

/// A stored count: the highest id it covers, how many, their total.
type Stored = (i64, i64, i64);

/// The highest id stored now, and the count stored for `filter`, if any.
fn stored_count(conn: &Connection, filter: &str) -> Result<(i64, Option<Stored>), IndexError> {
    let upto: i64 = conn
        .prepare_cached("SELECT coalesce(max(id), 0) FROM received")?
        .query_row([], |r| r.get(0))?;
    let stored = conn
        .prepare_cached("SELECT upto, n, total FROM received_counts WHERE filter = ?1")?
        .query_row([filter], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok((upto, stored))
}

/// Search counts stored at most: typing a word searches each of its
/// beginnings, and each is kept; past this many they are all dropped.
const SEARCHES_KEPT: i64 = 64;

/// How many rows match the search `fts` (an FTS5 query, see
/// [`super::query`]) with at least `min_amount`, and what they add up to:
/// stored like the whole inbox's count, per search, schema version and
/// threshold, with the highest id it covers; the next count reads only the
/// matches above that id (a range of the search table's ids). Exact
/// because a row's searched text, amount and id never change once stored
/// and rows are never deleted; a search index still being built (a first
/// sync, `search_pending`) is counted as it is and not stored,
/// and a schema step that rebuilt it changes the version in the key.
pub(super) fn search_count_and_sum(
    conn: &Connection,
    fts: &str,
    min_amount: Msat,
    search_pending: bool,
) -> Result<(u64, Msat), IndexError> {
    let min = i64::try_from(min_amount.0).unwrap_or(i64::MAX);
    let above = |conn: &Connection, after: i64| -> Result<(i64, i64), IndexError> {
        Ok(conn
            .prepare_cached(SEARCH_SQL)?
            .query_row(params![fts, after, min], |r| Ok((r.get(0)?, r.get(1)?)))?)
    };
    let (n, total) = if !search_pending && created(conn) {
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Deferred)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let filter = format!("search v{version} >={min} {fts}");
        let (upto, stored) = stored_count(&tx, &filter)?;
        let (n, total) = match stored {
            Some((counted, n, total)) if counted == upto => (n, total),
            Some((counted, n, total)) if counted < upto => {
                let (more, more_total) = above(&tx, counted)?;
                (n + more, total + more_total)
            }
            _ => above(&tx, 0)?,
        };
        if stored.is_none_or(|(counted, ..)| counted != upto) {
            let stored = without_waiting(conn, move || {
                let kept: i64 = tx
                    .prepare_cached(
                        "SELECT count(*) FROM received_counts WHERE filter LIKE 'search %'",
                    )?
                    .query_row([], |r| r.get(0))?;
                if kept >= SEARCHES_KEPT {
                    let _ = tx
                        .prepare_cached("DELETE FROM received_counts WHERE filter LIKE 'search %'")?
                        .execute([])?;
                }
                let _ = tx
                    .prepare_cached(
                        "INSERT OR REPLACE INTO received_counts (filter, unread, upto, n, total) \
                         VALUES (?1, 0, ?2, ?3, ?4)",
                    )?
                    .execute(params![filter, upto, n, total])?;
                tx.commit()
            });
            if let Err(error) = stored {
                log::debug!("search count not stored: {error}");
            }
        }
        (n, total)
    } else {
        above(conn, 0)?
    };
    Ok((
        u64::try_from(n).unwrap_or_default(),
        Msat(u64::try_from(total).unwrap_or_default()),
    ))
}

/// See [`search_count_and_sum`]: the matches of ?1 with an id above ?2 and
/// at least ?3 msat. Walked from the search table (its id range), each
/// looked up by id.
const SEARCH_SQL: &str = "SELECT count(*), coalesce(sum(r.amount_msat), 0) \
    FROM received_fts CROSS JOIN received r ON r.id = received_fts.rowid \
    WHERE received_fts MATCH ?1 AND received_fts.rowid > ?2 AND r.amount_msat >= ?3";

/// The count and total of the rows after id ?1 of at least ?2 msat. The
/// `+`s leave SQLite only the id range to search: it would otherwise walk
/// the amount or unread index, all of it.
fn delta_sql(unread_only: bool) -> &'static str {
    match unread_only {
        false => {
            "SELECT count(*), coalesce(sum(amount_msat), 0) FROM received \
             WHERE id > ?1 AND +amount_msat >= ?2"
        }
        true => {
            "SELECT count(*), coalesce(sum(amount_msat), 0) FROM received \
             WHERE id > ?1 AND +amount_msat >= ?2 AND +read = 0"
        }
    }
}

/// Whether the counts table and its trigger exist, creating them (and
/// forgetting any stored count) if not, without waiting for a busy file:
/// then counts are not stored this time.
fn created(conn: &Connection) -> bool {
    let found = conn
        .prepare_cached(
            "SELECT count(*) FROM sqlite_master \
             WHERE name IN ('received_counts', 'received_counts_read')",
        )
        .and_then(|mut stmt| stmt.query_row([], |r| r.get::<_, i64>(0)));
    if found.is_ok_and(|n| n == 2) {
        return true;
    }
    // A trigger gone with its table (a migration that rebuilt `received`)
    // may have missed read flags, and ids may have changed: count afresh.
    let fresh = || conn.execute_batch(&format!("{CREATE} DELETE FROM received_counts;"));
    match without_waiting(conn, fresh) {
        Ok(()) => true,
        Err(error) => {
            log::debug!("inbox counts table not created: {error}");
            false
        }
    }
}

/// Run `work` with no busy wait (a locked file fails at once), then wait
/// as usual again.
pub(super) fn without_waiting<T>(
    conn: &Connection,
    work: impl FnOnce() -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.busy_timeout(std::time::Duration::ZERO)?;
    let result = work();
    conn.busy_timeout(BUSY_TIMEOUT)?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::Records;
    use crate::wallet::Index;
    use crate::wallet::thread::sample_received;

    fn add(index: &Index, from: u32, to: u32) {
        let keysends: Vec<_> = (from..=to)
            .map(|i| {
                sample_received(
                    i,
                    i64::from(i),
                    Msat::from_sat(u64::from(i)),
                    Records::new(),
                )
            })
            .collect();
        let _ = index.insert_received(&keysends).unwrap();
    }

    /// What a full count says, for comparison.
    fn counted(index: &Index, unread_only: bool, min_sat: u64) -> (u64, Msat) {
        let read = if unread_only { " AND read = 0" } else { "" };
        let sql = format!(
            "SELECT count(*), coalesce(sum(amount_msat), 0) FROM received \
             WHERE amount_msat >= ?1{read}"
        );
        let (n, total): (i64, i64) = index
            .lock()
            .query_row(&sql, [min_sat as i64 * 1000], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        (n as u64, Msat(total as u64))
    }

    fn stored_rows(index: &Index) -> i64 {
        index
            .lock()
            .query_row("SELECT count(*) FROM received_counts", [], |r| r.get(0))
            .unwrap()
    }

    /// Stored counts follow new rows and read flags, whoever writes them,
    /// and agree with a full count after every change.
    #[test]
    fn stored_counts_follow_new_rows_and_read_flags() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let check = |index: &Index| {
            for unread in [false, true] {
                for min in [0, 10, 25] {
                    let cached = count_and_sum(&index.lock(), unread, Msat::from_sat(min));
                    assert_eq!(
                        cached.unwrap(),
                        counted(index, unread, min),
                        "{unread} {min}"
                    );
                }
            }
        };
        check(&index);
        add(&index, 1, 30);
        check(&index);
        assert_eq!(stored_rows(&index), 6);
        index.mark_read(12).unwrap();
        assert_eq!(stored_rows(&index), 3, "the unread counts were dropped");
        check(&index);
        add(&index, 31, 40);
        check(&index);
        let _ = index.mark_all_read().unwrap();
        check(&index);
        // A migration that rebuilds the table drops the trigger with it.
        index
            .lock()
            .execute_batch("DROP TRIGGER received_counts_read; UPDATE received SET read = 0")
            .unwrap();
        check(&index);
        // Reopened: the stored counts are used (a stale one would show).
        drop(index);
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let _ = index
            .lock()
            .execute(
                "UPDATE received_counts SET n = n + 1000 WHERE filter = 'all>=0'",
                [],
            )
            .unwrap();
        let (n, _) = count_and_sum(&index.lock(), false, Msat::ZERO).unwrap();
        assert_eq!(n, 1040, "the stored count, not a count of the rows");
    }

    /// Opening a history counts nothing again: the stored count is read
    /// and the new rows since are a range of the primary key.
    /// Rows `from..=to`, each saying "tip" or (every third) "keysend".
    fn add_words(index: &Index, from: u32, to: u32) {
        let keysends: Vec<_> = (from..=to)
            .map(|i| {
                let word = if i % 3 == 0 { "keysend" } else { "tip" };
                let records = Records::from([(
                    crate::keysend::record::MESSAGE,
                    format!("a {word} {i}").into_bytes(),
                )]);
                sample_received(i, i64::from(i), Msat::from_sat(u64::from(i)), records)
            })
            .collect();
        let _ = index.insert_received(&keysends).unwrap();
    }

    /// The count and total of `fts` at `min_sat`, counted from scratch.
    fn searched(index: &Index, fts: &str, min_sat: u64) -> (u64, Msat) {
        let (n, total): (i64, i64) = index
            .lock()
            .query_row(
                "SELECT count(*), coalesce(sum(amount_msat), 0) FROM received WHERE id IN \
                 (SELECT rowid FROM received_fts WHERE received_fts MATCH ?1) \
                 AND amount_msat >= ?2",
                params![fts, min_sat as i64 * 1000],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        (n as u64, Msat(total as u64))
    }

    #[test]
    fn a_search_count_is_stored_and_follows_new_rows_and_read_flags() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        add_words(&index, 1, 90);
        let check = |index: &Index| {
            for fts in ["\"keysend\"*", "\"tip\"*", "\"nothing\"*"] {
                for min in [0, 40] {
                    let count =
                        search_count_and_sum(&index.lock(), fts, Msat::from_sat(min), false)
                            .unwrap();
                    assert_eq!(count, searched(index, fts, min), "{fts} >= {min}");
                }
            }
        };
        check(&index);
        assert_eq!(stored_rows(&index), 6, "one per search and threshold");
        // Stored: a second count reads the stored one (same answer).
        check(&index);
        add_words(&index, 91, 120);
        index.mark_read(3).unwrap();
        check(&index);
        let upto: i64 = index
            .lock()
            .query_row(
                "SELECT min(upto) FROM received_counts WHERE filter LIKE 'search %'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(upto, 120, "the stored counts cover the new rows");
        // While the search index is being built nothing is stored.
        let before = stored_rows(&index);
        let _ = search_count_and_sum(&index.lock(), "\"other\"*", Msat::ZERO, true).unwrap();
        assert_eq!(stored_rows(&index), before);
        // Many searches (every beginning of typed words): kept bounded.
        for i in 0..(SEARCHES_KEPT + 5) {
            let fts = format!("\"w{i}\"*");
            let _ = search_count_and_sum(&index.lock(), &fts, Msat::ZERO, false).unwrap();
        }
        assert!(stored_rows(&index) <= SEARCHES_KEPT + 2);
    }

    #[test]
    fn new_rows_are_counted_by_id_range() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        add(&index, 1, 5);
        let _ = count_and_sum(&index.lock(), true, Msat::from_sat(2)).unwrap();
        let conn = index.lock();
        for unread_only in [false, true] {
            let sql = format!("EXPLAIN QUERY PLAN {}", delta_sql(unread_only));
            let plan: String = conn
                .query_row(&sql, params![3, 2000], |r| r.get(3))
                .unwrap();
            assert!(plan.contains("INTEGER PRIMARY KEY (rowid>?)"), "{plan}");
        }
    }
}
