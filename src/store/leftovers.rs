//! Temporary files left behind by saves that never finished (the process was
//! killed between creating the temp file and renaming it). The next save in
//! the same folder removes ours once they are old enough that no running
//! save can still be writing them.

use std::fs;
use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Every temporary file of an atomic save starts with this.
pub(crate) const TEMP_PREFIX: &str = ".satchel-";
/// ... and ends with this.
pub(crate) const TEMP_SUFFIX: &str = ".tmp";
/// A temp file untouched this long belongs to a save that died: a live save
/// writes and renames its file in well under a second.
pub(crate) const STALE_AFTER: Duration = Duration::from_secs(60);

/// Remove our stale temp files in `dir` (regular files only, never links or
/// folders, never anyone else's names). Best effort: what cannot be removed
/// now is tried again at the next save. Returns how many were removed.
pub(crate) fn remove_stale_temp_files(dir: &Path, now: SystemTime) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        if !is_ours(&entry.file_name().to_string_lossy()) {
            continue;
        }
        match remove_if_stale(&entry.path(), now) {
            Ok(true) => removed += 1,
            Ok(false) => {}
            Err(error) => log::debug!("left {} in place: {error}", entry.path().display()),
        }
    }
    removed
}

/// A name [`super::write_atomic`] gives its temporary files.
fn is_ours(name: &str) -> bool {
    name.len() > TEMP_PREFIX.len() + TEMP_SUFFIX.len()
        && name.starts_with(TEMP_PREFIX)
        && name.ends_with(TEMP_SUFFIX)
}

fn remove_if_stale(path: &Path, now: SystemTime) -> io::Result<bool> {
    // Not followed: a link with our name is left alone, whatever it points at.
    let meta = fs::symlink_metadata(path)?;
    if !meta.file_type().is_file() {
        return Ok(false);
    }
    let age = now.duration_since(meta.modified()?).unwrap_or_default();
    if age < STALE_AFTER {
        return Ok(false);
    }
    fs::remove_file(path)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Create `name` in `dir`, last modified `age` ago.
    fn file_aged(dir: &Path, name: &str, age: Duration) {
        let path = dir.join(name);
        fs::write(&path, b"partial").unwrap();
        let file = fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(SystemTime::now() - age).unwrap();
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn only_our_old_temp_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let old = Duration::from_secs(3600);
        file_aged(dir.path(), ".satchel-dead.tmp", old);
        file_aged(dir.path(), ".satchel-live.tmp", Duration::ZERO);
        file_aged(dir.path(), ".other-dead.tmp", old);
        file_aged(dir.path(), ".satchel-notes.txt", old);
        file_aged(dir.path(), "contacts.json", old);
        fs::create_dir(dir.path().join(".satchel-folder.tmp")).unwrap();
        let removed = remove_stale_temp_files(dir.path(), SystemTime::now());
        assert_eq!(removed, 1);
        assert_eq!(
            names(dir.path()),
            [
                ".other-dead.tmp",
                ".satchel-folder.tmp",
                ".satchel-live.tmp",
                ".satchel-notes.txt",
                "contacts.json"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_are_never_followed_or_removed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("precious");
        file_aged(dir.path(), "precious", Duration::from_secs(3600));
        std::os::unix::fs::symlink(&target, dir.path().join(".satchel-link.tmp")).unwrap();
        let later = SystemTime::now() + Duration::from_secs(3600);
        assert_eq!(remove_stale_temp_files(dir.path(), later), 0);
        assert_eq!(names(dir.path()), [".satchel-link.tmp", "precious"]);
    }

    #[test]
    fn a_missing_folder_removes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            remove_stale_temp_files(&dir.path().join("absent"), SystemTime::now()),
            0
        );
    }
}
