//! `satchel resolve ADDRESS`, and `satchel send` to a Lightning Address, an
//! lnurl or a BOLT11 invoice: resolve it (keysend first), show what it
//! resolved to and what the recipient will see, then pay: keysends through
//! the usual send flow, invoices through the same journal (one entry per
//! payment hash, so an invoice is never paid twice).

use super::args::{ResolveArgs, SendArgs};
use super::exit::CliError;
use super::report::{confirm, print_json, progress, safe};
use super::send::{keysend_to, parse_sats};
use super::{history, journal, payment};
use crate::keysend::{Msat, NodeId, Records};
use crate::node::{OutgoingKeysend, SharedNode};
use crate::payto::resolve::now;
use crate::payto::{self, Client, Resolution, ResolveError, Shown, Target};
use crate::store::{FeeLimit, Paths, Settings};
use crate::wallet::{self, FeeRule};

/// Run `resolve`: no node needed, nothing paid.
pub fn run(args: &ResolveArgs) -> Result<(), CliError> {
    let target = parse(&args.address)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::BadInput(format!("cannot start: {e}")))?;
    let resolution =
        runtime.block_on(async { payto::resolve(&client()?, &target).await.map_err(error) })?;
    let shown = Shown::of(&resolution);
    if args.json {
        return print_json(&shown);
    }
    println!("{}", render(&shown));
    Ok(())
}

/// What `text` names, or why it cannot be used.
fn parse(text: &str) -> Result<Target, CliError> {
    match Target::parse(text) {
        Some(found) => found.map_err(|e| CliError::BadInput(e.to_string())),
        None => Err(CliError::BadInput(format!(
            "{:?} is not a Lightning Address (user@domain), an lnurl or a BOLT11 invoice",
            safe(text, 80)
        ))),
    }
}

/// A web client through the proxy the CLI uses (see [`super::web`]).
fn client() -> Result<Client, CliError> {
    Client::new(&super::web::web()?).map_err(|e| CliError::Connect(e.to_string()))
}

/// Web failures cannot connect; everything else is bad input.
fn error(err: ResolveError) -> CliError {
    match err {
        ResolveError::Http(http) => CliError::Connect(http.to_string()),
        other => CliError::BadInput(other.to_string()),
    }
}

