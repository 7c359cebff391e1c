//! Record decoding and sender verification, on one core.
//!
//! Targets (BENCHMARKS.md): decoding >= 1,000,000 records/s without
//! verification; verification reported per signature.
//!
//! Run: `cargo bench --bench decode`.

mod support;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use satchel::keysend::identity::{node_id_of, sign_thunderhub};
use satchel::keysend::incoming::{self, Sender};
use satchel::keysend::{Records, record};
use support::{Lcg, recipient, sender_key, signed_records};

/// A received tip: preimage, ~100-byte message, Whatsat sender, timestamp,
/// signature (5 records).
fn signed_tip() -> Records {
    let text = support::message(&mut Lcg(7), false);
    signed_records(1, &text, 3, &recipient(), None)
}

/// The same tip signed the ThunderHub way (z-base-32 recoverable signature).
fn thunderhub_tip() -> Records {
    let text = support::message(&mut Lcg(7), false);
    let secret = sender_key(3);
    let sender = node_id_of(&secret);
    let mut records = Records::new();
    let _ = records.insert(record::KEYSEND_PREIMAGE, support::preimage(1).to_vec());
    let _ = records.insert(record::MESSAGE, text.clone().into_bytes());
    let _ = records.insert(record::SENDER_PUBKEY, sender.as_bytes().to_vec());
    let signature = sign_thunderhub(&secret, &sender, &text);
    let _ = records.insert(record::SIGNATURE, signature.into_bytes());
    records
}

fn decoding(c: &mut Criterion) {
    let tip = signed_tip();
    let boost = signed_records(
        2,
        &support::message(&mut Lcg(8), false),
        4,
        &recipient(),
        Some("Tech Talk"),
    );
    let page: Vec<Records> = support::synthetic(1_000)
        .into_iter()
        .map(|k| k.records)
        .collect();
    let page_records: usize = page.iter().map(Records::len).sum();

    let mut group = c.benchmark_group("decode");
    let _ = group.throughput(Throughput::Elements(tip.len() as u64));
    let _ = group.bench_function("signed tip (5 records)", |b| {
        b.iter(|| incoming::decode(black_box(&tip)));
    });
    let _ = group.throughput(Throughput::Elements(boost.len() as u64));
    let _ = group.bench_function("signed boostagram (6 records)", |b| {
        b.iter(|| incoming::decode(black_box(&boost)));
    });
    let _ = group.throughput(Throughput::Elements(page_records as u64));
    let _ = group.bench_function(format!("page of 1000 tips ({page_records} records)"), |b| {
        b.iter(|| {
            for records in &page {
                drop(black_box(incoming::decode(black_box(records))));
            }
        });
    });
    group.finish();
}

fn verifying(c: &mut Criterion) {
    let me = recipient();
    let whatsat = signed_tip();
    let thunderhub = thunderhub_tip();
    let mut forged = whatsat.clone();
    let _ = forged.insert(record::MESSAGE, b"a different message".to_vec());
    assert!(matches!(
        incoming::verify_sender(&whatsat, &me),
        Sender::Verified { .. }
    ));
    assert!(matches!(
        incoming::verify_sender(&thunderhub, &me),
        Sender::Verified { .. }
    ));
    assert!(matches!(
        incoming::verify_sender(&forged, &me),
        Sender::Claimed { .. }
    ));

    let mut group = c.benchmark_group("verify");
    let _ = group.throughput(Throughput::Elements(1));
    let cases = [
        ("whatsat signature", &whatsat),
        ("thunderhub signature", &thunderhub),
        ("forged whatsat signature", &forged),
    ];
    for (name, records) in cases {
        let _ = group.bench_function(name, |b| {
            b.iter(|| incoming::verify_sender(black_box(records), black_box(&me)));
        });
    }
    group.finish();
}

criterion_group!(benches, decoding, verifying);
criterion_main!(benches);
