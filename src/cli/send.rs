//! `satchel send`: resolve the destination, show its graph alias and the fee
//! estimate, check the amount and fee limit against what the node can send,
//! confirm, then send through the wallet's journaled flow and print progress
//! until the payment succeeds or fails.

use super::args::SendArgs;
use super::contacts;
use super::exit::CliError;
use super::report::{NAME_CHARS, confirm, progress, safe, sats};
use super::{journal, payment};
use crate::keysend::{Msat, NodeId, Tip};
use crate::node::{FeeEstimate, GraphNode, OutgoingKeysend, SharedNode};
use crate::store::{Paths, Settings};
use crate::wallet::{self, Reconciled, SendRequest};

/// Where the payment goes, as the user named it and as the graph knows it.
pub(super) struct Recipient {
    pub id: NodeId,
    pub contact: Option<String>,
    pub graph: Option<GraphNode>,
}

impl Recipient {
    /// Look up `id` in the graph.
    pub async fn lookup(
        node: &SharedNode,
        id: NodeId,
        contact: Option<String>,
    ) -> Result<Self, CliError> {
        let graph = node.lookup(id).await?;
        Ok(Self { id, contact, graph })
    }

    /// `Alice (contact "alice"), 02ab12…cdef`.
    pub fn describe(&self) -> String {
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
    let (id, matched) = contacts::destination(&book, &args.destination, args.yes)?;
    let fee_limit = fee_limit(paths, args.fee_limit.as_deref(), amount)?;
    let journal = super::history::open_node(node, paths).await?.journal;
    let found = wallet::reconcile(node, &journal).await?;
    journal::report(&found, paths, None);
    warn_unsent_twin(&found, id, amount);
    let recipient = Recipient::lookup(node, id, matched.as_ref().map(|m| m.name.clone())).await?;
    warn_about(&recipient);
    let info = node.info().await?;
    // `prepare` refuses an amount that, with its routing fee, is more than
    // the node can send.
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
    let summary = summary(&recipient, &keysend, args, estimate.as_ref().ok());
    match args.json {
        true => progress(&summary), // stdout carries only the JSON outcome
        false => println!("{summary}"),
    }
    if let Some(matched) = matched.filter(|m| m.by_prefix) {
        progress(&format!(
            "note: {:?} is the start of the contact name {:?}; check the name and key above.",
            safe(&args.destination, 40),
            matched.name
        ));
    }
    if let Err(err) = &estimate {
        progress(&format!("No fee estimate: {err}"));
    }
    confirm("Send it?", args.yes)?;
    let events = wallet::send(node.clone(), journal, intent_id, keysend);
    let output = match args.json {
        true => payment::Output::Json,
        false => payment::Output::Text,
    };
    payment::follow_as(events, paths, output).await
}

/// A payment to the same node for the same amount that never reached the
/// node may be this same tip: say how to send that one instead.
fn warn_unsent_twin(found: &[Reconciled], destination: NodeId, amount: Msat) {
    let twin = found.iter().find_map(|f| match f {
        Reconciled::NotSent(e)
            if e.keysend.destination == destination && e.keysend.amount == amount =>
        {
            Some(e)
        }
        _ => None,
    });
    if let Some(entry) = twin {
        progress(&format!(
            "note: the earlier payment {} is the same amount to the same node and was never \
             sent; sending this one as well would pay twice. To send that one instead, cancel \
             and use `sent --resend {}`.",
            journal::describe(entry),
            journal::short_hash(entry)
        ));
    }
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
    let mut text = format!("Send {} to {}", sats(keysend.amount), recipient.describe());
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
