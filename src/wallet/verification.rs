//! The cached outcome of checking a received keysend's sender signature
//! (`keysend::incoming::verify_sender`), stored as a small integer.

use super::{Index, IndexError, blob};
use crate::keysend::incoming::{
    NAME_CHARS, Scheme, Sender, Unverified, claimed_sender, verify_sender,
};
use crate::keysend::text::display_bytes;
use crate::keysend::{NodeId, Records, record};

/// Fewest unchecked senders worth a second thread (a check is ~50 µs;
/// starting a thread ~20 µs).
const PER_THREAD_MIN: usize = 64;

/// What Satchel found when it checked who sent a keysend ([`Sender`] without
/// the claimed id and name, which stay in the records).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// A signature Satchel checked itself proves the claimed node sent it.
    Verified(Scheme),
    /// Sender records are present but prove nothing, for this reason.
    Claimed(Unverified),
    /// No sender records at all.
    Anonymous,
}

const PROBLEMS: [Unverified; 5] = [
    Unverified::NoSignature,
    Unverified::BadSignature,
    Unverified::OtherRecipient,
    Unverified::MalformedSignature,
    Unverified::UnknownFormat,
];

impl Verification {
    /// The outcome of a check.
    pub fn of(sender: &Sender) -> Self {
        match sender {
            Sender::Verified { scheme, .. } => Self::Verified(*scheme),
            Sender::Claimed { problem, .. } => Self::Claimed(*problem),
            Sender::Anonymous => Self::Anonymous,
        }
    }

    /// Proven by a signature we checked.
    pub fn is_verified(self) -> bool {
        matches!(self, Self::Verified(_))
    }

    /// The SQL condition that `column` holds a checked signature (any scheme).
    pub(crate) fn verified_sql(column: &str) -> String {
        format!(
            "{column} IN ({}, {})",
            Self::Verified(Scheme::Whatsat).code(),
            Self::Verified(Scheme::ThunderHub).code()
        )
    }

    /// The integer stored in the index.
    pub(crate) fn code(self) -> i64 {
        match self {
            Self::Anonymous => 0,
            Self::Verified(Scheme::Whatsat) => 10,
            Self::Verified(Scheme::ThunderHub) => 11,
            Self::Claimed(problem) => {
                20 + PROBLEMS.iter().position(|p| *p == problem).unwrap_or(0) as i64
            }
        }
    }

    /// The variant for a stored integer; `None` for unknown codes.
    pub(crate) fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(Self::Anonymous),
            10 => Some(Self::Verified(Scheme::Whatsat)),
            11 => Some(Self::Verified(Scheme::ThunderHub)),
            20..=24 => Some(Self::Claimed(PROBLEMS[(code - 20) as usize])),
            _ => None,
        }
    }

    /// Rebuild the full [`Sender`] from the cached outcome and the records;
    /// `None` if they do not agree (then check again).
    pub(crate) fn sender(self, records: &Records) -> Option<Sender> {
        let raw_sender = records.get(&record::SENDER_PUBKEY);
        match self {
            Self::Anonymous => Some(Sender::Anonymous),
            Self::Verified(scheme) => {
                let id = NodeId::from_slice(raw_sender?).ok()?;
                Some(Sender::Verified { id, scheme })
            }
            Self::Claimed(problem) => Some(Sender::Claimed {
                id: raw_sender.and_then(|_| decode_sender(records)),
                name: records
                    .get(&record::SENDER_ALIAS)
                    .map(|v| display_bytes(v, NAME_CHARS, false))
                    .filter(|n| !n.is_empty()),
                problem,
            }),
        }
    }
}

/// The claimed sender, read as `keysend::incoming::decode` reads it, from
/// its one record (not a decode of every record: this runs per listed row).
fn decode_sender(records: &Records) -> Option<NodeId> {
    records
        .get(&record::SENDER_PUBKEY)
        .and_then(|v| claimed_sender(v))
}

impl Index {
    /// Check the senders of the entries `ids` that were never checked, for
    /// `recipient` (our node), on every core, and cache the outcomes in one
    /// transaction; returns how many were checked. Rows already checked cost
    /// one indexed read; rows whose records cannot be read are left for
    /// [`Index::verify`] to report. The lock is held only to read the
    /// records and to write the outcomes, never during the checks.
    pub fn verify_many(&self, ids: &[i64], recipient: &NodeId) -> Result<usize, IndexError> {
        let pending = self.unchecked(ids)?;
        self.check_and_store(&pending, recipient)
    }

