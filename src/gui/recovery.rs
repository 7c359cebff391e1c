//! Crash recovery: what became of the payments a previous run (or a broken
//! payment stream) left unfinished. On connect the session asks the node
//! about every unfinished journal entry ([`wallet::reconcile`]): the node
//! never saw it (`NOT_FOUND`) → shown as "not sent" with "Send now" (same
//! hash, never resent silently) and "Discard"; still routing → tracked live
//! until final; finished while away → recorded and shown; sent from another
//! node → shown with that node's name and nothing offered (only that node
//! can say whether it was paid). The cards are drawn by
//! [`crate::gui::recovery_view`].

use iced::Task;

use crate::keysend::Msat;
use crate::node::{PaymentStatus, SharedNode};
use crate::wallet::{
    self, Journal, JournalEntry, JournalError, JournalState, Reconciled, SendEvent,
};

/// What is known about one recovered payment.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// The node never saw it; nothing was paid. Waiting for the user.
    NotSent,
    /// "Send now" was pressed; waiting for the node.
    Sending,
    /// The node is routing it.
    InFlight,
    /// "Discard" was pressed; waiting for the journal.
    Discarding,
    /// It went through (now or while Satchel was away).
    Succeeded { fee: Msat },
    /// It failed, or could not be sent; the reason in a sentence.
    Failed(String),
    /// The node could not be asked; the entry is left as it was.
    Unknown(String),
    /// Sent from another node: not judged here; the reason names that node.
    OtherNode(String),
}

/// One recovered payment.
#[derive(Debug, Clone)]
pub struct Item {
    /// The journal entry as last seen.
    pub entry: JournalEntry,
    /// Where it stands.
    pub status: Status,
}

impl Item {
    /// Whether the user must decide something (send, discard or check again).
    pub fn needs_attention(&self) -> bool {
        matches!(self.status, Status::NotSent | Status::Unknown(_))
    }
}

/// The recovered payments of a session.
pub struct Recovery {
    node: SharedNode,
    journal: Journal,
    items: Vec<Item>,
    checking: bool,
    error: Option<String>,
}

/// Recovery events.
#[derive(Debug, Clone)]
pub enum Message {
    /// Reconcile finished (entries, or why the journal could not be read).
    Checked(Result<Vec<Reconciled>, JournalError>),
    /// Send a not-sent payment now, with its journaled hash.
    SendNow(String),
    /// Give up a not-sent payment.
    Discard(String),
    Discarded(String, Result<JournalEntry, JournalError>),
    /// Progress of a payment sent or tracked from here.
    Event(String, SendEvent),
    /// Hide a finished payment.
    Dismiss(String),
    /// Ask the node again.
    Recheck,
}

/// What the session must do.
pub enum Action {
    None,
    Run(Task<Message>),
    /// A payment reached a final state: refresh balance and the sent list.
    Finished,
}

impl Recovery {
    /// Nothing known yet; call [`Recovery::check`].
    pub fn new(node: SharedNode, journal: Journal) -> Self {
        Self {
            node,
            journal,
            items: Vec::new(),
            checking: false,
            error: None,
        }
    }

    /// The payments shown, oldest first.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// How many payments wait for the user.
    pub fn attention(&self) -> usize {
        self.items.iter().filter(|i| i.needs_attention()).count()
    }

    /// Whether reconcile is running.
    pub fn is_checking(&self) -> bool {
        self.checking
    }

    /// Why the journal could not be read, if it could not.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Reconcile every unfinished journal entry with the node.
    pub fn check(&mut self) -> Task<Message> {
        if self.checking {
            return Task::none();
        }
        self.checking = true;
        let (node, journal) = (self.node.clone(), self.journal.clone());
        Task::perform(
            async move { wallet::reconcile(&node, &journal).await },
            Message::Checked,
        )
    }

    /// A payment whose stream ended with "the node never saw it" on the Send
    /// screen: offer it here like one found at start.
    pub fn adopt(&mut self, entry: JournalEntry) {
        self.put(entry, Status::NotSent);
    }

