//! Contact book tests: editing, searching, import/export, files and merges.

use std::fs;

use super::*;
use crate::store::Paths;

const ALICE: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
const BOB: &str = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";
const CAROL: &str = "02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9";
const DAVE: &str = "02e493dbf1c10d80f3581e4904930b1404cc6c13900ee0758474fa94abe8c4cd13";

fn key(hex: &str) -> NodeId {
    hex.parse().unwrap()
}

fn person(name: &str, hex: &str) -> NewContact {
    NewContact::new(name, key(hex))
}

fn names(book: &ContactBook) -> Vec<&str> {
    book.contacts().iter().map(|c| c.name.as_str()).collect()
}

fn temp_profile() -> (tempfile::TempDir, Paths) {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::at(dir.path().join("profile"));
    (dir, paths)
}

#[test]
fn add_checks_names_and_duplicates() {
    let mut book = ContactBook::new();
    assert_eq!(book.add(person("Alice", ALICE)), Ok(1));
    assert_eq!(
        book.add(person(" \u{200b}\u{202e} ", BOB)),
        Err(ContactError::EmptyName)
    );
    assert_eq!(
        book.add(person("Alice again", ALICE)),
        Err(ContactError::DuplicatePubkey {
            existing: "Alice".into()
        })
    );
    assert_eq!(book.add(person("Bob", BOB)), Ok(2));
    let bad = NewContact {
        extra_records: vec![ExtraRecord {
            key: 12,
            value: RecordValue::Text("x".into()),
        }],
        ..person("Carol", CAROL)
    };
    assert_eq!(
        book.add(bad),
        Err(ContactError::Record(RecordError::KeyTooLow(12)))
    );
    assert_eq!(names(&book), ["Alice", "Bob"]);
}

#[test]
fn untrusted_text_is_made_display_safe() {
    let mut book = ContactBook::new();
    let sneaky = NewContact {
        note: "line one\r\nline\u{202e} two\u{0007}".into(),
        ..person("Ev\u{200b}e\u{2066}\n", ALICE)
    };
    let id = book.add(sneaky).unwrap();
    book.set_graph_info(id, Some("\u{202e}ALIAS\u{0000}"), Some(true))
        .unwrap();
    let eve = book.get(id).unwrap();
    assert_eq!(eve.name, "Eve");
    assert_eq!(eve.note, "line one\nline two");
    assert_eq!(eve.alias.as_deref(), Some("ALIAS"));
    assert_eq!(eve.accepts_keysend, Some(true));
    book.set_graph_info(id, Some("\u{200b}"), None).unwrap();
    assert_eq!(book.get(id).unwrap().alias, None);
}

#[test]
fn update_and_remove() {
    let mut book = ContactBook::new();
    let alice = book.add(person("Alice", ALICE)).unwrap();
    let bob = book.add(person("Bob", BOB)).unwrap();
    book.set_graph_info(alice, Some("old alias"), Some(true))
        .unwrap();
    assert_eq!(
        book.update(alice, person("Alice", BOB)),
        Err(ContactError::DuplicatePubkey {
            existing: "Bob".into()
        })
    );
    book.update(
        alice,
        NewContact {
            default_amount: Some(Msat::from_sat(5)),
            ..person("Alicia", ALICE)
        },
    )
    .unwrap();
    let edited = book.get(alice).unwrap();
    assert_eq!(
        (edited.name.as_str(), edited.default_amount),
        ("Alicia", Some(Msat(5000)))
    );
    assert_eq!(
        edited.alias.as_deref(),
        Some("old alias"),
        "same node keeps graph info"
    );
    book.update(alice, person("Alicia", CAROL)).unwrap();
    assert_eq!(
        book.get(alice).unwrap().alias,
        None,
        "a new node forgets the old alias"
    );
    assert_eq!(book.remove(bob).unwrap().name, "Bob");
    assert_eq!(book.remove(bob), Err(ContactError::NotFound(bob)));
    assert_eq!(
        book.update(99, person("X", DAVE)),
        Err(ContactError::NotFound(99))
    );
    assert_eq!(book.add(person("Bob", BOB)), Ok(3), "ids are never reused");
}

