//! The insert path of the index: received keysends prepared as rows (their
//! searchable fields decoded and their records encoded, outside the index
//! lock), then stored page by page in one transaction with their cursors;
//! channel ids and sender keys are interned once per transaction
//! (`wallet::interned`, schema v10).

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::{Cursor, bump};
use crate::keysend::incoming::{MessageSource, verify_sender};
use crate::keysend::{Msat, NodeId, PaymentHash};
use crate::node::ReceivedKeysend;
use crate::wallet::IndexError;
use crate::wallet::blob;
use crate::wallet::interned::Interned;
use crate::wallet::summary::Summary;
use crate::wallet::verification::Verification;

const INSERT_RECEIVED: &str = "INSERT OR IGNORE INTO received (stored_hash, channel, htlc_index, \
    amount_msat, created_delta, settled_at, add_delta, settle_index, message, sender, \
    sender_name, podcast, app, episode, records, message_source, verification) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
const INSERT_FTS: &str =
    "INSERT INTO received_fts (rowid, message, sender_name, podcast) VALUES (?1, ?2, ?3, ?4)";

/// SQLite's default: copy the write-ahead log into the database once it
/// holds this many pages (4 MB).
const DEFAULT_CHECKPOINT_PAGES: u32 = 1000;
/// While several pages go in per transaction (a first sync), checkpoint once
/// the log holds 32 MB: a page rewritten by many transactions is copied into
/// the database once, and the log is synced and copied far less often
/// (measured: 2.4-2.6 s instead of 2.9-3.8 s for 100,000 at load ~3.4).
const BULK_CHECKPOINT_PAGES: u32 = 8000;

/// The secondary indexes whose keys arrive in random order (a sender's key,
/// an amount): each row of a first sync lands on a random page of each, so
/// at a million rows every transaction rewrote thousands of their pages.
/// A first sync drops them ([`Index::defer_indexes`]) and builds each once,
/// sorted, at its end ([`Index::end_bulk_insert`]); their definitions are
/// the schema's latest (`schema::V10`; a test checks them). Queries stay correct
/// without them, only filters by sender or amount scan meanwhile.
pub(crate) const DEFERRED: [(&str, &str); 2] = [
    (
        "received_sender",
        "CREATE INDEX IF NOT EXISTS received_sender ON received (sender, settled_at DESC, read)\n    WHERE sender IS NOT NULL",
    ),
    (
        "received_amount",
        "CREATE INDEX IF NOT EXISTS received_amount ON received (amount_msat)",
    ),
];

impl super::Index {
    /// Before a first sync (nothing synced yet): drop the [`DEFERRED`]
    /// indexes of `file`, so pages insert without them. Does nothing when
    /// the background check replaced the file meanwhile.
    pub(crate) fn defer_indexes(&self, file: super::FileId) -> Result<(), IndexError> {
        let conn = self.lock();
        if self.file() != file {
            return Ok(());
        }
        for (name, _) in DEFERRED {
            conn.execute_batch(&format!("DROP INDEX IF EXISTS {name}"))?;
        }
        Ok(())
    }
}

/// Build whichever [`DEFERRED`] index is missing (nothing to do when all
/// exist: a look-up in the schema).
pub(super) fn restore_deferred(conn: &Connection) -> Result<(), IndexError> {
    let names = DEFERRED.map(|(name, _)| format!("'{name}'")).join(", ");
    let present =
        format!("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN ({names})");
    let missing = conn.query_row(&present, [], |r| r.get::<_, usize>(0))? < DEFERRED.len();
    if !missing {
        return Ok(());
    }
    // Sort in temporary files, not in memory: the sort of a million keys
    // would otherwise add ~60 MB to the peak memory of a first sync.
    conn.pragma_update(None, "temp_store", "FILE")?;
    let built = DEFERRED
        .iter()
        .try_for_each(|(_, create)| conn.execute_batch(create));
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(built?)
}

/// A received keysend ready to store: its columns, without the record map
/// (about half the memory of a [`ReceivedKeysend`]).
#[derive(Debug, Clone)]
pub(crate) struct Row {
    hash: PaymentHash,
    chan_id: u64,
    htlc_index: u64,
    amount: Msat,
    created_at: i64,
    settled_at: i64,
    add_index: u64,
    settle_index: u64,
    summary: Summary,
    records: Vec<u8>,
    /// The hash to store: `None` when the records' preimage gives it
    /// (`blob::preimage_hash`, schema v9).
    stored_hash: Option<PaymentHash>,
    /// The sender check's outcome, when it was checked before storing
    /// ([`Row::checked`]); `None` leaves it for a later check.
    verification: Option<Verification>,
}

impl Row {
    /// Decode the searchable fields and encode the records of `item`.
    pub(crate) fn of(item: &ReceivedKeysend) -> Self {
        let summary = Summary::of(&item.records);
        let records = blob::encode_row(&item.records, summary.shared());
        let recomputed = blob::preimage_hash(&records) == Some(*item.hash.as_bytes());
        Self {
            stored_hash: (!recomputed).then_some(item.hash),
            hash: item.hash,
            chan_id: item.chan_id,
            htlc_index: item.htlc_index,
            amount: item.amount,
            created_at: item.created_at,
            settled_at: item.settled_at,
            add_index: item.add_index,
            settle_index: item.settle_index,
            summary,
            records,
            verification: None,
        }
    }

