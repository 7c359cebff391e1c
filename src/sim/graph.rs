//! The deterministic demo network: eight nodes with aliases, colors and
//! feature maps, and the channels between them with capacities, balances on
//! both sides and fee policies. Node keys are derived from the node name,
//! so ids are stable across runs.

use secp256k1::{PublicKey, SecretKey};
use sha2::{Digest, Sha256};

use crate::keysend::NodeId;

/// The user's node.
pub(crate) const USER: &str = "satchel";

/// A node of the demo network.
pub(crate) struct NodeSpec {
    pub name: &'static str,
    pub alias: &'static str,
    pub color: &'static str,
    pub accepts_keysend: bool,
    /// Not announced: GetNodeInfo answers NOT_FOUND.
    pub private: bool,
    /// What the node is for, used as the demo contact note.
    pub note: &'static str,
}

/// The nodes, the user's first.
pub(crate) const NODES: &[NodeSpec] = &[
    NodeSpec {
        name: USER,
        alias: "Satchel demo",
        color: "#f7931a",
        accepts_keysend: true,
        private: false,
        note: "you",
    },
    NodeSpec {
        name: "alice",
        alias: "Alice's node",
        color: "#3399ff",
        accepts_keysend: true,
        private: false,
        note: "a friend with a direct channel",
    },
    NodeSpec {
        name: "bob",
        alias: "Bob ⚡ routing",
        color: "#68f442",
        accepts_keysend: true,
        private: false,
        note: "routing node, one hop away",
    },
    NodeSpec {
        name: "carol",
        alias: "carol.ln",
        color: "#ff5599",
        accepts_keysend: true,
        private: false,
        note: "two hops away, behind Bob",
    },
    NodeSpec {
        name: "dave",
        alias: "Dave's Bitcoin Podcast",
        color: "#aa44ff",
        accepts_keysend: true,
        private: false,
        note: "podcaster: send a boost",
    },
    NodeSpec {
        name: "erin",
        alias: "erin (no keysend)",
        color: "#999999",
        accepts_keysend: false,
        private: false,
        note: "does not accept keysend",
    },
    NodeSpec {
        name: "frank",
        alias: "frank-mobile",
        color: "#22cccc",
        accepts_keysend: true,
        private: true,
        note: "private node, direct private channel",
    },
    NodeSpec {
        name: "grace",
        alias: "Grace builds FOSS",
        color: "#ffcc00",
        accepts_keysend: true,
        private: false,
        note: "creator and developer, three hops away",
    },
    // Issue 17 ("beyond one path"): receivers that are not plain LND
    // (their behaviour is in `sim::behaviour`), a private node reached only
    // with route hints, and a node whose inbound is split over two channels.
    NodeSpec {
        name: "heidi",
        alias: "heidi (Core Lightning)",
        color: "#5f9ea0",
        accepts_keysend: true,
        private: false,
        note: "Core Lightning: accepts keysend, strips unknown even records",
    },
    NodeSpec {
        name: "ivan",
        alias: "ivan (Eclair)",
        color: "#8b4513",
        accepts_keysend: false,
        private: false,
        note: "Eclair with keysend off: refuses keysend",
    },
    NodeSpec {
        name: "judy",
        alias: "judy (LDK)",
        color: "#dc143c",
        accepts_keysend: true,
        private: false,
        note: "LDK app: accepts keysend, fails unknown even records",
    },
    NodeSpec {
        name: "kate",
        alias: "kate (private)",
        color: "#6a5acd",
        accepts_keysend: true,
        private: true,
        note: "private node behind carol: reachable only with route hints",
    },
    NodeSpec {
        name: "oscar",
        alias: "Oscar's big stage",
        color: "#228b22",
        accepts_keysend: true,
        private: false,
        note: "inbound split over two channels: large tips need AMP",
    },
];

/// A channel's forwarding policy in one direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Policy {
    pub base_msat: u64,
    pub ppm: u64,
    pub cltv_delta: u32,
}

impl Policy {
    /// The fee for forwarding `amount_msat` (LND: base + amount * ppm / 1e6).
    pub fn fee(&self, amount_msat: u64) -> u64 {
        self.base_msat + amount_msat.saturating_mul(self.ppm) / 1_000_000
    }
}

/// A channel of the demo network; `a` opened it.
pub(crate) struct ChannelSpec {
    pub a: &'static str,
    pub b: &'static str,
    pub capacity_sat: u64,
    pub a_local_sat: u64,
    pub private: bool,
    /// Fees `a` charges to forward over this channel.
    pub a_policy: Policy,
    /// Fees `b` charges to forward over this channel.
    pub b_policy: Policy,
}

