//! The Inbox's history line (issue #5): while the first sync reads the
//! node's history it counts what it has read (the node does not say how
//! much there is, so no percentage), and when the sync ends it says that
//! everything was loaded, whatever order the runtime delivers work in.

use iced::Task;
use satchel::gui::Message;
use satchel::gui::history::History;
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::sync::Event;
use satchel::keysend::{Msat, Records, record};
use satchel::store::ContactBook;
use satchel::wallet::{SyncPhase, SyncProgress, SyncStats};

use super::gui_support::Harness;

/// Tips the sim's node received before the app starts (the demo has ~200).
const SEEDED: u64 = 200;

fn history(h: &Harness) -> History {
    h.app.session().expect("connected").inbox().history()
}

fn sync(event: Event) -> Message {
    Message::Session(SessionMessage::Sync(event))
}

#[test]
fn the_first_sync_ends_with_every_keysend_loaded() {
    let h = Harness::start(
        SEEDED as usize,
        Harness::quiet_settings(),
        ContactBook::new(),
    );
    assert_eq!(
        history(&h),
        History::Loaded {
            fresh: true,
            stored: SEEDED
        }
    );
    assert!(h.shows("All 200 keysends loaded"), "the end is stated");
    assert!(h.shows("synced"));
    assert!(!h.shows("syncing"), "nothing claims to be running");
}

/// The runtime runs each task on its own; two finished together may deliver
/// their messages in either order. Progress from the last page and the end
/// of the sync, with every task they start run in reverse: the line must
/// still end as "loaded".
#[test]
fn a_late_task_never_brings_the_progress_back() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    let events = [
        Event::Started { fresh: true },
        Event::Progress(SyncProgress {
            phase: SyncPhase::Received,
            scanned: 250,
            stored: SEEDED,
            position: 250,
        }),
        Event::Backfilled(Ok(SyncStats {
            received_new: SEEDED,
            invoices_scanned: 250,
            ..SyncStats::default()
        })),
    ];
    let mut tasks: Vec<Task<Message>> = events
        .into_iter()
        .map(|event| {
            let _context = h.runtime.enter();
            h.app.update(sync(event))
        })
        .collect();
    tasks.reverse();
    for task in tasks {
        h.settle(task);
    }
    assert_eq!(
        history(&h),
        History::Loaded {
            fresh: true,
            stored: SEEDED
        }
    );
    assert!(h.shows("All 200 keysends loaded"));
    assert!(!h.shows("syncing"));
}

#[test]
fn while_reading_the_line_counts_without_a_percentage() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    h.update(sync(Event::Started { fresh: true }));
    h.update(sync(Event::Progress(SyncProgress {
        phase: SyncPhase::Received,
        scanned: 15_000,
        stored: 12_000,
        position: 15_000,
    })));
    assert!(history(&h).is_reading());
    assert!(h.shows("Loading history: 12,000 keysends so far (15,000 invoices read)…"));
    assert!(h.shows("syncing"));
}

#[test]
fn a_catch_up_after_new_tips_says_how_many_were_new() {
    let mut h = Harness::start(3, Harness::quiet_settings(), ContactBook::new());
    let records = Records::from([(record::MESSAGE, b"thanks for the show".to_vec())]);
    let _ = h
        .runtime
        .block_on(h.sim.inject_keysend("alice", Msat::from_sat(100), records))
        .expect("injected");
    h.update(Message::Session(SessionMessage::Resync));
    assert_eq!(
        history(&h),
        History::Loaded {
            fresh: false,
            stored: 1
        }
    );
    assert!(h.shows("1 new keysend loaded"));
    // Nothing new: the catch-up after a payment says nothing.
    h.update(Message::Session(SessionMessage::Resync));
    assert_eq!(history(&h), History::Quiet);
}

#[test]
fn a_resync_asked_for_while_one_runs_waits_for_it() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    let (first, second) = {
        let _context = h.runtime.enter();
        let first = h.app.update(Message::Session(SessionMessage::Resync));
        let second = h.app.update(Message::Session(SessionMessage::Resync));
        (first, second)
    };
    assert_eq!(first.units(), 1, "the first backfill starts");
    assert_eq!(second.units(), 0, "the second waits for it");
    h.settle(Task::batch([first, second]));
    let records = Records::from([(record::MESSAGE, b"after both".to_vec())]);
    let _ = h
        .runtime
        .block_on(h.sim.inject_keysend("bob", Msat::from_sat(500), records))
        .expect("injected");
    h.update(Message::Session(SessionMessage::Resync));
    assert!(h.shows("after both"), "backfills run again once idle");
}
