//! Boosts as a podcaster reads them: legs sharing a bLIP-10 `boost_uuid`
//! shown as one boost; what was received next to what the boost claims
//! (`value_msat_total` is the sender's word); totals per podcast and per
//! episode; supporters ranked by what they gave, verified apart from
//! claimed. Totals are counted by SQLite over the index's podcast column.

use std::collections::HashMap;

use rusqlite::params;

use super::verification::Verification;
use super::{Index, IndexError, blob, boost_cache};
use crate::keysend::text::display_safe;
use crate::keysend::{Boostagram, Msat, NodeId, PaymentHash, Records, record};

/// Longest boost message kept, in characters.
const MESSAGE_CHARS: usize = 500;

/// A supporter's group: a verified node, else a claimed name.
type SupporterKey = (Option<Vec<u8>>, Option<String>);

/// Which boosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoostFilter {
    /// Only this podcast (exact title).
    pub podcast: Option<String>,
    /// Unix seconds; settled at or after.
    pub since: i64,
    /// Unix seconds; settled before (`i64::MAX`: no end).
    pub until: i64,
    /// At most this many legs read for the grouped list (totals count all).
    pub limit: u64,
}

/// One received leg of a boost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoostLeg {
    pub hash: PaymentHash,
    pub amount: Msat,
    pub settled_at: i64,
}

/// A boost: its legs (one unless several share a `boost_uuid`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Boost {
    /// The `boost_uuid`, if the boostagram gives one.
    pub boost_uuid: Option<String>,
    pub podcast: Option<String>,
    pub episode: Option<String>,
    /// The name the sender gives (a claim).
    pub sender_name: Option<String>,
    pub message: Option<String>,
    /// What arrived here, all legs.
    pub received: Msat,
    /// `value_msat_total`: what the sender says the whole boost was.
    pub claimed_total: Option<Msat>,
    /// Newest leg, Unix seconds.
    pub at: i64,
    pub legs: Vec<BoostLeg>,
}

/// A boost we sent: its legs (one per recipient of the split) sharing a
/// `boost_uuid`, each a payment of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct SentBoost {
    pub boost_uuid: Option<String>,
    pub podcast: Option<String>,
    pub episode: Option<String>,
    pub message: Option<String>,
    /// What the legs that succeeded delivered.
    pub delivered: Msat,
    /// Every leg's amount, whatever became of it.
    pub attempted: Msat,
    /// `value_msat_total` as we wrote it.
    pub claimed_total: Option<Msat>,
    /// Newest leg, ns since the Unix epoch.
    pub created_ns: i64,
    pub legs: Vec<super::SentRow>,
}

/// Received per podcast, or per episode of a podcast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodcastTotal {
    pub podcast: String,
    /// `None`: the podcast's total.
    pub episode: Option<String>,
    pub legs: u64,
    pub received: Msat,
}

/// Someone who boosted: a verified node, or a name (or nothing) claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supporter {
    /// Set when a signature proved the node sent these boosts.
    pub verified: Option<NodeId>,
    /// The claimed name (unverified supporters), display-safe.
    pub claimed_name: Option<String>,
    pub legs: u64,
    pub received: Msat,
}

/// Podcast totals, the same per episode, one statement.
/// Named index: with a date range on both sides SQLite would rather walk
/// the date index and sort (it cannot tell how wide a bound range is).
const TOTALS_SQL: &str = "SELECT podcast, episode, count(*), sum(amount_msat) FROM received \
    INDEXED BY received_podcast_totals WHERE podcast IS NOT NULL AND settled_at >= ?1 AND (?2 IS NULL OR podcast = ?2) \
    AND settled_at < ?3 GROUP BY podcast, episode ORDER BY podcast, sum(amount_msat) DESC";

