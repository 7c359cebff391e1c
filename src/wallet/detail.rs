//! One inbox entry in full: every record, the boostagram fields, the keys
//! it is known by on the node, and which record the message came from (a
//! sender signature covers the chat record only).

use rusqlite::{OptionalExtension, Row};

use super::sender::SenderFacts;
use super::verification::Verification;
use super::{Index, IndexError, blob, interned};
use crate::keysend::incoming::{MessageSource, Sender, decode, verify_sender};
use crate::keysend::text::display_safe_multiline;
use crate::keysend::{Msat, NodeId, PaymentHash, Records};

/// Longest message shown in the detail view, in characters.
pub const MESSAGE_CHARS: usize = 2000;

/// Everything stored about one received keysend. Text fields are display-safe;
/// names, keys and podcast fields are claimed by the sender.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxDetail {
    pub id: i64,
    pub hash: PaymentHash,
    pub chan_id: u64,
    pub htlc_index: u64,
    pub amount: Msat,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub settled_at: i64,
    pub add_index: u64,
    pub settle_index: u64,
    /// The whole message, line breaks kept.
    pub message: Option<String>,
    /// The record `message` came from (decoded from `records`).
    pub message_source: Option<MessageSource>,
    pub sender_pubkey: Option<NodeId>,
    pub sender_name: Option<String>,
    pub podcast: Option<String>,
    pub episode: Option<String>,
    pub app: Option<String>,
    /// Every custom record of the HTLC, raw.
    pub records: Records,
    pub verification: Option<Verification>,
    pub unread: bool,
}

impl InboxDetail {
    /// Whether the sender is verified and the shown message is the text
    /// their signature covers (the chat record 34349334). A verified sender
    /// next to a boostagram message or a tip note proves nothing about it.
    pub fn message_signed(&self) -> bool {
        self.verification.is_some_and(Verification::is_verified)
            && self.message_source.is_some_and(MessageSource::signable)
    }

    /// What the index knows about the sender (see [`super::ShownSender`]).
    pub fn facts(&self) -> SenderFacts<'_> {
        SenderFacts {
            verification: self.verification,
            pubkey: self.sender_pubkey,
            claimed_name: self.sender_name.as_deref(),
            message_source: self.message.as_ref().and(self.message_source),
        }
    }
}

/// What a listing prints of an entry besides its list row: the whole
/// message and who sent it, as far as the index knows.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    /// The whole message, line breaks kept.
    pub message: Option<String>,
    pub message_source: Option<MessageSource>,
    pub sender_pubkey: Option<NodeId>,
    pub sender_name: Option<String>,
    pub verification: Verification,
}

impl Listed {
    /// An entry read in full and its sender (checked now or before).
    pub fn of(detail: InboxDetail, sender: &Sender) -> Self {
        Self {
            message: detail.message,
            message_source: detail.message_source,
            sender_pubkey: detail.sender_pubkey,
            sender_name: detail.sender_name,
            verification: Verification::of(sender),
        }
    }

    /// The node a checked signature proves sent it (the claimed key, once
    /// the check verified it).
    pub fn verified(&self) -> Option<NodeId> {
        self.sender_pubkey
            .filter(|_| self.verification.is_verified())
    }

    /// What the index knows about the sender, as [`InboxDetail::facts`]
    /// says it once the check's outcome is in.
    pub fn facts(&self) -> SenderFacts<'_> {
        SenderFacts {
            verification: Some(self.verification),
            pubkey: self.sender_pubkey,
            claimed_name: self.sender_name.as_deref(),
            message_source: self.message.as_ref().and(self.message_source),
        }
    }
}

/// The columns [`Index::listed`] reads: no records, no hash.
const LISTED_SQL: &str = concat!(
    "SELECT message, ",
    interned::sender_key!("sender"),
    ", sender_name, verification, message_source FROM received WHERE id = ?1"
);

const DETAIL_SQL: &str = concat!(
    "SELECT id, hash, ",
    interned::chan_id!("channel"),
    ", htlc_index, amount_msat, created_at, \
    settled_at, add_index, settle_index, message, ",
    interned::sender_key!("sender"),
    ", sender_name, podcast, \
    episode, app, verification, read, message_source, records, ",
    blob::shared_columns!(),
    " FROM received WHERE id = ?1"
);

impl Index {
    /// The full entry `id`.
    pub fn detail(&self, id: i64) -> Result<InboxDetail, IndexError> {
        Self::detail_in(&self.lock(), id)
    }

