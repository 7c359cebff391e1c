//! All-time boost totals (per podcast and episode) and supporters (per
//! podcast and verified node or claimed name), kept in the index so that a
//! creator's Podcasts screen over a million boosts does not group them all
//! again: each kind is stored with the highest row id it covers, and the
//! next read groups only the rows stored since (a range of the primary key)
//! and adds them in. Rows are never deleted and ids only grow.
//!
//! A supporter is grouped by node only once its signature was checked, so a
//! changed verification drops the stored supporters (a trigger on the
//! column, whoever writes it, forgets the id they cover: one key lookup per
//! checked boost). A migration that rebuilds `received` takes
//! the trigger with it: then both kinds are grouped afresh. Like the inbox
//! counts ([`super::counts`]) the tables are created on first use, a cache
//! with no schema version of its own; a date range is not served here.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use super::IndexError;
use super::counts::without_waiting;
use super::verification::Verification;

const CREATE: &str = "
CREATE TABLE IF NOT EXISTS boost_cache (
    kind    INTEGER NOT NULL,
    podcast TEXT    NOT NULL,
    episode TEXT,
    node    BLOB,
    name    TEXT,
    legs    INTEGER NOT NULL,
    msat    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS boost_cache_upto (
    kind INTEGER PRIMARY KEY,
    upto INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS boost_cache_checked AFTER UPDATE OF verification ON received
WHEN old.verification IS NOT new.verification AND new.podcast IS NOT NULL
BEGIN
    DELETE FROM boost_cache_upto WHERE kind = 1;
END;
";

/// What is grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Per podcast and episode.
    Totals = 0,
    /// Per podcast and supporter: a verified node, else a claimed name.
    Supporters = 1,
}

/// One group: its key (podcast and episode, or podcast, node and name) and
/// what it adds up to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub podcast: String,
    pub episode: Option<String>,
    pub node: Option<Vec<u8>>,
    pub name: Option<String>,
}

/// Legs and msat of one group.
pub(super) type Sums = (i64, i64);

/// Whether a filter asks for all time (no date range).
pub(super) fn all_time(since: i64, until: i64) -> bool {
    since <= 0 && until == i64::MAX
}

/// The groups of `kind` over every boost in the index; `None` when the
/// cache could not be set up (the caller groups the rows itself).
pub(super) fn groups(
    conn: &Connection,
    kind: Kind,
) -> Result<Option<Vec<(Key, Sums)>>, IndexError> {
    if !created(conn) {
        return Ok(None);
    }
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Deferred)?;
    let upto: i64 = tx
        .prepare_cached("SELECT coalesce(max(id), 0) FROM received")?
        .query_row([], |r| r.get(0))?;
    let stored: Option<i64> = tx
        .prepare_cached("SELECT upto FROM boost_cache_upto WHERE kind = ?1")?
        .query_row([kind as i64], |r| r.get(0))
        .optional()?;
    let mut sums: HashMap<Key, Sums> = HashMap::new();
    if let Some(counted) = stored {
        let mut read = tx.prepare_cached(
            "SELECT podcast, episode, node, name, legs, msat FROM boost_cache WHERE kind = ?1",
        )?;
        let rows = read.query_map([kind as i64], row)?;
        for found in rows {
            let (key, add) = found?;
            add_to(&mut sums, key, add);
        }
        if counted == upto {
            return Ok(Some(sums.into_iter().collect()));
        }
    }
    let after = stored
        .filter(|&counted| counted <= upto)
        .unwrap_or_else(|| {
            // Nothing stored (or ids went back: a rebuilt table): all of it.
            sums.clear();
            0
        });
    let mut delta = tx.prepare_cached(&delta_sql(kind))?;
    let rows = delta.query_map(params![after, upto], row)?;
    for found in rows {
        let (key, add) = found?;
        add_to(&mut sums, key, add);
    }
    drop(delta);
    let groups: Vec<(Key, Sums)> = sums.into_iter().collect();
    let stored = without_waiting(conn, || {
        let _ = tx
            .prepare_cached("DELETE FROM boost_cache WHERE kind = ?1")?
            .execute([kind as i64])?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO boost_cache (kind, podcast, episode, node, name, legs, msat) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (key, (legs, msat)) in &groups {
                let _ = insert.execute(params![
                    kind as i64,
                    key.podcast,
                    key.episode,
                    key.node,
                    key.name,
                    legs,
                    msat
                ])?;
            }
        }
        let _ = tx
            .prepare_cached("INSERT OR REPLACE INTO boost_cache_upto (kind, upto) VALUES (?1, ?2)")?
            .execute(params![kind as i64, upto])?;
        tx.commit()
    });
    if let Err(error) = stored {
        // A cache: another process writing only means the next read
        // groups the new rows again.
        log::debug!("boost totals not stored: {error}");
    }
    Ok(Some(groups))
}

