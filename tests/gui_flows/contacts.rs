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

/// Issue 16: a contact added by Lightning Address (served by a local HTTPS
/// server): the form shows what it resolved to and takes its node as the
/// key; the address is saved and shown; a tip to the contact asks the
/// address again and says so when it now gives another node, which is paid.
#[test]
fn a_contact_added_by_address_is_resolved_shown_and_re_resolved_when_tipping() {
    use satchel::gui::screen::contacts::form::Message as FormMessage;
    use satchel::gui::screen::send::{Message as SendMessage, Outcome, Stage};

    let server = tokio::runtime::Runtime::new().unwrap();
    let web = server.block_on(super::payto_support::Web::start());
    let settings = satchel::store::Settings {
        confirm_above: satchel::keysend::Msat::from_sat(1_000_000),
        ..Harness::quiet_settings()
    };
    let mut h = Harness::start_web(0, settings, ContactBook::new(), web.web());
    let (bob, carol) = (h.node("bob"), h.node("carol"));
    let document = |key: satchel::keysend::NodeId| {
        super::payto_support::Reply::Json(
            200,
            format!(
                r#"{{"tag":"keysend","pubkey":"{key}","customData":[{{"customKey":"696969","customValue":"pod-wallet"}}]}}"#
            ),
        )
    };
    web.route("/.well-known/keysend/tips", document(bob));
    let form = |h: &mut Harness, message: FormMessage| {
        h.update(Message::Session(SessionMessage::Contacts(
            ContactsMessage::Form(message),
        )));
    };
    h.update(Message::Session(SessionMessage::Navigate(Screen::Contacts)));
    h.update(Message::Session(SessionMessage::Contacts(
        ContactsMessage::New,
    )));
    form(&mut h, FormMessage::NameChanged("Pod".into()));
    form(
        &mut h,
        FormMessage::AddressChanged(format!("Tips@{}", web.domain())),
    );
    assert!(h.shows("transport: keysend"), "what it resolved to");
    assert!(h.shows(&format!("node: {bob}")));
    assert!(h.shows("record: 696969=pod-wallet (LNPay destination)"));
    form(&mut h, FormMessage::Save);
    let address = format!("tips@{}", web.domain());
    let saved = h.app.context().contacts.contacts()[0].clone();
    assert_eq!(
        (saved.pubkey, saved.address.as_deref()),
        (bob, Some(address.as_str()))
    );
    assert!(
        h.shows(&format!("Lightning Address {address}")),
        "on the page"
    );

    web.route("/.well-known/keysend/tips", document(carol));
    h.update(Message::Session(SessionMessage::Contacts(
        ContactsMessage::Tip(saved.id),
    )));
    let send = |h: &mut Harness, message: SendMessage| {
        h.update(Message::Session(SessionMessage::Send(message)));
    };
    send(&mut h, SendMessage::AmountChanged("21".into()));
    assert!(
        h.shows(&format!(
            "{address} now gives node {carol} (saved: {bob}); sending to the new node. Check \
             with the recipient if you did not expect this."
        )),
        "the changed node is said before paying"
    );
    send(&mut h, SendMessage::Send);
    let stage = h.app.session().unwrap().send().stage().clone();
    let Stage::Done(Outcome::Succeeded { update, .. }) = stage else {
        panic!("{stage:?}")
    };
    let row = super::send_payto::in_sent(&mut h, update.hash);
    assert_eq!(
        row.destination,
        Some(carol),
        "the node the address gives now is paid"
    );
}
