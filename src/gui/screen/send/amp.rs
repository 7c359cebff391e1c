//! "Send as AMP" on the Send screen (issue 17): while a keysend is sent the
//! receiver's features are read; when the keysend fails for good and the
//! receiver announces AMP (bit 30/31), the outcome offers to send the same
//! tip (same records, a new payment) as AMP, split into shards by LND,
//! through the journal like any send.

use iced::Task;

use super::{Action, Context, Message, Outcome, Send, Sending, Stage};
use crate::keysend::Preimage;
use crate::node::routing::{ReceiverFeatures, Routing};
use crate::node::{OutgoingKeysend, SharedNode};
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

    /// Send the failed tip again as AMP: a new payment under a new intent,
    /// journaled like a keysend (see `node::journaled`), so a double click
    /// or a crash never pays it twice.
    pub(super) fn send_as_amp(&mut self, cx: &Context<'_>) -> Action {
        if !self.offers_amp() {
            return Action::None;
        }
        let Some(mut keysend) = self.last_keysend.clone() else {
            return Action::None;
        };
        keysend.preimage = Preimage::random();
        let keysend = keysend.with_routing(Routing {
            amp: true,
            ..Routing::default()
        });
        self.intent = IntentId::new();
        self.stage = Stage::Sending(Sending::new());
        Action::Run(super::journaled(cx, self.intent.clone(), keysend))
    }
}
