//! `boosts.db`: the boost records and the per-recipient msat ledger, in
//! their own file beside the journal. A boost is written here, with every
//! leg and its journal intent id, before any leg goes to the node; each
//! leg's payment then lives in the journal like any other send. The ledger
//! (key: pubkey + customKey + customValue) accrues every leg's exact msat
//! share when the boost is recorded and counts a leg paid once, when it
//! first succeeds: `accrued = paid + owed`, owed negative when rounding paid
//! ahead. Both change in the same transaction as the leg.

use std::path::Path;
use std::sync::MutexGuard;

use super::node_db::{NodeDb, OpenError};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::keysend::{Msat, NodeId, PaymentHash};
use crate::podcast::Leg;
use crate::podcast::boost::BoostContext;
use crate::podcast::value::Custom;

/// The file name inside a node's folder (spelled in `store::paths`).
pub use crate::store::BOOSTS_FILE;
const VERSION: u32 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS boost (
    id          TEXT    PRIMARY KEY,
    feed        TEXT    NOT NULL,
    context     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS boost_leg (
    boost_id    TEXT    NOT NULL REFERENCES boost (id),
    leg         INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    pubkey      TEXT    NOT NULL,
    custom_key  INTEGER,
    custom_value TEXT,
    split       INTEGER NOT NULL,
    fee         INTEGER NOT NULL,
    exact_msat  INTEGER NOT NULL,
    amount_msat INTEGER NOT NULL,
    uuid        TEXT    NOT NULL,
    attempt     INTEGER NOT NULL,
    intent_id   TEXT    NOT NULL UNIQUE,
    hash        TEXT,
    state       TEXT    NOT NULL,
    error       TEXT,
    PRIMARY KEY (boost_id, leg)
);
CREATE TABLE IF NOT EXISTS ledger (
    pubkey       TEXT    NOT NULL,
    custom_key   INTEGER NOT NULL,
    custom_value TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    accrued_msat INTEGER NOT NULL,
    paid_msat    INTEGER NOT NULL,
    PRIMARY KEY (pubkey, custom_key, custom_value)
);
";

/// What became of one leg, as far as the boost knows (the journal is the
/// authority on the payment itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegState {
    /// 0 sats at this amount: nothing to send, the msat share is owed.
    Zero,
    /// Recorded, not yet handed to the wallet's send flow.
    Planned,
    /// Journaled and handed to the node.
    Dispatched,
    Succeeded,
    /// Failed for sure (node said so, or refused before sending).
    Failed,
    /// The node never received it: it can be sent with the same hash.
    NotSent,
    /// The outcome is not known yet (lost the node): follow it, never resend.
    Unknown,
    /// A settlement leg that failed: nothing was paid, its sats are owed
    /// again and the next settlement pays them (it is never retried itself).
    Returned,
}

impl LegState {
    /// The word stored (and printed in JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zero => "zero",
            Self::Planned => "planned",
            Self::Dispatched => "dispatched",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::NotSent => "not_sent",
            Self::Unknown => "unknown",
            Self::Returned => "returned",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "zero" => Self::Zero,
            "planned" => Self::Planned,
            "dispatched" => Self::Dispatched,
            "succeeded" => Self::Succeeded,
            "failed" => Self::Failed,
            "not_sent" => Self::NotSent,
            "returned" => Self::Returned,
            _ => Self::Unknown,
        }
    }

    /// Word shown to the user.
    pub fn label(self) -> &'static str {
        match self {
            Self::Zero => "0 sats (owed)",
            Self::Planned => "not sent yet",
            Self::Dispatched => "in flight",
            Self::Succeeded => "paid",
            Self::Failed => "failed",
            Self::NotSent => "not sent",
            Self::Unknown => "outcome not known yet",
            Self::Returned => "failed; owed again",
        }
    }

    /// Nothing more will happen to this leg without the user.
    pub fn is_settled(self) -> bool {
        matches!(self, Self::Zero | Self::Succeeded | Self::Returned)
    }
}

