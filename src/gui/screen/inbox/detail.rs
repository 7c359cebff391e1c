//! The inbox detail pane: the full message, boostagram fields, the sender's
//! status, every record (named or hex with a UTF-8 preview) and the payment
//! hash, plus "save sender as contact". Opening it marks the tip read.
//!
//! The sender is shown as `wallet::ShownSender` presents it (the same as
//! the list, the CLI and notifications). A message taken from a record the
//! signature does not cover is labelled so. Every answer names the entry it
//! is for: a late answer for another row is dropped.

use iced::widget::{column, container, row, scrollable, space, text};
use iced::{Alignment, Element, Length, Task};

use super::view::badge_tone;
use crate::gui::screen::Env;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::keysend::NodeId;
use crate::keysend::boostagram::Boostagram;
use crate::keysend::incoming::MessageSource;
use crate::keysend::record::{self, BOOSTAGRAM};
use crate::keysend::text::{display_safe, lossy_utf8};
use crate::node::SharedNode;
use crate::wallet::{InboxDetail, Index, IndexError};
use crate::wallet::{ShownSender, Who, refresh_aliases};

/// The pane's scrollable (back to the top when another entry opens).
pub const SCROLL_ID: &str = "inbox-detail";
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
    /// The value last put on the clipboard ("Copied" next to it).
    copied: Option<String>,
}

/// Detail pane events.
#[derive(Debug, Clone)]
pub enum Message {
    /// Entry `id`, and a verified sender's graph alias.
    Loaded {
        id: i64,
        result: Result<(InboxDetail, Option<String>), IndexError>,
    },
    Close,
    SaveContact,
    /// Reply / Tip back: open the Send screen for the sender.
    TipBack,
    /// Put a key, hash or preimage on the clipboard.
    Copy(String),
}

/// What the inbox must do.
pub enum Action {
    None,
    Close,
    MarkedRead(i64),
    SaveContact(NodeId, String),
    /// Open the Send screen for `to`, answering `reply_to`; `warning` when
    /// the key is only claimed.
    TipBack {
        to: NodeId,
        reply_to: crate::keysend::PaymentHash,
        warning: Option<String>,
    },
    /// Put this text on the clipboard.
    Copy(String),
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
                let Some(node) = verified_node(&detail) else {
                    return Ok((detail, None));
                };
                if let Some(graph) = graph {
                    // No answer from the node: the pane shows the short key.
                    let _ = refresh_aliases(&graph, &index, vec![node]).await;
                }
                let alias = index.call(move |index| index.alias(&node)).await?;
                Ok((detail, alias))
            },
            move |result| Message::Loaded { id, result },
        );
        let detail = Self {
            id,
            loaded: None,
            alias: None,
            copied: None,
        };
        (detail, task)
    }

    /// The entry shown.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// Whether its answer is still awaited.
    #[cfg(test)]
    pub fn is_loading(&self) -> bool {
        self.loaded.is_none()
    }

    /// Handle an event.
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Loaded { id, result } => self.loaded(id, result),
            Message::Close => Action::Close,
            Message::SaveContact => self.save_contact(),
            Message::TipBack => self.tip_back(),
            Message::Copy(value) => {
                self.copied = Some(value.clone());
                Action::Copy(value)
            }
        }
    }

    /// The answer for entry `id`: shown only if it is the one open; marks
    /// it read in the list only when the index did.
    fn loaded(
        &mut self,
        id: i64,
        result: Result<(InboxDetail, Option<String>), IndexError>,
    ) -> Action {
        if id != self.id {
            return Action::None;
        }
        let (loaded, alias, action) = match result {
            Ok((detail, alias)) => (Ok(detail), alias, Action::MarkedRead(id)),
            Err(error) => (Err(error), None, Action::None),
        };
        (self.loaded, self.alias) = (Some(loaded), alias);
        action
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

    /// The verified key; a claimed (or forged) one with a warning.
    fn tip_back(&self) -> Action {
        let Some(Ok(detail)) = &self.loaded else {
            return Action::None;
        };
        let Some(to) = detail.sender_pubkey else {
            return Action::None;
        };
        let warning = match verified_node(detail) {
            Some(_) => None,
            None => Some(format!(
                "The sender's key {} is a claim: nothing proves that node sent this tip. \
                 Your tip goes to that node.",
                to.short()
            )),
        };
        Action::TipBack {
            to,
            reply_to: detail.hash,
            warning,
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
            Some(Ok(detail)) => {
                detail_view(detail, self.alias.as_deref(), self.copied.as_deref(), env)
            }
        };
        widget::raised_card(
            column![header, scrollable(body).id(SCROLL_ID).height(Length::Fill)].spacing(gap::M),
        )
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

fn detail_view<'a>(
    detail: &'a InboxDetail,
    alias: Option<&str>,
    copied: Option<&str>,
    env: &Env<'a>,
) -> Element<'a, Message> {
    let amount = text(format::amount(detail.amount, env.settings.unit))
        .size(size::FIGURE)
        .font(theme::BOLD);
    let amount: Element<'a, Message> = match env.fiat(detail.amount) {
        Some(fiat) => column![amount, widget::caption(fiat)].into(),
        None => amount.into(),
    };
    let mut col = column![
        amount,
        widget::caption(format::full_time(detail.settled_at)),
        sender_view(detail, alias, copied, env)
    ]
    .spacing(gap::M)
    .padding([0, 12]);
    col = col.push(message_view(detail, env));
    if let Some(bytes) = detail.records.get(&BOOSTAGRAM)
        && let Ok(boost) = Boostagram::parse(bytes)
    {
        col = col.push(boost_view(boost, env.settings.unit));
    }
    col = col.push(pair(
        "Payment hash",
        widget::copyable(detail.hash.to_hex(), copied, Message::Copy),
    ));
    if let Some(preimage) = detail.records.get(&record::KEYSEND_PREIMAGE) {
        col = col.push(pair(
            "Preimage",
            widget::copyable(hex::encode(preimage), copied, Message::Copy),
        ));
    }
    col = col.push(records_view(detail));
    col.into()
}

