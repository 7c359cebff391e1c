//! Tests for node info, balance, graph and route conversions.

use std::time::Duration;

use super::*;
use crate::keysend::Preimage;
use crate::keysend::record::MESSAGE;

pub(super) const ALICE: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
pub(super) const BOB: &str = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";

fn feature(name: &str) -> lnrpc::Feature {
    lnrpc::Feature {
        name: name.into(),
        is_required: false,
        is_known: true,
    }
}

pub(super) fn keysend_to_bob() -> OutgoingKeysend {
    OutgoingKeysend {
        destination: BOB.parse().unwrap(),
        amount: Msat::from_sat(1_000),
        preimage: Preimage::from_bytes([7; 32]),
        records: Records::from([(MESSAGE, b"hi".to_vec())]),
        fee_limit: Msat(5_000),
        timeout: Duration::from_secs(30),
    }
}

#[test]
fn node_info_reads_network_and_keysend_bit() {
    let info = lnrpc::GetInfoResponse {
        identity_pubkey: ALICE.into(),
        alias: "alice".into(),
        color: "#3399ff".into(),
        block_height: 800_123,
        synced_to_chain: true,
        version: "0.21.2-beta".into(),
        num_active_channels: 3,
        chains: vec![lnrpc::Chain {
            network: "regtest".into(),
            ..Default::default()
        }],
        features: HashMap::from([(9, feature("tlv-onion")), (55, feature("keysend"))]),
        ..Default::default()
    };
    let node = node_info(info).unwrap();
    assert_eq!(node.id.to_hex(), ALICE);
    assert_eq!(node.network, Network::Regtest);
    assert!(node.accepts_keysend);
    assert_eq!((node.block_height, node.active_channels), (800_123, 3));
    assert!(node.synced_to_chain && !node.synced_to_graph);
    assert_eq!(
        (node.alias.as_str(), node.color.as_str()),
        ("alice", "#3399ff")
    );

    let bad = lnrpc::GetInfoResponse {
        identity_pubkey: "zz".into(),
        ..Default::default()
    };
    assert!(matches!(node_info(bad), Err(NodeError::Other(_))));
}

#[test]
fn network_names_and_feature_bits() {
    for (name, network) in [
        ("mainnet", Network::Mainnet),
        ("testnet", Network::Testnet),
        ("testnet4", Network::Testnet4),
        ("signet", Network::Signet),
        ("simnet", Network::Simnet),
        ("liquid", Network::Other("liquid".into())),
    ] {
        let info = lnrpc::GetInfoResponse {
            identity_pubkey: ALICE.into(),
            chains: vec![lnrpc::Chain {
                network: name.into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        assert_eq!(node_info(info).unwrap().network, network, "{name}");
    }
    let with = |bits: &[u32]| {
        bits.iter()
            .map(|b| (*b, feature("x")))
            .collect::<HashMap<_, _>>()
    };
    assert!(has_keysend(&with(&[54])));
    assert!(has_keysend(&with(&[1, 55])));
    assert!(!has_keysend(&with(&[8, 9, 30, 31])));
    assert!(!has_keysend(&HashMap::new()));
}

#[test]
fn balance_uses_msat_amounts() {
    let amount = |msat| {
        Some(lnrpc::Amount {
            sat: msat / 1000,
            msat,
        })
    };
    let response = lnrpc::ChannelBalanceResponse {
        local_balance: amount(1_500_500),
        remote_balance: amount(2_000_000),
        unsettled_local_balance: amount(1_000),
        pending_open_local_balance: None,
        ..Default::default()
    };
    let balance = balance(response);
    assert_eq!(balance.local, Msat(1_500_500));
    assert_eq!(balance.remote, Msat(2_000_000));
    assert_eq!(balance.unsettled_local, Msat(1_000));
    assert_eq!(balance.pending_open_local, Msat(0));
}

#[test]
fn graph_node_and_peers() {
    let info = lnrpc::NodeInfo {
        node: Some(lnrpc::LightningNode {
            pub_key: BOB.into(),
            alias: "bob".into(),
            features: HashMap::from([(55, feature("keysend"))]),
            ..Default::default()
        }),
        num_channels: 4,
        total_capacity: 2_000_000,
    };
    let node = graph_node(info).unwrap();
    assert_eq!(
        (node.id.to_hex().as_str(), node.alias.as_str()),
        (BOB, "bob")
    );
    assert!(node.accepts_keysend);
    assert_eq!(node.total_capacity, Msat::from_sat(2_000_000));
    assert!(graph_node(lnrpc::NodeInfo::default()).is_err());

    let channel = lnrpc::Channel {
        remote_pubkey: BOB.into(),
        chan_id: 42,
        active: true,
        capacity: 100_000,
        local_balance: 60_000,
        remote_balance: 39_000,
        private: true,
        ..Default::default()
    };
    let peers = peers(lnrpc::ListChannelsResponse {
        channels: vec![channel],
    })
    .unwrap();
    assert_eq!(peers.len(), 1);
    assert_eq!(
        (peers[0].chan_id, peers[0].active, peers[0].private),
        (42, true, true)
    );
    assert_eq!(
        (peers[0].local, peers[0].remote),
        (Msat(60_000_000), Msat(39_000_000))
    );
}

#[test]
fn query_routes_counts_the_preimage_record() {
    let request = query_routes_request(&keysend_to_bob());
    assert_eq!(request.pub_key, BOB);
    assert_eq!(request.amt_msat, 1_000_000);
    assert_eq!(
        request.dest_custom_records.get(&MESSAGE),
        Some(&b"hi".to_vec())
    );
    assert_eq!(
        request
            .dest_custom_records
            .get(&KEYSEND_PREIMAGE)
            .map(Vec::len),
        Some(32)
    );
    assert_eq!(
        request.fee_limit.and_then(|f| f.limit),
        Some(lnrpc::fee_limit::Limit::FixedMsat(5_000))
    );
}

#[test]
fn fee_estimate_reads_the_first_route() {
    let hop = lnrpc::Hop::default();
    let route = lnrpc::Route {
        total_fees_msat: 1_234,
        total_time_lock: 144,
        hops: vec![hop.clone(), hop],
        ..Default::default()
    };
    let response = lnrpc::QueryRoutesResponse {
        routes: vec![route],
        success_prob: 0.75,
    };
    let estimate = fee_estimate(response).unwrap();
    assert_eq!(estimate.fee, Msat(1_234));
    assert_eq!((estimate.hops, estimate.time_lock_delay), (2, 144));
    assert!((estimate.success_probability - 0.75).abs() < f64::EPSILON);
    assert_eq!(fee_estimate(lnrpc::QueryRoutesResponse::default()), None);
}
