//! What the user's node has received: a quickly seeded history (many
//! keysends, some signed Whatsat-style by their sender's node key, some
//! boostagrams, some anonymous) and live demo traffic (other nodes paying
//! the user's node through the graph every [`DEMO_TIP_EVERY`], including
//! spam and malformed records).

use std::sync::Arc;
use std::time::Duration;

use secp256k1::SecretKey;
use sha2::{Digest, Sha256};

use crate::keysend::identity::{sign_whatsat, whatsat_payload};
use crate::keysend::record::{
    BOOSTAGRAM, KEYSEND_PREIMAGE, MESSAGE, SENDER_PUBKEY, SIGNATURE, TIMESTAMP,
};
use crate::keysend::{Msat, NodeId, Records};

use super::graph;
use super::handle;
use super::invoices::settle_arrival;
use super::network::Network;
use super::pay::now_ns;
use super::server::Shared;

/// How often a demo node tips the user's node while the demo window is open.
/// The README quotes this figure (a test below keeps the two equal).
pub const DEMO_TIP_EVERY: Duration = Duration::from_secs(8);

/// Nodes that send the user keysends.
const SENDERS: &[&str] = &["alice", "bob", "carol", "dave", "grace", "frank"];

const MESSAGES: &[&str] = &[
    "Thanks for the great write-up on channel management, it saved me a force close last week!",
    "Coffee is on me ☕ — keep building, the keysend inbox idea is exactly what I was missing.",
    "Loved the talk yesterday. Here are a few sats for the slides, please share them on the blog.",
    "Paying you back for the pizza 🍕 — sorry it took a while, my node was offline for a few days.",
    "Test message from my new node: can you see this? Reply with a keysend if it arrived fine.",
    "Happy birthday! A small tip from all of us at the meetup, see you at the next one in town.",
];

/// How a seeded or generated keysend looks.
#[derive(Clone, Copy)]
enum Kind {
    Signed,
    /// Signed, with a sign-off that makes the message ~100 bytes.
    LongSigned,
    Boostagram,
    Anonymous,
    TipOnly,
    Spam,
    Malformed,
}

/// Sign-offs appended to a message in the all-signed history (~100 bytes).
const SIGN_OFFS: &[&str] = &[
    "Cheers!",
    "Stay humble.",
    "More soon.",
    "Onward!",
    "Thank you.",
    "See you.",
    "Keep it up.",
];

/// Which history [`seed`] creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mix {
    /// 40 % signed, 20 % boostagrams, 30 % anonymous, 10 % tip only.
    Demo,
    /// Every keysend has a ~100-byte message and a Whatsat-signed sender
    /// (the benchmark history of issue #5).
    AllSigned,
}

impl Mix {
    /// The kind of keysend number `i`.
    fn kind(self, i: usize) -> Kind {
        match (self, i % 10) {
            (Self::AllSigned, _) => Kind::LongSigned,
            (Self::Demo, 0..=3) => Kind::Signed,
            (Self::Demo, 4 | 5) => Kind::Boostagram,
            (Self::Demo, 6..=8) => Kind::Anonymous,
            (Self::Demo, _) => Kind::TipOnly,
        }
    }
}

