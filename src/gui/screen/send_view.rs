//! How the Send screen looks: the compose card with the byte meter and fee
//! line, the confirm step and the live result. Pure functions of `Send`.

use iced::widget::{
    button, column, container, progress_bar, row, space, text, text_editor, text_input, toggler,
};
use iced::{Alignment, Element, Length};

use crate::gui::screen::Env;
use crate::gui::screen::send::{Message, Outcome, PRESETS, Send, Sending, Stage};
use crate::gui::screen::send_outcome::{NOT_SENT, UNKNOWN};
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::keysend::Msat;

/// `1 hop`, `3 hops`.
fn hops(count: u32) -> String {
    if count == 1 {
        "1 hop".into()
    } else {
        format!("{count} hops")
    }
}

/// The whole screen.
pub fn view<'a>(send: &'a Send, env: &Env<'a>) -> Element<'a, Message> {
    let body: Element<'a, Message> = match send.stage() {
        Stage::Compose | Stage::Confirm | Stage::Preparing => compose(send, env),
        Stage::Sending(progress) => sending(progress, env),
        Stage::Done(outcome) => done(outcome, env),
    };
    let content = iced::widget::scrollable(container(body).max_width(760));
    widget::page(
        "Send a tip",
        Some("A keysend straight to a node: no invoice needed.".into()),
        content,
    )
}

fn compose<'a>(send: &'a Send, env: &Env<'a>) -> Element<'a, Message> {
    let locked = send.is_locked();
    let input = |placeholder: &'a str, value: &'a str, on: fn(String) -> Message| {
        let field = text_input(placeholder, value).size(size::BODY);
        if locked {
            field
        } else {
            field.on_input(on).on_submit(Message::Send)
        }
    };
    // A partial contact name with suggestions under it is not an error yet.
    let typed = send.recipient.trim();
    let recipient_error = (!typed.is_empty() && env.contacts.search(typed).is_empty())
        .then(|| send.destination(env).err())
        .flatten();
    let amount_error = (!send.amount.trim().is_empty())
        .then(|| send.amount().err())
        .flatten();
    let mut col = column![
        widget::field(
            "To",
            input(
                "Contact name or node public key",
                &send.recipient,
                Message::RecipientChanged
            )
            .id("send-to"),
            recipient_error
        ),
        suggestions(send, env),
        widget::field(
            "Amount (sats)",
            input("e.g. 1000", &send.amount, Message::AmountChanged).id("send-amount"),
            amount_error
        ),
        presets(locked),
        widget::caption("Message"),
        text_editor(&send.message)
            .placeholder("Say something nice (optional)")
            .on_action(Message::MessageEdited)
            .size(size::BODY)
            .height(92)
            .padding(10)
            .style(theme::editor),
        meter(send, env),
        row![
            toggler(send.sign)
                .label("Sign with my node identity")
                .on_toggle_maybe((!locked).then_some(Message::SignToggled))
                .style(theme::toggle),
            toggler(send.boostagram)
                .label("Send as boostagram")
                .on_toggle_maybe((!locked).then_some(Message::BoostagramToggled))
                .style(theme::toggle),
        ]
        .spacing(gap::L),
        fee_line(
            send,
            env,
            input("default", &send.fee_limit, Message::FeeLimitChanged)
        ),
    ]
    .spacing(gap::M);
    col = col.push(actions(send, env));
    widget::card(col).into()
}

fn suggestions<'a>(send: &'a Send, env: &Env<'a>) -> Element<'a, Message> {
    let typed = send.recipient.trim();
    if let Ok(id) = send.destination(env) {
        return match env.contacts.by_pubkey(&id) {
            Some(contact) => widget::caption(format!("To your contact {}", contact.name)).into(),
            None => widget::caption("Not in your contacts").into(),
        };
    }
    if typed.is_empty() || send.is_locked() {
        return space().into();
    }
    let found = env.contacts.search(typed);
    found
        .into_iter()
        .take(5)
        .fold(row![].spacing(gap::S), |r, contact| {
            r.push(
                button(text(contact.name.as_str()).size(size::BODY))
                    .padding([5, 12])
                    .style(theme::secondary_button)
                    .on_press(Message::ContactPicked(contact.id)),
            )
        })
        .into()
}

fn presets<'a>(locked: bool) -> Element<'a, Message> {
    PRESETS
        .iter()
        .fold(row![].spacing(gap::S), |r, sats| {
            r.push(
                button(text(format::group(*sats)).size(size::BODY))
                    .padding([5, 14])
                    .style(theme::secondary_button)
                    .on_press_maybe((!locked).then_some(Message::Preset(*sats))),
            )
        })
        .into()
}

fn meter<'a>(send: &'a Send, env: &Env<'a>) -> Element<'a, Message> {
    let budget = match send.budget(env.info) {
        Ok(budget) => budget,
        Err(reason) => {
            return text(reason)
                .size(size::SMALL)
                .style(theme::toned(Tone::Danger))
                .into();
        }
    };
    let message_bytes = send.message_text().len();
    let (tone, note) = if budget.fits() {
        (Tone::Neutral, format!("{} bytes left", budget.remaining()))
    } else {
        (
            Tone::Danger,
            format!(
                "{} bytes over: shorten the message",
                budget.used - budget.total
            ),
        )
    };
    column![
        progress_bar(0.0..=1.0, budget.fraction())
            .girth(5)
            .style(theme::progress),
        row![
            widget::caption(format!(
                "Message {message_bytes} bytes · onion {} of {} bytes for {}",
                budget.used,
                budget.total,
                hops(budget.hops)
            )),
            space::horizontal(),
            text(note).size(size::SMALL).style(theme::toned(tone)),
        ]
    ]
    .spacing(gap::XS)
    .into()
}

