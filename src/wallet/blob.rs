//! Binary encodings of a record map for BLOB columns.
//!
//! [`encode`]/[`decode`] (the send journal, the sent table, and received
//! rows before index schema v8): for each record, type (u64 BE), length
//! (u32 BE), value.
//!
//! [`encode_row`]/[`decode_row`] (received rows since schema v8, issue 19's
//! index size): for each record, its type as one byte (an index into
//! [`KNOWN`], or `0xFF` and the type as a LEB128 varint), then a LEB128 `n`:
//!
//! - `n = 0`: the value is the row's own column ([`Shared`]: the message
//!   column for the chat record, the sender column for the sender key
//!   record), stored once instead of twice;
//! - `n = 2k + 1`: `k` bytes of value follow;
//! - `n = 2k + 2`: the value is spliced: a count byte, then per piece its
//!   slot (a [`Shared`] column or one of [`JSON_KEYS`]) and a LEB128 gap,
//!   then `k` bytes; the value is the bytes with each piece's text put back
//!   after its gap (a boostagram's JSON keeps its punctuation and numbers;
//!   its message, names, titles and keys are read from the columns and the
//!   key list).

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

/// The columns of a received row a row blob may refer to, in the order of
/// [`Shared`]'s slots: a reader selects them right after `records`
/// (a macro, for `concat!` in SQL constants). The sender key is read
/// through the row's sender id (schema v10, `wallet::interned`).
macro_rules! shared_columns {
    () => {
        "message, (SELECT pubkey FROM senders WHERE id = sender), sender_name, podcast, episode, app"
    };
}
pub(crate) use shared_columns;

/// Slot of the message column in [`Shared`].
const MESSAGE_COLUMN: usize = 0;
/// Slot of the sender key column in [`Shared`].
const SENDER_COLUMN: usize = 1;
/// Columns shorter than this are not looked for inside a record.
const MIN_SPLICE: usize = 4;

/// The stored bytes of a received row's [`shared_columns`] (message,
/// sender key, sender name, podcast, episode, app), which its row blob
/// refers to instead of repeating them: a record equal to its column (the
/// chat record, the sender key record), or a record holding column texts
/// (a boostagram's JSON holds the message, names and titles).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Shared<'a>(pub [Option<&'a [u8]>; SHARED_SLOTS]);

/// Texts most boostagrams' JSON holds (bLIP-10's keys), spliced like the
/// columns: slot `SHARED_SLOTS + i` is `JSON_KEYS[i]`. Part of the file
/// format (append only). A full `"action"` pair comes before its key, so
/// it is the one taken where both match.
const JSON_KEYS: [&[u8]; 31] = [
    br#""action":"boost""#,
    br#""action":"stream""#,
    br#""action":"#,
    br#""app_name":"#,
    br#""app_version":"#,
    br#""boost_link":"#,
    br#""boost_uuid":"#,
    br#""episode":"#,
    br#""episode_guid":"#,
    br#""feedID":"#,
    br#""guid":"#,
    br#""itemID":"#,
    br#""message":"#,
    br#""name":"#,
    br#""podcast":"#,
    br#""pubkey":"#,
    br#""remote_feed_guid":"#,
    br#""remote_item_guid":"#,
    br#""reply_address":"#,
    br#""reply_custom_key":"#,
    br#""reply_custom_value":"#,
    br#""sender_id":"#,
    br#""sender_key":"#,
    br#""sender_name":"#,
    br#""speed":"#,
    br#""time":"#,
    br#""ts":"#,
    br#""url":"#,
    br#""uuid":"#,
    br#""value_msat":"#,
    br#""value_msat_total":"#,
];

/// How many column slots [`Shared`] has.
const SHARED_SLOTS: usize = 6;

