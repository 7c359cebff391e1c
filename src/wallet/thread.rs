//! Conversations: per node, the keysends it sent us (index `received`, by
//! the node id the sender gives) and the ones we sent it (index `sent`,
//! rebuilt from the node's payment history, so a lost journal loses no
//! thread) merged in time order; and the list of threads by last activity.

use rusqlite::{Row, params};

use super::sent::{SENT_COLUMNS, SentRow, SentStatus, sent_row};
use super::verification::Verification;
use super::{Index, IndexError, blob, interned};
use crate::keysend::chat::ChatMeta;
use crate::keysend::text::display_safe;
use crate::keysend::{Msat, NodeId, PaymentHash};

/// Longest message kept per thread message, in characters.
pub const THREAD_TEXT_CHARS: usize = 1_000;

/// Which side of the conversation a message is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// They sent it to us. `id` is the inbox entry.
    Received {
        id: i64,
        unread: bool,
        /// `None` until the signature was checked ([`Index::verify`]).
        verification: Option<Verification>,
    },
    /// We sent it to them.
    Sent { status: SentStatus },
}

/// One keysend of a thread.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadMessage {
    pub side: Side,
    pub hash: PaymentHash,
    pub amount: Msat,
    /// Nanoseconds since the Unix epoch (received: settle time).
    pub at_ns: i64,
    /// The message, display-safe (empty: none).
    pub text: String,
    pub chat: ChatMeta,
}

impl ThreadMessage {
    /// The payment request they sent us to pay, if any: a Juggernaut
    /// request (its content type says so), else an invoice pasted into the
    /// message. Never one of ours.
    pub fn payment_request(&self) -> Option<&str> {
        if matches!(self.side, Side::Sent { .. }) {
            return None;
        }
        self.chat
            .payment_request
            .as_deref()
            .or_else(|| crate::keysend::chat::invoice_in(&self.text))
    }
}

/// One line of the thread list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadSummary {
    pub peer: NodeId,
    /// Newest activity either way, ns since the Unix epoch.
    pub last_ns: i64,
    pub received: u64,
    pub sent: u64,
    pub unread: u64,
}

const NS: i64 = 1_000_000_000;

const RECEIVED_SQL: &str = concat!(
    "SELECT id, hash, amount_msat, settled_at, message, verification, read, records, ",
    blob::shared_columns!(),
    " FROM received WHERE sender = ",
    interned::sender_id!("?1"),
    " ORDER BY settled_at DESC, id DESC LIMIT ?2"
);

/// Threads: senders (by claimed node id) and destinations, with counts.
/// Each side is grouped first, in the order of its own covering index
/// (`received_sender`, `sent_destination`): no row is read and no temporary
/// tree holds every keysend; only the peers are merged. A sender's key is
/// looked up once per sender, by its id (schema v10).
pub(super) const THREADS_SQL: &str = concat!(
    "SELECT peer, max(at), sum(inbound), sum(outbound), sum(unread) \
    FROM (SELECT ",
    interned::sender_key!("sender"),
    " AS peer, max(settled_at) * 1000000000 AS at, count(*) AS inbound, \
        0 AS outbound, sum(read = 0) AS unread FROM received WHERE sender IS NOT NULL \
        GROUP BY sender \
    UNION ALL SELECT destination, max(created_ns), 0, count(*), 0 FROM sent \
        WHERE destination IS NOT NULL GROUP BY destination) \
    GROUP BY peer ORDER BY max(at) DESC LIMIT ?1"
);

