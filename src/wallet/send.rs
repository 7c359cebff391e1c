//! The send flow: journal first, then the node, then the journal again on
//! every update. A broken stream falls back to tracking by hash with back-off,
//! so a payment is never left in an unknown state (research notes §2.9).

use std::time::Duration;

use futures::future::{Either, select};
use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;

use super::journal_state::JournalState;
use super::{Journal, JournalEntry, SendError};
use crate::keysend::{Msat, PaymentHash};
use crate::node::{
    NodeError, OutgoingKeysend, PaymentFailure, PaymentStatus, PaymentUpdate, SharedNode,
};

/// First wait before tracking again after a broken stream.
pub const RETRY_FIRST: Duration = Duration::from_millis(500);
/// Longest wait between tracking attempts.
pub const RETRY_MAX: Duration = Duration::from_secs(30);

/// What happens to one send, in order.
#[derive(Debug, Clone)]
pub enum SendEvent {
    /// Written to the journal and handed to the node.
    Started {
        intent_id: String,
        hash: PaymentHash,
    },
    /// The node reports progress (attempts, route).
    Progress(PaymentUpdate),
    /// A final update: succeeded or failed. The journal says the same.
    Finished(PaymentUpdate),
    /// The node never received the payment: nothing was paid. It can be sent
    /// with the same hash by [`resend_same`], on the user's word only.
    NotSent(JournalEntry),
    /// Lost the node while tracking; retrying after `retry_in`.
    Reconnecting { attempt: u32, retry_in: Duration },
    /// The send could not go ahead; nothing was paid (or the journal keeps the outcome).
    Error(SendError),
}

/// Journal `keysend` under `intent_id` (durably) and send it, reporting
/// progress. The work runs in its own task: dropping the stream stops the
/// reports, never the payment; the journal keeps its state.
pub fn send(
    node: SharedNode,
    journal: Journal,
    intent_id: String,
    keysend: OutgoingKeysend,
) -> impl Stream<Item = SendEvent> + Send + 'static {
    spawn_driver(move |events| async move {
        let begin = {
            let (intent, keysend) = (intent_id.clone(), keysend.clone());
            journal.call(move |j| j.begin(&intent, &keysend)).await
        };
        match begin {
            Ok(entry) => dispatch(&node, &journal, entry, &events).await,
            Err(error) => events.emit(SendEvent::Error(error.into())),
        }
    })
}

/// Send a `NotSent` entry again with the same preimage and hash (the node
/// never saw it, so this is its first and only payment). Refused for any
/// other state: a preimage whose payment succeeded is never reused.
pub fn resend_same(
    node: SharedNode,
    journal: Journal,
    entry: JournalEntry,
) -> impl Stream<Item = SendEvent> + Send + 'static {
    spawn_driver(move |events| async move {
        let intent = entry.intent_id.clone();
        let current = journal.call(move |j| j.get(&intent)).await;
        match current {
            Ok(Some(current)) if current.state == JournalState::NotSent => {
                dispatch(&node, &journal, current, &events).await;
            }
            Ok(Some(current)) => events.emit(SendEvent::Error(SendError::NotResendable {
                intent_id: current.intent_id,
                state: current.state,
            })),
            Ok(None) => events.emit(SendEvent::Error(SendError::Journal(
                super::JournalError::NotFound(entry.intent_id),
            ))),
            Err(error) => events.emit(SendEvent::Error(error.into())),
        }
    })
}

/// Follow an entry the node already knows (after reconcile found it in
/// flight) until it is final, updating the journal.
pub fn track_entry(
    node: SharedNode,
    journal: Journal,
    entry: JournalEntry,
) -> impl Stream<Item = SendEvent> + Send + 'static {
    spawn_driver(move |events| async move {
        track_until_final(&node, &journal, &entry, &events).await;
    })
}

/// Where a driver task sends its events; sending to a dropped stream is a no-op.
#[derive(Clone)]
pub(crate) struct Events(mpsc::UnboundedSender<SendEvent>);

impl Events {
    fn emit(&self, event: SendEvent) {
        let _ = self.0.send(event);
    }

    /// Nobody listens any more.
    fn closed(&self) -> bool {
        self.0.is_closed()
    }
}

/// Start `drive` in a tokio task when the stream is first polled (so the
/// stream can be built outside a runtime) and yield what it emits.
fn spawn_driver<F, Fut>(drive: F) -> impl Stream<Item = SendEvent> + Send + 'static
where
    F: FnOnce(Events) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    futures::stream::once(async move {
        let (tx, rx) = mpsc::unbounded_channel();
        drop(tokio::spawn(drive(Events(tx))));
        UnboundedReceiverStream::new(rx)
    })
    .flatten()
}

/// Call the node and follow the payment to the end, marking the entry
/// dispatched meanwhile: the `Dispatched` write and `SendPaymentV2` go at
/// the same time, and `Started` is reported once the write is durable. Only
/// `begin` (the preimage) must be durable before the node sees the payment:
/// a crash before `Dispatched` lands leaves the entry `Pending`, and
/// reconcile asks the node about it by hash like any unfinished entry
/// (TrackPaymentV2), so it is found, never resent blindly.
async fn dispatch(node: &SharedNode, journal: &Journal, entry: JournalEntry, events: &Events) {
    let marking = mark_dispatched(journal, &entry);
    crate::fault::point(crate::fault::BEFORE_DISPATCH);
    let mut updates = node.send(entry.keysend.clone());
    // `Dispatched` is written before any later state, and reported first.
    let mut item = match select(marking, updates.next()).await {
        Either::Left((marked, first)) => {
            started(marked, &entry, events);
            first.await
        }
        Either::Right((first, marking)) => {
            started(marking.await, &entry, events);
            first
        }
    };
    let mut first = true;
    loop {
        match item {
            Some(Ok(update)) => {
                if record(journal, &entry, update, events).await {
                    return;
                }
                if std::mem::take(&mut first) {
                    crate::fault::point(crate::fault::AFTER_DISPATCH);
                }
            }
            Some(Err(error)) if error.is_transient() || error == NodeError::AlreadyPaid => break,
            Some(Err(error)) => return refused(node, journal, &entry, error, events).await,
            None => break,
        }
        item = updates.next().await;
    }
    track_until_final(node, journal, &entry, events).await;
}

