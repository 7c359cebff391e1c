//! `satchel boost`: split an amount over a feed's value block, show every
//! leg, ask once, send all legs at once through the journaled send flow and
//! report each leg. Exit 0 only if every leg was paid; otherwise exit 5 with
//! each leg's status and the boost id for `satchel boost --retry`.

use futures::{Stream, StreamExt};
use serde::Serialize;

use super::args::BoostArgs;
use super::exit::CliError;
use super::feed;
use super::journal;
use super::report::{confirm, print_json, progress, safe, sats};
use crate::keysend::Msat;
use crate::node::SharedNode;
use crate::store::{Paths, Settings};
use crate::wallet::SendEvent;
use crate::wallet::boost::{self, BoostEvent, BoostInput, LegJob, PreparedBoost};
use crate::wallet::boost_store::{BoostRecord, BoostStore, LegState};

/// Run `boost` on a connected node.
pub async fn run(node: &SharedNode, paths: &Paths, args: &BoostArgs) -> Result<(), CliError> {
    let journal = super::history::open_node(node, paths).await?.journal;
    journal::reconcile_and_report(node, &journal, paths).await?;
    let settings = Settings::load(paths)?;
    let info = node.info().await?;
    let store = BoostStore::open_node(paths, &info.id).map_err(store_error)?;
    let balance = node.balance().await.ok();
    let input = BoostInput {
        node,
        info: &info,
        balance,
        store: &store,
        fee_limit: settings.value.default_fee_limit,
    };
    let prepared = match &args.retry {
        Some(id) => {
            let plan = boost::plan_retry(input, &journal, id.trim())
                .await
                .map_err(boost_error)?;
            say(args.json, &retry_plan(&plan));
            if plan.jobs.is_empty() {
                return finish(&plan.record, args.json);
            }
            confirm("Go ahead?", args.yes)?;
            plan
        }
        None => {
            let prepared = prepare_new(input, paths, args).await?;
            let count = prepared.jobs.len();
            confirm(
                &format!(
                    "Send {} in {count} payment(s), routing fees up to {} in all?",
                    sats(Msat(prepared.record.context.total_msat)),
                    prepared.fee_limit()
                ),
                args.yes,
            )?;
            prepared
        }
    };
    let events = boost::dispatch(node.clone(), journal, store, prepared);
    let record = follow(events).await?;
    finish(&record, args.json)
}

/// Fetch, select, split and build a new boost; print its preview.
async fn prepare_new(
    input: BoostInput<'_>,
    paths: &Paths,
    args: &BoostArgs,
) -> Result<PreparedBoost, CliError> {
    let (Some(feed_arg), Some(amount)) = (&args.feed, &args.amount) else {
        return Err(CliError::BadInput(
            "give FEED and AMOUNT, or --retry BOOST_ID".into(),
        ));
    };
    let sats_wanted = feed::parse_amount(amount)?;
    let episode = feed::episode(args.episode.as_deref(), args.latest);
    let selected = feed::load(paths, paths.is_demo(), feed_arg, &episode).await?;
    say(args.json, &feed::describe(&selected));
    let block = selected
        .block
        .clone()
        .map_err(|e| CliError::BadInput(e.to_string()))?;
    let split = boost::split_with_ledger(input.store, &block, sats_wanted).map_err(boost_error)?;
    say(args.json, &format!("\n{}", feed::legs_table(&split)));
    if !block.skipped.is_empty() {
        say(
            args.json,
            &format!(
                "note: {} recipient(s) above cannot be paid and are left out; the boost is split \
                 over the others only. Confirming agrees to that.",
                block.skipped.len()
            ),
        );
    }
    let mut context = selected.context.clone();
    context.message = args.message.clone();
    context.sender_name = args.name.clone();
    boost::prepare_boost(input, feed_arg.clone(), context, &split)
        .await
        .map_err(boost_error)
}

/// Print each leg's progress until every leg ended; the final record.
pub(super) async fn follow(
    events: impl Stream<Item = BoostEvent>,
) -> Result<BoostRecord, CliError> {
    let mut events = std::pin::pin!(events);
    while let Some(event) = events.next().await {
        match event {
            BoostEvent::Recorded { id } => progress(&format!("Boost {id}: sending...")),
            BoostEvent::Leg { leg, event } => leg_line(leg, &event),
            BoostEvent::LegDone { leg, state } => {
                progress(&format!("  leg {}: {}", leg + 1, state.label()));
            }
            BoostEvent::Failed(error) => return Err(boost_error(error)),
            BoostEvent::Finished(record) => return Ok(record),
        }
    }
    Err(CliError::PaymentUnknown(
        "the boost stopped reporting before every leg ended".into(),
    ))
}

/// One progress line for a send event of a leg.
fn leg_line(leg: usize, event: &SendEvent) {
    let text = match event {
        SendEvent::Started { hash, .. } => format!("in flight (hash {})", &hash.to_hex()[..12]),
        SendEvent::Reconnecting { attempt, retry_in } => {
            format!(
                "lost the node; asking again in {} s (attempt {attempt})",
                retry_in.as_secs()
            )
        }
        SendEvent::Error(error) => format!("{error}"),
        SendEvent::NotSent(_) => "the node never received it".into(),
        SendEvent::Progress(_) | SendEvent::Finished(_) => return,
    };
    progress(&format!("  leg {}: {text}", leg + 1));
}

