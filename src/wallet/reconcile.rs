//! After a restart: find out what became of every unfinished journal entry by
//! asking the node about its hash (research notes §2.9, recovery recipe), and
//! write down outcomes a later backfill learns, so the journal and the sent
//! list never disagree.

use futures::StreamExt;

use super::journal_state::JournalState;
use super::send::journal_view;
use super::{Index, Journal, JournalEntry, JournalError, SentRow, SentStatus, SyncError};
use crate::keysend::Msat;
use crate::node::{NodeError, PaymentFailure, SharedNode};

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
}

impl Reconciled {
    /// The journal entry as it now stands.
    pub fn entry(&self) -> &JournalEntry {
        match self {
            Self::NotSent(e) | Self::InFlight(e) | Self::Succeeded(e) | Self::Failed(e) => e,
            Self::Unknown { entry, .. } => entry,
        }
    }
}

/// Ask the node about every unfinished entry no running process is working
/// on, and record the answers.
pub async fn reconcile(
    node: &SharedNode,
    journal: &Journal,
) -> Result<Vec<Reconciled>, JournalError> {
    // Sends another running Satchel is carrying out are its business.
    let entries = journal.call(|j| j.orphaned()).await?;
    let mut found = Vec::with_capacity(entries.len());
    for entry in entries {
        found.push(reconcile_one(node, journal, entry).await?);
    }
    Ok(found)
}

/// The node's first answer about one entry, recorded in the journal.
async fn reconcile_one(
    node: &SharedNode,
    journal: &Journal,
    entry: JournalEntry,
) -> Result<Reconciled, JournalError> {
    let first = node.track(entry.hash()).next().await;
    let (state, failure, fee) = match first {
        Some(Ok(update)) => journal_view(&update.status, update.fee),
        Some(Err(NodeError::NotFound(_))) => (JournalState::NotSent, None, None),
        Some(Err(error)) => return Ok(Reconciled::Unknown { entry, error }),
        None => {
            let error =
                NodeError::Other("the node ended the payment stream without a state".into());
            return Ok(Reconciled::Unknown { entry, error });
        }
    };
    let intent = entry.intent_id.clone();
    let updated = journal
        .call(move |j| j.update(&intent, state, failure, fee))
        .await?;
    Ok(match state {
        JournalState::NotSent => Reconciled::NotSent(updated),
        JournalState::Succeeded => Reconciled::Succeeded(updated),
        JournalState::Failed => Reconciled::Failed(updated),
        _ => Reconciled::InFlight(updated),
    })
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
        let hash = entry.hash();
        let Some(row) = index.call(move |i| i.sent_by_hash(&hash)).await? else {
            continue;
        };
        let (state, failure, fee) = outcome(&row);
        if state == entry.state || !entry.state.can_become(state) {
            continue;
        }
        let intent = entry.intent_id;
        changed.push(
            journal
                .call(move |j| j.update(&intent, state, failure, fee))
                .await?,
        );
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
