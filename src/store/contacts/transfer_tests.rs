//! Import and export tests: round trips, per-row reports, refused files.

use super::*;
use crate::store::contacts::{Contact, ExtraRecord, RecordValue};

const ALICE: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
const BOB: &str = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";
const CAROL: &str = "02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9";

fn sample_book() -> ContactBook {
    let mut book = ContactBook::new();
    let alice = NewContact {
        note: "line one\nline, \"two\"".into(),
        default_amount: Some(Msat::from_sat(2_100)),
        include_identity: true,
        extra_records: vec![
            ExtraRecord::new(696_969, RecordValue::Text("a;b".into())).unwrap(),
            ExtraRecord::new(7_629_175, RecordValue::Hex(vec![0, 255])).unwrap(),
        ],
        ..NewContact::new("Alice", ALICE.parse().unwrap())
    };
    let _ = book.add(alice).unwrap();
    let _ = book
        .add(NewContact::new("Bob", BOB.parse().unwrap()))
        .unwrap();
    book
}

fn portable_all(book: &ContactBook) -> Vec<NewContact> {
    book.contacts().iter().map(Contact::portable).collect()
}

#[test]
fn csv_round_trips() {
    let book = sample_book();
    let csv = book.export_csv();
    assert!(csv.starts_with(
        "name,pubkey,note,default_amount_sat,include_identity,extra_records,address\n"
    ));
    assert!(csv.contains(r"696969=text:a\;b;7629175=hex:00ff"), "{csv}");
    let mut copy = ContactBook::new();
    let report = copy.import_csv(&csv).unwrap();
    assert_eq!(
        (report.added(), report.duplicates(), report.invalid()),
        (2, 0, 0)
    );
    assert_eq!(portable_all(&copy), portable_all(&book));
}