const fn policy(base_msat: u64, ppm: u64) -> Policy {
    Policy {
        base_msat,
        ppm,
        cltv_delta: 80,
    }
}

/// The channels. Grace is three hops from the user (bob, carol, grace).
pub(crate) const CHANNELS: &[ChannelSpec] = &[
    ChannelSpec {
        a: USER,
        b: "alice",
        capacity_sat: 5_000_000,
        a_local_sat: 2_000_000,
        private: false,
        a_policy: policy(1000, 1),
        b_policy: policy(1000, 100),
    },
    ChannelSpec {
        a: USER,
        b: "bob",
        capacity_sat: 10_000_000,
        a_local_sat: 6_000_000,
        private: false,
        a_policy: policy(1000, 1),
        b_policy: policy(1000, 200),
    },
    ChannelSpec {
        a: USER,
        b: "frank",
        capacity_sat: 1_000_000,
        a_local_sat: 700_000,
        private: true,
        a_policy: policy(1000, 1),
        b_policy: policy(0, 0),
    },
    ChannelSpec {
        a: "alice",
        b: "bob",
        capacity_sat: 4_000_000,
        a_local_sat: 2_000_000,
        private: false,
        a_policy: policy(1000, 100),
        b_policy: policy(1000, 200),
    },
    ChannelSpec {
        a: "alice",
        b: "erin",
        capacity_sat: 1_000_000,
        a_local_sat: 600_000,
        private: false,
        a_policy: policy(1000, 100),
        b_policy: policy(500, 50),
    },
    ChannelSpec {
        a: "bob",
        b: "carol",
        capacity_sat: 3_000_000,
        a_local_sat: 1_500_000,
        private: false,
        a_policy: policy(1000, 200),
        b_policy: policy(800, 150),
    },
    ChannelSpec {
        a: "bob",
        b: "dave",
        capacity_sat: 2_000_000,
        a_local_sat: 1_000_000,
        private: false,
        a_policy: policy(1000, 200),
        b_policy: policy(1000, 10),
    },
    ChannelSpec {
        a: "carol",
        b: "grace",
        capacity_sat: 2_000_000,
        a_local_sat: 1_200_000,
        private: false,
        a_policy: policy(800, 150),
        b_policy: policy(1000, 1),
    },
    ChannelSpec {
        a: "bob",
        b: "heidi",
        capacity_sat: 2_000_000,
        a_local_sat: 1_000_000,
        private: false,
        a_policy: policy(1000, 200),
        b_policy: policy(1000, 100),
    },
    ChannelSpec {
        a: "alice",
        b: "ivan",
        capacity_sat: 1_000_000,
        a_local_sat: 500_000,
        private: false,
        a_policy: policy(1000, 100),
        b_policy: policy(1000, 100),
    },
    ChannelSpec {
        a: "bob",
        b: "judy",
        capacity_sat: 1_000_000,
        a_local_sat: 500_000,
        private: false,
        a_policy: policy(1000, 200),
        b_policy: policy(1000, 100),
    },
    ChannelSpec {
        a: "carol",
        b: "kate",
        capacity_sat: 1_000_000,
        a_local_sat: 600_000,
        private: true,
        a_policy: policy(500, 100),
        b_policy: policy(0, 0),
    },
    ChannelSpec {
        a: "alice",
        b: "oscar",
        capacity_sat: 2_000_000,
        a_local_sat: 1_500_000,
        private: false,
        a_policy: policy(1000, 100),
        b_policy: policy(1000, 100),
    },
    ChannelSpec {
        a: "bob",
        b: "oscar",
        capacity_sat: 2_000_000,
        a_local_sat: 1_500_000,
        private: false,
        a_policy: policy(1000, 200),
        b_policy: policy(1000, 100),
    },
];

/// The secret key of a sim node, derived from its name.
pub(crate) fn secret_key(name: &str) -> SecretKey {
    seeded_key(name, &[])
}

/// The secret key of a sim node, derived from its name and a seed (an empty
/// seed gives [`secret_key`]). The user's node takes its seed from the sim
/// directory, so each directory is a node of its own.
pub(crate) fn seeded_key(name: &str, seed: &[u8]) -> SecretKey {
    let mut counter = 0u32;
    loop {
        let digest: [u8; 32] = Sha256::new()
            .chain_update(b"satchel-sim node key v1/")
            .chain_update(name)
            .chain_update(seed)
            .chain_update(counter.to_be_bytes())
            .finalize()
            .into();
        if let Ok(key) = SecretKey::from_byte_array(&digest) {
            return key;
        }
        counter += 1;
    }
}

