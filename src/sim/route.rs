//! Path finding over the demo graph, the way LND's router picks a keysend
//! route: one part only (keysend is never split), the cheapest total fee
//! among paths whose channels can carry the amount, within the fee limit,
//! and whose onion payload fits the 1300-byte budget (LND: routing/pathfind.go
//! discards paths whose payload is too large, so big records mean NO_ROUTE).

use crate::keysend::Records;
use crate::keysend::onion::{ONION_BUDGET, bigsize_len, record_len, truncated_len};

use super::graph::{self, CHANNELS};
use super::network::Network;

/// Longest path the sim considers.
const MAX_HOPS: usize = 6;
/// BOLT 4: the HMAC that follows every hop payload.
const HMAC_LEN: usize = 32;

/// One hop of a planned route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlannedHop {
    /// Channel index into `CHANNELS` used to reach this hop.
    pub channel: usize,
    /// The sending side of that channel is its `a` side.
    pub from_a: bool,
    /// The node reached.
    pub node: usize,
    pub amt_to_forward_msat: u64,
    pub fee_msat: u64,
    pub expiry: u32,
}

/// A complete route from the sender to the destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlannedRoute {
    pub hops: Vec<PlannedHop>,
    pub total_amt_msat: u64,
    pub total_fees_msat: u64,
    pub total_time_lock: u32,
}

/// What to route.
pub(crate) struct RouteQuery<'a> {
    pub from: usize,
    pub to: usize,
    pub amount_msat: u64,
    /// `None`: no limit (QueryRoutes without a fee limit).
    pub fee_limit_msat: Option<u64>,
    pub records: &'a Records,
    pub final_cltv_delta: u32,
    /// Outgoing channel, last hop, hinted private channels (issue 17).
    pub limits: Limits,
}

/// Route restrictions a SendPaymentV2 request may carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Limits {
    /// LND `outgoing_chan_ids`: the first hop must use this channel index.
    pub outgoing: Option<usize>,
    /// LND `last_hop_pubkey`: the node before the destination.
    pub last_hop: Option<usize>,
    /// Private channels that route hints make usable.
    pub hinted: Vec<usize>,
    /// LND QueryRoutes `ignored_pairs`: directed node pairs not to use.
    pub ignored_pairs: Vec<(usize, usize)>,
}

/// Why no route was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RouteError {
    /// LND: FAILURE_REASON_NO_ROUTE.
    NoRoute,
    /// LND: FAILURE_REASON_INSUFFICIENT_BALANCE (amount above local balance).
    InsufficientBalance,
}

/// The cheapest feasible route (ties: fewer hops).
pub(crate) fn find(network: &Network, query: &RouteQuery<'_>) -> Result<PlannedRoute, RouteError> {
    if query.amount_msat > network.balances(query.from).0 {
        return Err(RouteError::InsufficientBalance);
    }
    let mut best: Option<PlannedRoute> = None;
    for path in paths(query.from, query.to, &query.limits) {
        let Some(route) = plan(network, &path, query) else {
            continue;
        };
        let better = best.as_ref().is_none_or(|b| {
            (route.total_fees_msat, route.hops.len()) < (b.total_fees_msat, b.hops.len())
        });
        if better {
            best = Some(route);
        }
    }
    best.ok_or(RouteError::NoRoute)
}

/// A path as (channel index, from_a, next node) steps.
type Path = Vec<(usize, bool, usize)>;

/// All simple paths from `from` to `to` (a circle back to `from` for a
/// self-payment). Private channels are only usable by their own endpoints
/// as the first hop, or when a route hint names them.
fn paths(from: usize, to: usize, limits: &Limits) -> Vec<Path> {
    let mut found = Vec::new();
    let mut stack = vec![(from, Path::new(), vec![from])];
    while let Some((node, path, visited)) = stack.pop() {
        if node == to && !path.is_empty() {
            found.push(path);
            continue;
        }
        if path.len() >= MAX_HOPS {
            continue;
        }
        for (channel, peer, is_a) in graph::channels_of(node) {
            if !step_allowed(&path, &visited, (node, channel, peer), (from, to), limits) {
                continue;
            }
            let mut next_path = path.clone();
            next_path.push((channel, is_a, peer));
            let mut next_visited = visited.clone();
            next_visited.push(peer);
            stack.push((peer, next_path, next_visited));
        }
    }
    found
}

/// Whether the path may go from `node` over `channel` to `peer`.
fn step_allowed(
    path: &Path,
    visited: &[usize],
    (node, channel, peer): (usize, usize, usize),
    (from, to): (usize, usize),
    limits: &Limits,
) -> bool {
    let closes_circle = peer == to && to == from && !path.is_empty();
    let revisits = visited.contains(&peer) && !closes_circle;
    let reused = path.iter().any(|(c, _, _)| *c == channel);
    let private_blocked =
        CHANNELS[channel].private && node != from && !limits.hinted.contains(&channel);
    let wrong_first = path.is_empty() && limits.outgoing.is_some_and(|c| c != channel);
    let wrong_last = peer == to && limits.last_hop.is_some_and(|h| h != node);
    let ignored = limits.ignored_pairs.contains(&(node, peer));
    !(revisits || reused || private_blocked || wrong_first || wrong_last || ignored)
}

