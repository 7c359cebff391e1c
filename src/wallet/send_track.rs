//! Tracking a sent payment by hash until it is final, and the rules that
//! decide when the node's silence means "not sent".
//!
//! LND answers TrackPaymentV2 with NOT_FOUND for a hash it has not
//! registered (research notes §2.9). Right after a broken connection that
//! can still be a SendPaymentV2 on its way in, so one NOT_FOUND is never
//! enough to call a payment that may have reached the node "not sent": the
//! node must still say NOT_FOUND [`Journal::confirm_not_found`] later.
//!
//! [`Journal::confirm_not_found`]: crate::wallet::Journal::confirm_not_found

use std::time::{Duration, Instant};

use futures::StreamExt;

use super::{Driver, SendEvent};
use crate::node::{NodeError, PaymentUpdate};
use crate::wallet::{JournalEntry, JournalState};

/// Whether a run of NOT_FOUND answers proves the node never saw a payment.
#[derive(Debug, Clone)]
pub(crate) struct NotFoundCheck {
    confirm: Duration,
    /// When the current run of NOT_FOUND answers began.
    first: Option<Instant>,
}

/// What one NOT_FOUND means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The node has had time to register the payment and still has not.
    Confirmed,
    /// Ask the node again after this wait.
    AskAgainIn(Duration),
}

impl NotFoundCheck {
    /// Confirmed by a NOT_FOUND at least `confirm` after the first one.
    pub fn new(confirm: Duration) -> Self {
        Self {
            confirm,
            first: None,
        }
    }

    /// The node said NOT_FOUND at `now`.
    pub fn not_found(&mut self, now: Instant) -> Verdict {
        let first = *self.first.get_or_insert(now);
        match self
            .confirm
            .checked_sub(now.saturating_duration_since(first))
        {
            Some(left) if !left.is_zero() => Verdict::AskAgainIn(left),
            _ => Verdict::Confirmed,
        }
    }

    /// The node knows the payment: any earlier NOT_FOUND is void.
    pub fn found(&mut self) {
        self.first = None;
    }
}

/// What to do after the node refused a `SendPaymentV2` outright, given its
/// first answer to TrackPaymentV2 for the same hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AfterRefusal {
    /// LND itself turned the request down and has no such payment: nothing
    /// was paid, and it never will be.
    Failed,
    /// The payment exists, or the answer is not settled yet: follow it.
    Track,
    /// No answer to go on: report the refusal and leave the entry as it
    /// is (`Dispatched`) for reconcile. Never final on a guess.
    Leave,
}

/// See [`AfterRefusal`]. Only a refusal LND gave for this very request
/// ([`NodeError::Invalid`], a permission or macaroon problem) shows it was
/// read and turned down, so a NOT_FOUND then is the whole story. Any other
/// error may be a broken call, so its NOT_FOUND is confirmed by tracking.
pub(crate) fn after_refusal(
    refusal: &NodeError,
    first: Option<&Result<PaymentUpdate, NodeError>>,
) -> AfterRefusal {
    let answered = matches!(
        refusal,
        NodeError::Invalid(_)
            | NodeError::PermissionDenied(_)
            | NodeError::MacaroonRejected
            | NodeError::CertificateMismatch
            | NodeError::BadCertificate(_)
    );
    match first {
        Some(Err(NodeError::NotFound(_))) if answered => AfterRefusal::Failed,
        Some(Err(NodeError::NotFound(_))) | Some(Ok(_)) => AfterRefusal::Track,
        Some(Err(error)) if error.is_transient() => AfterRefusal::Track,
        Some(Err(_)) | None => AfterRefusal::Leave,
    }
}

