//! `satchel feed show` and `satchel boost` against `--demo` (the in-process
//! simulated network) and against feed files with bad input.

mod cli_support;

use std::path::Path;

use cli_support::satchel;

fn home() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn feed_show_lists_the_block_the_legs_and_the_amount_that_pays_everyone() {
    let home = home();
    let run = satchel(
        home.path(),
        &[
            "--demo", "feed", "show", "demo", "--latest", "--amount", "10",
        ],
    )
    .expect_code(0);
    run.assert_stdout_has("Podcast: Dave's Bitcoin Podcast (demo)");
    run.assert_stdout_has("Episode: Episode 3: Alice on keysend (guid demo-episode-3)");
    run.assert_stdout_has("fee recipients take 1 % off the top");
    run.assert_stdout_has("1 value time split(s) kept for streams");
    run.assert_stdout_has("warning: Bob's hosting get(s) 0 sats at this amount");
    let json = satchel(
        home.path(),
        &[
            "--demo", "feed", "show", "demo", "--latest", "--amount", "10", "--json",
        ],
    )
    .expect_code(0)
    .json();
    let legs = json["boost"]["legs"].as_array().unwrap();
    let sats: Vec<u64> = legs.iter().map(|l| l["sat"].as_u64().unwrap()).collect();
    // Dave 5.94, Alice 1.98, Carol 1.485, Grace 0.495, Bob 0.1 (1 % fee):
    // floors 5+1+1, then the largest remainders (.98, .94, .495) get a sat.
    assert_eq!(sats, [6, 2, 1, 1, 0]);
    let exact: Vec<u64> = legs
        .iter()
        .map(|l| l["exact_msat"].as_u64().unwrap())
        .collect();
    assert_eq!(exact, [5_940, 1_980, 1_485, 495, 100]);
    assert_eq!(json["boost"]["zero_legs"], 1);
    assert!(json["boost"]["pays_everyone_from_sat"].as_u64().unwrap() > 10);
    assert_eq!(json["recipients"][4]["fee"], true);
    assert_eq!(json["episode_guid"], "demo-episode-3");
}

#[test]
fn a_demo_boost_pays_every_leg_once() {
    let home = home();
    let run = satchel(
        home.path(),
        &[
            "--demo",
            "boost",
            "demo",
            "100",
            "--latest",
            "--message",
            "hi",
            "--name",
            "tester",
            "--yes",
            "--json",
        ],
    )
    .expect_code(0);
    let json = run.json();
    assert_eq!(json["complete"], true, "{}", run.stderr);
    let legs = json["legs"].as_array().unwrap();
    assert_eq!(legs.len(), 5);
    assert!(legs.iter().all(|l| l["state"] == "succeeded"), "{legs:?}");
    let id = json["boost_id"].as_str().unwrap().to_owned();
    // Nothing left to retry: nothing is sent again.
    let again = satchel(home.path(), &["--demo", "boost", "--retry", &id, "--yes"]).expect_code(0);
    again.assert_stdout_has("Nothing to send.");
    let sent = satchel(home.path(), &["--demo", "sent", "--json"])
        .expect_code(0)
        .json();
    let amounts: Vec<u64> = sent
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["amount_sat"].as_u64().unwrap())
        .collect();
    let mut sorted = amounts.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [1, 5, 15, 20, 59], "each leg once: {amounts:?}");
}

