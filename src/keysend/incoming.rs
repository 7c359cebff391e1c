//! Decoding the custom records of a received keysend.
//!
//! [`decode`] is the fast path the inbox runs on every payment: no crypto, one
//! pass, capped sanitised text. Everything it reports about the sender is a
//! claim; [`verify_sender`] checks signatures separately, when someone looks.
//! Values in an unexpected shape (a 20-byte "pubkey", a 3-byte timestamp) are
//! not interpreted, only shown raw in [`RecordView`]s. Never panics on any bytes.

mod verify;

pub use verify::{Scheme, Sender, Unverified, verify_sender, verify_sender_among};

use super::NodeId;
use super::boostagram::Boostagram;
use super::record::{self, Records};
use super::text::{ELLIPSIS, display_bytes, display_safe};

/// Display cap of a message, in characters.
pub const MESSAGE_CHARS: usize = 4096;
/// Display cap of a claimed name, in characters.
pub const NAME_CHARS: usize = 64;
/// Display cap of a content type, in characters.
const CONTENT_TYPE_CHARS: usize = 32;
/// Bytes of a value shown as hex in a [`RecordView`].
pub const HEX_BYTES: usize = 64;
/// Display cap of a [`RecordView`] preview, in characters.
pub const PREVIEW_CHARS: usize = 120;

/// What a received record set says, display-safe. Sender fields are claims.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    /// From 34349334, else the boostagram's message, else the tip note 7629171.
    pub message: Option<String>,
    /// The record `message` was taken from. Sender signatures cover the chat
    /// record only: see [`Decoded::message_signed_by`].
    pub message_source: Option<MessageSource>,
    /// 34349339: 33 raw bytes, or 66 hex characters (Cipherchat). Prefix-checked
    /// only: [`verify_sender`] checks the point.
    pub claimed_sender: Option<NodeId>,
    /// 34349340, else the boostagram's `sender_name`.
    pub claimed_name: Option<String>,
    /// 34349343 when it is 8 bytes (big-endian nanoseconds, Whatsat).
    pub timestamp_ns: Option<u64>,
    /// 7629169 when it parses.
    pub boostagram: Option<Boostagram>,
    /// 34349345.
    pub content_type: Option<String>,
    /// Every record, in type order.
    pub records: Vec<RecordView>,
}

/// The record a displayed message was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageSource {
    /// 34349334, the chat message: the only text a Whatsat or ThunderHub
    /// signature covers.
    Chat,
    /// The boostagram's `message` (7629169), used when the chat record is
    /// missing or empty once sanitised. Never covered by a signature.
    Boostagram,
    /// The tip note 7629171, the last resort. Never covered by a signature.
    TipNote,
}

impl MessageSource {
    /// Whether a sender signature can cover text from this record.
    pub fn signable(self) -> bool {
        self == Self::Chat
    }

    /// A small integer for a database column.
    pub fn code(self) -> i64 {
        match self {
            Self::Chat => 1,
            Self::Boostagram => 2,
            Self::TipNote => 3,
        }
    }

    /// The source stored as `code`; `None` for unknown codes.
    pub fn from_code(code: i64) -> Option<Self> {
        [Self::Chat, Self::Boostagram, Self::TipNote]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// One record as a details view shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordView {
    /// The record type.
    pub key: u64,
    /// Catalog name, if known.
    pub name: Option<&'static str>,
    /// Value length in bytes.
    pub len: usize,
    /// Lower-case hex of the first [`HEX_BYTES`] bytes, "…" when longer.
    pub hex: String,
    /// The value as sanitised single-line text (lossy UTF-8), capped.
    pub preview: String,
}

impl RecordView {
    /// View one record.
    pub fn new(key: u64, value: &[u8]) -> Self {
        Self {
            key,
            name: record::name(key),
            len: value.len(),
            hex: capped_hex(value),
            preview: display_bytes(value, PREVIEW_CHARS, false),
        }
    }
}

/// Decode received records. Fast, allocation-light, no signature checks.
pub fn decode(records: &Records) -> Decoded {
    let mut decoded = Decoded {
        records: Vec::with_capacity(records.len()),
        ..Decoded::default()
    };
    for (&key, value) in records {
        decoded.records.push(RecordView::new(key, value));
        match key {
            record::SENDER_PUBKEY => decoded.claimed_sender = claimed_sender(value),
            record::SENDER_ALIAS => decoded.claimed_name = text(value, NAME_CHARS, false),
            record::TIMESTAMP => decoded.timestamp_ns = timestamp(value),
            record::CONTENT_TYPE => decoded.content_type = text(value, CONTENT_TYPE_CHARS, false),
            record::BOOSTAGRAM => decoded.boostagram = Boostagram::parse(value).ok(),
            _ => {}
        }
    }
    decoded.fill_fallbacks(records);
    decoded
}

impl Decoded {
    /// Whether `sender` signed the message shown: the signature checked out
    /// and the text is the chat record's. A fallback message next to a
    /// verified sender is the sender's claim only; label it "not signed".
    pub fn message_signed_by(&self, sender: &Sender) -> bool {
        matches!(sender, Sender::Verified { .. })
            && self.message_source.is_some_and(MessageSource::signable)
    }

