//! Checking who sent a keysend: the signature schemes of research notes 1.3,
//! verified locally (no graph lookup, so private senders verify too).
//!
//! Whatsat: 34349337 holds a 64-byte R || S (or DER) signature, by the key in
//! 34349339, over sender || recipient || timestamp || message, single SHA-256.
//! ThunderHub: 34349337 holds the z-base-32 text of a 65-byte recoverable
//! signature over `Lightning Signed Message:{"sender":..,"message":..}`,
//! double SHA-256; the recovered key must equal 34349339.

use secp256k1::ecdsa::{RecoverableSignature, RecoveryId, Signature};
use secp256k1::{PublicKey, SECP256K1};

use super::{NAME_CHARS, claimed_sender, timestamp};
use crate::keysend::identity::{thunderhub_digest, whatsat_digest, whatsat_payload};
use crate::keysend::record::{self, Records};
use crate::keysend::text::display_bytes;
use crate::keysend::{NodeId, zbase32};

/// At most this many other recipients are tried when looking for a replay.
const MAX_OTHER_RECIPIENTS: usize = 64;

/// Who sent a keysend, as far as we can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    /// A signature by `id` checked out.
    Verified { id: NodeId, scheme: Scheme },
    /// Sender records are present but prove nothing.
    Claimed {
        id: Option<NodeId>,
        name: Option<String>,
        problem: Unverified,
    },
    /// No sender records at all.
    Anonymous,
}

/// The signature scheme that verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Bound to us as recipient and to a timestamp.
    Whatsat,
    /// Signs sender and message only: a valid record can be replayed to anyone.
    ThunderHub,
}

/// Why a claimed sender is not verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unverified {
    #[error("no signature")]
    NoSignature,
    #[error("the signature does not match the claimed sender")]
    BadSignature,
    #[error("a valid signature, but made for another recipient (replayed)")]
    OtherRecipient,
    #[error("the signature is malformed")]
    MalformedSignature,
    #[error("the sender records are in a format Satchel cannot check")]
    UnknownFormat,
}

impl Unverified {
    /// A signature that is present but proves the claim false.
    pub fn is_forgery(self) -> bool {
        matches!(self, Self::BadSignature | Self::OtherRecipient)
    }
}

/// Check the sender signature of `records` received by `recipient`.
pub fn verify_sender(records: &Records, recipient: &NodeId) -> Sender {
    verify_sender_among(records, recipient, &[])
}

/// Like [`verify_sender`]; when the Whatsat signature fails for `recipient`,
/// also try up to 64 `other_recipients` (contacts, say) to report a replay.
pub fn verify_sender_among(
    records: &Records,
    recipient: &NodeId,
    other_recipients: &[NodeId],
) -> Sender {
    let sender_record = records.get(&record::SENDER_PUBKEY);
    let name = records
        .get(&record::SENDER_ALIAS)
        .map(|v| display_bytes(v, NAME_CHARS, false))
        .filter(|n| !n.is_empty());
    let signature = records.get(&record::SIGNATURE);
    if sender_record.is_none() && signature.is_none() && name.is_none() {
        return Sender::Anonymous;
    }
    let checked = match (signature, sender_record) {
        (None, _) => Err(Unverified::NoSignature),
        (Some(sig), Some(raw)) if raw.len() == 33 => {
            check(records, sig, raw, recipient, other_recipients)
        }
        (Some(_), _) => Err(Unverified::UnknownFormat),
    };
    match checked {
        Ok((id, scheme)) => Sender::Verified { id, scheme },
        Err(problem) => Sender::Claimed {
            id: sender_record.and_then(|v| claimed_sender(v)),
            name,
            problem,
        },
    }
}

/// Parse the 33-byte sender and check the signature; the verified id on success.
fn check(
    records: &Records,
    sig: &[u8],
    sender: &[u8],
    recipient: &NodeId,
    others: &[NodeId],
) -> Result<(NodeId, Scheme), Unverified> {
    let id = NodeId::from_slice(sender).map_err(|_| Unverified::BadSignature)?;
    let public = id.public_key().ok_or(Unverified::BadSignature)?;
    scheme(records, sig, &id, &public, recipient, others).map(|scheme| (id, scheme))
}

