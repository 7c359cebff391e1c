//! `satchel send` against `--demo`: extra records (`--record TYPE=HEX`,
//! lncli's `--data TYPE=HEX,TYPE=HEX`) are checked like every record and
//! shown before sending; a fee limit above the amount is asked about.

mod cli_support;

use cli_support::satchel;

/// The sent list's length.
fn sent_count(home: &std::path::Path) -> usize {
    satchel(home, &["--demo", "sent", "--json"])
        .expect_code(0)
        .json()
        .as_array()
        .map_or(0, Vec::len)
}

#[test]
fn records_from_record_and_data_are_shown_and_sent() {
    let home = tempfile::tempdir().unwrap();
    let run = satchel(
        home.path(),
        &[
            "--demo",
            "send",
            "carol.ln",
            "21",
            "--record",
            "65536=ab",
            "--data",
            "696969=6869,70000=01",
            "--yes",
        ],
    )
    .expect_code(0);
    run.assert_stdout_has("record:    65536=ab (1 byte)");
    run.assert_stdout_has("record:    696969=6869 (LNPay destination, 2 bytes)");
    run.assert_stdout_has("record:    70000=01 (1 byte)");
    run.assert_stdout_has("Payment succeeded: 21 sat sent");
}

#[test]
fn records_that_cannot_be_sent_are_refused_before_anything_is_paid() {
    let home = tempfile::tempdir().unwrap();
    let oversize = format!("70000={}", "ab".repeat(1_250));
    let cases = [
        ("5482373484=00", "keysend preimage"),
        ("65535=00", "below 65536"),
        ("34349334=6869", "set from the tip's message"),
        ("70000=xyz", "not hex"),
        ("70000", "is not a record"),
        (oversize.as_str(), "too large for a 3-hop route"),
    ];
    for (record, words) in cases {
        let run = satchel(
            home.path(),
            &[
                "--demo", "send", "carol.ln", "21", "--record", record, "--yes",
            ],
        )
        .expect_code(2);
        run.assert_stderr_has(words);
    }
    assert_eq!(sent_count(home.path()), 0, "nothing was paid");
}

#[test]
fn a_fee_limit_above_the_amount_is_asked_about() {
    let home = tempfile::tempdir().unwrap();
    // No terminal to ask on: the question is said, and nothing is sent.
    let asked = satchel(
        home.path(),
        &["--demo", "send", "carol.ln", "5", "--fee-limit", "20"],
    );
    asked.assert_stderr_has("The fee limit (20 sat) is more than the tip (5 sat)");
    assert_eq!(sent_count(home.path()), 0);
    // The default's 10 sat minimum is said as the rule that applies.
    let shown = satchel(home.path(), &["--demo", "send", "carol.ln", "21", "--yes"]).expect_code(0);
    shown.assert_stdout_has("fee limit: 10 sat, the 10 sat minimum (1 % would be 0.210 sat)");
}

#[test]
fn amounts_people_mistype_are_refused_with_the_reason() {
    let home = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 3] = [
        (&["++5"], "type the amount as digits"),
        (&["1,000 000"], "one kind of separator"),
        (&["21", "--fee-limit", "1 000,000"], "one kind of separator"),
    ];
    for (tail, words) in cases {
        let mut args = vec!["--demo", "send", "carol.ln"];
        args.extend_from_slice(tail);
        args.push("--yes");
        satchel(home.path(), &args)
            .expect_code(2)
            .assert_stderr_has(words);
    }
    assert_eq!(sent_count(home.path()), 0);
}
