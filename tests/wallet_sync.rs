//! Inbox sync against the simulator over real gRPC: backfill of a large
//! history, live follow, and reconnects that neither miss nor duplicate.

mod wallet_support;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use satchel::keysend::PaymentHash;
use satchel::wallet::{self, FollowEvent, InboxQuery, SyncPhase, SyncProgress};
use tokio::task::JoinHandle;
use wallet_support::*;

fn total(world: &World) -> u64 {
    world.index.count(&InboxQuery::default()).unwrap()
}

#[tokio::test]
async fn backfill_ten_thousand_then_follow_a_live_keysend() {
    let world = world(|config| config.seed_history = 10_000).await;
    let mut seen: Vec<SyncProgress> = Vec::new();
    let stats = within(wallet::backfill(&world.node, &world.index, |p| {
        seen.push(p);
    }))
    .await
    .unwrap();
    assert_eq!(
        (stats.received_new, stats.invoices_scanned),
        (10_000, 10_000)
    );
    assert_eq!(total(&world), 10_000);
    let received_pages = seen
        .iter()
        .filter(|p| p.phase == SyncPhase::Received)
        .count();
    assert!(
        received_pages >= 10,
        "one progress report per page of 1000: {received_pages}"
    );
    let cursors = world.index.cursors().unwrap();
    assert_eq!(
        seen.iter()
            .rfind(|p| p.phase == SyncPhase::Received)
            .unwrap()
            .position,
        cursors.add_index
    );
    assert!(cursors.settle_index >= 10_000);

    let again = within(wallet::backfill(&world.node, &world.index, |_| {}))
        .await
        .unwrap();
    assert_eq!(again.received_new, 0, "a second backfill finds nothing new");

    let mut live = Box::pin(wallet::follow(world.node.clone(), world.index.clone()));
    assert!(matches!(next(&mut live).await, FollowEvent::Connected));
    let hash = within(
        world
            .sim
            .inject_keysend("alice", sats(21), message("live one")),
    )
    .await
    .unwrap();
    let row = match next(&mut live).await {
        FollowEvent::Received(row) => row,
        other => panic!("expected the live keysend, got {other:?}"),
    };
    assert_eq!(
        (row.hash, row.amount, row.preview.as_str(), row.unread),
        (hash, sats(21), "live one", true)
    );
    assert_eq!(total(&world), 10_001);
    let newest = world
        .index
        .inbox(&InboxQuery {
            limit: 1,
            ..InboxQuery::default()
        })
        .unwrap();
    assert_eq!(newest[0].id, row.id);
}

#[tokio::test]
async fn cut_connections_lose_nothing_and_duplicate_nothing() {
    let world = world(|_| {}).await;
    let (events, collector) = follow_in_background(&world).await;
    let mut injected = HashSet::new();
    for round in 0..3 {
        for n in 0..5 {
            let text = format!("round {round} number {n}");
            let hash = within(
                world
                    .sim
                    .inject_keysend("bob", sats(10 + n), message(&text)),
            )
            .await
            .unwrap();
            assert!(injected.insert(hash));
        }
        if round == 0 {
            world.sim.set_connections_enabled(false);
            eventually(|| has_reconnecting(&events)).await;
        }
        if round == 1 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            world.sim.set_connections_enabled(true);
        }
    }
    eventually(|| total(&world) == 15).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(total(&world), 15, "exactly the injected keysends");
    let received = received_hashes(&events);
    assert_eq!(received.len(), 15, "each keysend reported once");
    assert_eq!(received.into_iter().collect::<HashSet<_>>(), injected);
    collector.abort();
    let catch_up = within(wallet::backfill(&world.node, &world.index, |_| {}))
        .await
        .unwrap();
    assert_eq!(
        catch_up.received_new, 0,
        "follow missed nothing that backfill would find"
    );
}

fn has_reconnecting(events: &Mutex<Vec<FollowEvent>>) -> bool {
    events
        .lock()
        .unwrap()
        .iter()
        .any(|e| matches!(e, FollowEvent::Reconnecting { .. }))
}

/// The hashes of the keysends the follower reported, in order.
fn received_hashes(events: &Mutex<Vec<FollowEvent>>) -> Vec<PaymentHash> {
    let events = events.lock().unwrap();
    let received = events.iter().filter_map(|event| match event {
        FollowEvent::Received(row) => Some(row.hash),
        _ => None,
    });
    received.collect()
}

/// Follow the inbox until it is connected, then keep following in a task
/// that records every event in the returned list.
async fn follow_in_background(world: &World) -> (Arc<Mutex<Vec<FollowEvent>>>, JoinHandle<()>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let mut live = Box::pin(wallet::follow(world.node.clone(), world.index.clone()));
    assert!(matches!(next(&mut live).await, FollowEvent::Connected));
    let sink = events.clone();
    let collector = tokio::spawn(async move {
        while let Some(event) = live.next().await {
            sink.lock().unwrap().push(event);
        }
    });
    (events, collector)
}

/// LND reads a zero settle index as "no replay": keysends that settle while
/// the very first subscription is down must still be caught up.
#[tokio::test]
async fn keysends_settled_before_the_first_cursor_are_caught_up() {
    let world = world(|_| {}).await;
    let early = within(world.sim.inject_keysend("alice", sats(3), message("early")))
        .await
        .unwrap();
    let (events, collector) = follow_in_background(&world).await;
    eventually(|| total(&world) == 1).await;
    world.sim.set_connections_enabled(false);
    eventually(|| has_reconnecting(&events)).await;
    let mut injected = HashSet::from([early]);
    for n in 0..4 {
        let hash = within(
            world
                .sim
                .inject_keysend("bob", sats(5), message(&format!("cut {n}"))),
        )
        .await
        .unwrap();
        assert!(injected.insert(hash));
    }
    world.sim.set_connections_enabled(true);
    eventually(|| total(&world) == 5).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = received_hashes(&events);
    collector.abort();
    assert_eq!(received.len(), 5, "each keysend reported once");
    assert_eq!(received.into_iter().collect::<HashSet<_>>(), injected);
}
