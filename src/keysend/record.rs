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
/// Request type, UTF-8 (ThunderHub) (odd).
pub const REQUEST_TYPE: u64 = 34_349_347;
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
        REQUEST_TYPE => "request type",
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
