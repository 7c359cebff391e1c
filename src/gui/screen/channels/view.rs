//! How the Channels screen looks: one card per channel with its balances
//! and the two picks of a rebalance, then the rebalance form and its result.

use iced::widget::{column, row, text, text_input};
use iced::{Alignment, Element, Length};

use super::{Channels, Message, Status};
use crate::gui::screen::Env;
use crate::gui::theme::{Tone, gap};
use crate::gui::widget;
use crate::node::Peer;

impl Channels {
    /// The screen.
    pub fn view<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        let body: Element<'a, Message> = match &self.channels {
            None => widget::hint("Reading your channels…").into(),
            Some(Err(err)) => widget::error_notice(err, "Open the screen again to retry."),
            Some(Ok(list)) if list.is_empty() => {
                widget::empty_state("No channels", "Open a channel to send and receive.")
            }
            Some(Ok(list)) => {
                let mut rows = column![].spacing(gap::S);
                for peer in list {
                    rows = rows.push(self.channel_row(peer, env));
                }
                column![rows, self.form(), self.result()]
                    .spacing(gap::L)
                    .into()
            }
        };
        widget::page(
            "Channels",
            Some("Local and remote balance per channel; rebalance by paying yourself.".into()),
            iced::widget::scrollable(body),
        )
    }

    fn channel_row<'a>(&'a self, peer: &'a Peer, env: &Env<'a>) -> Element<'a, Message> {
        let out = if self.out == Some(peer.chan_id) {
            widget::pill("sends out", Tone::Accent)
        } else {
            widget::link("Send out here", Message::OutPicked(peer.chan_id)).into()
        };
        let inbound = if self.in_peer == Some(peer.id) {
            widget::pill("comes back", Tone::Accent)
        } else {
            widget::link("Bring back here", Message::InPicked(peer.id)).into()
        };
        let state = match (peer.active, peer.private) {
            (true, false) => "active",
            (true, true) => "active, private",
            (false, false) => "inactive",
            (false, true) => "inactive, private",
        };
        widget::card(
            row![
                column![
                    peer_name(peer, env),
                    widget::caption(format!("channel {} · {state}", peer.chan_id))
                ]
                .width(Length::Fill),
                column![
                    text(format!("local {}", peer.local.whole())),
                    widget::caption(format!("remote {}", peer.remote.whole()))
                ]
                .width(200),
                column![out, inbound].spacing(gap::XS).width(140)
            ]
            .spacing(gap::M)
            .align_y(Alignment::Center),
        )
        .into()
    }

    fn form(&self) -> Element<'_, Message> {
        let running = self.status == Status::Running;
        let label = if running {
            "Rebalancing…"
        } else {
            "Rebalance"
        };
        widget::card(
            row![
                widget::field(
                    "Amount (sats)",
                    text_input("100000", &self.amount).on_input(Message::AmountChanged),
                    None
                ),
                widget::field(
                    "Max fee (ppm)",
                    text_input("1000", &self.max_fee_ppm).on_input(Message::MaxFeeChanged),
                    None
                ),
                widget::primary(label, (!running).then_some(Message::Rebalance))
            ]
            .spacing(gap::M)
            .align_y(Alignment::End),
        )
        .into()
    }

    fn result(&self) -> Element<'_, Message> {
        match &self.status {
            Status::Idle | Status::Running => column![].into(),
            Status::Done(done) => widget::notice(
                Tone::Success,
                "Rebalanced",
                format!(
                    "Moved over {} hops for a fee of {}. The balances above are the new ones.",
                    done.hops, done.fee
                ),
            ),
            Status::Refused(reason) => {
                widget::notice(Tone::Warning, "Not rebalanced", widget::sentence(reason))
            }
        }
    }
}

/// The contact's name for a peer, else its short id.
fn peer_name<'a>(peer: &Peer, env: &Env<'a>) -> Element<'a, Message> {
    match env.contacts.by_pubkey(&peer.id) {
        Some(contact) => text(contact.name.clone()).into(),
        None => widget::mono(peer.id.short()).into(),
    }
}
