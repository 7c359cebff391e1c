//! Unit tests of the index: dedup, cursors, filters, search (including FTS
//! syntax injection), read flags, corrupt files.

use super::*;
use crate::keysend::{Msat, NodeId, PaymentHash, Records, record};
use crate::node::ReceivedKeysend;

const ALICE: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

fn alice() -> NodeId {
    ALICE.parse().unwrap()
}

/// A received keysend number `n` (settled at second `n`) with a message.
pub(super) fn keysend(n: u64, message: &str) -> ReceivedKeysend {
    let mut records = Records::new();
    let _ = records.insert(record::MESSAGE, message.as_bytes().to_vec());
    let mut hash = [0u8; 32];
    hash[..8].copy_from_slice(&n.to_be_bytes());
    ReceivedKeysend {
        hash: PaymentHash::from_bytes(hash),
        chan_id: 7,
        htlc_index: n,
        amount: Msat::from_sat(n),
        add_index: n,
        settle_index: n,
        created_at: n as i64,
        settled_at: n as i64,
        records,
    }
}

pub(super) fn open_temp() -> (tempfile::TempDir, Index) {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(&dir.path().join("index.db")).unwrap();
    (dir, index)
}

/// The amounts (in sats, which double as the keysends' numbers) of the rows
/// `query` lists, in the order listed.
fn amounts(index: &Index, query: &InboxQuery) -> Vec<u64> {
    let rows = index.inbox(query).unwrap();
    rows.iter().map(|r| r.amount.sats()).collect()
}

fn search(index: &Index, text: &str) -> Vec<u64> {
    let query = InboxQuery {
        text: Some(text.to_owned()),
        ..InboxQuery::default()
    };
    amounts(index, &query)
}

#[test]
fn duplicates_are_ignored_and_cursors_only_rise() {
    let (_dir, index) = open_temp();
    let batch: Vec<_> = (1..=5).map(|n| keysend(n, "hi")).collect();
    assert_eq!(index.insert_received(&batch).unwrap(), 5);
    assert_eq!(index.insert_received(&batch[2..]).unwrap(), 0);
    let mut other_htlc = keysend(3, "same hash, second HTLC");
    other_htlc.htlc_index = 99;
    assert_eq!(index.insert_received(&[other_htlc]).unwrap(), 1);
    assert_eq!(index.count(&InboxQuery::default()).unwrap(), 6);
    assert_eq!(
        index.cursors().unwrap(),
        Cursors {
            add_index: 0,
            settle_index: 5,
            payment_index: 0
        }
    );
    index.set_cursor(Cursor::AddIndex, 40).unwrap();
    index.set_cursor(Cursor::AddIndex, 10).unwrap();
    index.set_cursor(Cursor::PaymentIndex, 3).unwrap();
    assert_eq!(
        index.cursors().unwrap(),
        Cursors {
            add_index: 40,
            settle_index: 5,
            payment_index: 3
        }
    );
}

#[test]
fn inbox_is_newest_first_and_pages() {
    let (_dir, index) = open_temp();
    let batch: Vec<_> = (1..=10)
        .map(|n| keysend(n, &format!("message {n}")))
        .collect();
    let _ = index.insert_received(&batch).unwrap();
    let page = |offset, limit| {
        let query = InboxQuery {
            offset,
            limit,
            ..InboxQuery::default()
        };
        amounts(&index, &query)
    };
    assert_eq!(page(0, 3), [10, 9, 8]);
    assert_eq!(page(8, 5), [2, 1]);
    let first = &index
        .inbox(&InboxQuery {
            limit: 1,
            ..InboxQuery::default()
        })
        .unwrap()[0];
    assert_eq!(
        (
            first.preview.as_str(),
            first.unread,
            first.sender_name.as_deref()
        ),
        ("message 10", true, None)
    );
}

#[test]
fn search_matches_prefixes_and_treats_fts_syntax_as_text() {
    let (_dir, index) = open_temp();
    let messages = [
        "Great show today",
        "NEAR the end",
        "star * power",
        "quote \" here",
        "Ünïcode café",
    ];
    let batch: Vec<_> = messages
        .iter()
        .zip(1..)
        .map(|(m, n)| keysend(n, m))
        .collect();
    let _ = index.insert_received(&batch).unwrap();
    let cases: &[(&str, &[u64])] = &[
        ("gre", &[1]),
        ("great SHOW", &[1]),
        ("great missing", &[]),
        ("NEAR(", &[2]),
        ("near the", &[2]),
        ("\"", &[5, 4, 3, 2, 1]),
        ("*", &[5, 4, 3, 2, 1]),
        ("\"quote", &[4]),
        ("a\" OR \"b", &[]),
        ("message:great", &[]),
        ("cafe", &[5]),
        ("unicode", &[5]),
        ("power)", &[3]),
    ];
    for (text, expected) in cases {
        assert_eq!(search(&index, text), *expected, "{text:?}");
    }
}

