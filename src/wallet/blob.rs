//! A compact binary encoding of a record map for BLOB columns:
//! for each record, type (u64 BE), length (u32 BE), value.

use crate::keysend::Records;

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
}

/// Encode records (already sorted by type) into one blob.
pub(crate) fn encode(records: &Records) -> Vec<u8> {
    let size = records.values().map(|v| 12 + v.len()).sum();
    let mut out = Vec::with_capacity(size);
    for (key, value) in records {
        out.extend_from_slice(&key.to_be_bytes());
        let len = u32::try_from(value.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&value[..len as usize]);
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
}
