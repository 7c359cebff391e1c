//! `satchel inbox`: fetch new keysends into the index, list decoded messages
//! with who sent them (verified, claimed, or anonymous), and with `--follow`
//! keep printing new ones as they settle.

use std::io::{self, BufWriter, Write};

use futures::StreamExt;
use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer as _};

use super::args::InboxArgs;
use super::exit::CliError;
use super::history;
use super::report::{local_time, print_json_line, progress, sats};
use crate::keysend::{NodeId, Sender};
use crate::node::SharedNode;
use crate::store::{ContactBook, Paths};
use crate::wallet::{
    self, FollowEvent, InboxQuery, InboxRow, Index, SearchWords, ShownSender, Who,
};

/// Senders checked, and verified senders named (graph alias), before a
/// search, at most.
const SEARCH_NAMES: u64 = 5_000;
/// Entries, newest first, among which a search checks senders.
const SEARCH_WINDOW: u64 = 50_000;
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

/// Who sent it, as `wallet::ShownSender` presents it (the GUI shows the same).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SenderJson {
    /// `verified`, `signed_text` (ThunderHub: the node signed the text, for
    /// no recipient and no time), `forged`, `claimed` or `anonymous`.
    pub status: &'static str,
    /// The node id given (verified only when `status` is `verified` or
    /// `signed_text`).
    pub pubkey: Option<String>,
    /// How Satchel names the sender: a verified node by contact, graph alias
    /// or short key; anyone else as `claims to be ...`.
    pub shown: String,
    /// The name the sender gives itself (never signed).
    pub claimed_name: Option<String>,
    /// Our contact with that node id, if any.
    pub contact: Option<String>,
    /// The verified node's alias in the graph, if known.
    pub alias: Option<String>,
    /// Why the sender is not verified.
    pub problem: Option<String>,
    /// A verified sender's signature does not cover the message shown.
    pub message_not_signed: bool,
    /// What the signature proves, in a sentence.
    pub explanation: String,
    /// The one-line text form.
    #[serde(skip)]
    summary: String,
}

impl SenderJson {
    fn of(shown: &ShownSender) -> Self {
        let (contact, alias, claimed_name, problem) = match &shown.who {
            Who::Verified {
                contact,
                alias,
                claimed,
                ..
            } => (contact.clone(), alias.clone(), claimed.clone(), None),
            Who::Forged { name, problem, .. } => (None, None, name.clone(), Some(*problem)),
            Who::Claimed { name, why, .. } => (None, None, name.clone(), *why),
            Who::Anonymous => (None, None, None, None),
        };
        Self {
            status: shown.status(),
            pubkey: shown.id().map(|id| id.to_hex()),
            shown: shown.headline(),
            claimed_name,
            contact,
            alias,
            problem: problem.map(|p| p.to_string()),
            message_not_signed: shown.text_not_signed,
            explanation: shown.explanation(),
            summary: shown.summary(),
        }
    }
}

/// Run `inbox` on a connected node.
pub async fn run(node: &SharedNode, paths: &Paths, args: &InboxArgs) -> Result<(), CliError> {
    if args.format.is_some() {
        return super::export::inbox(node, paths, args).await;
    }
    let index = history::open_node(node, paths).await?.index;
    let me = node.info().await?.id;
    let search = args.search.as_deref().unwrap_or("");
    // A listing longer than a chunk checks the senders of new keysends as
    // the sync prepares them (on every core), so none is read back to be
    // checked.
    let long_listing = args.limit as u64 > CHUNK && !args.follow && search.trim().is_empty();
    let _stats = match long_listing {
        true => history::backfill_checking(node, &index, me).await?,
        false => history::backfill(node, &index).await?,
    };
    let book = super::contacts::load(paths)?;
    if let Some(note) = SearchWords::of(search).note() {
        progress(&note);
    }
    if !search.trim().is_empty() {
        // Searches match verified senders by their graph alias too.
        let _ = index.verify_pending_within(&me, SEARCH_NAMES, SEARCH_WINDOW)?;
        let known = index.verified_senders(SEARCH_NAMES)?;
        let _ = wallet::refresh_aliases(node, &index, known).await?;
    }
    let query = InboxQuery {
        text: args.search.clone(),
        senders_named: wallet::senders_named(&book, search),
        limit: args.limit as u64,
        ..InboxQuery::default()
    };
    if !args.follow {
        print_list(node, &index, &book, &me, query, args.json).await?;
        history::warn_if_damaged(&index);
        return Ok(());
    }
    let rows = index.inbox(&query)?;
    name_verified(node, &index, &rows, &me).await?;
    let entries = rows
        .iter()
        .map(|row| entry(&index, &book, row, &me))
        .collect::<Result<Vec<_>, _>>()?;
    print_backlog(&entries, args.json)?;
    follow(node, index, &book, &me, args).await
}

