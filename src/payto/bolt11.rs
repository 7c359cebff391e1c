//! BOLT11 invoices: decode (checksum, signature, payee recovery, the tagged
//! fields Satchel shows or checks) and encode (the simulator's invoices).
//! Bech32 is the `bech32` crate; the signature is our secp256k1, so no
//! second copy of libsecp256k1 comes in through `bitcoin` (`lightning-invoice`
//! pulls bitcoin 0.32 and secp256k1 0.29).

use bech32::primitives::decode::CheckedHrpstring;
use bech32::primitives::encode::Encoder;
use bech32::{Bech32, Fe32, Hrp};
use secp256k1::ecdsa::{RecoverableSignature, RecoveryId};
use secp256k1::{Message, SECP256K1, SecretKey};
use sha2::{Digest, Sha256};

use crate::keysend::{Msat, NodeId, PaymentHash};
use crate::node::routing::HopHint;

/// BOLT11: `x` absent means 3600 seconds.
pub const DEFAULT_EXPIRY_SECS: u64 = 3600;
/// BOLT11: `c` absent means 18 blocks.
pub const DEFAULT_MIN_FINAL_CLTV: u64 = 18;

// BOLT11 tagged field types (bech32 value of the letter).
const TAG_PAYMENT_HASH: u8 = 1; // p
const TAG_SECRET: u8 = 16; // s
const TAG_DESCRIPTION: u8 = 13; // d
const TAG_DESCRIPTION_HASH: u8 = 23; // h
const TAG_PAYEE: u8 = 19; // n
const TAG_EXPIRY: u8 = 6; // x
const TAG_MIN_FINAL_CLTV: u8 = 24; // c
const TAG_ROUTE: u8 = 3; // r (issue 17: route hints)
/// BOLT11 `r`: pubkey 33, short_channel_id 8, fee_base_msat 4,
/// fee_proportional_millionths 4, cltv_expiry_delta 2.
const HOP_HINT_BYTES: usize = 51;
/// 65 bytes of signature and recovery id, in 5-bit groups.
const SIGNATURE_FES: usize = 104;
/// 35 bits of timestamp.
const TIMESTAMP_FES: usize = 7;

/// A decoded, signature-checked BOLT11 invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    /// `bc`, `tb`, `tbs`, `bcrt`, ...
    pub currency: String,
    /// `None`: the payer chooses (a zero-amount invoice).
    pub amount: Option<Msat>,
    /// Unix seconds.
    pub timestamp: u64,
    pub payment_hash: PaymentHash,
    pub payment_secret: Option<[u8; 32]>,
    pub description: Option<String>,
    pub description_hash: Option<[u8; 32]>,
    pub expiry_secs: u64,
    pub min_final_cltv: u64,
    /// The signer: the `n` field or the key recovered from the signature.
    pub payee: NodeId,
    /// The `r` fields: one route hint each (private channels into the payee).
    pub route_hints: Vec<Vec<HopHint>>,
}

/// Why a string is not a payable BOLT11 invoice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Bolt11Error {
    #[error("not a BOLT11 invoice (bech32: {0})")]
    Bech32(String),
    #[error("not a Lightning invoice: it does not start with \"ln\"")]
    NotLightning,
    #[error("the invoice amount {0:?} is not valid")]
    BadAmount(String),
    #[error("the invoice is cut short")]
    Truncated,
    #[error("the invoice has no payment hash")]
    NoPaymentHash,
    #[error("the invoice field {0:?} is malformed")]
    BadField(char),
    #[error("the invoice signature is not valid")]
    BadSignature,
    #[error("the invoice description is not UTF-8")]
    BadDescription,
}

