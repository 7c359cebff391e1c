//! How the Podcasts screen looks: the feeds and what is owed on the left,
//! the show, its episodes, its value block and the boost on the right.
//! Everything that came from a feed is made display-safe here.

use iced::widget::{button, column, container, row, scrollable, space, text, text_input};
use iced::{Alignment, Element, Length};

use super::{EPISODES, Message, PRESETS, Podcasts, Stage};
use crate::gui::format;
use crate::gui::screen::Env;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::widget;
use crate::keysend::Msat;
use crate::keysend::text::display_safe;
use crate::podcast::{DEMO_FEED_NAME, Selected, Split};
use crate::wallet::boost_store::{BoostRecord, LegState};
use crate::wallet::owed::SETTLE_FEED;

/// Display cap for names from feeds.
const NAME: usize = 60;

impl Podcasts {
    /// The screen.
    pub fn view<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        let mut left = column![self.feeds_card()]
            .spacing(gap::L)
            .width(Length::FillPortion(1));
        let mut right = column![].spacing(gap::L).width(Length::FillPortion(1));
        if let Some(error) = &self.error {
            right = right.push(widget::error_notice(error, "Check the feed or try again."));
        }
        if let Some(card) = self.stage_card(env) {
            right = right.push(card);
        }
        match &self.selected {
            Some(selected) => {
                left = left.push(show_card(selected, self.episode.as_deref()));
                if matches!(self.stage, Stage::Compose) {
                    right = right.push(widget::titled_card(
                        "Send a boost",
                        self.compose(selected, env),
                    ));
                }
            }
            None if self.loading => {
                left = left.push(widget::card(widget::hint("Reading the feed...")));
            }
            None => {
                left = left.push(widget::empty_state(
                    "No podcast open",
                    "Add a feed by its address or from a file, then pick it.",
                ));
            }
        }
        right = right.push(self.owed_card(env)).push(self.unfinished_card());
        let columns = row![left, right].spacing(gap::L).padding(iced::Padding {
            right: gap::M,
            ..iced::Padding::ZERO
        });
        let body = scrollable(columns).id(super::SCROLL).height(Length::Fill);
        widget::page(
            "Podcasts",
            Some("Boost the people behind a show: one payment split over its value block".into()),
            body,
        )
    }

    fn feeds_card(&self) -> Element<'_, Message> {
        let mut list = column![].spacing(gap::XS);
        for (index, feed) in self.feeds.iter().enumerate() {
            let shown = match feed.as_str() {
                DEMO_FEED_NAME if self.demo => "Demo feed (bundled)".to_owned(),
                other => display_safe(other, NAME),
            };
            let open = button(text(shown).size(size::BODY))
                .width(Length::Fill)
                .padding([6, 10])
                .style(theme::row_button(self.current == Some(index)))
                .on_press(Message::Open(index));
            list = list.push(
                row![open, widget::link("Remove", Message::Remove(index))]
                    .spacing(gap::S)
                    .align_y(Alignment::Center),
            );
        }
        if self.feeds.is_empty() {
            list = list.push(widget::hint("No feeds yet."));
        }
        let input = text_input("https://example.com/feed.xml", &self.url)
            .on_input(Message::UrlChanged)
            .on_submit(Message::AddUrl);
        let add = row![
            widget::secondary("Add", Some(Message::AddUrl)),
            widget::secondary("Add file...", Some(Message::PickFile)),
        ]
        .spacing(gap::S);
        widget::titled_card(
            "Feeds",
            column![list, widget::field("Feed address", input, None), add].spacing(gap::M),
        )
        .into()
    }

    fn owed_card<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        let mut rows = column![].spacing(gap::XS);
        for owed in &self.owed {
            let owed_msat = owed.owed_msat();
            rows = rows.push(
                row![
                    text(display_safe(&owed.row.name, 28))
                        .size(size::BODY)
                        .width(Length::Fill),
                    text(match owed_msat {
                        ahead if ahead < 0 => format!("{} msat ahead", ahead.unsigned_abs()),
                        owed => format!("{owed} msat owed"),
                    })
                    .size(size::BODY),
                ]
                .spacing(gap::S),
            );
        }
        if self.owed.is_empty() {
            rows = rows.push(widget::hint(
                "Nothing yet: boosts keep what rounds below 1 sat here.",
            ));
        }
        let payable = Msat(self.owed.iter().map(|o| o.payable().0).sum());
        let idle = matches!(self.stage, Stage::Compose | Stage::Done(_));
        let settle = (payable > Msat::ZERO && idle).then_some(Message::Settle);
        let caption = match payable > Msat::ZERO {
            true => format!(
                "Settle pays {} in whole sats; the msat below stays owed.",
                format::amount(payable, env.settings.unit)
            ),
            false => "Settle pays once someone is owed 1 sat or more.".into(),
        };
        widget::titled_card(
            "Owed from earlier boosts",
            column![
                rows,
                widget::hint(caption),
                widget::secondary("Settle", settle)
            ]
            .spacing(gap::M),
        )
        .into()
    }

    fn unfinished_card(&self) -> Element<'_, Message> {
        if self.unfinished.is_empty() {
            return space().height(0).into();
        }
        let idle = matches!(self.stage, Stage::Compose | Stage::Done(_));
        let mut rows = column![widget::hint(
            "These boosts have legs that did not go through (the app closed, or the node \
             refused). Retrying sends only those legs, with the same boost id."
        )]
        .spacing(gap::S);
        for record in &self.unfinished {
            let open = record.legs.iter().filter(|l| !l.state.is_settled()).count();
            rows = rows.push(
                row![
                    text(format!("{}: {open} leg(s) open", boost_title(record)))
                        .size(size::BODY)
                        .width(Length::Fill),
                    widget::secondary("Retry", idle.then(|| Message::Retry(record.id.clone()))),
                ]
                .spacing(gap::S)
                .align_y(Alignment::Center),
            );
        }
        widget::titled_card("Unfinished boosts", rows).into()
    }

    /// The boost under way (preparing, confirming, sending, ended).
    fn stage_card<'a>(&'a self, env: &Env<'a>) -> Option<Element<'a, Message>> {
        let body: Element<'a, Message> = match &self.stage {
            Stage::Compose => return None,
            Stage::Preparing => widget::hint("Checking every leg with the node...").into(),
            Stage::Confirm(prepared) => confirm(&prepared.record, prepared.fee_limit(), env),
            Stage::Sending(record) => progress(record, false, env),
            Stage::Done(record) => progress(record, true, env),
        };
        Some(widget::raised_card(body).into())
    }

    fn compose<'a>(&'a self, selected: &'a Selected, env: &Env<'a>) -> Element<'a, Message> {
        let mut presets = row![].spacing(gap::S);
        for sats in PRESETS {
            let label = format::group(sats);
            let chosen = self.preset == Some(sats);
            let style = match chosen {
                true => theme::primary_button,
                false => theme::secondary_button,
            };
            presets = presets.push(
                button(text(label))
                    .padding([7, 12])
                    .style(style)
                    .on_press(Message::Preset(sats)),
            );
        }
        let amount_error = match (&self.preset, self.sats()) {
            (None, Err(error)) if !self.custom.is_empty() => Some(widget::sentence(&error)),
            _ => None,
        };
        let custom =
            text_input("Other amount (sats)", &self.custom).on_input(Message::AmountChanged);
        let message = text_input("Great episode!", &self.message).on_input(Message::MessageChanged);
        let sender =
            text_input("Your name (optional)", &self.sender).on_input(Message::SenderChanged);
        let mut col = column![
            column![widget::caption("Amount (sats)"), presets].spacing(gap::XS),
            widget::field("Custom amount", custom, amount_error),
            widget::field("Message", message, None),
            widget::field("Sender name", sender, None),
        ]
        .spacing(gap::M);
        if let Some(split) = &self.preview {
            col = col.push(legs_table(split, selected, env));
        }
        let ready = self.preview.is_some()
            && selected.block.is_ok()
            && matches!(self.stage, Stage::Compose);
        col.push(widget::primary("Boost", ready.then_some(Message::Boost)))
            .into()
    }
}

