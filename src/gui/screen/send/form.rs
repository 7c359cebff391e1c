//! What the Send form means: its fields read as a [`Draft`] (or the field
//! that is wrong), the contact suggestions under "To", the onion budget, and
//! whether "Send" may be pressed and must ask first.

use super::Send;
use crate::gui::screen::Env;
use crate::keysend::onion::Budget;
use crate::keysend::outgoing::Tip;
use crate::keysend::record::{AssignmentError, parse_assignments};
use crate::keysend::{AmountError, Msat, Records};
use crate::node::NodeInfo;
use crate::store::{Contact, ResolveError};
use crate::wallet::SendError;
use crate::wallet::draft::{Draft, FeeRule};

/// Why the form is not a tip yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error(transparent)]
    Recipient(#[from] ResolveError),
    #[error(transparent)]
    Amount(#[from] AmountError),
    #[error("fee limit: {0}")]
    FeeLimit(AmountError),
    #[error("extra records: {0}")]
    Records(#[from] AssignmentError),
    /// An address, lnurl or invoice that is not (yet) a keysend.
    #[error("{0}")]
    Payto(String),
    #[error("paid by invoice")]
    ByInvoice,
}

/// Why "Send" is disabled: a field, or the tip as a whole (records that
/// cannot be sent, or too large for the onion).
#[derive(Debug, Clone, thiserror::Error)]
pub enum NotReady {
    #[error(transparent)]
    Form(#[from] FormError),
    #[error(transparent)]
    Tip(#[from] SendError),
}

impl Send {
    /// Contacts matching what is typed in "To" (none once it names one).
    pub fn suggestions<'e>(&self, env: &Env<'e>) -> Vec<&'e Contact> {
        let typed = self.recipient.trim();
        if typed.is_empty() || env.contacts.resolve(typed, false).is_ok() {
            return Vec::new();
        }
        env.contacts.search(typed)
    }

    /// The amount typed.
    pub fn amount(&self) -> Result<Msat, AmountError> {
        Msat::parse_sats(&self.amount)
    }

    /// The message text (an empty message sends no message record).
    pub fn message_text(&self) -> String {
        self.message.text().trim_end_matches('\n').to_owned()
    }

    /// What the form means, or the first field that is not right.
    pub fn draft(&self, env: &Env<'_>) -> Result<Draft, FormError> {
        let (destination, provided) = self.destination(env)?;
        let amount = self.amount()?;
        let typed = (self.fee_limit_edited && !self.fee_limit.trim().is_empty())
            .then(|| Msat::parse_sats(&self.fee_limit).map_err(FormError::FeeLimit))
            .transpose()?;
        let (fee_limit, fee_rule) =
            FeeRule::fee_limit(typed, env.settings.default_fee_limit, amount);
        Ok(Draft {
            destination,
            amount,
            tip: self.tip(env.info, amount, provided)?,
            sign: self.sign,
            fee_limit,
            fee_rule,
        })
    }

    /// Message, boostagram and records: the contact's, then this tip's.
    fn tip(&self, info: &NodeInfo, amount: Msat, provided: Records) -> Result<Tip, FormError> {
        let mut extra = self.contact_records.clone();
        extra.extend(provided);
        extra.extend(parse_assignments(&self.records)?);
        let message = self.message_text();
        let message = (!message.trim().is_empty()).then_some(message);
        let boostagram = self
            .boostagram
            .then(|| boost(info, message.clone(), amount));
        Ok(Tip {
            message: if self.boostagram { None } else { message },
            boostagram,
            identity: None,
            extra,
        })
    }

    /// The onion budget of the form as it is (for the byte meter), over the
    /// probed route or the assumed one.
    pub fn budget(&self, env: &Env<'_>) -> Result<Budget, NotReady> {
        let draft = self.draft(env)?;
        Ok(draft.budget(self.probe.as_ref())?)
    }

    /// A complete tip that fits the onion: what "Send" needs.
    pub fn ready(&self, env: &Env<'_>) -> Result<Draft, NotReady> {
        let draft = self.draft(env)?;
        draft.check(self.probe.as_ref())?;
        Ok(draft)
    }
}

/// Ask before sending: above the confirm threshold, or a fee limit above
/// the amount (the tip could cost more in fees than it gives).
pub(super) fn asks_first(draft: &Draft, env: &Env<'_>) -> bool {
    draft.amount > env.settings.confirm_above || draft.fee_above_amount()
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