impl Invoice {
    /// Parse and check `text` (any case, without a `lightning:` prefix).
    pub fn decode(text: &str) -> Result<Self, Bolt11Error> {
        let checked = CheckedHrpstring::new::<Bech32>(text.trim())
            .map_err(|e| Bolt11Error::Bech32(e.to_string()))?;
        let hrp = checked.hrp().to_lowercase();
        let fes: Vec<u8> = checked
            .fe32_iter::<std::iter::Empty<u8>>()
            .map(Fe32::to_u8)
            .collect();
        let (currency, amount) = parse_hrp(&hrp)?;
        if fes.len() < TIMESTAMP_FES + SIGNATURE_FES {
            return Err(Bolt11Error::Truncated);
        }
        let (data, signature) = fes.split_at(fes.len() - SIGNATURE_FES);
        let signed = signed_digest(&hrp, data);
        let recovered = recover(&signed, &to_bytes(signature))?;
        let mut invoice = Self {
            currency,
            amount,
            timestamp: to_int(&data[..TIMESTAMP_FES]),
            payment_hash: PaymentHash::from_bytes([0; 32]),
            payment_secret: None,
            description: None,
            description_hash: None,
            expiry_secs: DEFAULT_EXPIRY_SECS,
            min_final_cltv: DEFAULT_MIN_FINAL_CLTV,
            payee: recovered,
            route_hints: Vec::new(),
        };
        let hash = invoice.read_fields(&data[TIMESTAMP_FES..])?;
        invoice.payment_hash = PaymentHash::from_bytes(hash.ok_or(Bolt11Error::NoPaymentHash)?);
        if invoice.payee != recovered {
            return Err(Bolt11Error::BadSignature);
        }
        Ok(invoice)
    }

    /// Unix seconds after which the invoice may not be paid.
    pub fn expires_at(&self) -> u64 {
        self.timestamp.saturating_add(self.expiry_secs)
    }

    /// Expired at `now` (Unix seconds).
    pub fn is_expired(&self, now: u64) -> bool {
        now >= self.expires_at()
    }

    /// Read the tagged fields; returns the payment hash if there was one.
    fn read_fields(&mut self, mut rest: &[u8]) -> Result<Option<[u8; 32]>, Bolt11Error> {
        let mut hash = None;
        while !rest.is_empty() {
            if rest.len() < 3 {
                return Err(Bolt11Error::Truncated);
            }
            let (tag, len) = (rest[0], (rest[1] as usize) << 5 | rest[2] as usize);
            let value = rest.get(3..3 + len).ok_or(Bolt11Error::Truncated)?;
            rest = &rest[3 + len..];
            // BOLT11: fields of the wrong length are skipped, not refused.
            match (tag, len) {
                (TAG_PAYMENT_HASH, 52) if hash.is_none() => hash = Some(bytes32(value)),
                (TAG_SECRET, 52) => self.payment_secret = Some(bytes32(value)),
                (TAG_DESCRIPTION_HASH, 52) => self.description_hash = Some(bytes32(value)),
                (TAG_DESCRIPTION, _) => {
                    let bytes = fes_to_bytes_exact(value);
                    let text = String::from_utf8(bytes).map_err(|_| Bolt11Error::BadDescription)?;
                    self.description = Some(text);
                }
                (TAG_PAYEE, 53) => {
                    self.payee = NodeId::from_slice(&to_bytes(value)[..33])
                        .map_err(|_| Bolt11Error::BadField('n'))?;
                }
                (TAG_EXPIRY, 1..=12) => self.expiry_secs = to_int(value),
                (TAG_MIN_FINAL_CLTV, 1..=12) => self.min_final_cltv = to_int(value),
                (TAG_ROUTE, _) => self.route_hints.push(read_route(value)?),
                _ => {}
            }
        }
        Ok(hash)
    }
}

/// What the simulator (or a test) puts in a new invoice.
#[derive(Debug, Clone)]
pub struct NewInvoice<'a> {
    pub currency: &'a str,
    pub amount: Option<Msat>,
    pub timestamp: u64,
    pub payment_hash: PaymentHash,
    pub payment_secret: [u8; 32],
    /// The `d` field, or with `description_hash` the `h` field instead.
    pub description: &'a str,
    pub description_hash: Option<[u8; 32]>,
    pub expiry_secs: u64,
    pub min_final_cltv: u64,
}

/// Encode and sign `invoice` with `key` (the payee's node key).
pub fn encode(invoice: &NewInvoice<'_>, key: &SecretKey) -> String {
    encode_with_hints(invoice, &[], key)
}

