//! Issue 14 (GUI): Settings > Connected apps. A connection is added through
//! the form, its URI and QR code are shown, a real NIP-47 client (rust-nostr's
//! `nwc` library) pays a keysend through the service the GUI runs, over a
//! real relay on 127.0.0.1, and the payment shows in Sent with the app's
//! name; after Revoke the app's next request is not served.

use std::time::Duration;

use iced_test::selector;
use nostr::nips::nip47::{NostrWalletConnectURI, PayKeysendRequest};
use nwc::prelude::{NWC, NostrWalletConnectOptions};
use satchel::gui::nwc_serve::Status;
use satchel::gui::screen::sent::Message as SentMessage;
use satchel::gui::screen::settings;
use satchel::gui::screen::settings::apps::{Message as AppsMessage, ids};
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::nwc::relay::DemoRelay;
use satchel::store::ContactBook;

use super::gui_support::Harness;

/// The Settings page is long: a window tall enough to show all of it.
const TALL: iced::Size = iced::Size::new(1200.0, 3200.0);

/// Pure black pixels in the rendered (tall) window: QR modules are pure black.
fn black_pixels(h: &Harness) -> usize {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("apps");
    let mut ui = h.ui_at(TALL);
    let snapshot = ui.snapshot(&h.app.theme()).expect("snapshot");
    let _ = snapshot.matches_image(&path).expect("png written");
    let file = std::fs::read_dir(dir.path())
        .expect("rendered")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "png"))
        .expect("a png was written");
    let picture = super::layout::Picture::read(&file);
    picture
        .rgba
        .chunks(4)
        .filter(|p| p[..3] == [0, 0, 0])
        .count()
}

