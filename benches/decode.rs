//! Record decoding and sender verification, on one core.
//!
//! Target (BENCHMARKS.md): decoding >= 1,000,000 records/s without
//! verification; verification is reported per signature.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use satchel::keysend::{NodeId, Preimage, Records, identity, incoming, record};
use secp256k1::{PublicKey, SECP256K1, SecretKey};

fn key(seed: u8) -> (SecretKey, NodeId) {
    let secret = SecretKey::from_slice(&[seed; 32]).expect("valid secret key");
    let public = PublicKey::from_secret_key(SECP256K1, &secret);
    (secret, NodeId::from_slice(&public.serialize()).expect("valid node id"))
}

/// A typical received tip: keysend preimage, ~100-byte message, Whatsat
/// sender, timestamp and signature (5 records).
fn signed_tip(recipient: &NodeId) -> Records {
    let (secret, sender) = key(7);
    let message = "Thanks for the great episode on channel liquidity! Here is a small tip \
                   from a long-time listener. ⚡";
    let timestamp_ns: u64 = 1_763_700_000_000_000_000;
    let payload = identity::whatsat_payload(&sender, recipient, timestamp_ns, message.as_bytes());
    let signature = identity::sign_whatsat(&secret, &payload);
    let mut records = Records::new();
    let _ = records.insert(record::KEYSEND_PREIMAGE, Preimage::random().as_bytes().to_vec());
    let _ = records.insert(record::MESSAGE, message.as_bytes().to_vec());
    let _ = records.insert(record::SENDER_PUBKEY, sender.as_bytes().to_vec());
    let _ = records.insert(record::TIMESTAMP, timestamp_ns.to_be_bytes().to_vec());
    let _ = records.insert(record::SIGNATURE, signature.to_vec());
    records
}

fn decoding(c: &mut Criterion) {
    let (_, recipient) = key(9);
    let tip = signed_tip(&recipient);
    let mut group = c.benchmark_group("decode");
    let _ = group.throughput(Throughput::Elements(tip.len() as u64));
    let _ = group.bench_function("signed tip (5 records)", |b| {
        b.iter(|| incoming::decode(black_box(&tip)));
    });
    group.finish();

    let mut group = c.benchmark_group("verify");
    let _ = group.throughput(Throughput::Elements(1));
    let _ = group.bench_function("whatsat signature", |b| {
        b.iter(|| incoming::verify_sender(black_box(&tip), black_box(&recipient)));
    });
    group.finish();
}

criterion_group!(benches, decoding);
criterion_main!(benches);
