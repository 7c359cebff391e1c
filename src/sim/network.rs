//! The live state of the simulated network: channel balances and HTLC
//! counters, every node's ledger, the block height. Guarded by one mutex in
//! [`Shared`](super::server::Shared); every method here is synchronous and short.

use secp256k1::SecretKey;

use crate::keysend::NodeId;

use super::graph::{self, CHANNELS, NODES, USER};
use super::ledger::Ledger;

/// Regtest-style chain height the sim starts at.
pub(crate) const START_HEIGHT: u32 = 850_000;

/// A channel's balances and counters (persisted).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ChannelState {
    #[prost(uint64, tag = "1")]
    pub chan_id: u64,
    /// Balance on the opener's (`a`) side.
    #[prost(uint64, tag = "2")]
    pub a_balance_msat: u64,
    /// Balance on the peer's (`b`) side; capacity minus both is in flight.
    #[prost(uint64, tag = "7")]
    pub b_balance_msat: u64,
    /// HTLCs `a` has settled on this channel (next index from a to b).
    #[prost(uint64, tag = "3")]
    pub a_htlcs: u64,
    #[prost(uint64, tag = "4")]
    pub b_htlcs: u64,
    #[prost(uint64, tag = "5")]
    pub a_sent_msat: u64,
    #[prost(uint64, tag = "6")]
    pub b_sent_msat: u64,
}

/// The whole network.
pub(crate) struct Network {
    pub block_height: u32,
    pub channels: Vec<ChannelState>,
    pub ledgers: Vec<Ledger>,
    pub ids: Vec<NodeId>,
    /// Each node's key, by index (the user's from [`Network::identity`]).
    pub keys: Vec<SecretKey>,
    /// The seed of the user's node key, persisted in the sim directory so
    /// that each directory is its own node; empty for a network saved before
    /// seeds existed (its user key is the one derived from the name alone).
    pub identity: Vec<u8>,
}

impl Network {
    /// The demo network as first created, with the user's node key derived
    /// from its name alone (the same in every directory; tests).
    #[cfg(test)]
    pub fn fresh() -> Self {
        Self::fresh_as(Vec::new())
    }

    /// The demo network as first created: opening balances, empty ledgers,
    /// the user's node keyed by `identity`.
    pub fn fresh_as(identity: Vec<u8>) -> Self {
        let channels = CHANNELS
            .iter()
            .enumerate()
            .map(|(i, c)| ChannelState {
                chan_id: graph::short_channel_id(i),
                a_balance_msat: c.a_local_sat * 1000,
                b_balance_msat: (c.capacity_sat - c.a_local_sat) * 1000,
                ..ChannelState::default()
            })
            .collect();
        Self::assemble(
            START_HEIGHT,
            channels,
            NODES.iter().map(|_| Ledger::default()).collect(),
            identity,
        )
    }

    /// A network from restored parts.
    pub fn assemble(
        block_height: u32,
        channels: Vec<ChannelState>,
        ledgers: Vec<Ledger>,
        identity: Vec<u8>,
    ) -> Self {
        let keys: Vec<SecretKey> = NODES
            .iter()
            .map(|n| match n.name == USER {
                true => graph::seeded_key(n.name, &identity),
                false => graph::secret_key(n.name),
            })
            .collect();
        let ids = keys.iter().map(graph::id_of).collect();
        Self {
            block_height,
            channels,
            ledgers,
            ids,
            keys,
            identity,
        }
    }

    /// A new random seed for the user's node key.
    pub fn new_identity() -> Vec<u8> {
        rand::random::<[u8; 32]>().to_vec()
    }

    /// Node index by id.
    pub fn node_by_id(&self, id: &NodeId) -> Option<usize> {
        self.ids.iter().position(|i| i == id)
    }

    /// Balance of one side of channel `index`.
    pub fn local_msat(&self, index: usize, side_a: bool) -> u64 {
        let channel = &self.channels[index];
        if side_a {
            channel.a_balance_msat
        } else {
            channel.b_balance_msat
        }
    }

    /// Sum of `node`'s local and remote balances over its channels.
    pub fn balances(&self, node: usize) -> (u64, u64) {
        graph::channels_of(node)
            .iter()
            .fold((0, 0), |(local, remote), &(i, _, is_a)| {
                (
                    local + self.local_msat(i, is_a),
                    remote + self.local_msat(i, !is_a),
                )
            })
    }

    /// Offer an HTLC of `amount` over channel `index` from one side: the
    /// amount leaves that side's balance (it is in flight).
    pub fn offer(&mut self, index: usize, from_a: bool, amount: u64) {
        let channel = &mut self.channels[index];
        if from_a {
            channel.a_balance_msat -= amount;
        } else {
            channel.b_balance_msat -= amount;
        }
    }

    /// Settle an offered HTLC: the other side receives it. Returns the
    /// HTLC's index on this channel, counted when it settles, so HTLCs in
    /// flight at once each get their own (as on a real channel, where the
    /// index identifies the HTLC; the index keys received keysends by it).
    pub fn settle(&mut self, index: usize, from_a: bool, amount: u64) -> u64 {
        let channel = &mut self.channels[index];
        let counter = if from_a {
            channel.b_balance_msat += amount;
            channel.a_sent_msat += amount;
            &mut channel.a_htlcs
        } else {
            channel.a_balance_msat += amount;
            channel.b_sent_msat += amount;
            &mut channel.b_htlcs
        };
        *counter += 1;
        *counter - 1
    }

    /// Fail an offered HTLC: the amount returns to the sender's side.
    pub fn refund(&mut self, index: usize, from_a: bool, amount: u64) {
        let channel = &mut self.channels[index];
        if from_a {
            channel.a_balance_msat += amount;
        } else {
            channel.b_balance_msat += amount;
        }
    }

    /// Channel index by short channel id.
    pub fn channel_by_id(&self, chan_id: u64) -> Option<usize> {
        self.channels.iter().position(|c| c.chan_id == chan_id)
    }
}