/// One leg of a recorded boost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegRecord {
    pub index: usize,
    pub leg: Leg,
    /// bLIP-10 `uuid` of this leg (kept across retries).
    pub uuid: String,
    /// 0 for the first send; each retry of a failed leg adds one.
    pub attempt: u32,
    /// The journal intent of the current attempt.
    pub intent_id: String,
    pub hash: Option<PaymentHash>,
    pub state: LegState,
    pub error: Option<String>,
}

/// A recorded boost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoostRecord {
    /// The shared `boost_uuid`.
    pub id: String,
    /// The feed as the user gave it.
    pub feed: String,
    pub context: BoostContext,
    pub created_at: i64,
    pub legs: Vec<LegRecord>,
}

impl BoostRecord {
    /// A new record for `legs` (0-sat legs included), attempt 0.
    pub fn new(id: String, feed: String, context: BoostContext, legs: &[Leg]) -> Self {
        let legs = legs
            .iter()
            .enumerate()
            .map(|(index, leg)| LegRecord {
                index,
                leg: leg.clone(),
                uuid: crate::podcast::boost::new_uuid(),
                attempt: 0,
                intent_id: intent_id(&id, index, 0),
                hash: None,
                state: if leg.amount == Msat::ZERO {
                    LegState::Zero
                } else {
                    LegState::Planned
                },
                error: None,
            })
            .collect();
        Self {
            id,
            feed,
            context,
            created_at: chrono::Utc::now().timestamp_millis(),
            legs,
        }
    }

    /// True when nothing more will happen to any leg without the user.
    pub fn complete(&self) -> bool {
        self.legs.iter().all(|l| l.state.is_settled())
    }

    /// True when every leg is paid (or had nothing to pay); a settlement
    /// leg returned to the ledger is not paid.
    pub fn all_paid(&self) -> bool {
        self.legs
            .iter()
            .all(|l| matches!(l.state, LegState::Zero | LegState::Succeeded))
    }
}

/// The journal intent of a leg's attempt: fixed before the boost is
/// recorded, so the journal refuses a second payment for it.
pub fn intent_id(boost_id: &str, leg: usize, attempt: u32) -> String {
    format!("boost-{boost_id}-{leg}-{attempt}")
}

/// One recipient in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    pub node: NodeId,
    pub custom: Option<Custom>,
    pub name: String,
    pub accrued: Msat,
    pub paid: Msat,
}

impl LedgerRow {
    /// `accrued - paid` in msat: positive is owed, negative paid ahead.
    pub fn owed(&self) -> i64 {
        i64::try_from(i128::from(self.accrued.0) - i128::from(self.paid.0)).unwrap_or(0)
    }
}

/// Why the boost file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoostStoreError {
    #[error("the boost records ({path}) cannot be used: {reason}")]
    Db { path: String, reason: String },
    #[error("no boost with id {0:?} is recorded")]
    NotFound(String),
    #[error("the boost records were written by a newer Satchel (version {0})")]
    TooNew(u32),
}

/// A handle to `boosts.db`; cheap to clone.
#[derive(Clone)]
pub struct BoostStore {
    db: NodeDb,
}

impl From<OpenError> for BoostStoreError {
    fn from(e: OpenError) -> Self {
        match e {
            OpenError::Db { path, reason } => Self::Db { path, reason },
            OpenError::TooNew(found) => Self::TooNew(found),
        }
    }
}

