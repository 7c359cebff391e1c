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
    }
}
