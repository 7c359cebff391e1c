//! "Send as AMP" on the Send screen (issue 17): while a keysend is sent the
//! receiver's features are read; when the keysend fails for good and the
//! receiver announces AMP (bit 30/31), the outcome offers to send the same
//! tip (same records, a new payment) as AMP, split into shards by LND. An
//! AMP payment is named by a set id LND draws, so it is not journaled.

use std::time::Instant;

use futures::StreamExt;
use iced::Task;

use super::{Action, Message, Outcome, Send, Sending, Stage};
use crate::keysend::Preimage;
use crate::node::routing::{ReceiverFeatures, Routing};
use crate::node::{NodeError, OutgoingKeysend, PaymentStatus, PaymentUpdate, SharedNode};
use crate::wallet::IntentId;

impl Send {
    /// Read whether the receiver of `keysend` announces AMP, for `intent`.
    pub(super) fn read_receiver(
        node: &SharedNode,
        intent: IntentId,
        keysend: &OutgoingKeysend,
    ) -> Task<Message> {
        let (node, destination) = (node.clone(), keysend.destination);
        Task::perform(
            async move { node.feature_bits(destination).await },
            move |bits| Message::ReceiverRead {
                intent: intent.clone(),
                amp: bits
                    .ok()
                    .flatten()
                    .is_some_and(|b| ReceiverFeatures::from_bits(&b).amp),
            },
        )
    }

    pub(super) fn receiver_read(&mut self, intent: &IntentId, amp: bool) -> Action {
        if *intent == self.intent {
            self.receiver_amp = amp;
        }
        Action::None
    }

    /// Whether the outcome offers "Send as AMP".
    pub fn offers_amp(&self) -> bool {
        self.receiver_amp
            && self.last_keysend.is_some()
            && matches!(self.stage, Stage::Done(Outcome::Failed { .. }))
    }

    /// Send the failed tip again as AMP: a new payment, new intent.
    pub(super) fn send_as_amp(&mut self, node: &SharedNode) -> Action {
        if !self.offers_amp() {
            return Action::None;
        }
        let Some(mut keysend) = self.last_keysend.clone() else {
            return Action::None;
        };
        keysend.preimage = Preimage::random();
        self.intent = IntentId::new();
        self.stage = Stage::Sending(Sending::new());
        let (node, intent) = (node.clone(), self.intent.clone());
        let routing = Routing {
            amp: true,
            ..Routing::default()
        };
        Action::Run(Task::perform(
            async move {
                let updates: Vec<_> = node.send_routed(keysend, routing).collect().await;
                updates.into_iter().last().unwrap_or_else(|| {
                    Err(NodeError::Disconnected(
                        "the AMP payment stream ended early".into(),
                    ))
                })
            },
            move |result| Message::AmpDone {
                intent: intent.clone(),
                result,
            },
        ))
    }

    pub(super) fn amp_done(
        &mut self,
        intent: &IntentId,
        result: Result<PaymentUpdate, NodeError>,
    ) -> Action {
        let Stage::Sending(sending) = &self.stage else {
            return Action::None;
        };
        if *intent != self.intent {
            return Action::None;
        }
        let elapsed = Instant::now().saturating_duration_since(sending.started);
        self.stage = Stage::Done(match result {
            Ok(update) => match update.status.clone() {
                PaymentStatus::Succeeded { .. } => Outcome::Succeeded { update, elapsed },
                PaymentStatus::Failed(failure) => Outcome::Failed {
                    title: "The AMP payment failed".into(),
                    explanation: failure.explain().into(),
                },
                _ => Outcome::Unknown { reason: None },
            },
            Err(err) => Outcome::Unknown {
                reason: Some(crate::gui::widget::sentence(&err.to_string())),
            },
        });
        Action::Finished
    }
}
