//! Streaming sats over content time: one engine for the CLI, the GUI and
//! the tests.
//!
//! - Each content minute accrues once ([`StreamStore::accrue`]): the
//!   minute's msat, split over the value block exactly (or all to one node).
//! - Every `batch` minutes, each recipient holding at least one whole sat
//!   gets a leg of its whole sats; the legs are written with their journal
//!   intent ids before anything is sent, all share one `boost_uuid` and carry
//!   the batch total in `value_msat_total`. A leg is paid into the ledger
//!   only when it succeeds; a failed leg stays owed and goes with the next
//!   batch.
//! - Legs left unfinished by a crash are settled from the journal first
//!   (followed by hash when the node has them), never sent again.
//! - Pause, resume, stop (pays what is owed in whole sats, keeps the rest),
//!   and caps: a minute that would pass the stream's cap or the daily cap
//!   is not accrued and the stream pauses with the reason.

use std::time::Duration;

use futures::StreamExt;
use tokio::sync::mpsc;

use super::journal_state::JournalState;
use super::stream_store::{
    Accrued, LedgerRow, LegState, Share, StreamLeg, StreamRow, StreamState, StreamStore,
    StreamStoreError,
};
use super::stream_vts::{self, Window};
use super::{Journal, SendEvent, SendRequest};
use crate::clock::SharedClock;
use crate::keysend::outgoing::Tip;
use crate::keysend::{AmountError, Msat, NodeId, Records};
use crate::node::{NodeInfo, SharedNode};
use crate::podcast::ValueBlock;
use crate::podcast::boost::{BoostContext, boostagram, new_uuid};
use crate::store::FeeLimit;

/// Fault point: a batch's legs are written, none is sent yet.
pub const BATCH_PLANNED: &str = "stream-batch-planned";
/// Fault point: a content minute was accrued.
pub const MINUTE_ACCRUED: &str = "stream-minute-accrued";
/// Default minutes between batches.
pub const DEFAULT_BATCH_MINUTES: u32 = 5;
const MINUTE_MS: i64 = 60_000;
/// How long a batch waits for the node to answer before it is skipped.
const NODE_CHECK: Duration = Duration::from_secs(5);

/// Who a stream pays.
#[derive(Debug, Clone)]
pub enum Target {
    /// A feed's value block, split per content minute.
    Feed {
        block: ValueBlock,
        context: BoostContext,
        /// Value time splits (see [`super::stream_vts`]).
        windows: Vec<Window>,
    },
    /// One node (a contact or a pubkey).
    Node { id: NodeId, name: String },
}

/// Why a rate, a cap or a stream is refused.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StreamError {
    #[error("the rate {text:?} is not a whole number of sats per minute: {source}")]
    BadRate { text: String, source: AmountError },
    #[error("the rate must be at least 1 sat per minute")]
    ZeroRate,
    #[error("the rate of {rate} per minute is above the stream's cap of {cap}")]
    RateAboveCap { rate: Msat, cap: Msat },
    #[error("the batch interval must be from 1 to 1440 minutes")]
    BadBatch,
    #[error(transparent)]
    Store(#[from] StreamStoreError),
}

/// Whole sats per minute from what the user typed, checked against the cap.
pub fn parse_rate(text: &str, cap: Option<Msat>) -> Result<Msat, StreamError> {
    let rate = Msat::parse_sats(text).map_err(|source| match source {
        AmountError::Zero => StreamError::ZeroRate,
        source => StreamError::BadRate {
            text: crate::keysend::text::display_safe(text, 40),
            source,
        },
    })?;
    if rate == Msat::ZERO {
        return Err(StreamError::ZeroRate);
    }
    match cap {
        Some(cap) if rate > cap => Err(StreamError::RateAboveCap { rate, cap }),
        _ => Ok(rate),
    }
}

/// The daily cap across streams and recurring tips as typed (CLI and
/// Settings): whole sats, or empty, `off` or `none` for no cap.
pub fn parse_daily_cap(text: &str) -> Result<Option<Msat>, AmountError> {
    match text.trim() {
        "" | "off" | "none" => Ok(None),
        sats => Msat::parse_sats(sats).map(Some),
    }
}

/// The msat content minute `minute` accrues at `rate_msat_hour` (the
/// minutes of an hour add up to the hourly rate exactly).
pub fn minute_msat(rate_msat_hour: u64, minute: u64) -> u64 {
    let at = |m: u64| u128::from(m) * u128::from(rate_msat_hour) / 60;
    u64::try_from(at(minute + 1) - at(minute)).unwrap_or(0)
}

