//! The Send screen after a failure: "Edit and retry" keeps the form and
//! makes a new payment; amount plus fee limit is checked against what the
//! node can send, with the specific reason shown.

use std::sync::Arc;

use iced::widget::text_editor::{Action as EditorAction, Edit};
use satchel::gui::screen::send::{Message as SendMessage, Outcome, Stage};
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::keysend::Msat;
use satchel::node::PaymentFailure;
use satchel::store::{ContactBook, Settings};

use super::gui_support::Harness;

fn send(h: &mut Harness, message: SendMessage) {
    h.update(Message::Session(SessionMessage::Send(message)));
}

fn stage(h: &Harness) -> Stage {
    h.app.session().expect("connected").send().stage().clone()
}

fn failed(h: &Harness) -> Option<String> {
    match stage(h) {
        Stage::Done(Outcome::Failed { explanation, .. }) => Some(explanation),
        _ => None,
    }
}

/// A tip to `to` with a message, signed, with a fee limit, sent at once
/// (no confirm step).
fn compose_and_send(h: &mut Harness, to: String, sats: &str) {
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    for message in [
        SendMessage::RecipientChanged(to),
        SendMessage::AmountChanged(sats.into()),
        SendMessage::MessageEdited(EditorAction::Edit(Edit::Paste(Arc::new(
            "thanks for the show".into(),
        )))),
        SendMessage::SignToggled(true),
        SendMessage::FeeLimitChanged("7".into()),
        SendMessage::Send,
    ] {
        send(h, message);
    }
}

fn no_confirm() -> Settings {
    Settings {
        confirm_above: Msat::from_sat(u64::MAX / 1000),
        ..Harness::quiet_settings()
    }
}

#[test]
fn edit_and_retry_keeps_the_form_and_sends_a_new_payment() {
    let mut h = Harness::start(0, no_confirm(), ContactBook::new());
    let erin = h.node("erin").to_hex();
    compose_and_send(&mut h, erin.clone(), "100");
    let refused = PaymentFailure::ReceiverRefusedKeysend.explain();
    assert_eq!(failed(&h).as_deref(), Some(refused), "{:?}", stage(&h));
    assert!(h.shows("New tip"), "a fresh start is still offered");
    let first_intent = h.app.session().unwrap().send().intent_id().to_owned();

    h.interact(|ui| {
        let _ = ui.click("Edit and retry").expect("the retry button");
    });
    let form = h.app.session().unwrap().send();
    assert_eq!(*form.stage(), Stage::Compose);
    assert_eq!(form.recipient_text(), erin);
    assert_eq!(form.amount(), Ok(Msat::from_sat(100)));
    assert_eq!(form.message_text(), "thanks for the show");
    assert!(form.signs());
    assert_eq!(form.fee_limit_text(), "7");
    assert_ne!(*form.intent_id(), first_intent, "a retry is a new payment");

    // The journal takes it as a new payment (a reused intent would be
    // refused as a double submit), and the node says why it failed again.
    send(&mut h, SendMessage::Send);
    assert_eq!(failed(&h).as_deref(), Some(refused), "{:?}", stage(&h));
}

#[test]
fn new_tip_after_a_failure_clears_the_form() {
    let mut h = Harness::start(0, no_confirm(), ContactBook::new());
    let erin = h.node("erin").to_hex();
    compose_and_send(&mut h, erin, "100");
    assert!(failed(&h).is_some());
    h.interact(|ui| {
        let _ = ui.click("New tip").expect("the new tip button");
    });
    let form = h.app.session().unwrap().send();
    assert_eq!(
        (form.recipient_text(), form.message_text().as_str()),
        ("", "")
    );
}

#[test]
fn nearly_the_whole_balance_with_its_fee_limit_is_refused_before_sending() {
    let mut h = Harness::start(0, no_confirm(), ContactBook::new());
    let spendable = h
        .runtime
        .block_on(h.client().balance())
        .expect("balance")
        .local;
    // Grace is three hops away: the route has a fee, so the limit counts.
    let sats = (spendable.sats() - 3).to_string();
    let grace = h.node("grace").to_hex();
    compose_and_send(&mut h, grace, &sats);
    let explanation = failed(&h).unwrap_or_else(|| panic!("{:?}", stage(&h)));
    assert!(
        explanation.contains("plus routing fees (limit 7 sat) is more than your node can send"),
        "{explanation}"
    );
    assert!(h.shows(&explanation));
    let sent = h
        .runtime
        .block_on(h.client().sent_page(0, 100))
        .expect("sent");
    assert!(sent.items.is_empty(), "nothing reached the node");
}
