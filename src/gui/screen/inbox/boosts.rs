//! The Inbox's Boosts view: received boosts with legs sharing a
//! `boost_uuid` shown as one (what arrived next to what the boost claims),
//! totals per podcast and per episode, and supporters ranked by what they
//! gave, verified senders apart from names only claimed. Everything is
//! counted by `wallet::boosts`; this file loads and draws it.

use iced::widget::{Column, column, container, row, scrollable, text};
use iced::{Alignment, Element, Length, Task};

use super::Message;
use crate::gui::screen::Env;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::wallet::{Boost, BoostFilter, Index, IndexError, PodcastTotal, Supporter};

/// Legs read for the grouped list, at most (totals count every leg).
pub const LEGS: u64 = 500;
/// Supporters listed, at most.
const SUPPORTERS: u64 = 50;

/// What the view shows, read in one index call.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    boosts: Vec<Boost>,
    totals: Vec<PodcastTotal>,
    supporters: Vec<Supporter>,
}

impl Loaded {
    /// The grouped boosts (tests).
    pub fn boosts(&self) -> &[Boost] {
        &self.boosts
    }

    /// Podcast totals then episode totals (tests).
    pub fn totals(&self) -> &[PodcastTotal] {
        &self.totals
    }

    /// Supporters, most given first (tests).
    pub fn supporters(&self) -> &[Supporter] {
        &self.supporters
    }
}

/// The Boosts view's state.
#[derive(Debug, Default)]
pub struct Boosts {
    generation: u64,
    shown: Option<Loaded>,
    error: Option<IndexError>,
}

impl Boosts {
    /// Read the boosts of `filter` (an answer to an older load is dropped).
    pub fn load(&mut self, index: Index, filter: BoostFilter) -> Task<Message> {
        self.generation += 1;
        let generation = self.generation;
        Task::perform(
            async move {
                index
                    .call(move |i| {
                        Ok(Loaded {
                            boosts: i.boosts(&filter)?,
                            totals: i.podcast_totals(&filter)?,
                            supporters: i.supporters(&filter, SUPPORTERS)?,
                        })
                    })
                    .await
            },
            move |result| Message::BoostsLoaded(generation, result),
        )
    }

    /// A load ended.
    pub fn loaded(&mut self, generation: u64, result: Result<Loaded, IndexError>) {
        if generation != self.generation {
            return;
        }
        match result {
            Ok(loaded) => (self.shown, self.error) = (Some(loaded), None),
            Err(error) => self.error = Some(error),
        }
    }

    /// What is shown (tests).
    pub fn shown(&self) -> Option<&Loaded> {
        self.shown.as_ref()
    }

    /// The boosts beside their totals and supporters.
    pub fn view<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        if let Some(error) = &self.error {
            return widget::error_notice(error, "Switch views to try again.");
        }
        let Some(shown) = &self.shown else {
            return widget::empty_state("Counting boosts…", "");
        };
        if shown.boosts.is_empty() {
            return widget::empty_state(
                "No boosts",
                "Boostagrams from podcast apps appear here, grouped and totalled.",
            );
        }
        let unit = env.settings.unit;
        let now = chrono::Local::now();
        let list = shown
            .boosts
            .iter()
            .fold(Column::new().spacing(gap::S), |col, b| {
                col.push(boost_card(b, unit, now))
            });
        let side = column![
            widget::titled_card("Per podcast and episode", totals(&shown.totals, unit)),
            widget::titled_card("Supporters", supporters(&shown.supporters, env)),
        ]
        .spacing(gap::M);
        row![
            scrollable(list)
                .spacing(gap::XS)
                .height(Length::Fill)
                .width(Length::FillPortion(3)),
            scrollable(side)
                .spacing(gap::XS)
                .height(Length::Fill)
                .width(Length::FillPortion(2)),
        ]
        .spacing(gap::M)
        .into()
    }
}

/// One boost: podcast and episode, who says they sent it, its message, what
/// arrived (all legs) and what the boost claims, then its legs.
fn boost_card<'a>(
    boost: &'a Boost,
    unit: crate::store::AmountUnit,
    now: chrono::DateTime<chrono::Local>,
) -> Element<'a, Message> {
    let top = heading(
        boost.podcast.as_deref(),
        boost.episode.as_deref(),
        format::amount(boost.received, unit),
    );
    let from = boost
        .sender_name
        .as_deref()
        .map_or_else(|| "anonymous".to_owned(), |n| format!("from {n} (claimed)"));
    let mut card = column![top, widget::caption(from)].spacing(gap::XS);
    if let Some(message) = &boost.message {
        card = card.push(text(message.as_str()).size(size::BODY));
    }
    card = card.push(received_vs_claimed(boost, unit));
    if boost.legs.len() > 1 {
        card = boost.legs.iter().fold(card, |card, leg| {
            card.push(widget::caption(format!(
                "  leg {} · {}",
                format::amount(leg.amount, unit),
                format::when(leg.settled_at, now)
            )))
        });
    }
    widget::card(card).padding(gap::M).into()
}

