//! Tests of the Inbox's reload coalescing: one reload in flight at most,
//! one more after it when asked for meanwhile, stale answers never shown.

use super::{Action, Inbox, Message};
use crate::gui::screen::Env;
use crate::node::{Network, NodeInfo};
use crate::store::{ContactBook, Settings};
use crate::wallet::Index;

/// A public key that parses (the generator point).
const ME: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

fn info() -> NodeInfo {
    NodeInfo {
        id: ME.parse().expect("node id"),
        alias: "me".into(),
        color: "#000000".into(),
        network: Network::Regtest,
        synced_to_chain: true,
        synced_to_graph: true,
        block_height: 1,
        version: "test".into(),
        active_channels: 0,
        accepts_keysend: true,
    }
}

fn units(action: Action) -> usize {
    match action {
        Action::Run(task) => task.units(),
        _ => 0,
    }
}

#[test]
fn reloads_coalesce_into_one_more_after_the_running_one() {
    let fixture = Fixture::new();
    let env = fixture.env();
    let mut inbox = fixture.inbox(&[]);
    assert_eq!(
        units(inbox.update(Message::Arrived, &env)),
        1,
        "the first runs"
    );
    assert!(inbox.is_loading());
    for _ in 0..50 {
        assert_eq!(
            units(inbox.update(Message::Arrived, &env)),
            0,
            "no second in flight"
        );
    }
    // The running reload ends (same query: its answer is shown), and exactly
    // one more runs for the 50 asked for meanwhile.
    let answer = Ok((7, Default::default(), vec!["pod".to_owned()]));
    assert_eq!(units(inbox.update(Message::Loaded(1, answer), &env)), 1);
    assert_eq!(inbox.total(), 7);
    assert!(inbox.is_loading());
    let answer = Ok((8, Default::default(), Vec::new()));
    assert_eq!(units(inbox.update(Message::Loaded(1, answer), &env)), 0);
    assert_eq!(inbox.total(), 8);
    assert!(!inbox.is_loading(), "nothing more was asked for");
}

#[test]
fn an_answer_to_an_older_query_is_dropped_and_the_new_one_runs() {
    let fixture = Fixture::new();
    let env = fixture.env();
    let mut inbox = fixture.inbox(&[]);
    assert_eq!(units(inbox.update(Message::Arrived, &env)), 1);
    let typed = Message::SearchChanged("lightning".into());
    assert_eq!(
        units(inbox.update(typed, &env)),
        0,
        "waits for the running one"
    );
    let stale = Ok((99, Default::default(), Vec::new()));
    assert_eq!(units(inbox.update(Message::Loaded(1, stale), &env)), 1);
    assert_eq!(
        inbox.total(),
        0,
        "the unfiltered count is not shown for the search"
    );
    let fresh = Ok((3, Default::default(), Vec::new()));
    assert_eq!(units(inbox.update(Message::Loaded(2, fresh), &env)), 0);
    assert_eq!(inbox.total(), 3);
}

/// While the first sync stores pages the count follows it: the first page
/// reloads at once, later ones at most every `SYNC_REFRESH`.
#[test]
fn pages_stored_by_a_backfill_refresh_the_count_throttled() {
    use super::SYNC_REFRESH;
    use std::time::{Duration, Instant};

    let fixture = Fixture::new();
    let env = fixture.env();
    let mut inbox = fixture.inbox(&[]);
    let start = Instant::now();
    let ms = |n| start + Duration::from_millis(n);
    assert_eq!(
        refreshed(inbox.stored_more(&env, start)),
        Some(1),
        "the first rows"
    );
    let first = Ok((2_000, Default::default(), Vec::new()));
    assert_eq!(units(inbox.update(Message::Loaded(1, first), &env)), 0);
    assert_eq!(inbox.total(), 2_000);
    for at in [1, 100, 499] {
        assert_eq!(refreshed(inbox.stored_more(&env, ms(at))), None, "{at} ms");
    }
    let later = SYNC_REFRESH.as_millis() as u64;
    assert_eq!(
        refreshed(inbox.stored_more(&env, ms(later))),
        Some(1),
        "refreshed"
    );
    let next = Ok((6_000, Default::default(), Vec::new()));
    assert_eq!(units(inbox.update(Message::Loaded(1, next), &env)), 0);
    assert_eq!(
        inbox.total(),
        6_000,
        "the subtitle's count follows the sync"
    );
    assert_eq!(refreshed(inbox.stored_more(&env, ms(later + 10))), None);
}

/// The units of a refresh that was due (`None`: throttled).
fn refreshed(task: Option<iced::Task<Message>>) -> Option<usize> {
    task.map(|t| t.units())
}

