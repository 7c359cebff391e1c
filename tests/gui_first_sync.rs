//! A first sync as the window sees it: the first rows and the unread count
//! (the title) show while the rest of the history is still being read.
//!
//! The test drives the app's tasks itself, message by message, and holds
//! back what would otherwise decide the race: the window's first list load
//! answers only after the first stored page was reported (as on a real
//! start, where the first frame is still being painted), and every sync
//! event after that first page waits until the rows and count were looked
//! at. Nothing is timed.

mod gui_support;

use std::time::Duration;

use futures::StreamExt;
use futures::stream::{BoxStream, SelectAll};
use gui_support::Harness;
use iced::Task;
use iced_test::runtime::Action;
use iced_test::runtime::task::into_stream;
use satchel::gui::Message;
use satchel::gui::history::History;
use satchel::gui::screen::inbox::Message as InboxMessage;
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::sync::Event;

/// Seeded received keysends: three pages of the sync.
const SEEDED: usize = 3_000;

/// Longest the test waits for any one message before it gives up.
const DEADLINE: Duration = Duration::from_secs(30);

type Running = SelectAll<BoxStream<'static, Action<Message>>>;

/// Apply `message` and start what it asks for.
fn apply(h: &mut Harness, running: &mut Running, message: Message) {
    let task = {
        let _context = h.runtime.enter();
        h.app.update(message)
    };
    start(running, task);
}

fn start(running: &mut Running, task: Task<Message>) {
    if let Some(stream) = into_stream(task) {
        running.push(stream);
    }
}

#[test]
fn the_first_rows_and_the_unread_count_show_while_the_first_sync_runs() {
    let (mut h, boot) = Harness::boot_unsettled(SEEDED, Harness::quiet_settings());
    let mut running = SelectAll::new();
    start(&mut running, boot);
    let (mut first_loads, mut later_sync) = (Vec::new(), Vec::new());
    let mut first_page = false;
    loop {
        let next = h
            .runtime
            .block_on(async { tokio::time::timeout(DEADLINE, running.next()).await })
            .expect("a task answered");
        let Some(action) = next else { break };
        let Action::Output(message) = action else {
            continue;
        };
        match message {
            Message::Session(SessionMessage::Sync(_)) if first_page => later_sync.push(message),
            Message::Session(SessionMessage::Sync(Event::Progress(p))) if p.stored > 0 => {
                first_page = true;
                apply(&mut h, &mut running, message);
                for load in std::mem::take(&mut first_loads) {
                    apply(&mut h, &mut running, load);
                }
            }
            Message::Session(SessionMessage::Inbox(InboxMessage::Loaded(..))) if !first_page => {
                first_loads.push(message);
            }
            message => apply(&mut h, &mut running, message),
        }
    }
    assert!(first_page, "the sync reported its first page");
    assert!(!later_sync.is_empty(), "the sync's end is still held back");

    let session = h.app.session().expect("connected");
    let inbox = session.inbox();
    assert!(
        matches!(inbox.history(), History::Reading(r) if r.fresh && r.stored > 0),
        "the first sync is still running: {:?}",
        inbox.history()
    );
    assert!(
        !inbox.loaded_rows().is_empty() && inbox.total() > 0,
        "the first rows are shown"
    );
    let unread = session.unread();
    assert!(unread > 0, "the unread count follows the first rows");
    assert_eq!(h.app.title(), format!("Satchel ({unread} unread)"));

    for message in later_sync {
        h.update(message);
    }
    let session = h.app.session().expect("connected");
    assert_eq!(
        session.inbox().history(),
        History::Loaded {
            fresh: true,
            stored: SEEDED as u64
        }
    );
    assert!(session.unread() >= unread);
}
