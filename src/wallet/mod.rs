//! The wallet core shared by the GUI and the CLI: the local SQLite index of
//! received and sent keysends, the crash-safe send journal, the send flow and
//! the inbox sync. Talks to the node only through [`crate::node::Node`].
//!
//! The node is the source of truth: the index (`index.db`) is a cache that can
//! always be rebuilt from it. The journal (`journal.db`) is not a cache: it is
//! the only record of a payment between "the user pressed Send" and "the node
//! knows about it", so it lives in its own file and is never moved aside.

mod blob;
pub mod boost;
pub mod boost_store;
mod detail;
mod error;
mod file;
mod follow;
mod index;
mod index_file;
#[cfg(test)]
mod index_tests;
mod integrity;
#[cfg(test)]
mod integrity_tests;
mod journal;
mod journal_row;
mod journal_state;
#[cfg(test)]
mod journal_tests;
mod owner;
mod prepare;
mod query;
mod reconcile;
mod schema;
mod send;
mod sent;
mod summary;
pub mod sync;
mod verification;

pub use blob::BlobError;
pub use detail::{InboxDetail, MESSAGE_CHARS};
pub use error::{IndexError, JournalError, SendError, SyncError};
pub use follow::{FollowEvent, RECONNECT_FIRST, RECONNECT_MAX, follow};
pub use index::{Cursor, Cursors, Index, IndexWarning};
pub use journal::{JOURNAL_FILE, Journal, JournalEntry};
pub use journal_state::JournalState;
pub use prepare::{SEND_TIMEOUT, SendRequest, prepare};
pub use query::{InboxQuery, InboxRow, NAME_CHARS, PREVIEW_CHARS};
pub use reconcile::{Reconciled, reconcile, record_outcomes};
pub use send::{RETRY_FIRST, RETRY_MAX, SendEvent, resend_same, send, track_entry};
pub use sent::{SentRow, SentStatus};
pub use sync::{PAGE_SIZE, SyncPhase, SyncProgress, SyncStats, backfill};
pub use verification::Verification;