    /// Message (with its source) and name, falling back to the boostagram or
    /// the tip note when the chat records lack them.
    fn fill_fallbacks(&mut self, records: &Records) {
        let boost = self.boostagram.as_ref();
        if let Some((message, source)) = display_message(records, boost) {
            self.message = Some(message);
            self.message_source = Some(source);
        }
        if self.claimed_name.is_none() {
            self.claimed_name = boost
                .and_then(|b| b.sender_name.as_deref())
                .map(|n| display_safe(n, NAME_CHARS));
        }
    }
}

/// The message to display and the record it comes from: the chat record
/// 34349334, else the boostagram's message (`boost`, parsed from 7629169),
/// else the tip note 7629171. Sanitised and capped; `None` when none of them
/// has visible text. The index summary should use this too, so the inbox
/// and the details agree on which text is signed.
pub fn display_message(
    records: &Records,
    boost: Option<&Boostagram>,
) -> Option<(String, MessageSource)> {
    let chat = || {
        records
            .get(&record::MESSAGE)
            .and_then(|v| text(v, MESSAGE_CHARS, true))
            .map(|m| (m, MessageSource::Chat))
    };
    let boosted = || {
        boost
            .and_then(|b| b.message.clone())
            .map(|m| (m, MessageSource::Boostagram))
    };
    let note = || {
        records
            .get(&record::TIP_NOTE)
            .and_then(|v| text(v, MESSAGE_CHARS, true))
            .map(|m| (m, MessageSource::TipNote))
    };
    chat().or_else(boosted).or_else(note)
}

/// Sanitised text, `None` when nothing visible is left.
fn text(value: &[u8], max_chars: usize, multiline: bool) -> Option<String> {
    Some(display_bytes(value, max_chars, multiline)).filter(|s| !s.is_empty())
}

/// 34349339 as a claimed node id: 33 raw bytes (Whatsat, ThunderHub) or the
/// 66-character hex text Cipherchat sends. Anything else is not interpreted.
pub(crate) fn claimed_sender(value: &[u8]) -> Option<NodeId> {
    match value.len() {
        33 => NodeId::from_slice_unchecked_point(value),
        66 => {
            let mut bytes = [0u8; 33];
            hex::decode_to_slice(value, &mut bytes).ok()?;
            NodeId::from_slice_unchecked_point(&bytes)
        }
        _ => None,
    }
}

/// 34349343 as Whatsat's 8-byte big-endian nanoseconds.
pub(crate) fn timestamp(value: &[u8]) -> Option<u64> {
    value.try_into().ok().map(u64::from_be_bytes)
}

/// Hex of the first [`HEX_BYTES`] bytes, "…" appended when cut.
fn capped_hex(value: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let shown = &value[..value.len().min(HEX_BYTES)];
    let mut hex = Vec::with_capacity(shown.len() * 2 + ELLIPSIS.len_utf8());
    for &byte in shown {
        hex.extend_from_slice(&[
            DIGITS[usize::from(byte >> 4)],
            DIGITS[usize::from(byte & 15)],
        ]);
    }
    if value.len() > HEX_BYTES {
        hex.extend_from_slice(ELLIPSIS.encode_utf8(&mut [0; 4]).as_bytes());
    }
    String::from_utf8(hex).unwrap_or_default()
}

#[cfg(test)]
#[path = "incoming_tests.rs"]
mod tests;
