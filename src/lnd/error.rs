//! gRPC statuses and transport failures turned into [`NodeError`].
//!
//! LND reports most problems as `Unknown` with a text; the texts matched here
//! are LND's (`macaroons/service.go`: "verification failed", "permission
//! denied", "expected 1 macaroon"). A status that carries a transport error
//! as its source means the connection broke, not that LND refused.

use std::error::Error as StdError;

use tonic::{Code, Status};

use super::socks::SocksError;
use crate::node::NodeError;

/// Which call failed and where: enough to word the error.
#[derive(Debug, Clone)]
pub(crate) struct CallContext {
    /// The gRPC method, e.g. `SendPaymentV2`.
    pub method: &'static str,
    /// `host:port` of the node.
    pub address: String,
}

impl CallContext {
    /// A context for `method` on the node at `address`.
    pub fn new(method: &'static str, address: &str) -> Self {
        Self {
            method,
            address: address.to_owned(),
        }
    }
}

/// A status returned when a call (or the opening of a stream) failed.
pub(crate) fn from_status(status: &Status, ctx: &CallContext) -> NodeError {
    if cert_rejected(status) {
        return NodeError::CertificateMismatch;
    }
    let message = status.message().to_owned();
    let lower = message.to_ascii_lowercase();
    if is_too_large(status.code(), &lower) {
        return NodeError::TooLarge {
            method: ctx.method.to_owned(),
            detail: message,
        };
    }
    match status.code() {
        Code::Unavailable => unreachable(ctx, detail(status)),
        Code::Unauthenticated => NodeError::MacaroonRejected,
        Code::PermissionDenied => NodeError::PermissionDenied(ctx.method.to_owned()),
        Code::NotFound => NodeError::NotFound(message),
        Code::AlreadyExists => NodeError::AlreadyPaid,
        Code::InvalidArgument | Code::OutOfRange | Code::FailedPrecondition => {
            NodeError::Invalid(message)
        }
        Code::DeadlineExceeded => NodeError::Timeout,
        _ if is_locked_text(&lower) => NodeError::Other(LOCKED.into()),
        _ if lower.contains("permission denied") => {
            NodeError::PermissionDenied(ctx.method.to_owned())
        }
        _ if is_macaroon_text(&lower) => NodeError::MacaroonRejected,
        _ if status.source().is_some() => NodeError::Disconnected(detail(status)),
        _ => NodeError::Other(format!("{}: {message}", ctx.method)),
    }
}

/// A status that ended a stream after it had started: a broken connection
/// is `Disconnected` here, not `Unreachable`.
pub(crate) fn from_stream_status(status: &Status, ctx: &CallContext) -> NodeError {
    match from_status(status, ctx) {
        NodeError::Unreachable { detail, .. } => NodeError::Disconnected(detail),
        NodeError::Other(_)
            if matches!(
                status.code(),
                Code::Internal | Code::Cancelled | Code::Unknown
            ) =>
        {
            NodeError::Disconnected(detail(status))
        }
        other => other,
    }
}

/// A failure to open the connection at all.
pub(crate) fn from_transport(err: &tonic::transport::Error, ctx: &CallContext) -> NodeError {
    if cert_rejected(err) {
        return NodeError::CertificateMismatch;
    }
    if let Some(failure) = socks_failure(err) {
        return from_socks(&failure);
    }
    unreachable(ctx, chain_text(err))
}

/// The connection attempt took longer than we wait.
pub(crate) fn connect_timed_out(ctx: &CallContext, seconds: u64) -> NodeError {
    unreachable(ctx, format!("no answer within {seconds} s"))
}

fn unreachable(ctx: &CallContext, detail: String) -> NodeError {
    NodeError::Unreachable {
        address: ctx.address.clone(),
        detail,
    }
}

/// What to tell the user when LND runs but its wallet is still locked.
const LOCKED: &str = "lnd is running but its wallet is locked (or still starting): unlock it \
                      with `lncli unlock`, then connect again";

/// LND before unlock registers only the WalletUnlocker service, so calls
/// fail with "unknown service lnrpc.Lightning"; newer versions say
/// "wallet locked" or "not yet ready to accept calls".
fn is_locked_text(lower: &str) -> bool {
    lower.contains("wallet locked")
        || lower.contains("unknown service lnrpc")
        || lower.contains("not yet ready to accept calls")
}

/// A message over gRPC's size limit: tonic's decoder says "decoded message
/// length too large" (OutOfRange), grpc-go "received message larger than
/// max" (ResourceExhausted).
fn is_too_large(code: Code, lower: &str) -> bool {
    matches!(code, Code::OutOfRange | Code::ResourceExhausted)
        && (lower.contains("message length too large") || lower.contains("larger than max"))
}

fn is_macaroon_text(lower: &str) -> bool {
    lower.contains("verification failed") || lower.contains("macaroon")
}

/// The status message, followed by its source chain when there is one.
fn detail(status: &Status) -> String {
    match status.source() {
        Some(source) => format!("{}: {}", status.message(), chain_text(source)),
        None => status.message().to_owned(),
    }
}

/// Every error in the chain, outermost first, de-duplicated.
fn chain_text(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let _ = for_each_in_chain(err, &mut |e| {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        false
    });
    parts.join(": ")
}

/// A proxy failure as a node error (its words and its next step).
pub(crate) fn from_socks(failure: &SocksError) -> NodeError {
    NodeError::Proxy {
        detail: failure.to_string(),
        next_step: failure.next_step(),
    }
}

/// The SOCKS failure somewhere in this chain, if the proxy is what failed.
fn socks_failure(err: &(dyn StdError + 'static)) -> Option<SocksError> {
    let mut found = None;
    let _ = for_each_in_chain(err, &mut |e| {
        found = e.downcast_ref::<SocksError>().cloned();
        found.is_some()
    });
    found
}

/// Did rustls refuse the server's certificate somewhere in this chain?
pub(crate) fn cert_rejected(err: &(dyn StdError + 'static)) -> bool {
    for_each_in_chain(err, &mut |e| {
        matches!(
            e.downcast_ref::<rustls::Error>(),
            Some(rustls::Error::InvalidCertificate(_))
        )
    })
}

/// Visit the chain (including errors wrapped inside `io::Error`, whose
/// `source()` skips the wrapped error itself); stop when `visit` says so.
fn for_each_in_chain(
    err: &(dyn StdError + 'static),
    visit: &mut dyn FnMut(&(dyn StdError + 'static)) -> bool,
) -> bool {
    let mut current = Some(err);
    while let Some(e) = current {
        if visit(e) {
            return true;
        }
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            && for_each_in_chain(inner, visit)
        {
            return true;
        }
        current = e.source();
    }
    false
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
