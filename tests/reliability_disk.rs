//! Guarantee 3, damaged and full disks: a truncated or corrupt index is
//! detected, kept aside and reported; a damaged journal is refused and never
//! replaced (it may hold the only copy of a preimage), and nothing is paid
//! without it; a full disk fails a save cleanly, keeping the previous file,
//! and a send whose journal cannot be written is not sent.

mod reliability_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use reliability_support::child;
use reliability_support::*;
use satchel::keysend::{Msat, Preimage, Records, record};
use satchel::node::{OutgoingKeysend, ReceivedKeysend};
use satchel::store::{ContactBook, NewContact, Paths, StoreError};
use satchel::wallet::{InboxQuery, Index, Journal};

/// Any valid node id.
const ALICE: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
/// Received keysends in the damaged index.
const INDEX_ROWS: u64 = 3_000;
/// Entries in the damaged journal.
const JOURNAL_ROWS: usize = 400;

fn received(n: u64) -> ReceivedKeysend {
    let mut records = Records::new();
    let _ = records.insert(record::MESSAGE, format!("message number {n}").into_bytes());
    ReceivedKeysend {
        hash: Preimage::random().hash(),
        chan_id: 1,
        htlc_index: n,
        amount: Msat::from_sat(10),
        add_index: n + 1,
        settle_index: n + 1,
        created_at: 1_700_000_000,
        settled_at: 1_700_000_000,
        records,
    }
}

/// How a file gets damaged.
#[derive(Debug, Clone, Copy)]
enum Damage {
    /// Cut to 40 % of its length (a torn copy or write).
    Truncate,
    /// 4 KiB of noise in the middle (a bad sector, a stray write).
    Scribble,
    /// The header overwritten.
    Header,
}

fn damage(path: &Path, how: Damage) {
    let mut bytes = std::fs::read(path).unwrap();
    let len = bytes.len();
    match how {
        Damage::Truncate => bytes.truncate(len * 2 / 5),
        Damage::Scribble => bytes[len / 2..len / 2 + 4096].fill(0xa5),
        Damage::Header => bytes[..100].fill(0x5a),
    }
    std::fs::write(path, bytes).unwrap();
}

/// What SQLite itself says of the file at `path` (`PRAGMA quick_check` on a
/// copy): "ok" when the damage is not detectable at all.
fn sqlite_verdict(path: &Path) -> String {
    let copy = path.with_extension("verdict");
    let _ = std::fs::copy(path, &copy).unwrap();
    let verdict = rusqlite::Connection::open(&copy)
        .and_then(|c| c.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0)))
        .unwrap_or_else(|e| e.to_string());
    std::fs::remove_file(copy).unwrap();
    verdict
}

#[test]
fn a_damaged_index_is_detected_kept_aside_and_reported() {
    for how in [Damage::Truncate, Damage::Scribble, Damage::Header] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.db");
        {
            let index = Index::open(&path).unwrap();
            let items: Vec<_> = (0..INDEX_ROWS).map(received).collect();
            assert_eq!(index.insert_received(&items).unwrap(), INDEX_ROWS as usize);
        }
        damage(&path, how);
        let damaged = std::fs::read(&path).unwrap();
        let verdict = sqlite_verdict(&path);
        let index = Index::open(&path).unwrap_or_else(|e| panic!("{how:?}: open failed: {e}"));
        let all = InboxQuery {
            limit: 2 * INDEX_ROWS,
            ..InboxQuery::default()
        };
        let Some(warning) = index.warning() else {
            let read = index.inbox(&all).map(|rows| rows.len());
            assert!(
                verdict == "ok",
                "{how:?}: the damaged index opened without a warning although SQLite's \
                 quick_check finds {verdict:?}; reading it gives {read:?}"
            );
            assert_eq!(
                read.unwrap(),
                INDEX_ROWS as usize,
                "{how:?}: undetectable, so whole"
            );
            continue;
        };
        assert_eq!(
            std::fs::read(&warning.moved_to).unwrap(),
            damaged,
            "{how:?}: kept aside intact"
        );
        assert!(
            warning.to_string().contains("could not be read"),
            "{warning}"
        );
        assert_eq!(
            index.inbox(&all).unwrap().len(),
            0,
            "{how:?}: a fresh index"
        );
    }
}

/// A journal with [`JOURNAL_ROWS`] entries; their intent ids and hashes.
fn filled_journal(path: &Path) -> Vec<(String, satchel::keysend::PaymentHash)> {
    let journal = Journal::open(path).unwrap();
    (0..JOURNAL_ROWS)
        .map(|n| {
            let keysend = OutgoingKeysend {
                destination: ALICE.parse().unwrap(),
                amount: Msat::from_sat(21),
                preimage: Preimage::random(),
                records: Records::new(),
                fee_limit: Msat::from_sat(10),
                timeout: Duration::from_secs(60),
            };
            let intent = format!("intent-{n}");
            let entry = journal.begin(&intent, &keysend).unwrap();
            (intent, entry.hash())
        })
        .collect()
}

