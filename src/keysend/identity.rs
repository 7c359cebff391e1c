//! Sender identity records: what Whatsat and ThunderHub senders sign, and
//! signing helpers for tests and the simulator (a real wallet lets its node
//! sign: see `outgoing` for the two-step flow).
//!
//! Facts from the keysend research notes, section 1.3 and 2.12.

use secp256k1::{Message, SECP256K1, SecretKey};
use sha2::{Digest, Sha256};

use super::{NodeId, zbase32};

/// The prefix LND's `lnrpc.SignMessage` puts before the signed text.
pub const LIGHTNING_PREFIX: &[u8] = b"Lightning Signed Message:";

/// The bytes a Whatsat-style sender signs (single SHA-256, node key):
/// sender pubkey (33) || recipient pubkey (33) || timestamp (8, BE ns) || message.
pub fn whatsat_payload(
    sender: &NodeId,
    recipient: &NodeId,
    timestamp_ns: u64,
    message: &[u8],
) -> Vec<u8> {
    let mut payload = Vec::with_capacity(33 + 33 + 8 + message.len());
    payload.extend_from_slice(sender.as_bytes());
    payload.extend_from_slice(recipient.as_bytes());
    payload.extend_from_slice(&timestamp_ns.to_be_bytes());
    payload.extend_from_slice(message);
    payload
}

/// The digest a Whatsat signature covers: single SHA-256 of the payload
/// (signrpc SignMessage with `double_hash` false).
pub fn whatsat_digest(payload: &[u8]) -> Message {
    Message::from_digest(Sha256::digest(payload).into())
}

/// The text a ThunderHub sender signs, before LND adds its prefix:
/// `{"sender":"<hex>","message":"<text>"}` as JavaScript's `JSON.stringify` writes it.
pub fn thunderhub_text(sender: &NodeId, message: &str) -> String {
    // serde_json escapes strings the way JSON.stringify does (\n, \", \u001f...).
    let message = serde_json::Value::from(message).to_string();
    format!(
        "{{\"sender\":\"{}\",\"message\":{message}}}",
        sender.to_hex()
    )
}

/// The digest a ThunderHub (lnrpc SignMessage) signature covers:
/// double SHA-256 of the Lightning prefix and the text.
pub fn thunderhub_digest(sender: &NodeId, message: &str) -> Message {
    let mut hasher = Sha256::new();
    hasher.update(LIGHTNING_PREFIX);
    hasher.update(thunderhub_text(sender, message).as_bytes());
    let once: [u8; 32] = hasher.finalize().into();
    Message::from_digest(Sha256::digest(once).into())
}

/// Sign a Whatsat payload the way signrpc does: single SHA-256, 64-byte R || S.
pub fn sign_whatsat(secret: &SecretKey, payload: &[u8]) -> [u8; 64] {
    SECP256K1
        .sign_ecdsa(&whatsat_digest(payload), secret)
        .serialize_compact()
}

/// Sign like ThunderHub through lnrpc SignMessage: a 65-byte recoverable
/// signature (header 31 + recovery id: compressed key) as z-base-32 text.
pub fn sign_thunderhub(secret: &SecretKey, sender: &NodeId, message: &str) -> String {
    let digest = thunderhub_digest(sender, message);
    let (recovery_id, rs) = SECP256K1
        .sign_ecdsa_recoverable(&digest, secret)
        .serialize_compact();
    let mut bytes = [0u8; 65];
    bytes[0] = 31 + i32::from(recovery_id) as u8;
    bytes[1..].copy_from_slice(&rs);
    zbase32::encode(&bytes)
}

/// The node id of a secret key (handy for tests and the simulator).
pub fn node_id_of(secret: &SecretKey) -> NodeId {
    let public = secp256k1::PublicKey::from_secret_key(SECP256K1, secret);
    NodeId::from_slice(&public.serialize()).expect("a secp256k1 public key is a valid node id")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SecretKey {
        SecretKey::from_slice(&[byte; 32]).unwrap()
    }

    #[test]
    fn whatsat_payload_layout() {
        let (alice, bob) = (node_id_of(&key(1)), node_id_of(&key(2)));
        let payload = whatsat_payload(&alice, &bob, 0x0102_0304_0506_0708, b"hi");
        assert_eq!(payload.len(), 33 + 33 + 8 + 2);
        assert_eq!(&payload[..33], alice.as_bytes());
        assert_eq!(&payload[33..66], bob.as_bytes());
        assert_eq!(&payload[66..74], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(&payload[74..], b"hi");
    }

    #[test]
    fn whatsat_signature_verifies_with_the_sender_key() {
        let secret = key(7);
        let sender = node_id_of(&secret);
        let payload = whatsat_payload(&sender, &node_id_of(&key(8)), 42, b"gm");
        let signature =
            secp256k1::ecdsa::Signature::from_compact(&sign_whatsat(&secret, &payload)).unwrap();
        let public = secp256k1::PublicKey::from_slice(sender.as_bytes()).unwrap();
        assert!(
            SECP256K1
                .verify_ecdsa(&whatsat_digest(&payload), &signature, &public)
                .is_ok()
        );
        let other = whatsat_digest(b"something else");
        assert!(SECP256K1.verify_ecdsa(&other, &signature, &public).is_err());
    }

    #[test]
    fn thunderhub_text_matches_json_stringify() {
        let sender = node_id_of(&key(1));
        let hex = sender.to_hex();
        let cases: &[(&str, String)] = &[
            ("hi", format!(r#"{{"sender":"{hex}","message":"hi"}}"#)),
            (
                "a\"b\\c\nd",
                format!(r#"{{"sender":"{hex}","message":"a\"b\\c\nd"}}"#),
            ),
            (
                "\u{1}é🙂",
                format!(r#"{{"sender":"{hex}","message":"\u0001é🙂"}}"#),
            ),
        ];
        for (message, expected) in cases {
            assert_eq!(thunderhub_text(&sender, message), *expected);
        }
    }

    #[test]
    fn thunderhub_signature_is_104_chars_and_recovers_the_sender() {
        let secret = key(9);
        let sender = node_id_of(&secret);
        let text = sign_thunderhub(&secret, &sender, "hello");
        assert_eq!(text.len(), 104);
        let bytes = zbase32::decode(text.as_bytes()).unwrap();
        assert!((31..=34).contains(&bytes[0]));
        let recovery_id = secp256k1::ecdsa::RecoveryId::try_from(i32::from(bytes[0] - 31)).unwrap();
        let signature =
            secp256k1::ecdsa::RecoverableSignature::from_compact(&bytes[1..], recovery_id).unwrap();
        let recovered = SECP256K1
            .recover_ecdsa(&thunderhub_digest(&sender, "hello"), &signature)
            .unwrap();
        assert_eq!(recovered.serialize(), *sender.as_bytes());
    }
}
