//! Small file helpers for the simulator's LND-like directory: atomic writes
//! (temp file in the same directory, `sync_all`, rename) and reads that tell
//! "missing" apart from "unreadable".

use std::io::Write;
use std::path::Path;

use super::SimError;

/// Write `bytes` to `path` atomically, creating the parent directory.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SimError> {
    let parent = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| SimError::io(parent, e))?;
    let mut temp = tempfile::NamedTempFile::new_in(parent).map_err(|e| SimError::io(parent, e))?;
    temp.write_all(bytes).map_err(|e| SimError::io(path, e))?;
    temp.as_file()
        .sync_all()
        .map_err(|e| SimError::io(path, e))?;
    let _file = temp
        .persist(path)
        .map_err(|e| SimError::io(path, e.error))?;
    Ok(())
}

/// Write a secret file atomically, readable by the owner only (Unix).
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<(), SimError> {
    write_atomic(path, bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| SimError::io(path, e))?;
    }
    Ok(())
}

/// Read a file; `Ok(None)` when it does not exist.
pub(crate) fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, SimError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(SimError::io(path, e)),
    }
}
