//! The few decoded fields the index stores in columns (for display, filters
//! and full-text search), taken from a received keysend's records.

use crate::keysend::incoming::decode;
use crate::keysend::text::display_safe;
use crate::keysend::{NodeId, Records};

/// Longest podcast, app or episode title kept, in characters.
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
    /// Decode the fields from raw records with `keysend::incoming::decode`;
    /// never fails (values in an unexpected shape are dropped).
    pub fn of(records: &Records) -> Self {
        let decoded = decode(records);
        let boost = decoded.boostagram.unwrap_or_default();
        Self {
            message: decoded.message,
            sender_pubkey: decoded.claimed_sender,
            sender_name: decoded.claimed_name.filter(|n| !n.is_empty()),
            podcast: label(boost.podcast),
            app: label(boost.app_name),
            episode: label(boost.episode),
        }
    }

    /// Anything for the full-text index.
    pub fn has_text(&self) -> bool {
        self.message.is_some() || self.sender_name.is_some() || self.podcast.is_some()
    }
}

/// A display-safe, capped, non-empty label.
fn label(text: Option<String>) -> Option<String> {
    text.map(|t| display_safe(&t, MAX_LABEL_CHARS))
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::record;

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
