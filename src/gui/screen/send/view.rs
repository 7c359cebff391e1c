//! How the Send screen looks: the compose card with the byte meter and fee
//! line, the confirm step and the live result. Pure functions of `Send`.
//! Fees and limits on the form are in sats, like the fields they sit next
//! to, whatever unit the rest of the app shows.

use iced::widget::{
    button, column, container, progress_bar, row, space, text, text_editor, text_input, toggler,
};
use iced::{Alignment, Element, Length};

use super::outcome::{NOT_SENT, UNKNOWN};
use super::{FormError, Message, NotReady, Outcome, PRESETS, Send, Sending, Stage, asks_first};
use crate::gui::screen::Env;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::keysend::Msat;
use crate::keysend::record::format_assignments;
use crate::keysend::text::display_safe;
use crate::wallet::Draft;
use crate::wallet::draft::fee_question;

/// Characters of the message shown on the confirm card.
const PREVIEW_CHARS: usize = 140;

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
        Stage::Compose | Stage::Preparing => compose(send, env),
        // A short card of its own, so its buttons are never below the fold.
        Stage::Confirm => widget::card(confirm(send, env)).into(),
        Stage::Sending(progress) => sending(progress, env),
        Stage::Done(outcome) => done(send, outcome, env),
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
    let draft = send.draft(env);
    // A partial contact name with suggestions under it is not an error yet.
    let recipient_error = match &draft {
        Err(FormError::Payto(_) | FormError::ByInvoice) => None, // the card says it
        Err(FormError::Recipient(e)) if send.suggestions(env).is_empty() => {
            (!send.recipient.trim().is_empty()).then(|| widget::sentence(&e.to_string()))
        }
        _ => None,
    };
    let amount_error = (!send.amount.trim().is_empty())
        .then(|| send.amount().err())
        .flatten()
        .map(|e| widget::sentence(&e.to_string()));
    let to = input(
        "Contact, node public key, user@domain, lnurl or invoice",
        &send.recipient,
        Message::RecipientChanged,
    )
    .id("send-to");
    // Enter in "To" picks the suggestion rather than sending a half form.
    let to = if locked {
        to
    } else {
        to.on_submit(Message::RecipientSubmitted)
    };
    let col = column![
        widget::field("To", to, recipient_error),
        recipient(send, env),
        row![
            container(widget::field(
                "Amount (sats)",
                input("e.g. 1000", &send.amount, Message::AmountChanged).id("send-amount"),
                amount_error
            ))
            .width(Length::FillPortion(2)),
            container(presets(locked)).padding([22, 0]),
        ]
        .spacing(gap::M),
        widget::caption("Message"),
        text_editor(&send.message)
            .placeholder("Say something nice (optional)")
            .on_action(Message::MessageEdited)
            .size(size::BODY)
            .height(72)
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
        records(
            send,
            input(
                "TYPE=HEX, TYPE=HEX (optional)",
                &send.records,
                Message::RecordsChanged
            )
        ),
        fee_line(
            send,
            env,
            input("default", &send.fee_limit, Message::FeeLimitChanged)
        ),
        actions(send, env),
    ]
    .spacing(gap::M);
    widget::card(col).into()
}

