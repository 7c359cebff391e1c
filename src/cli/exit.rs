//! Exit codes (one per kind of failure) and the CLI's error type, which
//! knows its exit code and the next step to suggest.

use std::borrow::Cow;
use std::path::PathBuf;
use std::process::ExitCode;

use super::report::sats;
pub use super::trusted::Trusted;
use crate::keysend::{AmountError, Msat, NodeIdError};
use crate::lnd::LndConnectError;
use crate::node::{NodeError, PaymentFailure};
use crate::sim::SimError;
use crate::store::StoreError;
use crate::wallet::{IndexError, JournalError, SendError};

/// Kinds of outcome, each with its own process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitKind {
    Ok,
    Other,
    Usage,
    Connect,
    Permission,
    PaymentFailed,
    LocalFile,
}

/// The exit code table: code, kind, meaning. `--help` prints the same.
pub const EXIT_CODES: &[(u8, ExitKind, &str)] = &[
    (0, ExitKind::Ok, "success"),
    (1, ExitKind::Other, "other error"),
    (
        2,
        ExitKind::Usage,
        "usage or bad input (bad pubkey, bad amount, unknown contact)",
    ),
    (
        3,
        ExitKind::Connect,
        "cannot connect to the node (unreachable, certificate, macaroon)",
    ),
    (
        4,
        ExitKind::Permission,
        "permission denied (the macaroon lacks a permission)",
    ),
    (
        5,
        ExitKind::PaymentFailed,
        "payment failed (keysend refused, no route, insufficient balance...)",
    ),
    (
        6,
        ExitKind::LocalFile,
        "local file error (settings, contacts, index, journal)",
    ),
];

/// The same table as text, for `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  other error
  2  usage or bad input (bad pubkey, bad amount, unknown contact)
  3  cannot connect to the node (unreachable, certificate, macaroon)
  4  permission denied (the macaroon lacks a permission)
  5  payment failed (keysend refused, no route, insufficient balance...)
  6  local file error (settings, contacts, index, journal)";

impl ExitKind {
    /// The process exit code of this kind.
    pub fn code(self) -> u8 {
        EXIT_CODES
            .iter()
            .find(|(_, kind, _)| *kind == self)
            .map_or(1, |(code, _, _)| *code)
    }

