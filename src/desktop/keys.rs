//! Tab and Shift+Tab move the keyboard focus between the fields of every
//! screen (iced's text inputs do not do it themselves). A key press a widget
//! already used (an open combo box's list) is left to it.

use iced::keyboard::{self, Key, key::Named};
use iced::{Event, event, window};

/// Where Tab moves the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Next,
    Previous,
}

/// The focus move a key event asks for (for `iced::event::listen_with`).
pub fn focus_move(event: Event, status: event::Status, _window: window::Id) -> Option<Focus> {
    if status == event::Status::Captured {
        return None;
    }
    let Event::Keyboard(keyboard::Event::KeyPressed { key, modifiers, .. }) = event else {
        return None;
    };
    if key != Key::Named(Named::Tab) || modifiers.command() || modifiers.alt() {
        return None;
    }
    Some(match modifiers.shift() {
        true => Focus::Previous,
        false => Focus::Next,
    })
}

/// The task that moves the focus.
pub fn move_focus<T>(focus: Focus) -> iced::Task<T> {
    match focus {
        Focus::Next => iced::widget::operation::focus_next(),
        Focus::Previous => iced::widget::operation::focus_previous(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced::keyboard::{Location, Modifiers, key::Physical};

    fn press(key: Key, modifiers: Modifiers, status: event::Status) -> Option<Focus> {
        let event = Event::Keyboard(keyboard::Event::KeyPressed {
            key: key.clone(),
            modified_key: key,
            physical_key: Physical::Code(keyboard::key::Code::Tab),
            location: Location::Standard,
            modifiers,
            text: None,
            repeat: false,
        });
        focus_move(event, status, window::Id::unique())
    }

    #[test]
    fn tab_and_shift_tab_move_the_focus() {
        let tab = || Key::Named(Named::Tab);
        let free = event::Status::Ignored;
        assert_eq!(press(tab(), Modifiers::empty(), free), Some(Focus::Next));
        assert_eq!(press(tab(), Modifiers::SHIFT, free), Some(Focus::Previous));
        assert_eq!(
            press(tab(), Modifiers::CTRL, free),
            None,
            "Ctrl+Tab is not ours"
        );
        assert_eq!(
            press(tab(), Modifiers::empty(), event::Status::Captured),
            None
        );
        assert_eq!(
            press(Key::Character("a".into()), Modifiers::empty(), free),
            None
        );
    }
}
