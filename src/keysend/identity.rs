//! Sender identity records: Whatsat-compatible signing and verification.

use super::NodeId;

/// The bytes a Whatsat-style sender signs (single SHA-256, node key):
/// sender pubkey (33) || recipient pubkey (33) || timestamp (8, BE ns) || message.
pub fn whatsat_payload(sender: &NodeId, recipient: &NodeId, timestamp_ns: u64, message: &[u8]) -> Vec<u8> {
    let mut payload = Vec::with_capacity(33 + 33 + 8 + message.len());
    payload.extend_from_slice(sender.as_bytes());
    payload.extend_from_slice(recipient.as_bytes());
    payload.extend_from_slice(&timestamp_ns.to_be_bytes());
    payload.extend_from_slice(message);
    payload
}
