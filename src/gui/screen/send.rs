//! The Send screen: recipient (contact type-ahead or pasted pubkey), amount
//! with presets, message with a live byte meter against the onion budget,
//! identity and boostagram toggles, extra records, a debounced probe of the
//! route and the recipient (one per destination, amount and fee limit, reused
//! when sending), a confirm step above the threshold or for a fee limit above
//! the amount, then live progress. What the form means is a
//! [`wallet::Draft`](crate::wallet::Draft), the use case `satchel send` shares.
//! One composed tip has one intent id; every asynchronous answer names the
//! probe or intent it answers and is dropped when that is no longer current.

mod amp;
mod routes;
pub use amp::AmpGuess;
pub use routes::ProbeFirst;
mod form;
mod outcome;
mod payto;
mod view;

use std::time::Duration;

use futures::StreamExt;
use iced::widget::text_editor;
use iced::{Element, Task};

use crate::gui::screen::Env;
use crate::keysend::Records;
use crate::node::{Balance, NodeInfo, OutgoingKeysend, SharedNode};
use crate::store::Contact;
use crate::wallet::draft::{self, IntentId, Probe};
use crate::wallet::{self as flow, Journal, JournalEntry, JournalError, JournalState, SendError};
use crate::wallet::{SendEvent, prepare_probed};
use form::asks_first;
pub use form::{FormError, NotReady};
use outcome::Step;
pub use outcome::{NOT_SENT_TITLE, Outcome, Sending};

/// Quick amounts, in sats.
pub const PRESETS: [u64; 4] = [21, 100, 1_000, 5_000];
/// Wait this long after the last keystroke before asking the node.
const DEBOUNCE: Duration = Duration::from_millis(450);

/// Where the tip stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    Compose,
    /// Above the confirm threshold, or a fee limit above the amount:
    /// waiting for a second click.
    Confirm,
    /// Signing and checking before dispatch.
    Preparing,
    /// Handed to the wallet: progress and warnings until a final word.
    Sending(Sending),
    /// Finished, refused before sending, not sent, or left to recovery.
    Done(Outcome),
}

/// The Send screen.
pub struct Send {
    recipient: String,
    amount: String,
    message: text_editor::Content,
    sign: bool,
    boostagram: bool,
    fee_limit: String,
    fee_limit_edited: bool,
    /// The contact's records, sent with every tip to them.
    contact_records: Records,
    /// Records for this tip only, typed as `TYPE=HEX, ...`.
    records: String,
    /// The node's answer for the latest probe key (route and graph).
    probe: Option<Probe>,
    stage: Stage,
    intent: IntentId,
    generation: u64,
    /// What an address, lnurl or invoice in "To" resolved to.
    resolved: Option<payto::Resolved>,
    /// The keysend last handed to the wallet (offered again as AMP).
    last_keysend: Option<OutgoingKeysend>,
    /// Its receiver announces AMP (bit 30/31).
    receiver_amp: bool,
    /// Its AMP shards and fee, estimated when it announces AMP.
    amp_estimate: Option<AmpGuess>,
    /// What "Probe first" found (issue 17).
    probe_first: Option<ProbeFirst>,
}

/// Send events.
#[derive(Debug, Clone)]
pub enum Message {
    RecipientChanged(String),
    /// Enter in "To": pick the suggestion, or send a complete form.
    RecipientSubmitted,
    ContactPicked(u64),
    AmountChanged(String),
    Preset(u64),
    MessageEdited(text_editor::Action),
    SignToggled(bool),
    BoostagramToggled(bool),
    FeeLimitChanged(String),
    RecordsChanged(String),
    /// The debounce for edit `generation` ran out.
    ProbeDue(u64),
    /// The node's answer for the key it names.
    Probed(Probe),
    /// What the address, lnurl or invoice `text` resolved to.
    Resolved {
        text: String,
        result: Result<crate::payto::Resolution, crate::payto::ResolveError>,
    },
    Send,
    Cancel,
    /// `prepare` finished for `intent`.
    Prepared {
        intent: IntentId,
        result: Result<OutgoingKeysend, SendError>,
    },
    /// A wallet event for `intent`.
    Event(IntentId, SendEvent),
    /// The wallet's events for `intent` ended; the journal's state then.
    Ended {
        intent: IntentId,
        journal: Result<Option<JournalState>, JournalError>,
    },
    /// After a definite failure: back to the form with everything kept, as a new payment.
    EditAndRetry,
    NewTip,
    /// Whether the receiver of `intent` announces AMP, and if so what the
    /// tip would cost as AMP.
    ReceiverRead {
        intent: IntentId,
        amp: bool,
        estimate: Option<AmpGuess>,
    },
    /// After a failed keysend to a receiver with AMP: send it as AMP.
    SendAsAmp,
    /// Probe the tip's route without paying (a random hash).
    ProbeFirst,
    ProbedFirst(ProbeFirst),
}