    /// [`Row::of`], with its sender's signature checked for `recipient`
    /// (our node): stored with the row, so a listing after the sync finds
    /// it checked (`Index::verify` gives the same outcome).
    pub(crate) fn checked(item: &ReceivedKeysend, recipient: &NodeId) -> Self {
        let sender = verify_sender(&item.records, recipient);
        Self {
            verification: Some(Verification::of(&sender)),
            ..Self::of(item)
        }
    }
}

/// Store `pages` (rows and the add index they reach) and raise the cursors
/// (settle index to the highest seen, add index to the highest given) in one
/// immediate transaction, calling `stored(id)` for each new row; duplicates
/// are skipped. Returns how many rows of each page were new. A `bulk` insert
/// raises the checkpoint threshold; a single page (live follow, the first
/// page of a sync) restores SQLite's default.
pub(super) fn store(
    conn: &mut Connection,
    bulk: bool,
    pages: impl Iterator<Item = (Vec<Row>, Option<u64>)>,
    mut stored: impl FnMut(i64),
) -> Result<Vec<usize>, IndexError> {
    let checkpoint = if bulk {
        BULK_CHECKPOINT_PAGES
    } else {
        DEFAULT_CHECKPOINT_PAGES
    };
    conn.pragma_update(None, "wal_autocheckpoint", checkpoint)?;
    if bulk {
        super::bulk::begin(conn)?;
    }
    // Immediate: take the write lock now (waiting for other processes),
    // never fail half-way upgrading a read.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (mut new, mut top_settle, mut add_index) = (Vec::new(), None, None);
    let search = !super::search::deferred(&tx)?;
    let mut interned = Interned::default();
    for (rows, position) in pages {
        let mut count = 0;
        for row in &rows {
            if let Some(id) = insert_one(&tx, &mut interned, row, search)? {
                stored(id);
                count += 1;
            }
        }
        new.push(count);
        top_settle = top_settle.max(rows.iter().map(|r| r.settle_index).max());
        add_index = add_index.max(position);
    }
    bump(&tx, Cursor::SettleIndex, top_settle)?;
    bump(&tx, Cursor::AddIndex, add_index)?;
    tx.commit()?;
    Ok(new)
}

/// Back to SQLite's default checkpoint threshold after a bulk insert, with
/// the indexes a first sync deferred built.
pub(super) fn end_bulk(conn: &Connection) -> Result<(), IndexError> {
    super::search::build_deferred(conn)?;
    restore_deferred(conn)?;
    conn.pragma_update(None, "wal_autocheckpoint", DEFAULT_CHECKPOINT_PAGES)?;
    super::bulk::end(conn)
}

/// A row is unique by its HTLC (its channel and `htlc_index`: schema v8),
/// which a node never numbers twice; a skipped row whose HTLC is stored
/// with another payment hash would mean a node that does, so it is logged,
/// not hidden.
fn warn_if_other_payment(tx: &Connection, channel: i64, row: &Row) -> Result<(), IndexError> {
    let mut stmt =
        tx.prepare_cached("SELECT hash FROM received WHERE channel = ?1 AND htlc_index = ?2")?;
    let stored: Option<Vec<u8>> = stmt
        .query_row((channel, row.htlc_index as i64), |r| r.get(0))
        .optional()?;
    if stored.is_some_and(|hash| hash != row.hash.as_bytes()) {
        log::warn!(
            "keysend {} not indexed: HTLC {} of channel {} is already stored with another payment hash",
            row.hash.to_hex(),
            row.htlc_index,
            row.chan_id
        );
    }
    Ok(())
}

/// Insert one row (and its search entry, unless a first sync builds the
/// search index at its end); the new id, `None` for a duplicate.
fn insert_one(
    tx: &Connection,
    interned: &mut Interned,
    row: &Row,
    search: bool,
) -> Result<Option<i64>, IndexError> {
    let summary = &row.summary;
    let channel = interned.channel(tx, row.chan_id)?;
    // Interned before the insert knows whether the row is new: a repeat of
    // a stored HTLC normally claims the stored row's sender; one that
    // claims another leaves a key no row names, which any filter by it
    // finds nothing for, as for a key never seen.
    let sender = match &summary.sender_pubkey {
        Some(key) => Some(interned.sender(tx, key)?),
        None => None,
    };
    let mut stmt = tx.prepare_cached(INSERT_RECEIVED)?;
    // As differences from the settle time and index (0 when equal: no
    // bytes); exact for any times and indexes within +-2^62, which the
    // virtual columns add back.
    let created_delta = row.settled_at.wrapping_sub(row.created_at);
    let add_delta = (row.add_index as i64).wrapping_sub(row.settle_index as i64);
    let inserted = stmt.execute(params![
        row.stored_hash.as_ref().map(|h| &h.as_bytes()[..]),
        channel,
        row.htlc_index as i64,
        row.amount.0 as i64,
        created_delta,
        row.settled_at,
        add_delta,
        row.settle_index as i64,
        summary.message,
        sender,
        summary.sender_name,
        summary.podcast,
        summary.app,
        summary.episode,
        row.records,
        summary.message_source.map(MessageSource::code),
        row.verification.map(Verification::code),
    ])? == 1;
    if !inserted {
        warn_if_other_payment(tx, channel, row)?;
        return Ok(None);
    }
    let id = tx.last_insert_rowid();
    if search && summary.has_text() {
        let mut fts = tx.prepare_cached(INSERT_FTS)?;
        let _ = fts.execute(params![
            id,
            summary.message,
            summary.sender_name,
            summary.podcast
        ])?;
    }
    Ok(Some(id))
}
