//! The add/edit contact form: validates the pubkey as you type (showing the
//! specific `NodeIdError`), flags a duplicate, looks the node up in the graph
//! for its alias and keysend support, and builds a `NewContact`. A Lightning
//! Address may stand instead of (or beside) the key: it is resolved after a
//! pause in typing, what it resolved to is shown, and its keysend node
//! becomes the key; it is saved and asked again at each tip (issue 16).

use iced::widget::{checkbox, column, row, text, text_editor, text_input};
use iced::{Alignment, Element, Length, Task};

use crate::gui::screen::Env;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::widget;
use crate::keysend::{Msat, NodeId};
use crate::node::{GraphNode, NodeError, SharedNode};
use crate::payto::resolve::now;
use crate::payto::{self, Resolution, ResolveError, Shown, Target};
use crate::store::{Contact, ContactBook, ExtraRecord, NewContact};
use crate::web::Web;

/// Wait this long after the last keystroke in the address before asking.
const ADDRESS_DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(450);

/// The form's state.
pub struct Form {
    /// `Some(id)` when editing an existing contact.
    editing: Option<u64>,
    name: String,
    pubkey: String,
    /// A Lightning Address, as typed.
    address: String,
    /// The address as saved (editing): kept without asking again.
    saved_address: Option<String>,
    /// What the address resolved to, for the text it answers.
    resolved: Option<(String, Option<Result<Resolution, ResolveError>>)>,
    /// Address edits, for the debounce.
    generation: u64,
    note: String,
    amount: String,
    records: text_editor::Content,
    include_identity: bool,
    /// Route hints (issue 17): hop hints or one of their invoices.
    hints: String,
    lookup: Lookup,
    /// An error from the contact book (empty name, duplicate...).
    pub(super) error: Option<String>,
    /// The user changed something since the form opened.
    touched: bool,
}

/// What the graph said about the pubkey.
#[derive(Debug, Clone, PartialEq)]
enum Lookup {
    None,
    Pending(NodeId),
    Found(GraphNode),
    NotInGraph,
    Failed(String),
}

/// Form events.
#[derive(Debug, Clone)]
pub enum Message {
    NameChanged(String),
    PubkeyChanged(String),
    AddressChanged(String),
    /// The pause after address edit `generation` ran out.
    AddressDue(u64),
    /// What the address `text` resolved to.
    AddressResolved {
        text: String,
        result: Result<Resolution, ResolveError>,
    },
    NoteChanged(String),
    AmountChanged(String),
    RecordsEdited(text_editor::Action),
    IdentityToggled(bool),
    HintsChanged(String),
    LookedUp(NodeId, Result<Option<GraphNode>, NodeError>),
    Save,
    Cancel,
}

/// What the contacts screen must do.
pub enum Action {
    None,
    Run(Task<Message>),
    /// The contact, its graph entry and its route hints (as stored).
    Save(Option<u64>, NewContact, Option<GraphNode>, Vec<String>),
    Cancel,
}

impl Form {
    /// An empty form, optionally with a pubkey and name (from the inbox).
    pub fn new(pubkey: Option<NodeId>, name: String) -> Self {
        Self {
            editing: None,
            name,
            pubkey: pubkey.map(|id| id.to_hex()).unwrap_or_default(),
            address: String::new(),
            saved_address: None,
            resolved: None,
            generation: 0,
            note: String::new(),
            amount: String::new(),
            records: text_editor::Content::new(),
            include_identity: false,
            hints: String::new(),
            lookup: Lookup::None,
            error: None,
            touched: false,
        }
    }

    /// A form filled with an existing contact.
    pub fn edit(contact: &Contact) -> Self {
        Self {
            editing: Some(contact.id),
            name: contact.name.clone(),
            pubkey: contact.pubkey.to_hex(),
            address: contact.address.clone().unwrap_or_default(),
            saved_address: contact.address.clone(),
            resolved: None,
            generation: 0,
            note: contact.note.clone(),
            amount: contact
                .default_amount
                .map(|a| a.sats().to_string())
                .unwrap_or_default(),
            records: text_editor::Content::with_text(&record_lines(&contact.extra_records)),
            include_identity: contact.include_identity,
            hints: contact.route_hints.join(" "),
            lookup: Lookup::None,
            error: None,
            touched: false,
        }
    }

    /// Start the graph lookup for a prefilled pubkey.
    pub fn start(&mut self, node: &SharedNode) -> Task<Message> {
        self.lookup_task(node)
    }