/// Who the tip goes to, the suggestions while a name is typed, and what
/// the graph warns about.
fn recipient<'a>(send: &'a Send, env: &Env<'a>) -> Element<'a, Message> {
    if let Some(card) = super::payto::card(send, env) {
        return card;
    }
    if let Ok(found) = env.contacts.resolve(&send.recipient, false) {
        let who = match found.contact {
            Some(contact) => format!("To your contact {}", contact.name),
            None => "Not in your contacts".to_owned(),
        };
        let warning = send.probe(env).and_then(|p| p.warning());
        let mut lines = column![widget::caption(who)].spacing(gap::XS);
        if let Some(warning) = warning {
            lines = lines.push(
                text(widget::sentence(&warning.to_string()))
                    .size(size::SMALL)
                    .style(theme::toned(Tone::Warning)),
            );
        }
        if let Some(why) = send.receiver_explanation(env) {
            lines = lines.push(widget::caption(widget::sentence(&why)));
        }
        if let Some(even) = even_records_note(send, env) {
            lines = lines.push(widget::caption(even));
        }
        return lines.into();
    }
    if send.is_locked() {
        return space().into();
    }
    send.suggestions(env)
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

/// Even records in this tip (the message 34349334 is one): Core Lightning
/// strips them, an LDK wallet may refuse the payment (issue 17).
fn even_records_note(send: &Send, env: &Env<'_>) -> Option<String> {
    let records = send.draft(env).ok()?.tip.records().ok()?;
    let even = crate::wallet::receiver::even_records(&records);
    (!even.is_empty()).then(|| {
        widget::sentence(&crate::wallet::receiver::ReceiverWarning::EvenRecords(even).explain())
    })
}

/// This tip's extra records, with the contact's shown beside them.
fn records<'a>(send: &'a Send, field: text_input::TextInput<'a, Message>) -> Element<'a, Message> {
    let contact = (!send.contact_records.is_empty()).then(|| {
        widget::caption(format!(
            "Contact's records: {}",
            format_assignments(&send.contact_records)
        ))
    });
    let error = match crate::keysend::record::parse_assignments(&send.records) {
        Err(e) => Some(widget::sentence(&e.to_string())),
        Ok(_) => None,
    };
    // Label beside the field: the form stays short enough for a laptop screen.
    let invalid = error.is_some();
    let mut col = column![
        row![
            widget::caption("Extra records"),
            field.padding(8).style(theme::input(invalid))
        ]
        .spacing(gap::S)
        .align_y(Alignment::Center)
    ]
    .spacing(gap::XS);
    col = widget::with_error(col, error);
    if let Some(contact) = contact {
        col = col.push(contact);
    }
    col.into()
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
    let budget = match send.budget(env) {
        Ok(budget) => budget,
        // The field says what is wrong.
        Err(NotReady::Form(_)) => return space().into(),
        Err(NotReady::Tip(reason)) => {
            return text(widget::sentence(&reason.to_string()))
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
            format!("{} bytes over: shorten the message", budget.over()),
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
    let estimate: Element<'a, Message> = match send.probe(env).map(|p| &p.route) {
        None => widget::caption("The fee estimate appears when the recipient and amount are set.")
            .into(),
        Some(Ok(e)) => widget::caption(format!(
            "Estimated fee {} · {} · {:.0}% success",
            e.fee,
            hops(e.hops),
            e.success_probability * 100.0
        ))
        .into(),
        Some(Err(error)) => text(format!("No route found: {error}"))
            .size(size::SMALL)
            .style(theme::toned(Tone::Warning))
            .into(),
    };
    // The rule that set the limit is shown, in sats like the field.
    let limit = match send.draft(env) {
        Ok(draft) => format!("limit {}: {}", draft.fee_limit, draft.fee_rule),
        Err(e @ FormError::FeeLimit(_)) => widget::sentence(&e.to_string()),
        Err(_) => String::new(),
    };
    let mut col = column![
        row![
            widget::caption("Fee limit (sats)"),
            input.width(110).padding(6),
            widget::caption(limit)
        ]
        .spacing(gap::S)
        .align_y(Alignment::Center),
        estimate,
    ]
    .spacing(gap::XS);
    if let Some(fiat) = send.draft(env).ok().and_then(|d| env.fiat(d.amount)) {
        col = col.push(widget::caption(format!("Amount {fiat}")));
    }
    col.into()
}

fn actions<'a>(send: &'a Send, env: &Env<'a>) -> Element<'a, Message> {
    match send.stage() {
        Stage::Preparing => row![widget::primary("Sending…", None)].into(),
        _ => {
            let ready = send.ready(env);
            let by_invoice = matches!(send.invoice_amount(), Some(Ok(_)));
            let button = widget::primary(
                "Send",
                (ready.is_ok() || by_invoice).then_some(Message::Send),
            );
            let why: Element<'a, Message> = match &ready {
                // Only what no field shows: records that cannot go, an oversize tip.
                Err(NotReady::Tip(reason)) => text(widget::sentence(&reason.to_string()))
                    .size(size::SMALL)
                    .style(theme::toned(Tone::Danger))
                    .into(),
                _ => space().into(),
            };
            let probe =
                widget::secondary("Probe first", ready.is_ok().then_some(Message::ProbeFirst));
            let found = send.probe_first_text().map(widget::caption);
            let buttons = row![button.width(Length::Shrink), probe, why]
                .spacing(gap::M)
                .align_y(Alignment::Center);
            match found {
                Some(found) => column![buttons, found].spacing(gap::XS).into(),
                None => buttons.into(),
            }
        }
    }
}

/// The second click: what is sent, and every reason it is asked for.
fn confirm<'a>(send: &'a Send, env: &Env<'a>) -> Element<'a, Message> {
    if let Some(card) = super::payto::confirm(send, env) {
        return card;
    }
    let Ok(draft) = send.draft(env) else {
        return space().into();
    };
    let mut reasons = Vec::new();
    if draft.amount > env.settings.confirm_above {
        reasons.push("This is above your confirmation threshold.".to_owned());
    }
    if draft.fee_above_amount() {
        reasons.push(fee_question(&draft));
    }
    debug_assert!(asks_first(&draft, env) != reasons.is_empty());
    let mut details = column![
        widget::caption(addressee(&draft, env)),
        widget::caption(format!("Fee limit {}: {}", draft.fee_limit, draft.fee_rule)),
    ]
    .spacing(gap::XS);
    if let Some(message) = draft.tip.message_text() {
        let signed = if draft.sign { " (signed)" } else { "" };
        details = details.push(widget::caption(format!(
            "Message{signed}: {}",
            display_safe(message, PREVIEW_CHARS)
        )));
    }
    if let Some(fiat) = env.fiat(draft.amount) {
        details = details.push(widget::caption(fiat));
    }
    if !draft.tip.extra.is_empty() {
        details = details.push(widget::caption(format!(
            "Records: {}",
            display_safe(&format_assignments(&draft.tip.extra), PREVIEW_CHARS)
        )));
    }
    column![
        widget::notice(
            Tone::Warning,
            format!("Send {}?", format::amount(draft.amount, env.settings.unit)),
            reasons.join(" ")
        ),
        details,
        row![
            widget::primary("Confirm and send", Some(Message::Send)),
            widget::secondary("Back", Some(Message::Cancel))
        ]
        .spacing(gap::S),
    ]
    .spacing(gap::M)
    .into()
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

/// Who a tip goes (or went) to: the contact's name with a short key, or the
/// whole key of a node that is not a contact.
fn addressee(draft: &Draft, env: &Env<'_>) -> String {
    match env.contacts.by_pubkey(&draft.destination) {
        Some(contact) => format!("To {} ({})", contact.name, draft.destination.short()),
        None => format!("To {}", draft.destination.to_hex()),
    }
}

/// The end of a tip: what happened, to whom, and what may be done next.
fn done<'a>(send: &'a Send, outcome: &'a Outcome, env: &Env<'a>) -> Element<'a, Message> {
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
    // The form is locked from the click on: it still names the recipient.
    if let Ok(draft) = send.draft(env) {
        col = col.push(widget::caption(addressee(&draft, env)));
    }
    if fee_total > Msat::ZERO {
        col = col.push(widget::caption(format!(
            "Total spent {}",
            format::fee(fee_total, env.settings.unit)
        )));
    }
    // A new payment (new hash) only after a definite failure: after "not
    // sent" or an unknown end the recovery card above is the only way on.
    if send.offers_amp() {
        col = col.push(widget::notice(
            Tone::Accent,
            "The receiver accepts AMP",
            "AMP splits the same tip over several paths (shards), which helps when one channel \
             cannot carry it or the receiver does not take keysend.",
        ));
        if let Some(estimate) = send.amp_estimate_text() {
            col = col.push(widget::caption(estimate));
        }
    }
    let buttons = if send.offers_amp() {
        row![
            widget::primary("Send as AMP", Some(Message::SendAsAmp)),
            widget::secondary("Edit and retry", Some(Message::EditAndRetry)),
            widget::secondary("New tip", Some(Message::NewTip))
        ]
    } else if outcome.can_retry() {
        row![
            widget::primary("Edit and retry", Some(Message::EditAndRetry)),
            widget::secondary("New tip", Some(Message::NewTip))
        ]
    } else {
        row![widget::primary("New tip", Some(Message::NewTip))]
    };
    col.push(buttons.spacing(gap::S)).into()
}
