//! How the Streams screen looks: the start form, then one card per stream
//! of this session with its totals, each recipient's status and controls.

use iced::widget::{column, row, scrollable, text, text_input};
use iced::{Alignment, Element, Length};

use super::{Message, Run, Streams};
use crate::gui::screen::Env;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::widget;
use crate::keysend::Msat;
use crate::keysend::text::display_safe;
use crate::wallet::stream_store::StreamState;

impl Streams {
    /// The screen.
    pub fn view<'a>(&'a self, _env: &Env<'a>) -> Element<'a, Message> {
        let mut body = column![self.form()].spacing(gap::L);
        if self.runs.is_empty() {
            body = body.push(widget::empty_state(
                "No stream running",
                "Start one above: sats flow every minute, paid in batches every 5 minutes.",
            ));
        }
        for run in self.runs.iter().rev() {
            body = body.push(run_card(run));
        }
        widget::page(
            "Streams",
            Some("Pay per minute of content to a podcast's value block or a contact.".into()),
            scrollable(body).height(Length::Fill),
        )
    }

    fn form(&self) -> Element<'_, Message> {
        let target = text_input(
            "Feed URL or file (demo: demo), contact or pubkey",
            &self.target,
        )
        .on_input(Message::TargetChanged)
        .on_submit(Message::Start);
        let rate = text_input("10", &self.rate)
            .on_input(Message::RateChanged)
            .on_submit(Message::Start);
        let cap = text_input("none", &self.cap)
            .on_input(Message::CapChanged)
            .on_submit(Message::Start);
        let start = widget::primary(
            if self.starting {
                "Starting..."
            } else {
                "Start stream"
            },
            (!self.starting).then_some(Message::Start),
        );
        let fields = row![
            column![widget::field("Stream to", target, None)].width(Length::FillPortion(3)),
            column![widget::field("Sats per minute", rate, None)].width(Length::FillPortion(1)),
            column![widget::field("Cap (sats)", cap, None)].width(Length::FillPortion(1)),
        ]
        .spacing(gap::M);
        let daily = match &self.daily_cap {
            None => String::new(),
            Some(Ok(Some(cap))) => format!(
                "Daily cap across all streams and recurring tips: {cap} (change it in Settings)."
            ),
            Some(Ok(None)) => {
                "No daily cap across streams and recurring tips (set one in Settings).".to_owned()
            }
            Some(Err(error)) => format!("The daily cap cannot be read: {error}"),
        };
        let mut col = column![fields].spacing(gap::M);
        if crate::wallet::stream::is_feed(&self.target, true) {
            let mut line = row![widget::secondary(
                "Choose episode",
                Some(Message::LoadEpisodes)
            )]
            .spacing(gap::M)
            .align_y(Alignment::Center);
            if let Some(choices) = &self.episodes {
                line = line.push(widget::picker(
                    choices.clone(),
                    self.episode.clone(),
                    "Whole show",
                    Message::EpisodeChosen,
                ));
            }
            col = col.push(line);
        }
        let col = col.push(start).push(widget::hint(daily));
        widget::card(widget::with_error(col, self.error.clone())).into()
    }
}

fn run_card(run: &Run) -> Element<'_, Message> {
    let paid = Msat(run.ledger.iter().map(|r| r.paid.0).sum());
    let owed = Msat(run.ledger.iter().map(|r| r.owed().0).sum());
    let (label, tone) = match (run.ended, run.state) {
        (true, StreamState::Stopped) => ("Stopped", Tone::Neutral),
        (true, _) => ("Ended", Tone::Neutral),
        (false, StreamState::Running) => ("Streaming", Tone::Success),
        (false, _) => ("Paused", Tone::Warning),
    };
    let title = row![
        text(display_safe(&run.target, 60))
            .size(size::TITLE)
            .font(theme::BOLD),
        widget::pill(label, tone)
    ]
    .spacing(gap::S)
    .align_y(Alignment::Center);
    let cap = run.cap.map(|c| format!(" · cap {c}")).unwrap_or_default();
    let summary = text(format!(
        "{} a minute · {} min of content · paid {paid} · owed {owed}{cap}",
        run.rate, run.content_minutes
    ))
    .style(theme::muted);
    let mut col = column![title, summary].spacing(gap::S);
    if let Some(reason) = &run.reason {
        col = col.push(widget::hint(format!("Why: {reason}")));
    }
    if let Some(note) = &run.note {
        col = col.push(widget::hint(note.clone()));
    }
    for r in &run.ledger {
        let status = match &r.last_error {
            Some(error) => format!("owed: {}", display_safe(error, 60)),
            None if r.in_flight > Msat::ZERO => "in flight".to_owned(),
            None => "ok".to_owned(),
        };
        col = col.push(
            row![
                text(display_safe(&r.name, 30)).width(Length::FillPortion(2)),
                text(format!("paid {}", r.paid)).width(Length::FillPortion(1)),
                text(format!("owed {}", r.owed())).width(Length::FillPortion(1)),
                widget::caption(status).width(Length::FillPortion(2)),
            ]
            .spacing(gap::S),
        );
    }
    if !run.ended {
        let toggle = match run.state {
            StreamState::Running => {
                widget::secondary("Pause", Some(Message::Pause(run.id.clone())))
            }
            _ => widget::secondary("Resume", Some(Message::Resume(run.id.clone()))),
        };
        col = col.push(
            row![
                toggle,
                widget::danger(
                    "Stop and pay what is owed",
                    Some(Message::Stop(run.id.clone()))
                )
            ]
            .spacing(gap::S),
        );
    }
    widget::card(col).into()
}
