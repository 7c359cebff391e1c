//! Whether a profile's folder and files can be trusted. A profile folder
//! must belong to the user running Satchel: one owned by someone else is
//! refused, one of ours that others may use is tightened to owner-only.
//! Profile files are opened without following symbolic links, and a file
//! that belongs to another user is not read: a `settings.json` planted by
//! someone else could send the user's macaroon to another host.

use std::fs;
use std::io;
use std::path::Path;

use super::StoreError;

/// Check the profile folder `dir` (which exists): refuse it unless it is a
/// folder owned by us; take group and other permissions away if it has any
/// (the owner's own bits are kept: a read-only folder stays read-only).
pub(crate) fn trust_dir(dir: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let meta = fs::metadata(dir).map_err(|error| StoreError::io("inspect", dir, error))?;
        if !meta.is_dir() {
            return Err(untrusted(dir, "it is not a folder".into()));
        }
        if let Some(reason) = foreign_owner(meta.uid()) {
            return Err(untrusted(dir, reason));
        }
        if meta.mode() & 0o077 != 0 {
            let mine = meta.mode() & 0o700;
            fs::set_permissions(dir, fs::Permissions::from_mode(mine))
                .map_err(|error| StoreError::from_io("restrict the permissions of", dir, error))?;
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Open a profile file for reading: `Ok(None)` when it does not exist. A
/// symbolic link, something other than a regular file, or a file owned by
/// another user is an error (never followed, never read).
pub(crate) fn open_file(path: &Path) -> io::Result<Option<fs::File>> {
    let mut options = fs::OpenOptions::new();
    let _ = options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
        let _ = options.custom_flags(flags.bits() as i32);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) if is_symlink(path) => {
            return Err(io::Error::other(format!(
                "it is a symbolic link, which Satchel never follows in its profile ({error})"
            )));
        }
        Err(error) => return Err(error),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other("it is not a regular file"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Some(reason) = foreign_owner(meta.uid()) {
            return Err(io::Error::other(reason));
        }
    }
    Ok(Some(file))
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink())
}

/// Why an owner is not us, or `None` when it is.
#[cfg(unix)]
fn foreign_owner(owner: u32) -> Option<String> {
    let me = rustix::process::geteuid().as_raw();
    (owner != me).then(|| format!("it belongs to another user (uid {owner}, you are uid {me})"))
}

fn untrusted(path: &Path, reason: String) -> StoreError {
    StoreError::Untrusted {
        path: path.to_path_buf(),
        reason,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::{PermissionsExt, symlink};

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn an_open_profile_folder_of_ours_is_tightened() {
        let dir = tempfile::tempdir().unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).unwrap();
        trust_dir(dir.path()).unwrap();
        assert_eq!(mode(dir.path()), 0o700);
    }

    #[test]
    fn links_and_foreign_files_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("elsewhere.json");
        fs::write(&real, "{}").unwrap();
        let link = dir.path().join("settings.json");
        symlink(&real, &link).unwrap();
        let err = open_file(&link).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(open_file(&real).unwrap().is_some());
        assert!(open_file(&dir.path().join("absent")).unwrap().is_none());
        let fifo = dir.path().join("fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let err = open_file(&fifo).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }

    #[test]
    fn a_planted_settings_link_is_set_aside_not_trusted() {
        use crate::store::{Paths, SavedNode, Settings};
        let dir = tempfile::tempdir().unwrap();
        let (victim, attacker) = (
            Paths::at(dir.path().join("victim")),
            Paths::at(dir.path().join("attacker")),
        );
        victim.ensure().unwrap();
        let mut evil = Settings::default();
        evil.add_node(SavedNode::files(
            "evil",
            "evil.example:10009",
            "/tmp/tls.cert".into(),
            "/tmp/admin.macaroon".into(),
        ));
        evil.save(&attacker).unwrap();
        symlink(attacker.settings_file(), victim.settings_file()).unwrap();
        let loaded = Settings::load(&victim).unwrap();
        assert!(loaded.value.nodes.is_empty(), "{:?}", loaded.value.nodes);
        let warning = loaded.warning.unwrap();
        assert!(warning.contains("symbolic link"), "{warning}");
        assert!(
            fs::symlink_metadata(victim.settings_file()).is_err(),
            "moved aside"
        );
    }

    /// Only root can give a file away, so this runs where the tests run as root.
    #[test]
    fn another_users_folder_and_files_are_refused() {
        if !rustix::process::geteuid().is_root() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let planted = dir.path().join("settings.json");
        fs::write(&planted, "{}").unwrap();
        std::os::unix::fs::chown(&planted, Some(65534), Some(65534)).unwrap();
        let err = open_file(&planted).unwrap_err();
        assert!(err.to_string().contains("another user (uid 65534"), "{err}");
        std::os::unix::fs::chown(dir.path(), Some(65534), Some(65534)).unwrap();
        let err = trust_dir(dir.path()).unwrap_err();
        assert!(matches!(err, StoreError::Untrusted { .. }), "{err:?}");
        assert!(err.to_string().contains("belongs to another user"), "{err}");
    }
}
