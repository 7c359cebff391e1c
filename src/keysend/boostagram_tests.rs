//! Tests for `boostagram`: lenient parsing, hostile input, and sending.

use super::*;

fn parse(json: &str) -> Boostagram {
    Boostagram::parse(json.as_bytes()).unwrap()
}

#[test]
fn reads_a_typical_fountain_boost() {
    let json = r#"{"podcast":"Bitcoin Audible","feedID":123456,"episode":"Ep 1","itemID":"9876",
        "ts":754,"action":"boost","app_name":"Fountain","app_version":"1.0.4","message":"Great show!",
        "sender_name":"satoshi","value_msat":50000,"value_msat_total":100000,
        "uuid":"abc-1","boost_uuid":"boost-1","speed":"1.5","reply_address":"satoshi@getalby.com"}"#;
    let boost = parse(json);
    let expected = Boostagram {
        podcast: Some("Bitcoin Audible".into()),
        feed_id: Some(123_456),
        episode: Some("Ep 1".into()),
        item_id: Some("9876".into()),
        ts: Some(754),
        action: Some("boost".into()),
        app_name: Some("Fountain".into()),
        app_version: Some("1.0.4".into()),
        message: Some("Great show!".into()),
        sender_name: Some("satoshi".into()),
        value_msat: Some(50_000),
        value_msat_total: Some(100_000),
        uuid: Some("abc-1".into()),
        boost_uuid: Some("boost-1".into()),
        speed: Some("1.5".into()),
        reply_address: Some("satoshi@getalby.com".into()),
        raw: json.into(),
        ..Boostagram::default()
    };
    assert_eq!(boost, expected);
}

