//! The Send screen never invites a second payment while the first may still
//! be paid: "Edit and retry" (a new hash) only after a definite failure; a
//! "not sent" payment is offered again only with its own hash (recovery
//! card); a wallet error mid-payment is a warning, and a later success is
//! still shown.

use satchel::gui::screen::send::{Message as SendMessage, Outcome, Stage};
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::keysend::{Msat, PaymentHash, Preimage, Records, record};
use satchel::node::{NodeError, OutgoingKeysend, PaymentStatus, PaymentUpdate};
use satchel::store::{ContactBook, Settings};
use satchel::wallet::{IntentId, Journal, JournalError, JournalState, SendError, SendEvent};

use super::gui_support::Harness;
use super::stage;

fn send(h: &mut Harness, message: SendMessage) {
    h.update(Message::Session(SessionMessage::Send(message)));
}

/// `update` without running what it starts (the task is dropped unpolled).
fn update_only(h: &mut Harness, message: SendMessage) {
    let _context = h.runtime.enter();
    drop(
        h.app
            .update(Message::Session(SessionMessage::Send(message))),
    );
}

fn no_confirm() -> Settings {
    Settings {
        confirm_above: Msat::from_sat(u64::MAX / 1000),
        ..Harness::quiet_settings()
    }
}

fn tip_to(h: &Harness, name: &str, sats: u64) -> OutgoingKeysend {
    OutgoingKeysend {
        destination: h.node(name),
        amount: Msat::from_sat(sats),
        preimage: Preimage::random(),
        records: Records::from([(record::MESSAGE, b"for the show".to_vec())]),
        fee_limit: Msat::from_sat(50),
        timeout: satchel::wallet::SEND_TIMEOUT,
    }
}

/// The screen in its Sending stage for `keysend`, with the wallet's events
/// to come from the test (the wallet's own stream is never started).
fn sending(h: &mut Harness, keysend: &OutgoingKeysend) {
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(
        h,
        SendMessage::RecipientChanged(keysend.destination.to_hex()),
    );
    send(
        h,
        SendMessage::AmountChanged(keysend.amount.sats().to_string()),
    );
    update_only(h, SendMessage::Send);
    assert_eq!(stage(h), Stage::Preparing);
    let intent = intent(h);
    update_only(
        h,
        SendMessage::Prepared {
            intent,
            result: Ok(keysend.clone()),
        },
    );
    assert!(matches!(stage(h), Stage::Sending(_)), "{:?}", stage(h));
}

/// The intent of the tip on screen.
fn intent(h: &Harness) -> IntentId {
    h.app
        .session()
        .expect("connected")
        .send()
        .intent_id()
        .clone()
}

fn event(h: &mut Harness, event: SendEvent) {
    let intent = intent(h);
    send(h, SendMessage::Event(intent, event));
}

fn started(hash: PaymentHash) -> SendEvent {
    SendEvent::Started {
        intent_id: "from-the-test".into(),
        hash,
    }
}

fn payments_with(h: &Harness, hash: PaymentHash) -> usize {
    let page = h
        .runtime
        .block_on(h.client().sent_page(0, 1_000))
        .expect("the node lists its payments");
    page.items.iter().filter(|p| p.hash == hash).count()
}

#[test]
fn not_sent_offers_only_the_same_hash_never_edit_and_retry() {
    let mut h = Harness::start(0, no_confirm(), ContactBook::new());
    let keysend = tip_to(&h, "alice", 300);
    let hash = keysend.hash();
    sending(&mut h, &keysend);
    // The wallet journaled it and later found the node never saw it.
    let journal = Journal::open_profile(&h.profile)
        .expect("journal opens")
        .on_node(h.sim.user_node());
    let _ = journal.begin("unseen", &keysend).expect("journaled");
    let entry = journal
        .update("unseen", JournalState::NotSent, None, None)
        .expect("not sent");
    event(&mut h, started(hash));
    event(&mut h, SendEvent::NotSent(entry));

    assert_eq!(stage(&h), Stage::Done(Outcome::NotSent));
    assert!(h.shows("Not sent"));
    assert!(!h.shows("Edit and retry"), "a new hash could pay twice");
    assert!(
        h.shows("Send now") && h.shows("Discard"),
        "the recovery card"
    );
    assert!(h.shows("New tip"));
    send(&mut h, SendMessage::EditAndRetry);
    assert_eq!(stage(&h), Stage::Done(Outcome::NotSent), "retry refused");

    h.interact(|ui| {
        let _ = ui.click("Send now").expect("send now button");
    });
    assert_eq!(payments_with(&h, hash), 1, "sent once, with its own hash");
    assert_eq!(
        journal.get("unseen").unwrap().map(|e| e.state),
        Some(JournalState::Succeeded)
    );
}

