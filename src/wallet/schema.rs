//! The index database schema, versioned with `PRAGMA user_version`, and its
//! migrations. The index is a cache of the node's history: a file from a
//! newer Satchel is refused rather than rewritten.
//!
//! Index choices (measured at 100,000 rows, see BENCHMARKS.md): the unique
//! key starts with the channel and HTLC index, which grow, so inserts append
//! instead of landing on a random page; `received_list` covers the inbox list
//! (order, amount filter, read flag) so pages and deep offsets are walked in
//! the index without reading rows; amount and unread counts have their own
//! covering indexes; the search table keeps no per-row column sizes
//! (`columnsize=0`: only ranking would read them, and the inbox sorts by
//! date), which saves one b-tree insert per row during a sync.

use rusqlite::{Connection, TransactionBehavior};

use super::IndexError;

#[path = "schema_fill.rs"]
mod fill;

/// A migration step's work in Rust, inside its transaction.
type Fill = fn(&Connection) -> Result<(), IndexError>;

/// One migration: SQL, then (for a column computed from the stored records)
/// a fill that runs in Rust, in the same transaction.
struct Step {
    sql: &'static str,
    fill: Option<Fill>,
}

impl Step {
    const fn sql(sql: &'static str) -> Self {
        Self { sql, fill: None }
    }
}

/// Each entry migrates the schema from version `i` to `i + 1`.
const MIGRATIONS: &[Step] = &[
    Step::sql(V1),
    Step::sql(V2),
    Step::sql(V3),
    Step {
        sql: V4,
        fill: Some(fill::message_sources),
    },
    Step::sql(V5),
    Step::sql(V6),
    Step::sql(V7),
    Step {
        sql: V8,
        fill: Some(fill::compact_rows),
    },
    Step {
        sql: V9,
        fill: Some(fill::derived_columns),
    },
    Step {
        sql: V10,
        fill: Some(fill::interned_keys),
    },
];

/// The schema version this build writes.
pub(crate) const CURRENT: u32 = MIGRATIONS.len() as u32;

