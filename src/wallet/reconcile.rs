//! After a restart: find out what became of every unfinished journal entry by
//! asking the node about its hash (research notes §2.9, recovery recipe; a
//! NOT_FOUND is confirmed before anything is called "not sent"), and
//! write down outcomes a later backfill learns, so the journal and the sent
//! list never disagree. Only the node an entry was sent from is asked: an
//! entry of another node is reported with that node's name, never judged.

use futures::StreamExt;

use super::journal::Owned;
use super::journal_state::JournalState;
use super::send::{ended_without_state, journal_view};
use super::{Index, Journal, JournalEntry, JournalError, SentRow, SentStatus, SyncError};
use crate::keysend::Msat;
use crate::node::{NodeError, PaymentFailure, PaymentUpdate, SharedNode};

/// What reconcile found for one unfinished entry.
#[derive(Debug, Clone)]
pub enum Reconciled {
    /// The node never saw it; nothing was paid. Offer "send now"
    /// ([`super::resend_same`]); never sent automatically.
    NotSent(JournalEntry),
    /// The node is still routing it: follow it with [`super::track_entry`].
    InFlight(JournalEntry),
    /// It went through while Satchel was away.
    Succeeded(JournalEntry),
    /// It failed while Satchel was away.
    Failed(JournalEntry),
    /// The node could not be asked; the entry stays as it was. Try again later.
    Unknown {
        entry: JournalEntry,
        error: NodeError,
    },
    /// Sent from another node (or recorded before entries named their node,
    /// and this node does not know it): not asked, not judged, nothing
    /// offered. `reason` names the node to connect to.
    OtherNode {
        entry: JournalEntry,
        reason: JournalError,
    },
}

impl Reconciled {
    /// The journal entry as it now stands.
    pub fn entry(&self) -> &JournalEntry {
        match self {
            Self::NotSent(e) | Self::InFlight(e) | Self::Succeeded(e) | Self::Failed(e) => e,
            Self::Unknown { entry, .. } | Self::OtherNode { entry, .. } => entry,
        }
    }
}

/// Ask the node about every unfinished entry no running process is working
/// on, and record the answers. An entry that may have reached the node
/// (`Pending` or `Dispatched`) is only found `NotSent` when the node still
/// has no such payment [`Journal::confirm_not_found`] after its first
/// NOT_FOUND (one wait for all such entries).
pub async fn reconcile(
    node: &SharedNode,
    journal: &Journal,
) -> Result<Vec<Reconciled>, JournalError> {
    // Sends another running Satchel is carrying out are its business.
    let orphaned = journal.call(|j| j.orphaned()).await?;
    let mut found = Vec::new();
    let mut entries = Vec::with_capacity(orphaned.len());
    for entry in orphaned {
        match claim(node, journal, entry).await? {
            Ok(mine) => entries.push(mine),
            Err(elsewhere) => found.push(elsewhere),
        }
    }
    let mut answers = Vec::with_capacity(entries.len());
    for entry in &mut entries {
        answers.push(ask(node, journal, entry).await);
    }
    let unconfirmed: Vec<usize> = (0..entries.len())
        .filter(|&i| needs_confirming(&entries[i], &answers[i]))
        .collect();
    if !unconfirmed.is_empty() && !journal.confirm_not_found().is_zero() {
        tokio::time::sleep(journal.confirm_not_found()).await;
        for i in unconfirmed {
            answers[i] = ask(node, journal, &mut entries[i]).await;
        }
    }
    // Answers may be seconds old by now: each is written only if its entry
    // is still as read (see `settle`), so one conflict never stops the run.
    for (entry, answer) in entries.into_iter().zip(answers) {
        found.push(settle(journal, entry, answer).await?);
    }
    Ok(found)
}

/// `Ok` with the entry when the connected node may judge it: it was sent
/// from this node, or it names no node yet and this node knows its payment
/// (then it is adopted). Otherwise the entry as found: sent elsewhere.
async fn claim(
    node: &SharedNode,
    journal: &Journal,
    entry: JournalEntry,
) -> Result<Result<JournalEntry, Reconciled>, JournalError> {
    let known = match journal.owned(&entry) {
        Owned::Here => return Ok(Ok(entry)),
        Owned::Elsewhere(_) => false,
        Owned::Unclaimed => matches!(ask(node, journal, &mut entry.clone()).await, Some(Ok(_))),
    };
    if known {
        let intent = entry.intent_id.clone();
        if let Some(adopted) = journal.call(move |j| j.adopt(&intent)).await? {
            return Ok(Ok(adopted));
        }
    }
    Ok(Err(elsewhere(journal, entry)))
}

/// An entry this node may not judge, with the reason naming its node.
fn elsewhere(journal: &Journal, entry: JournalEntry) -> Reconciled {
    let reason = match journal.may_decide(&entry) {
        Err(reason) => reason,
        Ok(()) => JournalError::SentElsewhere {
            node: None,
            name: String::new(),
        },
    };
    Reconciled::OtherNode { entry, reason }
}

/// The node's first answer about one entry. An AMP entry whose set id the
/// journal lacks is first looked up by its payment address (issue 17); not
/// found, it is NOT_FOUND like any payment the node never saw.
async fn ask(
    node: &SharedNode,
    journal: &Journal,
    entry: &mut JournalEntry,
) -> Option<Result<PaymentUpdate, NodeError>> {
    if entry.keysend.awaits_set_id() {
        match super::routed::locate(node, journal, entry.clone()).await {
            Ok(found) => *entry = found,
            Err(error) => return Some(Err(error)),
        }
    }
    node.track(entry.hash()).next().await
}

