//! Local files: where they live ([`Paths`]), how they are written
//! ([`write_atomic`], [`read_or_quarantine`]), the contact book, settings,
//! secrets (OS keyring) and the single-instance lock. No iced, no tonic.

mod atomic;
pub mod contacts;
mod leftovers;
mod lock;
mod paths;
mod quarantine;
pub mod relocate;
mod saved_node;
mod secret;
mod settings;
mod trust;
mod ui_prefs;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use atomic::{Loaded, Versioned, read_or_quarantine, write_atomic};
pub use contacts::{
    Contact, ContactBook, ContactError, ExtraRecord, ImportError, ImportReport, NewContact,
    RecordError, RecordValue, ResolveError, Resolved, RowOutcome, SaveReport,
};
pub use lock::{InstanceLock, acquire};
pub(crate) use paths::create_private_dir;
pub use paths::{BOOSTS_FILE, HOME_ENV, INDEX_FILE, JOURNAL_FILE, Paths, log_dir};
pub use saved_node::{SavedNode, SavedNodeKind};
pub use secret::{
    MemorySecrets, OsKeyring, SecretError, SecretStore, macaroon_key, open_secret_store,
};
pub use settings::{AmountUnit, FeeLimit, MIN_FEE_LIMIT, RendererChoice, Settings, ThemeChoice};
pub use ui_prefs::{DEFAULT_PRICE_SOURCE, FIAT_CURRENCIES, FiatPrefs, UiScale};

/// What can go wrong with Satchel's local files. `Clone` so it can ride in
/// GUI messages (the I/O source is shared behind an `Arc`).
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// An operating system error on a specific file.
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        /// What we were doing ("read", "write", ...).
        action: &'static str,
        /// The file or folder involved.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: Arc<io::Error>,
    },
    /// A file's content could not be understood.
    #[error("{} is not valid: {reason}", path.display())]
    Parse {
        /// The file involved.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Another Satchel process holds this profile's lock.
    #[error(
        "Satchel is already running with this profile (lock {} is held); close the other instance first",
        path.display()
    )]
    AlreadyRunning {
        /// The lock file.
        path: PathBuf,
    },
    /// The folder cannot be written to.
    #[error(
        "cannot save in {}: the folder is read-only or not writable by you; check its permissions",
        dir.display()
    )]
    ReadOnly {
        /// The folder that refused the write.
        dir: PathBuf,
    },
    /// The disk (or the user's quota) is full.
    #[error("the disk is full, so {} was not saved; free some space and try again", path.display())]
    DiskFull {
        /// The file that could not be written.
        path: PathBuf,
    },
    /// A profile folder or file that is not the user's own.
    #[error(
        "Satchel does not trust {}: {reason}. Use a profile folder that belongs to you \
         (SATCHEL_HOME), or remove what another user put there",
        path.display()
    )]
    Untrusted {
        /// The folder or file.
        path: PathBuf,
        /// Why (owner, link, kind).
        reason: String,
    },
    /// No home or config folder could be found.
    #[error("no home folder was found for Satchel's files; set SATCHEL_HOME to a folder")]
    NoHome,
}

impl StoreError {
    /// Classify an OS error: read-only and full disks get their own variants.
    pub fn from_io(action: &'static str, path: &Path, source: io::Error) -> Self {
        match source.kind() {
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => Self::ReadOnly {
                dir: folder_of(path),
            },
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => Self::DiskFull {
                path: path.to_path_buf(),
            },
            _ => Self::Io {
                action,
                path: path.to_path_buf(),
                source: Arc::new(source),
            },
        }
    }

    /// A plain I/O error, for reads (where "permission denied" is not about writing).
    pub fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_path_buf(),
            source: Arc::new(source),
        }
    }
}

/// The folder a path lives in (the path itself when it is a folder).
fn folder_of(path: &Path) -> PathBuf {
    if path.is_dir() {
        return path.to_path_buf();
    }
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_are_classified() {
        let file = Path::new("/tmp/satchel-x/contacts.json");
        let cases: &[(i32, &str)] = &[
            (13, "ReadOnly"),  // EACCES
            (1, "ReadOnly"),   // EPERM
            (30, "ReadOnly"),  // EROFS
            (28, "DiskFull"),  // ENOSPC
            (122, "DiskFull"), // EDQUOT
            (5, "Io"),         // EIO
        ];
        for (code, expected) in cases {
            let error = StoreError::from_io("write", file, io::Error::from_raw_os_error(*code));
            let got = match &error {
                StoreError::ReadOnly { dir } => {
                    assert_eq!(dir, Path::new("/tmp/satchel-x"));
                    "ReadOnly"
                }
                StoreError::DiskFull { path } => {
                    assert_eq!(path, file);
                    "DiskFull"
                }
                StoreError::Io { .. } => "Io",
                other => panic!("unexpected {other:?}"),
            };
            assert_eq!(got, *expected, "errno {code}");
        }
    }

    #[test]
    fn messages_name_the_file() {
        let error = StoreError::DiskFull {
            path: PathBuf::from("/x/contacts.json"),
        };
        assert_eq!(
            error.to_string(),
            "the disk is full, so /x/contacts.json was not saved; free some space and try again"
        );
    }
}
