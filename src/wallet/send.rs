//! The send flow: journal first, then the node, then the journal again on
//! every update. A broken stream falls back to tracking by hash with back-off,
//! so a payment is never left in an unknown state (research notes §2.9).
//! "Not sent" needs a confirmed NOT_FOUND (see [`Journal::confirm_not_found`]).

#[path = "send_track.rs"]
mod track;

use std::time::Duration;

use futures::future::{Either, select};
use futures::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;

use super::journal_state::JournalState;
use super::{Journal, JournalEntry, JournalError, SendError};
use crate::keysend::{Msat, PaymentHash};
use crate::node::{
    NodeError, NodeStream, OutgoingKeysend, PaymentFailure, PaymentStatus, PaymentUpdate,
    SharedNode,
};
use track::{AfterRefusal, after_refusal};

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
    spawn_driver(node, journal, move |driver| async move {
        let begin = {
            let (intent, keysend) = (intent_id.clone(), keysend.clone());
            driver
                .journal
                .call(move |j| j.begin(&intent, &keysend))
                .await
        };
        match begin {
            Ok(entry) => driver.dispatch(entry).await,
            Err(error) => driver.events.emit(SendEvent::Error(error.into())),
        }
    })
}

/// Send a `NotSent` entry again with the same preimage and hash (the node
/// never saw it, so this is its first and only payment). Refused for any
/// other state: a preimage whose payment succeeded is never reused. The node
/// is asked first: a payment it knows by now is followed, never sent again;
/// when it cannot answer, nothing is sent. The entry is claimed (`NotSent`
/// to `Dispatched`, atomically) before the call, so two resends of one entry
/// (two clicks, two processes) send it once.
pub fn resend_same(
    node: SharedNode,
    journal: Journal,
    entry: JournalEntry,
) -> impl Stream<Item = SendEvent> + Send + 'static {
    spawn_driver(node, journal, move |driver| async move {
        let intent = entry.intent_id.clone();
        let current = driver.journal.call(move |j| j.get(&intent)).await;
        match current {
            Ok(Some(current)) if current.state == JournalState::NotSent => {
                match driver.journal.may_decide(&current) {
                    Ok(()) => driver.resend(current).await,
                    Err(elsewhere) => driver.emit_error(elsewhere.into()),
                }
            }
            Ok(Some(current)) => driver.emit_not_resendable(current.intent_id, current.state),
            Ok(None) => driver.emit_error(JournalError::NotFound(entry.intent_id).into()),
            Err(error) => driver.emit_error(error.into()),
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
    spawn_driver(node, journal, move |driver| async move {
        driver.track_until_final(&entry).await;
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

/// What one send task works with.
struct Driver {
    node: SharedNode,
    journal: Journal,
    events: Events,
}

/// Start `drive` in a tokio task when the stream is first polled (so the
/// stream can be built outside a runtime) and yield what it emits.
fn spawn_driver<F, Fut>(
    node: SharedNode,
    journal: Journal,
    drive: F,
) -> impl Stream<Item = SendEvent> + Send + 'static
where
    F: FnOnce(Driver) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    futures::stream::once(async move {
        let (tx, rx) = mpsc::unbounded_channel();
        let driver = Driver {
            node,
            journal,
            events: Events(tx),
        };
        drop(tokio::spawn(drive(driver)));
        UnboundedReceiverStream::new(rx)
    })
    .flatten()
}

impl Driver {
    /// Report an error to the listener.
    fn emit_error(&self, error: SendError) {
        self.events.emit(SendEvent::Error(error));
    }

    /// Report that the entry is in `state`, so it cannot be resent.
    fn emit_not_resendable(&self, intent_id: String, state: JournalState) {
        self.emit_error(SendError::NotResendable { intent_id, state });
    }

    /// Call the node and follow the payment to the end, marking the entry
    /// dispatched meanwhile: the `Dispatched` write and `SendPaymentV2` go at
    /// the same time, and `Started` is reported once the write is durable.
    /// Only `begin` (the preimage) must be durable before the node sees the
    /// payment. So `Pending` does not prove the node never saw it: reconcile
    /// confirms a NOT_FOUND for `Pending` entries as for `Dispatched` ones.
    async fn dispatch(&self, entry: JournalEntry) {
        let marking = mark_dispatched(&self.journal, &entry);
        crate::fault::point(crate::fault::BEFORE_DISPATCH);
        let mut updates = self.node.send(entry.keysend.clone());
        if entry.keysend.awaits_set_id() {
            // Issue 17: an AMP payment is named by the node's first answer.
            let (marked, first) = futures::join!(marking, updates.next());
            let entry = self.identified(entry, first.as_ref()).await;
            self.started(flatten(marked), &entry);
            return self.follow_sent(&entry, first, updates).await;
        }
        // `Dispatched` is written before any later state, and reported first.
        let first = match select(marking, updates.next()).await {
            Either::Left((marked, first)) => {
                self.started(flatten(marked), &entry);
                first.await
            }
            Either::Right((first, marking)) => {
                self.started(flatten(marking.await), &entry);
                first
            }
        };
        self.follow_sent(&entry, first, updates).await;
    }

    /// Ask the node about a `NotSent` entry, then claim and send it if the
    /// node still has no such payment (see [`resend_same`]).
    async fn resend(&self, entry: JournalEntry) {
        // An AMP entry is first looked up by its payment address (issue 17).
        let entry = match super::routed::locate(&self.node, &self.journal, entry).await {
            Ok(entry) => entry,
            Err(error) => return self.emit_error(error.into()),
        };
        // LND: TrackPaymentV2 answers NOT_FOUND for a hash it never saw.
        match self.node.track(entry.hash()).next().await {
            Some(Err(NodeError::NotFound(_))) => {}
            Some(Ok(update)) => {
                if !self.record(&entry, update).await {
                    self.track_until_final(&entry).await;
                }
                return;
            }
            Some(Err(error)) => return self.emit_error(error.into()),
            None => return self.emit_error(ended_without_state().into()),
        }
        let intent = entry.intent_id.clone();
        let claimed = self
            .journal
            .call(move |j| j.update_from(&intent, JournalState::NotSent, JournalState::Dispatched))
            .await;
        match claimed {
            Ok(claimed) => {
                let mut updates = self.node.send(claimed.keysend.clone());
                let first = updates.next().await;
                let claimed = self.identified(claimed, first.as_ref()).await;
                self.report_started(&claimed);
                self.follow_sent(&claimed, first, updates).await;
            }
            Err(JournalError::InvalidTransition { from, .. }) => {
                self.emit_not_resendable(entry.intent_id, from);
            }
            Err(error) => self.emit_error(error.into()),
        }
    }

    /// An AMP entry whose set id is not known yet, with the one the node's
    /// `first` answer names, written down before anything else. Any other
    /// entry comes back as it is.
    async fn identified(
        &self,
        entry: JournalEntry,
        first: Option<&Result<PaymentUpdate, NodeError>>,
    ) -> JournalEntry {
        let Some(Ok(update)) = first else {
            return entry;
        };
        if !entry.keysend.awaits_set_id() {
            return entry;
        }
        let (intent, set_id) = (entry.intent_id.clone(), update.hash);
        match self
            .journal
            .call(move |j| j.identify(&intent, set_id))
            .await
        {
            Ok(named) => named,
            Err(error) => {
                self.emit_error(error.into());
                JournalEntry {
                    keysend: entry.keysend.clone().identified(set_id),
                    ..entry
                }
            }
        }
    }

    /// Follow the `SendPaymentV2` stream from its `first` item; a broken
    /// stream falls back to tracking by hash.
    async fn follow_sent(
        &self,
        entry: &JournalEntry,
        mut item: Option<Result<PaymentUpdate, NodeError>>,
        mut updates: NodeStream<PaymentUpdate>,
    ) {
        let mut first = true;
        loop {
            match item {
                Some(Ok(update)) => {
                    if self.record(entry, update).await {
                        return;
                    }
                    if std::mem::take(&mut first) {
                        crate::fault::point(crate::fault::AFTER_DISPATCH);
                    }
                }
                Some(Err(error)) if error.is_transient() || error == NodeError::AlreadyPaid => {
                    break;
                }
                Some(Err(error)) => return self.refused(entry, error).await,
                None => break,
            }
            item = updates.next().await;
        }
        self.track_until_final(entry).await;
    }

    /// Report `Started` once `Dispatched` is written; a failed write is
    /// reported too, and the payment (already with the node) is still followed.
    fn started(&self, marked: Result<JournalEntry, SendError>, entry: &JournalEntry) {
        if let Err(error) = marked {
            self.emit_error(error);
        }
        self.report_started(entry);
    }

    /// Report that the payment went to the node.
    fn report_started(&self, entry: &JournalEntry) {
        self.events.emit(SendEvent::Started {
            intent_id: entry.intent_id.clone(),
            hash: entry.hash(),
        });
    }

    /// The node refused the send outright; what it says about the hash
    /// decides what follows ([`after_refusal`]). Unless the payment is
    /// followed, the refusal is reported.
    async fn refused(&self, entry: &JournalEntry, error: NodeError) {
        let first = self.node.track(entry.hash()).next().await;
        match after_refusal(&error, first.as_ref()) {
            AfterRefusal::Failed => {
                let failure = Some(PaymentFailure::Error);
                let _ = self
                    .set_state(entry, JournalState::Failed, failure, None)
                    .await;
                self.emit_error(error.into());
            }
            AfterRefusal::Track => self.track_until_final(entry).await,
            AfterRefusal::Leave => self.emit_error(error.into()),
        }
    }

    /// Journal one update and report it. True when it was final.
    async fn record(&self, entry: &JournalEntry, update: PaymentUpdate) -> bool {
        let (state, failure, fee) = journal_view(&update.status, update.fee);
        if let Err(error) = self.set_state(entry, state, failure, fee).await {
            self.emit_error(error);
        }
        let done = update.status.is_final();
        self.events.emit(if done {
            SendEvent::Finished(update)
        } else {
            SendEvent::Progress(update)
        });
        done
    }

    /// Persist a state change (fsync'd) off the async threads.
    async fn set_state(
        &self,
        entry: &JournalEntry,
        state: JournalState,
        failure: Option<PaymentFailure>,
        fee: Option<Msat>,
    ) -> Result<JournalEntry, SendError> {
        let intent = entry.intent_id.clone();
        Ok(self
            .journal
            .call(move |j| j.update(&intent, state, failure, fee))
            .await?)
    }
}

/// Write `Dispatched` (fsync'd) in its own task, alongside the node call.
fn mark_dispatched(
    journal: &Journal,
    entry: &JournalEntry,
) -> tokio::task::JoinHandle<Result<JournalEntry, SendError>> {
    let (journal, intent) = (journal.clone(), entry.intent_id.clone());
    tokio::spawn(async move {
        let dispatched = JournalState::Dispatched;
        Ok(journal
            .call(move |j| j.update(&intent, dispatched, None, None))
            .await?)
    })
}

/// A join result as a send result: a task that died is an interrupted write.
fn flatten(
    marked: Result<Result<JournalEntry, SendError>, tokio::task::JoinError>,
) -> Result<JournalEntry, SendError> {
    marked.unwrap_or(Err(SendError::Journal(JournalError::Interrupted)))
}

/// The error for a tracking stream that ended without a state.
pub(crate) fn ended_without_state() -> NodeError {
    NodeError::Other("the node ended the payment stream without a state".into())
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
