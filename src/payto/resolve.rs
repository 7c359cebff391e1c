//! The use case "what does this recipient resolve to": an address tries its
//! keysend document first, then LNURL-pay; an LNURL is a pay request; an
//! invoice is itself. Also the second LNURL-pay step, asking for the
//! invoice, and what the recipient will see of a message.

use std::time::{SystemTime, UNIX_EPOCH};

use super::address::{Address, Target, TargetError};
use super::bolt11::Invoice;
use super::http::{Client, HttpError};
use super::lnurl::{self, Comment, DocumentError, KeysendTarget, PayRequest};
use crate::keysend::Msat;
use crate::keysend::text::display_safe;

/// How the payment will travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    Keysend,
    LnurlPay,
    Invoice,
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Keysend => "keysend",
            Self::LnurlPay => "LNURL-pay",
            Self::Invoice => "invoice",
        })
    }
}

/// What a recipient resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The provider serves a keysend document.
    Keysend {
        address: Address,
        target: KeysendTarget,
    },
    /// An LNURL-pay request (from an address without keysend, or an LNURL).
    Pay {
        /// The address or LNURL as the user named it.
        name: String,
        request: PayRequest,
        /// Why keysend was not used, when the provider's document was unusable.
        keysend_problem: Option<String>,
    },
    /// A BOLT11 invoice and its text.
    Invoice { invoice: Box<Invoice>, text: String },
}

/// Why a recipient could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error("{0} is not known to its provider (no keysend document, no pay request)")]
    UnknownUser(String),
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error(transparent)]
    Document(#[from] DocumentError),
    #[error("the invoice expired {0} s ago")]
    Expired(u64),
    #[error("this invoice has no amount: say how much to pay")]
    AmountNeeded,
    #[error("this invoice is for {0}; paying another amount is refused")]
    AmountMismatch(Msat),
    #[error(
        "this invoice is for the {currency:?} network (BOLT11 prefix), but your node runs on {network}"
    )]
    WrongNetwork { currency: String, network: String },
}

/// BOLT11 prefixes per LND network name (`bc` mainnet, `tb` testnets,
/// `tbs` signet, `bcrt` regtest, `sb` simnet).
pub fn check_network(invoice: &Invoice, network: &str) -> Result<(), ResolveError> {
    let expected = match network {
        "mainnet" => "bc",
        "testnet" | "testnet3" | "testnet4" => "tb",
        "signet" => "tbs",
        "regtest" => "bcrt",
        "simnet" => "sb",
        _ => return Ok(()),
    };
    match invoice.currency == expected {
        true => Ok(()),
        false => Err(ResolveError::WrongNetwork {
            currency: invoice.currency.clone(),
            network: network.to_owned(),
        }),
    }
}

impl Resolution {
    /// How the payment travels.
    pub fn transport(&self) -> Transport {
        match self {
            Self::Keysend { .. } => Transport::Keysend,
            Self::Pay { .. } => Transport::LnurlPay,
            Self::Invoice { .. } => Transport::Invoice,
        }
    }

    /// What the recipient will see of `message` (comment limits included).
    pub fn shown_message(&self, message: Option<&str>) -> String {
        let message = message.map(str::trim).filter(|m| !m.is_empty());
        match (self, message) {
            (_, None) => "no message".into(),
            (Self::Keysend { .. }, Some(_)) => "your message, in the keysend message record".into(),
            (Self::Pay { request, .. }, Some(text)) => {
                let comment = request.comment(text);
                match (request.comment_allowed, comment.cut) {
                    (0, _) => "nothing: this recipient takes no comment".into(),
                    (_, 0) => "your message, as the payment comment".into(),
                    (limit, cut) => format!(
                        "your message cut to {limit} characters ({cut} left out), as the payment comment"
                    ),
                }
            }
            (Self::Invoice { .. }, Some(_)) => "nothing: an invoice carries no message".into(),
        }
    }
}

/// Resolve `target`; invoices need no web request.
pub async fn resolve(client: &Client, target: &Target) -> Result<Resolution, ResolveError> {
    match target {
        Target::Invoice(invoice, text) => Ok(Resolution::Invoice {
            invoice: invoice.clone(),
            text: text.clone(),
        }),
        Target::Lnurl(url) => {
            let body = client.get(url).await?;
            Ok(Resolution::Pay {
                name: display_safe(url, 120),
                request: lnurl::pay_request(&body)?,
                keysend_problem: None,
            })
        }
        Target::Address(address) => resolve_address(client, address).await,
    }
}

/// Keysend document first; LNURL-pay when there is none or it is unusable.
async fn resolve_address(client: &Client, address: &Address) -> Result<Resolution, ResolveError> {
    let keysend_error: Option<ResolveError> = match client.get(&address.keysend_url()).await {
        Ok(body) => match lnurl::keysend_document(&body) {
            Ok(target) => {
                return Ok(Resolution::Keysend {
                    address: address.clone(),
                    target,
                });
            }
            Err(err) => Some(err.into()),
        },
        Err(err) if err.is_not_found() => None,
        Err(err) => Some(err.into()),
    };
    let body = match client.get(&address.lnurlp_url()).await {
        Ok(body) => body,
        // No pay request either: the keysend document's problem is the news.
        Err(err) if err.is_not_found() => {
            return Err(
                keysend_error.unwrap_or_else(|| ResolveError::UnknownUser(address.to_string()))
            );
        }
        Err(err) => return Err(err.into()),
    };
    let request = lnurl::pay_request(&body)?;
    Ok(Resolution::Pay {
        name: address.to_string(),
        request,
        keysend_problem: keysend_error.map(|e| e.to_string()),
    })
}

/// The LNURL-pay second step: check the amount, cut the comment, ask for the
/// invoice and check it. Returns the invoice, its text and the comment sent.
pub async fn request_invoice(
    client: &Client,
    request: &PayRequest,
    amount: Msat,
    message: Option<&str>,
) -> Result<(Invoice, String, Comment), ResolveError> {
    request.check_amount(amount)?;
    let comment = request.comment(message.map(str::trim).unwrap_or(""));
    let url = request.callback_url(amount, &comment.text)?;
    let body = client.get(&url).await?;
    let (invoice, text) = request.invoice(&body, amount)?;
    let _ = check_payable(&invoice, Some(amount), now())?;
    Ok((invoice, text, comment))
}

/// The amount to pay `invoice`: its own, or `typed` for a zero-amount one;
/// refused when expired at `now` or when `typed` differs from its amount.
pub fn check_payable(
    invoice: &Invoice,
    typed: Option<Msat>,
    now: u64,
) -> Result<Msat, ResolveError> {
    if invoice.is_expired(now) {
        return Err(ResolveError::Expired(now - invoice.expires_at()));
    }
    match (invoice.amount, typed) {
        (Some(own), Some(typed)) if own != typed => Err(ResolveError::AmountMismatch(own)),
        (Some(own), _) => Ok(own),
        (None, Some(typed)) if typed > Msat::ZERO => Ok(typed),
        (None, _) => Err(ResolveError::AmountNeeded),
    }
}

/// Unix seconds now.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
