//! How a [`Resolution`] is shown, written once for the CLI (text and JSON)
//! and the Send screen: labelled lines, every untrusted text display-safe.

use serde::Serialize;

use super::resolve::{Resolution, Transport};
use crate::keysend::text::display_safe;
use crate::keysend::{Msat, record};

/// One resolution as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shown {
    pub transport: Transport,
    /// The address, LNURL or "invoice".
    pub recipient: String,
    /// Node key (keysend, invoice payee).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pubkey: Option<String>,
    /// Records the provider asks for (`TYPE=value`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_msat: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_msat: Option<u64>,
    /// LUD-12 comment limit in characters (0: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment_allowed: Option<usize>,
    /// The invoice's amount, `None` for a zero-amount invoice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_msat: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_hash: Option<String>,
    /// Why keysend was not used although the provider has a document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keysend_problem: Option<String>,
}

impl Shown {
    /// Describe `resolution`.
    pub fn of(resolution: &Resolution) -> Self {
        let mut shown = Self {
            transport: resolution.transport(),
            recipient: String::new(),
            pubkey: None,
            records: Vec::new(),
            min_msat: None,
            max_msat: None,
            comment_allowed: None,
            amount_msat: None,
            description: None,
            expires_at: None,
            payment_hash: None,
            keysend_problem: None,
        };
        match resolution {
            Resolution::Keysend { address, target } => {
                shown.recipient = address.to_string();
                shown.pubkey = Some(target.pubkey.to_hex());
                shown.records = target
                    .records
                    .iter()
                    .map(|(k, v)| describe_record(*k, v))
                    .collect();
            }
            Resolution::Pay {
                name,
                request,
                keysend_problem,
            } => {
                shown.recipient = name.clone();
                shown.min_msat = Some(request.min.0);
                shown.max_msat = Some(request.max.0);
                shown.comment_allowed = Some(request.comment_allowed);
                shown.description = Some(request.description.clone()).filter(|d| !d.is_empty());
                shown.keysend_problem = keysend_problem.clone();
            }
            Resolution::Invoice { invoice, .. } => {
                shown.recipient = "invoice".into();
                shown.pubkey = Some(invoice.payee.to_hex());
                shown.amount_msat = invoice.amount.map(|a| a.0);
                shown.description = invoice
                    .description
                    .as_deref()
                    .map(|d| display_safe(d, 300))
                    .or_else(|| {
                        invoice
                            .description_hash
                            .map(|_| "(hashed description)".into())
                    });
                shown.expires_at = Some(invoice.expires_at());
                shown.payment_hash = Some(invoice.payment_hash.to_hex());
            }
        }
        shown
    }

    /// Labelled lines, in the order they are shown; `now` in Unix seconds.
    pub fn lines(&self, now: u64) -> Vec<(&'static str, String)> {
        let mut lines = vec![
            ("recipient", self.recipient.clone()),
            ("transport", self.transport.to_string()),
        ];
        if let Some(key) = &self.pubkey {
            lines.push(("node", key.clone()));
        }
        for record in &self.records {
            lines.push(("record", record.clone()));
        }
        if let (Some(min), Some(max)) = (self.min_msat, self.max_msat) {
            lines.push(("range", format!("{} to {}", Msat(min), Msat(max))));
        }
        if let Some(limit) = self.comment_allowed {
            lines.push((
                "comment",
                match limit {
                    0 => "not accepted".into(),
                    n => format!("up to {n} characters"),
                },
            ));
        }
        if self.transport == Transport::Invoice {
            lines.push((
                "amount",
                self.amount_msat
                    .map_or("none: you choose it".into(), |a| Msat(a).to_string()),
            ));
        }
        if let Some(description) = &self.description {
            lines.push(("says", description.clone()));
        }
        if let Some(at) = self.expires_at {
            lines.push(("expires", expiry(at, now)));
        }
        if let Some(problem) = &self.keysend_problem {
            lines.push((
                "note",
                format!("keysend document unusable ({problem}); using LNURL-pay"),
            ));
        }
        lines
    }
}

/// `in 59 min` or `expired 3 min ago`.
fn expiry(at: u64, now: u64) -> String {
    let minutes = |s: u64| match s {
        0..120 => format!("{s} s"),
        120..7_200 => format!("{} min", s / 60),
        7_200..172_800 => format!("{} h", s / 3_600),
        _ => format!("{} days", s / 86_400),
    };
    match at.checked_sub(now) {
        Some(0) | None => format!("expired {} ago", minutes(now - at)),
        Some(left) => format!("in {}", minutes(left)),
    }
}

/// `696969=abc (LNPay destination)`: the value as text when it is text.
fn describe_record(key: u64, value: &[u8]) -> String {
    let text = match std::str::from_utf8(value) {
        Ok(text) => display_safe(text, 80),
        Err(_) => hex::encode(&value[..value.len().min(32)]),
    };
    match record::name(key) {
        Some(name) => format!("{key}={text} ({name})"),
        None => format!("{key}={text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_reads_both_ways() {
        assert_eq!(expiry(1_000, 940), "in 60 s");
        assert_eq!(expiry(10_000, 4_000), "in 100 min");
        assert_eq!(expiry(1_000, 1_000), "expired 0 s ago");
        assert_eq!(expiry(1_000, 1_300), "expired 5 min ago");
        assert_eq!(expiry(0, 86_400 * 3), "expired 3 days ago");
        assert_eq!(expiry(36_000, 0), "in 10 h");
    }
}
