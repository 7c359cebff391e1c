//! The wallet core shared by the GUI and the CLI: the local SQLite index of
//! received and sent keysends, the crash-safe send journal, the send flow and
//! the inbox sync. Talks to the node only through [`crate::node::Node`].
//!
//! The node is the source of truth: the index (`index.db`, one per node, see
//! [`NodeFiles`]) is a cache that can always be rebuilt from it. The journal (`journal.db`) is not a cache: it is
//! the only record of a payment between "the user pressed Send" and "the node
//! knows about it", so it lives in its own file and is never moved aside.

mod alias;
pub mod amp_fee;
mod blob;
pub mod boost;
pub mod boost_adopt;
mod boost_cache;
pub mod boost_store;
mod boosts;
mod counts;
mod detail;
pub mod draft;
mod error;
mod export;
mod file;
mod follow;
mod index;
mod index_file;
#[cfg(test)]
mod index_tests;
mod integrity;
#[cfg(test)]
mod integrity_tests;
mod interned;
mod journal;
mod journal_row;
mod journal_state;
#[cfg(test)]
mod journal_tests;
mod node_db;
mod node_files;
pub mod owed;
mod owner;
mod prepare;
mod query;
pub mod rebalance;
pub mod receiver;
mod reconcile;
pub mod recurring;
pub mod routed;
mod schema;
mod send;
mod sender;
mod sent;
mod sent_query;
pub mod stream;
pub mod stream_store;
pub mod stream_vts;
mod summary;
pub mod sync;
mod thread;
mod verification;

pub use crate::store::JOURNAL_FILE;
pub use alias::{ALIAS_MAX_AGE, refresh_aliases};
pub use blob::BlobError;
pub use boosts::{Boost, BoostFilter, BoostLeg, PodcastTotal, SentBoost, Supporter};
pub use detail::{InboxDetail, Listed, MESSAGE_CHARS};
pub use draft::{Draft, FeeRule, IntentId, Probe, ProbeKey, RecipientWarning};
pub use error::{IndexError, JournalError, SendError, SyncError};
pub use export::{ExportError, ExportFormat, PROGRESS_EVERY, Progress, parse_since, parse_until};
pub use follow::{FollowEvent, follow};
pub use index::{Cursor, Cursors, Index, IndexWarning};
pub use journal::{Journal, JournalEntry, Owned};
pub use journal_state::JournalState;
pub(crate) use node_db::{NodeDb, OpenError as NodeDbError};
pub use node_files::{FilesError, NodeFiles, Upgrade, adopt_legacy};
pub use prepare::{SEND_TIMEOUT, SendRequest, check_spendable, prepare, prepare_probed};
pub use query::{
    InboxQuery, InboxRow, InboxSort, NAME_CHARS, PREVIEW_CHARS, RowKey, SearchWords, Seek,
    day_range, senders_named,
};
pub use reconcile::{Reconciled, reconcile, record_outcomes};
pub use send::{SendEvent, resend_same, send, track_entry};
/// The table of sender presentation, for the frontends' tests.
#[cfg(test)]
pub(crate) use sender::tests as sender_table;
pub use sender::{Badge, SenderFacts, ShownSender, Trust, Who};
pub use sent::{SentDetail, SentRow, SentStatus};
pub use sent_query::SentQuery;
pub use sync::{
    PAGE_SIZE, SyncPhase, SyncProgress, SyncStats, backfill, backfill_checking, backfill_showing,
};
pub use thread::{Side, THREAD_TEXT_CHARS, ThreadMessage, ThreadSummary};
pub use verification::Verification;