#[test]
fn an_error_mid_payment_is_a_warning_and_a_later_success_is_shown() {
    let mut h = Harness::start(0, no_confirm(), ContactBook::new());
    let keysend = tip_to(&h, "bob", 50);
    let hash = keysend.hash();
    sending(&mut h, &keysend);
    event(&mut h, started(hash));
    let write_failed = SendError::Journal(JournalError::Interrupted);
    event(&mut h, SendEvent::Error(write_failed));
    assert!(matches!(stage(&h), Stage::Sending(_)), "{:?}", stage(&h));
    assert!(h.shows("Still following the payment"));
    assert!(h.shows("The send journal task stopped unexpectedly"));
    assert!(!h.shows("Payment failed") && !h.shows("Edit and retry"));

    let paid = PaymentUpdate {
        hash,
        status: PaymentStatus::Succeeded {
            preimage: keysend.preimage,
        },
        amount: keysend.amount,
        fee: Msat(1_000),
        hops: 2,
        attempts: 1,
        created_ns: 0,
    };
    event(&mut h, SendEvent::Finished(paid.clone()));
    let Stage::Done(Outcome::Succeeded { update, .. }) = stage(&h) else {
        panic!("expected success, got {:?}", stage(&h));
    };
    assert_eq!(update, paid);
    assert!(h.shows("Sent 50 sat"));
    // The outcome card names who was paid (issue 10, item 22).
    assert!(h.shows(&format!("To {}", keysend.destination.to_hex())));
    assert!(!h.shows("Edit and retry"));
}

#[test]
fn a_stream_that_ends_without_a_final_word_is_left_to_recovery() {
    let mut h = Harness::start(0, no_confirm(), ContactBook::new());
    let keysend = tip_to(&h, "carol", 80);
    sending(&mut h, &keysend);
    event(&mut h, started(keysend.hash()));
    let unclear = SendError::Node(NodeError::Other("Unknown: stream reset".into()));
    event(&mut h, SendEvent::Error(unclear));
    let intent = intent(&h);
    send(
        &mut h,
        SendMessage::Ended {
            intent,
            journal: Ok(Some(JournalState::Dispatched)),
        },
    );

    let Stage::Done(Outcome::Unknown { reason }) = stage(&h) else {
        panic!("expected an unknown outcome, got {:?}", stage(&h));
    };
    assert!(reason.is_some_and(|r| r.contains("stream reset")));
    assert!(h.shows("Outcome not known yet"));
    assert!(!h.shows("Payment failed"));
    assert!(!h.shows("Edit and retry"), "it may still be paid");
    assert!(h.shows("New tip"));
}

#[test]
fn edit_and_retry_after_a_node_failure_sends_a_new_payment() {
    let mut h = Harness::start(0, no_confirm(), ContactBook::new());
    let erin = h.node("erin");
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(&mut h, SendMessage::RecipientChanged(erin.to_hex()));
    send(&mut h, SendMessage::AmountChanged("100".into()));
    send(&mut h, SendMessage::Send);
    // erin refuses keysend: the node reports FAILED, final for that hash.
    assert!(
        matches!(&stage(&h), Stage::Done(o @ Outcome::Failed { .. }) if o.can_retry()),
        "{:?}",
        stage(&h)
    );
    h.interact(|ui| {
        let _ = ui.click("Edit and retry").expect("the retry button");
    });
    send(&mut h, SendMessage::Send);
    assert!(matches!(stage(&h), Stage::Done(Outcome::Failed { .. })));
    let page = h
        .runtime
        .block_on(h.client().sent_page(0, 1_000))
        .expect("sent");
    let mut hashes: Vec<_> = page
        .items
        .iter()
        .filter(|p| p.destination == Some(erin))
        .map(|p| p.hash)
        .collect();
    hashes.dedup();
    assert_eq!(hashes.len(), 2, "two payments, each with its own hash");
}

/// A form the wallet would refuse is not sent at all: the field says why
/// and the form stays as it is (no "Not sent" card for a typo).
#[test]
fn an_invalid_fee_limit_is_shown_at_the_field_and_nothing_is_sent() {
    let mut h = Harness::start(0, no_confirm(), ContactBook::new());
    let alice = h.node("alice").to_hex();
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(&mut h, SendMessage::RecipientChanged(alice));
    send(&mut h, SendMessage::AmountChanged("21".into()));
    send(&mut h, SendMessage::FeeLimitChanged("0".into()));
    send(&mut h, SendMessage::Send);
    assert_eq!(stage(&h), Stage::Compose);
    assert!(h.shows("Fee limit: the amount must be more than zero"));
    send(&mut h, SendMessage::FeeLimitChanged("5".into()));
    send(&mut h, SendMessage::Send);
    assert!(
        matches!(stage(&h), Stage::Done(Outcome::Succeeded { .. })),
        "{:?}",
        stage(&h)
    );
}

#[test]
fn answers_for_another_tip_are_dropped() {
    let mut h = Harness::start(0, no_confirm(), ContactBook::new());
    let keysend = tip_to(&h, "bob", 50);
    sending(&mut h, &keysend);
    let paid = PaymentUpdate {
        hash: keysend.hash(),
        status: PaymentStatus::Succeeded {
            preimage: keysend.preimage,
        },
        amount: keysend.amount,
        fee: Msat::ZERO,
        hops: 1,
        attempts: 1,
        created_ns: 0,
    };
    let other = IntentId::new();
    send(
        &mut h,
        SendMessage::Event(other.clone(), SendEvent::Finished(paid)),
    );
    assert!(matches!(stage(&h), Stage::Sending(_)), "{:?}", stage(&h));
    send(
        &mut h,
        SendMessage::Ended {
            intent: other,
            journal: Ok(None),
        },
    );
    assert!(matches!(stage(&h), Stage::Sending(_)), "{:?}", stage(&h));
}
