//! How a session looks: the sidebar, the header, the notice bar, the
//! recovery card (Send and Sent) or hint (elsewhere), and the current screen.

use iced::widget::{column, container, row};
use iced::{Element, Length};

use super::{Message, Session};
use crate::gui::chrome;
use crate::gui::context::Context;
use crate::gui::screen::Env;
use crate::gui::screen::Screen;
use crate::gui::{recovery_view, theme, widget};

impl Session {
    /// The frame and the current screen.
    pub fn view<'a>(&'a self, context: &'a Context) -> Element<'a, Message> {
        let env = self.env(context);
        let screen: Element<'a, Message> = match self.screen {
            Screen::Inbox => self.inbox.view(&env).map(Message::Inbox),
            Screen::Send => self.send.view(&env).map(Message::Send),
            Screen::Contacts => self.contacts.view(&env).map(Message::Contacts),
            Screen::Sent => self.sent.view(&env).map(Message::Sent),
            Screen::Podcasts => self.podcasts.view(&env).map(Message::Podcasts),
            Screen::Settings => self.settings.view(&env).map(Message::Settings),
            Screen::Channels => self.channels.view(&env).map(Message::Channels),
            Screen::Streams => self.streams.view(&env).map(Message::Streams),
        };
        let mut main = column![chrome::header(
            &self.info,
            self.balance,
            self.link.state(),
            context.settings.unit,
            self.balance.and_then(|b| env.fiat(b.local))
        )];
        if let Some(streaming) = self.streaming_bar() {
            main = main.push(streaming);
        }
        if let Some(notice) = &self.notice {
            main = main.push(notice_bar(notice));
        }
        if let Some(recovery) = self.recovery_bar(&env) {
            main = main.push(recovery);
        }
        main = main.push(screen);
        let attention = self.recovery.attention() as u64;
        let frame = row![
            chrome::sidebar(self.screen, self.unread, attention, Message::Navigate),
            main.width(Length::Fill)
        ];
        if self.shortcuts {
            iced::widget::stack![frame, shortcuts_sheet()].into()
        } else {
            frame.into()
        }
    }

    /// The recovery card on Send and Sent, a one-line hint elsewhere.
    fn recovery_bar<'a>(&'a self, env: &Env<'a>) -> Option<Element<'a, Message>> {
        let shown = match self.screen {
            Screen::Send | Screen::Sent => {
                recovery_view::card(&self.recovery, env)?.map(Message::Recovery)
            }
            _ => recovery_view::hint(self.recovery.attention(), Message::Navigate(Screen::Send))?,
        };
        let margins = iced::Padding {
            top: theme::gap::M,
            right: theme::gap::XL,
            bottom: 0.0,
            left: theme::gap::XL,
        };
        Some(container(shown).padding(margins).into())
    }
}

impl Session {
    /// Under the header while a stream runs: how many, and a way to them.
    fn streaming_bar(&self) -> Option<Element<'_, Message>> {
        let running = self.streams.running();
        if running == 0 || self.screen == Screen::Streams {
            return None;
        }
        let label = match running {
            1 => "Streaming sats: 1 stream running".to_owned(),
            n => format!("Streaming sats: {n} streams running"),
        };
        Some(
            row![
                widget::pill(label, theme::Tone::Success),
                widget::link("Show", Message::Navigate(Screen::Streams))
            ]
            .spacing(8)
            .padding([4, 28])
            .into(),
        )
    }
}

fn notice_bar(notice: &str) -> Element<'_, Message> {
    row![
        container(widget::notice(
            theme::Tone::Warning,
            "Needs your attention",
            notice
        ))
        .width(Length::Fill),
        widget::link("Dismiss", Message::DismissNotice)
    ]
    .spacing(8)
    .padding([8, 28])
    .into()
}

/// The `?` sheet: every keyboard shortcut, over a dimmed window; a click
/// outside or Esc closes it.
fn shortcuts_sheet<'a>() -> Element<'a, Message> {
    use iced::widget::{mouse_area, opaque, space, text};
    let mut rows = column![].spacing(theme::gap::S);
    for (keys, what) in super::shortcuts::SHEET {
        rows = rows.push(row![
            container(text(*keys).font(theme::MONO).size(theme::size::BODY)).width(160),
            text(*what).size(theme::size::BODY)
        ]);
    }
    let card = widget::raised_card(
        column![
            row![
                text("Keyboard shortcuts")
                    .size(theme::size::TITLE)
                    .font(theme::BOLD),
                space::horizontal(),
                widget::link("Close", Message::Shortcuts)
            ],
            rows,
            widget::caption("Esc closes this sheet.")
        ]
        .spacing(theme::gap::M),
    )
    .width(600);
    let backdrop = container(opaque(card))
        .center(Length::Fill)
        .style(|_| container::Style {
            background: Some(iced::Color::from_rgba(0.0, 0.0, 0.0, 0.45).into()),
            ..container::Style::default()
        });
    opaque(mouse_area(backdrop).on_press(Message::Shortcuts))
}