/// Interact with the whole (tall) page, then apply what it produced.
fn interact(h: &mut Harness, act: impl FnOnce(&mut iced_test::simulator::Simulator<'_, Message>)) {
    let messages: Vec<Message> = {
        let mut ui = h.ui_at(TALL);
        act(&mut ui);
        ui.into_messages().collect()
    };
    for message in messages {
        h.update(message);
    }
}

/// Whether the whole page shows exactly `text`.
fn shows(h: &Harness, text: &str) -> bool {
    h.ui_at(TALL).find(text).is_ok()
}

fn apps(h: &Harness) -> &satchel::gui::screen::settings::apps::Apps {
    h.app.session().expect("connected").settings().apps()
}

/// Render the window to `$SATCHEL_TEST_SHOTS/<name>` when set (to look at it).
fn look(h: &Harness, name: &str) {
    if let Ok(dir) = std::env::var("SATCHEL_TEST_SHOTS") {
        h.render(std::path::Path::new(&dir), name);
    }
}

fn type_into(h: &mut Harness, id: &'static str, text: &str) {
    interact(h, |ui| {
        let _ = ui.click(selector::id(id)).expect("the field");
        let _ = ui.typewrite(text);
    });
}

fn click(h: &mut Harness, label: &str) {
    interact(h, |ui| {
        let _ = ui
            .click(label)
            .unwrap_or_else(|_| panic!("a {label:?} button"));
    });
}

fn app(uri: &NostrWalletConnectURI, timeout: Duration) -> NWC {
    NWC::with_opts(
        uri.clone(),
        NostrWalletConnectOptions::new().timeout(timeout),
    )
}

fn keysend(to: &satchel::keysend::NodeId, msat: u64) -> PayKeysendRequest {
    PayKeysendRequest {
        id: None,
        amount: msat,
        pubkey: to.to_string(),
        preimage: None,
        tlv_records: Vec::new(),
    }
}

#[test]
fn an_app_added_in_settings_pays_through_the_gui_and_is_named_in_sent_until_revoked() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    let relay = h
        .runtime
        .block_on(DemoRelay::start(0))
        .expect("the relay starts");
    h.update(Message::Session(SessionMessage::Navigate(Screen::Settings)));
    assert!(shows(&h, "Connected apps"));
    assert!(shows(&h, "Not serving: no app is connected yet."));
    let before = black_pixels(&h);

    click(&mut h, "Add app…");
    type_into(&mut h, ids::NAME, "Podcast app");
    type_into(&mut h, ids::BUDGET, "5,000");
    click(&mut h, "week");
    look(&h, "form");
    // The form is checked as `nwc add` checks its flags: no relay, no connection.
    click(&mut h, "Create connection");
    assert!(apps(&h).connections().is_empty());
    assert!(shows(
        &h,
        "give the relay the app and Satchel meet on, e.g. wss://relay.example"
    ));
    type_into(&mut h, ids::RELAY, relay.url());
    click(&mut h, "Create connection");

    look(&h, "added");
    let uri = apps(&h).added_uri().expect("the URI is shown").to_owned();
    assert!(uri.starts_with("nostr+walletconnect://"), "{uri}");
    assert!(shows(&h, &uri), "the URI as text");
    assert!(
        black_pixels(&h) > before + 2_000,
        "a QR code of the URI is drawn"
    );
    click(&mut h, "Copy URI");
    assert!(shows(&h, "Copied"));
    let listed = apps(&h).connections();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "Podcast app");
    assert_eq!(listed[0].budget_msat, Some(5_000_000));
    assert_eq!(listed[0].period, satchel::nwc::Period::Week);
    assert!(apps(&h).serving(), "the GUI serves the new connection");
    let (line, bad) = apps(&h).status().line();
    assert!(
        matches!(apps(&h).status(), Status::Serving { .. }) && !bad,
        "{line}"
    );
    assert!(line.contains("relay connected"), "{line}");

    // The app pays a keysend through the service the GUI runs.
    let uri: NostrWalletConnectURI = uri.parse().expect("a NIP-47 URI");
    let alice = h.node("alice");
    let paid = h
        .runtime
        .block_on(app(&uri, Duration::from_secs(30)).pay_keysend(keysend(&alice, 21_000)))
        .expect("the app's keysend is paid");
    let preimage =
        satchel::keysend::Preimage::from_slice(&hex::decode(&paid.preimage).unwrap()).unwrap();
    let hash = preimage.hash();

    // The list follows the spending (read again while serving).
    h.update(Message::Session(SessionMessage::Settings(
        settings::Message::Apps(AppsMessage::Tick),
    )));
    let listed = &apps(&h).connections()[0];
    assert_eq!(listed.spends.len(), 1);
    assert_eq!(listed.spent(satchel::nwc::unix_now()), 21_000);
    assert!(listed.last_used.is_some());

    // Sent names the app, in the list and in the payment's details.
    h.update(Message::Session(SessionMessage::Resync));
    h.update(Message::Session(SessionMessage::Navigate(Screen::Sent)));
    let sent = h.app.session().unwrap().sent();
    assert!(
        sent.rows().iter().any(|r| r.hash == hash),
        "the app's payment is in Sent"
    );
    assert_eq!(sent.app_of(&hash), Some("Podcast app"));
    h.update(Message::Session(SessionMessage::Sent(SentMessage::Open(
        hash,
    ))));
    assert!(shows(&h, "Paid by app"));
    assert!(shows(&h, "Podcast app"));

    // Revoke, confirmed: the connection goes and the app is no longer served.
    h.update(Message::Session(SessionMessage::Navigate(Screen::Settings)));
    click(&mut h, "Revoke");
    assert_eq!(apps(&h).connections().len(), 1, "Revoke asks first");
    click(&mut h, "Revoke app");
    assert!(apps(&h).connections().is_empty());
    assert!(!apps(&h).serving());
    let refused = h
        .runtime
        .block_on(app(&uri, Duration::from_secs(3)).pay_keysend(keysend(&alice, 1_000)));
    assert!(refused.is_err(), "a revoked app is refused: {refused:?}");
    let paid_by_node = h
        .runtime
        .block_on(h.client().sent_page(0, 1_000))
        .expect("sent page")
        .items
        .len();
    assert_eq!(paid_by_node, 1, "nothing was paid after the revoke");
}
