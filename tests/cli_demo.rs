//! The CLI against `--demo` (the in-process simulated network, persisted in
//! the demo profile): info, send, sent, inbox, and the failure exit codes.

mod cli_support;

use std::path::Path;

use cli_support::{Run, satchel};
use sha2::Digest;

fn home() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// `satchel --demo inbox --json --limit 300 <extra>`, which must succeed.
fn inbox_json(home: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["--demo", "inbox", "--json", "--limit", "300"];
    args.extend_from_slice(extra);
    satchel(home, &args).expect_code(0)
}

#[test]
fn info_shows_the_demo_node() {
    let home = home();
    let run = satchel(home.path(), &["--demo", "info"]).expect_code(0);
    run.assert_stdout_has("alias:            Satchel demo");
    run.assert_stdout_has("network:          regtest");
    let json = satchel(home.path(), &["--demo", "info", "--json"])
        .expect_code(0)
        .json();
    assert_eq!(json["alias"], "Satchel demo");
    assert_eq!(json["accepts_keysend"], true);
    assert!(
        !home.path().join("settings.json").exists(),
        "the real profile was touched"
    );
}

#[test]
fn a_sent_message_is_listed_with_its_message() {
    let home = home();
    let run = satchel(
        home.path(),
        &[
            "--demo",
            "send",
            "Alice's node",
            "21",
            "--message",
            "hi",
            "--yes",
        ],
    )
    .expect_code(0);
    run.assert_stdout_has("Payment succeeded: 21 sat sent");
    assert!(
        run.stdout.contains("Alice's node"),
        "the graph alias is shown: {}",
        run.stdout
    );
    run.assert_stderr_has("In flight");
    let sent = satchel(home.path(), &["--demo", "sent", "--json"])
        .expect_code(0)
        .json();
    let sent = sent.as_array().unwrap();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["message"], "hi");
    assert_eq!(sent[0]["status"], "succeeded");
    assert_eq!(sent[0]["amount_sat"], 21);
    assert_eq!(sent[0]["contact"], "Alice's node");
    assert_eq!(sent[0]["signed"], false);
}

/// Issue 10 item 22: `sent --json` says whether a payment was signed and
/// gives the preimage that proves it was paid.
#[test]
fn sent_json_says_whether_it_was_signed_and_proves_payment() {
    let home = home();
    for sign in [true, false] {
        let mut args = vec![
            "--demo",
            "send",
            "Grace builds FOSS",
            "21",
            "--message",
            "hey",
            "--yes",
        ];
        if sign {
            args.push("--sign");
        }
        let _ = satchel(home.path(), &args).expect_code(0);
    }
    let sent = satchel(home.path(), &["--demo", "sent", "--json"])
        .expect_code(0)
        .json();
    let sent = sent.as_array().unwrap();
    let signed: Vec<bool> = sent
        .iter()
        .map(|s| s["signed"].as_bool().unwrap())
        .collect();
    assert_eq!(signed, [false, true], "newest first: {sent:?}");
    for entry in sent {
        let preimage = hex::decode(entry["preimage"].as_str().expect("a preimage")).unwrap();
        let hash = sha2::Sha256::digest(&preimage);
        assert_eq!(hex::encode(hash), entry["hash"].as_str().unwrap());
    }
}

#[test]
fn inbox_lists_decoded_messages_and_verified_senders() {
    let home = home();
    let run = inbox_json(home.path(), &[]);
    assert!(
        run.stderr
            .contains("Up to date: 200 new received keysend(s)"),
        "{}",
        run.stderr
    );
    let entries = run.json();
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 200);
    let with_message = entries.iter().filter(|e| e["message"].is_string()).count();
    assert!(with_message > 100, "{with_message} messages");
    let verified: Vec<_> = entries
        .iter()
        .filter(|e| e["sender"]["status"] == "verified")
        .collect();
    assert!(!verified.is_empty(), "no verified sender");
    assert!(verified.iter().all(|e| {
        e["sender"]["pubkey"]
            .as_str()
            .is_some_and(|k| k.len() == 66)
    }));
    let statuses: Vec<&str> = entries
        .iter()
        .map(|e| e["sender"]["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses
            .iter()
            .all(|s| ["verified", "claimed", "anonymous"].contains(s)),
        "{statuses:?}"
    );
    let again = satchel(home.path(), &["--demo", "inbox", "--limit", "3"]).expect_code(0);
    assert!(
        again.stderr.contains("Up to date: 0 new"),
        "history persists: {}",
        again.stderr
    );
}

