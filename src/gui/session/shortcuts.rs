//! Keyboard shortcuts of a session: Ctrl+1..4 switch screens, Ctrl+N starts
//! a tip, Ctrl+, opens Settings, Esc closes dialogs, `?` (or F1) shows the
//! sheet listing them all ([`SHEET`]). They work while a text field has
//! focus: a focused input captures every key press, so the subscription
//! reads events whatever their capture status, and only ever reacts to Ctrl
//! combinations, Esc and F1; `?` only when no field took it (typing a `?`
//! in a message must stay typing).
//! The list keys (arrows, j/k, Enter, `/`) are plain keys: they count only
//! when no widget captured them (so typing "j" in a field stays typing).

use iced::keyboard::key::{Code, Named, Physical};
use iced::keyboard::{self, Key, Modifiers};
use iced::{Event, Subscription, event, window};

use super::Message;
use crate::gui::screen::Screen;

/// Every shortcut, captured by a widget or not.
pub fn listen() -> Subscription<Message> {
    event::listen_with(on_event)
}

/// Every shortcut of the window, as the `?` sheet lists them: keys, what
/// they do. Written next to the handling so the two stay together.
pub const SHEET: &[(&str, &str)] = &[
    ("Ctrl+1", "Inbox"),
    ("Ctrl+2", "Send"),
    ("Ctrl+3", "Contacts"),
    ("Ctrl+4", "Sent"),
    ("Ctrl+,", "Settings"),
    ("Ctrl+N", "New tip"),
    ("Tab / Shift+Tab", "Next / previous field"),
    ("Enter", "Submit the form (send, save, connect, apply)"),
    (
        "Esc",
        "Close a detail, dialog or this sheet; step back from confirm",
    ),
    ("Down / j, Up / k", "Move through the Inbox or Sent list"),
    ("Enter (in a list)", "Open the highlighted row"),
    ("/ or Ctrl+F", "Search the Inbox or Sent list"),
    ("? or F1", "Show this sheet"),
];

fn on_event(event: Event, status: event::Status, _window: window::Id) -> Option<Message> {
    let Event::Keyboard(keyboard::Event::KeyPressed {
        key,
        modified_key,
        physical_key,
        modifiers,
        ..
    }) = event
    else {
        return None;
    };
    if status == event::Status::Ignored && is_sheet_key(&modified_key, modifiers) {
        return Some(Message::Shortcuts);
    }
    if let Key::Named(Named::F1) = key {
        return Some(Message::Shortcuts);
    }
    shortcut(&key, physical_key, modifiers).or_else(|| match status {
        event::Status::Ignored => list_key(&key, physical_key, modifiers),
        event::Status::Captured => None,
    })
}

/// A plain key that moves through a list: arrows and j/k move, Enter
/// opens, `/` goes to the search field.
pub fn list_key(key: &Key, physical: Physical, modifiers: Modifiers) -> Option<Message> {
    if modifiers.command() || modifiers.alt() {
        return None;
    }
    match key {
        Key::Named(Named::ArrowDown) => return Some(Message::ListMove(1)),
        Key::Named(Named::ArrowUp) => return Some(Message::ListMove(-1)),
        Key::Named(Named::Enter) => return Some(Message::ListOpen),
        _ => {}
    }
    match key.to_latin(physical)? {
        'j' => Some(Message::ListMove(1)),
        'k' => Some(Message::ListMove(-1)),
        '/' => Some(Message::FocusSearch),
        _ => None,
    }
}

/// `?` typed outside a text field (any layout: the character typed, i.e.
/// the key with Shift applied; the plain key is `/` on US layouts).
fn is_sheet_key(key: &Key, modifiers: Modifiers) -> bool {
    !modifiers.command() && !modifiers.alt() && matches!(key, Key::Character(c) if c == "?")
}

/// The session message for a key press, if it is a shortcut.
pub fn shortcut(key: &Key, physical: Physical, modifiers: Modifiers) -> Option<Message> {
    if let Key::Named(Named::Escape) = key {
        return Some(Message::Escape);
    }
    if !modifiers.command() || modifiers.alt() {
        return None;
    }
    if let Some(n) = digit(key, physical) {
        return Screen::NUMBERED
            .get(n.checked_sub(1)?)
            .copied()
            .map(Message::Navigate);
    }
    match key.to_latin(physical)? {
        'n' | 'N' => Some(Message::NewTip),
        ',' => Some(Message::Navigate(Screen::Settings)),
        'f' | 'F' => Some(Message::FocusSearch),
        _ => None,
    }
}

