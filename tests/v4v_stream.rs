//! Streams against the simulator over real gRPC, on a test clock moved by
//! hand (an hour of stream time takes a second): exact totals over the
//! spec's example block, a recipient that refuses keysend stays owed while
//! the others are paid, the node going away and one catch-up batch within
//! the cap, and bLIP-10 records with action "stream" on every leg.

mod wallet_support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use satchel::clock::{Clock, TestClock};
use satchel::keysend::{Boostagram, Msat, NodeId, record};
use satchel::node::{PaymentStatus, SharedNode};
use satchel::podcast::{Episode, Feed, select};
use satchel::store::FeeLimit;
use satchel::wallet::stream::{
    BatchReport, Control, Engine, NewStream, StreamEvent, Target, open_or_create,
};
use satchel::wallet::stream_store::{StreamState, StreamStore};
use tokio::sync::mpsc;
use wallet_support::{World, within, world};

const START_MS: i64 = 1_796_601_600_000; // 2026-12-07 00:00 UTC

/// A feed whose show block is `recipients` (name, sim node, split, fee).
fn feed(world: &World, recipients: &[(&str, &str, u32, bool)]) -> Target {
    let lines: String = recipients
        .iter()
        .map(|(name, node, split, fee)| {
            format!(
                r#"<podcast:valueRecipient name="{name}" type="node" address="{}" split="{split}" fee="{fee}"/>"#,
                world.sim.node_id(node).unwrap()
            )
        })
        .collect();
    let xml = format!(
        r#"<rss xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>
<title>Stream test</title><podcast:guid>stream-guid</podcast:guid>
<podcast:value type="lightning" method="keysend">{lines}</podcast:value>
<item><title>Ep 1</title><guid>ep-1</guid></item></channel></rss>"#
    );
    let selected = select(Feed::parse(xml.as_bytes()).unwrap(), None, &Episode::Show).unwrap();
    let windows = satchel::wallet::stream_vts::windows(&selected);
    Target::Feed {
        block: selected.block.unwrap(),
        context: selected.context,
        windows,
    }
}

/// The spec's example block: Adam 49, Dave 46, Dreb 5, Podcast Index 1 % fee.
fn spec_block(world: &World) -> Target {
    feed(
        world,
        &[
            ("Adam", "alice", 49, false),
            ("Dave", "bob", 46, false),
            ("Dreb", "carol", 5, false),
            ("Podcast Index", "dave", 1, true),
        ],
    )
}

struct Running {
    clock: TestClock,
    control: mpsc::UnboundedSender<Control>,
    events: mpsc::UnboundedReceiver<StreamEvent>,
    store: StreamStore,
    id: String,
    task: tokio::task::JoinHandle<()>,
}

async fn start(
    world: &World,
    target: Target,
    rate_sats: u64,
    cap: Option<u64>,
    minutes: Option<u64>,
) -> Running {
    let clock = TestClock::at(START_MS);
    let store = StreamStore::open(&world.dir.path().join("profile")).unwrap();
    let new = NewStream {
        target_text: "test".into(),
        episode: String::new(),
        rate_msat_hour: rate_sats * 60_000,
        batch_minutes: 5,
        cap: cap.map(Msat::from_sat),
        context: Default::default(),
    };
    let row = open_or_create(&store, &new, clock.now_ms()).unwrap();
    let engine = Engine {
        node: world.node.clone(),
        journal: world.journal.clone(),
        store: store.clone(),
        clock: Arc::new(clock.clone()),
        info: world.node.info().await.unwrap(),
        fee_limit: FeeLimit::Fixed(Msat::from_sat(10)),
        target,
    };
    let (control, control_rx) = mpsc::unbounded_channel();
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let id = row.id.clone();
    let task = tokio::spawn(async move {
        let _ = engine.run(row, control_rx, minutes, events_tx).await;
    });
    // Stream time starts when the engine does.
    assert!(matches!(
        within(events.recv()).await,
        Some(StreamEvent::Started(_))
    ));
    Running {
        clock,
        control,
        events,
        store,
        id,
        task,
    }
}

impl Running {
    /// Move the clock `minutes` forward and wait for the batch that follows.
    async fn batch_after(&mut self, minutes: u64) -> BatchReport {
        self.clock.advance(Duration::from_secs(60 * minutes));
        self.next_batch().await
    }

