//! `satchel send`: resolve the destination, compose a [`Draft`] (the use case
//! the Send screen shares), probe the route and graph once, show the alias,
//! records, fee estimate and the rule behind the fee limit, check amount and
//! fee limit against what the node can send, confirm (twice when the fee
//! limit is above the amount), then send through the wallet's journaled flow
//! and print progress until the payment succeeds or fails.

use super::args::SendArgs;
use super::contacts;
use super::exit::CliError;
use super::report::{NAME_CHARS, confirm, progress, safe, sats};
use super::{journal, payment};
use crate::keysend::record::{self, parse_assignments};
use crate::keysend::{Msat, NodeId, Records, Tip};
use crate::node::{FeeEstimate, GraphNode, OutgoingKeysend, SharedNode};
use crate::store::{FeeLimit, Paths, Settings};
use crate::wallet::{self, Draft, FeeRule, IntentId, Reconciled};

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
    let book = contacts::load(paths)?;
    // An address, lnurl or invoice (unless a contact has that very name).
    let named = |c: &crate::store::Contact| c.name.eq_ignore_ascii_case(args.destination.trim());
    if !book.contacts().iter().any(named)
        && let Some(target) = crate::payto::Target::parse(&args.destination)
    {
        return super::resolve::send(node, paths, args, target).await;
    }
    let amount = parse_sats(args.sats.as_deref().unwrap_or_default())?;
    let (id, matched) = contacts::destination(&book, &args.destination, args.yes)?;
    let address = matched.as_ref().and_then(|m| {
        let contact = book.contacts().iter().find(|c| c.name == m.name)?;
        contact.address.clone()
    });
    let (id, provided) = match address {
        Some(address) => super::resolve::contact_now(&address, id).await,
        None => (id, Records::new()),
    };
    let contact = matched.as_ref().and(book.by_pubkey(&id));
    keysend_to(
        node,
        paths,
        args,
        (id, matched.clone()),
        amount,
        provided,
        contact,
    )
    .await
}

/// Send a keysend to `id` with the provider's `provided` records added (a
/// resolved Lightning Address) to what the arguments compose.
pub(super) async fn keysend_to(
    node: &SharedNode,
    paths: &Paths,
    args: &SendArgs,
    (id, matched): (NodeId, Option<contacts::Matched>),
    amount: Msat,
    provided: Records,
    contact: Option<&crate::store::Contact>,
) -> Result<(), CliError> {
    // Route hints: typed with --hint, and those the contact holds.
    let hints = super::beyond::hints(&args.beyond, contact)?;
    let hinted = !hints.is_empty();
    let node = &wallet::routed::with_hints(node.clone(), hints);
    let mut draft = draft(paths, args, id, amount)?;
    for (key, value) in provided {
        if draft.tip.extra.insert(key, value).is_some() {
            return Err(CliError::BadInput(format!(
                "record type {key} is given twice (by you and by the recipient's provider)"
            )));
        }
    }
    draft.check(None)?;
    let journal = super::history::open_node(node, paths).await?.journal;
    let found = wallet::reconcile(node, &journal).await?;
    journal::report(&found, paths, None);
    warn_unsent_twin(&found, id, draft.amount);
    // The one question about this tip: route and graph entry, reused below.
    let probe = wallet::draft::probe(node, draft.probe_key()).await;
    let recipient = Recipient {
        id,
        contact: matched.as_ref().map(|m| m.name.clone()),
        graph: probe.graph.clone().ok().flatten(),
    };
    if let Some(warning) = probe.warning() {
        progress(&format!("warning: {warning}."));
    }
    let info = node.info().await?;
    // `prepare` refuses an amount that, with its routing fee, is more than
    // the node can send.
    let balance = node.balance().await.ok();
    let intent = IntentId::new();
    let request = draft.request(&intent);
    let keysend = wallet::prepare_probed(node, &info, request, balance, Some(&probe)).await?;
    let summary = summary(&recipient, &keysend, &draft, probe.route.as_ref().ok());
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
    if let Err(err) = &probe.route {
        progress(&format!("No fee estimate: {err}"));
    }
    let no_route = probe.route.is_err();
    let check = super::beyond::check(node, id, &keysend, (&args.beyond, hinted), no_route).await;
    if args.beyond.probe {
        return super::beyond::probe(node, keysend, args.json).await;
    }
    if args.beyond.amp {
        super::beyond::amp_estimate(node, &keysend).await;
    }
    if draft.fee_above_amount() {
        let question = wallet::draft::fee_question(&draft);
        progress(&format!("note: {question}"));
        confirm("Allow a fee limit above the amount?", args.yes)?;
    }
    confirm("Send it?", args.yes)?;
    if args.beyond.amp {
        let sent = super::beyond::amp((node, journal), (intent.into(), keysend), paths, args.json);
        return super::beyond::explain(sent.await, check.as_ref());
    }
    let events = wallet::send(node.clone(), journal, intent.into(), keysend);
    let output = match args.json {
        true => payment::Output::Json,
        false => payment::Output::Text,
    };
    let sent = payment::follow_as(events, paths, output).await;
    super::beyond::explain(sent, check.as_ref())
}