impl BoostStore {
    /// Open (or create) the boost file in `dir` (the node's folder).
    pub fn open(dir: &Path) -> Result<Self, BoostStoreError> {
        Ok(Self {
            db: NodeDb::open(dir, BOOSTS_FILE, SCHEMA, VERSION)?,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.db.lock()
    }

    fn db(&self, e: rusqlite::Error) -> BoostStoreError {
        self.db.error(e).into()
    }

    /// Run `work` on the blocking pool (commits fsync).
    pub async fn call<T, F>(&self, work: F) -> Result<T, BoostStoreError>
    where
        T: Send + 'static,
        F: FnOnce(&BoostStore) -> Result<T, BoostStoreError> + Send + 'static,
    {
        super::node_db::blocking(self.clone(), work).await
    }

    /// What the ledger carries for each recipient (0 when unknown).
    pub fn owed(&self, keys: &[(NodeId, Option<Custom>)]) -> Result<Vec<i64>, BoostStoreError> {
        let conn = self.lock();
        let mut statement = conn
            .prepare_cached(
                "SELECT accrued_msat - paid_msat FROM ledger \
                 WHERE pubkey = ?1 AND custom_key = ?2 AND custom_value = ?3",
            )
            .map_err(|e| self.db(e))?;
        keys.iter()
            .map(|(node, custom)| {
                let (key, value) = custom_columns(custom.as_ref());
                statement
                    .query_row(params![node.to_hex(), key, value], |r| r.get::<_, i64>(0))
                    .optional()
                    .map(Option::unwrap_or_default)
                    .map_err(|e| self.db(e))
            })
            .collect()
    }

    /// Write a new boost with its legs, and accrue every leg's exact share
    /// in the ledger, in one transaction (fsync'd).
    pub fn record(&self, boost: &BoostRecord) -> Result<(), BoostStoreError> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.db(e))?;
        let context = serde_json::to_string(&boost.context).unwrap_or_default();
        let _ = tx
            .execute(
                "INSERT INTO boost (id, feed, context, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![boost.id, boost.feed, context, boost.created_at],
            )
            .map_err(|e| self.db(e))?;
        for leg in &boost.legs {
            insert_leg(&tx, &boost.id, leg).map_err(|e| self.db(e))?;
            accrue(&tx, &leg.leg).map_err(|e| self.db(e))?;
        }
        tx.commit().map_err(|e| self.db(e))
    }

    /// A recorded boost with its legs.
    pub fn get(&self, id: &str) -> Result<BoostRecord, BoostStoreError> {
        let conn = self.lock();
        let head = conn
            .query_row(
                "SELECT feed, context, created_at FROM boost WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.db(e))?;
        let Some((feed, context, created_at)) = head else {
            return Err(BoostStoreError::NotFound(id.to_owned()));
        };
        let mut statement = conn
            .prepare_cached(
                "SELECT leg, name, pubkey, custom_key, custom_value, split, fee, exact_msat, \
                 amount_msat, uuid, attempt, intent_id, hash, state, error \
                 FROM boost_leg WHERE boost_id = ?1 ORDER BY leg",
            )
            .map_err(|e| self.db(e))?;
        let legs = statement
            .query_map([id], read_leg)
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(|e| self.db(e))?;
        Ok(BoostRecord {
            id: id.to_owned(),
            feed,
            context: serde_json::from_str(&context).unwrap_or_default(),
            created_at,
            legs,
        })
    }

    /// Ids of boosts with a leg that is not paid, newest first.
    pub fn unfinished(&self) -> Result<Vec<String>, BoostStoreError> {
        let conn = self.lock();
        let mut statement = conn
            .prepare_cached(
                "SELECT DISTINCT b.id FROM boost b JOIN boost_leg l ON l.boost_id = b.id \
                 WHERE l.state NOT IN ('zero', 'succeeded', 'returned') ORDER BY b.created_at DESC",
            )
            .map_err(|e| self.db(e))?;
        statement
            .query_map([], |r| r.get(0))
            .and_then(Iterator::collect)
            .map_err(|e| self.db(e))
    }

    /// Write what became of a leg. The first time a leg is written
    /// `Succeeded`, its amount is counted paid in the ledger (same
    /// transaction), so a success reported twice is counted once.
    pub fn set_leg(
        &self,
        id: &str,
        leg: usize,
        state: LegState,
        hash: Option<PaymentHash>,
        error: Option<&str>,
    ) -> Result<(), BoostStoreError> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.db(e))?;
        let leg_no = i64::try_from(leg).unwrap_or(i64::MAX);
        let before: Option<LegKey> = tx
            .query_row(
                "SELECT state, pubkey, custom_key, custom_value, amount_msat FROM boost_leg \
                 WHERE boost_id = ?1 AND leg = ?2",
                params![id, leg_no],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()
            .map_err(|e| self.db(e))?;
        let Some((before, pubkey, key, value, amount)) = before else {
            return Err(BoostStoreError::NotFound(format!("{id} leg {leg}")));
        };
        if matches!(
            LegState::parse(&before),
            LegState::Succeeded | LegState::Returned
        ) {
            return Ok(()); // final: a late or repeated event changes nothing
        }
        let _ = tx
            .execute(
                "UPDATE boost_leg SET state = ?3, hash = COALESCE(?4, hash), error = ?5 \
                 WHERE boost_id = ?1 AND leg = ?2",
                params![id, leg_no, state.as_str(), hash.map(|h| h.to_hex()), error],
            )
            .map_err(|e| self.db(e))?;
        if state == LegState::Succeeded {
            let _ = tx
                .execute(
                    "UPDATE ledger SET paid_msat = paid_msat + ?4 \
                     WHERE pubkey = ?1 AND custom_key = ?2 AND custom_value = ?3",
                    params![pubkey, key.unwrap_or(0), value.unwrap_or_default(), amount],
                )
                .map_err(|e| self.db(e))?;
        }
        tx.commit().map_err(|e| self.db(e))
    }

