//! Chat-app records beside the message: Juggernaut's content type (34349345)
//! and request id (34349347), and Satchel's "in reply to" hash
//! ([`record::IN_REPLY_TO`]). Pure: what a thread shows about a keysend.

use super::PaymentHash;
use super::record::{self, Records};
use super::text::{display_safe, lossy_utf8};

/// Longest content type or request id kept, in bytes.
const FIELD_BYTES: usize = 64;
/// Longest payment request kept, in bytes (BOLT 11 strings are < 1,300).
const REQUEST_BYTES: usize = 1_300;

/// What the chat records of one keysend say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChatMeta {
    /// Juggernaut / ThunderHub content type (`text`, `paymentrequest`, ...),
    /// display-safe.
    pub content_type: Option<String>,
    /// Juggernaut's request id (ties a payment request to its payment),
    /// display-safe.
    pub request_id: Option<String>,
    /// A BOLT 11 payment request carried as the message of a keysend whose
    /// content type says it is one.
    pub payment_request: Option<String>,
    /// The payment hash this keysend answers (Satchel replies and refunds).
    pub in_reply_to: Option<PaymentHash>,
}

impl ChatMeta {
    /// Decode from a keysend's records; anything malformed is left out.
    pub fn of(records: &Records) -> Self {
        let field = |key| {
            records
                .get(&key)
                .map(|v| display_safe(&lossy_utf8(v, FIELD_BYTES), FIELD_BYTES))
                .filter(|v| !v.trim().is_empty())
        };
        let content_type = field(record::CONTENT_TYPE);
        let payment_request = content_type
            .as_deref()
            .filter(|kind| is_request_type(kind))
            .and_then(|_| records.get(&record::MESSAGE))
            .map(|m| lossy_utf8(m, REQUEST_BYTES).trim().to_owned())
            .filter(|m| looks_like_invoice(m));
        Self {
            content_type,
            request_id: field(record::REQUEST_TYPE),
            payment_request,
            in_reply_to: records
                .get(&record::IN_REPLY_TO)
                .and_then(|v| PaymentHash::from_slice(v)),
        }
    }
}

/// The first word of a message that is a BOLT 11 invoice (`lnbc…`, with or
/// without `lightning:`), quotes and punctuation around it left out: an
/// invoice pasted into a chat without a content type saying so.
pub fn invoice_in(text: &str) -> Option<&str> {
    text.split_whitespace()
        .map(|word| word.trim_matches(|c: char| !c.is_ascii_alphanumeric()))
        .find(|word| word.len() <= REQUEST_BYTES && looks_like_invoice(word))
}

/// `paymentrequest`, `payment_request`, `invoice`, `payreq` in any case.
fn is_request_type(kind: &str) -> bool {
    let kind: String = kind
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    ["paymentrequest", "invoice", "payreq"]
        .iter()
        .any(|k| kind.contains(k))
}

/// `lnbc…`, `lntb…`, `lnbcrt…` (any case, with or without `lightning:`),
/// only bech32 characters.
fn looks_like_invoice(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let lower = lower.strip_prefix("lightning:").unwrap_or(&lower);
    lower.starts_with("ln") && lower.len() > 20 && lower.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(entries: &[(u64, &[u8])]) -> Records {
        entries.iter().map(|(k, v)| (*k, v.to_vec())).collect()
    }

    #[test]
    fn juggernaut_text_and_request_id_decode() {
        let meta = ChatMeta::of(&records(&[
            (record::MESSAGE, b"hello"),
            (record::CONTENT_TYPE, b"text"),
            (record::REQUEST_TYPE, b"7f3a-01"),
        ]));
        assert_eq!(meta.content_type.as_deref(), Some("text"));
        assert_eq!(meta.request_id.as_deref(), Some("7f3a-01"));
        assert_eq!(meta.payment_request, None);
        assert_eq!(meta.in_reply_to, None);
    }

    #[test]
    fn an_invoice_is_found_in_a_chat_message() {
        let invoice = "lnbcrt10u1pjexampleexampleexampleexample";
        let table = [
            (format!("please pay {invoice} thanks"), Some(invoice)),
            (format!("(\"lightning:{invoice}\")."), Some(invoice)),
            ("lnbc is short".to_owned(), None),
            ("no invoice here at all, none".to_owned(), None),
            (format!("{invoice}-with-dashes"), None),
        ];
        for (text, expected) in table {
            let found = invoice_in(&text).map(|w| w.trim_start_matches("lightning:"));
            assert_eq!(found, expected, "{text}");
        }
    }

    #[test]
    fn a_payment_request_is_found_only_when_typed_so() {
        let invoice = b"lnbcrt10u1pjexampleexampleexampleexample";
        let typed = ChatMeta::of(&records(&[
            (record::MESSAGE, invoice),
            (record::CONTENT_TYPE, b"paymentrequest"),
        ]));
        assert_eq!(
            typed.payment_request.as_deref(),
            Some(std::str::from_utf8(invoice).unwrap())
        );
        let plain = ChatMeta::of(&records(&[
            (record::MESSAGE, invoice),
            (record::CONTENT_TYPE, b"text"),
        ]));
        assert_eq!(plain.payment_request, None);
        let junk = ChatMeta::of(&records(&[
            (record::MESSAGE, b"ln click here =HYPERLINK()"),
            (record::CONTENT_TYPE, b"payment_request"),
        ]));
        assert_eq!(junk.payment_request, None);
    }

    #[test]
    fn reply_to_needs_exactly_a_hash() {
        let hash = PaymentHash::from_bytes([5; 32]);
        let meta = ChatMeta::of(&records(&[(record::IN_REPLY_TO, hash.as_bytes())]));
        assert_eq!(meta.in_reply_to, Some(hash));
        let short = ChatMeta::of(&records(&[(record::IN_REPLY_TO, &[5; 31])]));
        assert_eq!(short.in_reply_to, None);
    }

    #[test]
    fn control_characters_are_not_shown() {
        let meta = ChatMeta::of(&records(&[(record::CONTENT_TYPE, b"te\x1b[31mxt")]));
        assert!(!meta.content_type.unwrap().contains('\x1b'));
    }
}
