//! What the Send form means (its draft), which node answers it keeps, and
//! what Enter in "To" offers.

use super::*;
use crate::keysend::record::AssignmentError;
use crate::keysend::{AmountError, Msat};
use crate::keysend::{NodeId, record};
use crate::node::{FeeEstimate, Network, NodeError};
use crate::store::ResolveError;
use crate::store::{ContactBook, ExtraRecord, NewContact, RecordValue, Settings};
use crate::wallet::draft::ProbeKey;

const ME: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
const RITA: &str = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";
const STRANGER: &str = "03c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";

fn info() -> NodeInfo {
    NodeInfo {
        id: ME.parse().expect("node id"),
        alias: "me".into(),
        color: "#000000".into(),
        network: Network::Regtest,
        synced_to_chain: true,
        synced_to_graph: true,
        block_height: 1,
        version: "test".into(),
        active_channels: 0,
        accepts_keysend: true,
    }
}

fn book() -> ContactBook {
    let mut book = ContactBook::new();
    let mut rita = NewContact::new("Rita", RITA.parse().expect("key"));
    rita.extra_records =
        vec![ExtraRecord::new(696_969, RecordValue::Text("rita-wallet".into())).expect("record")];
    let _ = book.add(rita).expect("contact");
    book
}

/// A form with these fields typed (no node is asked: edits only).
fn form(to: &str, sats: &str, fee: &str, records: &str) -> Send {
    Send {
        recipient: to.into(),
        amount: sats.into(),
        fee_limit: fee.into(),
        fee_limit_edited: !fee.is_empty(),
        records: records.into(),
        ..Send::default()
    }
}

fn key(hex: &str) -> NodeId {
    hex.parse().expect("key")
}

#[test]
fn the_form_reads_as_a_draft_or_names_the_field_that_is_wrong() {
    let (contacts, settings, info) = (book(), Settings::default(), info());
    let env = Env {
        contacts: &contacts,
        settings: &settings,
        info: &info,
        fiat: None,
    };
    let sat = Msat::from_sat;
    // (to, amount, fee limit, records) -> destination, amount, fee limit, or the error
    type Want = Result<(NodeId, Msat, Msat), FormError>;
    type Fields<'a> = (&'a str, &'a str, &'a str, &'a str);
    let cases: Vec<(Fields<'_>, Want)> = vec![
        (("rita", "21", "", ""), Ok((key(RITA), sat(21), sat(10)))),
        (
            (STRANGER, "5,000", "", ""),
            Ok((key(STRANGER), sat(5_000), sat(50))),
        ),
        ((RITA, "100", "7", ""), Ok((key(RITA), sat(100), sat(7)))),
        (
            ("zed", "100", "", ""),
            Err(FormError::Recipient(ResolveError::Unknown("zed".into()))),
        ),
        // A name's start is a suggestion, not a recipient yet.
        (
            ("r", "100", "", ""),
            Err(FormError::Recipient(ResolveError::PrefixOnly {
                text: "r".into(),
                name: "Rita".into(),
                id: key(RITA),
            })),
        ),
        (
            ("", "100", "", ""),
            Err(FormError::Recipient(ResolveError::Empty)),
        ),
        (
            ("rita", "++5", "", ""),
            Err(FormError::Amount(AmountError::NotANumber("++5".into()))),
        ),
        (
            ("rita", "1,000 000", "", ""),
            Err(FormError::Amount(AmountError::BadGrouping(
                "1,000 000".into(),
            ))),
        ),
        (
            ("rita", "100", "1.5", ""),
            Err(FormError::FeeLimit(AmountError::Fraction)),
        ),
        (
            ("rita", "100", "", "70000=zz"),
            Err(FormError::Records(AssignmentError::BadHex(70_000))),
        ),
    ];
    for ((to, sats, fee, records), want) in cases {
        let got = form(to, sats, fee, records)
            .draft(&env)
            .map(|d| (d.destination, d.amount, d.fee_limit));
        assert_eq!(got, want, "{to:?} {sats:?} {fee:?} {records:?}");
    }
}

