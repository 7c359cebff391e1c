//! Issue 10 item 23 on the Contacts screen: contacts are listed by name, a
//! banner never moves the cards under the pointer, a delete can be undone,
//! and Esc on a form with typed changes asks before dropping them.

use iced_test::selector;
use satchel::gui::screen::contacts::Message as ContactsMessage;
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::store::{ContactBook, NewContact};

use super::gui_support::Harness;

/// Three contacts (demo nodes), added out of name order.
fn book() -> ContactBook {
    let ids: Vec<_> = satchel::sim::demo_contacts()
        .into_iter()
        .map(|(_, id, _)| id)
        .collect();
    let mut book = ContactBook::new();
    for (name, id) in ["Cleo Cherry", "anna apple", "Bert Banana"]
        .into_iter()
        .zip(ids)
    {
        let _ = book.add(NewContact::new(name, id)).unwrap();
    }
    book
}

/// A harness on the Contacts screen with [`book`].
fn contacts_screen() -> Harness {
    let mut h = Harness::start(0, Harness::quiet_settings(), book());
    h.update(Message::Session(SessionMessage::Navigate(Screen::Contacts)));
    h
}

/// Where `text` is drawn, from the top of the window.
fn top_of(h: &Harness, text: &str) -> f32 {
    let mut ui = h.ui();
    ui.find(text)
        .unwrap_or_else(|_| panic!("{text:?} is shown"))
        .bounds()
        .y
}

fn id_of(h: &Harness, name: &str) -> u64 {
    let book = &h.app.context().contacts;
    book.contacts()
        .iter()
        .find(|c| c.name == name)
        .expect(name)
        .id
}

#[test]
fn contacts_are_listed_by_name_whatever_order_they_were_added_in() {
    let h = contacts_screen();
    let tops: Vec<f32> = ["anna apple", "Bert Banana", "Cleo Cherry"]
        .iter()
        .map(|name| top_of(&h, name))
        .collect();
    assert!(
        tops[0] < tops[1] && tops[1] < tops[2],
        "sorted by name: {tops:?}"
    );
}

#[test]
fn a_delete_shows_a_banner_without_moving_the_cards_and_can_be_undone() {
    let mut h = contacts_screen();
    let before = top_of(&h, "anna apple");
    let cleo = id_of(&h, "Cleo Cherry");
    let pubkey = h.app.context().contacts.get(cleo).unwrap().pubkey;
    h.update(Message::Session(SessionMessage::Contacts(
        ContactsMessage::ConfirmDelete(cleo),
    )));
    assert!(h.shows("Removed Cleo Cherry."));
    assert_eq!(
        top_of(&h, "anna apple"),
        before,
        "the banner moved the list"
    );
    h.interact(|ui| {
        let _ = ui.click("Undo").expect("an Undo link");
    });
    let restored = h
        .app
        .context()
        .contacts
        .by_pubkey(&pubkey)
        .expect("restored");
    assert_eq!(restored.name, "Cleo Cherry");
    let on_disk = std::fs::read_to_string(h.profile.contacts_file()).unwrap();
    assert!(on_disk.contains("Cleo Cherry"), "and saved");
    assert_eq!(top_of(&h, "anna apple"), before);
}

#[test]
fn esc_on_a_half_filled_form_asks_before_dropping_it() {
    let mut h = contacts_screen();
    let escape = |h: &mut Harness| h.update(Message::Session(SessionMessage::Escape));
    h.interact(|ui| {
        let _ = ui.click("New contact").expect("new contact button");
    });
    escape(&mut h);
    let screen = |h: &Harness| {
        let contacts = h.app.session().unwrap().contacts();
        (contacts.form_open(), contacts.asks_to_discard())
    };
    assert_eq!(screen(&h), (false, false), "an untouched form just closes");

    h.interact(|ui| {
        let _ = ui.click("New contact").expect("new contact button");
    });
    h.interact(|ui| {
        let _ = ui.click(selector::id("contact-name")).expect("name field");
        let _ = ui.typewrite("Half typed");
    });
    escape(&mut h);
    assert_eq!(screen(&h), (true, true), "asks first");
    assert!(h.shows("Discard the changes in this form?"));
    escape(&mut h);
    assert_eq!(screen(&h), (true, false), "a second Esc keeps editing");
    escape(&mut h);
    h.interact(|ui| {
        let _ = ui.click("Discard").expect("the discard button");
    });
    assert_eq!(screen(&h), (false, false));
}