#[test]
fn inbox_search_narrows_the_list() {
    let home = home();
    let all = inbox_json(home.path(), &[]).json();
    let found = inbox_json(home.path(), &["--search", "pizza"]).json();
    let found = found.as_array().unwrap();
    assert!(!found.is_empty() && found.len() < all.as_array().unwrap().len());
    assert!(found.iter().all(|e| {
        e["message"]
            .as_str()
            .unwrap_or("")
            .to_lowercase()
            .contains("pizza")
    }));
}

#[test]
fn a_bad_pubkey_is_a_usage_error() {
    let home = home();
    let key = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f817";
    let run = satchel(home.path(), &["--demo", "send", key, "21", "--yes"]).expect_code(2);
    run.assert_stderr_has("bad public key");
    run.assert_stderr_has("66 hex characters; this has 64");
    let run = satchel(home.path(), &["--demo", "send", "nobody", "21", "--yes"]).expect_code(2);
    run.assert_stderr_has("no contact named \"nobody\"");
    let run = satchel(home.path(), &["--demo", "send", "bob", "1.5", "--yes"]).expect_code(2);
    run.assert_stderr_has("fractions are not supported");
}

#[test]
fn a_refused_keysend_exits_5_with_the_explanation() {
    let home = home();
    let run = satchel(
        home.path(),
        &[
            "--demo",
            "send",
            "erin (no keysend)",
            "21",
            "--message",
            "hello?",
            "--yes",
        ],
    )
    .expect_code(5);
    assert!(
        run.stderr.contains("does not advertise keysend"),
        "warned first: {}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("This node does not accept keysend payments"),
        "{}",
        run.stderr
    );
    let sent = satchel(home.path(), &["--demo", "sent", "--json"])
        .expect_code(0)
        .json();
    assert_eq!(sent[0]["status"], "failed");
}

#[test]
fn without_a_terminal_it_asks_for_yes_and_sends_nothing() {
    let home = home();
    let run = satchel(home.path(), &["--demo", "send", "alice", "21"]).expect_code(2);
    run.assert_stderr_has("confirmation needs a terminal");
    run.assert_stderr_has("--yes");
    let sent = satchel(home.path(), &["--demo", "sent", "--json"])
        .expect_code(0)
        .json();
    assert_eq!(sent.as_array().unwrap().len(), 0);
}

#[test]
fn help_documents_the_exit_codes() {
    let home = home();
    let run = satchel(home.path(), &["--help"]).expect_code(0);
    for (code, _, meaning) in satchel::cli::EXIT_CODES {
        run.assert_stdout_has(&format!("  {code}  {meaning}"));
    }
    let _ = satchel(home.path(), &["send"]).expect_code(2);
}

#[test]
fn follow_streams_new_keysends_as_json_lines() {
    let home = home();
    let follow = cli_support::Follow::demo_json(home.path(), 1);
    // The first line is the backlog (--limit 1); the next one is new.
    let wait = std::time::Duration::from_secs(60);
    let backlog = follow.next_line(wait);
    assert!(backlog.is_some(), "the backlog is printed first");
    let line = follow.next_line(wait);
    drop(follow);
    let line = line.expect("no new keysend was streamed");
    let entry: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert!(entry["amount_sat"].as_u64().unwrap() > 0, "{entry}");
    assert!(
        ["verified", "claimed", "anonymous"].contains(&entry["sender"]["status"].as_str().unwrap())
    );
}

#[test]
fn send_reports_unfinished_journal_entries_first() {
    use satchel::keysend::{Msat, Preimage, Records};
    use satchel::node::OutgoingKeysend;
    let home = home();
    let _ = satchel(home.path(), &["--demo", "info"]).expect_code(0);
    let demo = satchel::store::Paths::at(home.path()).demo();
    let journal = satchel::wallet::Journal::open_profile(&demo)
        .unwrap()
        .on_node(satchel::sim::demo_node());
    let (_, bob, _) = satchel::sim::demo_contacts()
        .into_iter()
        .find(|(n, ..)| n.starts_with("Bob"))
        .unwrap();
    let keysend = OutgoingKeysend {
        destination: bob,
        amount: Msat::from_sat(7),
        preimage: Preimage::random(),
        records: Records::new(),
        fee_limit: Msat::from_sat(10),
        timeout: std::time::Duration::from_secs(60),
    };
    let _ = journal.begin("crashed-before-dispatch", &keysend).unwrap();
    drop(journal);
    let run = satchel(
        home.path(),
        &["--demo", "send", "Alice's node", "3", "--yes"],
    )
    .expect_code(0);
    assert!(
        run.stderr.contains("Earlier payment of 7 sat to")
            && run.stderr.contains("never reached the node"),
        "{}",
        run.stderr
    );
    let hash = &keysend.hash().to_hex()[..12];
    run.assert_stderr_has(&format!(
        "Waiting for your decision: `satchel --demo sent --resend {hash}`"
    ));
    assert!(!run.stderr.contains("not sent again"), "{}", run.stderr);
}
