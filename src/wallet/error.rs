//! Error types of the wallet core. All are `Clone` so they can ride in GUI
//! messages; foreign sources are wrapped in `Arc`.

use std::path::PathBuf;
use std::sync::Arc;

use super::BlobError;

/// Why the index could not be opened, read or written.
#[derive(Debug, Clone, thiserror::Error)]
pub enum IndexError {
    #[error("the inbox database failed: {0}")]
    Database(Arc<rusqlite::Error>),
    #[error("cannot use the inbox database at {path}: {source}")]
    Io {
        path: PathBuf,
        source: Arc<std::io::Error>,
    },
    #[error(
        "the inbox database was written by a newer Satchel (schema {found}, this one knows \
         up to {supported}); update Satchel or choose another profile"
    )]
    TooNew { found: u32, supported: u32 },
    #[error("no inbox entry with id {0}")]
    NotFound(i64),
    #[error("stored records of entry {id} cannot be read: {source}")]
    BadRecords { id: i64, source: BlobError },
    #[error("the inbox database task stopped unexpectedly")]
    Interrupted,
}

impl From<rusqlite::Error> for IndexError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Database(Arc::new(error))
    }
}

impl IndexError {
    /// Build an I/O error for `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source: Arc::new(source),
        }
    }
}
