//! Import and export of contacts as JSON and CSV. Import reports every row
//! (added, duplicate skipped, or invalid with the reason) and works on a
//! staged copy, so a failed import never leaves the book half-changed.
//!
//! CSV columns: `name,pubkey,note,default_amount_sat,include_identity,extra_records,address`
//! (`name` and `pubkey` required, any order; files without `address`, from
//! before it existed, still import); `extra_records` is
//! `key=text:...;key=hex:...` with `\;` and `\\` escapes in text.
//!
//! A CSV export is opened in spreadsheets, which run a cell starting with
//! `=`, `+`, `-`, `@`, tab or carriage return as a formula. As OWASP advises
//! ("CSV Injection"), such a text field is written with a leading `'`, which
//! the spreadsheet shows as text; our own import removes that one quote again.

use serde_json::Value;

use super::record::{format_records, parse_records};
use super::{ContactBook, ContactError, NewContact};
use crate::keysend::{Msat, NodeId};

/// Larger import files are refused outright.
pub const MAX_IMPORT_BYTES: usize = 8 * 1024 * 1024;
/// At most this many rows per import.
pub const MAX_IMPORT_ROWS: usize = 10_000;
/// Longest reason shown for a refused row or file (parser messages quote
/// the file's text).
pub const MAX_REASON_CHARS: usize = 200;

/// A reason that may quote the imported file, made safe to show: control,
/// bidi and zero-width characters removed, length capped.
fn safe_reason(reason: &str) -> String {
    crate::keysend::text::display_safe(reason, MAX_REASON_CHARS)
}

const CSV_COLUMNS: [&str; 7] = [
    "name",
    "pubkey",
    "note",
    "default_amount_sat",
    "include_identity",
    "extra_records",
    "address",
];

/// What happened to one imported row. `row` is the CSV line number (the
/// header is line 1) or the 1-based position in a JSON list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    /// Added with this id.
    Added { row: usize, id: u64, name: String },
    /// The node is already a contact.
    DuplicateSkipped { row: usize, existing: String },
    /// The row could not be used.
    Invalid { row: usize, reason: String },
}

/// The outcome of every row of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// One entry per row, in file order.
    pub rows: Vec<RowOutcome>,
}

impl ImportReport {
    /// How many contacts were added.
    pub fn added(&self) -> usize {
        self.count(|row| matches!(row, RowOutcome::Added { .. }))
    }

    /// How many rows were skipped as duplicates.
    pub fn duplicates(&self) -> usize {
        self.count(|row| matches!(row, RowOutcome::DuplicateSkipped { .. }))
    }

    /// How many rows were invalid.
    pub fn invalid(&self) -> usize {
        self.count(|row| matches!(row, RowOutcome::Invalid { .. }))
    }

    fn count(&self, keep: impl Fn(&RowOutcome) -> bool) -> usize {
        self.rows.iter().filter(|row| keep(row)).count()
    }
}

/// Why a whole import file was refused (nothing was imported).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The file is too large.
    #[error("the file is larger than {} MiB", MAX_IMPORT_BYTES / (1024 * 1024))]
    TooLarge,
    /// Too many rows.
    #[error("the file has more than {MAX_IMPORT_ROWS} contacts")]
    TooManyRows,
    /// Not JSON, or not a list of contacts.
    #[error("this is not a contacts JSON file: {0}")]
    NotJson(String),
    /// Not readable as CSV.
    #[error("this is not a readable CSV file: {0}")]
    NotCsv(String),
    /// A required CSV column is missing.
    #[error("the CSV file has no {0:?} column (the first line must name the columns)")]
    MissingColumn(&'static str),
}

impl ContactBook {
    /// All contacts as a JSON document that [`ContactBook::import_json`] reads.
    pub fn export_json(&self) -> String {
        let entries: Vec<NewContact> = self.contacts.iter().map(super::Contact::portable).collect();
        let document = serde_json::json!({ "version": Self::VERSION, "contacts": entries });
        serde_json::to_string_pretty(&document).expect("contacts always serialise")
    }

    /// All contacts as CSV with the columns listed in the module docs.
    pub fn export_csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let rows =
            std::iter::once(CSV_COLUMNS.map(String::from)).chain(self.contacts.iter().map(|c| {
                [
                    neutralise(&c.name),
                    c.pubkey.to_hex(),
                    neutralise(&c.note),
                    c.default_amount
                        .map(|a| a.sats().to_string())
                        .unwrap_or_default(),
                    c.include_identity.to_string(),
                    format_records(&c.extra_records),
                    neutralise(c.address.as_deref().unwrap_or_default()),
                ]
            }));
        for row in rows {
            writer
                .write_record(&row)
                .expect("writing to memory cannot fail");
        }
        String::from_utf8(writer.into_inner().expect("in-memory flush"))
            .expect("CSV of UTF-8 fields is UTF-8")
    }

    /// Import a JSON export (or a bare list, or a `contacts.json`).
    pub fn import_json(&mut self, text: &str) -> Result<ImportReport, ImportError> {
        let entries = json_entries(text)?;
        Ok(
            self.import_staged(entries.into_iter().enumerate().map(|(i, entry)| {
                let contact =
                    serde_json::from_value::<NewContact>(entry).map_err(|error| error.to_string());
                (i + 1, contact)
            })),
        )
    }

    /// Import CSV with a header line naming the columns.
    pub fn import_csv(&mut self, text: &str) -> Result<ImportReport, ImportError> {
        if text.len() > MAX_IMPORT_BYTES {
            return Err(ImportError::TooLarge);
        }
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::Headers)
            .from_reader(text.as_bytes());
        let columns = Columns::find(
            reader
                .headers()
                .map_err(|e| ImportError::NotCsv(safe_reason(&e.to_string())))?,
        )?;
        let mut rows = Vec::new();
        for record in reader.records() {
            if rows.len() == MAX_IMPORT_ROWS {
                return Err(ImportError::TooManyRows);
            }
            rows.push(match record {
                Ok(record) => (line_of(&record), columns.contact(&record)),
                Err(error) => (
                    error.position().map_or(0, |p| p.line() as usize),
                    Err(error.to_string()),
                ),
            });
        }
        Ok(self.import_staged(rows))
    }

    /// Add each parsed row to a copy of the book; swap it in at the end.
    fn import_staged(
        &mut self,
        rows: impl IntoIterator<Item = (usize, Result<NewContact, String>)>,
    ) -> ImportReport {
        let mut staged = self.clone();
        let mut report = ImportReport::default();
        for (row, parsed) in rows {
            report
                .rows
                .push(match parsed.map(|contact| add_row(&mut staged, contact)) {
                    Ok(outcome) => outcome.into_row(row),
                    Err(reason) => RowOutcome::Invalid {
                        row,
                        reason: safe_reason(&reason),
                    },
                });
        }
        *self = staged;
        report
    }
}