/// Labelled lines, aligned.
fn render(shown: &Shown) -> String {
    shown
        .lines(now())
        .iter()
        .map(|(label, value)| format!("  {label:<10} {}", safe(value, 300)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `send` to a resolved target.
pub(super) async fn send(
    node: &SharedNode,
    paths: &Paths,
    args: &SendArgs,
    target: Result<Target, payto::TargetError>,
) -> Result<(), CliError> {
    let target = target.map_err(|e| CliError::BadInput(e.to_string()))?;
    let client = client()?;
    let resolution = payto::resolve(&client, &target).await.map_err(error)?;
    let shown = Shown::of(&resolution);
    let say = |text: &str| match args.json {
        true => progress(text),
        false => println!("{text}"),
    };
    say(&format!("{}:\n{}", intro(&resolution), render(&shown)));
    let message = args.message.as_deref();
    say(&format!(
        "  they see   {}",
        resolution.shown_message(message)
    ));
    match resolution {
        Resolution::Keysend { target, .. } => {
            let amount = amount(args)?;
            keysend_to(
                node,
                paths,
                args,
                (target.pubkey, None),
                amount,
                target.records,
                None,
            )
            .await
        }
        Resolution::Pay { request, .. } => {
            refuse_keysend_only(args)?;
            let amount = amount(args)?;
            let (invoice, text, comment) =
                payto::request_invoice(&client, &request, amount, message)
                    .await
                    .map_err(error)?;
            if comment.cut > 0 {
                progress(&format!(
                    "note: your message was cut to {} characters ({} left out): the recipient \
                     accepts no longer comments.",
                    request.comment_allowed, comment.cut
                ));
            }
            pay_invoice(node, paths, args, &invoice, &text, amount).await
        }
        Resolution::Invoice { invoice, text } => {
            refuse_keysend_only(args)?;
            let typed = args.sats.as_deref().map(parse_sats).transpose()?;
            let amount = payto::check_payable(&invoice, typed, now()).map_err(error)?;
            pay_invoice(node, paths, args, &invoice, &text, amount).await
        }
    }
}

/// `Sending by keysend`, `Paying by LNURL-pay`, `Paying an invoice`.
fn intro(resolution: &Resolution) -> &'static str {
    match resolution {
        Resolution::Keysend { .. } => "Sending by keysend (the provider serves a keysend document)",
        Resolution::Pay { .. } => "Paying by LNURL-pay (the recipient's provider makes an invoice)",
        Resolution::Invoice { .. } => "Paying an invoice",
    }
}

fn amount(args: &SendArgs) -> Result<Msat, CliError> {
    let typed = args
        .sats
        .as_deref()
        .ok_or_else(|| CliError::BadInput("say how many sats to send".into()))?;
    parse_sats(typed)
}

/// Custom records and signatures ride only in keysends.
fn refuse_keysend_only(args: &SendArgs) -> Result<(), CliError> {
    if !args.records.is_empty() {
        return Err(CliError::BadInput(
            "--record needs a keysend; this recipient is paid by invoice".into(),
        ));
    }
    if args.sign {
        return Err(CliError::BadInput(
            "--sign needs a keysend; this recipient is paid by invoice, which carries no signature"
                .into(),
        ));
    }
    Ok(())
}

/// Pay `invoice` through the journal, once per payment hash.
async fn pay_invoice(
    node: &SharedNode,
    paths: &Paths,
    args: &SendArgs,
    invoice: &payto::Invoice,
    text: &str,
    amount: Msat,
) -> Result<(), CliError> {
    let network = node.info().await?.network;
    payto::resolve::check_network(invoice, network.name()).map_err(error)?;
    let journal = history::open_node(node, paths).await?.journal;
    let found = wallet::reconcile(node, &journal).await?;
    journal::report(&found, paths, None);
    if let Some(entry) = journal.by_hash(&invoice.payment_hash)? {
        return Err(CliError::BadInput(format!(
            "this invoice is already in the send journal ({}, {}); Satchel pays an invoice once",
            entry.state.as_str(),
            journal::short_hash(&entry)
        )));
    }
    let typed = args.fee_limit.as_deref().map(parse_sats).transpose()?;
    let setting = match typed {
        Some(_) => FeeLimit::default(),
        None => Settings::load(paths)?.value.default_fee_limit,
    };
    let (fee_limit, rule) = FeeRule::fee_limit(typed, setting, amount);
    let keysend =
        OutgoingKeysend::pay_invoice(invoice, text, amount, fee_limit, wallet::SEND_TIMEOUT);
    let alias = match node.lookup(invoice.payee).await {
        Ok(Some(graph)) if !graph.alias.is_empty() => safe(&graph.alias, 40),
        _ => "not in the graph".into(),
    };
    let fee = match node.estimate_fee(&keysend).await {
        Ok(estimate) => format!("about {} over {} hop(s)", estimate.fee, estimate.hops),
        Err(err) => format!("unknown ({err})"),
    };
    let summary = format!(
        "Pay {amount} to {alias}, {}\n  fee:       {fee}\n  fee limit: {fee_limit}, {rule}",
        invoice.payee
    );
    match args.json {
        true => progress(&summary),
        false => println!("{summary}"),
    }
    confirm("Pay it?", args.yes)?;
    let intent = format!("invoice-{}", invoice.payment_hash.to_hex());
    let events = wallet::send(node.clone(), journal, intent, keysend);
    let output = match args.json {
        true => payment::Output::Json,
        false => payment::Output::Text,
    };
    payment::follow_as(events, paths, output).await
}

/// `contacts add NAME user@domain`: the address's keysend node, now.
/// `None` when `text` is not an address (a pubkey, then).
pub(super) fn contact_address(text: &str) -> Result<Option<(NodeId, String)>, CliError> {
    let Some(Ok(Target::Address(address))) = Target::parse(text) else {
        return Ok(None);
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::BadInput(format!("cannot start: {e}")))?;
    let target = Target::Address(address.clone());
    let resolution =
        runtime.block_on(async { payto::resolve(&client()?, &target).await.map_err(error) })?;
    match resolution {
        Resolution::Keysend { target, .. } => Ok(Some((target.pubkey, address.to_string()))),
        _ => Err(CliError::BadInput(format!(
            "{address} has no keysend document (LNURL-pay only); send to it by its address instead"
        ))),
    }
}

/// A contact added by address, re-resolved at send time: the node it
/// gives now and its records; a changed node is said, an unreachable
/// address falls back to the saved key ([`payto::contact_now`]).
pub(super) async fn contact_now(address: &str, saved: NodeId) -> (NodeId, Records) {
    let resolved = match (client(), Target::parse(address)) {
        (Ok(client), Some(Ok(target))) => payto::resolve(&client, &target).await,
        (Err(err), _) => Err(ResolveError::Http(payto::HttpError::Network(
            "the web client".into(),
            err.to_string(),
        ))),
        (_, Some(Err(err))) => Err(err.into()),
        (_, None) => Err(ResolveError::UnknownUser(safe(address, 80))),
    };
    let now = payto::contact_now(address, saved, &resolved);
    if let Some(warning) = &now.warning {
        progress(&format!("warning: {warning}"));
    }
    (now.pubkey, now.records)
}