#[test]
fn search_matches_name_note_alias_and_pubkey_prefix() {
    let mut book = ContactBook::new();
    let alice = book
        .add(NewContact {
            note: "Podcast HOST".into(),
            ..person("Alice", ALICE)
        })
        .unwrap();
    let _ = book.add(person("Bob", BOB)).unwrap();
    book.set_graph_info(alice, Some("SatoshiStream"), None)
        .unwrap();
    let found =
        |query: &str| -> Vec<&str> { book.search(query).iter().map(|c| c.name.as_str()).collect() };
    assert_eq!(found(""), ["Alice", "Bob"]);
    assert_eq!(found("ali"), ["Alice"]);
    assert_eq!(found("podcast host"), ["Alice"]);
    assert_eq!(found("stream"), ["Alice"]);
    assert_eq!(found("02C6047F"), ["Bob"]);
    assert_eq!(
        found("4b8cef"),
        Vec::<&str>::new(),
        "pubkey matches by prefix only"
    );
    assert_eq!(found("zed"), Vec::<&str>::new());
    assert_eq!(book.by_pubkey(&key(BOB)).map(|c| c.id), Some(2));
}

#[test]
fn saves_and_loads_the_same_book() {
    let (_dir, paths) = temp_profile();
    let mut book = ContactBook::load(&paths).unwrap().value;
    let record = ExtraRecord::parse("696969=hex:ab01").unwrap();
    let _ = book
        .add(NewContact {
            extra_records: vec![record],
            ..person("Alice", ALICE)
        })
        .unwrap();
    let report = book.save(&paths).unwrap();
    assert_eq!(report, SaveReport::default());
    let loaded = ContactBook::load(&paths).unwrap();
    assert!(loaded.warning.is_none());
    assert_eq!(loaded.value.contacts(), book.contacts());
    assert_eq!(
        loaded.value.contacts()[0].extra_records[0].value.bytes(),
        [0xab, 0x01]
    );
}

#[test]
fn v1_fixture_loads() {
    let (_dir, paths) = temp_profile();
    paths.ensure().unwrap();
    fs::write(
        paths.contacts_file(),
        include_str!("../../../tests/fixtures/contacts-v1.json"),
    )
    .unwrap();
    let loaded = ContactBook::load(&paths).unwrap();
    assert!(loaded.warning.is_none(), "{:?}", loaded.warning);
    let book = loaded.value;
    assert_eq!(book.version(), 1);
    let alice = book.get(1).unwrap();
    assert_eq!(alice.pubkey, key(ALICE));
    assert_eq!(alice.note, "coffee\nfridays");
    assert_eq!(alice.default_amount, Some(Msat::from_sat(21)));
    assert_eq!(
        alice.extra_records[0].value,
        RecordValue::Text("wallet-7".into())
    );
    assert_eq!(alice.extra_records[1].value.bytes(), [0x00, 0xff, 0x10]);
    assert!(alice.include_identity);
    assert_eq!(
        (alice.alias.as_deref(), alice.accepts_keysend),
        (Some("ALICE-NODE"), Some(true))
    );
    assert_eq!(alice.created_at, 1_767_225_600);
    let bob = book.get(3).unwrap();
    assert_eq!(
        (bob.name.as_str(), bob.note.as_str(), bob.default_amount),
        ("Bob (minimal)", "", None)
    );
    assert!(bob.extra_records.is_empty() && !bob.include_identity && bob.alias.is_none());
    let mut book = book;
    assert_eq!(
        book.add(person("Carol", CAROL)),
        Ok(4),
        "next_id is honoured"
    );
}

