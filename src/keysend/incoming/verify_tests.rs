//! Tests for sender verification: every `Sender` outcome from real signatures.

use secp256k1::SecretKey;

use super::*;
use crate::keysend::identity::{node_id_of, sign_thunderhub, sign_whatsat};
use crate::keysend::record::{MESSAGE, SENDER_ALIAS, SENDER_PUBKEY, SIGNATURE, TIMESTAMP};

const TS: u64 = 1_700_000_000_000_000_000;

fn key(byte: u8) -> SecretKey {
    SecretKey::from_slice(&[byte; 32]).unwrap()
}

struct People {
    alice: SecretKey,
    bob: NodeId,
    carol: NodeId,
}

fn people() -> People {
    People {
        alice: key(1),
        bob: node_id_of(&key(2)),
        carol: node_id_of(&key(3)),
    }
}

/// Whatsat records from `secret`, signed for `recipient`.
fn whatsat_records(secret: &SecretKey, recipient: &NodeId, message: &str) -> Records {
    let sender = node_id_of(secret);
    let signature = sign_whatsat(
        secret,
        &whatsat_payload(&sender, recipient, TS, message.as_bytes()),
    );
    Records::from([
        (MESSAGE, message.as_bytes().to_vec()),
        (SENDER_PUBKEY, sender.as_bytes().to_vec()),
        (TIMESTAMP, TS.to_be_bytes().to_vec()),
        (SIGNATURE, signature.to_vec()),
    ])
}

fn claimed(id: Option<NodeId>, problem: Unverified) -> Sender {
    Sender::Claimed {
        id,
        name: None,
        problem,
    }
}

#[test]
fn whatsat_outcomes() {
    let p = people();
    let alice = node_id_of(&p.alice);
    let good = whatsat_records(&p.alice, &p.bob, "hi bob");
    let with = |key: u64, value: Vec<u8>| {
        let mut records = good.clone();
        let _old = records.insert(key, value);
        records
    };
    let without = |key: u64| {
        let mut records = good.clone();
        let _old = records.remove(&key);
        records
    };
    let der = secp256k1::ecdsa::Signature::from_compact(&good[&SIGNATURE])
        .unwrap()
        .serialize_der()
        .to_vec();
    let mut bad_der = der.clone();
    bad_der[2] = 0x05; // r is no longer an INTEGER
    let cases: Vec<(&str, Records, Sender)> = vec![
        (
            "valid",
            good.clone(),
            Sender::Verified {
                id: alice,
                scheme: Scheme::Whatsat,
            },
        ),
        (
            "der",
            with(SIGNATURE, der),
            Sender::Verified {
                id: alice,
                scheme: Scheme::Whatsat,
            },
        ),
        (
            "edited message",
            with(MESSAGE, b"hi bob!".to_vec()),
            claimed(Some(alice), Unverified::BadSignature),
        ),
        (
            "edited time",
            with(TIMESTAMP, (TS + 1).to_be_bytes().to_vec()),
            claimed(Some(alice), Unverified::BadSignature),
        ),
        (
            "no time",
            without(TIMESTAMP),
            claimed(Some(alice), Unverified::UnknownFormat),
        ),
        (
            "short time",
            with(TIMESTAMP, vec![1, 2, 3]),
            claimed(Some(alice), Unverified::UnknownFormat),
        ),
        (
            "no message",
            without(MESSAGE),
            claimed(Some(alice), Unverified::UnknownFormat),
        ),
        (
            "no signature",
            without(SIGNATURE),
            claimed(Some(alice), Unverified::NoSignature),
        ),
        (
            "overflowing r",
            with(SIGNATURE, vec![0xFF; 64]),
            claimed(Some(alice), Unverified::MalformedSignature),
        ),
        (
            "63 bytes",
            with(SIGNATURE, vec![1; 63]),
            claimed(Some(alice), Unverified::UnknownFormat),
        ),
        (
            "broken der",
            with(SIGNATURE, bad_der),
            claimed(Some(alice), Unverified::MalformedSignature),
        ),
        (
            "20-byte sender",
            with(SENDER_PUBKEY, vec![2; 20]),
            claimed(None, Unverified::UnknownFormat),
        ),
    ];
    for (label, records, expected) in cases {
        assert_eq!(verify_sender(&records, &p.bob), expected, "{label}");
    }
}