    async fn next_batch(&mut self) -> BatchReport {
        loop {
            match within(self.events.recv()).await.expect("the engine runs") {
                StreamEvent::Batch(report) => return report,
                StreamEvent::Failed(reason) => panic!("{reason}"),
                _ => {}
            }
        }
    }

    /// Events until the engine ends.
    async fn until_end(&mut self) -> Vec<StreamEvent> {
        let mut seen = Vec::new();
        while let Some(event) = within(self.events.recv()).await {
            seen.push(event);
        }
        seen
    }
}

/// Succeeded payments per destination, in msat.
async fn paid(node: &SharedNode) -> BTreeMap<NodeId, u64> {
    let page = within(node.sent_page(0, 1000)).await.unwrap();
    let mut paid = BTreeMap::new();
    for p in page
        .items
        .iter()
        .filter(|p| matches!(p.status, PaymentStatus::Succeeded { .. }))
    {
        *paid.entry(p.destination.unwrap()).or_default() += p.amount.0;
    }
    paid
}

#[tokio::test]
async fn an_hour_at_10_sats_a_minute_pays_600_sats_less_what_is_owed() {
    let world = world(|_| {}).await;
    let mut run = start(&world, spec_block(&world), 10, None, Some(60)).await;
    for _ in 0..12 {
        let report = run.batch_after(5).await;
        assert!(report.legs.iter().all(|l| l.error.is_none()), "{report:?}");
    }
    let report = run.next_batch().await; // the stop's batch
    let _ = run.until_end().await;
    let ledger = &report.ledger;
    assert_eq!(ledger.len(), 4);
    let accrued: u64 = ledger.iter().map(|r| r.accrued.0).sum();
    assert_eq!(accrued, 600_000, "60 minutes of 10 sats, to the msat");
    for row in ledger {
        assert_eq!(row.accrued.0, row.paid.0 + row.owed().0);
        assert!(row.owed() < Msat(1_000), "{} owes {}", row.name, row.owed());
    }
    let by_node = paid(&world.node).await;
    let total: u64 = by_node.values().sum();
    let owed: u64 = ledger.iter().map(|r| r.owed().0).sum();
    assert_eq!(total + owed, 600_000);
    assert_eq!(
        total, 599_000,
        "Adam 291, Dave 273, Dreb 29, Podcast Index 6"
    );
    assert_eq!(by_node[&world.sim.node_id("dave").unwrap()], 6_000);
    let row = run.store.get(&run.id).unwrap();
    assert_eq!(row.state, StreamState::Stopped);
    assert!(run.store.check_invariant().unwrap().is_empty());
    run.task.await.unwrap();
}

#[tokio::test]
async fn each_leg_carries_a_stream_boostagram() {
    let world = world(|_| {}).await;
    let mut run = start(&world, spec_block(&world), 10, None, Some(5)).await;
    let report = run.batch_after(5).await;
    let _ = run.until_end().await;
    let legs = run.store.legs_of(&run.id).unwrap();
    // Podcast Index's 500 msat is under a sat: no leg, it stays owed.
    assert_eq!(legs.len(), 3);
    for leg in &legs {
        let entry = world
            .journal
            .get(&leg.intent_id)
            .unwrap()
            .expect("journaled");
        let gram = Boostagram::parse(&entry.keysend.records[&record::BOOSTAGRAM]).unwrap();
        assert_eq!(gram.action.as_deref(), Some("stream"));
        assert_eq!(gram.value_msat, Some(leg.amount.0));
        assert_eq!(gram.value_msat_total, Some(report.paid.0));
        assert_eq!(gram.boost_uuid.as_deref(), Some(report.batch_uuid.as_str()));
        assert_eq!(gram.ts, Some(300));
        assert_eq!(gram.guid.as_deref(), Some("stream-guid"));
        assert_eq!(gram.message, None);
    }
}

