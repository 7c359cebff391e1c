//! The few decoded fields the index stores in columns (for display, filters
//! and full-text search), taken from a received keysend's records.

use crate::keysend::text::{display_safe, lossy_utf8};
use crate::keysend::{NodeId, Records, record};

/// Longest message kept in the index column, in bytes (the onion cannot carry more).
const MAX_MESSAGE_BYTES: usize = 1300;
/// Longest name, podcast, app or episode title kept, in characters.
const MAX_LABEL_CHARS: usize = 120;

/// Searchable, display-safe fields of one received keysend. Everything here
/// is claimed by the sender and unverified.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Summary {
    pub message: Option<String>,
    pub sender_pubkey: Option<NodeId>,
    pub sender_name: Option<String>,
    pub podcast: Option<String>,
    pub app: Option<String>,
    pub episode: Option<String>,
}

impl Summary {
    /// Decode the fields from raw records; never fails (bad values are dropped).
    pub fn of(records: &Records) -> Self {
        let boost = records
            .get(&record::BOOSTAGRAM)
            .and_then(|v| Boost::parse(v));
        let boost = boost.unwrap_or_default();
        let text = |key| {
            records
                .get(&key)
                .map(|v: &Vec<u8>| lossy_utf8(v, MAX_MESSAGE_BYTES))
        };
        let label = |key| {
            records
                .get(&key)
                .and_then(|v: &Vec<u8>| label(&String::from_utf8_lossy(v)))
        };
        Self {
            message: non_empty(text(record::MESSAGE)).or(boost.message),
            sender_pubkey: records.get(&record::SENDER_PUBKEY).and_then(|v| pubkey(v)),
            sender_name: label(record::SENDER_ALIAS).or(boost.sender_name),
            podcast: boost.podcast,
            app: boost.app,
            episode: boost.episode,
        }
    }

    /// Anything for the full-text index.
    pub fn has_text(&self) -> bool {
        self.message.is_some() || self.sender_name.is_some() || self.podcast.is_some()
    }
}

/// The boostagram (bLIP-10) fields the index keeps; lenient about types.
#[derive(Debug, Default)]
struct Boost {
    message: Option<String>,
    sender_name: Option<String>,
    podcast: Option<String>,
    app: Option<String>,
    episode: Option<String>,
}

impl Boost {
    /// Parse the JSON record; `None` if it is not a JSON object.
    fn parse(bytes: &[u8]) -> Option<Self> {
        if bytes.len() > 64 * 1024 {
            return None;
        }
        let json: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(bytes).ok()?;
        let field = |key: &str| json.get(key).and_then(serde_json::Value::as_str);
        Some(Self {
            message: field("message").map(|m| lossy_utf8(m.as_bytes(), MAX_MESSAGE_BYTES)),
            sender_name: field("sender_name").and_then(label),
            podcast: field("podcast").and_then(label),
            app: field("app_name").and_then(label),
            episode: field("episode").and_then(label),
        })
        .map(|b| Self {
            message: non_empty(b.message),
            ..b
        })
    }
}

/// A display-safe, capped, non-empty label.
fn label(text: &str) -> Option<String> {
    non_empty(Some(display_safe(text, MAX_LABEL_CHARS)))
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.is_empty())
}

/// A claimed sender key: 33 raw bytes (Whatsat, ThunderHub) or 66 hex characters (Cipherchat).
fn pubkey(bytes: &[u8]) -> Option<NodeId> {
    NodeId::from_slice(bytes)
        .ok()
        .or_else(|| std::str::from_utf8(bytes).ok()?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

    #[test]
    fn reads_chat_records_and_boostagram() {
        let alice: NodeId = ALICE.parse().unwrap();
        let mut records = Records::new();
        let _ = records.insert(record::MESSAGE, b"hi \x1b[2Jthere\xe2\x80\xae".to_vec());
        let _ = records.insert(record::SENDER_PUBKEY, alice.as_bytes().to_vec());
        let boost = br#"{"podcast":"Tech Talk","episode":"Ep 1","app_name":"Fountain","sender_name":"bob","message":null,"itemID":"7"}"#;
        let _ = records.insert(record::BOOSTAGRAM, boost.to_vec());
        let summary = Summary::of(&records);
        assert_eq!(summary.message.as_deref(), Some("hi [2Jthere"));
        assert_eq!(summary.sender_pubkey, Some(alice));
        assert_eq!(summary.sender_name.as_deref(), Some("bob"));
        assert_eq!(summary.podcast.as_deref(), Some("Tech Talk"));
        assert_eq!(summary.episode.as_deref(), Some("Ep 1"));
        assert_eq!(summary.app.as_deref(), Some("Fountain"));
    }

    #[test]
    fn tolerates_garbage_and_hex_keys() {
        let mut records = Records::new();
        let _ = records.insert(record::BOOSTAGRAM, b"[not an object".to_vec());
        let _ = records.insert(record::SENDER_PUBKEY, ALICE.as_bytes().to_vec());
        let _ = records.insert(record::SENDER_ALIAS, "\u{202E}\u{200B}".as_bytes().to_vec());
        let summary = Summary::of(&records);
        assert_eq!(
            summary.sender_pubkey.map(|k| k.to_hex()).as_deref(),
            Some(ALICE)
        );
        assert_eq!(
            (summary.message, summary.sender_name, summary.podcast),
            (None, None, None)
        );
        assert!(!Summary::of(&Records::new()).has_text());
    }
}
