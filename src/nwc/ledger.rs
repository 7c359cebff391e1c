//! `nwc.db`: what each wallet connection has spent and holds in flight,
//! shared by every process serving the profile (the GUI and `satchel nwc
//! serve`, or two `serve`s). A payment's amount is reserved here, in one
//! `BEGIN IMMEDIATE` transaction that sums the connection's window and
//! inserts the reservation only when it fits, so two processes can never
//! spend past a budget between them. A reservation is keyed by the payment's
//! journal intent id: it becomes a spend when the payment succeeds, is
//! deleted when it fails, and after a crash is resolved by what the journal
//! says of that intent ([`Ledger::recover`]).
//!
//! Commits are not synced one by one (see [`Ledger::open`]): a process
//! that dies loses nothing, a power cut can lose the last milliseconds of
//! reservations, whose payments the journal still holds.
//!
//! The file is the profile's (beside `nwc.json` and the journal), not a
//! node's: a budget belongs to the connection, and a second node must not
//! give an app a second budget.

use std::sync::MutexGuard;

use rusqlite::{Connection as Db, ErrorCode, TransactionBehavior, params};

use super::budget::{OverBudget, Period, Spend};
use super::connection::Connection;
use super::error::NwcError;
use crate::store::Paths;
use crate::wallet::{Journal, JournalState, NodeDb, NodeDbError};

/// The file name in the profile's data folder.
pub const LEDGER_FILE: &str = "nwc.db";
const VERSION: u32 = 1;

/// A reservation with no journal entry this old (seconds) belonged to a
/// process that stopped between reserving and writing the journal (a few
/// milliseconds apart): it is released.
const ORPHAN_AFTER: u64 = 10 * 60;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS reservation (
    intent      TEXT    PRIMARY KEY,
    wallet      TEXT    NOT NULL,
    msat        INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('held', 'spent')),
    hash        TEXT
);
CREATE INDEX IF NOT EXISTS reservation_wallet ON reservation (wallet, state, at);
CREATE TABLE IF NOT EXISTS imported (
    wallet      TEXT    PRIMARY KEY
);
";

/// Why a reservation was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// It would take the connection past its budget.
    Over(OverBudget),
    /// This intent is reserved already (another process took the request).
    Taken,
    /// The file could not be read or written.
    Failed(String),
}

/// What a crash left behind, resolved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recovered {
    /// Reservations whose payment succeeded: now spends.
    pub spent: usize,
    /// Reservations whose payment failed or never started: released.
    pub released: usize,
    /// Reservations whose payment is still in flight: kept.
    pub held: usize,
}

/// The profile's budget ledger, open; cheap to clone.
#[derive(Clone)]
pub struct Ledger {
    db: NodeDb,
}

