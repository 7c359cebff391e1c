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
use super::interned::{self, sender_key};
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

/// The supporters per day (UTC), podcast and supporter, for a date range:
/// whole days are added up from here, the part-days at its ends read from
/// the rows. Kept like the all-time groups (kind [`DAYS`] in
/// `boost_cache_upto`): new rows are grouped by id range and appended (a
/// day may hold several rows of one group; a read adds them). A change of
/// what groups a row stored here (its verification, mostly) appends the row
/// once with its old group taken away and once in its new one (the
/// trigger), so nothing is grouped afresh.
fn create_days() -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS boost_days (
            day     INTEGER NOT NULL,
            podcast TEXT    NOT NULL,
            node    BLOB,
            name    TEXT,
            legs    INTEGER NOT NULL,
            msat    INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS boost_days_day ON boost_days (day);
        {}",
        days_trigger()
    )
}

/// The name of [`days_trigger`]'s trigger.
pub(super) const DAYS_TRIGGER: &str = "boost_days_changed";

/// The trigger that keeps the days of [`create_days`] when a kept row
/// changes group. Its own definition (schema v10's upgrade re-creates it
/// from here: it reads the sender key through the row's sender id).
pub(super) fn days_trigger() -> String {
    let group = |row: &str| {
        let verified = Verification::verified_sql(&format!("{row}.verification"));
        let key = interned::sender_key_of(&format!("{row}.sender"));
        format!(
            "{row}.settled_at / 86400, {row}.podcast, \
             CASE WHEN {verified} THEN {key} END, \
             CASE WHEN {verified} THEN NULL ELSE {row}.sender_name END"
        )
    };
    let covered = |row: &str| {
        format!(
            "{row}.podcast IS NOT NULL AND {row}.settled_at >= 0 \
             AND {row}.id <= (SELECT upto FROM boost_cache_upto WHERE kind = {DAYS})"
        )
    };
    format!(
        "CREATE TRIGGER IF NOT EXISTS {DAYS_TRIGGER} AFTER UPDATE OF verification, \
            sender, sender_name, podcast, amount_msat, settled_at ON received
        WHEN (old.podcast IS NOT NULL OR new.podcast IS NOT NULL) AND ( \
            old.verification IS NOT new.verification OR old.sender IS NOT new.sender \
            OR old.sender_name IS NOT new.sender_name OR old.podcast IS NOT new.podcast \
            OR old.amount_msat IS NOT new.amount_msat OR old.settled_at IS NOT new.settled_at)
        BEGIN
            INSERT INTO boost_days (day, podcast, node, name, legs, msat)
                SELECT {}, -1, -old.amount_msat WHERE {};
            INSERT INTO boost_days (day, podcast, node, name, legs, msat)
                SELECT {}, 1, new.amount_msat WHERE {};
        END;",
        group("old"),
        covered("old"),
        group("new"),
        covered("new"),
    )
}

/// The supporters' groups (podcast, node, name) of the boosts settled in
/// `since..until`, when at least one whole day (UTC, from the epoch on)
/// lies in it; `None` otherwise or when the days could not be kept (the
/// caller groups the rows itself).
pub(super) fn supporters_between(
    conn: &Connection,
    since: i64,
    until: i64,
) -> Result<Option<Vec<(Key, Sums)>>, IndexError> {
    const DAY: i64 = 86_400;
    let first = since.max(0).div_euclid(DAY) + i64::from(since.max(0).rem_euclid(DAY) != 0);
    let end = until.div_euclid(DAY);
    if first >= end || !created(conn) {
        return Ok(None);
    }
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Deferred)?;
    let (upto, stored) = covered(&tx, DAYS)?;
    let mut sums: HashMap<Key, Sums> = HashMap::new();
    let mut add = |stmt: &mut rusqlite::CachedStatement<'_>, values: [i64; 2]| {
        let rows = stmt.query_map(values, row)?;
        for found in rows {
            let (key, sum) = found?;
            add_to(&mut sums, key, sum);
        }
        Ok::<(), IndexError>(())
    };
    match stored {
        Some(counted) if counted == upto => {}
        Some(counted) if counted < upto => {
            // Rows stored since: grouped alone, appended.
            let appended = without_waiting(conn, || {
                let _ = tx
                    .prepare_cached(&days_sql(false))?
                    .execute(params![counted, upto])?;
                set_upto(&tx, upto)?;
                tx.commit()
            });
            if let Err(error) = appended {
                log::debug!("boost days not stored: {error}");
                return Ok(None);
            }
            return supporters_between(conn, since, until);
        }
        _ => {
            // Nothing kept (or ids went back): every boost, once.
            let built = without_waiting(conn, || {
                let _ = tx.execute("DELETE FROM boost_days", [])?;
                let _ = tx
                    .prepare_cached(&days_sql(true))?
                    .execute(params![0, upto])?;
                set_upto(&tx, upto)?;
                tx.commit()
            });
            if let Err(error) = built {
                log::debug!("boost days not stored: {error}");
                return Ok(None);
            }
            return supporters_between(conn, since, until);
        }
    }
    add(
        &mut tx.prepare_cached(
            "SELECT podcast, NULL, node, name, sum(legs), sum(msat) FROM boost_days \
             WHERE day >= ?1 AND day < ?2 GROUP BY podcast, node, name",
        )?,
        [first, end],
    )?;
    let mut edges = tx.prepare_cached(&edge_sql())?;
    for (from, to) in [(since, first * DAY), (end * DAY, until)] {
        if from < to {
            add(&mut edges, [from, to])?;
        }
    }
    drop(edges);
    Ok(Some(
        sums.into_iter()
            .filter(|(_, (legs, _))| *legs != 0)
            .collect(),
    ))
}