#[test]
fn records_for_this_tip_join_the_contacts_and_are_checked_like_every_record() {
    let (contacts, settings, info) = (book(), Settings::default(), info());
    let env = Env {
        contacts: &contacts,
        settings: &settings,
        info: &info,
        fiat: None,
    };
    let mut send = Send::for_contact(contacts.get(1).expect("rita"));
    send.amount = "100".into();
    send.records = "65536=ab, 696969=6869".into();
    let draft = send.draft(&env).expect("a draft");
    let want = Records::from([(65_536, vec![0xab]), (696_969, b"hi".to_vec())]);
    assert_eq!(draft.tip.extra, want, "this tip's value wins");
    for (records, words) in [
        ("5482373484=00", "keysend preimage"),
        ("65535=00", "below 65536"),
        (&format!("70000={}", "ab".repeat(1_300)), "too large"),
    ] {
        send.records = records.into();
        let refused = send.ready(&env).expect_err(records).to_string();
        assert!(refused.contains(words), "{records}: {refused}");
    }
    send.records = format!("{}=00", record::MESSAGE);
    assert!(
        send.ready(&env).is_err(),
        "the message record is the message field's"
    );
}

#[test]
fn an_answer_for_an_older_draft_is_dropped() {
    let (contacts, settings, info) = (book(), Settings::default(), info());
    let env = Env {
        contacts: &contacts,
        settings: &settings,
        info: &info,
        fiat: None,
    };
    let mut send = form("rita", "100", "", "");
    let current = send.draft(&env).expect("draft").probe_key();
    let answer = |key: ProbeKey, hops: u32| Probe {
        key,
        route: Ok(FeeEstimate {
            fee: Msat(1_000),
            hops,
            time_lock_delay: 40,
            success_probability: 0.5,
        }),
        graph: Err(NodeError::Other("not asked".into())),
    };
    let older = ProbeKey {
        amount: Msat::from_sat(10),
        ..current
    };
    let _ = send.take_probe(answer(older, 6), &env);
    assert!(
        send.probe(&env).is_none(),
        "an answer for 10 sat is not for 100 sat"
    );
    assert_eq!(
        send.budget(&env).map(|b| b.hops).ok(),
        Some(draft::ASSUMED_HOPS)
    );
    let _ = send.take_probe(answer(current, 2), &env);
    assert_eq!(send.budget(&env).map(|b| b.hops).ok(), Some(2));
    // The amount changes: the old answer no longer describes the form.
    send.amount = "200".into();
    assert!(send.probe(&env).is_none());
}

#[test]
fn suggestions_show_until_the_text_names_a_recipient() {
    let (contacts, settings, info) = (book(), Settings::default(), info());
    let env = Env {
        contacts: &contacts,
        settings: &settings,
        info: &info,
        fiat: None,
    };
    let names = |to: &str| -> Vec<String> {
        form(to, "", "", "")
            .suggestions(&env)
            .iter()
            .map(|c| c.name.clone())
            .collect()
    };
    assert_eq!(names("r"), ["Rita"]);
    assert!(names("rita").is_empty(), "already a recipient");
    assert!(names(RITA).is_empty());
    assert!(names("zed").is_empty());
    assert!(names("").is_empty());
}

#[test]
fn a_fee_limit_above_the_amount_asks_first() {
    let (contacts, info) = (book(), info());
    let settings = Settings {
        confirm_above: Msat::from_sat(1_000),
        ..Settings::default()
    };
    let env = Env {
        contacts: &contacts,
        settings: &settings,
        info: &info,
        fiat: None,
    };
    // (amount, fee limit typed, asks)
    for (sats, fee, asks) in [
        ("100", "5", false),
        ("100", "100", false),
        ("100", "101", true),
        // The 10 sat minimum is more than a 5 sat tip.
        ("5", "", true),
        ("2000", "5", true),
    ] {
        let draft = form("rita", sats, fee, "").draft(&env).expect("draft");
        assert_eq!(asks_first(&draft, &env), asks, "{sats} {fee:?}");
    }
}
