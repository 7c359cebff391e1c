//! How the Inbox looks: the subtitle (count and history line), the filter
//! row, the virtualised list of rows (sender with its verification badge,
//! podcast, amount, preview, time) and, beside it, the detail pane. Reads
//! `Inbox` only.

use iced::widget::{column, container, row, space, text, text_input, toggler};
use iced::{Alignment, Element, Length};

use super::detail::Detail;
use super::{Inbox, InboxView, LIST_ID, Message, ROW_HEIGHT, SEARCH_ID};
use crate::gui::list;
use crate::gui::screen::Env;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::keysend::text::display_safe;
use crate::keysend::{Msat, NodeId};
use crate::wallet::{InboxRow, InboxSort, SearchWords, ShownSender, Trust};

impl Inbox {
    /// Show the screen.
    pub fn view<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        let mut body = column![self.filters(env), self.narrowing()].spacing(gap::M);
        if let Some(error) = &self.date_error {
            body = body.push(
                text(error.as_str())
                    .size(size::BODY)
                    .style(theme::toned(Tone::Danger)),
            );
        }
        if let Some(note) = SearchWords::of(&self.search).note() {
            body = body.push(widget::caption(note));
        }
        if let Some(note) = self.history.search_note()
            && !self.search.trim().is_empty()
        {
            body = body.push(widget::caption(note));
        }
        if let Some(error) = &self.error {
            body = body.push(widget::error_notice(
                error,
                "The list will retry when new tips arrive.",
            ));
        }
        let list = widget::raised_card(self.list(env))
            .padding(0)
            .height(Length::Fill);
        if let Some(threads) = &self.threads {
            return widget::page_with(
                "Inbox",
                Some(self.subtitle(env)),
                body.push(threads.view(env)),
            );
        }
        if let Some(boosts) = &self.boosts {
            return widget::page_with(
                "Inbox",
                Some(self.subtitle(env)),
                body.push(boosts.view(env)),
            );
        }
        let content: Element<'a, Message> = match &self.detail {
            Some(detail) => row![
                container(list).width(Length::FillPortion(5)),
                container(detail.view(env).map(Message::Detail)).width(Length::FillPortion(4))
            ]
            .spacing(gap::M)
            .into(),
            None => list.into(),
        };
        widget::page_with("Inbox", Some(self.subtitle(env)), body.push(content))
    }

    /// "30,000 tips · below 10 sat hidden", then the history line if any
    /// (beside the count, so the list never moves when it comes or goes).
    fn subtitle<'a>(&self, env: &Env<'a>) -> Element<'a, Message> {
        let count = format!(
            "{} tips · {}{}",
            format::group(self.total),
            format::amount(self.page.amount, env.settings.unit),
            self.hidden_note(env)
        );
        let mut line = row![text(count).size(size::BODY).style(theme::muted)]
            .spacing(gap::S)
            .align_y(Alignment::Center);
        if let Some(history) = self.history.line() {
            line = line.push(history_line(history, self.history.is_reading()));
        }
        line.into()
    }

    fn hidden_note(&self, env: &Env<'_>) -> String {
        if self.show_small || env.settings.spam_threshold == Msat::ZERO {
            return String::new();
        }
        format!(
            " · below {} hidden",
            format::amount(env.settings.spam_threshold, env.settings.unit)
        )
    }

    fn filters<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        // Whole-pixel heights (see `theme::line`): the list starts below.
        let search = widget::search_field(
            "Search messages, names…",
            &self.search,
            SEARCH_ID,
            Message::SearchChanged,
        );
        let contacts: Vec<ContactChoice> = env
            .contacts
            .contacts()
            .iter()
            .map(|c| ContactChoice(c.name.clone(), c.pubkey))
            .collect();
        let selected = self.contact.clone().map(|(n, id)| ContactChoice(n, id));
        let contact = widget::picker(contacts, selected, "Any sender", |c| {
            Message::ContactFilter(Some((c.0, c.1)))
        });
        let podcast = widget::picker(
            self.podcasts.clone(),
            self.podcast.clone(),
            "Any podcast",
            |p| Message::PodcastFilter(Some(p)),
        );
        let small = toggler(self.show_small)
            .label("Show tiny tips")
            .text_line_height(theme::line::CONTROL)
            .on_toggle(Message::ShowSmallToggled)
            .size(18)
            .style(theme::toggle);
        row![
            container(search).width(Length::FillPortion(3)),
            contact,
            podcast,
            small,
            widget::link("Clear", Message::ClearFilters),
            widget::link("Mark all read", Message::MarkAllRead)
        ]
        .spacing(gap::M)
        .align_y(Alignment::Center)
        .into()
    }

    /// Unread only, the date range and the order.
    fn narrowing(&self) -> Element<'_, Message> {
        let unread = toggler(self.unread_only)
            .label("Unread only")
            .text_line_height(theme::line::CONTROL)
            .on_toggle(Message::UnreadOnlyToggled)
            .size(18)
            .style(theme::toggle);
        let day = |placeholder, value: &str, id, on_input: fn(String) -> Message| {
            text_input(placeholder, value)
                .size(size::BODY)
                .line_height(theme::line::BODY)
                .id(id)
                .on_input(on_input)
                .padding(9)
                .width(112)
                .style(theme::input(false))
        };
        let sort = widget::picker(
            InboxSort::ALL.to_vec(),
            Some(self.sort),
            "Order",
            Message::SortChanged,
        );
        let shown = widget::picker(
            InboxView::ALL.to_vec(),
            Some(self.shown_view()),
            "View",
            Message::ViewChanged,
        );
        row![
            shown,
            unread,
            widget::caption("From"),
            day(
                "YYYY-MM-DD",
                &self.from_text,
                "inbox-from",
                Message::FromChanged
            ),
            widget::caption("To"),
            day("YYYY-MM-DD", &self.to_text, "inbox-to", Message::ToChanged),
            sort,
            space::horizontal(),
            self.export.view(self.narrows_export()).map(Message::Export),
        ]
        .spacing(gap::M)
        .align_y(Alignment::Center)
        .into()
    }

    fn list<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        if self.total == 0 && self.is_filtered() {
            return column![
                widget::empty_state("Nothing matches", "No tip matches the search and filters.",),
                container(widget::secondary(
                    "Clear filters",
                    Some(Message::ClearFilters)
                ))
                .center_x(Length::Fill),
            ]
            .spacing(gap::M)
            .into();
        }
        if self.total == 0 {
            return widget::empty_state(
                "No tips yet",
                "Keysends your node receives appear here as they arrive.",
            );
        }
        let selected = self.detail.as_ref().map(Detail::id);
        let cursor = self.cursor;
        let now = chrono::Local::now();
        list::virtual_list_with_id(
            LIST_ID,
            self.total as usize,
            ROW_HEIGHT,
            self.viewport,
            move |i| match self.page.get(i) {
                Some(r) => {
                    let marked = selected == Some(r.id) || cursor == Some(i);
                    row_view(r, env, (marked, selected.is_some()), now)
                }
                None => placeholder_row(),
            },
            Message::Scrolled,
        )
    }
}

