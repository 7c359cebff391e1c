//! The states of a journaled send and the moves allowed between them.

use crate::node::PaymentFailure;

/// Where a journaled send stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JournalState {
    /// Written down; the node has not been called yet.
    Pending,
    /// Handed to the node; no answer yet.
    Dispatched,
    /// The node is routing it.
    InFlight,
    Succeeded,
    Failed,
    /// The node never saw it (found by reconcile): the user may send it now.
    NotSent,
    /// A `NotSent` entry the user chose not to send.
    Discarded,
}

impl JournalState {
    /// The text stored in the journal.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Dispatched => "dispatched",
            Self::InFlight => "in_flight",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::NotSent => "not_sent",
            Self::Discarded => "discarded",
        }
    }

    /// The state stored as `text`.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Dispatched,
            Self::InFlight,
            Self::Succeeded,
            Self::Failed,
            Self::NotSent,
            Self::Discarded,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// No further change will happen.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Discarded)
    }

    /// Whether the journal may move from `self` to `to`. Staying put is
    /// allowed (a repeated update). A final state never changes, so a
    /// preimage whose payment succeeded can never be sent again.
    pub fn can_become(self, to: Self) -> bool {
        use JournalState::*;
        if self == to {
            return true;
        }
        match self {
            Pending => matches!(to, Dispatched | InFlight | Succeeded | Failed | NotSent),
            Dispatched => matches!(to, InFlight | Succeeded | Failed | NotSent),
            InFlight => matches!(to, Succeeded | Failed),
            NotSent => matches!(to, Dispatched | InFlight | Succeeded | Failed | Discarded),
            Succeeded | Failed | Discarded => false,
        }
    }
}

/// The text stored for a failure reason.
pub(crate) fn failure_code(failure: PaymentFailure) -> &'static str {
    match failure {
        PaymentFailure::Timeout => "timeout",
        PaymentFailure::NoRoute => "no_route",
        PaymentFailure::Error => "error",
        PaymentFailure::ReceiverRefusedKeysend => "receiver_refused_keysend",
        PaymentFailure::InsufficientBalance => "insufficient_balance",
        PaymentFailure::Canceled => "canceled",
    }
}

/// The failure reason stored as `code`.
pub(crate) fn failure_from_code(code: &str) -> Option<PaymentFailure> {
    use PaymentFailure::*;
    [
        Timeout,
        NoRoute,
        Error,
        ReceiverRefusedKeysend,
        InsufficientBalance,
        Canceled,
    ]
    .into_iter()
    .find(|f| failure_code(*f) == code)
}

#[cfg(test)]
mod tests {
    use super::JournalState::*;
    use super::*;

    #[test]
    fn transitions_follow_the_state_machine() {
        let allowed = [
            (Pending, Dispatched),
            (Pending, NotSent),
            (Dispatched, InFlight),
            (Dispatched, NotSent),
            (InFlight, Succeeded),
            (InFlight, Failed),
            (NotSent, Dispatched),
            (NotSent, Discarded),
            (InFlight, InFlight),
        ];
        let refused = [
            (Succeeded, Dispatched),
            (Succeeded, Failed),
            (Failed, Dispatched),
            (Failed, Succeeded),
            (InFlight, NotSent),
            (InFlight, Pending),
            (Discarded, Dispatched),
            (Dispatched, Pending),
            (Pending, Discarded),
        ];
        for (from, to) in allowed {
            assert!(from.can_become(to), "{from:?} -> {to:?}");
        }
        for (from, to) in refused {
            assert!(!from.can_become(to), "{from:?} -> {to:?}");
        }
    }

    #[test]
    fn stored_texts_round_trip() {
        for s in [
            Pending, Dispatched, InFlight, Succeeded, Failed, NotSent, Discarded,
        ] {
            assert_eq!(JournalState::parse(s.as_str()), Some(s));
        }
        for f in [
            PaymentFailure::Timeout,
            PaymentFailure::NoRoute,
            PaymentFailure::Canceled,
        ] {
            assert_eq!(failure_from_code(failure_code(f)), Some(f));
        }
        assert_eq!(JournalState::parse("bogus"), None);
    }
}