/// Dispatch on the signature's shape: 64 bytes or DER is Whatsat, z-base-32 text is ThunderHub.
fn scheme(
    records: &Records,
    sig: &[u8],
    id: &NodeId,
    public: &PublicKey,
    recipient: &NodeId,
    others: &[NodeId],
) -> Result<Scheme, Unverified> {
    if sig.len() == 64 {
        let signature = Signature::from_compact(sig).map_err(|_| Unverified::MalformedSignature)?;
        return whatsat(records, signature, id, public, recipient, others);
    }
    if sig.first() == Some(&0x30) && (8..=73).contains(&sig.len()) {
        let signature = Signature::from_der(sig)
            .or_else(|_| Signature::from_der_lax(sig))
            .map_err(|_| Unverified::MalformedSignature)?;
        return whatsat(records, signature, id, public, recipient, others);
    }
    if zbase32::is_zbase32(sig) {
        return thunderhub(records, sig, id, public);
    }
    Err(Unverified::UnknownFormat)
}

/// Whatsat: needs the 8-byte timestamp and the message; tries us, then the others.
fn whatsat(
    records: &Records,
    mut signature: Signature,
    sender: &NodeId,
    public: &PublicKey,
    recipient: &NodeId,
    others: &[NodeId],
) -> Result<Scheme, Unverified> {
    let ts = records
        .get(&record::TIMESTAMP)
        .and_then(|v| timestamp(v))
        .ok_or(Unverified::UnknownFormat)?;
    let message = records
        .get(&record::MESSAGE)
        .ok_or(Unverified::UnknownFormat)?;
    signature.normalize_s();
    let signed_for = |to: &NodeId| {
        let digest = whatsat_digest(&whatsat_payload(sender, to, ts, message));
        SECP256K1.verify_ecdsa(&digest, &signature, public).is_ok()
    };
    if signed_for(recipient) {
        return Ok(Scheme::Whatsat);
    }
    let replayed = others
        .iter()
        .take(MAX_OTHER_RECIPIENTS)
        .any(|other| other != recipient && signed_for(other));
    Err(if replayed {
        Unverified::OtherRecipient
    } else {
        Unverified::BadSignature
    })
}

/// ThunderHub: recover the key from the z-base-32 signature and compare.
fn thunderhub(
    records: &Records,
    sig: &[u8],
    sender: &NodeId,
    public: &PublicKey,
) -> Result<Scheme, Unverified> {
    let bytes = zbase32::decode(sig).map_err(|_| Unverified::MalformedSignature)?;
    let signature = recoverable(&bytes).ok_or(Unverified::MalformedSignature)?;
    let message = records
        .get(&record::MESSAGE)
        .ok_or(Unverified::UnknownFormat)?;
    // The signed text was a JavaScript string: a message that is not UTF-8 cannot match.
    let message = std::str::from_utf8(message).map_err(|_| Unverified::BadSignature)?;
    let recovered = SECP256K1
        .recover_ecdsa(&thunderhub_digest(sender, message), &signature)
        .map_err(|_| Unverified::BadSignature)?;
    if recovered == *public {
        Ok(Scheme::ThunderHub)
    } else {
        Err(Unverified::BadSignature)
    }
}

/// LND's 65-byte compact form: header 27 + recovery id (+ 4 for a compressed key), R, S.
fn recoverable(bytes: &[u8]) -> Option<RecoverableSignature> {
    let (&header, rs) = bytes.split_first()?;
    if rs.len() != 64 || !(27..=34).contains(&header) {
        return None;
    }
    let recovery_id = RecoveryId::try_from(i32::from((header - 27) & 3)).ok()?;
    RecoverableSignature::from_compact(rs, recovery_id).ok()
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