/// Print the outcome; exit 5 unless every leg was paid.
pub(super) fn finish(record: &BoostRecord, json: bool) -> Result<(), CliError> {
    if json {
        print_json(&BoostJson::of(record))?;
    } else {
        println!("{}", outcome(record));
    }
    if record.all_paid() {
        return Ok(());
    }
    let open = record
        .legs
        .iter()
        .filter(|l| !matches!(l.state, LegState::Zero | LegState::Succeeded))
        .count();
    Err(CliError::BoostIncomplete {
        id: record.id.clone(),
        summary: format!(
            "{open} of {} payment(s) did not go through",
            record.legs.len()
        ),
    })
}

/// Every leg with its status.
fn outcome(record: &BoostRecord) -> String {
    let paid: u64 = record
        .legs
        .iter()
        .filter(|l| l.state == LegState::Succeeded)
        .map(|l| l.leg.amount.0)
        .sum();
    let what = match record.feed == crate::wallet::owed::SETTLE_FEED {
        true => "what earlier boosts owed".to_owned(),
        false => safe(&record.context.podcast, 60),
    };
    let mut text = format!(
        "Boost {} to {what}: {} of {} paid",
        record.id,
        sats(Msat(paid)),
        sats(Msat(record.context.total_msat))
    );
    for leg in &record.legs {
        let error = leg
            .error
            .as_deref()
            .map_or_else(String::new, |e| format!(" ({e})"));
        text.push_str(&format!(
            "\n  {}. {:<28} {:>12}  {}{error}",
            leg.index + 1,
            safe(&leg.leg.label(), 28),
            sats(leg.leg.amount),
            leg.state.label()
        ));
    }
    text
}

/// What a retry will do, leg by leg.
fn retry_plan(plan: &PreparedBoost) -> String {
    let mut text = format!(
        "Boost {} ({}):",
        plan.record.id,
        safe(&plan.record.context.podcast, 60)
    );
    for leg in &plan.record.legs {
        let job = plan
            .jobs
            .iter()
            .find(|(i, _)| *i == leg.index)
            .map(|(_, j)| j);
        let what = match job {
            None => leg.state.label().to_owned(),
            Some(LegJob::Send(_)) => "never went out: send it now".into(),
            Some(LegJob::Retry(_)) => "failed: send it again (same boost id)".into(),
            Some(LegJob::ResendSame(_)) => {
                "the node never received it: send it with the same hash".into()
            }
            Some(LegJob::Track(_)) => "the node may have it: follow it, send nothing".into(),
        };
        text.push_str(&format!(
            "\n  {}. {:<28} {:>12}  {what}",
            leg.index + 1,
            safe(&leg.leg.label(), 28),
            sats(leg.leg.amount)
        ));
    }
    if plan.jobs.is_empty() {
        text.push_str("\nNothing to send.");
    }
    text
}

/// Human text: stdout, or stderr when stdout carries JSON.
pub(super) fn say(json: bool, text: &str) {
    if json {
        progress(text);
    } else {
        println!("{text}");
    }
}

pub(super) fn store_error(error: crate::wallet::boost_store::BoostStoreError) -> CliError {
    CliError::Other(error.to_string())
}

pub(super) fn boost_error(error: boost::BoostError) -> CliError {
    match error {
        boost::BoostError::Send(e) | boost::BoostError::Leg { source: e, .. } => CliError::Send(e),
        boost::BoostError::Journal(e) => CliError::Journal(e),
        boost::BoostError::Store(crate::wallet::boost_store::BoostStoreError::NotFound(id)) => {
            CliError::BadInput(format!(
                "no boost with id {id:?} is recorded in this profile"
            ))
        }
        other => CliError::Other(other.to_string()),
    }
}

/// `boost --json`.
#[derive(Serialize)]
struct BoostJson {
    boost_id: String,
    complete: bool,
    podcast: String,
    episode: Option<String>,
    amount_sat: u64,
    legs: Vec<LegStatusJson>,
}

#[derive(Serialize)]
struct LegStatusJson {
    leg: usize,
    name: String,
    pubkey: String,
    fee: bool,
    sat: u64,
    exact_msat: u64,
    state: &'static str,
    attempt: u32,
    payment_hash: Option<String>,
    error: Option<String>,
}

impl BoostJson {
    fn of(record: &BoostRecord) -> Self {
        Self {
            boost_id: record.id.clone(),
            complete: record.all_paid(),
            podcast: record.context.podcast.clone(),
            episode: record.context.episode.clone(),
            amount_sat: Msat(record.context.total_msat).sats(),
            legs: record
                .legs
                .iter()
                .map(|l| LegStatusJson {
                    leg: l.index + 1,
                    name: l.leg.name.clone(),
                    pubkey: l.leg.node.to_string(),
                    fee: l.leg.fee,
                    sat: l.leg.amount.sats(),
                    exact_msat: l.leg.exact.0,
                    state: l.state.as_str(),
                    attempt: l.attempt,
                    payment_hash: l.hash.map(|h| h.to_hex()),
                    error: l.error.clone(),
                })
                .collect(),
        }
    }
}
