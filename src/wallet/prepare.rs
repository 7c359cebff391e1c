//! Turning what the user composed into a keysend ready for the journal:
//! sign the sender identity with the node key if asked, check the amount,
//! the fee limit and the onion size budget before anything is sent.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::SendError;
use crate::keysend::onion::Budget;
use crate::keysend::outgoing::{SignedIdentity, Tip};
use crate::keysend::{Msat, NodeId, Preimage, Records};
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
/// `balance`, when known, refuses amounts the node cannot send.
pub async fn prepare(
    node: &SharedNode,
    info: &NodeInfo,
    req: SendRequest,
    balance: Option<Balance>,
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
    check_budget(node, &keysend).await?;
    Ok(keysend)
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
    match balance {
        Some(balance) if req.amount > balance.local => Err(SendError::InsufficientBalance {
            amount: req.amount,
            available: balance.local,
        }),
        _ => Ok(()),
    }
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

/// Refuse records that cannot fit the onion over the route the node would
/// take. The route is found without the records (LND finds no route at all
/// for an oversize onion, which would hide the real problem); when the node
/// cannot find one, one hop is assumed (the most lenient).
async fn check_budget(node: &SharedNode, keysend: &OutgoingKeysend) -> Result<(), SendError> {
    let probe = OutgoingKeysend {
        records: Records::new(),
        ..keysend.clone()
    };
    let hops = match node.estimate_fee(&probe).await {
        Ok(estimate) => estimate.hops.max(1),
        Err(_) => 1,
    };
    let budget = Budget::measure(hops, keysend.amount, &keysend.records);
    if budget.fits() {
        return Ok(());
    }
    Err(SendError::TooLarge {
        hops,
        used: budget.used,
        total: budget.total,
        over: budget.used - budget.total,
    })
}

fn now_ns() -> u64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since.as_nanos()).unwrap_or(u64::MAX)
}