#[test]
fn filters_combine_and_read_flags_count() {
    let (_dir, index) = open_temp();
    let mut batch: Vec<_> = (1..=6).map(|n| keysend(n, "tip")).collect();
    let boost = br#"{"podcast":"Tech Talk","sender_name":"bob"}"#.to_vec();
    for item in &mut batch[..3] {
        let _ = item
            .records
            .insert(record::SENDER_PUBKEY, alice().as_bytes().to_vec());
        let _ = item.records.insert(record::BOOSTAGRAM, boost.clone());
    }
    let _ = index.insert_received(&batch).unwrap();
    let ids = |query: InboxQuery| amounts(&index, &query);
    assert_eq!(
        ids(InboxQuery {
            sender: Some(alice()),
            ..InboxQuery::default()
        }),
        [3, 2, 1]
    );
    assert_eq!(
        ids(InboxQuery {
            podcast: Some("Tech Talk".into()),
            min_amount: Msat::from_sat(2),
            ..InboxQuery::default()
        }),
        [3, 2]
    );
    assert_eq!(
        ids(InboxQuery {
            text: Some("bob tech".into()),
            ..InboxQuery::default()
        }),
        [3, 2, 1]
    );
    assert_eq!(index.podcasts(10).unwrap(), ["Tech Talk"]);
    let newest = index.inbox(&InboxQuery::default()).unwrap()[0].id;
    index.mark_read(newest).unwrap();
    assert_eq!(index.unread_count(Msat::ZERO).unwrap(), 5);
    assert_eq!(index.unread_count(Msat::from_sat(5)).unwrap(), 1);
    assert_eq!(
        ids(InboxQuery {
            unread_only: true,
            limit: 2,
            ..InboxQuery::default()
        }),
        [5, 4]
    );
    assert!(matches!(
        index.mark_read(9999),
        Err(IndexError::NotFound(9999))
    ));
}

#[test]
fn detail_returns_all_records_and_boost_fields() {
    let (_dir, index) = open_temp();
    let mut item = keysend(42, "line one\nline two");
    let _ = item.records.insert(
        record::BOOSTAGRAM,
        br#"{"episode":"Ep 9","app_name":"Fountain"}"#.to_vec(),
    );
    let _ = index.insert_received(std::slice::from_ref(&item)).unwrap();
    let id = index.find_received(&item.hash, 7, 42).unwrap().unwrap();
    let detail = index.detail(id).unwrap();
    assert_eq!(detail.records, item.records);
    assert_eq!(detail.message.as_deref(), Some("line one\nline two"));
    assert_eq!(
        (detail.episode.as_deref(), detail.app.as_deref()),
        (Some("Ep 9"), Some("Fountain"))
    );
    assert_eq!(
        (detail.hash, detail.amount, detail.verification),
        (item.hash, Msat::from_sat(42), None)
    );
    assert!(matches!(index.detail(id + 1), Err(IndexError::NotFound(_))));
}

#[test]
fn corrupt_file_is_moved_aside_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.db");
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    let index = Index::open(&path).unwrap();
    let warning = index
        .warning()
        .expect("a warning about the unreadable file")
        .clone();
    assert_eq!(std::fs::read(&warning.moved_to).unwrap(), vec![0x5a; 8192]);
    assert!(warning.to_string().contains("moved to"));
    assert_eq!(index.insert_received(&[keysend(1, "fresh")]).unwrap(), 1);
    drop(index);
    let reopened = Index::open(&path).unwrap();
    assert!(reopened.warning().is_none());
    assert_eq!(reopened.count(&InboxQuery::default()).unwrap(), 1);
}

#[test]
fn verify_checks_once_and_caches_for_the_list() {
    use crate::keysend::identity::{node_id_of, sign_whatsat, whatsat_payload};
    use crate::keysend::incoming::{Scheme, Sender, Unverified};
    let (_dir, index) = open_temp();
    let secret = secp256k1::SecretKey::from_slice(&[7; 32]).unwrap();
    let sender = node_id_of(&secret);
    let recipient = alice();
    let signed = |n: u64, text: &str, signer_says: &str| {
        let mut item = keysend(n, text);
        let payload = whatsat_payload(&sender, &recipient, 42, signer_says.as_bytes());
        let _ = item
            .records
            .insert(record::SENDER_PUBKEY, sender.as_bytes().to_vec());
        let _ = item
            .records
            .insert(record::TIMESTAMP, 42u64.to_be_bytes().to_vec());
        let _ = item
            .records
            .insert(record::SIGNATURE, sign_whatsat(&secret, &payload).to_vec());
        item
    };
    let batch = [
        signed(1, "genuine", "genuine"),
        signed(2, "tampered", "original"),
        keysend(3, "anon"),
    ];
    let _ = index.insert_received(&batch).unwrap();
    let ids: Vec<i64> = batch
        .iter()
        .map(|b| {
            index
                .find_received(&b.hash, 7, b.htlc_index)
                .unwrap()
                .unwrap()
        })
        .collect();
    assert!(
        index.row(ids[0]).unwrap().verification.is_none(),
        "not checked before someone looks"
    );
    let verified = Sender::Verified {
        id: sender,
        scheme: Scheme::Whatsat,
    };
    assert_eq!(index.verify(ids[0], &recipient).unwrap(), verified);
    assert_eq!(
        index.row(ids[0]).unwrap().verification,
        Some(Verification::Verified(Scheme::Whatsat))
    );
    assert_eq!(
        index.verify(ids[0], &recipient).unwrap(),
        verified,
        "from the cache"
    );
    let tampered = index.verify(ids[1], &recipient).unwrap();
    assert!(
        matches!(
            tampered,
            Sender::Claimed {
                problem: Unverified::BadSignature,
                ..
            }
        ),
        "{tampered:?}"
    );
    assert_eq!(
        index.row(ids[1]).unwrap().verification,
        Some(Verification::Claimed(Unverified::BadSignature))
    );
    assert_eq!(index.verify(ids[2], &recipient).unwrap(), Sender::Anonymous);
}

