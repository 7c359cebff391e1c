//! Atomic writes. A write goes to a temporary file in the same folder, is
//! flushed to disk, then renamed over the target, so a crash leaves either the
//! old file or the new one. Temp files of saves that were killed are removed
//! at a later save ([`super::leftovers`]). Careful reads (and the quarantine of
//! files we cannot understand) live in [`super::quarantine`] and are
//! re-exported here, so this stays the one door to the store's files.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::StoreError;
use super::leftovers::{TEMP_PREFIX, TEMP_SUFFIX, remove_stale_temp_files};
use super::paths::create_private_dir;

pub use super::quarantine::{Loaded, Versioned, read_or_quarantine};
pub(crate) use super::quarantine::{parse, quarantine_file};

/// Write `bytes` to `path` atomically: temp file in the same folder,
/// `sync_all`, rename, then sync the folder. Mode 0600 on unix.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = parent_dir(path);
    create_private_dir(&dir)?;
    let _ = remove_stale_temp_files(&dir, SystemTime::now());
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(&dir)
        .map_err(|error| StoreError::from_io("create a temporary file in", &dir, error))?;
    let write = |file: &mut fs::File| {
        restrict_permissions(file)?;
        file.write_all(bytes)?;
        file.sync_all()
    };
    write(temp.as_file_mut()).map_err(|error| StoreError::from_io("write", path, error))?;
    let _ = temp
        .persist(path)
        .map_err(|error| StoreError::from_io("replace", path, error.error))?;
    sync_dir(&dir).map_err(|error| StoreError::from_io("flush the folder", &dir, error))
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(unix)]
fn restrict_permissions(file: &fs::File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict_permissions(_file: &fs::File) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_the_file_and_leave_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/file.json");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("file.json")]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[test]
    fn a_save_removes_temp_files_a_killed_save_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("contacts.json");
        let stale = dir.path().join(".satchel-Ab12Cd.tmp");
        fs::write(&stale, b"half a file").unwrap();
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        let file = fs::File::options().write(true).open(&stale).unwrap();
        file.set_modified(hour_ago).unwrap();
        let fresh = dir.path().join(".satchel-Ef34Gh.tmp");
        fs::write(&fresh, b"another save at work").unwrap();
        write_atomic(&path, b"saved").unwrap();
        assert!(!stale.exists(), "the killed save's temp file is removed");
        assert!(fresh.exists(), "a temp file that may be in use is kept");
        assert_eq!(fs::read(&path).unwrap(), b"saved");
    }

    /// Root ignores folder permissions, so the check only runs where they
    /// are enforced (the classification itself is tested in `mod.rs`).
    #[cfg(unix)]
    #[test]
    fn read_only_folder_gives_read_only_and_keeps_the_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("contacts.json");
        fs::write(&path, "original").unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o555)).unwrap();
        let enforced = fs::File::create(dir.path().join("probe")).is_err();
        let result = write_atomic(&path, b"new");
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        if enforced {
            match result {
                Err(StoreError::ReadOnly { dir: refused }) => assert_eq!(refused, dir.path()),
                other => panic!("expected ReadOnly, got {other:?}"),
            }
            assert_eq!(fs::read_to_string(&path).unwrap(), "original");
        } else {
            eprintln!("running as root: folder permissions are not enforced here");
            result.unwrap();
        }
    }
}