#[test]
fn a_failed_leg_exits_5_with_the_boost_id_and_is_retried_alone() {
    let home = home();
    let erin = "037fe5360890be941fc645a94d9d404a7ee396cef0d74a6d1707779c66439c86a0";
    let feed = write(
        home.path(),
        "erin.xml",
        &format!(
            r#"<rss xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>Mixed</title>
            <podcast:value type="lightning" method="keysend">
              <podcast:valueRecipient name="Carol" type="node" address="02fd8f2e0a3a45bf03a937e52bc286c96a7b8ba02fd84f6f6cce85259c601dd02a" split="90"/>
              <podcast:valueRecipient name="Erin" type="node" address="{erin}" split="10"/>
            </podcast:value></channel></rss>"#
        ),
    );
    let run = satchel(home.path(), &["--demo", "boost", &feed, "20", "--yes"]).expect_code(5);
    run.assert_stdout_has("Carol");
    run.assert_stdout_has("paid");
    run.assert_stdout_has("failed");
    run.assert_stderr_has("satchel boost --retry");
    let outcome = run
        .stdout
        .lines()
        .find(|l| l.contains(" to Mixed: "))
        .unwrap();
    let id = outcome.split_whitespace().nth(1).unwrap().to_owned();
    let retry = satchel(home.path(), &["--demo", "boost", "--retry", &id, "--yes"]).expect_code(5);
    retry.assert_stdout_has("failed: send it again (same boost id)");
    let sent = satchel(home.path(), &["--demo", "sent", "--json"])
        .expect_code(0)
        .json();
    let carol: Vec<&serde_json::Value> = sent
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "succeeded")
        .collect();
    assert_eq!(carol.len(), 1, "Carol paid once: {sent:#?}");
    assert_eq!(carol[0]["amount_sat"], 18);
}

