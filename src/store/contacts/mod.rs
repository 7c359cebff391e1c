//! The contact book: people (nodes) you send keysends to, with their default
//! amount and extra records. Names, notes and graph aliases are untrusted
//! text and are made display-safe when stored. Saving merges with changes
//! another Satchel process made since we loaded ([`file`]); import and
//! export are in [`transfer`].

mod file;
mod record;
mod resolve;
mod transfer;

use crate::keysend::text::{display_safe, display_safe_multiline};
use crate::keysend::{AmountError, Msat, NodeId};

pub use file::SaveReport;
pub use record::{
    ExtraRecord, MAX_VALUE_BYTES, RecordError, RecordValue, format_records, parse_records,
};
pub use resolve::{ResolveError, Resolved};
pub use transfer::{ImportError, ImportReport, RowOutcome, neutralise};

/// Longest name kept, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// Longest note kept, in characters.
pub const MAX_NOTE_CHARS: usize = 1000;
/// Longest graph alias kept (LND aliases are at most 32 bytes).
pub const MAX_ALIAS_CHARS: usize = 32;

/// A saved recipient.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Contact {
    /// Stable id within this book.
    pub id: u64,
    /// What the user calls them.
    pub name: String,
    /// Their node.
    pub pubkey: NodeId,
    /// Free text.
    #[serde(default)]
    pub note: String,
    /// Amount pre-filled when composing.
    #[serde(default)]
    pub default_amount: Option<Msat>,
    /// Records sent with every keysend to them.
    #[serde(default)]
    pub extra_records: Vec<ExtraRecord>,
    /// Whether to attach our signed sender identity by default.
    #[serde(default)]
    pub include_identity: bool,
    /// The alias last seen in the graph (untrusted, display-safe).
    #[serde(default)]
    pub alias: Option<String>,
    /// Whether the graph said they accept keysend, when last looked up.
    #[serde(default)]
    pub accepts_keysend: Option<bool>,
    /// When the contact was added (unix seconds).
    #[serde(default)]
    pub created_at: i64,
    /// A Lightning Address this contact was added by: re-resolved at send
    /// time, with a warning when it no longer gives `pubkey` (issue 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Route hints to a private node, each a hop hint as text
    /// `NODE_ID:CHAN_ID:FEE_BASE_MSAT:FEE_PPM:CLTV_DELTA` (checked where it is
    /// set; sends pass them as `route_hints`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub route_hints: Vec<String>,
}

/// The fields a user enters for a contact (add, edit, import).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewContact {
    /// What the user calls them.
    pub name: String,
    /// Their node.
    pub pubkey: NodeId,
    /// Free text.
    #[serde(default)]
    pub note: String,
    /// Amount pre-filled when composing.
    #[serde(default)]
    pub default_amount: Option<Msat>,
    /// Records sent with every keysend to them.
    #[serde(default)]
    pub extra_records: Vec<ExtraRecord>,
    /// Whether to attach our signed sender identity by default.
    #[serde(default)]
    pub include_identity: bool,
    /// A Lightning Address `pubkey` was found through, asked again at send
    /// time (issue 16); normalised to lower case when checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl NewContact {
    /// A contact with just a name and a node.
    pub fn new(name: impl Into<String>, pubkey: NodeId) -> Self {
        Self {
            name: name.into(),
            pubkey,
            note: String::new(),
            default_amount: None,
            extra_records: Vec::new(),
            include_identity: false,
            address: None,
        }
    }

    /// Sanitised and checked.
    fn checked(mut self) -> Result<Self, ContactError> {
        self.name = display_safe(&self.name, MAX_NAME_CHARS);
        self.note = display_safe_multiline(&self.note, MAX_NOTE_CHARS);
        if self.name.is_empty() {
            return Err(ContactError::EmptyName);
        }
        if let Some(amount) = self.default_amount {
            let _ = amount.check_whole_sats()?;
        }
        record::check_all(&self.extra_records)?;
        self.address = checked_address(self.address.as_deref())?;
        Ok(self)
    }
}

/// Why a contact change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    /// The name is empty (after removing invisible characters).
    #[error("give the contact a name")]
    EmptyName,
    /// Another contact already has this node.
    #[error("this node is already in your contacts as {existing:?}")]
    DuplicatePubkey {
        /// The existing contact's name.
        existing: String,
    },
    /// No contact with this id.
    #[error("contact {0} does not exist (it may have been removed)")]
    NotFound(u64),
    /// The default amount is zero, not whole sats, or over 21 million BTC.
    #[error("default amount: {0}")]
    DefaultAmount(#[from] AmountError),
    /// An extra record is invalid.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// The address is not a Lightning Address (`user@domain`).
    #[error("address: {0}")]
    Address(String),
}

/// A Lightning Address as saved: trimmed, lower case; empty means none.
fn checked_address(address: Option<&str>) -> Result<Option<String>, ContactError> {
    let Some(text) = address.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    match crate::payto::Target::parse(text) {
        Some(Ok(crate::payto::Target::Address(address))) => Ok(Some(address.to_string())),
        Some(Err(error)) => Err(ContactError::Address(error.to_string())),
        _ => Err(ContactError::Address(format!(
            "{:?} is not a Lightning Address (user@domain)",
            display_safe(text, 80)
        ))),
    }
}

