//! Building the custom records of an outgoing tip.
//!
//! The keysend preimage record (5482373484) is not built here: the LND adapter
//! adds it with the preimage it persisted before sending.
//!
//! Signing the sender identity (Whatsat scheme, research notes 1.3) takes two
//! steps, because the node key signs and this module never sees it:
//! 1. `let payload = tip.signing_payload(&own_id, &recipient, timestamp_ns)`
//!    (`None` without a message: Whatsat signatures cover the message);
//! 2. ask the node to sign it: signrpc `SignMessage { msg: payload,
//!    key_loc: { key_family: 6, key_index: 0 }, double_hash: false }`
//!    returns 64 bytes (R || S); put them in `tip.identity` with the same
//!    timestamp and call [`Tip::records`].

use super::boostagram::Boostagram;
use super::identity::whatsat_payload;
use super::onion::{Budget, record_len};
use super::record::{self, Records};
use super::{Msat, NodeId};

/// Onion bytes a signed Whatsat identity adds: sender pubkey (33 bytes),
/// timestamp (8) and signature (64), each with its TLV type and length.
/// The byte meter counts them before the node has signed.
pub const IDENTITY_BYTES: usize = record_len(record::SENDER_PUBKEY, 33)
    + record_len(record::TIMESTAMP, 8)
    + record_len(record::SIGNATURE, 64);

/// A sender identity the node already signed (Whatsat records).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedIdentity {
    /// Our node id, sent in 34349339.
    pub sender: NodeId,
    /// Nanoseconds since the Unix epoch, sent in 34349343 (8 bytes, big-endian).
    pub timestamp_ns: u64,
    /// The node's 64-byte R || S signature over the Whatsat payload, sent in 34349337.
    pub signature: [u8; 64],
}

/// What a tip carries besides the amount.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tip {
    /// Text for 34349334; empty or whitespace-only means no message.
    pub message: Option<String>,
    /// Podcast metadata for 7629169.
    pub boostagram: Option<Boostagram>,
    /// Signed sender identity (needs a message).
    pub identity: Option<SignedIdentity>,
    /// Other records, e.g. a custodial wallet's `customKey` (kept as bytes).
    pub extra: Records,
}

/// Why a tip's records cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("custom record type {0} is below 65536, which LND refuses")]
    BelowCustomRange(u64),
    #[error("record type 5482373484 is the keysend preimage; the wallet adds it itself")]
    Preimage,
    #[error("record type {key} is set from the tip's {field}; it cannot also be an extra record")]
    Managed { key: u64, field: &'static str },
    #[error("a signed sender identity needs a message, because the signature covers it")]
    IdentityWithoutMessage,
}

impl Tip {
    /// The message as it will be sent: trimmed, `None` if nothing is left.
    pub fn message_text(&self) -> Option<&str> {
        self.message
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
    }

    /// The bytes the node must sign for a Whatsat identity (step 1 of the flow
    /// in the module docs); `None` when there is no message.
    pub fn signing_payload(
        &self,
        sender: &NodeId,
        recipient: &NodeId,
        timestamp_ns: u64,
    ) -> Option<Vec<u8>> {
        let message = self.message_text()?;
        Some(whatsat_payload(
            sender,
            recipient,
            timestamp_ns,
            message.as_bytes(),
        ))
    }

    /// The onion budget over `hops` hops: these records, plus the identity
    /// records when `sign` will add them (a message is there to sign).
    pub fn budget(&self, hops: u32, amount: Msat, sign: bool) -> Result<Budget, RecordError> {
        let records = self.records()?;
        let signs = sign && self.identity.is_none() && self.message_text().is_some();
        let reserved = if signs { IDENTITY_BYTES } else { 0 };
        Ok(Budget::measure_reserving(hops, amount, &records, reserved))
    }

    /// All custom records of this tip (without the preimage record).
    pub fn records(&self) -> Result<Records, RecordError> {
        let mut records = Records::new();
        for (&key, value) in &self.extra {
            check_extra(key)?;
            let _previous = records.insert(key, value.clone());
        }
        if let Some(message) = self.message_text() {
            let _previous = records.insert(record::MESSAGE, message.as_bytes().to_vec());
        }
        if let Some(identity) = &self.identity {
            if self.message_text().is_none() {
                return Err(RecordError::IdentityWithoutMessage);
            }
            insert_identity(&mut records, identity);
        }
        if let Some(boost) = &self.boostagram {
            let _previous = records.insert(record::BOOSTAGRAM, boost.to_json().into_bytes());
        }
        Ok(records)
    }
}

/// Whatsat: sender (33 raw bytes), timestamp (8 bytes BE ns), signature (64 bytes).
fn insert_identity(records: &mut Records, identity: &SignedIdentity) {
    let _previous = records.insert(record::SENDER_PUBKEY, identity.sender.as_bytes().to_vec());
    let _previous = records.insert(
        record::TIMESTAMP,
        identity.timestamp_ns.to_be_bytes().to_vec(),
    );
    let _previous = records.insert(record::SIGNATURE, identity.signature.to_vec());
}