/// The shares of content minute `minute` (`msat` in all) over `target`:
/// exact msat that add up to `msat`. Inside a value time split the window's
/// block gets its percentage; a window that cannot be paid gives the host
/// block everything, with the reason.
pub fn shares(target: &Target, minute: u64, msat: u64) -> (Vec<Share>, Option<String>) {
    let (block, windows) = match target {
        Target::Node { id, name } => {
            let share = Share {
                node: *id,
                custom: None,
                name: name.clone(),
                msat,
            };
            return (vec![share], None);
        }
        Target::Feed { block, windows, .. } => (block, windows),
    };
    match stream_vts::at(windows, minute * 60) {
        None => (split_msat(block, msat), None),
        Some(Window {
            block: Ok(remote),
            percent,
            ..
        }) => {
            // The host block's fee recipients are paid off the top of the
            // whole minute, as outside the window; the remote item's block
            // gets its percentage of what is left, the host's other
            // recipients the rest.
            // (A block of fee recipients only is split whole, as before.)
            let mut others = block.clone();
            others.recipients.retain(|r| !r.fee);
            let (host, mut all) = if others.recipients.is_empty() {
                (block, Vec::new())
            } else {
                let legs = crate::podcast::split(block, msat, &[]).legs;
                let fees = legs.iter().filter(|leg| leg.fee).map(share_of).collect();
                (&others, fees)
            };
            let rest = msat - all.iter().map(|s| s.msat).sum::<u64>();
            let remote_msat = rest * percent / 100;
            all.extend(split_msat(remote, remote_msat));
            all.extend(split_msat(host, rest - remote_msat));
            all.retain(|s| s.msat > 0);
            (all, None)
        }
        Some(Window {
            block: Err(why),
            start_s,
            ..
        }) => (
            split_msat(block, msat),
            Some(format!(
                "value time split at {start_s} s: paying the host block, because {why}"
            )),
        ),
    }
}

/// `msat` over `block`, split as if msat were sats: whole units by largest
/// remainder, so the shares are exact msat summing to `msat`.
fn split_msat(block: &ValueBlock, msat: u64) -> Vec<Share> {
    crate::podcast::split(block, msat, &[])
        .legs
        .iter()
        .map(share_of)
        .collect()
}

/// A leg of a split made "as if msat were sats" as a share in msat.
fn share_of(leg: &crate::podcast::Leg) -> Share {
    Share {
        node: leg.node,
        custom: leg.custom.clone(),
        name: leg.label(),
        msat: leg.amount.sats(),
    }
}

/// Whether `text` names a feed (a URL, a file, or `demo` on the demo
/// network) rather than a contact or a pubkey.
pub fn is_feed(text: &str, demo: bool) -> bool {
    let text = text.trim();
    (demo && text == crate::podcast::DEMO_FEED_NAME)
        || text.starts_with("http://")
        || text.starts_with("https://")
        || std::path::Path::new(text).is_file()
}

/// A stream's settings when it starts.
#[derive(Debug, Clone)]
pub struct NewStream {
    /// The feed or contact as the user gave it.
    pub target_text: String,
    pub episode: String,
    pub rate_msat_hour: u64,
    pub batch_minutes: u32,
    pub cap: Option<Msat>,
    pub context: BoostContext,
}

/// The unfinished stream to the same target, or a new one.
pub fn open_or_create(
    store: &StreamStore,
    new: &NewStream,
    now_ms: i64,
) -> Result<StreamRow, StreamError> {
    if !(1..=1440).contains(&new.batch_minutes) {
        return Err(StreamError::BadBatch);
    }
    if let Some(mut row) = store.open_for(&new.target_text, &new.episode)? {
        if row.state == StreamState::Paused {
            store.set_state(&row.id, StreamState::Running, None)?;
            row.state = StreamState::Running;
            row.reason = None;
        }
        return Ok(row);
    }
    let row = StreamRow {
        id: new_uuid(),
        target: new.target_text.clone(),
        episode: new.episode.clone(),
        rate_msat_hour: new.rate_msat_hour,
        batch_minutes: new.batch_minutes,
        cap: new.cap,
        state: StreamState::Running,
        reason: None,
        content_ms: 0,
        context: serde_json::to_string(&new.context).unwrap_or_default(),
        created_ms: now_ms,
    };
    store.create(&row)?;
    Ok(row)
}

/// What the user (or the end of `--minutes`) asks a running stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Pause,
    Resume,
    /// Pay what is owed and end the stream.
    Stop,
    /// Pay what is owed and leave the stream as it is (paused by a cap).
    Leave,
}

