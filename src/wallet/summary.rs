//! The few decoded fields the index stores in columns (for display, filters
//! and full-text search), taken from a received keysend's records.
//!
//! Reads the same records with the same rules as `keysend::incoming::decode`
//! (its message, claimed sender and name fallbacks), but only the records the
//! index keeps: no `RecordView` (hex and preview) for every record, which was
//! most of the decoding time of a first sync (BENCHMARKS.md item 9). The
//! message and the record it came from are `display_message`'s own answer,
//! so the inbox and the details view agree on both.

use crate::keysend::boostagram::Boostagram;
use crate::keysend::incoming::{MessageSource, NAME_CHARS, claimed_sender, display_message};
use crate::keysend::record;
use crate::keysend::text::{display_bytes, display_safe};
use crate::keysend::{NodeId, Records};

/// Longest podcast, app or episode title kept, in characters.
const MAX_LABEL_CHARS: usize = 120;

/// Searchable, display-safe fields of one received keysend. Everything here
/// is claimed by the sender and unverified.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Summary {
    pub message: Option<String>,
    /// Which record `message` came from; only [`MessageSource::Chat`] text
    /// can be covered by a sender signature. `None` without a message.
    pub message_source: Option<MessageSource>,
    pub sender_pubkey: Option<NodeId>,
    pub sender_name: Option<String>,
    pub podcast: Option<String>,
    pub app: Option<String>,
    pub episode: Option<String>,
}

impl Summary {
    /// The stored texts a row blob refers to (`blob::Shared`, in
    /// `blob::shared_columns` order): message, sender key, sender name,
    /// podcast, episode, app.
    pub(crate) fn shared(&self) -> crate::wallet::blob::Shared<'_> {
        fn text(t: &Option<String>) -> Option<&[u8]> {
            t.as_deref().map(str::as_bytes)
        }
        crate::wallet::blob::Shared([
            text(&self.message),
            self.sender_pubkey.as_ref().map(|k| &k.as_bytes()[..]),
            text(&self.sender_name),
            text(&self.podcast),
            text(&self.episode),
            text(&self.app),
        ])
    }

    /// The fields of raw records, as `keysend::incoming::decode` reads them;
    /// never fails (values in an unexpected shape are dropped).
    pub fn of(records: &Records) -> Self {
        let text = |key, max_chars, multiline| {
            records
                .get(&key)
                .map(|v| display_bytes(v, max_chars, multiline))
                .filter(|t| !t.is_empty())
        };
        let boost = records
            .get(&record::BOOSTAGRAM)
            .and_then(|v| Boostagram::parse(v).ok());
        // The chat message (34349334), else the boostagram's, else the tip note.
        let (message, message_source) = display_message(records, boost.as_ref()).unzip();
        let boost = boost.unwrap_or_default();
        let sender_name = text(record::SENDER_ALIAS, NAME_CHARS, false)
            .or_else(|| {
                boost
                    .sender_name
                    .as_deref()
                    .map(|n| display_safe(n, NAME_CHARS))
            })
            .filter(|n| !n.is_empty());
        Self {
            message,
            message_source,
            sender_pubkey: records
                .get(&record::SENDER_PUBKEY)
                .and_then(|v| claimed_sender(v)),
            sender_name,
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

    /// The fields as they were taken before: from the full `decode`.
    fn via_decode(records: &Records) -> Summary {
        let decoded = crate::keysend::incoming::decode(records);
        let boost = decoded.boostagram.unwrap_or_default();
        Summary {
            message: decoded.message,
            message_source: decoded.message_source,
            sender_pubkey: decoded.claimed_sender,
            sender_name: decoded.claimed_name.filter(|n| !n.is_empty()),
            podcast: label(boost.podcast),
            app: label(boost.app_name),
            episode: label(boost.episode),
        }
    }

    #[test]
    fn agrees_with_full_decode_on_every_combination() {
        let alice: NodeId = ALICE.parse().unwrap();
        let messages: &[Option<&[u8]>] = &[
            None,
            Some(b""),
            Some(b"hi\x1b[2J\xe2\x80\xae"),
            Some(b"\xff\xfe"),
        ];
        let keys: &[Option<Vec<u8>>] = &[
            None,
            Some(alice.as_bytes().to_vec()),
            Some(ALICE.as_bytes().to_vec()),
            Some(vec![7; 20]),
        ];
        let aliases: &[Option<&[u8]>] = &[None, Some(b"\xe2\x80\x8b"), Some(b"carol")];
        let boosts: &[Option<&[u8]>] = &[
            None,
            Some(b"{not json"),
            Some(br#"{"podcast":" ","sender_name":"","message":"boosted \u202e"}"#),
            Some(br#"{"podcast":"Noded","app_name":"Fountain","episode":"Ep 9","sender_name":"dan"}"#),
        ];
        let notes: &[Option<&[u8]>] = &[None, Some(b"  "), Some(b"a tip note")];
        let mut cases = 0;
        for message in messages {
            for key in keys {
                for alias in aliases {
                    for boost in boosts {
                        for note in notes {
                            let mut records = Records::new();
                            let mut put = |k, v: Option<&[u8]>| {
                                if let Some(v) = v {
                                    let _ = records.insert(k, v.to_vec());
                                }
                            };
                            put(record::MESSAGE, *message);
                            put(record::SENDER_PUBKEY, key.as_deref());
                            put(record::SENDER_ALIAS, *alias);
                            put(record::BOOSTAGRAM, *boost);
                            put(record::TIP_NOTE, *note);
                            assert_eq!(Summary::of(&records), via_decode(&records), "{records:?}");
                            cases += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(cases, 4 * 4 * 3 * 4 * 3);
    }
}