impl Index {
    /// Received per podcast (episode `None`) then per episode, for
    /// `filter` (its limit ignored). Podcasts by received, most first.
    pub fn podcast_totals(&self, filter: &BoostFilter) -> Result<Vec<PodcastTotal>, IndexError> {
        let conn = self.lock();
        let cached = match boost_cache::all_time(filter.since, filter.until) {
            true => boost_cache::groups(&conn, boost_cache::Kind::Totals)?,
            false => None,
        };
        let groups: Vec<(String, Option<String>, i64, i64)> = match cached {
            // In the statement's order: by podcast, then most received.
            Some(groups) => {
                let mut groups: Vec<_> = groups
                    .into_iter()
                    .filter(|(key, _)| filter.podcast.as_ref().is_none_or(|p| *p == key.podcast))
                    .map(|(key, (legs, msat))| (key.podcast, key.episode, legs, msat))
                    .collect();
                groups.sort_by(|a, b| {
                    (&a.0, std::cmp::Reverse(a.3), &a.1).cmp(&(&b.0, std::cmp::Reverse(b.3), &b.1))
                });
                groups
            }
            None => {
                let mut stmt = conn.prepare_cached(TOTALS_SQL)?;
                let rows = stmt
                    .query_map(params![filter.since, filter.podcast, filter.until], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })?;
                rows.collect::<Result<_, _>>()?
            }
        };
        let mut podcasts: Vec<PodcastTotal> = Vec::new();
        let mut episodes = Vec::new();
        for (podcast, episode, legs, msat) in groups {
            let (legs, msat) = (legs as u64, Msat(msat as u64));
            match podcasts.last_mut().filter(|p| p.podcast == podcast) {
                Some(total) => {
                    total.legs += legs;
                    total.received = Msat(total.received.0.saturating_add(msat.0));
                }
                None => podcasts.push(PodcastTotal {
                    podcast: podcast.clone(),
                    episode: None,
                    legs,
                    received: msat,
                }),
            }
            episodes.push(PodcastTotal {
                podcast,
                episode,
                legs,
                received: msat,
            });
        }
        podcasts.sort_by_key(|p| std::cmp::Reverse(p.received));
        podcasts.extend(episodes);
        Ok(podcasts)
    }

    /// Supporters of `filter`'s boosts, most given first (at most `limit`):
    /// verified senders by node id, everyone else by the name they give.
    pub fn supporters(
        &self,
        filter: &BoostFilter,
        limit: u64,
    ) -> Result<Vec<Supporter>, IndexError> {
        let conn = self.lock();
        let cached = match boost_cache::all_time(filter.since, filter.until) {
            true => boost_cache::groups(&conn, boost_cache::Kind::Supporters)?,
            false => boost_cache::supporters_between(&conn, filter.since, filter.until)?,
        };
        let groups: Vec<(SupporterKey, i64, i64)> = match cached {
            Some(groups) => {
                let mut by_supporter: HashMap<SupporterKey, (i64, i64)> = HashMap::new();
                for (key, (legs, msat)) in groups {
                    if filter.podcast.as_ref().is_some_and(|p| *p != key.podcast) {
                        continue;
                    }
                    let sum = by_supporter.entry((key.node, key.name)).or_insert((0, 0));
                    sum.0 += legs;
                    sum.1 += msat;
                }
                let mut ranked: Vec<_> = by_supporter
                    .into_iter()
                    .map(|(key, (legs, msat))| (key, legs, msat))
                    .collect();
                ranked.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
                ranked.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
                ranked
            }
            None => {
                let verified = Verification::verified_sql("verification");
                let key = super::interned::sender_key!("sender");
                // `+settled_at`: a bound range would make SQLite walk the date
                // index and look every row up (2x slower at 1,000,000 entries).
                let sql = format!(
                    "SELECT CASE WHEN {verified} THEN {key} END AS node, \
                     CASE WHEN {verified} THEN NULL ELSE sender_name END AS name, \
                     count(*), sum(amount_msat) FROM received \
                     WHERE podcast IS NOT NULL AND +settled_at >= ?1 AND (?2 IS NULL OR podcast = ?2) \
                     AND +settled_at < ?4 \
                     GROUP BY node, name ORDER BY sum(amount_msat) DESC LIMIT ?3"
                );
                let mut stmt = conn.prepare_cached(&sql)?;
                let limit = i64::try_from(limit).unwrap_or(i64::MAX);
                let values = params![filter.since, filter.podcast, limit, filter.until];
                let rows = stmt.query_map(values, |r| {
                    Ok(((r.get(0)?, r.get(1)?), r.get(2)?, r.get(3)?))
                })?;
                rows.collect::<Result<_, _>>()?
            }
        };
        Ok(groups
            .into_iter()
            .map(|((node, name), legs, msat)| Supporter {
                verified: node.and_then(|k| NodeId::from_slice(&k).ok()),
                claimed_name: name
                    .map(|n| display_safe(&n, super::NAME_CHARS))
                    .filter(|n| !n.trim().is_empty()),
                legs: legs as u64,
                received: Msat(msat as u64),
            })
            .collect())
    }

    /// The newest boosts of `filter`, legs sharing a `boost_uuid` as one,
    /// newest first.
    pub fn boosts(&self, filter: &BoostFilter) -> Result<Vec<Boost>, IndexError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(concat!(
            "SELECT hash, amount_msat, settled_at, records, ",
            blob::shared_columns!(),
            " FROM received WHERE podcast IS NOT NULL AND settled_at >= ?1 \
             AND (?2 IS NULL OR podcast = ?2) AND settled_at < ?4 \
             ORDER BY settled_at DESC, id DESC LIMIT ?3",
        ))?;
        let limit = i64::try_from(filter.limit).unwrap_or(i64::MAX);
        let mut rows = stmt.query(params![filter.since, filter.podcast, limit, filter.until])?;
        let mut boosts = Groups::default();
        while let Some(row) = rows.next()? {
            let hash: Vec<u8> = row.get(0)?;
            let leg = BoostLeg {
                hash: PaymentHash::from_slice(&hash).unwrap_or(PaymentHash::from_bytes([0; 32])),
                amount: Msat(row.get::<_, i64>(1)? as u64),
                settled_at: row.get(2)?,
            };
            let Some(boost) = boostagram(blob::decode_columns(row, 3)?) else {
                continue;
            };
            let group = boosts.of(&boost, || Boost {
                boost_uuid: uuid_of(&boost).map(|u| display_safe(u, 64)),
                podcast: label(boost.podcast.as_deref()),
                episode: label(boost.episode.as_deref()),
                sender_name: label(boost.sender_name.as_deref()),
                message: boost
                    .message
                    .as_deref()
                    .map(|m| display_safe(m, MESSAGE_CHARS))
                    .filter(|m| !m.trim().is_empty()),
                received: Msat::ZERO,
                claimed_total: boost.value_msat_total.map(Msat),
                at: leg.settled_at,
                legs: Vec::new(),
            });
            group.received = Msat(group.received.0.saturating_add(leg.amount.0));
            group.legs.push(leg);
        }
        Ok(boosts.list)
    }
}