/// One leg's outcome in a batch.
#[derive(Debug, Clone)]
pub struct LegOutcome {
    pub name: String,
    pub node: NodeId,
    pub amount: Msat,
    pub state: LegState,
    pub error: Option<String>,
}

/// What a batch did.
#[derive(Debug, Clone)]
pub struct BatchReport {
    pub stream_id: String,
    pub batch_uuid: String,
    /// Content minutes accrued so far.
    pub content_minutes: u64,
    pub legs: Vec<LegOutcome>,
    /// Paid in this batch.
    pub paid: Msat,
    /// The ledger after the batch.
    pub ledger: Vec<LedgerRow>,
    /// Why nothing was sent (the node could not be reached).
    pub note: Option<String>,
}

/// What happens to a stream, in order.
#[derive(Debug, Clone)]
pub enum StreamEvent {
    Started(StreamRow),
    /// A content minute accrued (`msat` in all).
    Accrued {
        minute: u64,
        msat: u64,
    },
    /// A cap paused the stream.
    Capped {
        reason: String,
    },
    /// Something the listener should know (a value time split not paid).
    Note(String),
    Paused,
    Resumed,
    Batch(BatchReport),
    /// The engine ended (stopped, or left as it was).
    Ended {
        state: StreamState,
    },
    Failed(String),
}

/// Everything the engine works with.
#[derive(Clone)]
pub struct Engine {
    pub node: SharedNode,
    pub journal: Journal,
    pub store: StreamStore,
    pub clock: SharedClock,
    pub info: NodeInfo,
    pub fee_limit: FeeLimit,
    pub target: Target,
}

impl Engine {
    /// Run `stream` until stopped, left, or `minutes` content minutes are
    /// accrued (then it stops). Events go to `events`.
    pub async fn run(
        self,
        stream: StreamRow,
        mut control: mpsc::UnboundedReceiver<Control>,
        minutes: Option<u64>,
        events: mpsc::UnboundedSender<StreamEvent>,
    ) -> Result<StreamState, StreamError> {
        let emit = |e| {
            let _ = events.send(e);
        };
        let id = stream.id.clone();
        let mut since = (stream.state == StreamState::Running).then(|| self.clock.now_ms());
        emit(StreamEvent::Started(stream.clone()));
        // Legs a crash left behind are settled before anything new.
        self.settle_unfinished().await;
        let mut accrued = u64::try_from(stream.content_ms / MINUTE_MS).unwrap_or(0);
        let mut banked = to_ms(accrued);
        let every = u64::from(stream.batch_minutes.max(1));
        let mut last_batch = accrued;
        let mut last_note: Option<String> = None;
        loop {
            let now = self.clock.now_ms();
            let current = banked + since.map_or(0, |s| now - s);
            let due = u64::try_from(current / MINUTE_MS).unwrap_or(0);
            let due = minutes.map_or(due, |m| due.min(m));
            let mut capped = None;
            while accrued < due {
                let (result, note) = self.accrue(&stream, accrued, now).await?;
                if note.is_some() && note != last_note {
                    emit(StreamEvent::Note(note.clone().unwrap_or_default()));
                }
                last_note = note;
                match result {
                    Accrued::Added => {
                        let msat = minute_msat(stream.rate_msat_hour, accrued);
                        emit(StreamEvent::Accrued {
                            minute: accrued,
                            msat,
                        });
                        accrued += 1;
                    }
                    Accrued::AlreadyAccrued => accrued += 1,
                    Accrued::Capped(reason) => {
                        capped = Some(reason);
                        break;
                    }
                }
                crate::fault::point(MINUTE_ACCRUED);
            }
            if let Some(reason) = capped {
                emit(StreamEvent::Capped { reason });
                (banked, since, last_batch) = (to_ms(accrued), None, accrued);
                emit(StreamEvent::Batch(self.batch(&id, to_ms(accrued)).await?));
            } else if accrued >= last_batch + every {
                last_batch = accrued;
                emit(StreamEvent::Batch(self.batch(&id, to_ms(accrued)).await?));
            }
            if minutes.is_some_and(|m| accrued >= m) {
                return self.finish(&id, accrued, StreamState::Stopped, &emit).await;
            }
            // From the `now` the minutes above were counted at: a clock that
            // moved meanwhile wakes this at once.
            let tick = match since {
                Some(s) => {
                    let current = banked + now - s;
                    self.clock
                        .sleep_until(now + MINUTE_MS - current.rem_euclid(MINUTE_MS))
                }
                None => self.clock.sleep(Duration::from_secs(3600)),
            };
            let asked = tokio::select! {
                () = tick => continue,
                asked = control.recv() => asked,
            };
            match asked {
                Some(Control::Pause) if since.is_some() => {
                    banked += self.clock.now_ms() - since.unwrap_or_default();
                    since = None;
                    self.set_state(&id, StreamState::Paused, Some("paused by you"))
                        .await?;
                    emit(StreamEvent::Paused);
                }
                Some(Control::Resume) if since.is_none() => {
                    since = Some(self.clock.now_ms());
                    self.set_state(&id, StreamState::Running, None).await?;
                    emit(StreamEvent::Resumed);
                }
                Some(Control::Stop) | None => {
                    return self.finish(&id, accrued, StreamState::Stopped, &emit).await;
                }
                Some(Control::Leave) => {
                    let sid = id.clone();
                    let state = self.store.call(move |s| s.get(&sid)).await?.state;
                    return self.finish(&id, accrued, state, &emit).await;
                }
                Some(_) => {}
            }
        }
    }