/// The show, its latest episodes and the value block that applies.
fn show_card<'a>(selected: &'a Selected, episode: Option<&'a str>) -> Element<'a, Message> {
    let feed = &selected.feed;
    let mut col = column![
        text(display_safe(&feed.title, NAME))
            .size(size::TITLE)
            .font(theme::BOLD)
    ]
    .spacing(gap::S);
    col = col.push(widget::caption("Boost the show or an episode"));
    let pick = |label: String, guid: Option<String>, chosen: bool| {
        button(text(label).size(size::BODY))
            .width(Length::Fill)
            .padding([5, 10])
            .style(theme::row_button(chosen))
            .on_press(Message::EpisodePicked(guid))
    };
    col = col.push(pick("The whole show".into(), None, episode.is_none()));
    for item in feed.items.iter().take(EPISODES) {
        let Some(guid) = &item.guid else { continue };
        let chosen = episode == Some(guid.as_str());
        col = col.push(pick(
            display_safe(&item.title, NAME),
            Some(guid.clone()),
            chosen,
        ));
    }
    col = col.push(widget::caption("Value block"));
    match &selected.block {
        Ok(block) => {
            for r in &block.recipients {
                let mut line = row![
                    text(display_safe(&r.label(), NAME))
                        .size(size::BODY)
                        .width(Length::Fill),
                    text(format!("split {}", r.split)).size(size::BODY),
                ]
                .spacing(gap::S);
                if r.fee {
                    line = line.push(widget::pill("fee", Tone::Neutral));
                }
                col = col.push(line);
            }
            for skipped in &block.skipped {
                col = col.push(
                    text(format!(
                        "Not payable: {} ({})",
                        display_safe(&skipped.name, NAME),
                        display_safe(&skipped.reason, 120)
                    ))
                    .size(size::SMALL)
                    .style(theme::toned(Tone::Warning)),
                );
            }
            if !block.skipped.is_empty() {
                col = col.push(widget::hint(
                    "A boost is split over the payable recipients only; confirming agrees to that.",
                ));
            }
        }
        Err(error) => col = col.push(widget::error_notice(error, "This part cannot be boosted.")),
    }
    widget::card(col).into()
}

