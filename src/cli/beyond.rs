//! `satchel send` beyond one keysend path (issue 17): `--hint` route hints
//! to private receivers, the receiver check before sending (feature bits,
//! even records), `--amp` (spontaneous AMP, several shards), `--probe`
//! (a payment to a random hash that pays nothing), and failures explained
//! by their cause.

use futures::StreamExt;

use super::args::BeyondFlags;
use super::exit::CliError;
use super::payment;
use super::report::{print_json, progress, safe, sats};
use crate::keysend::NodeId;
use crate::node::routing::{HopHint, Routing};
use crate::node::{OutgoingKeysend, PaymentStatus, PaymentUpdate, SharedNode};
use crate::store::Paths;
use crate::wallet::receiver::{ReceiverCheck, ReceiverWarning};
use crate::wallet::{self, Journal, SendEvent};

/// The `--hint` flags, then the hints the destination's contact holds.
pub(super) fn hints(
    flags: &BeyondFlags,
    contact: Option<&crate::store::Contact>,
) -> Result<Vec<HopHint>, CliError> {
    let saved = contact.map_or(&[][..], |c| c.route_hints.as_slice());
    flags
        .hints
        .iter()
        .chain(saved)
        .map(|text| parse_hint(text))
        .collect()
}

fn parse_hint(text: &str) -> Result<HopHint, CliError> {
    text.parse()
        .map_err(|err| CliError::BadInput(format!("hint {}: {err}", safe(text, 80))))
}

/// `contacts hint CONTACT [HINT...]`: set (or clear) a contact's hints.
pub(super) fn contact_hints(
    book: &mut crate::store::ContactBook,
    paths: &crate::store::Paths,
    contact: &str,
    hints: &[String],
) -> Result<(), CliError> {
    let (id, matched) = super::contacts::destination(book, contact, true)?;
    if matched.is_none() {
        return Err(CliError::UnknownContact(safe(contact, 80)));
    }
    // Each argument is a hop hint, or one of the contact's invoices whose
    // `r` fields are taken (issue 17).
    let mut checked: Vec<String> = Vec::new();
    for text in hints {
        let parsed = crate::wallet::routed::parse_hints(text, &id).map_err(CliError::BadInput)?;
        checked.extend(parsed.iter().map(HopHint::to_string));
    }
    let found = book.by_pubkey(&id).map(|c| c.id);
    let contact_id = found.ok_or_else(|| CliError::UnknownContact(safe(contact, 80)))?;
    let count = checked.len();
    book.set_route_hints(contact_id, checked)
        .map_err(|err| CliError::BadInput(err.to_string()))?;
    super::contacts::save(book, paths)?;
    match count {
        0 => println!("Route hints cleared."),
        n => println!("Saved {n} route hint(s); sends to this contact pass them."),
    }
    Ok(())
}

/// Read the receiver's features and print what they add to the draft's
/// own warnings (not in the graph, no keysend bit: printed already):
/// even records, the AMP offer, route hints. `no_route`: the fee estimate
/// found no single path. A node that cannot answer gives no check.
pub(super) async fn check(
    node: &SharedNode,
    id: NodeId,
    keysend: &OutgoingKeysend,
    (flags, hinted): (&BeyondFlags, bool),
    no_route: bool,
) -> Option<ReceiverCheck> {
    let check = ReceiverCheck::read(node, id, &keysend.records).await.ok()?;
    for warning in check.warnings(hinted) {
        let line = match warning {
            ReceiverWarning::EvenRecords(_) => format!("warning: {}.", warning.explain()),
            ReceiverWarning::NoKeysend { amp: true } if !flags.amp => {
                "note: it does announce AMP (feature bit 31): --amp sends it as AMP instead.".into()
            }
            ReceiverWarning::NotInGraph { hinted: false } => {
                "note: a private node is reached only with route hints (--hint).".into()
            }
            _ => continue,
        };
        progress(&line);
    }
    if flags.amp && !check.offers_amp() {
        progress(
            "warning: the receiver does not announce AMP (feature bit 30/31); it will likely refuse it.",
        );
    } else if no_route && check.offers_amp() && !flags.amp && !flags.probe {
        progress(
            "note: no single path carries this amount; the receiver accepts AMP, which splits it (--amp).",
        );
    }
    Some(check)
}