/// Write `Dispatched` (fsync'd) in its own task, alongside the node call.
fn mark_dispatched(
    journal: &Journal,
    entry: &JournalEntry,
) -> tokio::task::JoinHandle<Result<JournalEntry, SendError>> {
    let (journal, entry) = (journal.clone(), entry.clone());
    tokio::spawn(
        async move { set_state(&journal, &entry, JournalState::Dispatched, None, None).await },
    )
}

/// Report `Started` once `Dispatched` is written; a failed write is
/// reported too, and the payment (already with the node) is still followed.
fn started(
    marked: Result<Result<JournalEntry, SendError>, tokio::task::JoinError>,
    entry: &JournalEntry,
    events: &Events,
) {
    match marked {
        Ok(Ok(_)) => {}
        Ok(Err(error)) => events.emit(SendEvent::Error(error)),
        Err(_) => events.emit(SendEvent::Error(SendError::Journal(
            super::JournalError::Interrupted,
        ))),
    }
    events.emit(SendEvent::Started {
        intent_id: entry.intent_id.clone(),
        hash: entry.hash(),
    });
}

/// The node refused the send outright. If it has no payment with this hash,
/// nothing was paid: mark the entry failed and report why. If it has one,
/// track it. If it cannot say, report the refusal and leave the entry for
/// reconcile (it stays `Dispatched`).
async fn refused(
    node: &SharedNode,
    journal: &Journal,
    entry: &JournalEntry,
    error: NodeError,
    events: &Events,
) {
    let mut tracked = node.track(entry.hash());
    match tracked.next().await {
        Some(Err(NodeError::NotFound(_))) | None => {
            let failure = Some(PaymentFailure::Error);
            let _ = set_state(journal, entry, JournalState::Failed, failure, None).await;
            events.emit(SendEvent::Error(SendError::Node(error)));
        }
        Some(Ok(_)) => track_until_final(node, journal, entry, events).await,
        Some(Err(other)) if other.is_transient() => {
            track_until_final(node, journal, entry, events).await;
        }
        Some(Err(_)) => events.emit(SendEvent::Error(SendError::Node(error))),
    }
}

/// Track by hash with back-off until final or until the node says it never
/// saw the payment (then `NotSent`). Stops early when nobody listens or the
/// node refuses us for good (not a network problem): the journal keeps the
/// state and reconcile picks it up later.
async fn track_until_final(
    node: &SharedNode,
    journal: &Journal,
    entry: &JournalEntry,
    events: &Events,
) {
    let mut delay = RETRY_FIRST;
    for attempt in 1u32.. {
        let mut updates = node.track(entry.hash());
        let mut progressed = false;
        while let Some(item) = updates.next().await {
            match item {
                Ok(update) => {
                    progressed = true;
                    if record(journal, entry, update, events).await {
                        return;
                    }
                }
                Err(NodeError::NotFound(_)) => return not_sent(journal, entry, events).await,
                Err(error) if error.is_transient() => break,
                Err(error) => return events.emit(SendEvent::Error(SendError::Node(error))),
            }
        }
        if events.closed() {
            return;
        }
        if progressed {
            delay = RETRY_FIRST;
        }
        events.emit(SendEvent::Reconnecting {
            attempt,
            retry_in: delay,
        });
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(RETRY_MAX);
    }
}

/// The node has no such payment: record `NotSent` and offer to send it.
async fn not_sent(journal: &Journal, entry: &JournalEntry, events: &Events) {
    match set_state(journal, entry, JournalState::NotSent, None, None).await {
        Ok(updated) => events.emit(SendEvent::NotSent(updated)),
        Err(error) => events.emit(SendEvent::Error(error)),
    }
}

/// Journal one update and report it. True when it was final.
async fn record(
    journal: &Journal,
    entry: &JournalEntry,
    update: PaymentUpdate,
    events: &Events,
) -> bool {
    let (state, failure, fee) = journal_view(&update.status, update.fee);
    if let Err(error) = set_state(journal, entry, state, failure, fee).await {
        events.emit(SendEvent::Error(error));
    }
    let done = update.status.is_final();
    events.emit(if done {
        SendEvent::Finished(update)
    } else {
        SendEvent::Progress(update)
    });
    done
}

/// The journal state, failure and fee an update stands for.
pub(crate) fn journal_view(
    status: &PaymentStatus,
    fee: Msat,
) -> (JournalState, Option<PaymentFailure>, Option<Msat>) {
    match status {
        PaymentStatus::Initiated | PaymentStatus::InFlight => (JournalState::InFlight, None, None),
        PaymentStatus::Succeeded { .. } => (JournalState::Succeeded, None, Some(fee)),
        PaymentStatus::Failed(reason) => (JournalState::Failed, Some(*reason), None),
    }
}

/// Persist a state change (fsync'd) off the async threads.
async fn set_state(
    journal: &Journal,
    entry: &JournalEntry,
    state: JournalState,
    failure: Option<PaymentFailure>,
    fee: Option<Msat>,
) -> Result<JournalEntry, SendError> {
    let intent = entry.intent_id.clone();
    Ok(journal
        .call(move |j| j.update(&intent, state, failure, fee))
        .await?)
}