/// Version 1: received and sent keysends, full-text search, sync cursors.
const V1: &str = "
CREATE TABLE received (
    id            INTEGER PRIMARY KEY,
    hash          BLOB    NOT NULL,
    chan_id       INTEGER NOT NULL,
    htlc_index    INTEGER NOT NULL,
    amount_msat   INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    settled_at    INTEGER NOT NULL,
    add_index     INTEGER NOT NULL,
    settle_index  INTEGER NOT NULL,
    message       TEXT,
    sender_pubkey BLOB,
    sender_name   TEXT,
    podcast       TEXT,
    app           TEXT,
    episode       TEXT,
    records       BLOB    NOT NULL,
    verification  INTEGER,
    read          INTEGER NOT NULL DEFAULT 0,
    UNIQUE (hash, chan_id, htlc_index)
);
CREATE INDEX received_newest ON received (settled_at DESC, id DESC);
CREATE INDEX received_sender ON received (sender_pubkey, settled_at DESC);
CREATE INDEX received_podcast ON received (podcast, settled_at DESC);
CREATE INDEX received_unread ON received (read, settled_at DESC);
CREATE VIRTUAL TABLE received_fts USING fts5 (
    message, sender_name, podcast,
    content = 'received', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE sent (
    id            INTEGER PRIMARY KEY,
    hash          BLOB    NOT NULL UNIQUE,
    payment_index INTEGER NOT NULL,
    destination   BLOB,
    amount_msat   INTEGER NOT NULL,
    fee_msat      INTEGER NOT NULL,
    status        TEXT    NOT NULL,
    created_ns    INTEGER NOT NULL,
    message       TEXT,
    records       BLOB    NOT NULL
);
CREATE INDEX sent_newest ON sent (created_ns DESC, id DESC);
CREATE TABLE cursors (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
";

/// Version 2: the unique key reordered (append-friendly inserts), a covering
/// list index, amount and unread-by-amount indexes. The table is copied with
/// its ids, so read flags, cached verifications and the search index stay.
const V2: &str = "
CREATE TABLE received_v2 (
    id            INTEGER PRIMARY KEY,
    hash          BLOB    NOT NULL,
    chan_id       INTEGER NOT NULL,
    htlc_index    INTEGER NOT NULL,
    amount_msat   INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    settled_at    INTEGER NOT NULL,
    add_index     INTEGER NOT NULL,
    settle_index  INTEGER NOT NULL,
    message       TEXT,
    sender_pubkey BLOB,
    sender_name   TEXT,
    podcast       TEXT,
    app           TEXT,
    episode       TEXT,
    records       BLOB    NOT NULL,
    verification  INTEGER,
    read          INTEGER NOT NULL DEFAULT 0,
    UNIQUE (chan_id, htlc_index, hash)
);
INSERT INTO received_v2 SELECT * FROM received ORDER BY id;
DROP TABLE received;
ALTER TABLE received_v2 RENAME TO received;
CREATE INDEX received_list ON received (settled_at DESC, id DESC, amount_msat, read);
CREATE INDEX received_sender ON received (sender_pubkey, settled_at DESC);
CREATE INDEX received_podcast ON received (podcast, settled_at DESC);
CREATE INDEX received_unread ON received (read, amount_msat);
CREATE INDEX received_amount ON received (amount_msat);
";

/// Version 3: the search table without per-row column sizes (`columnsize=0`;
/// 0.10-0.17 s less per 100,000 rows in a replay, BENCHMARKS.md item 2). Kept at
/// `detail=full`: a typed word the tokenizer splits in two (`don't`, or a
/// Devanagari word split at its vowel signs) is a phrase, which
/// `detail=column` refuses. Refilled from `received`, its content table.
const V3: &str = "
DROP TABLE received_fts;
CREATE VIRTUAL TABLE received_fts USING fts5 (
    message, sender_name, podcast,
    content = 'received', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    columnsize = 0
);
INSERT INTO received_fts (received_fts) VALUES ('rebuild');
";

/// Version 4: which record the shown message came from
/// (`MessageSource::code`; only the chat record can be signed), filled from
/// the stored records by [`fill::message_sources`]; NULL when there is no
/// message (or the stored records cannot be read). The podcast index stays
/// whole: a partial one (`WHERE podcast IS NOT NULL`) saved nothing
/// measurable in a first sync of 100,000 rows without boostagrams (rows
/// without a podcast all land on the same index page).
const V4: &str = "
ALTER TABLE received ADD COLUMN message_source INTEGER;
";

/// Version 5: the graph alias of senders' nodes, looked up once a sender
/// is verified, so the list, the CLI and search can name a verified sender
/// that is not a contact (`wallet::ShownSender`).
const V5: &str = "
CREATE TABLE node_alias (
    pubkey BLOB PRIMARY KEY,
    alias TEXT NOT NULL,
    looked_up_at INTEGER NOT NULL
) WITHOUT ROWID;
";

/// Version 6: totals per podcast and episode read from a covering index
/// of the boosts alone (`boosts::podcast_totals` grouped in index order,
/// never touching the 700-byte rows: 7x faster at 1,000,000 entries, see
/// BENCHMARKS.md); the podcast list index made partial too, so rows that
/// are no boost cost neither index anything. `podcast = ?` implies
/// `podcast IS NOT NULL`, so the inbox's podcast filter still uses it.
const V6: &str = "
DROP INDEX received_podcast;
CREATE INDEX received_podcast ON received (podcast, settled_at DESC)
    WHERE podcast IS NOT NULL;
CREATE INDEX received_podcast_totals ON received (podcast, episode, settled_at, amount_msat)
    WHERE podcast IS NOT NULL;
";

/// Version 7 (issue 19, the read path): the sender index covers the read
/// flag and leaves out keysends without a claimed sender (most of a
/// history: the index shrinks), so the Conversations list is counted from
/// the index alone (`thread::THREADS_SQL`) and a thread or the sender
/// filter still walk it (`sender_pubkey = ?` implies `IS NOT NULL`); the
/// sent side of a thread gets an index by destination instead of a scan of
/// every payment.
const V7: &str = "
DROP INDEX received_sender;
CREATE INDEX received_sender ON received (sender_pubkey, settled_at DESC, read)
    WHERE sender_pubkey IS NOT NULL;
CREATE INDEX sent_destination ON sent (destination, created_ns DESC)
    WHERE destination IS NOT NULL;
";

/// Version 8 (issue 19, the index size): the received table rebuilt with
/// a smaller row and unique key. Its records are re-encoded by
/// [`fill::compact_rows`] (`blob::encode_row`: one-byte types and lengths
/// instead of 12-byte headers, and the chat record and sender key stored
/// once, in their columns, when they are equal); the unique key is the
/// HTLC, `(chan_id, htlc_index)`, without the 32-byte hash: an HTLC's
/// incoming channel and its index in that channel identify it on a node
/// (the parts of an MPP or AMP payment are HTLCs of their own). Ids are
/// kept, so read flags, cached verifications, stored counts and the search
/// table (external content, by id) stay. Then [`V8_INDEXES`].
const V8: &str = "
CREATE TABLE received_v8 (
    id            INTEGER PRIMARY KEY,
    hash          BLOB    NOT NULL,
    chan_id       INTEGER NOT NULL,
    htlc_index    INTEGER NOT NULL,
    amount_msat   INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    settled_at    INTEGER NOT NULL,
    add_index     INTEGER NOT NULL,
    settle_index  INTEGER NOT NULL,
    message       TEXT,
    sender_pubkey BLOB,
    sender_name   TEXT,
    podcast       TEXT,
    app           TEXT,
    episode       TEXT,
    records       BLOB    NOT NULL,
    verification  INTEGER,
    read          INTEGER NOT NULL DEFAULT 0,
    message_source INTEGER,
    UNIQUE (chan_id, htlc_index)
);
";

/// Version 8, after the rows are copied: the new table replaces the old,
/// with the indexes of versions 2, 6 and 7. The list and podcast indexes
/// are now ascending: rows arrive in settle order, so an ascending index
/// grows at its end and its pages fill, where a descending one took every
/// new entry at its start and left pages half full (42 against 21 bytes
/// per row at 100,000). SQLite walks either direction, so the newest-first
/// list reads it backwards, as it read the old one forwards.
const V8_INDEXES: &str = "
DROP TABLE received;
ALTER TABLE received_v8 RENAME TO received;
CREATE INDEX received_list ON received (settled_at, id, amount_msat, read);
CREATE INDEX received_sender ON received (sender_pubkey, settled_at DESC, read)
    WHERE sender_pubkey IS NOT NULL;
CREATE INDEX received_podcast ON received (podcast, settled_at)
    WHERE podcast IS NOT NULL;
CREATE INDEX received_podcast_totals ON received (podcast, episode, settled_at, amount_msat)
    WHERE podcast IS NOT NULL;
CREATE INDEX received_unread ON received (read, amount_msat);
CREATE INDEX received_amount ON received (amount_msat);
";

/// Version 9 (issue 19, the index size at a million rows): what the row
/// can recompute is not stored.
///
/// - **The payment hash** of a keysend is the SHA-256 of its preimage
///   record, which the row keeps (the detail and the export show it):
///   `stored_hash` holds it only when the preimage does not give it
///   (`blob::preimage_hash`: no preimage record, as in an AMP payment, or
///   one that does not hash to it), and `hash` is a virtual column that
///   reads `stored_hash` or else recomputes (the `keysend_hash` function,
///   [`functions`]). 33 bytes a row.
/// - **The creation time and add index** are stored as their difference
///   from the settle time and settle index (`created_delta`,
///   `add_delta`: 0 when equal, which SQLite stores in no bytes), and
///   `created_at`/`add_index` are virtual columns.
///
/// Every reader keeps selecting `hash`, `created_at` and `add_index`, so
/// every row reads back as before. The unread index (`read, amount_msat`)
/// is gone: counts are stored (`wallet::counts`) and the list index covers
/// the read flag and amount of every row. The amount index stays (the
/// inbox sorted by amount pages through it). Copied in id order by
/// [`fill::derived_columns`] (ids kept: read flags, cached checks, stored
/// counts, boost caches and the search table, external content by id, all
/// stay; the table's triggers are re-created), then [`V9_INDEXES`].
const V9: &str = "
CREATE TABLE received_v9 (
    id            INTEGER PRIMARY KEY,
    stored_hash   BLOB,
    chan_id       INTEGER NOT NULL,
    htlc_index    INTEGER NOT NULL,
    amount_msat   INTEGER NOT NULL,
    created_delta INTEGER NOT NULL DEFAULT 0,
    settled_at    INTEGER NOT NULL,
    add_delta     INTEGER NOT NULL DEFAULT 0,
    settle_index  INTEGER NOT NULL,
    message       TEXT,
    sender_pubkey BLOB,
    sender_name   TEXT,
    podcast       TEXT,
    app           TEXT,
    episode       TEXT,
    records       BLOB    NOT NULL,
    verification  INTEGER,
    read          INTEGER NOT NULL DEFAULT 0,
    message_source INTEGER,
    hash          BLOB    AS (coalesce(stored_hash, keysend_hash(records))) VIRTUAL,
    created_at    INTEGER AS (settled_at - created_delta) VIRTUAL,
    add_index     INTEGER AS (settle_index + add_delta) VIRTUAL,
    UNIQUE (chan_id, htlc_index)
);
INSERT INTO received_v9 (id, stored_hash, chan_id, htlc_index, amount_msat, created_delta,
    settled_at, add_delta, settle_index, message, sender_pubkey, sender_name, podcast, app,
    episode, records, verification, read, message_source)
SELECT id, CASE WHEN keysend_hash(records) IS hash THEN NULL ELSE hash END, chan_id,
    htlc_index, amount_msat, settled_at - created_at, settled_at, add_index - settle_index,
    settle_index, message, sender_pubkey, sender_name, podcast, app, episode, records,
    verification, read, message_source
FROM received ORDER BY id;
";

/// Version 9, after the rows are copied: the new table replaces the old,
/// with version 8's indexes but the unread one.
const V9_INDEXES: &str = "
DROP TABLE received;
ALTER TABLE received_v9 RENAME TO received;
CREATE INDEX received_list ON received (settled_at, id, amount_msat, read);
CREATE INDEX received_sender ON received (sender_pubkey, settled_at DESC, read)
    WHERE sender_pubkey IS NOT NULL;
CREATE INDEX received_podcast ON received (podcast, settled_at)
    WHERE podcast IS NOT NULL;
CREATE INDEX received_podcast_totals ON received (podcast, episode, settled_at, amount_msat)
    WHERE podcast IS NOT NULL;
CREATE INDEX received_amount ON received (amount_msat);
";

/// Version 10 (issue 19, the index size at a million rows): channel ids
/// and claimed sender keys stored once (`wallet::interned`). The row keeps
/// the small id of its incoming channel (`channel`, in `channels`) and of
/// its claimed sender key (`sender`, in `senders`; NULL without a claimed
/// key), so the unique key is `(channel, htlc_index)` and the sender index
/// `(sender, settled_at DESC, read)`: each repeated 8 and 33 bytes a row
/// (about 14 and 25 bytes at a million, in the row and in the index).
/// Readers select the key and channel id through the two tables; a filter
/// by a key looks its id up first. No foreign keys: rows are never
/// deleted, and a check per insert would cost the first sync a look-up per
/// row for nothing.
///
/// The channels and senders are interned in the order rows first name
/// them; the rows are copied in id order with their ids (read flags,
/// cached checks, stored counts, boost caches and the search table stay)
/// by the step's SQL; [`fill::interned_keys`] swaps the tables
/// ([`V10_INDEXES`]) and re-creates the table's triggers.
const V10: &str = "
CREATE TABLE channels (
    id      INTEGER PRIMARY KEY,
    chan_id INTEGER NOT NULL UNIQUE
);
CREATE TABLE senders (
    id     INTEGER PRIMARY KEY,
    pubkey BLOB    NOT NULL UNIQUE
);
INSERT OR IGNORE INTO channels (chan_id) SELECT chan_id FROM received ORDER BY id;
INSERT OR IGNORE INTO senders (pubkey)
    SELECT sender_pubkey FROM received WHERE sender_pubkey IS NOT NULL ORDER BY id;
CREATE TABLE received_v10 (
    id            INTEGER PRIMARY KEY,
    stored_hash   BLOB,
    channel       INTEGER NOT NULL,
    htlc_index    INTEGER NOT NULL,
    amount_msat   INTEGER NOT NULL,
    created_delta INTEGER NOT NULL DEFAULT 0,
    settled_at    INTEGER NOT NULL,
    add_delta     INTEGER NOT NULL DEFAULT 0,
    settle_index  INTEGER NOT NULL,
    message       TEXT,
    sender        INTEGER,
    sender_name   TEXT,
    podcast       TEXT,
    app           TEXT,
    episode       TEXT,
    records       BLOB    NOT NULL,
    verification  INTEGER,
    read          INTEGER NOT NULL DEFAULT 0,
    message_source INTEGER,
    hash          BLOB    AS (coalesce(stored_hash, keysend_hash(records))) VIRTUAL,
    created_at    INTEGER AS (settled_at - created_delta) VIRTUAL,
    add_index     INTEGER AS (settle_index + add_delta) VIRTUAL,
    UNIQUE (channel, htlc_index)
);
INSERT INTO received_v10 (id, stored_hash, channel, htlc_index, amount_msat, created_delta,
    settled_at, add_delta, settle_index, message, sender, sender_name, podcast, app, episode,
    records, verification, read, message_source)
SELECT r.id, r.stored_hash, (SELECT c.id FROM channels c WHERE c.chan_id = r.chan_id),
    r.htlc_index, r.amount_msat, r.created_delta, r.settled_at, r.add_delta, r.settle_index,
    r.message, (SELECT s.id FROM senders s WHERE s.pubkey = r.sender_pubkey), r.sender_name,
    r.podcast, r.app, r.episode, r.records, r.verification, r.read, r.message_source
FROM received r ORDER BY r.id;
";

/// Version 10, after the rows are copied: the new table replaces the old,
/// with version 9's indexes, the sender index on the sender id.
const V10_INDEXES: &str = "
DROP TABLE received;
ALTER TABLE received_v10 RENAME TO received;
CREATE INDEX received_list ON received (settled_at, id, amount_msat, read);
CREATE INDEX received_sender ON received (sender, settled_at DESC, read)
    WHERE sender IS NOT NULL;
CREATE INDEX received_podcast ON received (podcast, settled_at)
    WHERE podcast IS NOT NULL;
CREATE INDEX received_podcast_totals ON received (podcast, episode, settled_at, amount_msat)
    WHERE podcast IS NOT NULL;
CREATE INDEX received_amount ON received (amount_msat);
";

/// The SQL functions the index's schema uses (`keysend_hash`, in the
/// virtual `hash` column of [`V9`]): every connection to an index file
/// registers them before reading received rows.
pub(crate) fn functions(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    let flags = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("keysend_hash", 1, flags, |ctx| {
        let records = ctx.get_raw(0);
        let hash = match records {
            rusqlite::types::ValueRef::Blob(blob) => super::blob::preimage_hash(blob),
            _ => None,
        };
        Ok(hash.map(Vec::from))
    })
}

/// Create the version 8 schema, as the previous release left a file (for
/// tests of the version 9 step).
#[cfg(test)]
pub(crate) fn create_version_8(conn: &Connection) -> rusqlite::Result<()> {
    for step in &MIGRATIONS[..7] {
        conn.execute_batch(step.sql)?;
    }
    conn.execute_batch(V8)?;
    conn.execute_batch(V8_INDEXES)?;
    conn.pragma_update(None, "user_version", 8)
}

/// Create the version 9 schema, as the previous release left a file (for
/// tests of the version 10 step).
#[cfg(test)]
pub(crate) fn create_version_9(conn: &Connection) -> rusqlite::Result<()> {
    functions(conn)?;
    create_version_8(conn)?;
    conn.execute_batch(V9)?;
    conn.execute_batch(V9_INDEXES)?;
    conn.pragma_update(None, "user_version", 9)
}

/// Create the version 3 schema, as the previous release left a file (for
/// tests of the version 4 step).
#[cfg(test)]
pub(crate) fn create_version_3(conn: &Connection) -> rusqlite::Result<()> {
    for step in [V1, V2, V3] {
        conn.execute_batch(step)?;
    }
    conn.pragma_update(None, "user_version", 3)
}

/// Create the version 7 schema, as the previous release left a file (for
/// tests of the version 8 step).
#[cfg(test)]
pub(crate) fn create_version_7(conn: &Connection) -> rusqlite::Result<()> {
    for step in &MIGRATIONS[..7] {
        conn.execute_batch(step.sql)?;
    }
    conn.pragma_update(None, "user_version", 7)
}

/// Connection settings for the index: WAL, normal sync (it can be rebuilt).
pub(crate) fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // First, so every later statement waits for other processes (the CLI
    // and the GUI may use one profile at once).
    conn.busy_timeout(BUSY_TIMEOUT)?;
    functions(conn)?;
    // A new file's page size, before WAL fixes it (an existing file keeps
    // its own): see [`PAGE_SIZE`].
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    use_wal(conn)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")
}

/// Switch the file to WAL (a setting stored in the file, so usually already
/// done). Switching needs the file to itself, and SQLite answers "database
/// is locked" at once instead of calling the busy handler when another
/// connection is opening the same new file: retry for up to [`BUSY_TIMEOUT`].
pub(crate) fn use_wal(conn: &Connection) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        let mode: String = conn.pragma_query_value(None, "journal_mode", |row| row.get(0))?;
        if mode.eq_ignore_ascii_case("wal") {
            return Ok(());
        }
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            other => return other,
        }
    }
}

