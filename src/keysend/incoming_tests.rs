//! Tests for `incoming::decode`: what each record set displays as.

use super::*;
use crate::keysend::record::{
    BOOSTAGRAM, CONTENT_TYPE, KEYSEND_PREIMAGE, MESSAGE, SENDER_ALIAS, SENDER_PUBKEY, SIGNATURE,
    SPHINX, TIMESTAMP, TIP_NOTE,
};

const ALICE: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

fn alice() -> NodeId {
    ALICE.parse().unwrap()
}

/// A tip as Whatsat sends it: preimage, `message`, signature, Alice's key
/// and a timestamp.
fn whatsat_tip(message: &[u8]) -> Records {
    Records::from([
        (KEYSEND_PREIMAGE, vec![0xAB; 32]),
        (MESSAGE, message.to_vec()),
        (SIGNATURE, vec![0x11; 64]),
        (SENDER_PUBKEY, alice().as_bytes().to_vec()),
        (
            TIMESTAMP,
            1_700_000_000_000_000_000u64.to_be_bytes().to_vec(),
        ),
    ])
}

#[test]
fn typical_whatsat_tip() {
    let mut records = whatsat_tip(b"thanks for the podcast");
    let _ = records.insert(SENDER_ALIAS, b"Alice".to_vec());
    let _ = records.insert(CONTENT_TYPE, b"text".to_vec());
    let decoded = decode(&records);
    assert_eq!(decoded.message.as_deref(), Some("thanks for the podcast"));
    assert_eq!(decoded.claimed_sender, Some(alice()));
    assert_eq!(decoded.claimed_name.as_deref(), Some("Alice"));
    assert_eq!(decoded.timestamp_ns, Some(1_700_000_000_000_000_000));
    assert_eq!(decoded.content_type.as_deref(), Some("text"));
    assert_eq!(decoded.boostagram, None);
    let keys: Vec<u64> = decoded.records.iter().map(|r| r.key).collect();
    assert_eq!(
        keys,
        [
            MESSAGE,
            SIGNATURE,
            SENDER_PUBKEY,
            SENDER_ALIAS,
            TIMESTAMP,
            CONTENT_TYPE,
            KEYSEND_PREIMAGE
        ]
    );
    let preimage = decoded.records.last().unwrap();
    assert_eq!(preimage.name, Some("keysend preimage"));
    assert_eq!(
        (preimage.len, preimage.hex.as_str()),
        (32, "ab".repeat(32).as_str())
    );
}

#[test]
fn record_view_cases() {
    let long = vec![0x41; 200];
    type Case<'a> = (u64, &'a [u8], Option<&'a str>, &'a str, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (
            SPHINX,
            br#"{"feedID":1}"#,
            Some("Sphinx payload"),
            "7b22666565644944223a317d",
            r#"{"feedID":1}"#,
        ),
        (696_969, b"wal", Some("LNPay destination"), "77616c", "wal"),
        (818_818, b"hive", Some("Hive account"), "68697665", "hive"),
        (
            112_111_100,
            b"wal_1",
            Some("LNPay wallet id"),
            "77616c5f31",
            "wal_1",
        ),
        (123_457, &[0, 1, 0xFF], None, "0001ff", "\u{FFFD}"),
        (65_537, b"", None, "", ""),
        (65_539, &long, None, "", ""),
    ];
    for (key, value, name, hex, preview) in cases {
        let view = RecordView::new(key, value);
        assert_eq!(
            (view.key, view.name, view.len),
            (key, name, value.len()),
            "{key}"
        );
        if value.len() > HEX_BYTES {
            assert_eq!(view.hex, format!("{}…", "41".repeat(HEX_BYTES)));
            assert_eq!(view.preview, format!("{}…", "A".repeat(PREVIEW_CHARS - 1)));
        } else {
            assert_eq!(
                (view.hex.as_str(), view.preview.as_str()),
                (hex, preview),
                "{key}"
            );
        }
    }
}

#[test]
fn message_sources_in_order() {
    let boost = br#"{"message":"from the boost","sender_name":"Bob"}"#.to_vec();
    let cases: Vec<(Records, Option<&str>, Option<&str>)> = vec![
        (
            Records::from([(MESSAGE, b"chat".to_vec()), (BOOSTAGRAM, boost.clone())]),
            Some("chat"),
            Some("Bob"),
        ),
        (
            Records::from([(MESSAGE, b" \n ".to_vec()), (BOOSTAGRAM, boost.clone())]),
            Some("from the boost"),
            Some("Bob"),
        ),
        (
            Records::from([(TIP_NOTE, b"a note".to_vec()), (BOOSTAGRAM, b"{}".to_vec())]),
            Some("a note"),
            None,
        ),
        (
            Records::from([(TIP_NOTE, b"a note".to_vec())]),
            Some("a note"),
            None,
        ),
        (
            Records::from([(BOOSTAGRAM, b"not json".to_vec())]),
            None,
            None,
        ),
        (
            Records::from([(SENDER_ALIAS, b"Al".to_vec()), (BOOSTAGRAM, boost)]),
            Some("from the boost"),
            Some("Al"),
        ),
        (Records::new(), None, None),
    ];
    for (records, message, name) in cases {
        let decoded = decode(&records);
        assert_eq!(decoded.message.as_deref(), message, "{records:?}");
        assert_eq!(decoded.claimed_name.as_deref(), name, "{records:?}");
    }
}

