//! Turning what the user composed into a keysend ready for the journal:
//! sign the sender identity with the node key if asked, check the amount,
//! the fee limit, amount plus fee against what the node can send, and the
//! onion size budget before anything is sent.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::SendError;
use super::draft::{self, Probe, ProbeKey};
use crate::keysend::onion::Budget;
use crate::keysend::outgoing::{SignedIdentity, Tip};
use crate::keysend::{Msat, NodeId, Preimage};
use crate::node::{Balance, NodeInfo, OutgoingKeysend, SharedNode};

/// How long the node may search for a route before giving up (LND's default).
pub const SEND_TIMEOUT: Duration = Duration::from_secs(60);

/// A tip the user composed.
#[derive(Debug, Clone)]
pub struct SendRequest {
    /// One per composed tip (the GUI makes it): a second submit of the same
    /// intent is refused by the journal.
    pub intent_id: String,
    pub destination: NodeId,
    pub amount: Msat,
    /// Message, boostagram, extra records; its `identity` is ignored (set here).
    pub tip: Tip,
    /// Sign a Whatsat sender identity with our node key (needs a message;
    /// without one there is nothing to sign and no identity is attached).
    pub sign: bool,
    /// Most we pay in routing fees. Never zero (LND: zero-fee routes only).
    pub fee_limit: Msat,
}

/// Build the keysend for `req`: fresh preimage, final records, checked.
/// `balance`, when known, refuses an amount that, with the routing fee on
/// top, the node cannot send (see [`check_spendable`]).
pub async fn prepare(
    node: &SharedNode,
    info: &NodeInfo,
    req: SendRequest,
    balance: Option<Balance>,
) -> Result<OutgoingKeysend, SendError> {
    prepare_probed(node, info, req, balance, None).await
}

/// [`prepare`] with the node's answer about this tip already in hand (the
/// frontend showed it): no second route query. A probe for another
/// destination, amount or fee limit is not used; the node is asked again.
pub async fn prepare_probed(
    node: &SharedNode,
    info: &NodeInfo,
    req: SendRequest,
    balance: Option<Balance>,
    probe: Option<&Probe>,
) -> Result<OutgoingKeysend, SendError> {
    check_amounts(info, &req, balance)?;
    let mut tip = req.tip;
    tip.identity = None;
    let _ = tip.records()?; // refuse bad extras before asking the node to sign
    if req.sign && tip.message_text().is_some() {
        tip.identity = Some(sign_identity(node, info, &req.destination, &tip).await?);
    }
    let keysend = OutgoingKeysend {
        destination: req.destination,
        amount: req.amount,
        preimage: Preimage::random(),
        records: tip.records()?,
        fee_limit: req.fee_limit,
        timeout: SEND_TIMEOUT,
    };
    let key = ProbeKey {
        destination: req.destination,
        amount: req.amount,
        fee_limit: req.fee_limit,
    };
    let fresh;
    let probe = match probe.filter(|p| p.key == key) {
        Some(probe) => probe,
        None => {
            fresh = draft::probe(node, key).await;
            &fresh
        }
    };
    let estimated_fee = probe.route.as_ref().ok().map(|e| e.fee);
    check_spendable(req.amount, req.fee_limit, balance.as_ref(), estimated_fee)?;
    check_budget(&keysend, Probe::hops(Some(probe)))?;
    Ok(keysend)
}

/// Refuse an amount the node cannot send with the routing fee on top (LND
/// needs amount + fee within the local balance). The fee counted is the fee
/// limit, or, when the node found a route (`estimated_fee`), that route's
/// fee capped by the limit: a direct peer costs no fee, so nearly the whole
/// balance can go to it. `balance` unknown: nothing to check.
pub fn check_spendable(
    amount: Msat,
    fee_limit: Msat,
    balance: Option<&Balance>,
    estimated_fee: Option<Msat>,
) -> Result<(), SendError> {
    let Some(available) = balance.map(|b| b.local) else {
        return Ok(());
    };
    let fee = estimated_fee.map_or(fee_limit, |fee| fee.min(fee_limit));
    if amount.0.saturating_add(fee.0) <= available.0 {
        return Ok(());
    }
    Err(SendError::InsufficientBalance {
        amount,
        fee_limit,
        available,
    })
}

