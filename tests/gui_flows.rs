//! End-to-end GUI flows against the in-process simulator: the real app
//! state, real LND client, real gRPC + TLS; views checked headless with
//! iced_test (`ICED_TEST_BACKEND=tiny-skia`).

#[path = "gui_flows/channels.rs"]
mod channels;
#[path = "gui_flows/connected_apps.rs"]
mod connected_apps;
#[path = "gui_flows/contacts.rs"]
mod contacts;
#[path = "gui_flows/copy_buttons.rs"]
mod copy_buttons;
#[path = "gui_flows/desktop.rs"]
mod desktop;
#[path = "gui_flows/dialogs.rs"]
mod dialogs;
#[path = "gui_flows/fiat.rs"]
mod fiat;
mod gui_support;
#[path = "gui_flows/history.rs"]
mod history;
#[path = "gui_flows/inbox_search.rs"]
mod inbox_search;
#[path = "gui_flows/index_damage.rs"]
mod index_damage;
#[path = "gui_flows/keyboard.rs"]
mod keyboard;
#[path = "gui_flows/layout.rs"]
mod layout;
#[path = "gui_flows/live_tip.rs"]
mod live_tip;
#[path = "payto_support/mod.rs"]
mod payto_support;
#[path = "gui_flows/podcasts.rs"]
mod podcasts;
#[path = "gui_flows/recovery.rs"]
mod recovery;
#[path = "gui_flows/recurring.rs"]
mod recurring;
#[path = "gui_flows/renderer.rs"]
mod renderer;
#[path = "gui_flows/send_amp.rs"]
mod send_amp;
#[path = "gui_flows/send_form.rs"]
mod send_form;
#[path = "gui_flows/send_outcome.rs"]
mod send_outcome;
#[path = "gui_flows/send_payto.rs"]
mod send_payto;
#[path = "gui_flows/send_retry.rs"]
mod send_retry;
#[path = "gui_flows/sent_detail.rs"]
mod sent_detail;
#[path = "socks_support/mod.rs"]
mod socks_support;
#[path = "gui_flows/streams.rs"]
mod streams;
#[path = "gui_flows/thread_pay.rs"]
mod thread_pay;
#[path = "gui_flows/two_nodes.rs"]
mod two_nodes;
#[path = "gui_flows/verified_detail.rs"]
mod verified_detail;

use gui_support::Harness;
use iced_test::selector;
use satchel::gui::screen::send::{Outcome, Stage};
use satchel::gui::screen::settings::{self, Field};
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::keysend::record::MESSAGE;
use satchel::keysend::{Msat, Records};
use satchel::node::PaymentFailure;
use satchel::store::ContactBook;

fn go(h: &mut Harness, screen: Screen) {
    h.update(Message::Session(SessionMessage::Navigate(screen)));
}

fn stage(h: &Harness) -> Stage {
    h.app.session().expect("connected").send().stage().clone()
}

fn compose(h: &mut Harness, to: &str, sats: &str) {
    go(h, Screen::Send);
    h.interact(|ui| {
        let _ = ui.click(selector::id("send-to")).expect("recipient field");
        let _ = ui.typewrite(to);
        let _ = ui.click(selector::id("send-amount")).expect("amount field");
        let _ = ui.typewrite(sats);
    });
}

fn submit(h: &mut Harness) {
    h.interact(|ui| {
        let _ = ui.click(selector::id("send-amount")).expect("amount field");
        let _ = ui.tap_key(iced::keyboard::key::Named::Enter);
    });
}

#[test]
fn a_tip_to_a_sim_node_succeeds_with_fee_and_hops() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    let alice = h.node("alice").to_hex();
    compose(&mut h, &alice, "21");
    submit(&mut h);
    let Stage::Done(Outcome::Succeeded { update, .. }) = stage(&h) else {
        panic!("expected success, got {:?}", stage(&h))
    };
    assert_eq!(update.amount, Msat::from_sat(21));
    assert!(update.hops >= 1);
    assert!(h.shows("Sent 21 sat"), "the result card names the amount");
}

#[test]
fn a_refused_keysend_shows_the_explanation() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    let erin = h.node("erin").to_hex();
    compose(&mut h, &erin, "100");
    submit(&mut h);
    assert!(
        matches!(stage(&h), Stage::Done(Outcome::Failed { .. })),
        "{:?}",
        stage(&h)
    );
    assert!(h.shows(PaymentFailure::ReceiverRefusedKeysend.explain()));
}