    /// Handle an event.
    pub fn update(
        &mut self,
        message: Message,
        node: &SharedNode,
        book: &ContactBook,
        web: &Web,
    ) -> Action {
        match message {
            Message::NameChanged(value) => self.edit_field(|f| f.name = value),
            Message::PubkeyChanged(value) => self.pubkey_changed(value, node),
            Message::AddressChanged(value) => self.address_changed(value),
            Message::AddressDue(generation) => self.resolve_address(generation, web),
            Message::AddressResolved { text, result } => self.address_resolved(text, result, node),
            Message::NoteChanged(value) => self.edit_field(|f| f.note = value),
            Message::AmountChanged(value) => self.edit_field(|f| f.amount = value),
            Message::RecordsEdited(action) => self.records_edited(action),
            Message::IdentityToggled(value) => self.edit_field(|f| f.include_identity = value),
            Message::HintsChanged(value) => self.edit_field(|f| f.hints = value),
            Message::LookedUp(id, result) => self.looked_up(id, result),
            Message::Save => self.save(book),
            Message::Cancel => Action::Cancel,
        }
    }

    /// Something was typed: dropping the form now would lose it.
    pub fn is_touched(&self) -> bool {
        self.touched
    }

    fn edit_field(&mut self, change: impl FnOnce(&mut Self)) -> Action {
        change(self);
        (self.error, self.touched) = (None, true);
        Action::None
    }

    /// A click or cursor move in the records box changes nothing.
    fn records_edited(&mut self, action: text_editor::Action) -> Action {
        if action.is_edit() {
            return self.edit_field(|f| f.records.perform(action));
        }
        self.records.perform(action);
        Action::None
    }

    fn pubkey_changed(&mut self, value: String, node: &SharedNode) -> Action {
        let _ = self.edit_field(|f| f.pubkey = value);
        Action::Run(self.lookup_task(node))
    }

    fn address_changed(&mut self, value: String) -> Action {
        let _ = self.edit_field(|f| f.address = value);
        self.generation += 1;
        let generation = self.generation;
        Action::Run(Task::perform(
            tokio::time::sleep(ADDRESS_DEBOUNCE),
            move |()| Message::AddressDue(generation),
        ))
    }

    /// The address typed, when it is one to resolve and not asked yet.
    fn resolve_address(&mut self, generation: u64, web: &Web) -> Action {
        let text = self.address.trim().to_owned();
        let Some(Ok(target)) = Target::parse(&text) else {
            return Action::None;
        };
        let asked = self.resolved.as_ref().is_some_and(|(t, _)| *t == text);
        if generation != self.generation || asked || matches!(target, Target::Invoice(..)) {
            return Action::None;
        }
        self.resolved = Some((text.clone(), None));
        let web = web.clone();
        Action::Run(Task::perform(
            async move {
                let result = match payto::Client::new(&web) {
                    Ok(client) => payto::resolve(&client, &target).await,
                    Err(error) => Err(error.into()),
                };
                Message::AddressResolved { text, result }
            },
            std::convert::identity,
        ))
    }

    /// Keep an answer for the address still typed; its keysend node becomes
    /// the key (and is looked up in the graph).
    fn address_resolved(
        &mut self,
        text: String,
        result: Result<Resolution, ResolveError>,
        node: &SharedNode,
    ) -> Action {
        if text != self.address.trim() {
            return Action::None;
        }
        let pubkey = match &result {
            Ok(Resolution::Keysend { target, .. }) => Some(target.pubkey),
            _ => None,
        };
        self.resolved = Some((text, Some(result)));
        match pubkey {
            Some(id) => {
                self.pubkey = id.to_hex();
                Action::Run(self.lookup_task(node))
            }
            None => Action::None,
        }
    }

    /// The address to save (normalised), or why it cannot be saved: it must
    /// have resolved to the keysend node in the key field, unless it is the
    /// one already saved.
    fn checked_address(&self, pubkey: &NodeId) -> Result<Option<String>, String> {
        let typed = self.address.trim();
        if typed.is_empty() {
            return Ok(None);
        }
        let address = match Target::parse(typed) {
            Some(Ok(Target::Address(address))) => address.to_string(),
            Some(Ok(Target::Lnurl(_))) => typed.to_owned(),
            Some(Err(error)) => return Err(format!("Lightning Address: {error}")),
            _ => {
                return Err(format!(
                    "Lightning Address: {typed:?} is not user@domain or an lnurl"
                ));
            }
        };
        if self.saved_address.as_deref() == Some(address.as_str()) {
            return Ok(Some(address));
        }
        let answer = self.resolved.as_ref().filter(|(t, _)| t == typed);
        match answer.and_then(|(_, result)| result.as_ref()) {
            None => Err("Lightning Address: still looking it up; save again in a moment".into()),
            Some(Err(error)) => Err(format!("Lightning Address: {error}")),
            Some(Ok(Resolution::Keysend { target, .. })) if target.pubkey == *pubkey => {
                Ok(Some(address))
            }
            Some(Ok(Resolution::Keysend { target, .. })) => Err(format!(
                "{address} gives node {}, not the public key typed",
                target.pubkey
            )),
            Some(Ok(_)) => Err(format!(
                "{address} has no keysend document (LNURL-pay only): a contact needs a keysend \
                 node. Send to the address from Send instead."
            )),
        }
    }