/// A list row `id`, unread, with a preview.
fn list_row(id: i64) -> crate::wallet::InboxRow {
    crate::wallet::InboxRow {
        preview: format!("tip {id}"),
        ..crate::wallet::InboxRow::sample(id)
    }
}

/// What the Inbox tests need: an index, contacts, settings and our node.
struct Fixture {
    _dir: tempfile::TempDir,
    index: Index,
    contacts: ContactBook,
    settings: Settings,
    info: NodeInfo,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = Index::open(&dir.path().join("index.db")).expect("index");
        Self {
            _dir: dir,
            index,
            contacts: ContactBook::new(),
            settings: Settings::default(),
            info: info(),
        }
    }

    fn env(&self) -> Env<'_> {
        Env {
            contacts: &self.contacts,
            settings: &self.settings,
            info: &self.info,
            fiat: None,
        }
    }

    /// An Inbox showing rows `ids`, top first.
    fn inbox(&self, ids: &[i64]) -> Inbox {
        let mut inbox = Inbox::new(self.index.clone(), self.info.id);
        inbox.total = ids.len() as u64;
        inbox.page = super::Page {
            offset: 0,
            rows: ids.iter().map(|id| list_row(*id)).collect(),
            ..Default::default()
        };
        inbox
    }
}

/// The detail of entry `id`.
fn detail_of(id: i64) -> crate::wallet::InboxDetail {
    use crate::keysend::{Msat, PaymentHash, Records};
    crate::wallet::InboxDetail {
        id,
        hash: PaymentHash::from_bytes([id as u8; 32]),
        chan_id: 1,
        htlc_index: id as u64,
        amount: Msat::from_sat(21),
        created_at: id,
        settled_at: id,
        add_index: id as u64,
        settle_index: id as u64,
        message: Some(format!("tip {id}")),
        message_source: None,
        sender_pubkey: None,
        sender_name: None,
        podcast: None,
        episode: None,
        app: None,
        records: Records::new(),
        verification: None,
        unread: false,
    }
}

/// The detail pane opened for row A, then B: A's late answer is dropped
/// (never shown as B, never marking B read); B's own answer is shown, and a
/// failed load marks nothing read.
#[test]
fn a_late_detail_answer_for_another_row_is_dropped() {
    use super::detail;
    let fixture = Fixture::new();
    let env = fixture.env();
    let mut inbox = fixture.inbox(&[2, 1]);
    let _ = inbox.update(Message::Select(1), &env);
    let _ = inbox.update(Message::Select(2), &env);
    let late = detail::Message::Loaded {
        id: 1,
        result: Ok((detail_of(1), None)),
    };
    assert!(matches!(
        inbox.update(Message::Detail(late), &env),
        Action::None
    ));
    let open = inbox.detail.as_ref().expect("pane open");
    assert_eq!(open.id(), 2);
    assert!(open.is_loading(), "row 1's answer is not shown as row 2");
    assert!(
        inbox.loaded_rows().iter().all(|r| r.unread),
        "nothing marked read"
    );
    let failed = detail::Message::Loaded {
        id: 2,
        result: Err(crate::wallet::IndexError::NotFound(2)),
    };
    assert!(matches!(
        inbox.update(Message::Detail(failed), &env),
        Action::None
    ));
    assert!(
        inbox.loaded_rows().iter().all(|r| r.unread),
        "a failure marks nothing read"
    );
    let _ = inbox.update(Message::Select(2), &env);
    let answer = detail::Message::Loaded {
        id: 2,
        result: Ok((detail_of(2), None)),
    };
    assert!(matches!(
        inbox.update(Message::Detail(answer), &env),
        Action::UnreadChanged
    ));
    assert_eq!(
        inbox
            .loaded_rows()
            .iter()
            .map(|r| (r.id, r.unread))
            .collect::<Vec<_>>(),
        vec![(2, false), (1, true)]
    );
}

/// A tip arriving above the selected row scrolls the list by one row, so
/// the selected row stays under the pointer; switching rows scrolls the
/// detail pane back to the top.
#[test]
fn a_new_tip_does_not_push_the_selected_row() {
    let fixture = Fixture::new();
    let env = fixture.env();
    let mut inbox = fixture.inbox(&[2, 1]);
    assert_eq!(
        units(inbox.update(Message::Select(1), &env)),
        2,
        "the load, and the pane back to its top"
    );
    assert_eq!(units(inbox.update(Message::Arrived, &env)), 1);
    let page = super::Page {
        offset: 0,
        rows: vec![list_row(3), list_row(2), list_row(1)],
        ..Default::default()
    };
    assert_eq!(
        units(inbox.update(Message::Loaded(1, Ok((3, page, Vec::new()))), &env)),
        1
    );
    assert_eq!(inbox.viewport.offset, super::ROW_HEIGHT);
}

