//! What the CLI prints, against `--demo`: list order, amounts, JSON lines,
//! help layout, and bad input refused as bad input (exit 2).

mod cli_support;

use std::path::Path;
use std::time::Duration;

use cli_support::{Follow, satchel};

fn home() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// `1,234 sat` as the text listing writes a JSON `amount_sat`.
fn sat_text(sats: u64) -> String {
    satchel::keysend::Msat::from_sat(sats).to_string()
}

#[test]
fn inbox_text_and_json_are_both_newest_first() {
    let home = home();
    let json = satchel(home.path(), &["--demo", "inbox", "--json", "--limit", "6"])
        .expect_code(0)
        .json();
    let json = json.as_array().unwrap();
    let settled: Vec<i64> = json
        .iter()
        .map(|e| e["settled_at"].as_i64().unwrap())
        .collect();
    assert!(settled.windows(2).all(|w| w[0] >= w[1]), "{settled:?}");
    let text = satchel(home.path(), &["--demo", "inbox", "--limit", "6"]).expect_code(0);
    let amounts: Vec<&str> = text
        .stdout
        .lines()
        .filter(|line| !line.starts_with(' '))
        .map(|line| line.split("  ").nth(1).unwrap())
        .collect();
    let expected: Vec<String> = json
        .iter()
        .map(|e| sat_text(e["amount_sat"].as_u64().unwrap()))
        .collect();
    assert_eq!(amounts, expected, "{}", text.stdout);
    let help = satchel(home.path(), &["inbox", "--help"]).expect_code(0);
    help.assert_stdout_has("newest first");
}

#[test]
fn follow_json_prints_only_json_lines() {
    let home = home();
    let follow = Follow::demo_json(home.path(), 3);
    let lines: Vec<String> = (0..3)
        .map_while(|_| follow.next_line(Duration::from_secs(60)))
        .collect();
    drop(follow);
    assert_eq!(lines.len(), 3, "the backlog: {lines:?}");
    let settled: Vec<i64> = lines
        .iter()
        .map(|line| {
            let entry: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
            entry["settled_at"].as_i64().unwrap()
        })
        .collect();
    assert!(
        settled.windows(2).all(|w| w[0] <= w[1]),
        "in time order: {settled:?}"
    );
}

/// The demo balance, in msat.
fn spendable_msat(home: &Path) -> u64 {
    let balance = satchel(home, &["--demo", "balance", "--json"])
        .expect_code(0)
        .json();
    balance["local_msat"].as_u64().unwrap()
}

#[test]
fn summaries_show_whole_sats_and_fees_keep_msat() {
    let home = home();
    let sent = satchel(home.path(), &["--demo", "send", "carol.ln", "21", "--yes"]);
    let sent = sent.expect_code(0);
    sent.assert_stdout_has("Payment succeeded: 21 sat sent, fee 1.004 sat");
    let msat = spendable_msat(home.path());
    assert_ne!(msat % 1000, 0, "the fee left msat in the balance: {msat}");
    let balance = satchel(home.path(), &["--demo", "balance"]).expect_code(0);
    balance.assert_stdout_has(&format!("can send:     {}\n", sat_text(msat / 1000)));
}

#[test]
fn the_fee_limit_counts_against_what_can_be_sent() {
    let home = home();
    let sats = spendable_msat(home.path()) / 1000 - 5;
    let amount = sats.to_string();
    let run = satchel(
        home.path(),
        &["--demo", "send", "Grace builds FOSS", &amount, "--yes"],
    );
    let run = run.expect_code(5);
    run.assert_stderr_has(&format!("{} plus routing fees (limit", sat_text(sats)));
    run.assert_stderr_has("is more than your node can send right now");
    run.assert_stderr_has("lower the fee limit with --fee-limit");
    assert!(
        !run.stderr.contains("Sending"),
        "nothing was sent: {}",
        run.stderr
    );
}

#[test]
fn bad_connection_input_is_a_usage_error() {
    let home = home();
    let network = satchel(home.path(), &["--network", "bogus", "info"]).expect_code(2);
    network.assert_stderr_has("regtest");
    let link = "lndconnect://h:1?cert=abc&macaroon=def";
    let run = satchel(home.path(), &["--lndconnect", link, "info"]).expect_code(2);
    run.assert_stderr_has("the macaroon in the lndconnect link is not valid base64");
    run.assert_stderr_has("base64url without padding");
    assert!(!run.stderr.contains("symbol 102"), "{}", run.stderr);
}

#[test]
fn connection_flags_are_grouped_and_kept_out_of_sim() {
    let home = home();
    let send = satchel(home.path(), &["send", "--help"]).expect_code(0);
    let heading = send
        .stdout
        .find("Connection:")
        .expect("a Connection heading");
    assert!(
        send.stdout.find("--rpcserver").unwrap() > heading,
        "{}",
        send.stdout
    );
    assert!(
        send.stdout.find("--fee-limit").unwrap() < heading,
        "{}",
        send.stdout
    );
    let sim = satchel(home.path(), &["sim", "--help"]).expect_code(0);
    for flag in ["--rpcserver", "--lndconnect", "--demo"] {
        assert!(!sim.stdout.contains(flag), "{flag}: {}", sim.stdout);
    }
    let dir = home.path().join("sim");
    let refused = satchel(
        home.path(),
        &["--demo", "sim", "--dir", dir.to_str().unwrap()],
    );
    refused
        .expect_code(2)
        .assert_stderr_has("--demo does nothing there");
    assert!(!dir.exists(), "nothing was served");
}

/// A verified sender that is not a contact is named by its graph alias (the
/// name it gives itself only as "calls itself"), and searching that alias
/// finds its tips.
#[test]
fn verified_senders_are_named_and_found_by_their_graph_alias() {
    let home = home();
    // The search first: senders not checked yet are checked for it.
    let found = satchel(
        home.path(),
        &[
            "--demo", "inbox", "--json", "--limit", "200", "--search", "Alice",
        ],
    )
    .expect_code(0)
    .json();
    let listed = satchel(
        home.path(),
        &["--demo", "inbox", "--json", "--limit", "200"],
    )
    .expect_code(0)
    .json();
    let alices: Vec<&serde_json::Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["sender"]["status"] == "verified" && e["sender"]["alias"] == "Alice's node")
        .collect();
    assert!(!alices.is_empty(), "verified tips from Alice's node");
    assert!(
        alices
            .iter()
            .all(|e| e["sender"]["shown"] == "Alice's node")
    );
    let found = found.as_array().unwrap();
    let found_alices = found
        .iter()
        .filter(|e| e["sender"]["alias"] == "Alice's node")
        .count();
    assert_eq!(
        found_alices,
        alices.len(),
        "every verified tip from Alice's node"
    );
    let text = satchel(home.path(), &["--demo", "inbox", "--limit", "200"]).expect_code(0);
    text.assert_stdout_has("Alice's node (");
    assert!(!text.stdout.contains("sat  verified: "), "{}", text.stdout);
}

/// A search of punctuation only says it searched nothing; words beyond the
/// sixteenth are named as ignored.
#[test]
fn a_search_says_what_was_searched() {
    let home = home();
    let run = satchel(home.path(), &["--demo", "inbox", "--search", "\" * ("]).expect_code(0);
    run.assert_stderr_has("Nothing to search for in “\" * (”");
    let words: Vec<String> = (1..=17).map(|n| format!("w{n}")).collect();
    let run = satchel(
        home.path(),
        &["--demo", "inbox", "--search", &words.join(" ")],
    )
    .expect_code(0);
    run.assert_stderr_has("Searched the first 16 words: “w17” ignored.");
}