#[test]
fn spoofed_sender_is_not_verified() {
    let p = people();
    let alice = node_id_of(&p.alice);
    // Mallory signs correctly with her own key but claims to be Alice.
    let mut spoofed = whatsat_records(&key(9), &p.bob, "it's alice, honest");
    let _old = spoofed.insert(SENDER_PUBKEY, alice.as_bytes().to_vec());
    assert_eq!(
        verify_sender(&spoofed, &p.bob),
        claimed(Some(alice), Unverified::BadSignature)
    );
    // A 33-byte "key" that is not on the curve.
    let mut off_curve = spoofed.clone();
    let _old = off_curve.insert(SENDER_PUBKEY, [&[2u8][..], &[0xFF; 32]].concat());
    let Sender::Claimed { problem, .. } = verify_sender(&off_curve, &p.bob) else {
        panic!("verified an off-curve key")
    };
    assert_eq!(problem, Unverified::BadSignature);
}

#[test]
fn replay_to_another_recipient_is_caught() {
    let p = people();
    let alice = node_id_of(&p.alice);
    let for_bob = whatsat_records(&p.alice, &p.bob, "for bob only");
    assert_eq!(
        verify_sender(&for_bob, &p.carol),
        claimed(Some(alice), Unverified::BadSignature)
    );
    let among = verify_sender_among(&for_bob, &p.carol, &[p.carol, p.bob]);
    assert_eq!(among, claimed(Some(alice), Unverified::OtherRecipient));
    assert_eq!(
        verify_sender_among(&for_bob, &p.bob, &[p.carol]),
        Sender::Verified {
            id: alice,
            scheme: Scheme::Whatsat
        }
    );
}

#[test]
fn thunderhub_outcomes() {
    let p = people();
    let alice = node_id_of(&p.alice);
    let records = |signature: &str, sender: &NodeId, message: &[u8]| {
        Records::from([
            (MESSAGE, message.to_vec()),
            (SENDER_PUBKEY, sender.as_bytes().to_vec()),
            (SIGNATURE, signature.as_bytes().to_vec()),
        ])
    };
    let good = sign_thunderhub(&p.alice, &alice, "hello \"world\"\n");
    let mallory = node_id_of(&key(9));
    let cases: Vec<(&str, Records, Sender)> = vec![
        (
            "valid",
            records(&good, &alice, b"hello \"world\"\n"),
            Sender::Verified {
                id: alice,
                scheme: Scheme::ThunderHub,
            },
        ),
        // Replayable by design: the same records verify for any recipient.
        (
            "edited",
            records(&good, &alice, b"hello world"),
            claimed(Some(alice), Unverified::BadSignature),
        ),
        (
            "other claim",
            records(&good, &mallory, b"hello \"world\"\n"),
            claimed(Some(mallory), Unverified::BadSignature),
        ),
        (
            "not utf-8",
            records(&good, &alice, b"\xff"),
            claimed(Some(alice), Unverified::BadSignature),
        ),
        (
            "too short",
            records(&good[..100], &alice, b"x"),
            claimed(Some(alice), Unverified::MalformedSignature),
        ),
        (
            "bad header",
            records(&format!("y{}", &good[1..]), &alice, b"x"),
            claimed(Some(alice), Unverified::MalformedSignature),
        ),
    ];
    for (label, records, expected) in cases {
        assert_eq!(verify_sender(&records, &p.bob), expected, "{label}");
        assert_eq!(
            verify_sender(&records, &p.carol),
            expected,
            "{label} (replayed)"
        );
    }
}

#[test]
fn claims_without_crypto() {
    let p = people();
    let alice = node_id_of(&p.alice);
    let cases: Vec<(&str, Records, Sender)> = vec![
        ("nothing", Records::new(), Sender::Anonymous),
        (
            "message only",
            Records::from([(MESSAGE, b"hi".to_vec())]),
            Sender::Anonymous,
        ),
        (
            "name only",
            Records::from([(SENDER_ALIAS, b"\xe2\x80\xaeSatoshi\n".to_vec())]),
            Sender::Claimed {
                id: None,
                name: Some("Satoshi".into()),
                problem: Unverified::NoSignature,
            },
        ),
        (
            "hidden name",
            Records::from([(SENDER_ALIAS, "\u{200B}".into()), (SIGNATURE, vec![1; 64])]),
            claimed(None, Unverified::UnknownFormat),
        ),
        (
            "cipherchat hex sender",
            Records::from([
                (SENDER_PUBKEY, alice.to_hex().into_bytes()),
                (SIGNATURE, b"AAAA".to_vec()),
            ]),
            claimed(Some(alice), Unverified::UnknownFormat),
        ),
    ];
    for (label, records, expected) in cases {
        assert_eq!(verify_sender(&records, &p.bob), expected, "{label}");
    }
}