fn add_to(sums: &mut HashMap<Key, Sums>, key: Key, (legs, msat): Sums) {
    let sum = sums.entry(key).or_insert((0, 0));
    sum.0 += legs;
    sum.1 += msat;
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Key, Sums)> {
    Ok((
        Key {
            podcast: r.get(0)?,
            episode: r.get(1)?,
            node: r.get(2)?,
            name: r.get(3)?,
        },
        (r.get(4)?, r.get(5)?),
    ))
}

/// The groups of the boosts with ids in (?1, ?2]. The `+` leaves SQLite
/// only the id range to search (it would otherwise walk a podcast index).
fn delta_sql(kind: Kind) -> String {
    match kind {
        Kind::Totals => "SELECT podcast, episode, NULL, NULL, count(*), sum(amount_msat) \
             FROM received WHERE id > ?1 AND id <= ?2 AND +podcast IS NOT NULL \
             GROUP BY podcast, episode"
            .to_owned(),
        Kind::Supporters => {
            let verified = Verification::verified_sql("verification");
            format!(
                "SELECT podcast, NULL, CASE WHEN {verified} THEN sender_pubkey END AS node, \
                 CASE WHEN {verified} THEN NULL ELSE sender_name END AS name, \
                 count(*), sum(amount_msat) FROM received \
                 WHERE id > ?1 AND id <= ?2 AND +podcast IS NOT NULL \
                 GROUP BY podcast, node, name"
            )
        }
    }
}

/// Whether the tables and the trigger exist, creating them (and forgetting
/// anything stored) if not, without waiting for a busy file.
fn created(conn: &Connection) -> bool {
    let found = conn
        .prepare_cached(
            "SELECT count(*) FROM sqlite_master \
             WHERE name IN ('boost_cache', 'boost_cache_upto', 'boost_cache_checked')",
        )
        .and_then(|mut stmt| stmt.query_row([], |r| r.get::<_, i64>(0)));
    if found.is_ok_and(|n| n == 3) {
        return true;
    }
    let fresh = || {
        conn.execute_batch(&format!(
            "{CREATE} DELETE FROM boost_cache; DELETE FROM boost_cache_upto;"
        ))
    };
    match without_waiting(conn, fresh) {
        Ok(()) => true,
        Err(error) => {
            log::debug!("boost totals table not created: {error}");
            false
        }
    }
}