/// The list row shows every case of the one sender table as the table
/// says: the headline, the badge and the claimed name beside it.
#[test]
fn the_sender_table_shows_in_a_list_row() {
    use iced_test::simulator::simulator;
    let info = info();
    let settings = Settings::default();
    for case in crate::wallet::sender_table::cases() {
        let (row, contacts) = (case.row(), case.contacts());
        let env = Env {
            contacts: &contacts,
            settings: &settings,
            info: &info,
            fiat: None,
        };
        let element = super::view::row_view(&row, &env, (false, false), chrono::Local::now());
        let mut ui = simulator(element);
        let what = case.what;
        assert!(ui.find(case.headline).is_ok(), "{what}: {}", case.headline);
        for label in case.badge.into_iter().chain(case.calls_itself) {
            assert!(ui.find(label).is_ok(), "{what}: {label}");
        }
        let unsigned = ui.find("message not signed").is_ok();
        assert_eq!(
            unsigned,
            case.summary.ends_with("message not signed"),
            "{what}"
        );
    }
}

/// Reply / Tip back: a verified sender's key goes to the Send screen as
/// is; a claimed one with a warning; an anonymous tip has nobody to answer.
#[test]
fn tip_back_names_the_sender_and_warns_about_a_claim() {
    use super::detail;
    use crate::keysend::incoming::{Scheme, Unverified};
    use crate::wallet::Verification;
    let fixture = Fixture::new();
    let env = fixture.env();
    let sender = fixture.info.id;
    let cases = [
        (Some(Verification::Verified(Scheme::Whatsat)), false),
        (Some(Verification::Claimed(Unverified::NoSignature)), true),
        (Some(Verification::Claimed(Unverified::BadSignature)), true),
    ];
    for (verification, warned) in cases {
        let mut inbox = fixture.inbox(&[1]);
        let _ = inbox.update(Message::Select(1), &env);
        let mut loaded = detail_of(1);
        loaded.sender_pubkey = Some(sender);
        loaded.verification = verification;
        let answer = detail::Message::Loaded {
            id: 1,
            result: Ok((loaded, None)),
        };
        let _ = inbox.update(Message::Detail(answer), &env);
        match inbox.update(Message::Detail(detail::Message::TipBack), &env) {
            Action::TipBack {
                to,
                reply_to,
                warning,
            } => {
                assert_eq!(to, sender);
                assert_eq!(reply_to, crate::keysend::PaymentHash::from_bytes([1; 32]));
                assert_eq!(warning.is_some(), warned, "{verification:?}");
            }
            _ => panic!("no tip back for {verification:?}"),
        }
    }
    let mut inbox = fixture.inbox(&[1]);
    let _ = inbox.update(Message::Select(1), &env);
    let answer = detail::Message::Loaded {
        id: 1,
        result: Ok((detail_of(1), None)),
    };
    let _ = inbox.update(Message::Detail(answer), &env);
    assert!(matches!(
        inbox.update(Message::Detail(detail::Message::TipBack), &env),
        Action::None
    ));
}

/// "Mark all read" clears every shown row's unread mark once the index did.
#[test]
fn mark_all_read_clears_the_rows_after_the_index_did() {
    let fixture = Fixture::new();
    let env = fixture.env();
    let mut inbox = fixture.inbox(&[2, 1]);
    assert!(matches!(
        inbox.update(Message::MarkAllRead, &env),
        Action::Run(_)
    ));
    assert!(inbox.loaded_rows().iter().all(|r| r.unread), "not before");
    assert!(matches!(
        inbox.update(Message::MarkedAllRead(Ok(2)), &env),
        Action::UnreadChanged
    ));
    assert!(inbox.loaded_rows().iter().all(|r| !r.unread));
}

/// Arrow keys and j/k move the cursor through the list (clamped at both
/// ends), Enter opens the row under it, `/` asks to focus the search.
#[test]
fn list_keys_move_the_cursor_and_enter_opens() {
    let fixture = Fixture::new();
    let env = fixture.env();
    let mut inbox = fixture.inbox(&[5, 4, 3]);
    assert!(matches!(
        inbox.update(Message::OpenCursor, &env),
        Action::None
    ));
    assert_eq!(inbox.opened(), None, "no cursor yet: Enter opens nothing");
    let _ = inbox.update(Message::MoveCursor(1), &env);
    assert_eq!(
        inbox.cursor(),
        Some(0),
        "the first key lands on the top row"
    );
    for (by, expected) in [(1, 1), (1, 2), (1, 2), (-1, 1), (-5, 0), (-1, 0)] {
        let _ = inbox.update(Message::MoveCursor(by), &env);
        assert_eq!(inbox.cursor(), Some(expected), "by {by}");
    }
    let _ = inbox.update(Message::MoveCursor(2), &env);
    assert!(matches!(
        inbox.update(Message::OpenCursor, &env),
        Action::Run(_)
    ));
    assert_eq!(inbox.opened(), Some(3), "the third row, id 3");
    let _ = inbox.update(Message::Select(4), &env);
    assert_eq!(inbox.cursor(), Some(1), "a click moves the cursor too");
    assert!(matches!(
        inbox.update(Message::FocusSearch, &env),
        Action::Run(_)
    ));
}

