//! The send journal (`journal.db`): every keysend is written down, fsync'd,
//! before the node hears of it, so a crash can never lose a payment or send
//! it twice. The payment hash is the idempotency key (research notes §2.9).
//!
//! States: `Pending` (persisted, node not called) -> `Dispatched` (handed to
//! the node) -> `InFlight` -> `Succeeded` | `Failed`; `NotSent` when the node
//! never saw it (then `resend_same` or `Discarded`, on the user's word only).
//!
//! One journal per profile; each entry names the node it was sent from
//! (schema version 3), and only that node may judge it: another node's
//! NOT_FOUND says nothing about a payment it never saw. Entries written
//! before version 3 name no node until the node they were sent from
//! recognises one (see [`Journal::adopt`]).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::journal_row::read_row;
use super::journal_state::{JournalState, failure_code};
use super::owner::{self, Owner};
use super::schema::BUSY_TIMEOUT;
use super::{JournalError, blob};
use crate::keysend::{Msat, NodeId, PaymentHash};
use crate::node::{OutgoingKeysend, PaymentFailure};

/// A handle to the journal; cheap to clone.
#[derive(Clone)]
pub struct Journal {
    conn: Arc<Mutex<Connection>>,
    /// This process's claim on the entries it writes.
    owner: Arc<Owner>,
    path: PathBuf,
    /// See [`Journal::confirm_not_found`].
    confirm_not_found: Duration,
    /// The node this handle sends from (see [`Journal::on_node`]).
    node: Option<NodeId>,
}

/// One journaled keysend.
#[derive(Debug, Clone)]
pub struct JournalEntry {
    /// Chosen by the UI, one per composed tip: guards against double submits.
    pub intent_id: String,
    /// Exactly what goes (or went) to the node, preimage included.
    pub keysend: OutgoingKeysend,
    pub state: JournalState,
    pub failure: Option<PaymentFailure>,
    /// Routing fee paid, once known.
    pub fee: Option<Msat>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds.
    pub updated_at: i64,
    /// The node it was sent from; `None` for an entry written before the
    /// journal recorded nodes and not yet adopted.
    pub node: Option<NodeId>,
}

impl JournalEntry {
    /// The payment hash.
    pub fn hash(&self) -> PaymentHash {
        self.keysend.hash()
    }
}

/// Whose an entry is, seen from the node a journal handle sends from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owned {
    /// Sent from this node (or the handle names no node: tests, tools).
    Here,
    /// Sent from another node: only that node can say what became of it.
    Elsewhere(NodeId),
    /// Written before entries named their node; this node may adopt it
    /// once it recognises the payment.
    Unclaimed,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS journal (
    id          INTEGER PRIMARY KEY,
    intent_id   TEXT    NOT NULL UNIQUE,
    destination BLOB    NOT NULL,
    amount_msat INTEGER NOT NULL,
    records     BLOB    NOT NULL,
    preimage    BLOB    NOT NULL,
    hash        BLOB    NOT NULL UNIQUE,
    fee_limit_msat INTEGER NOT NULL,
    timeout_ms  INTEGER NOT NULL,
    state       TEXT    NOT NULL,
    failure     TEXT,
    fee_msat    INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    owner       TEXT,
    node        BLOB
);
CREATE INDEX IF NOT EXISTS journal_state ON journal (state);
";
const COLUMNS: &str = "intent_id, destination, amount_msat, records, preimage, fee_limit_msat, \
    timeout_ms, state, failure, fee_msat, created_at, updated_at, node";
/// The journal schema version: 2 added the `owner` column, 3 the `node`
/// an entry was sent from.
const VERSION: u32 = 3;
/// The stored schema version; a newer one than this build knows is refused.
fn version(conn: &Connection) -> Result<u32, JournalError> {
    let found: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > VERSION {
        return Err(JournalError::TooNew {
            found,
            supported: VERSION,
        });
    }
    Ok(found)
}