/// The stored groups of `kind` and the id they cover (tests).
#[cfg(test)]
pub(super) fn stored(conn: &Connection, kind: Kind) -> Option<(i64, usize)> {
    let upto: i64 = conn
        .query_row(
            "SELECT upto FROM boost_cache_upto WHERE kind = ?1",
            [kind as i64],
            |r| r.get(0),
        )
        .ok()?;
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM boost_cache WHERE kind = ?1",
            [kind as i64],
            |r| r.get(0),
        )
        .ok()?;
    Some((upto, usize::try_from(n).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::incoming::Scheme;
    use crate::keysend::{Msat, Records, record};
    use crate::wallet::{BoostFilter, Index};

    /// Boost `n` of `podcast`/`episode` from `who`, `sat` sats, settled at `n`.
    fn add(index: &Index, n: u32, podcast: &str, episode: &str, who: &str, sat: u64) {
        let json =
            format!(r#"{{"podcast":"{podcast}","episode":"{episode}","sender_name":"{who}"}}"#);
        let records = Records::from([(record::BOOSTAGRAM, json.into_bytes())]);
        let row =
            crate::wallet::thread::sample_received(n, i64::from(n), Msat::from_sat(sat), records);
        let _ = index.insert_received(&[row]).unwrap();
    }

    fn fill(index: &Index, from: u32, to: u32) {
        let podcasts = ["Noded", "Tech Talk", "No Agenda"];
        for n in from..to {
            let podcast = podcasts[n as usize % podcasts.len()];
            let episode = format!("Ep {}", n % 4);
            let who = format!("fan{}", n % 7);
            add(index, n, podcast, &episode, &who, u64::from(n) * 3 + 1);
        }
    }

    fn all() -> BoostFilter {
        BoostFilter {
            podcast: None,
            since: 0,
            until: i64::MAX,
            limit: 100,
        }
    }

    /// The same question with a date range that covers everything: not
    /// served by the cache, grouped by SQLite from the rows.
    fn uncached(filter: &BoostFilter) -> BoostFilter {
        BoostFilter {
            since: 1,
            until: i64::MAX - 1,
            ..filter.clone()
        }
    }

    fn same_answers(index: &Index) {
        for filter in [
            all(),
            BoostFilter {
                podcast: Some("Tech Talk".into()),
                ..all()
            },
        ] {
            assert_eq!(
                index.podcast_totals(&filter).unwrap(),
                index.podcast_totals(&uncached(&filter)).unwrap(),
                "{filter:?}"
            );
            assert_eq!(
                index.supporters(&filter, 5).unwrap(),
                index.supporters(&uncached(&filter), 5).unwrap(),
                "{filter:?}"
            );
        }
    }

    fn max_id(index: &Index) -> i64 {
        index
            .lock()
            .query_row("SELECT max(id) FROM received", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn stored_groups_answer_as_a_fresh_grouping_and_follow_new_rows() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        fill(&index, 1, 200);
        same_answers(&index);
        let upto = max_id(&index);
        let (covered, groups) = stored(&index.lock(), Kind::Totals).expect("stored");
        assert_eq!((covered, groups), (upto, 12), "3 podcasts x 4 episodes");
        let (covered, _) = stored(&index.lock(), Kind::Supporters).expect("stored");
        assert_eq!(covered, upto);

        // New rows are grouped alone and added in.
        fill(&index, 200, 260);
        add(&index, 260, "Brand New", "Pilot", "newcomer", 100_000);
        same_answers(&index);
        let covered = stored(&index.lock(), Kind::Totals).unwrap().0;
        assert_eq!(covered, max_id(&index));
        let totals = index.podcast_totals(&all()).unwrap();
        assert_eq!(totals[0].podcast, "Brand New", "most received first");
    }

    #[test]
    fn a_checked_signature_regroups_the_supporters() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        fill(&index, 1, 50);
        same_answers(&index);
        // Sender checks land: fan3's boosts become a verified node's.
        let node = crate::keysend::NodeId::from_slice(&[2; 33]).ok();
        let key = vec![2u8; 33];
        let _ = index
            .lock()
            .execute(
                "UPDATE received SET sender_pubkey = ?1, verification = ?2 \
                 WHERE sender_name = 'fan3'",
                params![key, Verification::Verified(Scheme::Whatsat).code()],
            )
            .unwrap();
        let kept = stored(&index.lock(), Kind::Supporters);
        assert_eq!(kept, None, "dropped");
        same_answers(&index);
        let supporters = index.supporters(&all(), 10).unwrap();
        let verified: Vec<_> = supporters.iter().filter(|s| s.verified.is_some()).collect();
        assert_eq!(verified.len(), 1, "{supporters:?}");
        assert!(node.is_none() || verified[0].verified == node);
        assert!(
            supporters
                .iter()
                .all(|s| s.claimed_name.as_deref() != Some("fan3"))
        );
    }

    #[test]
    fn a_rebuilt_table_is_grouped_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        fill(&index, 1, 40);
        same_answers(&index);
        // A migration that rebuilds `received` drops its triggers; rows it
        // changed meanwhile must not be added to old groups.
        index
            .lock()
            .execute_batch(
                "DROP TRIGGER boost_cache_checked; \
                 UPDATE received SET amount_msat = amount_msat * 2;",
            )
            .unwrap();
        same_answers(&index);
    }
}
