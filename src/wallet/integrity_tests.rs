//! Damaged files and concurrent processes: a scribbled index is detected
//! (quick_check, on open after an unclean shutdown, else in the background
//! and reported by `Index::warning`), kept aside and rebuilt with a warning; a scribbled
//! journal is refused with an error naming the file and left untouched;
//! several connections writing at once wait for each other.

use std::path::Path;
use std::time::{Duration, Instant};

use super::*;
use crate::keysend::{Msat, NodeId, Preimage, Records, record};
use crate::node::{OutgoingKeysend, ReceivedKeysend};

const ALICE: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

fn received(n: u64) -> ReceivedKeysend {
    let mut records = Records::new();
    let text = format!("message number {n} with some words to index");
    let _ = records.insert(record::MESSAGE, text.into_bytes());
    ReceivedKeysend {
        hash: Preimage::random().hash(),
        chan_id: 1,
        htlc_index: n,
        amount: Msat::from_sat(10),
        add_index: n + 1,
        settle_index: n + 1,
        created_at: 1_700_000_000,
        settled_at: 1_700_000_000 + n as i64,
        records,
    }
}

fn outgoing() -> OutgoingKeysend {
    OutgoingKeysend {
        destination: ALICE.parse::<NodeId>().unwrap(),
        amount: Msat::from_sat(21),
        preimage: Preimage::random(),
        records: Records::new(),
        fee_limit: Msat::from_sat(10),
        timeout: Duration::from_secs(60),
    }
}

/// 4 KiB of noise in the middle of the file: pages SQLite does not read on
/// open, so only a check of every page finds it.
fn scribble(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle..middle + 4096].fill(0xa5);
    std::fs::write(path, bytes).unwrap();
}

fn filled_index(path: &Path, rows: u64) {
    let index = Index::open(path).unwrap();
    let items: Vec<_> = (0..rows).map(received).collect();
    for chunk in items.chunks(5_000) {
        let _ = index.insert_received(chunk).unwrap();
    }
    // Closing the last connection folds the WAL into the file, so the
    // damage lands on real pages.
    drop(index);
}

#[test]
fn a_scribbled_index_is_moved_aside_and_rebuilt_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.db");
    filled_index(&path, 3_000);
    scribble(&path);
    let damaged = std::fs::read(&path).unwrap();
    let index = Index::open(&path).unwrap();
    let warning = index.warning().expect("the damage is reported");
    assert_eq!(std::fs::read(&warning.moved_to).unwrap(), damaged);
    assert!(
        warning.to_string().contains("could not be read"),
        "{warning}"
    );
    assert_eq!(index.count(&InboxQuery::default()).unwrap(), 0);
}

/// A sync reads its cursors without waiting for the background check; if
/// the check then replaces a damaged file, pages meant for the old file are
/// refused by the new one (never stored with the old file's cursors), and
/// a sync of the new file's own stores.
#[test]
fn pages_read_for_a_replaced_file_are_not_stored_in_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.db");
    filled_index(&path, 3_000);
    scribble(&path);
    let index = Index::open(&path).unwrap();
    let before = index::FileId::FIRST;
    let _ = index.warning().expect("the damage is reported");
    assert_ne!(index.file(), before, "a new file");
    let page = |n: u64| {
        let mut pages = vec![(vec![index::Row::of(&received(n))], Some(n + 1))].into_iter();
        move || pages.next()
    };
    assert_eq!(index.insert_pages_from(before, page(5_000)).unwrap(), None);
    assert_eq!(index.count(&InboxQuery::default()).unwrap(), 0);
    assert_eq!(index.cursors().unwrap(), Cursors::default());
    let (cursors, file) = index.cursors_of_file().unwrap();
    assert_eq!(cursors, Cursors::default());
    let stored = index.insert_pages_from(file, page(1)).unwrap();
    assert_eq!(stored, Some(vec![1]));
    assert_eq!(index.cursors().unwrap().add_index, 2);
}

