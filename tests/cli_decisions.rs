//! The CLI's decisions about payments, against `--demo`: a payment the node
//! never received is sent with its own hash (`sent --resend`) or dropped
//! (`sent --discard`), never paid twice; `send --yes` pays only a contact
//! named in full.

mod cli_support;

use std::path::Path;

use cli_support::satchel;
use satchel::keysend::{Msat, NodeId, Preimage, Records};
use satchel::node::OutgoingKeysend;
use satchel::store::Paths;
use satchel::wallet::{Journal, JournalState};

/// A demo node's id by the start of its contact name.
fn demo_node(name: &str) -> NodeId {
    satchel::sim::demo_contacts()
        .into_iter()
        .find(|(n, ..)| n.starts_with(name))
        .map(|(_, id, _)| id)
        .unwrap()
}

/// Journal a keysend as a send that died before reaching the node.
fn crashed_send(home: &Path, intent: &str, sats: u64) -> OutgoingKeysend {
    let journal = Journal::open_profile(&Paths::at(home).demo())
        .unwrap()
        .on_node(satchel::sim::demo_node());
    let keysend = OutgoingKeysend {
        destination: demo_node("Bob"),
        amount: Msat::from_sat(sats),
        preimage: Preimage::random(),
        records: Records::new(),
        fee_limit: Msat::from_sat(10),
        timeout: std::time::Duration::from_secs(60),
    };
    let _ = journal.begin(intent, &keysend).unwrap();
    keysend
}

fn journal_state(home: &Path, intent: &str) -> JournalState {
    let journal = Journal::open_profile(&Paths::at(home).demo()).unwrap();
    journal.get(intent).unwrap().unwrap().state
}

/// Sent rows (newest first) whose hash is `hash`.
fn sent_with(home: &Path, hash: &str) -> Vec<serde_json::Value> {
    let sent = satchel(home, &["--demo", "sent", "--json"])
        .expect_code(0)
        .json();
    let rows = sent.as_array().unwrap().iter();
    rows.filter(|row| row["hash"] == hash).cloned().collect()
}

#[test]
fn a_payment_never_sent_is_resent_with_its_own_hash_once() {
    let home = tempfile::tempdir().unwrap();
    let _ = satchel(home.path(), &["--demo", "info"]).expect_code(0);
    let keysend = crashed_send(home.path(), "crashed", 11);
    let hash = keysend.hash().to_hex();
    let short = &hash[..12];

    let listed = satchel(home.path(), &["--demo", "sent"]).expect_code(0);
    listed.assert_stderr_has(&format!(
        "Waiting for your decision: `satchel --demo sent --resend {short}`"
    ));
    listed.assert_stderr_has(&format!("`satchel --demo sent --discard {short}` drops it"));
    assert_eq!(journal_state(home.path(), "crashed"), JournalState::NotSent);

    let unconfirmed = satchel(home.path(), &["--demo", "sent", "--resend", short]);
    unconfirmed
        .expect_code(2)
        .assert_stderr_has("confirmation needs a terminal");
    let resent = satchel(home.path(), &["--demo", "sent", "--resend", short, "--yes"]);
    let resent = resent.expect_code(0);
    resent.assert_stdout_has(&format!("hash:      {hash} (the original"));
    resent.assert_stdout_has("Payment succeeded: 11 sat sent");
    assert!(
        !resent.stderr.contains("Waiting for your decision"),
        "{}",
        resent.stderr
    );
    assert_eq!(
        journal_state(home.path(), "crashed"),
        JournalState::Succeeded
    );
    let rows = sent_with(home.path(), &hash);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["status"], "succeeded");

    let again = satchel(home.path(), &["--demo", "sent", "--resend", short, "--yes"]);
    again
        .expect_code(2)
        .assert_stderr_has("no payment waiting for a decision");
    assert_eq!(sent_with(home.path(), &hash).len(), 1, "paid once");
}

#[test]
fn a_discarded_payment_is_not_offered_again() {
    let home = tempfile::tempdir().unwrap();
    let _ = satchel(home.path(), &["--demo", "info"]).expect_code(0);
    let keysend = crashed_send(home.path(), "dropped", 12);
    let short = &keysend.hash().to_hex()[..12];
    let discarded = satchel(home.path(), &["--demo", "sent", "--discard", short]);
    discarded
        .expect_code(0)
        .assert_stdout_has("Discarded the payment of 12 sat to");
    assert_eq!(
        journal_state(home.path(), "dropped"),
        JournalState::Discarded
    );
    let later = satchel(home.path(), &["--demo", "sent"]).expect_code(0);
    assert!(
        !later.stderr.contains("Earlier payment"),
        "{}",
        later.stderr
    );
    assert!(sent_with(home.path(), &keysend.hash().to_hex()).is_empty());
}

#[test]
fn send_yes_pays_only_a_contact_named_in_full() {
    let home = tempfile::tempdir().unwrap();
    let prefix = satchel(home.path(), &["--demo", "send", "c", "21", "--yes"]).expect_code(2);
    prefix.assert_stderr_has("\"c\" is only the start of the contact name \"carol.ln\"");
    prefix.assert_stderr_has(&demo_node("carol").to_hex());
    let dave = satchel(home.path(), &["--demo", "send", "d", "21", "--yes"]);
    assert_eq!(dave.code, 2, "{}", dave.stderr);
    let sent = satchel(home.path(), &["--demo", "sent", "--json"])
        .expect_code(0)
        .json();
    assert_eq!(sent.as_array().unwrap().len(), 0, "nothing was paid");
    let full = satchel(home.path(), &["--demo", "send", "CAROL.LN", "21", "--yes"]);
    full.expect_code(0)
        .assert_stdout_has("Payment succeeded: 21 sat sent");
}
