//! The inbox detail pane: the full message, boostagram fields, the sender's
//! status, every record (named or hex with a UTF-8 preview) and the payment
//! hash, plus "save sender as contact". Opening it marks the tip read.
//!
//! "Verified" is about the node, never the name: a verified sender is shown
//! as our contact name, else its graph alias, else its short key, and the
//! name it gave itself (never signed) as a claim. A message taken from a
//! record the signature does not cover is labelled so.

use iced::widget::{column, container, row, scrollable, space, text};
use iced::{Alignment, Element, Length, Task};

use crate::gui::screen::Env;
use crate::gui::screen::inbox::is_forgery;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::keysend::NodeId;
use crate::keysend::boostagram::Boostagram;
use crate::keysend::incoming::{MessageSource, NAME_CHARS};
use crate::keysend::record::{self, BOOSTAGRAM};
use crate::keysend::text::{display_safe, lossy_utf8};
use crate::node::SharedNode;
use crate::wallet::{InboxDetail, Index, IndexError, Verification};

/// Longest hex shown for one record, in bytes.
const HEX_BYTES: usize = 96;
/// Width of the label column of the pane's label/value pairs.
const PAIR_LABEL_WIDTH: f32 = 96.0;
/// Longest UTF-8 preview of a record, in bytes.
const PREVIEW_BYTES: usize = 240;

/// An open detail pane.
pub struct Detail {
    id: i64,
    loaded: Option<Result<InboxDetail, IndexError>>,
    /// A verified sender's alias in the graph (display-safe), if it has one.
    alias: Option<String>,
}

/// Detail pane events.
#[derive(Debug, Clone)]
pub enum Message {
    /// The entry, and a verified sender's graph alias.
    Loaded(Result<(InboxDetail, Option<String>), IndexError>),
    Close,
    SaveContact,
}

/// What the inbox must do.
pub enum Action {
    None,
    Run(Task<Message>),
    Close,
    MarkedRead(i64),
    SaveContact(NodeId, String),
}

impl Detail {
    /// Open entry `id`: load it, verify its sender once, mark it read, and
    /// look a verified sender up in `graph` (when given) for its alias.
    pub fn open(
        index: Index,
        graph: Option<SharedNode>,
        me: NodeId,
        id: i64,
    ) -> (Self, Task<Message>) {
        let task = Task::perform(
            async move {
                let detail = index
                    .call(move |index| {
                        let _ = index.verify(id, &me)?;
                        index.mark_read(id)?;
                        index.detail(id)
                    })
                    .await?;
                let alias = match (graph, verified_node(&detail)) {
                    (Some(graph), Some(node)) => graph_alias(&graph, node).await,
                    _ => None,
                };
                Ok((detail, alias))
            },
            Message::Loaded,
        );
        let detail = Self {
            id,
            loaded: None,
            alias: None,
        };
        (detail, task)
    }

    /// The entry shown.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// Handle an event.
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Loaded(result) => {
                let (loaded, alias) = match result {
                    Ok((detail, alias)) => (Ok(detail), alias),
                    Err(error) => (Err(error), None),
                };
                (self.loaded, self.alias) = (Some(loaded), alias);
                Action::MarkedRead(self.id)
            }
            Message::Close => Action::Close,
            Message::SaveContact => self.save_contact(),
        }
    }

    fn save_contact(&self) -> Action {
        match &self.loaded {
            Some(Ok(detail)) => match detail.sender_pubkey {
                Some(id) => Action::SaveContact(id, detail.sender_name.clone().unwrap_or_default()),
                None => Action::None,
            },
            _ => Action::None,
        }
    }

    /// Show the pane.
    pub fn view<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        let header = row![
            text("Tip").size(size::TITLE).font(theme::BOLD),
            space::horizontal(),
            widget::link("Close", Message::Close)
        ]
        .align_y(Alignment::Center);
        let body: Element<'a, Message> = match &self.loaded {
            None => text("Loading…").style(theme::muted).into(),
            Some(Err(error)) => widget::error_notice(error, "Close the pane and try again."),
            Some(Ok(detail)) => detail_view(detail, self.alias.as_deref(), env),
        };
        widget::raised_card(column![header, scrollable(body).height(Length::Fill)].spacing(gap::M))
            .height(Length::Fill)
            .into()
    }
}