#[test]
fn after_an_unclean_shutdown_the_check_runs_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.db");
    filled_index(&path, 3_000);
    let marker = dir.path().join("index.db-open");
    assert!(!marker.exists(), "a clean close removes the marker");
    scribble(&path);
    std::fs::write(&marker, "4242").unwrap(); // as a crashed session leaves it
    let index = Index::open(&path).unwrap();
    assert!(index.integrity_checked(), "checked before open returned");
    assert!(index.warning().is_some(), "the damage is reported");
    assert_eq!(index.count(&InboxQuery::default()).unwrap(), 0);
    assert!(marker.exists(), "open while in use");
    drop(index);
    assert!(!marker.exists(), "removed again on close");
}

#[test]
fn a_whole_index_passes_the_background_check_and_keeps_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.db");
    filled_index(&path, 3_000);
    let index = Index::open(&path).unwrap();
    assert_eq!(index.count(&InboxQuery::default()).unwrap(), 3_000);
    assert!(index.warning().is_none());
    assert!(index.integrity_checked());
    assert_eq!(index.count(&InboxQuery::default()).unwrap(), 3_000);
}

#[test]
fn a_scribbled_journal_is_refused_by_name_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(JOURNAL_FILE);
    {
        let journal = Journal::open(&path).unwrap();
        for n in 0..400 {
            let _ = journal.begin(&format!("intent-{n}"), &outgoing()).unwrap();
        }
    } // Closing the last connection folds the WAL into the file.
    scribble(&path);
    let damaged = std::fs::read(&path).unwrap();
    let Err(error) = Journal::open(&path) else {
        panic!("a damaged journal must not open");
    };
    assert!(matches!(error, JournalError::Damaged { .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains("move it aside"), "{text}");
    assert_eq!(std::fs::read(&path).unwrap(), damaged, "never replaced");
}

#[test]
fn connections_writing_at_once_wait_for_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join(JOURNAL_FILE);
    let index_path = dir.path().join("index.db");
    let threads: Vec<_> = (0..6u64)
        .map(|t| {
            let (journal_path, index_path) = (journal_path.clone(), index_path.clone());
            std::thread::spawn(move || {
                // Each thread is its own "process": its own connections.
                let journal = Journal::open(&journal_path).unwrap();
                let index = Index::open(&index_path).unwrap();
                for n in 0..20 {
                    let intent = format!("t{t}-{n}");
                    let _ = journal.begin(&intent, &outgoing()).unwrap();
                    let _ = journal
                        .update(&intent, JournalState::Dispatched, None, None)
                        .unwrap();
                    let _ = index.insert_received(&[received(t * 100 + n)]).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("no writer gave up with SQLITE_BUSY");
    }
    let index = Index::open(&index_path).unwrap();
    assert_eq!(index.count(&InboxQuery::default()).unwrap(), 120);
    let journal = Journal::open(&journal_path).unwrap();
    assert_eq!(journal.unfinished().unwrap().len(), 120);
}

/// The cost of the integrity check on open, on a 100,000-row index. Run with
/// `cargo test --lib integrity_tests -- --ignored --nocapture`.
#[test]
#[ignore = "slow: builds a 100,000-row index"]
fn opening_a_large_index_stays_well_under_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.db");
    filled_index(&path, 100_000);
    let size = std::fs::metadata(&path).unwrap().len();
    let started = Instant::now();
    let index = Index::open(&path).unwrap();
    let opened = started.elapsed();
    let page = index.inbox(&InboxQuery::default()).unwrap();
    let total = started.elapsed();
    println!(
        "100,000 rows, {} MiB: open {opened:?}, open + first page {total:?}",
        size >> 20
    );
    assert!(index.warning().is_none() && !page.is_empty());
    assert!(total < Duration::from_secs(1), "{total:?}");
}
