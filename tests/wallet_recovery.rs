//! Recovery with several Satchel processes on one profile: reconcile leaves
//! alone the sends another running process is carrying out, and takes over
//! those whose process is gone.

mod wallet_support;

use satchel::keysend::Preimage;
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

#[tokio::test]
async fn a_journal_from_the_previous_version_gains_owners_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE journal (id INTEGER PRIMARY KEY, intent_id TEXT NOT NULL UNIQUE, \
             destination BLOB NOT NULL, amount_msat INTEGER NOT NULL, records BLOB NOT NULL, \
             preimage BLOB NOT NULL, hash BLOB NOT NULL UNIQUE, fee_limit_msat INTEGER NOT NULL, \
             timeout_ms INTEGER NOT NULL, state TEXT NOT NULL, failure TEXT, fee_msat INTEGER, \
             created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL); \
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let journal = Journal::open(&path).unwrap();
    assert!(journal.unfinished().unwrap().is_empty());
    let again = Journal::open(&path).unwrap();
    drop((journal, again));
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 2);
}
