//! `satchel inbox`: fetch new keysends into the index, list decoded messages
//! with who sent them (verified, claimed, or anonymous), and with `--follow`
//! keep printing new ones as they settle.

use futures::StreamExt;
use serde::Serialize;

use super::args::InboxArgs;
use super::exit::CliError;
use super::history;
use super::report::{local_time, print_json, print_json_line, progress, safe, sats};
use crate::keysend::incoming::Unverified;
use crate::keysend::{NodeId, Sender};
use crate::node::SharedNode;
use crate::store::{ContactBook, Paths};
use crate::wallet::{self, FollowEvent, InboxQuery, InboxRow, Index};

/// Longest message shown in the text listing (the JSON has up to the index's cap).
const MESSAGE_CHARS: usize = 500;

/// `inbox --json`: one received keysend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InboxJson {
    pub hash: String,
    pub amount_msat: u64,
    pub amount_sat: u64,
    /// Unix seconds.
    pub settled_at: i64,
    pub sender: SenderJson,
    pub message: Option<String>,
    pub podcast: Option<String>,
}

/// Who sent it: `status` is `verified`, `claimed` or `anonymous`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SenderJson {
    pub status: &'static str,
    /// Verified node id, or the claimed one.
    pub pubkey: Option<String>,
    /// Claimed name (never verified).
    pub name: Option<String>,
    /// Our contact with that node id, if any.
    pub contact: Option<String>,
    /// Why a claimed sender is not verified.
    pub problem: Option<String>,
}

impl SenderJson {
    fn of(sender: &Sender, claimed_name: Option<String>) -> Self {
        let (status, pubkey, name, problem) = match sender {
            Sender::Verified { id, .. } => ("verified", Some(*id), claimed_name, None),
            Sender::Claimed { id, name, problem } => (
                "claimed",
                *id,
                name.clone().or(claimed_name),
                Some(problem.to_string()),
            ),
            // A name from elsewhere (a boostagram's sender_name) is still only a claim.
            Sender::Anonymous if claimed_name.is_some() => (
                "claimed",
                None,
                claimed_name,
                Some(Unverified::NoSignature.to_string()),
            ),
            Sender::Anonymous => ("anonymous", None, None, None),
        };
        let pubkey = pubkey.map(|id| id.to_hex());
        Self {
            status,
            pubkey,
            name,
            contact: None,
            problem,
        }
    }

    /// Add the name of our contact with this node id.
    fn with_contact(mut self, book: &ContactBook) -> Self {
        let id = self
            .pubkey
            .as_deref()
            .and_then(|k| k.parse::<NodeId>().ok());
        self.contact = id
            .and_then(|id| book.by_pubkey(&id))
            .map(|c| c.name.clone());
        self
    }

    /// `verified: Alice (02ab…)`, `claims to be Alice (no signature)`, `anonymous`.
    fn describe(&self) -> String {
        let short = self
            .pubkey
            .as_deref()
            .and_then(|k| k.parse::<NodeId>().ok())
            .map(|k| k.short());
        let who = match (self.contact.as_ref().or(self.name.as_ref()), short) {
            (Some(name), Some(key)) => format!("{name} ({key})"),
            (Some(name), None) => name.clone(),
            (None, Some(key)) => key,
            (None, None) => "someone".to_owned(),
        };
        match self.status {
            "verified" => format!("verified: {who}"),
            "claimed" => format!(
                "claims to be {who} ({})",
                self.problem.as_deref().unwrap_or("unverified")
            ),
            _ => "anonymous".to_owned(),
        }
    }
}

/// Run `inbox` on a connected node.
pub async fn run(node: &SharedNode, paths: &Paths, args: &InboxArgs) -> Result<(), CliError> {
    let index = history::open_node(node, paths).await?.index;
    let _stats = history::backfill(node, &index).await?;
    let me = node.info().await?.id;
    let query = InboxQuery {
        text: args.search.clone(),
        limit: args.limit as u64,
        ..InboxQuery::default()
    };
    let rows = index.inbox(&query)?;
    let book = super::contacts::load(paths)?;
    let entries = rows
        .iter()
        .map(|row| entry(&index, &book, row, &me))
        .collect::<Result<Vec<_>, _>>()?;
    if !args.follow {
        return print_list(&entries, args.json);
    }
    print_backlog(&entries, args.json)?;
    follow(node, index, &book, &me, args).await
}

/// Newest first (`entries` come so), as text or one JSON array.
fn print_list(entries: &[InboxJson], json: bool) -> Result<(), CliError> {
    if json {
        return print_json(entries);
    }
    if entries.is_empty() {
        progress("No keysends match.");
    }
    for entry in entries {
        println!("{}", entry_text(entry));
    }
    Ok(())
}

/// Before `--follow`: oldest first, so new ones continue the list in time
/// order; with `--json`, as JSON lines like the ones that follow.
fn print_backlog(entries: &[InboxJson], json: bool) -> Result<(), CliError> {
    for entry in entries.iter().rev() {
        match json {
            true => print_json_line(entry)?,
            false => println!("{}", entry_text(entry)),
        }
    }
    Ok(())
}

