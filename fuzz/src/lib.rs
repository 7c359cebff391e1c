//! Helpers shared by the fuzz targets: turning raw fuzzer bytes into the
//! structured inputs Satchel's parsers take, and the invariants every piece of
//! display text must keep.

use satchel::keysend::Records;
use satchel::keysend::record;
use satchel::keysend::text::is_hidden;

/// Record types the fuzzer can name with a single selector byte, so that the
/// interesting decoders (message, signature, boostagram...) are reached often.
pub const KNOWN_KEYS: [u64; 18] = [
    record::KEYSEND_PREIMAGE,
    record::MESSAGE,
    record::SIGNATURE,
    record::SENDER_PUBKEY,
    record::SENDER_ALIAS,
    record::TIMESTAMP,
    record::CONTENT_TYPE,
    record::REQUEST_TYPE,
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

/// Split fuzzer bytes into custom records.
///
/// Each record is `selector, length (2 bytes BE), value`. A selector below
/// `KNOWN_KEYS.len()` picks a catalog type; any other selector is followed by
/// an 8-byte big-endian type of the fuzzer's choosing. A length running past
/// the end takes what is left. A later record of the same type replaces the
/// earlier one, as in a map.
pub fn records_from_bytes(mut input: &[u8]) -> Records {
    let mut records = Records::new();
    while let Some((&selector, rest)) = input.split_first() {
        let Some((key, rest)) = record_key(selector, rest) else {
            break;
        };
        let (len, rest) = match rest {
            [high, low, rest @ ..] => (usize::from(u16::from_be_bytes([*high, *low])), rest),
            _ => (rest.len(), &[][..]),
        };
        let (value, rest) = rest.split_at(len.min(rest.len()));
        let _previous = records.insert(key, value.to_vec());
        input = rest;
    }
    records
}

/// The record type named by `selector` (and maybe the 8 bytes after it).
fn record_key(selector: u8, rest: &[u8]) -> Option<(u64, &[u8])> {
    if let Some(&key) = KNOWN_KEYS.get(usize::from(selector)) {
        return Some((key, rest));
    }
    let (key, rest) = rest.split_first_chunk::<8>()?;
    Some((u64::from_be_bytes(*key), rest))
}

/// Encode records the way [`records_from_bytes`] reads them (for seed files).
pub fn records_to_bytes(records: &Records) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, value) in records {
        match KNOWN_KEYS.iter().position(|known| known == key) {
            Some(index) => out.push(u8::try_from(index).expect("fewer than 256 known keys")),
            None => {
                out.push(u8::MAX);
                out.extend_from_slice(&key.to_be_bytes());
            }
        }
        let len = u16::try_from(value.len()).expect("a record value fits in 64 KiB");
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(value);
    }
    out
}

/// Panic unless `text` is safe to display on one line: no control, bidi or
/// zero-width characters, no line breaks or tabs, at most `max_chars` characters.
pub fn assert_display_safe(what: &str, text: &str, max_chars: usize) {
    if let Some(bad) = text.chars().find(|c| matches!(c, '\n' | '\r' | '\t')) {
        panic!("{what} is one line but holds {bad:?}: {text:?}");
    }
    assert_display_safe_multiline(what, text, max_chars);
}

/// Like [`assert_display_safe`], but `\n` line breaks are allowed.
pub fn assert_display_safe_multiline(what: &str, text: &str, max_chars: usize) {
    if let Some(bad) = text
        .chars()
        .find(|c| is_hidden(*c) || matches!(c, '\r' | '\t' | '\u{2028}' | '\u{2029}'))
    {
        panic!("{what} shows a hidden character {bad:?}: {text:?}");
    }
    let count = text.chars().count();
    assert!(
        count <= max_chars,
        "{what} has {count} characters, cap {max_chars}"
    );
}