#[tokio::test]
async fn a_recipient_refusing_keysend_stays_owed_while_the_others_are_paid() {
    let world = world(|_| {}).await;
    let target = feed(
        &world,
        &[("Bob", "bob", 50, false), ("Erin", "erin", 50, false)],
    );
    let mut run = start(&world, target, 10, None, Some(10)).await;
    let first = run.batch_after(5).await;
    let erin = world.sim.node_id("erin").unwrap();
    let refused: Vec<_> = first.legs.iter().filter(|l| l.node == erin).collect();
    assert_eq!(refused.len(), 1);
    assert!(refused[0].error.is_some());
    let _second = run.batch_after(5).await;
    let last = run.next_batch().await;
    let _ = run.until_end().await;
    let row = |node: NodeId| last.ledger.iter().find(|r| r.node == node).unwrap().clone();
    let bob = row(world.sim.node_id("bob").unwrap());
    assert_eq!((bob.paid, bob.owed()), (Msat::from_sat(50), Msat::ZERO));
    let erin_row = row(erin);
    assert_eq!(
        (erin_row.paid, erin_row.owed()),
        (Msat::ZERO, Msat::from_sat(50))
    );
    assert!(erin_row.last_error.is_some(), "the refusal is shown");
    assert!(!paid(&world.node).await.contains_key(&erin));
    assert!(run.store.check_invariant().unwrap().is_empty());
}

#[tokio::test]
async fn the_node_away_for_ten_minutes_is_caught_up_in_one_batch_within_the_cap() {
    let world = world(|_| {}).await;
    let target = feed(&world, &[("Bob", "bob", 1, false)]);
    let mut run = start(&world, target, 10, Some(200), None).await;
    assert_eq!(run.batch_after(5).await.paid, Msat::from_sat(50));
    world.sim.set_connections_enabled(false);
    assert_eq!(run.batch_after(5).await.paid, Msat::ZERO);
    assert_eq!(run.batch_after(5).await.paid, Msat::ZERO);
    world.sim.set_connections_enabled(true);
    let catch_up = run.batch_after(5).await;
    assert_eq!(catch_up.legs.len(), 1, "one leg, one batch");
    assert_eq!(catch_up.paid, Msat::from_sat(150), "minutes 5 to 20");
    // The cap (200 sat) stops minute 21: paused with the reason, nothing more.
    run.clock.advance(Duration::from_secs(60 * 5));
    let mut capped = None;
    loop {
        match within(run.events.recv()).await.unwrap() {
            StreamEvent::Capped { reason } => capped = Some(reason),
            StreamEvent::Batch(report) => {
                assert_eq!(report.paid, Msat::ZERO);
                break;
            }
            _ => {}
        }
    }
    let reason = capped.expect("the cap paused the stream");
    assert!(reason.contains("cap of 200 sat"), "{reason}");
    let row = run.store.get(&run.id).unwrap();
    assert_eq!(row.state, StreamState::Paused);
    run.control.send(Control::Leave).unwrap();
    let _ = run.until_end().await;
    let total: u64 = paid(&world.node).await.values().sum();
    assert_eq!(total, 200_000, "exactly the cap, never above");
    assert!(run.store.check_invariant().unwrap().is_empty());
}

#[tokio::test]
async fn missed_periods_of_a_recurring_tip_are_paid_once() {
    use satchel::wallet::recurring::{self, Every, Payer};
    let world = world(|_| {}).await;
    let store = StreamStore::open(&world.dir.path().join("profile")).unwrap();
    let alice = world.sim.node_id("alice").unwrap();
    let id = recurring::add(
        &store,
        "alice",
        alice,
        Msat::from_sat(21),
        Every::Day,
        Some("thanks"),
        START_MS,
    )
    .unwrap();
    let info = world.node.info().await.unwrap();
    let payer = Payer {
        node: &world.node,
        journal: &world.journal,
        info: &info,
        fee_limit: FeeLimit::Fixed(Msat::from_sat(10)),
        store: &store,
        feeds: &recurring::FeedBlocks::new(),
    };
    // Satchel was not run for ten days.
    let later = START_MS + 10 * 86_400_000;
    let outcomes = within(recurring::run(&payer, later)).await.unwrap();
    assert_eq!(outcomes.len(), 1);
    assert!(outcomes[0].paid, "{outcomes:?}");
    assert_eq!(outcomes[0].due.missed, 10);
    assert!(
        within(recurring::run(&payer, later + 1_000))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        paid(&world.node).await[&alice],
        21_000,
        "once, not eleven times"
    );
    assert_eq!(
        recurring::last_paid(&store, id).unwrap(),
        Some(Every::Day.period(later))
    );
    // The next day is due again, once.
    let next = within(recurring::run(&payer, later + 86_400_000))
        .await
        .unwrap();
    assert!(next[0].paid);
    assert_eq!(paid(&world.node).await[&alice], 42_000);
}

