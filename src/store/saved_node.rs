//! Nodes Satchel knows how to reach. An lndconnect node's macaroon lives in
//! the [`SecretStore`] under the node's id, never in the settings file;
//! without a persistent keyring the node is session-only.

use std::path::PathBuf;

use super::secret::{SecretError, SecretStore, macaroon_key};

/// A node Satchel can connect to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SavedNode {
    /// Random id; also the keyring key for its macaroon.
    pub id: String,
    /// What the user calls it.
    pub label: String,
    /// How to reach it.
    pub kind: SavedNodeKind,
    /// A SOCKS5 proxy (`HOST:PORT`) to reach it through, e.g. Tor's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// Kept in memory only: its macaroon could not go to a keyring.
    #[serde(skip)]
    session_only: bool,
}

/// How to reach a saved node.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SavedNodeKind {
    /// `tls.cert` and a macaroon file on disk (read at connect time).
    Files {
        /// `host:port` of the gRPC interface.
        host_port: String,
        /// LND's `tls.cert`.
        cert_path: PathBuf,
        /// The macaroon file.
        macaroon_path: PathBuf,
    },
    /// From an lndconnect URI; the macaroon is in the secret store.
    LndConnect {
        /// `host:port` of the gRPC interface.
        host_port: String,
        /// The pinned certificate (DER, base64), absent for CA-signed certs.
        cert_der_b64: Option<String>,
        /// Whether the macaroon survives a restart (is in the OS keyring).
        macaroon_in_keyring: bool,
    },
    /// The built-in simulated network.
    Demo,
}

impl SavedNode {
    /// A node reached through files on disk.
    pub fn files(
        label: impl Into<String>,
        host_port: impl Into<String>,
        cert_path: PathBuf,
        macaroon_path: PathBuf,
    ) -> Self {
        let kind = SavedNodeKind::Files {
            host_port: host_port.into(),
            cert_path,
            macaroon_path,
        };
        Self::with_kind(label, kind)
    }

    /// The demo network.
    pub fn demo(label: impl Into<String>) -> Self {
        Self::with_kind(label, SavedNodeKind::Demo)
    }

    /// A node from an lndconnect URI. Its macaroon goes to `secrets`; when
    /// `secrets` does not persist, the node is session-only.
    pub fn from_lndconnect(
        label: impl Into<String>,
        host_port: impl Into<String>,
        cert_der_b64: Option<String>,
        macaroon: &[u8],
        secrets: &dyn SecretStore,
    ) -> Result<Self, SecretError> {
        let persistent = secrets.is_persistent();
        let kind = SavedNodeKind::LndConnect {
            host_port: host_port.into(),
            cert_der_b64,
            macaroon_in_keyring: persistent,
        };
        let mut node = Self::with_kind(label, kind);
        node.session_only = !persistent;
        secrets.set(&macaroon_key(&node.id), macaroon)?;
        Ok(node)
    }

    fn with_kind(label: impl Into<String>, kind: SavedNodeKind) -> Self {
        Self {
            id: new_id(),
            label: label.into(),
            kind,
            proxy: None,
            session_only: false,
        }
    }

    /// This node, reached through the SOCKS5 proxy `proxy` (`HOST:PORT`).
    pub fn with_proxy(mut self, proxy: Option<String>) -> Self {
        self.proxy = proxy;
        self
    }

    /// Forgotten when Satchel quits (no keyring for its macaroon).
    pub fn is_session_only(&self) -> bool {
        self.session_only
    }

    /// The macaroon kept in `secrets` for an lndconnect node.
    pub fn macaroon(&self, secrets: &dyn SecretStore) -> Result<Option<Vec<u8>>, SecretError> {
        match self.kind {
            SavedNodeKind::LndConnect { .. } => secrets.get(&macaroon_key(&self.id)),
            _ => Ok(None),
        }
    }
}

/// A random 128-bit id in UUID layout.
fn new_id() -> String {
    let hex = hex::encode(rand::random::<[u8; 16]>());
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}
