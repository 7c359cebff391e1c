//! The index file itself: opening it (with an integrity check when asked), moving a
//! damaged one aside.

use std::path::Path;

use rusqlite::{Connection, ErrorCode};

use super::{IndexError, IndexWarning, schema};

/// Open, configure and migrate; touches the file so a damaged header shows
/// up here, and with `full_check` reads every page (see [`super::integrity`]).
pub(super) fn open_checked(path: &Path, full_check: bool) -> Result<Connection, IndexError> {
    super::file::make_private(path).map_err(|e| IndexError::io(path, e))?;
    let mut conn = Connection::open(path)?;
    // Each filter combination of the inbox is its own statement: keep them all.
    conn.set_prepared_statement_cache_capacity(64);
    schema::configure(&conn)?;
    let _: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    if full_check {
        quick_check(&conn).map_err(|reason| corrupt(&reason))?;
    }
    schema::migrate(&mut conn)?;
    Ok(conn)
}

/// SQLite's `PRAGMA quick_check` (every page and index entry read once):
/// `Err` with SQLite's first complaint when the file is damaged. A damaged
/// page that happens not to be read on open would otherwise surface much
/// later, as missing or wrong rows.
pub(crate) fn quick_check(conn: &Connection) -> Result<(), String> {
    let verdict = conn
        .query_row("PRAGMA quick_check(1)", [], |r| r.get::<_, String>(0))
        .map_err(|e| e.to_string())?;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(verdict)
    }
}

/// The error SQLite gives for a damaged file, carrying quick_check's reason.
pub(super) fn corrupt(reason: &str) -> IndexError {
    let code = rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT);
    let reason = crate::keysend::text::display_safe(reason, 200);
    IndexError::from(rusqlite::Error::SqliteFailure(code, Some(reason)))
}

pub(super) fn is_corrupt(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    )
}

/// Rename the unreadable file (and its WAL/SHM companions) out of the way.
pub(super) fn move_aside(path: &Path, reason: String) -> Result<IndexWarning, IndexError> {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let moved_to = path.with_file_name(format!("{}.corrupt-{stamp}", file_name(path)));
    std::fs::rename(path, &moved_to).map_err(|e| IndexError::io(path, e))?;
    for suffix in ["-wal", "-shm"] {
        let companion = path.with_file_name(format!("{}{suffix}", file_name(path)));
        if companion.exists() {
            let target = moved_to.with_file_name(format!("{}{suffix}", file_name(&moved_to)));
            std::fs::rename(&companion, target).map_err(|e| IndexError::io(&companion, e))?;
        }
    }
    Ok(IndexWarning { moved_to, reason })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
