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
use crate::wallet::amp_fee::{self, AmpEstimate};

/// The AMP estimate as the card shows it: shards and fee, none found, or
/// why the node could not say.
pub type AmpGuess = Result<Option<AmpEstimate>, String>;

impl Send {
    /// Read whether the receiver of `keysend` announces AMP, for `intent`,
    /// and if it does, estimate the tip's shards and fee as AMP.
    pub(super) fn read_receiver(
        node: &SharedNode,
        intent: IntentId,
        keysend: &OutgoingKeysend,
    ) -> Task<Message> {
        let (node, keysend) = (node.clone(), keysend.clone());
        Task::perform(
            async move {
                let bits = node.feature_bits(keysend.destination).await;
                let amp = bits
                    .ok()
                    .flatten()
                    .is_some_and(|b| ReceiverFeatures::from_bits(&b).amp);
                let estimate = match amp {
                    true => Some(
                        amp_fee::estimate(&node, &keysend)
                            .await
                            .map_err(|e| e.to_string()),
                    ),
                    false => None,
                };
                (amp, estimate)
            },
            move |(amp, estimate)| Message::ReceiverRead {
                intent: intent.clone(),
                amp,
                estimate,
            },
        )
    }

    pub(super) fn receiver_read(
        &mut self,
        intent: &IntentId,
        amp: bool,
        estimate: Option<AmpGuess>,
    ) -> Action {
        if *intent == self.intent {
            self.receiver_amp = amp;
            self.amp_estimate = estimate;
        }
        Action::None
    }

    /// The AMP offer's estimate in words, once known.
    pub fn amp_estimate_text(&self) -> Option<String> {
        Some(match self.amp_estimate.as_ref()? {
            Ok(Some(found)) => format!(
                "Estimated: {} shard{}, fee {} in all.",
                found.shards,
                if found.shards == 1 { "" } else { "s" },
                found.fee
            ),
            Ok(None) => "No split found a route within the fee limit; the node may still.".into(),
            Err(reason) => format!("No fee estimate: {reason}"),
        })
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
