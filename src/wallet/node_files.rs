//! Opening a node's files: the one use case both frontends call once they
//! know which node they are connected to. The index (with its sync cursors
//! and verified senders) is the node's own, in `nodes/<pubkey>/`; the send
//! journal is the profile's, handed out bound to the node so every entry it
//! writes names that node. The file names are spelled in [`Paths`] only.
//!
//! Upgrading a profile from before per-node folders: its `index.db` is
//! adopted by the first node that recognises payments stored in it (the
//! newest received keysends by their invoice add index, the newest sent ones
//! by TrackPaymentV2), or kept aside in `unclaimed/` when the node knows
//! none of them. Nothing is deleted. Journal entries are adopted one by one
//! by reconcile (see [`super::reconcile`]).

use std::fmt;
use std::path::{Path, PathBuf};

use futures::StreamExt;
use rusqlite::{Connection, OpenFlags};

use super::{Index, IndexError, Journal, JournalError};
use crate::keysend::{NodeId, PaymentHash, text};
use crate::node::{NodeError, SharedNode};
use crate::store::{Paths, StoreError};

/// Payments of each kind a legacy index is checked by.
const SAMPLES: u32 = 3;
/// Longest alias kept for naming a node.
const ALIAS_CHARS: usize = 64;

/// A node's files, open.
#[derive(Clone)]
pub struct NodeFiles {
    /// The node they belong to.
    pub node: NodeId,
    /// Its index: history, sync cursors, verified senders.
    pub index: Index,
    /// The profile's journal, sending from this node.
    pub journal: Journal,
}

/// Why a node's files could not be opened.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FilesError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The task opening the files ended without an answer.
    #[error("opening the node's files stopped unexpectedly: {0}")]
    Interrupted(String),
}

impl NodeFiles {
    /// Open (creating) the files of `node`, which calls itself `alias`
    /// (remembered so other nodes' sessions can name it).
    pub fn open(paths: &Paths, node: &NodeId, alias: &str) -> Result<Self, FilesError> {
        paths.ensure()?;
        crate::store::create_private_dir(&paths.node_dir(node))?;
        crate::store::create_private_dir(&paths.node_data_dir(node))?;
        // Side by side: a new profile creates both databases, and the
        // window's first rows wait for them.
        let (index, journal) = std::thread::scope(|scope| {
            let index = scope.spawn(|| Index::open(&paths.index_db(node)));
            let journal = scope.spawn(|| Journal::open(&paths.journal_db()));
            remember_alias(paths, node, alias);
            let index = index
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            let journal = journal
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            (index, journal)
        });
        let (index, journal) = (index?, journal?.on_node(*node));
        Ok(Self {
            node: *node,
            index,
            journal,
        })
    }
}

/// Write the alias beside the node's index; a failure only costs a name.
fn remember_alias(paths: &Paths, node: &NodeId, alias: &str) {
    let path = paths.node_alias_file(node);
    let alias = text::display_safe(alias, ALIAS_CHARS);
    if std::fs::read_to_string(&path).is_ok_and(|known| known == alias) {
        return;
    }
    if let Err(error) = crate::store::write_atomic(&path, alias.as_bytes()) {
        log::warn!("the alias of node {} was not saved: {error}", node.short());
    }
}

/// How a node is named to the user: `Alias (02ab…cdef)` when Satchel has
/// connected to it before, else its short key. `profile` is the folder the
/// journal lives in (the data folder, where node names are kept).
pub(crate) fn known_name(profile: &Path, node: &NodeId) -> String {
    let alias = std::fs::read_to_string(Paths::at(profile).node_alias_file(node))
        .map(|a| text::display_safe(a.trim(), ALIAS_CHARS))
        .unwrap_or_default();
    match alias.is_empty() {
        true => node.to_hex(),
        false => format!("{alias} ({})", node.to_hex()),
    }
}

/// What became of a profile's index from before per-node folders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upgrade {
    /// The connected node recognised payments in it: it is that node's index now.
    Adopted { node: NodeId },
    /// The connected node recognised none of its payments: it was moved here.
    KeptAside { node: NodeId, kept: PathBuf },
}

impl fmt::Display for Upgrade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Adopted { node } => write!(
                f,
                "the inbox database from an earlier Satchel now belongs to node {} (the node \
                 recognised its payments)",
                node.short()
            ),
            Self::KeptAside { node, kept } => write!(
                f,
                "the inbox database from an earlier Satchel was kept aside in {}: node {} \
                 does not recognise its payments (it may be another node's); this node's \
                 history is read afresh",
                kept.display(),
                node.short()
            ),
        }
    }
}

/// Before [`NodeFiles::open`]: give a legacy `index.db` to `me` when the
/// node recognises its payments, or keep it aside when it answers that it
/// knows none of them. `None` when there is no legacy index, `me` already
/// has one of its own, or the node could not answer (the file stays, for
/// the next node to be asked).
pub async fn adopt_legacy(
    node: &SharedNode,
    paths: &Paths,
    me: &NodeId,
) -> Result<Option<Upgrade>, FilesError> {
    let legacy = paths.legacy_index_db();
    if !legacy.exists() || paths.index_db(me).exists() {
        return Ok(None);
    }
    let samples = samples(&legacy).unwrap_or_default();
    let upgrade = match recognises(node, &samples).await {
        Answer::Recognised => {
            move_family(&legacy, &paths.index_db(me))?;
            Upgrade::Adopted { node: *me }
        }
        Answer::Unknown => {
            let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
            let kept = paths.unclaimed_dir().join(format!("index-{stamp}.db"));
            move_family(&legacy, &kept)?;
            Upgrade::KeptAside { node: *me, kept }
        }
        // Left where it is; the next node without an index of its own asks again.
        Answer::CouldNotAsk => return Ok(None),
    };
    log::warn!("{upgrade}");
    Ok(Some(upgrade))
}

