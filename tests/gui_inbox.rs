//! The Inbox's filters, keys and export against the in-process simulator:
//! tips sent by sim nodes before the app starts are read from the node by
//! the backfill, then filtered, sorted, walked with the keyboard and
//! exported through the same streaming code as the CLI.

mod gui_support;

use gui_support::Harness;
use satchel::gui::Screen;
use satchel::gui::export::Message as ExportMessage;
use satchel::gui::screen::inbox::Message as InboxMessage;
use satchel::gui::screen::sent::Message as SentMessage;
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, format};
use satchel::keysend::record::{BOOSTAGRAM, MESSAGE, SENDER_PUBKEY};
use satchel::keysend::{Msat, Records};
use satchel::store::{AmountUnit, ContactBook};
use satchel::wallet::InboxSort;

/// (sender, sat, message) sent before the app starts.
const TIPS: [(&str, u64, &str); 4] = [
    ("alice", 300, "=HYPERLINK(\"http://evil.example\")"),
    ("bob", 50, "thanks for the show"),
    ("alice", 1_200, "great episode"),
    ("bob", 700, "@SUM(A1:A9)"),
];

fn start() -> Harness {
    Harness::start_after(0, Harness::quiet_settings(), ContactBook::new(), |b| {
        for (from, sat, text) in TIPS {
            let records = Records::from([(MESSAGE, text.as_bytes().to_vec())]);
            let _ = b
                .runtime
                .block_on(b.sim.inject_keysend(from, Msat::from_sat(sat), records))
                .expect("injected");
        }
    })
}

fn inbox(h: &mut Harness, message: InboxMessage) {
    h.update(Message::Session(SessionMessage::Inbox(message)));
}

fn amounts(h: &Harness) -> Vec<u64> {
    let inbox = h.app.session().expect("connected").inbox();
    inbox
        .loaded_rows()
        .iter()
        .map(|r| r.amount.0 / 1000)
        .collect()
}

#[test]
fn export_writes_the_file_neutralised_from_the_path_message() {
    let mut h = start();
    assert_eq!(h.app.session().unwrap().inbox().total(), 4);
    let dir = tempfile::tempdir().unwrap();

    let csv = dir.path().join("tips.csv");
    inbox(
        &mut h,
        InboxMessage::Export(ExportMessage::Picked(Some(csv.clone()))),
    );
    let export = h.app.session().unwrap().inbox().export();
    assert_eq!(export.written(), Some((csv.as_path(), 4)));
    assert!(h.shows(&format!("Exported 4 rows to {}", csv.display())));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("hash,settled_at,amount_msat,"), "{text}");
    assert_eq!(text.lines().count(), 5, "a header and four rows: {text}");
    assert!(text.contains(",'@SUM(A1:A9),"), "neutralised: {text}");
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""),
        "{text}"
    );
    assert!(
        !text.contains(",=HYPERLINK") && !text.contains(",@SUM"),
        "{text}"
    );
    assert!(!dir.path().join("tips.csv.part").exists(), "renamed");

    // A `.json` name: JSON with the raw records.
    inbox(&mut h, InboxMessage::Export(ExportMessage::Dismiss));
    let json = dir.path().join("tips.json");
    inbox(
        &mut h,
        InboxMessage::Export(ExportMessage::Picked(Some(json.clone()))),
    );
    let rows: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let rows = rows.as_array().expect("an array");
    assert_eq!(rows.len(), 4);
    let evil = rows
        .iter()
        .find(|r| r["amount_msat"] == 300_000)
        .expect("the 300 sat tip");
    assert_eq!(evil["message"], TIPS[0].2, "JSON keeps the text as sent");
    assert_eq!(evil["records"][MESSAGE.to_string()], hex::encode(TIPS[0].2));
}

/// The messages of a CSV export, in its order.
fn csv_messages(path: &std::path::Path, column: usize) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).expect("a CSV file");
    reader
        .records()
        .map(|r| r.expect("a row")[column].to_owned())
        .collect()
}

