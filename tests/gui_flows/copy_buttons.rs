//! Issue 18: Copy links for a sender's key, a payment hash and a preimage
//! in the received and sent payment details, with "Copied" feedback.

use satchel::gui::Message;
use satchel::gui::screen::inbox::Message as InboxMessage;
use satchel::gui::screen::sent::Message as SentMessage;
use satchel::gui::session::Message as SessionMessage;
use satchel::store::ContactBook;

use super::gui_support::Harness;
use super::sent_detail::paid;
use super::verified_detail::{open_tip, signed};

/// Click the first "Copy" link: the messages it produced.
fn click_copy(h: &Harness) -> Vec<Message> {
    let mut ui = h.ui();
    let _ = ui.click("Copy").expect("a Copy link");
    ui.into_messages().collect()
}

#[test]
fn the_received_detail_copies_the_senders_key_hash_and_preimage() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    let me = h.app.session().unwrap().info().id;
    let (sender, records) = signed(&me, "copy me", &[]);
    open_tip(&mut h, records);
    assert!(h.shows(&sender.to_hex()));
    assert!(h.shows("Preimage"));
    assert!(!h.shows("Copied"), "nothing copied yet");

    let messages = click_copy(&h);
    let copied: Vec<String> = messages
        .iter()
        .filter_map(|m| match m {
            Message::Session(SessionMessage::Inbox(InboxMessage::Detail(d))) => {
                Some(format!("{d:?}"))
            }
            _ => None,
        })
        .collect();
    assert_eq!(copied, [format!("Copy({:?})", sender.to_hex())], "the key");
    for message in messages {
        h.update(message);
    }
    assert!(h.shows("Copied"), "feedback");
    assert!(h.shows("Copy"), "the hash and preimage are not marked");
}

#[test]
fn the_sent_detail_says_copied_next_to_the_value_copied() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    paid(&mut h, &["alice"]);
    h.interact(|ui| {
        let _ = ui.click("thanks alice").expect("the sent row");
    });
    let hash = h.app.session().unwrap().sent().detail().unwrap().row.hash;
    let messages = click_copy(&h);
    assert!(
        messages.iter().any(|m| matches!(
            m,
            Message::Session(SessionMessage::Sent(SentMessage::Copy(v))) if *v == hash.to_hex()
        )),
        "the first Copy is the payment hash's"
    );
    assert!(!h.shows("Copied"));
    for message in messages {
        h.update(message);
    }
    assert!(h.shows("Copied"));
    assert!(h.shows("Copy"), "the preimage's link is unchanged");
}