impl Index {
    /// The newest `limit` keysends between us and `peer`, oldest first.
    /// Received keysends are those whose sender *claims* `peer`; each says
    /// whether that was verified.
    pub fn thread(&self, peer: &NodeId, limit: u64) -> Result<Vec<ThreadMessage>, IndexError> {
        let limit_sql = i64::try_from(limit).unwrap_or(i64::MAX);
        let key = &peer.as_bytes()[..];
        let conn = self.lock();
        let mut messages: Vec<ThreadMessage> = {
            let mut stmt = conn.prepare_cached(RECEIVED_SQL)?;
            let rows = stmt.query_map(params![key, limit_sql], received_message)?;
            rows.collect::<Result<_, _>>()?
        };
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {SENT_COLUMNS} FROM sent WHERE destination = ?1 \
             ORDER BY created_ns DESC, id DESC LIMIT ?2"
        ))?;
        let sent = stmt.query_map(params![key, limit_sql], |row| {
            let records: Vec<u8> = row.get(8)?;
            let message: Option<String> = row.get(7)?;
            Ok((sent_row(row)?, records, message))
        })?;
        for item in sent {
            let (row, records, message) = item?;
            messages.push(sent_message(&row, &records, message.as_deref()));
        }
        order(&mut messages);
        let extra = messages.len().saturating_sub(limit as usize);
        let _ = messages.drain(..extra);
        Ok(messages)
    }

    /// Conversations, newest activity first (at most `limit`).
    pub fn threads(&self, limit: u64) -> Result<Vec<ThreadSummary>, IndexError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(THREADS_SQL)?;
        let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |row| {
            let peer: Vec<u8> = row.get(0)?;
            Ok((
                peer,
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, i64>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (peer, last_ns, received, sent, unread) = row?;
            let Ok(peer) = NodeId::from_slice(&peer) else {
                continue;
            };
            let count = |n: i64| u64::try_from(n).unwrap_or_default();
            out.push(ThreadSummary {
                peer,
                last_ns,
                received: count(received),
                sent: count(sent),
                unread: count(unread),
            });
        }
        Ok(out)
    }

    /// The inbox entries whose payment hash starts with `prefix` (hex, any
    /// case); at most `limit`. Not hex: none.
    pub fn received_by_prefix(&self, prefix: &str, limit: u64) -> Result<Vec<i64>, IndexError> {
        if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(Vec::new());
        }
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT id FROM received WHERE hex(hash) LIKE ?1 || '%' ORDER BY id LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![prefix.to_ascii_uppercase(), limit], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Mark every received keysend read ("Mark all read"); returns how many.
    pub fn mark_all_read(&self) -> Result<usize, IndexError> {
        Ok(self
            .lock()
            // The unread rows found in the list index (it holds every
            // read flag; schema v9 has no unread index), not a table scan.
            .execute(
                "UPDATE received SET read = 1 WHERE id IN \
                 (SELECT id FROM received INDEXED BY received_list WHERE read = 0)",
                [],
            )?)
    }

    /// Mark every received keysend of the thread with `peer` read.
    pub fn mark_thread_read(&self, peer: &NodeId) -> Result<usize, IndexError> {
        Ok(self.lock().execute(
            concat!(
                "UPDATE received SET read = 1 WHERE sender = ",
                interned::sender_id!("?1"),
                " AND read = 0"
            ),
            [&peer.as_bytes()[..]],
        )?)
    }
}

/// Time order. Received times are whole seconds, so within one second an
/// answer ([`ChatMeta::in_reply_to`]) goes after what it answers; otherwise
/// received (by arrival) before sent.
fn order(messages: &mut [ThreadMessage]) {
    messages.sort_by_key(|m| {
        let rank = match m.side {
            Side::Received { id, .. } => (0, id),
            Side::Sent { .. } => (1, m.at_ns),
        };
        (m.at_ns.div_euclid(NS), rank)
    });
    let mut start = 0;
    while start < messages.len() {
        let second = messages[start].at_ns.div_euclid(NS);
        let end = messages[start..]
            .iter()
            .position(|m| m.at_ns.div_euclid(NS) != second)
            .map_or(messages.len(), |n| start + n);
        if end - start <= SAME_SECOND_LINKS {
            answers_after_questions(&mut messages[start..end]);
        }
        start = end;
    }
}

/// Largest same-second group whose reply links are followed.
const SAME_SECOND_LINKS: usize = 64;

/// Move each answer after the message it answers (a few passes; a cycle of
/// forged links cannot loop forever).
fn answers_after_questions(group: &mut [ThreadMessage]) {
    for _pass in 0..group.len() {
        let mut moved = false;
        for i in 0..group.len() {
            let Some(question) = group[i].chat.in_reply_to else {
                continue;
            };
            let later = group[i + 1..].iter().position(|m| m.hash == question);
            if let Some(offset) = later {
                group[i..=i + 1 + offset].rotate_left(1);
                moved = true;
                break;
            }
        }
        if !moved {
            return;
        }
    }
}

