//! Boosting a value block: one use case for the GUI and the CLI.
//!
//! 1. [`prepare_boost`]: split the amount (with what the ledger carries),
//!    build every leg's keysend (fresh preimage, bLIP-10 records) and check
//!    the whole boost against what the node can send. Nothing is written.
//! 2. The user confirms once, for all legs.
//! 3. [`dispatch`]: the boost record is written (fsync'd) with every leg and
//!    its journal intent id, then every leg goes out at once through the
//!    wallet's journaled send flow; each event is reported with its leg, and
//!    each leg's final state is read back from the journal.
//! 4. [`plan_retry`] + [`dispatch`]: legs the journal says failed get a new
//!    attempt (same `boost_uuid`, same leg `uuid`, new preimage); legs the
//!    node may know are followed, never sent again; a leg the node never saw
//!    is sent with its own hash. A leg never pays twice.

use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;

use super::boost_store::{BoostRecord, BoostStore, BoostStoreError, LegRecord, LegState};
use super::journal_state::JournalState;
use super::{Journal, JournalEntry, JournalError, SendError, SendEvent, SendRequest};
use crate::keysend::{Msat, NodeId};
use crate::node::{Balance, NodeInfo, OutgoingKeysend, PaymentStatus, SharedNode};
use crate::podcast::boost::{BoostContext, leg_tip, new_uuid};
use crate::podcast::value::Custom;
use crate::podcast::{Split, ValueBlock, split};
use crate::store::FeeLimit;

/// Fault point: the boost is recorded, no leg has been handed to the send flow.
pub const BOOST_RECORDED: &str = "boost-recorded";

/// Why a boost cannot go ahead.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BoostError {
    #[error(transparent)]
    Store(#[from] BoostStoreError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("leg {leg} ({name}): {source}")]
    Leg {
        leg: usize,
        name: String,
        source: SendError,
    },
    #[error(transparent)]
    Send(#[from] SendError),
    #[error("the amount must be at least 1 sat")]
    ZeroAmount,
}

/// What will be sent for one leg.
#[derive(Debug, Clone)]
pub enum LegJob {
    /// Send this keysend under the leg's current intent (first send, or a
    /// leg that never reached the journal).
    Send(OutgoingKeysend),
    /// The last attempt failed for sure: start a new attempt and send this.
    Retry(OutgoingKeysend),
    /// The node never received it: send it again with the same hash.
    ResendSame(JournalEntry),
    /// The node may have it: follow it, send nothing.
    Track(JournalEntry),
}

/// A boost ready to record and dispatch (or a retry of one).
#[derive(Debug, Clone)]
pub struct PreparedBoost {
    pub record: BoostRecord,
    /// Legs with something to do, by leg index.
    pub jobs: Vec<(usize, LegJob)>,
    /// True for a new boost (the record is written first).
    pub is_new: bool,
}

impl PreparedBoost {
    /// Sum of the routing fee limits of the legs to send.
    pub fn fee_limit(&self) -> Msat {
        Msat(
            self.jobs
                .iter()
                .filter_map(|(_, job)| match job {
                    LegJob::Send(k) | LegJob::Retry(k) => Some(k.fee_limit.0),
                    _ => None,
                })
                .sum(),
        )
    }
}

/// Everything [`prepare_boost`] needs to know.
pub struct BoostInput<'a> {
    pub node: &'a SharedNode,
    pub info: &'a NodeInfo,
    pub balance: Option<Balance>,
    pub store: &'a BoostStore,
    pub fee_limit: FeeLimit,
}

/// The split of `sats` over `block`, with what the ledger carries.
pub fn split_with_ledger(
    store: &BoostStore,
    block: &ValueBlock,
    sats: u64,
) -> Result<Split, BoostError> {
    let keys: Vec<(NodeId, Option<Custom>)> = block
        .recipients
        .iter()
        .map(|r| (r.node, r.custom.clone()))
        .collect();
    let owed = store.owed(&keys)?;
    Ok(split(block, sats, &owed))
}

