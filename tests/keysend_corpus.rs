//! The nasty corpus: hostile and odd record sets a node can deliver, each with
//! the exact result Satchel displays. Uses only the public `keysend` API.

use satchel::keysend::Records;
use satchel::keysend::identity::{node_id_of, sign_thunderhub, sign_whatsat, whatsat_payload};
use satchel::keysend::incoming::{
    Decoded, MessageSource, Scheme, Sender, Unverified, decode, verify_sender, verify_sender_among,
};
use satchel::keysend::record::{
    BOOSTAGRAM, KEYSEND_PREIMAGE, MESSAGE, SENDER_ALIAS, SENDER_PUBKEY, SIGNATURE, TIMESTAMP,
    TIP_NOTE, from_tlv_stream, to_tlv_stream,
};
use satchel::keysend::{Boostagram, NodeId};
use secp256k1::SecretKey;

const TS: u64 = 1_700_000_000_000_000_000;

fn key(byte: u8) -> SecretKey {
    SecretKey::from_slice(&[byte; 32]).unwrap()
}

fn me() -> NodeId {
    node_id_of(&key(50))
}

fn with_preimage(mut records: Records) -> Records {
    let _old = records.insert(KEYSEND_PREIMAGE, vec![0x5A; 32]);
    records
}

/// Decode through the wire encoding too, so both paths see the same bytes.
fn decode_both(records: &Records) -> Decoded {
    let decoded = decode(records);
    assert_eq!(
        decode(&from_tlv_stream(&to_tlv_stream(records)).unwrap()),
        decoded
    );
    decoded
}

fn message_of(records: Records) -> Option<String> {
    decode_both(&with_preimage(records)).message
}

#[test]
fn message_texts() {
    let cases: Vec<(&str, Vec<u8>, Option<String>)> = vec![
        (
            "huge",
            vec![b'a'; 1_000_000],
            Some(format!("{}…", "a".repeat(4095))),
        ),
        (
            "invalid utf-8",
            b"caf\xc3 \xff ok".to_vec(),
            Some("caf\u{FFFD} \u{FFFD} ok".into()),
        ),
        (
            "bidi override",
            "pay \u{202E}gpj.exe".into(),
            Some("pay gpj.exe".into()),
        ),
        (
            "bidi isolates",
            "\u{2067}abc\u{2069}\u{061C}".into(),
            Some("abc".into()),
        ),
        (
            "zero width",
            "ad\u{200B}m\u{FEFF}in\u{2060}".into(),
            Some("admin".into()),
        ),
        (
            "only invisible",
            "\u{200B}\u{200C}\u{200D}\u{3164}".into(),
            None,
        ),
        (
            "terminal escapes",
            b"\x1b[2J\x1b[31mred\x07".to_vec(),
            Some("[2J[31mred".into()),
        ),
        (
            "newline flood",
            format!("a{}b", "\n".repeat(1000)).into(),
            Some("a\n\nb".into()),
        ),
        ("nul bytes", b"a\0b\0".to_vec(), Some("ab".into())),
        ("empty", vec![], None),
    ];
    for (label, value, expected) in cases {
        assert_eq!(
            message_of(Records::from([(MESSAGE, value)])),
            expected,
            "{label}"
        );
    }
}

#[test]
fn huge_values_are_viewed_capped() {
    let decoded = decode_both(&Records::from([(70_001, vec![0xEE; 1_000_000])]));
    let view = &decoded.records[0];
    assert_eq!((view.key, view.name, view.len), (70_001, None, 1_000_000));
    assert_eq!(view.hex, format!("{}…", "ee".repeat(64)));
    assert_eq!(view.preview, format!("{}…", "\u{FFFD}".repeat(119)));
}