/// Create `count` settled keysend invoices on `user`, spread over the past
/// (one a minute, the newest now). No balances move: this is history.
/// The records (signatures are most of the work) are made [`SEED_CHUNK`]
/// at a time on every core, then settled in order on this thread.
pub(crate) fn seed(network: &mut Network, user: usize, count: usize, mix: Mix) {
    let user_id = network.ids[user];
    let keys: Vec<(NodeId, SecretKey)> = SENDERS
        .iter()
        .map(|name| (graph::node_id(name), graph::secret_key(name)))
        .collect();
    let channels = graph::channels_of(user);
    let now = now_ns() / 1_000_000_000;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let make = |i: usize| -> (Msat, i64, [u8; 32], Records) {
        let kind = mix.kind(i);
        let created = now - (count - i) as i64 * 60;
        let (sender, secret) = &keys[i % keys.len()];
        let amount = Msat::from_sat(100 + (i as u64 * 37) % 4_900);
        let mut records = records_for(kind, i, (sender, secret), &user_id, amount, created);
        let preimage: [u8; 32] = Sha256::new()
            .chain_update(b"sim history")
            .chain_update(i.to_be_bytes())
            .finalize()
            .into();
        let _ = records.insert(KEYSEND_PREIMAGE, preimage.to_vec());
        (amount, created, preimage, records)
    };
    for start in (0..count).step_by(SEED_CHUNK) {
        let end = (start + SEED_CHUNK).min(count);
        let per_thread = (end - start).div_ceil(cores);
        let made: Vec<_> = std::thread::scope(|scope| {
            let workers: Vec<_> = (start..end)
                .step_by(per_thread)
                .map(|from| {
                    let to = (from + per_thread).min(end);
                    scope.spawn(move || (from..to).map(make).collect::<Vec<_>>())
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        for (i, (amount, created, preimage, records)) in (start..end).zip(made) {
            let (channel, _, user_is_a) = channels[i % 2];
            let htlc_index = next_incoming_htlc(network, channel, !user_is_a);
            let chan_id = network.channels[channel].chan_id;
            let _ = settle_arrival(
                network, user, chan_id, htlc_index, amount.0, preimage, records, created,
            );
        }
    }
}

/// Keysends whose records are made at once while seeding (bounded memory).
const SEED_CHUNK: usize = 8192;

/// Count an HTLC offered by the `from_a` side of a channel; its index.
pub(super) fn next_incoming_htlc(network: &mut Network, channel: usize, from_a: bool) -> u64 {
    let state = &mut network.channels[channel];
    let counter = if from_a {
        &mut state.a_htlcs
    } else {
        &mut state.b_htlcs
    };
    *counter += 1;
    *counter - 1
}

/// Records of one keysend of `kind` (without the preimage record).
fn records_for(
    kind: Kind,
    i: usize,
    (sender, secret): (&NodeId, &SecretKey),
    recipient: &NodeId,
    amount: Msat,
    unix: i64,
) -> Records {
    let long;
    let text = match kind {
        Kind::LongSigned => {
            long = long_message(i);
            long.as_str()
        }
        _ => MESSAGES[i % MESSAGES.len()],
    };
    let mut records = Records::new();
    match kind {
        Kind::Signed | Kind::LongSigned => {
            let timestamp = (unix as u64).saturating_mul(1_000_000_000) + i as u64 % 1_000_000;
            let payload = whatsat_payload(sender, recipient, timestamp, text.as_bytes());
            let _ = records.insert(MESSAGE, text.as_bytes().to_vec());
            let _ = records.insert(SENDER_PUBKEY, sender.as_bytes().to_vec());
            let _ = records.insert(TIMESTAMP, timestamp.to_be_bytes().to_vec());
            let _ = records.insert(SIGNATURE, sign_whatsat(secret, &payload).to_vec());
        }
        Kind::Boostagram => {
            let _ = records.insert(BOOSTAGRAM, boostagram(i, amount, text).into_bytes());
        }
        Kind::Anonymous | Kind::Spam => {
            let _ = records.insert(MESSAGE, text.as_bytes().to_vec());
        }
        Kind::TipOnly => {}
        Kind::Malformed => {
            let _ = records.insert(MESSAGE, vec![0x48, 0x69, 0xff, 0xfe, 0x20, 0xc3, 0x28]);
            let _ = records.insert(SENDER_PUBKEY, sender.as_bytes().to_vec());
            let _ = records.insert(SIGNATURE, vec![0xab; 10]);
        }
    }
    records
}

/// A demo message with a sign-off: 95-110 bytes, deterministic in `i`.
fn long_message(i: usize) -> String {
    let sign_off = SIGN_OFFS[(i / MESSAGES.len()) % SIGN_OFFS.len()];
    format!("{} {sign_off}", MESSAGES[i % MESSAGES.len()])
}

/// A bLIP-10 boost from a podcast app.
fn boostagram(i: usize, amount: Msat, message: &str) -> String {
    const APPS: &[&str] = &["Fountain", "Podverse", "Castamatic", "Breez"];
    const NAMES: &[&str] = &["satoshi_fan", "carol", "podcast addict", "anon listener"];
    serde_json::json!({
        "podcast": "Satchel Demo Cast",
        "episode": format!("Episode {}: keysend in the wild", 40 + i % 20),
        "action": "boost",
        "app_name": APPS[i % APPS.len()],
        "ts": 600 + (i % 3_000),
        "value_msat_total": amount.0,
        "sender_name": NAMES[i % NAMES.len()],
        "message": message,
    })
    .to_string()
}

/// Every `interval`, another node pays `user` through the graph: signed
/// messages, boostagrams, anonymous tips, 1-sat spam and malformed records.
pub(crate) async fn traffic(shared: Arc<Shared>, user: usize, interval: Duration) {
    const ROTATION: &[Kind] = &[
        Kind::Signed,
        Kind::Boostagram,
        Kind::Anonymous,
        Kind::TipOnly,
        Kind::Signed,
        Kind::Spam,
        Kind::Malformed,
    ];
    let user_id = shared.lock().ids[user];
    for i in 0usize.. {
        tokio::time::sleep(interval).await;
        let kind = ROTATION[i % ROTATION.len()];
        let name = SENDERS[i % (SENDERS.len() - 1)];
        let sender = graph::node_index(name).expect("senders are in the graph");
        let amount = match kind {
            Kind::Spam => Msat::from_sat(1),
            _ => Msat::from_sat(21 + (i as u64 * 97) % 2_100),
        };
        let unix = now_ns() / 1_000_000_000;
        let records = records_for(
            kind,
            i,
            (&graph::node_id(name), &graph::secret_key(name)),
            &user_id,
            amount,
            unix,
        );
        if let Err(error) = handle::inject(&shared, sender, user, amount, records).await {
            log::warn!("sim: demo keysend from {name} failed: {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::identity::whatsat_digest;

    #[test]
    fn seeded_history_is_signed_and_varied() {
        let mut network = Network::fresh();
        let user = graph::node_index(graph::USER).unwrap();
        seed(&mut network, user, 20, Mix::Demo);
        let invoices = network.ledgers[user].invoices();
        assert_eq!(invoices.len(), 20);
        let signed = invoices
            .iter()
            .filter(|i| i.htlcs[0].records.contains_key(&SIGNATURE))
            .count();
        let boosts = invoices
            .iter()
            .filter(|i| i.htlcs[0].records.contains_key(&BOOSTAGRAM))
            .count();
        assert_eq!((signed, boosts), (8, 4));
        let records = &invoices[0].htlcs[0].records;
        let sender = NodeId::from_slice(&records[&SENDER_PUBKEY]).unwrap();
        let timestamp = u64::from_be_bytes(records[&TIMESTAMP].as_slice().try_into().unwrap());
        let payload = whatsat_payload(&sender, &network.ids[user], timestamp, &records[&MESSAGE]);
        let signature = secp256k1::ecdsa::Signature::from_compact(&records[&SIGNATURE]).unwrap();
        let public = secp256k1::PublicKey::from_slice(sender.as_bytes()).unwrap();
        assert!(
            secp256k1::SECP256K1
                .verify_ecdsa(&whatsat_digest(&payload), &signature, &public)
                .is_ok()
        );
        assert!(
            invoices
                .windows(2)
                .all(|w| w[0].creation_date < w[1].creation_date)
        );
    }

    #[test]
    fn all_signed_history_verifies_with_long_messages() {
        use crate::keysend::incoming::{Scheme, Sender, decode, verify_sender};
        let mut network = Network::fresh();
        let user = graph::node_index(graph::USER).unwrap();
        let count = 2 * MESSAGES.len() * SIGN_OFFS.len();
        seed(&mut network, user, count, Mix::AllSigned);
        let invoices = network.ledgers[user].invoices();
        assert_eq!(invoices.len(), count);
        let senders: Vec<NodeId> = SENDERS.iter().map(|n| graph::node_id(n)).collect();
        for (i, invoice) in invoices.iter().enumerate() {
            let records = &invoice.htlcs[0].records;
            let decoded = decode(records);
            let message = decoded.message.expect("every keysend has a message");
            assert_eq!(
                message.as_bytes(),
                records[&MESSAGE].as_slice(),
                "entry {i}"
            );
            assert!(
                (95..=110).contains(&message.len()),
                "entry {i}: {message:?}"
            );
            let claimed = decoded
                .claimed_sender
                .expect("every keysend names its sender");
            assert!(senders.contains(&claimed));
            assert_eq!(
                verify_sender(records, &network.ids[user]),
                Sender::Verified {
                    id: claimed,
                    scheme: Scheme::Whatsat
                },
                "entry {i}"
            );
        }
        let distinct: std::collections::BTreeSet<&[u8]> = invoices
            .iter()
            .map(|i| i.htlcs[0].records[&MESSAGE].as_slice())
            .collect();
        assert_eq!(distinct.len(), MESSAGES.len() * SIGN_OFFS.len());
    }
}

#[cfg(test)]
mod cadence_tests {
    use super::DEMO_TIP_EVERY;

    #[test]
    fn the_readme_states_the_demo_cadence() {
        let readme = include_str!("../../README.md");
        let claim = format!(
            "a demo tip arrives about every {} seconds",
            DEMO_TIP_EVERY.as_secs()
        );
        assert!(readme.contains(&claim), "README must say {claim:?}");
    }
}
