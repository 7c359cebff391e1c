//! `satchel send`: resolve the destination, show its graph alias and the fee
//! estimate, confirm, then send through the wallet's journaled flow and print
//! progress until the payment succeeds or fails.

use std::time::Instant;

use futures::StreamExt;

use super::args::SendArgs;
use super::contacts;
use super::exit::CliError;
use super::journal;
use super::report::{NAME_CHARS, confirm, progress, safe};
use crate::keysend::{Msat, NodeId, Tip};
use crate::node::{
    FeeEstimate, GraphNode, OutgoingKeysend, PaymentStatus, PaymentUpdate, SharedNode,
};
use crate::store::{Paths, Settings};
use crate::wallet::{self, Journal, SendEvent, SendRequest};

/// Where the payment goes, as the user named it and as the graph knows it.
struct Recipient {
    id: NodeId,
    contact: Option<String>,
    graph: Option<GraphNode>,
}

impl Recipient {
    /// `Alice (contact "alice"), 02ab12…cdef`.
    fn describe(&self) -> String {
        let alias = self
            .graph
            .as_ref()
            .map(|g| safe(&g.alias, NAME_CHARS))
            .filter(|a| !a.is_empty());
        match (alias, &self.contact) {
            (Some(alias), Some(name)) => format!("{alias} (contact {name:?}), {}", self.id),
            (Some(alias), None) => format!("{alias}, {}", self.id),
            (None, Some(name)) => format!("contact {name:?}, {}", self.id),
            (None, None) => self.id.to_string(),
        }
    }
}

/// Run `send` on a connected node.
pub async fn run(node: &SharedNode, paths: &Paths, args: &SendArgs) -> Result<(), CliError> {
    let amount = parse_sats(&args.sats)?;
    let book = contacts::load(paths)?;
    let (id, contact) = contacts::destination(&book, &args.destination)?;
    let fee_limit = fee_limit(paths, args.fee_limit.as_deref(), amount)?;
    let journal = journal::open(paths)?;
    journal::reconcile_and_report(node, &journal).await?;
    let recipient = Recipient {
        id,
        contact,
        graph: node.lookup(id).await?,
    };
    warn_about(&recipient);
    let info = node.info().await?;
    let balance = node.balance().await.ok();
    let tip = Tip {
        message: args.message.clone(),
        ..Tip::default()
    };
    let intent_id = new_intent_id();
    let request = SendRequest {
        intent_id: intent_id.clone(),
        destination: id,
        amount,
        tip,
        sign: args.sign,
        fee_limit,
    };
    let keysend = wallet::prepare(node, &info, request, balance).await?;
    let estimate = node.estimate_fee(&keysend).await;
    println!(
        "{}",
        summary(&recipient, &keysend, args, estimate.as_ref().ok())
    );
    if let Err(err) = &estimate {
        progress(&format!("No fee estimate: {err}"));
    }
    confirm("Send it?", args.yes)?;
    follow(node, journal, intent_id, keysend).await
}

/// Sats as typed, with the specific reason when it is not an amount.
fn parse_sats(text: &str) -> Result<Msat, CliError> {
    Msat::parse_sats(text).map_err(|source| CliError::BadAmount {
        text: safe(text, 40),
        source,
    })
}

/// `--fee-limit` in sats, else the settings' default for this amount.
fn fee_limit(paths: &Paths, flag: Option<&str>, amount: Msat) -> Result<Msat, CliError> {
    if let Some(text) = flag {
        return parse_sats(text);
    }
    let settings = Settings::load(paths)?;
    Ok(settings.value.default_fee_limit.for_amount(amount))
}

/// A fresh id for this send: the journal refuses a second submit of it.
fn new_intent_id() -> String {
    format!("cli-{}", hex::encode(rand::random::<[u8; 16]>()))
}

/// Say what the graph does not promise.
fn warn_about(recipient: &Recipient) {
    match &recipient.graph {
        None => progress(
            "warning: this node is not in the public graph (private or unknown); the payment may \
             find no route.",
        ),
        Some(graph) if !graph.accepts_keysend => progress(
            "warning: this node does not advertise keysend support; it will probably refuse the \
             payment.",
        ),
        Some(_) => {}
    }
}

