//! Hostile and mistyped user input: each case is refused with its specific
//! error, and the message tells the user what is wrong. Where a case goes
//! through the wallet's send path against the simulator, the node is checked
//! afterwards: nothing was sent.

use satchel::keysend::onion::{self, Budget};
use satchel::keysend::outgoing::{RecordError, Tip};
use satchel::keysend::record::{FIRST_CUSTOM, KEYSEND_PREIMAGE, MESSAGE};
use satchel::keysend::{AmountError, Msat, NodeId, NodeIdError, Records};

#[path = "hostile_inputs/contacts.rs"]
mod contacts;
#[path = "hostile_inputs/lndconnect.rs"]
mod lndconnect;
#[path = "hostile_inputs/send.rs"]
mod send;

const ALICE_KEY: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

/// `(input, expected error, words the message must contain)`.
type Case<'a, E> = (&'a str, E, &'a str);

/// `got` must be `want`, and its message must contain `words`.
fn assert_refused<T: std::fmt::Debug, E>(input: &str, got: Result<T, E>, want: &E, words: &str)
where
    E: std::fmt::Debug + std::fmt::Display + PartialEq,
{
    match got {
        Ok(value) => panic!("{input:?} was accepted as {value:?}; expected {want:?}"),
        Err(error) => {
            assert_eq!(&error, want, "{input:?}");
            let message = error.to_string();
            assert!(
                message.contains(words),
                "{input:?}: {message:?} lacks {words:?}"
            );
        }
    }
}

#[test]
fn pubkeys_are_refused_with_the_reason() {
    let long = format!("{ALICE_KEY}00");
    let cases: &[Case<'_, NodeIdError>] = &[
        (
            "",
            NodeIdError::WrongLength(0),
            "66 hex characters; this has 0",
        ),
        ("0279be667e", NodeIdError::WrongLength(10), "this has 10"),
        (
            &ALICE_KEY[..65],
            NodeIdError::WrongLength(65),
            "this has 65",
        ),
        (&long, NodeIdError::WrongLength(68), "this has 68"),
        (
            "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f8179g",
            NodeIdError::NotHex('g'),
            "only 0-9 and a-f; found 'g'",
        ),
        (
            &format!("0x{ALICE_KEY}"),
            NodeIdError::NotHex('x'),
            "found 'x'",
        ),
        (
            &format!("02{}", "é".repeat(32)),
            NodeIdError::NotHex('é'),
            "found 'é'",
        ),
        (
            &format!("\u{202e}{ALICE_KEY}"),
            NodeIdError::NotHex('\u{202e}'),
            "found '\\u{202e}'",
        ),
        (
            &format!("04{}", &ALICE_KEY[2..]),
            NodeIdError::BadPrefix(4),
            "starts with 04",
        ),
        (
            &format!("00{}", &ALICE_KEY[2..]),
            NodeIdError::BadPrefix(0),
            "starts with 00",
        ),
        (
            &format!("02{}", "ff".repeat(32)),
            NodeIdError::NotOnCurve,
            "not a valid secp256k1 point",
        ),
        (
            &format!("03{}", "00".repeat(32)),
            NodeIdError::NotOnCurve,
            "not a valid secp256k1 point",
        ),
    ];
    for (input, want, words) in cases {
        assert_refused(input, input.parse::<NodeId>(), want, words);
    }
}

#[test]
fn raw_pubkey_bytes_are_refused_with_the_reason() {
    let good: NodeId = ALICE_KEY.parse().unwrap();
    let mut bad_prefix = *good.as_bytes();
    bad_prefix[0] = 0x06;
    let cases: &[(&[u8], NodeIdError)] = &[
        (&[], NodeIdError::WrongLength(0)),
        (&good.as_bytes()[..32], NodeIdError::WrongLength(64)),
        (&[2; 34], NodeIdError::WrongLength(68)),
        (&bad_prefix, NodeIdError::BadPrefix(6)),
        (&[3; 33], NodeIdError::NotOnCurve),
    ];
    for (bytes, want) in cases {
        assert_eq!(
            NodeId::from_slice(bytes).as_ref(),
            Err(want),
            "{bytes:02x?}"
        );
    }
    assert_eq!(NodeId::from_slice(good.as_bytes()), Ok(good));
}