#[test]
fn the_message_says_which_record_it_came_from() {
    use MessageSource::*;
    let boost = br#"{"message":"from the boost"}"#.to_vec();
    let cases: Vec<(Records, Option<MessageSource>)> = vec![
        (whatsat_tip(b"chat"), Some(Chat)),
        (
            Records::from([(MESSAGE, b" \n ".to_vec()), (BOOSTAGRAM, boost.clone())]),
            Some(Boostagram),
        ),
        (
            Records::from([
                (MESSAGE, b"\xe2\x80\x8b".to_vec()),
                (TIP_NOTE, b"a note".to_vec()),
            ]),
            Some(TipNote),
        ),
        (
            Records::from([(TIP_NOTE, b"a note".to_vec()), (BOOSTAGRAM, boost)]),
            Some(Boostagram),
        ),
        (Records::from([(MESSAGE, b"\x07".to_vec())]), None),
        (Records::new(), None),
    ];
    for (records, source) in cases {
        let decoded = decode(&records);
        assert_eq!(decoded.message_source, source, "{records:?}");
        assert_eq!(decoded.message.is_some(), source.is_some(), "{records:?}");
        let found = display_message(&records, decoded.boostagram.as_ref());
        assert_eq!(found, decoded.message.clone().zip(source), "{records:?}");
    }
}

#[test]
fn only_a_verified_sender_of_the_chat_record_signed_the_message() {
    let verified = Sender::Verified {
        id: alice(),
        scheme: Scheme::Whatsat,
    };
    let claimed = Sender::Claimed {
        id: Some(alice()),
        name: None,
        problem: Unverified::BadSignature,
    };
    let chat = decode(&whatsat_tip(b"chat"));
    assert!(chat.message_signed_by(&verified));
    assert!(!chat.message_signed_by(&claimed));
    assert!(!chat.message_signed_by(&Sender::Anonymous));
    let mut blank = whatsat_tip(b" ");
    let _ = blank.insert(TIP_NOTE, b"unsigned words".to_vec());
    let fallback = decode(&blank);
    assert_eq!(fallback.message.as_deref(), Some("unsigned words"));
    assert!(!fallback.message_signed_by(&verified));
    assert!(!decode(&Records::new()).message_signed_by(&verified));
}

#[test]
fn odd_shapes_are_not_interpreted() {
    let cases: Vec<(u64, Vec<u8>)> = vec![
        (SENDER_PUBKEY, vec![2; 20]),
        (SENDER_PUBKEY, vec![4; 33]),
        (SENDER_PUBKEY, b"zz".repeat(33)),
        (TIMESTAMP, vec![1, 2, 3]),
        (TIMESTAMP, b"1700000000000".to_vec()),
    ];
    for (key, value) in cases {
        let decoded = decode(&Records::from([(key, value.clone())]));
        assert_eq!(
            (decoded.claimed_sender, decoded.timestamp_ns),
            (None, None),
            "{value:?}"
        );
        assert_eq!(decoded.records[0].len, value.len());
    }
    let cipherchat = decode(&Records::from([(SENDER_PUBKEY, ALICE.as_bytes().to_vec())]));
    assert_eq!(cipherchat.claimed_sender, Some(alice()));
}

#[test]
fn hostile_bytes_never_panic_and_stay_capped() {
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let keys = [
        MESSAGE,
        SIGNATURE,
        SENDER_PUBKEY,
        SENDER_ALIAS,
        TIMESTAMP,
        CONTENT_TYPE,
        BOOSTAGRAM,
        TIP_NOTE,
        70_000,
    ];
    for round in 0..300 {
        let mut records = Records::new();
        for &key in &keys {
            let len = (next() % [8, 40, 70, 5000][round % 4]) as usize;
            let _old = records.insert(key, (0..len).map(|_| next() as u8).collect());
        }
        let decoded = decode(&records);
        assert!(
            decoded
                .message
                .as_ref()
                .is_none_or(|m| m.chars().count() <= MESSAGE_CHARS)
        );
        assert!(
            decoded
                .claimed_name
                .as_ref()
                .is_none_or(|n| n.chars().count() <= NAME_CHARS)
        );
        for view in &decoded.records {
            assert!(
                view.hex.len() <= HEX_BYTES * 2 + 3
                    && view.preview.chars().count() <= PREVIEW_CHARS
            );
        }
    }
}

/// Throughput of the fast path on a typical Whatsat tip. Timing depends on the
/// build: run with `cargo test --release --lib decode_throughput -- --ignored`.
#[test]
#[ignore = "timing; meaningful only in an optimised build"]
fn decode_throughput() {
    let records = whatsat_tip(b"Great episode, thanks for the show!");
    let rounds = 200_000u32;
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        let decoded = decode(std::hint::black_box(&records));
        assert_eq!(decoded.records.len(), 5);
    }
    let per_second = f64::from(rounds) / start.elapsed().as_secs_f64();
    println!("decode: {per_second:.0} record sets per second");
    assert!(per_second >= 1_000_000.0, "only {per_second:.0} per second");
}