    /// Check `pending` (id and records) on every core, then cache the
    /// outcomes in one transaction; how many were checked.
    fn check_and_store(
        &self,
        pending: &[(i64, Records)],
        recipient: &NodeId,
    ) -> Result<usize, IndexError> {
        if pending.is_empty() {
            return Ok(0);
        }
        let outcomes = check_on_all_cores(pending, recipient);
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE received SET verification = ?2 WHERE id = ?1 AND verification IS NULL",
            )?;
            for (id, outcome) in &outcomes {
                let _ = stmt.execute((id, outcome.code()))?;
            }
        }
        tx.commit()?;
        Ok(outcomes.len())
    }

    /// The stored records of those of `ids` never checked.
    fn unchecked(&self, ids: &[i64]) -> Result<Vec<(i64, Records)>, IndexError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(concat!(
            "SELECT records, ",
            blob::shared_columns!(),
            " FROM received WHERE id = ?1 AND verification IS NULL",
        ))?;
        let mut pending = Vec::new();
        for &id in ids {
            let mut rows = stmt.query([id])?;
            if let Some(row) = rows.next()?
                && let Ok(records) = blob::decode_columns(row, 0)?
            {
                pending.push((id, records));
            }
        }
        Ok(pending)
    }
}

/// [`verify_sender`] of each entry, split over the machine's cores.
fn check_on_all_cores(pending: &[(i64, Records)], recipient: &NodeId) -> Vec<(i64, Verification)> {
    on_all_cores(pending, |(id, records)| {
        (*id, Verification::of(&verify_sender(records, recipient)))
    })
}

/// `each` of `items`, in order, split over the machine's cores (one thread
/// for fewer than [`PER_THREAD_MIN`] items a core): for sender checks, ~50 µs
/// each.
pub(crate) fn on_all_cores<T: Sync, R: Send>(items: &[T], each: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = cores.min(items.len() / PER_THREAD_MIN).max(1);
    if threads == 1 {
        return items.iter().map(each).collect();
    }
    let per_thread = items.len().div_ceil(threads);
    let each = &each;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(per_thread)
            .map(|part| scope.spawn(move || part.iter().map(each).collect::<Vec<R>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every unchecked sender of a batch is checked (on several threads:
    /// more rows than [`PER_THREAD_MIN`] per core) with the outcome a check
    /// one by one gives, cached, and never checked again.
    #[test]
    fn a_batch_is_checked_once_with_the_single_check_outcomes() {
        use crate::keysend::record;
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let me: NodeId = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
            .parse()
            .unwrap();
        let items: Vec<_> = (1..=240u8)
            .map(|n| {
                let mut item = crate::wallet::detail::tests::signed(n, &me, "thanks", &[]);
                match n % 3 {
                    // Forged: the text changed after signing.
                    1 => {
                        let _ = item.records.insert(record::MESSAGE, b"changed".to_vec());
                    }
                    // Anonymous: no sender records.
                    2 => item.records.retain(|k, _| *k == record::MESSAGE),
                    _ => {}
                }
                item
            })
            .collect();
        let _ = index.insert_received(&items).unwrap();
        let ids: Vec<i64> = (1..=240).collect();
        assert_eq!(index.verify_many(&ids, &me).unwrap(), 240);
        assert_eq!(index.verify_many(&ids, &me).unwrap(), 0, "cached");
        for (id, item) in ids.iter().zip(&items) {
            let expected = Verification::of(&verify_sender(&item.records, &me));
            let cached = index.detail(*id).unwrap().verification;
            assert_eq!(cached, Some(expected), "row {id}");
            let want = match item.htlc_index % 3 {
                0 => "verified",
                1 => "claimed",
                _ => "anonymous",
            };
            let got = match expected {
                Verification::Verified(_) => "verified",
                Verification::Claimed(_) => "claimed",
                Verification::Anonymous => "anonymous",
            };
            assert_eq!(got, want, "row {id}");
        }
    }

    #[test]
    fn codes_round_trip() {
        let all = [
            Verification::Anonymous,
            Verification::Verified(Scheme::Whatsat),
            Verification::Verified(Scheme::ThunderHub),
        ]
        .into_iter()
        .chain(PROBLEMS.map(Verification::Claimed));
        for v in all {
            assert_eq!(Verification::from_code(v.code()), Some(v), "{v:?}");
        }
        assert_eq!(Verification::from_code(9), None);
        assert_eq!(Verification::from_code(25), None);
    }
}
