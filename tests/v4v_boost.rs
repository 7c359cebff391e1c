//! Boosts through the wallet against the simulator over real gRPC: every
//! leg of the demo feed's value block is paid once, in parallel, each with
//! its bLIP-10 record; a leg that fails is retried alone with the same
//! boost id, and a paid leg is never sent again.

mod wallet_support;

use std::collections::BTreeMap;

use futures::StreamExt;
use satchel::keysend::{Boostagram, Msat, NodeId, record};
use satchel::node::{PaymentStatus, SharedNode};
use satchel::podcast::boost::BoostContext;
use satchel::podcast::{DEMO_FEED, Episode, Feed, select};
use satchel::store::FeeLimit;
use satchel::wallet::boost::{self, BoostEvent, BoostInput, LegJob, PreparedBoost};
use satchel::wallet::boost_store::{BoostRecord, BoostStore, LegState};
use wallet_support::{World, connect, within, world};

fn demo_context(world: &World, episode: &Episode) -> (satchel::podcast::ValueBlock, BoostContext) {
    let _ = world;
    let selected = select(Feed::parse(DEMO_FEED).unwrap(), None, episode).unwrap();
    let mut context = selected.context.clone();
    context.message = Some("great episode".into());
    context.sender_name = Some("listener".into());
    (selected.block.unwrap(), context)
}

async fn input<'a>(
    world: &'a World,
    store: &'a BoostStore,
    info: &'a satchel::node::NodeInfo,
) -> BoostInput<'a> {
    BoostInput {
        node: &world.node,
        info,
        balance: world.node.balance().await.ok(),
        store,
        fee_limit: FeeLimit::Fixed(Msat::from_sat(10)),
    }
}

/// Dispatch and collect every event until the end; the final record.
async fn run(
    world: &World,
    store: &BoostStore,
    prepared: PreparedBoost,
) -> (Vec<BoostEvent>, BoostRecord) {
    let events: Vec<BoostEvent> = within(
        boost::dispatch(
            world.node.clone(),
            world.journal.clone(),
            store.clone(),
            prepared,
        )
        .collect(),
    )
    .await;
    let Some(BoostEvent::Finished(record)) = events.last().cloned() else {
        panic!("no final record: {events:?}");
    };
    (events, record)
}

/// Succeeded payments per destination.
async fn paid_by_destination(node: &SharedNode) -> BTreeMap<NodeId, Vec<u64>> {
    let page = within(node.sent_page(0, 1000)).await.unwrap();
    let mut paid: BTreeMap<NodeId, Vec<u64>> = BTreeMap::new();
    for p in page
        .items
        .iter()
        .filter(|p| matches!(p.status, PaymentStatus::Succeeded { .. }))
    {
        paid.entry(p.destination.expect("a keysend names its destination"))
            .or_default()
            .push(p.amount.sats());
    }
    paid
}

#[tokio::test]
async fn every_leg_is_paid_once_with_its_boostagram() {
    let world = world(|_| {}).await;
    let store = BoostStore::open(&world.dir.path().join("profile")).unwrap();
    let info = world.node.info().await.unwrap();
    let (block, context) = demo_context(&world, &Episode::Latest);
    let split = boost::split_with_ledger(&store, &block, 100).unwrap();
    let sats: Vec<u64> = split.legs.iter().map(|l| l.amount.sats()).collect();
    assert_eq!(
        sats,
        [59, 20, 15, 5, 1],
        "Dave, Alice, Carol, Grace, Bob's 1 % fee"
    );
    let prepared = boost::prepare_boost(
        input(&world, &store, &info).await,
        "demo".into(),
        context,
        &split,
    )
    .await
    .unwrap();
    assert_eq!(prepared.jobs.len(), 5);
    let (events, record) = run(&world, &store, prepared).await;
    assert!(matches!(events[0], BoostEvent::Recorded { ref id } if *id == record.id));
    assert!(record.complete(), "{record:#?}");
    let started = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                BoostEvent::Leg {
                    event: satchel::wallet::SendEvent::Started { .. },
                    ..
                }
            )
        })
        .count();
    assert_eq!(started, 5);

    let paid = paid_by_destination(&world.node).await;
    for leg in &record.legs {
        assert_eq!(
            paid[&leg.leg.node],
            [leg.leg.amount.sats()],
            "{} paid once",
            leg.leg.name
        );
    }
    // The ledger: accrued = paid + owed, and everything exact was paid here.
    for row in store.ledger().unwrap() {
        assert_eq!(row.accrued.0 as i64, row.paid.0 as i64 + row.owed());
    }

    // Dave received the bLIP-10 record of his leg.
    let dave = world.sim.node_id("dave").unwrap();
    let dave_handle = within(world.sim.serve_node("dave", world.dir.path().join("dave")))
        .await
        .unwrap();
    let dave_node = connect(&dave_handle).await;
    let received = within(dave_node.received_page(0, 100)).await.unwrap();
    let leg = record.legs.iter().find(|l| l.leg.node == dave).unwrap();
    let got = received
        .items
        .iter()
        .find(|r| Some(r.hash) == leg.hash)
        .expect("dave got his leg");
    let boost = Boostagram::parse(&got.records[&record::BOOSTAGRAM]).unwrap();
    assert_eq!(boost.action.as_deref(), Some("boost"));
    assert_eq!(boost.value_msat, Some(59_000));
    assert_eq!(boost.value_msat_total, Some(100_000));
    assert_eq!(boost.boost_uuid.as_deref(), Some(record.id.as_str()));
    assert_eq!(boost.uuid.as_deref(), Some(leg.uuid.as_str()));
    assert_eq!(boost.name.as_deref(), Some("Dave (host)"));
    assert_eq!(boost.app_name.as_deref(), Some("Satchel"));
    assert_eq!(boost.message.as_deref(), Some("great episode"));
    assert_eq!(boost.sender_name.as_deref(), Some("listener"));
    assert_eq!(
        boost.podcast.as_deref(),
        Some("Dave's Bitcoin Podcast (demo)")
    );
    assert_eq!(
        boost.episode.as_deref(),
        Some("Episode 3: Alice on keysend")
    );
    assert_eq!(boost.episode_guid.as_deref(), Some("demo-episode-3"));
    assert_eq!(
        boost.guid.as_deref(),
        Some("5c9e7a3b-8d2f-5e41-9b6a-1f0c2d3e4a5b")
    );
    let uuids: std::collections::BTreeSet<&str> =
        record.legs.iter().map(|l| l.uuid.as_str()).collect();
    assert_eq!(uuids.len(), 5, "one uuid per leg");
}

