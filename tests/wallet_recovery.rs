//! Recovery with several Satchel processes on one profile: reconcile leaves
//! alone the sends another running process is carrying out, and takes over
//! those whose process is gone.

mod wallet_support;

use std::time::Duration;

use satchel::keysend::{Msat, Preimage, Records};
use satchel::node::OutgoingKeysend;
use satchel::wallet::{self, Journal, JournalState, Reconciled};
use wallet_support::*;

#[tokio::test]
async fn reconcile_leaves_a_live_processs_send_alone_and_takes_over_a_dead_ones() {
    let world = world(|_| {}).await;
    let keysend = OutgoingKeysend {
        destination: world.sim.node_id("alice").unwrap(),
        amount: sats(100),
        preimage: Preimage::random(),
        records: message("still being sent elsewhere"),
        fee_limit: sats(50),
        timeout: wallet::SEND_TIMEOUT,
    };
    // Another process (its own journal handle) has written the entry down
    // and is about to hand it to the node.
    let path = world.dir.path().join("profile/journal.db");
    let other = Journal::open(&path).unwrap();
    let _ = other.begin("elsewhere", &keysend).unwrap();
    let found = within(wallet::reconcile(&world.node, &world.journal))
        .await
        .unwrap();
    assert!(
        found.is_empty(),
        "a live process's send is its own: {found:?}"
    );
    let entry = world.journal.get("elsewhere").unwrap().unwrap();
    assert_eq!(entry.state, JournalState::Pending, "untouched");
    assert_eq!(world.journal.unfinished().unwrap().len(), 1);

    // That process is gone: its entry is ours to reconcile.
    drop(other);
    let found = within(wallet::reconcile(&world.node, &world.journal))
        .await
        .unwrap();
    let [Reconciled::NotSent(entry)] = found.as_slice() else {
        panic!("expected NotSent, got {found:?}");
    };
    assert_eq!(entry.hash(), keysend.hash());
}

/// A journal as version 1 (no owners) or 2 (owners, no nodes) wrote it.
fn old_journal(path: &std::path::Path, version: u32) -> rusqlite::Connection {
    let owner = if version >= 2 { ", owner TEXT" } else { "" };
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(&format!(
        "CREATE TABLE journal (id INTEGER PRIMARY KEY, intent_id TEXT NOT NULL UNIQUE, \
         destination BLOB NOT NULL, amount_msat INTEGER NOT NULL, records BLOB NOT NULL, \
         preimage BLOB NOT NULL, hash BLOB NOT NULL UNIQUE, fee_limit_msat INTEGER NOT NULL, \
         timeout_ms INTEGER NOT NULL, state TEXT NOT NULL, failure TEXT, fee_msat INTEGER, \
         created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL{owner}); \
         PRAGMA user_version = {version};"
    ))
    .unwrap();
    conn
}

#[tokio::test]
async fn a_journal_from_an_earlier_version_gains_owners_and_nodes_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    drop(old_journal(&path, 1));
    let journal = Journal::open(&path).unwrap();
    assert!(journal.unfinished().unwrap().is_empty());
    let again = Journal::open(&path).unwrap();
    drop((journal, again));
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 3);
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('journal')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(columns.iter().any(|c| c == "owner"), "{columns:?}");
    assert!(columns.iter().any(|c| c == "node"), "{columns:?}");
}

#[tokio::test]
async fn an_entry_from_version_2_names_no_node_until_a_node_adopts_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let keysend = OutgoingKeysend {
        destination: satchel::sim::demo_node(),
        amount: Msat::from_sat(3),
        preimage: Preimage::random(),
        records: Records::new(),
        fee_limit: Msat::from_sat(1),
        timeout: Duration::from_secs(60),
    };
    {
        let conn = old_journal(&path, 2);
        let _ = conn
            .execute(
                "INSERT INTO journal (intent_id, destination, amount_msat, records, preimage, \
                 hash, fee_limit_msat, timeout_ms, state, created_at, updated_at) VALUES \
                 ('old', ?1, 3000, x'', ?2, ?3, 1000, 60000, 'pending', 1, 1)",
                rusqlite::params![
                    &keysend.destination.as_bytes()[..],
                    &keysend.preimage.as_bytes()[..],
                    &keysend.hash().as_bytes()[..]
                ],
            )
            .unwrap();
    }
    let journal = Journal::open(&path).unwrap();
    let old = journal.get("old").unwrap().unwrap();
    assert_eq!((old.node, old.hash()), (None, keysend.hash()));
    let (a, b) = (satchel::sim::demo_node(), keysend_node_b());
    let on_a = journal.clone().on_node(a);
    assert_eq!(on_a.owned(&old), satchel::wallet::Owned::Unclaimed);
    assert!(
        on_a.may_decide(&old).is_err(),
        "nobody decides about it yet"
    );
    assert_eq!(on_a.adopt("old").unwrap().unwrap().node, Some(a));
    let on_b = journal.on_node(b);
    let adopted = on_b.adopt("old").unwrap().unwrap();
    assert_eq!(adopted.node, Some(a), "adopted once, never taken over");
    let Err(refused) = on_b.may_decide(&adopted) else {
        panic!("B may not decide about A's entry");
    };
    assert!(refused.to_string().contains(&a.to_hex()), "{refused}");
}

/// Some node other than the demo's.
fn keysend_node_b() -> satchel::keysend::NodeId {
    "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"
        .parse()
        .unwrap()
}