/// The sender's node when its signature checked out.
fn verified_node(detail: &InboxDetail) -> Option<NodeId> {
    detail
        .verification
        .filter(|v| v.is_verified())
        .and(detail.sender_pubkey)
}

/// The node's alias in the graph, display-safe; `None` when it has none or
/// the node cannot say (the pane then shows the short key).
async fn graph_alias(graph: &SharedNode, node: NodeId) -> Option<String> {
    let found = graph.lookup(node).await.ok().flatten()?;
    Some(display_safe(&found.alias, NAME_CHARS)).filter(|a| !a.trim().is_empty())
}

fn detail_view<'a>(
    detail: &'a InboxDetail,
    alias: Option<&str>,
    env: &Env<'a>,
) -> Element<'a, Message> {
    let amount = text(format::amount(detail.amount, env.settings.unit))
        .size(size::FIGURE)
        .font(theme::BOLD);
    let mut col = column![
        amount,
        widget::caption(format::full_time(detail.settled_at)),
        sender_view(detail, alias, env)
    ]
    .spacing(gap::M)
    .padding([0, 12]);
    col = col.push(message_view(detail));
    if let Some(bytes) = detail.records.get(&BOOSTAGRAM)
        && let Ok(boost) = Boostagram::parse(bytes)
    {
        col = col.push(boost_view(boost, env.settings.unit));
    }
    col = col.push(pair(
        "Payment hash",
        widget::mono(detail.hash.to_hex()).into(),
    ));
    col = col.push(records_view(detail));
    col.into()
}

fn sender_view<'a>(
    detail: &'a InboxDetail,
    alias: Option<&str>,
    env: &Env<'a>,
) -> Element<'a, Message> {
    let contact = detail
        .sender_pubkey
        .and_then(|id| env.contacts.by_pubkey(&id));
    let claimed = format!("claims to be {}", detail.sender);
    let verified = verified_node(detail);
    let (line, tone, note) = match (detail.verification, verified) {
        (_, Some(node)) => (
            node_name(node, contact.map(|c| c.name.as_str()), alias),
            Tone::Success,
            verified_note(detail),
        ),
        (Some(Verification::Claimed(problem)), _) if is_forgery(problem) => (
            claimed,
            Tone::Danger,
            "The signature does not match the claimed sender (or was made for another node). Treat the name as forged.",
        ),
        (Some(Verification::Anonymous), _) | (None, None) if detail.sender_name.is_none() => (
            "anonymous".into(),
            Tone::Neutral,
            "The sender did not say who they are.",
        ),
        _ => (
            claimed,
            Tone::Warning,
            "Not signed in a way Satchel can check: anyone can claim this name.",
        ),
    };
    let mut col = column![
        text(line.clone())
            .font(theme::BOLD)
            .style(theme::toned(tone)),
        widget::caption(note)
    ]
    .spacing(gap::XS);
    if verified.is_some()
        && let Some(name) = calls_itself(detail.sender_name.as_deref(), &line)
    {
        col = col.push(widget::caption(format!(
            "calls itself “{name}” (a name is never signed)"
        )));
    }
    if let Some(id) = detail.sender_pubkey {
        col = col.push(widget::mono(id.to_hex()));
        if contact.is_none() {
            col = col.push(widget::secondary(
                "Save sender as contact",
                Some(Message::SaveContact),
            ));
        }
    }
    col.into()
}

/// A verified node by what we know it as: our contact name, else its graph
/// alias, else its short key. Never the name it gave itself.
pub fn node_name(node: NodeId, contact: Option<&str>, alias: Option<&str>) -> String {
    contact
        .or(alias)
        .map_or_else(|| node.short(), ToOwned::to_owned)
}

