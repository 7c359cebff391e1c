//! Connection settings while a sync stores many pages (a first sync above
//! all), back to the everyday ones at its end ([`end`]).
//!
//! - **A page cache that grows with the index.** The unique key (a 32-byte
//!   hash first) gets each row on a random page: with SQLite's 2 MB default
//!   cache, at a million rows nearly every insert read a page back from the
//!   file and every transaction wrote thousands of them to the log again
//!   (most of the first sync's system time). The cache holds about as many
//!   bytes as that key has (plus room for the pages written in order), so a
//!   page stays cached from one transaction to the next. Given back at the
//!   end: a window left open keeps the default.
//! - **`synchronous = OFF`.** The write-ahead log keeps every commit atomic
//!   whatever happens to the process (a crash leaves the last committed page
//!   and its cursor: `wallet::sync::tests` checks); only a power cut in the
//!   middle of a checkpoint could damage the file, and the index is a cache
//!   of the node's history: the integrity check replaces a damaged file and
//!   the next sync refills it. Saves a flush of the log and of the file at
//!   every checkpoint.
//! - **Sorting on every core** (`threads`): the indexes a first sync defers
//!   are built at its end by sorting the whole table.

use rusqlite::Connection;

use crate::wallet::IndexError;

/// SQLite's default cache (`cache_size = -2000`: KiB).
const DEFAULT_CACHE_KIB: i64 = 2000;
/// The cache of a bulk insert before any row is stored.
const BULK_BASE_KIB: i64 = 16 * 1024;
/// Cache per stored row: most of the unique key's ~60 bytes.
const BULK_BYTES_PER_ROW: i64 = 48;
/// The most a bulk insert caches.
const BULK_MOST_KIB: i64 = 64 * 1024;

/// The cache a bulk insert uses once the index holds `rows` rows, in KiB.
pub(super) fn cache_kib(rows: i64) -> i64 {
    (BULK_BASE_KIB + rows.max(0).saturating_mul(BULK_BYTES_PER_ROW) / 1024).min(BULK_MOST_KIB)
}

/// Before a transaction of a bulk insert: the settings above, the cache
/// sized for the rows stored so far (the highest id: one look-up).
pub(super) fn begin(conn: &Connection) -> Result<(), IndexError> {
    let rows: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM received", [], |r| {
        r.get(0)
    })?;
    conn.pragma_update(None, "cache_size", -cache_kib(rows))?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    conn.pragma_update(None, "threads", cores.min(8) as i64)?;
    Ok(())
}

/// After the last transaction of a bulk insert: the everyday settings
/// (`schema::configure`'s), and the cache's memory given back.
pub(super) fn end(conn: &Connection) -> Result<(), IndexError> {
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "threads", 0)?;
    conn.pragma_update(None, "cache_size", -DEFAULT_CACHE_KIB)?;
    conn.execute_batch("PRAGMA shrink_memory")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pragma(conn: &Connection, name: &str) -> i64 {
        conn.pragma_query_value(None, name, |r| r.get(0)).unwrap()
    }

    #[test]
    fn the_cache_grows_with_the_rows_and_is_capped() {
        assert_eq!(cache_kib(0), BULK_BASE_KIB);
        assert_eq!(cache_kib(1_000_000), BULK_BASE_KIB + 46_875);
        assert_eq!(cache_kib(i64::MAX), BULK_MOST_KIB);
    }

    #[test]
    fn a_bulk_insert_ends_with_the_everyday_settings() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("index.db")).unwrap();
        conn.execute_batch("CREATE TABLE received (id INTEGER PRIMARY KEY)")
            .unwrap();
        crate::wallet::schema::configure(&conn).unwrap();
        let everyday = (
            pragma(&conn, "synchronous"),
            pragma(&conn, "cache_size"),
            pragma(&conn, "threads"),
        );
        begin(&conn).unwrap();
        assert_eq!(pragma(&conn, "synchronous"), 0);
        assert_eq!(pragma(&conn, "cache_size"), -BULK_BASE_KIB);
        end(&conn).unwrap();
        let after = (
            pragma(&conn, "synchronous"),
            pragma(&conn, "cache_size"),
            pragma(&conn, "threads"),
        );
        assert_eq!(after, everyday);
    }
}
