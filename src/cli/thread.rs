//! `satchel thread NAME_OR_PUBKEY`: the conversation with one node, both
//! sides in time order (received from the inbox index, sent from the
//! node's payment history, so it survives a lost journal).

use serde::Serialize;

use super::args::ThreadArgs;
use super::exit::CliError;
use super::report::{local_time, print_json, progress, safe, sats};
use super::{contacts, history};
use crate::keysend::NodeId;
use crate::node::SharedNode;
use crate::store::{ContactBook, Paths};
use crate::wallet::{self, Index, SenderFacts, ShownSender, Side, ThreadMessage};

/// `thread --json`: one keysend of the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThreadJson {
    /// `received` or `sent`.
    pub direction: &'static str,
    pub hash: String,
    pub amount_msat: u64,
    /// Unix seconds.
    pub at: i64,
    pub message: Option<String>,
    /// Received: `verified`, `signed_text`, `forged`, `claimed`, `anonymous`
    /// (the node id is the sender's claim unless verified). Sent:
    /// `in_flight`, `succeeded`, `failed`.
    pub status: &'static str,
    pub unread: bool,
    /// The payment hash this one answers (Satchel replies and refunds).
    pub in_reply_to: Option<String>,
    /// Juggernaut / ThunderHub content type.
    pub content_type: Option<String>,
    /// Juggernaut request id.
    pub request_id: Option<String>,
    /// A payment request carried in the message (pay it with your wallet).
    pub payment_request: Option<String>,
}

impl ThreadJson {
    fn of(message: &ThreadMessage, peer: &NodeId, book: &ContactBook) -> Self {
        let (direction, status, unread) = match message.side {
            Side::Received {
                unread,
                verification,
                ..
            } => {
                let facts = SenderFacts {
                    verification,
                    pubkey: Some(*peer),
                    claimed_name: None,
                    message_source: None,
                };
                let shown = ShownSender::new(facts, book, None);
                ("received", shown.status(), unread)
            }
            Side::Sent { status } => ("sent", sent_status(status), false),
        };
        Self {
            direction,
            hash: message.hash.to_hex(),
            amount_msat: message.amount.0,
            at: message.at_ns.div_euclid(1_000_000_000),
            message: Some(message.text.clone()).filter(|m| !m.is_empty()),
            status,
            unread,
            in_reply_to: message.chat.in_reply_to.map(|h| h.to_hex()),
            content_type: message.chat.content_type.clone(),
            request_id: message.chat.request_id.clone(),
            payment_request: message.chat.payment_request.clone(),
        }
    }
}

fn sent_status(status: wallet::SentStatus) -> &'static str {
    match status {
        wallet::SentStatus::InFlight => "in_flight",
        wallet::SentStatus::Succeeded => "succeeded",
        wallet::SentStatus::Failed(_) => "failed",
    }
}

/// Run `thread` on a connected node.
pub async fn run(node: &SharedNode, paths: &Paths, args: &ThreadArgs) -> Result<(), CliError> {
    let book = contacts::load(paths)?;
    let Some(peer) = &args.peer else {
        return list(node, paths, &book, args).await;
    };
    let (peer, matched) = contacts::destination(&book, peer, false)?;
    let index = history::open_node(node, paths).await?.index;
    let _stats = history::backfill(node, &index).await?;
    let me = node.info().await?.id;
    let messages = load(&index, &peer, &me, args.limit as u64)?;
    let entries: Vec<ThreadJson> = messages
        .iter()
        .map(|m| ThreadJson::of(m, &peer, &book))
        .collect();
    if args.json {
        return print_json(&entries);
    }
    let name = matched.map(|m| m.name).unwrap_or_else(|| peer.short());
    progress(&format!("Conversation with {} ({peer})", safe(&name, 64)));
    if entries.is_empty() {
        progress("No keysends either way yet.");
    }
    for entry in &entries {
        println!("{}", entry_text(entry));
    }
    Ok(())
}

