//! The renderer picker in Settings: a click saves the choice to the
//! settings file (read by the next start), and the screen says when it
//! applies and what draws this window.

use satchel::gui::renderer::Drawn;
use satchel::gui::session::Message as SessionMessage;
use satchel::gui::{Message, Screen};
use satchel::store::{ContactBook, RendererChoice, Settings};

use super::gui_support::Harness;

fn saved(h: &Harness) -> RendererChoice {
    Settings::load(&h.profile)
        .expect("settings readable")
        .value
        .renderer
}

#[test]
fn choosing_a_renderer_saves_it_for_the_next_start() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    h.update(Message::Session(SessionMessage::Navigate(Screen::Settings)));
    assert_eq!(h.app.context().settings.renderer, RendererChoice::Auto);
    assert!(h.shows("Applies the next time Satchel starts."));
    assert!(
        h.shows(Drawn::current().describe()),
        "this window's renderer"
    );
    for (label, choice) in [
        ("CPU", RendererChoice::Cpu),
        ("GPU", RendererChoice::Gpu),
        ("Auto", RendererChoice::Auto),
    ] {
        h.interact(|ui| {
            let _ = ui.click(label).expect("a renderer button");
        });
        assert_eq!(h.app.context().settings.renderer, choice, "{label}");
        assert_eq!(saved(&h), choice, "{label} written to settings.json");
    }
}

#[test]
fn a_choice_that_differs_from_this_window_asks_for_a_restart() {
    let mut h = Harness::start(0, Harness::quiet_settings(), ContactBook::new());
    h.update(Message::Session(SessionMessage::Navigate(Screen::Settings)));
    assert!(!h.shows("restart to apply"), "auto never claims a change");
    let other = match Drawn::current() {
        Drawn::Cpu => "GPU",
        Drawn::Gpu => "CPU",
    };
    h.interact(|ui| {
        let _ = ui.click(other).expect("the other renderer");
    });
    assert!(h.shows("restart to apply"));
}