/// A typed date that is not one is said, and the list keeps its last
/// valid range (no reload); a valid pair filters.
#[test]
fn a_bad_date_is_said_and_keeps_the_last_range() {
    let fixture = Fixture::new();
    let env = fixture.env();
    let mut inbox = fixture.inbox(&[2, 1]);
    assert_eq!(
        units(inbox.update(Message::FromChanged("2025-0".into()), &env)),
        0
    );
    let error = inbox.date_error.clone().expect("said");
    assert!(error.contains("YYYY-MM-DD"), "{error}");
    assert_eq!(inbox.range, (None, None));
    assert_eq!(
        units(inbox.update(Message::FromChanged("2025-01-02".into()), &env)),
        1
    );
    assert_eq!(inbox.date_error, None);
    assert_eq!(inbox.range.0, Some(1_735_776_000));
    assert!(inbox.query(&env, 0).from.is_some());
}

/// Scrolling reads the next page next to the rows already loaded (by key,
/// not by an offset from the top) and reads no count again; what it reads
/// is what an offset would have read. A tip arriving counts again.
#[test]
fn scrolling_pages_by_key_and_counts_nothing_again() {
    use crate::gui::list::Viewport;
    use crate::keysend::{Msat, Records};
    use crate::wallet::{InboxQuery, Seek};
    let fixture = Fixture::new();
    let env = fixture.env();
    let keysends: Vec<_> = (1..=600_u32)
        .map(|i| {
            let at = 1_700_000_000 + i64::from(i / 2);
            crate::node::ReceivedKeysend {
                hash: crate::keysend::PaymentHash::from_bytes([i as u8; 32]),
                chan_id: 1,
                htlc_index: u64::from(i),
                amount: Msat::from_sat(21),
                add_index: u64::from(i),
                settle_index: u64::from(i),
                created_at: at,
                settled_at: at,
                records: Records::new(),
            }
        })
        .collect();
    let _ = fixture.index.insert_received(&keysends).unwrap();
    let mut inbox = Inbox::new(fixture.index.clone(), fixture.info.id);
    let _ = inbox.reload(&env);
    let query = inbox.asked.clone().unwrap();
    assert_eq!(
        (query.seek, query.offset),
        (Seek::Start, 0),
        "the first load"
    );
    let rows = fixture.index.inbox(&query).unwrap();
    let page = super::Page {
        offset: 0,
        rows,
        counted: inbox.recount,
        ..Default::default()
    };
    let loaded = Message::Loaded(inbox.generation, Ok((600, page, Vec::new())));
    let _ = inbox.update(loaded, &env);
    let by_offset = |offset: u64, limit: u64| -> Vec<i64> {
        let query = InboxQuery {
            offset,
            limit,
            ..query.clone()
        };
        fixture
            .index
            .inbox(&query)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect()
    };
    // Scroll down past the loaded rows, then to the bottom, then back up.
    for rows_down in [150_u64, 590, 40] {
        let viewport = Viewport {
            offset: rows_down as f32 * super::ROW_HEIGHT,
            height: 600.0,
        };
        assert_eq!(
            units(inbox.update(Message::Scrolled(viewport), &env)),
            1,
            "{rows_down}"
        );
        let asked = inbox.asked.clone().unwrap();
        // Near the top, from the top is as short; deeper, never.
        assert!(
            rows_down < 120 || asked.seek != Seek::Start,
            "{rows_down}: {:?} from the top",
            asked.seek
        );
        assert!(
            asked.offset < 120,
            "{rows_down}: skips {} rows",
            asked.offset
        );
        let at = inbox.page_offset();
        let rows = fixture.index.inbox(&asked).unwrap();
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        assert_eq!(ids, by_offset(at, asked.limit), "{rows_down}");
        let page = super::Page {
            offset: at,
            rows,
            ..Default::default()
        };
        let loaded = Message::Loaded(inbox.generation, Ok((600, page, Vec::new())));
        let _ = inbox.update(loaded, &env);
        assert!(
            inbox.recounted >= inbox.recount,
            "scrolling asks for no count"
        );
    }
    let _ = inbox.update(Message::Arrived, &env);
    assert!(inbox.recounted < inbox.recount, "a new tip is counted");
}