impl Ledger {
    /// Open (or create) the profile's ledger.
    pub fn open(paths: &Paths) -> Result<Self, NwcError> {
        paths.ensure()?;
        let db = NodeDb::open(paths.data_dir(), LEDGER_FILE, SCHEMA, VERSION).map_err(opened)?;
        // Commits are atomic and seen by every process at once, but not
        // synced one by one: a reservation sits between an app's request and
        // the payment, where the journal's durable write already is. The
        // service calls [`Ledger::flush`] while the payment goes.
        db.lock()
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| opened(db.error(e)))?;
        Ok(Self { db })
    }

    /// Sync what was committed to the disk (a WAL checkpoint syncs the
    /// log first).
    pub fn flush(&self) -> Result<(), NwcError> {
        self.lock()
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
            .map_err(|e| self.failed(e))
    }

    fn lock(&self) -> MutexGuard<'_, Db> {
        self.db.lock()
    }

    fn failed(&self, e: rusqlite::Error) -> NwcError {
        opened(self.db.error(e))
    }

    /// Spends recorded in `nwc.json` before this ledger existed are carried
    /// over once per connection, so an upgrade does not renew a budget.
    pub fn import(&self, connections: &[Connection]) -> Result<(), NwcError> {
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.failed(e))?;
        for connection in connections {
            let fresh = tx
                .execute(
                    "INSERT OR IGNORE INTO imported (wallet) VALUES (?1)",
                    [&connection.wallet_pubkey],
                )
                .map_err(|e| self.failed(e))?;
            if fresh == 0 {
                continue;
            }
            for (n, spend) in connection.spends.iter().enumerate() {
                let intent = format!("import:{}:{n}", connection.wallet_pubkey);
                let _ = tx
                    .execute(
                        "INSERT OR IGNORE INTO reservation (intent, wallet, msat, at, state, hash)
                         VALUES (?1, ?2, ?3, ?4, 'spent', ?5)",
                        params![
                            intent,
                            connection.wallet_pubkey,
                            sql_int(spend.msat),
                            sql_int(spend.at),
                            spend.hash
                        ],
                    )
                    .map_err(|e| self.failed(e))?;
            }
        }
        tx.commit().map_err(|e| self.failed(e))
    }

    /// Reserve `msat` for `connection` under `intent` at `now` when what it
    /// spent in its window, plus what it holds, plus `msat` stays within its
    /// budget. One write transaction: atomic across processes.
    pub fn reserve(
        &self,
        connection: &Connection,
        intent: &str,
        msat: u64,
        now: u64,
    ) -> Result<(), Refused> {
        let failed = |e: rusqlite::Error| Refused::Failed(self.failed(e).to_string());
        let mut conn = self.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed)?;
        // Taken first: a request another process holds or paid is its to
        // answer (this one must not answer it QUOTA_EXCEEDED meanwhile).
        let taken = tx
            .prepare_cached("SELECT 1 FROM reservation WHERE intent = ?1")
            .and_then(|mut stmt| stmt.exists([intent]))
            .map_err(failed)?;
        if taken {
            return Err(Refused::Taken);
        }
        if let Some(budget) = connection.budget_msat {
            let (spent, held) =
                totals(&tx, &connection.wallet_pubkey, connection.period, now).map_err(failed)?;
            if spent.saturating_add(held).saturating_add(msat) > budget {
                return Err(Refused::Over(OverBudget {
                    budget,
                    spent,
                    reserved: held,
                    asked: msat,
                }));
            }
        }
        let inserted = tx.execute(
            "INSERT INTO reservation (intent, wallet, msat, at, state) VALUES (?1, ?2, ?3, ?4, 'held')",
            params![intent, connection.wallet_pubkey, sql_int(msat), sql_int(now)],
        );
        let _ = match inserted {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == ErrorCode::ConstraintViolation =>
            {
                return Err(Refused::Taken);
            }
            other => other.map_err(failed)?,
        };
        tx.commit().map_err(failed)
    }

    /// The payment of `intent` succeeded: its reservation becomes a spend of
    /// `msat` at `now`.
    pub fn settle(&self, intent: &str, msat: u64, hash: &str, now: u64) -> Result<(), NwcError> {
        let _ = self
            .lock()
            .execute(
                "UPDATE reservation SET state = 'spent', msat = ?2, at = ?3, hash = ?4
                 WHERE intent = ?1",
                params![intent, sql_int(msat), sql_int(now), hash],
            )
            .map_err(|e| self.failed(e))?;
        Ok(())
    }

    /// The payment of `intent` did not go: its reservation is given back.
    pub fn release(&self, intent: &str) -> Result<(), NwcError> {
        let _ = self
            .lock()
            .execute(
                "DELETE FROM reservation WHERE intent = ?1 AND state = 'held'",
                [intent],
            )
            .map_err(|e| self.failed(e))?;
        Ok(())
    }

    /// Spent in the connection's window ending `now`, and held in flight (msat).
    pub fn usage(&self, connection: &Connection, now: u64) -> Result<(u64, u64), NwcError> {
        totals(
            &self.lock(),
            &connection.wallet_pubkey,
            connection.period,
            now,
        )
        .map_err(|e| self.failed(e))
    }

    /// The connection's spends, oldest first (for lists and Sent).
    pub fn spends(&self, wallet_pubkey: &str) -> Result<Vec<Spend>, NwcError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT at, msat, hash FROM reservation WHERE wallet = ?1 AND state = 'spent'
                 ORDER BY at",
            )
            .map_err(|e| self.failed(e))?;
        let rows = stmt
            .query_map([wallet_pubkey], |row| {
                Ok(Spend {
                    at: u64::try_from(row.get::<_, i64>(0)?).unwrap_or(0),
                    msat: u64::try_from(row.get::<_, i64>(1)?).unwrap_or(0),
                    hash: row.get(2)?,
                })
            })
            .map_err(|e| self.failed(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.failed(e))
    }

    /// Resolve reservations a stopped process left held, by what the
    /// journal says of their intent: succeeded, a spend; failed or never
    /// sent, released; in flight, kept (it still counts against the budget).
    /// A reservation without a journal entry is released once it is older
    /// than a reserve-to-journal step could ever take.
    pub fn recover(&self, journal: &Journal, now: u64) -> Result<Recovered, NwcError> {
        let held: Vec<(String, u64)> = {
            let conn = self.lock();
            let mut stmt = conn
                .prepare("SELECT intent, at FROM reservation WHERE state = 'held'")
                .map_err(|e| self.failed(e))?;
            let rows = stmt
                .query_map([], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        u64::try_from(row.get::<_, i64>(1)?).unwrap_or(0),
                    ))
                })
                .map_err(|e| self.failed(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.failed(e))?
        };
        let mut recovered = Recovered::default();
        for (intent, at) in held {
            let entry = journal
                .get(&intent)
                .map_err(|e| NwcError::Other(e.to_string()))?;
            match entry {
                Some(entry) if entry.state == JournalState::Succeeded => {
                    let at = u64::try_from(entry.updated_at / 1000).unwrap_or(now);
                    self.settle(&intent, entry.keysend.amount.0, &entry.hash().to_hex(), at)?;
                    recovered.spent += 1;
                }
                Some(entry)
                    if matches!(
                        entry.state,
                        JournalState::Failed | JournalState::NotSent | JournalState::Discarded
                    ) =>
                {
                    self.release(&intent)?;
                    recovered.released += 1;
                }
                None if now.saturating_sub(at) >= ORPHAN_AFTER => {
                    self.release(&intent)?;
                    recovered.released += 1;
                }
                _ => recovered.held += 1,
            }
        }
        Ok(recovered)
    }
}