    /// Accrue one content minute of `stream`.
    async fn accrue(
        &self,
        stream: &StreamRow,
        minute: u64,
        now: i64,
    ) -> Result<(Accrued, Option<String>), StreamError> {
        let msat = minute_msat(stream.rate_msat_hour, minute);
        let (shares, note) = shares(&self.target, minute, msat);
        let sid = stream.id.clone();
        let accrued = self
            .store
            .call(move |s| s.accrue(&sid, minute, &shares, now))
            .await?;
        Ok((accrued, note))
    }

    /// The last batch, then the stream's final state.
    async fn finish(
        &self,
        id: &str,
        accrued: u64,
        state: StreamState,
        emit: &impl Fn(StreamEvent),
    ) -> Result<StreamState, StreamError> {
        emit(StreamEvent::Batch(self.batch(id, to_ms(accrued)).await?));
        if state == StreamState::Stopped {
            self.set_state(id, state, Some("stopped")).await?;
        }
        emit(StreamEvent::Ended { state });
        Ok(state)
    }

    async fn set_state(
        &self,
        id: &str,
        state: StreamState,
        reason: Option<&str>,
    ) -> Result<(), StreamError> {
        let (id, reason) = (id.to_owned(), reason.map(str::to_owned));
        self.store
            .call(move |s| s.set_state(&id, state, reason.as_deref()))
            .await?;
        Ok(())
    }

    /// Pay every recipient's whole owed sats in one batch; report it.
    pub async fn batch(&self, id: &str, content_ms: i64) -> Result<BatchReport, StreamError> {
        let batch_uuid = new_uuid();
        let ts = u64::try_from(content_ms / 1000).unwrap_or(0);
        let now = self.clock.now_ms();
        let note = self.node_away().await;
        let legs = if note.is_some() {
            Vec::new()
        } else {
            self.settle_unfinished().await;
            let (id, uuid) = (id.to_owned(), batch_uuid.clone());
            self.store
                .call(move |s| s.plan_batch(&id, &uuid, ts, now))
                .await?
        };
        if !legs.is_empty() {
            crate::fault::point(BATCH_PLANNED);
        }
        let outcomes = futures::future::join_all(legs.iter().map(|leg| self.pay_leg(leg))).await;
        let paid = Msat(
            outcomes
                .iter()
                .filter(|o| o.state == LegState::Succeeded)
                .map(|o| o.amount.0)
                .sum(),
        );
        let ledger = {
            let id = id.to_owned();
            self.store.call(move |s| s.ledger(&id)).await?
        };
        Ok(BatchReport {
            stream_id: id.to_owned(),
            batch_uuid,
            content_minutes: u64::try_from(content_ms / MINUTE_MS).unwrap_or(0),
            legs: outcomes,
            paid,
            ledger,
            note,
        })
    }

    /// Why the node cannot take a batch now (it does not answer), if so:
    /// the owed amounts then wait for the next batch, no leg is written.
    async fn node_away(&self) -> Option<String> {
        match tokio::time::timeout(NODE_CHECK, self.node.info()).await {
            Ok(Ok(_)) => None,
            Ok(Err(error)) => Some(format!(
                "the node cannot be reached ({error}); owed sats wait for the next batch"
            )),
            Err(_) => Some("the node does not answer; owed sats wait for the next batch".into()),
        }
    }