/// A boost card's first line: "Podcast · Episode", and `amount` at the end
/// (the Sent screen's boost cards too).
pub(crate) fn heading<'a, M: 'a>(
    podcast: Option<&str>,
    episode: Option<&str>,
    amount: String,
) -> Element<'a, M> {
    let title = [podcast, episode]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    row![
        container(text(title).font(theme::BOLD).size(size::BODY)).width(Length::Fill),
        text(amount).font(theme::BOLD),
    ]
    .align_y(Alignment::Center)
    .into()
}

/// "2 legs · 30 sat received" and, when the boost says, "claims 100 sat in
/// all" marked as a claim.
fn received_vs_claimed<'a>(boost: &Boost, unit: crate::store::AmountUnit) -> Element<'a, Message> {
    let legs = legs(boost.legs.len() as u64);
    let mut line = row![widget::caption(format!(
        "{legs} · {} received here",
        format::amount(boost.received, unit)
    ))]
    .spacing(gap::S)
    .align_y(Alignment::Center);
    if let Some(claimed) = boost.claimed_total {
        line = line.push(widget::caption(format!(
            "boost of {} in all",
            format::amount(claimed, unit)
        )));
        line = line.push(widget::pill("claim", Tone::Warning));
    }
    line.into()
}

/// `1 leg`, `12 legs`.
fn legs(count: u64) -> String {
    match count {
        1 => "1 leg".to_owned(),
        n => format!("{} legs", format::group(n)),
    }
}

/// Podcasts by received, each followed by its episodes.
fn totals<'a>(totals: &'a [PodcastTotal], unit: crate::store::AmountUnit) -> Element<'a, Message> {
    let podcasts = totals.iter().filter(|t| t.episode.is_none());
    podcasts
        .fold(Column::new().spacing(gap::XS), |col, podcast| {
            let col = col.push(total_line(&podcast.podcast, podcast, unit, true));
            totals
                .iter()
                .filter(|t| t.podcast == podcast.podcast)
                .filter_map(|t| Some((t.episode.as_deref()?, t)))
                .fold(col, |col, (episode, t)| {
                    col.push(total_line(episode, t, unit, false))
                })
        })
        .into()
}

fn total_line<'a>(
    label: &'a str,
    total: &PodcastTotal,
    unit: crate::store::AmountUnit,
    podcast: bool,
) -> Element<'a, Message> {
    let name = text(label)
        .size(size::BODY)
        .font(if podcast { theme::BOLD } else { theme::FONT });
    let indent = if podcast { 0.0 } else { 16.0 };
    row![
        container(name).padding([0.0, indent]).width(Length::Fill),
        widget::caption(legs(total.legs)),
        text(format::amount(total.received, unit)).size(size::BODY),
    ]
    .spacing(gap::S)
    .align_y(Alignment::Center)
    .into()
}

/// Verified supporters (by node, named as a contact when one), then the
/// names only claimed, each ranked by what arrived.
fn supporters<'a>(all: &'a [Supporter], env: &Env<'a>) -> Element<'a, Message> {
    let unit = env.settings.unit;
    let line = |who: String, s: &Supporter, tone: Tone, badge: &'a str| {
        row![
            container(text(who).size(size::BODY)).width(Length::Fill),
            widget::pill(badge, tone),
            text(format::amount(s.received, unit)).size(size::BODY),
        ]
        .spacing(gap::S)
        .align_y(Alignment::Center)
    };
    let verified = all.iter().filter_map(|s| Some((s.verified?, s)));
    let mut col = column![widget::caption("Verified senders")].spacing(gap::XS);
    let mut any = false;
    for (id, s) in verified {
        any = true;
        let who = env
            .contacts
            .by_pubkey(&id)
            .map_or_else(|| id.short(), |c| c.name.clone());
        col = col.push(line(who, s, Tone::Success, "verified"));
    }
    if !any {
        col = col.push(widget::caption("none yet"));
    }
    col = col.push(widget::caption("Names given (not proven)"));
    for s in all.iter().filter(|s| s.verified.is_none()) {
        let who = s
            .claimed_name
            .clone()
            .unwrap_or_else(|| "anonymous".to_owned());
        col = col.push(line(who, s, Tone::Warning, "claimed"));
    }
    col.into()
}