/// The page size of new index files and of files rebuilt by an upgrade
/// (schema v9): 16 KiB pages leave less of each page unused at the end
/// than SQLite's 4 KiB with 250-byte rows, and hold more index entries
/// per page (measured at 1,000,000 rows: BENCHMARKS.md, size9).
pub(crate) const PAGE_SIZE: i64 = 16_384;

/// How long a statement waits for another process holding the file.
pub(crate) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Bring the schema up to [`CURRENT`], one transaction per step. Each step
/// reads the version under the write lock, so processes opening the same
/// new file at once migrate it once.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), IndexError> {
    functions(conn)?;
    if version(conn)? == CURRENT {
        return Ok(());
    }
    // Steps build indexes by sorting, and a rebuild is shrunk by copying
    // the file: through temporary files, not memory (a million rows).
    conn.pragma_update(None, "temp_store", "FILE")?;
    let stepped = step_up(conn);
    if let Ok(true) = stepped {
        shrink(conn);
    }
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    stepped.map(|_| ())
}

/// The steps of [`migrate`]; whether the received table of an existing
/// file was rebuilt (a new file, at version 0, has nothing to give back).
fn step_up(conn: &mut Connection) -> Result<bool, IndexError> {
    let mut rebuilt = false;
    let existing = version(conn)? > 0;
    loop {
        let found = version(conn)?;
        if found == CURRENT {
            return Ok(rebuilt);
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found = version(&tx)?;
        if found == CURRENT {
            return Ok(rebuilt);
        }
        let step = &MIGRATIONS[found as usize];
        tx.execute_batch(step.sql)?;
        if let Some(fill) = step.fill {
            fill(&tx)?;
        }
        tx.pragma_update(None, "user_version", found + 1)?;
        tx.commit()?;
        rebuilt |= existing && REBUILT_AT.contains(&(found + 1));
    }
}

/// The versions whose step copies the received table into a smaller one:
/// the old pages are free afterwards, but still part of the file.
const REBUILT_AT: [u32; 3] = [8, 9, 10];

/// Give the pages freed by a rebuild back to the file system (`VACUUM`),
/// rewriting the file with [`PAGE_SIZE`] pages (a WAL file keeps its page
/// size: the rewrite runs in rollback mode, then back to WAL). A file that
/// cannot be shrunk now (another process reading it) keeps its free pages
/// for the rows to come: nothing is lost, so that is only logged.
fn shrink(conn: &Connection) {
    let resized = conn
        .pragma_update(None, "journal_mode", "DELETE")
        .and_then(|()| conn.pragma_update(None, "page_size", PAGE_SIZE));
    if let Err(error) = resized {
        log::info!("index upgrade keeps its page size: {error}");
    }
    if let Err(error) = conn.execute_batch("VACUUM") {
        log::warn!("index not shrunk after its upgrade: {error}");
    }
    if let Err(error) = use_wal(conn) {
        log::warn!("index not back in WAL mode after its upgrade: {error}");
    }
}

/// The stored schema version; a newer one than this build knows is refused.
fn version(conn: &Connection) -> Result<u32, IndexError> {
    let found: u32 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > CURRENT {
        return Err(IndexError::TooNew {
            found,
            supported: CURRENT,
        });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_refuses_newer_files() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let version: u32 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, CURRENT);
        conn.pragma_update(None, "user_version", CURRENT + 1)
            .unwrap();
        match migrate(&mut conn) {
            Err(IndexError::TooNew { found, supported }) => {
                assert_eq!((found, supported), (CURRENT + 1, CURRENT));
            }
            other => panic!("expected TooNew, got {other:?}"),
        }
    }

    #[test]
    fn version_3_refills_search_without_column_sizes() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(V1).unwrap();
        conn.execute_batch(V2).unwrap();
        conn.execute_batch(
            "INSERT INTO received (id, hash, chan_id, htlc_index, amount_msat, created_at, \
             settled_at, add_index, settle_index, message, sender_name, records) \
             VALUES (4, x'02', 1, 1, 1000, 1, 2, 3, 4, 'don''t stop', 'Zoë', x''), \
                    (5, x'03', 1, 2, 1000, 1, 2, 3, 4, NULL, NULL, x''); \
             INSERT INTO received_fts (rowid, message, sender_name) VALUES (4, 'don''t stop', 'Zoë'); \
             PRAGMA user_version = 2;",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let find = |fts: &str| -> Vec<i64> {
            conn.prepare("SELECT rowid FROM received_fts WHERE received_fts MATCH ?1")
                .unwrap()
                .query_map([fts], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        // Prefix, diacritics folded, and a word the tokenizer splits (a phrase).
        assert_eq!(find("\"sto\"*"), [4]);
        assert_eq!(find("\"zoe\"*"), [4]);
        assert_eq!(find("\"don't\"*"), [4]);
        assert_eq!(find("\"absent\"*"), Vec::<i64>::new());
        let docsize: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'received_fts_docsize'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(docsize, 0, "columnsize=0 keeps no per-row sizes");
    }

    /// The totals per podcast and episode are read from the covering
    /// index alone, grouped in its order; the podcast filter still has an
    /// index.
    #[test]
    fn podcast_totals_and_the_podcast_filter_use_the_partial_indexes() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let plan = |sql: &str| -> String {
            conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap()
                .query_map([], |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap()
                .join("; ")
        };
        let totals = plan(
            "SELECT podcast, episode, count(*), sum(amount_msat) FROM received \
             WHERE podcast IS NOT NULL AND settled_at >= 0 AND (NULL IS NULL OR podcast = NULL) \
             GROUP BY podcast, episode ORDER BY podcast, sum(amount_msat) DESC",
        );
        assert!(
            totals.contains("COVERING INDEX received_podcast_totals"),
            "{totals}"
        );
        assert!(!totals.contains("FOR GROUP BY"), "{totals}");
        let filter =
            plan("SELECT id FROM received WHERE podcast = 'x' ORDER BY settled_at DESC, id DESC");
        assert!(filter.contains("INDEX received_podcast"), "{filter}");
    }

    #[test]
    fn version_2_keeps_rows_read_flags_and_search() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(V1).unwrap();
        conn.execute_batch(
            "INSERT INTO received (id, hash, chan_id, htlc_index, amount_msat, created_at, \
             settled_at, add_index, settle_index, message, records, read) \
             VALUES (7, x'01', 3, 9, 21000, 1, 2, 4, 5, 'hello lightning', x'', 1); \
             INSERT INTO received_fts (rowid, message) VALUES (7, 'hello lightning'); \
             PRAGMA user_version = 1;",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let (id, read): (i64, i64) = conn
            .query_row(
                "SELECT r.id, r.read FROM received r WHERE r.id IN \
                 (SELECT rowid FROM received_fts WHERE received_fts MATCH 'light*')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((id, read), (7, 1));
        let indexes: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_schema WHERE tbl_name = 'received' AND type = 'index' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            indexes,
            [
                "received_amount",
                "received_list",
                "received_podcast",
                "received_podcast_totals",
                "received_sender",
                "sqlite_autoindex_received_1",
            ]
        );
        let unique: Vec<String> = conn
            .prepare("SELECT name FROM pragma_index_info('sqlite_autoindex_received_1')")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        // Version 8 dropped the hash from it (the HTLC identifies the row);
        // version 10 holds the channel's interned id.
        assert_eq!(unique, ["channel", "htlc_index"]);
    }
}