    fn lookup_task(&mut self, node: &SharedNode) -> Task<Message> {
        let Ok(id) = self.pubkey.parse::<NodeId>() else {
            self.lookup = Lookup::None;
            return Task::none();
        };
        self.lookup = Lookup::Pending(id);
        Task::perform(node.lookup(id), move |result| Message::LookedUp(id, result))
    }

    fn looked_up(&mut self, id: NodeId, result: Result<Option<GraphNode>, NodeError>) -> Action {
        if self.lookup != Lookup::Pending(id) {
            return Action::None;
        }
        self.lookup = match result {
            Ok(Some(found)) => Lookup::Found(found),
            Ok(None) => Lookup::NotInGraph,
            Err(error) => Lookup::Failed(error.to_string()),
        };
        Action::None
    }

    fn save(&mut self, book: &ContactBook) -> Action {
        let built = self.build(book).and_then(|contact| {
            let hints = crate::wallet::routed::parse_hints(&self.hints, &contact.pubkey)
                .map_err(|e| format!("Route hints: {e}"))?;
            Ok((contact, hints.iter().map(ToString::to_string).collect()))
        });
        match built {
            Ok((contact, hints)) => {
                let graph = match &self.lookup {
                    Lookup::Found(found) => Some(found.clone()),
                    _ => None,
                };
                Action::Save(self.editing, contact, graph, hints)
            }
            Err(error) => {
                self.error = Some(error);
                Action::None
            }
        }
    }

    /// The contact as entered, or the first problem.
    fn build(&self, book: &ContactBook) -> Result<NewContact, String> {
        let pubkey: NodeId = self
            .pubkey
            .parse()
            .map_err(|e| format!("Public key: {e}"))?;
        if let Some(problem) = self.duplicate(book, &pubkey) {
            return Err(problem);
        }
        let default_amount = match self.amount.trim() {
            "" => None,
            typed => Some(Msat::parse_sats(typed).map_err(|e| format!("Default amount: {e}"))?),
        };
        let extra_records = parse_records(&self.records.text())?;
        let address = self.checked_address(&pubkey)?;
        Ok(NewContact {
            name: self.name.clone(),
            pubkey,
            note: self.note.clone(),
            default_amount,
            extra_records,
            include_identity: self.include_identity,
            address,
        })
    }

    fn duplicate(&self, book: &ContactBook, pubkey: &NodeId) -> Option<String> {
        let existing = book.by_pubkey(pubkey)?;
        (Some(existing.id) != self.editing).then(|| {
            format!(
                "This node is already in your contacts as {:?}.",
                existing.name
            )
        })
    }

    fn pubkey_error(&self, book: &ContactBook) -> Option<String> {
        if self.pubkey.trim().is_empty() {
            return None;
        }
        match self.pubkey.parse::<NodeId>() {
            Err(error) => Some(widget::sentence(&error.to_string())),
            Ok(id) => self.duplicate(book, &id),
        }
    }