/// What the parent must do.
pub enum Action {
    None,
    Run(Task<Message>),
    /// A payment finished: refresh balance and the sent list.
    Finished,
    /// The node never saw the payment: offer it in the recovery card.
    NotSent(JournalEntry),
    /// The outcome is not known here: let the recovery card reconcile it.
    Recheck,
}

/// What sending needs from the session.
pub struct Context<'a> {
    pub node: &'a SharedNode,
    pub info: &'a NodeInfo,
    pub journal: &'a Journal,
    pub balance: Option<Balance>,
    pub env: &'a Env<'a>,
    /// How addresses are resolved (through the node's proxy).
    pub web: &'a crate::web::Web,
}

impl Default for Send {
    fn default() -> Self {
        Self {
            recipient: String::new(),
            amount: String::new(),
            message: text_editor::Content::new(),
            sign: false,
            boostagram: false,
            fee_limit: String::new(),
            fee_limit_edited: false,
            contact_records: Records::new(),
            records: String::new(),
            probe: None,
            stage: Stage::Compose,
            intent: IntentId::new(),
            generation: 0,
            resolved: None,
            last_keysend: None,
            receiver_amp: false,
            amp_estimate: None,
            probe_first: None,
        }
    }
}

impl Send {
    /// A fresh tip for a contact ("Tip" on the contacts screen, Ctrl+N).
    pub fn for_contact(contact: &Contact) -> Self {
        let mut send = Self::default();
        send.fill_contact(contact);
        send
    }

    fn fill_contact(&mut self, contact: &Contact) {
        self.recipient = contact.pubkey.to_hex();
        if let Some(amount) = contact.default_amount {
            self.amount = amount.sats().to_string();
        }
        self.sign = contact.include_identity;
        self.contact_records = contact
            .extra_records
            .iter()
            .map(|r| (r.key, r.value.bytes()))
            .collect();
    }

    /// The intent id of the tip being composed (one per tip).
    pub fn intent_id(&self) -> &IntentId {
        &self.intent
    }

    /// The recipient as typed (a contact name or a public key).
    pub fn recipient_text(&self) -> &str {
        &self.recipient
    }

    /// The fee limit as typed (empty: the settings default).
    pub fn fee_limit_text(&self) -> &str {
        &self.fee_limit
    }

    /// Whether the tip will be signed with the node identity.
    pub fn signs(&self) -> bool {
        self.sign
    }

    /// The current stage.
    pub fn stage(&self) -> &Stage {
        &self.stage
    }

    /// The node's latest answer about the recipient, if it is this form's.
    pub fn probe(&self, env: &Env<'_>) -> Option<&Probe> {
        let key = self.draft(env).ok()?.probe_key();
        self.probe.as_ref().filter(|p| p.key == key)
    }

    /// The node's latest answer about this form's recipient (maybe for an
    /// earlier amount or fee limit: [`Send::probe`] checks that).
    pub fn probed(&self) -> Option<&Probe> {
        self.probe.as_ref()
    }

    /// Whether the inputs are locked (confirming, preparing, sending, done).
    pub fn is_locked(&self) -> bool {
        !matches!(self.stage, Stage::Compose)
    }

    /// Whether a payment is being prepared or followed: the screen must
    /// keep showing it. Any other stage may give way to a fresh form.
    pub fn is_busy(&self) -> bool {
        matches!(self.stage, Stage::Preparing | Stage::Sending(_))
    }

