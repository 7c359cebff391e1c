//! Extra TLV records a contact wants with every keysend (a podcast host's
//! `customKey`/`customValue`, an LNPay wallet id, ...). The value keeps the
//! exact bytes; it can be entered as text or hex because sources differ
//! (research §5.5: send exactly what the contact's source says).

use std::fmt;

use crate::keysend::record::{FIRST_CUSTOM, KEYSEND_PREIMAGE};

/// Larger values can never fit the 1300-byte onion payload (research §2.6).
pub const MAX_VALUE_BYTES: usize = 1200;

/// One extra custom record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExtraRecord {
    /// TLV type, >= 65536.
    pub key: u64,
    /// The value as it was entered.
    pub value: RecordValue,
}

/// A record value, remembered in the form it was entered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordValue {
    /// UTF-8 text, sent as its bytes.
    Text(String),
    /// Raw bytes, entered (and stored) as hex.
    Hex(#[serde(with = "hex_text")] Vec<u8>),
}

/// Why an extra record was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// Below the custom range.
    // LND: custom records must be >= 65536.
    #[error("record type {0} is too low: custom records start at 65536")]
    KeyTooLow(u64),
    /// A type Satchel (or LND) sets itself.
    #[error("record type {0} is the keysend preimage; Satchel sets it itself")]
    Reserved(u64),
    /// The same type twice.
    #[error("record type {0} appears twice")]
    Duplicate(u64),
    /// Too large to ever be delivered.
    #[error("record {key} is {len} bytes; at most {MAX_VALUE_BYTES} fit in a payment")]
    TooLarge {
        /// The record type.
        key: u64,
        /// Its size in bytes.
        len: usize,
    },
    /// Not `key=text:...` or `key=hex:...`.
    #[error("{0:?} is not a record: write type=text:value or type=hex:value")]
    Malformed(String),
    /// The hex could not be decoded.
    #[error("record {0}: the hex value is not valid (use pairs of 0-9, a-f)")]
    BadHex(u64),
}

impl RecordValue {
    /// The bytes that go on the wire.
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            Self::Text(text) => text.as_bytes().to_vec(),
            Self::Hex(bytes) => bytes.clone(),
        }
    }

    /// Byte length on the wire.
    pub fn len(&self) -> usize {
        match self {
            Self::Text(text) => text.len(),
            Self::Hex(bytes) => bytes.len(),
        }
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ExtraRecord {
    /// A checked record.
    pub fn new(key: u64, value: RecordValue) -> Result<Self, RecordError> {
        let record = Self { key, value };
        record.check()?;
        Ok(record)
    }

    /// Check the key range and the size.
    pub fn check(&self) -> Result<(), RecordError> {
        if self.key == KEYSEND_PREIMAGE {
            return Err(RecordError::Reserved(self.key));
        }
        if self.key < FIRST_CUSTOM {
            return Err(RecordError::KeyTooLow(self.key));
        }
        match self.value.len() {
            len if len > MAX_VALUE_BYTES => Err(RecordError::TooLarge { key: self.key, len }),
            _ => Ok(()),
        }
    }

    /// Parse one `key=text:value` or `key=hex:value` (the CSV form).
    pub fn parse(entry: &str) -> Result<Self, RecordError> {
        let malformed = || RecordError::Malformed(entry.to_owned());
        let (key, rest) = entry.split_once('=').ok_or_else(malformed)?;
        let key: u64 = key.trim().parse().map_err(|_| malformed())?;
        let value = if let Some(text) = rest.strip_prefix("text:") {
            RecordValue::Text(text.to_owned())
        } else if let Some(digits) = rest.strip_prefix("hex:") {
            RecordValue::Hex(hex::decode(digits.trim()).map_err(|_| RecordError::BadHex(key))?)
        } else {
            return Err(malformed());
        };
        Self::new(key, value)
    }
}

impl fmt::Display for ExtraRecord {
    /// The `key=text:value` / `key=hex:value` form [`ExtraRecord::parse`] reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            RecordValue::Text(text) => write!(f, "{}=text:{text}", self.key),
            RecordValue::Hex(bytes) => write!(f, "{}=hex:{}", self.key, hex::encode(bytes)),
        }
    }
}

/// Check a contact's records together (each valid, no type twice).
pub fn check_all(records: &[ExtraRecord]) -> Result<(), RecordError> {
    let mut seen = std::collections::BTreeSet::new();
    for record in records {
        record.check()?;
        if !seen.insert(record.key) {
            return Err(RecordError::Duplicate(record.key));
        }
    }
    Ok(())
}

