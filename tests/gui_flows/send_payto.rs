//! Issue 16 on the Send screen: an invoice pasted in "To" shows its amount,
//! description, expiry and payee before Send, and is paid through the
//! journal; the same invoice again is refused by the journal (one payment
//! per hash); a zero-amount invoice waits for an amount.

use satchel::gui::screen::send::{Message as SendMessage, Outcome, Stage};
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::keysend::Msat;
use satchel::store::{ContactBook, Settings};

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

#[test]
fn a_pasted_invoice_is_shown_then_paid_once() {
    let mut h = Harness::start(0, no_confirm(), ContactBook::new());
    let (invoice, hash) = h
        .sim
        .add_invoice("carol", Some(Msat::from_sat(3_000)), "a book", None)
        .unwrap();
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(
        &mut h,
        SendMessage::RecipientChanged(format!("lightning:{invoice}")),
    );
    assert!(h.shows("transport: invoice"));
    assert!(h.shows("says: a book"));
    assert!(h.shows("amount: 3,000 sat"));
    assert!(h.shows(&format!("node: {}", h.node("carol"))));
    assert!(h.shows("They see: no message"));
    send(&mut h, SendMessage::Send);
    let Stage::Done(Outcome::Succeeded { update, .. }) = stage(&h) else {
        panic!("{:?}", stage(&h))
    };
    assert_eq!(update.hash, hash);
    assert_eq!(update.amount, Msat::from_sat(3_000));

    send(&mut h, SendMessage::NewTip);
    send(&mut h, SendMessage::RecipientChanged(invoice.clone()));
    send(&mut h, SendMessage::Send);
    assert!(
        matches!(stage(&h), Stage::Done(Outcome::Failed { .. })),
        "the journal refuses the same hash: {:?}",
        stage(&h)
    );
}

#[test]
fn a_zero_amount_invoice_waits_for_an_amount() {
    let mut h = Harness::start(0, no_confirm(), ContactBook::new());
    let (invoice, _) = h.sim.add_invoice("carol", None, "tips", None).unwrap();
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(&mut h, SendMessage::RecipientChanged(invoice));
    assert!(h.shows("amount: none: you choose it"));
    assert!(h.shows("This invoice has no amount: say how much to pay"));
    send(&mut h, SendMessage::Send);
    assert_eq!(
        stage(&h),
        Stage::Compose,
        "nothing is sent without an amount"
    );
    send(&mut h, SendMessage::AmountChanged("42".into()));
    send(&mut h, SendMessage::Send);
    assert!(
        matches!(stage(&h), Stage::Done(Outcome::Succeeded { .. })),
        "{:?}",
        stage(&h)
    );
}

#[test]
fn an_invoice_above_the_threshold_is_confirmed_first() {
    let settings = Settings {
        confirm_above: Msat::from_sat(1_000),
        ..Harness::quiet_settings()
    };
    let mut h = Harness::start(0, settings, ContactBook::new());
    let (invoice, _) = h
        .sim
        .add_invoice("carol", Some(Msat::from_sat(2_000)), "big", None)
        .unwrap();
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(&mut h, SendMessage::RecipientChanged(invoice));
    send(&mut h, SendMessage::Send);
    assert_eq!(stage(&h), Stage::Confirm, "asked first");
    assert!(h.shows("Confirm and send"));
    assert!(h.shows("says: big"));
    send(&mut h, SendMessage::Send);
    assert!(
        matches!(stage(&h), Stage::Done(Outcome::Succeeded { .. })),
        "{:?}",
        stage(&h)
    );
}
