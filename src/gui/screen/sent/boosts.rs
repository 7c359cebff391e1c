//! The Sent screen's Boosts view: our boosts with the legs of one split
//! (sharing a `boost_uuid`) shown as one, what the legs that succeeded
//! delivered next to what the boost says it was, then each leg.

use iced::widget::{Column, column, container, row, scrollable, text};
use iced::{Alignment, Element, Length};

use super::view::recipient;
use super::{Message, Sent};
use crate::gui::screen::Env;
use crate::gui::theme::{Tone, gap, size};
use crate::gui::{format, widget};
use crate::wallet::{SentBoost, SentStatus};

impl Sent {
    /// The grouped boosts (`boosts`: what the index gave).
    pub(super) fn boosts_view<'a>(
        &'a self,
        boosts: &'a [SentBoost],
        env: &Env<'a>,
    ) -> Element<'a, Message> {
        if boosts.is_empty() {
            return widget::empty_state(
                "No boosts sent",
                "Boosts you send to a podcast appear here with each recipient's leg.",
            );
        }
        let list = boosts.iter().fold(Column::new().spacing(gap::S), |col, b| {
            col.push(boost_card(b, env))
        });
        scrollable(list)
            .spacing(gap::XS)
            .height(Length::Fill)
            .into()
    }
}

fn boost_card<'a>(boost: &'a SentBoost, env: &Env<'a>) -> Element<'a, Message> {
    let unit = env.settings.unit;
    let top = crate::gui::screen::inbox::boost_heading(
        boost.podcast.as_deref(),
        boost.episode.as_deref(),
        format::amount(boost.delivered, unit),
    );
    let mut card = column![top].spacing(gap::XS);
    if let Some(message) = &boost.message {
        card = card.push(text(message.as_str()).size(size::BODY));
    }
    let mut summary = row![widget::caption(format!(
        "{} legs · {} of {} delivered",
        boost.legs.len(),
        format::amount(boost.delivered, unit),
        format::amount(boost.attempted, unit)
    ))]
    .spacing(gap::S)
    .align_y(Alignment::Center);
    if let Some(claimed) = boost.claimed_total {
        summary = summary.push(widget::caption(format!(
            "value_msat_total {}",
            format::amount(claimed, unit)
        )));
    }
    card = card.push(summary);
    card = boost.legs.iter().fold(card, |card, leg| {
        let (status, tone) = match leg.status {
            SentStatus::Succeeded => ("sent", Tone::Success),
            SentStatus::Failed(_) => ("failed", Tone::Danger),
            SentStatus::InFlight => ("in flight", Tone::Warning),
        };
        card.push(
            row![
                container(widget::caption(recipient(leg, env))).width(Length::Fill),
                widget::pill(status, tone),
                widget::caption(format::amount(leg.amount, unit)),
            ]
            .spacing(gap::S)
            .align_y(Alignment::Center),
        )
    });
    widget::card(card).padding(gap::M).into()
}