/// Step 1: a new boost of `split` (from [`split_with_ledger`]), every
/// paying leg built and checked. Nothing is written or sent.
pub async fn prepare_boost(
    input: BoostInput<'_>,
    feed: String,
    mut context: BoostContext,
    split: &Split,
) -> Result<PreparedBoost, BoostError> {
    if split.total == Msat::ZERO {
        return Err(BoostError::ZeroAmount);
    }
    context.total_msat = split.total.0;
    let record = BoostRecord::new(new_uuid(), feed, context, &split.legs);
    let paying: Vec<&LegRecord> = record
        .legs
        .iter()
        .filter(|l| l.state == LegState::Planned)
        .collect();
    let limits: u64 = paying
        .iter()
        .map(|l| input.fee_limit.for_amount(l.leg.amount).0)
        .sum();
    super::prepare::check_spendable(split.total, Msat(limits), input.balance.as_ref(), None)?;
    let built =
        futures::future::join_all(paying.iter().map(|leg| build_leg(&input, &record, leg))).await;
    let jobs = built
        .into_iter()
        .map(|r| r.map(|(i, k)| (i, LegJob::Send(k))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PreparedBoost {
        record,
        jobs,
        is_new: true,
    })
}

/// The keysend of one leg (fresh preimage), checked by the wallet's prepare.
async fn build_leg(
    input: &BoostInput<'_>,
    record: &BoostRecord,
    leg: &LegRecord,
) -> Result<(usize, OutgoingKeysend), BoostError> {
    let request = SendRequest {
        intent_id: leg.intent_id.clone(),
        destination: leg.leg.node,
        amount: leg.leg.amount,
        tip: leg_tip(&record.context, &leg.leg, &record.id, &leg.uuid),
        sign: false,
        fee_limit: input.fee_limit.for_amount(leg.leg.amount),
    };
    super::prepare(input.node, input.info, request, None)
        .await
        .map(|k| (leg.index, k))
        .map_err(|source| BoostError::Leg {
            leg: leg.index,
            name: leg.leg.label(),
            source,
        })
}

/// Step 4: what a retry of boost `id` would do, leg by leg, from what the
/// journal knows of each leg's current attempt. Legs already paid are
/// written so; nothing is sent.
pub async fn plan_retry(
    input: BoostInput<'_>,
    journal: &Journal,
    id: &str,
) -> Result<PreparedBoost, BoostError> {
    let id_owned = id.to_owned();
    let mut record = input.store.call(move |s| s.get(&id_owned)).await?;
    let mut jobs = Vec::new();
    for index in 0..record.legs.len() {
        let leg = record.legs[index].clone();
        if matches!(leg.state, LegState::Zero | LegState::Returned) {
            continue;
        }
        let intent = leg.intent_id.clone();
        let entry = journal.call(move |j| j.get(&intent)).await?;
        let state = entry.as_ref().map(|e| e.state);
        let job = match (state, entry) {
            (Some(JournalState::Succeeded), Some(entry)) => {
                set(
                    input.store,
                    &record.id,
                    index,
                    LegState::Succeeded,
                    Some(&entry),
                    None,
                )
                .await?;
                record.legs[index].state = LegState::Succeeded;
                continue;
            }
            (Some(JournalState::Failed | JournalState::Discarded), _) => {
                set(input.store, &record.id, index, LegState::Failed, None, None).await?;
                LegJob::Retry(build_leg(&input, &record, &leg).await?.1)
            }
            (Some(JournalState::NotSent), Some(entry)) => LegJob::ResendSame(entry),
            (Some(_), Some(entry)) => LegJob::Track(entry),
            _ => LegJob::Send(build_leg(&input, &record, &leg).await?.1),
        };
        jobs.push((index, job));
    }
    Ok(PreparedBoost {
        record,
        jobs,
        is_new: false,
    })
}

/// What happens to a boost, in order.
#[derive(Debug, Clone)]
pub enum BoostEvent {
    /// The boost record is durable; legs go out now.
    Recorded { id: String },
    /// Something happened to one leg's payment.
    Leg { leg: usize, event: SendEvent },
    /// A leg's stream ended; this is its state as the journal has it.
    LegDone { leg: usize, state: LegState },
    /// Nothing was sent: the record could not be written.
    Failed(BoostError),
    /// Every leg ended; the record as stored.
    Finished(BoostRecord),
}

/// Step 3: record the boost (when new), then run every job at once. The
/// work runs in its own task: dropping the stream stops the reports, never
/// the payments.
pub fn dispatch(
    node: SharedNode,
    journal: Journal,
    store: BoostStore,
    boost: PreparedBoost,
) -> impl Stream<Item = BoostEvent> + Send + 'static {
    let (tx, rx) = mpsc::unbounded_channel();
    let work = async move {
        let emit = |e| {
            let _ = tx.send(e);
        };
        let id = boost.record.id.clone();
        if boost.is_new {
            let record = boost.record.clone();
            if let Err(error) = store.call(move |s| s.record(&record)).await {
                return emit(BoostEvent::Failed(error.into()));
            }
            crate::fault::point(BOOST_RECORDED);
        }
        emit(BoostEvent::Recorded { id: id.clone() });
        let legs = boost.jobs.into_iter().map(|(leg, job)| {
            let (node, journal, store, id) =
                (node.clone(), journal.clone(), store.clone(), id.clone());
            run_leg(node, journal, store, id, leg, job).map(move |event| (leg, event))
        });
        let mut all = futures::stream::select_all(legs.map(Box::pin));
        while let Some((leg, event)) = all.next().await {
            emit(event.unwrap_or_else(|event| BoostEvent::Leg { leg, event }));
        }
        let final_record = store.call(move |s| s.get(&id)).await;
        emit(match final_record {
            Ok(record) => BoostEvent::Finished(record),
            Err(error) => BoostEvent::Failed(error.into()),
        });
    };
    futures::stream::once(async move {
        drop(tokio::spawn(work));
        UnboundedReceiverStream::new(rx)
    })
    .flatten()
}