/// The result of adding one row, before its row number is attached.
enum Added {
    New(u64, String),
    Duplicate(String),
    Refused(String),
}

impl Added {
    fn into_row(self, row: usize) -> RowOutcome {
        match self {
            Self::New(id, name) => RowOutcome::Added { row, id, name },
            Self::Duplicate(existing) => RowOutcome::DuplicateSkipped { row, existing },
            Self::Refused(reason) => RowOutcome::Invalid {
                row,
                reason: safe_reason(&reason),
            },
        }
    }
}

fn add_row(book: &mut ContactBook, contact: NewContact) -> Added {
    match book.add(contact) {
        Ok(id) => Added::New(id, book.get(id).map(|c| c.name.clone()).unwrap_or_default()),
        Err(ContactError::DuplicatePubkey { existing }) => Added::Duplicate(existing),
        Err(error) => Added::Refused(error.to_string()),
    }
}

impl super::Contact {
    /// What the user entered, without the id and graph facts: what an
    /// export writes, and what brings a deleted contact back.
    pub fn portable(&self) -> NewContact {
        NewContact {
            name: self.name.clone(),
            pubkey: self.pubkey,
            note: self.note.clone(),
            default_amount: self.default_amount,
            extra_records: self.extra_records.clone(),
            include_identity: self.include_identity,
            address: self.address.clone(),
        }
    }
}

/// The list of entries in a JSON import: `{"contacts": [...]}` or `[...]`.
fn json_entries(text: &str) -> Result<Vec<Value>, ImportError> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::TooLarge);
    }
    let document: Value = serde_json::from_str(text)
        .map_err(|error| ImportError::NotJson(safe_reason(&error.to_string())))?;
    let entries = match document {
        Value::Array(entries) => entries,
        Value::Object(mut object) => match object.remove("contacts") {
            Some(Value::Array(entries)) => entries,
            _ => return Err(ImportError::NotJson("there is no \"contacts\" list".into())),
        },
        _ => return Err(ImportError::NotJson("expected a list of contacts".into())),
    };
    if entries.len() > MAX_IMPORT_ROWS {
        return Err(ImportError::TooManyRows);
    }
    Ok(entries)
}

/// Characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text field as exported: a leading `'` before a formula character, and
/// before a field that already starts with `'` + such a character, so
/// [`restore`] gives back exactly what was written.
pub fn neutralise(field: &str) -> String {
    if field.starts_with(FORMULA_STARTS) || restore(field).len() != field.len() {
        format!("'{field}")
    } else {
        field.to_owned()
    }
}

/// An imported text field without the quote [`neutralise`] added.
fn restore(field: &str) -> &str {
    match field.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) || rest.starts_with('\'') => rest,
        _ => field,
    }
}

fn line_of(record: &csv::StringRecord) -> usize {
    record.position().map_or(0, |p| p.line() as usize)
}

/// Where each known column is in this file.
struct Columns([Option<usize>; 7]);

impl Columns {
    fn find(headers: &csv::StringRecord) -> Result<Self, ImportError> {
        let index = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
        };
        let columns = Self(CSV_COLUMNS.map(index));
        for (i, required) in ["name", "pubkey"].into_iter().enumerate() {
            if columns.0[i].is_none() {
                return Err(ImportError::MissingColumn(required));
            }
        }
        Ok(columns)
    }

    fn field<'r>(&self, record: &'r csv::StringRecord, column: usize) -> &'r str {
        self.0[column].and_then(|i| record.get(i)).unwrap_or("")
    }

    fn contact(&self, record: &csv::StringRecord) -> Result<NewContact, String> {
        let pubkey: NodeId = self
            .field(record, 1)
            .parse()
            .map_err(|e| format!("pubkey: {e}"))?;
        let amount = self.field(record, 3).trim();
        let default_amount = match amount {
            "" => None,
            text => Some(Msat::parse_sats(text).map_err(|e| format!("default_amount_sat: {e}"))?),
        };
        Ok(NewContact {
            name: restore(self.field(record, 0)).to_owned(),
            pubkey,
            note: restore(self.field(record, 2)).to_owned(),
            default_amount,
            include_identity: parse_flag(self.field(record, 4))?,
            extra_records: parse_records(self.field(record, 5))
                .map_err(|e| format!("extra_records: {e}"))?,
            address: Some(restore(self.field(record, 6)).to_owned()),
        })
    }
}

fn parse_flag(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" | "false" | "no" | "0" => Ok(false),
        "true" | "yes" | "1" => Ok(true),
        other => Err(format!("include_identity: {other:?} is not true or false")),
    }
}

#[cfg(test)]
#[path = "transfer_tests.rs"]
mod tests;