    /// Start a new attempt for a failed leg: a new journal intent, written
    /// before anything is sent. Refused unless the leg's state is `from`.
    pub fn next_attempt(
        &self,
        id: &str,
        leg: usize,
        from: LegState,
    ) -> Result<Option<String>, BoostStoreError> {
        let conn = self.lock();
        let leg_no = i64::try_from(leg).unwrap_or(i64::MAX);
        let attempt: Option<u32> = conn
            .query_row(
                "SELECT attempt FROM boost_leg WHERE boost_id = ?1 AND leg = ?2 AND state = ?3",
                params![id, leg_no, from.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.db(e))?;
        let Some(attempt) = attempt else {
            return Ok(None);
        };
        let next = attempt + 1;
        let intent = intent_id(id, leg, next);
        let changed = conn
            .execute(
                "UPDATE boost_leg SET attempt = ?4, intent_id = ?5, hash = NULL, error = NULL, \
                 state = 'planned' WHERE boost_id = ?1 AND leg = ?2 AND attempt = ?3",
                params![id, leg_no, attempt, next, intent],
            )
            .map_err(|e| self.db(e))?;
        Ok((changed == 1).then_some(intent))
    }

    /// msat of legs still waiting for a result or a retry, per recipient
    /// (key as in [`LedgerRow`]): a settlement leaves them to the retry.
    pub fn open_legs(&self) -> Result<Vec<(NodeId, Option<Custom>, Msat)>, BoostStoreError> {
        let conn = self.lock();
        let mut statement = conn
            .prepare_cached(
                "SELECT pubkey, COALESCE(custom_key, 0), COALESCE(custom_value, ''), \
                 SUM(amount_msat) FROM boost_leg \
                 WHERE state NOT IN ('zero', 'succeeded', 'returned') \
                 GROUP BY 1, 2, 3",
            )
            .map_err(|e| self.db(e))?;
        statement
            .query_map([], |r| {
                let pubkey: String = r.get(0)?;
                let key: i64 = r.get(1)?;
                Ok((
                    pubkey.parse().map_err(|_| bad_column(0))?,
                    (key > 0).then_some(Custom {
                        key: key as u64,
                        value: r.get(2)?,
                    }),
                    Msat(r.get(3)?),
                ))
            })
            .and_then(Iterator::collect)
            .map_err(|e| self.db(e))
    }

    /// Every recipient in the ledger.
    pub fn ledger(&self) -> Result<Vec<LedgerRow>, BoostStoreError> {
        let conn = self.lock();
        let mut statement = conn
            .prepare_cached(
                "SELECT pubkey, custom_key, custom_value, name, accrued_msat, paid_msat \
                 FROM ledger ORDER BY name, pubkey",
            )
            .map_err(|e| self.db(e))?;
        statement
            .query_map([], |r| {
                let pubkey: String = r.get(0)?;
                let key: i64 = r.get(1)?;
                let value: String = r.get(2)?;
                Ok(LedgerRow {
                    node: pubkey.parse().map_err(|_| bad_column(0))?,
                    custom: (key > 0).then_some(Custom {
                        key: key as u64,
                        value,
                    }),
                    name: r.get(3)?,
                    accrued: Msat(r.get(4)?),
                    paid: Msat(r.get(5)?),
                })
            })
            .and_then(Iterator::collect)
            .map_err(|e| self.db(e))
    }
}

/// A leg's state, ledger key columns and amount, as stored.
type LegKey = (String, String, Option<i64>, Option<String>, u64);

/// The ledger's key columns for a custom record (0 and "" for none).
fn custom_columns(custom: Option<&Custom>) -> (i64, String) {
    custom.map_or((0, String::new()), |c| {
        (i64::try_from(c.key).unwrap_or(i64::MAX), c.value.clone())
    })
}

fn insert_leg(tx: &rusqlite::Transaction<'_>, id: &str, leg: &LegRecord) -> rusqlite::Result<()> {
    let custom = leg.leg.custom.as_ref();
    let _ = tx.execute(
        "INSERT INTO boost_leg (boost_id, leg, name, pubkey, custom_key, custom_value, split, \
         fee, exact_msat, amount_msat, uuid, attempt, intent_id, hash, state, error) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            id,
            i64::try_from(leg.index).unwrap_or(i64::MAX),
            leg.leg.name,
            leg.leg.node.to_hex(),
            custom.map(|c| i64::try_from(c.key).unwrap_or(i64::MAX)),
            custom.map(|c| c.value.clone()),
            leg.leg.split,
            leg.leg.fee,
            leg.leg.exact.0,
            leg.leg.amount.0,
            leg.uuid,
            leg.attempt,
            leg.intent_id,
            leg.hash.map(|h| h.to_hex()),
            leg.state.as_str(),
            leg.error,
        ],
    )?;
    Ok(())
}

