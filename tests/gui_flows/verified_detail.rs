//! The detail pane of a tip from a verified sender: "verified" belongs to
//! the node (contact name, graph alias or short key), the name it gives
//! itself is shown as a claim, and a message the signature does not cover
//! is labelled so.

use satchel::gui::screen::inbox::Message as InboxMessage;
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::keysend::identity::{node_id_of, sign_whatsat, whatsat_payload};
use satchel::keysend::record::{
    BOOSTAGRAM, MESSAGE, SENDER_ALIAS, SENDER_PUBKEY, SIGNATURE, TIMESTAMP,
};
use satchel::keysend::{Msat, NodeId, Records};
use satchel::store::ContactBook;

use super::gui_support::Harness;

/// Records signed (Whatsat) by a key that is in no graph, for `me`: the
/// signed chat record is `chat`; `extra` is added unsigned.
pub(super) fn signed(me: &NodeId, chat: &str, extra: &[(u64, &[u8])]) -> (NodeId, Records) {
    let secret = secp256k1::SecretKey::from_slice(&[5; 32]).expect("secret");
    let sender = node_id_of(&secret);
    let timestamp = 1_700_000_000_000_000_000u64;
    let payload = whatsat_payload(&sender, me, timestamp, chat.as_bytes());
    let mut records = Records::from([
        (MESSAGE, chat.as_bytes().to_vec()),
        (SENDER_PUBKEY, sender.as_bytes().to_vec()),
        (TIMESTAMP, timestamp.to_be_bytes().to_vec()),
        (SIGNATURE, sign_whatsat(&secret, &payload).to_vec()),
    ]);
    records.extend(extra.iter().map(|(k, v)| (*k, v.to_vec())));
    (sender, records)
}

/// Inject `records` from alice, read them in and open the newest tip.
pub(super) fn open_tip(h: &mut Harness, records: Records) {
    let _ = h
        .runtime
        .block_on(h.sim.inject_keysend("alice", Msat::from_sat(500), records))
        .expect("injected");
    h.update(Message::Session(SessionMessage::Navigate(Screen::Inbox)));
    h.update(Message::Session(SessionMessage::Resync));
    let id = h.app.session().unwrap().inbox().loaded_rows()[0].id;
    h.update(Message::Session(SessionMessage::Inbox(
        InboxMessage::Select(id),
    )));
}

#[test]
fn a_boostagram_message_beside_a_verified_sender_is_not_covered() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    let me = h.app.session().unwrap().info().id;
    let boost: &[u8] = br#"{"message":"pay me back at 02ab"}"#;
    // The signed chat record is invisible (a zero-width space): the shown
    // text is the boostagram's, which no signature covers.
    let (sender, records) = signed(
        &me,
        "\u{200b}",
        &[(BOOSTAGRAM, boost), (SENDER_ALIAS, b"Satoshi")],
    );
    open_tip(&mut h, records);
    assert!(h.shows("pay me back at 02ab"));
    assert!(h.shows("Message not covered by the signature"));
    assert!(h.shows(&sender.short()), "the verified node by its key");
    assert!(h.shows("calls itself “Satoshi” (a name is never signed)"));
    assert!(!h.shows("claims to be Satoshi"));
    assert!(h.shows(
        "Verified: this node sent it to your node, but its signature does not cover the \
         message shown."
    ));
}

#[test]
fn a_signed_chat_message_is_not_labelled() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    let me = h.app.session().unwrap().info().id;
    let (sender, records) = signed(&me, "signed thanks", &[]);
    open_tip(&mut h, records);
    assert!(h.shows("signed thanks"));
    assert!(h.shows(&sender.short()));
    assert!(h.shows("Verified: this node signed this message for your node."));
    assert!(!h.shows("Message not covered by the signature"));
}