#[test]
fn json_round_trips_and_reads_bare_lists_and_contacts_files() {
    let book = sample_book();
    let mut copy = ContactBook::new();
    let report = copy.import_json(&book.export_json()).unwrap();
    assert_eq!(report.added(), 2);
    assert_eq!(portable_all(&copy), portable_all(&book));

    let bare = format!(r#"[{{"name":"Carol","pubkey":"{CAROL}"}}]"#);
    assert_eq!(copy.import_json(&bare).unwrap().added(), 1);

    let mut fresh = ContactBook::new();
    let fixture = include_str!("../../../tests/fixtures/contacts-v1.json");
    let report = fresh.import_json(fixture).unwrap();
    assert_eq!(report.added(), 2);
    assert_eq!(fresh.contacts()[0].default_amount, Some(Msat::from_sat(21)));
}

#[test]
fn csv_import_reports_every_row() {
    let mut book = ContactBook::new();
    let _ = book
        .add(NewContact::new("Alice", ALICE.parse().unwrap()))
        .unwrap();
    let csv = format!(
        "pubkey,name,default_amount_sat,extra_records,include_identity\n\
         {BOB},Bob,\"1,000\",70001=text:hi,yes\n\
         {ALICE},Alice twice,,,\n\
         {BOB},Bob again,,,\n\
         02abc,Nobody,,,\n\
         {CAROL},Carol,1.5,,\n\
         {CAROL},Carol,,12=text:x,\n\
         {CAROL},Carol,,,maybe\n\
         {CAROL},\u{200b},,,\n\
         {CAROL},Carol,,,\n"
    );
    let report = book.import_csv(&csv).unwrap();
    let expected = vec![
        RowOutcome::Added {
            row: 2,
            id: 2,
            name: "Bob".into(),
        },
        RowOutcome::DuplicateSkipped {
            row: 3,
            existing: "Alice".into(),
        },
        RowOutcome::DuplicateSkipped {
            row: 4,
            existing: "Bob".into(),
        },
        RowOutcome::Invalid {
            row: 5,
            reason: "pubkey: a node public key is 66 hex characters; this has 5".into(),
        },
        RowOutcome::Invalid {
            row: 6,
            reason: "default_amount_sat: amounts are whole sats; fractions are not supported"
                .into(),
        },
        RowOutcome::Invalid {
            row: 7,
            reason: "extra_records: record type 12 is too low: custom records start at 65536"
                .into(),
        },
        RowOutcome::Invalid {
            row: 8,
            reason: "include_identity: \"maybe\" is not true or false".into(),
        },
        RowOutcome::Invalid {
            row: 9,
            reason: "give the contact a name".into(),
        },
        RowOutcome::Added {
            row: 10,
            id: 3,
            name: "Carol".into(),
        },
    ];
    assert_eq!(report.rows, expected);
    let bob = book.get(2).unwrap();
    assert_eq!(
        (bob.default_amount, bob.include_identity),
        (Some(Msat::from_sat(1_000)), true)
    );
    assert_eq!(bob.extra_records[0].value.bytes(), b"hi");
}

#[test]
fn csv_rows_are_numbered_by_line_even_with_multiline_notes() {
    let mut book = ContactBook::new();
    let csv = format!("name,pubkey,note\nAlice,{ALICE},\"two\nlines\"\nBob,nope,\n");
    let report = book.import_csv(&csv).unwrap();
    assert!(matches!(report.rows[0], RowOutcome::Added { row: 2, .. }));
    assert!(
        matches!(&report.rows[1], RowOutcome::Invalid { row: 4, reason } if reason.starts_with("pubkey:"))
    );
}

#[test]
fn json_import_reports_bad_entries() {
    let mut book = ContactBook::new();
    let json = format!(
        r#"{{"version":1,"contacts":[{{"name":"Alice","pubkey":"{ALICE}"}},{{"name":"No key"}},42,
        {{"name":"Bob","pubkey":"{BOB}","extra_records":[{{"key":5482373484,"value":{{"text":"x"}}}}]}}]}}"#
    );
    let report = book.import_json(&json).unwrap();
    assert!(matches!(report.rows[0], RowOutcome::Added { row: 1, .. }));
    assert!(
        matches!(&report.rows[1], RowOutcome::Invalid { row: 2, reason } if reason.contains("pubkey"))
    );
    assert!(matches!(
        &report.rows[2],
        RowOutcome::Invalid { row: 3, .. }
    ));
    assert!(
        matches!(&report.rows[3], RowOutcome::Invalid { row: 4, reason } if reason.contains("keysend preimage"))
    );
    assert_eq!(book.contacts().len(), 1);
}