#[test]
fn amounts_are_refused_with_the_reason() {
    let cases: &[Case<'_, AmountError>] = &[
        ("", AmountError::Empty, "enter an amount"),
        ("   ", AmountError::Empty, "enter an amount"),
        ("0", AmountError::Zero, "more than zero"),
        ("0,000", AmountError::Zero, "more than zero"),
        ("-5", AmountError::Negative, "cannot be negative"),
        ("-0", AmountError::Negative, "cannot be negative"),
        ("1.5", AmountError::Fraction, "whole sats"),
        ("0.00000001", AmountError::Fraction, "whole sats"),
        ("1e9", AmountError::NotANumber("1e9".into()), "as digits"),
        ("0x10", AmountError::NotANumber("0x10".into()), "as digits"),
        ("١٠٠", AmountError::NotANumber("١٠٠".into()), "as digits"),
        (
            "10 sat",
            AmountError::NotANumber("10 sat".into()),
            "as digits",
        ),
        ("+", AmountError::NotANumber("+".into()), "as digits"),
        (
            "99999999999999999999",
            AmountError::TooLarge,
            "21 million bitcoin",
        ),
        (
            "18446744073709551616",
            AmountError::TooLarge,
            "21 million bitcoin",
        ),
        (
            "2100000000000001",
            AmountError::TooLarge,
            "21 million bitcoin",
        ),
    ];
    for (input, want, words) in cases {
        assert_refused(input, Msat::parse_sats(input), want, words);
    }
    assert_eq!(
        Msat::parse_sats("2100000000000000"),
        Ok(Msat::from_sat(2_100_000_000_000_000))
    );
}

#[test]
fn an_empty_or_blank_message_sends_no_message_record() {
    for text in ["", "   ", "\n\t "] {
        let tip = Tip {
            message: Some(text.into()),
            ..Tip::default()
        };
        assert_eq!(tip.message_text(), None, "{text:?}");
        assert!(!tip.records().unwrap().contains_key(&MESSAGE), "{text:?}");
    }
}

#[test]
fn a_message_too_long_for_the_route_does_not_fit() {
    let amount = Msat::from_sat(100);
    for hops in 1..=6 {
        let max = onion::max_message_bytes(hops, amount, &Records::new());
        let over = Records::from([(MESSAGE, vec![b'x'; max + 1])]);
        let budget = Budget::measure(hops, amount, &over);
        assert!(!budget.fits(), "{hops} hops");
        assert_eq!(budget.used, budget.total + 1, "{hops} hops: one byte over");
    }
    // Characters are not bytes: 400 emoji are 1600 bytes, more than the whole onion.
    let emoji = Records::from([(MESSAGE, "🙂".repeat(400).into_bytes())]);
    assert!(!onion::fits(1, amount, &emoji));
    assert_eq!(onion::max_message_bytes(30, amount, &Records::new()), 0);
}

#[test]
fn extra_records_the_wallet_owns_are_refused() {
    let cases: &[(u64, RecordError, &str)] = &[
        (5, RecordError::BelowCustomRange(5), "below 65536"),
        (
            FIRST_CUSTOM - 1,
            RecordError::BelowCustomRange(65_535),
            "below 65536",
        ),
        (
            KEYSEND_PREIMAGE,
            RecordError::Preimage,
            "the wallet adds it itself",
        ),
        (
            MESSAGE,
            RecordError::Managed {
                key: MESSAGE,
                field: "message",
            },
            "tip's message",
        ),
    ];
    for (key, want, words) in cases {
        let tip = Tip {
            extra: Records::from([(*key, b"x".to_vec())]),
            ..Tip::default()
        };
        assert_refused(&key.to_string(), tip.records(), want, words);
    }
}
