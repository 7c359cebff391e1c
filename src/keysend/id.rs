//! Node public keys, keysend preimages and payment hashes.

use std::fmt;
use std::str::FromStr;

use rand::TryRngCore;
use sha2::{Digest, Sha256};

/// A Lightning node id: a 33-byte compressed secp256k1 public key.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId([u8; 33]);

/// Why a text is not a node id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NodeIdError {
    #[error("a node public key is 66 hex characters; this has {0}")]
    WrongLength(usize),
    #[error("a node public key uses only 0-9 and a-f; found {0:?}")]
    NotHex(char),
    #[error("a node public key starts with 02 or 03; this starts with {0:02x}")]
    BadPrefix(u8),
    #[error("this is not a valid secp256k1 point (check for a typo)")]
    NotOnCurve,
}

/// Keys this thread found on the curve lately, with their parsed points: a
/// long history has few senders, and decompressing a point is ~20 % of
/// listing 100,000 rows (several parses per row) and ~10 % of checking a
/// sender signature. Only keys that passed the check are kept.
const ON_CURVE_KEPT: usize = 16;

thread_local! {
    static ON_CURVE: std::cell::RefCell<Vec<([u8; 33], secp256k1::PublicKey)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The point `key` names, from this thread's recent keys or parsed now;
/// `None` when it is not on the curve.
fn point(key: &[u8; 33]) -> Option<secp256k1::PublicKey> {
    let seen = ON_CURVE.with_borrow(|seen| {
        seen.iter()
            .find_map(|(known, point)| (known == key).then_some(*point))
    });
    if seen.is_some() {
        return seen;
    }
    let point = secp256k1::PublicKey::from_slice(key).ok()?;
    ON_CURVE.with_borrow_mut(|seen| {
        if seen.len() == ON_CURVE_KEPT {
            let _ = seen.remove(0);
        }
        seen.push((*key, point));
    });
    Some(point)
}

impl NodeId {
    /// Parse 33 raw bytes, checking that they are a point on the curve.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, NodeIdError> {
        let array: [u8; 33] = bytes
            .try_into()
            .map_err(|_| NodeIdError::WrongLength(bytes.len() * 2))?;
        if array[0] != 2 && array[0] != 3 {
            return Err(NodeIdError::BadPrefix(array[0]));
        }
        let _point = point(&array).ok_or(NodeIdError::NotOnCurve)?;
        Ok(Self(array))
    }

    /// The curve point, for checking signatures; `None` for a key built
    /// without the curve check ([`NodeId::from_slice_unchecked_point`])
    /// that is not on it.
    pub fn public_key(&self) -> Option<secp256k1::PublicKey> {
        point(&self.0)
    }

    /// Length and prefix checks only, no curve check: for showing a claimed
    /// sender on the hot decode path (decompressing a point costs microseconds).
    /// Whoever uses the key for crypto or payments parses it for real.
    pub(crate) fn from_slice_unchecked_point(bytes: &[u8]) -> Option<Self> {
        let array: [u8; 33] = bytes.try_into().ok()?;
        matches!(array[0], 2 | 3).then_some(Self(array))
    }

    /// The raw 33 bytes.
    pub fn as_bytes(&self) -> &[u8; 33] {
        &self.0
    }

    /// Lower-case hex, 66 characters.
    pub fn to_hex(&self) -> String {
        lower_hex(&self.0)
    }

    /// The first and last characters, for tight spaces: `02ab12…cdef`.
    pub fn short(&self) -> String {
        let hex = self.to_hex();
        format!("{}…{}", &hex[..8], &hex[hex.len() - 6..])
    }
}

impl FromStr for NodeId {
    type Err = NodeIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if let Some(bad) = text.chars().find(|c| !c.is_ascii_hexdigit()) {
            return Err(NodeIdError::NotHex(bad));
        }
        if text.len() != 66 {
            return Err(NodeIdError::WrongLength(text.len()));
        }
        let bytes = hex::decode(text).map_err(|_| NodeIdError::WrongLength(text.len()))?;
        Self::from_slice(&bytes)
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeId({})", self.to_hex())
    }
}

