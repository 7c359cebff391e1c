//! The keysend domain: node ids, preimages and hashes, amounts, TLV records
//! and their codecs. Pure: no I/O, no iced, no tonic.

mod amount;
mod id;
pub mod identity;
pub mod onion;
pub mod record;
pub mod text;
pub mod zbase32;

pub use amount::{AmountError, Msat};
pub use id::{NodeId, NodeIdError, PaymentHash, Preimage};
pub use record::Records;
