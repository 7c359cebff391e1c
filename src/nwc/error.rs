//! What can go wrong managing or serving wallet connections.

use crate::store::{SecretError, StoreError};

/// Why a connection could not be created, read, revoked or served.
#[derive(Debug, Clone, thiserror::Error)]
pub enum NwcError {
    #[error("{0}")]
    BadInput(String),
    #[error("no connection is named {0:?} (see `satchel nwc list`)")]
    NotFound(String),
    #[error(
        "the key of connection {0:?} is not in the keyring (it was kept for one session only); \
         revoke it and add it again"
    )]
    NoSecret(String),
    #[error("the stored key of connection {0:?} is damaged; revoke it and add it again")]
    Damaged(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("relay: {0}")]
    Relay(String),
    #[error("{0}")]
    Other(String),
}
