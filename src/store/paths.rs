//! Where Satchel's files live. On the desktop, where the desktop expects
//! them (XDG on Linux, the platform equivalents elsewhere, via
//! `directories`): settings in the config folder, the contact book, the send
//! journal and node names in the data folder, each node's rebuildable index
//! in the cache folder, logs in the state folder ([`log_dir`]). With
//! `SATCHEL_HOME` (tests, CI, portable use) everything is in that one
//! folder, as before. A separate `demo/` profile inside each folder keeps
//! `--demo` off the real one. What Satchel learned from a node (its index,
//! sync cursors, verified senders) lives in `nodes/<node pubkey>/`, so two
//! nodes used with one profile never share a history. Each file name is
//! spelled here once. A profile from the single-folder layout is moved by
//! [`super::relocate`].

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use super::StoreError;
use crate::keysend::NodeId;

/// Environment variable that overrides the profile folder (tests, CI, portable use).
pub const HOME_ENV: &str = "SATCHEL_HOME";

/// The files of one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// Settings, the instance lock (and the demo network's state).
    root: PathBuf,
    /// The contact book, the journal, node names: not rebuildable.
    data: PathBuf,
    /// Each node's index: rebuildable from the node.
    cache: PathBuf,
    demo: bool,
}

impl Paths {
    /// The real profile: `$SATCHEL_HOME` when set (one folder), else the
    /// OS folders (`~/.config/satchel`, `~/.local/share/satchel`,
    /// `~/.cache/satchel` on Linux).
    pub fn default_dirs() -> Result<Self, StoreError> {
        Self::resolve(std::env::var_os(HOME_ENV))
    }

    /// The profile for an optional override folder (empty counts as unset).
    fn resolve(home_override: Option<OsString>) -> Result<Self, StoreError> {
        if let Some(home) = home_override.filter(|home| !home.is_empty()) {
            return Ok(Self::at(home));
        }
        directories::ProjectDirs::from("org", "Satchel", "Satchel")
            .map(|dirs| Self::split(dirs.config_dir(), dirs.data_dir(), dirs.cache_dir()))
            .ok_or(StoreError::NoHome)
    }

    /// A profile entirely in `dir` (the single-folder layout).
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        Self::split(dir.clone(), dir.clone(), dir)
    }

    /// A profile over separate config, data and cache folders.
    pub fn split(
        config: impl Into<PathBuf>,
        data: impl Into<PathBuf>,
        cache: impl Into<PathBuf>,
    ) -> Self {
        Self {
            root: config.into(),
            data: data.into(),
            cache: cache.into(),
            demo: false,
        }
    }

    /// The demo profile that lives inside this one (`demo/` in each folder).
    pub fn demo(&self) -> Self {
        if self.demo {
            return self.clone();
        }
        Self {
            root: self.root.join("demo"),
            data: self.data.join("demo"),
            cache: self.cache.join("demo"),
            demo: true,
        }
    }

    /// Whether this is a demo profile.
    pub fn is_demo(&self) -> bool {
        self.demo
    }

    /// The profile folder (the config folder: settings, the lock).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder of what cannot be rebuilt: contacts, journal, node names.
    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// The folder of what can be rebuilt from a node: the indexes.
    pub fn cache_dir(&self) -> &Path {
        &self.cache
    }

    /// Whether everything is in one folder (`SATCHEL_HOME`, tests).
    pub fn is_single_folder(&self) -> bool {
        self.root == self.data && self.root == self.cache
    }

    /// Create the profile folders (mode 0700 on unix) if they are missing;
    /// existing ones must be ours (see `trust`) and are tightened to owner-only.
    pub fn ensure(&self) -> Result<(), StoreError> {
        for dir in [&self.root, &self.data, &self.cache] {
            create_private_dir(dir)?;
            super::trust::trust_dir(dir)?;
        }
        Ok(())
    }

    /// The contact book (JSON).
    pub fn contacts_file(&self) -> PathBuf {
        self.data.join("contacts.json")
    }

    /// Settings (JSON).
    pub fn settings_file(&self) -> PathBuf {
        self.root.join("settings.json")
    }

    /// The folder of a node's index: `nodes/<pubkey>` in the cache folder.
    pub fn node_dir(&self, node: &NodeId) -> PathBuf {
        self.cache.join(NODES_DIR).join(node.to_hex())
    }

    /// The folder of what is kept about a node that is not rebuildable (its
    /// name): `nodes/<pubkey>` in the data folder.
    pub fn node_data_dir(&self, node: &NodeId) -> PathBuf {
        self.data.join(NODES_DIR).join(node.to_hex())
    }

    /// A node's SQLite index of received and sent keysends, with its sync
    /// cursors and verified senders (a cache of what that node said).
    pub fn index_db(&self, node: &NodeId) -> PathBuf {
        self.node_dir(node).join(INDEX_FILE)
    }

    /// The name a node gave itself when Satchel last connected (one line),
    /// beside the journal that names the node.
    pub fn node_alias_file(&self, node: &NodeId) -> PathBuf {
        self.node_data_dir(node).join(ALIAS_FILE)
    }

    /// The index of a profile from before per-node folders (`index.db` at
    /// the root); adopted by the node it belongs to, or kept aside.
    pub fn legacy_index_db(&self) -> PathBuf {
        self.data.join(INDEX_FILE)
    }

    /// A node's boosts and per-recipient msat ledger (what it owes podcast
    /// recipients): in the node's data folder, never a cache.
    pub fn boosts_db(&self, node: &NodeId) -> PathBuf {
        self.node_data_dir(node).join(BOOSTS_FILE)
    }

    /// The folder holding every node's data folder.
    pub fn nodes_data_dir(&self) -> PathBuf {
        self.data.join(NODES_DIR)
    }

    /// The profile-level boosts file from before per-node ledgers; adopted
    /// by the node it was used with (see `wallet::boost_adopt`).
    pub fn legacy_boosts_db(&self) -> PathBuf {
        self.root.join(BOOSTS_FILE)
    }

    /// Saved copies of fetched podcast feeds (ETag / Last-Modified).
    pub fn feeds_cache_dir(&self) -> PathBuf {
        self.cache.join("feeds")
    }

    /// The podcast feeds the Podcasts screen lists (JSON), one per profile.
    pub fn podcasts_file(&self) -> PathBuf {
        self.data.join("podcasts.json")
    }

    /// Where a legacy file that no node claims is kept (never deleted).
    pub fn unclaimed_dir(&self) -> PathBuf {
        self.data.join("unclaimed")
    }

    /// The wallet's send journal, one for the profile; each entry names the
    /// node it was sent from (never a cache: it may hold the only copy of a
    /// payment's preimage).
    pub fn journal_db(&self) -> PathBuf {
        self.data.join(JOURNAL_FILE)
    }

    /// The single-instance lock.
    pub fn lock_file(&self) -> PathBuf {
        self.root.join("satchel.lock")
    }

    /// Where unreadable files are moved aside, never deleted.
    pub fn quarantine_dir(&self) -> PathBuf {
        self.data.join("quarantine")
    }
}