/// What a node said about the payments stored in an old index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// It knows at least one of them as stored.
    Recognised,
    /// It answered about each one and knows none.
    Unknown,
    /// It knows none it was asked about, but some questions got no answer.
    CouldNotAsk,
}

/// Newest payments stored in an index file, to ask a node about.
#[derive(Debug, Default)]
struct Samples {
    /// Received keysends: (hash, invoice add index).
    received: Vec<(PaymentHash, u64)>,
    /// Sent keysends.
    sent: Vec<PaymentHash>,
}

/// Read the samples without changing the file (an unreadable file has none).
fn samples(path: &Path) -> rusqlite::Result<Samples> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    // The received hash is a virtual column (schema v9).
    super::schema::functions(&conn)?;
    let hash = |bytes: Vec<u8>| PaymentHash::from_slice(&bytes);
    let mut stmt =
        conn.prepare("SELECT hash, add_index FROM received ORDER BY add_index DESC LIMIT ?1")?;
    let received = stmt
        .query_map([SAMPLES], |r| {
            Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?))
        })?
        .filter_map(|row| row.ok())
        .filter_map(|(bytes, add)| Some((hash(bytes)?, u64::try_from(add).ok()?)))
        .collect();
    let mut stmt = conn.prepare("SELECT hash FROM sent ORDER BY payment_index DESC LIMIT ?1")?;
    let sent = stmt
        .query_map([SAMPLES], |r| r.get::<_, Vec<u8>>(0))?
        .filter_map(|row| row.ok())
        .filter_map(hash)
        .collect();
    Ok(Samples { received, sent })
}

/// Whether the node knows any of the sampled payments as the index stored them.
async fn recognises(node: &SharedNode, samples: &Samples) -> Answer {
    let mut unanswered = false;
    for (hash, add_index) in &samples.received {
        match node.received_page(add_index.saturating_sub(1), 1).await {
            Ok(page) if page.items.first().is_some_and(|k| k.hash == *hash) => {
                return Answer::Recognised;
            }
            Ok(_) => {}
            Err(_) => unanswered = true,
        }
    }
    for hash in &samples.sent {
        match node.track(*hash).next().await {
            Some(Ok(_)) => return Answer::Recognised,
            Some(Err(NodeError::NotFound(_))) => {}
            _ => unanswered = true,
        }
    }
    match unanswered {
        true => Answer::CouldNotAsk,
        false => Answer::Unknown,
    }
}

/// Move a database file and its companions (`-wal`, `-shm`, the open
/// marker) to `to`, creating its folder.
pub(crate) fn move_family(from: &Path, to: &Path) -> Result<(), FilesError> {
    let io = |path: &Path, e| IndexError::io(path, e);
    let dir = to.parent().unwrap_or(Path::new("."));
    crate::store::create_private_dir(dir)?;
    let (from_name, to_name) = (file_name(from), file_name(to));
    let folder = from.parent().unwrap_or(Path::new("."));
    let entries = std::fs::read_dir(folder).map_err(|e| io(folder, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(suffix) = name.strip_prefix(&from_name) else {
            continue;
        };
        if !(suffix.is_empty() || suffix.starts_with('-') || suffix.starts_with('.')) {
            continue;
        }
        let target = dir.join(format!("{to_name}{suffix}"));
        std::fs::rename(entry.path(), &target).map_err(|e| io(&entry.path(), e))?;
    }
    Ok(())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(hex: &str) -> NodeId {
        hex.parse().unwrap()
    }

    const A: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    const B: &str = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";

    #[test]
    fn each_node_has_its_own_index_and_names_itself() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::at(dir.path());
        let (a, b) = (node(A), node(B));
        let files_a = NodeFiles::open(&paths, &a, "Alice\u{202e} node").unwrap();
        let files_b = NodeFiles::open(&paths, &b, "").unwrap();
        assert!(paths.index_db(&a).exists() && paths.index_db(&b).exists());
        assert_ne!(paths.index_db(&a), paths.index_db(&b));
        assert_eq!(files_a.journal.node(), Some(a));
        assert_eq!(files_b.journal.node(), Some(b));
        let named = known_name(paths.root(), &a);
        assert!(
            named.starts_with("Alice") && named.ends_with(&format!("({A})")),
            "{named}"
        );
        assert!(!named.contains('\u{202e}'), "{named}");
        assert_eq!(known_name(paths.root(), &b), B);
    }

    #[test]
    fn a_family_moves_together_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "index.db",
            "index.db-wal",
            "index.db.open",
            "index.dbx",
            "journal.db",
        ] {
            std::fs::write(dir.path().join(name), name).unwrap();
        }
        let to = dir.path().join("kept/old.db");
        move_family(&dir.path().join("index.db"), &to).unwrap();
        let kept = |n: &str| std::fs::read_to_string(dir.path().join("kept").join(n)).unwrap();
        assert_eq!(kept("old.db"), "index.db");
        assert_eq!(kept("old.db-wal"), "index.db-wal");
        assert_eq!(kept("old.db.open"), "index.db.open");
        assert!(dir.path().join("index.dbx").exists());
        assert!(dir.path().join("journal.db").exists());
        assert!(!dir.path().join("index.db").exists());
    }
}