/// One leg's job as a stream of its send events (`Err`) and, at its end,
/// its final state (`Ok(LegDone)`), written in the boost record as it goes.
fn run_leg(
    node: SharedNode,
    journal: Journal,
    store: BoostStore,
    id: String,
    leg: usize,
    job: LegJob,
) -> impl Stream<Item = Result<BoostEvent, SendEvent>> + Send + 'static {
    futures::stream::once(async move {
        let (intent, events) = match job {
            LegJob::Send(keysend) => {
                let intent = current_intent(&store, &id, leg).await;
                (
                    intent.clone(),
                    super::send(node, journal.clone(), intent.unwrap_or_default(), keysend).boxed(),
                )
            }
            LegJob::Retry(keysend) => {
                let (sid, s) = (id.clone(), store.clone());
                let intent = s
                    .call(move |s| s.next_attempt(&sid, leg, LegState::Failed))
                    .await
                    .ok()
                    .flatten();
                match intent.clone() {
                    Some(intent) => (
                        Some(intent.clone()),
                        super::send(node, journal.clone(), intent, keysend).boxed(),
                    ),
                    None => (None, futures::stream::empty().boxed()),
                }
            }
            LegJob::ResendSame(entry) => (
                Some(entry.intent_id.clone()),
                super::resend_same(node, journal.clone(), entry).boxed(),
            ),
            LegJob::Track(entry) => (
                Some(entry.intent_id.clone()),
                super::track_entry(node, journal.clone(), entry).boxed(),
            ),
        };
        let tail =
            futures::stream::once(finish_leg(journal, store.clone(), id.clone(), leg, intent));
        let store_for_events = store;
        events
            .then(move |event| {
                let (store, id) = (store_for_events.clone(), id.clone());
                async move {
                    note(&store, &id, leg, &event).await;
                    Err(event)
                }
            })
            .chain(tail)
    })
    .flatten()
}

/// The current intent id of a leg.
async fn current_intent(store: &BoostStore, id: &str, leg: usize) -> Option<String> {
    let id = id.to_owned();
    store
        .call(move |s| s.get(&id))
        .await
        .ok()
        .and_then(|r| r.legs.get(leg).map(|l| l.intent_id.clone()))
}

/// Write the progress an event shows (dispatched, with its hash).
async fn note(store: &BoostStore, id: &str, leg: usize, event: &SendEvent) {
    if let SendEvent::Started { hash, .. } = event {
        let (id, hash) = (id.to_owned(), *hash);
        let _ = store
            .call(move |s| s.set_leg(&id, leg, LegState::Dispatched, Some(hash), None))
            .await;
    }
}

/// A leg's stream ended: its state is what the journal says.
async fn finish_leg(
    journal: Journal,
    store: BoostStore,
    id: String,
    leg: usize,
    intent: Option<String>,
) -> Result<BoostEvent, SendEvent> {
    let entry = match intent {
        Some(intent) => journal.call(move |j| j.get(&intent)).await.ok().flatten(),
        None => None,
    };
    let state = entry
        .as_ref()
        .map_or(LegState::Failed, |e| leg_state(e.state));
    let error = entry
        .as_ref()
        .and_then(|e| e.failure)
        .map(|f| format!("{f:?}"))
        .or_else(|| {
            entry
                .is_none()
                .then(|| "not sent (another retry has it, or it could not be journaled)".to_owned())
        });
    let state = if entry.is_none() {
        // Never journaled: nothing was paid. A retry that lost the race to
        // another one leaves the leg as the other one has it.
        let (sid, s) = (id.clone(), store.clone());
        s.call(move |s| s.get(&sid))
            .await
            .ok()
            .and_then(|r| r.legs.get(leg).map(|l| l.state))
            .filter(|s| *s != LegState::Planned)
            .unwrap_or(state)
    } else {
        state
    };
    let _ = set(&store, &id, leg, state, entry.as_ref(), error.as_deref()).await;
    Ok(BoostEvent::LegDone { leg, state })
}

async fn set(
    store: &BoostStore,
    id: &str,
    leg: usize,
    state: LegState,
    entry: Option<&JournalEntry>,
    error: Option<&str>,
) -> Result<(), BoostStoreError> {
    let (id, hash, error) = (
        id.to_owned(),
        entry.map(JournalEntry::hash),
        error.map(str::to_owned),
    );
    store
        .call(move |s| s.set_leg(&id, leg, state, hash, error.as_deref()))
        .await
}

/// A journal state as a leg state.
fn leg_state(state: JournalState) -> LegState {
    match state {
        JournalState::Succeeded => LegState::Succeeded,
        JournalState::Failed | JournalState::Discarded => LegState::Failed,
        JournalState::NotSent => LegState::NotSent,
        JournalState::Pending | JournalState::Dispatched | JournalState::InFlight => {
            LegState::Unknown
        }
    }
}

/// True when an event is a leg's success.
pub fn is_success(event: &SendEvent) -> bool {
    matches!(event, SendEvent::Finished(u) if matches!(u.status, PaymentStatus::Succeeded { .. }))
}