/// A contact in the sender filter.
#[derive(Debug, Clone, PartialEq)]
struct ContactChoice(String, NodeId);

impl std::fmt::Display for ContactChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The colour of a sender's badge.
pub fn badge_tone(trust: Trust) -> Tone {
    match trust {
        Trust::Proven => Tone::Success,
        Trust::Partial => Tone::Warning,
        Trust::Forged => Tone::Danger,
    }
}

/// Preview characters that fit a row beside the open detail pane.
const NARROW_PREVIEW_CHARS: usize = 56;

/// One row. `narrow`: the detail pane takes part of the width.
pub(super) fn row_view<'a>(
    row: &'a InboxRow,
    env: &Env<'a>,
    (selected, narrow): (bool, bool),
    now: chrono::DateTime<chrono::Local>,
) -> Element<'a, Message> {
    let sender = ShownSender::new(row.facts(), env.contacts, row.alias.as_deref());
    let mut who = row![].spacing(gap::S).align_y(Alignment::Center);
    if row.unread {
        who = who.push(widget::accent_dot(8.0));
    }
    who = who.push(
        text(sender.headline())
            .font(if row.unread { theme::BOLD } else { theme::FONT })
            .size(size::BODY)
            .wrapping(text::Wrapping::None),
    );
    if let Some(badge) = sender.badge() {
        who = who.push(widget::pill(badge.label, badge_tone(badge.trust)));
    }
    if sender.text_not_signed {
        who = who.push(widget::pill("message not signed", Tone::Warning));
    }
    if let Some(claim) = sender.calls_itself() {
        who = who.push(widget::caption(claim).wrapping(text::Wrapping::None));
    }
    // Beside the detail pane there is no room for the podcast's name.
    if let Some(podcast) = row.podcast.as_deref().filter(|_| !narrow) {
        who = who.push(widget::pill(podcast, Tone::Accent));
    }
    // The sender side gives way (clipped) so the amount is always whole.
    let top = row![
        container(who).width(Length::Fill).clip(true),
        text(format::amount(row.amount, env.settings.unit))
            .font(theme::BOLD)
            .wrapping(text::Wrapping::None),
    ]
    .spacing(gap::S)
    .align_y(Alignment::Center);
    let bottom = row![
        container(
            text(preview(row, narrow))
                .size(size::BODY)
                .style(theme::muted)
                .wrapping(text::Wrapping::None)
        )
        .width(Length::Fill)
        .clip(true),
        widget::caption(format::when(row.settled_at, now)).wrapping(text::Wrapping::None)
    ]
    .spacing(gap::S);
    widget::list_row(
        column![top, bottom],
        ROW_HEIGHT,
        selected,
        Message::Select(row.id),
    )
}

/// The message preview, shortened with an ellipsis when the row is narrow.
fn preview(row: &InboxRow, narrow: bool) -> String {
    match (row.preview.as_str(), narrow) {
        ("", _) => "(no message)".to_owned(),
        (text, true) => display_safe(text, NARROW_PREVIEW_CHARS),
        (text, false) => text.to_owned(),
    }
}

fn placeholder_row<'a, M: 'a>() -> Element<'a, M> {
    container(text("…").style(theme::muted))
        .padding([10, 16])
        .into()
}

/// The history line: a count while reading (the node does not say how long
/// its history is, so there is no percentage), then how many were loaded.
fn history_line<'a>(line: String, reading: bool) -> Element<'a, Message> {
    let (label, tone) = if reading {
        ("syncing", Tone::Accent)
    } else {
        ("synced", Tone::Success)
    };
    row![widget::pill(label, tone), widget::caption(line)]
        .spacing(gap::S)
        .align_y(Alignment::Center)
        .into()
}
