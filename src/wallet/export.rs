//! Exporting the inbox and the sent list as CSV or JSON, streamed: rows are
//! read from the index and written one at a time (flat memory however many
//! there are). JSON carries every raw record (type -> hex); CSV cells are
//! neutralised against formula injection like the contacts export.

use std::collections::BTreeMap;
use std::io::Write;

use rusqlite::params_from_iter;
use rusqlite::types::Value;
use serde::Serialize;

use super::sender::{SenderFacts, ShownSender};
use super::verification::Verification;
use super::{InboxQuery, Index, IndexError, SentQuery, blob};
use crate::keysend::text::display_safe_multiline;
use crate::keysend::{NodeId, PaymentHash, Records};
use crate::store::ContactBook;
use crate::store::contacts::neutralise;

/// Longest message exported, in characters.
const MESSAGE_CHARS: usize = 4_000;
/// Progress is reported (and a cancel checked) every this many rows.
pub const PROGRESS_EVERY: u64 = 500;

/// Told how many rows are written so far; returns `false` to stop.
pub type Progress<'a> = &'a mut dyn FnMut(u64) -> bool;

/// How to write an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

impl ExportFormat {
    /// `csv` or `json`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            _ => None,
        }
    }

    /// The format a file name asks for: JSON for `.json` (any case), CSV
    /// otherwise.
    pub fn of_path(path: &std::path::Path) -> Self {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext.eq_ignore_ascii_case("json") {
            Self::Json
        } else {
            Self::Csv
        }
    }
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("could not write the export: {0}")]
    Write(#[from] std::io::Error),
    #[error("the export was cancelled after {0} rows")]
    Cancelled(u64),
}

impl From<rusqlite::Error> for ExportError {
    fn from(err: rusqlite::Error) -> Self {
        Self::Index(err.into())
    }
}

/// One received keysend as exported.
#[derive(Debug, Serialize)]
struct ReceivedOut {
    hash: String,
    settled_at: i64,
    amount_msat: u64,
    /// `verified`, `signed_text`, `forged`, `claimed`, `anonymous`
    /// (claimed when its signature was not checked yet).
    sender_status: &'static str,
    /// The node id the sender gives (a claim unless verified).
    sender_pubkey: Option<String>,
    sender_name: Option<String>,
    podcast: Option<String>,
    episode: Option<String>,
    app: Option<String>,
    message: Option<String>,
    /// JSON only: every record, type -> hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    records: Option<BTreeMap<String, String>>,
}

/// One sent keysend as exported.
#[derive(Debug, Serialize)]
struct SentOut {
    hash: String,
    created_at: i64,
    destination: Option<String>,
    amount_msat: u64,
    fee_msat: u64,
    status: String,
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    records: Option<BTreeMap<String, String>>,
}

const RECEIVED_CSV: [&str; 11] = [
    "hash",
    "settled_at",
    "amount_msat",
    "sender_status",
    "sender_pubkey",
    "sender_name",
    "podcast",
    "episode",
    "app",
    "message",
    "in_reply_to",
];

const SENT_CSV: [&str; 8] = [
    "hash",
    "created_at",
    "destination",
    "amount_msat",
    "fee_msat",
    "status",
    "message",
    "in_reply_to",
];

/// Writes rows as CSV or as one JSON array, one at a time.
struct Sink<W: Write> {
    csv: Option<csv::Writer<W>>,
    json: Option<W>,
    rows: u64,
}

impl<W: Write> Sink<W> {
    fn new(format: ExportFormat, out: W, header: &[&str]) -> Result<Self, ExportError> {
        let mut sink = Self {
            csv: None,
            json: None,
            rows: 0,
        };
        match format {
            ExportFormat::Csv => {
                let mut writer = csv::Writer::from_writer(out);
                writer.write_record(header).map_err(std::io::Error::from)?;
                sink.csv = Some(writer);
            }
            ExportFormat::Json => {
                let mut out = out;
                out.write_all(b"[")?;
                sink.json = Some(out);
            }
        }
        Ok(sink)
    }