fn set_upto(tx: &Transaction<'_>, upto: i64) -> rusqlite::Result<()> {
    let _ = tx
        .prepare_cached("INSERT OR REPLACE INTO boost_cache_upto (kind, upto) VALUES (?1, ?2)")?
        .execute(params![DAYS, upto])?;
    Ok(())
}

/// The supporters' groups per day of the boosts with ids in (?1, ?2],
/// appended to the days; `all`: the whole table (SQLite may walk an index).
fn days_sql(all: bool) -> String {
    let verified = Verification::verified_sql("verification");
    let key = sender_key!("sender");
    let plus = if all { "" } else { "+" };
    format!(
        "INSERT INTO boost_days (day, podcast, node, name, legs, msat) \
         SELECT settled_at / 86400 AS day, podcast, \
         CASE WHEN {verified} THEN {key} END AS node, \
         CASE WHEN {verified} THEN NULL ELSE sender_name END AS name, \
         count(*), sum(amount_msat) FROM received \
         WHERE id > ?1 AND id <= ?2 AND {plus}podcast IS NOT NULL AND {plus}settled_at >= 0 \
         GROUP BY day, podcast, node, name"
    )
}

/// The supporters' groups of the boosts settled in ?1..?2 (part of a day):
/// a range of the list index, each boost read.
fn edge_sql() -> String {
    let verified = Verification::verified_sql("verification");
    let key = sender_key!("sender");
    format!(
        "SELECT podcast, NULL, CASE WHEN {verified} THEN {key} END AS node, \
         CASE WHEN {verified} THEN NULL ELSE sender_name END AS name, \
         count(*), sum(amount_msat) FROM received INDEXED BY received_list \
         WHERE settled_at >= ?1 AND settled_at < ?2 AND podcast IS NOT NULL \
         GROUP BY podcast, node, name"
    )
}

/// What is grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Per podcast and episode.
    Totals = 0,
    /// Per podcast and supporter: a verified node, else a claimed name.
    Supporters = 1,
}

/// The `boost_cache_upto` kind of the supporters per day
/// ([`supporters_between`]).
const DAYS: i64 = 2;

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