#[tokio::test]
async fn a_recurring_tip_to_a_value_block_pays_its_splits_with_action_auto() {
    use satchel::wallet::recurring::{self, Every, FeedBlocks, Payer};
    let world = world(|_| {}).await;
    let store = StreamStore::open(&world.dir.path().join("profile")).unwrap();
    let Target::Feed { block, context, .. } = spec_block(&world) else {
        unreachable!()
    };
    let first = block.recipients[0].node;
    let feed_url = "https://example.com/stream.xml";
    let id = recurring::add_feed(
        &store,
        "Stream test",
        first,
        feed_url,
        Msat::from_sat(100),
        Every::Month,
        Some("monthly thanks"),
        START_MS,
    )
    .unwrap();
    assert_eq!(
        recurring::feeds_due(&store, START_MS).unwrap(),
        vec![feed_url.to_owned()]
    );
    let mut feeds = FeedBlocks::new();
    let _ = feeds.insert(feed_url.to_owned(), Ok((block, context)));
    let info = world.node.info().await.unwrap();
    let payer = Payer {
        node: &world.node,
        journal: &world.journal,
        info: &info,
        fee_limit: FeeLimit::Fixed(Msat::from_sat(10)),
        store: &store,
        feeds: &feeds,
    };
    let outcomes = within(recurring::run(&payer, START_MS)).await.unwrap();
    assert!(outcomes[0].paid, "{outcomes:?}");
    // 100 sat over Adam 49, Dave 46, Dreb 5 after Podcast Index's 1 % fee.
    let by_node = paid(&world.node).await;
    let node = |n: &str| world.sim.node_id(n).unwrap();
    assert_eq!(by_node[&node("dave")], 1_000, "the fee off the top");
    assert_eq!(
        by_node.values().sum::<u64>(),
        100_000,
        "the whole tip, once"
    );
    assert!(by_node[&node("alice")] > by_node[&node("bob")]);
    // Every leg's records: action "auto", its amount, the tip's total, one boost_uuid.
    let grams: Vec<Boostagram> = recurring::leg_intents(&store, id)
        .unwrap()
        .iter()
        .map(|intent| {
            let entry = world.journal.get(intent).unwrap().expect("journaled");
            Boostagram::parse(&entry.keysend.records[&record::BOOSTAGRAM]).unwrap()
        })
        .collect();
    assert_eq!(grams.len(), 4);
    for gram in &grams {
        assert_eq!(gram.action.as_deref(), Some("auto"));
        assert_eq!(gram.value_msat_total, Some(100_000));
        assert_eq!(gram.boost_uuid, grams[0].boost_uuid);
        assert_eq!(gram.message.as_deref(), Some("monthly thanks"));
        assert_eq!(gram.guid.as_deref(), Some("stream-guid"));
    }
    assert_eq!(
        grams.iter().filter_map(|g| g.value_msat).sum::<u64>(),
        100_000
    );
    // Paid once for the month.
    assert!(
        within(recurring::run(&payer, START_MS + 86_400_000))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        recurring::last_paid(&store, id).unwrap(),
        Some(Every::Month.period(START_MS))
    );
}

/// A tiny HTTP server on 127.0.0.1 serving `body` at `/remote.xml` (404
/// elsewhere); its base URL.
fn serve_remote_feed(body: String) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let (status, body) = if request.starts_with("GET /remote.xml ") {
                ("200 OK", body.as_str())
            } else {
                ("404 Not Found", "")
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    }));
    base
}

