//! The inbox detail pane: the full message, boostagram fields, the sender's
//! status, every record (named or hex with a UTF-8 preview) and the payment
//! hash, plus "save sender as contact". Opening it marks the tip read.

use iced::widget::{column, container, row, scrollable, space, text};
use iced::{Alignment, Element, Length, Task};

use crate::gui::screen::Env;
use crate::gui::screen::inbox::is_forgery;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::keysend::NodeId;
use crate::keysend::boostagram::Boostagram;
use crate::keysend::record::{self, BOOSTAGRAM};
use crate::keysend::text::{display_safe, lossy_utf8};
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
}

/// Detail pane events.
#[derive(Debug, Clone)]
pub enum Message {
    Loaded(Result<InboxDetail, IndexError>),
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
    /// Open entry `id`: load it, verify its sender once, and mark it read.
    pub fn open(index: Index, me: NodeId, id: i64) -> (Self, Task<Message>) {
        let task = Task::perform(
            async move {
                index
                    .call(move |index| {
                        let _ = index.verify(id, &me)?;
                        index.mark_read(id)?;
                        index.detail(id)
                    })
                    .await
            },
            Message::Loaded,
        );
        (Self { id, loaded: None }, task)
    }

    /// The entry shown.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// Handle an event.
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Loaded(result) => {
                self.loaded = Some(result);
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
            Some(Ok(detail)) => detail_view(detail, env),
        };
        widget::card(column![header, scrollable(body).height(Length::Fill)].spacing(gap::M))
            .height(Length::Fill)
            .into()
    }
}

fn detail_view<'a>(detail: &'a InboxDetail, env: &Env<'a>) -> Element<'a, Message> {
    let amount = text(format::amount(detail.amount, env.settings.unit))
        .size(size::FIGURE)
        .font(theme::BOLD);
    let mut col = column![
        amount,
        widget::caption(format::full_time(detail.settled_at)),
        sender_view(detail, env)
    ]
    .spacing(gap::M)
    .padding([0, 12]);
    col = col.push(match &detail.message {
        Some(message) => widget::card(text(message.as_str()).size(size::BODY)).into(),
        None => Element::from(text("No message.").style(theme::muted)),
    });
    if let Some(bytes) = detail.records.get(&BOOSTAGRAM)
        && let Ok(boost) = Boostagram::parse(bytes)
    {
        col = col.push(boost_view(boost));
    }
    col = col.push(pair(
        "Payment hash",
        widget::mono(detail.hash.to_hex()).into(),
    ));
    col = col.push(records_view(detail));
    col.into()
}

fn sender_view<'a>(detail: &'a InboxDetail, env: &Env<'a>) -> Element<'a, Message> {
    let contact = detail
        .sender_pubkey
        .and_then(|id| env.contacts.by_pubkey(&id));
    let claimed = format!("claims to be {}", detail.sender);
    let (line, tone, note) = match (detail.verification, detail.sender_pubkey) {
        (Some(Verification::Verified(_)), Some(_)) => (
            contact.map_or_else(|| detail.sender.clone(), |c| c.name.clone()),
            Tone::Success,
            "Verified: the sender's node signed this message for your node.",
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
        text(line).font(theme::BOLD).style(theme::toned(tone)),
        widget::caption(note)
    ]
    .spacing(gap::XS);
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

fn boost_view<'a>(boost: Boostagram) -> Element<'a, Message> {
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
                .map(|m| crate::keysend::Msat(m).to_string()),
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