#[test]
fn numbers_are_lenient() {
    let cases: &[(&str, Option<u64>)] = &[
        (r#"{"ts":12}"#, Some(12)),
        (r#"{"ts":"12"}"#, Some(12)),
        (r#"{"ts":" 12 "}"#, Some(12)),
        (r#"{"ts":12.0}"#, Some(12)),
        (r#"{"ts":"12.0"}"#, Some(12)),
        (r#"{"ts":12.5}"#, None),
        (r#"{"ts":-3}"#, None),
        (r#"{"ts":"abc"}"#, None),
        (r#"{"ts":null}"#, None),
        (r#"{"ts":[1]}"#, None),
        (r#"{"ts":1e300}"#, None),
        (r#"{"ts":18446744073709551615}"#, Some(u64::MAX)),
    ];
    for (json, expected) in cases {
        assert_eq!(parse(json).ts, *expected, "{json}");
    }
}

#[test]
fn strings_are_lenient() {
    let cases: &[(&str, Option<&str>)] = &[
        (r#"{"podcast":"Show"}"#, Some("Show")),
        (r#"{"podcast":42}"#, Some("42")),
        (r#"{"podcast":1.5}"#, Some("1.5")),
        (r#"{"podcast":true}"#, Some("true")),
        (r#"{"podcast":null}"#, None),
        (r#"{"podcast":{"a":1}}"#, None),
        (r#"{"podcast":"   "}"#, None),
        (r#"{"podcast":"\u202eevil\u200b"}"#, Some("evil")),
        (r#"{"podcast":"two\nlines"}"#, Some("two lines")),
    ];
    for (json, expected) in cases {
        assert_eq!(parse(json).podcast.as_deref(), *expected, "{json}");
    }
}

#[test]
fn odd_app_behaviour() {
    // Breez puts a GUID in itemID; Fountain sends message null; unknown keys are fine.
    let boost =
        parse(r#"{"itemID":"e4f1-guid","message":null,"x_custom":{"deep":[1,2]},"feedID":"77"}"#);
    assert_eq!(boost.item_id.as_deref(), Some("e4f1-guid"));
    assert_eq!(boost.message, None);
    assert_eq!(boost.feed_id, Some(77));
    assert_eq!(parse(r#"{"itemID":123}"#).item_id.as_deref(), Some("123"));
    assert_eq!(parse(r#"{"message":"\u0000\u0007"}"#).message, None);
}

#[test]
fn duplicate_keys_last_wins() {
    let boost = parse(r#"{"message":"first","sender_name":"a","message":"second"}"#);
    assert_eq!(boost.message.as_deref(), Some("second"));
    assert_eq!(boost.sender_name.as_deref(), Some("a"));
}

#[test]
fn message_keeps_lines_and_is_capped() {
    let boost = parse(r#"{"message":"hi\n\n\n\nthere\r\n:)"}"#);
    assert_eq!(boost.message.as_deref(), Some("hi\n\nthere\n:)"));
    let long = format!(r#"{{"message":"{}"}}"#, "a".repeat(5000));
    let message = parse(&long).message.unwrap();
    assert_eq!(message.chars().count(), MESSAGE_CHARS);
    assert!(message.ends_with("a…"));
    let name = format!(r#"{{"sender_name":"{}"}}"#, "é".repeat(300));
    assert_eq!(
        parse(&name).sender_name.unwrap(),
        format!("{}…", "é".repeat(255))
    );
}

#[test]
fn refuses_hostile_input() {
    let big = format!(r#"{{"message":"{}"}}"#, "a".repeat(MAX_JSON_BYTES));
    let deep_ok = format!(r#"{{"x":{}{}}}"#, "[".repeat(31), "]".repeat(31));
    let too_deep = format!(r#"{{"x":{}{}}}"#, "[".repeat(32), "]".repeat(32));
    let very_deep = "[".repeat(100_000);
    let deep_small = "[".repeat(60_000);
    let brackets_in_string = format!(r#"{{"message":"{}"}}"#, "[{".repeat(100));
    let cases: Vec<(&[u8], Result<(), BoostagramError>)> = vec![
        (
            big.as_bytes(),
            Err(BoostagramError::TooLarge(MAX_JSON_BYTES + 14)),
        ),
        (deep_ok.as_bytes(), Ok(())),
        (too_deep.as_bytes(), Err(BoostagramError::TooDeep)),
        (
            very_deep.as_bytes(),
            Err(BoostagramError::TooLarge(100_000)),
        ),
        (deep_small.as_bytes(), Err(BoostagramError::TooDeep)),
        (brackets_in_string.as_bytes(), Ok(())),
        (br#"{"message":"esc \" [[[["}"#, Ok(())),
        (b"[1,2]", Err(BoostagramError::NotAnObject)),
        (b"\"text\"", Err(BoostagramError::NotAnObject)),
        (b"", Err(BoostagramError::Json { line: 1, column: 0 })),
        (
            b"{\"a\":",
            Err(BoostagramError::Json { line: 1, column: 5 }),
        ),
        (
            b"{\"message\":\"\xff\"}",
            Err(BoostagramError::Json {
                line: 1,
                column: 13,
            }),
        ),
    ];
    for (input, expected) in cases {
        let got = Boostagram::parse(input).map(|_| ());
        assert_eq!(
            got,
            expected,
            "{:?}",
            String::from_utf8_lossy(&input[..input.len().min(40)])
        );
    }
}

#[test]
fn to_json_is_exact_and_round_trips() {
    let boost = Boostagram {
        podcast: Some("Show \"Q\"".into()),
        feed_id: Some(42),
        item_id: Some("1001".into()),
        episode_guid: Some("guid-x".into()),
        action: Some("boost".into()),
        app_name: Some("Satchel".into()),
        message: Some("hi\nthere".into()),
        value_msat_total: Some(21_000),
        ..Boostagram::default()
    };
    let json = boost.to_json();
    assert_eq!(
        json,
        r#"{"podcast":"Show \"Q\"","feedID":42,"itemID":1001,"episode_guid":"guid-x","action":"boost","app_name":"Satchel","message":"hi\nthere","value_msat_total":21000}"#
    );
    let back = Boostagram::parse(json.as_bytes()).unwrap();
    assert_eq!(back, Boostagram { raw: json, ..boost });
    assert_eq!(Boostagram::default().to_json(), "{}");
    let guid = Boostagram {
        item_id: Some("abc".into()),
        ..Boostagram::default()
    };
    assert_eq!(guid.to_json(), r#"{"itemID":"abc"}"#);
}
