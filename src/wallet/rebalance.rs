//! Rebalance to yourself (issue 17): a keysend from one of our channels back
//! to our own node through another peer, moving `amount` of outbound
//! liquidity from the `out` channel to the channel with the `in` peer. The
//! fee limit is `amount * max_fee_ppm / 1e6` (rounded down: never more).
//! LND: `outgoing_chan_ids`, `last_hop_pubkey`, `allow_self_payment`.
//!
//! Journaled like any keysend (issue 17): the preimage is ours, so the
//! payment is written down with its route before dispatch, followed by hash
//! after a crash, and never sent twice for one intent.

use futures::StreamExt;

use crate::keysend::{Msat, NodeId, Preimage, Records};
use crate::node::routing::Routing;
use crate::node::{NodeError, OutgoingKeysend, PaymentFailure, PaymentStatus, Peer, SharedNode};

use super::SEND_TIMEOUT;
use super::{Journal, JournalEntry, Reconciled, SendEvent};

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebalanceRequest {
    /// Our channel the liquidity leaves through.
    pub out_chan: u64,
    /// The peer whose channel it comes back through.
    pub in_peer: NodeId,
    pub amount: Msat,
    pub max_fee_ppm: u64,
}

/// A request checked against our channels.
#[derive(Debug, Clone, PartialEq)]
pub struct RebalancePlan {
    pub request: RebalanceRequest,
    pub out: Peer,
    pub inbound: Peer,
    /// The most the rebalance may pay in fees.
    pub fee_limit: Msat,
}

/// How a rebalance ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Rebalanced {
    pub fee: Msat,
    pub hops: u32,
    /// Our channels after it.
    pub channels: Vec<Peer>,
}

/// Why a rebalance is refused before or after sending.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RebalanceError {
    #[error("you have no channel {0}; `satchel channels` lists them")]
    UnknownChannel(u64),
    #[error("you have no channel with {0}; `satchel channels` lists your peers")]
    UnknownPeer(String),
    #[error("the liquidity must come back through another channel than it leaves by")]
    SameChannel,
    #[error("the amount must be more than zero")]
    ZeroAmount,
    #[error("channel {chan} has only {local} msat on your side; it cannot send {amount} msat")]
    NotEnoughLocal { chan: u64, local: u64, amount: u64 },
    #[error("the fee limit rounds to 0 msat ({ppm} ppm of {amount} msat): raise --max-fee-ppm")]
    ZeroFeeLimit { ppm: u64, amount: u64 },
    #[error("the rebalance failed: {}", .0.explain())]
    Failed(PaymentFailure),
    /// The journal refused it (already submitted) or could not keep it.
    #[error("{0}")]
    Journal(String),
    /// Sent, outcome not known here; the journal follows it.
    #[error("the rebalance was sent but its outcome is not known yet: {0}")]
    Unknown(String),
    #[error("{0}")]
    Node(#[from] NodeError),
}

/// Check `request` against our channels.
pub fn plan(channels: &[Peer], request: RebalanceRequest) -> Result<RebalancePlan, RebalanceError> {
    if request.amount == Msat::ZERO {
        return Err(RebalanceError::ZeroAmount);
    }
    let out = channels
        .iter()
        .find(|c| c.chan_id == request.out_chan)
        .ok_or(RebalanceError::UnknownChannel(request.out_chan))?;
    let inbound = channels
        .iter()
        .filter(|c| c.id == request.in_peer)
        .find(|c| c.chan_id != out.chan_id)
        .ok_or_else(|| match out.id == request.in_peer {
            true => RebalanceError::SameChannel,
            false => RebalanceError::UnknownPeer(request.in_peer.short()),
        })?;
    if out.local < request.amount {
        return Err(RebalanceError::NotEnoughLocal {
            chan: out.chan_id,
            local: out.local.0,
            amount: request.amount.0,
        });
    }
    let fee_limit = Msat(fee_limit_msat(request.amount.0, request.max_fee_ppm));
    if fee_limit == Msat::ZERO {
        return Err(RebalanceError::ZeroFeeLimit {
            ppm: request.max_fee_ppm,
            amount: request.amount.0,
        });
    }
    Ok(RebalancePlan {
        out: out.clone(),
        inbound: inbound.clone(),
        fee_limit,
        request,
    })
}

/// `amount * ppm / 1e6`, rounded down.
fn fee_limit_msat(amount: u64, ppm: u64) -> u64 {
    (u128::from(amount) * u128::from(ppm) / 1_000_000) as u64
}