/// One row, its full message and its checked sender.
fn entry(
    index: &Index,
    book: &ContactBook,
    row: &InboxRow,
    me: &NodeId,
) -> Result<InboxJson, CliError> {
    let sender = index.verify(row.id, me)?;
    let detail = index.detail(row.id)?;
    Ok(InboxJson {
        hash: row.hash.to_hex(),
        amount_msat: row.amount.0,
        amount_sat: row.amount.sats(),
        settled_at: row.settled_at,
        sender: SenderJson::of(
            &sender,
            detail.sender_name.map(|n| safe(&n, wallet::NAME_CHARS)),
        )
        .with_contact(book),
        message: detail.message.filter(|m| !m.is_empty()),
        podcast: row.podcast.clone(),
    })
}

/// `2025-01-02 10:00  21 sat  verified: Alice (02ab…)` then the message, indented.
fn entry_text(entry: &InboxJson) -> String {
    let amount = crate::keysend::Msat(entry.amount_msat);
    let mut text = format!(
        "{}  {}  {}",
        local_time(entry.settled_at),
        sats(amount),
        entry.sender.describe()
    );
    if let Some(podcast) = &entry.podcast {
        text.push_str(&format!("  [boost: {podcast}]"));
    }
    match &entry.message {
        Some(message) => {
            for line in crate::keysend::text::display_safe_multiline(message, MESSAGE_CHARS).lines()
            {
                text.push_str(&format!("\n    {line}"));
            }
        }
        None => text.push_str("\n    (no message)"),
    }
    text
}

/// Print keysends as they settle until Ctrl-C or the node refuses us.
async fn follow(
    node: &SharedNode,
    index: Index,
    book: &ContactBook,
    me: &NodeId,
    args: &InboxArgs,
) -> Result<(), CliError> {
    let mut events = Box::pin(wallet::follow(node.clone(), index.clone()));
    let mut stop = Box::pin(tokio::signal::ctrl_c());
    loop {
        let event = tokio::select! {
            event = events.next() => event,
            _ = &mut stop => return Ok(()),
        };
        match event {
            Some(FollowEvent::Connected) => progress("Waiting for new keysends (Ctrl-C to stop)…"),
            Some(FollowEvent::Received(row)) => print_new(&index, book, &row, me, args)?,
            Some(FollowEvent::Reconnecting { attempt, retry_in }) => progress(&format!(
                "Lost the node; reconnecting in {:.1} s (attempt {attempt}).",
                retry_in.as_secs_f64()
            )),
            Some(FollowEvent::Offline(err)) => return Err(err.into()),
            Some(FollowEvent::IndexFailed(err)) => return Err(err.into()),
            None => return Ok(()),
        }
    }
}

/// A new keysend, if it matches `--search`.
fn print_new(
    index: &Index,
    book: &ContactBook,
    row: &InboxRow,
    me: &NodeId,
    args: &InboxArgs,
) -> Result<(), CliError> {
    let entry = entry(index, book, row, me)?;
    if !matches_search(&entry, args.search.as_deref()) {
        return Ok(());
    }
    match args.json {
        true => print_json_line(&entry),
        false => {
            println!("{}", entry_text(&entry));
            Ok(())
        }
    }
}

/// Every word of `search` appears in the message, sender name or podcast (any case).
fn matches_search(entry: &InboxJson, search: Option<&str>) -> bool {
    let Some(search) = search else { return true };
    let haystack = [
        entry.message.as_deref(),
        entry.sender.name.as_deref(),
        entry.podcast.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n")
    .to_lowercase();
    search
        .split_whitespace()
        .all(|word| haystack.contains(&word.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

    fn entry_with(sender: SenderJson, message: Option<&str>) -> InboxJson {
        InboxJson {
            hash: "00".repeat(32),
            amount_msat: 21_000,
            amount_sat: 21,
            settled_at: 0,
            sender,
            message: message.map(str::to_owned),
            podcast: None,
        }
    }

    #[test]
    fn sender_status_is_spelled_out() {
        let id: NodeId = ALICE.parse().unwrap();
        let verified = SenderJson::of(
            &Sender::Verified {
                id,
                scheme: crate::keysend::incoming::Scheme::Whatsat,
            },
            Some("Alice".into()),
        );
        assert_eq!(verified.describe(), "verified: Alice (0279be66…f81798)");
        let mut book = ContactBook::new();
        let _ = book.add(crate::store::NewContact::new("Al", id)).unwrap();
        assert_eq!(
            verified.with_contact(&book).describe(),
            "verified: Al (0279be66…f81798)"
        );
        let claimed = SenderJson::of(
            &Sender::Claimed {
                id: Some(id),
                name: None,
                problem: Unverified::NoSignature,
            },
            None,
        );
        assert_eq!(
            claimed.describe(),
            "claims to be 0279be66…f81798 (no signature)"
        );
        assert_eq!(
            SenderJson::of(&Sender::Anonymous, None).describe(),
            "anonymous"
        );
    }

    #[test]
    fn text_shows_message_lines_or_says_none() {
        let anon = SenderJson::of(&Sender::Anonymous, None);
        let text = entry_text(&entry_with(anon.clone(), Some("hi\nthere")));
        assert!(
            text.ends_with("21 sat  anonymous\n    hi\n    there"),
            "{text}"
        );
        assert!(entry_text(&entry_with(anon, None)).ends_with("(no message)"));
    }

    #[test]
    fn search_needs_every_word() {
        let entry = entry_with(
            SenderJson::of(&Sender::Anonymous, None),
            Some("Great show, thanks"),
        );
        assert!(matches_search(&entry, Some("great THANKS")));
        assert!(!matches_search(&entry, Some("great podcast")));
        assert!(matches_search(&entry, None));
    }
}
