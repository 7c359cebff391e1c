//! Binary encodings of a record map for BLOB columns.
//!
//! [`encode`]/[`decode`] (the send journal, the sent table, and received
//! rows before index schema v8): for each record, type (u64 BE), length
//! (u32 BE), value.
//!
//! [`encode_row`]/[`decode_row`] (received rows since schema v8, issue 19's
//! index size): for each record, its type as one byte (an index into
//! [`KNOWN`], or `0xFF` and the type as a LEB128 varint), then a LEB128 `n`:
//! `n - 1` bytes of value follow, or `n = 0`: the value is the row's own
//! column ([`Shared`]: the message column for the chat record, the sender
//! column for the sender key record), stored once instead of twice.

use crate::keysend::Records;
use crate::keysend::record;

/// Largest total blob we accept when reading back (onion payloads are < 1300 bytes,
/// but records merged from the wire may add a little; this is a generous cap).
const MAX_BLOB: usize = 1 << 20;

/// Why a stored record blob could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlobError {
    #[error("stored records are truncated")]
    Truncated,
    #[error("stored records are larger than {MAX_BLOB} bytes")]
    TooLarge,
    #[error("stored records refer to a column the row does not have")]
    Missing,
}

/// Record types written as one byte in a row blob: the position is the
/// code, so this list is part of the file format (append only).
const KNOWN: [u64; 19] = [
    record::KEYSEND_PREIMAGE,
    record::MESSAGE,
    record::SIGNATURE,
    record::SENDER_PUBKEY,
    record::SENDER_ALIAS,
    record::TIMESTAMP,
    record::CONTENT_TYPE,
    record::REQUEST_TYPE,
    record::IN_REPLY_TO,
    record::BOOSTAGRAM,
    record::TIP_NOTE_EVEN,
    record::TIP_NOTE,
    record::PODCAST_V2,
    record::PODCAST_FEED,
    record::LNPAY_DESTINATION,
    record::HIVE_ACCOUNT,
    record::LNPAY_WALLET,
    record::SPHINX,
    record::ENDORSEMENT,
];

/// The tag of a type outside [`KNOWN`]: its LEB128 varint follows.
const OTHER_TYPE: u8 = 0xFF;

/// Columns of a received row that hold a record's exact value, so its blob
/// refers to them instead of repeating the bytes.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Shared<'a> {
    /// The `message` column (the chat record when it was display-safe as sent).
    pub message: Option<&'a [u8]>,
    /// The `sender_pubkey` column (the sender key record).
    pub sender: Option<&'a [u8]>,
}

impl<'a> Shared<'a> {
    /// The shared column that stands for record `kind`, if any.
    fn column(&self, kind: u64) -> Option<&'a [u8]> {
        match kind {
            record::MESSAGE => self.message,
            record::SENDER_PUBKEY => self.sender,
            _ => None,
        }
    }
}

/// Encode a received row's records (see the module documentation), at most
/// [`MAX_BLOB`] bytes like [`encode`]. A record equal to its [`Shared`]
/// column is written as a reference to it.
pub(crate) fn encode_row(records: &Records, shared: Shared<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    for (&kind, value) in records {
        let mut entry = Vec::with_capacity(value.len() + 12);
        match KNOWN.iter().position(|&k| k == kind) {
            Some(code) => entry.push(code as u8),
            None => {
                entry.push(OTHER_TYPE);
                put_varint(&mut entry, kind);
            }
        }
        if !value.is_empty() && shared.column(kind) == Some(value.as_slice()) {
            put_varint(&mut entry, 0);
        } else {
            put_varint(&mut entry, value.len() as u64 + 1);
            entry.extend_from_slice(value);
        }
        if out.len() + entry.len() <= MAX_BLOB {
            out.extend_from_slice(&entry);
        }
    }
    out
}

/// Decode a blob written by [`encode_row`], with the same row's columns.
pub(crate) fn decode_row(mut blob: &[u8], shared: Shared<'_>) -> Result<Records, BlobError> {
    if blob.len() > MAX_BLOB {
        return Err(BlobError::TooLarge);
    }
    let mut records = Records::new();
    while let Some((&tag, rest)) = blob.split_first() {
        let (kind, rest) = match tag {
            OTHER_TYPE => take_varint(rest)?,
            code => (*KNOWN.get(code as usize).ok_or(BlobError::Truncated)?, rest),
        };
        let (n, rest) = take_varint(rest)?;
        let (value, rest) = match n.checked_sub(1) {
            None => (shared.column(kind).ok_or(BlobError::Missing)?, rest),
            Some(len) => {
                let len = usize::try_from(len).map_err(|_| BlobError::Truncated)?;
                let value = rest.get(..len).ok_or(BlobError::Truncated)?;
                (value, &rest[len..])
            }
        };
        let _ = records.insert(kind, value.to_vec());
        blob = rest;
    }
    Ok(records)
}

/// Decode the row blob in column `records` of a query row, with the same
/// row's message (column `message`) and sender key (column `sender`), as
/// stored (not yet made display-safe or parsed).
pub(crate) fn decode_columns(
    row: &rusqlite::Row<'_>,
    records: usize,
    message: usize,
    sender: usize,
) -> rusqlite::Result<Result<Records, BlobError>> {
    let shared = Shared {
        message: row.get_ref(message)?.as_bytes_or_null()?,
        sender: row.get_ref(sender)?.as_bytes_or_null()?,
    };
    Ok(decode_row(row.get_ref(records)?.as_bytes()?, shared))
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn take_varint(bytes: &[u8]) -> Result<(u64, &[u8]), BlobError> {
    let mut n = 0u64;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        let bits = u64::from(byte & 0x7F);
        let shift = 7 * i as u32;
        if shift == 63 && bits > 1 {
            return Err(BlobError::Truncated);
        }
        n |= bits << shift;
        if byte & 0x80 == 0 {
            return Ok((n, &bytes[i + 1..]));
        }
    }
    Err(BlobError::Truncated)
}

