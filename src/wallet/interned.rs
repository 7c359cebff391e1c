//! Channel ids and claimed sender keys stored once (schema v10): a received
//! row holds the small id of its incoming channel (`channel`, in
//! `channels`) and of the key its sender claims (`sender`, in `senders`),
//! a byte or two where the 8-byte channel id and the 33-byte key were
//! repeated in the row and in the unique and sender indexes (about 40 bytes
//! a row at a million, BENCHMARKS.md). Ids are never reused: neither table
//! loses a row, so an id read once keeps naming the same key.
//!
//! Readers keep answering with the key and the channel id: they select the
//! SQL below ([`sender_key!`], [`chan_id!`]) and filter by the id a key
//! looks up ([`sender_id!`], [`channel_id!`]: NULL for a key the index never
//! met, which matches no row).

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension};

use crate::keysend::NodeId;

/// SQL for the claimed sender key of the received row whose sender id is
/// the column `$column` (NULL when the row has none).
macro_rules! sender_key {
    ($column:literal) => {
        concat!("(SELECT pubkey FROM senders WHERE id = ", $column, ")")
    };
}
pub(crate) use sender_key;

/// SQL for the sender id of the key `$key` (a parameter or a column):
/// NULL for a key no row claims.
macro_rules! sender_id {
    ($key:literal) => {
        concat!("(SELECT id FROM senders WHERE pubkey = ", $key, ")")
    };
}
pub(crate) use sender_id;

/// SQL for the channel id (LND's short channel id) of the received row
/// whose channel is the column `$column`.
macro_rules! chan_id {
    ($column:literal) => {
        concat!("(SELECT chan_id FROM channels WHERE id = ", $column, ")")
    };
}
pub(crate) use chan_id;

/// SQL for the row id of the channel `$chan_id` (a parameter): NULL for
/// a channel no row came through.
macro_rules! channel_id {
    ($chan_id:literal) => {
        concat!("(SELECT id FROM channels WHERE chan_id = ", $chan_id, ")")
    };
}
pub(crate) use channel_id;

/// [`sender_key!`] for a column known at run time (a trigger's `old.` or
/// `new.` row).
pub(crate) fn sender_key_of(column: &str) -> String {
    format!("(SELECT pubkey FROM senders WHERE id = {column})")
}

/// The ids of the channels and sender keys one insert transaction met:
/// each is looked up (or added) once, not once per row, so a first sync of
/// a million rows from a few channels and thousands of senders does a few
/// thousand look-ups. Kept no longer than the transaction: an id added by a
/// transaction that rolls back is gone, and another key may take it.
#[derive(Debug, Default)]
pub(crate) struct Interned {
    channels: HashMap<u64, i64>,
    senders: HashMap<NodeId, i64>,
}

impl Interned {
    /// The id of channel `chan_id`, added if new.
    pub(crate) fn channel(&mut self, tx: &Connection, chan_id: u64) -> rusqlite::Result<i64> {
        if let Some(&id) = self.channels.get(&chan_id) {
            return Ok(id);
        }
        // SQLite integers are signed: a channel id above 2^63 is stored
        // as its two's complement and read back the same way.
        let id = intern(
            tx,
            "SELECT id FROM channels WHERE chan_id = ?1",
            "INSERT INTO channels (chan_id) VALUES (?1)",
            chan_id as i64,
        )?;
        let _ = self.channels.insert(chan_id, id);
        Ok(id)
    }

    /// The id of the claimed sender key `key`, added if new.
    pub(crate) fn sender(&mut self, tx: &Connection, key: &NodeId) -> rusqlite::Result<i64> {
        if let Some(&id) = self.senders.get(key) {
            return Ok(id);
        }
        let id = intern(
            tx,
            "SELECT id FROM senders WHERE pubkey = ?1",
            "INSERT INTO senders (pubkey) VALUES (?1)",
            &key.as_bytes()[..],
        )?;
        let _ = self.senders.insert(*key, id);
        Ok(id)
    }
}