#[test]
fn bad_feeds_get_a_clear_error_and_pay_nothing() {
    let home = home();
    let dir = home.path();
    let key = "02fd8f2e0a3a45bf03a937e52bc286c96a7b8ba02fd84f6f6cce85259c601dd02a";
    let block = |attrs: &str, recipients: &str| {
        format!(
            r#"<rss xmlns:podcast="x"><channel><title>T</title><podcast:value {attrs}>{recipients}</podcast:value></channel></rss>"#
        )
    };
    let one = |split: &str, extra: &str| {
        format!(
            r#"<podcast:valueRecipient name="A" type="node" address="{key}" split="{split}" {extra}/>"#
        )
    };
    let cases = [
        ("notxml.xml", "just text, no xml".to_owned(), "no <channel>"),
        ("novalue.xml", "<rss><channel><title>T</title></channel></rss>".to_owned(), "no podcast:value block"),
        ("amp.xml", block(r#"type="lightning" method="amp""#, &one("1", "")), "method is \"amp\""),
        ("zero.xml", block(r#"type="lightning" method="keysend""#, &one("0", "")), "every recipient's split is 0"),
        ("fees.xml", block(r#"type="lightning" method="keysend""#, &one("101", r#"fee="true""#)), "101 %"),
        (
            "entities.xml",
            r#"<!DOCTYPE r [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;">]><rss><channel><title>&b;</title></channel></rss>"#.to_owned(),
            "does not expand entities",
        ),
    ];
    for (name, text, expected) in cases {
        let path = write(dir, name, &text);
        let run = satchel(dir, &["--demo", "boost", &path, "10", "--yes"]).expect_code(2);
        run.assert_stderr_has(expected);
        let show = satchel(dir, &["--demo", "feed", "show", &path]).expect_code(2);
        assert!(
            show.stderr.contains(expected) || show.stdout.contains(expected),
            "{name}: {}",
            show.stderr
        );
    }
    let missing = satchel(dir, &["--demo", "feed", "show", "/no/such/feed.xml"]).expect_code(2);
    missing.assert_stderr_has("not a feed address");
    let bad_key = block(
        r#"type="lightning" method="keysend""#,
        &format!("{}{}", one("50", ""), one("50", "").replace(key, "02zz")),
    );
    let path = write(dir, "badkey.xml", &bad_key);
    let show = satchel(dir, &["--demo", "feed", "show", &path, "--amount", "10"]).expect_code(0);
    show.assert_stdout_has("skipped: A (02zz): address is not a node pubkey");
    let sent = satchel(dir, &["--demo", "sent", "--json"])
        .expect_code(0)
        .json();
    assert_eq!(sent.as_array().unwrap().len(), 0, "nothing was paid");
}

/// A demo node by the start of its alias.
fn demo_node(alias: &str) -> satchel::keysend::NodeId {
    satchel::sim::demo_contacts()
        .into_iter()
        .find(|(name, _, _)| name.starts_with(alias))
        .map(|(_, id, _)| id)
        .unwrap()
}

/// Every recipient's `accrued = paid + owed`; (name, accrued, paid, owed).
fn owed_rows(home: &Path) -> Vec<(String, u64, u64, i64)> {
    let json = satchel(home, &["--demo", "owed", "--json"])
        .expect_code(0)
        .json();
    json.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let row = (
                r["name"].as_str().unwrap().to_owned(),
                r["accrued_msat"].as_u64().unwrap(),
                r["paid_msat"].as_u64().unwrap(),
                r["owed_msat"].as_i64().unwrap(),
            );
            assert_eq!(i128::from(row.1), i128::from(row.2) + i128::from(row.3));
            row
        })
        .collect()
}

#[test]
fn owed_settles_whole_sats_and_a_failed_leg_stays_owed() {
    use satchel::keysend::Msat;
    use satchel::podcast::Leg;
    use satchel::podcast::boost::BoostContext;
    use satchel::wallet::boost_store::{BoostRecord, BoostStore};

    let home = home();
    assert!(owed_rows(home.path()).is_empty(), "no boosts yet");
    // An earlier boost whose legs all rounded to 0 sats: 2.5 sats owed to
    // Alice, 1.5 to erin (who refuses keysends), 0.8 to Bob.
    let paths = satchel::store::Paths::at(home.path()).demo();
    let store = BoostStore::open_node(&paths, &satchel::sim::demo_node()).unwrap();
    let leg = |name: &str, alias: &str, msat: u64| Leg {
        name: name.into(),
        node: demo_node(alias),
        custom: None,
        split: 1,
        fee: false,
        exact: Msat(msat),
        amount: Msat::ZERO,
    };
    let legs = [
        leg("Alice", "Alice", 2_500),
        leg("Bob", "Bob", 800),
        leg("erin", "erin", 1_500),
    ];
    let earlier = BoostRecord::new("earlier".into(), "f".into(), BoostContext::default(), &legs);
    store.record(&earlier).unwrap();
    drop(store);
    let owed = |rows: &[(String, u64, u64, i64)]| -> Vec<(String, i64)> {
        rows.iter().map(|r| (r.0.clone(), r.3)).collect()
    };
    let before = owed_rows(home.path());
    assert_eq!(
        owed(&before),
        [
            ("Alice".into(), 2_500),
            ("Bob".into(), 800),
            ("erin".into(), 1_500)
        ]
    );
    satchel(home.path(), &["--demo", "owed"])
        .expect_code(0)
        .assert_stdout_has("--settle would pay 3 sat");

    // Alice is paid her 2 whole sats; erin's 1 sat fails and stays owed;
    // Bob is owed less than 1 sat: nothing is sent to him.
    let run = satchel(
        home.path(),
        &["--demo", "owed", "--settle", "--yes", "--json"],
    )
    .expect_code(5);
    let json = run.json();
    let states: Vec<(String, u64, String)> = json["legs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["name"].as_str().unwrap().to_owned(),
                l["sat"].as_u64().unwrap(),
                l["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("Alice".into(), 2, "succeeded".into()),
            ("erin".into(), 1, "returned".into())
        ],
        "{}",
        run.stderr
    );
    let after = owed_rows(home.path());
    assert_eq!(
        owed(&after),
        [
            ("Alice".into(), 500),
            ("Bob".into(), 800),
            ("erin".into(), 1_500)
        ]
    );
    assert_eq!(after[0].2, 2_000, "Alice's 2 sats counted paid once");

    // Settling again pays nobody twice: only erin's sat is tried again.
    let again = satchel(
        home.path(),
        &["--demo", "owed", "--settle", "--yes", "--json"],
    )
    .expect_code(5)
    .json();
    assert_eq!(again["legs"].as_array().unwrap().len(), 1);
    assert_eq!(again["legs"][0]["name"], "erin");
    assert_eq!(owed(&owed_rows(home.path())), owed(&after));
}
