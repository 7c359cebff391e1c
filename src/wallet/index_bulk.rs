//! Connection settings while a sync stores many pages (a first sync above
//! all), back to the everyday ones at its end ([`end`]).
//!
//! - **`synchronous = OFF`.** The write-ahead log keeps every commit atomic
//!   whatever happens to the process (a sync cut short leaves the last
//!   committed page and its cursor: `wallet::sync::tests`); only a power cut
//!   in the middle of a checkpoint could damage the file, and the index is a
//!   cache of the node's history: the integrity check replaces a damaged
//!   file and the next sync refills it. Saves flushing the log and the file
//!   at every checkpoint.
//! - **Sorting on every core** (`threads`): the indexes a first sync defers
//!   are built at its end by sorting the whole table.
//!
//! Measured and left out: a page cache growing with the index (16 MB plus
//! 48 bytes a row, for the unique key whose rows land on random pages) made
//! no difference to a first sync of 1,000,000 (16.9-17.9 s against
//! 16.7-17.7 s without, back to back) and tripled its memory (137 MB).

use rusqlite::Connection;

use crate::wallet::IndexError;

/// Before a transaction of a bulk insert: the settings above.
pub(super) fn begin(conn: &Connection) -> Result<(), IndexError> {
    conn.pragma_update(None, "synchronous", "OFF")?;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    conn.pragma_update(None, "threads", cores.min(8) as i64)?;
    Ok(())
}

/// After the last transaction of a bulk insert: the everyday settings
/// (`schema::configure`'s).
pub(super) fn end(conn: &Connection) -> Result<(), IndexError> {
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "threads", 0)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pragma(conn: &Connection, name: &str) -> i64 {
        conn.pragma_query_value(None, name, |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_bulk_insert_ends_with_the_everyday_settings() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("index.db")).unwrap();
        crate::wallet::schema::configure(&conn).unwrap();
        let everyday = (pragma(&conn, "synchronous"), pragma(&conn, "threads"));
        begin(&conn).unwrap();
        assert_eq!(pragma(&conn, "synchronous"), 0);
        end(&conn).unwrap();
        assert_eq!(
            (pragma(&conn, "synchronous"), pragma(&conn, "threads")),
            everyday
        );
    }
}
