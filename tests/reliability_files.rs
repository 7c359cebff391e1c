//! Guarantee 3, files survive crashes and each other: a process killed
//! (SIGKILL) at random moments while saving contacts never leaves a torn
//! file, the temp files such kills leave are removed by a later save, and two
//! processes saving at once keep both sets of additions.
//!
//! The save loop runs in a child: this test binary re-invoked with
//! [`CHILD_ENV`] set, running only [`save_loop_child`].

mod reliability_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use reliability_support::child::{self, Cli};
use reliability_support::test_node_id;
use satchel::store::{ContactBook, NewContact, Paths};

/// Set (to the profile folder) in the re-invoked child.
const CHILD_ENV: &str = "SATCHEL_RELIABILITY_SAVE_LOOP";
/// Kills of the save-loop child.
const LOOP_KILLS: usize = 25;
/// Kills of `satchel contacts add`.
const CLI_KILLS: usize = 30;

fn name(n: usize) -> String {
    format!("contact-{n:04}")
}

/// Load the book as the app does; a torn or unparseable file fails the test.
fn load_clean(paths: &Paths) -> Vec<String> {
    let loaded = ContactBook::load(paths).expect("contacts load");
    assert!(
        loaded.warning.is_none(),
        "the file was damaged: {:?}",
        loaded.warning
    );
    loaded
        .value
        .contacts()
        .iter()
        .map(|c| c.name.clone())
        .collect()
}

/// Temporary files of interrupted atomic writes (`.satchel-*.tmp`) in `dir`.
fn temp_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(".satchel-") && name.ends_with(".tmp")
        })
        .map(|e| e.path())
        .collect()
}

/// Backdate `files` by two minutes, as if the saves that made them died
/// that long ago (past the store's one-minute grace for live saves).
fn backdate(files: &[PathBuf]) {
    let then = SystemTime::now() - Duration::from_secs(120);
    for file in files {
        let handle = std::fs::File::options().write(true).open(file).unwrap();
        handle.set_modified(then).unwrap();
    }
}

/// Those of `files` modified less than 30 s ago: a save that might still be
/// running could own them, so the next save must leave them alone.
fn recent(files: &[PathBuf]) -> Vec<PathBuf> {
    let cutoff = SystemTime::now() - Duration::from_secs(30);
    files
        .iter()
        .filter(|f| std::fs::metadata(f).and_then(|m| m.modified()).unwrap() > cutoff)
        .cloned()
        .collect()
}

/// Add `name(n)` and save, in this process.
fn save_one_more(paths: &Paths, n: usize) {
    let mut book = ContactBook::load(paths).expect("load").value;
    let _ = book
        .add(NewContact::new(name(n), test_node_id(n)))
        .expect("add");
    let _ = book.save(paths).expect("save");
}

/// The child: add contacts one at a time after those already saved, saving
/// after each, until killed. Does nothing in a normal test run.
#[test]
fn save_loop_child() {
    let Some(home) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let paths = Paths::at(PathBuf::from(home));
    let mut book = ContactBook::load(&paths).expect("load").value;
    for n in book.contacts().len()..10_000 {
        let _ = book
            .add(NewContact::new(name(n), test_node_id(n)))
            .expect("add");
        let _ = book.save(&paths).expect("save");
    }
}

/// This test binary, running only the child test.
fn child_command(home: &Path) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("test binary"));
    let _ = command
        .args(["--exact", "save_loop_child", "--test-threads=1"])
        .env(CHILD_ENV, home);
    command
}