    /// Show the form.
    pub fn view<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        let title = if self.editing.is_some() {
            "Edit contact"
        } else {
            "New contact"
        };
        // Enter in any field saves, as on every form (Esc closes it).
        let input = |placeholder: &'a str, value: &'a str| {
            text_input(placeholder, value)
                .size(size::BODY)
                .on_submit(Message::Save)
        };
        let mut col = column![
            widget::field(
                "Name",
                input("Who is this?", &self.name)
                    .id("contact-name")
                    .on_input(Message::NameChanged),
                None
            ),
            widget::field(
                "Lightning Address",
                input(
                    "Optional: user@domain, instead of or beside the key",
                    &self.address
                )
                .id("contact-address")
                .on_input(Message::AddressChanged),
                None
            ),
            self.address_view(),
            widget::field(
                "Node public key",
                input("02… or 03…, 66 hex characters", &self.pubkey)
                    .id("contact-pubkey")
                    .font(theme::MONO)
                    .on_input(Message::PubkeyChanged),
                self.pubkey_error(env.contacts),
            ),
            self.lookup_view(),
            // Side by side: the form stays short enough to show Save.
            row![
                widget::field(
                    "Note",
                    input("Optional", &self.note).on_input(Message::NoteChanged),
                    None
                ),
                widget::field(
                    "Default amount (sats)",
                    input("Optional, e.g. 1000", &self.amount)
                        .id("contact-amount")
                        .on_input(Message::AmountChanged),
                    None
                ),
            ]
            .spacing(gap::M),
            widget::caption(
                "Extra records, one per line: 696969=text:wallet-id or 7629175=hex:0a0b"
            ),
            text_editor(&self.records)
                .on_action(Message::RecordsEdited)
                .height(70)
                .font(theme::MONO)
                .size(size::SMALL),
            checkbox(self.include_identity)
                .label("Include my node identity by default (signed)")
                .on_toggle(Message::IdentityToggled),
            widget::field(
                "Route hints (a private node)",
                input(
                    "Paste one of their invoices, or NODE_ID:CHAN_ID:BASE:PPM:CLTV",
                    &self.hints
                )
                .id("contact-hints")
                .font(theme::MONO)
                .on_input(Message::HintsChanged),
                None
            ),
        ]
        .spacing(gap::M);
        if let Some(error) = &self.error {
            col = col.push(widget::notice(Tone::Danger, error.clone(), ""));
        }
        col = col.push(
            row![
                widget::primary("Save contact", Some(Message::Save)),
                widget::secondary("Cancel", Some(Message::Cancel))
            ]
            .spacing(gap::S),
        );
        widget::titled_card(title, col).width(Length::Fill).into()
    }

    /// What the address resolved to, or why it cannot be used.
    fn address_view(&self) -> Element<'_, Message> {
        let typed = self.address.trim();
        if typed.is_empty() {
            return column![].into();
        }
        if self.saved_address.as_deref() == Some(typed) && self.resolved.is_none() {
            return widget::hint("Saved; asked again at each tip.").into();
        }
        let answer = self.resolved.as_ref().filter(|(t, _)| t == typed);
        match answer.map(|(_, result)| result) {
            None | Some(None) => widget::hint("Looking up the address…").into(),
            Some(Some(Err(error))) => danger(error.to_string()),
            Some(Some(Ok(resolution @ Resolution::Keysend { .. }))) => {
                let mut col = column![].spacing(gap::XS);
                for (label, value) in Shown::of(resolution).lines(now()) {
                    col = col.push(widget::caption(format!("{label}: {value}")));
                }
                col.into()
            }
            Some(Some(Ok(_))) => danger(format!(
                "{typed} has no keysend document (LNURL-pay only): a contact needs a keysend node."
            )),
        }
    }

    fn lookup_view(&self) -> Element<'_, Message> {
        match &self.lookup {
            Lookup::None => {
                widget::hint("The alias and keysend support are looked up in your node's graph.")
                    .into()
            }
            Lookup::Pending(_) => widget::hint("Looking up the node in the graph…").into(),
            Lookup::Found(found) => {
                let (label, tone) = if found.accepts_keysend {
                    ("accepts keysend", Tone::Success)
                } else {
                    ("does not advertise keysend", Tone::Warning)
                };
                row![
                    text(crate::keysend::text::display_safe(&found.alias, 32)).font(theme::BOLD),
                    widget::pill(label, tone),
                    widget::caption(format!("{} channels", found.num_channels))
                ]
                .spacing(gap::S)
                .align_y(Alignment::Center)
                .into()
            }
            Lookup::NotInGraph => widget::notice(
                Tone::Warning,
                "Not in the graph",
                "This node is private or unknown to your node. Keysends may still work through route hints, but cannot be checked.",
            ),
            Lookup::Failed(reason) => {
                widget::hint(format!("Could not look the node up: {reason}")).into()
            }
        }
    }
}

fn danger<'a>(reason: String) -> Element<'a, Message> {
    text(widget::sentence(&reason))
        .size(size::SMALL)
        .style(theme::toned(Tone::Danger))
        .into()
}

/// Parse the records box: one `type=text:value` or `type=hex:value` per line.
fn parse_records(text: &str) -> Result<Vec<ExtraRecord>, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| ExtraRecord::parse(line).map_err(|e| format!("Extra records: {e}")))
        .collect()
}

fn record_lines(records: &[ExtraRecord]) -> String {
    records
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
