//! How a payment in progress on the Send screen turns into an outcome, kept
//! apart by what may safely follow. Only a definite failure (refused before
//! the node had it, or FAILED by the node) may be retried as a new payment:
//! "not sent" is offered again with the same hash by the recovery card, and
//! an unknown outcome is left to it, so a tip is never paid twice.
//!
//! A wallet `Error` is not an end: the wallet also reports a failed journal
//! write while it keeps following the payment, or a refusal whose outcome it
//! leaves for reconcile. Only `Finished`, `NotSent` or the end of the event
//! stream (read with the journal's state) decides.

use std::time::{Duration, Instant};

use crate::gui::widget::sentence;
use crate::node::{PaymentStatus, PaymentUpdate};
use crate::wallet::{JournalEntry, JournalState, SendEvent};

/// Title of a payment refused before the node had it.
pub const NOT_SENT_TITLE: &str = "Not sent";
/// What the screen says when the node never saw the payment.
pub const NOT_SENT: &str = "Your node never received this payment, so nothing was paid. It is \
    listed above: send it now with the same payment hash, or discard it.";
/// What the screen says when the outcome is not known yet.
pub const UNKNOWN: &str = "Satchel will keep checking; it will not be sent twice. The payment is \
    listed above until your node gives its final answer.";

/// How a send ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Succeeded {
        update: PaymentUpdate,
        elapsed: Duration,
    },
    /// Definitely not paid, and never will be: refused before the node had
    /// it, or FAILED by the node (final for that hash). Retry is safe.
    Failed { title: String, explanation: String },
    /// The node never saw it: the recovery card offers it with the same hash.
    NotSent,
    /// No final word (the stream ended first): the recovery card follows it.
    Unknown { reason: Option<String> },
}

impl Outcome {
    /// Whether "Edit and retry" (a new payment with a new hash) is safe.
    pub fn can_retry(&self) -> bool {
        matches!(self, Self::Failed { .. })
    }
}

/// A payment handed to the wallet: what it reported so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Sending {
    pub started: Instant,
    /// The wallet reported `Started`: the node may have the payment.
    pub dispatched: bool,
    /// The latest progress from the node.
    pub update: Option<PaymentUpdate>,
    /// The latest problem that did not end the payment.
    pub warning: Option<String>,
}

/// What one wallet event means for the screen.
#[derive(Debug)]
pub enum Step {
    /// Still going (the progress or warning may have changed).
    Continue,
    /// Final.
    Done(Outcome),
    /// The node never saw it: hand the entry to the recovery card.
    NotSent(JournalEntry),
}

impl Sending {
    /// A payment just handed to the wallet.
    pub fn new() -> Self {
        Self {
            started: Instant::now(),
            dispatched: false,
            update: None,
            warning: None,
        }
    }

    /// Take one wallet event.
    pub fn event(&mut self, event: SendEvent) -> Step {
        match event {
            SendEvent::Started { .. } => self.dispatched = true,
            SendEvent::Progress(update) | SendEvent::Finished(update) => {
                return self.update(update);
            }
            SendEvent::NotSent(entry) => return Step::NotSent(entry),
            SendEvent::Reconnecting { attempt, retry_in } => {
                self.warning = Some(format!(
                    "Lost the connection to your node; checking again in {}s (attempt {attempt}).",
                    retry_in.as_secs().max(1)
                ));
            }
            SendEvent::Error(error) => self.warning = Some(sentence(&error.to_string())),
        }
        Step::Continue
    }

    fn update(&mut self, update: PaymentUpdate) -> Step {
        match &update.status {
            PaymentStatus::Succeeded { .. } => Step::Done(Outcome::Succeeded {
                elapsed: self.started.elapsed(),
                update,
            }),
            // LND: FAILED is final for the hash; nothing was paid.
            PaymentStatus::Failed(reason) => Step::Done(Outcome::Failed {
                title: "Payment failed".into(),
                explanation: reason.explain().into(),
            }),
            PaymentStatus::Initiated | PaymentStatus::InFlight => {
                self.update = Some(update);
                Step::Continue
            }
        }
    }

    /// The wallet's stream ended with no final event; `journal` is the
    /// journal's state for this tip afterwards (`Ok(None)`: no entry).
    pub fn ended(&self, journal: Result<Option<JournalState>, String>) -> Outcome {
        let warning = self.warning.clone();
        match journal {
            // No entry: the journal refused it, so the node was never called.
            Ok(None) if !self.dispatched => Outcome::Failed {
                title: NOT_SENT_TITLE.into(),
                explanation: warning.unwrap_or_else(|| "Nothing was paid.".into()),
            },
            // The wallet marks `Failed` only on LND's own final word.
            Ok(Some(JournalState::Failed)) => Outcome::Failed {
                title: "Payment failed".into(),
                explanation: warning.unwrap_or_else(|| "Your node turned the payment down.".into()),
            },
            Ok(Some(JournalState::NotSent)) => Outcome::NotSent,
            Ok(_) => Outcome::Unknown { reason: warning },
            Err(error) => Outcome::Unknown {
                reason: Some(warning.unwrap_or(error)),
            },
        }
    }
}

