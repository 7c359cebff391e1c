//! The wallet's database files are private to the user: created `0600`
//! before SQLite opens them (SQLite gives its `-wal` and `-shm` files the
//! same mode as the database), and tightened if an older build left them
//! readable by others. They hold payment history and, in the journal,
//! preimages.

use std::path::Path;

/// Create `path` (if missing) readable and writable by the user only, and
/// make an existing file and its companions so.
pub(crate) fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let _ = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)?;
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let file = Path::new(&name);
            match std::fs::metadata(file) {
                Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                    std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))?;
                }
                _ => {}
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path; // Per-user profile folders already keep other users out.
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::super::{Index, Journal};

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn databases_and_their_companions_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let (index_path, journal_path) = (dir.path().join("index.db"), dir.path().join("j.db"));
        let _index = Index::open(&index_path).unwrap();
        let _journal = Journal::open(&journal_path).unwrap();
        for path in [&index_path, &journal_path] {
            assert_eq!(mode(path), 0o600, "{}", path.display());
            let wal = path.with_file_name(format!(
                "{}-wal",
                path.file_name().unwrap().to_string_lossy()
            ));
            assert_eq!(mode(&wal), 0o600, "{}", wal.display());
        }
    }

    #[test]
    fn an_open_file_left_by_an_older_build_is_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.db");
        drop(Index::open(&path).unwrap());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let _index = Index::open(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
    }
}
