//! The local inbox index at 100,000 received keysends: bulk insert (decode
//! included), first page, full-text search and filters.
//!
//! Targets (BENCHMARKS.md): search/filter over 100,000 messages <= 50 ms.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use satchel::keysend::{Msat, NodeId, Preimage, Records, record};
use satchel::node::ReceivedKeysend;
use satchel::wallet::{Index, InboxQuery};
use secp256k1::{PublicKey, SECP256K1, SecretKey};

const ENTRIES: usize = 100_000;
const WORDS: &[&str] = &[
    "thanks", "great", "episode", "podcast", "lightning", "channel", "liquidity", "node",
    "routing", "fees", "love", "the", "show", "keep", "going", "stacking", "sats", "boost",
    "value", "for", "value", "music", "bitcoin", "privacy", "nostr", "relay", "zap",
];

/// A deterministic pseudo-random sequence (no extra dependency needed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn senders() -> Vec<NodeId> {
    (1u8..=20)
        .map(|seed| {
            let secret = SecretKey::from_slice(&[seed; 32]).expect("valid key");
            let public = PublicKey::from_secret_key(SECP256K1, &secret);
            NodeId::from_slice(&public.serialize()).expect("valid id")
        })
        .collect()
}

/// `n` received keysends with ~100-byte messages, claimed senders, and a
/// rare word ("zebra") in about 1 % of them.
pub fn synthetic(n: usize) -> Vec<ReceivedKeysend> {
    let senders = senders();
    let mut rng = Lcg(42);
    (0..n)
        .map(|i| {
            let mut message = String::new();
            while message.len() < 100 {
                message.push_str(WORDS[rng.next() as usize % WORDS.len()]);
                message.push(' ');
            }
            if i % 100 == 0 {
                message.push_str("zebra");
            }
            let preimage = Preimage::random();
            let mut records = Records::new();
            let _ = records.insert(record::KEYSEND_PREIMAGE, preimage.as_bytes().to_vec());
            let _ = records.insert(record::MESSAGE, message.into_bytes());
            let sender = senders[i % senders.len()];
            let _ = records.insert(record::SENDER_PUBKEY, sender.as_bytes().to_vec());
            let _ = records.insert(record::TIMESTAMP, (i as u64).to_be_bytes().to_vec());
            let index = i as u64 + 1;
            ReceivedKeysend {
                hash: preimage.hash(),
                chan_id: 1,
                htlc_index: index,
                amount: Msat::from_sat(1 + rng.next() % 5_000),
                add_index: index,
                settle_index: index,
                created_at: 1_700_000_000 + i as i64,
                settled_at: 1_700_000_000 + i as i64,
                records,
            }
        })
        .collect()
}

fn index_at_scale(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = Index::open(&dir.path().join("index.db")).expect("open index");
    let items = synthetic(ENTRIES);
    let start = Instant::now();
    for page in items.chunks(1_000) {
        let _ = index.insert_received(page).expect("insert");
    }
    let elapsed = start.elapsed();
    println!(
        "bulk insert: {ENTRIES} keysends in {:.3} s ({:.0} per second, decode included)",
        elapsed.as_secs_f64(),
        ENTRIES as f64 / elapsed.as_secs_f64()
    );

    let first_page = InboxQuery::default();
    let search = InboxQuery { text: Some("zebra".into()), ..InboxQuery::default() };
    let common = InboxQuery { text: Some("lightning liquid".into()), ..InboxQuery::default() };
    let spam = InboxQuery { min_amount: Msat::from_sat(4_900), ..InboxQuery::default() };
    let sender = InboxQuery { sender: Some(senders()[3]), ..InboxQuery::default() };

    let mut group = c.benchmark_group("index 100k");
    let _ = group.sample_size(30);
    let cases = [
        ("first page", &first_page),
        ("search rare word", &search),
        ("search two common prefixes", &common),
        ("min amount filter", &spam),
        ("sender filter", &sender),
    ];
    for (name, query) in cases {
        let _ = group.bench_function(format!("{name}: page"), |b| {
            b.iter(|| index.inbox(black_box(query)).expect("query"));
        });
        let _ = group.bench_function(format!("{name}: count"), |b| {
            b.iter(|| index.count(black_box(query)).expect("count"));
        });
    }
    group.finish();
}

criterion_group!(benches, index_at_scale);
criterion_main!(benches);
