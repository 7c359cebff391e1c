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