fn accrue(tx: &rusqlite::Transaction<'_>, leg: &Leg) -> rusqlite::Result<()> {
    let (key, value) = custom_columns(leg.custom.as_ref());
    let _ = tx.execute(
        "INSERT INTO ledger (pubkey, custom_key, custom_value, name, accrued_msat, paid_msat) \
         VALUES (?1, ?2, ?3, ?4, ?5, 0) ON CONFLICT (pubkey, custom_key, custom_value) \
         DO UPDATE SET accrued_msat = accrued_msat + excluded.accrued_msat, name = excluded.name",
        params![leg.node.to_hex(), key, value, leg.label(), leg.exact.0],
    )?;
    Ok(())
}

fn bad_column(index: usize) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(index, "value".into(), rusqlite::types::Type::Text)
}

fn read_leg(r: &rusqlite::Row<'_>) -> rusqlite::Result<LegRecord> {
    let pubkey: String = r.get(2)?;
    let key: Option<i64> = r.get(3)?;
    let hash: Option<String> = r.get(12)?;
    Ok(LegRecord {
        index: usize::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
        leg: Leg {
            name: r.get(1)?,
            node: pubkey.parse().map_err(|_| bad_column(2))?,
            custom: key.map(|key| Custom {
                key: key as u64,
                value: r
                    .get::<_, Option<String>>(4)
                    .ok()
                    .flatten()
                    .unwrap_or_default(),
            }),
            split: r.get(5)?,
            fee: r.get(6)?,
            exact: Msat(r.get(7)?),
            amount: Msat(r.get(8)?),
        },
        uuid: r.get(9)?,
        attempt: r.get(10)?,
        intent_id: r.get(11)?,
        hash: hash.and_then(|h| h.parse().ok()),
        state: LegState::parse(&r.get::<_, String>(13)?),
        error: r.get(14)?,
    })
}

#[cfg(test)]
#[path = "boost_store_tests.rs"]
mod tests;