#[test]
fn refused_files_leave_the_book_untouched() {
    let mut book = sample_book();
    let before = portable_all(&book);
    let cases: Vec<(Result<ImportReport, ImportError>, ImportError)> = vec![
        (
            book.clone().import_csv("name,note\nx,y\n"),
            ImportError::MissingColumn("pubkey"),
        ),
        (
            book.clone().import_csv("pubkey\nx\n"),
            ImportError::MissingColumn("name"),
        ),
        (
            book.clone().import_json(r#"{"people":[]}"#),
            ImportError::NotJson("there is no \"contacts\" list".into()),
        ),
        (
            book.clone().import_json("\"text\""),
            ImportError::NotJson("expected a list of contacts".into()),
        ),
        (
            book.clone().import_json(&" ".repeat(MAX_IMPORT_BYTES + 1)),
            ImportError::TooLarge,
        ),
    ];
    for (got, expected) in cases {
        assert_eq!(got, Err(expected));
    }
    assert!(matches!(
        book.import_json("{nope"),
        Err(ImportError::NotJson(_))
    ));
    let many = format!("name,pubkey\n{}", "x,y\n".repeat(MAX_IMPORT_ROWS + 1));
    assert_eq!(book.import_csv(&many), Err(ImportError::TooManyRows));
    assert_eq!(portable_all(&book), before);
}

#[test]
fn reasons_quoting_the_file_are_made_safe_and_capped() {
    let long_key = "\u{202e}".repeat(3) + &"k".repeat(500);
    let json = format!(
        r#"[{{"name":"A","pubkey":"{ALICE}","include_identity":"\u001b[2J\u202e"}},
            {{"name":"B","pubkey":"{BOB}","extra_records":[{{"key":70000,"value":{{"{long_key}":"x"}}}}]}}]"#
    );
    let report = ContactBook::new().import_json(&json).unwrap();
    assert_eq!(report.invalid(), 2, "{report:?}");
    for outcome in &report.rows {
        let RowOutcome::Invalid { reason, .. } = outcome else {
            panic!("{outcome:?}");
        };
        assert!(!reason.contains(['\u{1b}', '\u{202e}']), "{reason:?}");
        assert!(reason.chars().count() <= MAX_REASON_CHARS, "{reason:?}");
    }
    let csv = format!("name,pubkey,include_identity\nA,{ALICE},\u{1b}]0;x\u{7}\u{2066}\n");
    let report = ContactBook::new().import_csv(&csv).unwrap();
    let RowOutcome::Invalid { reason, .. } = &report.rows[0] else {
        panic!("{report:?}");
    };
    assert!(reason.starts_with("include_identity"), "{reason:?}");
    assert!(
        !reason.contains(['\u{1b}', '\u{7}', '\u{2066}']),
        "{reason:?}"
    );
    let Err(ImportError::NotJson(reason)) = ContactBook::new().import_json("\u{202e}{") else {
        panic!("not JSON");
    };
    assert!(!reason.contains('\u{202e}'), "{reason:?}");
}

#[test]
fn json_and_csv_imports_check_default_amounts_alike() {
    const DAVE: &str = "02e493dbf1c10d80f3581e4904930b1404cc6c13900ee0758474fa94abe8c4cd13";
    // (msat in JSON, sats in CSV, the reason both must give, or None when kept)
    let cases: [(u64, &str, Option<&str>); 4] = [
        (0, "0", Some("the amount must be more than zero")),
        (1_500, "1.5", Some("amounts are whole sats")),
        (
            2_100_000_000_000_001_000,
            "2100000000000001",
            Some("more than 21 million bitcoin"),
        ),
        (21_000, "21", None),
    ];
    let keys = [ALICE, BOB, CAROL, DAVE];
    let mut json = Vec::new();
    let mut csv = String::from("name,pubkey,default_amount_sat\n");
    for ((msat, sats, _), key) in cases.iter().zip(keys) {
        json.push(format!(
            r#"{{"name":"n{msat}","pubkey":"{key}","default_amount":{msat}}}"#
        ));
        csv.push_str(&format!("n{msat},{key},{sats}\n"));
    }
    let from_json = ContactBook::new()
        .import_json(&format!("[{}]", json.join(",")))
        .unwrap();
    let from_csv = ContactBook::new().import_csv(&csv).unwrap();
    for (label, report) in [("json", &from_json), ("csv", &from_csv)] {
        for (outcome, (msat, _, refused)) in report.rows.iter().zip(&cases) {
            match (outcome, refused) {
                (RowOutcome::Invalid { reason, .. }, Some(why)) => {
                    assert!(reason.contains(why), "{label} {msat}: {reason}");
                    assert!(reason.starts_with("default"), "{label} {msat}: {reason}");
                }
                (RowOutcome::Added { .. }, None) => {}
                (other, _) => panic!("{label} {msat}: {other:?}"),
            }
        }
        assert_eq!(report.added(), 1, "{label}: {report:?}");
    }
}

