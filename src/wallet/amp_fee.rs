//! The fee of an AMP payment before it is sent (issue 17): split the
//! amount as the sender's node will (1, 2, … equal shards, the first ones
//! carrying the remainder, up to LND's default of 16 parts) and ask for a
//! route per shard. A shard prefers a way into the receiver no earlier
//! shard took (QueryRoutes `ignored_pairs`), as a split payment must when
//! one inbound channel cannot carry two shards, and falls back to a shared
//! one. The first split whose every shard has a route is the estimate.

use crate::keysend::{Msat, NodeId};
use crate::node::routing::split;
use crate::node::{NodeError, OutgoingKeysend, SharedNode};

/// LND's default `max_parts`.
pub const MAX_SHARDS: u64 = 16;

/// What an AMP payment is expected to cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmpEstimate {
    pub shards: u32,
    /// All shards' routing fees together.
    pub fee: Msat,
}

/// Estimate the shards and fee of sending `keysend` as AMP. `Ok(None)`:
/// no split up to [`MAX_SHARDS`] finds a route for every shard within the
/// fee limit.
pub async fn estimate(
    node: &SharedNode,
    keysend: &OutgoingKeysend,
) -> Result<Option<AmpEstimate>, NodeError> {
    for parts in 1..=MAX_SHARDS {
        if let Some(fee) = split_fee(node, keysend, parts).await? {
            return Ok(Some(AmpEstimate {
                shards: parts as u32,
                fee,
            }));
        }
    }
    Ok(None)
}

/// The fee of `parts` shards, or `None` when one has no route.
async fn split_fee(
    node: &SharedNode,
    keysend: &OutgoingKeysend,
    parts: u64,
) -> Result<Option<Msat>, NodeError> {
    let mut avoid: Vec<(NodeId, NodeId)> = Vec::new();
    let mut fee = Msat::ZERO;
    for amount in split(keysend.amount.0, parts) {
        let shard = OutgoingKeysend {
            amount: Msat(amount),
            fee_limit: Msat(keysend.fee_limit.0.saturating_sub(fee.0)),
            ..keysend.clone()
        };
        let route = match node.route_avoiding(&shard, avoid.clone()).await {
            Ok(route) => route,
            Err(NodeError::NotFound(_)) if !avoid.is_empty() => {
                match node.route_avoiding(&shard, Vec::new()).await {
                    Ok(route) => route,
                    Err(NodeError::NotFound(_)) => return Ok(None),
                    Err(other) => return Err(other),
                }
            }
            Err(NodeError::NotFound(_)) => return Ok(None),
            Err(other) => return Err(other),
        };
        fee = Msat(fee.0 + route.fee.0);
        if let Some(last) = route.last_hop {
            avoid.push((last, keysend.destination));
        }
    }
    Ok(Some(fee))
}
