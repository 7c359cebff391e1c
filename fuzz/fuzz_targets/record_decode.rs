//! Custom records of a received keysend (`keysend::incoming::decode` and
//! `verify_sender`), built from the fuzzer's bytes by
//! `satchel_fuzz::records_from_bytes`: never panic, every shown text is
//! display-safe and capped, and a verified sender is exactly the key in the
//! sender record.

#![no_main]

use std::str::FromStr;

use libfuzzer_sys::fuzz_target;
use satchel::keysend::incoming::{
    Decoded, HEX_BYTES, MESSAGE_CHARS, NAME_CHARS, PREVIEW_CHARS, Sender, decode, verify_sender,
};
use satchel::keysend::text::display_bytes;
use satchel::keysend::{NodeId, Records, record};
use satchel_fuzz::{assert_display_safe, assert_display_safe_multiline, records_from_bytes};

/// The recipient the seed signatures were made for (secret key 0x02 * 32,
/// see fuzz/make_seeds.py).
const RECIPIENT: &str = "024d4b6cd1361032ca9bd2aeb9d900aa4d45d9ead80ac9423374c451a7254d0766";

fuzz_target!(|data: &[u8]| {
    let records = records_from_bytes(data);
    let decoded = decode(&records);
    check_decoded(&decoded, &records);
    let recipient = NodeId::from_str(RECIPIENT).expect("a valid node id");
    check_sender(&verify_sender(&records, &recipient), &records);
});

fn check_decoded(decoded: &Decoded, records: &Records) {
    if let Some(message) = &decoded.message {
        assert!(!message.is_empty(), "an empty message is no message");
        assert_display_safe_multiline("message", message, MESSAGE_CHARS);
    }
    if let Some(name) = &decoded.claimed_name {
        assert_display_safe("claimed name", name, NAME_CHARS);
    }
    if let Some(content_type) = &decoded.content_type {
        assert_display_safe("content type", content_type, NAME_CHARS);
    }
    let expected_ts = records.get(&record::TIMESTAMP).filter(|v| v.len() == 8);
    assert_eq!(
        decoded.timestamp_ns.is_some(),
        expected_ts.is_some(),
        "timestamp"
    );
    assert_eq!(decoded.records.len(), records.len(), "one view per record");
    for (view, (key, value)) in decoded.records.iter().zip(records) {
        assert_eq!((view.key, view.len), (*key, value.len()), "record view");
        assert!(
            view.hex.chars().count() <= 2 * HEX_BYTES + 1,
            "hex of {key} too long"
        );
        assert_display_safe("record preview", &view.preview, PREVIEW_CHARS);
    }
}

fn check_sender(sender: &Sender, records: &Records) {
    let claimed = |key| records.contains_key(&key);
    match sender {
        Sender::Verified { id, .. } => {
            let raw = records.get(&record::SENDER_PUBKEY).map(Vec::as_slice);
            assert_eq!(
                raw,
                Some(id.as_bytes().as_slice()),
                "verified id is not the record"
            );
            assert!(claimed(record::SIGNATURE), "verified without a signature");
        }
        Sender::Claimed { name, .. } => {
            if let Some(name) = name {
                assert_display_safe("claimed sender name", name, NAME_CHARS);
            }
        }
        Sender::Anonymous => {
            assert!(
                !claimed(record::SENDER_PUBKEY),
                "a sender record, yet anonymous"
            );
            assert!(!claimed(record::SIGNATURE), "a signature, yet anonymous");
            if let Some(alias) = records.get(&record::SENDER_ALIAS) {
                let shown = display_bytes(alias, NAME_CHARS, false);
                assert!(shown.is_empty(), "a visible alias {shown:?}, yet anonymous");
            }
        }
    }
}