/// Amounts, fees and expiries along `path`, or `None` if a channel cannot
/// carry it, the fee limit is exceeded or the onion does not fit.
fn plan(network: &Network, path: &Path, query: &RouteQuery<'_>) -> Option<PlannedRoute> {
    let last = path.len() - 1;
    let final_expiry = network.block_height + query.final_cltv_delta;
    let mut hops: Vec<PlannedHop> = Vec::with_capacity(path.len());
    let (mut forward, mut fee, mut expiry) = (query.amount_msat, 0u64, final_expiry);
    for j in (0..=last).rev() {
        let (channel, from_a, node) = path[j];
        if j < last {
            let (next_channel, next_from_a, _) = path[j + 1];
            let policy = outgoing_policy(next_channel, next_from_a);
            forward += fee;
            fee = policy.fee(forward);
            expiry = hops.last().map_or(final_expiry, |h| {
                h.expiry + outgoing_delta(path, j + 1, last)
            });
        }
        if network.local_msat(channel, from_a) < forward + fee {
            return None;
        }
        hops.push(PlannedHop {
            channel,
            from_a,
            node,
            amt_to_forward_msat: forward,
            fee_msat: fee,
            expiry,
        });
    }
    hops.reverse();
    let total_fees_msat: u64 = hops.iter().map(|h| h.fee_msat).sum();
    if query
        .fee_limit_msat
        .is_some_and(|limit| total_fees_msat > limit)
    {
        return None;
    }
    if payload_size(&hops, query.records) > ONION_BUDGET {
        return None;
    }
    let first = &hops[0];
    let total_time_lock = first.expiry + outgoing_delta(path, 0, last);
    Some(PlannedRoute {
        total_amt_msat: first.amt_to_forward_msat + first.fee_msat,
        total_fees_msat,
        total_time_lock,
        hops,
    })
}

/// The policy the forwarding node applies on the channel of step `step`.
fn outgoing_policy(channel: usize, from_a: bool) -> graph::Policy {
    let spec = &CHANNELS[channel];
    if from_a { spec.a_policy } else { spec.b_policy }
}

/// CLTV delta the node of step `step` adds (0 for the destination).
fn outgoing_delta(path: &Path, step: usize, last: usize) -> u32 {
    if step >= last {
        return 0;
    }
    let (channel, from_a, _) = path[step + 1];
    outgoing_policy(channel, from_a).cltv_delta
}

/// Bytes the route uses of the onion's 1300-byte payload area: per hop the
/// TLV payload (amount, CLTV, next channel or the final records), its
/// BigSize length prefix and a 32-byte HMAC.
pub(crate) fn payload_size(hops: &[PlannedHop], records: &Records) -> usize {
    let last = hops.len().saturating_sub(1);
    hops.iter()
        .enumerate()
        .map(|(j, hop)| {
            let mut tlv = record_len(2, truncated_len(hop.amt_to_forward_msat))
                + record_len(4, truncated_len(u64::from(hop.expiry)));
            if j < last {
                tlv += record_len(6, 8);
            } else {
                tlv += records
                    .iter()
                    .map(|(key, value)| record_len(*key, value.len()))
                    .sum::<usize>();
            }
            bigsize_len(tlv as u64) + tlv + HMAC_LEN
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::record::{KEYSEND_PREIMAGE, MESSAGE};
    use crate::sim::graph::{USER, node_index};

    fn query<'a>(to: &str, amount_msat: u64, records: &'a Records) -> RouteQuery<'a> {
        RouteQuery {
            from: node_index(USER).unwrap(),
            to: node_index(to).unwrap(),
            amount_msat,
            fee_limit_msat: Some(100_000),
            records,
            final_cltv_delta: 80,
            limits: Limits::default(),
        }
    }

    fn keysend_records(message_len: usize) -> Records {
        Records::from([
            (KEYSEND_PREIMAGE, vec![0; 32]),
            (MESSAGE, vec![b'x'; message_len]),
        ])
    }

    #[test]
    fn direct_payload_budget_matches_research_table() {
        // Research §2.6: a direct channel fits a 1205-byte message, not 1206.
        let network = Network::fresh();
        assert!(find(&network, &query("alice", 100_000, &keysend_records(1205))).is_ok());
        assert_eq!(
            find(&network, &query("alice", 100_000, &keysend_records(1206))),
            Err(RouteError::NoRoute)
        );
    }

    #[test]
    fn grace_is_three_hops_with_fees() {
        let network = Network::fresh();
        let route = find(&network, &query("grace", 1_000_000, &keysend_records(10))).unwrap();
        let names: Vec<_> = route
            .hops
            .iter()
            .map(|h| graph::NODES[h.node].name)
            .collect();
        assert_eq!(names, ["bob", "carol", "grace"]);
        // carol charges 800 + 150 ppm of 1,000,000; bob 1000 + 200 ppm of 1,000,950.
        assert_eq!(route.hops[1].fee_msat, 950);
        assert_eq!(route.hops[0].fee_msat, 1200);
        assert_eq!(route.total_fees_msat, 2150);
        assert_eq!(route.total_amt_msat, 1_002_150);
        // Hop.expiry is the CLTV this hop forwards with; carol and bob each add 80.
        assert_eq!(route.hops[2].expiry, network.block_height + 80);
        assert_eq!(route.hops[1].expiry, network.block_height + 80);
        assert_eq!(route.hops[0].expiry, network.block_height + 160);
        assert_eq!(route.total_time_lock, network.block_height + 240);
    }

    #[test]
    fn zero_fee_limit_and_balance_limits() {
        let network = Network::fresh();
        let records = keysend_records(10);
        let mut q = query("carol", 10_000, &records);
        q.fee_limit_msat = Some(0);
        assert_eq!(find(&network, &q), Err(RouteError::NoRoute));
        // frank's private channel is direct and free.
        let mut q = query("frank", 10_000, &records);
        q.fee_limit_msat = Some(0);
        assert_eq!(find(&network, &q).unwrap().total_fees_msat, 0);
        let q = query("alice", 100_000_000_000, &records);
        assert_eq!(find(&network, &q), Err(RouteError::InsufficientBalance));
    }
}