    /// As a `std::process::ExitCode`.
    pub fn exit_code(self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

/// Why a CLI command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Node(#[from] NodeError),
    #[error("bad public key {text:?}: {source}")]
    BadPubkey { text: String, source: NodeIdError },
    #[error("bad amount {text:?}: {source}")]
    BadAmount { text: String, source: AmountError },
    #[error("no contact named {0:?}, and it is not a node public key")]
    UnknownContact(String),
    #[error("{0}")]
    BadInput(String),
    #[error("payment failed: {}", .0.explain())]
    PaymentFailed(PaymentFailure),
    #[error("the payment's outcome is unknown: {0}")]
    PaymentUnknown(String),
    #[error("not sending: confirmation needs a terminal")]
    NeedsConfirmation,
    #[error(
        "there is no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    )]
    NoDisplay,
    #[error("cancelled; nothing was sent")]
    Declined,
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Index(#[from] IndexError),
    #[error("{0}")]
    Send(#[from] SendError),
    #[error("{0}")]
    Journal(#[from] JournalError),
    /// `next`: how to send it (same hash) or drop it.
    #[error("the node never received the payment, so nothing was paid")]
    NotSent { next: String },
    #[error("the node's TLS certificate does not match {trusted} (the node at {address})")]
    CertMismatch { address: String, trusted: Trusted },
    #[error("{0}")]
    LndConnect(#[from] LndConnectError),
    #[error("the simulator: {0}")]
    Sim(#[from] SimError),
    #[error("{path}: {detail}")]
    File { path: PathBuf, detail: String },
    #[error("{0}")]
    Other(String),
    /// Some legs of a boost did not go through (each leg's status was printed).
    #[error("boost {id}: {summary}")]
    BoostIncomplete { id: String, summary: String },
}

impl CliError {
    /// Which exit code this failure gets.
    pub fn kind(&self) -> ExitKind {
        match self {
            Self::Node(err) => node_kind(err),
            Self::BadPubkey { .. }
            | Self::BadAmount { .. }
            | Self::UnknownContact(_)
            | Self::BadInput(_)
            | Self::LndConnect(_)
            | Self::NeedsConfirmation => ExitKind::Usage,
            Self::PaymentFailed(_) => ExitKind::PaymentFailed,
            Self::Connect(_) | Self::CertMismatch { .. } => ExitKind::Connect,
            Self::File { .. } | Self::Store(_) | Self::Index(_) => ExitKind::LocalFile,
            Self::Sim(err) => sim_kind(err),
            Self::NoDisplay => ExitKind::Other,
            Self::Send(err) => send_kind(err),
            Self::Journal(_) => ExitKind::LocalFile,
            Self::NotSent { .. } | Self::BoostIncomplete { .. } => ExitKind::PaymentFailed,
            Self::Declined => ExitKind::Ok,
            Self::PaymentUnknown(_) | Self::Other(_) => ExitKind::Other,
        }
    }

    /// What the user can do next, if there is something specific.
    pub fn next_step(&self) -> Option<Cow<'static, str>> {
        match self {
            Self::NotSent { next } => Some(Cow::Owned(next.clone())),
            Self::BoostIncomplete { id, .. } => Some(Cow::Owned(format!(
                "Send the legs that did not go through with `satchel boost --retry {id}`; \
                 legs already paid are never paid again."
            ))),
            Self::Send(SendError::InsufficientBalance {
                fee_limit,
                available,
                ..
            }) => Some(Cow::Owned(over_spendable_step(*fee_limit, *available))),
            Self::CertMismatch { trusted, .. } => Some(Cow::Borrowed(trusted.next_step())),
            other => other.fixed_step().map(Cow::Borrowed),
        }
    }

    /// The next steps that do not depend on the failure's details.
    fn fixed_step(&self) -> Option<&'static str> {
        match self {
            Self::Node(err) | Self::Send(SendError::Node(err) | SendError::Signing(err)) => {
                Some(err.next_step())
            }
            Self::UnknownContact(_) => {
                Some("See `satchel contacts list`, or give the 66-character public key.")
            }
            Self::NeedsConfirmation => {
                Some("Run it in a terminal, or add --yes to send without asking.")
            }
            Self::NoDisplay => {
                Some("Run it in a desktop session, or use a subcommand (see --help).")
            }
            Self::PaymentUnknown(_) => Some(
                "The node may still complete it; run `satchel sent` later to see how it ended. \
                 Satchel will not send it twice.",
            ),
            Self::LndConnect(_) => Some(
                "Copy the whole link again: lndconnect://host:port?cert=...&macaroon=..., where \
                 cert (the certificate's DER bytes) and macaroon (the macaroon file's bytes) are \
                 base64url without padding (A-Z a-z 0-9 - _).",
            ),
            Self::Connect(_) => Some(
                "Pass --rpcserver/--tlscertpath/--macaroonpath (or --lnddir and --network), or \
                 --lndconnect, or try --demo.",
            ),
            _ => None,
        }
    }

    /// A file error with its path.
    pub fn file(path: impl Into<PathBuf>, detail: impl ToString) -> Self {
        Self::File {
            path: path.into(),
            detail: detail.to_string(),
        }
    }
}

/// Send less by the fee limit, lower it, or get more outbound liquidity.
fn over_spendable_step(fee_limit: Msat, available: Msat) -> String {
    let most = Msat(available.0.saturating_sub(fee_limit.0));
    let less = match most.sats() {
        0 => String::new(),
        _ => format!("Send at most {} with this fee limit, ", sats(most)),
    };
    format!(
        "{less}lower the fee limit with --fee-limit (it is reserved in full until the route is \
         known), or add outbound liquidity (open a channel or loop out)."
    )
}

/// Exit kind of a refused send.
fn send_kind(err: &SendError) -> ExitKind {
    match err {
        SendError::Journal(_) => ExitKind::LocalFile,
        SendError::Node(err) | SendError::Signing(err) => node_kind(err),
        SendError::InsufficientBalance { .. } => ExitKind::PaymentFailed,
        SendError::Records(_)
        | SendError::TooLarge { .. }
        | SendError::ZeroAmount
        | SendError::ZeroFeeLimit
        | SendError::SelfPayment => ExitKind::Usage,
        SendError::BadSignature(_) | SendError::NotResendable { .. } => ExitKind::Other,
    }
}

/// Exit kind of a simulator error: its files are local files.
fn sim_kind(err: &SimError) -> ExitKind {
    match err {
        SimError::Io { .. } | SimError::Corrupt(_) => ExitKind::LocalFile,
        SimError::Listen(..) | SimError::UnknownNode(_) => ExitKind::Usage,
        SimError::Tls(_) => ExitKind::Other,
        SimError::Refused(_) | SimError::PaymentFailed(_) => ExitKind::PaymentFailed,
    }
}

/// Exit kind of a node error.
fn node_kind(err: &NodeError) -> ExitKind {
    match err {
        NodeError::Unreachable { .. }
        | NodeError::CertificateMismatch
        | NodeError::BadCertificate(_)
        | NodeError::MacaroonRejected
        | NodeError::Disconnected(_)
        | NodeError::Proxy { .. }
        | NodeError::Timeout => ExitKind::Connect,
        NodeError::PermissionDenied(_) => ExitKind::Permission,
        NodeError::AlreadyPaid => ExitKind::PaymentFailed,
        NodeError::Invalid(_) => ExitKind::Usage,
        NodeError::NotFound(_) | NodeError::Other(_) | NodeError::TooLarge { .. } => {
            ExitKind::Other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_text_lists_every_code() {
        for (code, _, meaning) in EXIT_CODES {
            assert!(
                EXIT_CODES_HELP.contains(&format!("  {code}  {meaning}")),
                "{code}"
            );
        }
        assert_eq!(EXIT_CODES_HELP.lines().count(), EXIT_CODES.len() + 1);
    }

    #[test]
    fn failures_map_to_their_codes() {
        let cases: Vec<(CliError, u8)> = vec![
            (NodeError::MacaroonRejected.into(), 3),
            (
                NodeError::Unreachable {
                    address: "h:1".into(),
                    detail: "refused".into(),
                }
                .into(),
                3,
            ),
            (
                NodeError::PermissionDenied("offchain:write".into()).into(),
                4,
            ),
            (CliError::UnknownContact("bob".into()), 2),
            (
                CliError::BadAmount {
                    text: "x".into(),
                    source: AmountError::Zero,
                },
                2,
            ),
            (
                CliError::PaymentFailed(PaymentFailure::ReceiverRefusedKeysend),
                5,
            ),
            (CliError::file("/x", "denied"), 6),
            (CliError::Other("?".into()), 1),
        ];
        for (err, code) in cases {
            assert_eq!(err.kind().code(), code, "{err}");
        }
    }

    #[test]
    fn payment_failure_message_explains() {
        let text = CliError::PaymentFailed(PaymentFailure::ReceiverRefusedKeysend).to_string();
        assert!(text.contains("does not accept keysend"), "{text}");
    }
}