    /// Handle an event.
    pub fn update(&mut self, message: Message, cx: Context<'_>) -> Action {
        if self.is_locked() && is_edit(&message) {
            return Action::None;
        }
        match message {
            Message::RecipientChanged(value) => self.edited(|s| s.recipient = value),
            Message::RecipientSubmitted => self.recipient_submitted(&cx),
            Message::ContactPicked(id) => self.pick(id, cx.env),
            Message::AmountChanged(value) => self.edited(|s| s.amount = value),
            Message::Preset(sats) => self.edited(|s| s.amount = sats.to_string()),
            Message::MessageEdited(action) => self.edit_message(action),
            Message::SignToggled(on) => self.edited(|s| s.sign = on),
            Message::BoostagramToggled(on) => self.edited(|s| s.boostagram = on),
            Message::FeeLimitChanged(value) => {
                self.edited(|s| (s.fee_limit, s.fee_limit_edited) = (value, true))
            }
            Message::RecordsChanged(value) => self.edited(|s| s.records = value),
            Message::ProbeDue(generation) => self.probe_now(generation, &cx),
            Message::Probed(probe) => self.take_probe(probe, cx.env),
            Message::Resolved { text, result } => self.take_resolution(text, result),
            Message::Send => self.send(&cx),
            Message::Cancel => self.cancel(),
            Message::Prepared { intent, result } => self.prepared(intent, result, &cx),
            Message::Event(intent, event) => self.event(&intent, event),
            Message::Ended { intent, journal } => self.ended(&intent, journal),
            Message::EditAndRetry => self.edit_and_retry(),
            Message::ReceiverRead {
                intent,
                amp,
                estimate,
            } => self.receiver_read(&intent, amp, estimate),
            Message::SendAsAmp => self.send_as_amp(&cx),
            Message::ProbeFirst => self.probe_first(&cx),
            Message::ProbedFirst(found) => self.probed_first(found.generation, found.result),
            Message::NewTip => {
                *self = Self::default();
                Action::None
            }
        }
    }

    fn edited(&mut self, change: impl FnOnce(&mut Self)) -> Action {
        change(self);
        self.generation += 1;
        let generation = self.generation;
        let debounce = async { tokio::time::sleep(DEBOUNCE).await };
        Action::Run(Task::perform(debounce, move |()| {
            Message::ProbeDue(generation)
        }))
    }

    fn edit_message(&mut self, action: text_editor::Action) -> Action {
        let is_edit = action.is_edit();
        self.message.perform(action);
        if is_edit {
            self.edited(|_| ())
        } else {
            Action::None
        }
    }

    fn pick(&mut self, id: u64, env: &Env<'_>) -> Action {
        match env.contacts.get(id).cloned() {
            Some(contact) => self.edited(|s| s.fill_contact(&contact)),
            None => Action::None,
        }
    }

    /// Enter in "To": a name that is not a recipient yet picks the first
    /// suggestion; a complete form is sent; otherwise nothing happens.
    fn recipient_submitted(&mut self, cx: &Context<'_>) -> Action {
        if cx.env.contacts.resolve(&self.recipient, false).is_ok() {
            return self.send(cx);
        }
        match self.suggestions(cx.env).first() {
            Some(contact) => {
                let id = contact.id;
                self.pick(id, cx.env)
            }
            None => Action::None,
        }
    }

    /// Back to the form after a definite failure, every field kept, with a
    /// fresh intent id: the journal refuses a reused one as a double submit,
    /// and a retry is a new payment (new preimage and hash), which is right
    /// once nothing was paid. Only after a definite failure: never after
    /// "not sent" (the same hash is offered by recovery) or an unknown end.
    fn edit_and_retry(&mut self) -> Action {
        if !matches!(&self.stage, Stage::Done(outcome) if outcome.can_retry()) {
            return Action::None;
        }
        self.stage = Stage::Compose;
        self.intent = IntentId::new();
        self.edited(|_| ())
    }

    fn cancel(&mut self) -> Action {
        let _ = self.back_to_compose();
        Action::None
    }

    /// Leave the confirm step (Esc); `true` if it was open.
    pub fn back_to_compose(&mut self) -> bool {
        let confirming = self.stage == Stage::Confirm;
        if confirming {
            self.stage = Stage::Compose;
        }
        confirming
    }

    /// Ask the node about the form's destination, amount and fee limit,
    /// unless its answer for that key is already here.
    fn probe_now(&mut self, generation: u64, cx: &Context<'_>) -> Action {
        if generation != self.generation {
            return Action::None;
        }
        if let Some(resolving) = self.resolve_now(cx.env, cx.web) {
            return resolving;
        }
        let Ok(draft) = self.draft(cx.env) else {
            return Action::None;
        };
        let key = draft.probe_key();
        if self.probe.as_ref().is_some_and(|p| p.key == key) {
            return Action::None;
        }
        let node = cx.node.clone();
        Action::Run(Task::perform(
            async move { draft::probe(&node, key).await },
            Message::Probed,
        ))
    }

    /// Keep an answer only if it is for what the form says now.
    fn take_probe(&mut self, probe: Probe, env: &Env<'_>) -> Action {
        let current = self.draft(env).ok().map(|d| d.probe_key());
        if current == Some(probe.key) {
            self.probe = Some(probe);
        }
        Action::None
    }

