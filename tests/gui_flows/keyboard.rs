//! Issue 18: the `?` sheet of shortcuts, and Enter / Esc alike on every
//! form (Enter submits, Esc closes or drops what was typed).

use iced::keyboard::{Key, key::Named};
use iced_test::selector;
use satchel::gui::screen::settings;
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::store::ContactBook;

use super::gui_support::Harness;

fn session(message: SessionMessage) -> Message {
    Message::Session(message)
}

#[test]
fn the_sheet_lists_the_shortcuts_and_esc_closes_only_it() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    h.update(session(SessionMessage::Navigate(Screen::Contacts)));
    h.interact(|ui| {
        let _ = ui.click("New contact").expect("new contact button");
    });
    assert!(!h.shows("Keyboard shortcuts"));
    h.update(session(SessionMessage::Shortcuts));
    assert!(h.app.session().unwrap().shortcuts_open());
    for line in [
        "Keyboard shortcuts",
        "Ctrl+1",
        "Ctrl+N",
        "Tab / Shift+Tab",
        "? or F1",
        "Esc",
    ] {
        assert!(h.shows(line), "{line} is listed");
    }
    h.update(session(SessionMessage::Escape));
    assert!(!h.app.session().unwrap().shortcuts_open(), "Esc closes it");
    assert!(
        h.app.session().unwrap().contacts().form_open(),
        "and only it: the form under it stays"
    );
    h.update(session(SessionMessage::Shortcuts));
    h.interact(|ui| {
        let _ = ui.click("Close").expect("a Close link");
    });
    assert!(!h.app.session().unwrap().shortcuts_open());
}

#[test]
fn enter_in_the_contact_form_saves_it() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    let bob = h.node("bob");
    h.update(session(SessionMessage::Navigate(Screen::Contacts)));
    h.interact(|ui| {
        let _ = ui.click("New contact").expect("new contact button");
    });
    h.interact(|ui| {
        let _ = ui.click(selector::id("contact-name")).expect("name field");
        let _ = ui.typewrite("Bob by keyboard");
    });
    h.interact(|ui| {
        let _ = ui.click(selector::id("contact-pubkey")).expect("key field");
        let _ = ui.typewrite(&bob.to_hex());
        let _ = ui.tap_key(Key::Named(Named::Enter));
    });
    let saved = h.app.context().contacts.by_pubkey(&bob).expect("saved");
    assert_eq!(saved.name, "Bob by keyboard");
    assert!(!h.app.session().unwrap().contacts().form_open());
}

#[test]
fn esc_in_settings_drops_a_half_typed_number() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    let before = h.app.context().settings.spam_threshold;
    h.update(session(SessionMessage::Navigate(Screen::Settings)));
    h.update(session(SessionMessage::Settings(
        settings::Message::SpamChanged("-3".into()),
    )));
    assert!(h.shows("the amount cannot be negative"));
    h.update(session(SessionMessage::Escape));
    assert!(!h.shows("the amount cannot be negative"), "dropped");
    h.update(session(SessionMessage::Navigate(Screen::Inbox)));
    assert_eq!(h.app.context().settings.spam_threshold, before);
}

/// Issue 18: the UI scale is chosen in Settings, saved, and is the factor
/// the window is drawn at (after a restart too).
#[test]
fn the_ui_scale_is_saved_and_applied() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    assert_eq!(h.app.scale_factor(), 1.0);
    h.update(session(SessionMessage::Navigate(Screen::Settings)));
    h.interact(|ui| {
        let _ = ui.click("150%").expect("the 150% choice");
    });
    assert_eq!(h.app.scale_factor(), 1.5, "applied at once");
    let on_disk = satchel::store::Settings::load(&h.profile)
        .expect("readable")
        .value;
    assert_eq!(on_disk.ui_scale.percent(), 150, "saved");
    let again = Harness::start(0, on_disk, ContactBook::new());
    assert_eq!(again.app.scale_factor(), 1.5, "read back at the next start");
    h.update(session(SessionMessage::Settings(settings::Message::Scale(
        20,
    ))));
    assert_eq!(
        h.app.scale_factor(),
        1.5,
        "a scale outside 75%..200% is refused"
    );
}

/// Issue 15: the list keys work in Sent as in the Inbox: ↓/j and ↑/k move
/// the highlight, Enter opens the payment, and the search field (which `/`
/// and Ctrl+F focus) narrows the list.
#[test]
fn list_keys_move_through_sent_and_enter_opens() {
    use satchel::keysend::Records;
    use satchel::keysend::record::MESSAGE;
    let mut h = Harness::start_after(0, Harness::quiet_settings(), ContactBook::new(), |b| {
        for text in ["first tip", "second tip", "third tip"] {
            b.pay(
                "alice",
                10,
                Records::from([(MESSAGE, text.as_bytes().to_vec())]),
            );
        }
    });
    h.update(session(SessionMessage::Navigate(Screen::Sent)));
    assert_eq!(h.app.session().unwrap().sent().rows().len(), 3);
    for _ in 0..4 {
        h.update(session(SessionMessage::ListMove(1)));
    }
    h.update(session(SessionMessage::ListMove(-1)));
    let sent = h.app.session().unwrap().sent();
    assert_eq!(
        sent.cursor(),
        Some(1),
        "clamped at the last row, then up one"
    );
    assert!(sent.detail().is_none(), "moving does not open");
    assert_eq!(
        h.app.session().unwrap().inbox().cursor(),
        None,
        "the keys went to Sent, not the Inbox"
    );
    let second = sent.rows()[1].hash;
    h.update(session(SessionMessage::ListOpen));
    let opened = h.app.session().unwrap().sent().detail().expect("opened");
    assert_eq!(opened.row.hash, second);
    assert_eq!(opened.message, "second tip");

    h.update(session(SessionMessage::FocusSearch));
    h.interact(|ui| {
        let _ = ui
            .click(selector::id("sent-search"))
            .expect("the search field");
        let _ = ui.typewrite("third");
    });
    let rows = h.app.session().unwrap().sent().rows();
    let previews: Vec<_> = rows.iter().map(|r| r.preview.as_str()).collect();
    assert_eq!(previews, ["third tip"]);
    assert_eq!(
        h.app.session().unwrap().sent().cursor(),
        None,
        "from the top"
    );
}