/// The id `select` finds for `value`, or the id of the row `insert` adds.
fn intern(
    tx: &Connection,
    select: &str,
    insert: &str,
    value: impl rusqlite::ToSql,
) -> rusqlite::Result<i64> {
    let found = tx
        .prepare_cached(select)?
        .query_row([&value], |r| r.get(0))
        .optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    let _ = tx.prepare_cached(insert)?.execute([&value])?;
    Ok(tx.last_insert_rowid())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::record;
    use crate::node::ReceivedKeysend;
    use crate::wallet::index_tests::open_temp;
    use crate::wallet::{InboxQuery, Index};

    fn key(byte: u8) -> NodeId {
        crate::podcast::example::node(byte)
    }

    /// Keysend `n` through channel `chan_id`, claiming sender `from` if any.
    fn keysend(n: u64, chan_id: u64, from: Option<NodeId>) -> ReceivedKeysend {
        let mut item = crate::wallet::index_tests::keysend(n, &format!("hi {n}"));
        item.chan_id = chan_id;
        if let Some(from) = from {
            let _ = item
                .records
                .insert(record::SENDER_PUBKEY, from.as_bytes().to_vec());
        }
        item
    }

    fn column(index: &Index, sql: &str) -> Vec<Option<i64>> {
        index
            .lock()
            .prepare(sql)
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn a_key_or_channel_seen_twice_gets_one_id() {
        let (_dir, index) = open_temp();
        let (a, b) = (key(0xAA), key(0xBB));
        let first = [keysend(1, 7, Some(a)), keysend(2, 9, Some(b))];
        assert_eq!(index.insert_received(&first).unwrap(), 2);
        // Another batch (another transaction): the stored ids are found.
        let second = [keysend(3, 7, Some(a)), keysend(4, 9, Some(a))];
        assert_eq!(index.insert_received(&second).unwrap(), 2);
        let senders = column(&index, "SELECT sender FROM received ORDER BY id");
        assert_eq!(senders, [Some(1), Some(2), Some(1), Some(1)]);
        let channels = column(&index, "SELECT channel FROM received ORDER BY id");
        assert_eq!(channels, [Some(1), Some(2), Some(1), Some(2)]);
        let counts = column(
            &index,
            "SELECT count(*) FROM senders UNION ALL SELECT count(*) FROM channels",
        );
        assert_eq!(counts, [Some(2), Some(2)]);
        // Readers get the key and the channel id back.
        for (id, (from, chan_id)) in (1..).zip([(a, 7), (b, 9), (a, 7), (a, 9)]) {
            let detail = index.detail(id).unwrap();
            assert_eq!(
                (detail.sender_pubkey, detail.chan_id),
                (Some(from), chan_id)
            );
        }
    }

    #[test]
    fn a_row_without_a_claimed_key_has_no_sender_and_no_senders_row() {
        let (_dir, index) = open_temp();
        let rows = [keysend(1, 7, None), keysend(2, 7, Some(key(0xAA)))];
        assert_eq!(index.insert_received(&rows).unwrap(), 2);
        let senders = column(&index, "SELECT sender FROM received ORDER BY id");
        assert_eq!(senders, [None, Some(1)]);
        assert_eq!(column(&index, "SELECT count(*) FROM senders"), [Some(1)]);
        assert_eq!(index.detail(1).unwrap().sender_pubkey, None);
        let listed = index.inbox(&InboxQuery::default()).unwrap();
        let keys: Vec<_> = listed.iter().map(|r| r.sender_pubkey).collect();
        assert_eq!(keys, [Some(key(0xAA)), None], "newest first");
    }

    #[test]
    fn a_filter_by_a_key_never_seen_matches_nothing() {
        let (_dir, index) = open_temp();
        let rows = [keysend(1, 7, None), keysend(2, 7, Some(key(0xAA)))];
        assert_eq!(index.insert_received(&rows).unwrap(), 2);
        let by = |from: NodeId| InboxQuery {
            sender: Some(from),
            ..InboxQuery::default()
        };
        assert_eq!(index.count(&by(key(0xCC))).unwrap(), 0);
        assert!(index.inbox(&by(key(0xCC))).unwrap().is_empty());
        assert!(index.thread(&key(0xCC), 10).unwrap().is_empty());
        assert_eq!(index.mark_thread_read(&key(0xCC)).unwrap(), 0);
        assert_eq!(column(&index, "SELECT count(*) FROM senders"), [Some(1)]);
        // The known key still finds its row, and only it.
        let found = index.inbox(&by(key(0xAA))).unwrap();
        assert_eq!(found.iter().map(|r| r.id).collect::<Vec<_>>(), [2]);
        assert_eq!(index.count(&by(key(0xAA))).unwrap(), 1);
        let hash = rows[0].hash;
        assert_eq!(
            index.find_received(&hash, 8, 1).unwrap(),
            None,
            "no channel 8"
        );
        assert_eq!(index.find_received(&hash, 7, 1).unwrap(), Some(1));
    }

    #[test]
    fn a_channel_id_above_i64_max_reads_back_whole() {
        let (_dir, index) = open_temp();
        let chan_id = u64::MAX - 5;
        let row = keysend(1, chan_id, None);
        assert_eq!(
            index.insert_received(std::slice::from_ref(&row)).unwrap(),
            1
        );
        assert_eq!(index.detail(1).unwrap().chan_id, chan_id);
        assert_eq!(index.find_received(&row.hash, chan_id, 1).unwrap(), Some(1));
    }
}