#[test]
fn killed_during_a_save_loop_the_file_always_parses_and_holds_a_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::at(dir.path().join("home"));
    let mut landed_mid_run = 0;
    for kill in 0..LOOP_KILLS {
        let after = Duration::from_millis(rand::random_range(20..250));
        landed_mid_run += usize::from(child::kill_after(child_command(paths.root()), after));
        let names = load_clean(&paths);
        let expected: Vec<String> = (0..names.len()).map(name).collect();
        assert_eq!(
            names, expected,
            "kill {kill}: not a prefix of the additions"
        );
    }
    let saved = load_clean(&paths).len();
    let left = temp_files(paths.root());
    let young = recent(&left);
    save_one_more(&paths, saved);
    let kept = temp_files(paths.root());
    assert!(
        young.iter().all(|f| kept.contains(f)),
        "a save removed a temp file a live save could own: {young:?}, left {kept:?}"
    );
    backdate(&kept);
    save_one_more(&paths, saved + 1);
    let after = temp_files(paths.root());
    println!(
        "files: {LOOP_KILLS} kills of the save loop ({landed_mid_run} mid-run), {saved} \
         contacts saved, {} temp files left by the kills ({} recent, kept by the next save), \
         {} after a save a minute later",
        left.len(),
        young.len(),
        after.len()
    );
    assert!(after.is_empty(), "stale temp files are removed: {after:?}");
    let expected: Vec<String> = (0..saved + 2).map(name).collect();
    assert_eq!(
        load_clean(&paths),
        expected,
        "the cleaning saves kept the file whole"
    );
    assert!(
        landed_mid_run > LOOP_KILLS / 2,
        "the kills hit running saves"
    );
    assert!(saved > LOOP_KILLS, "the loop made progress between kills");
    assert!(!paths.quarantine_dir().exists(), "nothing was quarantined");
}

#[test]
fn cli_contacts_add_killed_at_random_moments_never_tears_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cli = Cli::new(&dir.path().join("home"), &dir.path().join("lnd"), 1);
    let paths = Paths::at(&cli.home);
    let mut kills = 0;
    for n in 0..CLI_KILLS {
        let key = test_node_id(n).to_hex();
        let add = cli.bare(&["contacts", "add", &name(n), &key]);
        let after = Duration::from_millis(rand::random_range(0..40));
        kills += usize::from(child::kill_after(add, after));
        let names = load_clean(&paths);
        let known: Vec<String> = (0..=n).map(name).collect();
        assert!(
            names.iter().all(|found| known.contains(found)),
            "only names that were added: {names:?}"
        );
        assert!(names.is_sorted(), "in the order added: {names:?}");
    }
    let left = temp_files(paths.root());
    backdate(&left);
    let last = CLI_KILLS;
    let run = child::run(cli.bare(&["contacts", "add", &name(last), &test_node_id(last).to_hex()]));
    assert_eq!(run.code(), Some(0), "{}", run.output());
    let names = load_clean(&paths);
    assert_eq!(names.last(), Some(&name(last)), "{names:?}");
    let after = temp_files(paths.root());
    println!(
        "files: {CLI_KILLS} `contacts add` runs, {kills} killed mid-run, {} saved, {} temp \
         files left by the kills, {} after the next `contacts add` a minute later",
        names.len(),
        left.len(),
        after.len()
    );
    assert!(
        after.is_empty(),
        "the next save removes stale temp files: {after:?}"
    );
}

#[test]
fn two_processes_adding_contacts_at_once_keep_every_addition() {
    const EACH: usize = 12;
    let dir = tempfile::tempdir().unwrap();
    let cli = Cli::new(&dir.path().join("home"), &dir.path().join("lnd"), 1);
    let workers: Vec<_> = (0..2)
        .map(|worker| {
            let cli = cli.clone();
            std::thread::spawn(move || {
                for i in 0..EACH {
                    let n = worker * EACH + i;
                    let add = cli.bare(&["contacts", "add", &name(n), &test_node_id(n).to_hex()]);
                    let run = child::run(add);
                    assert_eq!(run.code(), Some(0), "{}", run.output());
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("worker");
    }
    let mut names = load_clean(&Paths::at(&cli.home));
    names.sort();
    let expected: Vec<String> = (0..2 * EACH).map(name).collect();
    assert_eq!(names, expected, "both processes' additions are kept");
}
