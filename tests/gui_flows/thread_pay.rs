//! Issue 15: a payment request in a conversation is paid from the thread.
//! Carol sends a Juggernaut payment request (a real sim invoice in the
//! message, content type `paymentrequest`); "Pay…" opens Send with the
//! invoice in "To", which shows its amount, description and expiry before
//! anything is paid; Send settles Carol's invoice and the payment is in Sent.

use satchel::gui::screen::inbox::Message as InboxMessage;
use satchel::gui::screen::send::{Message as SendMessage, Outcome, Stage};
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::keysend::record::{CONTENT_TYPE, MESSAGE, REQUEST_TYPE, SENDER_PUBKEY};
use satchel::keysend::{Msat, PaymentHash, Records};
use satchel::store::{ContactBook, Settings};

use super::gui_support::Harness;
use super::stage;

fn inbox(h: &mut Harness, message: InboxMessage) {
    h.update(Message::Session(SessionMessage::Inbox(message)));
}

/// Carol's request: `text` as the message, typed as a payment request when
/// `typed`, from her (claimed) node.
fn request(b: &super::gui_support::Before<'_>, text: &str, typed: bool) {
    let carol = b.sim.node_id("carol").expect("carol");
    let mut records = Records::from([
        (MESSAGE, text.as_bytes().to_vec()),
        (SENDER_PUBKEY, carol.as_bytes().to_vec()),
        (REQUEST_TYPE, b"req-1".to_vec()),
    ]);
    if typed {
        let _ = records.insert(CONTENT_TYPE, b"paymentrequest".to_vec());
    }
    let _ = b
        .runtime
        .block_on(b.sim.inject_keysend("carol", Msat::from_sat(1), records))
        .expect("injected");
}

fn start(typed: bool) -> (Harness, String, PaymentHash) {
    let settings = Settings {
        confirm_above: Msat::from_sat(u64::MAX / 1000),
        ..Harness::quiet_settings()
    };
    let mut made = None;
    let h = Harness::start_after(0, settings, ContactBook::new(), |b| {
        let (invoice, hash) = b
            .sim
            .add_invoice("carol", Some(Msat::from_sat(2_000)), "a sticker", None)
            .expect("an invoice");
        let text = if typed {
            invoice.clone()
        } else {
            format!("for the sticker: {invoice} thanks!")
        };
        request(b, &text, typed);
        made = Some((invoice, hash));
    });
    let (invoice, hash) = made.expect("made before the start");
    (h, invoice, hash)
}

fn open_carol(h: &mut Harness) {
    let carol = h.node("carol");
    inbox(h, InboxMessage::ShowThreads(true));
    inbox(h, InboxMessage::OpenThread(carol));
}

#[test]
fn a_thread_payment_request_is_paid_from_the_thread() {
    let (mut h, invoice, hash) = start(true);
    open_carol(&mut h);
    let messages = h.app.session().unwrap().inbox().threads().unwrap();
    let messages = messages.messages().expect("open");
    assert_eq!(messages[0].payment_request(), Some(invoice.as_str()));
    assert_eq!(h.sim.invoice_settled("carol", &hash), Some(false));

    h.interact(|ui| {
        let _ = ui.click("Pay…").expect("a Pay button on the request");
    });
    assert_eq!(h.app.session().unwrap().screen(), Screen::Send);
    // What the invoice asks, before anything is paid.
    assert!(h.shows("says: a sticker"));
    assert!(h.shows("amount: 2,000 sat"));
    assert!(
        h.shows("expires: in 24 h") || h.shows("expires: in 23 h"),
        "its expiry is shown (the sim's default: a day)"
    );
    assert_eq!(stage(&h), Stage::Compose, "nothing paid yet");
    assert_eq!(h.sim.invoice_settled("carol", &hash), Some(false));

    h.update(Message::Session(SessionMessage::Send(SendMessage::Send)));
    let Stage::Done(Outcome::Succeeded { update, .. }) = stage(&h) else {
        panic!("{:?}", stage(&h))
    };
    assert_eq!((update.hash, update.amount), (hash, Msat::from_sat(2_000)));
    assert_eq!(h.sim.invoice_settled("carol", &hash), Some(true), "settled");

    h.update(Message::Session(SessionMessage::Resync));
    h.update(Message::Session(SessionMessage::Navigate(Screen::Sent)));
    let sent = h.app.session().unwrap().sent().rows();
    let row = sent.iter().find(|r| r.hash == hash).expect("in Sent");
    assert_eq!(row.amount, Msat::from_sat(2_000));
}

#[test]
fn an_invoice_pasted_in_a_chat_message_gets_a_pay_button_too() {
    let (mut h, invoice, _) = start(false);
    open_carol(&mut h);
    assert!(h.shows("Pay…"));
    h.interact(|ui| {
        let _ = ui.click("Pay…").expect("a Pay button");
    });
    assert!(h.shows("says: a sticker"), "the invoice in the message");
    assert_eq!(
        h.app.session().unwrap().send().recipient_text(),
        invoice.as_str(),
        "only the invoice, not the words around it"
    );
}