/// The digit pressed: from the character, else from the key's position
/// (layouts such as AZERTY put symbols on the unshifted digit row).
fn digit(key: &Key, physical: Physical) -> Option<usize> {
    if let Key::Character(c) = key
        && let Some(d) = c.chars().next().and_then(|c| c.to_digit(10))
    {
        return Some(d as usize);
    }
    match physical {
        Physical::Code(Code::Digit1) => Some(1),
        Physical::Code(Code::Digit2) => Some(2),
        Physical::Code(Code::Digit3) => Some(3),
        Physical::Code(Code::Digit4) => Some(4),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(c: &str, code: Code, modifiers: Modifiers) -> Option<Message> {
        shortcut(&Key::Character(c.into()), Physical::Code(code), modifiers)
    }

    fn navigates(message: Option<Message>) -> Option<Screen> {
        match message {
            Some(Message::Navigate(screen)) => Some(screen),
            _ => None,
        }
    }

    #[test]
    fn ctrl_digits_switch_screens() {
        let ctrl = Modifiers::CTRL;
        let table = [
            ("1", Code::Digit1, Some(Screen::Inbox)),
            ("2", Code::Digit2, Some(Screen::Send)),
            ("3", Code::Digit3, Some(Screen::Contacts)),
            ("4", Code::Digit4, Some(Screen::Sent)),
            ("5", Code::Digit5, None),
            ("0", Code::Digit0, None),
            // AZERTY: the unshifted digit row types symbols.
            ("&", Code::Digit1, Some(Screen::Inbox)),
            ("\u{e9}", Code::Digit2, Some(Screen::Send)),
            (",", Code::Comma, Some(Screen::Settings)),
        ];
        for (c, code, expected) in table {
            assert_eq!(navigates(press(c, code, ctrl)), expected, "ctrl+{c}");
        }
    }

    #[test]
    fn plain_typing_is_never_a_shortcut() {
        for (c, code) in [("1", Code::Digit1), ("n", Code::KeyN), (",", Code::Comma)] {
            assert!(press(c, code, Modifiers::empty()).is_none(), "{c}");
            assert!(press(c, code, Modifiers::SHIFT).is_none(), "shift+{c}");
            assert!(
                press(c, code, Modifiers::CTRL | Modifiers::ALT).is_none(),
                "AltGr+{c}"
            );
        }
    }

    #[test]
    fn ctrl_n_and_escape() {
        assert!(matches!(
            press("n", Code::KeyN, Modifiers::CTRL),
            Some(Message::NewTip)
        ));
        assert!(matches!(
            press("N", Code::KeyN, Modifiers::CTRL | Modifiers::SHIFT),
            Some(Message::NewTip)
        ));
        let escape = shortcut(
            &Key::Named(Named::Escape),
            Physical::Code(Code::Escape),
            Modifiers::empty(),
        );
        assert!(matches!(escape, Some(Message::Escape)));
    }

    fn question_mark(status: event::Status) -> Option<Message> {
        // What winit sends for Shift+/ on a US layout.
        let event = Event::Keyboard(keyboard::Event::KeyPressed {
            key: Key::Character("/".into()),
            modified_key: Key::Character("?".into()),
            physical_key: Physical::Code(Code::Slash),
            location: keyboard::Location::Standard,
            modifiers: Modifiers::SHIFT,
            text: Some("?".into()),
            repeat: false,
        });
        on_event(event, status, window::Id::unique())
    }

    #[test]
    fn question_mark_opens_the_sheet_unless_a_field_is_typing_it() {
        assert!(matches!(
            question_mark(event::Status::Ignored),
            Some(Message::Shortcuts)
        ));
        assert!(question_mark(event::Status::Captured).is_none(), "typed");
    }

    #[test]
    fn list_keys_only_when_no_field_took_them() {
        let key = |key: Key, code: Code, status: event::Status| {
            let event = Event::Keyboard(keyboard::Event::KeyPressed {
                key: key.clone(),
                modified_key: key,
                physical_key: Physical::Code(code),
                location: keyboard::Location::Standard,
                modifiers: Modifiers::empty(),
                text: None,
                repeat: false,
            });
            on_event(event, status, window::Id::unique())
        };
        let free = event::Status::Ignored;
        let moved = |m: Option<Message>| match m {
            Some(Message::ListMove(by)) => Some(by),
            _ => None,
        };
        assert_eq!(
            moved(key(Key::Character("j".into()), Code::KeyJ, free)),
            Some(1)
        );
        assert_eq!(
            moved(key(Key::Character("k".into()), Code::KeyK, free)),
            Some(-1)
        );
        let down = Key::Named(Named::ArrowDown);
        assert_eq!(moved(key(down.clone(), Code::ArrowDown, free)), Some(1));
        let up = Key::Named(Named::ArrowUp);
        assert_eq!(moved(key(up, Code::ArrowUp, free)), Some(-1));
        let enter = key(Key::Named(Named::Enter), Code::Enter, free);
        assert!(matches!(enter, Some(Message::ListOpen)));
        let slash = key(Key::Character("/".into()), Code::Slash, free);
        assert!(matches!(slash, Some(Message::FocusSearch)));
        // Typed into the search field: text, not a move.
        let typed = key(
            Key::Character("j".into()),
            Code::KeyJ,
            event::Status::Captured,
        );
        assert!(typed.is_none());
        assert!(key(down, Code::ArrowDown, event::Status::Captured).is_none());
        assert!(matches!(
            press("f", Code::KeyF, Modifiers::CTRL),
            Some(Message::FocusSearch)
        ));
    }

    #[test]
    fn captured_events_still_reach_the_shortcuts() {
        let event = Event::Keyboard(keyboard::Event::KeyPressed {
            key: Key::Character("2".into()),
            modified_key: Key::Character("2".into()),
            physical_key: Physical::Code(Code::Digit2),
            location: keyboard::Location::Standard,
            modifiers: Modifiers::CTRL,
            text: None,
            repeat: false,
        });
        let message = on_event(event, event::Status::Captured, window::Id::unique());
        assert_eq!(navigates(message), Some(Screen::Send));
    }
}
