//! `satchel contacts list|add|remove|import|export`, and finding a contact
//! by what the user typed (name or public key).

use std::path::Path;

use serde::Serialize;

use super::args::ContactsCommand;
use super::exit::CliError;
use super::report::{print_json, progress, safe};
use crate::keysend::NodeId;
use crate::store::{
    Contact, ContactBook, NewContact, Paths, ResolveError, RowOutcome, write_atomic,
};

/// Longest note shown in the text listing.
const NOTE_CHARS: usize = 60;

/// A file format for import and export, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
}

/// `contacts list --json`: one entry per contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactJson {
    pub name: String,
    pub pubkey: String,
    pub note: String,
    pub alias: Option<String>,
    pub accepts_keysend: Option<bool>,
    pub default_amount_sat: Option<u64>,
    pub include_identity: bool,
    /// The Lightning Address the contact is paid through (issue 16).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl From<&Contact> for ContactJson {
    fn from(contact: &Contact) -> Self {
        Self {
            name: contact.name.clone(),
            pubkey: contact.pubkey.to_hex(),
            note: contact.note.clone(),
            alias: contact.alias.clone(),
            accepts_keysend: contact.accepts_keysend,
            default_amount_sat: contact.default_amount.map(|amount| amount.sats()),
            include_identity: contact.include_identity,
            address: contact.address.clone(),
        }
    }
}

/// Run one `contacts` subcommand on the profile's book.
pub fn run(paths: &Paths, command: &ContactsCommand) -> Result<(), CliError> {
    let mut book = load(paths)?;
    match command {
        ContactsCommand::List(flag) => list(&book, flag.json),
        ContactsCommand::Add { name, pubkey, note } => {
            add(&mut book, paths, name, pubkey, note.as_deref())
        }
        ContactsCommand::Hint { contact, hints } => {
            super::beyond::contact_hints(&mut book, paths, contact, hints)
        }
        ContactsCommand::Remove { contact } => remove(&mut book, paths, contact),
        ContactsCommand::Import { file } => import(&mut book, paths, file),
        ContactsCommand::Export { file } => export(&book, file),
    }
}

/// Load the book, telling the user when a damaged file was moved aside.
pub fn load(paths: &Paths) -> Result<ContactBook, CliError> {
    let loaded = ContactBook::load(paths)?;
    if let Some(warning) = &loaded.warning {
        progress(&format!("warning: {warning}"));
    }
    Ok(loaded.value)
}

/// Save the book (merging with other processes' changes).
pub fn save(book: &mut ContactBook, paths: &Paths) -> Result<(), CliError> {
    let report = book.save(paths)?;
    if let Some(warning) = &report.warning {
        progress(&format!("warning: {warning}"));
    }
    Ok(())
}

/// Parse a node public key, with the specific reason when it is not one.
pub fn parse_pubkey(text: &str) -> Result<NodeId, CliError> {
    text.parse().map_err(|source| CliError::BadPubkey {
        text: safe(text, 80),
        source,
    })
}

/// The contact a destination named, and how it was matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    /// The contact's full name.
    pub name: String,
    /// Only the start of the name was typed.
    pub by_prefix: bool,
}

/// A destination: a contact (by name or key), else a public key, as
/// [`ContactBook::resolve`] decides. With `exact` (`send --yes`: nobody
/// confirms), a name must be typed in full.
pub fn destination(
    book: &ContactBook,
    text: &str,
    exact: bool,
) -> Result<(NodeId, Option<Matched>), CliError> {
    let found = book.resolve(text, !exact).map_err(|err| match err {
        ResolveError::Unknown(text) => CliError::UnknownContact(text),
        ResolveError::BadKey(source) => CliError::BadPubkey {
            text: safe(text, 80),
            source,
        },
        other => CliError::BadInput(other.to_string()),
    })?;
    let matched = found.contact.map(|contact| Matched {
        name: contact.name.clone(),
        by_prefix: found.by_prefix,
    });
    Ok((found.id, matched))
}

fn ambiguous(text: &str, matches: &[&Contact]) -> CliError {
    let names: Vec<String> = matches
        .iter()
        .map(|c| format!("{} ({})", c.name, c.pubkey.short()))
        .collect();
    CliError::BadInput(format!(
        "{:?} matches several contacts: {}; give the full name or the public key",
        safe(text, 80),
        names.join(", ")
    ))
}

