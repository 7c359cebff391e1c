//! Issue 17 on the command line against `--demo`: channels, rebalance,
//! a large tip that needs `--amp`, a probe, warnings about receivers that
//! are not LND, and a private node reached with `--hint`.

mod cli_support;

use cli_support::satchel;

fn demo_id(name: &str) -> String {
    satchel::sim::demo_node_id(name)
        .expect("a demo node")
        .to_hex()
}

fn local_of(channels: &serde_json::Value, peer: &str) -> (u64, u64) {
    let channel = channels
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["peer"] == peer)
        .unwrap_or_else(|| panic!("no channel with {peer}: {channels}"));
    (
        channel["chan_id"].as_u64().unwrap(),
        channel["local_msat"].as_u64().unwrap(),
    )
}

#[test]
fn channels_and_a_rebalance_within_the_fee_limit() {
    let home = tempfile::tempdir().unwrap();
    let before = satchel(home.path(), &["--demo", "channels", "--json"])
        .expect_code(0)
        .json();
    let (bob, alice) = (demo_id("bob"), demo_id("alice"));
    let (bob_chan, _) = local_of(&before, &bob);
    let (_, alice_local) = local_of(&before, &alice);
    let run = satchel(
        home.path(),
        &[
            "--demo",
            "rebalance",
            "--out",
            &bob_chan.to_string(),
            "--in",
            &alice,
            "100000",
            "--max-fee-ppm",
            "1000",
            "--yes",
        ],
    )
    .expect_code(0);
    run.assert_stdout_has("paying at most 100 sat in fees");
    run.assert_stdout_has("Rebalanced 100,000 sat over 3 hops");
    let after = satchel(home.path(), &["--demo", "channels", "--json"])
        .expect_code(0)
        .json();
    assert_eq!(local_of(&after, &alice).1, alice_local + 100_000_000);
    let text = satchel(home.path(), &["--demo", "channels"]).expect_code(0);
    text.assert_stdout_has("LOCAL");
    let refused = satchel(
        home.path(),
        &[
            "--demo",
            "rebalance",
            "--out",
            "42",
            "--in",
            &alice,
            "1000",
            "--max-fee-ppm",
            "1000",
            "--yes",
        ],
    )
    .expect_code(2);
    refused.assert_stderr_has("you have no channel 42");
}

#[test]
fn a_large_tip_is_offered_amp_and_succeeds_with_it() {
    let home = tempfile::tempdir().unwrap();
    let oscar = demo_id("oscar");
    let keysend = satchel(
        home.path(),
        &[
            "--demo",
            "send",
            &oscar,
            "2500000",
            "--fee-limit",
            "5000",
            "--yes",
        ],
    )
    .expect_code(5);
    keysend.assert_stderr_has("note: no single path carries this amount");
    keysend.assert_stderr_has("send it again with --amp");
    let amp = satchel(
        home.path(),
        &[
            "--demo",
            "send",
            &oscar,
            "2500000",
            "-m",
            "big",
            "--fee-limit",
            "5000",
            "--amp",
            "--yes",
        ],
    )
    .expect_code(0);
    // The estimate shown before sending is what the payment then cost.
    amp.assert_stdout_has("As AMP: 2 shards, estimated fee 377 sat in all");
    amp.assert_stdout_has("Sent 2,500,000 sat as AMP in 2 shards");
    amp.assert_stdout_has("fee 377 sat.");
}

#[test]
fn a_probe_pays_nothing() {
    let home = tempfile::tempdir().unwrap();
    let before = satchel(home.path(), &["--demo", "balance", "--json"])
        .expect_code(0)
        .json();
    let run = satchel(
        home.path(),
        &["--demo", "send", &demo_id("grace"), "50000", "--probe"],
    )
    .expect_code(0);
    run.assert_stdout_has("Reachable: the receiver answered over 3 hops");
    run.assert_stdout_has("Nothing was paid");
    let after = satchel(home.path(), &["--demo", "balance", "--json"])
        .expect_code(0)
        .json();
    assert_eq!(after["local_sat"], before["local_sat"]);
}

#[test]
fn receivers_that_are_not_lnd_are_warned_about_and_explained() {
    let home = tempfile::tempdir().unwrap();
    let eclair = satchel(
        home.path(),
        &["--demo", "send", &demo_id("ivan"), "100", "--yes"],
    )
    .expect_code(5);
    eclair.assert_stderr_has("does not advertise keysend support (feature bit 55)");
    eclair.assert_stderr_has("why: the receiver refused the keysend");
    let cln = satchel(
        home.path(),
        &[
            "--demo",
            "send",
            &demo_id("heidi"),
            "100",
            "-m",
            "gm",
            "--yes",
        ],
    )
    .expect_code(0);
    cln.assert_stderr_has("record 34349334 is even");
    let ldk = satchel(
        home.path(),
        &[
            "--demo",
            "send",
            &demo_id("judy"),
            "100",
            "-m",
            "gm",
            "--yes",
        ],
    )
    .expect_code(5);
    ldk.assert_stderr_has("why: the receiver's wallet refused the payment's records");
}

#[test]
fn a_private_node_is_reached_with_a_hint() {
    let home = tempfile::tempdir().unwrap();
    let kate = demo_id("kate");
    let without = satchel(home.path(), &["--demo", "send", &kate, "1000", "--yes"]).expect_code(5);
    without.assert_stderr_has("not in the public graph");
    without.assert_stderr_has("route hints (--hint)");
    let hint = satchel::sim::route_hint_to("kate").unwrap();
    let with = satchel(
        home.path(),
        &["--demo", "send", &kate, "1000", "--hint", &hint, "--yes"],
    )
    .expect_code(0);
    with.assert_stdout_has("Payment succeeded");
    let bad = satchel(
        home.path(),
        &["--demo", "send", &kate, "1000", "--hint", "x:1", "--yes"],
    )
    .expect_code(2);
    bad.assert_stderr_has("hint x:1: a hop hint is NODE_ID:CHAN_ID");

    // A contact can hold the hints: sends to it pass them.
    let _ = satchel(home.path(), &["--demo", "contacts", "add", "kate", &kate]).expect_code(0);
    satchel(home.path(), &["--demo", "contacts", "hint", "kate", &hint])
        .expect_code(0)
        .assert_stdout_has("Saved 1 route hint(s)");
    satchel(home.path(), &["--demo", "send", "kate", "500", "--yes"])
        .expect_code(0)
        .assert_stdout_has("Payment succeeded");
    satchel(home.path(), &["--demo", "contacts", "hint", "kate"])
        .expect_code(0)
        .assert_stdout_has("Route hints cleared.");
    let _ = satchel(home.path(), &["--demo", "send", "kate", "500", "--yes"]).expect_code(5);

    // Or taken from one of kate's invoices: its `r` field becomes the hint.
    let invoice = satchel::sim::private_invoice("kate").unwrap();
    satchel(
        home.path(),
        &["--demo", "contacts", "hint", "kate", &invoice],
    )
    .expect_code(0)
    .assert_stdout_has("Saved 1 route hint(s)");
    satchel(home.path(), &["--demo", "send", "kate", "500", "--yes"])
        .expect_code(0)
        .assert_stdout_has("Payment succeeded");
    // Another node's invoice gives no hints for kate.
    let _ = satchel(
        home.path(),
        &["--demo", "contacts", "add", "oscar", &demo_id("oscar")],
    )
    .expect_code(0);
    satchel(
        home.path(),
        &["--demo", "contacts", "hint", "oscar", &invoice],
    )
    .expect_code(2)
    .assert_stderr_has("not from this contact");
}
