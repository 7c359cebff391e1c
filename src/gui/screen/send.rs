//! The Send screen: recipient (contact type-ahead or pasted pubkey), amount
//! with presets, message with a live byte meter against the onion budget,
//! identity and boostagram toggles, a debounced fee estimate and fee limit,
//! a confirm step above the threshold, then live progress. One composed tip
//! has one wallet intent id and the button is disabled while it is in
//! flight, so Enter + click or a double click can never pay twice.

use std::time::Duration;

use futures::StreamExt;
use iced::widget::text_editor;
use iced::{Element, Task};

use crate::gui::screen::Env;
use crate::gui::screen::send_outcome::{self as outcome, Step};
pub use crate::gui::screen::send_outcome::{Outcome, Sending};
use crate::gui::screen::send_view;
use crate::keysend::onion::Budget;
use crate::keysend::outgoing::Tip;
use crate::keysend::{Msat, NodeId, Preimage, Records};
use crate::node::Balance;
use crate::node::{FeeEstimate, NodeError, NodeInfo, OutgoingKeysend, SharedNode};
use crate::store::Contact;
use crate::wallet::{self as flow, Journal, JournalEntry, JournalState, SendEvent, SendRequest};

/// Quick amounts, in sats.
pub const PRESETS: [u64; 4] = [21, 100, 1_000, 5_000];
/// Wait this long after the last keystroke before estimating the fee.
const DEBOUNCE: Duration = Duration::from_millis(450);
/// Route length assumed for the byte meter before an estimate arrives.
const ASSUMED_HOPS: u32 = 3;
/// How long a payment may search for a route.
const PAY_TIMEOUT: Duration = Duration::from_secs(60);

/// Where the tip stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    Compose,
    /// Above the confirm threshold: waiting for a second click.
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
    pub(super) recipient: String,
    pub(super) amount: String,
    pub(super) message: text_editor::Content,
    pub(super) sign: bool,
    pub(super) boostagram: bool,
    pub(super) fee_limit: String,
    pub(super) fee_limit_edited: bool,
    pub(super) extra: Records,
    pub(super) estimate: Option<Result<FeeEstimate, NodeError>>,
    pub(super) stage: Stage,
    intent_id: String,
    generation: u64,
}

/// Send events.
#[derive(Debug, Clone)]
pub enum Message {
    RecipientChanged(String),
    ContactPicked(u64),
    AmountChanged(String),
    Preset(u64),
    MessageEdited(text_editor::Action),
    SignToggled(bool),
    BoostagramToggled(bool),
    FeeLimitChanged(String),
    EstimateDue(u64),
    Estimated(u64, Result<FeeEstimate, NodeError>),
    Send,
    Cancel,
    Prepared(Result<OutgoingKeysend, String>),
    Event(SendEvent),
    /// The wallet's events ended; the journal's state for this tip then.
    Ended(Result<Option<JournalState>, String>),
    /// After a definite failure: back to the form with everything kept, as a new payment.
    EditAndRetry,
    NewTip,
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
            extra: Records::new(),
            estimate: None,
            stage: Stage::Compose,
            intent_id: new_intent_id(),
            generation: 0,
        }
    }
}