#[test]
fn hostile_boostagrams() {
    let deep = format!(
        r#"{{"message":"deep","x":{}{}}}"#,
        "[".repeat(40),
        "]".repeat(40)
    );
    let huge = format!(r#"{{"message":"{}"}}"#, "b".repeat(70_000));
    let cases: Vec<(&str, String, Option<&str>, bool)> = vec![
        ("deep", deep, None, false),
        ("huge", huge, None, false),
        (
            "duplicate keys",
            r#"{"message":"first","message":"last"}"#.into(),
            Some("last"),
            true,
        ),
        (
            "bidi inside",
            r#"{"message":"\u202Eevil\u200B"}"#.into(),
            Some("evil"),
            true,
        ),
        (
            "message null",
            r#"{"message":null,"podcast":7}"#.into(),
            None,
            true,
        ),
        ("not json", "boost!".into(), None, false),
        ("array", "[1,2,3]".into(), None, false),
    ];
    for (label, json, message, parsed) in cases {
        let decoded = decode_both(&Records::from([(BOOSTAGRAM, json.into_bytes())]));
        assert_eq!(decoded.message.as_deref(), message, "{label}");
        assert_eq!(decoded.boostagram.is_some(), parsed, "{label}");
        assert_eq!(
            decoded.records[0].name,
            Some("boostagram (podcast)"),
            "{label}"
        );
    }
    let podcast = Boostagram::parse(br#"{"message":null,"podcast":7}"#)
        .unwrap()
        .podcast;
    assert_eq!(podcast.as_deref(), Some("7"));
}

/// Whatsat records from `secret`, signed for `recipient`.
fn whatsat(secret: &SecretKey, recipient: &NodeId, message: &str) -> Records {
    let sender = node_id_of(secret);
    let signature = sign_whatsat(
        secret,
        &whatsat_payload(&sender, recipient, TS, message.as_bytes()),
    );
    with_preimage(Records::from([
        (MESSAGE, message.as_bytes().to_vec()),
        (SENDER_PUBKEY, sender.as_bytes().to_vec()),
        (TIMESTAMP, TS.to_be_bytes().to_vec()),
        (SIGNATURE, signature.to_vec()),
    ]))
}

fn replace(mut records: Records, key: u64, value: Vec<u8>) -> Records {
    let _old = records.insert(key, value);
    records
}

fn remove(mut records: Records, key: u64) -> Records {
    let _old = records.remove(&key);
    records
}

#[test]
fn senders() {
    let alice = node_id_of(&key(1));
    let friend = node_id_of(&key(60));
    let good = whatsat(&key(1), &me(), "hi");
    let claimed = |problem| Sender::Claimed {
        id: Some(alice),
        name: None,
        problem,
    };
    let thunderhub = with_preimage(Records::from([
        (MESSAGE, b"tip".to_vec()),
        (SENDER_PUBKEY, alice.as_bytes().to_vec()),
        (
            SIGNATURE,
            sign_thunderhub(&key(1), &alice, "tip").into_bytes(),
        ),
    ]));
    let cases: Vec<(&str, Records, Sender)> = vec![
        (
            "whatsat",
            good.clone(),
            Sender::Verified {
                id: alice,
                scheme: Scheme::Whatsat,
            },
        ),
        (
            "thunderhub",
            thunderhub,
            Sender::Verified {
                id: alice,
                scheme: Scheme::ThunderHub,
            },
        ),
        (
            "spoof, no signature",
            remove(good.clone(), SIGNATURE),
            claimed(Unverified::NoSignature),
        ),
        (
            "spoof, bad signature",
            replace(good.clone(), SIGNATURE, vec![7; 64]),
            claimed(Unverified::BadSignature),
        ),
        (
            "signature 63 bytes",
            replace(good.clone(), SIGNATURE, vec![7; 63]),
            claimed(Unverified::UnknownFormat),
        ),
        (
            "signature 65 bytes",
            replace(good.clone(), SIGNATURE, vec![7; 65]),
            claimed(Unverified::UnknownFormat),
        ),
        (
            "signature overflows",
            replace(good.clone(), SIGNATURE, vec![0xFF; 64]),
            claimed(Unverified::MalformedSignature),
        ),
        (
            "replay",
            whatsat(&key(1), &friend, "hi"),
            claimed(Unverified::BadSignature),
        ),
        (
            "anonymous",
            with_preimage(Records::from([(MESSAGE, b"hi".to_vec())])),
            Sender::Anonymous,
        ),
        (
            "name only",
            with_preimage(Records::from([(
                SENDER_ALIAS,
                "Sat\u{202E}oshi\u{200B}".into(),
            )])),
            Sender::Claimed {
                id: None,
                name: Some("Satoshi".into()),
                problem: Unverified::NoSignature,
            },
        ),
    ];
    for (label, records, expected) in cases {
        assert_eq!(verify_sender(&records, &me()), expected, "{label}");
    }
    let replayed = whatsat(&key(1), &friend, "hi");
    assert_eq!(
        verify_sender_among(&replayed, &me(), &[friend]),
        claimed(Unverified::OtherRecipient)
    );
}

#[test]
fn cipherchat_reuses_the_types_with_text() {
    let alice = node_id_of(&key(1));
    let records = with_preimage(Records::from([
        (MESSAGE, b"hello from cipherchat".to_vec()),
        (SENDER_PUBKEY, alice.to_hex().into_bytes()),
        (SENDER_ALIAS, b"alice".to_vec()),
        (TIMESTAMP, b"1700000000000".to_vec()),
        (SIGNATURE, vec![0x9B; 70]),
        (34_349_345, b"TEXT".to_vec()),
    ]));
    let decoded = decode_both(&records);
    assert_eq!(decoded.message.as_deref(), Some("hello from cipherchat"));
    assert_eq!(decoded.claimed_sender, Some(alice));
    assert_eq!(decoded.claimed_name.as_deref(), Some("alice"));
    assert_eq!(decoded.timestamp_ns, None);
    assert_eq!(decoded.content_type.as_deref(), Some("TEXT"));
    let timestamp = decoded.records.iter().find(|r| r.key == TIMESTAMP).unwrap();
    assert_eq!(
        (timestamp.len, timestamp.preview.as_str()),
        (13, "1700000000000")
    );
    let expected = Sender::Claimed {
        id: Some(alice),
        name: Some("alice".into()),
        problem: Unverified::UnknownFormat,
    };
    assert_eq!(verify_sender(&records, &me()), expected);
}

#[test]
fn wrong_lengths_are_shown_raw() {
    let records = Records::from([(SENDER_PUBKEY, vec![3; 20]), (TIMESTAMP, vec![0, 0, 1])]);
    let decoded = decode_both(&records);
    assert_eq!((decoded.claimed_sender, decoded.timestamp_ns), (None, None));
    let hex: Vec<&str> = decoded.records.iter().map(|r| r.hex.as_str()).collect();
    assert_eq!(hex, ["0303030303030303030303030303030303030303", "000001"]);
}

/// What a reader is shown: the text, where it came from, and whether the
/// verified sender signed it.
fn shown(records: &Records) -> (Option<String>, Option<MessageSource>, bool) {
    let decoded = decode_both(records);
    let sender = verify_sender(records, &me());
    let signed = decoded.message_signed_by(&sender);
    (decoded.message, decoded.message_source, signed)
}

#[test]
fn a_verified_sender_vouches_only_for_the_chat_record() {
    let boost = br#"{"message":"I owe you 1 BTC","sender_name":"Alice"}"#.to_vec();
    let note = b"refund to bc1q-attacker".to_vec();
    // Alice signs a message that sanitises to nothing (blanks, bidi and
    // zero-width marks), and puts the real text where no signature reaches.
    for signed_text in [" \n ", "\u{202E}\u{200B}", "\u{0}\u{7}\u{1b}"] {
        let blank = whatsat(&key(1), &me(), signed_text);
        assert!(
            matches!(verify_sender(&blank, &me()), Sender::Verified { .. }),
            "{signed_text:?} really is signed"
        );
        let boosted = replace(blank.clone(), BOOSTAGRAM, boost.clone());
        assert_eq!(
            shown(&boosted),
            (
                Some("I owe you 1 BTC".into()),
                Some(MessageSource::Boostagram),
                false
            ),
            "{signed_text:?}"
        );
        let noted = replace(blank.clone(), TIP_NOTE, note.clone());
        assert_eq!(
            shown(&noted),
            (
                Some("refund to bc1q-attacker".into()),
                Some(MessageSource::TipNote),
                false
            )
        );
        assert_eq!(shown(&blank), (None, None, false));
    }
    // A signed chat message is shown and vouched for, a boostagram or not.
    let good = replace(whatsat(&key(1), &me(), "thanks!"), BOOSTAGRAM, boost);
    assert_eq!(
        shown(&good),
        (Some("thanks!".into()), Some(MessageSource::Chat), true)
    );
    // The same chat text with a bad signature is shown, but vouched for by nobody.
    let forged = replace(good, SENDER_PUBKEY, node_id_of(&key(2)).as_bytes().to_vec());
    assert_eq!(
        shown(&forged),
        (Some("thanks!".into()), Some(MessageSource::Chat), false)
    );
}

#[test]
fn message_sources_survive_a_database_round_trip() {
    for source in [
        MessageSource::Chat,
        MessageSource::Boostagram,
        MessageSource::TipNote,
    ] {
        assert_eq!(MessageSource::from_code(source.code()), Some(source));
    }
    assert_eq!(MessageSource::from_code(0), None);
    assert!(MessageSource::Chat.signable());
    assert!(!MessageSource::Boostagram.signable() && !MessageSource::TipNote.signable());
}
