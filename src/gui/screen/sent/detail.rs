//! One sent payment in full, beside the list: recipient, amount, fee,
//! status, whether it was signed, the payment hash, the preimage that
//! proves it was paid, the route the node took (hops and attempts, asked
//! of the node) and every record sent. Answers name the payment they are
//! for; the screen drops one for a payment no longer open.

use futures::StreamExt;
use iced::widget::{column, row, scrollable, space, text};
use iced::{Alignment, Element, Length};

use super::Message;
use crate::gui::screen::Env;
use crate::gui::theme::{self, gap, size};
use crate::gui::{format, widget};
use crate::keysend::PaymentHash;
use crate::node::{NodeError, PaymentUpdate, SharedNode};
use crate::wallet::{IndexError, SentDetail, SentStatus};

/// The open payment and what is known about it so far.
pub(super) struct Detail {
    hash: PaymentHash,
    /// The index's answer: `None` while it loads.
    stored: Option<Result<SentDetail, String>>,
    /// The node's answer: `None` while it loads.
    route: Option<Result<PaymentUpdate, String>>,
    /// The value last put on the clipboard ("Copied" next to it).
    copied: Option<String>,
}

/// Ask the node where the payment stands (its first answer: the final
/// state of a finished payment, the current attempt of one in flight).
pub(super) async fn route(node: SharedNode, hash: PaymentHash) -> Result<PaymentUpdate, NodeError> {
    match node.track(hash).next().await {
        Some(answer) => answer,
        None => Err(NodeError::Disconnected(
            "the node ended the answer early".into(),
        )),
    }
}

impl Detail {
    pub(super) fn new(hash: PaymentHash) -> Self {
        Self {
            hash,
            stored: None,
            route: None,
            copied: None,
        }
    }

    pub(super) fn hash(&self) -> PaymentHash {
        self.hash
    }

    /// `value` was put on the clipboard.
    pub(super) fn copied(&mut self, value: String) {
        self.copied = Some(value);
    }

    pub(super) fn loaded(&self) -> Option<&SentDetail> {
        self.stored.as_ref()?.as_ref().ok()
    }

    pub(super) fn loaded_from_index(&mut self, result: Result<Option<SentDetail>, IndexError>) {
        self.stored = Some(match result {
            Ok(Some(detail)) => Ok(detail),
            Ok(None) => Err("This payment is no longer in the local index.".into()),
            Err(error) => Err(error.to_string()),
        });
    }

    pub(super) fn route_from_node(&mut self, result: Result<PaymentUpdate, NodeError>) {
        self.route = Some(result.map_err(|e| format!("{e}. {}", e.next_step())));
    }

