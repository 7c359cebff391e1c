//! Shared bench fixtures: a deterministic synthetic inbox history shaped like
//! the targets describe it (~100-byte messages, Whatsat-signed senders, some
//! boostagrams), and small helpers (resident memory, timing output).
//!
//! Each bench binary uses a different part of this module.

#![allow(dead_code)]

use satchel::keysend::identity::{self, node_id_of};
use satchel::keysend::{Msat, NodeId, PaymentHash, Records, record};
use satchel::node::ReceivedKeysend;
use secp256k1::SecretKey;
use sha2::{Digest, Sha256};

/// Words the synthetic messages are made of.
const WORDS: &[&str] = &[
    "thanks",
    "great",
    "episode",
    "podcast",
    "lightning",
    "channel",
    "liquidity",
    "node",
    "routing",
    "fees",
    "love",
    "the",
    "show",
    "keep",
    "going",
    "stacking",
    "sats",
    "boost",
    "value",
    "for",
    "music",
    "bitcoin",
    "privacy",
    "nostr",
    "relay",
    "zap",
    "coffee",
    "pizza",
];
/// Podcast titles used by the boostagram rows.
pub const PODCASTS: &[&str] = &["Tech Talk", "Citadel Dispatch", "Stephan Livera", "Noded"];
/// A word that appears in exactly 1 % of the messages.
pub const RARE_WORD: &str = "zebra";
/// Distinct senders in the synthetic history.
pub const SENDERS: u8 = 20;

/// A deterministic pseudo-random sequence (no extra dependency needed).
pub struct Lcg(pub u64);

impl Lcg {
    /// The next 31-bit value.
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// The secret key of synthetic sender `n` (1-based, never zero).
pub fn sender_key(n: u8) -> SecretKey {
    SecretKey::from_slice(&[n.max(1); 32]).expect("valid secret key")
}

/// The node ids of the synthetic senders.
pub fn senders() -> Vec<NodeId> {
    (1..=SENDERS).map(|n| node_id_of(&sender_key(n))).collect()
}

/// The node that received the synthetic history.
pub fn recipient() -> NodeId {
    node_id_of(&sender_key(99))
}

/// A message of at least 100 bytes from `WORDS`.
pub fn message(rng: &mut Lcg, rare: bool) -> String {
    let mut text = String::with_capacity(128);
    while text.len() < 100 {
        text.push_str(WORDS[rng.next() as usize % WORDS.len()]);
        text.push(' ');
    }
    if rare {
        text.push_str(RARE_WORD);
    }
    text
}

/// Records of one tip: preimage, message, Whatsat sender, timestamp and
/// signature (5 records), plus a boostagram when `podcast` is given.
pub fn signed_records(
    i: u64,
    text: &str,
    sender: u8,
    recipient: &NodeId,
    podcast: Option<&str>,
) -> Records {
    let secret = sender_key(sender);
    let sender_id = node_id_of(&secret);
    let timestamp_ns = 1_763_700_000_000_000_000 + i * 1_000_000_000;
    let payload = identity::whatsat_payload(&sender_id, recipient, timestamp_ns, text.as_bytes());
    let mut records = Records::new();
    let _ = records.insert(record::KEYSEND_PREIMAGE, preimage(i).to_vec());
    let _ = records.insert(record::MESSAGE, text.as_bytes().to_vec());
    let _ = records.insert(record::SENDER_PUBKEY, sender_id.as_bytes().to_vec());
    let _ = records.insert(record::TIMESTAMP, timestamp_ns.to_be_bytes().to_vec());
    let signature = identity::sign_whatsat(&secret, &payload);
    let _ = records.insert(record::SIGNATURE, signature.to_vec());
    if let Some(podcast) = podcast {
        let boost = format!(
            r#"{{"action":"boost","podcast":"{podcast}","episode":"Episode {}","app_name":"Fountain","value_msat_total":{}}}"#,
            i % 300,
            1_000 * (i % 5_000)
        );
        let _ = records.insert(record::BOOSTAGRAM, boost.into_bytes());
    }
    records
}

/// A deterministic preimage for entry `i`.
pub fn preimage(i: u64) -> [u8; 32] {
    Sha256::new()
        .chain_update(b"satchel bench")
        .chain_update(i.to_be_bytes())
        .finalize()
        .into()
}

/// `n` received keysends: every one signed by one of 20 senders, ~100-byte
/// messages, one in five a boostagram, [`RARE_WORD`] in 1 % of them, amounts
/// from 1 to 5,000 sat.
pub fn synthetic(n: usize) -> Vec<ReceivedKeysend> {
    let me = recipient();
    let mut rng = Lcg(42);
    (0..n as u64)
        .map(|i| {
            let text = message(&mut rng, i % 100 == 0);
            let sender = (i % u64::from(SENDERS)) as u8 + 1;
            let podcast = (i % 5 == 0).then(|| PODCASTS[(i / 5) as usize % PODCASTS.len()]);
            let records = signed_records(i, &text, sender, &me, podcast);
            let hash: [u8; 32] = Sha256::digest(preimage(i)).into();
            ReceivedKeysend {
                hash: PaymentHash::from_bytes(hash),
                chan_id: 1,
                htlc_index: i + 1,
                amount: Msat::from_sat(1 + rng.next() % 5_000),
                add_index: i + 1,
                settle_index: i + 1,
                created_at: 1_700_000_000 + i as i64,
                settled_at: 1_700_000_000 + i as i64,
                records,
            }
        })
        .collect()
}

/// This process's resident set size, in MB (NaN where /proc is missing).
pub fn resident_mb() -> f64 {
    proc_status_kb("VmRSS:").map_or(f64::NAN, |kb| kb / 1024.0)
}

/// This process's peak resident set size, in MB.
pub fn peak_resident_mb() -> f64 {
    proc_status_kb("VmHWM:").map_or(f64::NAN, |kb| kb / 1024.0)
}

fn proc_status_kb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
