//! Issue 13 on a contact's page: a recurring tip added from the Contacts
//! screen is listed there (amount, period, next due) and is the same row
//! `satchel recurring list` shows in that profile; a bad amount is refused
//! with the domain's reason; Remove takes it away.

use satchel::gui::screen::contacts::Message as ContactsMessage;
use satchel::gui::screen::contacts::recurring::Message as PanelMessage;
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::store::{ContactBook, NewContact};
use satchel::wallet::recurring::Every;

use super::gui_support::Harness;

fn panel(message: PanelMessage) -> Message {
    Message::Session(SessionMessage::Contacts(ContactsMessage::RecurringPanel(
        message,
    )))
}

fn harness() -> Harness {
    let (_, alice, _) = satchel::sim::demo_contacts().into_iter().next().unwrap();
    let mut book = ContactBook::new();
    let _ = book.add(NewContact::new("Rita", alice)).unwrap();
    let mut h = Harness::start(0, Harness::quiet_settings(), book);
    h.update(Message::Session(SessionMessage::Navigate(Screen::Contacts)));
    h
}

/// `satchel recurring list --json` on the harness's profile and sim.
fn cli_list(h: &Harness) -> serde_json::Value {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_satchel"))
        .env("SATCHEL_HOME", h.profile.root())
        .env("RUST_LOG", "off")
        .env_remove("LNDCONNECT")
        .args(["--rpcserver", &h.sim.addr().to_string(), "--tlscertpath"])
        .arg(h.sim.tls_cert_path())
        .arg("--macaroonpath")
        .arg(h.sim.admin_macaroon_path())
        .args(["recurring", "list", "--json"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("satchel runs");
    assert!(
        output.status.success(),
        "recurring list: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON")
}

#[test]
fn a_recurring_tip_added_on_a_contact_page_is_listed_there_and_by_the_cli() {
    let mut h = harness();
    h.interact(|ui| {
        let _ = ui
            .click("Recurring")
            .expect("the contact's Recurring button");
    });
    assert!(h.shows("Recurring tips to Rita"));
    assert!(h.shows("No recurring tips to this contact yet."));

    // The domain's validation, as the CLI says it.
    h.update(panel(PanelMessage::AmountChanged("0".into())));
    h.interact(|ui| {
        let _ = ui.click("Add recurring tip").expect("the Add button");
    });
    assert!(h.shows("The amount must be at least 1 sat"));

    h.update(panel(PanelMessage::AmountChanged("21".into())));
    h.update(panel(PanelMessage::MessageChanged(
        "thanks for the show".into(),
    )));
    h.interact(|ui| {
        let _ = ui.click("week").expect("the week button");
    });
    h.interact(|ui| {
        let _ = ui.click("Add recurring tip").expect("the Add button");
    });
    assert!(h.shows("21 sat every week"), "the tip is listed");
    assert!(h.shows("“thanks for the show”"));
    assert!(
        h.shows("due now · never paid yet"),
        "a new tip is due in its first period"
    );

    let listed = cli_list(&h);
    let rows = listed.as_array().expect("a list");
    assert_eq!(rows.len(), 1, "{listed}");
    assert_eq!(rows[0]["name"], "Rita");
    assert_eq!(rows[0]["sat"], 21);
    assert_eq!(rows[0]["every"], Every::Week.as_str());
    assert_eq!(rows[0]["message"], "thanks for the show");

    h.interact(|ui| {
        let _ = ui.click("Remove").expect("the tip's Remove link");
    });
    assert!(h.shows("Removed recurring tip 1."));
    assert!(h.shows("No recurring tips to this contact yet."));
    assert_eq!(cli_list(&h), serde_json::json!([]));
}

#[test]
fn the_window_pays_a_due_recurring_tip_once_per_period() {
    use satchel::keysend::Msat;
    use satchel::wallet::recurring;
    use satchel::wallet::stream_store::StreamStore;
    let mut h = harness();
    let node = h.app.session().unwrap().info().id;
    let store = StreamStore::open(&h.profile.node_data_dir(&node)).unwrap();
    let (_, alice, _) = satchel::sim::demo_contacts().into_iter().next().unwrap();
    let now = satchel::clock::from_env().unwrap().now_ms();
    let id = recurring::add(
        &store,
        "Rita",
        alice,
        Msat::from_sat(21),
        Every::Week,
        Some("weekly thanks"),
        now,
    )
    .unwrap();
    assert_eq!(recurring::last_paid(&store, id).unwrap(), None);

    // The minute's check (the subscription's tick) pays what is due.
    h.update(Message::Session(SessionMessage::RecurringTick));
    let ran = h.app.session().unwrap().last_recurring().cloned().unwrap();
    assert_eq!(ran.paid, ["21 sat to Rita"], "{ran:?}");
    assert!(ran.failed.is_empty(), "{ran:?}");
    let paid_for = recurring::last_paid(&store, id).unwrap();
    assert!(paid_for.is_some());

    // The next check in the same period pays nothing again.
    h.update(Message::Session(SessionMessage::RecurringTick));
    let again = h.app.session().unwrap().last_recurring().cloned().unwrap();
    assert!(again.paid.is_empty(), "{again:?}");
    assert_eq!(recurring::last_paid(&store, id).unwrap(), paid_for);
    assert!(h.app.session().unwrap().notice().is_none());

    // The tip went to the node: Sent lists it, to Rita, with its message.
    h.update(Message::Session(SessionMessage::Resync));
    h.update(Message::Session(SessionMessage::Navigate(Screen::Sent)));
    let rows = h.app.session().unwrap().sent().rows().to_vec();
    assert_eq!(rows.len(), 1, "one payment, not one per check");
    assert_eq!(rows[0].amount, Msat::from_sat(21));
    assert_eq!(rows[0].destination, Some(alice));
    assert!(
        rows[0].preview.contains("weekly thanks"),
        "{:?}",
        rows[0].preview
    );
}