    /// Send one planned leg through the journaled send flow; its final state.
    async fn pay_leg(&self, leg: &StreamLeg) -> LegOutcome {
        let outcome = |state, error: Option<String>| LegOutcome {
            name: leg.name.clone(),
            node: leg.node,
            amount: leg.amount,
            state,
            error,
        };
        let request = SendRequest {
            intent_id: leg.intent_id.clone(),
            destination: leg.node,
            amount: leg.amount,
            tip: leg_tip(&self.target, leg),
            sign: false,
            fee_limit: self.fee_limit.for_amount(leg.amount),
        };
        let keysend = match super::prepare(&self.node, &self.info, request, None).await {
            Ok(keysend) => keysend,
            Err(error) => {
                let text = error.to_string();
                self.set_leg(&leg.intent_id, LegState::Failed, None, Some(&text))
                    .await;
                return outcome(LegState::Failed, Some(text));
            }
        };
        let mut events = std::pin::pin!(super::send(
            self.node.clone(),
            self.journal.clone(),
            leg.intent_id.clone(),
            keysend,
        ));
        while let Some(event) = events.next().await {
            if let SendEvent::Started { hash, .. } = event {
                self.set_leg(&leg.intent_id, LegState::Dispatched, Some(hash), None)
                    .await;
            }
        }
        let (state, error) = self.settle(&leg.intent_id).await;
        outcome(state, error)
    }

    /// Settle a leg from the journal: final states are written; a leg the
    /// node may still have stays dispatched (and keeps its amount reserved).
    async fn settle(&self, intent: &str) -> (LegState, Option<String>) {
        let id = intent.to_owned();
        let entry = self.journal.call(move |j| j.get(&id)).await.ok().flatten();
        let (state, error) = match &entry {
            None => (
                LegState::Failed,
                Some("never reached the node (nothing was paid)".to_owned()),
            ),
            Some(e) => match e.state {
                JournalState::Succeeded => (LegState::Succeeded, None),
                JournalState::Failed | JournalState::Discarded => (
                    LegState::Failed,
                    Some(
                        e.failure
                            .map_or_else(|| "the payment failed".to_owned(), |f| format!("{f:?}")),
                    ),
                ),
                _ => (LegState::Dispatched, None),
            },
        };
        let hash = entry.as_ref().map(super::JournalEntry::hash);
        self.set_leg(intent, state, hash, error.as_deref()).await;
        (state, error)
    }

    async fn set_leg(
        &self,
        intent: &str,
        state: LegState,
        hash: Option<crate::keysend::PaymentHash>,
        error: Option<&str>,
    ) {
        let (intent, error) = (intent.to_owned(), error.map(str::to_owned));
        let _ = self
            .store
            .call(move |s| s.set_leg(&intent, state, hash, error.as_deref()))
            .await;
    }

    /// Legs a crash (or a lost node) left unfinished: followed by hash until
    /// final when the journal has them, failed (owed again) when it does not.
    pub async fn settle_unfinished(&self) {
        let Ok(legs) = self.store.call(|s| s.unfinished_legs()).await else {
            return;
        };
        for leg in legs {
            let intent = leg.intent_id.clone();
            let entry = self
                .journal
                .call(move |j| j.get(&intent))
                .await
                .ok()
                .flatten();
            if let Some(entry) = entry {
                let events = match entry.state {
                    JournalState::NotSent => {
                        super::resend_same(self.node.clone(), self.journal.clone(), entry).boxed()
                    }
                    JournalState::Pending | JournalState::Dispatched | JournalState::InFlight => {
                        super::track_entry(self.node.clone(), self.journal.clone(), entry).boxed()
                    }
                    _ => futures::stream::empty().boxed(),
                };
                let _: Vec<SendEvent> = events.collect().await;
            }
            let _ = self.settle(&leg.intent_id).await;
        }
    }
}

fn to_ms(minutes: u64) -> i64 {
    i64::try_from(minutes).unwrap_or(i64::MAX / MINUTE_MS) * MINUTE_MS
}

/// The records of one leg: bLIP-10 with `action` "stream", the leg and
/// batch amounts, the batch's `boost_uuid`, `ts`, and the recipient's
/// customKey/customValue.
pub fn leg_tip(target: &Target, leg: &StreamLeg) -> Tip {
    let context = match target {
        Target::Feed { context, .. } => context.clone(),
        Target::Node { .. } => BoostContext::default(),
    };
    let mut context = context;
    context.message = None;
    context.total_msat = leg.batch_total.0;
    let mut gram = boostagram(
        &context,
        &leg.name,
        leg.amount,
        &leg.batch_uuid,
        &leg.leg_uuid,
    );
    gram.action = Some("stream".into());
    gram.ts = Some(leg.ts);
    let mut extra = Records::new();
    if let Some(custom) = &leg.custom {
        let _previous = extra.insert(custom.key, custom.value.as_bytes().to_vec());
    }
    Tip {
        boostagram: Some(gram),
        extra,
        ..Tip::default()
    }
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
