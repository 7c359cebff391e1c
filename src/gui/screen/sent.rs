//! The Sent screen: our keysends with message, recipient (contact name when
//! known), amount, fee and status, read from the local index (which is
//! rebuilt from the node's payment history by the session's sync, so nothing
//! depends on this app having sent them). Virtualised like the inbox.

use iced::widget::{column, container, row, space, text};
use iced::{Alignment, Element, Length, Task};

use crate::gui::list::{self, Viewport};
use crate::gui::screen::Env;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::wallet::{Index, IndexError, SentRow, SentStatus};

/// Height of one row, in pixels.
const ROW_HEIGHT: f32 = 62.0;
/// Up to this many rows the list card is as tall as its rows.
const FULL_AFTER: usize = 8;
/// Rows loaded at most (newest first).
const LIMIT: u64 = 2_000;

/// The Sent screen.
pub struct Sent {
    index: Index,
    rows: Vec<SentRow>,
    viewport: Viewport,
    error: Option<String>,
}

/// Sent events.
#[derive(Debug, Clone)]
pub enum Message {
    Loaded(Result<Vec<SentRow>, IndexError>),
    Scrolled(Viewport),
}

impl Sent {
    /// The screen over `index`.
    pub fn new(index: Index) -> Self {
        Self {
            index,
            rows: Vec::new(),
            viewport: Viewport::default(),
            error: None,
        }
    }

    /// Rows loaded (tests).
    pub fn rows(&self) -> &[SentRow] {
        &self.rows
    }

    /// Read the list from the index.
    pub fn reload(&self) -> Task<Message> {
        let index = self.index.clone();
        Task::perform(
            async move { index.call(|i| i.sent(0, LIMIT)).await },
            Message::Loaded,
        )
    }

    /// Handle an event.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Loaded(Ok(rows)) => (self.rows, self.error) = (rows, None),
            Message::Loaded(Err(error)) => self.error = Some(error.to_string()),
            Message::Scrolled(viewport) => self.viewport = viewport,
        }
        Task::none()
    }

    /// Show the screen.
    pub fn view<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        let mut body = column![].spacing(gap::M);
        if let Some(error) = &self.error {
            body = body.push(widget::error_notice(
                error,
                "The list is rebuilt from your node; try again later.",
            ));
        }
        let list: Element<'a, Message> = if self.rows.is_empty() {
            widget::empty_state(
                "Nothing sent yet",
                "Tips you send appear here with their message and fee.",
            )
        } else {
            let now = chrono::Local::now();
            list::virtual_list(
                self.rows.len(),
                ROW_HEIGHT,
                self.viewport,
                move |i| row_view(&self.rows[i], env, now),
                Message::Scrolled,
            )
        };
        body = body.push(
            widget::raised_card(list)
                .padding(0)
                .height(list_height(self.rows.len())),
        );
        let total: u64 = self
            .rows
            .iter()
            .filter(|r| r.status == SentStatus::Succeeded)
            .map(|r| r.amount.0)
            .sum();
        let subtitle = format!(
            "{} · {} delivered",
            payments(self.rows.len()),
            format::amount(crate::keysend::Msat(total), env.settings.unit)
        );
        widget::page("Sent", Some(subtitle), body)
    }
}

/// A short list takes only the room it needs; a long one fills the page.
fn list_height(rows: usize) -> Length {
    match rows {
        0 => Length::Shrink,
        n if n <= FULL_AFTER => Length::Fixed(n as f32 * ROW_HEIGHT + 2.0),
        _ => Length::Fill,
    }
}

/// `1 payment`, `3 payments`.
fn payments(count: usize) -> String {
    if count == 1 {
        "1 payment".to_owned()
    } else {
        format!("{count} payments")
    }
}

fn row_view<'a>(
    sent: &'a SentRow,
    env: &Env<'a>,
    now: chrono::DateTime<chrono::Local>,
) -> Element<'a, Message> {
    let recipient = match sent.destination {
        Some(id) => env
            .contacts
            .by_pubkey(&id)
            .map_or_else(|| id.short(), |c| c.name.clone()),
        None => "unknown node".into(),
    };
    let (status, tone) = match sent.status {
        SentStatus::Succeeded => ("sent", Tone::Success),
        SentStatus::Failed(_) => ("failed", Tone::Danger),
        SentStatus::InFlight => ("in flight", Tone::Warning),
    };
    let message = if sent.preview.is_empty() {
        "(no message)"
    } else {
        sent.preview.as_str()
    };
    let top = row![
        text(recipient).font(theme::BOLD),
        widget::pill(status, tone),
        space::horizontal(),
        text(format::amount(sent.amount, env.settings.unit)).font(theme::BOLD)
    ]
    .spacing(gap::S)
    .align_y(Alignment::Center);
    let bottom = row![
        text(message)
            .size(size::BODY)
            .style(theme::muted)
            .wrapping(text::Wrapping::None),
        space::horizontal(),
        widget::caption(format!(
            "fee {} · {}",
            format::fee(sent.fee, env.settings.unit),
            format::when(sent.created_ns / 1_000_000_000, now)
        ))
    ]
    .spacing(gap::S);
    container(column![top, bottom].spacing(gap::XS))
        .padding([10, 16])
        .width(Length::Fill)
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lists_shrink_and_counts_read_well() {
        assert_eq!(list_height(0), Length::Shrink);
        assert_eq!(list_height(1), Length::Fixed(ROW_HEIGHT + 2.0));
        assert_eq!(list_height(FULL_AFTER + 1), Length::Fill);
        assert_eq!(payments(1), "1 payment");
        assert_eq!(payments(0), "0 payments");
        assert_eq!(payments(12), "12 payments");
    }
}
