//! The send journal from the CLI: open it, and at the start of a send ask the
//! node what became of unfinished entries (a crash, a closed terminal) and
//! tell the user. Nothing is ever re-sent without being asked.

use super::exit::CliError;
use super::report::progress;
use crate::node::SharedNode;
use crate::store::Paths;
use crate::wallet::{self, Index, Journal, JournalEntry, Reconciled};

/// Open (creating) the profile's send journal.
pub fn open(paths: &Paths) -> Result<Journal, CliError> {
    paths.ensure()?;
    Ok(Journal::open_profile(paths)?)
}

/// Reconcile unfinished entries with the node and print one line for each.
pub async fn reconcile_and_report(node: &SharedNode, journal: &Journal) -> Result<(), CliError> {
    for found in wallet::reconcile(node, journal).await? {
        progress(&line(&found));
    }
    Ok(())
}

/// After a backfill: write down in the journal the outcomes the index now
/// knows, so `sent` never shows a payment as finished that the journal still
/// calls unfinished.
pub async fn record_outcomes(journal: &Journal, index: &Index) -> Result<(), CliError> {
    let _changed = wallet::record_outcomes(journal, index)
        .await
        .map_err(super::history::sync_error)?;
    Ok(())
}

/// What happened to one earlier payment, in a sentence.
fn line(found: &Reconciled) -> String {
    let what = describe(found.entry());
    match found {
        Reconciled::Succeeded(_) => format!("Earlier payment {what} went through."),
        Reconciled::Failed(entry) => {
            let reason = entry.failure.map_or("no reason given", |f| f.explain());
            format!("Earlier payment {what} failed: {reason}")
        }
        Reconciled::InFlight(_) => {
            format!("Earlier payment {what} is still in flight; `satchel sent` shows how it ends.")
        }
        Reconciled::NotSent(_) => format!(
            "Earlier payment {what} never reached the node, so nothing was paid; it was not sent \
             again."
        ),
        Reconciled::Unknown { error, .. } => {
            format!("Could not check earlier payment {what}: {error}")
        }
    }
}

/// `of 21 sat to 02ab12…cdef (hash 1f2e…)`.
fn describe(entry: &JournalEntry) -> String {
    let hash = entry.hash().to_hex();
    format!(
        "of {} to {} (hash {}…)",
        entry.keysend.amount,
        entry.keysend.destination.short(),
        &hash[..12]
    )
}
