//! The documents an address serves, read and checked: the keysend document
//! (`/.well-known/keysend/<user>`: a pubkey and custom records), the
//! LNURL-pay request (LUD-06: min/max, metadata, LUD-12 `commentAllowed`)
//! and its callback's invoice, which must be for the amount asked and carry
//! the hash of the metadata (LUD-06) before Satchel pays it.

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::bolt11::{Bolt11Error, Invoice};
use crate::keysend::record::FIRST_CUSTOM;
use crate::keysend::text::display_safe;
use crate::keysend::{Msat, NodeId, Records};

/// A keysend-capable address: where to send and which records to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysendTarget {
    pub pubkey: NodeId,
    /// The provider's `customData` (e.g. 696969 naming the wallet).
    pub records: Records,
}

/// An LNURL-pay request, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayRequest {
    pub callback: String,
    pub min: Msat,
    pub max: Msat,
    /// The metadata JSON string as served (its SHA-256 is the invoice's `h`).
    pub metadata: String,
    /// `text/plain` from the metadata: what the recipient says it is.
    pub description: String,
    /// LUD-12: most comment characters; 0 means no comment.
    pub comment_allowed: usize,
}

/// Why a served document cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("the service refused: {0}")]
    Refused(String),
    #[error("the answer is not the JSON Satchel expects: {0}")]
    Malformed(String),
    #[error("the keysend document's pubkey {0:?} is not a node key")]
    BadPubkey(String),
    #[error("the keysend document's custom record key {0:?} is not a number of 65536 or more")]
    BadCustomKey(String),
    #[error("the LNURL answer is a {0:?} request, not a pay request")]
    WrongTag(String),
    #[error("the pay request's minimum {min} is above its maximum {max}")]
    MinAboveMax { min: Msat, max: Msat },
    #[error("{amount} is outside what this recipient accepts ({min} to {max})")]
    OutOfRange { amount: Msat, min: Msat, max: Msat },
    #[error("the callback is not an https address: {0:?}")]
    BadCallback(String),
    #[error("the recipient's invoice is unusable: {0}")]
    Invoice(#[from] Bolt11Error),
    #[error("the recipient's invoice is for {got:?}, not the {asked} asked for; not paying it")]
    WrongAmount { asked: Msat, got: Option<Msat> },
    #[error(
        "the recipient's invoice does not carry the hash of the pay request's description; not paying it"
    )]
    WrongDescriptionHash,
}

/// LUD-06 error answers: `{"status": "ERROR", "reason": "..."}`.
#[derive(Deserialize)]
struct Status {
    status: Option<String>,
    reason: Option<String>,
}

fn refused(body: &[u8]) -> Option<DocumentError> {
    let status: Status = serde_json::from_slice(body).ok()?;
    status
        .status
        .filter(|s| s.eq_ignore_ascii_case("error"))
        .map(|_| {
            DocumentError::Refused(display_safe(
                status.reason.as_deref().unwrap_or("no reason given"),
                200,
            ))
        })
}