    /// Handle an event.
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Checked(result) => self.checked(result),
            Message::SendNow(intent) => self.send_now(&intent),
            Message::Discard(intent) => self.discard(&intent),
            Message::Discarded(intent, result) => self.discarded(&intent, result),
            Message::Event(intent, event) => self.event(&intent, event),
            Message::Dismiss(intent) => {
                self.items
                    .retain(|i| i.entry.intent_id != intent || !is_settled(&i.status));
                Action::None
            }
            Message::Recheck => Action::Run(self.check()),
        }
    }

    fn checked(&mut self, result: Result<Vec<Reconciled>, JournalError>) -> Action {
        self.checking = false;
        let found = match result {
            Ok(found) => found,
            Err(reason) => {
                self.error = Some(reason.to_string());
                return Action::None;
            }
        };
        self.error = None;
        let mut tasks = Vec::new();
        let mut finished = false;
        for reconciled in found {
            if self.is_busy(&reconciled.entry().intent_id) {
                continue;
            }
            match reconciled {
                Reconciled::NotSent(entry) => self.put(entry, Status::NotSent),
                Reconciled::InFlight(entry) => tasks.push(self.track(entry)),
                Reconciled::Succeeded(entry) => {
                    finished = true;
                    let fee = entry.fee.unwrap_or(Msat::ZERO);
                    self.put(entry, Status::Succeeded { fee });
                }
                Reconciled::Failed(entry) => {
                    finished = true;
                    let reason = failure_text(&entry);
                    self.put(entry, Status::Failed(reason));
                }
                Reconciled::Unknown { entry, error } => {
                    self.put(entry, Status::Unknown(error.to_string()));
                }
                Reconciled::OtherNode { entry, reason } => {
                    let reason = crate::gui::widget::sentence(&reason.to_string());
                    self.put(entry, Status::OtherNode(reason));
                }
            }
        }
        match (tasks.is_empty(), finished) {
            (true, true) => Action::Finished,
            (true, false) => Action::None,
            (false, _) => Action::Run(Task::batch(tasks)),
        }
    }

    /// Being sent or tracked from here already: a re-check must not start a second driver.
    fn is_busy(&self, intent: &str) -> bool {
        self.find(intent).is_some_and(|i| {
            matches!(
                i.status,
                Status::Sending | Status::InFlight | Status::Discarding
            )
        })
    }

    fn track(&mut self, entry: JournalEntry) -> Task<Message> {
        let intent = entry.intent_id.clone();
        self.put(entry.clone(), Status::InFlight);
        let stream = wallet::track_entry(self.node.clone(), self.journal.clone(), entry);
        Task::run(stream, move |event| Message::Event(intent.clone(), event))
    }

    fn send_now(&mut self, intent: &str) -> Action {
        // Only from NotSent: a second click finds it Sending and does nothing.
        let Some(item) = self
            .find_mut(intent)
            .filter(|i| i.status == Status::NotSent)
        else {
            return Action::None;
        };
        item.status = Status::Sending;
        let entry = item.entry.clone();
        let stream = wallet::resend_same(self.node.clone(), self.journal.clone(), entry);
        let intent = intent.to_owned();
        Action::Run(Task::run(stream, move |event| {
            Message::Event(intent.clone(), event)
        }))
    }

    fn discard(&mut self, intent: &str) -> Action {
        let Some(item) = self
            .find_mut(intent)
            .filter(|i| i.status == Status::NotSent)
        else {
            return Action::None;
        };
        item.status = Status::Discarding;
        let entry = item.entry.clone();
        let journal = self.journal.clone();
        let id = intent.to_owned();
        Action::Run(Task::perform(
            async move {
                journal
                    .call(move |j| {
                        j.may_decide(&entry)?;
                        j.update(&id, JournalState::Discarded, None, None)
                    })
                    .await
            },
            {
                let intent = intent.to_owned();
                move |result| Message::Discarded(intent.clone(), result)
            },
        ))
    }

    fn discarded(&mut self, intent: &str, result: Result<JournalEntry, JournalError>) -> Action {
        match result {
            Ok(_) => self.items.retain(|i| i.entry.intent_id != intent),
            Err(reason) => self.set(intent, Status::Unknown(reason.to_string())),
        }
        Action::None
    }

    fn event(&mut self, intent: &str, event: SendEvent) -> Action {
        match event {
            SendEvent::Started { .. } | SendEvent::Reconnecting { .. } => Action::None,
            SendEvent::Progress(_) => {
                self.set(intent, Status::InFlight);
                Action::None
            }
            SendEvent::Finished(update) => {
                let status = match update.status {
                    PaymentStatus::Succeeded { .. } => Status::Succeeded { fee: update.fee },
                    PaymentStatus::Failed(reason) => Status::Failed(reason.explain().into()),
                    _ => Status::InFlight,
                };
                self.set(intent, status);
                Action::Finished
            }
            SendEvent::NotSent(entry) => {
                self.put(entry, Status::NotSent);
                Action::None
            }
            SendEvent::Error(error) => {
                let text = crate::gui::widget::sentence(&error.to_string());
                self.set(intent, Status::Failed(text));
                Action::Finished
            }
        }
    }

    fn find(&self, intent: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.entry.intent_id == intent)
    }

    fn find_mut(&mut self, intent: &str) -> Option<&mut Item> {
        self.items.iter_mut().find(|i| i.entry.intent_id == intent)
    }

    /// Change an item's status; a settled one stays as it is (a late error
    /// from a second driver must not turn a success into a failure).
    fn set(&mut self, intent: &str, status: Status) {
        if let Some(item) = self.find_mut(intent).filter(|i| !is_settled(&i.status)) {
            item.status = status;
        }
    }

    /// Add or replace the item for `entry`.
    fn put(&mut self, entry: JournalEntry, status: Status) {
        match self.find_mut(&entry.intent_id) {
            Some(item) => (item.entry, item.status) = (entry, status),
            None => self.items.push(Item { entry, status }),
        }
    }
}

/// Finished one way or the other (can be dismissed).
fn is_settled(status: &Status) -> bool {
    matches!(status, Status::Succeeded { .. } | Status::Failed(_))
}

/// Why a journaled payment failed, in a sentence.
fn failure_text(entry: &JournalEntry) -> String {
    entry.failure.map_or_else(
        || "The payment failed; nothing was paid.".to_owned(),
        |f| f.explain().to_owned(),
    )
}