impl Default for Sending {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::{Msat, Preimage};
    use crate::node::{NodeError, PaymentFailure};
    use crate::wallet::{JournalError, SendError};

    fn update(status: PaymentStatus) -> PaymentUpdate {
        PaymentUpdate {
            hash: Preimage::random().hash(),
            status,
            amount: Msat::from_sat(21),
            fee: Msat(1_000),
            hops: 2,
            attempts: 1,
            created_ns: 0,
        }
    }

    fn started() -> SendEvent {
        SendEvent::Started {
            intent_id: "t".into(),
            hash: Preimage::random().hash(),
        }
    }

    fn journal_write_failed() -> SendEvent {
        SendEvent::Error(SendError::Journal(JournalError::Interrupted))
    }

    #[test]
    fn an_error_is_a_warning_and_a_later_success_still_counts() {
        let mut sending = Sending::new();
        assert!(matches!(sending.event(started()), Step::Continue));
        assert!(matches!(
            sending.event(journal_write_failed()),
            Step::Continue
        ));
        assert_eq!(
            sending.warning.as_deref(),
            Some("The send journal task stopped unexpectedly")
        );
        let paid = update(PaymentStatus::Succeeded {
            preimage: Preimage::random(),
        });
        let Step::Done(outcome) = sending.event(SendEvent::Finished(paid.clone())) else {
            panic!("a success is final");
        };
        assert!(matches!(outcome, Outcome::Succeeded { update, .. } if update == paid));
    }

    #[test]
    fn only_a_node_failure_or_a_refusal_before_sending_may_be_retried() {
        let mut sending = Sending::new();
        let _ = sending.event(started());
        let failed = update(PaymentStatus::Failed(PaymentFailure::NoRoute));
        let Step::Done(outcome) = sending.event(SendEvent::Finished(failed)) else {
            panic!("FAILED is final");
        };
        assert!(outcome.can_retry(), "{outcome:?}");
        assert!(!Outcome::NotSent.can_retry());
        assert!(!Outcome::Unknown { reason: None }.can_retry());
    }

    #[test]
    fn a_stream_that_ends_after_dispatch_is_unknown_never_failed() {
        let mut sending = Sending::new();
        let _ = sending.event(started());
        let refusal = SendError::Node(NodeError::Other("Unknown: ?".into()));
        let _ = sending.event(SendEvent::Error(refusal));
        for state in [
            Ok(Some(JournalState::Dispatched)),
            Ok(Some(JournalState::InFlight)),
            Ok(None),
            Err("journal locked".to_owned()),
        ] {
            let outcome = sending.ended(state.clone());
            assert!(
                matches!(&outcome, Outcome::Unknown { reason: Some(r) } if r.contains("Unknown: ?")),
                "{state:?}: {outcome:?}"
            );
        }
        assert_eq!(
            sending.ended(Ok(Some(JournalState::NotSent))),
            Outcome::NotSent
        );
    }

    #[test]
    fn a_journal_that_says_failed_or_has_no_entry_is_a_definite_failure() {
        let mut sending = Sending::new();
        let _ = sending.event(started());
        let refusal = SendError::Node(NodeError::Invalid("fee limit too low".into()));
        let _ = sending.event(SendEvent::Error(refusal));
        let outcome = sending.ended(Ok(Some(JournalState::Failed)));
        assert!(outcome.can_retry(), "{outcome:?}");

        // The journal refused to begin: the node was never called.
        let mut refused = Sending::new();
        let _ = refused.event(SendEvent::Error(SendError::Journal(
            JournalError::Interrupted,
        )));
        let outcome = refused.ended(Ok(None));
        assert_eq!(
            outcome,
            Outcome::Failed {
                title: NOT_SENT_TITLE.into(),
                explanation: "The send journal task stopped unexpectedly".into(),
            }
        );
    }

    #[test]
    fn a_lost_connection_is_shown_while_the_payment_is_followed() {
        let mut sending = Sending::new();
        let _ = sending.event(started());
        let step = sending.event(SendEvent::Reconnecting {
            attempt: 2,
            retry_in: Duration::from_secs(4),
        });
        assert!(matches!(step, Step::Continue));
        let warning = sending.warning.clone().unwrap_or_default();
        assert!(
            warning.contains("checking again in 4s (attempt 2)"),
            "{warning}"
        );
        let _ = sending.event(SendEvent::Progress(update(PaymentStatus::InFlight)));
        assert_eq!(sending.update.as_ref().map(|u| u.attempts), Some(1));
    }
}