/// An extra record must be custom (LND: >= 65536), not the preimage, and not
/// one the tip's own fields produce.
fn check_extra(key: u64) -> Result<(), RecordError> {
    let field = match key {
        record::KEYSEND_PREIMAGE => return Err(RecordError::Preimage),
        k if k < record::FIRST_CUSTOM => return Err(RecordError::BelowCustomRange(k)),
        record::MESSAGE => "message",
        record::SENDER_PUBKEY | record::TIMESTAMP | record::SIGNATURE => "identity",
        record::BOOSTAGRAM => "boostagram",
        _ => return Ok(()),
    };
    Err(RecordError::Managed { key, field })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::identity::{node_id_of, sign_whatsat};
    use secp256k1::SecretKey;

    fn key(byte: u8) -> SecretKey {
        SecretKey::from_slice(&[byte; 32]).unwrap()
    }

    fn tip(message: Option<&str>) -> Tip {
        Tip {
            message: message.map(str::to_owned),
            ..Tip::default()
        }
    }

    #[test]
    fn message_cases() {
        let cases: &[(Option<&str>, Option<&[u8]>)] = &[
            (None, None),
            (Some(""), None),
            (Some(" \n\t "), None),
            (Some("hi"), Some(b"hi")),
            (Some("  gm ☕ \n"), Some("gm ☕".as_bytes())),
        ];
        for (message, expected) in cases {
            let records = tip(*message).records().unwrap();
            assert_eq!(
                records.get(&record::MESSAGE).map(Vec::as_slice),
                *expected,
                "{message:?}"
            );
            assert_eq!(records.len(), usize::from(expected.is_some()));
        }
    }

    #[test]
    fn identity_records_and_the_two_step_flow() {
        let secret = key(3);
        let (me, them) = (node_id_of(&secret), node_id_of(&key(4)));
        let mut tip = tip(Some(" thanks! "));
        let ts = 1_700_000_000_123_456_789;
        let payload = tip.signing_payload(&me, &them, ts).unwrap();
        assert_eq!(payload, whatsat_payload(&me, &them, ts, b"thanks!"));
        let signature = sign_whatsat(&secret, &payload);
        tip.identity = Some(SignedIdentity {
            sender: me,
            timestamp_ns: ts,
            signature,
        });
        let records = tip.records().unwrap();
        let expected = Records::from([
            (record::MESSAGE, b"thanks!".to_vec()),
            (record::SIGNATURE, signature.to_vec()),
            (record::SENDER_PUBKEY, me.as_bytes().to_vec()),
            (record::TIMESTAMP, ts.to_be_bytes().to_vec()),
        ]);
        assert_eq!(records, expected);
        assert_eq!(Tip::default().signing_payload(&me, &them, ts), None);
    }

    #[test]
    fn the_identity_allowance_is_what_signing_adds() {
        let secret = key(3);
        let (me, them) = (node_id_of(&secret), node_id_of(&key(4)));
        let amount = Msat::from_sat(100);
        // (message, sign, identity bytes counted)
        let cases = [
            (Some("hi"), true, IDENTITY_BYTES),
            (Some("hi"), false, 0),
            // Nothing to sign: no identity is attached.
            (None, true, 0),
            (Some("  "), true, 0),
        ];
        for (message, sign, extra) in cases {
            let plain = tip(message).budget(2, amount, false).unwrap();
            let counted = tip(message).budget(2, amount, sign).unwrap();
            assert_eq!(counted.used - plain.used, extra, "{message:?} {sign}");
        }
        // The allowance equals the real signed records.
        let mut signed = tip(Some("hi"));
        let before = signed.budget(3, amount, true).unwrap();
        let payload = signed.signing_payload(&me, &them, 7).unwrap();
        signed.identity = Some(SignedIdentity {
            sender: me,
            timestamp_ns: 7,
            signature: sign_whatsat(&secret, &payload),
        });
        assert_eq!(signed.budget(3, amount, true).unwrap(), before);
        assert_eq!(IDENTITY_BYTES, 123);
    }

    #[test]
    fn boostagram_and_extras() {
        let boost = Boostagram {
            podcast: Some("Show".into()),
            value_msat_total: Some(5000),
            ..Boostagram::default()
        };
        let tip = Tip {
            boostagram: Some(boost),
            extra: Records::from([(696_969, b"wallet-key".to_vec()), (65_536, vec![1])]),
            ..Tip::default()
        };
        let records = tip.records().unwrap();
        assert_eq!(
            records[&record::BOOSTAGRAM],
            br#"{"podcast":"Show","value_msat_total":5000}"#.to_vec()
        );
        assert_eq!(records[&696_969], b"wallet-key".to_vec());
        assert_eq!(records[&65_536], vec![1]);
        assert_eq!(records.len(), 3);
    }

    #[test]
    fn refuses_bad_extras_and_an_unsigned_identity() {
        let cases: &[(u64, RecordError)] = &[
            (65_535, RecordError::BelowCustomRange(65_535)),
            (0, RecordError::BelowCustomRange(0)),
            (record::KEYSEND_PREIMAGE, RecordError::Preimage),
            (
                record::MESSAGE,
                RecordError::Managed {
                    key: record::MESSAGE,
                    field: "message",
                },
            ),
            (
                record::SIGNATURE,
                RecordError::Managed {
                    key: record::SIGNATURE,
                    field: "identity",
                },
            ),
            (
                record::SENDER_PUBKEY,
                RecordError::Managed {
                    key: record::SENDER_PUBKEY,
                    field: "identity",
                },
            ),
            (
                record::TIMESTAMP,
                RecordError::Managed {
                    key: record::TIMESTAMP,
                    field: "identity",
                },
            ),
            (
                record::BOOSTAGRAM,
                RecordError::Managed {
                    key: record::BOOSTAGRAM,
                    field: "boostagram",
                },
            ),
        ];
        for (key, expected) in cases {
            let tip = Tip {
                extra: Records::from([(*key, vec![0])]),
                ..Tip::default()
            };
            assert_eq!(tip.records(), Err(expected.clone()), "{key}");
        }
        let identity = SignedIdentity {
            sender: node_id_of(&key(5)),
            timestamp_ns: 1,
            signature: [0; 64],
        };
        let unsigned = Tip {
            message: Some("  ".into()),
            identity: Some(identity),
            ..Tip::default()
        };
        assert_eq!(unsigned.records(), Err(RecordError::IdentityWithoutMessage));
    }
}