/// The payment a plan makes: to ourselves, with its route in the journal.
pub fn keysend(own: NodeId, plan: &RebalancePlan) -> OutgoingKeysend {
    let routing = Routing {
        outgoing_chan_id: Some(plan.out.chan_id),
        last_hop: Some(plan.inbound.id),
        allow_self_payment: true,
        ..Routing::default()
    };
    OutgoingKeysend {
        destination: own,
        amount: plan.request.amount,
        preimage: Preimage::random(),
        records: Records::new(),
        fee_limit: plan.fee_limit,
        timeout: SEND_TIMEOUT,
    }
    .with_routing(routing)
}

/// Whether a journal entry is a rebalance (a payment to ourselves).
pub fn is_rebalance(entry: &JournalEntry) -> bool {
    entry
        .keysend
        .routed()
        .is_some_and(|r| r.routing.allow_self_payment)
}

/// An earlier rebalance of the same amount out of the same channel that
/// reconcile found unfinished or never sent: running this one as well
/// could move the liquidity twice.
pub fn unfinished_twin<'a>(
    found: &'a [Reconciled],
    plan: &RebalancePlan,
) -> Option<&'a JournalEntry> {
    found.iter().map(Reconciled::entry).find(|entry| {
        let routing = entry.keysend.routed().map(|r| r.routing);
        is_rebalance(entry)
            && !entry.state.is_final()
            && entry.keysend.amount == plan.request.amount
            && routing.and_then(|r| r.outgoing_chan_id) == Some(plan.out.chan_id)
    })
}

/// Pay ourselves along the plan through the journal (under `intent`, one
/// per rebalance asked for) and report the channels afterwards.
pub async fn run(
    node: &SharedNode,
    journal: &Journal,
    intent: String,
    own: NodeId,
    plan: &RebalancePlan,
) -> Result<Rebalanced, RebalanceError> {
    let events = super::send(node.clone(), journal.clone(), intent, keysend(own, plan));
    let mut events = std::pin::pin!(events);
    let mut last_error = None;
    while let Some(event) = events.next().await {
        match event {
            SendEvent::Finished(update) => match update.status {
                PaymentStatus::Succeeded { .. } => {
                    return Ok(Rebalanced {
                        fee: update.fee,
                        hops: update.hops,
                        channels: node.peers().await?,
                    });
                }
                PaymentStatus::Failed(failure) => return Err(RebalanceError::Failed(failure)),
                _ => {}
            },
            SendEvent::Error(super::SendError::Journal(error)) => {
                return Err(RebalanceError::Journal(error.to_string()));
            }
            SendEvent::Error(error) => last_error = Some(error.to_string()),
            SendEvent::NotSent(_) => {
                return Err(RebalanceError::Unknown(
                    "the node never received it; nothing moved (`satchel sent` offers it again)"
                        .into(),
                ));
            }
            _ => {}
        }
    }
    Err(RebalanceError::Unknown(last_error.unwrap_or_else(|| {
        NodeError::Disconnected("the payment stream ended early".into()).to_string()
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(byte: u8, chan_id: u64, local_sat: u64) -> Peer {
        let id = format!("02{}", hex::encode([byte; 32])).parse().unwrap();
        Peer {
            id,
            chan_id,
            active: true,
            private: false,
            capacity: Msat::from_sat(1_000_000),
            local: Msat::from_sat(local_sat),
            remote: Msat::from_sat(1_000_000 - local_sat),
        }
    }

    fn request(out_chan: u64, in_peer: &Peer, sat: u64, ppm: u64) -> RebalanceRequest {
        RebalanceRequest {
            out_chan,
            in_peer: in_peer.id,
            amount: Msat::from_sat(sat),
            max_fee_ppm: ppm,
        }
    }

    #[test]
    fn plans_are_checked_against_the_channels() {
        let (a, b) = (peer(1, 10, 600_000), peer(2, 20, 100_000));
        let channels = [a.clone(), b.clone()];
        let ok = plan(&channels, request(10, &b, 100_000, 500)).unwrap();
        assert_eq!(ok.fee_limit, Msat(50_000), "500 ppm of 100k sat");
        assert_eq!(ok.inbound.chan_id, 20);
        assert_eq!(
            plan(&channels, request(99, &b, 1, 500)),
            Err(RebalanceError::UnknownChannel(99))
        );
        assert_eq!(
            plan(&channels, request(10, &a, 1_000, 500)),
            Err(RebalanceError::SameChannel)
        );
        assert!(matches!(
            plan(&channels, request(20, &a, 200_000, 500)),
            Err(RebalanceError::NotEnoughLocal { .. })
        ));
        assert!(matches!(
            plan(&channels, request(10, &b, 1, 1)),
            Err(RebalanceError::ZeroFeeLimit { .. })
        ));
    }
}