impl<'a> Shared<'a> {
    /// The text of slot `slot`: `None` for no such slot, `Some(None)` for a
    /// column the row does not have.
    fn slot(&self, slot: usize) -> Option<Option<&'a [u8]>> {
        match self.0.get(slot) {
            Some(column) => Some(*column),
            None => JSON_KEYS.get(slot - SHARED_SLOTS).map(|&key| Some(key)),
        }
    }

    /// The column that stands for the whole of record `kind`, if any.
    fn whole(&self, kind: u64) -> Option<&'a [u8]> {
        match kind {
            record::MESSAGE => self.0[MESSAGE_COLUMN],
            record::SENDER_PUBKEY => self.0[SENDER_COLUMN],
            _ => None,
        }
    }

    /// Where the text columns occur in `value`: (position, slot), in order,
    /// not overlapping.
    fn pieces(&self, value: &[u8]) -> Vec<(usize, usize)> {
        let mut found: Vec<(usize, usize)> = Vec::new();
        for slot in (0..SHARED_SLOTS).filter(|&s| s != SENDER_COLUMN) {
            let Some(text) = self.slot(slot).flatten().filter(|c| c.len() >= MIN_SPLICE) else {
                continue;
            };
            if let Some(at) = find(value, text) {
                found.push((at, slot));
            }
        }
        // JSON keys only where there is JSON to find them in.
        if value.first() == Some(&b'{') {
            found.extend(json_keys_in(value));
        }
        found.sort_unstable();
        let mut end = 0;
        found.retain(|&(at, slot)| {
            let keep = at >= end;
            if keep {
                end = at + self.slot(slot).flatten().map_or(0, <[u8]>::len);
            }
            keep
        });
        found
    }
}

/// The first place of each of [`JSON_KEYS`] in `value`, as (position, slot),
/// in one pass: every key starts with a quote, so only the quotes are
/// candidates, and at each only the keys whose next byte follows it are
/// compared (looking for each key in turn compared all 31 at every quote).
fn json_keys_in(value: &[u8]) -> impl Iterator<Item = (usize, usize)> {
    const NONE: Option<usize> = None;
    let mut first = [NONE; JSON_KEYS.len()];
    let mut left = JSON_KEYS.len();
    let mut at = 0;
    while left > 0 {
        let Some(quote) = value[at..].iter().position(|&b| b == b'"') else {
            break;
        };
        at += quote;
        let rest = &value[at..];
        if let Some(&next) = rest.get(1) {
            for (key, place) in JSON_KEYS.iter().zip(first.iter_mut()) {
                if place.is_none() && key[1] == next && rest.starts_with(key) {
                    *place = Some(at);
                    left -= 1;
                }
            }
        }
        at += 1;
    }
    first
        .into_iter()
        .enumerate()
        .filter_map(|(key, at)| Some((at?, SHARED_SLOTS + key)))
}

/// Where `needle` (not empty) first occurs in `hay`: candidates are found by
/// their first byte, so a record is scanned about once per column.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, _) = needle.split_first()?;
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut at = 0;
    while at <= last_start {
        at += hay[at..=last_start].iter().position(|&b| b == first)?;
        if hay[at..at + needle.len()] == *needle {
            return Some(at);
        }
        at += 1;
    }
    None
}

