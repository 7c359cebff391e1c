//! Podcasting 2.0 value for value: reading a feed's value blocks and
//! splitting a boost over them exactly. Pure domain: no I/O except
//! [`fetch`], which gets feed bytes over HTTP or from a file.
//!
//! - [`feed`]: the RSS parser (channel and item blocks, guids, time splits).
//! - [`value`]: a block as written and its checked, payable form.
//! - [`split`]: whole-sat legs by largest remainder that add up to the amount.
//! - [`boost`]: the bLIP-10 records of each leg.
//! - [`select`]: the show or an episode, and the block that applies.

pub mod boost;
pub mod feed;
pub mod fetch;
pub mod load;
pub mod select;
pub mod split;
pub mod value;

pub use feed::{Feed, FeedError, Item};
pub use split::{Leg, Split, split};
pub use value::{Custom, RawBlock, Recipient, Skipped, ValueBlock, ValueError};

pub use select::{Episode, SelectError, Selected, select};

/// The demo feed (`assets/demo-feed.xml`): every recipient is a node of the
/// demo network. `satchel --demo` accepts [`DEMO_FEED_NAME`] for it.
pub const DEMO_FEED: &[u8] = include_bytes!("../../assets/demo-feed.xml");
/// What the user types for the demo feed.
pub const DEMO_FEED_NAME: &str = "demo";

#[cfg(test)]
pub(crate) mod example;
