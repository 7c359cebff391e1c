//! The Send screen's "To" as a Lightning Address, lnurl or invoice: the
//! resolution is asked for after the usual debounce and kept only for the
//! text it answers; a keysend address becomes the draft's destination (with
//! the provider's records); an LNURL-pay address or an invoice is paid by
//! invoice through the same journal and progress as a keysend. A contact
//! saved with an address is resolved again the same way, and a changed (or
//! unresolvable) address is said before paying ([`payto::contact_now`]).

use iced::Element;
use iced::Task;
use iced::widget::{column, text};

use super::{Action, Context, FormError, Message, Send, Stage};
use crate::gui::screen::Env;
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::widget;
use crate::keysend::{Msat, NodeId, Records};
use crate::node::{NodeError, OutgoingKeysend};
use crate::payto::resolve::now;
use crate::payto::{self, Client, Resolution, ResolveError, Shown, Target};
use crate::store::Contact;
use crate::wallet::{FeeRule, SEND_TIMEOUT, SendError};
use crate::web::Web;

/// The answer for one typed recipient.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The "To" text it answers.
    pub text: String,
    /// `None` while the request runs.
    pub result: Option<Result<Resolution, ResolveError>>,
}

impl Send {
    /// The "To" text as an address, lnurl or invoice, when it is one, or
    /// the address of the contact it names.
    pub(super) fn target(&self, env: &Env<'_>) -> Option<Result<Target, payto::TargetError>> {
        if let Some(typed) = Target::parse(&self.recipient) {
            return Some(typed);
        }
        Target::parse(self.addressed_contact(env)?.address.as_deref()?)
    }

    /// The contact "To" names (by name or key) when it was saved with an address.
    pub(super) fn addressed_contact<'e>(&self, env: &Env<'e>) -> Option<&'e Contact> {
        let found = env.contacts.resolve(&self.recipient, false).ok()?;
        found.contact.filter(|c| c.address.is_some())
    }

    /// Where a tip to the addressed contact goes now, once its address answered.
    fn contact_now(&self, env: &Env<'_>) -> Option<payto::ContactNow> {
        let contact = self.addressed_contact(env)?;
        let address = contact.address.as_deref()?;
        Some(payto::contact_now(
            address,
            contact.pubkey,
            self.resolution()?,
        ))
    }

    /// The resolution for what "To" says now.
    pub(super) fn resolution(&self) -> Option<&Result<Resolution, ResolveError>> {
        self.resolved
            .as_ref()
            .filter(|r| r.text == self.recipient)
            .and_then(|r| r.result.as_ref())
    }

    /// Ask for the resolution of "To" when it is an address and not asked
    /// yet; `None` when "To" is not ours or already answered (the probe
    /// goes ahead).
    pub(super) fn resolve_now(&mut self, env: &Env<'_>, web: &Web) -> Option<Action> {
        let target = self.target(env)?.ok()?;
        match self.resolved.as_ref().filter(|r| r.text == self.recipient) {
            Some(Resolved { result: None, .. }) => return Some(Action::None),
            Some(_) => return None,
            None => {}
        }
        let text = self.recipient.clone();
        self.resolved = Some(Resolved {
            text: text.clone(),
            result: None,
        });
        let web = web.clone();
        let task = async move {
            let result = match Client::new(&web) {
                Ok(client) => payto::resolve(&client, &target).await,
                Err(err) => Err(err.into()),
            };
            Message::Resolved { text, result }
        };
        Some(Action::Run(Task::perform(task, std::convert::identity)))
    }

    /// Keep an answer only for the text "To" still holds.
    pub(super) fn take_resolution(
        &mut self,
        text: String,
        result: Result<Resolution, ResolveError>,
    ) -> Action {
        if text != self.recipient {
            return Action::None;
        }
        self.resolved = Some(Resolved {
            text,
            result: Some(result),
        });
        // A keysend destination is known now: probe its route.
        let generation = self.generation;
        Action::Run(Task::done(Message::ProbeDue(generation)))
    }

    /// The draft's destination and the provider's records: a keysend
    /// address, else a contact or key.
    pub(super) fn destination(&self, env: &Env<'_>) -> Result<(NodeId, Records), FormError> {
        let Some(target) = self.target(env) else {
            return Ok((
                env.contacts.resolve(&self.recipient, false)?.id,
                Records::new(),
            ));
        };
        let _ = target.map_err(|e| FormError::Payto(e.to_string()))?;
        if let Some(now) = self.contact_now(env) {
            return Ok((now.pubkey, now.records));
        }
        match self.resolution() {
            None => Err(FormError::Payto("looking it up…".into())),
            Some(Err(err)) => Err(FormError::Payto(err.to_string())),
            Some(Ok(Resolution::Keysend { target, .. })) => {
                Ok((target.pubkey, target.records.clone()))
            }
            Some(Ok(_)) => Err(FormError::ByInvoice),
        }
    }

    /// The amount an invoice or LNURL-pay payment would take, when "To"
    /// resolved to one and the form allows it.
    pub(super) fn invoice_amount(&self) -> Option<Result<Msat, String>> {
        let typed = self.amount().ok();
        match self.resolution()? {
            Ok(Resolution::Invoice { invoice, .. }) => {
                Some(payto::check_payable(invoice, typed, now()).map_err(|e| e.to_string()))
            }
            Ok(Resolution::Pay { request, .. }) => Some(
                typed
                    .ok_or_else(|| "say how many sats".to_owned())
                    .and_then(|a| {
                        request
                            .check_amount(a)
                            .map(|()| a)
                            .map_err(|e| e.to_string())
                    }),
            ),
            _ => None,
        }
    }

    /// "Send" for an invoice or an LNURL-pay address: get (and check) the
    /// invoice, then hand it to the usual prepared step.
    pub(super) fn send_by_invoice(&mut self, cx: &Context<'_>) -> Option<Action> {
        let amount = self.invoice_amount()?.ok()?;
        let resolution = self.resolution()?.as_ref().ok()?.clone();
        let network = cx.info.network.name().to_owned();
        let message = Some(self.message_text()).filter(|m| !m.trim().is_empty());
        // Above the threshold: a second click first, as for a keysend.
        if self.stage == Stage::Compose && amount > cx.env.settings.confirm_above {
            self.stage = Stage::Confirm;
            return Some(Action::None);
        }
        let (fee_limit, _) = FeeRule::fee_limit(None, cx.env.settings.default_fee_limit, amount);
        self.stage = Stage::Preparing;
        let intent = self.intent.clone();
        let web = cx.web.clone();
        let task = async move {
            let result =
                invoice_keysend(resolution, amount, message, fee_limit, &network, &web).await;
            Message::Prepared { intent, result }
        };
        Some(Action::Run(Task::perform(task, std::convert::identity)))
    }
}