fn list(book: &ContactBook, json: bool) -> Result<(), CliError> {
    if json {
        let entries: Vec<ContactJson> = book.contacts().iter().map(ContactJson::from).collect();
        return print_json(&entries);
    }
    if book.contacts().is_empty() {
        progress("No contacts yet. Add one with `satchel contacts add <name> <pubkey>`.");
    }
    for contact in book.contacts() {
        println!("{}", contact_line(contact));
    }
    Ok(())
}

/// `name  pubkey  [address]  note` on one line.
fn contact_line(contact: &Contact) -> String {
    let note = safe(&contact.note, NOTE_CHARS);
    let mut line = format!("{:<24} {}", contact.name, contact.pubkey);
    if let Some(address) = &contact.address {
        line = format!("{line}  {address}");
    }
    match note.is_empty() {
        true => line,
        false => format!("{line}  {note}"),
    }
}

fn add(
    book: &mut ContactBook,
    paths: &Paths,
    name: &str,
    pubkey: &str,
    note: Option<&str>,
) -> Result<(), CliError> {
    let (pubkey, address) = match super::resolve::contact_address(pubkey)? {
        Some((id, address)) => (id, Some(address)),
        None => (parse_pubkey(pubkey)?, None),
    };
    let new = NewContact {
        note: note.unwrap_or_default().to_owned(),
        ..NewContact::new(name, pubkey)
    };
    let id = book
        .add(new)
        .map_err(|err| CliError::BadInput(err.to_string()))?;
    book.set_address(id, address)
        .map_err(|err| CliError::BadInput(err.to_string()))?;
    save(book, paths)?;
    let name = book.get(id).map_or_else(String::new, |c| c.name.clone());
    println!("Added {name} ({pubkey}).");
    Ok(())
}

fn remove(book: &mut ContactBook, paths: &Paths, text: &str) -> Result<(), CliError> {
    let wanted = text.trim().to_lowercase();
    let by_name: Vec<&Contact> = book
        .contacts()
        .iter()
        .filter(|c| c.name.to_lowercase() == wanted)
        .collect();
    let by_key = text
        .parse::<NodeId>()
        .ok()
        .and_then(|id| book.by_pubkey(&id));
    let id = match (by_name.as_slice(), by_key) {
        ([contact], _) => contact.id,
        ([], Some(contact)) => contact.id,
        ([], None) => return Err(CliError::UnknownContact(safe(text, 80))),
        (many, _) => return Err(ambiguous(text, many)),
    };
    let removed = book
        .remove(id)
        .map_err(|err| CliError::Other(err.to_string()))?;
    save(book, paths)?;
    println!("Removed {} ({}).", removed.name, removed.pubkey);
    Ok(())
}

fn import(book: &mut ContactBook, paths: &Paths, file: &Path) -> Result<(), CliError> {
    let format = format_of(file)?;
    let text = std::fs::read_to_string(file).map_err(|err| CliError::file(file, err))?;
    let report = match format {
        Format::Json => book.import_json(&text),
        Format::Csv => book.import_csv(&text),
    }
    .map_err(|err| CliError::BadInput(format!("{}: {err}", file.display())))?;
    for row in &report.rows {
        print_row(row);
    }
    save(book, paths)?;
    println!(
        "Imported {} contact(s); {} already known, {} invalid.",
        report.added(),
        report.duplicates(),
        report.invalid()
    );
    Ok(())
}

fn print_row(row: &RowOutcome) {
    match row {
        RowOutcome::Added { .. } => {}
        RowOutcome::DuplicateSkipped { row, existing } => {
            progress(&format!(
                "row {row}: skipped, this node is already your contact {existing:?}"
            ));
        }
        RowOutcome::Invalid { row, reason } => {
            progress(&format!("row {row}: skipped, {}", safe(reason, 200)));
        }
    }
}