/// Every leg: name, share, sats, fee marked, 0-sat legs warned.
fn legs_table<'a>(split: &Split, selected: &Selected, env: &Env<'a>) -> Element<'a, Message> {
    let _ = selected;
    let mut col = column![widget::caption("Each recipient gets")].spacing(gap::XS);
    for leg in &split.legs {
        let carry = match leg.carry() {
            0 => String::new(),
            owed if owed > 0 => format!("{owed} msat stays owed"),
            ahead => format!("{} msat ahead", ahead.unsigned_abs()),
        };
        let mut line = row![
            text(display_safe(&leg.label(), 40))
                .size(size::BODY)
                .width(Length::Fill),
            text(carry).size(size::SMALL).style(theme::muted),
            text(format!("split {}", leg.split))
                .size(size::SMALL)
                .style(theme::muted),
            text(format::amount(leg.amount, env.settings.unit)).size(size::BODY),
        ]
        .spacing(gap::S)
        .align_y(Alignment::Center);
        if leg.fee {
            line = line.push(widget::pill("fee", Tone::Neutral));
        }
        if leg.amount == Msat::ZERO {
            line = line.push(widget::pill("0 sats", Tone::Warning));
        }
        col = col.push(line);
    }
    if let Some(from) = split.pays_everyone_from {
        col = col.push(
            text(format!(
                "Some recipients get 0 sats at this amount (their share is kept owed). \
                 From {} on, everyone gets at least 1 sat.",
                format::amount(Msat::from_sat(from), env.settings.unit)
            ))
            .size(size::SMALL)
            .style(theme::toned(Tone::Warning)),
        );
    }
    container(col).into()
}