/// The claimed name worth showing beside `shown`: display-safe, not empty,
/// not the same as what is already shown.
fn calls_itself(claimed: Option<&str>, shown: &str) -> Option<String> {
    let name = display_safe(claimed?, NAME_CHARS);
    (!name.trim().is_empty() && name != shown).then_some(name)
}

/// What a good signature proves here: the node, and the message only when
/// it is the chat record.
fn verified_note(detail: &InboxDetail) -> &'static str {
    match (&detail.message, detail.message_signed()) {
        (_, true) => "Verified: this node signed this message for your node.",
        (Some(_), false) => {
            "Verified: this node sent it to your node, but its signature does not cover the message shown."
        }
        (None, false) => "Verified: this node signed for your node.",
    }
}

/// The message, labelled when a verified sender's signature does not cover it.
fn message_view(detail: &InboxDetail) -> Element<'_, Message> {
    let Some(message) = &detail.message else {
        return text("No message.").style(theme::muted).into();
    };
    let card = widget::card(text(message.as_str()).size(size::BODY));
    if verified_node(detail).is_none() || detail.message_signed() {
        return card.into();
    }
    let record = match detail.message_source {
        Some(MessageSource::Boostagram) => "the boostagram",
        Some(MessageSource::TipNote) => "the tip note",
        _ => "a record",
    };
    column![
        text("Message not covered by the signature")
            .size(size::SMALL)
            .font(theme::BOLD)
            .style(theme::toned(Tone::Warning)),
        widget::caption(format!(
            "It comes from {record}, which the sender's signature does not include: the \
             signature says nothing about who wrote it."
        )),
        card
    ]
    .spacing(gap::XS)
    .into()
}

fn boost_view<'a>(boost: Boostagram, unit: crate::store::AmountUnit) -> Element<'a, Message> {
    let fields = [
        ("Podcast", boost.podcast),
        ("Episode", boost.episode),
        ("App", boost.app_name),
        ("Action", boost.action),
        ("From", boost.sender_name),
        (
            "Position",
            boost
                .ts
                .map(|ts| format!("{}:{:02}:{:02}", ts / 3600, ts / 60 % 60, ts % 60))
                .or(boost.time),
        ),
        (
            "Total boost",
            boost
                .value_msat_total
                .map(|m| format::amount(crate::keysend::Msat(m), unit)),
        ),
        ("Reply to", boost.reply_address),
    ];
    let rows = fields
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .fold(column![].spacing(gap::XS), |col, (k, v)| {
            col.push(pair(k, text(display_safe(&v, 200)).size(size::BODY).into()))
        });
    column![text("Boostagram").font(theme::BOLD), rows]
        .spacing(gap::S)
        .into()
}

/// A label and a value in the narrow pane (a shorter label column than
/// [`widget::key_value`]).
fn pair<'a>(key: &'a str, value: Element<'a, Message>) -> Element<'a, Message> {
    row![
        container(widget::caption(key)).width(PAIR_LABEL_WIDTH),
        value
    ]
    .spacing(gap::S)
    .align_y(Alignment::Start)
    .into()
}

/// Text records read as text; anything else is only shown as hex.
fn preview(value: &[u8]) -> String {
    match std::str::from_utf8(value) {
        Ok(_) => lossy_utf8(value, PREVIEW_BYTES),
        Err(_) => "(binary)".into(),
    }
}

fn records_view<'a>(detail: &'a InboxDetail) -> Element<'a, Message> {
    let rows = detail
        .records
        .iter()
        .fold(column![].spacing(gap::S), |col, (key, value)| {
            let name = record::name(*key)
                .map_or_else(|| format!("type {key}"), |n| format!("{n} ({key})"));
            let hex = if value.len() > HEX_BYTES {
                format!(
                    "{}… ({} bytes)",
                    hex::encode(&value[..HEX_BYTES]),
                    value.len()
                )
            } else {
                hex::encode(value)
            };
            col.push(
                column![
                    text(name).size(size::SMALL).font(theme::BOLD),
                    widget::mono(hex),
                    text(preview(value)).size(size::SMALL).style(theme::muted)
                ]
                .spacing(2),
            )
        });
    widget::titled_card("Records", rows).into()
}