/// Look the verified senders among `rows` up in the graph, so they are
/// named by alias (a node that cannot answer leaves them by key).
async fn name_verified(
    node: &SharedNode,
    index: &Index,
    rows: &[InboxRow],
    me: &NodeId,
) -> Result<(), CliError> {
    let mut verified = Vec::new();
    for row in rows {
        if let Sender::Verified { id, .. } = index.verify(row.id, me)?
            && !verified.contains(&id)
        {
            verified.push(id);
        }
    }
    let _ = wallet::refresh_aliases(node, index, verified).await?;
    Ok(())
}

/// Newest first, as text or one JSON array, streamed: [`CHUNK`] rows at a
/// time are read, their senders checked on every core, printed and dropped,
/// so the first rows appear at once and memory stays flat however many are
/// listed (`--limit all`).
async fn print_list(
    node: &SharedNode,
    index: &Index,
    book: &ContactBook,
    me: &NodeId,
    query: InboxQuery,
    json: bool,
) -> Result<(), CliError> {
    let mut json_out = serde_json::Serializer::pretty(BufWriter::new(io::stdout()));
    let mut text_out = BufWriter::new(io::stdout());
    let mut array = match json {
        true => Some(json_out.serialize_seq(None).map_err(write_failed)?),
        false => None,
    };
    let mut printed = 0;
    // Each chunk starts after the last row printed (keyset paging): an
    // offset would walk every row printed so far again, chunk after chunk.
    let mut seek = wallet::Seek::Start;
    while printed < query.limit {
        let take = CHUNK.min(query.limit - printed);
        let chunk = InboxQuery {
            seek,
            limit: take,
            ..query.clone()
        };
        let rows = index.inbox(&chunk)?;
        if let Some(last) = rows.last() {
            seek = wallet::Seek::After(query.sort.key(last));
        }
        // Only rows never checked are read for a check (after a sync with
        // its checks, none), then the chunk's messages and senders are read
        // from their columns; a row they cannot answer for is read in full.
        let unchecked: Vec<i64> = rows
            .iter()
            .filter(|row| row.verification.is_none())
            .map(|row| row.id)
            .collect();
        let _checked = index.verify_many(&unchecked, me)?;
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        let checked: Vec<Checked> = index
            .listed(&ids)?
            .into_iter()
            .zip(&rows)
            .map(|(listed, row)| match listed {
                Some(listed) => Ok(listed),
                None => checked_detail(index, row.id, me),
            })
            .collect();
        let mut verified = Vec::new();
        for found in &checked {
            if let Some(id) = found.as_ref().ok().and_then(wallet::Listed::verified)
                && !verified.contains(&id)
            {
                verified.push(id);
            }
        }
        let _ = wallet::refresh_aliases(node, index, verified).await?;
        let mut aliases = Aliases::new();
        for (row, checked) in rows.iter().zip(checked) {
            let entry = entry_of(index, book, row, checked, &mut aliases)?;
            match array.as_mut() {
                Some(array) => array.serialize_element(&entry).map_err(write_failed)?,
                None => writeln!(text_out, "{}", entry_text(&entry)).map_err(write_failed)?,
            }
        }
        printed += rows.len() as u64;
        if (rows.len() as u64) < take {
            break;
        }
    }
    if let Some(array) = array {
        array.end().map_err(write_failed)?;
        let mut out = json_out.into_inner();
        writeln!(out)
            .and_then(|()| out.flush())
            .map_err(write_failed)?;
    } else if printed == 0 {
        progress("No keysends match.");
    }
    text_out.flush().map_err(write_failed)
}

