//! How the Sent screen looks: the virtual list of payments (each row opens
//! its details) and, when one is open, its details beside the list.

use iced::widget::{column, container, row, space, text, toggler};
use iced::{Alignment, Element, Length};

use super::{LIST_ID, Message, ROW_HEIGHT, SEARCH_ID, Sent};
use crate::gui::list;
use crate::gui::screen::Env;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::keysend::Msat;
use crate::wallet::{SentRow, SentStatus};

/// Up to this many rows the list card is as tall as its rows.
const FULL_AFTER: usize = 8;

impl Sent {
    /// Show the screen.
    pub fn view<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        let show_boosts = toggler(self.boosts.is_some())
            .label("Boosts")
            .text_line_height(theme::line::CONTROL)
            .on_toggle(Message::ShowBoosts)
            .size(18)
            .style(theme::toggle);
        let search = widget::search_field(
            "Search messages, recipients…",
            &self.search,
            SEARCH_ID,
            Message::SearchChanged,
        );
        let export = self.export.view(self.query.is_filtered());
        let tools = row![
            container(search).width(Length::FillPortion(3)),
            show_boosts,
            space::horizontal(),
            export.map(Message::Export)
        ]
        .spacing(gap::L)
        .align_y(Alignment::Center);
        let mut body = column![tools].spacing(gap::M);
        if let Some(error) = &self.error {
            body = body.push(widget::error_notice(
                error,
                "The list is rebuilt from your node; try again later.",
            ));
        }
        if let Some(boosts) = &self.boosts {
            let shown = match boosts {
                Some(boosts) => self.boosts_view(boosts, env),
                None => widget::empty_state("Grouping boosts…", ""),
            };
            return widget::page("Sent", Some(self.subtitle(env)), body.push(shown));
        }
        body = body.push(
            widget::raised_card(self.list(env))
                .padding(0)
                .height(list_height(self.rows.len())),
        );
        let content: Element<'a, Message> = match &self.detail {
            Some(detail) => row![
                container(body).width(Length::FillPortion(5)),
                container(detail.view(env, self.app_of(&detail.hash())))
                    .width(Length::FillPortion(4))
            ]
            .spacing(gap::L)
            .into(),
            None => body.into(),
        };
        widget::page("Sent", Some(self.subtitle(env)), content)
    }

    fn list<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        if self.rows.is_empty() && self.query.is_filtered() {
            return widget::empty_state("Nothing matches", "No payment matches the search.");
        }
        if self.rows.is_empty() {
            return widget::empty_state(
                "Nothing sent yet",
                "Tips you send appear here with their message and fee.",
            );
        }
        let now = chrono::Local::now();
        let open = self.detail.as_ref().map(super::Detail::hash);
        list::virtual_list_with_id(
            LIST_ID,
            self.rows.len(),
            ROW_HEIGHT,
            self.viewport,
            move |i| {
                let sent = &self.rows[i];
                let selected = open == Some(sent.hash) || self.cursor == Some(i);
                row_view(sent, self.app_of(&sent.hash), env, now, selected)
            },
            Message::Scrolled,
        )
    }

    fn subtitle(&self, env: &Env<'_>) -> String {
        let total: u64 = self
            .rows
            .iter()
            .filter(|r| r.status == SentStatus::Succeeded)
            .map(|r| r.amount.0)
            .sum();
        format!(
            "{} · {} delivered",
            payments(self.rows.len()),
            format::amount(Msat(total), env.settings.unit)
        )
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

/// Who a payment went to: the contact's name, else the short key.
pub(super) fn recipient(sent: &SentRow, env: &Env<'_>) -> String {
    match sent.destination {
        Some(id) => env
            .contacts
            .by_pubkey(&id)
            .map_or_else(|| id.short(), |c| c.name.clone()),
        None => "unknown node".into(),
    }
}

/// `via NAME · ` for a payment an app made through Connected apps.
pub(super) fn via(app: Option<&str>) -> String {
    app.map(|name| format!("via {} · ", crate::keysend::text::display_safe(name, 40)))
        .unwrap_or_default()
}

fn row_view<'a>(
    sent: &'a SentRow,
    app: Option<&str>,
    env: &Env<'a>,
    now: chrono::DateTime<chrono::Local>,
    selected: bool,
) -> Element<'a, Message> {
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
        text(recipient(sent, env)).font(theme::BOLD),
        widget::pill(status, tone),
        space::horizontal(),
        text(format::amount(sent.amount, env.settings.unit)).font(theme::BOLD)
    ]
    .spacing(gap::S)
    .align_y(Alignment::Center);
    let bottom = row![
        container(
            text(message)
                .size(size::BODY)
                .style(theme::muted)
                .wrapping(text::Wrapping::None)
        )
        .width(Length::Fill)
        .clip(true),
        widget::caption(format!(
            "{}fee {} · {}",
            via(app),
            format::fee(sent.fee, env.settings.unit),
            format::when(sent.created_ns / 1_000_000_000, now)
        ))
        .wrapping(text::Wrapping::None)
    ]
    .spacing(gap::S);
    widget::list_row(
        column![top, bottom],
        ROW_HEIGHT,
        selected,
        Message::Open(sent.hash),
    )
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

    #[test]
    fn an_apps_name_is_shown_display_safe() {
        assert_eq!(via(None), "");
        assert_eq!(via(Some("Podcast app")), "via Podcast app · ");
        let hostile = via(Some("evil\u{202e}ppa\u{200b}"));
        assert!(
            !hostile.contains('\u{202e}') && !hostile.contains('\u{200b}'),
            "{hostile:?}"
        );
    }
}