    fn send(&mut self, cx: &Context<'_>) -> Action {
        if !matches!(self.stage, Stage::Compose | Stage::Confirm) {
            return Action::None;
        }
        if let Some(paying) = self.send_by_invoice(cx) {
            return paying;
        }
        // An incomplete form is not sent (the button is disabled; Enter too).
        let Ok(draft) = self.ready(cx.env) else {
            return Action::None;
        };
        if self.stage == Stage::Compose && asks_first(&draft, cx.env) {
            self.stage = Stage::Confirm;
            return Action::None;
        }
        self.stage = Stage::Preparing;
        let (node, info, balance) = (cx.node.clone(), cx.info.clone(), cx.balance);
        let (request, intent) = (draft.request(&self.intent), self.intent.clone());
        let probe = self.probe.clone().filter(|p| p.key == draft.probe_key());
        Action::Run(Task::perform(
            async move {
                let result = prepare_probed(&node, &info, request, balance, probe.as_ref()).await;
                Message::Prepared { intent, result }
            },
            std::convert::identity,
        ))
    }

    fn refuse(&mut self, reason: &SendError) -> Action {
        self.stage = Stage::Done(Outcome::Failed {
            title: NOT_SENT_TITLE.into(),
            explanation: crate::gui::widget::sentence(&reason.to_string()),
        });
        Action::None
    }

    fn prepared(
        &mut self,
        intent: IntentId,
        result: Result<OutgoingKeysend, SendError>,
        cx: &Context<'_>,
    ) -> Action {
        if self.stage != Stage::Preparing || intent != self.intent {
            return Action::None;
        }
        let keysend = match result {
            Ok(keysend) => keysend,
            Err(reason) => return self.refuse(&reason),
        };
        // A contact's route hints go with the tip (issue 17).
        let keysend = match routes::with_contact_hints(cx, keysend) {
            Ok(keysend) => keysend,
            Err(reason) => {
                let reason = crate::node::NodeError::Invalid(reason);
                return self.refuse(&SendError::Node(reason));
            }
        };
        self.stage = Stage::Sending(Sending::new());
        self.last_keysend = Some(keysend.clone());
        self.receiver_amp = false;
        self.amp_estimate = None;
        let read = Self::read_receiver(cx.node, intent.clone(), &keysend);
        Action::Run(Task::batch([read, journaled(cx, intent, keysend)]))
    }

    fn event(&mut self, intent: &IntentId, event: SendEvent) -> Action {
        let Stage::Sending(sending) = &mut self.stage else {
            return Action::None;
        };
        if *intent != self.intent {
            return Action::None;
        }
        match sending.event(event) {
            Step::Continue => Action::None,
            Step::Done(outcome) => {
                self.stage = Stage::Done(outcome);
                Action::Finished
            }
            Step::NotSent(entry) => {
                self.stage = Stage::Done(Outcome::NotSent);
                Action::NotSent(entry)
            }
        }
    }

    /// The wallet stopped reporting before a final word: a definite refusal
    /// is shown as such; anything else goes to the recovery card to follow.
    fn ended(
        &mut self,
        intent: &IntentId,
        journal: Result<Option<JournalState>, JournalError>,
    ) -> Action {
        let Stage::Sending(sending) = &self.stage else {
            return Action::None;
        };
        if *intent != self.intent {
            return Action::None;
        }
        let outcome = sending.ended(journal.map_err(|e| e.to_string()));
        let retry = outcome.can_retry();
        self.stage = Stage::Done(outcome);
        if retry { Action::None } else { Action::Recheck }
    }

    /// Show the screen.
    pub fn view<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        view::view(self, env)
    }
}

/// Send `keysend` through the journal under `intent`, reporting each event
/// and, at the end of the stream, what the journal says then.
fn journaled(cx: &Context<'_>, intent: IntentId, keysend: OutgoingKeysend) -> Task<Message> {
    let journal = cx.journal.clone();
    let id = String::from(intent.clone());
    let stream = flow::send(cx.node.clone(), journal.clone(), id.clone(), keysend);
    let tagged = intent.clone();
    let end = async move {
        let state = journal.call(move |j| j.get(&id)).await;
        Message::Ended {
            intent,
            journal: state.map(|entry| entry.map(|e| e.state)),
        }
    };
    Task::stream(
        stream
            .map(move |event| Message::Event(tagged.clone(), event))
            .chain(futures::stream::once(end)),
    )
}

/// Events that edit the tip (ignored once it is locked).
fn is_edit(message: &Message) -> bool {
    matches!(
        message,
        Message::RecipientChanged(_)
            | Message::RecipientSubmitted
            | Message::ContactPicked(_)
            | Message::AmountChanged(_)
            | Message::Preset(_)
            | Message::MessageEdited(_)
            | Message::SignToggled(_)
            | Message::BoostagramToggled(_)
            | Message::FeeLimitChanged(_)
            | Message::RecordsChanged(_)
    )
}

#[cfg(test)]
mod tests;
