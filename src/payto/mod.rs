//! Paying anyone: what a typed recipient is ([`Target`]: a Lightning
//! Address, an LNURL or a BOLT11 invoice), and how it resolves
//! ([`resolve`]): an address goes to keysend when its provider serves a
//! keysend document, else to LNURL-pay (LUD-06/16) whose invoice is checked
//! before it is paid. Both frontends render [`Resolution`]; neither decides.

pub mod address;
pub mod bolt11;
pub mod contact;
pub mod http;
pub mod lnurl;
pub mod resolve;
pub mod shown;
pub mod value;

pub use address::{Address, Target, TargetError};
pub use bolt11::{Bolt11Error, Invoice};
pub use contact::{ContactNow, contact_now};
pub use http::{Client, HttpError};
pub use lnurl::{Comment, DocumentError, KeysendTarget, PayRequest};
pub use resolve::{Resolution, ResolveError, Transport, check_payable, request_invoice, resolve};
pub use shown::Shown;