fn export(book: &ContactBook, file: &Path) -> Result<(), CliError> {
    let text = match format_of(file)? {
        Format::Json => book.export_json(),
        Format::Csv => book.export_csv(),
    };
    write_atomic(file, text.as_bytes())?;
    println!(
        "Exported {} contact(s) to {}.",
        book.contacts().len(),
        file.display()
    );
    Ok(())
}

/// `.json` or `.csv` (any case); anything else is a usage error.
fn format_of(file: &Path) -> Result<Format, CliError> {
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("json") => Ok(Format::Json),
        Some("csv") => Ok(Format::Csv),
        _ => Err(CliError::BadInput(format!(
            "{}: use a file name ending in .json or .csv so Satchel knows the format",
            file.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    const BOB: &str = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";

    fn book() -> ContactBook {
        let mut book = ContactBook::new();
        for (name, key) in [("Alice's node", ALICE), ("Bob", BOB)] {
            let _ = book
                .add(NewContact::new(name, key.parse().unwrap()))
                .unwrap();
        }
        book
    }

    fn name_of(found: Result<(NodeId, Option<Matched>), CliError>) -> (String, bool) {
        let matched = found.unwrap().1.expect("a contact");
        (matched.name, matched.by_prefix)
    }

    #[test]
    fn finds_by_name_key_or_prefix() {
        let book = book();
        let alice = "Alice's node".to_owned();
        assert_eq!(
            name_of(destination(&book, "alice's NODE", true)),
            (alice.clone(), false)
        );
        assert_eq!(
            name_of(destination(&book, BOB, true)),
            ("Bob".into(), false)
        );
        assert_eq!(name_of(destination(&book, "ali", false)), (alice, true));
        assert!(matches!(
            destination(&book, "carol", false),
            Err(CliError::UnknownContact(_))
        ));
    }

    /// `send --yes` must not pay a contact the user named by a prefix.
    #[test]
    fn without_confirmation_a_prefix_is_not_enough() {
        let mut book = book();
        let carol = "03".to_owned() + &ALICE[2..];
        let _ = book
            .add(NewContact::new("carol.ln", carol.parse().unwrap()))
            .unwrap();
        let err = destination(&book, "c", true).unwrap_err();
        assert_eq!(err.kind().code(), 2);
        let text = err.to_string();
        assert!(
            text.contains("only the start of the contact name \"carol.ln\""),
            "{text}"
        );
        assert!(text.contains(&carol), "names the key: {text}");
        let (id, matched) = destination(&book, "c", false).unwrap();
        assert_eq!(id.to_hex(), carol);
        assert_eq!(
            matched,
            Some(Matched {
                name: "carol.ln".into(),
                by_prefix: true
            })
        );
        let (_, exact) = destination(&book, "CAROL.LN", true).unwrap();
        assert!(exact.is_some_and(|m| !m.by_prefix));
        let (_, by_key) = destination(&book, &carol, true).unwrap();
        assert!(by_key.is_some_and(|m| m.name == "carol.ln"));
        let bobby = "03".to_owned() + &BOB[2..];
        let _ = book
            .add(NewContact::new("Bobby", bobby.parse().unwrap()))
            .unwrap();
        let many = destination(&book, "bo", false).unwrap_err().to_string();
        assert!(many.contains("Bob (") && many.contains("Bobby ("), "{many}");
    }

    #[test]
    fn destination_tells_bad_keys_from_unknown_names() {
        let book = book();
        let bad_key = destination(&book, &ALICE[..64], true).unwrap_err();
        assert!(matches!(bad_key, CliError::BadPubkey { .. }), "{bad_key}");
        assert!(
            bad_key.to_string().contains("66 hex characters"),
            "{bad_key}"
        );
        assert!(matches!(
            destination(&book, "zed", true),
            Err(CliError::UnknownContact(_))
        ));
        let carol = "03".to_owned() + &ALICE[2..];
        assert!(destination(&book, &carol, true).is_ok_and(|(_, name)| name.is_none()));
    }

    #[test]
    fn format_comes_from_the_extension() {
        assert_eq!(format_of(Path::new("a/b.JSON")).unwrap(), Format::Json);
        assert_eq!(format_of(Path::new("b.csv")).unwrap(), Format::Csv);
        assert_eq!(format_of(Path::new("b.txt")).unwrap_err().kind().code(), 2);
    }
}
