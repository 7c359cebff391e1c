//! Where Satchel's files live: one profile folder (the OS config dir, or
//! `SATCHEL_HOME`), with a separate `demo/` profile inside it so `--demo`
//! never touches the real one.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use super::StoreError;

/// Environment variable that overrides the profile folder (tests, CI, portable use).
pub const HOME_ENV: &str = "SATCHEL_HOME";

/// The files of one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    root: PathBuf,
    demo: bool,
}

impl Paths {
    /// The real profile: `$SATCHEL_HOME` when set, else the OS config dir
    /// (`~/.config/satchel` on Linux).
    pub fn default_dirs() -> Result<Self, StoreError> {
        Self::resolve(std::env::var_os(HOME_ENV))
    }

    /// The profile for an optional override folder (empty counts as unset).
    fn resolve(home_override: Option<OsString>) -> Result<Self, StoreError> {
        if let Some(home) = home_override.filter(|home| !home.is_empty()) {
            return Ok(Self::at(home));
        }
        directories::ProjectDirs::from("org", "Satchel", "Satchel")
            .map(|dirs| Self::at(dirs.config_dir()))
            .ok_or(StoreError::NoHome)
    }

    /// A profile rooted at `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self {
            root: dir.into(),
            demo: false,
        }
    }

    /// The demo profile that lives inside this one (`<root>/demo`).
    pub fn demo(&self) -> Self {
        if self.demo {
            return self.clone();
        }
        Self {
            root: self.root.join("demo"),
            demo: true,
        }
    }

    /// Whether this is a demo profile.
    pub fn is_demo(&self) -> bool {
        self.demo
    }

    /// The profile folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Create the profile folder (mode 0700 on unix) if it is missing; an
    /// existing one must be ours (see `trust`) and is tightened to owner-only.
    pub fn ensure(&self) -> Result<(), StoreError> {
        create_private_dir(&self.root)?;
        super::trust::trust_dir(&self.root)
    }

    /// The contact book (JSON).
    pub fn contacts_file(&self) -> PathBuf {
        self.root.join("contacts.json")
    }

    /// Settings (JSON).
    pub fn settings_file(&self) -> PathBuf {
        self.root.join("settings.json")
    }

    /// The wallet's SQLite index of received and sent keysends (a cache).
    pub fn index_db(&self) -> PathBuf {
        self.root.join("index.db")
    }

    /// The wallet's send journal (never a cache: it may hold the only copy
    /// of a payment's preimage).
    pub fn journal_db(&self) -> PathBuf {
        self.root.join("journal.db")
    }

    /// The single-instance lock.
    pub fn lock_file(&self) -> PathBuf {
        self.root.join("satchel.lock")
    }

    /// Where unreadable files are moved aside, never deleted.
    pub fn quarantine_dir(&self) -> PathBuf {
        self.root.join("quarantine")
    }
}

/// `mkdir -p`, private to the user on unix.
pub(crate) fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    let mut builder = fs::DirBuilder::new();
    let _ = builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        let _ = builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|error| StoreError::from_io("create the folder", dir, error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_wins_and_empty_is_ignored() {
        let paths = Paths::resolve(Some("/srv/satchel".into())).unwrap();
        assert_eq!(paths.root(), Path::new("/srv/satchel"));
        let fallback = Paths::resolve(Some(OsString::new())).unwrap();
        assert!(fallback.root().ends_with("satchel"), "{fallback:?}");
        assert_ne!(fallback.root(), Path::new(""));
    }

    #[test]
    fn files_live_under_the_root() {
        let paths = Paths::at("/p");
        assert_eq!(paths.contacts_file(), Path::new("/p/contacts.json"));
        assert_eq!(paths.settings_file(), Path::new("/p/settings.json"));
        assert_eq!(paths.index_db(), Path::new("/p/index.db"));
        assert_eq!(paths.journal_db(), Path::new("/p/journal.db"));
        assert_eq!(paths.lock_file(), Path::new("/p/satchel.lock"));
        assert_eq!(paths.quarantine_dir(), Path::new("/p/quarantine"));
    }

    #[test]
    fn demo_profile_is_separate_and_does_not_nest() {
        let real = Paths::at("/p");
        let demo = real.demo();
        assert!(demo.is_demo() && !real.is_demo());
        assert_eq!(demo.contacts_file(), Path::new("/p/demo/contacts.json"));
        assert_eq!(demo.demo(), demo);
        assert_ne!(demo.lock_file(), real.lock_file());
    }

    #[test]
    fn ensure_creates_a_private_folder() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::at(dir.path().join("a/b")).demo();
        paths.ensure().unwrap();
        assert!(paths.root().is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(paths.root()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }
}