/// Spent inside the window of `period` ending `now`, and held (msat).
fn totals(db: &Db, wallet: &str, period: Period, now: u64) -> rusqlite::Result<(u64, u64)> {
    // A spend counts while it is inside the window (as `Period::spent`).
    let since = period
        .seconds()
        .map_or(-1, |len| sql_int(now.saturating_sub(len)));
    let mut stmt = db.prepare_cached(
        "SELECT
            COALESCE(SUM(CASE WHEN state = 'spent' AND at > ?2 THEN msat END), 0),
            COALESCE(SUM(CASE WHEN state = 'held' THEN msat END), 0)
         FROM reservation WHERE wallet = ?1",
    )?;
    stmt.query_row(params![wallet, since], |row| {
        Ok((
            u64::try_from(row.get::<_, i64>(0)?).unwrap_or(u64::MAX),
            u64::try_from(row.get::<_, i64>(1)?).unwrap_or(u64::MAX),
        ))
    })
}

/// SQLite integers are i64; amounts and times beyond it are clamped.
fn sql_int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn opened(e: NodeDbError) -> NwcError {
    match e {
        NodeDbError::Db { path, reason } => {
            NwcError::Other(format!("the connections ledger {path}: {reason}"))
        }
        NodeDbError::TooNew(found) => NwcError::Other(format!(
            "the connections ledger was written by a newer Satchel (version {found}); \
             update Satchel to serve wallet connections"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection(budget: Option<u64>, period: Period) -> Connection {
        Connection {
            name: "app".into(),
            wallet_pubkey: "w".into(),
            client_pubkey: "c".into(),
            relays: Vec::new(),
            methods: Vec::new(),
            notifications: false,
            budget_msat: budget,
            period,
            expires_at: None,
            created_at: 0,
            last_used: None,
            spends: vec![Spend {
                at: 100,
                msat: 200,
                hash: None,
            }],
        }
    }

    #[test]
    fn two_handles_on_one_file_never_reserve_past_the_budget() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::at(dir.path());
        let one = Ledger::open(&paths).unwrap();
        let two = Ledger::open(&paths).unwrap();
        let app = connection(Some(1000), Period::Day);
        one.import(std::slice::from_ref(&app)).unwrap();
        two.import(std::slice::from_ref(&app)).unwrap(); // once only
        assert_eq!(one.usage(&app, 200).unwrap(), (200, 0));
        one.reserve(&app, "a", 500, 200).unwrap();
        assert_eq!(two.reserve(&app, "a", 1, 200), Err(Refused::Taken));
        // Taken even when the budget has no room left for it.
        assert_eq!(two.reserve(&app, "a", 10_000, 200), Err(Refused::Taken));
        let Err(Refused::Over(over)) = two.reserve(&app, "b", 301, 200) else {
            panic!("over budget");
        };
        assert_eq!((over.spent, over.reserved), (200, 500));
        two.reserve(&app, "b", 300, 200).unwrap();
        two.release("b").unwrap();
        one.settle("a", 500, "ab", 200).unwrap();
        one.release("a").unwrap(); // a spend is never released
        assert_eq!(two.usage(&app, 200).unwrap(), (700, 0));
        // The day renews.
        assert_eq!(two.usage(&app, 200 + 86_400).unwrap(), (0, 0));
        assert_eq!(two.spends("w").unwrap().len(), 2);
        let free = connection(None, Period::Never);
        one.reserve(&free, "c", u64::MAX, 200).unwrap();
    }

    fn keysend(sat: u64) -> crate::node::OutgoingKeysend {
        crate::node::OutgoingKeysend {
            destination: "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
                .parse()
                .unwrap(),
            amount: crate::keysend::Msat::from_sat(sat),
            preimage: crate::keysend::Preimage::random(),
            records: Default::default(),
            fee_limit: crate::keysend::Msat::from_sat(1),
            timeout: std::time::Duration::from_secs(60),
        }
    }

    #[test]
    fn a_crash_leaves_reservations_the_journal_resolves() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::at(dir.path());
        let ledger = Ledger::open(&paths).unwrap();
        let journal = Journal::open(&paths.journal_db()).unwrap();
        let app = connection(Some(100_000), Period::Never);
        for (intent, state) in [
            ("nwc:paid", Some(JournalState::Succeeded)),
            ("nwc:failed", Some(JournalState::Failed)),
            ("nwc:flying", Some(JournalState::InFlight)),
            ("nwc:unsent", None),
        ] {
            ledger.reserve(&app, intent, 1000, 1000).unwrap();
            if let Some(state) = state {
                let _ = journal.begin(intent, &keysend(2)).unwrap();
                let _ = journal.update(intent, state, None, None).unwrap();
            }
        }
        assert_eq!(ledger.usage(&app, 1000).unwrap(), (0, 4000));
        // Seconds later: the entry-less one may be a live process mid-step.
        let found = ledger.recover(&journal, 1005).unwrap();
        assert_eq!((found.spent, found.released, found.held), (1, 1, 2));
        // The paid one counts what the journal says was sent.
        assert_eq!(ledger.usage(&app, 1005).unwrap(), (2000, 2000));
        let found = ledger.recover(&journal, 1000 + ORPHAN_AFTER).unwrap();
        assert_eq!((found.spent, found.released, found.held), (0, 1, 1));
        assert_eq!(ledger.usage(&app, 2000).unwrap(), (2000, 1000));
    }
}