/// [`encode`] with an `r` field per route hint (as LND adds for a private
/// payee).
pub fn encode_with_hints(
    invoice: &NewInvoice<'_>,
    route_hints: &[Vec<HopHint>],
    key: &SecretKey,
) -> String {
    let hrp = format!("ln{}{}", invoice.currency, hrp_amount(invoice.amount));
    let mut data = int_fes(invoice.timestamp, TIMESTAMP_FES);
    push_field(
        &mut data,
        TAG_PAYMENT_HASH,
        &to_fes(invoice.payment_hash.as_bytes()),
    );
    push_field(&mut data, TAG_SECRET, &to_fes(&invoice.payment_secret));
    match invoice.description_hash {
        Some(hash) => push_field(&mut data, TAG_DESCRIPTION_HASH, &to_fes(&hash)),
        None => push_field(
            &mut data,
            TAG_DESCRIPTION,
            &to_fes(invoice.description.as_bytes()),
        ),
    }
    if invoice.expiry_secs != DEFAULT_EXPIRY_SECS {
        push_field(&mut data, TAG_EXPIRY, &min_int_fes(invoice.expiry_secs));
    }
    push_field(
        &mut data,
        TAG_MIN_FINAL_CLTV,
        &min_int_fes(invoice.min_final_cltv),
    );
    for hint in route_hints {
        let bytes: Vec<u8> = hint.iter().flat_map(hop_hint_bytes).collect();
        push_field(&mut data, TAG_ROUTE, &to_fes(&bytes));
    }
    let digest = signed_digest(&hrp, &data);
    let message = Message::from_digest(digest);
    let (recovery, compact) = SECP256K1
        .sign_ecdsa_recoverable(&message, key)
        .serialize_compact();
    let mut signature = compact.to_vec();
    signature.push(i32::from(recovery) as u8);
    data.extend(to_fes(&signature));
    let hrp = Hrp::parse(&hrp).expect("an invoice prefix is a valid bech32 prefix");
    let fes = data
        .into_iter()
        .map(|v| Fe32::try_from(v).expect("5-bit value"));
    Encoder::<_, Bech32>::new(fes, &hrp).chars().collect()
}

/// One `r` field: its hop hints, 51 bytes each.
fn read_route(value: &[u8]) -> Result<Vec<HopHint>, Bolt11Error> {
    let bytes = fes_to_bytes_exact(value);
    if bytes.is_empty() || !bytes.len().is_multiple_of(HOP_HINT_BYTES) {
        return Err(Bolt11Error::BadField('r'));
    }
    bytes
        .chunks(HOP_HINT_BYTES)
        .map(|hop| {
            let int = |range: std::ops::Range<usize>| {
                hop[range]
                    .iter()
                    .fold(0u64, |acc, b| acc << 8 | u64::from(*b))
            };
            Ok(HopHint {
                node: NodeId::from_slice(&hop[..33]).map_err(|_| Bolt11Error::BadField('r'))?,
                chan_id: int(33..41),
                fee_base_msat: int(41..45) as u32,
                fee_ppm: int(45..49) as u32,
                cltv_delta: int(49..51) as u32,
            })
        })
        .collect()
}

/// A hop hint as the 51 bytes of an `r` field.
fn hop_hint_bytes(hop: &HopHint) -> Vec<u8> {
    let mut bytes = hop.node.as_bytes().to_vec();
    bytes.extend(hop.chan_id.to_be_bytes());
    bytes.extend(hop.fee_base_msat.to_be_bytes());
    bytes.extend(hop.fee_ppm.to_be_bytes());
    bytes.extend((hop.cltv_delta as u16).to_be_bytes());
    bytes
}

/// `lnbcrt10u` -> (`bcrt`, 1000 sat).
fn parse_hrp(hrp: &str) -> Result<(String, Option<Msat>), Bolt11Error> {
    let rest = hrp.strip_prefix("ln").ok_or(Bolt11Error::NotLightning)?;
    let Some(start) = rest.find(|c: char| c.is_ascii_digit()) else {
        return Ok((rest.to_owned(), None));
    };
    let (currency, amount) = rest.split_at(start);
    let bad = || Bolt11Error::BadAmount(amount.to_owned());
    let (digits, unit) = match amount.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&amount[..i], Some(c)),
        _ => (amount, None),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
        return Err(bad());
    }
    let value: u64 = digits.parse().map_err(|_| bad())?;
    // 1 BTC = 10^11 msat.
    let msat = match unit {
        None => value.checked_mul(100_000_000_000),
        Some('m') => value.checked_mul(100_000_000),
        Some('u') => value.checked_mul(100_000),
        Some('n') => value.checked_mul(100),
        // BOLT11: a pico amount must be a whole number of msat.
        Some('p') if value.is_multiple_of(10) => Some(value / 10),
        _ => None,
    };
    Ok((currency.to_owned(), Some(Msat(msat.ok_or_else(bad)?))))
}