#[test]
fn a_damaged_journal_is_refused_never_replaced_and_never_silently_short() {
    for how in [Damage::Truncate, Damage::Scribble, Damage::Header] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        let entries = filled_journal(&path);
        damage(&path, how);
        let damaged = std::fs::read(&path).unwrap();
        let verdict = sqlite_verdict(&path);
        let mut detected = 0;
        match Journal::open(&path) {
            Err(_) => detected += 1,
            Ok(journal) => {
                for (intent, hash) in &entries {
                    match journal.get(intent) {
                        Ok(Some(entry)) => assert_eq!(entry.hash(), *hash, "{how:?}"),
                        Ok(None) => panic!("{how:?}: {intent} silently lost"),
                        Err(_) => detected += 1,
                    }
                }
                if journal.unfinished().is_err() {
                    detected += 1;
                }
            }
        }
        assert!(
            detected > 0 || verdict == "ok",
            "{how:?}: the damage went unnoticed although SQLite's quick_check finds {verdict:?}"
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            damaged,
            "{how:?}: never replaced"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_with_a_corrupt_journal_is_refused_and_pays_nothing() {
    let bench = Bench::start(Duration::from_millis(20)).await;
    let node = bench.connect().await;
    let path = bench.home().join("journal.db");
    let _ = filled_journal(&path);
    damage(&path, Damage::Header);
    let damaged = std::fs::read(&path).unwrap();
    let alice = bench.sim().node_id("alice").unwrap().to_hex();
    let command = bench.cli().send(&alice, "21", "hi");
    let run = blocking(move || child::run(command)).await;
    assert_eq!(run.code(), Some(6), "a local file error: {}", run.output());
    assert!(run.stderr.contains("journal"), "{}", run.output());
    assert_eq!(node_payments(&node).await.len(), 0, "nothing paid");
    assert_eq!(std::fs::read(&path).unwrap(), damaged, "never replaced");
}

/// A tiny tmpfs, unmounted on drop. `None` (with the reason printed) where
/// mounting is not allowed.
struct TinyDisk {
    dir: tempfile::TempDir,
}

impl TinyDisk {
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let option = format!("size={size}");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &option, "tmpfs"])
            .arg(dir.path())
            .output();
        match mounted {
            Ok(out) if out.status.success() => Some(Self { dir }),
            Ok(out) => skip(&String::from_utf8_lossy(&out.stderr)),
            Err(error) => skip(&error.to_string()),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write until the disk is full; the filler file.
    fn fill(&self) -> PathBuf {
        use std::io::Write;
        let filler = self.path().join("filler");
        let mut file = std::fs::File::create(&filler).unwrap();
        let chunk = [0u8; 1024];
        while file
            .write_all(&chunk)
            .and_then(|()| file.sync_all())
            .is_ok()
        {}
        filler
    }
}

fn skip(reason: &str) -> Option<TinyDisk> {
    println!(
        "SKIPPED full-disk test: cannot mount a tmpfs ({})",
        reason.trim()
    );
    None
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn a_full_disk_fails_the_save_and_keeps_the_previous_contacts() {
    let Some(disk) = TinyDisk::mount("256k") else {
        return;
    };
    let paths = Paths::at(disk.path().join("home"));
    let mut book = ContactBook::new();
    for n in 0..3 {
        let _ = book.add(NewContact::new(format!("friend-{n}"), test_node_id(n)));
    }
    let _ = book.save(&paths).unwrap();
    let before = std::fs::read(paths.contacts_file()).unwrap();
    let filler = disk.fill();
    for n in 3..200 {
        let mut new = NewContact::new(format!("friend-{n}"), test_node_id(n));
        new.note = "n".repeat(200);
        let _ = book.add(new);
    }
    match book.save(&paths) {
        Err(StoreError::DiskFull { path }) => assert_eq!(path, paths.contacts_file()),
        other => panic!("expected DiskFull, got {other:?}"),
    }
    assert_eq!(
        std::fs::read(paths.contacts_file()).unwrap(),
        before,
        "the old file is kept"
    );
    std::fs::remove_file(filler).unwrap();
    let _ = book.save(&paths).unwrap();
    assert_eq!(
        ContactBook::load(&paths).unwrap().value.contacts().len(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_whose_journal_cannot_be_written_is_not_sent() {
    let Some(disk) = TinyDisk::mount("2m") else {
        return;
    };
    let bench = Bench::start(Duration::from_millis(20)).await;
    let node = bench.connect().await;
    let mut cli = bench.cli();
    cli.home = disk.path().join("home");
    let dave = bench.sim().node_id("dave").unwrap().to_hex();
    let first = blocking({
        let command = cli.send(&dave, "21", "room on the disk");
        move || child::run(command)
    })
    .await;
    assert_eq!(first.code(), Some(0), "{}", first.output());
    let filler = disk.fill();
    let full = blocking({
        let command = cli.send(&dave, "21", "disk full");
        move || child::run(command)
    })
    .await;
    assert_ne!(full.code(), Some(0), "{}", full.output());
    assert_eq!(
        node_payments(&node).await.len(),
        1,
        "nothing paid without a journal entry"
    );
    std::fs::remove_file(filler).unwrap();
    let again = blocking({
        let command = cli.send(&dave, "21", "room again");
        move || child::run(command)
    })
    .await;
    assert_eq!(again.code(), Some(0), "{}", again.output());
    assert_eq!(node_payments(&node).await.len(), 2);
    let journal = Journal::open(&cli.home.join("journal.db")).unwrap();
    assert!(journal.unfinished().unwrap().is_empty());
}