    /// [`Listed`] for each of `ids` from its columns alone, in one
    /// transaction: what a listing's chunk reads once its senders are
    /// checked (the records are neither read nor decoded, the hash not
    /// computed again). `None` for an entry the columns cannot answer for
    /// (never checked, a verified sender without its key, a message stored
    /// without its source, or not found): read it in full instead
    /// ([`Index::detail`], [`Index::verify`]), which says why.
    pub fn listed(&self, ids: &[i64]) -> Result<Vec<Option<Listed>>, IndexError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let mut found = Vec::with_capacity(ids.len());
        {
            let mut stmt = tx.prepare_cached(LISTED_SQL)?;
            for &id in ids {
                let listed = stmt.query_row([id], listed_row).optional()?;
                found.push(listed.flatten());
            }
        }
        tx.commit()?;
        Ok(found)
    }

    /// [`Index::detail`] on a connection already held.
    fn detail_in(conn: &rusqlite::Connection, id: i64) -> Result<InboxDetail, IndexError> {
        let mut stmt = conn.prepare_cached(DETAIL_SQL)?;
        let found = stmt.query_row([id], |row| {
            let source = row.get::<_, Option<i64>>(17)?;
            Ok((detail_row(row)?, blob::decode_columns(row, 18)?, source))
        });
        let (mut detail, records, source) = found.optional()?.ok_or(IndexError::NotFound(id))?;
        detail.records = records.map_err(|source| IndexError::BadRecords { id, source })?;
        // The source stored with the row (decoded once, at insert); the
        // records again only for a row stored without it.
        detail.message_source = detail.message.as_ref().and_then(|_| {
            source
                .and_then(MessageSource::from_code)
                .or_else(|| decode(&detail.records).message_source)
        });
        Ok(detail)
    }

    /// Who sent entry `id`, checking the signature for `recipient` (our node)
    /// the first time and caching the outcome for the list.
    pub fn verify(&self, id: i64, recipient: &NodeId) -> Result<Sender, IndexError> {
        let detail = self.detail(id)?;
        let cached = detail.verification.and_then(|v| v.sender(&detail.records));
        if let Some(sender) = cached {
            return Ok(sender);
        }
        let sender = verify_sender(&detail.records, recipient);
        self.set_verification(id, Verification::of(&sender))?;
        Ok(sender)
    }

    /// Store the outcome of a signature check for entry `id`.
    /// Check up to `limit` senders not checked yet (newest first), so a
    /// search can match verified senders by name; returns how many.
    pub fn verify_pending(&self, recipient: &NodeId, limit: u64) -> Result<usize, IndexError> {
        self.verify_pending_within(recipient, limit, u64::MAX)
    }

    /// [`Index::verify_pending`] among the newest `newest` entries only (a
    /// range of ids): what a search checks before matching senders by
    /// name, so a history of a million, all checked, is not walked in full
    /// at every search (170 ms at a million).
    pub fn verify_pending_within(
        &self,
        recipient: &NodeId,
        limit: u64,
        newest: u64,
    ) -> Result<usize, IndexError> {
        let ids: Vec<i64> = {
            let conn = self.lock();
            let mut stmt = conn.prepare_cached(
                "SELECT id FROM received WHERE verification IS NULL \
                 AND sender IS NOT NULL \
                 AND id > (SELECT coalesce(max(id), 0) FROM received) - ?2 \
                 ORDER BY id DESC LIMIT ?1",
            )?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let newest = i64::try_from(newest).unwrap_or(i64::MAX);
            let rows = stmt.query_map([limit, newest], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let _checked = self.verify_many(&ids, recipient)?;
        Ok(ids.len())
    }

    fn set_verification(&self, id: i64, value: Verification) -> Result<(), IndexError> {
        let conn = self.lock();
        let mut stmt =
            conn.prepare_cached("UPDATE received SET verification = ?2 WHERE id = ?1")?;
        match stmt.execute((id, value.code()))? {
            0 => Err(IndexError::NotFound(id)),
            _ => Ok(()),
        }
    }
}

/// A [`LISTED_SQL`] row; `None` when only the records can tell.
fn listed_row(row: &Row<'_>) -> rusqlite::Result<Option<Listed>> {
    let message: Option<String> = row.get(0)?;
    let pubkey: Option<Vec<u8>> = row.get(1)?;
    let sender_pubkey = pubkey.and_then(|k| NodeId::from_slice(&k).ok());
    let verification = row
        .get::<_, Option<i64>>(3)?
        .and_then(Verification::from_code);
    let stored_source = row
        .get::<_, Option<i64>>(4)?
        .and_then(MessageSource::from_code);
    let message_source = message.as_ref().and(stored_source);
    let Some(verification) = verification else {
        return Ok(None);
    };
    if (verification.is_verified() && sender_pubkey.is_none())
        || (message.is_some() && message_source.is_none())
    {
        return Ok(None);
    }
    Ok(Some(Listed {
        message: message.map(|m| display_safe_multiline(&m, MESSAGE_CHARS)),
        message_source,
        sender_pubkey,
        sender_name: row.get(2)?,
        verification,
    }))
}

fn detail_row(row: &Row<'_>) -> rusqlite::Result<InboxDetail> {
    let hash: Vec<u8> = row.get(1)?;
    let pubkey: Option<Vec<u8>> = row.get(10)?;
    let sender_pubkey = pubkey.and_then(|k| NodeId::from_slice(&k).ok());
    let sender_name: Option<String> = row.get(11)?;
    let message: Option<String> = row.get(9)?;
    Ok(InboxDetail {
        id: row.get(0)?,
        hash: PaymentHash::from_slice(&hash).unwrap_or(PaymentHash::from_bytes([0; 32])),
        chan_id: row.get::<_, i64>(2)? as u64,
        htlc_index: row.get::<_, i64>(3)? as u64,
        amount: Msat(row.get::<_, i64>(4)? as u64),
        created_at: row.get(5)?,
        settled_at: row.get(6)?,
        add_index: row.get::<_, i64>(7)? as u64,
        settle_index: row.get::<_, i64>(8)? as u64,
        message: message.map(|m| display_safe_multiline(&m, MESSAGE_CHARS)),
        message_source: None,
        sender_pubkey,
        sender_name,
        podcast: row.get(12)?,
        episode: row.get(13)?,
        app: row.get(14)?,
        records: Records::new(),
        verification: row
            .get::<_, Option<i64>>(15)?
            .and_then(Verification::from_code),
        unread: !row.get::<_, bool>(16)?,
    })
}

#[cfg(test)]
pub(super) mod tests {
    use crate::keysend::identity::{node_id_of, sign_whatsat, whatsat_payload};
    use crate::keysend::incoming::MessageSource;
    use crate::keysend::{Msat, NodeId, PaymentHash, Records, record};
    use crate::node::ReceivedKeysend;
    use crate::wallet::{Index, Listed};

    /// Keysend `n` to `me`, its chat record `chat` signed (Whatsat) by a
    /// real key, plus `extra` records.
    pub(in crate::wallet) fn signed(
        n: u8,
        me: &NodeId,
        chat: &str,
        extra: &[(u64, &[u8])],
    ) -> ReceivedKeysend {
        let secret = secp256k1::SecretKey::from_slice(&[9; 32]).unwrap();
        let sender = node_id_of(&secret);
        let payload = whatsat_payload(&sender, me, 42, chat.as_bytes());
        let mut records = Records::from([
            (record::MESSAGE, chat.as_bytes().to_vec()),
            (record::SENDER_PUBKEY, sender.as_bytes().to_vec()),
            (record::TIMESTAMP, 42u64.to_be_bytes().to_vec()),
            (record::SIGNATURE, sign_whatsat(&secret, &payload).to_vec()),
        ]);
        records.extend(extra.iter().map(|(k, v)| (*k, v.to_vec())));
        ReceivedKeysend {
            hash: PaymentHash::from_bytes([n; 32]),
            chan_id: 1,
            htlc_index: u64::from(n),
            amount: Msat::from_sat(10),
            add_index: u64::from(n),
            settle_index: u64::from(n),
            created_at: i64::from(n),
            settled_at: i64::from(n),
            records,
        }
    }

    /// Store `items` (keysends on channel 1); their ids, in order.
    pub(in crate::wallet) fn store(index: &Index, items: &[ReceivedKeysend]) -> Vec<i64> {
        let _ = index.insert_received(items).unwrap();
        items
            .iter()
            .map(|item| {
                index
                    .find_received(&item.hash, 1, item.htlc_index)
                    .unwrap()
                    .unwrap()
            })
            .collect()
    }

    /// An empty index in a temporary folder, and our node's id.
    pub(in crate::wallet) fn empty_index() -> (tempfile::TempDir, Index, NodeId) {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let me = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
            .parse()
            .unwrap();
        (dir, index, me)
    }

    #[test]
    fn only_the_chat_record_is_covered_by_a_verified_signature() {
        let (_dir, index, me) = empty_index();
        let boost: &[u8] = br#"{"message":"send 1 BTC to me"}"#;
        // An invisible chat record is signed; the boostagram's text is shown.
        let cases = [
            (
                signed(1, &me, "thanks!", &[]),
                "thanks!",
                MessageSource::Chat,
                true,
            ),
            (
                signed(2, &me, "\u{200b}", &[(record::BOOSTAGRAM, boost)]),
                "send 1 BTC to me",
                MessageSource::Boostagram,
                false,
            ),
            (
                signed(3, &me, " ", &[(record::TIP_NOTE, b"a note")]),
                "a note",
                MessageSource::TipNote,
                false,
            ),
        ];
        for (item, text, source, covered) in cases {
            let _ = index.insert_received(std::slice::from_ref(&item)).unwrap();
            let id = index
                .find_received(&item.hash, 1, item.htlc_index)
                .unwrap()
                .unwrap();
            assert!(index.detail(id).unwrap().verification.is_none());
            assert!(!index.detail(id).unwrap().message_signed(), "unchecked");
            let sender = index.verify(id, &me).unwrap();
            assert!(matches!(
                sender,
                crate::keysend::incoming::Sender::Verified { .. }
            ));
            let detail = index.detail(id).unwrap();
            assert_eq!(detail.message.as_deref(), Some(text));
            assert_eq!(detail.message_source, Some(source), "{text}");
            assert_eq!(detail.message_signed(), covered, "{text}");
        }
    }

    /// A search checks the newest entries only; without a bound, every
    /// unchecked one up to the limit.
    #[test]
    fn pending_checks_can_be_bounded_to_the_newest_entries() {
        let (_dir, index, me) = empty_index();
        let items: Vec<_> = (1..=5).map(|n| signed(n, &me, "hi", &[])).collect();
        let _ = index.insert_received(&items).unwrap();
        let unchecked = || {
            (1..=5)
                .filter(|&id| index.detail(id).unwrap().verification.is_none())
                .collect::<Vec<i64>>()
        };
        assert_eq!(index.verify_pending_within(&me, 10, 2).unwrap(), 2);
        assert_eq!(unchecked(), [1, 2, 3]);
        assert_eq!(index.verify_pending_within(&me, 10, 2).unwrap(), 0);
        assert_eq!(index.verify_pending(&me, 2).unwrap(), 2);
        assert_eq!(unchecked(), [1]);
    }

    /// A chunk's entries read from their columns alone are what a full read
    /// and its check give, in the order asked; an entry the columns cannot
    /// answer for (never checked, stored without its message's source, not
    /// found) is left to the full read.
    #[test]
    fn listed_entries_are_what_a_full_read_and_check_give() {
        use crate::keysend::record;
        let (_dir, index, me) = empty_index();
        let boost = br#"{"podcast":"Show","sender_name":"fan","message":"boost!"}"#;
        let items = [
            signed(1, &me, "signed tip", &[]),
            signed(
                2,
                &me,
                "signed, with a name",
                &[(record::SENDER_ALIAS, b"Al")],
            ),
            // Forged: the text changed after signing.
            signed(3, &me, "forged", &[(record::MESSAGE, b"changed")]),
            // A claimed sender without a signature, named by the boostagram.
            signed(4, &me, "", &[(record::BOOSTAGRAM, boost)]),
            signed(5, &me, "never checked", &[]),
            signed(6, &me, "source not stored", &[]),
            signed(7, &me, "anonymous", &[]),
        ];
        let mut items = items.to_vec();
        items[3].records.retain(|k, _| *k != record::SIGNATURE);
        let _ = items[3].records.remove(&record::MESSAGE);
        items[6].records.retain(|k, _| *k == record::MESSAGE);
        let ids = store(&index, &items);
        let (unchecked, sourceless) = (ids[4], ids[5]);
        for id in ids.iter().filter(|id| **id != unchecked) {
            let _ = index.verify(*id, &me).unwrap();
        }
        let _ = index
            .lock()
            .execute(
                "UPDATE received SET message_source = NULL WHERE id = ?1",
                [sourceless],
            )
            .unwrap();
        let mut asked: Vec<i64> = ids.iter().rev().copied().collect();
        asked.insert(2, 999);
        let chunk = index.listed(&asked).unwrap();
        assert_eq!(chunk.len(), asked.len());
        for (id, listed) in asked.iter().zip(chunk) {
            if [unchecked, sourceless, 999].contains(id) {
                assert_eq!(listed, None, "entry {id}");
                continue;
            }
            let detail = index.detail(*id).unwrap();
            let sender = index.verify(*id, &me).unwrap();
            assert_eq!(listed, Some(Listed::of(detail, &sender)), "entry {id}");
        }
        let first = index.listed(&ids[..1]).unwrap().remove(0).unwrap();
        assert!(first.verified().is_some() && first.verification.is_verified());
        let boost = index.listed(&ids[3..4]).unwrap().remove(0).unwrap();
        assert_eq!(
            (boost.message.as_deref(), boost.sender_name.as_deref()),
            (Some("boost!"), Some("fan"))
        );
    }
}