#[test]
fn damaged_contacts_file_is_quarantined_and_reported() {
    let full = include_str!("../../../tests/fixtures/contacts-v1.json");
    let torn = &full[..full.len() / 2];
    let cases: [(&str, &[u8]); 4] = [
        ("torn", torn.as_bytes()),
        ("empty", b""),
        ("garbage", b"\x89PNG\r\n\x1a\n"),
        (
            "bad pubkey",
            br#"{"version":1,"contacts":[{"id":1,"name":"x","pubkey":"02zz"}]}"#,
        ),
    ];
    for (label, bytes) in cases {
        let (_dir, paths) = temp_profile();
        paths.ensure().unwrap();
        fs::write(paths.contacts_file(), bytes).unwrap();
        let loaded = ContactBook::load(&paths).unwrap();
        assert!(loaded.value.contacts().is_empty(), "{label}");
        let kept = loaded.kept_as.expect(label);
        assert_eq!(fs::read(&kept).unwrap(), bytes, "{label}");
        let warning = loaded.warning.expect(label);
        assert!(
            warning.starts_with("contacts.json could not be used"),
            "{label}: {warning}"
        );
        // Saving the fresh book does not touch the kept copy.
        let mut book = loaded.value;
        let _ = book.add(person("Alice", ALICE)).unwrap();
        let _ = book.save(&paths).unwrap();
        assert_eq!(fs::read(&kept).unwrap(), bytes, "{label}");
    }
}

#[test]
fn two_books_saving_keep_both_additions() {
    let (_dir, paths) = temp_profile();
    let mut seed = ContactBook::load(&paths).unwrap().value;
    let alice = seed.add(person("Alice", ALICE)).unwrap();
    let _ = seed.save(&paths).unwrap();

    let mut gui = ContactBook::load(&paths).unwrap().value;
    let mut cli = ContactBook::load(&paths).unwrap().value;
    let bob = gui.add(person("Bob", BOB)).unwrap();
    let carol = cli.add(person("Carol", CAROL)).unwrap();
    assert_eq!(bob, carol, "both picked the same new id");
    cli.update(
        alice,
        NewContact {
            note: "edited by cli".into(),
            ..person("Alice", ALICE)
        },
    )
    .unwrap();
    assert_eq!(cli.save(&paths).unwrap(), SaveReport::default());
    let report = gui.save(&paths).unwrap();
    assert!(report.merged);
    assert_eq!(report.renumbered, [(bob, carol + 1)]);

    let on_disk = ContactBook::load(&paths).unwrap().value;
    assert_eq!(names(&on_disk), ["Alice", "Carol", "Bob"]);
    assert_eq!(on_disk.get(alice).unwrap().note, "edited by cli");
    assert_eq!(
        on_disk.contacts(),
        gui.contacts(),
        "the saver sees the merged book"
    );
    let mut next = on_disk;
    assert_eq!(next.add(person("Dave", DAVE)), Ok(4));
}

#[test]
fn merge_applies_removals_and_skips_the_same_node_added_twice() {
    let (_dir, paths) = temp_profile();
    let mut seed = ContactBook::new();
    let alice = seed.add(person("Alice", ALICE)).unwrap();
    let bob = seed.add(person("Bob", BOB)).unwrap();
    let _ = seed.save(&paths).unwrap();
    let mut one = ContactBook::load(&paths).unwrap().value;
    let mut two = ContactBook::load(&paths).unwrap().value;
    let _ = one.remove(alice).unwrap();
    let _ = one.add(person("Carol", CAROL)).unwrap();
    let _ = one.save(&paths).unwrap();
    let _ = two.remove(bob).unwrap();
    let _ = two.add(person("Carol too", CAROL)).unwrap();
    let _ = two.save(&paths).unwrap();
    let on_disk = ContactBook::load(&paths).unwrap().value;
    assert_eq!(names(&on_disk), ["Carol"]);
}

#[test]
fn concurrent_saves_from_threads_keep_everything() {
    let (_dir, paths) = temp_profile();
    let people = [
        ("Alice", ALICE),
        ("Bob", BOB),
        ("Carol", CAROL),
        ("Dave", DAVE),
    ];
    std::thread::scope(|scope| {
        for (name, hex) in people {
            let paths = paths.clone();
            let _ = scope.spawn(move || {
                let mut book = ContactBook::load(&paths).unwrap().value;
                let _ = book.add(person(name, hex)).unwrap();
                let _ = book.save(&paths).unwrap();
            });
        }
    });
    let on_disk = ContactBook::load(&paths).unwrap().value;
    let mut saved = names(&on_disk);
    saved.sort_unstable();
    assert_eq!(saved, ["Alice", "Bob", "Carol", "Dave"]);
    let mut ids: Vec<u64> = on_disk.contacts().iter().map(|c| c.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), 4, "ids stay unique");
}
