//! The send journal from the CLI: open it, and at the start of a send ask the
//! node what became of unfinished entries (a crash, a closed terminal) and
//! tell the user. Nothing is ever re-sent without being asked: a payment the
//! node never received waits for `satchel sent --resend` or `--discard`, on
//! the node it was sent from (the journal is opened with the connected node's
//! files, [`super::history::open_node`]).

use super::exit::CliError;
use super::report::{progress, sats};
use crate::node::SharedNode;
use crate::store::Paths;
use crate::wallet::{self, Index, Journal, JournalEntry, Reconciled};

/// Hex digits of a payment hash shown and accepted to name a payment.
pub const SHORT_HASH: usize = 12;

/// Reconcile unfinished entries with the node and print one line for each.
pub async fn reconcile_and_report(
    node: &SharedNode,
    journal: &Journal,
    paths: &Paths,
) -> Result<(), CliError> {
    let found = wallet::reconcile(node, journal).await?;
    report(&found, paths, None);
    Ok(())
}

/// One line for each reconciled entry, except the one with intent `except`.
pub fn report(found: &[Reconciled], paths: &Paths, except: Option<&str>) {
    let shown = found
        .iter()
        .filter(|f| Some(f.entry().intent_id.as_str()) != except);
    for found in shown {
        progress(&line(found, paths));
    }
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

/// The start of an entry's payment hash, as shown and as `--resend` takes it.
pub fn short_hash(entry: &JournalEntry) -> String {
    let mut hash = entry.hash().to_hex();
    hash.truncate(SHORT_HASH);
    hash
}

/// How to decide about a payment the node never received.
pub fn decision(entry: &JournalEntry, paths: &Paths) -> String {
    let command = match paths.is_demo() {
        true => "satchel --demo",
        false => "satchel",
    };
    let hash = short_hash(entry);
    format!(
        "`{command} sent --resend {hash}` sends it now with the same payment hash (so it is paid \
         at most once); `{command} sent --discard {hash}` drops it."
    )
}

/// What happened to one earlier payment, in a sentence.
fn line(found: &Reconciled, paths: &Paths) -> String {
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
        Reconciled::NotSent(entry) => format!(
            "Earlier payment {what} never reached the node; nothing was paid. Waiting for your \
             decision: {}",
            decision(entry, paths)
        ),
        Reconciled::Unknown { error, .. } => {
            format!("Could not check earlier payment {what}: {error}")
        }
        Reconciled::OtherNode { reason, .. } => {
            format!("Earlier payment {what} is not checked here: {reason}.")
        }
    }
}

/// `of 21 sat to 02ab12…cdef (hash 1f2e…)`.
pub fn describe(entry: &JournalEntry) -> String {
    format!(
        "of {} to {} (hash {}…)",
        sats(entry.keysend.amount),
        entry.keysend.destination.short(),
        short_hash(entry)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::{Msat, Preimage, Records};
    use crate::node::OutgoingKeysend;
    use crate::wallet::JournalState;

    fn entry() -> JournalEntry {
        let keysend = OutgoingKeysend {
            destination: "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
                .parse()
                .unwrap(),
            amount: Msat::from_sat(11),
            preimage: Preimage::from_bytes([3; 32]),
            records: Records::new(),
            fee_limit: Msat::from_sat(10),
            timeout: wallet::SEND_TIMEOUT,
        };
        JournalEntry {
            intent_id: "cli-1".into(),
            keysend,
            state: JournalState::NotSent,
            failure: None,
            fee: None,
            created_at: 0,
            updated_at: 0,
            node: None,
        }
    }

    #[test]
    fn a_payment_never_sent_waits_for_a_decision() {
        let entry = entry();
        let hash = short_hash(&entry);
        assert_eq!(hash.len(), SHORT_HASH);
        let text = line(&Reconciled::NotSent(entry.clone()), &Paths::at("/p"));
        assert!(text.contains("of 11 sat to 0279be66…f81798"), "{text}");
        assert!(text.contains("Waiting for your decision"), "{text}");
        assert!(
            text.contains(&format!("`satchel sent --resend {hash}`")),
            "{text}"
        );
        assert!(
            text.contains(&format!("`satchel sent --discard {hash}`")),
            "{text}"
        );
        assert!(!text.contains("not sent again"), "{text}");
        let demo = decision(&entry, &Paths::at("/p").demo());
        assert!(demo.contains("`satchel --demo sent --resend"), "{demo}");
    }
}