#[test]
fn rows_say_which_record_their_message_came_from() {
    use crate::keysend::incoming::MessageSource::{self, Boostagram, Chat, TipNote};
    let (_dir, index) = open_temp();
    let boost = br#"{"podcast":"Noded","message":"from the boost"}"#.to_vec();
    let chat = keysend(1, "signed words");
    let mut boosted = keysend(2, " \n ");
    let _ = boosted.records.insert(record::BOOSTAGRAM, boost.clone());
    let mut noted = keysend(3, "\u{200B}");
    let _ = noted
        .records
        .insert(record::TIP_NOTE, b"a tip note".to_vec());
    let mut silent = keysend(4, "");
    let _ = silent.records.remove(&record::MESSAGE);
    let mut chat_over_boost = keysend(5, "chat wins");
    let _ = chat_over_boost.records.insert(record::BOOSTAGRAM, boost);
    let items = [chat, boosted, noted, silent, chat_over_boost];
    assert_eq!(index.insert_received(&items).unwrap(), 5);
    let rows = index.inbox(&InboxQuery::default()).unwrap();
    let got: Vec<(u64, Option<MessageSource>, &str)> = rows
        .iter()
        .map(|r| (r.amount.sats(), r.message_source, r.preview.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (5, Some(Chat), "chat wins"),
            (4, None, ""),
            (3, Some(TipNote), "a tip note"),
            (2, Some(Boostagram), "from the boost"),
            (1, Some(Chat), "signed words"),
        ]
    );
    for row in &rows {
        assert_eq!(
            index.row(row.id).unwrap().message_source,
            row.message_source
        );
    }
}

#[test]
fn opening_a_version_3_file_fills_message_sources_for_the_list() {
    use crate::keysend::incoming::MessageSource::{Boostagram, Chat};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.db");
    let chat = keysend(1, "hello");
    let mut boosted = keysend(2, "");
    let _ = boosted.records.insert(
        record::BOOSTAGRAM,
        br#"{"podcast":"Noded","message":"boosted"}"#.to_vec(),
    );
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        crate::wallet::schema::create_version_3(&conn).unwrap();
        for (item, message) in [(&chat, "hello"), (&boosted, "boosted")] {
            let _ = conn
                .execute(
                    "INSERT INTO received (hash, chan_id, htlc_index, amount_msat, created_at, \
                     settled_at, add_index, settle_index, message, records) \
                     VALUES (?1, 7, ?2, ?3, ?2, ?2, ?2, ?2, ?4, ?5)",
                    rusqlite::params![
                        &item.hash.as_bytes()[..],
                        item.htlc_index as i64,
                        item.amount.0 as i64,
                        message,
                        crate::wallet::blob::encode(&item.records),
                    ],
                )
                .unwrap();
        }
    }
    let index = Index::open(&path).unwrap();
    let rows = index.inbox(&InboxQuery::default()).unwrap();
    let got: Vec<_> = rows
        .iter()
        .map(|r| (r.preview.as_str(), r.message_source))
        .collect();
    assert_eq!(got, [("boosted", Some(Boostagram)), ("hello", Some(Chat))]);
    // New rows after the migration get theirs on insert.
    assert_eq!(index.insert_received(&[keysend(3, "later")]).unwrap(), 1);
    assert_eq!(
        index.inbox(&InboxQuery::default()).unwrap()[0].message_source,
        Some(Chat)
    );
}

#[test]
fn text_search_counts_agree_with_the_rows_listed() {
    let (_dir, index) = open_temp();
    let items: Vec<_> = (1..=60)
        .map(|n| {
            let text = match n {
                n if n % 3 == 0 => "coffee and lightning",
                n if n % 2 == 0 => "lightning tip",
                _ => "thanks",
            };
            keysend(n, text)
        })
        .collect();
    let _ = index.insert_received(&items).unwrap();
    for text in ["light", "coffee", "light coffee", "thanks", "absent"] {
        for min_sat in [0, 10, 31, 1_000] {
            let query = InboxQuery {
                text: Some(text.to_owned()),
                min_amount: Msat::from_sat(min_sat),
                limit: 1_000,
                ..InboxQuery::default()
            };
            let listed = amounts(&index, &query).len() as u64;
            assert_eq!(
                index.count(&query).unwrap(),
                listed,
                "{text:?} >= {min_sat} sat"
            );
        }
    }
    let coffee = InboxQuery {
        text: Some("coffee".into()),
        min_amount: Msat::from_sat(31),
        ..InboxQuery::default()
    };
    // 33, 36, ..., 60: ten of them.
    assert_eq!(index.count(&coffee).unwrap(), 10);
}

#[test]
fn a_text_count_with_most_rows_below_the_threshold_is_exact() {
    let (_dir, index) = open_temp();
    let items: Vec<_> = (1..=3_000).map(|n| keysend(n, "lightning tip")).collect();
    let _ = index.insert_received(&items).unwrap();
    let query = InboxQuery {
        text: Some("lightning".into()),
        min_amount: Msat::from_sat(2_990),
        ..InboxQuery::default()
    };
    assert_eq!(index.count(&query).unwrap(), 11);
}