/// Boosts in the order first seen, legs of one `boost_uuid` in one group.
struct Groups<T> {
    list: Vec<T>,
    by_uuid: HashMap<String, usize>,
}

impl<T> Default for Groups<T> {
    fn default() -> Self {
        Self {
            list: Vec::new(),
            by_uuid: HashMap::new(),
        }
    }
}

impl<T> Groups<T> {
    /// The group of `boost`: the one of its `boost_uuid` if seen, else a
    /// new one made by `new` (a boost without a uuid is a group alone).
    fn of(&mut self, boost: &Boostagram, new: impl FnOnce() -> T) -> &mut T {
        let uuid = uuid_of(boost);
        let at = match uuid.and_then(|u| self.by_uuid.get(u)) {
            Some(&at) => at,
            None => {
                if let Some(uuid) = uuid {
                    let _ = self.by_uuid.insert(uuid.to_owned(), self.list.len());
                }
                self.list.push(new());
                self.list.len() - 1
            }
        };
        &mut self.list[at]
    }
}

/// A boost's `boost_uuid`, when it gives one.
fn uuid_of(boost: &Boostagram) -> Option<&str> {
    boost.boost_uuid.as_deref().filter(|u| !u.is_empty())
}

/// The boostagram in a row's decoded records (a received row blob or a
/// sent row's records), if any.
fn boostagram(records: Result<Records, blob::BlobError>) -> Option<Boostagram> {
    records
        .ok()?
        .get(&record::BOOSTAGRAM)
        .and_then(|b| Boostagram::parse(b).ok())
}