#[tokio::test]
async fn a_failed_leg_is_retried_alone_with_the_same_boost_id() {
    let world = world(|_| {}).await;
    let store = BoostStore::open(&world.dir.path().join("profile")).unwrap();
    let info = world.node.info().await.unwrap();
    let erin = world.sim.node_id("erin").unwrap();
    let feed = DEMO_FEED_WITH_ERIN.replace("ERIN", &erin.to_string());
    let selected = select(Feed::parse(feed.as_bytes()).unwrap(), None, &Episode::Show).unwrap();
    let block = selected.block.unwrap();
    let split = boost::split_with_ledger(&store, &block, 50).unwrap();
    let prepared = boost::prepare_boost(
        input(&world, &store, &info).await,
        "f".into(),
        selected.context,
        &split,
    )
    .await
    .unwrap();
    let (_, record) = run(&world, &store, prepared).await;
    assert!(!record.complete());
    let states: Vec<LegState> = record.legs.iter().map(|l| l.state).collect();
    assert_eq!(states, [LegState::Succeeded, LegState::Failed]);
    let before = paid_by_destination(&world.node).await;

    let plan = boost::plan_retry(
        input(&world, &store, &info).await,
        &world.journal,
        &record.id,
    )
    .await
    .unwrap();
    assert_eq!(plan.jobs.len(), 1, "only the failed leg");
    assert!(matches!(plan.jobs[0], (1, LegJob::Retry(_))));
    let (_, again) = run(&world, &store, plan).await;
    assert_eq!(again.id, record.id);
    let erin_leg = &again.legs[1];
    assert_eq!((erin_leg.attempt, erin_leg.state), (1, LegState::Failed));
    assert_eq!(erin_leg.uuid, record.legs[1].uuid);
    let entry = world
        .journal
        .get(&erin_leg.intent_id)
        .unwrap()
        .expect("journaled");
    let sent = Boostagram::parse(&entry.keysend.records[&record::BOOSTAGRAM]).unwrap();
    assert_eq!(sent.boost_uuid.as_deref(), Some(record.id.as_str()));
    assert_eq!(sent.uuid.as_deref(), Some(erin_leg.uuid.as_str()));
    assert_eq!(
        paid_by_destination(&world.node).await,
        before,
        "nothing paid twice"
    );
    // A failure cannot be retried twice at once: the second plan sees attempt 1.
    let plan = boost::plan_retry(
        input(&world, &store, &info).await,
        &world.journal,
        &record.id,
    )
    .await
    .unwrap();
    assert!(matches!(plan.jobs[..], [(1, LegJob::Retry(_))]));
}

const DEMO_FEED_WITH_ERIN: &str = r#"<rss xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>
<title>Erin refuses keysend</title>
<podcast:value type="lightning" method="keysend">
  <podcast:valueRecipient name="Dave" type="node" address="029aee6a477e5324ec906fcd82a684b5f1f13e5dc335ed59e95bbdcc8d355739d6" split="50"/>
  <podcast:valueRecipient name="Erin" type="node" address="ERIN" split="50"/>
</podcast:value></channel></rss>"#;