/// "Alice" finds tips from a verified sender the graph calls "Alice's node"
/// and from a contact named so, but not a forged claim to that node; the
/// count agrees with the rows.
#[test]
fn search_matches_verified_senders_by_alias_and_contacts_by_name() {
    use crate::keysend::identity::{node_id_of, sign_whatsat, whatsat_payload};
    use crate::store::{ContactBook, NewContact};
    let (_dir, index) = open_temp();
    let secret = secp256k1::SecretKey::from_slice(&[7; 32]).unwrap();
    let sender = node_id_of(&secret);
    let recipient = alice();
    let signed = |n: u64, signer_says: &str| {
        let mut item = keysend(n, "thanks for the show");
        let payload = whatsat_payload(&sender, &recipient, 42, signer_says.as_bytes());
        for (key, value) in [
            (record::SENDER_PUBKEY, sender.as_bytes().to_vec()),
            (record::TIMESTAMP, 42u64.to_be_bytes().to_vec()),
            (record::SIGNATURE, sign_whatsat(&secret, &payload).to_vec()),
        ] {
            let _ = item.records.insert(key, value);
        }
        item
    };
    let batch = [
        signed(11, "thanks for the show"),
        signed(12, "thanks for the show"),
        signed(13, "a forged text"),
        keysend(14, "unrelated"),
    ];
    let _ = index.insert_received(&batch).unwrap();
    for b in &batch {
        let id = index
            .find_received(&b.hash, 7, b.htlc_index)
            .unwrap()
            .unwrap();
        let _ = index.verify(id, &recipient).unwrap();
    }
    index.remember_alias(&sender, "Alice's node", 1).unwrap();
    let query = |text: &str, senders_named: Vec<NodeId>| InboxQuery {
        text: Some(text.to_owned()),
        senders_named,
        ..InboxQuery::default()
    };
    let alias_search = query("alice", Vec::new());
    assert_eq!(amounts(&index, &alias_search), vec![12, 11]);
    assert_eq!(index.count(&alias_search).unwrap(), 2);
    assert_eq!(search(&index, "alice NODE"), vec![12, 11]);
    assert!(search(&index, "alice bob").is_empty());
    let mut book = ContactBook::new();
    let _ = book.add(NewContact::new("Bobby", sender)).unwrap();
    let named = senders_named(&book, "bob");
    assert_eq!(named, vec![sender]);
    let contact_search = query("bob", named);
    assert_eq!(amounts(&index, &contact_search), vec![13, 12, 11]);
    assert_eq!(index.count(&contact_search).unwrap(), 3);
}

#[test]
fn a_search_says_what_it_ignored() {
    assert_eq!(
        SearchWords::of("\" * (").note().as_deref(),
        Some("Nothing to search for in “\" * (” (search ignores punctuation): showing every tip.")
    );
    let long: Vec<String> = (1..=18).map(|n| format!("w{n}")).collect();
    let words = SearchWords::of(&long.join(" "));
    assert_eq!(words.used.len(), 16);
    assert_eq!(
        words.note().as_deref(),
        Some("Searched the first 16 words: “w17 w18” ignored.")
    );
    assert_eq!(SearchWords::of("great show").note(), None);
}

/// Store `items` in a version 7 file the way version 7 did (every record
/// whole, 12-byte headers, the message and sender key twice; the search
/// entry beside each row), plus one row whose records are unreadable.
fn version_7_file(path: &std::path::Path, items: &[ReceivedKeysend]) {
    let conn = rusqlite::Connection::open(path).unwrap();
    crate::wallet::schema::create_version_7(&conn).unwrap();
    for item in items {
        insert_before_v9(&conn, item, crate::wallet::blob::encode(&item.records));
    }
    let mut damaged = keysend(99, "damaged");
    damaged.htlc_index = 99;
    insert_before_v9(&conn, &damaged, vec![0, 0, 1]);
}

/// Store `item` with the stored `records` as versions 7 and 8 did: every
/// column as given (the hash, creation time and add index too) and the
/// search entry beside the row.
fn insert_before_v9(conn: &rusqlite::Connection, item: &ReceivedKeysend, records: Vec<u8>) {
    let s = crate::wallet::summary::Summary::of(&item.records);
    let _ = conn
        .execute(
            "INSERT INTO received (hash, chan_id, htlc_index, amount_msat, created_at, \
             settled_at, add_index, settle_index, message, sender_pubkey, sender_name, \
             podcast, app, episode, records, message_source) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            rusqlite::params![
                &item.hash.as_bytes()[..],
                item.chan_id as i64,
                item.htlc_index as i64,
                item.amount.0 as i64,
                item.created_at,
                item.settled_at,
                item.add_index as i64,
                item.settle_index as i64,
                s.message,
                s.sender_pubkey.as_ref().map(|k| &k.as_bytes()[..]),
                s.sender_name,
                s.podcast,
                s.app,
                s.episode,
                records,
                s.message_source
                    .map(crate::keysend::incoming::MessageSource::code),
            ],
        )
        .unwrap();
    let _ = conn
        .execute(
            "INSERT INTO received_fts (rowid, message, sender_name, podcast) \
             VALUES (last_insert_rowid(), ?1, ?2, ?3)",
            rusqlite::params![s.message, s.sender_name, s.podcast],
        )
        .unwrap();
}