/// What is about to be sent.
fn summary(
    recipient: &Recipient,
    keysend: &OutgoingKeysend,
    args: &SendArgs,
    estimate: Option<&FeeEstimate>,
) -> String {
    let mut text = format!("Send {} to {}", keysend.amount, recipient.describe());
    if let Some(message) = args
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        text.push_str(&format!("\n  message:   {:?}", safe(message, 200)));
        if args.sign {
            text.push_str(" (signed with your node key)");
        }
    }
    match estimate {
        Some(e) => text.push_str(&format!(
            "\n  fee:       about {} over {} hop(s)",
            e.fee, e.hops
        )),
        None => text.push_str("\n  fee:       unknown"),
    }
    text.push_str(&format!("\n  fee limit: {}", keysend.fee_limit));
    text
}

/// Send through the journal and print progress until a final state.
async fn follow(
    node: &SharedNode,
    journal: Journal,
    intent_id: String,
    keysend: OutgoingKeysend,
) -> Result<(), CliError> {
    let started = Instant::now();
    let mut events = Box::pin(wallet::send(node.clone(), journal, intent_id, keysend));
    let mut last_line = String::new();
    while let Some(event) = events.next().await {
        match event {
            SendEvent::Started { hash, .. } => progress(&format!("Sending (payment hash {hash})…")),
            SendEvent::Progress(update) => print_once(&mut last_line, progress_line(&update)),
            SendEvent::Finished(update) => return finished(&update, started),
            SendEvent::NotSent(_) => return Err(CliError::NotSent),
            SendEvent::Reconnecting { attempt, retry_in } => progress(&format!(
                "Lost the node; checking on the payment again in {:.1} s (attempt {attempt}).",
                retry_in.as_secs_f64()
            )),
            SendEvent::Error(err) => return Err(err.into()),
        }
    }
    Err(CliError::PaymentUnknown(
        "progress reports stopped before the payment finished".into(),
    ))
}

/// Print a progress line unless it repeats the previous one.
fn print_once(last: &mut String, line: String) {
    if *last != line {
        progress(&line);
        *last = line;
    }
}

fn progress_line(update: &PaymentUpdate) -> String {
    match update.status {
        PaymentStatus::Initiated => "Waiting for the node to start the payment…".to_owned(),
        _ => format!("In flight (attempt {})…", update.attempts.max(1)),
    }
}

/// The final line: fee, hops and time, or the plain reason it failed.
fn finished(update: &PaymentUpdate, started: Instant) -> Result<(), CliError> {
    match &update.status {
        PaymentStatus::Succeeded { .. } => {
            println!(
                "Payment succeeded: {} sent, fee {}, {} hop(s), {:.1} s.",
                update.amount,
                update.fee,
                update.hops,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        PaymentStatus::Failed(reason) => Err(CliError::PaymentFailed(*reason)),
        _ => Err(CliError::PaymentUnknown(
            "the node ended with a non-final state".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::AmountError;

    #[test]
    fn amounts_are_checked() {
        assert_eq!(parse_sats("1,000").unwrap(), Msat::from_sat(1000));
        let err = parse_sats("0").unwrap_err();
        assert!(matches!(
            err,
            CliError::BadAmount {
                source: AmountError::Zero,
                ..
            }
        ));
        assert_eq!(err.kind().code(), 2);
    }

    #[test]
    fn recipient_names_what_it_knows() {
        let id: NodeId = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
            .parse()
            .unwrap();
        let bare = Recipient {
            id,
            contact: None,
            graph: None,
        };
        assert_eq!(bare.describe(), id.to_string());
        let graph = GraphNode {
            id,
            alias: "Al\u{202e}ice".into(),
            color: "#000000".into(),
            accepts_keysend: true,
            num_channels: 1,
            total_capacity: Msat::ZERO,
        };
        let named = Recipient {
            id,
            contact: Some("al".into()),
            graph: Some(graph),
        };
        assert_eq!(named.describe(), format!("Alice (contact \"al\"), {id}"));
    }

    #[test]
    fn intent_ids_are_unique() {
        assert_ne!(new_intent_id(), new_intent_id());
    }
}