/// Rows listed at a time by [`print_list`].
const CHUNK: u64 = 1000;

fn write_failed(error: impl std::fmt::Display) -> CliError {
    CliError::Other(format!("could not write the listing: {error}"))
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

/// One row, its full message and its checked sender. A row whose stored
/// records cannot be read (written by an older Satchel without a size cap)
/// still lists, from what the list row holds, its sender unchecked.
fn entry(
    index: &Index,
    book: &ContactBook,
    row: &InboxRow,
    me: &NodeId,
) -> Result<InboxJson, CliError> {
    let checked = checked_detail(index, row.id, me);
    entry_of(index, book, row, checked, &mut Aliases::new())
}

/// Graph aliases of verified senders already read from the index (a
/// history has few senders: one look-up each per chunk, not one per row).
type Aliases = std::collections::HashMap<NodeId, Option<String>>;

/// A row's message and checked sender ([`wallet::Listed`]).
type Checked = Result<wallet::Listed, wallet::IndexError>;

/// [`entry`] of a row already read and checked.
fn entry_of(
    index: &Index,
    book: &ContactBook,
    row: &InboxRow,
    checked: Checked,
    aliases: &mut Aliases,
) -> Result<InboxJson, CliError> {
    let (shown, message) = match checked {
        Ok(listed) => {
            let alias = match listed.verified() {
                Some(id) => match aliases.get(&id) {
                    Some(alias) => alias.clone(),
                    None => {
                        let alias = index.alias(&id)?;
                        let _ = aliases.insert(id, alias.clone());
                        alias
                    }
                },
                None => None,
            };
            let shown = ShownSender::new(listed.facts(), book, alias.as_deref());
            (shown, listed.message)
        }
        Err(wallet::IndexError::BadRecords { .. }) => {
            let facts = wallet::SenderFacts {
                verification: None,
                ..row.facts()
            };
            (
                ShownSender::new(facts, book, None),
                Some(row.preview.clone()),
            )
        }
        Err(error) => return Err(error.into()),
    };
    Ok(InboxJson {
        hash: row.hash.to_hex(),
        amount_msat: row.amount.0,
        amount_sat: row.amount.sats(),
        settled_at: row.settled_at,
        sender: SenderJson::of(&shown),
        message: message.filter(|m| !m.is_empty()),
        podcast: row.podcast.clone(),
    })
}

/// Entry `id` in full and its sender, checked now unless the index holds
/// the outcome of an earlier check (one read of the row when it does).
fn checked_detail(index: &Index, id: i64, me: &NodeId) -> Checked {
    let detail = index.detail(id)?;
    let sender = match detail.verification.and_then(|v| v.sender(&detail.records)) {
        Some(sender) => sender,
        None => index.verify(id, me)?,
    };
    Ok(wallet::Listed::of(detail, &sender))
}

/// `2025-01-02 10:00  21 sat  Alice's node (02ab…), verified` then the
/// message, indented.
fn entry_text(entry: &InboxJson) -> String {
    let amount = crate::keysend::Msat(entry.amount_msat);
    let mut text = format!(
        "{}  {}  {}",
        local_time(entry.settled_at),
        sats(amount),
        entry.sender.summary
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

/// Every word of `search` appears in the message, the sender's names
/// (contact, alias, claimed) or the podcast (any case).
fn matches_search(entry: &InboxJson, search: Option<&str>) -> bool {
    let Some(search) = search else { return true };
    let haystack = [
        entry.message.as_deref(),
        entry.sender.claimed_name.as_deref(),
        entry.sender.contact.as_deref(),
        entry.sender.alias.as_deref(),
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

    fn anonymous() -> SenderJson {
        SenderJson::of(&ShownSender::new(
            wallet::SenderFacts::default(),
            &ContactBook::new(),
            None,
        ))
    }

    /// The text form is the shared presentation: a verified sender is
    /// named by contact, alias or key, never by the name it gives itself.
    #[test]
    fn sender_status_is_spelled_out() {
        let id: NodeId = ALICE.parse().unwrap();
        let facts = |verification| wallet::SenderFacts {
            verification: Some(verification),
            pubkey: Some(id),
            claimed_name: Some("Alice"),
            message_source: None,
        };
        let verified = wallet::Verification::Verified(crate::keysend::incoming::Scheme::Whatsat);
        let strangers = ContactBook::new();
        let json = SenderJson::of(&ShownSender::new(facts(verified), &strangers, None));
        assert_eq!(
            json.summary,
            "0279be66…f81798, verified, calls itself “Alice”"
        );
        assert_eq!(json.shown, "0279be66…f81798");
        assert_eq!(json.claimed_name.as_deref(), Some("Alice"));
        let mut book = ContactBook::new();
        let _ = book.add(crate::store::NewContact::new("Al", id)).unwrap();
        let json = SenderJson::of(&ShownSender::new(facts(verified), &book, None));
        assert_eq!(
            json.summary,
            "Al (0279be66…f81798), verified, calls itself “Alice”"
        );
        let no_signature =
            wallet::Verification::Claimed(crate::keysend::incoming::Unverified::NoSignature);
        let json = SenderJson::of(&ShownSender::new(facts(no_signature), &strangers, None));
        assert_eq!(
            json.summary,
            "claims to be Alice (0279be66…f81798), unverified: no signature"
        );
        assert_eq!(json.status, "claimed");
        assert_eq!(anonymous().summary, "anonymous");
    }

    /// The CLI prints every case of the one sender table as the table says.
    #[test]
    fn the_sender_table_prints_as_the_table_says() {
        for case in wallet::sender_table::cases() {
            let json = SenderJson::of(&case.shown());
            let what = case.what;
            assert_eq!(json.status, case.status, "{what}");
            assert_eq!(json.shown, case.headline, "{what}");
            assert_eq!(json.summary, case.summary, "{what}");
            let text = entry_text(&entry_with(json, None));
            assert!(
                text.contains(&format!("21 sat  {}\n", case.summary)),
                "{what}: {text}"
            );
        }
    }

    #[test]
    fn text_shows_message_lines_or_says_none() {
        let anon = anonymous();
        let text = entry_text(&entry_with(anon.clone(), Some("hi\nthere")));
        assert!(
            text.ends_with("21 sat  anonymous\n    hi\n    there"),
            "{text}"
        );
        assert!(entry_text(&entry_with(anon, None)).ends_with("(no message)"));
    }

    #[test]
    fn search_needs_every_word() {
        let entry = entry_with(anonymous(), Some("Great show, thanks"));
        assert!(matches_search(&entry, Some("great THANKS")));
        assert!(!matches_search(&entry, Some("great podcast")));
        assert!(matches_search(&entry, None));
    }

    /// A row whose stored records are over the read cap (an older Satchel
    /// stored them uncapped) still lists, from its list row.
    #[test]
    fn an_unreadable_record_blob_still_lists() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let mut records = crate::keysend::Records::new();
        let _ = records.insert(crate::keysend::record::MESSAGE, b"big one".to_vec());
        let item = crate::node::ReceivedKeysend {
            hash: crate::keysend::PaymentHash::from_bytes([9; 32]),
            chan_id: 1,
            htlc_index: 1,
            amount: crate::keysend::Msat::from_sat(21),
            add_index: 1,
            settle_index: 1,
            created_at: 1,
            settled_at: 1,
            records,
        };
        let _ = index.insert_received(&[item]).unwrap();
        let _ = index
            .lock()
            .execute(
                "UPDATE received SET records = zeroblob(2 * 1024 * 1024)",
                [],
            )
            .unwrap();
        let row = index.inbox(&InboxQuery::default()).unwrap().remove(0);
        let me: NodeId = ALICE.parse().unwrap();
        let listed = entry(&index, &ContactBook::new(), &row, &me).expect("still lists");
        assert_eq!(listed.message.as_deref(), Some("big one"));
        assert_eq!(listed.sender.status, "anonymous");
    }
}
