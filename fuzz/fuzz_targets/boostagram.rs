//! Boostagram JSON from record 7629169 (`Boostagram::parse`): never panics,
//! every text field is display-safe and capped, and re-encoding the parsed
//! fields for sending (`to_json`) gives back the same fields.

#![no_main]

use libfuzzer_sys::fuzz_target;
use satchel::keysend::Boostagram;
use satchel::keysend::boostagram::MESSAGE_CHARS;
use satchel_fuzz::{assert_display_safe, assert_display_safe_multiline};

/// The largest cap of any single-line field (links).
const LINK_CHARS: usize = 1024;

fuzz_target!(|data: &[u8]| {
    let Ok(boost) = Boostagram::parse(data) else {
        return;
    };
    if let Some(message) = &boost.message {
        assert_display_safe_multiline("message", message, MESSAGE_CHARS);
    }
    for (name, field) in text_fields(&boost) {
        if let Some(text) = field {
            assert_display_safe(name, text, LINK_CHARS);
        }
    }
    let json = boost.to_json();
    let again = Boostagram::parse(json.as_bytes())
        .unwrap_or_else(|err| panic!("to_json output does not parse: {err}: {json}"));
    assert_eq!(
        Boostagram {
            raw: String::new(),
            item_id: None,
            ..again.clone()
        },
        Boostagram {
            raw: String::new(),
            item_id: None,
            ..boost.clone()
        },
        "fields changed through to_json: {json}"
    );
    assert_eq!(
        again.item_id.as_deref().map(as_number),
        boost.item_id.as_deref().map(as_number)
    );
});

/// `itemID` goes out as a number when it is digits (bLIP-10): compare it so.
fn as_number(id: &str) -> String {
    id.parse::<u64>()
        .map_or_else(|_| id.to_owned(), |n| n.to_string())
}

/// Every single-line text field with its JSON name.
fn text_fields(b: &Boostagram) -> [(&'static str, &Option<String>); 20] {
    [
        ("podcast", &b.podcast),
        ("url", &b.url),
        ("guid", &b.guid),
        ("episode", &b.episode),
        ("itemID", &b.item_id),
        ("episode_guid", &b.episode_guid),
        ("time", &b.time),
        ("action", &b.action),
        ("app_name", &b.app_name),
        ("app_version", &b.app_version),
        ("boost_link", &b.boost_link),
        ("name", &b.name),
        ("sender_name", &b.sender_name),
        ("sender_id", &b.sender_id),
        ("sender_key", &b.sender_key),
        ("pubkey", &b.pubkey),
        ("uuid", &b.uuid),
        ("boost_uuid", &b.boost_uuid),
        ("reply_address", &b.reply_address),
        ("speed", &b.speed),
    ]
}