impl Index {
    /// Our newest sent boosts (reading at most `limit` payments), legs
    /// sharing a `boost_uuid` as one, newest first.
    pub fn sent_boosts(&self, limit: u64) -> Result<Vec<SentBoost>, IndexError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {} FROM sent ORDER BY created_ns DESC, id DESC LIMIT ?1",
            super::sent::SENT_COLUMNS
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut rows = stmt.query([limit])?;
        let mut boosts = Groups::default();
        while let Some(row) = rows.next()? {
            let leg = super::sent::sent_row(row)?;
            let Some(boost) = boostagram(blob::decode(&row.get::<_, Vec<u8>>(8)?)) else {
                continue;
            };
            let group = boosts.of(&boost, || SentBoost {
                boost_uuid: uuid_of(&boost).map(|u| display_safe(u, 64)),
                podcast: label(boost.podcast.as_deref()),
                episode: label(boost.episode.as_deref()),
                message: label(boost.message.as_deref()),
                delivered: Msat::ZERO,
                attempted: Msat::ZERO,
                claimed_total: boost.value_msat_total.map(Msat),
                created_ns: leg.created_ns,
                legs: Vec::new(),
            });
            group.attempted = Msat(group.attempted.0.saturating_add(leg.amount.0));
            if leg.status == super::SentStatus::Succeeded {
                group.delivered = Msat(group.delivered.0.saturating_add(leg.amount.0));
            }
            group.legs.push(leg);
        }
        Ok(boosts.list)
    }
}

