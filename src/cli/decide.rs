//! `satchel sent --resend <hash>` and `satchel sent --discard <hash>`: the
//! two decisions about a payment the node never received (Satchel stopped
//! before handing it over, or the node lost it). `--resend` sends the
//! journaled keysend with its original preimage and hash
//! ([`wallet::resend_same`]), so the tip is paid at most once; `--discard`
//! marks it `Discarded` in the journal so it is never offered again. Both
//! are refused while connected to another node than the one the payment was
//! sent from: that node's "not found" says nothing about it.

use super::args::SentArgs;
use super::exit::CliError;
use super::journal::{self, SHORT_HASH};
use super::report::{confirm, progress, safe};
use super::send::Recipient;
use super::{contacts, payment};
use crate::node::SharedNode;
use crate::store::Paths;
use crate::wallet::{self, Journal, JournalEntry, JournalState};

/// Shortest hash prefix accepted (fewer digits name a payment too loosely).
const MIN_PREFIX: usize = 6;

/// Run `sent --resend` or `sent --discard` (whichever was given).
pub async fn run(node: &SharedNode, paths: &Paths, args: &SentArgs) -> Result<(), CliError> {
    let (prefix, resending) = match (&args.resend, &args.discard) {
        (Some(hash), _) => (hash.as_str(), true),
        (None, Some(hash)) => (hash.as_str(), false),
        (None, None) => return Err(CliError::Other("neither --resend nor --discard".into())),
    };
    let prefix = check_prefix(prefix)?;
    let journal = super::history::open_node(node, paths).await?.journal;
    // Reconcile first: an entry left `Pending` by a crash becomes `NotSent`
    // only once the node says it never saw it.
    let found = wallet::reconcile(node, &journal).await?;
    let unfinished = journal.call(|j| j.unfinished()).await?;
    let entry = matching(&unfinished, &prefix)?.clone();
    journal
        .may_decide(&entry)
        .map_err(|elsewhere| CliError::BadInput(elsewhere.to_string()))?;
    decidable(&entry)?;
    journal::report(&found, paths, Some(&entry.intent_id));
    match resending {
        true => resend(node, paths, journal, entry, args.yes).await,
        false => discard(&journal, entry).await,
    }
}

/// Lower-case hex of at least [`MIN_PREFIX`] digits.
fn check_prefix(text: &str) -> Result<String, CliError> {
    let prefix = text.trim().to_ascii_lowercase();
    let hex = prefix.chars().all(|c| c.is_ascii_hexdigit());
    if !hex || prefix.len() < MIN_PREFIX || prefix.len() > 64 {
        return Err(CliError::BadInput(format!(
            "{:?} is not the start of a payment hash: give {MIN_PREFIX} to 64 hex digits (the \
             {SHORT_HASH} shown are enough)",
            safe(text, 80)
        )));
    }
    Ok(prefix)
}

/// The one unfinished entry whose hash starts with `prefix`, if it is
/// waiting for a decision.
#[cfg(test)]
fn pick<'e>(unfinished: &'e [JournalEntry], prefix: &str) -> Result<&'e JournalEntry, CliError> {
    let entry = matching(unfinished, prefix)?;
    decidable(entry)?;
    Ok(entry)
}

/// The one unfinished entry whose hash starts with `prefix`.
fn matching<'e>(
    unfinished: &'e [JournalEntry],
    prefix: &str,
) -> Result<&'e JournalEntry, CliError> {
    let matching: Vec<&JournalEntry> = unfinished
        .iter()
        .filter(|e| e.hash().to_hex().starts_with(prefix))
        .collect();
    let entry = match matching.as_slice() {
        [entry] => *entry,
        [] => {
            return Err(CliError::BadInput(format!(
                "no payment waiting for a decision has a hash starting with {prefix}; the \
                 commands that need one print its hash (`satchel sent` checks again)"
            )));
        }
        many => {
            let hashes: Vec<String> = many.iter().map(|e| journal::describe(e)).collect();
            return Err(CliError::BadInput(format!(
                "{prefix} starts the hash of several payments: {}; give more digits",
                hashes.join(", ")
            )));
        }
    };
    Ok(entry)
}

