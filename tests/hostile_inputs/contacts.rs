//! Contact files: bad rows are refused one by one with the reason, bad files
//! as a whole, and the reasons shown to the user carry no hidden characters.

use satchel::keysend::text::is_hidden;
use satchel::store::contacts::{ContactBook, ImportError, ImportReport, RowOutcome};

use super::ALICE_KEY;

/// The `Invalid` reasons of an import report.
fn invalid_reasons(report: &ImportReport) -> Vec<&str> {
    let rows = report.rows.iter();
    rows.filter_map(|row| match row {
        RowOutcome::Invalid { reason, .. } => Some(reason.as_str()),
        _ => None,
    })
    .collect()
}

#[test]
fn contact_files_are_refused_row_by_row_with_the_reason() {
    let header = "name,pubkey,note,default_amount_sat,include_identity,extra_records";
    let csv = format!(
        "{header}\nShort,0279be,,,,\nZero,{ALICE_KEY},,0,,\nFlag,{ALICE_KEY},,,maybe,\n\
         Low,{ALICE_KEY},,,,5=text:x\n\u{3164},{ALICE_KEY},,,,\n"
    );
    let mut book = ContactBook::new();
    let report = book.import_csv(&csv).expect("a readable CSV file");
    assert_eq!(
        invalid_reasons(&report),
        [
            "pubkey: a node public key is 66 hex characters; this has 6",
            "default_amount_sat: the amount must be more than zero",
            "include_identity: \"maybe\" is not true or false",
            "extra_records: record type 5 is too low: custom records start at 65536",
            "give the contact a name",
        ]
    );
    assert!(book.contacts().is_empty());

    let missing = book.import_csv("name,note\nAlice,hi\n");
    assert_eq!(missing, Err(ImportError::MissingColumn("pubkey")));
    let not_json = book.import_json("name,pubkey");
    assert!(
        matches!(not_json, Err(ImportError::NotJson(_))),
        "{not_json:?}"
    );
    let not_list = book.import_json(r#"{"people": []}"#);
    assert_eq!(
        not_list,
        Err(ImportError::NotJson("there is no \"contacts\" list".into()))
    );
}

/// An import report is shown to the user (CLI and GUI): the reasons must not
/// carry the file's control or bidi characters (a terminal escape, a
/// right-to-left override) through serde's error messages.
#[test]
fn import_reasons_do_not_echo_hidden_characters() {
    let json = format!(
        r#"[{{"name":"A","pubkey":"{ALICE_KEY}","extra_records":[{{"key":70000,"value":{{"\u001b[2J\u202e":"x"}}}}]}},
            {{"name":"B","pubkey":"{ALICE_KEY}","include_identity":"\u001b]0;pwned\u0007"}}]"#
    );
    let report = ContactBook::new().import_json(&json).expect("valid JSON");
    let reasons = invalid_reasons(&report);
    assert_eq!(reasons.len(), 2, "{report:?}");
    for reason in reasons {
        let hidden: Vec<char> = reason.chars().filter(|c| is_hidden(*c)).collect();
        assert!(hidden.is_empty(), "{reason:?} shows {hidden:?}");
    }
}
