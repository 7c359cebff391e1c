//! The keysend domain: node ids, preimages and hashes, amounts, TLV records
//! and their codecs. Pure: no I/O, no iced, no tonic.
//!
//! - [`text`]: display-safe text for anything a stranger wrote.
//! - [`onion`]: the 1300-byte onion budget and the longest message that fits.
//! - [`outgoing`]: the records of a tip we send.
//! - [`chat`]: chat-app records (Juggernaut content type, request id, reply-to).
//! - [`boostagram`]: bLIP-10 podcast JSON, both ways.
//! - [`incoming`]: decoding received records, and checking who signed them.
//!
//! Fuzzing entry points (never panic, memory bounded by the input):
//! [`incoming::decode`], [`incoming::verify_sender`], [`Boostagram::parse`],
//! [`record::from_tlv_stream`] (to turn fuzz bytes into [`Records`]) and
//! [`zbase32::decode`].

mod amount;
pub mod boostagram;
pub mod chat;
mod id;
pub mod identity;
pub mod incoming;
pub mod onion;
pub mod outgoing;
pub mod record;
pub mod text;
pub mod zbase32;

pub use amount::{AmountError, Msat, group_thousands};
pub use boostagram::{Boostagram, BoostagramError};
pub use id::{NodeId, NodeIdError, PaymentHash, Preimage};
pub use incoming::{Decoded, RecordView, Sender, decode, verify_sender};
pub use outgoing::{RecordError, SignedIdentity, Tip};
pub use record::Records;
