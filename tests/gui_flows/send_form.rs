//! The Send form against the simulator: Tip on a contact always opens a
//! fresh form for that contact, Enter in "To" picks the suggestion, an
//! oversize message disables Send with the reason (not "no route"), the
//! keysend warning and the fee-limit rule show, per-send records go out,
//! and "Confirm and send" is on screen at 1280x800.

use std::sync::Arc;

use iced::keyboard::key::Named;
use iced::widget::text_editor::{Action as EditorAction, Edit};
use iced_test::selector;
use satchel::gui::screen::contacts::Message as ContactsMessage;
use satchel::gui::screen::send::{Message as SendMessage, Outcome, Stage};
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::keysend::{Msat, NodeId, onion};
use satchel::store::{ContactBook, NewContact, Settings};
use satchel::wallet::Journal;

use super::gui_support::Harness;
use super::stage;

fn send(h: &mut Harness, message: SendMessage) {
    h.update(Message::Session(SessionMessage::Send(message)));
}

fn no_confirm() -> Settings {
    Settings {
        confirm_above: Msat::from_sat(u64::MAX / 1000),
        ..Harness::quiet_settings()
    }
}

/// A demo node's id, by its graph alias.
fn demo(alias: &str) -> NodeId {
    satchel::sim::demo_contacts()
        .into_iter()
        .find(|(name, _, _)| name == alias)
        .map(|(_, id, _)| id)
        .unwrap_or_else(|| panic!("no demo node {alias:?}"))
}

fn contacts(names: &[(&str, NodeId)]) -> ContactBook {
    let mut book = ContactBook::new();
    for (name, id) in names {
        let _ = book.add(NewContact::new(*name, *id)).expect("contact");
    }
    book
}

fn form(h: &Harness) -> &satchel::gui::screen::send::Send {
    h.app.session().expect("connected").send()
}

fn paste(h: &mut Harness, text: &str) {
    send(
        h,
        SendMessage::MessageEdited(EditorAction::Edit(Edit::Paste(Arc::new(text.into())))),
    );
}

/// Issue 10.1: after a send, Tip on a contact must not land on the old
/// outcome card (whose "Edit and retry" brought back the old recipient).
#[test]
fn tip_on_a_contact_after_a_send_opens_a_fresh_form_for_that_contact() {
    let alice = demo("Alice's node");
    let mut h = Harness::start(0, no_confirm(), contacts(&[("Alice", alice)]));
    let erin = h.node("erin");
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(&mut h, SendMessage::RecipientChanged(erin.to_hex()));
    send(&mut h, SendMessage::AmountChanged("100".into()));
    paste(&mut h, "for erin");
    send(&mut h, SendMessage::Send);
    assert!(
        matches!(stage(&h), Stage::Done(Outcome::Failed { .. })),
        "{:?}",
        stage(&h)
    );

    h.update(Message::Session(SessionMessage::Navigate(Screen::Contacts)));
    h.update(Message::Session(SessionMessage::Contacts(
        ContactsMessage::Tip(1),
    )));
    let form = form(&h);
    assert_eq!(
        *form.stage(),
        Stage::Compose,
        "a fresh form, not the old card"
    );
    assert_eq!(form.recipient_text(), alice.to_hex());
    assert_eq!(form.message_text(), "");
    assert!(!h.shows("Edit and retry"));
    assert!(h.shows("To your contact Alice"));
}

/// Issue 10.17: Enter in "To" with a partial name picks the suggestion
/// instead of submitting a form that cannot be sent.
#[test]
fn enter_in_to_picks_the_suggestion() {
    let rita = demo("Alice's node");
    let mut h = Harness::start(0, no_confirm(), contacts(&[("Rita", rita)]));
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(&mut h, SendMessage::RecipientChanged("r".into()));
    assert!(h.shows("Rita"), "the suggestion");
    h.interact(|ui| {
        let _ = ui.click(selector::id("send-to")).expect("the To field");
        let _ = ui.tap_key(Named::Enter);
    });
    let form = form(&h);
    assert_eq!(*form.stage(), Stage::Compose, "{:?}", form.stage());
    assert_eq!(form.recipient_text(), rita.to_hex());
    assert!(h.shows("To your contact Rita"));
    // Enter again, with no amount yet: nothing is sent, no failure card.
    h.interact(|ui| {
        let _ = ui.click(selector::id("send-to")).expect("the To field");
        let _ = ui.tap_key(Named::Enter);
    });
    assert_eq!(stage(&h), Stage::Compose);
}

/// Issue 10.18: an oversize message disables Send and says why; the
/// estimate is the route's (not "no route"); one hop rule with the CLI.
#[test]
fn an_oversize_message_disables_send_and_the_estimate_still_finds_the_route() {
    let mut h = Harness::start(0, no_confirm(), ContactBook::new());
    let grace = h.node("grace");
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(&mut h, SendMessage::RecipientChanged(grace.to_hex()));
    send(&mut h, SendMessage::AmountChanged("100".into()));
    let fits = onion::max_message_bytes(3, Msat::from_sat(100), &Default::default());
    paste(&mut h, &"x".repeat(fits + 1));
    let route = form(&h).probed().map(|p| p.route.clone());
    let hops = match route {
        Some(Ok(route)) => route.hops,
        other => panic!("a route, not \"no route\": {other:?}"),
    };
    assert_eq!(hops, 3, "grace is three hops away");
    assert!(h.shows("1 bytes over: shorten the message"));
    assert!(
        h.shows(
            "The message and records are too large for a 3-hop route (1301 of 1300 onion \
             bytes); shorten the message by at least 1 bytes"
        ),
        "Send says why it is disabled"
    );
    // Enter or a click on the disabled button sends nothing.
    send(&mut h, SendMessage::Send);
    assert_eq!(stage(&h), Stage::Compose);
    let sent = h
        .runtime
        .block_on(h.client().sent_page(0, 100))
        .expect("sent");
    assert!(sent.items.is_empty());
}