/// `thread --json` without a peer: one conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThreadListJson {
    pub pubkey: String,
    pub contact: Option<String>,
    /// Unix seconds of the newest keysend either way.
    pub last_at: i64,
    pub received: u64,
    pub sent: u64,
    pub unread: u64,
}

/// The conversations, newest activity first.
async fn list(
    node: &SharedNode,
    paths: &Paths,
    book: &ContactBook,
    args: &ThreadArgs,
) -> Result<(), CliError> {
    let index = history::open_node(node, paths).await?.index;
    let _stats = history::backfill(node, &index).await?;
    let entries: Vec<ThreadListJson> = index
        .threads(args.limit as u64)?
        .into_iter()
        .map(|t| ThreadListJson {
            pubkey: t.peer.to_hex(),
            contact: book.by_pubkey(&t.peer).map(|c| c.name.clone()),
            last_at: t.last_ns.div_euclid(1_000_000_000),
            received: t.received,
            sent: t.sent,
            unread: t.unread,
        })
        .collect();
    if args.json {
        return print_json(&entries);
    }
    if entries.is_empty() {
        progress("No conversations yet.");
    }
    for entry in &entries {
        let name = entry.contact.as_deref().map(|n| safe(n, 64));
        println!(
            "{}  {}  {} received, {} sent{}",
            local_time(entry.last_at),
            name.unwrap_or_else(|| entry.pubkey.clone()),
            entry.received,
            entry.sent,
            match entry.unread {
                0 => String::new(),
                n => format!(", {n} new"),
            }
        );
    }
    Ok(())
}

/// The thread, with every received keysend's signature checked first.
fn load(
    index: &Index,
    peer: &NodeId,
    me: &NodeId,
    limit: u64,
) -> Result<Vec<ThreadMessage>, CliError> {
    let messages = index.thread(peer, limit)?;
    let mut checked = false;
    for message in &messages {
        if let Side::Received {
            id,
            verification: None,
            ..
        } = message.side
        {
            let _ = index.verify(id, me)?;
            checked = true;
        }
    }
    match checked {
        true => Ok(index.thread(peer, limit)?),
        false => Ok(messages),
    }
}

/// `2025-01-02 10:00  <- 21 sat  verified` / `-> 21 sat  succeeded`, then
/// the message, indented.
fn entry_text(entry: &ThreadJson) -> String {
    let arrow = if entry.direction == "sent" {
        "->"
    } else {
        "<-"
    };
    let mut text = format!(
        "{}  {arrow} {}  {}  {}",
        local_time(entry.at),
        sats(crate::keysend::Msat(entry.amount_msat)),
        entry.status,
        &entry.hash[..12]
    );
    if entry.unread {
        text.push_str("  (new)");
    }
    if let Some(hash) = &entry.in_reply_to {
        text.push_str(&format!("  re {}", &hash[..12]));
    }
    if let Some(message) = &entry.message {
        for line in message.lines() {
            text.push_str(&format!("\n    {line}"));
        }
    }
    if let Some(request) = &entry.payment_request {
        text.push_str(&format!("\n    payment request: {request}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_marks_direction_reply_and_unread() {
        let entry = ThreadJson {
            direction: "received",
            hash: "ab".repeat(32),
            amount_msat: 21_000,
            at: 0,
            message: Some("hi".into()),
            status: "verified",
            unread: true,
            in_reply_to: Some("cd".repeat(32)),
            content_type: None,
            request_id: None,
            payment_request: None,
        };
        let text = entry_text(&entry);
        assert!(text.contains("<- 21 sat  verified  abababababab  (new)  re cdcdcdcdcdcd"));
        assert!(text.ends_with("\n    hi"), "{text}");
        let sent = ThreadJson {
            direction: "sent",
            unread: false,
            in_reply_to: None,
            ..entry
        };
        assert!(entry_text(&sent).contains("-> 21 sat"));
    }
}
