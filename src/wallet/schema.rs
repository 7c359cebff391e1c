//! The index database schema, versioned with `PRAGMA user_version`, and its
//! migrations. The index is a cache of the node's history: a file from a
//! newer Satchel is refused rather than rewritten.

use rusqlite::{Connection, TransactionBehavior};

use super::IndexError;

/// Each entry migrates the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[V1];

/// The schema version this build writes.
pub(crate) const CURRENT: u32 = MIGRATIONS.len() as u32;

/// Version 1: received and sent keysends, full-text search, sync cursors.
const V1: &str = "
CREATE TABLE received (
    id            INTEGER PRIMARY KEY,
    hash          BLOB    NOT NULL,
    chan_id       INTEGER NOT NULL,
    htlc_index    INTEGER NOT NULL,
    amount_msat   INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    settled_at    INTEGER NOT NULL,
    add_index     INTEGER NOT NULL,
    settle_index  INTEGER NOT NULL,
    message       TEXT,
    sender_pubkey BLOB,
    sender_name   TEXT,
    podcast       TEXT,
    app           TEXT,
    episode       TEXT,
    records       BLOB    NOT NULL,
    verification  INTEGER,
    read          INTEGER NOT NULL DEFAULT 0,
    UNIQUE (hash, chan_id, htlc_index)
);
CREATE INDEX received_newest ON received (settled_at DESC, id DESC);
CREATE INDEX received_sender ON received (sender_pubkey, settled_at DESC);
CREATE INDEX received_podcast ON received (podcast, settled_at DESC);
CREATE INDEX received_unread ON received (read, settled_at DESC);
CREATE VIRTUAL TABLE received_fts USING fts5 (
    message, sender_name, podcast,
    content = 'received', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE sent (
    id            INTEGER PRIMARY KEY,
    hash          BLOB    NOT NULL UNIQUE,
    payment_index INTEGER NOT NULL,
    destination   BLOB,
    amount_msat   INTEGER NOT NULL,
    fee_msat      INTEGER NOT NULL,
    status        TEXT    NOT NULL,
    created_ns    INTEGER NOT NULL,
    message       TEXT,
    records       BLOB    NOT NULL
);
CREATE INDEX sent_newest ON sent (created_ns DESC, id DESC);
CREATE TABLE cursors (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
";

/// Connection settings for the index: WAL, normal sync (it can be rebuilt).
pub(crate) fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // First, so every later statement waits for other processes (the CLI
    // and the GUI may use one profile at once).
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")
}

/// How long a statement waits for another process holding the file.
pub(crate) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Bring the schema up to [`CURRENT`], one transaction per step. Each step
/// reads the version under the write lock, so processes opening the same
/// new file at once migrate it once.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), IndexError> {
    loop {
        let found = version(conn)?;
        if found == CURRENT {
            return Ok(());
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found = version(&tx)?;
        if found == CURRENT {
            return Ok(());
        }
        tx.execute_batch(MIGRATIONS[found as usize])?;
        tx.pragma_update(None, "user_version", found + 1)?;
        tx.commit()?;
    }
}

/// The stored schema version; a newer one than this build knows is refused.
fn version(conn: &Connection) -> Result<u32, IndexError> {
    let found: u32 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > CURRENT {
        return Err(IndexError::TooNew {
            found,
            supported: CURRENT,
        });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_refuses_newer_files() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let version: u32 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, CURRENT);
        conn.pragma_update(None, "user_version", CURRENT + 1)
            .unwrap();
        match migrate(&mut conn) {
            Err(IndexError::TooNew { found, supported }) => {
                assert_eq!((found, supported), (CURRENT + 1, CURRENT));
            }
            other => panic!("expected TooNew, got {other:?}"),
        }
    }
}
