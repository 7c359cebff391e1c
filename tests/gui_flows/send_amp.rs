//! "Send as AMP" on the Send screen (issue 17): a tip too large for any one
//! path fails as keysend; the receiver announces AMP, so the outcome offers
//! AMP, and one click pays it in shards.

use satchel::gui::screen::send::{Message as SendMessage, Outcome, Stage};
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::keysend::Msat;
use satchel::node::PaymentStatus;
use satchel::store::{ContactBook, Settings};

use super::gui_support::Harness;

fn send(h: &mut Harness, message: SendMessage) {
    h.update(Message::Session(SessionMessage::Send(message)));
}

fn stage(h: &Harness) -> Stage {
    h.app.session().unwrap().send().stage().clone()
}

#[test]
fn a_large_tip_that_fails_as_keysend_is_offered_and_sent_as_amp() {
    let settings = Settings {
        confirm_above: Msat::from_sat(u64::MAX / 1000),
        ..Harness::quiet_settings()
    };
    let mut h = Harness::start(0, settings, ContactBook::new());
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    let oscar = h.node("oscar").to_hex();
    send(&mut h, SendMessage::RecipientChanged(oscar));
    send(&mut h, SendMessage::AmountChanged("2500000".into()));
    send(&mut h, SendMessage::FeeLimitChanged("5000".into()));
    send(&mut h, SendMessage::Send);
    assert!(
        matches!(stage(&h), Stage::Done(Outcome::Failed { .. })),
        "no single path: {:?}",
        stage(&h)
    );
    assert!(h.app.session().unwrap().send().offers_amp());
    // Before the click: the shards and the fee they will cost.
    let estimate = "Estimated: 2 shards, fee 377 sat in all.";
    assert!(h.shows(estimate), "the AMP card shows its estimate");
    h.interact(|ui| {
        let _ = ui.click("Send as AMP").expect("the offer");
    });
    let Stage::Done(Outcome::Succeeded { update, .. }) = stage(&h) else {
        panic!("expected the AMP payment to succeed: {:?}", stage(&h));
    };
    assert!(matches!(update.status, PaymentStatus::Succeeded { .. }));
    assert_eq!(update.attempts, 2, "shards as estimated");
    assert_eq!(update.fee, Msat(377_000), "the fee as estimated");
    assert_eq!(update.amount, Msat::from_sat(2_500_000));
    // Journaled like a keysend, under the set id the node drew.
    let intent = h.app.session().unwrap().send().intent_id().to_string();
    let journal = satchel::wallet::Journal::open_profile(&h.profile).expect("journal opens");
    let entry = journal.get(&intent).unwrap().expect("journaled");
    assert!(entry.keysend.is_amp());
    assert_eq!(entry.hash(), update.hash);
    assert_eq!(entry.state, satchel::wallet::JournalState::Succeeded);
    // A second click on the same offer pays nothing more.
    send(&mut h, SendMessage::SendAsAmp);
    assert!(
        matches!(stage(&h), Stage::Done(Outcome::Succeeded { .. })),
        "{:?}",
        stage(&h)
    );
}

#[test]
fn a_failed_tip_to_a_receiver_without_amp_offers_no_amp() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    let ivan = h.node("ivan").to_hex();
    send(&mut h, SendMessage::RecipientChanged(ivan));
    send(&mut h, SendMessage::AmountChanged("100".into()));
    send(&mut h, SendMessage::Send);
    assert!(
        matches!(stage(&h), Stage::Done(Outcome::Failed { .. })),
        "{:?}",
        stage(&h)
    );
    assert!(!h.app.session().unwrap().send().offers_amp());
    assert!(!h.shows("Send as AMP"));
}

#[test]
fn a_message_is_flagged_as_an_even_record_before_sending() {
    use iced::widget::text_editor::{Action, Edit};
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    let heidi = h.node("heidi").to_hex();
    send(&mut h, SendMessage::RecipientChanged(heidi));
    send(&mut h, SendMessage::AmountChanged("100".into()));
    assert!(!h.shows(EVEN_NOTE), "no message, no even record");
    send(
        &mut h,
        SendMessage::MessageEdited(Action::Edit(Edit::Paste(std::sync::Arc::new("gm".into())))),
    );
    assert!(h.shows(EVEN_NOTE), "the even message is flagged");
}

const EVEN_NOTE: &str = "Record 34349334 is even: a Core Lightning receiver strips unknown even \
                         records (the message will not arrive) and an LDK wallet may refuse the \
                         whole payment";

/// A contact for the sim's private kate, holding the hint her owner would
/// paste (when `hinted`).
fn kate_book(h_kate: satchel::keysend::NodeId, hinted: bool) -> ContactBook {
    let mut book = ContactBook::new();
    let id = book
        .add(satchel::store::NewContact::new("kate", h_kate))
        .unwrap();
    if hinted {
        let hint = satchel::sim::route_hint_to("kate").expect("kate has a private channel");
        book.set_route_hints(id, vec![hint]).unwrap();
    }
    book
}

fn kate_id() -> satchel::keysend::NodeId {
    satchel::sim::demo_node_id("kate").expect("a demo node")
}

/// A 1,000 sat tip to the contact "kate" from the Send screen.
fn tip_kate(hinted: bool) -> Harness {
    let mut h = Harness::start(0, Harness::quiet_settings(), kate_book(kate_id(), hinted));
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(&mut h, SendMessage::RecipientChanged("kate".into()));
    send(&mut h, SendMessage::AmountChanged("1000".into()));
    h
}

