use super::*;
use crate::podcast::Feed;
use crate::podcast::example::{feed, node, recipient, spec_block};

fn block(recipients: &[String]) -> RawBlock {
    let xml = format!(
        r#"<podcast:value type="lightning" method="keysend">{}</podcast:value>"#,
        recipients.concat()
    );
    let feed = Feed::parse(feed(&xml, "").as_bytes()).unwrap();
    feed.block_for(None).unwrap().clone()
}

#[test]
fn the_spec_block_is_payable() {
    let feed = Feed::parse(feed(&spec_block(), "").as_bytes()).unwrap();
    let block = feed.block_for(None).unwrap().check().unwrap();
    assert_eq!(block.recipients.len(), 4);
    assert_eq!(block.fee_percent(), 1);
    assert_eq!(block.shares(), 100);
    assert!(block.skipped.is_empty() && block.merged.is_empty());
    assert_eq!(block.recipients[0].node, node(1));
}

#[test]
fn bad_recipients_are_skipped_with_the_reason() {
    let lnaddress =
        r#"<podcast:valueRecipient name="Addr" type="lnaddress" address="a@b.c" split="10"/>"#;
    let cases: &[(String, &str)] = &[
        (
            recipient("Bad key", 9, "10", "").replace(&node(9).to_string(), "02abcd"),
            "not a node pubkey",
        ),
        (lnaddress.to_owned(), "did not resolve to a keysend node"),
        (recipient("Neg", 9, "-5", ""), "split \"-5\" is negative"),
        (
            recipient("Text", 9, "lots", ""),
            "\"lots\" is not a whole number",
        ),
        (recipient("Frac", 9, "2.5", ""), "not a whole number"),
        (
            recipient("Key", 9, "10", r#"customKey="abc" customValue="x""#),
            "customKey \"abc\" is not a number",
        ),
        (
            recipient("Msg", 9, "10", r#"customKey="34349334" customValue="x""#),
            "Satchel sets itself",
        ),
        (
            recipient("Wallet", 9, "10", r#"customKey="696969" customValue="x""#),
            "unused",
        ),
        (
            recipient("Low", 9, "10", r#"customKey="5" customValue="x""#),
            "customKey 5 is below 65536",
        ),
        (recipient("Zero", 9, "0", ""), "split is 0"),
    ];
    for (bad, reason) in cases {
        let raw = block(&[recipient("Good", 1, "90", ""), bad.clone()]);
        let checked = raw.check().unwrap();
        if *reason == "unused" {
            assert!(checked.skipped.is_empty(), "{bad}");
            assert_eq!(checked.recipients[1].custom.as_ref().unwrap().key, 696_969);
            continue;
        }
        assert_eq!(checked.recipients.len(), 1, "{bad}");
        assert_eq!(checked.skipped.len(), 1, "{bad}");
        assert!(
            checked.skipped[0].reason.contains(reason),
            "{:?}",
            checked.skipped[0]
        );
    }
}

#[test]
fn whole_block_refusals() {
    let one = |split: &str, extra: &str| recipient("A", 1, split, extra);
    let cases: Vec<(RawBlock, ValueError)> = vec![
        (
            block(&[one("0", ""), recipient("B", 2, "0", "")]),
            ValueError::AllSplitsZero,
        ),
        (
            block(&[
                one("60", r#"fee="true""#),
                recipient("B", 2, "50", r#"fee="true""#),
            ]),
            ValueError::FeesOverWhole(110),
        ),
        (
            block(&[one("100", r#"fee="true""#), recipient("B", 2, "5", "")]),
            ValueError::FeesTakeAll,
        ),
        (
            block(&[one("10", r#"fee="true""#)]),
            ValueError::NoShares(10),
        ),
        (
            block(&[one("10", "").replace(&node(1).to_string(), "zz")]),
            ValueError::NoRecipients { skipped: 1 },
        ),
        (
            block(
                &(1..=26)
                    .map(|i| recipient("R", i, "1", ""))
                    .collect::<Vec<_>>(),
            ),
            ValueError::TooManyRecipients(26),
        ),
    ];
    for (raw, expected) in cases {
        assert_eq!(raw.check().unwrap_err(), expected);
    }
    let amp = RawBlock {
        method: "amp".into(),
        ..block(&[one("1", "")])
    };
    assert_eq!(
        amp.check().unwrap_err(),
        ValueError::NotKeysend("amp".into())
    );
    let hive = RawBlock {
        kind: "hive".into(),
        ..block(&[one("1", "")])
    };
    assert!(
        hive.check()
            .unwrap_err()
            .to_string()
            .contains("only type \"lightning\"")
    );
    // 25 is fine.
    let full = block(
        &(1..=25)
            .map(|i| recipient("R", i, "1", ""))
            .collect::<Vec<_>>(),
    );
    assert_eq!(full.check().unwrap().recipients.len(), 25);
}

#[test]
fn duplicates_are_merged_and_names_made_safe() {
    let custom = r#"customKey="696969" customValue="wallet-1""#;
    let raw = block(&[
        recipient("Al\u{202e}ice&#10;Evil", 1, "10", ""),
        recipient("Alice again", 1, "15", ""),
        recipient("Wallet", 1, "5", custom),
        recipient("Wallet 2", 1, "5", custom),
    ]);
    let checked = raw.check().unwrap();
    assert_eq!(checked.recipients.len(), 2);
    assert_eq!(checked.recipients[0].split, 25);
    assert_eq!(checked.recipients[0].name, "Alice Evil");
    assert_eq!(checked.recipients[1].split, 10);
    assert_eq!(
        checked.recipients[1].custom,
        Some(Custom {
            key: 696_969,
            value: "wallet-1".into()
        })
    );
    assert_eq!(checked.merged, ["Alice again", "Wallet 2"]);
}