/// The node id of a sim node, derived from its name.
pub(crate) fn node_id(name: &str) -> NodeId {
    id_of(&secret_key(name))
}

/// The node id of a secret key.
pub(crate) fn id_of(key: &SecretKey) -> NodeId {
    let public = PublicKey::from_secret_key_global(key);
    NodeId::from_slice(&public.serialize()).expect("a secp256k1 public key is a valid node id")
}

/// Short channel id `block x tx x output` (BOLT 7 layout).
pub(crate) fn short_channel_id(index: usize) -> u64 {
    let block = 800_000 + 1_000 * index as u64;
    let tx = 1 + 3 * index as u64;
    (block << 40) | (tx << 16)
}

/// A deterministic funding outpoint `txid:0`.
pub(crate) fn channel_point(index: usize) -> String {
    let txid = Sha256::digest(format!("satchel-sim funding {index}"));
    format!("{}:0", hex::encode(txid))
}

/// One feature bit as LND reports it (`Feature{name, is_required, is_known}`).
pub(crate) struct FeatureBit {
    pub bit: u32,
    pub name: &'static str,
}

/// The node-announcement feature set LND advertises (LND: feature/default_sets.go),
/// plus 55 "keysend" when `accept-keysend` is on; 31 "amp" only when `amp`.
pub(crate) fn node_features(accepts_keysend: bool, amp: bool) -> Vec<FeatureBit> {
    let mut bits = vec![
        FeatureBit {
            bit: 0,
            name: "data-loss-protect",
        },
        FeatureBit {
            bit: 5,
            name: "upfront-shutdown-script",
        },
        FeatureBit {
            bit: 7,
            name: "gossip-queries",
        },
        FeatureBit {
            bit: 9,
            name: "tlv-onion",
        },
        FeatureBit {
            bit: 12,
            name: "static-remote-key",
        },
        FeatureBit {
            bit: 14,
            name: "payment-addr",
        },
        FeatureBit {
            bit: 17,
            name: "multi-path-payments",
        },
        FeatureBit {
            bit: 23,
            name: "anchors-zero-fee-htlc-tx",
        },
        FeatureBit {
            bit: 25,
            name: "route-blinding",
        },
        FeatureBit {
            bit: 27,
            name: "shutdown-any-segwit",
        },
        FeatureBit {
            bit: 45,
            name: "explicit-commitment-type",
        },
        FeatureBit {
            bit: 2023,
            name: "script-enforced-lease",
        },
    ];
    if amp {
        bits.push(FeatureBit {
            bit: 31,
            name: "amp",
        });
    }
    if accepts_keysend {
        bits.push(FeatureBit {
            bit: 55,
            name: "keysend",
        });
    }
    bits.sort_by_key(|f| f.bit);
    bits
}

/// Index of a node by name.
pub(crate) fn node_index(name: &str) -> Option<usize> {
    NODES.iter().position(|n| n.name == name)
}

/// Channels touching node `index`: (channel index, peer node index, our side is `a`).
pub(crate) fn channels_of(node: usize) -> Vec<(usize, usize, bool)> {
    let name = NODES[node].name;
    CHANNELS
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            if c.a == name {
                node_index(c.b).map(|peer| (i, peer, true))
            } else if c.b == name {
                node_index(c.a).map(|peer| (i, peer, false))
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_deterministic_and_distinct() {
        assert_eq!(node_id("alice"), node_id("alice"));
        let ids: std::collections::BTreeMap<_, _> =
            NODES.iter().map(|n| (n.name, node_id(n.name))).collect();
        assert_eq!(ids.len(), NODES.len());
        let distinct: std::collections::BTreeSet<_> = ids.values().collect();
        assert_eq!(distinct.len(), NODES.len());
    }

    #[test]
    fn channel_sides_are_within_capacity() {
        for c in CHANNELS {
            assert!(c.a_local_sat <= c.capacity_sat, "{} - {}", c.a, c.b);
            assert!(node_index(c.a).is_some() && node_index(c.b).is_some());
        }
        assert_eq!(channels_of(node_index(USER).unwrap()).len(), 3);
    }

    #[test]
    fn fees_follow_base_plus_ppm() {
        assert_eq!(policy(1000, 200).fee(1_000_000), 1200);
        assert_eq!(policy(0, 0).fee(5_000_000), 0);
    }
}