impl Send {
    /// A tip prefilled for a contact ("Tip" on the contacts screen, Ctrl+N).
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
        self.extra = contact
            .extra_records
            .iter()
            .map(|r| (r.key, r.value.bytes()))
            .collect();
    }

    /// The intent id of the tip being composed (one per tip).
    pub fn intent_id(&self) -> &str {
        &self.intent_id
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

    /// Whether the inputs are locked (confirming, preparing, sending).
    pub fn is_locked(&self) -> bool {
        !matches!(self.stage, Stage::Compose)
    }

    /// Handle an event.
    pub fn update(&mut self, message: Message, cx: Context<'_>) -> Action {
        if self.is_locked() && is_edit(&message) {
            return Action::None;
        }
        match message {
            Message::RecipientChanged(value) => self.edited(|s| s.recipient = value),
            Message::ContactPicked(id) => self.pick(id, cx.env),
            Message::AmountChanged(value) => self.edited(|s| s.amount = value),
            Message::Preset(sats) => self.edited(|s| s.amount = sats.to_string()),
            Message::MessageEdited(action) => self.edit_message(action),
            Message::SignToggled(on) => self.edited(|s| s.sign = on),
            Message::BoostagramToggled(on) => self.edited(|s| s.boostagram = on),
            Message::FeeLimitChanged(value) => {
                self.edited(|s| (s.fee_limit, s.fee_limit_edited) = (value, true))
            }
            Message::EstimateDue(generation) => self.estimate_now(generation, &cx),
            Message::Estimated(generation, result) => self.estimated(generation, result),
            Message::Send => self.send(&cx),
            Message::Cancel => self.cancel(),
            Message::Prepared(result) => self.prepared(result, &cx),
            Message::Event(event) => self.event(event),
            Message::Ended(journal) => self.ended(journal),
            Message::EditAndRetry => self.edit_and_retry(),
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
            Message::EstimateDue(generation)
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
        self.intent_id = new_intent_id();
        self.estimate = None;
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

    /// The destination, from a pasted key or a contact name.
    pub fn destination(&self, env: &Env<'_>) -> Result<NodeId, String> {
        let typed = self.recipient.trim();
        if typed.is_empty() {
            return Err("Choose a contact or paste a node public key.".into());
        }
        if let Some(contact) = env
            .contacts
            .contacts()
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(typed))
        {
            return Ok(contact.pubkey);
        }
        typed
            .parse()
            .map_err(|e: crate::keysend::NodeIdError| crate::gui::widget::sentence(&e.to_string()))
    }

    /// The amount typed.
    pub fn amount(&self) -> Result<Msat, String> {
        Msat::parse_sats(&self.amount).map_err(|e| e.to_string())
    }

    /// The fee limit: typed, else the settings default for this amount.
    pub fn fee_limit(&self, env: &Env<'_>) -> Result<Msat, String> {
        if self.fee_limit_edited && !self.fee_limit.trim().is_empty() {
            return Msat::parse_sats(&self.fee_limit).map_err(|e| format!("Fee limit: {e}"));
        }
        Ok(env
            .settings
            .default_fee_limit
            .for_amount(self.amount().unwrap_or(Msat::ZERO)))
    }

    /// The message text (an empty message sends no message record).
    pub fn message_text(&self) -> String {
        self.message.text().trim_end_matches('\n').to_owned()
    }

    fn tip(&self, info: &NodeInfo) -> Tip {
        let message = self.message_text();
        let message = (!message.trim().is_empty()).then_some(message);
        let boostagram = self
            .boostagram
            .then(|| boost(info, message.clone(), self.amount().unwrap_or_default()));
        Tip {
            message: if self.boostagram { None } else { message },
            boostagram,
            identity: None,
            extra: self.extra.clone(),
        }
    }

    /// The onion budget with the current records (identity counted when on).
    pub fn budget(&self, info: &NodeInfo) -> Result<Budget, String> {
        let mut records = self.tip(info).records().map_err(|e| e.to_string())?;
        if self.sign {
            // Sender (33) + timestamp (8) + signature (64), as the identity records will be.
            let _ = records.insert(crate::keysend::record::SENDER_PUBKEY, vec![0; 33]);
            let _ = records.insert(crate::keysend::record::TIMESTAMP, vec![0; 8]);
            let _ = records.insert(crate::keysend::record::SIGNATURE, vec![0; 64]);
        }
        let hops = match &self.estimate {
            Some(Ok(estimate)) => estimate.hops,
            _ => ASSUMED_HOPS,
        };
        Ok(Budget::measure(
            hops,
            self.amount().unwrap_or(Msat::from_sat(1)),
            &records,
        ))
    }

    fn request(&self, cx: &Context<'_>) -> Result<SendRequest, String> {
        let budget = self.budget(cx.info)?;
        if !budget.fits() {
            return Err(format!(
                "The message is {} bytes too long for a {}-hop route. Shorten it; nothing was sent.",
                budget.used - budget.total,
                budget.hops
            ));
        }
        Ok(SendRequest {
            intent_id: self.intent_id.clone(),
            destination: self.destination(cx.env)?,
            amount: self.amount()?,
            tip: self.tip(cx.info),
            sign: self.sign,
            fee_limit: self.fee_limit(cx.env)?,
        })
    }

    fn estimate_now(&mut self, generation: u64, cx: &Context<'_>) -> Action {
        if generation != self.generation {
            return Action::None;
        }
        let (Ok(destination), Ok(amount), Ok(records), Ok(fee_limit)) = (
            self.destination(cx.env),
            self.amount(),
            self.tip(cx.info).records(),
            self.fee_limit(cx.env),
        ) else {
            self.estimate = None;
            return Action::None;
        };
        let probe = OutgoingKeysend {
            destination,
            amount,
            preimage: Preimage::random(),
            records,
            fee_limit,
            timeout: PAY_TIMEOUT,
        };
        Action::Run(Task::perform(cx.node.estimate_fee(&probe), move |r| {
            Message::Estimated(generation, r)
        }))
    }

    fn estimated(&mut self, generation: u64, result: Result<FeeEstimate, NodeError>) -> Action {
        if generation == self.generation {
            self.estimate = Some(result);
        }
        Action::None
    }

    fn send(&mut self, cx: &Context<'_>) -> Action {
        if !matches!(self.stage, Stage::Compose | Stage::Confirm) {
            return Action::None;
        }
        let request = match self.request(cx) {
            Ok(request) => request,
            Err(reason) => return self.refuse(reason),
        };
        if self.stage == Stage::Compose && request.amount > cx.env.settings.confirm_above {
            self.stage = Stage::Confirm;
            return Action::None;
        }
        self.stage = Stage::Preparing;
        let (node, info, balance) = (cx.node.clone(), cx.info.clone(), cx.balance);
        Action::Run(Task::perform(
            async move {
                flow::prepare(&node, &info, request, balance)
                    .await
                    .map_err(|e| e.to_string())
            },
            Message::Prepared,
        ))
    }

    fn refuse(&mut self, reason: String) -> Action {
        self.stage = Stage::Done(Outcome::Failed {
            title: outcome::NOT_SENT_TITLE.into(),
            explanation: reason,
        });
        Action::None
    }

    fn prepared(&mut self, result: Result<OutgoingKeysend, String>, cx: &Context<'_>) -> Action {
        if self.stage != Stage::Preparing {
            return Action::None;
        }
        let keysend = match result {
            Ok(keysend) => keysend,
            Err(reason) => return self.refuse(reason),
        };
        self.stage = Stage::Sending(Sending::new());
        let (journal, intent) = (cx.journal.clone(), self.intent_id.clone());
        let stream = flow::send(cx.node.clone(), journal.clone(), intent.clone(), keysend);
        // The end of the stream is reported too, with what the journal says then.
        let end = async move {
            let state = journal.call(move |j| j.get(&intent)).await;
            Message::Ended(
                state
                    .map(|entry| entry.map(|e| e.state))
                    .map_err(|e| e.to_string()),
            )
        };
        Action::Run(Task::stream(
            stream.map(Message::Event).chain(futures::stream::once(end)),
        ))
    }

    fn event(&mut self, event: SendEvent) -> Action {
        let Stage::Sending(sending) = &mut self.stage else {
            return Action::None;
        };
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
    fn ended(&mut self, journal: Result<Option<JournalState>, String>) -> Action {
        let Stage::Sending(sending) = &self.stage else {
            return Action::None;
        };
        let outcome = sending.ended(journal);
        let retry = outcome.can_retry();
        self.stage = Stage::Done(outcome);
        if retry { Action::None } else { Action::Recheck }
    }

    /// Show the screen.
    pub fn view<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        send_view::view(self, env)
    }
}

/// Events that edit the tip (ignored once it is locked).
fn is_edit(message: &Message) -> bool {
    matches!(
        message,
        Message::RecipientChanged(_)
            | Message::ContactPicked(_)
            | Message::AmountChanged(_)
            | Message::Preset(_)
            | Message::MessageEdited(_)
            | Message::SignToggled(_)
            | Message::BoostagramToggled(_)
            | Message::FeeLimitChanged(_)
    )
}

/// A bLIP-10 boost carrying the message.
fn boost(
    info: &NodeInfo,
    message: Option<String>,
    amount: Msat,
) -> crate::keysend::boostagram::Boostagram {
    crate::keysend::boostagram::Boostagram {
        action: Some("boost".into()),
        app_name: Some("Satchel".into()),
        app_version: Some(env!("CARGO_PKG_VERSION").into()),
        sender_name: Some(info.alias.clone()),
        message,
        value_msat_total: Some(amount.0),
        ..Default::default()
    }
}

/// A fresh random intent id (hex).
fn new_intent_id() -> String {
    Preimage::random().to_hex()[..32].to_owned()
}