#[test]
fn enter_and_click_send_only_one_payment() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    let bob = h.node("bob").to_hex();
    compose(&mut h, &bob, "50");
    // Two submits before anything runs: the second is ignored while preparing.
    let context = h.runtime.enter();
    let first = h.app.update(Message::Session(SessionMessage::Send(
        satchel::gui::screen::send::Message::Send,
    )));
    let second = h.app.update(Message::Session(SessionMessage::Send(
        satchel::gui::screen::send::Message::Send,
    )));
    drop(context);
    h.settle(first);
    h.settle(second);
    assert!(
        matches!(stage(&h), Stage::Done(Outcome::Succeeded { .. })),
        "{:?}",
        stage(&h)
    );
    let node = satchel::lnd::ConnectSpec::from_files(
        &h.sim.addr().to_string(),
        h.sim.tls_cert_path(),
        h.sim.admin_macaroon_path(),
    )
    .unwrap();
    let sent = h.runtime.block_on(async {
        let lnd = satchel::lnd::connect(&node).await.unwrap();
        satchel::node::Node::sent_page(&lnd, 0, 100).await.unwrap()
    });
    let to_bob = sent
        .items
        .iter()
        .filter(|p| p.destination == Some(h.node("bob")))
        .count();
    assert_eq!(to_bob, 1, "exactly one payment reached the node");
}

#[test]
fn a_message_too_large_for_the_onion_is_refused_before_sending() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    let alice = h.node("alice").to_hex();
    compose(&mut h, &alice, "21");
    let long = "é".repeat(700); // 1,400 bytes: never fits
    let records = Records::from([(MESSAGE, long.clone().into_bytes())]);
    let budget = satchel::keysend::onion::Budget::measure(1, Msat::from_sat(21), &records);
    h.interact(|ui| {
        let _ = ui.click(selector::id("send-amount")).expect("amount field");
    });
    let paste = iced::widget::text_editor::Action::Edit(iced::widget::text_editor::Edit::Paste(
        std::sync::Arc::new(long),
    ));
    h.update(Message::Session(SessionMessage::Send(
        satchel::gui::screen::send::Message::MessageEdited(paste),
    )));
    submit(&mut h);
    // Send is disabled with the reason; Enter does not send either.
    assert_eq!(stage(&h), Stage::Compose);
    let reason = format!(
        "The message and records are too large for a 1-hop route ({} of 1300 onion bytes); \
         shorten the message by at least {} bytes",
        budget.used,
        budget.over()
    );
    assert!(h.shows(&reason), "{reason}");
}

#[test]
fn the_inbox_shows_a_decoded_message_with_a_verified_sender() {
    let h = Harness::start(40, Harness::quiet_settings(), ContactBook::new());
    let session = h.app.session().unwrap();
    assert!(session.inbox().total() > 0, "backfill filled the inbox");
    let verified = session
        .inbox()
        .loaded_rows()
        .iter()
        .find(|r| {
            r.verification
                .is_some_and(satchel::wallet::Verification::is_verified)
                && !r.preview.is_empty()
        })
        .cloned()
        .expect("a verified, decoded message among the seeded tips");
    assert!(
        h.shows(&verified.preview),
        "the message preview is on screen"
    );
    assert!(h.shows("verified"), "the verified badge is on screen");
}

#[test]
fn the_spam_threshold_hides_a_one_sat_tip() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    for (sats, text) in [(1, "tiny spam tip"), (500, "a proper thank-you")] {
        let records = Records::from([(MESSAGE, text.as_bytes().to_vec())]);
        let _ = h
            .runtime
            .block_on(h.sim.inject_keysend("alice", Msat::from_sat(sats), records))
            .expect("injected");
    }
    // The live follow is a subscription (not run here); a backfill pass picks them up.
    go(&mut h, Screen::Inbox);
    h.update(Message::Session(SessionMessage::Resync));
    assert!(h.shows("a proper thank-you"));
    assert!(
        !h.shows("tiny spam tip"),
        "1 sat is below the default 10 sat threshold"
    );
    h.update(Message::Session(SessionMessage::Inbox(
        satchel::gui::screen::inbox::Message::ShowSmallToggled(true),
    )));
    assert!(
        h.shows("tiny spam tip"),
        "shown when tiny tips are asked for"
    );
}