/// The one question before anything is sent.
fn confirm<'a>(record: &BoostRecord, fees: Msat, env: &Env<'a>) -> Element<'a, Message> {
    let paying = record
        .legs
        .iter()
        .filter(|l| l.leg.amount > Msat::ZERO && !l.state.is_settled())
        .count();
    let total = Msat(record.context.total_msat);
    let question = format!(
        "{}: send {} in {paying} payment(s), routing fees up to {}?",
        boost_title(record),
        format::amount(total, env.settings.unit),
        format::amount(fees, env.settings.unit)
    );
    let mut legs = column![].spacing(gap::XS);
    for leg in record
        .legs
        .iter()
        .filter(|l| l.leg.amount > Msat::ZERO && !l.state.is_settled())
    {
        legs = legs.push(
            row![
                text(display_safe(&leg.leg.label(), 40))
                    .size(size::BODY)
                    .width(Length::Fill),
                text(format::amount(leg.leg.amount, env.settings.unit)).size(size::BODY),
            ]
            .spacing(gap::S),
        );
    }
    column![
        text(question).size(size::BODY),
        legs,
        row![
            widget::primary("Confirm and send", Some(Message::Confirm)),
            widget::secondary("Cancel", Some(Message::Cancel)),
        ]
        .spacing(gap::S)
    ]
    .spacing(gap::M)
    .into()
}

/// Each leg's state as it happens; at the end, retry what failed.
fn progress<'a>(record: &BoostRecord, done: bool, env: &Env<'a>) -> Element<'a, Message> {
    let mut col = column![text(boost_title(record)).font(theme::BOLD)].spacing(gap::XS);
    for leg in &record.legs {
        let tone = match leg.state {
            LegState::Succeeded | LegState::Zero => Tone::Success,
            LegState::Failed | LegState::NotSent | LegState::Returned => Tone::Danger,
            _ => Tone::Neutral,
        };
        col = col.push(
            row![
                text(display_safe(&leg.leg.label(), 40))
                    .size(size::BODY)
                    .width(Length::Fill),
                text(format::amount(leg.leg.amount, env.settings.unit)).size(size::BODY),
                widget::pill(leg.state.label(), tone),
            ]
            .spacing(gap::S)
            .align_y(Alignment::Center),
        );
        if let Some(error) = leg
            .error
            .as_deref()
            .filter(|_| !leg.state.is_settled() || done)
        {
            col = col.push(widget::hint(format!("   {}", display_safe(error, 120))));
        }
    }
    if !done {
        return col
            .push(widget::hint("Sending every leg at once..."))
            .into();
    }
    let open = record.legs.iter().any(|l| !l.state.is_settled());
    let mut actions = row![widget::secondary("Done", Some(Message::Dismiss))].spacing(gap::S);
    if open {
        actions = actions.push(widget::primary(
            "Retry failed legs",
            Some(Message::Retry(record.id.clone())),
        ));
    }
    let summary = match open {
        true => format!("Some legs did not go through. Boost id {}", record.id),
        false => "Every leg was paid.".into(),
    };
    col.push(widget::hint(summary)).push(actions).into()
}

/// "Boost to <show>" or "Settlement of what was owed".
fn boost_title(record: &BoostRecord) -> String {
    match record.feed == SETTLE_FEED {
        true => "Settling what earlier boosts owed".into(),
        false => format!("Boost to {}", display_safe(&record.context.podcast, NAME)),
    }
}