#[tokio::test]
async fn a_value_time_split_fetches_the_remote_feed_and_pays_its_item() {
    use satchel::wallet::stream_vts::fetch_remote;
    let world = world(|_| {}).await;
    let node = |n: &str| world.sim.node_id(n).unwrap();
    let remote = format!(
        r#"<rss xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>
<title>Remote</title><podcast:guid>remote-feed</podcast:guid>
<item><title>Song</title><guid>song-1</guid>
<podcast:value type="lightning" method="keysend">
<podcast:valueRecipient name="Band" type="node" address="{}" split="100"/>
</podcast:value></item></channel></rss>"#,
        node("carol")
    );
    let base = serve_remote_feed(remote);
    let host = format!(
        r#"<rss xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>
<title>Host</title><podcast:guid>host-feed</podcast:guid>
<podcast:value type="lightning" method="keysend">
<podcast:valueRecipient name="Host" type="node" address="{alice}" split="100"/>
<podcast:valueTimeSplit startTime="0" duration="600" remotePercentage="90">
<podcast:remoteItem feedGuid="remote-feed" itemGuid="song-1" feedUrl="{base}/remote.xml"/>
</podcast:valueTimeSplit>
<podcast:valueTimeSplit startTime="600" duration="600" remotePercentage="90">
<podcast:remoteItem feedGuid="remote-feed" itemGuid="song-2" feedUrl="{base}/remote.xml"/>
</podcast:valueTimeSplit>
<podcast:valueTimeSplit startTime="1200" duration="600" remotePercentage="90">
<podcast:remoteItem feedGuid="gone-feed" itemGuid="x" feedUrl="{base}/gone.xml"/>
</podcast:valueTimeSplit>
</podcast:value>
<item><title>Ep 1</title><guid>ep-1</guid></item></channel></rss>"#,
        alice = node("alice")
    );
    let selected = select(Feed::parse(host.as_bytes()).unwrap(), None, &Episode::Show).unwrap();
    let mut windows = satchel::wallet::stream_vts::windows(&selected);
    assert!(windows.iter().all(|w| w.block.is_err()), "not fetched yet");
    within(fetch_remote(
        &mut windows,
        &[],
        None,
        &satchel::web::Web::direct(),
    ))
    .await;
    let remote_block = windows[0].block.as_ref().expect("the remote item's block");
    assert_eq!(remote_block.recipients[0].node, node("carol"));
    let missing = windows[1].block.as_ref().unwrap_err();
    assert!(missing.contains("song-2 is not in the feed"), "{missing}");
    let gone = windows[2].block.as_ref().unwrap_err();
    assert!(gone.contains("could not be read"), "{gone}");

    let target = Target::Feed {
        block: selected.block.unwrap(),
        context: selected.context,
        windows,
    };
    let mut run = start(&world, target, 10, None, Some(30)).await;
    for _ in 0..2 {
        let _ = run.batch_after(5).await;
    }
    let by_node = paid(&world.node).await;
    assert_eq!(by_node[&node("carol")], 90_000, "90 % of 10 minutes");
    assert_eq!(by_node[&node("alice")], 10_000);
    // The next windows pay the host, and say why.
    run.clock.advance(Duration::from_secs(60 * 20));
    let events = run.until_end().await;
    let notes: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            StreamEvent::Note(n) => Some(n.clone()),
            _ => None,
        })
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("paying the host block")
            && n.contains("song-2 is not in the feed")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.contains("could not be read")),
        "{notes:?}"
    );
    let by_node = paid(&world.node).await;
    assert_eq!(by_node[&node("carol")], 90_000);
    assert_eq!(
        by_node[&node("alice")],
        210_000,
        "the host block: 20 more minutes"
    );
}

/// A feed block of two recipients: Host (alice, 90 %) and Guest (`guest`,
/// 10 %), as the feed at `url` gives it.
fn host_and_guest(world: &World, url: &str, guest: &str) -> satchel::wallet::recurring::FeedBlocks {
    let Target::Feed { block, context, .. } = feed(
        world,
        &[("Host", "alice", 90, false), ("Guest", guest, 10, false)],
    ) else {
        unreachable!()
    };
    let mut feeds = satchel::wallet::recurring::FeedBlocks::new();
    let _ = feeds.insert(url.to_owned(), Ok((block, context)));
    feeds
}

/// A run of the recurring tips at `at`, with `feeds` loaded.
async fn run_recurring(
    world: &World,
    store: &StreamStore,
    feeds: &satchel::wallet::recurring::FeedBlocks,
    at: i64,
) -> Vec<satchel::wallet::recurring::RunOutcome> {
    let info = world.node.info().await.unwrap();
    let payer = satchel::wallet::recurring::Payer {
        node: &world.node,
        journal: &world.journal,
        info: &info,
        fee_limit: FeeLimit::Fixed(Msat::from_sat(10)),
        store,
        feeds,
    };
    within(satchel::wallet::recurring::run(&payer, at))
        .await
        .unwrap()
}

