//! Unit tests of the send journal: persistence, double submits, state moves.

use std::time::Duration;

use super::*;
use crate::keysend::{Msat, NodeId, Preimage, Records, record};
use crate::node::{OutgoingKeysend, PaymentFailure};

const ALICE: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

fn tip(message: &str) -> OutgoingKeysend {
    let mut records = Records::new();
    let _ = records.insert(record::MESSAGE, message.as_bytes().to_vec());
    OutgoingKeysend {
        destination: ALICE.parse::<NodeId>().unwrap(),
        amount: Msat::from_sat(21),
        preimage: Preimage::random(),
        records,
        fee_limit: Msat::from_sat(5),
        timeout: Duration::from_secs(60),
    }
}

#[test]
fn begin_persists_before_anything_else_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let keysend = tip("thanks");
    let entry = Journal::open(&path)
        .unwrap()
        .begin("intent-1", &keysend)
        .unwrap();
    assert_eq!(entry.state, JournalState::Pending);
    let reopened = Journal::open(&path).unwrap();
    let stored = reopened.get("intent-1").unwrap().unwrap();
    assert_eq!(stored.keysend.preimage, keysend.preimage);
    assert_eq!(stored.keysend.records, keysend.records);
    assert_eq!(stored.keysend.timeout, keysend.timeout);
    assert_eq!(
        (stored.keysend.amount, stored.keysend.fee_limit),
        (keysend.amount, keysend.fee_limit)
    );
    assert_eq!(
        reopened
            .by_hash(&keysend.hash())
            .unwrap()
            .unwrap()
            .intent_id,
        "intent-1"
    );
    assert_eq!(reopened.unfinished().unwrap().len(), 1);
}

#[test]
fn same_intent_or_hash_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(&dir.path().join("journal.db")).unwrap();
    let keysend = tip("once");
    let _ = journal.begin("double-click", &keysend).unwrap();
    let again = journal.begin("double-click", &tip("other preimage"));
    assert!(
        matches!(again, Err(JournalError::AlreadySubmitted { intent_id }) if intent_id == "double-click")
    );
    let same_hash = journal.begin("another-intent", &keysend);
    assert!(matches!(
        same_hash,
        Err(JournalError::AlreadySubmitted { .. })
    ));
    assert_eq!(journal.unfinished().unwrap().len(), 1);
}

#[test]
fn updates_follow_the_state_machine() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(&dir.path().join("journal.db")).unwrap();
    let _ = journal.begin("a", &tip("a")).unwrap();
    let _ = journal.begin("b", &tip("b")).unwrap();
    let _ = journal
        .update("a", JournalState::Dispatched, None, None)
        .unwrap();
    let _ = journal
        .update("a", JournalState::InFlight, None, None)
        .unwrap();
    let done = journal
        .update("a", JournalState::Succeeded, None, Some(Msat(1234)))
        .unwrap();
    assert_eq!(
        (done.state, done.fee),
        (JournalState::Succeeded, Some(Msat(1234)))
    );
    let refused = journal.update("a", JournalState::Dispatched, None, None);
    assert!(matches!(
        refused,
        Err(JournalError::InvalidTransition {
            from: JournalState::Succeeded,
            to: JournalState::Dispatched
        })
    ));
    let failed = journal
        .update(
            "b",
            JournalState::Failed,
            Some(PaymentFailure::NoRoute),
            None,
        )
        .unwrap();
    assert_eq!(failed.failure, Some(PaymentFailure::NoRoute));
    assert!(journal.unfinished().unwrap().is_empty());
    assert!(matches!(
        journal.update("zzz", JournalState::Failed, None, None),
        Err(JournalError::NotFound(_))
    ));
}

#[test]
fn update_from_claims_only_from_the_expected_state() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(&dir.path().join("journal.db")).unwrap();
    let _ = journal.begin("resend", &tip("again")).unwrap();
    let _ = journal
        .update("resend", JournalState::NotSent, None, None)
        .unwrap();
    let claimed = journal
        .update_from("resend", JournalState::NotSent, JournalState::Dispatched)
        .unwrap();
    assert_eq!(claimed.state, JournalState::Dispatched);
    // A second claimer read NotSent too, but the entry has moved on.
    let second = journal.update_from("resend", JournalState::NotSent, JournalState::Dispatched);
    assert!(
        matches!(
            second,
            Err(JournalError::InvalidTransition {
                from: JournalState::Dispatched,
                to: JournalState::Dispatched
            })
        ),
        "{second:?}"
    );
    // Plain update allows Dispatched -> NotSent; update_from refuses it
    // when the caller saw another state.
    let stale = journal.update_from("resend", JournalState::Pending, JournalState::NotSent);
    assert!(matches!(stale, Err(JournalError::InvalidTransition { .. })));
    assert_eq!(
        journal.get("resend").unwrap().unwrap().state,
        JournalState::Dispatched
    );
}