/// Every column of every received row but the records, in id order; the
/// channel id and sender key as stored before version 10 or read through
/// their interned ids since.
fn received_columns(conn: &rusqlite::Connection) -> Vec<Vec<rusqlite::types::Value>> {
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    let (chan_id, sender) = if version >= 10 {
        (
            crate::wallet::interned::chan_id!("channel"),
            crate::wallet::interned::sender_key!("sender"),
        )
    } else {
        ("chan_id", "sender_pubkey")
    };
    let mut stmt = conn
        .prepare(&format!(
            "SELECT id, hash, {chan_id}, htlc_index, amount_msat, created_at, settled_at, \
             add_index, settle_index, message, {sender}, sender_name, podcast, app, \
             episode, verification, read, message_source FROM received ORDER BY id",
        ))
        .unwrap();
    stmt.query_map([], |r| (0..18).map(|i| r.get(i)).collect())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_version_7_file_opens_at_version_8_with_its_rows_read_flags_and_checks() {
    use crate::wallet::detail::tests::signed;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.db");
    let me = alice();
    let boost: &[u8] =
        br#"{"podcast":"Noded","episode":"Ep 1","message":"boosted","sender_name":"zoe"}"#;
    let mut not_display_safe = keysend(4, "line one\u{202e}txet");
    let _ = not_display_safe.records.insert(65_537, vec![1, 2, 3]);
    let items = [
        signed(1, &me, "signed hello", &[]),
        signed(2, &me, "\u{200b}", &[(record::BOOSTAGRAM, boost)]),
        keysend(3, "plain lightning"),
        not_display_safe,
    ];
    version_7_file(&path, &items);
    // Checked and read at version 7.
    let (before, blob_bytes) = {
        let conn = rusqlite::Connection::open(&path).unwrap();
        for (id, item) in [(1, &items[0]), (2, &items[1])] {
            let checked = crate::keysend::incoming::verify_sender(&item.records, &me);
            let _ = conn
                .execute(
                    "UPDATE received SET verification = ?2 WHERE id = ?1",
                    (id, super::verification::Verification::of(&checked).code()),
                )
                .unwrap();
        }
        let _ = conn
            .execute("UPDATE received SET read = 1 WHERE id IN (1, 4)", [])
            .unwrap();
        let bytes: i64 = conn
            .query_row("SELECT sum(length(records)) FROM received", [], |r| {
                r.get(0)
            })
            .unwrap();
        (received_columns(&conn), bytes)
    };

    let index = Index::open(&path).unwrap();
    let conn_version: u32 = index
        .lock()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(conn_version, crate::wallet::schema::CURRENT);
    // The old table's pages were given back (VACUUM), not kept free.
    let free: i64 = index
        .lock()
        .pragma_query_value(None, "freelist_count", |r| r.get(0))
        .unwrap();
    assert_eq!(free, 0);
    // Rewritten with the larger pages of version 9 (a file of a few rows
    // grows by its tables' and indexes' first pages).
    let page_size: i64 = index
        .lock()
        .pragma_query_value(None, "page_size", |r| r.get(0))
        .unwrap();
    assert_eq!(page_size, crate::wallet::schema::PAGE_SIZE);
    assert!(std::fs::metadata(&path).unwrap().len() > 0);
    assert_eq!(received_columns(&index.lock()), before);
    for (id, item) in (1..).zip(&items) {
        let detail = index.detail(id).unwrap();
        assert_eq!(detail.records, item.records, "row {id}");
    }
    assert!(matches!(
        index.detail(5),
        Err(IndexError::BadRecords { id: 5, .. })
    ));
    // The cached checks are read, not redone: the first is verified.
    let detail = index.detail(1).unwrap();
    assert!(detail.message_signed());
    assert!(!detail.unread);
    let blob_after: i64 = index
        .lock()
        .query_row("SELECT sum(length(records)) FROM received", [], |r| {
            r.get(0)
        })
        .unwrap();
    // Signed rows lose their chat and key records (in columns) and 10 bytes
    // per record header.
    assert!(
        blob_after < blob_bytes - 2 * (33 + 12),
        "{blob_after} of {blob_bytes}"
    );
    // Search (external content, by id) still finds the same rows.
    let found: Vec<i64> = index
        .lock()
        .prepare(
            "SELECT rowid FROM received_fts WHERE received_fts MATCH 'lightning OR signed OR zoe'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(found, [1, 2, 3]);
    // The unique key is the HTLC; a new row still goes in, a repeat does not.
    let unique: Vec<String> = index
        .lock()
        .prepare(
            "SELECT ii.name FROM pragma_index_list('received') il, \
             pragma_index_info(il.name) ii WHERE il.[unique] = 1 ORDER BY il.name, ii.seqno",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(unique, ["channel", "htlc_index"]);
    assert_eq!(
        index
            .insert_received(&[items[2].clone(), keysend(6, "after")])
            .unwrap(),
        1
    );
    let later = index.find_received(&keysend(6, "").hash, 7, 6).unwrap();
    assert_eq!(
        index.detail(later.unwrap()).unwrap().records,
        keysend(6, "after").records
    );
}

/// Since schema v8 a row is its HTLC: a second payment hash on an HTLC the
/// index already holds is not stored (a node numbers each HTLC of a channel
/// once; logged if one ever does not), and the first row stays as it was.
#[test]
fn an_htlc_is_stored_once_whatever_hash_comes_with_it_again() {
    let (_dir, index) = open_temp();
    let first = keysend(1, "first");
    let mut again = keysend(2, "second");
    again.htlc_index = first.htlc_index;
    assert_eq!(
        index.insert_received(std::slice::from_ref(&first)).unwrap(),
        1
    );
    assert_eq!(
        index.insert_received(std::slice::from_ref(&again)).unwrap(),
        0
    );
    assert_eq!(index.count(&InboxQuery::default()).unwrap(), 1);
    let id = index.find_received(&first.hash, 7, 1).unwrap().unwrap();
    assert_eq!(index.detail(id).unwrap().records, first.records);
    assert_eq!(index.find_received(&again.hash, 7, 1).unwrap(), None);
}

/// Store `items` in a version 8 file the way version 8 did (the row blob of
/// `blob::encode_row`, the hash, creation time and add index stored as
/// given; the search entry beside each row), with the stored counts' and
/// boost caches' triggers a version 8 file carries once it has been read.
fn version_8_file(path: &std::path::Path, items: &[ReceivedKeysend]) {
    use crate::wallet::blob;
    use crate::wallet::summary::Summary;
    let conn = rusqlite::Connection::open(path).unwrap();
    crate::wallet::schema::create_version_8(&conn).unwrap();
    for item in items {
        let s = Summary::of(&item.records);
        insert_before_v9(&conn, item, blob::encode_row(&item.records, s.shared()));
    }
}

/// Keysends for the version 9 step: the hash of the preimage record (not
/// stored since v9), a hash the preimage does not give, no preimage at all
/// (an AMP payment), a creation time and add index apart from the settle
/// time and index (either way), a signed chat and a boostagram.
fn version_9_items(me: &NodeId) -> Vec<ReceivedKeysend> {
    use crate::keysend::Preimage;
    use crate::wallet::detail::tests::signed;
    let with_preimage = |n: u64, message: &str, preimage: [u8; 32]| {
        let mut item = keysend(n, message);
        let _ = item
            .records
            .insert(record::KEYSEND_PREIMAGE, preimage.to_vec());
        item.hash = Preimage::from_bytes(preimage).hash();
        item
    };
    let boost: &[u8] =
        br#"{"podcast":"Noded","episode":"Ep 1","message":"boosted","sender_name":"zoe"}"#;
    let mut signed_chat = signed(1, me, "signed hello", &[]);
    let _ = signed_chat
        .records
        .insert(record::KEYSEND_PREIMAGE, [1; 32].to_vec());
    signed_chat.hash = Preimage::from_bytes([1; 32]).hash();
    let mut boosted = signed(2, me, "\u{200b}", &[(record::BOOSTAGRAM, boost)]);
    boosted.created_at -= 3;
    boosted.add_index += 5;
    let mut other_hash = with_preimage(3, "plain lightning", [3; 32]);
    other_hash.hash = PaymentHash::from_bytes([0xAB; 32]);
    let mut earlier = with_preimage(4, "created earlier", [4; 32]);
    earlier.created_at = 1;
    earlier.settled_at = 1_700_000_000;
    earlier.add_index = 2;
    earlier.settle_index = 40;
    vec![
        signed_chat,
        boosted,
        other_hash,
        earlier,
        keysend(5, "amp, no preimage"),
        with_preimage(6, "short preimage", [6; 32]),
    ]
}

/// Every export of `index`: JSON and CSV of the received rows, all of them.
fn exports(index: &Index) -> (Vec<u8>, Vec<u8>) {
    use crate::wallet::export::ExportFormat;
    let all = InboxQuery {
        limit: u64::MAX,
        ..InboxQuery::default()
    };
    let contacts = crate::store::ContactBook::new();
    let mut json = Vec::new();
    let mut csv = Vec::new();
    let _ = index
        .export_received(&all, ExportFormat::Json, &contacts, &mut json)
        .unwrap();
    let _ = index
        .export_received(&all, ExportFormat::Csv, &contacts, &mut csv)
        .unwrap();
    (json, csv)
}

/// Schema v9 recomputes the hash from the preimage and the creation time
/// and add index from their differences: a version 8 file opens with every
/// column, record, read flag, cached check, count and search result as it
/// was, and lists and exports exactly what a new index of the same keysends
/// does; the hash is stored only where the preimage does not give it.
#[test]
fn a_version_8_file_opens_at_version_9_with_the_same_rows_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let (old_path, new_path) = (dir.path().join("index.db"), dir.path().join("fresh.db"));
    let me = alice();
    let mut items = version_9_items(&me);
    // A preimage record of another length is kept, never recomputed.
    let _ = items[5]
        .records
        .insert(record::KEYSEND_PREIMAGE, vec![6; 31]);
    version_8_file(&old_path, &items);
    let fresh = Index::open(&new_path).unwrap();
    assert_eq!(fresh.insert_received(&items).unwrap(), items.len());
    let before = {
        let conn = rusqlite::Connection::open(&old_path).unwrap();
        for conn in [&conn, &*fresh.lock()] {
            let checked = crate::keysend::incoming::verify_sender(&items[0].records, &me);
            let code = super::verification::Verification::of(&checked).code();
            let _ = conn
                .execute("UPDATE received SET verification = ?1 WHERE id = 1", [code])
                .unwrap();
            let _ = conn
                .execute("UPDATE received SET read = 1 WHERE id IN (2, 4)", [])
                .unwrap();
        }
        // A trigger on the table (as the stored counts and boost caches
        // keep), which the rebuilt table must carry too.
        conn.execute_batch(
            "CREATE TRIGGER read_seen AFTER UPDATE OF read ON received BEGIN \
             INSERT OR REPLACE INTO cursors (name, value) VALUES ('read_seen', new.id); END;",
        )
        .unwrap();
        received_columns(&conn)
    };
    let index = Index::open(&old_path).unwrap();
    let version: u32 = index
        .lock()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, crate::wallet::schema::CURRENT);
    assert_eq!(received_columns(&index.lock()), before);
    assert_eq!(received_columns(&fresh.lock()), before);
    // Stored only where the preimage does not give it: the boost (no
    // preimage record), the other hash, the AMP payment, the short preimage.
    for conn in [&*index.lock(), &*fresh.lock()] {
        let stored: Vec<i64> = conn
            .prepare("SELECT id FROM received WHERE stored_hash IS NOT NULL ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(stored, [2, 3, 5, 6]);
    }
    for (id, item) in (1..).zip(&items) {
        assert_eq!(index.detail(id).unwrap().records, item.records, "row {id}");
        assert_eq!(index.detail(id).unwrap(), fresh.detail(id).unwrap());
        let found = index.find_received(&item.hash, item.chan_id, item.htlc_index);
        assert_eq!(found.unwrap(), Some(id));
    }
    let all = InboxQuery {
        limit: u64::MAX,
        ..InboxQuery::default()
    };
    assert_eq!(index.inbox(&all).unwrap(), fresh.inbox(&all).unwrap());
    assert_eq!(index.count(&all).unwrap(), 6);
    let unread = InboxQuery {
        unread_only: true,
        ..all.clone()
    };
    assert_eq!(index.count(&unread).unwrap(), 4);
    assert_eq!(search(&index, "lightning"), [3]);
    assert_eq!(search(&index, "zoe"), search(&fresh, "zoe"));
    let (json, csv) = exports(&index);
    assert_eq!((&json, &csv), (&exports(&fresh).0, &exports(&fresh).1));
    for item in &items {
        let hash = item.hash.to_hex();
        assert!(String::from_utf8_lossy(&json).contains(&hash), "{hash}");
    }
    let indexes: Vec<String> = index
        .lock()
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'received'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        !indexes.contains(&"received_unread".to_owned()),
        "{indexes:?}"
    );
    index.mark_read(3).unwrap();
    let seen: i64 = index
        .lock()
        .query_row(
            "SELECT value FROM cursors WHERE name = 'read_seen'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(seen, 3, "the table's trigger is kept");
}

/// Store `items` in a version 9 file the way version 9 did (the claimed
/// sender key and the channel id in every row; the hash only where the
/// preimage does not give it, the creation time and add index as
/// differences; the search entry beside each row).
fn version_9_file(path: &std::path::Path, items: &[ReceivedKeysend]) {
    use crate::wallet::blob;
    use crate::wallet::summary::Summary;
    let conn = rusqlite::Connection::open(path).unwrap();
    crate::wallet::schema::create_version_9(&conn).unwrap();
    for item in items {
        let s = Summary::of(&item.records);
        let records = blob::encode_row(&item.records, s.shared());
        let hash = item.hash.as_bytes();
        let stored_hash =
            (blob::preimage_hash(&records).as_ref() != Some(hash)).then_some(&hash[..]);
        let _ = conn
            .execute(
                "INSERT INTO received (stored_hash, chan_id, htlc_index, amount_msat, \
                 created_delta, settled_at, add_delta, settle_index, message, sender_pubkey, \
                 sender_name, podcast, app, episode, records, message_source) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                rusqlite::params![
                    stored_hash,
                    item.chan_id as i64,
                    item.htlc_index as i64,
                    item.amount.0 as i64,
                    item.settled_at - item.created_at,
                    item.settled_at,
                    item.add_index as i64 - item.settle_index as i64,
                    item.settle_index as i64,
                    s.message,
                    s.sender_pubkey.as_ref().map(|k| &k.as_bytes()[..]),
                    s.sender_name,
                    s.podcast,
                    s.app,
                    s.episode,
                    records,
                    s.message_source
                        .map(crate::keysend::incoming::MessageSource::code),
                ],
            )
            .unwrap();
        let _ = conn
            .execute(
                "INSERT INTO received_fts (rowid, message, sender_name, podcast) \
                 VALUES (last_insert_rowid(), ?1, ?2, ?3)",
                rusqlite::params![s.message, s.sender_name, s.podcast],
            )
            .unwrap();
    }
}

/// A boost days' trigger as a version 9 file keeps it (reading the sender
/// key column version 10 removes), with the days it appends to.
const VERSION_9_DAYS: &str = "
CREATE TABLE boost_days (day INTEGER NOT NULL, podcast TEXT NOT NULL, node BLOB, name TEXT,
    legs INTEGER NOT NULL, msat INTEGER NOT NULL);
CREATE TABLE boost_cache_upto (kind INTEGER PRIMARY KEY, upto INTEGER NOT NULL);
INSERT INTO boost_cache_upto (kind, upto) VALUES (2, 100);
CREATE TRIGGER boost_days_changed AFTER UPDATE OF verification, sender_pubkey ON received
WHEN new.podcast IS NOT NULL BEGIN
    INSERT INTO boost_days (day, podcast, node, name, legs, msat)
        SELECT 0, new.podcast, new.sender_pubkey, NULL, 1, new.amount_msat;
END;
";

/// Schema v10 stores channel ids and sender keys once: a version 9 file
/// opens with every column (the channel id and key read back through their
/// ids), record, read flag, cached check, search result, sender filter,
/// thread and export as it was and as a new index of the same keysends
/// gives them; the boost days' trigger is re-created for the sender id.
#[test]
fn a_version_9_file_opens_at_version_10_with_the_same_rows_and_exports() {
    use crate::wallet::detail::tests::signed;
    let dir = tempfile::tempdir().unwrap();
    let (old_path, new_path) = (dir.path().join("index.db"), dir.path().join("fresh.db"));
    let me = alice();
    let mut items = version_9_items(&me);
    let signer = items[0].records[&record::SENDER_PUBKEY].clone();
    // A claimed (unsigned) sender on a channel above i64::MAX, twice, and
    // another signed message of the first sender on a third channel.
    for n in [7, 8] {
        let mut claimed = keysend(n, "claimed");
        claimed.chan_id = u64::MAX - 1;
        let _ = claimed
            .records
            .insert(record::SENDER_PUBKEY, me.as_bytes().to_vec());
        items.push(claimed);
    }
    let mut third = signed(9, &me, "third channel", &[]);
    third.chan_id = 3;
    items.push(third);
    version_9_file(&old_path, &items);
    let fresh = Index::open(&new_path).unwrap();
    assert_eq!(fresh.insert_received(&items).unwrap(), items.len());
    let before = {
        let conn = rusqlite::Connection::open(&old_path).unwrap();
        crate::wallet::schema::functions(&conn).unwrap();
        for conn in [&conn, &*fresh.lock()] {
            let checked = crate::keysend::incoming::verify_sender(&items[0].records, &me);
            let code = super::verification::Verification::of(&checked).code();
            let _ = conn
                .execute("UPDATE received SET verification = ?1 WHERE id = 1", [code])
                .unwrap();
            let _ = conn
                .execute("UPDATE received SET read = 1 WHERE id IN (2, 4, 8)", [])
                .unwrap();
        }
        conn.execute_batch(
            "CREATE TRIGGER read_seen AFTER UPDATE OF read ON received BEGIN \
             INSERT OR REPLACE INTO cursors (name, value) VALUES ('read_seen', new.id); END;",
        )
        .unwrap();
        conn.execute_batch(VERSION_9_DAYS).unwrap();
        received_columns(&conn)
    };
    let index = Index::open(&old_path).unwrap();
    let version: u32 = index
        .lock()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, crate::wallet::schema::CURRENT);
    assert_eq!(received_columns(&index.lock()), before);
    assert_eq!(received_columns(&fresh.lock()), before);
    let free: i64 = index
        .lock()
        .pragma_query_value(None, "freelist_count", |r| r.get(0))
        .unwrap();
    assert_eq!(free, 0, "shrunk after the rebuild");
    // Each channel and key once, in the order rows first name them (the
    // channel above i64::MAX stored as its two's complement).
    for conn in [&*index.lock(), &*fresh.lock()] {
        let channels: Vec<i64> = conn
            .prepare("SELECT chan_id FROM channels ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(channels, [1, 7, -2, 3]);
        let senders: Vec<Vec<u8>> = conn
            .prepare("SELECT pubkey FROM senders ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(senders, [signer.clone(), me.as_bytes().to_vec()]);
    }
    for (id, item) in (1..).zip(&items) {
        assert_eq!(index.detail(id).unwrap().records, item.records, "row {id}");
        assert_eq!(index.detail(id).unwrap(), fresh.detail(id).unwrap());
        assert_eq!(index.detail(id).unwrap().chan_id, item.chan_id);
        let found = index.find_received(&item.hash, item.chan_id, item.htlc_index);
        assert_eq!(found.unwrap(), Some(id));
    }
    let all = InboxQuery {
        limit: u64::MAX,
        ..InboxQuery::default()
    };
    assert_eq!(index.inbox(&all).unwrap(), fresh.inbox(&all).unwrap());
    assert_eq!(index.count(&all).unwrap(), 9);
    let from = |key: NodeId| InboxQuery {
        sender: Some(key),
        ..all.clone()
    };
    let signer = NodeId::from_slice(&signer).unwrap();
    let stranger = crate::podcast::example::node(77);
    for key in [signer, me, stranger] {
        assert_eq!(
            index.inbox(&from(key)).unwrap(),
            fresh.inbox(&from(key)).unwrap()
        );
        assert_eq!(
            index.thread(&key, 50).unwrap(),
            fresh.thread(&key, 50).unwrap()
        );
    }
    assert!(index.inbox(&from(stranger)).unwrap().is_empty());
    let ids = |rows: Vec<super::InboxRow>| rows.iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(index.inbox(&from(signer)).unwrap()), [9, 2, 1]);
    assert_eq!(ids(index.inbox(&from(me)).unwrap()), [8, 7]);
    assert_eq!(index.count(&from(me)).unwrap(), 2);
    assert_eq!(search(&index, "lightning"), [3]);
    assert_eq!(search(&index, "zoe"), search(&fresh, "zoe"));
    assert_eq!(search(&index, "claimed"), [8, 7]);
    let (json, csv) = exports(&index);
    assert_eq!((&json, &csv), (&exports(&fresh).0, &exports(&fresh).1));
    assert!(String::from_utf8_lossy(&json).contains(&me.to_hex()));
    let columns = |name: &str| -> Vec<String> {
        index
            .lock()
            .prepare(&format!("SELECT name FROM pragma_index_info('{name}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        columns("sqlite_autoindex_received_1"),
        ["channel", "htlc_index"]
    );
    assert_eq!(columns("received_sender"), ["sender", "settled_at", "read"]);
    // The table's triggers are kept: the copied one as it was, the boost
    // days' re-created to read the key through the sender id.
    index.mark_read(3).unwrap();
    let seen: i64 = index
        .lock()
        .query_row(
            "SELECT value FROM cursors WHERE name = 'read_seen'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(seen, 3);
    let _ = index
        .lock()
        .execute(
            "UPDATE received SET verification = ?1 WHERE id = 2",
            [super::verification::Verification::Verified(
                crate::keysend::incoming::Scheme::Whatsat,
            )
            .code()],
        )
        .unwrap();
    let days: Vec<(Option<Vec<u8>>, i64)> = index
        .lock()
        .prepare("SELECT node, legs FROM boost_days ORDER BY legs")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(days, [(None, -1), (Some(signer.as_bytes().to_vec()), 1)]);
}