    /// The pane.
    pub(super) fn view<'a>(&'a self, env: &Env<'a>, app: Option<&str>) -> Element<'a, Message> {
        let header = row![
            text("Payment").size(size::TITLE).font(theme::BOLD),
            space::horizontal(),
            widget::link("Close", Message::Close)
        ]
        .align_y(Alignment::Center);
        let body: Element<'a, Message> = match &self.stored {
            None => widget::hint("Loading…").into(),
            Some(Err(reason)) => widget::error_notice(reason, "Close this pane and try again."),
            Some(Ok(detail)) => self.facts(detail, env, app),
        };
        widget::card(scrollable(column![header, body].spacing(gap::M)))
            .height(Length::Fill)
            .into()
    }

    fn facts<'a>(
        &'a self,
        detail: &'a SentDetail,
        env: &Env<'a>,
        app: Option<&str>,
    ) -> Element<'a, Message> {
        let sent = &detail.row;
        let unit = env.settings.unit;
        let hash = sent.hash.to_hex();
        let proof: Element<'a, Message> = match (&sent.preimage, sent.status) {
            (Some(preimage), _) => self.copyable(preimage.to_hex()),
            (None, SentStatus::Succeeded) => {
                widget::hint("Not kept for payments synced by an older Satchel.").into()
            }
            (None, _) => widget::hint("Only a succeeded payment has one.").into(),
        };
        let signed = if sent.signed {
            "Yes: your node's signature went with it"
        } else {
            "No: the recipient cannot tell who sent it"
        };
        let mut facts = column![
            widget::key_value("To", text(super::view::recipient(sent, env)).into()),
            widget::key_value("Amount", text(format::amount(sent.amount, unit)).into()),
            widget::key_value("Fee", text(format::fee(sent.fee, unit)).into()),
            widget::key_value("Status", text(status_text(sent.status)).into()),
            widget::key_value(
                "Sent",
                text(format::full_time(sent.created_ns / 1_000_000_000)).into()
            ),
            widget::key_value("Signed", text(signed).into()),
            widget::key_value("Route", self.route_view()),
            widget::key_value("Payment hash", self.copyable(hash)),
            widget::key_value("Preimage (proof of payment)", proof),
        ]
        .spacing(gap::S);
        if let Some(app) = app {
            facts = facts.push(widget::key_value(
                "Paid by app",
                text(crate::keysend::text::display_safe(app, 64)).into(),
            ));
        }
        if !detail.message.is_empty() {
            facts = facts.push(widget::key_value(
                "Message",
                text(detail.message.as_str()).into(),
            ));
        }
        column![facts, records_view(detail)].spacing(gap::L).into()
    }

    /// A hex value with a Copy link ("Copied" once copied).
    fn copyable<'a>(&self, value: String) -> Element<'a, Message> {
        widget::copyable(value, self.copied.as_deref(), Message::Copy)
    }

    fn route_view(&self) -> Element<'_, Message> {
        match &self.route {
            None => widget::hint("Asking the node…").into(),
            Some(Ok(update)) => text(route_text(update)).into(),
            Some(Err(reason)) => widget::hint(reason.as_str()).into(),
        }
    }
}

/// `2 hops, 1 attempt`.
fn route_text(update: &PaymentUpdate) -> String {
    let plural = |n: u32, one: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    };
    match update.hops {
        0 => format!("no route yet, {}", plural(update.attempts, "attempt")),
        hops => format!(
            "{}, {}",
            plural(hops, "hop"),
            plural(update.attempts, "attempt")
        ),
    }
}

fn status_text(status: SentStatus) -> String {
    match status {
        SentStatus::Succeeded => "Delivered".to_owned(),
        SentStatus::InFlight => "In flight".to_owned(),
        SentStatus::Failed(reason) => format!("Failed: {}", reason.explain()),
    }
}

fn records_view(detail: &SentDetail) -> Element<'_, Message> {
    let rows = detail
        .records
        .iter()
        .fold(column![].spacing(gap::S), |col, r| {
            let name = r
                .name
                .map_or_else(|| format!("type {}", r.key), |n| format!("{n} ({})", r.key));
            col.push(
                column![
                    text(name).size(size::SMALL).font(theme::BOLD),
                    widget::mono(r.hex.as_str()),
                    text(r.preview.as_str())
                        .size(size::SMALL)
                        .style(theme::muted)
                ]
                .spacing(2),
            )
        });
    let rows = if detail.records.is_empty() {
        rows.push(widget::hint("No records besides the keysend preimage."))
    } else {
        rows
    };
    widget::titled_card("Records sent", rows).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::Msat;
    use crate::node::PaymentStatus;

    #[test]
    fn the_route_reads_as_hops_and_attempts() {
        let update = |hops, attempts| PaymentUpdate {
            hash: PaymentHash::from_bytes([1; 32]),
            status: PaymentStatus::InFlight,
            amount: Msat::from_sat(21),
            fee: Msat::ZERO,
            hops,
            attempts,
            created_ns: 0,
        };
        assert_eq!(route_text(&update(2, 1)), "2 hops, 1 attempt");
        assert_eq!(route_text(&update(1, 3)), "1 hop, 3 attempts");
        assert_eq!(route_text(&update(0, 0)), "no route yet, 0 attempts");
    }
}