fn label(text: Option<&str>) -> Option<String> {
    text.map(|t| display_safe(t, super::NAME_CHARS))
        .filter(|t| !t.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::Records;
    use crate::node::ReceivedKeysend;

    fn boost(n: u32, at: i64, sat: u64, json: &str) -> ReceivedKeysend {
        let mut records = Records::new();
        let _ = records.insert(record::BOOSTAGRAM, json.as_bytes().to_vec());
        crate::wallet::thread::sample_received(n, at, Msat::from_sat(sat), records)
    }

    #[test]
    fn sent_legs_group_by_uuid_and_count_what_was_delivered() {
        use crate::keysend::Preimage;
        use crate::node::{PaymentFailure, PaymentStatus, SentKeysend};
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let leg = |n: u8, uuid: &str, sat: u64, status: PaymentStatus| {
            let json = format!(
                r#"{{"podcast":"Noded","episode":"Ep 1","boost_uuid":"{uuid}","value_msat_total":100000}}"#
            );
            SentKeysend {
                hash: Preimage::from_bytes([n; 32]).hash(),
                payment_index: u64::from(n),
                destination: None,
                amount: Msat::from_sat(sat),
                fee: Msat::ZERO,
                status,
                created_ns: i64::from(n),
                records: Records::from([(record::BOOSTAGRAM, json.into_bytes())]),
            }
        };
        let ok = PaymentStatus::Succeeded {
            preimage: Preimage::from_bytes([9; 32]),
        };
        let failed = PaymentStatus::Failed(PaymentFailure::NoRoute);
        let plain = SentKeysend {
            records: Records::from([(record::MESSAGE, b"hi".to_vec())]),
            ..leg(4, "x", 1, ok.clone())
        };
        let _ = index
            .upsert_sent(&[
                leg(1, "u1", 60, ok.clone()),
                leg(2, "u1", 40, failed),
                leg(3, "u2", 5, ok),
                plain,
            ])
            .unwrap();
        let boosts = index.sent_boosts(100).unwrap();
        assert_eq!(boosts.len(), 2, "the plain tip is no boost: {boosts:?}");
        assert_eq!(boosts[0].boost_uuid.as_deref(), Some("u2"), "newest first");
        let u1 = &boosts[1];
        assert_eq!(u1.legs.len(), 2);
        assert_eq!(
            (u1.delivered, u1.attempted, u1.claimed_total),
            (Msat::from_sat(60), Msat::from_sat(100), Some(Msat(100_000)))
        );
    }

    #[test]
    fn legs_group_by_uuid_and_totals_add_up() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let leg = |uuid: &str, ep: &str, who: &str| {
            format!(
                r#"{{"podcast":"Noded","episode":"{ep}","sender_name":"{who}","boost_uuid":"{uuid}","value_msat_total":100000,"message":"great"}}"#
            )
        };
        let _ = index
            .insert_received(&[
                boost(1, 100, 10, &leg("u1", "Ep 1", "ann")),
                boost(2, 101, 20, &leg("u1", "Ep 1", "ann")),
                boost(3, 200, 5, &leg("u2", "Ep 2", "ben")),
                boost(4, 300, 7, r#"{"podcast":"Other","episode":"X"}"#),
            ])
            .unwrap();
        let all = BoostFilter {
            podcast: None,
            since: 0,
            until: i64::MAX,
            limit: 100,
        };
        let boosts = index.boosts(&all).unwrap();
        assert_eq!(boosts.len(), 3, "{boosts:?}");
        let grouped = boosts
            .iter()
            .find(|b| b.boost_uuid.as_deref() == Some("u1"))
            .unwrap();
        assert_eq!(grouped.legs.len(), 2);
        assert_eq!(grouped.received, Msat::from_sat(30));
        assert_eq!(grouped.claimed_total, Some(Msat(100_000)));

        let totals = index.podcast_totals(&all).unwrap();
        let noded = &totals[0];
        assert_eq!(
            (noded.podcast.as_str(), noded.episode.as_deref(), noded.legs),
            ("Noded", None, 3)
        );
        assert_eq!(noded.received, Msat::from_sat(35));
        assert!(
            totals
                .iter()
                .any(|t| t.episode.as_deref() == Some("Ep 1") && t.received == Msat::from_sat(30))
        );

        let supporters = index.supporters(&all, 10).unwrap();
        assert_eq!(supporters[0].claimed_name.as_deref(), Some("ann"));
        assert_eq!(supporters[0].received, Msat::from_sat(30));
        assert!(supporters.iter().all(|s| s.verified.is_none()));

        let only = BoostFilter {
            podcast: Some("Other".into()),
            since: 0,
            until: i64::MAX,
            limit: 100,
        };
        assert_eq!(index.boosts(&only).unwrap().len(), 1);
        let since = BoostFilter {
            since: 150,
            ..all.clone()
        };
        assert_eq!(index.podcast_totals(&since).unwrap()[0].legs, 1);
        // The To date: settled before it only, in the list, the totals and
        // the supporters alike (ann's legs at 100 and 101, ben's at 200).
        let until = BoostFilter {
            until: 150,
            ..all.clone()
        };
        let boosts = index.boosts(&until).unwrap();
        assert_eq!(boosts.len(), 1, "{boosts:?}");
        assert_eq!(boosts[0].boost_uuid.as_deref(), Some("u1"));
        let totals = index.podcast_totals(&until).unwrap();
        assert_eq!((totals.len(), totals[0].legs), (2, 2), "{totals:?}");
        let supporters = index.supporters(&until, 10).unwrap();
        assert_eq!(supporters.len(), 1, "{supporters:?}");
        assert_eq!(supporters[0].claimed_name.as_deref(), Some("ann"));
        let window = BoostFilter {
            since: 101,
            until: 201,
            ..all
        };
        assert_eq!(index.podcast_totals(&window).unwrap()[0].legs, 2);
    }

    /// The totals as queried (date range and podcast filter included) are
    /// read from the covering index alone, grouped in its order.
    #[test]
    fn the_totals_query_reads_only_the_covering_index() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let conn = index.lock();
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {TOTALS_SQL}"))
            .unwrap()
            .query_map(params![0, None::<String>, i64::MAX], |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let plan = plan.join("; ");
        assert!(
            plan.contains("COVERING INDEX received_podcast_totals"),
            "{plan}"
        );
        assert!(!plan.contains("FOR GROUP BY"), "{plan}");
    }
}
