//! The small per-node SQLite files whose every commit is money (the boost
//! ledger, the stream ledger): opened one way, private, WAL, fsync on each
//! commit, refusing a file written by a newer Satchel.

use std::path::Path;

use rusqlite::Connection;

use super::schema::{BUSY_TIMEOUT, use_wal};

/// Why such a file could not be opened.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// The file or the folder could not be made, read or set up.
    Db { path: String, reason: String },
    /// Written by a newer Satchel (its schema version).
    TooNew(u32),
}

/// Open (or create) `dir/name` at schema `version`: `schema` is run (it must
/// be idempotent: `CREATE ... IF NOT EXISTS`). Returns the connection and the
/// path as shown in messages.
pub(crate) fn open(
    dir: &Path,
    name: &str,
    schema: &str,
    version: u32,
) -> Result<(Connection, String), OpenError> {
    let path = dir.join(name);
    let shown = path.display().to_string();
    let db = |e: &dyn std::fmt::Display| OpenError::Db {
        path: shown.clone(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(|e| db(&e))?;
    super::file::make_private(&path).map_err(|e| db(&e))?;
    let conn = Connection::open(&path).map_err(|e| db(&e))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| db(&e))?;
    use_wal(&conn).map_err(|e| db(&e))?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(|e| db(&e))?;
    let found: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| db(&e))?;
    if found > version {
        return Err(OpenError::TooNew(found));
    }
    conn.execute_batch(schema).map_err(|e| db(&e))?;
    conn.pragma_update(None, "user_version", version)
        .map_err(|e| db(&e))?;
    Ok((conn, shown))
}
