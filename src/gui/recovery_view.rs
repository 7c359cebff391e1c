//! How recovered payments look: a notice card (on the Send and Sent
//! screens) with one line per payment: recipient (contact name), amount,
//! message preview, what is known, and "Send now" / "Discard" for payments
//! the node never saw (never for another node's payment, which names the
//! node to connect to); plus the one-line hint shown on the other screens.

use iced::widget::{column, container, row, space, text};
use iced::{Alignment, Element, Length};

use crate::gui::recovery::{Item, Message, Recovery, Status};
use crate::gui::screen::Env;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::keysend::incoming;
use crate::keysend::text::display_safe;

/// Longest recipient name shown, in characters.
const NAME_CHARS: usize = 40;
/// Longest message preview shown, in characters.
const PREVIEW_CHARS: usize = 90;

/// The recovery card, or nothing when there is nothing to say.
pub fn card<'a>(recovery: &'a Recovery, env: &Env<'a>) -> Option<Element<'a, Message>> {
    if let Some(error) = recovery.error() {
        let body = format!("{error}. Satchel sends nothing until it can read the journal.");
        return Some(widget::notice(
            Tone::Danger,
            "The send journal could not be read",
            body,
        ));
    }
    if recovery.items().is_empty() {
        return None;
    }
    let attention = recovery.attention();
    let tone = if attention > 0 {
        Tone::Warning
    } else {
        Tone::Neutral
    };
    let mut col = column![headline(recovery, attention)].spacing(gap::M);
    if attention > 0 {
        col = col.push(text(explanation(attention)).size(size::BODY));
    }
    for item in recovery.items() {
        col = col.push(item_view(item, env));
    }
    Some(
        container(col)
            .padding(gap::M)
            .width(Length::Fill)
            .style(theme::notice(tone))
            .into(),
    )
}

fn headline<'a>(recovery: &Recovery, attention: usize) -> Element<'a, Message> {
    let title = match attention {
        0 => "Payments from your last session".to_owned(),
        1 => "1 payment from your last session was not sent".to_owned(),
        n => format!("{n} payments from your last session were not sent"),
    };
    let tone = if attention > 0 {
        Tone::Warning
    } else {
        Tone::Neutral
    };
    let mut line = row![text(title).font(theme::BOLD).style(theme::toned(tone))]
        .spacing(gap::S)
        .align_y(Alignment::Center);
    if recovery.is_checking() {
        line = line.push(widget::caption("checking with your node…"));
    }
    line.into()
}

fn explanation(attention: usize) -> &'static str {
    if attention == 1 {
        "Your node never received it, so nothing was paid. \u{201c}Send now\u{201d} pays it with \
         the same payment hash; Satchel never sends it again on its own."
    } else {
        "Your node never received them, so nothing was paid. \u{201c}Send now\u{201d} pays one \
         with its own payment hash; Satchel never sends them again on its own."
    }
}

fn item_view<'a>(item: &'a Item, env: &Env<'a>) -> Element<'a, Message> {
    let keysend = &item.entry.keysend;
    let top = row![
        text(recipient(item, env))
            .font(theme::BOLD)
            .wrapping(text::Wrapping::None),
        space::horizontal(),
        text(format::amount(keysend.amount, env.settings.unit))
            .font(theme::BOLD)
            .wrapping(text::Wrapping::None),
    ]
    .spacing(gap::S)
    .align_y(Alignment::Center);
    let (status, tone) = status_line(&item.status, env);
    let details = column![
        top,
        text(preview(item))
            .size(size::BODY)
            .style(theme::muted)
            .wrapping(text::Wrapping::None),
        text(status).size(size::SMALL).style(theme::toned(tone)),
    ]
    .spacing(gap::XS)
    .width(Length::Fill);
    let line = row![details, buttons(item)]
        .spacing(gap::L)
        .align_y(Alignment::Center);
    container(line)
        .padding([10, 14])
        .width(Length::Fill)
        .style(theme::raised_card)
        .into()
}

/// The contact's name, else the short node id.
fn recipient(item: &Item, env: &Env<'_>) -> String {
    let destination = item.entry.keysend.destination;
    env.contacts.by_pubkey(&destination).map_or_else(
        || destination.short(),
        |c| display_safe(&c.name, NAME_CHARS),
    )
}

/// The message (or boostagram message) of the payment, one line.
fn preview(item: &Item) -> String {
    let decoded = incoming::decode(&item.entry.keysend.records);
    match decoded.message {
        Some(message) => format!("\u{201c}{}\u{201d}", display_safe(&message, PREVIEW_CHARS)),
        None => "(no message)".to_owned(),
    }
}

/// What is known, in words and a tone.
pub fn status_line(status: &Status, env: &Env<'_>) -> (String, Tone) {
    match status {
        Status::NotSent => (
            "Not sent · your node never received it".into(),
            Tone::Warning,
        ),
        Status::Sending => ("Sending with the same payment hash…".into(), Tone::Neutral),
        Status::InFlight => (
            "In flight · your node is routing it; followed until it ends".into(),
            Tone::Accent,
        ),
        Status::Discarding => ("Discarding…".into(), Tone::Neutral),
        Status::Succeeded { fee } => (
            format!("Sent · fee {}", format::fee(*fee, env.settings.unit)),
            Tone::Success,
        ),
        Status::Failed(reason) => (format!("Failed · {reason}"), Tone::Danger),
        Status::Unknown(reason) => (
            format!("Not checked · your node could not be asked: {reason}"),
            Tone::Warning,
        ),
        Status::OtherNode(reason) => (format!("Not checked here · {reason}"), Tone::Neutral),
    }
}

fn buttons<'a>(item: &Item) -> Element<'a, Message> {
    let intent = item.entry.intent_id.clone();
    match &item.status {
        Status::NotSent => row![
            widget::primary("Send now", Some(Message::SendNow(intent.clone()))),
            widget::secondary("Discard", Some(Message::Discard(intent))),
        ]
        .spacing(gap::S)
        .into(),
        Status::Sending => widget::primary("Sending…", None).into(),
        Status::Unknown(_) => widget::secondary("Check again", Some(Message::Recheck)).into(),
        Status::Succeeded { .. } | Status::Failed(_) => {
            widget::link("Dismiss", Message::Dismiss(intent)).into()
        }
        Status::InFlight | Status::Discarding | Status::OtherNode(_) => space().into(),
    }
}

/// The hint on screens without the card: "1 payment was not sent · Review".
pub fn hint<'a, M: Clone + 'a>(attention: usize, review: M) -> Option<Element<'a, M>> {
    if attention == 0 {
        return None;
    }
    let label = if attention == 1 {
        "1 payment from your last session was not sent".to_owned()
    } else {
        format!("{attention} payments from your last session were not sent")
    };
    let line = row![
        widget::pill_solid("!", Tone::Warning),
        text(label).size(size::BODY),
        widget::link("Review on the Send screen", review),
    ]
    .spacing(gap::S)
    .align_y(Alignment::Center);
    Some(
        container(line)
            .padding([8, 14])
            .width(Length::Fill)
            .style(theme::notice(Tone::Warning))
            .into(),
    )
}