    fn json_row(&mut self, value: &impl Serialize) -> Result<(), ExportError> {
        if let Some(out) = &mut self.json {
            out.write_all(if self.rows == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut *out, value).map_err(std::io::Error::from)?;
        }
        self.rows += 1;
        Ok(())
    }

    fn csv_row(&mut self, cells: &[String]) -> Result<(), ExportError> {
        if let Some(writer) = &mut self.csv {
            let safe = cells.iter().map(|c| neutralise(c));
            writer.write_record(safe).map_err(std::io::Error::from)?;
        }
        self.rows += 1;
        Ok(())
    }

    /// After a row: report every [`PROGRESS_EVERY`] rows; stop if told to.
    fn report(&self, progress: Progress<'_>) -> Result<(), ExportError> {
        if self.rows.is_multiple_of(PROGRESS_EVERY) && !progress(self.rows) {
            return Err(ExportError::Cancelled(self.rows));
        }
        Ok(())
    }

    fn finish(self) -> Result<u64, ExportError> {
        if let Some(mut writer) = self.csv {
            writer.flush()?;
        }
        if let Some(mut out) = self.json {
            out.write_all(if self.rows == 0 { b"]\n" } else { b"\n]\n" })?;
            out.flush()?;
        }
        Ok(self.rows)
    }
}

fn raw(records: &Records) -> BTreeMap<String, String> {
    records
        .iter()
        .map(|(k, v)| (k.to_string(), hex::encode(v)))
        .collect()
}

fn hash_hex(bytes: &[u8]) -> String {
    PaymentHash::from_slice(bytes).map_or_else(|| hex::encode(bytes), |h| h.to_hex())
}

fn reply_to(records: &Records) -> String {
    crate::keysend::chat::ChatMeta::of(records)
        .in_reply_to
        .map(|h| h.to_hex())
        .unwrap_or_default()
}

fn text(value: Option<String>) -> Option<String> {
    value
        .map(|t| display_safe_multiline(&t, MESSAGE_CHARS))
        .filter(|t| !t.is_empty())
}

impl Index {
    /// Write the received keysends `query` lists (its filters and order,
    /// from its offset, at most its limit: `u64::MAX` for all) to `out`;
    /// returns how many.
    pub fn export_received<W: Write>(
        &self,
        query: &InboxQuery,
        format: ExportFormat,
        contacts: &ContactBook,
        out: W,
    ) -> Result<u64, ExportError> {
        self.export_received_with(query, format, contacts, out, &mut |_| true)
    }

    /// How many rows [`Index::export_received`] of `query` writes.
    pub fn export_count_received(&self, query: &InboxQuery) -> Result<u64, ExportError> {
        let count = self.count(query)?.saturating_sub(query.offset);
        Ok(count.min(query.limit))
    }

    /// How many rows [`Index::export_sent`] of `query` writes.
    pub fn export_count_sent(
        &self,
        query: &SentQuery,
        limit: Option<u64>,
    ) -> Result<u64, ExportError> {
        let count = self.sent_matching_count(query)?;
        Ok(limit.map_or(count, |limit| count.min(limit)))
    }

