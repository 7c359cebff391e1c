//! The TLV custom record catalog (types >= 65536) and the record map.
//!
//! Facts from the keysend research notes, section 1.2.

use std::collections::BTreeMap;

/// Keysend preimage (bLIP-3), even. Added by the LND adapter only.
pub const KEYSEND_PREIMAGE: u64 = 5_482_373_484;
/// Chat / tip message, UTF-8 (Whatsat, ThunderHub), even.
pub const MESSAGE: u64 = 34_349_334;
/// Sender signature; format depends on the sending app (odd).
pub const SIGNATURE: u64 = 34_349_337;
/// Sender node pubkey: 33 raw bytes (Whatsat, ThunderHub) (odd).
pub const SENDER_PUBKEY: u64 = 34_349_339;
/// Sender alias / display name, UTF-8 (ThunderHub), even.
pub const SENDER_ALIAS: u64 = 34_349_340;
/// Timestamp: 8-byte big-endian nanoseconds (Whatsat) (odd).
pub const TIMESTAMP: u64 = 34_349_343;
/// Content type, UTF-8 (ThunderHub `text`) (odd).
pub const CONTENT_TYPE: u64 = 34_349_345;
/// Request type, UTF-8 (ThunderHub); Juggernaut's request id (odd).
pub const REQUEST_TYPE: u64 = 34_349_347;
/// Satchel: the payment hash (32 bytes) this keysend answers, on replies and
/// refunds (odd, so a recipient that does not know it ignores it).
pub const IN_REPLY_TO: u64 = 7_777_777_777;
/// Podcasting 2.0 boostagram JSON (bLIP-10) (odd).
pub const BOOSTAGRAM: u64 = 7_629_169;
/// Tip note, even: the registry says do not use.
pub const TIP_NOTE_EVEN: u64 = 7_629_168;
/// Tip note / destination text (odd).
pub const TIP_NOTE: u64 = 7_629_171;
/// Proposed v2 podcast metadata JSON (odd).
pub const PODCAST_V2: u64 = 7_629_173;
/// PodcastIndex feed id or guid (odd).
pub const PODCAST_FEED: u64 = 7_629_175;
/// LNPay wallet destination (`customKey`) (odd).
pub const LNPAY_DESTINATION: u64 = 696_969;
/// Hive account name (v4v.app), even.
pub const HIVE_ACCOUNT: u64 = 818_818;
/// LNPay wallet id, even.
pub const LNPAY_WALLET: u64 = 112_111_100;
/// Sphinx payload (JSON plus signature), even.
pub const SPHINX: u64 = 133_773_310;
/// Accountability / endorsement signal from the upstream peer (not onion).
pub const ENDORSEMENT: u64 = 106_823;
/// Lowest custom record type: LND refuses anything below.
pub const FIRST_CUSTOM: u64 = 65_536;

/// A record's catalog name, if it is a known type.
pub fn name(key: u64) -> Option<&'static str> {
    Some(match key {
        KEYSEND_PREIMAGE => "keysend preimage",
        MESSAGE => "message",
        SIGNATURE => "sender signature",
        SENDER_PUBKEY => "sender pubkey (claimed)",
        SENDER_ALIAS => "sender name (claimed)",
        TIMESTAMP => "timestamp",
        CONTENT_TYPE => "content type",
        REQUEST_TYPE => "request type / id",
        IN_REPLY_TO => "in reply to (payment hash)",
        BOOSTAGRAM => "boostagram (podcast)",
        TIP_NOTE_EVEN | TIP_NOTE => "tip note",
        PODCAST_V2 => "podcast metadata v2",
        PODCAST_FEED => "podcast feed id",
        LNPAY_DESTINATION => "LNPay destination",
        HIVE_ACCOUNT => "Hive account",
        LNPAY_WALLET => "LNPay wallet id",
        SPHINX => "Sphinx payload",
        ENDORSEMENT => "endorsement signal",
        _ => return None,
    })
}

/// A set of custom records: type -> raw value, sorted by type as TLV requires.
pub type Records = BTreeMap<u64, Vec<u8>>;

/// Why a typed `TYPE=HEX` record was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignmentError {
    #[error("{0:?} is not a record: write TYPE=HEX, for example 696969=6869")]
    Malformed(String),
    #[error("{0:?} is not a record type: write it as a decimal number")]
    BadType(String),
    #[error("record {0}: the value is not hex (pairs of 0-9, a-f)")]
    BadHex(u64),
    #[error("record type {0} is given twice")]
    Duplicate(u64),
}

/// Parse records typed as lncli's `--data` takes them: `TYPE=HEX`, several
/// separated by commas (`34349334=6869,696969=01`). Empty text is no records.
/// Whether a type may be sent is [`crate::keysend::Tip::records`]'s decision.
pub fn parse_assignments(text: &str) -> Result<Records, AssignmentError> {
    let mut records = Records::new();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (key, value) = entry
            .split_once('=')
            .ok_or_else(|| AssignmentError::Malformed(entry.to_owned()))?;
        let key: u64 = key
            .trim()
            .parse()
            .map_err(|_| AssignmentError::BadType(key.trim().to_owned()))?;
        let value = hex::decode(value.trim()).map_err(|_| AssignmentError::BadHex(key))?;
        if records.insert(key, value).is_some() {
            return Err(AssignmentError::Duplicate(key));
        }
    }
    Ok(records)
}

/// Records as `parse_assignments` reads them: `TYPE=HEX`, comma separated.
pub fn format_assignments(records: &Records) -> String {
    let entries: Vec<String> = records
        .iter()
        .map(|(key, value)| format!("{key}={}", hex::encode(value)))
        .collect();
    entries.join(",")
}