/// Received keysend `n` (hash `[n; 32]`, indexes `n`) settled at second
/// `at`, for tests.
#[cfg(test)]
pub(crate) fn sample_received(
    n: u32,
    at: i64,
    amount: Msat,
    records: crate::keysend::Records,
) -> crate::node::ReceivedKeysend {
    crate::node::ReceivedKeysend {
        hash: PaymentHash::from_bytes([n as u8; 32]),
        chan_id: 1,
        htlc_index: u64::from(n),
        amount,
        add_index: u64::from(n),
        settle_index: u64::from(n),
        created_at: at,
        settled_at: at,
        records,
    }
}

fn received_message(row: &Row<'_>) -> rusqlite::Result<ThreadMessage> {
    let hash: Vec<u8> = row.get(1)?;
    let message: Option<String> = row.get(4)?;
    let records = blob::decode_columns(row, 7)?.unwrap_or_default();
    Ok(ThreadMessage {
        side: Side::Received {
            id: row.get(0)?,
            unread: !row.get::<_, bool>(6)?,
            verification: row
                .get::<_, Option<i64>>(5)?
                .and_then(Verification::from_code),
        },
        hash: PaymentHash::from_slice(&hash).unwrap_or(PaymentHash::from_bytes([0; 32])),
        amount: Msat(row.get::<_, i64>(2)? as u64),
        at_ns: row.get::<_, i64>(3)?.saturating_mul(NS),
        text: display_safe(message.as_deref().unwrap_or(""), THREAD_TEXT_CHARS),
        chat: ChatMeta::of(&records),
    })
}

