//! `streams.db` in the node's data: streams, the content minutes each one
//! accrued, a per-stream, per-recipient msat ledger, the legs of every
//! batch, recurring tips and the daily cap.
//!
//! The ledger: for every recipient, `accrued = paid + owed` exactly, in
//! msat. A content minute accrues once (primary key stream + minute), in the
//! same transaction as the ledger. A batch leg is written (with its journal
//! intent id) before it is sent and reserves its amount; `paid` grows only
//! when the leg succeeds, in the same transaction; a failed leg's amount is
//! simply owed again and goes with the next batch.

use std::path::Path;
use std::sync::MutexGuard;

use super::node_db::{NodeDb, OpenError};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use crate::keysend::{Msat, NodeId, PaymentHash};
use crate::podcast::value::Custom;

/// The file name inside a node's data folder.
pub const STREAMS_FILE: &str = "streams.db";
const VERSION: u32 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS stream (
    id           TEXT    PRIMARY KEY,
    target       TEXT    NOT NULL,
    episode      TEXT    NOT NULL,
    rate_msat_hour INTEGER NOT NULL,
    batch_minutes INTEGER NOT NULL,
    cap_msat     INTEGER,
    state        TEXT    NOT NULL,
    reason       TEXT,
    content_ms   INTEGER NOT NULL,
    context      TEXT    NOT NULL,
    created_ms   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS stream_minute (
    stream_id    TEXT    NOT NULL REFERENCES stream (id),
    minute       INTEGER NOT NULL,
    msat         INTEGER NOT NULL,
    at_ms        INTEGER NOT NULL,
    PRIMARY KEY (stream_id, minute)
);
CREATE TABLE IF NOT EXISTS stream_ledger (
    stream_id    TEXT    NOT NULL REFERENCES stream (id),
    pubkey       TEXT    NOT NULL,
    custom_key   INTEGER NOT NULL,
    custom_value TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    accrued_msat INTEGER NOT NULL,
    paid_msat    INTEGER NOT NULL,
    PRIMARY KEY (stream_id, pubkey, custom_key, custom_value)
);
CREATE TABLE IF NOT EXISTS stream_leg (
    intent_id    TEXT    PRIMARY KEY,
    stream_id    TEXT    NOT NULL REFERENCES stream (id),
    batch_uuid   TEXT    NOT NULL,
    leg_uuid     TEXT    NOT NULL,
    pubkey       TEXT    NOT NULL,
    custom_key   INTEGER NOT NULL,
    custom_value TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    amount_msat  INTEGER NOT NULL,
    batch_msat   INTEGER NOT NULL,
    ts           INTEGER NOT NULL,
    hash         TEXT,
    state        TEXT    NOT NULL,
    error        TEXT,
    created_ms   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS recurring (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    pubkey       TEXT    NOT NULL,
    amount_msat  INTEGER NOT NULL,
    every        TEXT    NOT NULL,
    message      TEXT,
    created_ms   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS recurring_payment (
    recurring_id INTEGER NOT NULL,
    period       INTEGER NOT NULL,
    intent_id    TEXT    NOT NULL UNIQUE,
    amount_msat  INTEGER NOT NULL,
    state        TEXT    NOT NULL,
    at_ms        INTEGER NOT NULL,
    PRIMARY KEY (recurring_id, period)
);
CREATE TABLE IF NOT EXISTS recurring_feed (
    recurring_id INTEGER PRIMARY KEY,
    feed         TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS recurring_leg (
    intent_id    TEXT    PRIMARY KEY,
    payment_intent TEXT  NOT NULL,
    name         TEXT    NOT NULL,
    amount_msat  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS stream_config (
    key          TEXT    PRIMARY KEY,
    value        INTEGER NOT NULL
);
";

/// Where a stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamState {
    Running,
    Paused,
    Stopped,
}

impl StreamState {
    /// The word stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Stopped => "stopped",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "running" => Self::Running,
            "paused" => Self::Paused,
            _ => Self::Stopped,
        }
    }
}

/// One stream as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRow {
    pub id: String,
    /// The feed or contact as the user gave it.
    pub target: String,
    /// The episode guid ("" for the show or a contact).
    pub episode: String,
    pub rate_msat_hour: u64,
    pub batch_minutes: u32,
    pub cap: Option<Msat>,
    pub state: StreamState,
    /// Why it is paused or stopped.
    pub reason: Option<String>,
    /// Content time streamed so far.
    pub content_ms: i64,
    /// JSON of the boost context sent with each leg.
    pub context: String,
    pub created_ms: i64,
}

/// One recipient of a stream in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub node: NodeId,
    pub custom: Option<Custom>,
    pub name: String,
    pub msat: u64,
}