/// A NOT_FOUND for an entry whose `SendPaymentV2` may have been on its way.
/// A `NotSent` entry was confirmed before (and has not been sent since).
fn needs_confirming(
    entry: &JournalEntry,
    answer: &Option<Result<PaymentUpdate, NodeError>>,
) -> bool {
    matches!(answer, Some(Err(NodeError::NotFound(_))))
        && matches!(
            entry.state,
            JournalState::Pending | JournalState::Dispatched
        )
}

/// Record what the node said about one entry.
async fn settle(
    journal: &Journal,
    entry: JournalEntry,
    answer: Option<Result<PaymentUpdate, NodeError>>,
) -> Result<Reconciled, JournalError> {
    let (state, failure, fee) = match answer {
        Some(Ok(update)) => journal_view(&update.status, update.fee),
        Some(Err(NodeError::NotFound(_))) => return not_sent(journal, entry).await,
        Some(Err(error)) => return Ok(Reconciled::Unknown { entry, error }),
        None => {
            let error = ended_without_state();
            return Ok(Reconciled::Unknown { entry, error });
        }
    };
    let (intent, from) = (entry.intent_id.clone(), entry.state);
    let written = journal
        .call(move |j| j.update_if(&intent, from, state, failure, fee))
        .await;
    match written {
        Ok(updated) => Ok(as_found(updated)),
        Err(JournalError::InvalidTransition { .. }) => moved_meanwhile(journal, entry).await,
        Err(error) => Err(error),
    }
}

/// What an entry in its journal state stands for.
fn as_found(entry: JournalEntry) -> Reconciled {
    match entry.state {
        JournalState::Succeeded => Reconciled::Succeeded(entry),
        JournalState::Failed => Reconciled::Failed(entry),
        JournalState::NotSent => Reconciled::NotSent(entry),
        _ => Reconciled::InFlight(entry),
    }
}

/// Another writer (a send tracker, another process) moved the entry after
/// reconcile read it, so the node's answer may be stale: report the entry as
/// it now stands when that is an outcome, and `Unknown` otherwise.
async fn moved_meanwhile(
    journal: &Journal,
    entry: JournalEntry,
) -> Result<Reconciled, JournalError> {
    let intent = entry.intent_id.clone();
    let current = journal.call(move |j| j.get(&intent)).await?;
    Ok(match current {
        Some(now)
            if matches!(
                now.state,
                JournalState::Succeeded
                    | JournalState::Failed
                    | JournalState::NotSent
                    | JournalState::InFlight
            ) =>
        {
            as_found(now)
        }
        Some(now) => {
            let error = NodeError::Other(format!(
                "the payment became {:?} while Satchel was checking it; check again",
                now.state
            ));
            Reconciled::Unknown { entry: now, error }
        }
        None => {
            let error = NodeError::Other(
                "the payment left the journal while Satchel was checking it".into(),
            );
            Reconciled::Unknown { entry, error }
        }
    })
}

/// Write `NotSent`, only if the entry is still as reconcile read it: a
/// resend or a send that moved it meanwhile wins.
async fn not_sent(journal: &Journal, entry: JournalEntry) -> Result<Reconciled, JournalError> {
    let (intent, from) = (entry.intent_id.clone(), entry.state);
    let written = journal
        .call(move |j| j.update_from(&intent, from, JournalState::NotSent))
        .await;
    match written {
        Ok(updated) => Ok(Reconciled::NotSent(updated)),
        Err(JournalError::InvalidTransition { .. }) => moved_meanwhile(journal, entry).await,
        Err(error) => Err(error),
    }
}

/// Record in the journal what the index learned from the node (after a
/// backfill) for every unfinished entry no running process is working on, so
/// a payment that ended after [`reconcile`] asked is not shown as finished
/// while the journal still says it is in flight. Call it, like `reconcile`,
/// when this process has no send of its own under way. Returns the entries
/// that changed.
pub async fn record_outcomes(
    journal: &Journal,
    index: &Index,
) -> Result<Vec<JournalEntry>, SyncError> {
    let entries = journal.call(|j| j.orphaned()).await?;
    let mut changed = Vec::new();
    for entry in entries {
        // This node's index says nothing about another node's payment.
        if journal.owned(&entry) != Owned::Here {
            continue;
        }
        let hash = entry.hash();
        let Some(row) = index.call(move |i| i.sent_by_hash(&hash)).await? else {
            continue;
        };
        let (state, failure, fee) = outcome(&row);
        if state == entry.state || !entry.state.can_become(state) {
            continue;
        }
        // Only if still as read: a writer that moved it meanwhile wins.
        let (intent, from) = (entry.intent_id, entry.state);
        match journal
            .call(move |j| j.update_if(&intent, from, state, failure, fee))
            .await
        {
            Ok(updated) => changed.push(updated),
            Err(JournalError::InvalidTransition { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(changed)
}

/// The journal's words for a sent row.
fn outcome(row: &SentRow) -> (JournalState, Option<PaymentFailure>, Option<Msat>) {
    match row.status {
        SentStatus::InFlight => (JournalState::InFlight, None, None),
        SentStatus::Succeeded => (JournalState::Succeeded, None, Some(row.fee)),
        SentStatus::Failed(reason) => (JournalState::Failed, Some(reason), None),
    }
}