fn malformed(err: serde_json::Error) -> DocumentError {
    DocumentError::Malformed(display_safe(&err.to_string(), 200))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeysendDocument {
    tag: Option<String>,
    pubkey: String,
    #[serde(default)]
    custom_data: Vec<CustomData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CustomData {
    custom_key: String,
    #[serde(default)]
    custom_value: String,
}

/// Read a keysend document: `{"tag":"keysend","pubkey":…,"customData":[…]}`.
pub fn keysend_document(body: &[u8]) -> Result<KeysendTarget, DocumentError> {
    if let Some(err) = refused(body) {
        return Err(err);
    }
    let doc: KeysendDocument = serde_json::from_slice(body).map_err(malformed)?;
    if let Some(tag) = doc.tag.filter(|t| t != "keysend") {
        return Err(DocumentError::WrongTag(display_safe(&tag, 40)));
    }
    let pubkey = doc
        .pubkey
        .parse()
        .map_err(|_| DocumentError::BadPubkey(display_safe(&doc.pubkey, 80)))?;
    let mut records = Records::new();
    for data in doc.custom_data {
        let key = data
            .custom_key
            .parse::<u64>()
            .ok()
            .filter(|k| *k >= FIRST_CUSTOM)
            .ok_or_else(|| DocumentError::BadCustomKey(display_safe(&data.custom_key, 40)))?;
        // Value-for-value: customValue is sent as its UTF-8 bytes.
        let _ = records.insert(key, data.custom_value.into_bytes());
    }
    Ok(KeysendTarget { pubkey, records })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PayDocument {
    tag: String,
    callback: String,
    min_sendable: u64,
    max_sendable: u64,
    metadata: String,
    #[serde(default)]
    comment_allowed: usize,
}

/// Read an LNURL-pay request (LUD-06) and check its limits.
pub fn pay_request(body: &[u8]) -> Result<PayRequest, DocumentError> {
    if let Some(err) = refused(body) {
        return Err(err);
    }
    let tag = serde_json::from_slice::<serde_json::Value>(body)
        .map_err(malformed)?
        .get("tag")
        .and_then(|t| t.as_str().map(str::to_owned));
    if let Some(tag) = tag.filter(|t| t != "payRequest") {
        return Err(DocumentError::WrongTag(display_safe(&tag, 40)));
    }
    let doc: PayDocument = serde_json::from_slice(body).map_err(malformed)?;
    let (min, max) = (Msat(doc.min_sendable), Msat(doc.max_sendable));
    if min > max {
        return Err(DocumentError::MinAboveMax { min, max });
    }
    if !super::http::allowed_url(&doc.callback) {
        return Err(DocumentError::BadCallback(display_safe(&doc.callback, 120)));
    }
    let _ = doc.tag;
    Ok(PayRequest {
        callback: doc.callback,
        min,
        max,
        description: plain_text(&doc.metadata),
        metadata: doc.metadata,
        comment_allowed: doc.comment_allowed,
    })
}

/// LUD-06: metadata is a JSON array of `[mime, value]`; `text/plain` is shown.
fn plain_text(metadata: &str) -> String {
    let entries: Vec<Vec<serde_json::Value>> = serde_json::from_str(metadata).unwrap_or_default();
    entries
        .iter()
        .find(|e| e.first().and_then(|m| m.as_str()) == Some("text/plain"))
        .and_then(|e| e.get(1)?.as_str())
        .map(|text| display_safe(text, 300))
        .unwrap_or_default()
}

/// A comment cut to fit `commentAllowed` characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub text: String,
    /// Characters left out (0 when it fit).
    pub cut: usize,
}

impl PayRequest {
    /// `amount` is within min..=max.
    pub fn check_amount(&self, amount: Msat) -> Result<(), DocumentError> {
        match (self.min..=self.max).contains(&amount) {
            true => Ok(()),
            false => Err(DocumentError::OutOfRange {
                amount,
                min: self.min,
                max: self.max,
            }),
        }
    }

    /// The message as a LUD-12 comment: cut at a character boundary to
    /// `commentAllowed` characters (none at all when it is 0).
    pub fn comment(&self, message: &str) -> Comment {
        let total = message.chars().count();
        let kept: String = message.chars().take(self.comment_allowed).collect();
        Comment {
            cut: total - kept.chars().count(),
            text: kept,
        }
    }

    /// The callback URL for `amount` and `comment` (LUD-06, LUD-12).
    pub fn callback_url(&self, amount: Msat, comment: &str) -> Result<String, DocumentError> {
        let mut url = reqwest::Url::parse(&self.callback)
            .map_err(|_| DocumentError::BadCallback(display_safe(&self.callback, 120)))?;
        {
            let mut query = url.query_pairs_mut();
            let _ = query.append_pair("amount", &amount.0.to_string());
            if !comment.is_empty() {
                let _ = query.append_pair("comment", comment);
            }
        }
        Ok(url.into())
    }

    /// Read the callback's answer (`{"pr": "lnbc…"}`) and check the invoice
    /// is for `amount` and carries the SHA-256 of the metadata.
    pub fn invoice(&self, body: &[u8], amount: Msat) -> Result<(Invoice, String), DocumentError> {
        if let Some(err) = refused(body) {
            return Err(err);
        }
        #[derive(Deserialize)]
        struct Callback {
            pr: String,
        }
        let answer: Callback = serde_json::from_slice(body).map_err(malformed)?;
        let invoice = Invoice::decode(&answer.pr)?;
        if invoice.amount != Some(amount) {
            return Err(DocumentError::WrongAmount {
                asked: amount,
                got: invoice.amount,
            });
        }
        let expected: [u8; 32] = Sha256::digest(self.metadata.as_bytes()).into();
        if invoice.description_hash != Some(expected) {
            return Err(DocumentError::WrongDescriptionHash);
        }
        Ok((invoice, answer.pr.trim().to_ascii_lowercase()))
    }
}

#[cfg(test)]
#[path = "lnurl_tests.rs"]
mod tests;
