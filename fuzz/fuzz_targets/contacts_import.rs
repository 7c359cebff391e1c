//! Contact files imported by the user (`ContactBook::import_json` and
//! `import_csv`): never panic; what is stored is display-safe and unique per
//! node; every row is accounted for; the report shows no raw control or bidi
//! characters; and exporting then importing in the same format gives the
//! same contacts.

#![no_main]

use libfuzzer_sys::fuzz_target;
use satchel::store::contacts::{
    Contact, ContactBook, ImportReport, MAX_NAME_CHARS, MAX_NOTE_CHARS, RowOutcome,
};
use satchel_fuzz::{assert_display_safe, assert_display_safe_multiline};

fuzz_target!(|data: &[u8]| {
    let Some((&format, bytes)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let csv = format % 2 == 1;
    let mut book = ContactBook::new();
    let Ok(report) = import(&mut book, text, csv) else {
        assert!(
            book.contacts().is_empty(),
            "a refused file changed the book"
        );
        return;
    };
    check_report(&report, &book);
    check_book(&book);
    let exported = if csv {
        book.export_csv()
    } else {
        book.export_json()
    };
    let mut again = ContactBook::new();
    let report = import(&mut again, &exported, csv)
        .unwrap_or_else(|err| panic!("our own export is refused: {err}\n{exported}"));
    assert_eq!(
        report.invalid(),
        0,
        "our own export has invalid rows: {report:?}\n{exported}"
    );
    assert_eq!(
        portable(&again),
        portable(&book),
        "export/import changed contacts:\n{exported}"
    );
});

fn import(
    book: &mut ContactBook,
    text: &str,
    csv: bool,
) -> Result<ImportReport, satchel::store::contacts::ImportError> {
    if csv {
        book.import_csv(text)
    } else {
        book.import_json(text)
    }
}

/// Every row has an outcome; added rows are in the book; reasons are safe to show.
fn check_report(report: &ImportReport, book: &ContactBook) {
    assert_eq!(
        report.added(),
        book.contacts().len(),
        "added rows vs book: {report:?}"
    );
    for row in &report.rows {
        match row {
            RowOutcome::Added { id, name, .. } => {
                assert_eq!(
                    book.get(*id).map(|c| &c.name),
                    Some(name),
                    "added row {row:?}"
                );
            }
            RowOutcome::DuplicateSkipped { existing, .. } => {
                assert_display_safe("duplicate's name", existing, MAX_NAME_CHARS);
            }
            RowOutcome::Invalid { reason, .. } => {
                assert_display_safe_multiline("invalid row reason", reason, usize::MAX);
            }
        }
    }
}

/// Stored contacts: named, display-safe, one per node.
fn check_book(book: &ContactBook) {
    let mut nodes = std::collections::BTreeSet::new();
    for contact in book.contacts() {
        assert!(!contact.name.is_empty(), "unnamed contact {contact:?}");
        assert_display_safe("name", &contact.name, MAX_NAME_CHARS);
        assert_display_safe_multiline("note", &contact.note, MAX_NOTE_CHARS);
        assert!(
            nodes.insert(contact.pubkey),
            "node stored twice: {contact:?}"
        );
    }
}

/// What an export carries, per contact.
fn portable(book: &ContactBook) -> Vec<String> {
    book.contacts().iter().map(describe).collect()
}

fn describe(c: &Contact) -> String {
    format!(
        "{:?} {} {:?} {:?} {:?} {}",
        c.name, c.pubkey, c.note, c.default_amount, c.extra_records, c.include_identity
    )
}
