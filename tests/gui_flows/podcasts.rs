//! The Podcasts screen against the simulator: a feed added from a file is
//! shown display-safe with its value block; a boost is previewed leg by leg,
//! confirmed once (a double click sends nothing twice), every leg reported;
//! the failed leg is retried with the same boost id; a boost left
//! unfinished before a restart is offered and finished; what earlier boosts
//! owe is shown and settled in whole sats.

use std::collections::BTreeMap;

use satchel::gui::screen::podcasts::{Message as PodcastsMessage, Stage};
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::keysend::{Msat, NodeId};
use satchel::node::PaymentStatus;
use satchel::podcast::Leg;
use satchel::podcast::boost::BoostContext;
use satchel::store::ContactBook;
use satchel::wallet::boost_store::{BoostRecord, BoostStore, LegState};

use super::gui_support::Harness;

fn podcasts(h: &mut Harness, message: PodcastsMessage) {
    h.update(Message::Session(SessionMessage::Podcasts(message)));
}

fn screen(h: &Harness) -> &satchel::gui::screen::podcasts::Podcasts {
    h.app.session().expect("connected").podcasts()
}

fn open(h: &mut Harness) {
    h.update(Message::Session(SessionMessage::Navigate(Screen::Podcasts)));
}

/// A feed whose show block pays Dave 50, Alice 40, erin 9 (erin refuses
/// keysends) and Bob a 1 % fee; its title carries a bidi override.
fn feed_file(h: &Harness, dir: &std::path::Path) -> std::path::PathBuf {
    let recipient = |name: &str, node: &str, split: u32, fee: bool| {
        format!(
            r#"<podcast:valueRecipient name="{name}" type="node" address="{}" split="{split}" fee="{fee}"/>"#,
            h.node(node).to_hex()
        )
    };
    let xml = format!(
        r#"<?xml version="1.0"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel>
  <title>Test Show&#x202E;</title>
  <podcast:value type="lightning" method="keysend">
    {}{}{}{}
    <podcast:valueRecipient name="Lnaddress" type="lnaddress" address="a@b.c" split="5"/>
  </podcast:value>
  <item><title>Episode 1</title><guid>ep-1</guid></item>
</channel>
</rss>"#,
        recipient("Dave", "dave", 50, false),
        recipient("Alice", "alice", 40, false),
        recipient("erin", "erin", 9, false),
        recipient("Bob", "bob", 1, true),
    );
    let path = dir.join("show.xml");
    std::fs::write(&path, xml).unwrap();
    path
}

/// Succeeded payments per destination, in sats.
fn paid(h: &Harness) -> BTreeMap<NodeId, Vec<u64>> {
    let node = h.client();
    let page = h.runtime.block_on(node.sent_page(0, 1000)).unwrap();
    let mut paid: BTreeMap<NodeId, Vec<u64>> = BTreeMap::new();
    for p in page
        .items
        .iter()
        .filter(|p| matches!(p.status, PaymentStatus::Succeeded { .. }))
    {
        paid.entry(p.destination.unwrap())
            .or_default()
            .push(p.amount.sats());
    }
    paid
}

fn done(h: &Harness) -> BoostRecord {
    match screen(h).stage() {
        Stage::Done(record) => record.clone(),
        other => panic!("not done: {other:?} ({:?})", screen(h).error()),
    }
}

fn states(record: &BoostRecord) -> Vec<(String, u64, LegState)> {
    record
        .legs
        .iter()
        .map(|l| (l.leg.name.clone(), l.leg.amount.sats(), l.state))
        .collect()
}

