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

/// The Sent screen's row for `hash`, after a resync (its hash shown).
pub(super) fn in_sent(
    h: &mut Harness,
    hash: satchel::keysend::PaymentHash,
) -> satchel::wallet::SentRow {
    h.update(Message::Session(SessionMessage::Resync));
    h.update(Message::Session(SessionMessage::Navigate(Screen::Sent)));
    let row = h
        .app
        .session()
        .unwrap()
        .sent()
        .rows()
        .iter()
        .find(|row| row.hash == hash)
        .cloned()
        .unwrap_or_else(|| panic!("{hash} is in Sent"));
    h.update(Message::Session(SessionMessage::Sent(
        satchel::gui::screen::sent::Message::Open(row.hash),
    )));
    assert!(h.shows(&hash.to_hex()), "its hash is on screen");
    row
}

const METADATA: &str = r#"[["text/plain","Tips for Bob"]]"#;

/// A local HTTPS server for addresses, and the app trusting it.
fn with_web(settings: Settings) -> (Harness, super::payto_support::Web, tokio::runtime::Runtime) {
    let server = tokio::runtime::Runtime::new().unwrap();
    let web = server.block_on(super::payto_support::Web::start());
    let h = Harness::start_web(0, settings, ContactBook::new(), web.web());
    (h, web, server)
}

fn type_message(h: &mut Harness, text: &str) {
    use iced::widget::text_editor::{Action, Edit};
    send(
        h,
        SendMessage::MessageEdited(Action::Edit(Edit::Paste(std::sync::Arc::new(
            text.to_owned(),
        )))),
    );
}

/// Issue 16: an address whose provider serves a keysend document: the card
/// says keysend, the node and the provider's record and what bob sees; the
/// tip is a keysend to that node with the record, and shows in Sent.
#[test]
fn an_address_with_a_keysend_document_is_shown_then_paid_by_keysend() {
    let (mut h, web, _server) = with_web(no_confirm());
    let bob = h.node("bob");
    web.route(
        "/.well-known/keysend/bob",
        super::payto_support::Reply::Json(
            200,
            format!(
                r#"{{"tag":"keysend","pubkey":"{bob}","customData":[{{"customKey":"696969","customValue":"bob-wallet"}}]}}"#
            ),
        ),
    );
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(
        &mut h,
        SendMessage::RecipientChanged(format!("Bob@{}", web.domain())),
    );
    send(&mut h, SendMessage::AmountChanged("21".into()));
    type_message(&mut h, "great show");
    assert!(h.shows(&format!("recipient: bob@{}", web.domain())));
    assert!(h.shows("transport: keysend"));
    assert!(h.shows(&format!("node: {bob}")));
    assert!(h.shows("record: 696969=bob-wallet (LNPay destination)"));
    assert!(h.shows("They see: your message, in the keysend message record"));
    send(&mut h, SendMessage::Send);
    let Stage::Done(Outcome::Succeeded { update, .. }) = stage(&h) else {
        panic!("{:?}", stage(&h))
    };
    assert_eq!(update.amount, Msat::from_sat(21));
    let row = in_sent(&mut h, update.hash);
    assert_eq!(row.destination, Some(bob));
    assert_eq!(row.preview, "great show");
    assert_eq!(
        web.seen(),
        ["/.well-known/keysend/bob"],
        "no LNURL-pay asked"
    );
}

/// Issue 16: an address without a keysend document falls back to
/// LNURL-pay: the card says so, with the range, the comment limit and the
/// message cut to it; the invoice (checked) is paid and shows in Sent.
#[test]
fn an_address_without_keysend_is_paid_by_lnurl_pay_with_the_comment_cut() {
    use sha2::Digest;
    let (mut h, web, _server) = with_web(no_confirm());
    let hash: [u8; 32] = sha2::Sha256::digest(METADATA.as_bytes()).into();
    let (pr, payment_hash) = h
        .sim
        .add_invoice("bob", Some(Msat::from_sat(21)), "", Some(hash))
        .unwrap();
    let metadata = METADATA.replace('"', "\\\"");
    web.route(
        "/.well-known/lnurlp/bob",
        super::payto_support::Reply::Json(
            200,
            format!(
                r#"{{"tag":"payRequest","callback":"{}/cb","minSendable":1000,"maxSendable":50000000,"metadata":"{metadata}","commentAllowed":5}}"#,
                web.base()
            ),
        ),
    );
    web.route(
        "/cb",
        super::payto_support::Reply::Json(200, format!(r#"{{"pr":"{pr}","routes":[]}}"#)),
    );
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(
        &mut h,
        SendMessage::RecipientChanged(format!("bob@{}", web.domain())),
    );
    send(&mut h, SendMessage::AmountChanged("21".into()));
    type_message(&mut h, "héllo wörld");
    assert!(h.shows("transport: LNURL-pay"));
    assert!(h.shows("range: 1 sat to 50,000 sat"));
    assert!(h.shows("comment: up to 5 characters"));
    assert!(
        h.shows("They see: your message cut to 5 characters (6 left out), as the payment comment")
    );
    send(&mut h, SendMessage::Send);
    let Stage::Done(Outcome::Succeeded { update, .. }) = stage(&h) else {
        panic!("{:?}", stage(&h))
    };
    assert_eq!(update.hash, payment_hash, "the provider's invoice was paid");
    assert_eq!(
        web.seen().last().map(String::as_str),
        Some("/cb?amount=21000&comment=h%C3%A9llo")
    );
    let row = in_sent(&mut h, update.hash);
    assert_eq!(row.destination, Some(h.node("bob")));
}

/// "Connect from anywhere": with the node reached through a SOCKS proxy,
/// the Send screen's address lookup goes through that proxy too (which
/// resolves the name), never directly.
#[test]
fn with_the_node_behind_a_proxy_addresses_are_looked_up_through_it() {
    let server = tokio::runtime::Runtime::new().unwrap();
    let web = server.block_on(super::payto_support::Web::start());
    let target = std::net::SocketAddr::from(([127, 0, 0, 1], web.port));
    let proxy = server.block_on(super::socks_support::Proxy::start(
        [("localhost".to_owned(), target)].into(),
    ));
    let socks = proxy.socks();
    let mut h = Harness::start_web_edited(0, no_confirm(), ContactBook::new(), web.web(), |spec| {
        spec.proxy = Some(socks);
    });
    let bob = h.node("bob");
    web.route(
        "/.well-known/keysend/bob",
        super::payto_support::Reply::Json(200, format!(r#"{{"tag":"keysend","pubkey":"{bob}"}}"#)),
    );
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    send(
        &mut h,
        SendMessage::RecipientChanged(format!("bob@{}", web.domain())),
    );
    assert!(h.shows(&format!("node: {bob}")), "resolved");
    let by_name = format!("name localhost:{}", web.port);
    assert!(
        proxy.asked().contains(&by_name),
        "the lookup went through the node's proxy: {:?}",
        proxy.asked()
    );
}