/// A recipient's ledger row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    pub node: NodeId,
    pub custom: Option<Custom>,
    pub name: String,
    pub accrued: Msat,
    pub paid: Msat,
    /// Held by legs in flight (part of owed).
    pub in_flight: Msat,
    /// Error of the last failed leg, when the last leg failed.
    pub last_error: Option<String>,
}

impl LedgerRow {
    /// `accrued - paid`: what is owed (in flight included).
    pub fn owed(&self) -> Msat {
        Msat(self.accrued.0.saturating_sub(self.paid.0))
    }
}

/// State of one batch leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegState {
    /// Written, not yet known to have reached the journal.
    Planned,
    /// Handed to the node (hash known).
    Dispatched,
    Succeeded,
    Failed,
}

impl LegState {
    /// The word stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Dispatched => "dispatched",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "planned" => Self::Planned,
            "dispatched" => Self::Dispatched,
            "succeeded" => Self::Succeeded,
            _ => Self::Failed,
        }
    }
}

/// One leg of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamLeg {
    pub intent_id: String,
    pub stream_id: String,
    pub batch_uuid: String,
    pub leg_uuid: String,
    pub node: NodeId,
    pub custom: Option<Custom>,
    pub name: String,
    pub amount: Msat,
    /// The whole batch (`value_msat_total`).
    pub batch_total: Msat,
    /// Content position in seconds (`ts`).
    pub ts: u64,
    pub hash: Option<PaymentHash>,
    pub state: LegState,
    pub error: Option<String>,
}

/// What accruing a minute did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accrued {
    Added,
    /// This minute was accrued before (a restart, a seek back).
    AlreadyAccrued,
    /// A cap stops it; the stream is paused with this reason.
    Capped(String),
}

/// A recurring tip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecurringRow {
    pub id: i64,
    pub name: String,
    pub node: NodeId,
    pub amount: Msat,
    pub every: String,
    pub message: Option<String>,
    pub created_ms: i64,
    /// The latest period paid (or being paid).
    pub last_period: Option<i64>,
    /// A tip to a feed's value block (paid over its splits with `action`
    /// "auto"): the feed as given (URL, file or the demo feed); `node` is
    /// then the block's first recipient.
    pub feed: Option<String>,
}

/// Why the streams file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StreamStoreError {
    #[error("the stream records ({path}) cannot be used: {reason}")]
    Db { path: String, reason: String },
    #[error("no stream or recurring tip with id {0:?}")]
    NotFound(String),
    #[error("the stream records were written by a newer Satchel (version {0})")]
    TooNew(u32),
}

/// A handle to `streams.db`; cheap to clone.
#[derive(Clone)]
pub struct StreamStore {
    db: NodeDb,
}

impl From<OpenError> for StreamStoreError {
    fn from(e: OpenError) -> Self {
        match e {
            OpenError::Db { path, reason } => Self::Db { path, reason },
            OpenError::TooNew(found) => Self::TooNew(found),
        }
    }
}

const DAILY_CAP_KEY: &str = "daily_cap_msat";
const DAY_MS: i64 = 86_400_000;