impl Driver {
    /// Track by hash with back-off until final or until the node confirms
    /// it never saw the payment (then `NotSent`). Stops early when nobody
    /// listens or the node refuses us for good (not a network problem): the
    /// journal keeps the state and reconcile picks it up later.
    pub(super) async fn track_until_final(&self, entry: &JournalEntry) {
        let mut backoff = crate::node::Backoff::new();
        let mut check = NotFoundCheck::new(self.journal.confirm_not_found());
        loop {
            let mut updates = self.node.track(entry.hash());
            let (mut progressed, mut confirm_in) = (false, None);
            while let Some(item) = updates.next().await {
                match item {
                    Ok(update) => {
                        progressed = true;
                        check.found();
                        if self.record(entry, update).await {
                            return;
                        }
                    }
                    Err(NodeError::NotFound(_)) => match check.not_found(Instant::now()) {
                        Verdict::Confirmed => return self.not_sent(entry).await,
                        Verdict::AskAgainIn(wait) => {
                            confirm_in = Some(wait);
                            break;
                        }
                    },
                    Err(error) if error.is_transient() => break,
                    Err(error) => return self.emit_error(error.into()),
                }
            }
            if self.events.closed() {
                return;
            }
            if let Some(wait) = confirm_in {
                // Not a reconnect: the node answered, so nothing to report.
                tokio::time::sleep(wait).await;
                continue;
            }
            if progressed {
                backoff.reset();
            }
            let (attempt, retry_in) = backoff.failed();
            self.events
                .emit(SendEvent::Reconnecting { attempt, retry_in });
            tokio::time::sleep(retry_in).await;
        }
    }

    /// The node has no such payment: record `NotSent` and offer to send it.
    async fn not_sent(&self, entry: &JournalEntry) {
        match self
            .set_state(entry, JournalState::NotSent, None, None)
            .await
        {
            Ok(updated) => self.events.emit(SendEvent::NotSent(updated)),
            Err(error) => self.emit_error(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::Msat;
    use crate::node::{PaymentFailure, PaymentStatus};

    const CONFIRM: Duration = Duration::from_secs(3);

    #[test]
    fn one_not_found_is_not_enough() {
        let start = Instant::now();
        let mut check = NotFoundCheck::new(CONFIRM);
        assert_eq!(check.not_found(start), Verdict::AskAgainIn(CONFIRM));
        let early = start + Duration::from_secs(1);
        assert_eq!(
            check.not_found(early),
            Verdict::AskAgainIn(Duration::from_secs(2))
        );
        assert_eq!(check.not_found(start + CONFIRM), Verdict::Confirmed);
    }

    #[test]
    fn a_payment_seen_in_between_starts_the_wait_over() {
        let start = Instant::now();
        let mut check = NotFoundCheck::new(CONFIRM);
        assert_eq!(check.not_found(start), Verdict::AskAgainIn(CONFIRM));
        check.found();
        let later = start + Duration::from_secs(10);
        assert_eq!(check.not_found(later), Verdict::AskAgainIn(CONFIRM));
        assert_eq!(check.not_found(later + CONFIRM), Verdict::Confirmed);
    }

    #[test]
    fn no_wait_confirms_at_once() {
        let mut check = NotFoundCheck::new(Duration::ZERO);
        assert_eq!(check.not_found(Instant::now()), Verdict::Confirmed);
    }

    fn not_found() -> Result<PaymentUpdate, NodeError> {
        Err(NodeError::NotFound("payment isn't initiated".into()))
    }

    #[test]
    fn a_stream_that_ends_without_a_state_leaves_the_entry_for_reconcile() {
        for refusal in [
            NodeError::Invalid("bad".into()),
            NodeError::Other("Unknown: ?".into()),
        ] {
            assert_eq!(after_refusal(&refusal, None), AfterRefusal::Leave);
            let denied = Err(NodeError::PermissionDenied("TrackPaymentV2".into()));
            assert_eq!(after_refusal(&refusal, Some(&denied)), AfterRefusal::Leave);
        }
    }

    #[test]
    fn only_a_refusal_lnd_gave_makes_a_not_found_final() {
        let invalid = NodeError::Invalid("fee limit".into());
        let unclear = NodeError::Other("Unknown: ?".into());
        assert_eq!(
            after_refusal(&invalid, Some(&not_found())),
            AfterRefusal::Failed
        );
        assert_eq!(
            after_refusal(&unclear, Some(&not_found())),
            AfterRefusal::Track
        );
        let failed = Ok(PaymentUpdate {
            status: PaymentStatus::Failed(PaymentFailure::NoRoute),
            ..update()
        });
        assert_eq!(after_refusal(&invalid, Some(&failed)), AfterRefusal::Track);
        let cut = Err(NodeError::Disconnected("reset".into()));
        assert_eq!(after_refusal(&invalid, Some(&cut)), AfterRefusal::Track);
    }

    fn update() -> PaymentUpdate {
        PaymentUpdate {
            hash: crate::keysend::Preimage::random().hash(),
            status: PaymentStatus::InFlight,
            amount: Msat(1_000),
            fee: Msat(0),
            hops: 1,
            attempts: 1,
            created_ns: 0,
        }
    }
}
