//! Renders every screen headless (tiny-skia) into PNG files for a person to
//! look at: `SATCHEL_SHOTS=/some/dir cargo test --test gui_look -- --ignored`.
//! Nothing is compared, so it is ignored by default.

mod gui_support;

use gui_support::Harness;
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use std::sync::Arc;

use iced::widget::text_editor::{Action, Edit};
use satchel::gui::screen::send::Message as SendMessage;
use satchel::store::{ContactBook, NewContact};

#[test]
#[ignore = "writes screenshots for review"]
fn render_every_screen() {
    let dir = std::env::var_os("SATCHEL_SHOTS")
        .map_or_else(|| "/tmp/satchel-shots".into(), std::path::PathBuf::from);
    let mut contacts = ContactBook::new();
    for (name, id, note) in satchel::sim::demo_contacts() {
        let mut new = NewContact::new(name, id);
        new.note = note;
        let _ = contacts.add(new).expect("demo contact");
    }
    let mut h = Harness::start(60, Harness::quiet_settings(), contacts);
    h.render(&dir, "inbox");
    let first = h
        .app
        .session()
        .unwrap()
        .inbox()
        .loaded_rows()
        .first()
        .map(|r| r.id);
    if let Some(id) = first {
        h.update(Message::Session(SessionMessage::Inbox(
            satchel::gui::screen::inbox::Message::Select(id),
        )));
        h.render(&dir, "inbox-detail");
    }
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    h.render(&dir, "send-empty");
    let alice = h.node("alice").to_hex();
    for message in [
        SendMessage::RecipientChanged(alice),
        SendMessage::AmountChanged("1000".into()),
        SendMessage::MessageEdited(Action::Edit(Edit::Paste(Arc::new(
            "Thanks for the great podcast episode!".into(),
        )))),
        SendMessage::SignToggled(true),
    ] {
        h.update(Message::Session(SessionMessage::Send(message)));
    }
    h.render(&dir, "send");
    h.update(Message::Session(SessionMessage::Send(SendMessage::Send)));
    h.render(&dir, "send-done");
    for (screen, name) in [
        (Screen::Contacts, "contacts"),
        (Screen::Sent, "sent"),
        (Screen::Channels, "channels"),
        (Screen::Settings, "settings"),
    ] {
        h.update(Message::Session(SessionMessage::Navigate(screen)));
        h.render(&dir, name);
    }
    let connect = Harness::launch(0, Harness::quiet_settings(), ContactBook::new(), |spec| {
        spec.macaroon = satchel::lnd::Macaroon::new(vec![2, 1, 3]);
    });
    connect.render(&dir, "connect");
    assert!(dir.read_dir().expect("shots written").count() >= 5);
}

#[test]
#[ignore = "writes screenshots for review"]
fn render_recovery() {
    use satchel::keysend::{Msat, Preimage, Records, record};
    use satchel::node::OutgoingKeysend;
    let dir = std::env::var_os("SATCHEL_SHOTS")
        .map_or_else(|| "/tmp/satchel-shots".into(), std::path::PathBuf::from);
    let mut contacts = ContactBook::new();
    for (name, id, _) in satchel::sim::demo_contacts() {
        let _ = contacts
            .add(NewContact::new(name, id))
            .expect("demo contact");
    }
    let mut h = Harness::start_after(10, Harness::quiet_settings(), contacts, |before| {
        let journal = satchel::wallet::Journal::open_profile(before.profile)
            .expect("journal")
            .on_node(before.sim.user_node());
        for (intent, name, sats, text) in [
            (
                "a",
                "alice",
                300,
                "Thanks for the episode on channel jamming!",
            ),
            ("b", "grace", 2_100, ""),
        ] {
            let keysend = OutgoingKeysend {
                destination: before.sim.node_id(name).expect("sim node"),
                amount: Msat::from_sat(sats),
                preimage: Preimage::random(),
                records: Records::from([(record::MESSAGE, text.as_bytes().to_vec())]),
                fee_limit: Msat::from_sat(50),
                timeout: satchel::wallet::SEND_TIMEOUT,
            };
            let _ = journal.begin(intent, &keysend).expect("journaled");
        }
    });
    h.render(&dir, "recovery-inbox");
    h.update(Message::Session(SessionMessage::Navigate(Screen::Send)));
    h.render(&dir, "recovery-send");
    h.interact(|ui| {
        let _ = ui.click("Send now").expect("send now");
    });
    h.render(&dir, "recovery-sent-one");
    h.update(Message::Session(SessionMessage::Navigate(Screen::Sent)));
    h.render(&dir, "recovery-sent");
}