/// Encode a received row's records (see the module documentation), at most
/// [`MAX_BLOB`] bytes like [`encode`]. A record equal to its [`Shared`]
/// column is written as a reference to it; the text columns found in a
/// longer record are left out of its bytes and spliced back on reading.
pub(crate) fn encode_row(records: &Records, shared: Shared<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(records.values().map(|v| v.len() + 3).sum());
    for (&kind, value) in records {
        let start = out.len();
        let entry = &mut out;
        match KNOWN.iter().position(|&k| k == kind) {
            Some(code) => entry.push(code as u8),
            None => {
                entry.push(OTHER_TYPE);
                put_varint(entry, kind);
            }
        }
        let whole = !value.is_empty() && shared.whole(kind) == Some(value.as_slice());
        let pieces = if whole {
            Vec::new()
        } else {
            shared.pieces(value)
        };
        if whole {
            put_varint(entry, 0);
        } else if pieces.is_empty() {
            put_varint(entry, 2 * value.len() as u64 + 1);
            entry.extend_from_slice(value);
        } else {
            let mut inline = Vec::with_capacity(value.len());
            let mut head = Vec::new();
            let mut from = 0;
            for &(at, slot) in &pieces {
                head.push(slot as u8);
                put_varint(&mut head, (at - from) as u64);
                inline.extend_from_slice(&value[from..at]);
                from = at + shared.slot(slot).flatten().map_or(0, <[u8]>::len);
            }
            inline.extend_from_slice(&value[from..]);
            put_varint(entry, 2 * inline.len() as u64 + 2);
            entry.push(pieces.len() as u8);
            entry.extend_from_slice(&head);
            entry.extend_from_slice(&inline);
        }
        if out.len() > MAX_BLOB {
            out.truncate(start);
        }
    }
    out
}

/// Decode a blob written by [`encode_row`], with the same row's columns.
pub(crate) fn decode_row(mut blob: &[u8], shared: Shared<'_>) -> Result<Records, BlobError> {
    if blob.len() > MAX_BLOB {
        return Err(BlobError::TooLarge);
    }
    let column = |slot: u8| -> Result<&[u8], BlobError> {
        shared
            .slot(usize::from(slot))
            .ok_or(BlobError::Truncated)?
            .ok_or(BlobError::Missing)
    };
    let mut records = Records::new();
    while let Some((&tag, rest)) = blob.split_first() {
        let (kind, rest) = match tag {
            OTHER_TYPE => take_varint(rest)?,
            code => (*KNOWN.get(code as usize).ok_or(BlobError::Truncated)?, rest),
        };
        let (n, mut rest) = take_varint(rest)?;
        let value = if n == 0 {
            shared.whole(kind).ok_or(BlobError::Missing)?.to_vec()
        } else {
            let len = usize::try_from((n - 1) / 2).map_err(|_| BlobError::Truncated)?;
            let mut pieces = Vec::new();
            if n % 2 == 0 {
                let (&count, after) = rest.split_first().ok_or(BlobError::Truncated)?;
                rest = after;
                for _ in 0..count {
                    let (&slot, after) = rest.split_first().ok_or(BlobError::Truncated)?;
                    let (gap, after) = take_varint(after)?;
                    pieces.push((column(slot)?, usize::try_from(gap).unwrap_or(usize::MAX)));
                    rest = after;
                }
            }
            let mut inline = rest.get(..len).ok_or(BlobError::Truncated)?;
            rest = &rest[len..];
            let mut value = Vec::with_capacity(len);
            for (column, gap) in pieces {
                let before = inline.get(..gap).ok_or(BlobError::Truncated)?;
                value.extend_from_slice(before);
                value.extend_from_slice(column);
                inline = &inline[gap..];
            }
            value.extend_from_slice(inline);
            value
        };
        let _ = records.insert(kind, value);
        blob = rest;
    }
    Ok(records)
}

/// The keysend hash a row blob's preimage gives (SHA-256 of the keysend
/// preimage record), when that record is stored as plain bytes (not spliced
/// with a column's text) and is 32 bytes long; `None` otherwise, or for a
/// blob that does not read. Since schema v9 a row whose hash this gives
/// stores no hash of its own (`schema::V9`): the one decision of both the
/// insert and the SQL function that reads the hash back.
pub(crate) fn preimage_hash(mut blob: &[u8]) -> Option<[u8; 32]> {
    use sha2::{Digest, Sha256};
    while let Some((&tag, rest)) = blob.split_first() {
        let (kind, rest) = match tag {
            OTHER_TYPE => take_varint(rest).ok()?,
            code => (*KNOWN.get(code as usize)?, rest),
        };
        let (n, mut rest) = take_varint(rest).ok()?;
        if n == 0 {
            blob = rest;
            continue;
        }
        let len = usize::try_from((n - 1) / 2).ok()?;
        if n % 2 == 0 {
            let (&count, after) = rest.split_first()?;
            rest = after;
            for _ in 0..count {
                let (_, after) = rest.split_first()?;
                rest = take_varint(after).ok()?.1;
            }
        }
        let value = rest.get(..len)?;
        if kind == record::KEYSEND_PREIMAGE {
            return (n % 2 == 1 && len == 32).then(|| Sha256::digest(value).into());
        }
        blob = &rest[len..];
    }
    None
}