/// The invoice to pay, as the journal keeps it.
async fn invoice_keysend(
    resolution: Resolution,
    amount: Msat,
    message: Option<String>,
    fee_limit: Msat,
    network: &str,
    web: &Web,
) -> Result<OutgoingKeysend, SendError> {
    let refuse = |err: ResolveError| SendError::Node(NodeError::Other(err.to_string()));
    let (invoice, text) = match resolution {
        Resolution::Invoice { invoice, text } => (*invoice, text),
        Resolution::Pay { request, .. } => {
            let client = Client::new(web).map_err(|e| refuse(e.into()))?;
            let (invoice, text, _) =
                payto::request_invoice(&client, &request, amount, message.as_deref())
                    .await
                    .map_err(refuse)?;
            (invoice, text)
        }
        Resolution::Keysend { .. } => {
            return Err(refuse(ResolveError::AmountNeeded));
        }
    };
    payto::resolve::check_network(&invoice, network).map_err(refuse)?;
    Ok(OutgoingKeysend::pay_invoice(
        &invoice,
        &text,
        amount,
        fee_limit,
        SEND_TIMEOUT,
    ))
}

/// What "To" resolved to: transport, recipient, limits, invoice details and
/// what the recipient will see.
pub(super) fn card<'a>(send: &'a Send, env: &Env<'_>) -> Option<Element<'a, Message>> {
    if let Err(err) = send.target(env)? {
        return Some(danger(err.to_string()));
    }
    // A contact's address that does not answer falls back to the saved key.
    let warning = send.contact_now(env).and_then(|now| now.warning);
    let resolution = match send.resolution() {
        None => return Some(widget::caption("Looking up the address…").into()),
        Some(Err(err)) => return Some(warning.map_or_else(|| danger(err.to_string()), warn)),
        Some(Ok(resolution)) => resolution,
    };
    let shown = Shown::of(resolution);
    let mut col = column![].spacing(gap::XS);
    for (label, value) in shown.lines(now()) {
        col = col.push(widget::caption(format!("{label}: {value}")));
    }
    let message = send.message_text();
    let seen = resolution.shown_message(Some(message.as_str()));
    col = col.push(widget::caption(format!("They see: {seen}")));
    if let Some(Err(why)) = send.invoice_amount() {
        col = col.push(warn(widget::sentence(&why)));
    }
    if let Some(warning) = warning {
        col = col.push(warn(warning));
    }
    Some(col.into())
}

/// A warning as written (a contact's address starts it: no capital).
fn warn<'a>(reason: String) -> Element<'a, Message> {
    text(reason)
        .size(size::SMALL)
        .style(theme::toned(Tone::Warning))
        .into()
}

fn danger<'a>(reason: String) -> Element<'a, Message> {
    text(widget::sentence(&reason))
        .size(size::SMALL)
        .style(theme::toned(Tone::Danger))
        .into()
}

/// The second click for an invoice or LNURL-pay payment above the
/// confirmation threshold.
pub(super) fn confirm<'a>(
    send: &'a Send,
    env: &crate::gui::screen::Env<'a>,
) -> Option<Element<'a, Message>> {
    let amount = send.invoice_amount()?.ok()?;
    let resolution = send.resolution()?.as_ref().ok()?;
    let shown = Shown::of(resolution);
    let mut details = column![].spacing(gap::XS);
    for (label, value) in shown.lines(now()) {
        details = details.push(widget::caption(format!("{label}: {value}")));
    }
    Some(
        column![
            widget::notice(
                Tone::Warning,
                format!(
                    "Pay {}?",
                    crate::gui::format::amount(amount, env.settings.unit)
                ),
                "This is above your confirmation threshold.".to_owned()
            ),
            details,
            iced::widget::row![
                widget::primary("Confirm and send", Some(Message::Send)),
                widget::secondary("Back", Some(Message::Cancel))
            ]
            .spacing(gap::S),
        ]
        .spacing(gap::M)
        .into(),
    )
}
