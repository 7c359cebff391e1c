//! Issue 18: the callers of the native file dialogs. The dialog itself
//! needs a desktop; these tests send the path message a dialog answers with
//! and check the file written or read, and the connection made.

use satchel::gui::screen::connect::{Message as ConnectMessage, Mode, PathField};
use satchel::gui::screen::contacts::Message as ContactsMessage;
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::store::{ContactBook, NewContact};

use super::gui_support::Harness;

fn contacts(message: ContactsMessage) -> Message {
    Message::Session(SessionMessage::Contacts(message))
}

#[test]
fn a_save_dialog_path_exports_the_book_and_an_open_dialog_path_imports_it() {
    let (_, anna, _) = satchel::sim::demo_contacts().remove(0);
    let mut book = ContactBook::new();
    let _ = book.add(NewContact::new("Anna Apple", anna)).unwrap();
    let mut h = Harness::start(0, Harness::quiet_settings(), book);
    h.update(Message::Session(SessionMessage::Navigate(Screen::Contacts)));
    let dir = tempfile::TempDir::new().unwrap();

    let csv = dir.path().join("picked.csv");
    h.update(contacts(ContactsMessage::ExportTo(Some(csv.clone()))));
    let written = std::fs::read_to_string(&csv).expect("the chosen file is written");
    assert!(written.contains("Anna Apple"), "{written}");
    assert!(!written.trim_start().starts_with('['), "CSV by extension");
    assert!(h.shows(&format!("Exported to {}.", csv.display())));

    // A cancelled dialog does nothing.
    h.update(contacts(ContactsMessage::ImportFrom(None)));
    assert_eq!(h.app.context().contacts.contacts().len(), 1);

    let (_, bert, _) = satchel::sim::demo_contacts().remove(1);
    let mut other = ContactBook::new();
    let _ = other.add(NewContact::new("Bert Banana", bert)).unwrap();
    let json = dir.path().join("from-a-friend.json");
    std::fs::write(&json, other.export_json()).unwrap();
    h.update(contacts(ContactsMessage::ImportFrom(Some(json))));
    assert!(h.app.context().contacts.by_pubkey(&bert).is_some());
    assert!(h.shows("Imported 1 contacts; 0 duplicates skipped; 0 invalid rows."));
    let saved = std::fs::read_to_string(h.profile.contacts_file()).unwrap();
    assert!(saved.contains("Bert Banana"), "and saved");
}

#[test]
fn files_chosen_in_dialogs_fill_the_connect_form_and_connect() {
    let mut h = Harness::launch(0, Harness::quiet_settings(), ContactBook::new(), |spec| {
        spec.macaroon = satchel::lnd::Macaroon::new(vec![2, 1, 3, 4, 5, 6, 7, 8]);
    });
    assert!(h.app.session().is_none(), "still on Connect");
    let connect = |m| Message::Connect(m);
    h.update(connect(ConnectMessage::ModeSelected(Mode::Files)));
    h.update(connect(ConnectMessage::HostChanged(
        h.sim.addr().to_string(),
    )));
    let (cert, macaroon) = (h.sim.tls_cert_path(), h.sim.admin_macaroon_path());
    h.update(connect(ConnectMessage::Chosen(
        PathField::Cert,
        Some(cert.clone()),
    )));
    // Cancelling the second dialog keeps what was there.
    h.update(connect(ConnectMessage::Chosen(PathField::Macaroon, None)));
    h.update(connect(ConnectMessage::Chosen(
        PathField::Macaroon,
        Some(macaroon.clone()),
    )));
    assert!(h.shows(&cert.display().to_string()), "the path is shown");
    assert!(h.shows(&macaroon.display().to_string()));
    h.update(connect(ConnectMessage::Test));
    assert!(h.app.session().is_some(), "connected with the chosen files");
}