fn check_amounts(
    info: &NodeInfo,
    req: &SendRequest,
    balance: Option<Balance>,
) -> Result<(), SendError> {
    if req.amount == Msat::ZERO {
        return Err(SendError::ZeroAmount);
    }
    if req.fee_limit == Msat::ZERO {
        return Err(SendError::ZeroFeeLimit);
    }
    if req.destination == info.id {
        return Err(SendError::SelfPayment);
    }
    // The amount alone first, before asking the node anything.
    check_spendable(
        req.amount,
        req.fee_limit,
        balance.as_ref(),
        Some(Msat::ZERO),
    )
}

/// Whatsat identity: the node signs sender || recipient || timestamp || message.
async fn sign_identity(
    node: &SharedNode,
    info: &NodeInfo,
    destination: &NodeId,
    tip: &Tip,
) -> Result<SignedIdentity, SendError> {
    let timestamp_ns = now_ns();
    let payload = tip
        .signing_payload(&info.id, destination, timestamp_ns)
        .ok_or(crate::keysend::outgoing::RecordError::IdentityWithoutMessage)?;
    let signature = node
        .sign_with_node_key(payload)
        .await
        .map_err(SendError::Signing)?;
    let signature: [u8; 64] = signature
        .as_slice()
        .try_into()
        .map_err(|_| SendError::BadSignature(signature.len()))?;
    Ok(SignedIdentity {
        sender: info.id,
        timestamp_ns,
        signature,
    })
}

/// Refuse records that cannot fit the onion over `hops` hops (the route the
/// node would take, else [`draft::ASSUMED_HOPS`]: the rule the byte meter uses).
fn check_budget(keysend: &OutgoingKeysend, hops: u32) -> Result<(), SendError> {
    draft::fits(Budget::measure(hops, keysend.amount, &keysend.records))
}

fn now_ns() -> u64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balance(sats: u64) -> Balance {
        Balance {
            local: Msat::from_sat(sats),
            ..Balance::default()
        }
    }

    #[test]
    fn amount_plus_fee_must_fit_the_balance() {
        let sat = Msat::from_sat;
        // (amount, fee limit, estimated fee, spendable, accepted)
        let cases = [
            (sat(900), sat(100), None, 1_000, true),
            (sat(901), sat(100), None, 1_000, false),
            // A direct peer: the route costs nothing, the limit is not needed.
            (sat(1_000), sat(100), Some(Msat::ZERO), 1_000, true),
            (sat(990), sat(100), Some(sat(10)), 1_000, true),
            (sat(991), sat(100), Some(sat(10)), 1_000, false),
            // An estimate above the limit counts only the limit (never paid more).
            (sat(900), sat(100), Some(sat(500)), 1_000, true),
            (sat(1_001), sat(100), Some(Msat::ZERO), 1_000, false),
        ];
        for (amount, limit, estimate, spendable, accepted) in cases {
            let got = check_spendable(amount, limit, Some(&balance(spendable)), estimate);
            assert_eq!(got.is_ok(), accepted, "{amount} + {limit} ({estimate:?})");
            if let Err(err) = got {
                assert!(
                    matches!(err, SendError::InsufficientBalance { fee_limit, .. } if fee_limit == limit),
                    "{err:?}"
                );
            }
        }
        assert!(
            check_spendable(sat(5), sat(1), None, None).is_ok(),
            "unknown balance"
        );
    }

    #[test]
    fn the_refusal_names_amount_fee_limit_and_balance() {
        let err = check_spendable(
            Msat(8_699_019_800),
            Msat(1_500),
            Some(&balance(8_699_019)),
            None,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "8,699,019 sat plus routing fees (limit 1.500 sat) is more than your node can send \
             right now (8,699,019 sat); send less or lower the fee limit"
        );
    }
}
