//! The boost ledger belongs to the node that paid (or owes) it: each node
//! keeps its own `boosts.db` in its data folder (`nodes/<pubkey>/`).
//!
//! Upgrading a profile from before per-node ledgers: its `boosts.db` (at the
//! profile's root) is adopted by the node it was used with. The journal
//! names the node every leg was sent from; a node adopts the file unless the
//! journal says its legs were sent by another node (then it stays for that
//! node). A file whose legs the journal does not name (nothing sent yet, or
//! journal entries from before they named their node) goes to the first
//! node that opens its ledger. Nothing is deleted: the file and its `-wal`
//! move together.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::boost_store::{BoostStore, BoostStoreError};
use super::{Journal, node_files};
use crate::keysend::NodeId;
use crate::store::Paths;

/// What the journal says about who sent a legacy file's legs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// At least one leg was sent from this node.
    Me,
    /// Legs were sent only from other nodes.
    Other,
    /// No leg names a node.
    Unnamed,
}

impl BoostStore {
    /// Open (creating) the boosts and ledger of `node`, adopting the
    /// profile's legacy `boosts.db` first when it was used with this node.
    pub fn open_node(paths: &Paths, node: &NodeId) -> Result<Self, BoostStoreError> {
        if let Err(error) = adopt_legacy(paths, node) {
            log::warn!("the earlier boost records were left in place: {error}");
        }
        let path = paths.boosts_db(node);
        let dir = path.parent().unwrap_or(Path::new("."));
        crate::store::create_private_dir(dir).map_err(|e| BoostStoreError::Db {
            path: dir.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::open(dir)
    }

    /// Open the ledger of the one node that has one, for previews made
    /// without a node (`feed show`): `None` when no node or several have one.
    pub fn open_only_node(paths: &Paths) -> Option<Self> {
        let mut found = std::fs::read_dir(paths.nodes_data_dir())
            .ok()?
            .flatten()
            .map(|entry| entry.path().join(crate::store::BOOSTS_FILE))
            .filter(|path| path.exists());
        let only = found.next()?;
        if found.next().is_some() {
            return None;
        }
        Self::open(only.parent()?).ok()
    }
}

/// Move the profile's legacy `boosts.db` to `me` when it was used with it.
/// True when it moved.
pub fn adopt_legacy(paths: &Paths, me: &NodeId) -> Result<bool, String> {
    let legacy = paths.legacy_boosts_db();
    if !legacy.exists() || paths.boosts_db(me).exists() {
        return Ok(false);
    }
    let intents = leg_intents(&legacy).map_err(|e| e.to_string())?;
    let journal = Journal::open(&paths.journal_db()).map_err(|e| e.to_string())?;
    if owner(&journal, &intents, me) == Owner::Other {
        return Ok(false);
    }
    node_files::move_family(&legacy, &paths.boosts_db(me)).map_err(|e| e.to_string())?;
    log::warn!(
        "the boost records and ledger from an earlier Satchel now belong to node {}",
        me.short()
    );
    Ok(true)
}

/// Which node the journal says sent these intents.
pub fn owner(journal: &Journal, intents: &[String], me: &NodeId) -> Owner {
    let mut other = false;
    for intent in intents {
        match journal.get(intent).ok().flatten().and_then(|e| e.node) {
            Some(node) if node == *me => return Owner::Me,
            Some(_) => other = true,
            None => {}
        }
    }
    match other {
        true => Owner::Other,
        false => Owner::Unnamed,
    }
}

/// The journal intents of every leg in a boosts file (read-only).
fn leg_intents(path: &Path) -> rusqlite::Result<Vec<String>> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut statement = conn.prepare("SELECT intent_id FROM boost_leg")?;
    statement
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::keysend::{Msat, Preimage, Records};
    use crate::node::OutgoingKeysend;
    use crate::podcast::boost::BoostContext;
    use crate::podcast::example::{feed, spec_block};
    use crate::podcast::{Feed, split};
    use crate::wallet::boost_store::{BoostRecord, LedgerRow};

    const A: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    const B: &str = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";

    /// A profile with a root-level boosts.db holding one 10-sat boost whose
    /// first leg the journal says was sent from `sender` (or from no named
    /// node); its ledger as written.
    fn legacy_profile(paths: &Paths, sender: Option<NodeId>) -> Vec<LedgerRow> {
        paths.ensure().unwrap();
        let block = Feed::parse(feed(&spec_block(), "").as_bytes())
            .unwrap()
            .block_for(None)
            .unwrap()
            .check()
            .unwrap();
        let legs = split(&block, 10, &[]).legs;
        let record = BoostRecord::new("b1".into(), "f".into(), BoostContext::default(), &legs);
        let store = BoostStore::open(paths.root()).unwrap();
        store.record(&record).unwrap();
        let journal = Journal::open(&paths.journal_db()).unwrap();
        let journal = match sender {
            Some(node) => journal.on_node(node),
            None => journal,
        };
        let keysend = OutgoingKeysend {
            destination: legs[0].node,
            amount: legs[0].amount,
            preimage: Preimage::random(),
            records: Records::new(),
            fee_limit: Msat::from_sat(1),
            timeout: Duration::from_secs(60),
        };
        let _ = journal.begin(&record.legs[0].intent_id, &keysend).unwrap();
        store.ledger().unwrap()
    }

    #[test]
    fn the_node_that_sent_the_legs_adopts_the_ledger_and_nothing_is_lost() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::at(dir.path());
        let (a, b): (NodeId, NodeId) = (A.parse().unwrap(), B.parse().unwrap());
        let ledger = legacy_profile(&paths, Some(b));
        assert!(!ledger.is_empty());

        // Node A did not send them: the file stays for B, A starts empty.
        let store_a = BoostStore::open_node(&paths, &a).unwrap();
        assert!(paths.legacy_boosts_db().exists());
        assert!(store_a.ledger().unwrap().is_empty());
        assert!(store_a.unfinished().unwrap().is_empty());

        // Node B sent them: it adopts the file, boost and ledger intact.
        let store_b = BoostStore::open_node(&paths, &b).unwrap();
        assert!(!paths.legacy_boosts_db().exists());
        assert!(paths.boosts_db(&b).exists());
        assert_eq!(store_b.ledger().unwrap(), ledger);
        assert_eq!(store_b.get("b1").unwrap().legs.len(), 4);
        assert_eq!(store_b.unfinished().unwrap(), ["b1"]);
        assert_ne!(paths.boosts_db(&a), paths.boosts_db(&b));
    }

    #[test]
    fn legs_the_journal_does_not_name_go_to_the_first_node() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::at(dir.path());
        let a: NodeId = A.parse().unwrap();
        let ledger = legacy_profile(&paths, None);
        let store = BoostStore::open_node(&paths, &a).unwrap();
        assert_eq!(store.ledger().unwrap(), ledger);
        assert!(!paths.legacy_boosts_db().exists());
        // A node that already has its own ledger never takes another file.
        std::fs::write(paths.legacy_boosts_db(), b"x").unwrap();
        assert!(!adopt_legacy(&paths, &a).unwrap());
        assert!(paths.legacy_boosts_db().exists());
    }
}
