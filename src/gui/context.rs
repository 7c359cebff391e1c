//! What every phase of the app shares: the profile's paths, settings,
//! contacts and secret store, and problems to show once. Its own module so
//! that the session and the screens read it without importing the app.

use std::sync::Arc;

use crate::store::{ContactBook, Paths, SecretStore, Settings};

/// What every phase shares.
pub struct Context {
    pub paths: Paths,
    pub settings: Settings,
    pub contacts: ContactBook,
    pub secrets: Arc<dyn SecretStore>,
    pub demo: bool,
    /// Problems to show once (unreadable files, no keyring).
    pub warnings: Vec<String>,
    /// The fiat rate (untouched while fiat amounts are off).
    pub fiat: crate::fiat::FiatState,
    /// The way to the web without a proxy; a session adds its node's proxy.
    pub web: crate::web::Web,
}
