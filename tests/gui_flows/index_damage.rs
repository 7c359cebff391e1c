//! A damaged inbox index planted before boot: the app keeps it aside, says
//! so in a notice the user can dismiss, and refills the inbox from the node.

use std::path::{Path, PathBuf};

use satchel::gui::Message;
use satchel::gui::session::Message as SessionMessage;
use satchel::keysend::{Msat, Preimage, Records, record};
use satchel::node::ReceivedKeysend;
use satchel::store::ContactBook;
use satchel::wallet::Index;

use super::gui_support::Harness;

/// Entries in the planted index (none of them known to the sim).
const PLANTED: u64 = 3_000;
/// Tips the sim's node received before the app starts.
const SEEDED: usize = 20;
/// Marks the planted entries' messages.
const PLANTED_TEXT: &str = "planted in the damaged file";

/// How the planted index is damaged.
#[derive(Debug, Clone, Copy)]
enum Damage {
    /// Its header overwritten: SQLite refuses it on open.
    Header,
    /// Noise in the middle: it opens; the background check finds it.
    Scribble,
}

fn planted(n: u64) -> ReceivedKeysend {
    let text = format!("{PLANTED_TEXT} {n}");
    ReceivedKeysend {
        hash: Preimage::random().hash(),
        chan_id: 1,
        htlc_index: n,
        amount: Msat::from_sat(5_000),
        add_index: n + 1,
        settle_index: n + 1,
        created_at: 1_700_000_000,
        settled_at: 1_700_000_000,
        records: Records::from([(record::MESSAGE, text.into_bytes())]),
    }
}

/// Fill an index at `path`, close it and damage it; the damaged bytes.
fn plant(path: &Path, how: Damage) -> Vec<u8> {
    {
        let index = Index::open(path).expect("index opens");
        let items: Vec<_> = (0..PLANTED).map(planted).collect();
        assert_eq!(index.insert_received(&items).unwrap(), PLANTED as usize);
    }
    let mut bytes = std::fs::read(path).unwrap();
    let len = bytes.len();
    match how {
        Damage::Header => bytes[..100].fill(0x5a),
        Damage::Scribble => bytes[len / 2..len / 2 + 4096].fill(0xa5),
    }
    std::fs::write(path, &bytes).unwrap();
    bytes
}

/// The file the app moved the damaged index to.
fn kept_aside(dir: &Path) -> PathBuf {
    let found: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("index.db.corrupt-")
                && !name.ends_with("-wal")
                && !name.ends_with("-shm")
        })
        .collect();
    assert_eq!(found.len(), 1, "one kept-aside index: {found:?}");
    found.into_iter().next().unwrap()
}

fn boot_on_damaged_index(how: Damage) {
    let mut damaged = Vec::new();
    let mut h = Harness::start_after(SEEDED, Harness::quiet_settings(), ContactBook::new(), |b| {
        b.profile.ensure().unwrap();
        damaged = plant(&b.profile.index_db(&b.sim.user_node()), how);
    });
    let dir = h
        .profile
        .index_db(&h.sim.user_node())
        .parent()
        .unwrap()
        .to_owned();
    let moved_to = kept_aside(&dir);
    assert_eq!(
        std::fs::read(&moved_to).unwrap(),
        damaged,
        "{how:?}: kept intact"
    );

    let session = h.app.session().expect("connected");
    let notice = session
        .notice()
        .expect("a notice about the index")
        .to_owned();
    let expected = format!(
        "The local inbox index was damaged and was kept aside as {}; it is being rebuilt from \
         your node.",
        moved_to.display()
    );
    assert!(notice.starts_with(&expected), "{how:?}: {notice}");
    assert!(h.shows(&notice), "{how:?}: the notice is on screen");

    let inbox = session.inbox();
    assert!(inbox.total() > 0, "{how:?}: refilled from the node");
    assert!(
        inbox.total() <= SEEDED as u64,
        "{how:?}: {} rows",
        inbox.total()
    );
    assert!(
        inbox
            .loaded_rows()
            .iter()
            .all(|r| !r.preview.contains(PLANTED_TEXT)),
        "{how:?}: nothing from the damaged file is shown"
    );

    h.update(Message::Session(SessionMessage::DismissNotice));
    assert_eq!(
        h.app.session().unwrap().notice(),
        None,
        "{how:?}: dismissed"
    );
    assert!(!h.shows(&notice));
}

#[test]
fn an_index_damaged_at_open_is_kept_aside_announced_and_rebuilt() {
    boot_on_damaged_index(Damage::Header);
}

#[test]
fn an_index_damage_found_in_the_background_is_announced_and_rebuilt() {
    boot_on_damaged_index(Damage::Scribble);
}
