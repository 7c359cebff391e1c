//! Migration fills that need Rust: columns computed from the stored record
//! blobs of rows indexed before the column existed.

use rusqlite::types::Value;
use rusqlite::{Connection, params, params_from_iter};

use crate::keysend::boostagram::Boostagram;
use crate::keysend::incoming::{MessageSource, display_message};
use crate::keysend::record;
use crate::wallet::IndexError;
use crate::wallet::blob;
use crate::wallet::boost_cache;

/// Version 4: set `message_source` of every row with a message, from its
/// stored records, by the fallback chain the row's message was chosen with
/// (`display_message`). Rows whose records cannot be read (a damaged blob,
/// or a value that is not a blob at all) stay NULL: one odd row never stops
/// the migration, so the index still opens.
pub(super) fn message_sources(conn: &Connection) -> Result<(), IndexError> {
    let sources: Vec<(i64, Option<MessageSource>)> = {
        let mut stmt =
            conn.prepare("SELECT id, records FROM received WHERE message IS NOT NULL ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            let stored = r.get_ref(1)?.as_blob().ok();
            Ok((r.get(0)?, stored.and_then(source_of)))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    let mut update = conn.prepare("UPDATE received SET message_source = ?2 WHERE id = ?1")?;
    for (id, source) in sources {
        if let Some(source) = source {
            let _ = update.execute(params![id, source.code()])?;
        }
    }
    Ok(())
}

/// Version 8: copy every received row into the new table (`received_v8`)
/// in id order, its records re-encoded as a row blob (`blob::encode_row`,
/// sharing the message and sender columns), then swap the tables
/// (`V8_INDEXES`); `schema::migrate` then shrinks the file. Rows are streamed, not collected: a million of them
/// would not fit in memory. Records that could not be read stay
/// unreadable (a blob `decode_row` refuses), so the entry still reports
/// them as damaged instead of showing nothing.
pub(super) fn compact_rows(conn: &Connection) -> Result<(), IndexError> {
    const COLUMNS: &str = "id, hash, chan_id, htlc_index, amount_msat, created_at, \
        settled_at, add_index, settle_index, message, sender_pubkey, sender_name, podcast, \
        app, episode, records, verification, read, message_source";
    const RECORDS: usize = 15;
    let mut select = conn.prepare(&format!("SELECT {COLUMNS} FROM received ORDER BY id"))?;
    let mut insert = conn.prepare(&format!(
        "INSERT OR IGNORE INTO received_v8 ({COLUMNS}) VALUES \
         (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"
    ))?;
    let mut rows = select.query([])?;
    while let Some(row) = rows.next()? {
        let mut values: Vec<Value> = (0..19).map(|i| row.get(i)).collect::<Result<_, _>>()?;
        let compact = {
            let text = |i: usize| match &values[i] {
                Value::Text(t) => Some(t.as_bytes()),
                Value::Blob(b) => Some(b.as_slice()),
                _ => None,
            };
            // message, sender_pubkey, sender_name, podcast, episode, app.
            let shared = blob::Shared([text(9), text(10), text(11), text(12), text(14), text(13)]);
            match text(RECORDS).map(blob::decode) {
                Some(Ok(records)) => blob::encode_row(&records, shared),
                _ => UNREADABLE.to_vec(),
            }
        };
        values[RECORDS] = Value::Blob(compact);
        let _ = insert.execute(params_from_iter(values))?;
    }
    conn.execute_batch(super::V8_INDEXES)?;
    Ok(())
}

/// Version 9: the rows were copied by the step's SQL (`schema::V9`, which
/// computes `stored_hash` and the deltas with the registered
/// `keysend_hash`); swap the tables (`V9_INDEXES`) and re-create the
/// triggers the old table carried (dropped with it: the stored counts' and
/// boost caches', whose definitions are their modules'), so their stored
/// results stay valid and keep being invalidated.
pub(super) fn derived_columns(conn: &Connection) -> Result<(), IndexError> {
    let triggers: Vec<String> = conn
        .prepare(
            "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'received' \
             ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    conn.execute_batch(super::V9_INDEXES)?;
    for trigger in triggers {
        conn.execute_batch(&trigger)?;
    }
    Ok(())
}

/// Version 10: the channels, senders and rows were copied by the step's
/// SQL (`schema::V10`); swap the tables (`V10_INDEXES`) and re-create the
/// triggers the old table carried, as in version 9, but the boost days'
/// from its module's definition: it reads the sender key, now through the
/// sender id (`boost_cache::days_trigger`), where its stored text reads the
/// column version 10 removes.
pub(super) fn interned_keys(conn: &Connection) -> Result<(), IndexError> {
    let triggers: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'received' \
             ORDER BY name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    conn.execute_batch(super::V10_INDEXES)?;
    for (name, sql) in triggers {
        if name == boost_cache::DAYS_TRIGGER {
            conn.execute_batch(&boost_cache::days_trigger())?;
        } else {
            conn.execute_batch(&sql)?;
        }
    }
    Ok(())
}

/// A row blob `blob::decode_row` refuses (an unknown one-byte type), for
/// records that were unreadable before version 8.
const UNREADABLE: [u8; 1] = [0xFE];

/// Which record the displayed message of a stored blob comes from.
fn source_of(stored: &[u8]) -> Option<MessageSource> {
    let records = blob::decode(stored).ok()?;
    let boost = records
        .get(&record::BOOSTAGRAM)
        .and_then(|v| Boostagram::parse(v).ok());
    display_message(&records, boost.as_ref()).map(|(_, source)| source)
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::super::{create_version_3, migrate};
    use crate::keysend::Records;
    use crate::keysend::incoming::MessageSource;
    use crate::keysend::record::{BOOSTAGRAM, MESSAGE, TIP_NOTE};
    use crate::wallet::blob;

    /// A version 3 file holding one row per `(message column, records blob)`.
    fn version_3_file(rows: &[(Option<&str>, Vec<u8>)]) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        create_version_3(&conn).unwrap();
        for (n, (message, records)) in rows.iter().enumerate() {
            let _ = conn
                .execute(
                    "INSERT INTO received (id, hash, chan_id, htlc_index, amount_msat, created_at, \
                     settled_at, add_index, settle_index, message, records) \
                     VALUES (?1, x'01', 1, ?1, 1000, 1, ?1, ?1, ?1, ?2, ?3)",
                    rusqlite::params![n as i64 + 1, message, records],
                )
                .unwrap();
        }
        conn
    }

    fn stored(records: &[(u64, &[u8])]) -> Vec<u8> {
        let records: Records = records.iter().map(|(k, v)| (*k, v.to_vec())).collect();
        blob::encode(&records)
    }

    /// The `message_source` column of every row, in id order.
    fn stored_codes(conn: &Connection) -> Vec<Option<i64>> {
        conn.prepare("SELECT message_source FROM received ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn version_4_fills_the_message_source_from_stored_records() {
        let boost: &[u8] = br#"{"podcast":"Noded","message":"from the boost"}"#;
        let mut conn = version_3_file(&[
            (
                Some("chat"),
                stored(&[(MESSAGE, b"chat"), (BOOSTAGRAM, boost)]),
            ),
            (
                Some("from the boost"),
                stored(&[(MESSAGE, b" \n "), (BOOSTAGRAM, boost)]),
            ),
            (
                Some("a note"),
                stored(&[(MESSAGE, b"\xe2\x80\x8b"), (TIP_NOTE, b"a note")]),
            ),
            (None, stored(&[(BOOSTAGRAM, br#"{"podcast":"Noded"}"#)])),
            (Some("unreadable"), vec![0, 0, 0]),
        ]);
        migrate(&mut conn).unwrap();
        let codes = stored_codes(&conn);
        let sources: Vec<Option<MessageSource>> = codes
            .iter()
            .map(|c| c.and_then(MessageSource::from_code))
            .collect();
        use MessageSource::*;
        assert_eq!(
            sources,
            [Some(Chat), Some(Boostagram), Some(TipNote), None, None]
        );
        assert_eq!(codes[..3], [Some(1), Some(2), Some(3)]);
    }

    /// A `records` value that is not a blob (text or a number, as a foreign
    /// tool or a damaged file may leave; the column is NOT NULL) stays NULL
    /// and the migration finishes, filling the other rows.
    #[test]
    fn version_4_leaves_rows_whose_records_are_not_a_blob() {
        let mut conn = version_3_file(&[(Some("chat"), stored(&[(MESSAGE, b"chat")]))]);
        for (id, records) in [
            (2, rusqlite::types::Value::Text("not a blob".into())),
            (3, rusqlite::types::Value::Integer(7)),
        ] {
            let _ = conn
                .execute(
                    "INSERT INTO received (id, hash, chan_id, htlc_index, amount_msat, created_at, \
                     settled_at, add_index, settle_index, message, records) \
                     VALUES (?1, x'02', 1, ?1, 1000, 1, ?1, ?1, ?1, 'odd', ?2)",
                    rusqlite::params![id, records],
                )
                .unwrap();
        }
        migrate(&mut conn).unwrap();
        let codes = stored_codes(&conn);
        assert_eq!(codes, [Some(MessageSource::Chat.code()), None, None]);
    }
}