/// The messages of a JSON export, in its order.
fn json_messages(path: &std::path::Path) -> Vec<String> {
    let rows: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    rows.as_array()
        .expect("an array")
        .iter()
        .map(|r| r["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn the_inbox_export_holds_what_the_list_shows_unless_all() {
    let mut h = start();
    let dir = tempfile::tempdir().unwrap();
    let export = |h: &mut Harness, message: ExportMessage| {
        inbox(h, InboxMessage::Export(message));
        inbox(h, InboxMessage::Export(ExportMessage::Dismiss));
    };
    assert!(
        h.shows("Export…") && !h.shows("Export all…"),
        "nothing hidden"
    );
    inbox(&mut h, InboxMessage::SortChanged(InboxSort::LargestFirst));
    assert!(h.shows("Export shown…") && h.shows("Export all…"));
    let largest = h.app.session().unwrap().inbox().loaded_rows()[0].id;
    inbox(&mut h, InboxMessage::Select(largest));
    inbox(&mut h, InboxMessage::UnreadOnlyToggled(true));
    assert_eq!(amounts(&h), vec![700, 300, 50]);
    let amount = |path: &std::path::Path| -> Vec<u64> {
        csv_messages(path, 2)
            .iter()
            .map(|m| m.parse::<u64>().unwrap() / 1000)
            .collect()
    };
    let csv = dir.path().join("shown.csv");
    export(&mut h, ExportMessage::Picked(Some(csv.clone())));
    assert_eq!(
        amount(&csv),
        vec![700, 300, 50],
        "the rows shown, in their order"
    );

    inbox(&mut h, InboxMessage::SearchChanged("thanks".into()));
    assert_eq!(amounts(&h), vec![50]);
    let json = dir.path().join("shown.json");
    export(&mut h, ExportMessage::Picked(Some(json.clone())));
    assert_eq!(json_messages(&json), [TIPS[1].2]);

    let all = dir.path().join("all.csv");
    export(&mut h, ExportMessage::PickedAll(Some(all.clone())));
    assert_eq!(
        amount(&all),
        vec![700, 1_200, 50, 300],
        "every tip, newest first"
    );
}

#[test]
fn the_sent_export_and_search_hold_what_the_list_shows() {
    let mut h = Harness::start_after(0, Harness::quiet_settings(), ContactBook::new(), |b| {
        for (to, text) in [
            ("alice", "coffee for you"),
            ("bob", "tea"),
            ("bob", "more coffee"),
        ] {
            pay(
                b,
                to,
                10,
                Records::from([(MESSAGE, text.as_bytes().to_vec())]),
            );
        }
    });
    h.update(Message::Session(SessionMessage::Navigate(Screen::Sent)));
    let sent = |h: &mut Harness, message: SentMessage| {
        h.update(Message::Session(SessionMessage::Sent(message)));
    };
    let previews = |h: &Harness| -> Vec<String> {
        let rows = h.app.session().unwrap().sent().rows();
        rows.iter().map(|r| r.preview.clone()).collect()
    };
    assert_eq!(previews(&h), ["more coffee", "tea", "coffee for you"]);
    sent(&mut h, SentMessage::SearchChanged("COFFEE".into()));
    assert_eq!(previews(&h), ["more coffee", "coffee for you"]);
    assert!(h.shows("Export shown…") && h.shows("Export all…"));
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("sent.json");
    sent(
        &mut h,
        SentMessage::Export(ExportMessage::Picked(Some(json.clone()))),
    );
    assert_eq!(json_messages(&json), ["more coffee", "coffee for you"]);
    sent(&mut h, SentMessage::Export(ExportMessage::Dismiss));
    let csv = dir.path().join("sent.csv");
    sent(
        &mut h,
        SentMessage::Export(ExportMessage::Picked(Some(csv.clone()))),
    );
    assert_eq!(csv_messages(&csv, 6), ["more coffee", "coffee for you"]);
    sent(&mut h, SentMessage::Export(ExportMessage::Dismiss));
    let all = dir.path().join("all.csv");
    sent(
        &mut h,
        SentMessage::Export(ExportMessage::PickedAll(Some(all.clone()))),
    );
    assert_eq!(csv_messages(&all, 6).len(), 3);
    sent(&mut h, SentMessage::SearchChanged("nothing-like-it".into()));
    assert!(h.shows("Nothing matches"));
}

/// The subtitle says `count` tips adding up to `sat`.
fn assert_shows_total(h: &Harness, count: u64, sat: u64) {
    let inbox = h.app.session().unwrap().inbox();
    assert_eq!(
        (inbox.total(), inbox.filtered_amount()),
        (count, Msat::from_sat(sat))
    );
    let line = format!(
        "{count} tips · {} · below 10 sat hidden",
        format::amount(Msat::from_sat(sat), AmountUnit::Sat)
    );
    assert!(h.shows(&line), "{line}");
}

#[test]
fn sorts_unread_only_and_dates_compose_and_totals_follow() {
    let mut h = start();
    assert_eq!(amounts(&h), vec![700, 1_200, 50, 300], "newest first");
    assert_shows_total(&h, 4, 2_250);

    let orders = [
        (InboxSort::LargestFirst, vec![1_200, 700, 300, 50]),
        (InboxSort::SmallestFirst, vec![50, 300, 700, 1_200]),
        (InboxSort::OldestFirst, vec![300, 50, 1_200, 700]),
    ];
    for (sort, expected) in orders {
        inbox(&mut h, InboxMessage::SortChanged(sort));
        assert_eq!(amounts(&h), expected, "{sort:?}");
    }

    // Read the largest, then only unread: the total follows.
    let largest = h.app.session().unwrap().inbox().loaded_rows()[2].id;
    inbox(&mut h, InboxMessage::Select(largest));
    inbox(&mut h, InboxMessage::UnreadOnlyToggled(true));
    assert_eq!(amounts(&h), vec![300, 50, 700]);
    assert_shows_total(&h, 3, 1_050);

    // With a search too.
    inbox(&mut h, InboxMessage::SearchChanged("thanks".into()));
    assert_eq!(amounts(&h), vec![50]);
    inbox(&mut h, InboxMessage::SearchChanged(String::new()));

    // A typed date that is not one is said; the list stays.
    inbox(&mut h, InboxMessage::FromChanged("2025-13-45".into()));
    assert!(h.shows("From \"2025-13-45\" is not a date: write YYYY-MM-DD, e.g. 2025-01-31"));
    assert_eq!(h.app.session().unwrap().inbox().total(), 3);
    // A range in the past holds none of today's tips.
    inbox(&mut h, InboxMessage::FromChanged("2000-01-01".into()));
    inbox(&mut h, InboxMessage::ToChanged("2000-01-31".into()));
    assert_eq!(h.app.session().unwrap().inbox().total(), 0);
    assert!(h.shows("Nothing matches"));
    // Up to today (UTC) they are back.
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    inbox(&mut h, InboxMessage::ToChanged(today));
    assert_eq!(h.app.session().unwrap().inbox().total(), 3);
    inbox(&mut h, InboxMessage::ClearFilters);
    assert_eq!(h.app.session().unwrap().inbox().total(), 4);
}

#[test]
fn keys_move_through_the_list_and_enter_opens() {
    let mut h = start();
    let key = |h: &mut Harness, m: SessionMessage| h.update(Message::Session(m));
    for _ in 0..3 {
        key(&mut h, SessionMessage::ListMove(1));
    }
    key(&mut h, SessionMessage::ListMove(-1));
    let inbox = h.app.session().unwrap().inbox();
    assert_eq!(inbox.cursor(), Some(1));
    let second = inbox.loaded_rows()[1].id;
    assert_eq!(inbox.opened(), None, "moving does not open");
    key(&mut h, SessionMessage::ListOpen);
    assert_eq!(h.app.session().unwrap().inbox().opened(), Some(second));
    assert!(h.shows("great episode"), "its detail is shown");
}

/// A bLIP-10 boostagram leg of boost `uuid`.
fn boostagram(uuid: &str, episode: &str, who: &str, total_sat: u64) -> Records {
    let json = serde_json::json!({
        "podcast": "Noded",
        "episode": episode,
        "sender_name": who,
        "boost_uuid": uuid,
        "value_msat_total": total_sat * 1000,
        "message": format!("boost from {who}"),
        "action": "boost",
    });
    Records::from([(BOOSTAGRAM, json.to_string().into_bytes())])
}

fn pay(b: &gui_support::Before<'_>, to: &str, sat: u64, records: Records) {
    b.pay(to, sat, records);
}

#[test]
fn boosts_show_grouped_with_totals_and_supporters_received_and_sent() {
    let mut h = Harness::start_after(0, Harness::quiet_settings(), ContactBook::new(), |b| {
        let legs = [
            ("alice", 40, boostagram("u1", "Ep 1", "ann", 100)),
            ("bob", 60, boostagram("u1", "Ep 1", "ann", 100)),
            ("alice", 25, boostagram("u2", "Ep 2", "ben", 25)),
        ];
        for (from, sat, records) in legs {
            let _ = b
                .runtime
                .block_on(b.sim.inject_keysend(from, Msat::from_sat(sat), records))
                .expect("injected");
        }
        pay(b, "alice", 30, boostagram("s1", "Ep 9", "me", 50));
        pay(b, "bob", 20, boostagram("s1", "Ep 9", "me", 50));
        pay(
            b,
            "bob",
            5,
            Records::from([(MESSAGE, b"plain tip".to_vec())]),
        );
    });
    inbox(&mut h, InboxMessage::ShowBoosts(true));
    let shown = h.app.session().unwrap().inbox().boosts().expect("loaded");
    let boosts = shown.boosts();
    assert_eq!(boosts.len(), 2, "two legs of u1 are one boost: {boosts:?}");
    let u1 = boosts
        .iter()
        .find(|b| b.boost_uuid.as_deref() == Some("u1"))
        .expect("u1");
    assert_eq!(
        (u1.legs.len(), u1.received, u1.claimed_total),
        (2, Msat::from_sat(100), Some(Msat::from_sat(100)))
    );
    let noded = &shown.totals()[0];
    assert_eq!(
        (noded.episode.as_deref(), noded.received),
        (None, Msat::from_sat(125))
    );
    let ranked: Vec<_> = shown
        .supporters()
        .iter()
        .map(|s| (s.claimed_name.clone(), s.received))
        .collect();
    assert_eq!(
        ranked,
        vec![
            (Some("ann".into()), Msat::from_sat(100)),
            (Some("ben".into()), Msat::from_sat(25))
        ]
    );
    assert!(h.shows("2 legs · 100 sat received here"));
    assert!(h.shows("Per podcast and episode"));
    assert!(h.shows("Names given (not proven)"));

    // The To date: up to yesterday (UTC) holds none of today's boosts, in
    // the list, the totals and the supporters; up to today they are back.
    let day = |days_ago: i64| {
        (chrono::Utc::now() - chrono::Duration::days(days_ago))
            .format("%Y-%m-%d")
            .to_string()
    };
    inbox(&mut h, InboxMessage::ToChanged(day(1)));
    let shown = h.app.session().unwrap().inbox().boosts().expect("loaded");
    assert_eq!(
        (
            shown.boosts().len(),
            shown.totals().len(),
            shown.supporters().len()
        ),
        (0, 0, 0),
        "before today: none"
    );
    inbox(&mut h, InboxMessage::ToChanged(day(0)));
    let shown = h.app.session().unwrap().inbox().boosts().expect("loaded");
    assert_eq!(shown.boosts().len(), 2, "up to today: all");
    inbox(&mut h, InboxMessage::FromChanged(day(0)));
    let shown = h.app.session().unwrap().inbox().boosts().expect("loaded");
    assert_eq!(
        shown.totals()[0].received,
        Msat::from_sat(125),
        "today only"
    );
    inbox(&mut h, InboxMessage::ToChanged(String::new()));
    inbox(&mut h, InboxMessage::FromChanged(String::new()));

    // Our own boosts, grouped the same way in Sent.
    h.update(Message::Session(SessionMessage::Navigate(Screen::Sent)));
    h.update(Message::Session(SessionMessage::Sent(
        SentMessage::ShowBoosts(true),
    )));
    let sent = h.app.session().unwrap().sent().boosts().expect("loaded");
    assert_eq!(sent.len(), 1, "the plain tip is no boost: {sent:?}");
    assert_eq!(
        (sent[0].legs.len(), sent[0].delivered),
        (2, Msat::from_sat(50))
    );
    assert!(h.shows("2 legs · 50 sat of 50 sat delivered"));
}

#[test]
fn conversations_merge_both_sides_in_time_order_and_open_read() {
    let mut h = Harness::start_after(0, Harness::quiet_settings(), ContactBook::new(), |b| {
        let alice = b.sim.node_id("alice").expect("alice");
        let records = Records::from([
            (MESSAGE, b"hi there".to_vec()),
            (SENDER_PUBKEY, alice.as_bytes().to_vec()),
        ]);
        let _ = b
            .runtime
            .block_on(b.sim.inject_keysend("alice", Msat::from_sat(21), records))
            .expect("injected");
        pay(
            b,
            "alice",
            30,
            Records::from([(MESSAGE, b"hello back".to_vec())]),
        );
    });
    let alice = h.node("alice");
    let unread = h.app.session().unwrap().unread();
    inbox(&mut h, InboxMessage::ShowThreads(true));
    let threads = h.app.session().unwrap().inbox().threads().expect("shown");
    let listed: Vec<_> = threads
        .list()
        .iter()
        .map(|t| (t.peer, t.received, t.sent, t.unread))
        .collect();
    assert_eq!(listed, vec![(alice, 1, 1, 1)]);
    assert!(h.shows("1 unread"));

    inbox(&mut h, InboxMessage::OpenThread(alice));
    let threads = h.app.session().unwrap().inbox().threads().unwrap();
    let texts: Vec<_> = threads
        .messages()
        .expect("open")
        .iter()
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(
        texts,
        vec!["hi there", "hello back"],
        "oldest first, both sides"
    );
    assert_eq!(threads.list()[0].unread, 0, "opening reads it");
    assert_eq!(h.app.session().unwrap().unread(), unread - 1);
    assert!(h.shows("hello back") && h.shows("claimed"));
}
