//! Issue 18 in the window: Settings shows your node's public key with a QR
//! code and a copy button (the click starts a clipboard write), and the
//! "Open log folder" button; a raise request from a second launch is
//! handled without a window to focus (headless).

use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::store::ContactBook;

use super::gui_support::Harness;

#[test]
fn settings_show_and_copy_your_key_with_a_qr_code() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    h.update(Message::Session(SessionMessage::Navigate(Screen::Settings)));
    let key = h.app.session().expect("connected").info().id.to_hex();
    assert!(h.shows(&key), "the key is shown in full");
    assert!(h.shows("Your node"));
    assert!(h.shows("Open log folder"));
    let started = h.interact_counting(|ui| {
        let _ = ui.click("Copy key").expect("a copy button");
    });
    assert_eq!(started, 1, "the click starts the clipboard write");
    if let Ok(dir) = std::env::var("SATCHEL_SHOTS") {
        h.render(std::path::Path::new(&dir), "settings-desktop");
    }
    h.update(Message::Raise);
}
