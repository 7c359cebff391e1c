//! The small per-node SQLite files whose every commit is money (the boost
//! ledger, the stream ledger): opened one way, private, WAL, fsync on each
//! commit, refusing a file written by a newer Satchel.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

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

/// One such file, open; cheap to clone (the connection is shared).
#[derive(Clone)]
pub(crate) struct NodeDb {
    conn: Arc<Mutex<Connection>>,
    path: String,
}

impl NodeDb {
    /// Open (or create) `dir/name` at schema `version` (see [`open`]).
    pub(crate) fn open(
        dir: &Path,
        name: &str,
        schema: &str,
        version: u32,
    ) -> Result<Self, OpenError> {
        let (conn, path) = open(dir, name, schema, version)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            path,
        })
    }

    /// The connection (a poisoned lock is taken over: each commit is whole).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `e`, named with this file's path.
    pub(crate) fn error(&self, e: rusqlite::Error) -> OpenError {
        OpenError::Db {
            path: self.path.clone(),
            reason: e.to_string(),
        }
    }
}

/// Run `work` on `store` on the blocking pool (its commits fsync).
pub(crate) async fn blocking<S, T, E, F>(store: S, work: F) -> Result<T, E>
where
    S: Send + 'static,
    T: Send + 'static,
    E: From<OpenError> + Send + 'static,
    F: FnOnce(&S) -> Result<T, E> + Send + 'static,
{
    tokio::task::spawn_blocking(move || work(&store))
        .await
        .map_err(|e| {
            E::from(OpenError::Db {
                path: String::new(),
                reason: e.to_string(),
            })
        })?
}

/// Open (or create) `dir/name` at schema `version`: `schema` is run (it must
/// be idempotent: `CREATE ... IF NOT EXISTS`). Returns the connection and the
/// path as shown in messages.
fn open(
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