/// What the arguments compose, checked before the node is asked anything.
fn draft(
    paths: &Paths,
    args: &SendArgs,
    destination: NodeId,
    amount: Msat,
) -> Result<Draft, CliError> {
    let typed = args.fee_limit.as_deref().map(parse_sats).transpose()?;
    let setting = match typed {
        Some(_) => FeeLimit::default(),
        None => Settings::load(paths)?.value.default_fee_limit,
    };
    let (fee_limit, fee_rule) = FeeRule::fee_limit(typed, setting, amount);
    let draft = Draft {
        destination,
        amount,
        tip: Tip {
            message: args.message.clone(),
            extra: extra_records(&args.records)?,
            ..Tip::default()
        },
        sign: args.sign,
        fee_limit,
        fee_rule,
    };
    // Record types and the onion budget over the assumed route, before the
    // node is asked (prepare checks again over the real one).
    draft.check(None)?;
    Ok(draft)
}

/// `--record TYPE=HEX` (repeatable) and `--data TYPE=HEX,TYPE=HEX`, one set.
fn extra_records(flags: &[String]) -> Result<Records, CliError> {
    let mut records = Records::new();
    for flag in flags {
        let parsed = parse_assignments(flag)
            .map_err(|err| CliError::BadInput(format!("--record {}: {err}", safe(flag, 60))))?;
        for (key, value) in parsed {
            if records.insert(key, value).is_some() {
                return Err(CliError::BadInput(format!(
                    "record type {key} is given twice"
                )));
            }
        }
    }
    Ok(records)
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
pub(super) fn parse_sats(text: &str) -> Result<Msat, CliError> {
    Msat::parse_sats(text).map_err(|source| CliError::BadAmount {
        text: safe(text, 40),
        source,
    })
}

/// What is about to be sent.
fn summary(
    recipient: &Recipient,
    keysend: &OutgoingKeysend,
    draft: &Draft,
    estimate: Option<&FeeEstimate>,
) -> String {
    let mut text = format!("Send {} to {}", sats(keysend.amount), recipient.describe());
    if let Some(message) = draft.tip.message_text() {
        text.push_str(&format!("\n  message:   {:?}", safe(message, 200)));
        if draft.sign {
            text.push_str(" (signed with your node key)");
        }
    }
    for (key, value) in &draft.tip.extra {
        text.push_str(&format!("\n  record:    {}", describe_record(*key, value)));
    }
    match estimate {
        Some(e) => text.push_str(&format!(
            "\n  fee:       about {} over {} hop(s)",
            e.fee, e.hops
        )),
        None => text.push_str("\n  fee:       unknown"),
    }
    text.push_str(&format!(
        "\n  fee limit: {}, {}",
        keysend.fee_limit, draft.fee_rule
    ));
    text
}

/// `696969=6869 (LNPay destination, 2 bytes)`; long values shortened.
fn describe_record(key: u64, value: &[u8]) -> String {
    const SHOWN: usize = 32;
    let hex = hex::encode(&value[..value.len().min(SHOWN)]);
    let more = if value.len() > SHOWN { "…" } else { "" };
    let bytes = if value.len() == 1 { "byte" } else { "bytes" };
    match record::name(key) {
        Some(name) => format!("{key}={hex}{more} ({name}, {} {bytes})", value.len()),
        None => format!("{key}={hex}{more} ({} {bytes})", value.len()),
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
            accepts_amp: false,
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
    fn records_from_every_flag_form_are_one_set() {
        let flags =
            |list: &[&str]| -> Vec<String> { list.iter().map(|s| (*s).to_owned()).collect() };
        let both = extra_records(&flags(&["65536=ab", "696969=6869,70000=00"])).unwrap();
        assert_eq!(
            both,
            Records::from([
                (65_536, vec![0xab]),
                (696_969, b"hi".to_vec()),
                (70_000, vec![0])
            ])
        );
        let twice = extra_records(&flags(&["65536=ab", "65536=cd"])).unwrap_err();
        assert!(twice.to_string().contains("given twice"), "{twice}");
        let bad = extra_records(&flags(&["65536=xyz"])).unwrap_err();
        assert_eq!(bad.kind().code(), 2);
        assert!(bad.to_string().contains("not hex"), "{bad}");
    }

    #[test]
    fn records_are_shown_with_their_names() {
        assert_eq!(
            describe_record(696_969, b"hi"),
            "696969=6869 (LNPay destination, 2 bytes)"
        );
        assert_eq!(describe_record(70_000, &[1]), "70000=01 (1 byte)");
        let long = describe_record(70_000, &[0xab; 40]);
        assert!(long.ends_with("ab… (40 bytes)"), "{long}");
    }
}