    /// [`Index::export_received`], telling `progress` as it goes.
    pub fn export_received_with<W: Write>(
        &self,
        query: &InboxQuery,
        format: ExportFormat,
        contacts: &ContactBook,
        out: W,
        progress: Progress<'_>,
    ) -> Result<u64, ExportError> {
        let mut sink = Sink::new(format, out, &RECEIVED_CSV)?;
        let (filter, mut values) = self.inbox_filter(query)?;
        for n in [query.limit, query.offset] {
            values.push(Value::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
        }
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT r.hash, r.settled_at, r.amount_msat, r.verification, {}, \
             r.sender_name, r.podcast, r.episode, r.app, r.message, r.records, {} \
             FROM received r WHERE {filter} ORDER BY {} LIMIT ? OFFSET ?",
            super::interned::sender_key!("r.sender"),
            blob::shared_columns!(),
            query.sort.order_by(false)
        ))?;
        let mut rows = stmt.query(params_from_iter(values))?;
        while let Some(row) = rows.next()? {
            let hash: Vec<u8> = row.get(0)?;
            let pubkey: Option<Vec<u8>> = row.get(4)?;
            let pubkey = pubkey.and_then(|k| NodeId::from_slice(&k).ok());
            let name: Option<String> = row.get(5)?;
            let records = blob::decode_columns(row, 10)?.unwrap_or_default();
            let facts = SenderFacts {
                verification: row
                    .get::<_, Option<i64>>(3)?
                    .and_then(Verification::from_code),
                pubkey,
                claimed_name: name.as_deref(),
                message_source: None,
            };
            let shown = ShownSender::new(facts, contacts, None);
            let item = ReceivedOut {
                hash: hash_hex(&hash),
                settled_at: row.get(1)?,
                amount_msat: row.get::<_, i64>(2)? as u64,
                sender_status: shown.status(),
                sender_pubkey: pubkey.map(|k| k.to_hex()),
                sender_name: text(name),
                podcast: text(row.get(6)?),
                episode: text(row.get(7)?),
                app: text(row.get(8)?),
                message: text(row.get(9)?),
                records: None,
            };
            match format {
                ExportFormat::Json => sink.json_row(&ReceivedOut {
                    records: Some(raw(&records)),
                    ..item
                })?,
                ExportFormat::Csv => sink.csv_row(&[
                    item.hash,
                    item.settled_at.to_string(),
                    item.amount_msat.to_string(),
                    item.sender_status.to_owned(),
                    item.sender_pubkey.unwrap_or_default(),
                    item.sender_name.unwrap_or_default(),
                    item.podcast.unwrap_or_default(),
                    item.episode.unwrap_or_default(),
                    item.app.unwrap_or_default(),
                    item.message.unwrap_or_default(),
                    reply_to(&records),
                ])?,
            }
            sink.report(progress)?;
        }
        sink.finish()
    }

    /// Write the sent keysends `query` lists, newest first, at most
    /// `limit`, to `out`; returns how many.
    pub fn export_sent<W: Write>(
        &self,
        query: &SentQuery,
        limit: Option<u64>,
        format: ExportFormat,
        out: W,
    ) -> Result<u64, ExportError> {
        self.export_sent_with(query, limit, format, out, &mut |_| true)
    }

    /// [`Index::export_sent`], telling `progress` as it goes.
    pub fn export_sent_with<W: Write>(
        &self,
        query: &SentQuery,
        limit: Option<u64>,
        format: ExportFormat,
        out: W,
        progress: Progress<'_>,
    ) -> Result<u64, ExportError> {
        let mut sink = Sink::new(format, out, &SENT_CSV)?;
        let (condition, mut values) = query.condition();
        values.push(Value::Integer(
            limit.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX)),
        ));
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT hash, created_ns, destination, amount_msat, fee_msat, status, message, \
             records FROM sent WHERE {condition} ORDER BY created_ns DESC, id DESC LIMIT ?"
        ))?;
        let mut rows = stmt.query(params_from_iter(values))?;
        while let Some(row) = rows.next()? {
            let hash: Vec<u8> = row.get(0)?;
            let destination: Option<Vec<u8>> = row.get(2)?;
            let records = blob::decode(&row.get::<_, Vec<u8>>(7)?).unwrap_or_default();
            let status: String = row.get(5)?;
            // `succeeded:<preimage>`: the preimage is in the JSON records'
            // place of proof, not in the status column.
            let status = status.split(':').next().unwrap_or_default().to_owned();
            let item = SentOut {
                hash: hash_hex(&hash),
                created_at: row.get::<_, i64>(1)?.div_euclid(1_000_000_000),
                destination: destination.map(hex::encode),
                amount_msat: row.get::<_, i64>(3)? as u64,
                fee_msat: row.get::<_, i64>(4)? as u64,
                status,
                message: text(row.get(6)?),
                records: None,
            };
            match format {
                ExportFormat::Json => sink.json_row(&SentOut {
                    records: Some(raw(&records)),
                    ..item
                })?,
                ExportFormat::Csv => sink.csv_row(&[
                    item.hash,
                    item.created_at.to_string(),
                    item.destination.unwrap_or_default(),
                    item.amount_msat.to_string(),
                    item.fee_msat.to_string(),
                    item.status,
                    item.message.unwrap_or_default(),
                    reply_to(&records),
                ])?,
            }
            sink.report(progress)?;
        }
        sink.finish()
    }
}