/// Why bytes are not a TLV stream.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    #[error("the TLV stream ends in the middle of a record")]
    Truncated,
    #[error("a BigSize number is not minimally encoded")]
    NotMinimal,
    #[error("record types must strictly increase; {0} came out of order")]
    OutOfOrder(u64),
}

/// BOLT 1 TLV stream encoding of `records` (BigSize type, BigSize length, value).
pub fn to_tlv_stream(records: &Records) -> Vec<u8> {
    let mut out = Vec::new();
    for (&key, value) in records {
        write_bigsize(&mut out, key);
        write_bigsize(&mut out, value.len() as u64);
        out.extend_from_slice(value);
    }
    out
}

/// Parse a BOLT 1 TLV stream (minimal BigSize, strictly increasing types).
/// Handy for fuzzing the decoders from raw bytes.
pub fn from_tlv_stream(mut bytes: &[u8]) -> Result<Records, TlvError> {
    let mut records = Records::new();
    let mut last: Option<u64> = None;
    while !bytes.is_empty() {
        let key = read_bigsize(&mut bytes)?;
        if last.is_some_and(|previous| key <= previous) {
            return Err(TlvError::OutOfOrder(key));
        }
        let len = usize::try_from(read_bigsize(&mut bytes)?).map_err(|_| TlvError::Truncated)?;
        let value = bytes.get(..len).ok_or(TlvError::Truncated)?;
        let _none = records.insert(key, value.to_vec());
        bytes = &bytes[len..];
        last = Some(key);
    }
    Ok(records)
}

/// Append `value` as a BigSize.
fn write_bigsize(out: &mut Vec<u8>, value: u64) {
    match value {
        0..=0xFC => out.push(value as u8),
        0xFD..=0xFFFF => {
            out.push(0xFD);
            out.extend_from_slice(&(value as u16).to_be_bytes());
        }
        0x1_0000..=0xFFFF_FFFF => {
            out.push(0xFE);
            out.extend_from_slice(&(value as u32).to_be_bytes());
        }
        _ => {
            out.push(0xFF);
            out.extend_from_slice(&value.to_be_bytes());
        }
    }
}

/// Read one minimally encoded BigSize from the front of `bytes`.
fn read_bigsize(bytes: &mut &[u8]) -> Result<u64, TlvError> {
    let (&first, rest) = bytes.split_first().ok_or(TlvError::Truncated)?;
    let (width, minimum) = match first {
        0xFD => (2, 0xFD),
        0xFE => (4, 0x1_0000),
        0xFF => (8, 0x1_0000_0000),
        small => {
            *bytes = rest;
            return Ok(u64::from(small));
        }
    };
    let raw = rest.get(..width).ok_or(TlvError::Truncated)?;
    let value = raw.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    if value < minimum {
        return Err(TlvError::NotMinimal);
    }
    *bytes = &rest[width..];
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlv_stream_round_trips() {
        let records = Records::from([
            (FIRST_CUSTOM, vec![]),
            (MESSAGE, b"hi".to_vec()),
            (KEYSEND_PREIMAGE, vec![7; 32]),
            (u64::MAX, vec![1; 300]),
        ]);
        let bytes = to_tlv_stream(&records);
        assert_eq!(&bytes[..5], &[0xFE, 0x00, 0x01, 0x00, 0x00]);
        assert_eq!(
            bytes.len(),
            (5 + 1) + (5 + 1 + 2) + (9 + 1 + 32) + (9 + 3 + 300)
        );
        assert_eq!(from_tlv_stream(&bytes), Ok(records));
    }

    #[test]
    fn assignments_read_like_lncli_data() {
        let cases: &[(&str, Result<Records, AssignmentError>)] = &[
            ("", Ok(Records::new())),
            (
                "696969=6869",
                Ok(Records::from([(696_969, b"hi".to_vec())])),
            ),
            (
                " 65536=00 , 34349334=4869 ",
                Ok(Records::from([
                    (65_536, vec![0]),
                    (MESSAGE, b"Hi".to_vec()),
                ])),
            ),
            ("70000=", Ok(Records::from([(70_000, vec![])]))),
            ("696969", Err(AssignmentError::Malformed("696969".into()))),
            ("x=00", Err(AssignmentError::BadType("x".into()))),
            ("-1=00", Err(AssignmentError::BadType("-1".into()))),
            ("70000=zz", Err(AssignmentError::BadHex(70_000))),
            ("70000=abc", Err(AssignmentError::BadHex(70_000))),
            ("70000=00,70000=01", Err(AssignmentError::Duplicate(70_000))),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_assignments(text), *expected, "{text:?}");
        }
        let records = Records::from([(65_536, vec![0xab]), (696_969, b"hi".to_vec())]);
        assert_eq!(format_assignments(&records), "65536=ab,696969=6869");
        assert_eq!(
            parse_assignments(&format_assignments(&records)),
            Ok(records)
        );
    }

    #[test]
    fn tlv_stream_rejects_bad_bytes() {
        let cases: &[(&[u8], TlvError)] = &[
            (&[0x01], TlvError::Truncated),
            (&[0x01, 0x05, 0xAA], TlvError::Truncated),
            (&[0xFD, 0x00], TlvError::Truncated),
            (&[0xFD, 0x00, 0x10, 0x00], TlvError::NotMinimal),
            (&[0x05, 0x00, 0x05, 0x00], TlvError::OutOfOrder(5)),
            (&[0x05, 0x00, 0x04, 0x00], TlvError::OutOfOrder(4)),
            (
                &[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
                TlvError::Truncated,
            ),
        ];
        for (bytes, expected) in cases {
            assert_eq!(from_tlv_stream(bytes), Err(expected.clone()), "{bytes:?}");
        }
        assert_eq!(from_tlv_stream(&[]), Ok(Records::new()));
    }
}