/// A feed tip of 100 sat a month to `url`, added at the start.
fn monthly_feed_tip(world: &World, store: &StreamStore, url: &str) -> i64 {
    use satchel::wallet::recurring::{self, Every};
    recurring::add_feed(
        store,
        "Host and guest",
        world.sim.node_id("alice").unwrap(),
        url,
        Msat::from_sat(100),
        Every::Month,
        None,
        START_MS,
    )
    .unwrap()
}

/// A feed tip whose split has a leg that fails (ivan behaves like an Eclair
/// node with keysend off) is paid for its period with that leg owed: later
/// runs send only that leg again (never the paid ones), at most
/// `LEG_ATTEMPTS` times in all.
#[tokio::test]
async fn a_failed_leg_of_a_recurring_feed_tip_is_tried_again_alone() {
    use satchel::wallet::recurring::{self, LEG_ATTEMPTS};
    let world = world(|_| {}).await;
    let store = StreamStore::open(&world.dir.path().join("profile")).unwrap();
    let url = "https://example.com/retry.xml";
    let node = |n: &str| world.sim.node_id(n).unwrap();
    let id = monthly_feed_tip(&world, &store, url);

    // First run: the host's 90 sat go, the guest's 10 fail at ivan.
    let broken = host_and_guest(&world, url, "ivan");
    let outcomes = run_recurring(&world, &store, &broken, START_MS).await;
    assert!(outcomes[0].paid, "the period counts as paid: {outcomes:?}");
    assert_eq!(paid(&world.node).await[&node("alice")], 90_000);
    let period = recurring::last_paid(&store, id)
        .unwrap()
        .expect("the period is paid");
    assert_eq!(recurring::leg_intents(&store, id).unwrap().len(), 2);
    // The feed is still wanted for the retry, though nothing is due.
    let later = START_MS + 3_600_000;
    assert_eq!(
        recurring::feeds_due(&store, later).unwrap(),
        vec![url.to_owned()]
    );

    // Later runs try the guest's leg alone, up to LEG_ATTEMPTS in all.
    for _ in 1..LEG_ATTEMPTS + 2 {
        let outcomes = run_recurring(&world, &store, &broken, later).await;
        assert!(outcomes.is_empty(), "nothing new is due");
    }
    let intents = recurring::leg_intents(&store, id).unwrap();
    assert_eq!(intents.len(), 1 + LEG_ATTEMPTS, "{intents:?}");
    assert_eq!(
        paid(&world.node).await[&node("alice")],
        90_000,
        "the host's leg is never sent again"
    );
    assert!(!paid(&world.node).await.contains_key(&node("ivan")));
    assert!(
        recurring::feeds_due(&store, later).unwrap().is_empty(),
        "attempts used up"
    );
    assert_eq!(recurring::last_paid(&store, id).unwrap(), Some(period));

    // A fresh period with a fixed feed: the whole split is paid at once.
    let next_month = START_MS + 40 * 86_400_000;
    let fixed = host_and_guest(&world, url, "carol");
    let outcomes = run_recurring(&world, &store, &fixed, next_month).await;
    assert!(outcomes[0].paid, "{outcomes:?}");
    assert_eq!(paid(&world.node).await[&node("carol")], 10_000);
}

/// A failed leg tried again pays the node the feed names now for that
/// share, and the period becomes whole: each leg paid exactly once.
#[tokio::test]
async fn a_retried_leg_pays_the_share_once_the_feed_is_fixed() {
    use satchel::wallet::recurring;
    let world = world(|_| {}).await;
    let store = StreamStore::open(&world.dir.path().join("profile")).unwrap();
    let url = "https://example.com/fixed.xml";
    let node = |n: &str| world.sim.node_id(n).unwrap();
    let _ = monthly_feed_tip(&world, &store, url);
    for (guest, at) in [("ivan", START_MS), ("carol", START_MS + 3_600_000)] {
        let feeds = host_and_guest(&world, url, guest);
        let _ = run_recurring(&world, &store, &feeds, at).await;
    }
    let by_node = paid(&world.node).await;
    assert_eq!(by_node[&node("alice")], 90_000);
    assert_eq!(by_node[&node("carol")], 10_000, "the retried share");
    assert_eq!(
        by_node.values().sum::<u64>(),
        100_000,
        "the whole tip, once"
    );
    assert!(
        recurring::feeds_due(&store, START_MS + 7_200_000)
            .unwrap()
            .is_empty(),
        "nothing left to retry"
    );
}
