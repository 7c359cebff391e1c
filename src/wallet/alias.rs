//! The graph aliases of verified senders, kept in the index so the inbox
//! list, the CLI and search can name a verified sender that is not a
//! contact. Looked up once per node (an empty alias is kept too: the node
//! has none, or is not in the graph), refreshed after [`ALIAS_MAX_AGE`].

use std::collections::BTreeSet;

use rusqlite::OptionalExtension;

use super::{Index, IndexError, Verification};
use crate::keysend::NodeId;
use crate::keysend::incoming::NAME_CHARS;
use crate::keysend::text::display_safe;
use crate::node::SharedNode;

/// An alias older than this (seconds) is looked up again.
pub const ALIAS_MAX_AGE: i64 = 7 * 24 * 3600;

impl Index {
    /// Remember `alias` (made display-safe) for `node`, looked up at `now`.
    pub fn remember_alias(&self, node: &NodeId, alias: &str, now: i64) -> Result<(), IndexError> {
        let alias = display_safe(alias, NAME_CHARS);
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "INSERT INTO node_alias (pubkey, alias, looked_up_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (pubkey) DO UPDATE SET alias = ?2, looked_up_at = ?3",
        )?;
        let _ = stmt.execute(rusqlite::params![node.as_bytes().to_vec(), alias, now])?;
        Ok(())
    }

    /// The alias remembered for `node`, if any (not empty).
    pub fn alias(&self, node: &NodeId) -> Result<Option<String>, IndexError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached("SELECT alias FROM node_alias WHERE pubkey = ?1")?;
        let alias: Option<String> = stmt
            .query_row([node.as_bytes().to_vec()], |r| r.get(0))
            .optional()?;
        Ok(alias.filter(|a| !a.trim().is_empty()))
    }

    /// Distinct verified senders in the index (at most `limit`), for
    /// naming them before a search. Each claimed key is found by one seek
    /// of the sender index (a skip scan), then one of its rows that is
    /// verified: a few look-ups per sender, where a walk of every row with
    /// a sender took half a second at a million.
    pub fn verified_senders(&self, limit: u64) -> Result<Vec<NodeId>, IndexError> {
        let conn = self.lock();
        // Over sender ids (schema v10), each key read once at the end.
        let sql = format!(
            "WITH RECURSIVE keys (k) AS ( \
                 SELECT min(sender) FROM received WHERE sender IS NOT NULL \
                 UNION ALL SELECT (SELECT min(r.sender) FROM received r \
                     WHERE r.sender > keys.k) FROM keys WHERE keys.k IS NOT NULL) \
             SELECT {} FROM keys WHERE k IS NOT NULL AND EXISTS ( \
                 SELECT 1 FROM received r WHERE r.sender = keys.k AND {}) \
             LIMIT ?1",
            super::interned::sender_key!("keys.k"),
            Verification::verified_sql("r.verification")
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map([limit], |r| r.get::<_, Vec<u8>>(0))?;
        let keys: Vec<Vec<u8>> = rows.collect::<Result<_, _>>()?;
        Ok(keys
            .iter()
            .filter_map(|k| NodeId::from_slice(k).ok())
            .collect())
    }

    /// Of `nodes`, those whose alias is unknown or older than
    /// [`ALIAS_MAX_AGE`] at `now`.
    pub fn aliases_due(&self, nodes: &[NodeId], now: i64) -> Result<Vec<NodeId>, IndexError> {
        let conn = self.lock();
        let mut stmt =
            conn.prepare_cached("SELECT looked_up_at FROM node_alias WHERE pubkey = ?1")?;
        let mut due = Vec::new();
        for node in nodes.iter().collect::<BTreeSet<_>>() {
            let at: Option<i64> = stmt
                .query_row([node.as_bytes().to_vec()], |r| r.get(0))
                .optional()?;
            if at.is_none_or(|at| now.saturating_sub(at) > ALIAS_MAX_AGE) {
                due.push(*node);
            }
        }
        Ok(due)
    }
}

/// Look the verified senders among `nodes` up in `graph` and remember their
/// aliases; returns how many were looked up. A node that cannot answer
/// leaves the alias unknown (tried again next time).
pub async fn refresh_aliases(
    graph: &SharedNode,
    index: &Index,
    nodes: Vec<NodeId>,
) -> Result<usize, IndexError> {
    let now = chrono::Utc::now().timestamp();
    let due = index
        .call(move |index| index.aliases_due(&nodes, now))
        .await?;
    let mut found = Vec::new();
    for node in due {
        if let Ok(answer) = graph.lookup(node).await {
            let alias = answer.map(|g| g.alias).unwrap_or_default();
            found.push((node, alias));
        }
    }
    let count = found.len();
    index
        .call(move |index| {
            for (node, alias) in &found {
                index.remember_alias(node, alias, now)?;
            }
            Ok(())
        })
        .await?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_remembered_safe_and_refreshed_when_old() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let node: NodeId = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
            .parse()
            .unwrap();
        assert_eq!(index.aliases_due(&[node, node], 100).unwrap(), vec![node]);
        index
            .remember_alias(&node, "Alice\u{202E}'s node", 100)
            .unwrap();
        assert_eq!(index.alias(&node).unwrap().as_deref(), Some("Alice's node"));
        assert!(
            index
                .aliases_due(&[node], 100 + ALIAS_MAX_AGE)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            index.aliases_due(&[node], 101 + ALIAS_MAX_AGE).unwrap(),
            vec![node]
        );
        index.remember_alias(&node, "", 200).unwrap();
        assert_eq!(index.alias(&node).unwrap(), None, "no alias in the graph");
    }

    /// Only senders with a checked signature are listed, each once, and a
    /// sender whose newest row is a forgery still counts when another of
    /// its rows is verified.
    #[test]
    fn verified_senders_are_those_with_a_checked_signature() {
        use crate::keysend::record;
        use crate::wallet::detail::tests::{empty_index, signed, store};
        let (_dir, index, me) = empty_index();
        assert!(index.verified_senders(10).unwrap().is_empty());
        let mut forged = signed(3, &me, "not from them", &[]);
        let _ = forged.records.insert(record::SIGNATURE, vec![7; 64]);
        let mut stranger = signed(4, &me, "who?", &[]);
        let other = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";
        let _ = stranger
            .records
            .insert(record::SENDER_PUBKEY, hex::decode(other).unwrap());
        let items = [
            signed(1, &me, "hi", &[]),
            signed(2, &me, "again", &[]),
            forged,
            stranger,
        ];
        let ids = store(&index, &items);
        let _ = index.verify_many(&ids, &me).unwrap();
        let sender = node_id_of_signer();
        assert_eq!(index.verified_senders(10).unwrap(), vec![sender]);
        assert!(
            index.verified_senders(0).unwrap().is_empty(),
            "the limit holds"
        );
    }

    /// The node that [`signed`](crate::wallet::detail::tests::signed) signs as.
    fn node_id_of_signer() -> NodeId {
        let secret = secp256k1::SecretKey::from_slice(&[9; 32]).unwrap();
        crate::keysend::identity::node_id_of(&secret)
    }
}