/// After a failed keysend, say why in terms of this receiver.
pub(super) fn explain(
    result: Result<(), CliError>,
    check: Option<&ReceiverCheck>,
) -> Result<(), CliError> {
    if let (Err(CliError::PaymentFailed(failure)), Some(check)) = (&result, check) {
        progress(&format!("why: {}", check.explain_failure(*failure)));
    }
    result
}

/// `send --probe`: a payment to a random hash; the receiver must reject it.
pub(super) async fn probe(
    node: &SharedNode,
    keysend: OutgoingKeysend,
    json: bool,
) -> Result<(), CliError> {
    progress("Probing (a payment to a random hash: the receiver rejects it, nothing is paid)…");
    let found = node.probe(keysend, Routing::default()).await?;
    if json {
        return print_json(&serde_json::json!({
            "reachable": found.reachable,
            "fee_msat": found.fee.0,
            "hops": found.hops,
            "failure": format!("{:?}", found.failure),
        }));
    }
    match found.reachable {
        true => println!(
            "Reachable: the receiver answered over {} hop{}; routing fee {}. Nothing was paid.",
            found.hops,
            if found.hops == 1 { "" } else { "s" },
            found.fee
        ),
        false => println!(
            "Not reachable with one path: {} Nothing was paid.",
            found.failure.explain()
        ),
    }
    Ok(())
}

/// Before `send --amp`: how many shards and what fee to expect
/// (`wallet::amp_fee`). No estimate is a note, not a refusal: the node
/// decides the split.
pub(super) async fn amp_estimate(node: &SharedNode, keysend: &OutgoingKeysend) {
    match wallet::amp_fee::estimate(node, keysend).await {
        Ok(Some(found)) => println!(
            "As AMP: {} shard{}, estimated fee {} in all (fee limit {}).",
            found.shards,
            if found.shards == 1 { "" } else { "s" },
            found.fee,
            keysend.fee_limit
        ),
        Ok(None) => progress(&format!(
            "note: no split into up to {} shards finds a route within the fee limit; the node may \
             still find one.",
            wallet::amp_fee::MAX_SHARDS
        )),
        Err(err) => progress(&format!("note: no AMP fee estimate: {err}")),
    }
}

/// `send --amp`: LND splits the payment into shards over several paths;
/// every shard carries the same records. Journaled like a keysend (issue
/// 17): written down with the payment address Satchel draws before the node
/// hears of it, named by the set id LND draws from its first answer, found
/// again by either after a crash.
pub(super) async fn amp(
    (node, journal): (&SharedNode, Journal),
    (intent, keysend): (String, OutgoingKeysend),
    paths: &Paths,
    json: bool,
) -> Result<(), CliError> {
    let keysend = keysend.with_routing(Routing {
        amp: true,
        ..Routing::default()
    });
    progress("Sending as AMP (several shards, one payment)…");
    let mut shown = 0;
    let events =
        wallet::send(node.clone(), journal, intent, keysend).inspect(move |event| match event {
            SendEvent::Progress(update) if update.attempts != shown => {
                shown = update.attempts;
                progress(&format!("  in flight: {shown} shard(s)"));
            }
            SendEvent::Finished(update) if !json => amp_sent(update),
            _ => {}
        });
    let output = match json {
        true => payment::Output::Json,
        false => payment::Output::Text,
    };
    payment::follow_as(events, paths, output).await
}

/// The line for an AMP payment that succeeded: its shards and set id.
fn amp_sent(update: &PaymentUpdate) {
    if let PaymentStatus::Succeeded { .. } = update.status {
        println!(
            "Sent {} as AMP in {} shard{} (set id {}), fee {}.",
            sats(update.amount),
            update.attempts,
            if update.attempts == 1 { "" } else { "s" },
            &update.hash.to_hex()[..16],
            update.fee
        );
    }
}