/// Encode records (already sorted by type) into one blob of at most
/// [`MAX_BLOB`] bytes, the cap [`decode`] reads: a record that would pass
/// it is left out (the entry still lists, with what fits).
pub(crate) fn encode(records: &Records) -> Vec<u8> {
    let size = records.values().map(|v| 12 + v.len()).sum::<usize>();
    let mut out = Vec::with_capacity(size.min(MAX_BLOB));
    for (key, value) in records {
        if out.len() + 12 + value.len() > MAX_BLOB {
            continue;
        }
        out.extend_from_slice(&key.to_be_bytes());
        // Below MAX_BLOB, so it fits a u32.
        out.extend_from_slice(&(value.len() as u32).to_be_bytes());
        out.extend_from_slice(value);
    }
    out
}

/// Decode a blob written by [`encode`].
pub(crate) fn decode(mut blob: &[u8]) -> Result<Records, BlobError> {
    if blob.len() > MAX_BLOB {
        return Err(BlobError::TooLarge);
    }
    let mut records = Records::new();
    while !blob.is_empty() {
        let (key, rest) = take::<8>(blob)?;
        let (len, rest) = take::<4>(rest)?;
        let len = u32::from_be_bytes(len) as usize;
        let value = rest.get(..len).ok_or(BlobError::Truncated)?;
        let _ = records.insert(u64::from_be_bytes(key), value.to_vec());
        blob = &rest[len..];
    }
    Ok(records)
}

fn take<const N: usize>(bytes: &[u8]) -> Result<([u8; N], &[u8]), BlobError> {
    let head = bytes.get(..N).ok_or(BlobError::Truncated)?;
    let array: [u8; N] = head.try_into().map_err(|_| BlobError::Truncated)?;
    Ok((array, &bytes[N..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_truncation() {
        let mut records = Records::new();
        let _ = records.insert(34_349_334, b"hello".to_vec());
        let _ = records.insert(5_482_373_484, vec![7; 32]);
        let _ = records.insert(65_537, Vec::new());
        let blob = encode(&records);
        assert_eq!(blob.len(), 3 * 12 + 5 + 32);
        assert_eq!(decode(&blob), Ok(records));
        assert_eq!(decode(&blob[..blob.len() - 1]), Err(BlobError::Truncated));
        assert_eq!(decode(&blob[..5]), Err(BlobError::Truncated));
        assert_eq!(decode(&[]), Ok(Records::new()));
    }

    #[test]
    fn a_row_blob_round_trips_with_its_columns_stored_once() {
        let key = [2u8; 33];
        let mut records = Records::new();
        let _ = records.insert(record::MESSAGE, b"hello".to_vec());
        let _ = records.insert(record::SENDER_PUBKEY, key.to_vec());
        let _ = records.insert(record::KEYSEND_PREIMAGE, vec![7; 32]);
        let _ = records.insert(65_537, Vec::new());
        let _ = records.insert(u64::MAX, b"top".to_vec());
        let shared = Shared {
            message: Some(b"hello"),
            sender: Some(&key),
        };
        let blob = encode_row(&records, shared);
        // Message and key: 2 bytes each; preimage 2 + 32; 65,537: 1 + 3 + 1;
        // u64::MAX: 1 + 10 + 1 + 3.
        assert_eq!(blob.len(), 2 + 2 + 34 + 5 + 15);
        assert_eq!(decode_row(&blob, shared), Ok(records.clone()));
        assert_eq!(
            decode_row(&blob, Shared::default()),
            Err(BlobError::Missing)
        );
        for cut in 1..blob.len() {
            assert!(
                decode_row(&blob[..cut], shared) != Ok(records.clone()),
                "{cut}"
            );
        }
        // A column that differs from the record (a message made display-safe)
        // leaves the record whole.
        let other = Shared {
            message: Some(b"hell"),
            sender: None,
        };
        let whole = encode_row(&records, other);
        assert_eq!(whole.len(), blob.len() + 5 + 33);
        assert_eq!(decode_row(&whole, Shared::default()), Ok(records));
        assert_eq!(decode_row(&[], shared), Ok(Records::new()));
        assert_eq!(decode_row(&[200, 1], shared), Err(BlobError::Truncated));
    }

    #[test]
    fn an_oversized_record_is_left_out_so_the_rest_reads_back() {
        let mut records = Records::new();
        let _ = records.insert(34_349_334, b"hello".to_vec());
        let _ = records.insert(65_537, vec![1; MAX_BLOB]);
        let _ = records.insert(7_629_169, b"{}".to_vec());
        let blob = encode(&records);
        assert!(blob.len() <= MAX_BLOB, "{}", blob.len());
        let back = decode(&blob).expect("reads back");
        assert_eq!(back.get(&34_349_334), Some(&b"hello".to_vec()));
        assert_eq!(back.get(&7_629_169), Some(&b"{}".to_vec()));
        assert_eq!(back.get(&65_537), None);
        let blob = encode_row(&records, Shared::default());
        assert!(blob.len() <= MAX_BLOB, "{}", blob.len());
        let back = decode_row(&blob, Shared::default()).expect("reads back");
        assert_eq!(back.get(&34_349_334), Some(&b"hello".to_vec()));
        assert_eq!(back.get(&7_629_169), Some(&b"{}".to_vec()));
        assert_eq!(back.get(&65_537), None);
    }
}
