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