/// Decode the row blob in column `records` of a query row whose
/// [`shared_columns`] follow it, as stored (not yet made display-safe or
/// parsed).
pub(crate) fn decode_columns(
    row: &rusqlite::Row<'_>,
    records: usize,
) -> rusqlite::Result<Result<Records, BlobError>> {
    let mut shared = Shared::default();
    for (slot, column) in shared.0.iter_mut().enumerate() {
        *column = row.get_ref(records + 1 + slot)?.as_bytes_or_null()?;
    }
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
        let shared = Shared([Some(b"hello"), Some(&key), None, None, None, None]);
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
        let other = Shared([Some(b"HELLO"), None, None, None, None, None]);
        let whole = encode_row(&records, other);
        assert_eq!(whole.len(), blob.len() + 5 + 33);
        assert_eq!(decode_row(&whole, Shared::default()), Ok(records));
        assert_eq!(decode_row(&[], shared), Ok(Records::new()));
        assert_eq!(decode_row(&[200, 1], shared), Err(BlobError::Truncated));
    }

    #[test]
    fn a_boostagram_keeps_only_what_its_columns_do_not_hold() {
        let json = br#"{"podcast":"Noded","episode":"Ep 1: keys","message":"great show","app_name":"Fountain","sender_name":"Noded"}"#;
        let records = Records::from([(record::BOOSTAGRAM, json.to_vec())]);
        // The message, episode and app are found; the podcast's text is found
        // at its first place, the sender name (the same text) overlaps it.
        let shared = Shared([
            Some(b"great show"),
            None,
            Some(b"Noded"),
            Some(b"Noded"),
            Some(b"Ep 1: keys"),
            Some(b"Fountain"),
        ]);
        let blob = encode_row(&records, shared);
        // Type, length, nine pieces (slot and gap each: four columns and
        // five keys), the rest: the JSON's quotes, commas and braces.
        let keys = [
            &br#""podcast":"#[..],
            br#""episode":"#,
            br#""message":"#,
            br#""app_name":"#,
            br#""sender_name":"#,
        ];
        let spliced = 10 + 5 + 10 + 8 + keys.iter().map(|k| k.len()).sum::<usize>();
        assert_eq!(
            blob.len(),
            1 + 1 + 1 + 9 * 2 + json.len() - spliced,
            "{blob:?}"
        );
        assert_eq!(decode_row(&blob, shared), Ok(records.clone()));
        // Every column is needed to read it back.
        let mut partial = shared;
        partial.0[5] = None;
        assert_eq!(decode_row(&blob, partial), Err(BlobError::Missing));
        for cut in 1..blob.len() {
            assert!(
                decode_row(&blob[..cut], shared) != Ok(records.clone()),
                "{cut}"
            );
        }
        // A column that is not in the record changes nothing; the keys alone
        // need no column to read back.
        let absent = Shared([Some(b"not there"), None, None, None, None, None]);
        let keys_only = encode_row(&records, Shared::default());
        assert_eq!(encode_row(&records, absent), keys_only);
        assert_eq!(keys_only.len(), 1 + 1 + 1 + 5 * 2 + json.len() - 55);
        assert_eq!(decode_row(&keys_only, Shared::default()), Ok(records));
        // Text that is no JSON object is not searched for keys.
        let note = Records::from([(record::TIP_NOTE, br#""message":"x"#.to_vec())]);
        assert_eq!(encode_row(&note, Shared::default()).len(), 1 + 1 + 12);
    }

    /// The hash a row blob's preimage gives: only a plain 32-byte
    /// preimage record counts (schema v9 stores the hash of any other row).
    #[test]
    fn a_plain_preimage_gives_the_keysend_hash() {
        let preimage = crate::keysend::Preimage::from_bytes([7; 32]);
        let with = |value: &[u8], message: Option<&[u8]>| {
            let mut records = Records::new();
            let _ = records.insert(record::MESSAGE, b"hi".to_vec());
            let _ = records.insert(record::KEYSEND_PREIMAGE, value.to_vec());
            let _ = records.insert(70_000, vec![1, 2]);
            encode_row(&records, Shared([message, None, None, None, None, None]))
        };
        let hash = Some(*preimage.hash().as_bytes());
        assert_eq!(preimage_hash(&with(&[7; 32], Some(b"hi"))), hash);
        assert_eq!(preimage_hash(&with(&[7; 32], None)), hash);
        assert_eq!(preimage_hash(&with(&[7; 31], None)), None);
        // A preimage holding the message's text is spliced: not recomputed.
        let mut spliced = [7u8; 32];
        spliced[4..8].copy_from_slice(b"text");
        assert_eq!(preimage_hash(&with(&spliced, Some(b"text"))), None);
        assert_eq!(
            preimage_hash(&encode_row(&Records::new(), Shared::default())),
            None
        );
        assert_eq!(preimage_hash(&[0xFE]), None);
        assert_eq!(preimage_hash(&[0, 65]), None);
    }

    /// The one-pass key scan finds what looking for each key on its own
    /// finds, in boostagrams and in hostile JSON (quotes everywhere, keys
    /// inside values, repeated and overlapping keys, a key cut at the end).
    #[test]
    fn the_json_key_scan_finds_each_key_where_a_search_for_it_does() {
        let mut values: Vec<Vec<u8>> = vec![
            br#"{"action":"boost","app_name":"Fountain","podcast":"P","episode":"E","value_msat":5000,"value_msat_total":10000,"message":"hi \"name\":","ts":12}"#.to_vec(),
            br#"{"""""""action":"stream""action":"boost""#.to_vec(),
            br#"{"x":"\"guid\":","guid":"a","guid":"b","uuid":"c","url":"d"}"#.to_vec(),
            br#"{"sender_name":"a","sender_key":"b","sender_id":"c","reply_address":"d","remote_item_guid":"e"}"#.to_vec(),
            br#"{"value_msat_tot"#.to_vec(),
            b"{\"".to_vec(),
            b"{".to_vec(),
        ];
        // Every key once, in a shifting order, with noise between.
        for shift in 0..JSON_KEYS.len() {
            let mut v = b"{".to_vec();
            for i in 0..JSON_KEYS.len() {
                v.extend_from_slice(JSON_KEYS[(i + shift) % JSON_KEYS.len()]);
                v.extend_from_slice(br#""x","#);
            }
            values.push(v);
        }
        for value in &values {
            let mut expected: Vec<(usize, usize)> = JSON_KEYS
                .iter()
                .enumerate()
                .filter_map(|(i, key)| Some((find(value, key)?, SHARED_SLOTS + i)))
                .collect();
            let mut got: Vec<_> = json_keys_in(value).collect();
            expected.sort_unstable();
            got.sort_unstable();
            assert_eq!(got, expected, "{}", String::from_utf8_lossy(value));
        }
    }

    #[test]
    fn find_gives_the_first_place_of_a_text() {
        assert_eq!(find(b"abcabc", b"bc"), Some(1));
        assert_eq!(find(b"aab", b"ab"), Some(1));
        assert_eq!(find(b"abc", b"abc"), Some(0));
        assert_eq!(find(b"abc", b"c"), Some(2));
        assert_eq!(find(b"abc", b"abcd"), None);
        assert_eq!(find(b"abc", b"ca"), None);
        assert_eq!(find(b"abc", b""), None);
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