/// Issue 10.18: the GUI warns about a node without keysend, like the CLI.
#[test]
fn a_node_without_keysend_is_warned_about() {
    let mut h = Harness::start(0, no_confirm(), ContactBook::new());
    let erin = h.node("erin");
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(&mut h, SendMessage::RecipientChanged(erin.to_hex()));
    send(&mut h, SendMessage::AmountChanged("100".into()));
    assert!(
        h.shows(
            "This node does not advertise keysend support (feature bit 55); it will probably \
             refuse the payment"
        ),
        "the warning"
    );
}

/// Issue 10.3: the fee limit shows the rule that set it, in sats next to
/// the sats field even in BTC mode.
#[test]
fn the_fee_limit_shows_the_rule_that_applies() {
    let settings = Settings {
        unit: satchel::store::AmountUnit::Btc,
        ..no_confirm()
    };
    let mut h = Harness::start(0, settings, ContactBook::new());
    let bob = h.node("bob");
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(&mut h, SendMessage::RecipientChanged(bob.to_hex()));
    send(&mut h, SendMessage::AmountChanged("21".into()));
    assert!(
        h.shows("limit 10 sat: the 10 sat minimum (1 % would be 0.210 sat)"),
        "the floor is said"
    );
    send(&mut h, SendMessage::AmountChanged("5000".into()));
    assert!(h.shows("limit 50 sat: 1 % of the amount"));
    send(&mut h, SendMessage::FeeLimitChanged("7".into()));
    assert!(h.shows("limit 7 sat: as typed"));
}

/// Issue 10.12: a fee limit above the amount is asked about first.
#[test]
fn a_fee_limit_above_the_amount_is_confirmed_first() {
    let mut h = Harness::start(0, no_confirm(), ContactBook::new());
    let bob = h.node("bob");
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(&mut h, SendMessage::RecipientChanged(bob.to_hex()));
    send(&mut h, SendMessage::AmountChanged("20".into()));
    send(&mut h, SendMessage::FeeLimitChanged("50".into()));
    send(&mut h, SendMessage::Send);
    assert_eq!(stage(&h), Stage::Confirm);
    assert!(h.shows(
        "The fee limit (50 sat) is more than the tip (20 sat): routing could cost more than you \
         send."
    ));
    send(&mut h, SendMessage::Send);
    assert!(
        matches!(stage(&h), Stage::Done(Outcome::Succeeded { .. })),
        "{:?}",
        stage(&h)
    );
}

/// Issue 10.30: records typed for one tip go out with it.
#[test]
fn records_typed_for_one_tip_are_sent() {
    let mut h = Harness::start(0, no_confirm(), ContactBook::new());
    let bob = h.node("bob");
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(&mut h, SendMessage::RecipientChanged(bob.to_hex()));
    send(&mut h, SendMessage::AmountChanged("100".into()));
    send(&mut h, SendMessage::RecordsChanged("70000=6869".into()));
    send(&mut h, SendMessage::Send);
    assert!(
        matches!(stage(&h), Stage::Done(Outcome::Succeeded { .. })),
        "{:?}",
        stage(&h)
    );
    let journal = Journal::open_profile(&h.profile).expect("journal opens");
    let entry = journal
        .get(form(&h).intent_id().as_str())
        .expect("journal read")
        .expect("the tip is journaled");
    assert_eq!(
        entry.keysend.records.get(&70_000).map(Vec::as_slice),
        Some(&b"hi"[..])
    );
}

/// Issue 10.19: at 1280x800 the confirm button is on screen without scrolling.
#[test]
fn confirm_and_send_is_on_screen_at_1280_by_800() {
    let settings = Settings {
        confirm_above: Msat::from_sat(50),
        ..Harness::quiet_settings()
    };
    let mut h = Harness::start(0, settings, ContactBook::new());
    let bob = h.node("bob");
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(&mut h, SendMessage::RecipientChanged(bob.to_hex()));
    send(&mut h, SendMessage::AmountChanged("100".into()));
    paste(&mut h, "a message of a few words");
    send(&mut h, SendMessage::SignToggled(true));
    send(&mut h, SendMessage::Send);
    assert_eq!(stage(&h), Stage::Confirm);
    let window = iced::Size::new(1280.0, 800.0);
    let mut ui = h.ui_at(window);
    let button = ui.find("Confirm and send").expect("the button");
    let bounds = button.bounds();
    let visible = button.visible_bounds();
    // Fully visible, give or take the layout's rounding.
    let whole =
        visible.is_some_and(|v| v.height >= bounds.height - 0.5 && v.width >= bounds.width - 0.5);
    assert!(
        whole && bounds.y + bounds.height <= window.height,
        "{bounds:?} (visible {visible:?}) is not inside the {window:?} window"
    );
}
