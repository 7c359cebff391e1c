//! Moving a single-folder profile (everything in `~/.config/satchel`, as
//! Satchel kept it before) to where the desktop expects each file: the
//! contact book, journal and node names to the data folder, each node's
//! index to the cache folder. Settings stay in the config folder.
//!
//! Each file moves by one rename (atomic on one file system). Nothing is
//! deleted and nothing is overwritten: a file whose new place is taken, or
//! that cannot be renamed (another file system), stays where it is and the
//! report says so; Satchel then starts with the new place. Safe to run on
//! every start: once moved, there is nothing left to move. The demo profile
//! inside moves the same way.

use std::fs;
use std::path::{Path, PathBuf};

use super::paths::{ALIAS_FILE, INDEX_FILE, JOURNAL_FILE, NODES_DIR};
use super::{Paths, create_private_dir};

/// What a move did, for the log and the user.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// (from, to) for each file or folder moved.
    pub moved: Vec<(PathBuf, PathBuf)>,
    /// What stayed in the old place, with why.
    pub left: Vec<(PathBuf, String)>,
}

impl Report {
    /// Nothing was found to move.
    pub fn is_empty(&self) -> bool {
        self.moved.is_empty() && self.left.is_empty()
    }

    /// One line per item.
    pub fn lines(&self) -> Vec<String> {
        let moved = self
            .moved
            .iter()
            .map(|(from, to)| format!("moved {} to {}", from.display(), to.display()));
        let left = self
            .left
            .iter()
            .map(|(path, why)| format!("left {} where it is: {why}", path.display()));
        moved.chain(left).collect()
    }
}

/// Move what `paths.root()` holds in the single-folder layout to `paths`'
/// data and cache folders (and the same for its demo profile). Nothing to do
/// for a single-folder profile (`SATCHEL_HOME`).
pub fn relocate(paths: &Paths) -> Report {
    let mut report = Report::default();
    if paths.is_single_folder() {
        return report;
    }
    for profile in [paths.clone(), paths.demo()] {
        relocate_one(&profile, &mut report);
    }
    report
}

fn relocate_one(paths: &Paths, report: &mut Report) {
    let old = paths.root().to_path_buf();
    if !old.is_dir() {
        return;
    }
    let data = paths.data_dir();
    let mut moves: Vec<(PathBuf, PathBuf)> = Vec::new();
    for name in ["contacts.json", "unclaimed", "quarantine"] {
        moves.push((old.join(name), data.join(name)));
    }
    for base in [JOURNAL_FILE, INDEX_FILE] {
        for suffix in ["", "-wal", "-shm", "-journal", "-owners"] {
            let name = format!("{base}{suffix}");
            moves.push((old.join(&name), data.join(&name)));
        }
    }
    if let Ok(nodes) = fs::read_dir(old.join(NODES_DIR)) {
        for node in nodes.flatten().filter(|e| e.path().is_dir()) {
            let name = node.file_name();
            let cache = paths.cache_dir().join(NODES_DIR).join(&name);
            let data = data.join(NODES_DIR).join(&name);
            for file in fs::read_dir(node.path()).into_iter().flatten().flatten() {
                let to = match file.file_name() == ALIAS_FILE {
                    true => data.join(file.file_name()),
                    false => cache.join(file.file_name()),
                };
                moves.push((file.path(), to));
            }
        }
    }
    for (from, to) in moves {
        move_one(&from, &to, report);
    }
    // Empty per-node folders left behind are removed (only if empty).
    if let Ok(nodes) = fs::read_dir(old.join(NODES_DIR)) {
        for node in nodes.flatten() {
            let _ = fs::remove_dir(node.path());
        }
        let _ = fs::remove_dir(old.join(NODES_DIR));
    }
}

fn move_one(from: &Path, to: &Path, report: &mut Report) {
    if fs::symlink_metadata(from).is_err() {
        return;
    }
    if fs::symlink_metadata(to).is_ok() {
        let why = format!("{} already exists", to.display());
        report.left.push((from.to_owned(), why));
        return;
    }
    let parent = to.parent().unwrap_or(Path::new("."));
    if let Err(err) = create_private_dir(parent) {
        report.left.push((from.to_owned(), err.to_string()));
        return;
    }
    match fs::rename(from, to) {
        Ok(()) => report.moved.push((from.to_owned(), to.to_owned())),
        Err(err) => report
            .left
            .push((from.to_owned(), format!("could not move it: {err}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::NodeId;

    const NODE: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn read(path: &Path) -> String {
        fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn a_single_folder_profile_moves_without_loss() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("config");
        let node: NodeId = NODE.parse().unwrap();
        let legacy = Paths::at(&old);
        write(&legacy.settings_file(), "settings");
        write(&legacy.contacts_file(), "contacts");
        write(&legacy.journal_db(), "journal");
        write(&old.join("journal.db-wal"), "wal");
        write(&old.join("journal.db-owners/t.lock"), "owner");
        write(&legacy.index_db(&node), "index");
        write(&legacy.node_alias_file(&node), "Alice");
        write(&legacy.legacy_index_db(), "old index");
        write(&legacy.demo().contacts_file(), "demo contacts");
        write(&legacy.lock_file(), "1");
        let paths = Paths::split(&old, dir.path().join("data"), dir.path().join("cache"));

        let report = relocate(&paths);
        assert!(report.left.is_empty(), "{:?}", report.lines());
        assert_eq!(report.moved.len(), 8, "{:#?}", report.lines());
        assert_eq!(read(&paths.settings_file()), "settings");
        assert_eq!(read(&paths.lock_file()), "1");
        assert_eq!(read(&paths.contacts_file()), "contacts");
        assert_eq!(read(&paths.journal_db()), "journal");
        assert_eq!(read(&paths.data_dir().join("journal.db-wal")), "wal");
        assert_eq!(
            read(&paths.data_dir().join("journal.db-owners/t.lock")),
            "owner"
        );
        assert_eq!(read(&paths.index_db(&node)), "index");
        assert!(paths.index_db(&node).starts_with(paths.cache_dir()));
        assert_eq!(read(&paths.node_alias_file(&node)), "Alice");
        assert_eq!(read(&paths.legacy_index_db()), "old index");
        assert_eq!(read(&paths.demo().contacts_file()), "demo contacts");
        assert!(!old.join(NODES_DIR).exists(), "emptied node folders go");

        assert!(
            relocate(&paths).is_empty(),
            "a second start has nothing to move"
        );
    }

    #[test]
    fn a_taken_place_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("config");
        let paths = Paths::split(&old, dir.path().join("data"), dir.path().join("cache"));
        write(&Paths::at(&old).contacts_file(), "old contacts");
        write(&paths.contacts_file(), "new contacts");
        let report = relocate(&paths);
        assert!(report.moved.is_empty());
        assert_eq!(report.left.len(), 1);
        assert!(
            report.lines()[0].contains("already exists"),
            "{:?}",
            report.lines()
        );
        assert_eq!(read(&paths.contacts_file()), "new contacts");
        assert_eq!(read(&Paths::at(&old).contacts_file()), "old contacts");
    }

    #[test]
    fn one_folder_profiles_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("contacts.json"), "c");
        assert!(relocate(&Paths::at(dir.path())).is_empty());
        assert!(dir.path().join("contacts.json").exists());
    }
}