/// The shortest prefix amount for `amount`.
fn hrp_amount(amount: Option<Msat>) -> String {
    let Some(Msat(msat)) = amount else {
        return String::new();
    };
    for (unit, per) in [('m', 100_000_000), ('u', 100_000), ('n', 100)] {
        if msat % per == 0 {
            return format!("{}{unit}", msat / per);
        }
    }
    format!("{}p", msat * 10)
}

/// SHA-256 of the prefix and the data (5-bit groups packed, zero padded).
fn signed_digest(hrp: &str, data: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(hrp.as_bytes());
    hasher.update(to_bytes(data));
    hasher.finalize().into()
}

fn recover(digest: &[u8; 32], signature: &[u8]) -> Result<NodeId, Bolt11Error> {
    let (compact, id) = signature.split_at(64);
    let id = RecoveryId::try_from(i32::from(id[0])).map_err(|_| Bolt11Error::BadSignature)?;
    let signature =
        RecoverableSignature::from_compact(compact, id).map_err(|_| Bolt11Error::BadSignature)?;
    let key = SECP256K1
        .recover_ecdsa(&Message::from_digest(*digest), &signature)
        .map_err(|_| Bolt11Error::BadSignature)?;
    NodeId::from_slice(&key.serialize()).map_err(|_| Bolt11Error::BadSignature)
}

fn push_field(data: &mut Vec<u8>, tag: u8, value: &[u8]) {
    data.extend([tag, (value.len() >> 5) as u8, (value.len() & 31) as u8]);
    data.extend_from_slice(value);
}

/// Bytes to 5-bit groups, the last one zero padded.
fn to_fes(bytes: &[u8]) -> Vec<u8> {
    regroup(bytes, 8, 5)
}

/// 5-bit groups to bytes, the last one zero padded.
fn to_bytes(fes: &[u8]) -> Vec<u8> {
    regroup(fes, 5, 8)
}

fn regroup(input: &[u8], from: u32, to: u32) -> Vec<u8> {
    let (mut acc, mut bits, mut out) = (0u32, 0u32, Vec::new());
    for &value in input {
        acc = (acc << from) | u32::from(value);
        bits += from;
        while bits >= to {
            bits -= to;
            out.push(((acc >> bits) & ((1 << to) - 1)) as u8);
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(((acc << (to - bits)) & ((1 << to) - 1)) as u8);
    }
    out
}

/// 5-bit groups to bytes, dropping the padding bits at the end (LUD-01's
/// bech32 holds whole bytes).
pub(super) fn fes_to_bytes_exact(fes: &[u8]) -> Vec<u8> {
    let mut bytes = to_bytes(fes);
    bytes.truncate(fes.len() * 5 / 8);
    bytes
}

fn bytes32(fes: &[u8]) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(&to_bytes(fes)[..32]);
    out
}

/// Big-endian 5-bit groups to an integer.
fn to_int(fes: &[u8]) -> u64 {
    fes.iter().fold(0, |acc, v| (acc << 5) | u64::from(*v))
}

/// `value` in exactly `len` 5-bit groups.
fn int_fes(value: u64, len: usize) -> Vec<u8> {
    (0..len)
        .rev()
        .map(|i| ((value >> (5 * i)) & 31) as u8)
        .collect()
}

/// `value` in as few 5-bit groups as it needs (at least one).
fn min_int_fes(value: u64) -> Vec<u8> {
    let bits = 64 - value.leading_zeros() as usize;
    int_fes(value, bits.div_ceil(5).max(1))
}

#[cfg(test)]
#[path = "bolt11_tests.rs"]
mod tests;
