//! Receiving keysends through the LND adapter: inbox pages from
//! ListInvoices and the live SubscribeInvoices stream, including a dropped
//! connection resumed from the last settle index.

mod lnd_support;

use std::collections::HashSet;
use std::time::Duration;

use futures::StreamExt;
use lnd_support::{STEP, connect_admin, start, start_with, within};
use satchel::keysend::record::{KEYSEND_PREIMAGE, MESSAGE};
use satchel::keysend::{Msat, PaymentHash, Records};
use satchel::lnd::Lnd;
use satchel::node::{Node, NodeError, NodeStream, ReceivedKeysend};
use satchel::sim::SimHandle;

fn message(text: &str) -> Records {
    Records::from([(MESSAGE, text.as_bytes().to_vec())])
}

async fn inject(sim: &SimHandle, from: &str, text: &str) -> PaymentHash {
    within(sim.inject_keysend(from, Msat::from_sat(10), message(text)))
        .await
        .expect("the keysend settles")
}

async fn next(stream: &mut NodeStream<ReceivedKeysend>) -> Result<ReceivedKeysend, NodeError> {
    within(stream.next())
        .await
        .expect("the stream yields before ending")
}

/// The settle index of a received keysend, read from the inbox.
async fn settle_index_of(node: &Lnd, hash: PaymentHash) -> u64 {
    let page = within(node.received_page(0, 1_000)).await.unwrap();
    page.items
        .iter()
        .find(|i| i.hash == hash)
        .expect("in the inbox")
        .settle_index
}

/// Subscribe again after a drop, retrying while the node is still coming back.
async fn resubscribe(node: &Lnd, after: u64) -> (NodeStream<ReceivedKeysend>, ReceivedKeysend) {
    for _ in 0..50 {
        let mut stream = node.subscribe_received(after);
        match next(&mut stream).await {
            Ok(first) => return (stream, first),
            Err(err) if err.is_transient() => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(err) => panic!("resubscribing failed: {err}"),
        }
    }
    panic!("could not resubscribe within {STEP:?}");
}

#[tokio::test]
async fn inbox_pages_hold_each_message() {
    let sim = start().await;
    let node = connect_admin(&sim.handle).await;
    let mut hashes = Vec::new();
    for (from, text) in [("alice", "one"), ("bob", "two"), ("dave", "three")] {
        hashes.push(inject(&sim.handle, from, text).await);
    }
    let first = within(node.received_page(0, 2)).await.unwrap();
    assert_eq!((first.items.len(), first.scanned), (2, 2));
    let rest = within(node.received_page(first.last_add_index, 2))
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);
    let end = within(node.received_page(rest.last_add_index, 2))
        .await
        .unwrap();
    assert_eq!((end.scanned, end.last_add_index), (0, rest.last_add_index));

    let items: Vec<&ReceivedKeysend> = first.items.iter().chain(&rest.items).collect();
    let got: Vec<PaymentHash> = items.iter().map(|i| i.hash).collect();
    assert_eq!(got, hashes);
    let texts: Vec<&[u8]> = items
        .iter()
        .map(|i| i.records[&MESSAGE].as_slice())
        .collect();
    assert_eq!(texts, vec![&b"one"[..], b"two", b"three"]);
    assert!(
        items
            .iter()
            .all(|i| i.records[&KEYSEND_PREIMAGE].len() == 32 && i.amount == Msat::from_sat(10))
    );
    assert!(items.windows(2).all(|w| w[0].add_index < w[1].add_index));
}

#[tokio::test]
async fn a_dropped_stream_resumes_without_gaps_or_repeats() {
    let sim = start().await;
    let node = connect_admin(&sim.handle).await;
    let baseline = inject(&sim.handle, "alice", "before").await;
    let replayed = inject(&sim.handle, "bob", "replayed").await;
    let after = settle_index_of(&node, baseline).await;

    // Settled after `after`: replayed first, then live.
    let mut stream = node.subscribe_received(after);
    let first = next(&mut stream).await.unwrap();
    assert_eq!(first.hash, replayed);
    let live = inject(&sim.handle, "dave", "live").await;
    let second = next(&mut stream).await.unwrap();
    assert_eq!(
        (second.hash, second.records[&MESSAGE].as_slice()),
        (live, &b"live"[..])
    );

    sim.handle.set_connections_enabled(false);
    let broken = next(&mut stream).await;
    assert!(
        matches!(broken, Err(NodeError::Disconnected(_))),
        "{broken:?}"
    );
    assert!(
        within(stream.next()).await.is_none(),
        "the stream ends after the error"
    );

    let missed = [
        inject(&sim.handle, "alice", "missed 1").await,
        inject(&sim.handle, "bob", "missed 2").await,
    ];
    sim.handle.set_connections_enabled(true);

    let (mut resumed, first_again) = resubscribe(&node, second.settle_index).await;
    let second_again = next(&mut resumed).await.unwrap();
    assert_eq!([first_again.hash, second_again.hash], missed);
    assert!(first_again.settle_index > second.settle_index);
    let newest = inject(&sim.handle, "dave", "after the drop").await;
    assert_eq!(
        next(&mut resumed).await.unwrap().hash,
        newest,
        "nothing repeated before it"
    );
}

/// `subscribe_received(0)` is live only (LND: a settle index of 0 means "not
/// set", so nothing is replayed): earlier keysends never arrive on it.
#[tokio::test]
async fn subscribing_from_zero_replays_nothing() {
    let sim = start().await;
    let node = connect_admin(&sim.handle).await;
    let _earlier = [
        inject(&sim.handle, "alice", "earlier 1").await,
        inject(&sim.handle, "bob", "earlier 2").await,
    ];
    let mut stream = node.subscribe_received(0);
    // Long enough for a replay to arrive, and for the subscription to be in
    // place before the live keysend below.
    let quiet = tokio::time::timeout(Duration::from_millis(1500), stream.next()).await;
    assert!(quiet.is_err(), "nothing replayed: {quiet:?}");
    let live = inject(&sim.handle, "dave", "live").await;
    let first = next(&mut stream).await.unwrap();
    assert_eq!(
        (first.hash, first.records[&MESSAGE].as_slice()),
        (live, &b"live"[..])
    );
}

#[tokio::test]
async fn ten_thousand_invoices_page_in_order() {
    const SEEDED: usize = 10_000;
    let sim = start_with(|config| config.seed_history = SEEDED).await;
    let node = connect_admin(&sim.handle).await;
    let (mut after, mut scanned, mut pages) = (0, 0, 0);
    let mut seen = HashSet::new();
    let mut last_item = 0;
    loop {
        let page = within(node.received_page(after, 1_000)).await.unwrap();
        if page.scanned == 0 {
            assert_eq!(page.last_add_index, after, "an empty page keeps the cursor");
            break;
        }
        assert!(page.last_add_index > after, "pages move forward");
        for item in &page.items {
            assert!(item.add_index > after && item.add_index <= page.last_add_index);
            assert!(item.add_index >= last_item, "items come in add-index order");
            assert!(
                seen.insert((item.hash, item.chan_id, item.htlc_index)),
                "each HTLC once"
            );
            last_item = item.add_index;
        }
        (after, scanned, pages) = (page.last_add_index, scanned + page.scanned, pages + 1);
    }
    assert_eq!(scanned, SEEDED, "every invoice scanned once");
    assert_eq!(after, SEEDED as u64, "add indexes run 1..=10,000");
    assert_eq!(pages, SEEDED / 1_000);
    assert!(
        seen.len() >= SEEDED / 2,
        "most seeded invoices are keysends: {}",
        seen.len()
    );
}