fn sent_message(row: &SentRow, records: &[u8], message: Option<&str>) -> ThreadMessage {
    let records = blob::decode(records).unwrap_or_default();
    ThreadMessage {
        side: Side::Sent { status: row.status },
        hash: row.hash,
        amount: row.amount,
        at_ns: row.created_ns,
        text: display_safe(message.unwrap_or(""), THREAD_TEXT_CHARS),
        chat: ChatMeta::of(&records),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's plan for `sql` on a fresh index.
    fn plan_of(sql: &str, values: &[&dyn rusqlite::ToSql]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let conn = index.lock();
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt.query_map(values, |r| r.get::<_, String>(3)).unwrap();
        rows.collect::<Result<Vec<_>, _>>().unwrap().join("; ")
    }

    /// The Conversations list reads indexes only, each side grouped in its
    /// index order (only the peers go through a temporary tree);
    /// a thread walks its peer's entries in the sender and destination
    /// indexes (never a scan of every keysend or payment).
    #[test]
    fn threads_and_a_thread_read_their_indexes() {
        let list = plan_of(THREADS_SQL, &[&50]);
        assert!(
            list.contains("received USING COVERING INDEX received_sender"),
            "{list}"
        );
        assert!(
            list.contains("sent USING COVERING INDEX sent_destination"),
            "{list}"
        );
        assert!(
            !list.contains("SCAN received;") && !list.contains("SCAN sent;"),
            "{list}"
        );
        let key = vec![2u8; 33];
        let received = plan_of(RECEIVED_SQL, &[&key, &50]);
        assert!(
            received.contains("INDEX received_sender (sender=?)"),
            "{received}"
        );
        let sent = plan_of(
            &format!(
                "SELECT {SENT_COLUMNS} FROM sent WHERE destination = ?1 \
                 ORDER BY created_ns DESC, id DESC LIMIT ?2"
            ),
            &[&key, &50],
        );
        assert!(
            sent.contains("INDEX sent_destination (destination=?)"),
            "{sent}"
        );
    }
    use crate::keysend::{Preimage, Records, record};
    use crate::node::{PaymentStatus, ReceivedKeysend, SentKeysend};

    const ALICE: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    const BOB: &str = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";

    fn received(n: u8, from: &NodeId, at: i64, text: &str) -> ReceivedKeysend {
        let mut records = Records::new();
        let _ = records.insert(record::MESSAGE, text.as_bytes().to_vec());
        let _ = records.insert(record::SENDER_PUBKEY, from.as_bytes().to_vec());
        sample_received(u32::from(n), at, Msat::from_sat(u64::from(n)), records)
    }

    fn sent(n: u8, to: &NodeId, at: i64, text: &str, reply_to: Option<PaymentHash>) -> SentKeysend {
        let mut records = Records::new();
        let _ = records.insert(record::MESSAGE, text.as_bytes().to_vec());
        if let Some(hash) = reply_to {
            let _ = records.insert(record::IN_REPLY_TO, hash.as_bytes().to_vec());
        }
        SentKeysend {
            hash: Preimage::from_bytes([n; 32]).hash(),
            payment_index: u64::from(n),
            destination: Some(*to),
            amount: Msat::from_sat(u64::from(n)),
            fee: Msat::ZERO,
            status: PaymentStatus::InFlight,
            created_ns: at * NS,
            records,
        }
    }

    #[test]
    fn both_sides_merge_in_time_order_and_threads_sort_by_activity() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let alice: NodeId = ALICE.parse().unwrap();
        let bob: NodeId = BOB.parse().unwrap();
        let _ = index
            .insert_received(&[
                received(1, &alice, 100, "hi from alice"),
                received(2, &bob, 150, "bob here"),
                received(3, &alice, 300, "how are you?"),
            ])
            .unwrap();
        let first = PaymentHash::from_bytes([1; 32]);
        let _ = index
            .upsert_sent(&[sent(4, &alice, 200, "hello alice", Some(first))])
            .unwrap();

        let thread = index.thread(&alice, 100).unwrap();
        let texts: Vec<&str> = thread.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, ["hi from alice", "hello alice", "how are you?"]);
        assert!(matches!(thread[1].side, Side::Sent { .. }));
        assert_eq!(thread[1].chat.in_reply_to, Some(first));
        assert!(matches!(
            thread[0].side,
            Side::Received { unread: true, .. }
        ));
        // The newest two only, still oldest first.
        let tail = index.thread(&alice, 2).unwrap();
        assert_eq!(tail[0].text, "hello alice");

        let threads = index.threads(10).unwrap();
        let peers: Vec<NodeId> = threads.iter().map(|t| t.peer).collect();
        assert_eq!(peers, [alice, bob]);
        assert_eq!(
            (threads[0].received, threads[0].sent, threads[0].unread),
            (2, 1, 2)
        );
        let ids = index.received_by_prefix("0303", 5).unwrap();
        assert_eq!(ids.len(), 1);
        assert_eq!(index.received_by_prefix("03", 5).unwrap(), ids);
        assert!(index.received_by_prefix("zz", 5).unwrap().is_empty());
        assert_eq!(index.mark_thread_read(&alice).unwrap(), 2);
        assert_eq!(index.threads(10).unwrap()[0].unread, 0);
        assert_eq!(index.threads(10).unwrap()[1].unread, 1);
        assert_eq!(index.mark_all_read().unwrap(), 1);
        assert_eq!(index.threads(10).unwrap()[1].unread, 0);
    }

    #[test]
    fn within_one_second_an_answer_follows_its_question() {
        let msg = |n: u8, side: Side, at_ns: i64, reply: Option<u8>| ThreadMessage {
            side,
            hash: PaymentHash::from_bytes([n; 32]),
            amount: Msat::ZERO,
            at_ns,
            text: n.to_string(),
            chat: ChatMeta {
                in_reply_to: reply.map(|r| PaymentHash::from_bytes([r; 32])),
                ..ChatMeta::default()
            },
        };
        let received = |id| Side::Received {
            id,
            unread: false,
            verification: None,
        };
        let sent = Side::Sent {
            status: SentStatus::InFlight,
        };
        // 1 (received) <- 2 (sent, answers 1) <- 3 (received, answers 2).
        let mut messages = vec![
            msg(3, received(9), 5 * NS, Some(2)),
            msg(2, sent, 5 * NS + 7, Some(1)),
            msg(1, received(4), 5 * NS, None),
            msg(0, received(1), 4 * NS, None),
        ];
        order(&mut messages);
        let texts: Vec<&str> = messages.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, ["0", "1", "2", "3"]);
        // A loop of forged links ends.
        let mut looped = vec![
            msg(1, received(1), 0, Some(2)),
            msg(2, received(2), 0, Some(1)),
        ];
        order(&mut looped);
        assert_eq!(looped.len(), 2);
    }
}
