//! Which sent keysends a list or an export shows: a search (message words,
//! a recipient's contact name, the start of its key) and a date range. The
//! Sent screen's list and its export read the same [`SentQuery`], so an
//! export holds exactly the rows the list shows.

use rusqlite::params_from_iter;
use rusqlite::types::Value;

use super::sent::{SENT_COLUMNS, sent_row};
use super::{Index, IndexError, SentRow};
use crate::keysend::NodeId;

/// Words of a search used at most (the rest are ignored).
const MAX_WORDS: usize = 8;

/// A filter over the sent list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SentQuery {
    /// Every word must appear in the message, or start the recipient's key
    /// (hex), or the recipient is in [`SentQuery::recipients_named`].
    pub text: Option<String>,
    /// Recipients whose contact name matches `text` (`wallet::senders_named`).
    pub recipients_named: Vec<NodeId>,
    /// Created at or after this Unix second.
    pub from: Option<i64>,
    /// Created before this Unix second.
    pub until: Option<i64>,
}

impl SentQuery {
    /// Whether the query narrows the list at all.
    pub fn is_filtered(&self) -> bool {
        self.words().next().is_some() || self.from.is_some() || self.until.is_some()
    }

    fn words(&self) -> impl Iterator<Item = &str> {
        self.text
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .take(MAX_WORDS)
    }

    /// The SQL condition over `sent` and its values.
    pub(super) fn condition(&self) -> (String, Vec<Value>) {
        let mut conditions = vec!["1".to_owned()];
        let mut values = Vec::new();
        let named: Vec<Value> = self
            .recipients_named
            .iter()
            .map(|id| Value::Blob(id.as_bytes().to_vec()))
            .collect();
        let words: Vec<&str> = self.words().collect();
        if !words.is_empty() && !named.is_empty() {
            let marks = vec!["?"; named.len()].join(", ");
            let mut all = Vec::new();
            for word in &words {
                all.push(word_condition(word, &mut values));
            }
            conditions.push(format!(
                "(destination IN ({marks}) OR ({}))",
                all.join(" AND ")
            ));
            // The IN list's values come first: it is first in the text.
            let word_values = std::mem::take(&mut values);
            values.extend(named);
            values.extend(word_values);
        } else {
            for word in &words {
                conditions.push(word_condition(word, &mut values));
            }
        }
        if let Some(from) = self.from {
            conditions.push("created_ns >= ?".to_owned());
            values.push(Value::Integer(from.saturating_mul(1_000_000_000)));
        }
        if let Some(until) = self.until {
            conditions.push("created_ns < ?".to_owned());
            values.push(Value::Integer(until.saturating_mul(1_000_000_000)));
        }
        (conditions.join(" AND "), values)
    }
}

/// One word: in the message (any case, ASCII), or the start of the key.
fn word_condition(word: &str, values: &mut Vec<Value>) -> String {
    let escaped = word
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    values.push(Value::Text(format!("%{escaped}%")));
    values.push(Value::Text(format!("{}%", escaped.to_ascii_lowercase())));
    "(message LIKE ? ESCAPE '\\' OR lower(hex(destination)) LIKE ? ESCAPE '\\')".to_owned()
}

impl Index {
    /// The newest `limit` sent keysends matching `query`, after `offset`.
    pub fn sent_matching(
        &self,
        query: &SentQuery,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<SentRow>, IndexError> {
        let (condition, mut values) = query.condition();
        for n in [limit, offset] {
            values.push(Value::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
        }
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {SENT_COLUMNS} FROM sent WHERE {condition} \
             ORDER BY created_ns DESC, id DESC LIMIT ? OFFSET ?"
        ))?;
        let rows = stmt.query_map(params_from_iter(values), sent_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many sent keysends match `query`.
    pub fn sent_matching_count(&self, query: &SentQuery) -> Result<u64, IndexError> {
        let (condition, values) = query.condition();
        let conn = self.lock();
        let mut stmt =
            conn.prepare_cached(&format!("SELECT count(*) FROM sent WHERE {condition}"))?;
        let count: i64 = stmt.query_row(params_from_iter(values), |r| r.get(0))?;
        Ok(u64::try_from(count).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::{Msat, PaymentHash, Records, record};
    use crate::node::{PaymentStatus, SentKeysend};

    fn sent(n: u8, at_s: i64, to: NodeId, message: &str) -> SentKeysend {
        let mut records = Records::new();
        let _ = records.insert(record::MESSAGE, message.as_bytes().to_vec());
        SentKeysend {
            hash: PaymentHash::from_bytes([n; 32]),
            payment_index: u64::from(n),
            destination: Some(to),
            amount: Msat::from_sat(u64::from(n)),
            fee: Msat::ZERO,
            status: PaymentStatus::Succeeded {
                preimage: crate::keysend::Preimage::from_bytes([n; 32]),
            },
            created_ns: at_s * 1_000_000_000,
            records,
        }
    }

    #[test]
    fn search_and_dates_narrow_the_sent_list() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        // G and 2G of secp256k1.
        let alice: NodeId = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
            .parse()
            .unwrap();
        let bob: NodeId = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"
            .parse()
            .unwrap();
        let _ = index
            .upsert_sent(&[
                sent(1, 100, alice, "Thanks for the Podcast"),
                sent(2, 200, bob, "coffee 100%"),
                sent(3, 300, alice, "more coffee"),
            ])
            .unwrap();
        let hashes = |q: &SentQuery| -> Vec<u8> {
            let rows = index.sent_matching(q, 0, 100).unwrap();
            assert_eq!(index.sent_matching_count(q).unwrap(), rows.len() as u64);
            rows.iter().map(|r| r.hash.as_bytes()[0]).collect()
        };
        let text = |t: &str| SentQuery {
            text: Some(t.into()),
            ..SentQuery::default()
        };
        assert_eq!(hashes(&SentQuery::default()), [3, 2, 1]);
        assert_eq!(hashes(&text("coffee")), [3, 2]);
        assert_eq!(hashes(&text("podcast thanks")), [1], "any case, all words");
        assert_eq!(hashes(&text("100%")), [2], "% is a character");
        assert_eq!(hashes(&text("02C604")), [2], "the start of the key");
        let named = SentQuery {
            recipients_named: vec![bob],
            ..text("Bob")
        };
        assert_eq!(hashes(&named), [2], "a contact's name");
        let range = SentQuery {
            from: Some(150),
            until: Some(300),
            ..SentQuery::default()
        };
        assert_eq!(hashes(&range), [2]);
        assert!(range.is_filtered() && !SentQuery::default().is_filtered());
    }
}