/// `Ok` when the entry is waiting for a decision (the node never saw it).
fn decidable(entry: &JournalEntry) -> Result<(), CliError> {
    match entry.state {
        JournalState::NotSent => Ok(()),
        JournalState::InFlight | JournalState::Dispatched => Err(CliError::BadInput(format!(
            "the payment {} reached the node and is still in flight, so there is nothing to \
             decide; `satchel sent` shows how it ends",
            journal::describe(entry)
        ))),
        _ => Err(CliError::BadInput(format!(
            "the payment {} is being sent by another Satchel right now; wait for it to finish",
            journal::describe(entry)
        ))),
    }
}

/// Show what goes where, confirm, and send it with its own hash.
async fn resend(
    node: &SharedNode,
    paths: &Paths,
    journal: Journal,
    entry: JournalEntry,
    yes: bool,
) -> Result<(), CliError> {
    let book = contacts::load(paths)?;
    let destination = entry.keysend.destination;
    let contact = book.by_pubkey(&destination).map(|c| c.name.clone());
    let recipient = Recipient::lookup(node, destination, contact).await?;
    println!(
        "Send {} to {}\n  hash:      {} (the original: the node never received it, so this is \
         its only payment)\n  fee limit: {}",
        super::report::sats(entry.keysend.amount),
        recipient.describe(),
        entry.hash(),
        entry.keysend.fee_limit
    );
    confirm("Send it?", yes)?;
    let events = wallet::resend_same(node.clone(), journal, entry);
    payment::follow(events, paths).await
}

/// Mark it discarded: nothing was paid, and it is not offered again.
async fn discard(journal: &Journal, entry: JournalEntry) -> Result<(), CliError> {
    let intent = entry.intent_id.clone();
    let _ = journal
        .call(move |j| j.update(&intent, JournalState::Discarded, None, None))
        .await?;
    println!(
        "Discarded the payment {}: nothing was paid, and it will not be offered again.",
        journal::describe(&entry)
    );
    progress("To send this tip after all, send it again as a new payment (`satchel send`).");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::{Msat, Preimage, Records};
    use crate::node::OutgoingKeysend;

    fn entry(byte: u8, state: JournalState) -> JournalEntry {
        JournalEntry {
            intent_id: format!("cli-{byte}"),
            keysend: OutgoingKeysend {
                destination: "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
                    .parse()
                    .unwrap(),
                amount: Msat::from_sat(11),
                preimage: Preimage::from_bytes([byte; 32]),
                records: Records::new(),
                fee_limit: Msat::from_sat(10),
                timeout: wallet::SEND_TIMEOUT,
            },
            state,
            failure: None,
            fee: None,
            created_at: 0,
            updated_at: 0,
            node: None,
        }
    }

    #[test]
    fn prefixes_must_look_like_hashes() {
        assert_eq!(check_prefix(" ABCDEF12 ").unwrap(), "abcdef12");
        for bad in ["abc", "xyz123", "", &"a".repeat(65)] {
            assert_eq!(check_prefix(bad).unwrap_err().kind().code(), 2, "{bad:?}");
        }
    }

    #[test]
    fn only_a_not_sent_payment_is_picked() {
        let waiting = entry(1, JournalState::NotSent);
        let flying = entry(2, JournalState::InFlight);
        let entries = [waiting.clone(), flying.clone()];
        let hash = waiting.hash().to_hex();
        let picked = pick(&entries, &hash[..8]).unwrap();
        assert_eq!(picked.intent_id, waiting.intent_id);
        let err = pick(&entries, &flying.hash().to_hex()[..8]).unwrap_err();
        assert!(err.to_string().contains("still in flight"), "{err}");
        let other = if hash.starts_with('0') {
            "ffffff"
        } else {
            "000000"
        };
        let none = pick(&entries, other).unwrap_err().to_string();
        assert!(none.contains("no payment waiting"), "{none}");
        let twins = [waiting.clone(), entry(1, JournalState::NotSent)];
        let many = pick(&twins, &hash[..8]).unwrap_err().to_string();
        assert!(many.contains("several payments"), "{many}");
    }
}
