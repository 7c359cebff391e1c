//! Value for value figures (issue 12): parsing a 5 MB feed with 1,000
//! items, and a 10-leg boost from the confirmation to every leg in flight
//! (every leg journaled and handed to the node; routing excluded), against
//! the simulator over real TLS gRPC.
//!
//! Run: `cargo bench --bench v4v`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use futures::StreamExt;
use satchel::keysend::Msat;
use satchel::lnd::ConnectSpec;
use satchel::node::SharedNode;
use satchel::podcast::{Episode, Feed, select};
use satchel::store::FeeLimit;
use satchel::wallet::boost::{self, BoostEvent, BoostInput};
use satchel::wallet::boost_store::BoostStore;
use satchel::wallet::{Journal, SendEvent};

/// A feed of `items` items, each with a value block and padding text, of
/// about `target` bytes.
fn big_feed(items: usize, target: usize) -> String {
    let recipient = |name: &str, key: &str, split: u32| {
        format!(
            r#"<podcast:valueRecipient name="{name}" type="node" address="{key}" split="{split}"/>"#
        )
    };
    let dave = "029aee6a477e5324ec906fcd82a684b5f1f13e5dc335ed59e95bbdcc8d355739d6";
    let carol = "02fd8f2e0a3a45bf03a937e52bc286c96a7b8ba02fd84f6f6cce85259c601dd02a";
    let block = format!(
        r#"<podcast:value type="lightning" method="keysend">{}{}</podcast:value>"#,
        recipient("Dave", dave, 90),
        recipient("Carol", carol, 10)
    );
    let head = format!(
        r#"<?xml version="1.0"?><rss xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>Big show</title><podcast:guid>g</podcast:guid>{block}"#
    );
    let per_item = target / items;
    let mut xml = head;
    for i in 0..items {
        let item_head = format!(
            "<item><title>Episode {i} &amp; friends</title><guid>ep-{i}</guid><pubDate>Mon, 07 Dec 2026 00:00:00 GMT</pubDate>{block}<description><![CDATA["
        );
        let pad = per_item.saturating_sub(item_head.len() + 40);
        xml.push_str(&item_head);
        xml.push_str(&"lorem ipsum dolor sit amet ".repeat(pad / 27));
        xml.push_str("]]></description></item>\n");
    }
    xml.push_str("</channel></rss>");
    xml
}

fn parse(c: &mut Criterion) {
    let xml = big_feed(1_000, 5 * 1024 * 1024 - 64 * 1024);
    println!("feed: {} bytes, 1,000 items", xml.len());
    assert!(xml.len() <= satchel::podcast::feed::MAX_FEED_BYTES);
    let feed = Feed::parse(xml.as_bytes()).unwrap();
    assert_eq!(feed.items.len(), 1_000);
    let _ = c.bench_function("parse a 5 MB feed with 1,000 items", |b| {
        b.iter(|| Feed::parse(xml.as_bytes()).unwrap());
    });
}

/// The simulator, a connected node, and a profile (journal, boosts).
struct World {
    node: SharedNode,
    journal: Journal,
    store: BoostStore,
    _sim: satchel::sim::SimHandle,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    satchel::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let mut config = satchel::sim::SimConfig::new(dir.path().join("lnd"));
    config.payment_latency = Duration::from_millis(5);
    let sim = satchel::sim::start(config).await.unwrap();
    let address = format!("localhost:{}", sim.addr().port());
    let spec =
        ConnectSpec::from_files(&address, sim.tls_cert_path(), sim.admin_macaroon_path()).unwrap();
    let node: SharedNode = Arc::new(satchel::lnd::connect(&spec).await.unwrap());
    let journal = Journal::open(&dir.path().join("p/journal.db")).unwrap();
    let store = BoostStore::open(&dir.path().join("p")).unwrap();
    World {
        node,
        journal,
        store,
        _sim: sim,
        _dir: dir,
    }
}

/// Ten legs: five demo nodes, each twice behind a different customValue.
fn ten_leg_feed() -> String {
    let nodes = [
        "029aee6a477e5324ec906fcd82a684b5f1f13e5dc335ed59e95bbdcc8d355739d6",
        "02fd8f2e0a3a45bf03a937e52bc286c96a7b8ba02fd84f6f6cce85259c601dd02a",
        "02a3bd9c5c24bdb77e134570c71aeba950aca4941497c90f15335f2f34ac2783b6",
        "03ed56bd0e8904f40279bd083e0b00eac4ed5245134d7432d80aab3e85d8edae90",
        "0342b813b4b60ff70a864b02b4761f6155d43b2c0bfa10bb90e25119215bb5fa42",
    ];
    let mut recipients = String::new();
    for (i, key) in nodes.iter().enumerate() {
        for wallet in ["a", "b"] {
            recipients.push_str(&format!(
                r#"<podcast:valueRecipient name="R{i}{wallet}" type="node" address="{key}" customKey="696969" customValue="{wallet}" split="10"/>"#
            ));
        }
    }
    format!(
        r#"<rss xmlns:podcast="x"><channel><title>Ten</title><podcast:value type="lightning" method="keysend">{recipients}</podcast:value></channel></rss>"#
    )
}

fn boost_in_flight(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let world = runtime.block_on(world());
    let info = runtime.block_on(world.node.info()).unwrap();
    let feed = Feed::parse(ten_leg_feed().as_bytes()).unwrap();
    let selected = select(feed, None, &Episode::Show).unwrap();
    let block = selected.block.clone().unwrap();
    let mut group = c.benchmark_group("boost");
    let _ = group
        .sample_size(20)
        .measurement_time(Duration::from_secs(20));
    let _ = group.bench_function("10-leg boost, confirmation to all legs in flight", |b| {
        b.iter_custom(|iterations| {
            runtime.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    let split = boost::split_with_ledger(&world.store, &block, 100).unwrap();
                    let input = BoostInput {
                        node: &world.node,
                        info: &info,
                        balance: None,
                        store: &world.store,
                        fee_limit: FeeLimit::Fixed(Msat::from_sat(10)),
                    };
                    let prepared = boost::prepare_boost(
                        input,
                        "bench".into(),
                        selected.context.clone(),
                        &split,
                    )
                    .await
                    .unwrap();
                    assert_eq!(prepared.jobs.len(), 10);
                    // The user confirmed: from here to every leg in flight.
                    let started = Instant::now();
                    let mut events = Box::pin(boost::dispatch(
                        world.node.clone(),
                        world.journal.clone(),
                        world.store.clone(),
                        prepared,
                    ));
                    let mut in_flight = 0;
                    while in_flight < 10 {
                        match events.next().await {
                            Some(BoostEvent::Leg {
                                event: SendEvent::Started { .. },
                                ..
                            }) => in_flight += 1,
                            Some(BoostEvent::Failed(e)) => panic!("{e}"),
                            Some(_) => {}
                            None => panic!("ended before every leg was in flight"),
                        }
                    }
                    total += started.elapsed();
                    // Let the payments finish before the next boost.
                    while events.next().await.is_some() {}
                }
                total
            })
        });
    });
    group.finish();
}

criterion_group!(benches, parse, boost_in_flight);
criterion_main!(benches);