#[test]
fn a_tip_to_a_contact_with_route_hints_reaches_the_private_node() {
    let mut without = tip_kate(false);
    send(&mut without, SendMessage::Send);
    assert!(
        matches!(stage(&without), Stage::Done(Outcome::Failed { .. })),
        "a private node without hints: {:?}",
        stage(&without)
    );

    let mut h = tip_kate(true);
    send(&mut h, SendMessage::Send);
    let Stage::Done(Outcome::Succeeded { update, .. }) = stage(&h) else {
        panic!("the contact's hints reach kate: {:?}", stage(&h));
    };
    assert_eq!(update.amount, Msat::from_sat(1_000));
    // The hints are kept with the payment in the journal (a resend uses them).
    let intent = h.app.session().unwrap().send().intent_id().to_string();
    let journal = satchel::wallet::Journal::open_profile(&h.profile).expect("journal opens");
    let entry = journal.get(&intent).unwrap().expect("journaled");
    let routing = entry.keysend.routed().expect("routing kept").routing;
    assert_eq!(routing.route_hints.len(), 1, "{routing:?}");
}

#[test]
fn probe_first_shows_reachability_and_fee_and_pays_nothing() {
    let mut h = tip_kate(true);
    h.interact(|ui| {
        let _ = ui.click("Probe first").expect("the probe button");
    });
    let found = h.app.session().unwrap().send().probe_first_text();
    let found = found.expect("the probe's answer");
    assert!(
        found.starts_with("Reachable over 3 hops; routing fee")
            && found.ends_with("Nothing was paid."),
        "{found}"
    );
    assert!(h.shows(&found), "shown on the form");
    assert!(matches!(stage(&h), Stage::Compose), "still composing");
    let node = h.client();
    let paid = h
        .runtime
        .block_on(node.sent_page(0, 100))
        .expect("payments")
        .items
        .into_iter()
        .filter(|p| matches!(p.status, PaymentStatus::Succeeded { .. }))
        .count();
    assert_eq!(paid, 0, "a probe pays nothing");

    // Without the hints the probe finds no way in, and says so.
    let mut stranger = tip_kate(false);
    stranger.interact(|ui| {
        let _ = ui.click("Probe first").expect("the probe button");
    });
    let found = stranger.app.session().unwrap().send().probe_first_text();
    assert!(
        found
            .as_deref()
            .is_some_and(|t| t.starts_with("Not reachable")),
        "{found:?}"
    );
}

/// The recipient card for a tip of 100 sat to demo node `name`, before
/// anything is sent.
fn before_sending(name: &str) -> Harness {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    let id = h.node(name).to_hex();
    send(&mut h, SendMessage::RecipientChanged(id));
    send(&mut h, SendMessage::AmountChanged("100".into()));
    h
}

#[test]
fn a_receiver_without_keysend_is_explained_before_sending() {
    // Eclair (keysend off): bit 55 missing, no AMP to offer.
    let ivan = before_sending("ivan");
    assert!(
        ivan.shows(
            "The receiver does not announce keysend (feature bit 55) and will likely refuse it \
             (Eclair's default); ask them for an invoice"
        ),
        "the card explains before sending"
    );
    assert!(matches!(stage(&ivan), Stage::Compose), "nothing sent");
    // An LND node without keysend but with AMP: AMP is offered instead.
    let erin = before_sending("erin");
    assert!(erin.shows(
        "The receiver does not announce keysend (feature bit 55) and will likely refuse it; it \
         does announce AMP (bit 31): send it as AMP instead (satchel send --amp)"
    ));
    // An LND node with keysend: nothing to say.
    let alice = before_sending("alice");
    assert!(!alice.shows(
        "The receiver does not announce keysend (feature bit 55) and will likely refuse it \
         (Eclair's default); ask them for an invoice"
    ));
}

#[test]
fn a_contacts_route_hints_can_be_taken_from_one_of_their_invoices() {
    use satchel::gui::screen::contacts::Message as ContactsMessage;
    use satchel::gui::screen::contacts::form::Message as FormMessage;
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    h.update(Message::Session(SessionMessage::Navigate(Screen::Contacts)));
    let form = |h: &mut Harness, message: FormMessage| {
        h.update(Message::Session(SessionMessage::Contacts(
            ContactsMessage::Form(message),
        )));
    };
    h.update(Message::Session(SessionMessage::Contacts(
        ContactsMessage::New,
    )));
    form(&mut h, FormMessage::NameChanged("kate".into()));
    form(&mut h, FormMessage::PubkeyChanged(kate_id().to_hex()));
    // Another node's invoice is refused with the reason.
    let invoice = satchel::sim::private_invoice("kate").unwrap();
    let oscar = h.node("oscar").to_hex();
    form(&mut h, FormMessage::PubkeyChanged(oscar));
    form(&mut h, FormMessage::HintsChanged(invoice.clone()));
    form(&mut h, FormMessage::Save);
    assert!(h.app.context().contacts.contacts().is_empty(), "not saved");
    form(&mut h, FormMessage::PubkeyChanged(kate_id().to_hex()));
    form(&mut h, FormMessage::HintsChanged(invoice));
    form(&mut h, FormMessage::Save);
    let book = &h.app.context().contacts;
    let kate = book.by_pubkey(&kate_id()).expect("saved");
    let hint = satchel::sim::route_hint_to("kate").unwrap();
    assert_eq!(kate.route_hints, vec![hint], "the invoice's r field");

    // A tip from the Send screen now reaches her.
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(&mut h, SendMessage::RecipientChanged("kate".into()));
    send(&mut h, SendMessage::AmountChanged("700".into()));
    send(&mut h, SendMessage::Send);
    assert!(
        matches!(stage(&h), Stage::Done(Outcome::Succeeded { .. })),
        "{:?}",
        stage(&h)
    );
}