#[test]
fn csv_export_neutralises_formulas_and_import_restores_them() {
    // The book trims notes, so a leading tab or CR is checked on its own.
    assert_eq!(neutralise("\tx"), "'\tx");
    assert_eq!(neutralise("\rx"), "'\rx");
    let notes = ["+1", "-2", "@SUM(A1)", "'=quoted", "plain", "'kept"];
    let mut book = ContactBook::new();
    let _ = book
        .add(NewContact {
            note: notes[0].into(),
            ..NewContact::new("=HYPERLINK(\"http://x\")", ALICE.parse().unwrap())
        })
        .unwrap();
    for (i, note) in notes[1..].iter().enumerate() {
        let secret = secp256k1::SecretKey::from_byte_array(&[i as u8 + 10; 32]).unwrap();
        let public = secp256k1::PublicKey::from_secret_key_global(&secret);
        let key = NodeId::from_slice(&public.serialize()).unwrap();
        let _ = book
            .add(NewContact {
                note: (*note).into(),
                ..NewContact::new(format!("N{i}"), key)
            })
            .unwrap();
    }
    let csv = book.export_csv();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let cells: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_owned(), r[2].to_owned())
        })
        .collect();
    assert_eq!(cells[0].0, "'=HYPERLINK(\"http://x\")");
    let written: Vec<&str> = cells.iter().map(|(_, note)| note.as_str()).collect();
    assert_eq!(
        written,
        ["'+1", "'-2", "'@SUM(A1)", "''=quoted", "plain", "'kept"]
    );
    let mut copy = ContactBook::new();
    let report = copy.import_csv(&csv).unwrap();
    assert_eq!(report.added(), notes.len());
    assert_eq!(portable_all(&copy), portable_all(&book));
}

/// Issue 16: a contact's Lightning Address goes out in both formats and
/// comes back; files from before the address (no column, no field) still
/// import; an address that is not one refuses its row.
#[test]
fn addresses_round_trip_and_old_files_still_import() {
    let mut book = ContactBook::new();
    let tips = NewContact {
        address: Some(" Tips@Example.com ".into()),
        ..NewContact::new("Pod", CAROL.parse().unwrap())
    };
    let _ = book.add(tips).unwrap();
    let _ = book
        .add(NewContact::new("Bob", BOB.parse().unwrap()))
        .unwrap();
    assert_eq!(
        book.contacts()[0].address.as_deref(),
        Some("tips@example.com"),
        "normalised when saved"
    );
    let csv = book.export_csv();
    assert!(csv.contains(",tips@example.com\n"), "{csv}");
    let json = book.export_json();
    assert!(json.contains(r#""address": "tips@example.com""#), "{json}");
    for (copy, report) in [
        {
            let mut copy = ContactBook::new();
            let report = copy.import_csv(&csv).unwrap();
            (copy, report)
        },
        {
            let mut copy = ContactBook::new();
            let report = copy.import_json(&json).unwrap();
            (copy, report)
        },
    ] {
        assert_eq!(report.added(), 2, "{report:?}");
        assert_eq!(portable_all(&copy), portable_all(&book));
        assert_eq!(copy.contacts()[1].address, None);
    }

    let old_csv = format!("name,pubkey,note\nAlice,{ALICE},hi\n");
    let old_json = format!(r#"{{"version":1,"contacts":[{{"name":"Alice","pubkey":"{ALICE}"}}]}}"#);
    for imported in [
        ContactBook::new().import_csv(&old_csv),
        ContactBook::new().import_json(&old_json),
    ] {
        assert_eq!(imported.unwrap().added(), 1);
    }
    let mut old = ContactBook::new();
    let _ = old.import_csv(&old_csv).unwrap();
    assert_eq!(old.contacts()[0].address, None);

    let bad =
        format!("name,pubkey,address\nAlice,{ALICE},not an address\nBob,{BOB},bob@exämple.com\n");
    let report = ContactBook::new().import_csv(&bad).unwrap();
    assert_eq!(report.invalid(), 2, "{report:?}");
    let RowOutcome::Invalid { reason, .. } = &report.rows[1] else {
        panic!("{report:?}")
    };
    assert!(reason.starts_with("address:"), "{reason}");
}