fn fee_line<'a>(
    send: &'a Send,
    env: &Env<'a>,
    input: text_input::TextInput<'a, Message>,
) -> Element<'a, Message> {
    let estimate: Element<'a, Message> = match &send.estimate {
        None => {
            widget::caption("Fee estimate appears when the recipient and amount are set.").into()
        }
        Some(Ok(e)) => widget::caption(format!(
            "Estimated fee {} · {} · {:.0}% success",
            format::fee(e.fee, env.settings.unit),
            hops(e.hops),
            e.success_probability * 100.0
        ))
        .into(),
        Some(Err(error)) => text(format!("No route estimate: {error}"))
            .size(size::SMALL)
            .style(theme::toned(Tone::Warning))
            .into(),
    };
    let limit = send.fee_limit(env).map_or_else(
        |e| e,
        |m| format!("limit {}", format::fee(m, env.settings.unit)),
    );
    row![
        estimate,
        space::horizontal(),
        widget::caption("Fee limit (sats)"),
        input.width(110).padding(6),
        widget::caption(limit)
    ]
    .spacing(gap::S)
    .align_y(Alignment::Center)
    .into()
}

fn actions<'a>(send: &'a Send, env: &Env<'a>) -> Element<'a, Message> {
    match send.stage() {
        Stage::Confirm => {
            let amount = send
                .amount()
                .map_or_else(|_| String::new(), |a| format::amount(a, env.settings.unit));
            column![
                widget::notice(
                    Tone::Warning,
                    format!("Send {amount}?"),
                    "This is above your confirmation threshold."
                ),
                row![
                    widget::primary("Confirm and send", Some(Message::Send)),
                    widget::secondary("Back", Some(Message::Cancel))
                ]
                .spacing(gap::S),
            ]
            .spacing(gap::S)
            .into()
        }
        Stage::Preparing => row![widget::primary("Sending…", None)].into(),
        _ => {
            let ready = send.destination(env).is_ok() && send.amount().is_ok();
            row![widget::primary("Send", ready.then_some(Message::Send)).width(Length::Shrink)]
                .into()
        }
    }
}

fn sending<'a>(progress: &Sending, env: &Env<'a>) -> Element<'a, Message> {
    let detail = match &progress.update {
        None => "Handing the payment to your node…".to_owned(),
        Some(u) => format!(
            "In flight · {} attempt(s) · {}",
            u.attempts,
            format::amount(u.amount, env.settings.unit)
        ),
    };
    let mut col = column![
        text("Sending…").size(size::TITLE).font(theme::BOLD),
        text(detail).style(theme::muted),
        progress_bar(0.0..=1.0, 0.5).girth(5).style(theme::progress),
    ]
    .spacing(gap::M);
    if let Some(warning) = &progress.warning {
        // Not an end: the payment is still followed until the node's final word.
        col = col.push(widget::notice(
            Tone::Warning,
            "Still following the payment",
            warning.clone(),
        ));
    }
    col = col.push(widget::hint(
        "You can leave this screen; the payment continues and is tracked until it ends.",
    ));
    widget::card(col).into()
}

fn done<'a>(outcome: &'a Outcome, env: &Env<'a>) -> Element<'a, Message> {
    let summary: Element<'a, Message> = match outcome {
        Outcome::Succeeded { update, elapsed } => widget::notice(
            Tone::Success,
            format!("Sent {}", format::amount(update.amount, env.settings.unit)),
            format!(
                "Payment succeeded · fee {} · {} · {}",
                format::fee(update.fee, env.settings.unit),
                hops(update.hops),
                format::seconds(*elapsed)
            ),
        ),
        Outcome::Failed { title, explanation } => {
            widget::notice(Tone::Danger, title.clone(), explanation.clone())
        }
        Outcome::NotSent => widget::notice(Tone::Warning, "Not sent", NOT_SENT),
        Outcome::Unknown { reason } => widget::notice(
            Tone::Warning,
            "Outcome not known yet",
            reason
                .as_ref()
                .map_or_else(|| UNKNOWN.to_owned(), |r| format!("{r}. {UNKNOWN}")),
        ),
    };
    let fee_total = match outcome {
        Outcome::Succeeded { update, .. } => Msat(update.amount.0 + update.fee.0),
        _ => Msat::ZERO,
    };
    let mut col = column![summary].spacing(gap::M);
    if fee_total > Msat::ZERO {
        col = col.push(widget::caption(format!(
            "Total spent {}",
            format::fee(fee_total, env.settings.unit)
        )));
    }
    // A new payment (new hash) only after a definite failure: after "not
    // sent" or an unknown end the recovery card above is the only way on.
    let buttons = if outcome.can_retry() {
        row![
            widget::primary("Edit and retry", Some(Message::EditAndRetry)),
            widget::secondary("New tip", Some(Message::NewTip))
        ]
    } else {
        row![widget::primary("New tip", Some(Message::NewTip))]
    };
    col.push(buttons.spacing(gap::S)).into()
}
