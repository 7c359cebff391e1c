//! One running Satchel per profile. The lock is an OS file lock on
//! `satchel.lock` (released by the OS even when the process crashes). A
//! second instance gets [`StoreError::AlreadyRunning`]; it may still read.
//! Writers that can run without the lock (the CLI) must merge instead, as
//! [`super::ContactBook::save`] does.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Paths, StoreError};

/// Held for the life of the process; dropping it releases the lock.
#[derive(Debug)]
pub struct InstanceLock {
    file: File,
    path: PathBuf,
}

impl InstanceLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for InstanceLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// Take the profile's single-instance lock, creating the profile folder.
pub fn acquire(paths: &Paths) -> Result<InstanceLock, StoreError> {
    paths.ensure()?;
    let path = paths.lock_file();
    let mut file = open_lock_file(&path)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Err(StoreError::AlreadyRunning { path }),
        Err(TryLockError::Error(error)) => return Err(StoreError::io("lock", &path, error)),
    }
    // The pid is only a hint for people looking at the folder.
    let _ = file
        .set_len(0)
        .and_then(|()| writeln!(file, "{}", std::process::id()));
    Ok(InstanceLock { file, path })
}

/// Open (creating) a lock file without truncating what another holder wrote.
pub(crate) fn open_lock_file(path: &Path) -> Result<File, StoreError> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|error| StoreError::from_io("open", path, error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_instance_is_refused_until_the_first_exits() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::at(dir.path().join("profile"));
        let first = acquire(&paths).unwrap();
        assert_eq!(first.path(), paths.lock_file());
        match acquire(&paths) {
            Err(StoreError::AlreadyRunning { path }) => assert_eq!(path, paths.lock_file()),
            other => panic!("expected AlreadyRunning, got {other:?}"),
        }
        drop(first);
        let again = acquire(&paths).unwrap();
        let pid = std::fs::read_to_string(again.path()).unwrap();
        assert_eq!(pid.trim(), std::process::id().to_string());
    }

    #[test]
    fn demo_and_real_profiles_lock_separately() {
        let dir = tempfile::tempdir().unwrap();
        let real = Paths::at(dir.path());
        let _real = acquire(&real).unwrap();
        let _demo = acquire(&real.demo()).unwrap();
    }

    #[test]
    fn message_tells_the_user_what_to_do() {
        let error = StoreError::AlreadyRunning {
            path: "/p/satchel.lock".into(),
        };
        assert!(error.to_string().contains("already running"), "{error}");
    }
}
