//! Which process is working on a journal entry. Each open journal claims an
//! owner token and holds an OS lock on `<journal>-owners/<token>.lock` for
//! as long as it is open (the OS releases it when the process dies, even by
//! SIGKILL). Entries record their owner, so reconcile leaves alone the sends
//! another running Satchel (a CLI `send`, the GUI) is still carrying out,
//! and takes over those whose process is gone.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

use rand::TryRngCore;

/// This process's claim on the journal; released on drop.
#[derive(Debug)]
pub(crate) struct Owner {
    token: String,
    path: PathBuf,
    file: File,
}

impl Owner {
    /// Claim a fresh owner token next to the journal at `journal`.
    pub fn claim(journal: &Path) -> io::Result<Self> {
        let dir = owners_dir(journal);
        create_private_dir(&dir)?;
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng
            .try_fill_bytes(&mut bytes)
            .map_err(io::Error::other)?;
        let token = hex::encode(bytes);
        let path = dir.join(format!("{token}.lock"));
        let mut options = OpenOptions::new();
        let _ = options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            let _ = options.mode(0o600);
        }
        let file = options.open(&path)?;
        file.try_lock().map_err(|error| match error {
            TryLockError::Error(error) => error,
            TryLockError::WouldBlock => io::Error::other("a fresh owner lock is already held"),
        })?;
        Ok(Self { token, path, file })
    }

    /// The token stored in the entries this process writes.
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl Drop for Owner {
    fn drop(&mut self) {
        let _ = self.file.unlock();
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether another process that is still running owns `token`. A stale
/// lock file (its process died) is removed. When liveness cannot be told,
/// the entry is treated as abandoned: reconcile only asks the node about it.
pub(crate) fn is_alive(journal: &Path, token: &str) -> bool {
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let path = owners_dir(journal).join(format!("{token}.lock"));
    let Ok(file) = OpenOptions::new().write(true).open(&path) else {
        return false;
    };
    match file.try_lock() {
        Err(TryLockError::WouldBlock) => true,
        Ok(()) => {
            let _ = std::fs::remove_file(&path);
            let _ = file.unlock();
            false
        }
        Err(TryLockError::Error(_)) => false,
    }
}

/// `<journal>-owners`, beside the journal (like SQLite's `-wal`).
fn owners_dir(journal: &Path) -> PathBuf {
    let mut name = journal.as_os_str().to_owned();
    name.push("-owners");
    PathBuf::from(name)
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    let _ = builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        let _ = builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_is_alive_until_dropped_and_then_cleaned_up() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal.db");
        let owner = Owner::claim(&journal).unwrap();
        let token = owner.token().to_owned();
        assert!(is_alive(&journal, &token));
        drop(owner);
        assert!(!is_alive(&journal, &token));
        assert!(!is_alive(&journal, "../../etc/passwd"));
        assert!(!is_alive(&journal, ""));
    }

    #[test]
    fn a_lock_file_left_by_a_dead_process_is_not_alive_and_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal.db");
        create_private_dir(&owners_dir(&journal)).unwrap();
        let stale = owners_dir(&journal).join("abcd.lock");
        drop(File::create(&stale).unwrap());
        assert!(!is_alive(&journal, "abcd"));
        assert!(!stale.exists());
    }
}