/// `2025-01-31` (UTC midnight) or an RFC 3339 time, as Unix seconds.
pub fn parse_since(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if let Ok(date) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
        return Ok(midnight.and_utc().timestamp());
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp())
        .map_err(|_| {
            format!(
                "{:?} is not a date: write YYYY-MM-DD (UTC) or an RFC 3339 time like \
                 2025-01-31T18:00:00Z",
                crate::keysend::text::display_safe(text, 40)
            )
        })
}

/// `--until`: before the end of a day (UTC), or before an RFC 3339 time,
/// as Unix seconds.
pub fn parse_until(text: &str) -> Result<i64, String> {
    let start = parse_since(text)?;
    let is_day = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").is_ok();
    Ok(if is_day { start + 86_400 } else { start })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::{Msat, record};
    use crate::node::ReceivedKeysend;

    fn keysend(n: u32, at: i64, message: &str) -> ReceivedKeysend {
        let mut records = Records::new();
        let _ = records.insert(record::MESSAGE, message.as_bytes().to_vec());
        crate::wallet::thread::sample_received(n, at, Msat::from_sat(21), records)
    }

    /// Every entry, newest first.
    fn every() -> InboxQuery {
        InboxQuery {
            limit: u64::MAX,
            ..InboxQuery::default()
        }
    }

    fn boost(n: u32, at: i64, sat: u64, podcast: &str, message: &str) -> ReceivedKeysend {
        let json = serde_json::json!({ "podcast": podcast, "message": message });
        let mut records = Records::new();
        let _ = records.insert(record::BOOSTAGRAM, json.to_string().into_bytes());
        crate::wallet::thread::sample_received(n, at, Msat::from_sat(sat), records)
    }

    /// The hashes' first bytes of a CSV export, in its order.
    fn csv_rows(index: &Index, query: &InboxQuery) -> Vec<String> {
        let mut out = Vec::new();
        let n = index
            .export_received(query, ExportFormat::Csv, &ContactBook::new(), &mut out)
            .unwrap();
        assert_eq!(n, index.export_count_received(query).unwrap());
        let mut reader = csv::Reader::from_reader(&out[..]);
        let rows: Vec<String> = reader.records().map(|r| r.unwrap()[9].to_owned()).collect();
        assert_eq!(rows.len() as u64, n);
        rows
    }

    #[test]
    fn a_filtered_export_holds_only_the_rows_the_list_shows() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let _ = index
            .insert_received(&[
                boost(1, 86_400, 10, "Noded", "great show"),
                boost(2, 2 * 86_400, 50, "Noded", "great episode"),
                boost(3, 3 * 86_400, 20, "Other", "great too"),
                keysend(4, 4 * 86_400, "plain tip"),
                boost(5, 5 * 86_400, 30, "Noded", "meh"),
            ])
            .unwrap();
        index
            .mark_read(index.inbox(&every()).unwrap()[4].id)
            .unwrap();
        assert_eq!(csv_rows(&index, &every()).len(), 5);
        let search = InboxQuery {
            text: Some("great".into()),
            ..every()
        };
        assert_eq!(
            csv_rows(&index, &search),
            ["great too", "great episode", "great show"]
        );
        let podcast = InboxQuery {
            podcast: Some("Noded".into()),
            sort: crate::wallet::InboxSort::LargestFirst,
            ..search.clone()
        };
        assert_eq!(csv_rows(&index, &podcast), ["great episode", "great show"]);
        let unread = InboxQuery {
            unread_only: true,
            ..podcast.clone()
        };
        assert_eq!(csv_rows(&index, &unread), ["great episode"], "read: 1");
        let (from, until) = crate::wallet::day_range("1970-01-02", "1970-01-03").unwrap();
        let dated = InboxQuery {
            from,
            until,
            sort: crate::wallet::InboxSort::OldestFirst,
            ..every()
        };
        assert_eq!(csv_rows(&index, &dated), ["great show", "great episode"]);
        let mut json = Vec::new();
        let n = index
            .export_received(&dated, ExportFormat::Json, &ContactBook::new(), &mut json)
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let messages: Vec<_> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["message"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            (n, messages),
            (2, vec!["great show".to_owned(), "great episode".to_owned()])
        );
    }

    #[test]
    fn csv_is_neutralised_and_json_keeps_raw_records() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let _ = index
            .insert_received(&[
                keysend(1, 100, "=HYPERLINK(\"http://evil\")"),
                keysend(2, 200, "@SUM(A1)"),
                keysend(3, 300, "plain, with comma"),
            ])
            .unwrap();
        let book = ContactBook::new();
        let range = InboxQuery {
            from: Some(150),
            ..every()
        };
        let mut csv_out = Vec::new();
        let n = index
            .export_received(&range, ExportFormat::Csv, &book, &mut csv_out)
            .unwrap();
        assert_eq!(n, 2);
        let csv_text = String::from_utf8(csv_out).unwrap();
        assert!(csv_text.starts_with("hash,settled_at,"), "{csv_text}");
        assert!(csv_text.contains(",'@SUM(A1),"), "{csv_text}");
        assert!(csv_text.contains("\"plain, with comma\""), "{csv_text}");
        assert!(!csv_text.contains("HYPERLINK"), "since filters: {csv_text}");
        let all = every();
        let mut csv_all = Vec::new();
        let _ = index
            .export_received(&all, ExportFormat::Csv, &book, &mut csv_all)
            .unwrap();
        let csv_all = String::from_utf8(csv_all).unwrap();
        assert!(csv_all.contains("'=HYPERLINK"), "{csv_all}");

        let mut json_out = Vec::new();
        let _ = index
            .export_received(&all, ExportFormat::Json, &book, &mut json_out)
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&json_out).unwrap();
        let rows = json.as_array().unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[2]["message"], "=HYPERLINK(\"http://evil\")");
        assert_eq!(
            rows[2]["records"][record::MESSAGE.to_string()],
            hex::encode("=HYPERLINK(\"http://evil\")")
        );
        assert_eq!(rows[0]["sender_status"], "anonymous");

        let mut empty = Vec::new();
        let _ = index
            .export_sent(&SentQuery::default(), None, ExportFormat::Json, &mut empty)
            .unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&empty).unwrap(),
            serde_json::json!([])
        );
    }

    #[test]
    fn progress_is_told_and_a_cancel_stops_the_export() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let many: Vec<_> = (1..=1_200u32)
            .map(|n| {
                let mut hash = [0u8; 32];
                hash[..4].copy_from_slice(&n.to_be_bytes());
                ReceivedKeysend {
                    hash: PaymentHash::from_bytes(hash),
                    ..keysend(n, i64::from(n), "tip")
                }
            })
            .collect();
        let _ = index.insert_received(&many).unwrap();
        let all = every();
        assert_eq!(index.export_count_received(&all).unwrap(), 1_200);
        let book = ContactBook::new();
        let mut told = Vec::new();
        let written = index
            .export_received_with(&all, ExportFormat::Csv, &book, Vec::new(), &mut |n| {
                told.push(n);
                true
            })
            .unwrap();
        assert_eq!((written, told), (1_200, vec![500, 1_000]));
        let stopped =
            index.export_received_with(&all, ExportFormat::Json, &book, Vec::new(), &mut |n| {
                n < 1_000
            });
        assert!(
            matches!(stopped, Err(ExportError::Cancelled(1_000))),
            "{stopped:?}"
        );
        assert_eq!(
            ExportFormat::of_path(std::path::Path::new("a/b.JSON")),
            ExportFormat::Json
        );
        assert_eq!(
            ExportFormat::of_path(std::path::Path::new("a/b.txt")),
            ExportFormat::Csv
        );
    }

    #[test]
    fn dates_are_days_or_rfc3339() {
        assert_eq!(parse_until("1970-01-02"), Ok(2 * 86_400), "the whole day");
        assert_eq!(parse_until("1970-01-01T00:01:00Z"), Ok(60));
        assert_eq!(parse_since("1970-01-02"), Ok(86_400));
        assert_eq!(parse_since("1970-01-01T00:01:00Z"), Ok(60));
        assert!(parse_since("yesterday").unwrap_err().contains("YYYY-MM-DD"));
    }
}
