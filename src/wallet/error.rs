//! Error types of the wallet core. All are `Clone` so they can ride in GUI
//! messages; foreign sources are wrapped in `Arc`.

use std::path::PathBuf;
use std::sync::Arc;

use super::{BlobError, JournalState};
use crate::keysend::Msat;
use crate::keysend::outgoing::RecordError;
use crate::node::NodeError;

/// Why the index could not be opened, read or written.
#[derive(Debug, Clone, thiserror::Error)]
pub enum IndexError {
    #[error("the inbox database failed: {0}")]
    Database(Arc<rusqlite::Error>),
    #[error("cannot use the inbox database at {path}: {source}")]
    Io {
        path: PathBuf,
        source: Arc<std::io::Error>,
    },
    #[error(
        "the inbox database was written by a newer Satchel (schema {found}, this one knows \
         up to {supported}); update Satchel or choose another profile"
    )]
    TooNew { found: u32, supported: u32 },
    #[error("no inbox entry with id {0}")]
    NotFound(i64),
    #[error("stored records of entry {id} cannot be read: {source}")]
    BadRecords { id: i64, source: BlobError },
    #[error("the inbox database task stopped unexpectedly")]
    Interrupted,
}

impl From<rusqlite::Error> for IndexError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Database(Arc::new(error))
    }
}

impl IndexError {
    /// Build an I/O error for `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source: Arc::new(source),
        }
    }
}

/// Why the send journal could not be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum JournalError {
    #[error("the send journal failed: {0}")]
    Database(Arc<rusqlite::Error>),
    #[error("cannot use the send journal at {path}: {source}")]
    Io {
        path: PathBuf,
        source: Arc<std::io::Error>,
    },
    #[error(
        "the send journal was written by a newer Satchel (version {found}, this one knows up \
         to {supported}); update Satchel before sending"
    )]
    TooNew { found: u32, supported: u32 },
    #[error("this payment was already submitted (intent {intent_id}); it will not be sent twice")]
    AlreadySubmitted { intent_id: String },
    #[error("no journaled payment with intent {0}")]
    NotFound(String),
    #[error("a journaled payment cannot go from {from:?} to {to:?}")]
    InvalidTransition {
        from: JournalState,
        to: JournalState,
    },
    #[error("a journal entry cannot be read ({0}); the file may be damaged")]
    Unreadable(String),
    #[error(
        "the send journal {} is damaged ({reason}); Satchel will not send until it is dealt \
         with and never replaces it (it may hold the only record of a payment): quit Satchel, \
         keep a copy of the file, restore it from a backup or move it aside, and check your \
         node's payment history for sends it may have recorded",
        path.display()
    )]
    Damaged { path: PathBuf, reason: String },
    #[error("the send journal task stopped unexpectedly")]
    Interrupted,
    /// The entry belongs to another node (or to none yet): only the node it
    /// was sent from can say whether it was paid.
    #[error("{}", sent_elsewhere(node.as_ref(), name))]
    SentElsewhere {
        /// The node it was sent from, when the journal knows it.
        node: Option<crate::keysend::NodeId>,
        /// Its alias and key as shown, when known.
        name: String,
    },
}

/// Why another node may not judge a payment, and which node to connect to.
fn sent_elsewhere(node: Option<&crate::keysend::NodeId>, name: &str) -> String {
    match node {
        Some(_) => format!(
            "this payment was sent from node {name}; only that node can say whether it was \
             paid: connect to it to resend, discard or check it"
        ),
        None => "this payment was recorded before Satchel noted which node sent it, and the \
                 connected node does not know it: connect to the node it was sent from to \
                 resend, discard or check it"
            .to_owned(),
    }
}

impl From<rusqlite::Error> for JournalError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Database(Arc::new(error))
    }
}

impl JournalError {
    /// Build an I/O error for `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source: Arc::new(source),
        }
    }

    /// Signs of a damaged file become [`JournalError::Damaged`] naming `path`.
    pub(crate) fn damaged_at(self, path: &std::path::Path) -> Self {
        let reason = match &self {
            Self::Unreadable(reason) => reason.clone(),
            Self::Database(e) if is_damage(e) => e.to_string(),
            _ => return self,
        };
        Self::Damaged {
            path: path.to_owned(),
            reason: crate::keysend::text::display_safe(&reason, 200),
        }
    }
}

/// SQLite's codes for a file that is not (or no longer) a database.
fn is_damage(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

/// Why a keysend was not sent (nothing was paid unless the journal says so).
#[derive(Debug, Clone, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Node(#[from] NodeError),
    #[error("the node could not sign the sender identity: {0}")]
    Signing(NodeError),
    #[error("the node returned a signature of {0} bytes; expected 64")]
    BadSignature(usize),
    #[error("the tip cannot be encoded: {0}")]
    Records(#[from] RecordError),
    #[error(
        "the message and records are too large for a {hops}-hop route ({used} of {total} onion \
         bytes); shorten the message by at least {over} bytes"
    )]
    TooLarge {
        hops: u32,
        used: usize,
        total: usize,
        over: usize,
    },
    /// LND needs the amount plus the routing fee within the local balance.
    #[error(
        "{} plus routing fees (limit {fee_limit}) is more than your node can send right now \
         ({}); send less or lower the fee limit",
        amount.whole(),
        available.whole()
    )]
    InsufficientBalance {
        amount: Msat,
        fee_limit: Msat,
        available: Msat,
    },
    #[error("the amount must be more than zero")]
    ZeroAmount,
    #[error("a fee limit of zero would only allow zero-fee routes; set a fee limit")]
    ZeroFeeLimit,
    #[error("you cannot keysend to your own node")]
    SelfPayment,
    #[error("payment {intent_id} is {state:?}, so it cannot be sent again with the same hash")]
    NotResendable {
        intent_id: String,
        state: JournalState,
    },
}

/// Why syncing with the node stopped.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Node(#[from] NodeError),
    #[error(transparent)]
    Index(#[from] IndexError),
    /// Recording what the node said in the send journal failed.
    #[error(transparent)]
    Journal(#[from] JournalError),
}