impl serde::Serialize for NodeId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for NodeId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The constructors and accessors every 32-byte wrapper here shares.
macro_rules! bytes32_wrapper {
    ($name:ident) => {
        impl $name {
            /// Wrap known bytes (a journal entry, a received record).
            pub fn from_bytes(bytes: [u8; 32]) -> Self {
                Self(bytes)
            }

            /// Parse 32 raw bytes; `None` for any other length.
            pub fn from_slice(bytes: &[u8]) -> Option<Self> {
                bytes.try_into().ok().map(Self)
            }

            /// The raw bytes.
            pub fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }

            /// Lower-case hex, 64 characters.
            pub fn to_hex(&self) -> String {
                lower_hex(&self.0)
            }
        }
    };
}

/// A keysend preimage: 32 secret bytes chosen by the sender.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Preimage([u8; 32]);

impl Preimage {
    /// 32 fresh bytes from the operating system's CSPRNG.
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng
            .try_fill_bytes(&mut bytes)
            .expect("the operating system random source failed");
        Self(bytes)
    }

    /// SHA-256 of the preimage: the payment hash.
    pub fn hash(&self) -> PaymentHash {
        PaymentHash(Sha256::digest(self.0).into())
    }
}

bytes32_wrapper!(Preimage);

impl fmt::Debug for Preimage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Preimage(…)")
    }
}

/// SHA-256 of a preimage; identifies a payment on every node it crosses.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PaymentHash([u8; 32]);

bytes32_wrapper!(PaymentHash);

impl FromStr for PaymentHash {
    type Err = hex::FromHexError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut bytes)?;
        Ok(Self(bytes))
    }
}

impl fmt::Display for PaymentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for PaymentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PaymentHash({})", self.to_hex())
    }
}

/// Lower-case hex of `bytes`, two digits a byte from a table: keys and
/// hashes are printed for every row of a listing, and `hex::encode` builds
/// its text a character at a time (~4 % of printing 100,000 rows).
pub(crate) fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.extend_from_slice(&[
            DIGITS[usize::from(byte >> 4)],
            DIGITS[usize::from(byte & 0x0f)],
        ]);
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_hex_is_what_the_hex_crate_writes() {
        let every_byte: Vec<u8> = (0..=255).collect();
        assert_eq!(lower_hex(&every_byte), hex::encode(&every_byte));
        assert_eq!(lower_hex(&[]), "");
        let id = NodeId::from_str(ALICE).unwrap();
        assert_eq!(id.to_hex(), ALICE);
    }

    const ALICE: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

    #[test]
    fn node_id_parses_and_rejects() {
        let cases: &[(&str, Result<(), NodeIdError>)] = &[
            (ALICE, Ok(())),
            (
                "  0279BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798\n",
                Ok(()),
            ),
            ("0279be", Err(NodeIdError::WrongLength(6))),
            (&ALICE[..64], Err(NodeIdError::WrongLength(64))),
            (
                "zz79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
                Err(NodeIdError::NotHex('z')),
            ),
            (
                "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
                Err(NodeIdError::BadPrefix(4)),
            ),
            (
                "02ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                Err(NodeIdError::NotOnCurve),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<NodeId>().map(|_| ()), *expected, "{text}");
        }
    }

    #[test]
    fn node_id_round_trips_through_hex() {
        let id: NodeId = ALICE.parse().unwrap();
        assert_eq!(id.to_hex(), ALICE);
        assert_eq!(id.short(), "0279be66…f81798");
    }

    #[test]
    fn payment_hash_is_sha256_of_preimage() {
        let preimage = Preimage::from_bytes([0u8; 32]);
        assert_eq!(
            preimage.hash().to_hex(),
            "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
        );
        assert_ne!(Preimage::random().as_bytes(), Preimage::random().as_bytes());
    }

    #[test]
    fn thirty_two_byte_wrappers_take_exactly_32_bytes() {
        let hash = PaymentHash::from_slice(&[7; 32]).unwrap();
        assert_eq!(hash.as_bytes(), &[7; 32]);
        assert_eq!(hash.to_hex(), "07".repeat(32));
        assert_eq!(hash, PaymentHash::from_bytes([7; 32]));
        assert!(PaymentHash::from_slice(&[7; 31]).is_none());
        assert!(Preimage::from_slice(&[7; 33]).is_none());
        assert_eq!(
            Preimage::from_slice(&[1; 32]).unwrap().to_hex(),
            "01".repeat(32)
        );
    }
}