/// All contacts, in the order they were added.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ContactBook {
    version: u32,
    contacts: Vec<Contact>,
    next_id: u64,
    #[serde(skip)]
    base: file::Base,
}

impl ContactBook {
    /// The format version this build writes.
    pub const VERSION: u32 = 1;

    /// An empty book.
    pub fn new() -> Self {
        Self {
            version: Self::VERSION,
            next_id: 1,
            ..Self::default()
        }
    }

    /// Every contact, oldest first.
    pub fn contacts(&self) -> &[Contact] {
        &self.contacts
    }

    /// The format version of the loaded file.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The contact with this id.
    pub fn get(&self, id: u64) -> Option<&Contact> {
        self.contacts.iter().find(|contact| contact.id == id)
    }

    /// The contact for this node.
    pub fn by_pubkey(&self, pubkey: &NodeId) -> Option<&Contact> {
        self.contacts
            .iter()
            .find(|contact| contact.pubkey == *pubkey)
    }

    /// Add a contact; returns its id.
    pub fn add(&mut self, new: NewContact) -> Result<u64, ContactError> {
        let new = new.checked()?;
        self.refuse_duplicate(&new.pubkey, None)?;
        let id = self.next_id.max(1);
        self.next_id = id + 1;
        self.contacts.push(Contact {
            id,
            name: new.name,
            pubkey: new.pubkey,
            note: new.note,
            default_amount: new.default_amount,
            extra_records: new.extra_records,
            include_identity: new.include_identity,
            alias: None,
            accepts_keysend: None,
            created_at: chrono::Utc::now().timestamp(),
            address: new.address,
            route_hints: Vec::new(),
        });
        Ok(id)
    }

    /// Replace the user-entered fields of contact `id`.
    pub fn update(&mut self, id: u64, edit: NewContact) -> Result<(), ContactError> {
        let edit = edit.checked()?;
        self.refuse_duplicate(&edit.pubkey, Some(id))?;
        let contact = self.get_mut(id)?;
        if contact.pubkey != edit.pubkey {
            contact.alias = None;
            contact.accepts_keysend = None;
        }
        contact.name = edit.name;
        contact.pubkey = edit.pubkey;
        contact.note = edit.note;
        contact.default_amount = edit.default_amount;
        contact.extra_records = edit.extra_records;
        contact.include_identity = edit.include_identity;
        contact.address = edit.address;
        Ok(())
    }

    /// Replace contact `id`'s route hints (already checked hop hint texts).
    pub fn set_route_hints(&mut self, id: u64, hints: Vec<String>) -> Result<(), ContactError> {
        self.get_mut(id)?.route_hints = hints;
        Ok(())
    }

    /// Remember what the graph says about contact `id` (alias is untrusted).
    pub fn set_graph_info(
        &mut self,
        id: u64,
        alias: Option<&str>,
        accepts_keysend: Option<bool>,
    ) -> Result<(), ContactError> {
        let contact = self.get_mut(id)?;
        contact.alias = alias
            .map(|alias| display_safe(alias, MAX_ALIAS_CHARS))
            .filter(|alias| !alias.is_empty());
        contact.accepts_keysend = accepts_keysend;
        Ok(())
    }

    /// Remember the Lightning Address contact `id` is paid through.
    pub fn set_address(&mut self, id: u64, address: Option<String>) -> Result<(), ContactError> {
        self.get_mut(id)?.address = address;
        Ok(())
    }

    /// Remove contact `id`, returning it.
    pub fn remove(&mut self, id: u64) -> Result<Contact, ContactError> {
        let index = self
            .contacts
            .iter()
            .position(|contact| contact.id == id)
            .ok_or(ContactError::NotFound(id))?;
        Ok(self.contacts.remove(index))
    }

    /// Contacts whose name, note or alias contains `query` (any case), or
    /// whose pubkey starts with it. An empty query matches everyone.
    pub fn search(&self, query: &str) -> Vec<&Contact> {
        let query = query.trim().to_lowercase();
        self.contacts
            .iter()
            .filter(|contact| query.is_empty() || matches(contact, &query))
            .collect()
    }

    fn get_mut(&mut self, id: u64) -> Result<&mut Contact, ContactError> {
        self.contacts
            .iter_mut()
            .find(|contact| contact.id == id)
            .ok_or(ContactError::NotFound(id))
    }

    fn refuse_duplicate(&self, pubkey: &NodeId, except: Option<u64>) -> Result<(), ContactError> {
        match self.by_pubkey(pubkey) {
            Some(existing) if Some(existing.id) != except => Err(ContactError::DuplicatePubkey {
                existing: existing.name.clone(),
            }),
            _ => Ok(()),
        }
    }
}

/// `query` is already lower-case and trimmed.
fn matches(contact: &Contact, query: &str) -> bool {
    let contains = |text: &str| text.to_lowercase().contains(query);
    contains(&contact.name)
        || contains(&contact.note)
        || contact.alias.as_deref().is_some_and(contains)
        || contact.pubkey.to_hex().starts_with(query)
}

#[cfg(test)]
mod tests;