fn sender_view<'a>(
    detail: &'a InboxDetail,
    alias: Option<&str>,
    copied: Option<&str>,
    env: &Env<'a>,
) -> Element<'a, Message> {
    let shown = ShownSender::new(detail.facts(), env.contacts, alias);
    let tone = match (&shown.who, shown.badge()) {
        (_, Some(badge)) => badge_tone(badge.trust),
        (Who::Anonymous, None) => Tone::Neutral,
        (_, None) => Tone::Warning,
    };
    let mut line = row![
        text(shown.headline())
            .font(theme::BOLD)
            .style(theme::toned(tone))
    ]
    .spacing(gap::S)
    .align_y(Alignment::Center);
    if let Some(badge) = shown.badge() {
        line = line.push(widget::pill(badge.label, tone));
    }
    let mut col = column![line, widget::caption(shown.explanation())].spacing(gap::XS);
    if let Some(claim) = shown.calls_itself() {
        col = col.push(widget::caption(format!("{claim} (a name is never signed)")));
    }
    if let Some(id) = detail.sender_pubkey {
        col = col.push(widget::copyable(id.to_hex(), copied, Message::Copy));
        let label = match shown.who {
            Who::Verified { .. } => "Reply / Tip back",
            _ => "Reply / Tip back (key only claimed)",
        };
        col = col.push(widget::secondary(label, Some(Message::TipBack)));
        if env.contacts.by_pubkey(&id).is_none() {
            col = col.push(widget::secondary(
                "Save sender as contact",
                Some(Message::SaveContact),
            ));
        }
    }
    col.into()
}

/// The message, labelled when a verified sender's signature does not cover it.
fn message_view<'a>(detail: &'a InboxDetail, env: &Env<'a>) -> Element<'a, Message> {
    let Some(message) = &detail.message else {
        return text("No message.").style(theme::muted).into();
    };
    let card = widget::card(text(message.as_str()).size(size::BODY));
    if !ShownSender::new(detail.facts(), env.contacts, None).text_not_signed {
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
