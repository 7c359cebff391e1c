//! Pure conversions between LND's proto messages and Satchel's domain types.
//! No I/O: every function here is tested on hand-built prost structs.
//!
//! - this file: node info, balance, graph node, peers, route fee estimate;
//! - [`payment`]: outgoing keysend requests, payment updates, sent history;
//! - [`invoice`]: received keysends from settled invoices.

pub(crate) mod amp_invoice;
pub(crate) mod invoice;
pub(crate) mod payment;

use std::collections::HashMap;

use crate::keysend::record::KEYSEND_PREIMAGE;
use crate::keysend::{Msat, NodeId, Records};
use crate::node::{
    Balance, FeeEstimate, GraphNode, Network, NodeError, NodeInfo, OutgoingKeysend, Peer,
};
use crate::rpc::lnrpc;

/// Feature bits of keysend (bLIP-3): 54 required, 55 optional.
const KEYSEND_FEATURE_BITS: [u32; 2] = [54, 55];

/// Our node from `GetInfo`.
pub(crate) fn node_info(info: lnrpc::GetInfoResponse) -> Result<NodeInfo, NodeError> {
    let network = info.chains.first().map_or_else(
        || Network::Other("unknown".into()),
        |chain| Network::from_name(&chain.network),
    );
    Ok(NodeInfo {
        id: node_id(&info.identity_pubkey)?,
        accepts_keysend: has_keysend(&info.features),
        alias: info.alias,
        color: info.color,
        network,
        synced_to_chain: info.synced_to_chain,
        synced_to_graph: info.synced_to_graph,
        block_height: info.block_height,
        version: info.version,
        active_channels: info.num_active_channels,
    })
}

/// Does a feature map advertise keysend? LND: the map key is the bit number.
pub(crate) fn has_keysend(features: &HashMap<u32, lnrpc::Feature>) -> bool {
    KEYSEND_FEATURE_BITS
        .iter()
        .any(|bit| features.contains_key(bit))
}

/// Channel balances from `ChannelBalance` (the non-deprecated `Amount` fields).
pub(crate) fn balance(balance: lnrpc::ChannelBalanceResponse) -> Balance {
    let msat = |amount: Option<lnrpc::Amount>| Msat(amount.map_or(0, |a| a.msat));
    Balance {
        local: msat(balance.local_balance),
        remote: msat(balance.remote_balance),
        unsettled_local: msat(balance.unsettled_local_balance),
        pending_open_local: msat(balance.pending_open_local_balance),
    }
}

/// A graph node from `GetNodeInfo`.
pub(crate) fn graph_node(info: lnrpc::NodeInfo) -> Result<GraphNode, NodeError> {
    let node = info
        .node
        .ok_or_else(|| NodeError::Other("GetNodeInfo answered without a node".into()))?;
    Ok(GraphNode {
        id: node_id(&node.pub_key)?,
        accepts_keysend: has_keysend(&node.features),
        accepts_amp: crate::node::routing::AMP_BITS
            .iter()
            .any(|bit| node.features.contains_key(bit)),
        alias: node.alias,
        color: node.color,
        num_channels: info.num_channels,
        total_capacity: sat_to_msat(info.total_capacity),
    })
}

/// Our channels from `ListChannels`, one [`Peer`] each.
pub(crate) fn peers(channels: lnrpc::ListChannelsResponse) -> Result<Vec<Peer>, NodeError> {
    channels.channels.into_iter().map(peer).collect()
}

fn peer(channel: lnrpc::Channel) -> Result<Peer, NodeError> {
    Ok(Peer {
        id: node_id(&channel.remote_pubkey)?,
        chan_id: channel.chan_id,
        active: channel.active,
        private: channel.private,
        capacity: sat_to_msat(channel.capacity),
        local: sat_to_msat(channel.local_balance),
        remote: sat_to_msat(channel.remote_balance),
    })
}

/// `QueryRoutes` for a keysend: the real records plus a 32-byte stand-in
/// for the preimage record, so the route search counts the payload size
/// (LND: routes whose onion would exceed 1300 bytes are discarded).
pub(crate) fn query_routes_request(keysend: &OutgoingKeysend) -> lnrpc::QueryRoutesRequest {
    let mut records = to_proto_records(&keysend.records);
    let _ = records.remove(&crate::node::journaled::LOCAL_ROUTING_RECORD);
    // An invoice payment carries no onion records: only its local marker.
    match keysend.invoice() {
        Some(_) => records.clear(),
        None => {
            let _ = records.insert(KEYSEND_PREIMAGE, vec![0; 32]);
        }
    }
    lnrpc::QueryRoutesRequest {
        pub_key: keysend.destination.to_hex(),
        amt_msat: msat_to_i64(keysend.amount),
        fee_limit: Some(lnrpc::FeeLimit {
            limit: Some(lnrpc::fee_limit::Limit::FixedMsat(msat_to_i64(
                keysend.fee_limit,
            ))),
        }),
        dest_custom_records: records,
        use_mission_control: true,
        ..Default::default()
    }
}

/// The best route's fee; `None` when LND found no route.
pub(crate) fn fee_estimate(routes: lnrpc::QueryRoutesResponse) -> Option<FeeEstimate> {
    let route = routes.routes.into_iter().next()?;
    Some(FeeEstimate {
        fee: msat_from_i64(route.total_fees_msat),
        hops: u32::try_from(route.hops.len()).unwrap_or(u32::MAX),
        time_lock_delay: route.total_time_lock,
        success_probability: routes.success_prob,
    })
}

/// The best route as an AMP shard's: fee, hops, the node before the
/// destination; `None` when LND found no route.
pub(crate) fn shard_route(
    routes: lnrpc::QueryRoutesResponse,
) -> Option<crate::node::routing::ShardRoute> {
    let route = routes.routes.into_iter().next()?;
    let before_last = route.hops.len().checked_sub(2);
    Some(crate::node::routing::ShardRoute {
        fee: msat_from_i64(route.total_fees_msat),
        hops: u32::try_from(route.hops.len()).unwrap_or(u32::MAX),
        last_hop: before_last.and_then(|i| route.hops[i].pub_key.parse().ok()),
    })
}

/// Parse a hex node id the node sent us.
pub(crate) fn node_id(hex: &str) -> Result<NodeId, NodeError> {
    hex.parse()
        .map_err(|err| NodeError::Other(format!("the node sent an invalid node id {hex:?}: {err}")))
}

/// Records as the proto map.
pub(crate) fn to_proto_records(records: &Records) -> HashMap<u64, Vec<u8>> {
    records
        .iter()
        .map(|(key, value)| (*key, value.clone()))
        .collect()
}

/// A proto record map as sorted [`Records`].
pub(crate) fn from_proto_records(records: HashMap<u64, Vec<u8>>) -> Records {
    records.into_iter().collect()
}

/// LND's signed sat/msat fields; negative values (never expected) become 0.
pub(crate) fn sat_to_msat(sats: i64) -> Msat {
    Msat::from_sat(u64::try_from(sats).unwrap_or(0))
}

/// An msat amount as LND's signed field, saturating.
pub(crate) fn msat_to_i64(amount: Msat) -> i64 {
    i64::try_from(amount.0).unwrap_or(i64::MAX)
}

/// A signed msat field as [`Msat`]; negative values become 0.
pub(crate) fn msat_from_i64(msat: i64) -> Msat {
    Msat(u64::try_from(msat).unwrap_or(0))
}

#[cfg(test)]
mod tests;