/// The folder of per-node folders.
pub const NODES_DIR: &str = "nodes";
/// A node's name file inside its data folder.
pub const ALIAS_FILE: &str = "alias";

/// The folder of the log files: `$SATCHEL_HOME/logs` when that is set,
/// else `logs` in the OS state dir (`~/.local/state/satchel/logs` on Linux;
/// the local data dir where there is no state dir).
pub fn log_dir() -> Result<PathBuf, StoreError> {
    log_dir_for(std::env::var_os(HOME_ENV))
}

fn log_dir_for(home_override: Option<OsString>) -> Result<PathBuf, StoreError> {
    if let Some(home) = home_override.filter(|home| !home.is_empty()) {
        return Ok(PathBuf::from(home).join("logs"));
    }
    let dirs =
        directories::ProjectDirs::from("org", "Satchel", "Satchel").ok_or(StoreError::NoHome)?;
    let state = dirs.state_dir().unwrap_or(dirs.data_local_dir());
    Ok(state.join("logs"))
}

/// The index's file name inside a node's folder.
pub const INDEX_FILE: &str = "index.db";
/// The journal's file name inside a profile folder.
pub const JOURNAL_FILE: &str = "journal.db";
/// A node's boosts and msat ledger inside its data folder.
pub const BOOSTS_FILE: &str = "boosts.db";

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
        let node: NodeId = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
            .parse()
            .unwrap();
        let folder = format!("/p/nodes/{}", node.to_hex());
        assert_eq!(paths.node_dir(&node), Path::new(&folder));
        assert_eq!(paths.index_db(&node), Path::new(&folder).join("index.db"));
        assert_eq!(
            paths.node_alias_file(&node),
            Path::new(&folder).join("alias")
        );
        assert_eq!(paths.legacy_index_db(), Path::new("/p/index.db"));
        assert_eq!(paths.unclaimed_dir(), Path::new("/p/unclaimed"));
        assert_eq!(paths.journal_db(), Path::new("/p/journal.db"));
        assert_eq!(paths.lock_file(), Path::new("/p/satchel.lock"));
        assert_eq!(paths.quarantine_dir(), Path::new("/p/quarantine"));
    }

    #[test]
    fn a_split_profile_puts_each_file_in_its_folder() {
        let paths = Paths::split("/c", "/d", "/k");
        assert!(!paths.is_single_folder() && Paths::at("/p").is_single_folder());
        let node: NodeId = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
            .parse()
            .unwrap();
        let hex = node.to_hex();
        assert_eq!(paths.settings_file(), Path::new("/c/settings.json"));
        assert_eq!(paths.lock_file(), Path::new("/c/satchel.lock"));
        assert_eq!(paths.contacts_file(), Path::new("/d/contacts.json"));
        assert_eq!(paths.journal_db(), Path::new("/d/journal.db"));
        assert_eq!(
            paths.node_alias_file(&node),
            Path::new(&format!("/d/nodes/{hex}/alias"))
        );
        assert_eq!(
            paths.index_db(&node),
            Path::new(&format!("/k/nodes/{hex}/index.db"))
        );
        let demo = paths.demo();
        assert_eq!(demo.contacts_file(), Path::new("/d/demo/contacts.json"));
        assert_eq!(
            demo.index_db(&node),
            Path::new(&format!("/k/demo/nodes/{hex}/index.db"))
        );
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