#[test]
fn a_boost_is_previewed_confirmed_once_and_its_failed_leg_retried() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    let dir = tempfile::tempdir().unwrap();
    let file = feed_file(&h, dir.path());
    open(&mut h);
    podcasts(&mut h, PodcastsMessage::FilePicked(Some(file.clone())));
    assert_eq!(screen(&h).feeds(), [file.display().to_string()]);
    let saved = std::fs::read_to_string(h.profile.podcasts_file()).unwrap();
    assert!(saved.contains("show.xml"), "{saved}");
    assert!(h.shows("Test Show"), "the title, without its bidi override");
    assert!(h.shows("Episode 1"));
    let block = screen(&h).selected().unwrap().block.clone().unwrap();
    assert_eq!(
        block.skipped.len(),
        1,
        "the lnaddress recipient is not payable"
    );
    assert_eq!(block.recipients.len(), 4);

    // 10 sats: Bob's 1 % fee rounds to 0 and is warned about.
    podcasts(&mut h, PodcastsMessage::EpisodePicked(None));
    podcasts(&mut h, PodcastsMessage::AmountChanged("10".into()));
    let preview = screen(&h).preview().unwrap().clone();
    let sats: Vec<u64> = preview.legs.iter().map(|l| l.amount.sats()).collect();
    assert_eq!(sats.iter().sum::<u64>(), 10);
    assert_eq!(sats[3], 0, "Bob's fee leg gets 0 sats at 10");
    assert!(preview.pays_everyone_from.is_some());
    assert!(h.shows("0 sats"));

    podcasts(&mut h, PodcastsMessage::Preset(1_000));
    podcasts(&mut h, PodcastsMessage::MessageChanged("great show".into()));
    podcasts(&mut h, PodcastsMessage::SenderChanged("listener".into()));
    // The Boost button sits below the preview (scrolled into view by the
    // user); its message is what the click sends.
    podcasts(&mut h, PodcastsMessage::Boost);
    assert!(matches!(screen(&h).stage(), Stage::Confirm(_)));
    // A double click: the second finds nothing to confirm.
    h.interact(|ui| {
        let _ = ui.click("Confirm and send").expect("confirm");
        let _ = ui.click("Confirm and send").expect("still drawn");
    });
    let record = done(&h);
    use LegState::*;
    assert_eq!(
        states(&record),
        [
            ("Dave".into(), 500, Succeeded),
            ("Alice".into(), 400, Succeeded),
            ("erin".into(), 90, Failed),
            ("Bob".into(), 10, Succeeded),
        ]
    );
    let by_node = paid(&h);
    assert_eq!(by_node[&h.node("dave")], [500]);
    assert_eq!(by_node[&h.node("alice")], [400]);
    assert_eq!(by_node[&h.node("bob")], [10]);
    assert!(h.shows("Retry failed legs"));

    h.interact(|ui| {
        let _ = ui.click("Retry failed legs").expect("retry");
    });
    h.interact(|ui| {
        let _ = ui.click("Confirm and send").expect("confirm the retry");
    });
    let retried = done(&h);
    assert_eq!(retried.id, record.id, "the same boost id");
    assert_eq!(retried.legs[2].attempt, 1);
    assert_eq!(retried.legs[2].state, Failed, "erin refuses again");
    assert_eq!(paid(&h), by_node, "no paid leg was sent again");
    assert_eq!(screen(&h).unfinished().len(), 1);

    // Removing the feed forgets it, in the saved list too.
    podcasts(&mut h, PodcastsMessage::Dismiss);
    h.interact(|ui| {
        let _ = ui.click("Remove").expect("the remove link");
    });
    assert!(screen(&h).feeds().is_empty());
    assert!(screen(&h).selected().is_none());
    let saved = std::fs::read_to_string(h.profile.podcasts_file()).unwrap();
    assert!(!saved.contains("show.xml"), "{saved}");
}

/// A boost recorded before a crash (no leg sent), and an earlier boost
/// whose legs all rounded to 0 sats (2.5 sats owed to Alice).
fn crashed_profile(before: &super::gui_support::Before<'_>) -> String {
    let me = before.sim.user_node();
    let store = BoostStore::open_node(before.profile, &me).unwrap();
    let node = |name: &str| before.sim.node_id(name).unwrap();
    let leg = |name: &str, who: &str, sats: u64, exact: u64| Leg {
        name: name.into(),
        node: node(who),
        custom: None,
        split: 1,
        fee: false,
        exact: Msat(exact),
        amount: Msat::from_sat(sats),
    };
    let owed = BoostRecord::new(
        "owed".into(),
        "f".into(),
        BoostContext::default(),
        &[leg("Alice", "alice", 0, 2_500)],
    );
    store.record(&owed).unwrap();
    let context = BoostContext {
        podcast: "Crashed Show".into(),
        total_msat: 30_000,
        ..BoostContext::default()
    };
    let crashed = BoostRecord::new(
        "crashed".into(),
        "f".into(),
        context,
        &[
            leg("Dave", "dave", 20, 20_000),
            leg("Carol", "carol", 10, 10_000),
        ],
    );
    store.record(&crashed).unwrap();
    crashed.id
}