#[test]
fn a_contact_with_an_invalid_then_a_valid_pubkey_is_saved() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    go(&mut h, Screen::Contacts);
    h.interact(|ui| {
        let _ = ui.click("New contact").expect("new contact button");
    });
    h.interact(|ui| {
        let _ = ui.click(selector::id("contact-name")).expect("name field");
        let _ = ui.typewrite("Alice");
        let _ = ui
            .click(selector::id("contact-pubkey"))
            .expect("pubkey field");
        let _ = ui.typewrite("02abc");
    });
    assert!(h.shows("A node public key is 66 hex characters; this has 5"));
    let alice = h.node("alice").to_hex();
    h.update(Message::Session(SessionMessage::Contacts(
        satchel::gui::screen::contacts::Message::Form(
            satchel::gui::screen::contacts::form::Message::PubkeyChanged(alice.clone()),
        ),
    )));
    assert!(!h.shows("A node public key is 66 hex characters; this has 5"));
    h.interact(|ui| {
        let _ = ui.click("Save contact").expect("save button");
    });
    let book = &h.app.context().contacts;
    let saved = book
        .contacts()
        .iter()
        .find(|c| c.name == "Alice")
        .expect("Alice saved");
    assert_eq!(saved.pubkey.to_hex(), alice);
    assert_eq!(
        saved.accepts_keysend,
        Some(true),
        "graph lookup recorded keysend support"
    );
    let on_disk =
        std::fs::read_to_string(h.profile.contacts_file()).expect("contacts.json written");
    assert!(on_disk.contains(&alice));
}

#[test]
fn a_rejected_macaroon_is_explained_on_the_connect_screen() {
    let h = Harness::launch(0, Harness::quiet_settings(), ContactBook::new(), |spec| {
        spec.macaroon = satchel::lnd::Macaroon::new(vec![2, 1, 3, 4, 5, 6, 7, 8]);
    });
    assert!(
        h.app.session().is_none(),
        "no session without a valid macaroon"
    );
    let error = satchel::node::NodeError::MacaroonRejected;
    let shown = satchel::gui::widget::sentence(&error.to_string());
    assert_eq!(shown, "The node rejected the macaroon");
    assert!(h.shows(&shown), "the specific error is shown");
    assert!(h.shows(error.next_step()), "with the next step");
}

#[test]
fn a_changed_spam_threshold_is_saved_to_the_settings_file() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    go(&mut h, Screen::Settings);
    h.update(Message::Session(SessionMessage::Settings(
        settings::Message::SpamChanged("250".into()),
    )));
    assert_eq!(
        h.app.context().settings.spam_threshold,
        Harness::quiet_settings().spam_threshold,
        "a number applies when complete, not while typed"
    );
    go(&mut h, Screen::Inbox);
    assert_eq!(h.app.context().settings.spam_threshold, Msat::from_sat(250));
    let on_disk = satchel::store::Settings::load(&h.profile)
        .expect("readable")
        .value;
    assert_eq!(on_disk.spam_threshold, Msat::from_sat(250));
    go(&mut h, Screen::Settings);
    h.update(Message::Session(SessionMessage::Settings(
        settings::Message::SpamChanged("-3".into()),
    )));
    assert!(
        h.shows("the amount cannot be negative"),
        "a bad value is explained"
    );
    go(&mut h, Screen::Inbox);
    assert_eq!(
        h.app.context().settings.spam_threshold,
        Msat::from_sat(250),
        "and not applied"
    );
}

/// Issue 10 item 2: typing `150%` key by key saved a 150-sat fee limit on
/// the way, and `abc` in "Hide tips below" showed no error.
#[test]
fn half_typed_settings_are_not_saved_and_every_error_shows() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    let before = h.app.context().settings.default_fee_limit;
    go(&mut h, Screen::Settings);
    for empty in [
        settings::Message::FeeLimitChanged,
        settings::Message::SpamChanged,
    ] {
        h.update(Message::Session(SessionMessage::Settings(empty(
            String::new(),
        ))));
    }
    h.interact(|ui| {
        let _ = ui
            .click(selector::id(Field::FeeLimit.id()))
            .expect("fee limit field");
        let _ = ui.typewrite("150%");
        let _ = ui.tap_key(iced::keyboard::key::Named::Enter);
        let _ = ui
            .click(selector::id(Field::Spam.id()))
            .expect("spam field");
        let _ = ui.typewrite("abc");
    });
    assert_eq!(h.app.context().settings.default_fee_limit, before);
    assert!(h.shows("the percentage must be above 0 and at most 100"));
    assert!(
        h.shows(r#"type the amount as digits (for example 1000 or 1,000), not "abc""#),
        "the spam field explains its error too"
    );
    go(&mut h, Screen::Inbox);
    let on_disk = satchel::store::Settings::load(&h.profile)
        .expect("readable")
        .value;
    assert_eq!(
        on_disk.default_fee_limit, before,
        "nothing half-typed on disk"
    );
}