/// A list of records in one field: entries separated by `;`, with `\;` for
/// a literal semicolon and `\\` for a backslash inside text values.
pub fn parse_records(field: &str) -> Result<Vec<ExtraRecord>, RecordError> {
    let records = split_escaped(field)
        .iter()
        .map(|entry| entry.trim_start())
        .filter(|entry| !entry.is_empty())
        .map(ExtraRecord::parse)
        .collect::<Result<Vec<_>, _>>()?;
    check_all(&records)?;
    Ok(records)
}

/// The field form of a list of records, read back by [`parse_records`].
pub fn format_records(records: &[ExtraRecord]) -> String {
    let escaped: Vec<String> = records
        .iter()
        .map(|record| record.to_string().replace('\\', "\\\\").replace(';', "\\;"))
        .collect();
    escaped.join(";")
}

fn split_escaped(field: &str) -> Vec<String> {
    let mut entries = vec![String::new()];
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        let current = entries.last_mut().expect("never empty");
        match c {
            '\\' => current.extend(chars.next()),
            ';' => entries.push(String::new()),
            c => current.push(c),
        }
    }
    entries
}

/// Hex text for byte values in JSON.
mod hex_text {
    pub fn serialize<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        hex::decode(text.trim()).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked() {
        let text = || RecordValue::Text("x".into());
        let cases: &[(u64, Result<(), RecordError>)] = &[
            (65_536, Ok(())),
            (696_969, Ok(())),
            (65_535, Err(RecordError::KeyTooLow(65_535))),
            (5, Err(RecordError::KeyTooLow(5))),
            (5_482_373_484, Err(RecordError::Reserved(5_482_373_484))),
        ];
        for (key, expected) in cases {
            assert_eq!(
                ExtraRecord::new(*key, text()).map(|_| ()),
                *expected,
                "{key}"
            );
        }
        let big = RecordValue::Hex(vec![0; MAX_VALUE_BYTES + 1]);
        assert_eq!(
            ExtraRecord::new(70_000, big),
            Err(RecordError::TooLarge {
                key: 70_000,
                len: 1201
            })
        );
    }

    #[test]
    fn text_and_hex_keep_exact_bytes() {
        // LNPay-style: the source shows hex characters, the contact may want them as text.
        let as_text = ExtraRecord::parse("696969=text:ab01").unwrap();
        let as_hex = ExtraRecord::parse("696969=hex:AB01").unwrap();
        assert_eq!(as_text.value.bytes(), b"ab01");
        assert_eq!(as_hex.value.bytes(), [0xab, 0x01]);
        assert_eq!(as_hex.to_string(), "696969=hex:ab01");
    }

    /// An entry and what parsing it gives: (type, bytes) or the error.
    type Case = (&'static str, Result<(u64, Vec<u8>), RecordError>);

    #[test]
    fn entries_are_parsed_or_refused() {
        let cases: &[Case] = &[
            (
                "7629169=text:hi there",
                Ok((7_629_169, b"hi there".to_vec())),
            ),
            ("7629169=text:", Ok((7_629_169, vec![]))),
            ("70000=hex:00ff", Ok((70_000, vec![0, 255]))),
            ("70000=hex:0f0", Err(RecordError::BadHex(70_000))),
            (
                "70000=b64:AAAA",
                Err(RecordError::Malformed("70000=b64:AAAA".into())),
            ),
            (
                "abc=text:x",
                Err(RecordError::Malformed("abc=text:x".into())),
            ),
            ("70000", Err(RecordError::Malformed("70000".into()))),
            ("1=text:x", Err(RecordError::KeyTooLow(1))),
        ];
        for (entry, expected) in cases {
            let got = ExtraRecord::parse(entry).map(|r| (r.key, r.value.bytes()));
            assert_eq!(got, *expected, "{entry}");
        }
    }

    #[test]
    fn lists_round_trip_with_escapes() {
        let records = vec![
            ExtraRecord::new(70_001, RecordValue::Text(r"a;b\c".into())).unwrap(),
            ExtraRecord::new(70_003, RecordValue::Hex(vec![1, 2])).unwrap(),
        ];
        let field = format_records(&records);
        assert_eq!(field, r"70001=text:a\;b\\c;70003=hex:0102");
        assert_eq!(parse_records(&field).unwrap(), records);
        assert_eq!(parse_records("").unwrap(), vec![]);
        assert_eq!(
            parse_records("70001=text:a; 70001=text:b"),
            Err(RecordError::Duplicate(70_001))
        );
    }

    #[test]
    fn json_form_is_tagged() {
        let record = ExtraRecord::new(70_003, RecordValue::Hex(vec![0xab])).unwrap();
        let json = serde_json::to_string(&record).unwrap();
        assert_eq!(json, r#"{"key":70003,"value":{"hex":"ab"}}"#);
        assert_eq!(serde_json::from_str::<ExtraRecord>(&json).unwrap(), record);
    }
}