#[test]
fn an_unfinished_boost_is_offered_after_a_restart_and_owed_sats_are_settled() {
    let mut h = Harness::start_after(0, Harness::quiet_settings(), ContactBook::new(), |b| {
        let _ = crashed_profile(b);
    });
    open(&mut h);
    let unfinished = screen(&h).unfinished().to_vec();
    assert_eq!(unfinished.len(), 1);
    assert_eq!(unfinished[0].id, "crashed");
    assert!(h.shows("Boost to Crashed Show: 2 leg(s) open"));
    let owed: Vec<(String, i64)> = screen(&h)
        .owed()
        .iter()
        .map(|o| (o.row.name.clone(), o.owed_msat()))
        .collect();
    assert!(owed.contains(&("Alice".into(), 2_500)), "{owed:?}");

    h.interact(|ui| {
        let _ = ui.click("Retry").expect("the retry button");
    });
    h.interact(|ui| {
        let _ = ui.click("Confirm and send").expect("confirm");
    });
    let record = done(&h);
    assert_eq!(record.id, "crashed");
    assert!(record.complete(), "{record:#?}");
    assert!(screen(&h).unfinished().is_empty());
    podcasts(&mut h, PodcastsMessage::Dismiss);

    // Alice is owed 2.5 sats: Settle pays her 2, the 500 msat stays owed.
    h.interact(|ui| {
        let _ = ui.click("Settle").expect("the settle button");
    });
    h.interact(|ui| {
        let _ = ui
            .click("Confirm and send")
            .expect("confirm the settlement");
    });
    let settled = done(&h);
    assert_eq!(states(&settled), [("Alice".into(), 2, LegState::Succeeded)]);
    let alice = screen(&h)
        .owed()
        .iter()
        .find(|o| o.row.name == "Alice")
        .unwrap()
        .clone();
    assert_eq!((alice.row.paid.0, alice.owed_msat()), (2_000, 500));
    assert_eq!(paid(&h)[&h.node("alice")], [2]);
    assert_eq!(paid(&h)[&h.node("dave")], [20]);
}

/// Serve `body` for `/feed.xml` and 404 for anything else, on 127.0.0.1.
fn serve_feed(body: String) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut first = String::new();
            let _ = reader.read_line(&mut first);
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 2 {
                line.clear();
            }
            let (status, body) = match first.starts_with("GET /feed.xml ") {
                true => ("200 OK", body.as_str()),
                false => ("404 Not Found", ""),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    }));
    base
}

#[test]
fn a_feed_added_by_url_is_fetched_and_a_missing_one_says_why() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    let dir = tempfile::tempdir().unwrap();
    let xml = std::fs::read_to_string(feed_file(&h, dir.path())).unwrap();
    let base = serve_feed(xml);
    open(&mut h);
    assert!(h.shows("No podcast open"));

    podcasts(
        &mut h,
        PodcastsMessage::UrlChanged(format!("{base}/gone.xml")),
    );
    podcasts(&mut h, PodcastsMessage::AddUrl);
    assert_eq!(
        screen(&h).error(),
        Some("the server answered 404"),
        "a specific reason"
    );
    assert!(screen(&h).selected().is_none());

    podcasts(
        &mut h,
        PodcastsMessage::UrlChanged(format!("{base}/feed.xml")),
    );
    podcasts(&mut h, PodcastsMessage::AddUrl);
    assert_eq!(screen(&h).error(), None);
    assert_eq!(screen(&h).feeds().len(), 2);
    let selected = screen(&h).selected().expect("the served feed is open");
    assert_eq!(
        selected.context.url.as_deref(),
        Some(format!("{base}/feed.xml").as_str()),
        "boosts carry the feed's url"
    );
    assert!(h.shows("Test Show"));
}