/// The highest id stored now, and the highest id the kept groups of
/// `kind` cover, if any are kept.
fn covered(conn: &Connection, kind: i64) -> Result<(i64, Option<i64>), IndexError> {
    let upto: i64 = conn
        .prepare_cached("SELECT coalesce(max(id), 0) FROM received")?
        .query_row([], |r| r.get(0))?;
    let stored = conn
        .prepare_cached("SELECT upto FROM boost_cache_upto WHERE kind = ?1")?
        .query_row([kind], |r| r.get(0))
        .optional()?;
    Ok((upto, stored))
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
    let (upto, stored) = covered(&tx, kind as i64)?;
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
            let key = sender_key!("sender");
            format!(
                "SELECT podcast, NULL, CASE WHEN {verified} THEN {key} END AS node, \
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
             WHERE name IN ('boost_cache', 'boost_cache_upto', 'boost_cache_checked', \
             'boost_days', 'boost_days_day', 'boost_days_changed')",
        )
        .and_then(|mut stmt| stmt.query_row([], |r| r.get::<_, i64>(0)));
    if found.is_ok_and(|n| n == 6) {
        return true;
    }
    let fresh = || {
        conn.execute_batch(&format!(
            "{CREATE} {} DELETE FROM boost_cache; DELETE FROM boost_days; \
             DELETE FROM boost_cache_upto;",
            create_days()
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

    /// Sender checks land: fan3's boosts become those of a verified node
    /// (key `[2; 33]`).
    fn fan3_verified(index: &Index) {
        let conn = index.lock();
        let _ = conn
            .execute(
                "INSERT OR IGNORE INTO senders (pubkey) VALUES (?1)",
                [vec![2u8; 33]],
            )
            .unwrap();
        let _ = conn
            .execute(
                concat!(
                    "UPDATE received SET sender = ",
                    interned::sender_id!("?1"),
                    ", verification = ?2 WHERE sender_name = 'fan3'"
                ),
                params![
                    vec![2u8; 33],
                    Verification::Verified(Scheme::Whatsat).code()
                ],
            )
            .unwrap();
    }

    #[test]
    fn a_checked_signature_regroups_the_supporters() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        fill(&index, 1, 50);
        same_answers(&index);
        // Sender checks land: fan3's boosts become a verified node's.
        let node = crate::keysend::NodeId::from_slice(&[2; 33]).ok();
        fan3_verified(&index);
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

    /// Boosts `from..to`, boost `n` settled at `n * 20,000` s (four or five a
    /// day), of three podcasts from seven names.
    fn fill_days(index: &Index, from: u32, to: u32) {
        let podcasts = ["Noded", "Tech Talk", "No Agenda"];
        for n in from..to {
            let json = format!(
                r#"{{"podcast":"{}","episode":"Ep","sender_name":"fan{}"}}"#,
                podcasts[n as usize % 3],
                n % 7
            );
            let records = Records::from([(record::BOOSTAGRAM, json.into_bytes())]);
            let at = i64::from(n) * 20_000;
            let row = crate::wallet::thread::sample_received(
                n,
                at,
                Msat::from_sat(u64::from(n) + 1),
                records,
            );
            let _ = index.insert_received(&[row]).unwrap();
        }
    }

    /// The supporters' groups of `since..until`, grouped from the rows here.
    fn fresh(index: &Index, since: i64, until: i64) -> Vec<(Key, Sums)> {
        let conn = index.lock();
        let mut stmt = conn
            .prepare(concat!(
                "SELECT podcast, verification, ",
                sender_key!("sender"),
                ", sender_name, amount_msat \
                 FROM received WHERE podcast IS NOT NULL AND settled_at >= ?1 AND settled_at < ?2",
            ))
            .unwrap();
        let mut sums = HashMap::new();
        let rows = stmt
            .query_map([since, until], |r| {
                let verified = r
                    .get::<_, Option<i64>>(1)?
                    .and_then(Verification::from_code)
                    .is_some_and(|v| matches!(v, Verification::Verified(_)));
                let key = Key {
                    podcast: r.get(0)?,
                    episode: None,
                    node: if verified { r.get(2)? } else { None },
                    name: if verified { None } else { r.get(3)? },
                };
                Ok((key, (1, r.get(4)?)))
            })
            .unwrap();
        for found in rows {
            let (key, add) = found.unwrap();
            add_to(&mut sums, key, add);
        }
        sorted(sums.into_iter().collect())
    }

    fn sorted(mut groups: Vec<(Key, Sums)>) -> Vec<(Key, Sums)> {
        groups.sort_by(|a, b| {
            (&a.0.podcast, &a.0.node, &a.0.name).cmp(&(&b.0.podcast, &b.0.node, &b.0.name))
        });
        groups
    }

    /// Random ranges (and whole days, open ends): the kept days and the
    /// rows at the ends add up to a fresh grouping. Returns how many
    /// ranges the days answered.
    fn days_match(index: &Index, seed: &mut u64) -> usize {
        let mut next = |below: i64| {
            *seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            i64::try_from(*seed >> 33).unwrap() % below
        };
        let mut ranges = vec![
            (i64::MIN, i64::MAX - 1),
            (0, 86_400 * 10),
            (86_400 * 3, i64::MAX - 1),
            (i64::MIN, 86_400 * 7),
            (86_400 * 2 + 1, 86_400 * 4 - 1),
        ];
        for _ in 0..40 {
            let since = next(5_000_000) - 200_000;
            ranges.push((since, since + next(3_000_000)));
        }
        let mut answered = 0;
        for (since, until) in ranges {
            let kept = supporters_between(&index.lock(), since, until).unwrap();
            if let Some(kept) = kept {
                answered += 1;
                assert_eq!(sorted(kept), fresh(index, since, until), "{since}..{until}");
            }
        }
        answered
    }

    #[test]
    fn supporters_per_day_add_up_to_a_fresh_grouping() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        fill_days(&index, 1, 150);
        let mut seed = 7;
        assert!(days_match(&index, &mut seed) > 20);
        // New rows: appended by id range.
        fill_days(&index, 150, 220);
        assert!(days_match(&index, &mut seed) > 20);
        // Sender checks land on kept rows: fan3's boosts become a node's.
        fan3_verified(&index);
        assert!(days_match(&index, &mut seed) > 20);
        let node = fresh(&index, i64::MIN, i64::MAX);
        assert!(node.iter().any(|(k, _)| k.node.is_some()), "{node:?}");
        // And back, with new rows in between.
        fill_days(&index, 220, 260);
        let _ = index
            .lock()
            .execute(
                "UPDATE received SET verification = NULL WHERE sender_name = 'fan3'",
                [],
            )
            .unwrap();
        assert!(days_match(&index, &mut seed) > 20);
        // Through the public question, a range with whole days.
        let filter = BoostFilter {
            since: 86_400 * 5 + 300,
            until: 86_400 * 40 + 7,
            ..all()
        };
        let ranked = index.supporters(&filter, 100).unwrap();
        let total: u64 = ranked.iter().map(|s| s.received.0).sum();
        let expected: i64 = fresh(&index, filter.since, filter.until)
            .iter()
            .map(|(_, (_, msat))| msat)
            .sum();
        assert_eq!(total as i64, expected);
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