impl Journal {
    /// Open (or create) the journal at `path`. Every commit is fsync'd
    /// (WAL, `synchronous=FULL`). An unreadable journal is an error, never
    /// replaced: it may hold the only copy of a preimage.
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| JournalError::io(dir, e))?;
        }
        super::file::make_private(path).map_err(|e| JournalError::io(path, e))?;
        let conn = Connection::open(path)?;
        // First, so that every later statement waits for other processes.
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Self::prepare(&conn).map_err(|e| e.damaged_at(path))?;
        let owner = Owner::claim(path).map_err(|e| JournalError::io(path, e))?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            owner: Arc::new(owner),
            path: path.to_owned(),
            confirm_not_found: Self::CONFIRM_NOT_FOUND,
            node: None,
        })
    }

    /// This handle (and its clones) sending from `node`: new entries name
    /// it, and entries of other nodes are refused (see [`Journal::owned`]).
    pub fn on_node(mut self, node: NodeId) -> Self {
        self.node = Some(node);
        self
    }

    /// The node this handle sends from, if it names one.
    pub fn node(&self) -> Option<NodeId> {
        self.node
    }

    /// Whose `entry` is, seen from this handle's node.
    pub fn owned(&self, entry: &JournalEntry) -> Owned {
        match (self.node, entry.node) {
            (None, _) => Owned::Here,
            (Some(me), Some(theirs)) if me == theirs => Owned::Here,
            (Some(_), Some(theirs)) => Owned::Elsewhere(theirs),
            (Some(_), None) => Owned::Unclaimed,
        }
    }

    /// `Ok` when this handle's node may decide about `entry` (resend it,
    /// discard it, call it not sent); otherwise the error names the node to
    /// connect to.
    pub fn may_decide(&self, entry: &JournalEntry) -> Result<(), JournalError> {
        match self.owned(entry) {
            Owned::Here => Ok(()),
            Owned::Elsewhere(node) => Err(JournalError::SentElsewhere {
                node: Some(node),
                name: super::node_files::known_name(self.profile(), &node),
            }),
            Owned::Unclaimed => Err(JournalError::SentElsewhere {
                node: None,
                name: String::new(),
            }),
        }
    }

    /// The profile folder the journal lives in.
    fn profile(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// Record that an entry written before entries named their node was
    /// sent from this handle's node (the node recognised its payment hash).
    /// Never changes an entry that already names a node.
    pub fn adopt(&self, intent_id: &str) -> Result<Option<JournalEntry>, JournalError> {
        let Some(node) = self.node else {
            return self.get(intent_id);
        };
        let _ = self.lock().execute(
            "UPDATE journal SET node = ?2 WHERE intent_id = ?1 AND node IS NULL",
            params![intent_id, &node.as_bytes()[..]],
        )?;
        self.get(intent_id)
    }

    /// How long the send flow and reconcile wait to ask the node again after
    /// a NOT_FOUND for a payment that may have reached it, by default.
    pub const CONFIRM_NOT_FOUND: Duration = Duration::from_secs(3);

    /// A NOT_FOUND from TrackPaymentV2 right after a broken connection can
    /// come before LND has registered a SendPaymentV2 that was on its way
    /// (research notes §2.9): an entry that may have reached the node is
    /// only written `NotSent` when the node still has no such payment this
    /// long after its first NOT_FOUND.
    pub fn confirm_not_found(&self) -> Duration {
        self.confirm_not_found
    }

    /// This handle (and its clones) with another [`Journal::confirm_not_found`]
    /// delay; tests shorten it.
    pub fn with_confirm_not_found(mut self, wait: Duration) -> Self {
        self.confirm_not_found = wait;
        self
    }

    /// Configure, check and create the schema.
    fn prepare(conn: &Connection) -> Result<(), JournalError> {
        super::schema::use_wal(conn)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let _ = version(conn)?;
        super::index_file::quick_check(conn).map_err(JournalError::Unreadable)?;
        // Read the version again under the write lock: processes opening an
        // old file at once migrate it once.
        let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let found = version(&tx)?;
        tx.execute_batch(SCHEMA)?;
        if found == 1 {
            tx.execute_batch("ALTER TABLE journal ADD COLUMN owner TEXT")?;
        }
        if (1..3).contains(&found) {
            tx.execute_batch("ALTER TABLE journal ADD COLUMN node BLOB")?;
        }
        if found != VERSION {
            tx.pragma_update(None, "user_version", VERSION)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Run `work` on the blocking pool (for async callers; commits fsync).
    pub async fn call<T, F>(&self, work: F) -> Result<T, JournalError>
    where
        T: Send + 'static,
        F: FnOnce(&Journal) -> Result<T, JournalError> + Send + 'static,
    {
        let journal = self.clone();
        tokio::task::spawn_blocking(move || work(&journal))
            .await
            .map_err(|_| JournalError::Interrupted)?
    }

    /// Open the journal of a profile (`Paths::journal_db`), bound to no
    /// node (tools and tests; a session uses [`super::NodeFiles::open`]).
    pub fn open_profile(paths: &crate::store::Paths) -> Result<Self, JournalError> {
        Self::open(&paths.journal_db())
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Persist a new send as `Pending`, durably, before the node is called.
    /// The same `intent_id` (or the same payment hash) twice is refused with
    /// [`JournalError::AlreadySubmitted`].
    pub fn begin(
        &self,
        intent_id: &str,
        keysend: &OutgoingKeysend,
    ) -> Result<JournalEntry, JournalError> {
        let now = now_ms();
        let conn = self.lock();
        let inserted = conn.prepare_cached(INSERT)?.execute(params![
            intent_id,
            &keysend.destination.as_bytes()[..],
            keysend.amount.0 as i64,
            blob::encode(&keysend.records),
            &keysend.preimage.as_bytes()[..],
            &keysend.hash().as_bytes()[..],
            keysend.fee_limit.0 as i64,
            i64::try_from(keysend.timeout.as_millis()).unwrap_or(i64::MAX),
            JournalState::Pending.as_str(),
            now,
            self.owner.token(),
            self.node.map(|n| n.as_bytes().to_vec()),
        ]);
        match inserted {
            Ok(_) => {}
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {
                return Err(JournalError::AlreadySubmitted {
                    intent_id: intent_id.to_owned(),
                });
            }
            Err(e) => return Err(e.into()),
        }
        let entry = JournalEntry {
            intent_id: intent_id.to_owned(),
            keysend: keysend.clone(),
            state: JournalState::Pending,
            failure: None,
            fee: None,
            created_at: now,
            updated_at: now,
            node: self.node,
        };
        Ok(entry)
    }

    /// Issue 17: the node named an AMP entry by the set id it drew; keep it
    /// with the entry (its hash from now on). An entry that knows its set
    /// id already is left as it is.
    pub fn identify(
        &self,
        intent_id: &str,
        set_id: PaymentHash,
    ) -> Result<JournalEntry, JournalError> {
        let entry = self
            .get(intent_id)?
            .ok_or_else(|| JournalError::NotFound(intent_id.to_owned()))?;
        if !entry.keysend.awaits_set_id() {
            return Ok(entry);
        }
        let keysend = entry.keysend.clone().identified(set_id);
        let _ = self.lock().execute(
            "UPDATE journal SET records = ?2, hash = ?3, updated_at = ?4 \
             WHERE intent_id = ?1 AND hash = ?5",
            params![
                intent_id,
                blob::encode(&keysend.records),
                &set_id.as_bytes()[..],
                now_ms(),
                &entry.hash().as_bytes()[..],
            ],
        )?;
        self.get(intent_id)?
            .ok_or_else(|| JournalError::NotFound(intent_id.to_owned()))
    }

    /// The entry for `intent_id`, if any.
    pub fn get(&self, intent_id: &str) -> Result<Option<JournalEntry>, JournalError> {
        let sql = format!("SELECT {COLUMNS} FROM journal WHERE intent_id = ?1");
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&sql)?;
        let row = stmt.query_row([intent_id], read_row).optional()?;
        row.transpose()
    }

    /// The entry whose payment hash is `hash`, if any.
    pub fn by_hash(&self, hash: &PaymentHash) -> Result<Option<JournalEntry>, JournalError> {
        let sql = format!("SELECT {COLUMNS} FROM journal WHERE hash = ?1");
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&sql)?;
        let row = stmt
            .query_row([&hash.as_bytes()[..]], read_row)
            .optional()?;
        row.transpose()
    }

    /// Entries whose outcome is not settled yet (`Pending`, `Dispatched`,
    /// `InFlight`, `NotSent`), oldest first.
    pub fn unfinished(&self) -> Result<Vec<JournalEntry>, JournalError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM journal WHERE state IN ('pending', 'dispatched', \
             'in_flight', 'not_sent') ORDER BY id"
        );
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], read_row)?;
        rows.map(|r| r?).collect()
    }

    /// [`Journal::unfinished`] without the entries another running process
    /// is still sending (reconcile must not second-guess those).
    pub fn orphaned(&self) -> Result<Vec<JournalEntry>, JournalError> {
        let owners: std::collections::HashMap<String, String> = {
            let conn = self.lock();
            let mut stmt = conn.prepare_cached(
                "SELECT intent_id, owner FROM journal WHERE owner IS NOT NULL AND state IN \
                 ('pending', 'dispatched', 'in_flight', 'not_sent')",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let mine = self.owner.token();
        let mut entries = self.unfinished()?;
        entries.retain(|entry| match owners.get(&entry.intent_id) {
            Some(token) if token != mine => !owner::is_alive(&self.path, token),
            _ => true,
        });
        Ok(entries)
    }

    /// Move `intent_id` to `state`, recording a failure reason and fee when
    /// given. Refuses moves the state machine does not allow.
    pub fn update(
        &self,
        intent_id: &str,
        state: JournalState,
        failure: Option<PaymentFailure>,
        fee: Option<Msat>,
    ) -> Result<JournalEntry, JournalError> {
        self.update_where(intent_id, None, state, failure, fee)
    }

    /// Move `intent_id` from `from` to `to`, in one transaction: refused with
    /// [`JournalError::InvalidTransition`] (naming the state found) when the
    /// entry is no longer in `from`. Claims an entry against a concurrent
    /// writer, e.g. two "send now" clicks, or reconcile against a resend.
    pub fn update_from(
        &self,
        intent_id: &str,
        from: JournalState,
        to: JournalState,
    ) -> Result<JournalEntry, JournalError> {
        self.update_where(intent_id, Some(from), to, None, None)
    }

    /// [`Journal::update`], only when the entry is still in `from` (as
    /// [`Journal::update_from`]): writes what the node said about an entry
    /// read a while ago without undoing what another writer recorded since.
    pub fn update_if(
        &self,
        intent_id: &str,
        from: JournalState,
        state: JournalState,
        failure: Option<PaymentFailure>,
        fee: Option<Msat>,
    ) -> Result<JournalEntry, JournalError> {
        self.update_where(intent_id, Some(from), state, failure, fee)
    }

    /// [`Journal::update`], optionally only when the stored state is `expected`.
    fn update_where(
        &self,
        intent_id: &str,
        expected: Option<JournalState>,
        state: JournalState,
        failure: Option<PaymentFailure>,
        fee: Option<Msat>,
    ) -> Result<JournalEntry, JournalError> {
        let mut conn = self.lock();
        // Immediate: a read-then-write transaction started deferred fails at
        // once (no busy wait) when another process wrote in between.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: Option<String> = tx
            .query_row(
                "SELECT state FROM journal WHERE intent_id = ?1",
                [intent_id],
                |r| r.get(0),
            )
            .optional()?;
        let current = current.ok_or_else(|| JournalError::NotFound(intent_id.to_owned()))?;
        let from = JournalState::parse(&current).ok_or(JournalError::Unreadable(current))?;
        if !from.can_become(state) || expected.is_some_and(|e| e != from) {
            return Err(JournalError::InvalidTransition { from, to: state });
        }
        let _ = tx.execute(
            "UPDATE journal SET state = ?2, failure = coalesce(?3, failure), \
             fee_msat = coalesce(?4, fee_msat), updated_at = ?5, owner = ?6 \
             WHERE intent_id = ?1",
            params![
                intent_id,
                state.as_str(),
                failure.map(failure_code),
                fee.map(|f| f.0 as i64),
                now_ms(),
                self.owner.token(),
            ],
        )?;
        tx.commit()?;
        drop(conn);
        self.get(intent_id)?
            .ok_or_else(|| JournalError::NotFound(intent_id.to_owned()))
    }
}

const INSERT: &str = "INSERT INTO journal (intent_id, destination, amount_msat, records, \
    preimage, hash, fee_limit_msat, timeout_ms, state, created_at, updated_at, owner, node) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12)";

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