impl StreamStore {
    /// Open (or create) the streams file in `dir` (the node's data folder).
    pub fn open(dir: &Path) -> Result<Self, StreamStoreError> {
        Ok(Self {
            db: NodeDb::open(dir, STREAMS_FILE, SCHEMA, VERSION)?,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.db.lock()
    }

    fn db(&self, e: rusqlite::Error) -> StreamStoreError {
        self.db.error(e).into()
    }

    /// Run `work` on the blocking pool (commits fsync).
    pub async fn call<T, F>(&self, work: F) -> Result<T, StreamStoreError>
    where
        T: Send + 'static,
        F: FnOnce(&StreamStore) -> Result<T, StreamStoreError> + Send + 'static,
    {
        super::node_db::blocking(self.clone(), work).await
    }

    /// Write a new stream.
    pub fn create(&self, row: &StreamRow) -> Result<(), StreamStoreError> {
        let conn = self.lock();
        let _ = conn
            .execute(
                "INSERT INTO stream (id, target, episode, rate_msat_hour, batch_minutes, cap_msat, \
                 state, reason, content_ms, context, created_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    row.id,
                    row.target,
                    row.episode,
                    to_i64(row.rate_msat_hour),
                    row.batch_minutes,
                    row.cap.map(|c| to_i64(c.0)),
                    row.state.as_str(),
                    row.reason,
                    row.content_ms,
                    row.context,
                    row.created_ms
                ],
            )
            .map_err(|e| self.db(e))?;
        Ok(())
    }

    /// A stream by id.
    pub fn get(&self, id: &str) -> Result<StreamRow, StreamStoreError> {
        self.streams("WHERE id = ?1", params![id])?
            .pop()
            .ok_or_else(|| StreamStoreError::NotFound(id.to_owned()))
    }

    /// Streams not stopped, oldest first.
    pub fn open_streams(&self) -> Result<Vec<StreamRow>, StreamStoreError> {
        self.streams("WHERE state != 'stopped'", params![])
    }

    /// Every stream, newest first (at most `limit`).
    pub fn recent(&self, limit: u32) -> Result<Vec<StreamRow>, StreamStoreError> {
        let mut rows = self.streams("", params![])?;
        rows.reverse();
        rows.truncate(limit as usize);
        Ok(rows)
    }

    /// The unfinished stream to `target` (and episode), to carry on with.
    pub fn open_for(
        &self,
        target: &str,
        episode: &str,
    ) -> Result<Option<StreamRow>, StreamStoreError> {
        Ok(self
            .streams(
                "WHERE state != 'stopped' AND target = ?1 AND episode = ?2",
                params![target, episode],
            )?
            .pop())
    }

    fn streams(
        &self,
        filter: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<StreamRow>, StreamStoreError> {
        let conn = self.lock();
        let sql = format!(
            "SELECT id, target, episode, rate_msat_hour, batch_minutes, cap_msat, state, reason, \
             content_ms, context, created_ms FROM stream {filter} ORDER BY created_ms, id"
        );
        let mut statement = conn.prepare(&sql).map_err(|e| self.db(e))?;
        let rows = statement
            .query_map(args, |r| {
                Ok(StreamRow {
                    id: r.get(0)?,
                    target: r.get(1)?,
                    episode: r.get(2)?,
                    rate_msat_hour: to_u64(r.get(3)?),
                    batch_minutes: r.get(4)?,
                    cap: r.get::<_, Option<i64>>(5)?.map(|c| Msat(to_u64(c))),
                    state: StreamState::parse(&r.get::<_, String>(6)?),
                    reason: r.get(7)?,
                    content_ms: r.get(8)?,
                    context: r.get(9)?,
                    created_ms: r.get(10)?,
                })
            })
            .map_err(|e| self.db(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db(e))
    }

    /// Set a stream's state and the reason for it.
    pub fn set_state(
        &self,
        id: &str,
        state: StreamState,
        reason: Option<&str>,
    ) -> Result<(), StreamStoreError> {
        let conn = self.lock();
        let changed = conn
            .execute(
                "UPDATE stream SET state = ?2, reason = ?3 WHERE id = ?1",
                params![id, state.as_str(), reason],
            )
            .map_err(|e| self.db(e))?;
        match changed {
            0 => Err(StreamStoreError::NotFound(id.to_owned())),
            _ => Ok(()),
        }
    }

    /// Record how much content time has been streamed.
    pub fn set_content(&self, id: &str, content_ms: i64) -> Result<(), StreamStoreError> {
        let conn = self.lock();
        let _ = conn
            .execute(
                "UPDATE stream SET content_ms = MAX(content_ms, ?2) WHERE id = ?1",
                params![id, content_ms],
            )
            .map_err(|e| self.db(e))?;
        Ok(())
    }

    /// Accrue content minute `minute` of stream `id`: the shares go to the
    /// ledger, once, unless the stream's cap or the daily cap would be
    /// passed (then the stream is paused with the reason, nothing accrues).
    pub fn accrue(
        &self,
        id: &str,
        minute: u64,
        shares: &[Share],
        now_ms: i64,
    ) -> Result<Accrued, StreamStoreError> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.db(e))?;
        let result = accrue_in(&tx, id, minute, shares, now_ms).map_err(|e| self.db(e))?;
        if let Accrued::Capped(reason) = &result {
            let _ = tx
                .execute(
                    "UPDATE stream SET state = 'paused', reason = ?2 WHERE id = ?1",
                    params![id, reason],
                )
                .map_err(|e| self.db(e))?;
        }
        tx.commit().map_err(|e| self.db(e))?;
        Ok(result)
    }

    /// The ledger of a stream, one row per recipient.
    pub fn ledger(&self, id: &str) -> Result<Vec<LedgerRow>, StreamStoreError> {
        let conn = self.lock();
        let mut statement = conn
            .prepare_cached(
                "SELECT l.pubkey, l.custom_key, l.custom_value, l.name, l.accrued_msat, l.paid_msat, \
                 (SELECT COALESCE(SUM(amount_msat), 0) FROM stream_leg g WHERE g.stream_id = \
                  l.stream_id AND g.pubkey = l.pubkey AND g.custom_key = l.custom_key AND \
                  g.custom_value = l.custom_value AND g.state IN ('planned', 'dispatched')), \
                 (SELECT g.error FROM stream_leg g WHERE g.stream_id = l.stream_id AND g.pubkey \
                  = l.pubkey AND g.custom_key = l.custom_key AND g.custom_value = l.custom_value \
                  ORDER BY g.created_ms DESC, g.rowid DESC LIMIT 1) \
                 FROM stream_ledger l WHERE l.stream_id = ?1 ORDER BY l.rowid",
            )
            .map_err(|e| self.db(e))?;
        let rows = statement
            .query_map(params![id], |r| {
                Ok(LedgerRow {
                    node: node_of(&r.get::<_, String>(0)?)?,
                    custom: custom_of(r.get(1)?, r.get(2)?),
                    name: r.get(3)?,
                    accrued: Msat(to_u64(r.get(4)?)),
                    paid: Msat(to_u64(r.get(5)?)),
                    in_flight: Msat(to_u64(r.get(6)?)),
                    last_error: r.get(7)?,
                })
            })
            .map_err(|e| self.db(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db(e))
    }

    /// Write the legs of a new batch of stream `id`: every recipient whose
    /// owed amount (less what is in flight) holds at least 1 whole sat gets a
    /// leg of its whole sats. Nothing is sent; the legs reserve their amount.
    pub fn plan_batch(
        &self,
        id: &str,
        batch_uuid: &str,
        ts: u64,
        now_ms: i64,
    ) -> Result<Vec<StreamLeg>, StreamStoreError> {
        let ledger = self.ledger(id)?;
        let legs: Vec<(LedgerRow, Msat)> = ledger
            .into_iter()
            .filter_map(|row| {
                let free = row.owed().0.saturating_sub(row.in_flight.0);
                let whole = Msat(free / 1000 * 1000);
                (whole.0 > 0).then_some((row, whole))
            })
            .collect();
        let total = Msat(legs.iter().map(|(_, a)| a.0).sum());
        let planned: Vec<StreamLeg> = legs
            .into_iter()
            .enumerate()
            .map(|(i, (row, amount))| StreamLeg {
                intent_id: format!("stream-{batch_uuid}-{i}"),
                stream_id: id.to_owned(),
                batch_uuid: batch_uuid.to_owned(),
                leg_uuid: crate::podcast::boost::new_uuid(),
                node: row.node,
                custom: row.custom,
                name: row.name,
                amount,
                batch_total: total,
                ts,
                hash: None,
                state: LegState::Planned,
                error: None,
            })
            .collect();
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.db(e))?;
        for leg in &planned {
            insert_leg(&tx, leg, now_ms).map_err(|e| self.db(e))?;
        }
        tx.commit().map_err(|e| self.db(e))?;
        Ok(planned)
    }

    /// Legs not known to be final (planned or dispatched), of every stream.
    pub fn unfinished_legs(&self) -> Result<Vec<StreamLeg>, StreamStoreError> {
        self.legs("WHERE state IN ('planned', 'dispatched')", params![])
    }

    /// The legs of a stream, in order.
    pub fn legs_of(&self, id: &str) -> Result<Vec<StreamLeg>, StreamStoreError> {
        self.legs("WHERE stream_id = ?1", params![id])
    }

    fn legs(
        &self,
        filter: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<StreamLeg>, StreamStoreError> {
        let conn = self.lock();
        let sql = format!(
            "SELECT intent_id, stream_id, batch_uuid, leg_uuid, pubkey, custom_key, custom_value, \
             name, amount_msat, batch_msat, ts, hash, state, error FROM stream_leg {filter} \
             ORDER BY rowid"
        );
        let mut statement = conn.prepare(&sql).map_err(|e| self.db(e))?;
        let rows = statement
            .query_map(args, |r| {
                Ok(StreamLeg {
                    intent_id: r.get(0)?,
                    stream_id: r.get(1)?,
                    batch_uuid: r.get(2)?,
                    leg_uuid: r.get(3)?,
                    node: node_of(&r.get::<_, String>(4)?)?,
                    custom: custom_of(r.get(5)?, r.get(6)?),
                    name: r.get(7)?,
                    amount: Msat(to_u64(r.get(8)?)),
                    batch_total: Msat(to_u64(r.get(9)?)),
                    ts: to_u64(r.get(10)?),
                    hash: r.get::<_, Option<String>>(11)?.and_then(|h| h.parse().ok()),
                    state: LegState::parse(&r.get::<_, String>(12)?),
                    error: r.get(13)?,
                })
            })
            .map_err(|e| self.db(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.db(e))
    }

    /// Set a leg's state; the first success adds its amount to `paid`, in
    /// the same transaction. A final leg never changes again.
    pub fn set_leg(
        &self,
        intent_id: &str,
        state: LegState,
        hash: Option<PaymentHash>,
        error: Option<&str>,
    ) -> Result<(), StreamStoreError> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.db(e))?;
        let changed = tx
            .execute(
                "UPDATE stream_leg SET state = ?2, hash = COALESCE(?3, hash), error = ?4 \
                 WHERE intent_id = ?1 AND state IN ('planned', 'dispatched')",
                params![intent_id, state.as_str(), hash.map(|h| h.to_hex()), error],
            )
            .map_err(|e| self.db(e))?;
        if changed == 1 && state == LegState::Succeeded {
            let _ = tx
                .execute(
                    "UPDATE stream_ledger SET paid_msat = paid_msat + g.amount_msat \
                     FROM (SELECT stream_id, pubkey, custom_key, custom_value, amount_msat \
                           FROM stream_leg WHERE intent_id = ?1) AS g \
                     WHERE stream_ledger.stream_id = g.stream_id AND stream_ledger.pubkey = \
                     g.pubkey AND stream_ledger.custom_key = g.custom_key AND \
                     stream_ledger.custom_value = g.custom_value",
                    params![intent_id],
                )
                .map_err(|e| self.db(e))?;
        }
        tx.commit().map_err(|e| self.db(e))
    }

    /// Every ledger row agrees with the minutes and the paid legs: per
    /// stream, accrued is the sum of its minutes; per recipient, paid is the
    /// sum of its succeeded legs and never above accrued. The broken rows,
    /// described (empty when the ledger holds).
    pub fn check_invariant(&self) -> Result<Vec<String>, StreamStoreError> {
        let conn = self.lock();
        let mut broken = Vec::new();
        let mut statement = conn
            .prepare(
                "SELECT s.id, (SELECT COALESCE(SUM(msat), 0) FROM stream_minute m WHERE \
                 m.stream_id = s.id), (SELECT COALESCE(SUM(accrued_msat), 0) FROM stream_ledger l \
                 WHERE l.stream_id = s.id) FROM stream s",
            )
            .map_err(|e| self.db(e))?;
        let rows = statement
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .map_err(|e| self.db(e))?;
        for row in rows {
            let (id, minutes, accrued) = row.map_err(|e| self.db(e))?;
            if minutes != accrued {
                broken.push(format!(
                    "stream {id}: minutes {minutes} != accrued {accrued}"
                ));
            }
        }
        let mut statement = conn
            .prepare(
                "SELECT l.stream_id, l.pubkey, l.accrued_msat, l.paid_msat, \
                 (SELECT COALESCE(SUM(amount_msat), 0) FROM stream_leg g WHERE g.stream_id = \
                  l.stream_id AND g.pubkey = l.pubkey AND g.custom_key = l.custom_key AND \
                  g.custom_value = l.custom_value AND g.state = 'succeeded') FROM stream_ledger l",
            )
            .map_err(|e| self.db(e))?;
        let rows = statement
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .map_err(|e| self.db(e))?;
        for row in rows {
            let (id, key, accrued, paid, legs) = row.map_err(|e| self.db(e))?;
            if paid != legs || paid > accrued + 999 {
                broken.push(format!(
                    "stream {id} recipient {key}: accrued {accrued}, paid {paid}, succeeded legs {legs}"
                ));
            }
        }
        Ok(broken)
    }

    /// The daily cap across every stream and recurring tip, if set.
    pub fn daily_cap(&self) -> Result<Option<Msat>, StreamStoreError> {
        let conn = self.lock();
        daily_cap_in(&conn)
            .map(|c| c.map(Msat))
            .map_err(|e| self.db(e))
    }

    /// Set (or clear, with `None`) the daily cap.
    pub fn set_daily_cap(&self, cap: Option<Msat>) -> Result<(), StreamStoreError> {
        let conn = self.lock();
        let _ = match cap {
            Some(cap) => conn.execute(
                "INSERT INTO stream_config (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![DAILY_CAP_KEY, to_i64(cap.0)],
            ),
            None => conn.execute(
                "DELETE FROM stream_config WHERE key = ?1",
                params![DAILY_CAP_KEY],
            ),
        }
        .map_err(|e| self.db(e))?;
        Ok(())
    }

    /// What streams accrued and recurring tips took on the UTC day of `now_ms`.
    pub fn spent_today(&self, now_ms: i64) -> Result<Msat, StreamStoreError> {
        let conn = self.lock();
        spent_on_day(&conn, now_ms)
            .map(|m| Msat(to_u64(m)))
            .map_err(|e| self.db(e))
    }

    pub(crate) fn with_conn<T>(
        &self,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StreamStoreError> {
        let mut conn = self.lock();
        work(&mut conn).map_err(|e| self.db(e))
    }
}

fn accrue_in(
    tx: &Transaction<'_>,
    id: &str,
    minute: u64,
    shares: &[Share],
    now_ms: i64,
) -> rusqlite::Result<Accrued> {
    let seen: Option<i64> = tx
        .query_row(
            "SELECT 1 FROM stream_minute WHERE stream_id = ?1 AND minute = ?2",
            params![id, to_i64(minute)],
            |r| r.get(0),
        )
        .optional()?;
    if seen.is_some() {
        return Ok(Accrued::AlreadyAccrued);
    }
    let msat: u64 = shares.iter().map(|s| s.msat).sum();
    let (cap, accrued): (Option<i64>, i64) = tx.query_row(
        "SELECT cap_msat, (SELECT COALESCE(SUM(msat), 0) FROM stream_minute WHERE stream_id = ?1) \
         FROM stream WHERE id = ?1",
        params![id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if let Some(cap) = cap.filter(|cap| accrued + to_i64(msat) > *cap) {
        return Ok(Accrued::Capped(format!(
            "the stream's cap of {} is reached",
            Msat(to_u64(cap))
        )));
    }
    if let Some(cap) = daily_cap_in(tx)?
        && to_u64(spent_on_day(tx, now_ms)?) + msat > cap
    {
        return Ok(Accrued::Capped(format!(
            "the daily cap of {} is reached",
            Msat(cap)
        )));
    }
    let _ = tx.execute(
        "INSERT INTO stream_minute (stream_id, minute, msat, at_ms) VALUES (?1, ?2, ?3, ?4)",
        params![id, to_i64(minute), to_i64(msat), now_ms],
    )?;
    for share in shares {
        let (key, value) = custom_columns(share.custom.as_ref());
        let _ = tx.execute(
            "INSERT INTO stream_ledger (stream_id, pubkey, custom_key, custom_value, name, \
             accrued_msat, paid_msat) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0) \
             ON CONFLICT (stream_id, pubkey, custom_key, custom_value) \
             DO UPDATE SET accrued_msat = accrued_msat + excluded.accrued_msat",
            params![
                id,
                share.node.to_hex(),
                key,
                value,
                share.name,
                to_i64(share.msat)
            ],
        )?;
    }
    let _ = tx.execute(
        "UPDATE stream SET content_ms = MAX(content_ms, ?2) WHERE id = ?1",
        params![id, to_i64((minute + 1) * 60_000)],
    )?;
    Ok(Accrued::Added)
}

fn insert_leg(tx: &Transaction<'_>, leg: &StreamLeg, now_ms: i64) -> rusqlite::Result<()> {
    let (key, value) = custom_columns(leg.custom.as_ref());
    let _ = tx.execute(
        "INSERT INTO stream_leg (intent_id, stream_id, batch_uuid, leg_uuid, pubkey, custom_key, \
         custom_value, name, amount_msat, batch_msat, ts, hash, state, error, created_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, NULL, ?12, NULL, ?13)",
        params![
            leg.intent_id,
            leg.stream_id,
            leg.batch_uuid,
            leg.leg_uuid,
            leg.node.to_hex(),
            key,
            value,
            leg.name,
            to_i64(leg.amount.0),
            to_i64(leg.batch_total.0),
            to_i64(leg.ts),
            leg.state.as_str(),
            now_ms
        ],
    )?;
    Ok(())
}

fn daily_cap_in(conn: &Connection) -> rusqlite::Result<Option<u64>> {
    conn.query_row(
        "SELECT value FROM stream_config WHERE key = ?1",
        params![DAILY_CAP_KEY],
        |r| r.get::<_, i64>(0),
    )
    .optional()
    .map(|v| v.map(to_u64))
}

fn spent_on_day(conn: &Connection, now_ms: i64) -> rusqlite::Result<i64> {
    let start = now_ms.div_euclid(DAY_MS) * DAY_MS;
    let end = start + DAY_MS;
    conn.query_row(
        "SELECT (SELECT COALESCE(SUM(msat), 0) FROM stream_minute WHERE at_ms >= ?1 AND at_ms < ?2) \
         + (SELECT COALESCE(SUM(amount_msat), 0) FROM recurring_payment WHERE at_ms >= ?1 AND \
            at_ms < ?2 AND state != 'failed')",
        params![start, end],
        |r| r.get(0),
    )
}

pub(crate) fn custom_columns(custom: Option<&Custom>) -> (i64, String) {
    custom.map_or((0, String::new()), |c| (to_i64(c.key), c.value.clone()))
}

fn custom_of(key: i64, value: String) -> Option<Custom> {
    (key != 0).then(|| Custom {
        key: to_u64(key),
        value,
    })
}

pub(crate) fn node_of(hex: &str) -> rusqlite::Result<NodeId> {
    hex.parse().map_err(|e: crate::keysend::NodeIdError| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub(crate) fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

pub(crate) fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

#[cfg(test)]
#[path = "stream_store_tests.rs"]
mod tests;
