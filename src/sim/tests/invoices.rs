//! Received keysends: pagination over seeded history, subscription replay,
//! injected keysends and persistence across restarts.

use std::time::Duration;

use tonic::Code;

use super::{admin, admin_sim, sim};
use crate::keysend::record::{KEYSEND_PREIMAGE, MESSAGE, SIGNATURE};
use crate::keysend::{Msat, Records};
use crate::rpc::lnrpc::{Invoice, InvoiceSubscription, ListInvoiceRequest};

fn page(offset: u64, max: u64, reversed: bool) -> ListInvoiceRequest {
    ListInvoiceRequest {
        index_offset: offset,
        num_max_invoices: max,
        reversed,
        ..Default::default()
    }
}

async fn next(stream: &mut tonic::Streaming<Invoice>) -> Invoice {
    tokio::time::timeout(Duration::from_secs(5), stream.message())
        .await
        .unwrap()
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn pagination_over_ten_thousand_seeded_invoices() {
    let (_dir, handle, mut client) = admin_sim(10_000).await;
    let mut offset = 0;
    let mut seen = 0;
    loop {
        let response = client.invoices(page(offset, 1_000, false)).await;
        if response.invoices.is_empty() {
            assert_eq!(
                (response.first_index_offset, response.last_index_offset),
                (0, 0)
            );
            break;
        }
        assert_eq!(response.first_index_offset, offset + 1);
        assert!(
            response
                .invoices
                .windows(2)
                .all(|w| w[0].add_index + 1 == w[1].add_index)
        );
        seen += response.invoices.len();
        offset = response.last_index_offset;
    }
    assert_eq!(seen, 10_000);
    let default = client.invoices(page(0, 0, false)).await;
    assert_eq!(default.invoices.len(), 100, "LND's default page");
    let newest = client.invoices(page(0, 10, true)).await;
    assert_eq!(
        (newest.first_index_offset, newest.last_index_offset),
        (9_991, 10_000)
    );
    assert!(
        newest.invoices[0].add_index < newest.invoices[9].add_index,
        "oldest first even when reversed"
    );
    let before = client.invoices(page(9_991, 5, true)).await;
    assert_eq!(
        (before.first_index_offset, before.last_index_offset),
        (9_986, 9_990)
    );
    let signed = newest
        .invoices
        .iter()
        .filter(|i| i.htlcs[0].custom_records.contains_key(&SIGNATURE))
        .count();
    assert!(signed > 0 && newest.invoices.iter().all(|i| i.is_keysend && i.state == 1));
    handle.shutdown().await;
}

#[tokio::test]
async fn subscribe_replays_adds_then_settles_then_live_events() {
    let (_dir, handle, mut client) = admin_sim(5).await;
    let request = InvoiceSubscription {
        add_index: 3,
        settle_index: 4,
    };
    let mut stream = client
        .lightning
        .subscribe_invoices(request)
        .await
        .unwrap()
        .into_inner();
    let mut replayed = Vec::new();
    for _ in 0..3 {
        let invoice = next(&mut stream).await;
        replayed.push((invoice.add_index, invoice.settle_index, invoice.state));
    }
    assert_eq!(
        replayed,
        [(4, 4, 1), (5, 5, 1), (5, 5, 1)],
        "adds after 3, then settles after 4"
    );
    let records = Records::from([(MESSAGE, b"live!".to_vec())]);
    let hash = handle
        .inject_keysend("bob", Msat::from_sat(21), records)
        .await
        .unwrap();
    let added = next(&mut stream).await;
    assert_eq!(
        (added.add_index, added.state, added.htlcs.len()),
        (6, 0, 0),
        "add event is OPEN"
    );
    let settled = next(&mut stream).await;
    assert_eq!((settled.settle_index, settled.state), (6, 1));
    assert_eq!(settled.r_hash, hash.as_bytes());
    assert_eq!(settled.htlcs[0].custom_records[&MESSAGE], b"live!");
    assert_eq!(settled.htlcs[0].custom_records[&KEYSEND_PREIMAGE].len(), 32);
    let mut settles_only = client
        .lightning
        .subscribe_invoices(InvoiceSubscription {
            add_index: 0,
            settle_index: 5,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(next(&mut settles_only).await.settle_index, 6);
    handle.shutdown().await;
}

#[tokio::test]
async fn restart_resumes_invoices_payments_and_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let handle = sim(dir.path(), 5_000).await;
    let hash = handle
        .inject_keysend("alice", Msat::from_sat(42), Records::new())
        .await
        .unwrap();
    let cert = std::fs::read(handle.tls_cert_path()).unwrap();
    let macaroon = std::fs::read(handle.admin_macaroon_path()).unwrap();
    handle.shutdown().await;

    let started = std::time::Instant::now();
    let handle = sim(dir.path(), 5_000).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "load took {:?}",
        started.elapsed()
    );
    assert_eq!(
        std::fs::read(handle.tls_cert_path()).unwrap(),
        cert,
        "the certificate is reused"
    );
    assert_eq!(
        std::fs::read(handle.admin_macaroon_path()).unwrap(),
        macaroon
    );
    let mut client = admin(&handle).await;
    let newest = client.invoices(page(0, 1, true)).await;
    assert_eq!(newest.last_index_offset, 5_001, "no reseeding on restart");
    let invoice = client.lookup(hash.as_bytes()).await.unwrap();
    assert_eq!(
        (
            invoice.add_index,
            invoice.settle_index,
            invoice.amt_paid_sat
        ),
        (5_001, 5_001, 42)
    );
    assert_eq!(
        client.lookup(&[1; 32]).await.unwrap_err().code(),
        Code::NotFound
    );
    let next_hash = handle
        .inject_keysend("dave", Msat::from_sat(7), Records::new())
        .await
        .unwrap();
    assert_eq!(
        client.lookup(next_hash.as_bytes()).await.unwrap().add_index,
        5_002
    );
    handle.shutdown().await;
}

#[tokio::test]
#[ignore = "timing: run with --ignored"]
async fn hundred_thousand_seed_and_reload_timing() {
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let handle = sim(dir.path(), 100_000).await;
    let seeded = started.elapsed();
    handle.shutdown().await;
    let started = std::time::Instant::now();
    let handle = sim(dir.path(), 100_000).await;
    let loaded = started.elapsed();
    eprintln!("seed+save {seeded:?}, load {loaded:?}");
    handle.shutdown().await;
}

#[tokio::test]
async fn demo_traffic_brings_a_mix_of_keysends() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::sim::SimConfig::new(dir.path());
    config.traffic = Some(Duration::from_millis(20));
    config.payment_latency = Duration::from_millis(5);
    let handle = crate::sim::start(config).await.unwrap();
    let mut client = admin(&handle).await;
    let mut invoices = Vec::new();
    for _ in 0..200 {
        invoices = client.invoices(page(0, 0, false)).await.invoices;
        if invoices.len() >= 7 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        invoices.len() >= 7,
        "only {} keysends arrived",
        invoices.len()
    );
    let records = |i: &Invoice| i.htlcs[0].custom_records.clone();
    assert!(invoices.iter().any(|i| i.amt_paid_sat == 1), "1-sat spam");
    assert!(
        invoices
            .iter()
            .any(|i| records(i).get(&SIGNATURE).is_some_and(|s| s.len() == 10)),
        "malformed"
    );
    assert!(
        invoices
            .iter()
            .any(|i| records(i).contains_key(&crate::keysend::record::BOOSTAGRAM))
    );
    assert!(
        invoices
            .iter()
            .any(|i| records(i).get(&SIGNATURE).is_some_and(|s| s.len() == 64))
    );
    handle.shutdown().await;
}
