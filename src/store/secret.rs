//! Secrets (a macaroon that came inside an lndconnect URI) live in the OS
//! keyring, never in a settings file. [`SecretStore`] is the small seam;
//! [`OsKeyring`] talks to the platform store through `keyring_core`, and
//! [`MemorySecrets`] keeps values for this session only (tests, and the
//! fallback when no keyring is available). Secret values never appear in
//! `Debug` output or in errors.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use keyring_core::{CredentialPersistence, CredentialStore};

/// The keyring service name every Satchel secret is filed under.
pub const SERVICE: &str = "satchel";

/// Why a secret could not be read or stored. Never contains the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// There is no keyring to talk to.
    #[error("no system keyring is available ({0})")]
    Unavailable(String),
    /// The keyring is there but locked or refused access.
    #[error("the system keyring refused access; unlock it and try again ({0})")]
    NoAccess(String),
    /// A stored value is not in the format Satchel writes.
    #[error("the keyring entry {0:?} is damaged; remove the node and add it again")]
    Damaged(String),
    /// Any other keyring failure.
    #[error("the system keyring failed: {0}")]
    Failed(String),
}

/// A place for small secrets, keyed by name. Every call may block (D-Bus):
/// call from `spawn_blocking`.
pub trait SecretStore: Send + Sync {
    /// The value stored under `key`, if any.
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, SecretError>;
    /// Store `value` under `key`, replacing any earlier value.
    fn set(&self, key: &str, value: &[u8]) -> Result<(), SecretError>;
    /// Remove `key`; removing a missing key is not an error.
    fn delete(&self, key: &str) -> Result<(), SecretError>;
    /// Whether values survive a restart of Satchel.
    fn is_persistent(&self) -> bool;
}

/// The key a node's macaroon is stored under.
pub fn macaroon_key(node_id: &str) -> String {
    format!("macaroon:{node_id}")
}

/// The OS keyring (Secret Service on Linux, Keychain on macOS, Credential
/// Manager on Windows). Values are stored as base64 text.
pub struct OsKeyring {
    store: Arc<CredentialStore>,
}

impl OsKeyring {
    /// The platform keyring. Fails fast (no hang) when there is none, for
    /// example on a headless machine without a session bus.
    pub fn open() -> Result<Self, SecretError> {
        // keyring's one-time init builds the platform store (zbus Secret
        // Service on Linux) and makes it keyring_core's default; we then use
        // keyring_core entries directly (feasibility §5: the v1 wrapper
        // ignores stores chosen any other way).
        if let Err(error) = keyring::Entry::store_status() {
            return Err(SecretError::Unavailable(error.to_string()));
        }
        let store = keyring_core::get_default_store()
            .ok_or_else(|| SecretError::Unavailable("no credential store was set up".into()))?;
        Ok(Self::with_store(store))
    }

    /// A keyring over a specific `keyring_core` store.
    pub fn with_store(store: Arc<CredentialStore>) -> Self {
        Self { store }
    }

    fn entry(&self, key: &str) -> Result<keyring_core::Entry, SecretError> {
        self.store
            .build(SERVICE, key, None)
            .map_err(|error| map_error(key, error))
    }
}

impl SecretStore for OsKeyring {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, SecretError> {
        let text = match self.entry(key)?.get_password() {
            Ok(text) => text,
            Err(keyring_core::Error::NoEntry) => return Ok(None),
            Err(error) => return Err(map_error(key, error)),
        };
        BASE64
            .decode(text.trim())
            .map(Some)
            .map_err(|_| SecretError::Damaged(key.to_owned()))
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), SecretError> {
        self.entry(key)?
            .set_password(&BASE64.encode(value))
            .map_err(|error| map_error(key, error))
    }

    fn delete(&self, key: &str) -> Result<(), SecretError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(error) => Err(map_error(key, error)),
        }
    }

    fn is_persistent(&self) -> bool {
        !matches!(
            self.store.persistence(),
            CredentialPersistence::EntryOnly | CredentialPersistence::ProcessOnly
        )
    }
}

impl fmt::Debug for OsKeyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OsKeyring")
            .field("vendor", &self.store.vendor())
            .finish()
    }
}

/// Map a keyring error without ever echoing stored bytes
/// (`BadEncoding` / `BadDataFormat` carry the raw value).
fn map_error(key: &str, error: keyring_core::Error) -> SecretError {
    use keyring_core::Error as E;
    match error {
        E::NoStorageAccess(inner) => SecretError::NoAccess(inner.to_string()),
        E::NoDefaultStore => SecretError::Unavailable("no credential store was set up".into()),
        E::BadEncoding(_) | E::BadDataFormat(..) => SecretError::Damaged(key.to_owned()),
        E::PlatformFailure(inner) => SecretError::Failed(inner.to_string()),
        E::Ambiguous(entries) => {
            SecretError::Failed(format!("{} entries match {key:?}", entries.len()))
        }
        other => SecretError::Failed(other.to_string()),
    }
}

/// Secrets kept in memory for this session only.
#[derive(Default)]
pub struct MemorySecrets {
    values: Mutex<HashMap<String, Vec<u8>>>,
}

impl MemorySecrets {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn values(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<u8>>> {
        // A panic while holding the lock cannot leave a map half-updated.
        self.values
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl SecretStore for MemorySecrets {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, SecretError> {
        Ok(self.values().get(key).cloned())
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), SecretError> {
        let _ = self.values().insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), SecretError> {
        let _ = self.values().remove(key);
        Ok(())
    }

    fn is_persistent(&self) -> bool {
        false
    }
}

impl fmt::Debug for MemorySecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<String> = self.values().keys().cloned().collect();
        keys.sort();
        f.debug_struct("MemorySecrets")
            .field("keys", &keys)
            .finish()
    }
}

/// The OS keyring when one answers, else session-only memory and a warning
/// for the user. Blocking: call from `spawn_blocking` or before the UI starts.
pub fn open_secret_store() -> (Arc<dyn SecretStore>, Option<String>) {
    match OsKeyring::open().and_then(|keyring| probe(&keyring).map(|()| keyring)) {
        Ok(keyring) => (Arc::new(keyring), None),
        Err(error) => {
            let warning = format!(
                "No usable system keyring ({error}): macaroons from lndconnect links are kept for this session only"
            );
            log::warn!("{warning}");
            (Arc::new(MemorySecrets::new()), Some(warning))
        }
    }
}

/// A read that proves the keyring answers (a missing entry is fine).
fn probe(keyring: &OsKeyring) -> Result<(), SecretError> {
    keyring.get("probe").map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MACAROON: &[u8] = b"\x02\x01\x03lnd-macaroon-bytes\xff";

    fn mock_keyring() -> OsKeyring {
        OsKeyring::with_store(keyring_core::mock::Store::new().unwrap())
    }

    fn round_trip(store: &dyn SecretStore) {
        let key = macaroon_key("node-1");
        assert_eq!(store.get(&key).unwrap(), None);
        store.set(&key, MACAROON).unwrap();
        assert_eq!(store.get(&key).unwrap().as_deref(), Some(MACAROON));
        store.set(&key, b"replaced").unwrap();
        assert_eq!(store.get(&key).unwrap().as_deref(), Some(&b"replaced"[..]));
        assert_eq!(store.get("macaroon:other").unwrap(), None);
        store.delete(&key).unwrap();
        assert_eq!(store.get(&key).unwrap(), None);
        store.delete(&key).unwrap();
    }

    #[test]
    fn memory_store_round_trips() {
        let store = MemorySecrets::new();
        round_trip(&store);
        assert!(!store.is_persistent());
    }

    #[test]
    fn keyring_round_trips_through_keyring_core() {
        let keyring = mock_keyring();
        round_trip(&keyring);
        // The mock store lives in process memory.
        assert!(!keyring.is_persistent());
    }

    #[test]
    fn keyring_stores_base64_text_under_the_satchel_service() {
        let keyring = mock_keyring();
        keyring.set("macaroon:n", MACAROON).unwrap();
        let entry = keyring.store.build(SERVICE, "macaroon:n", None).unwrap();
        assert_eq!(entry.get_password().unwrap(), BASE64.encode(MACAROON));
    }

    #[test]
    fn keyring_errors_are_mapped_without_the_value() {
        let keyring = mock_keyring();
        keyring.set("k", MACAROON).unwrap();
        let entry = keyring.store.build(SERVICE, "k", None).unwrap();
        let mock: &keyring_core::mock::Cred = entry.as_any().downcast_ref().unwrap();
        mock.set_error(keyring_core::Error::NoStorageAccess("locked".into()));
        assert_eq!(
            keyring.get("k"),
            Err(SecretError::NoAccess("locked".into()))
        );
        mock.set_error(keyring_core::Error::BadEncoding(MACAROON.to_vec()));
        let error = keyring.get("k").unwrap_err();
        assert_eq!(error, SecretError::Damaged("k".into()));
        assert!(!format!("{error} {error:?}").contains("macaroon-bytes"));
        assert_eq!(keyring.get("k").unwrap().as_deref(), Some(MACAROON));
    }

    #[test]
    fn damaged_entries_are_reported() {
        let keyring = mock_keyring();
        let entry = keyring.store.build(SERVICE, "k", None).unwrap();
        entry.set_password("not base64 !!").unwrap();
        assert_eq!(keyring.get("k"), Err(SecretError::Damaged("k".into())));
    }

    #[test]
    fn debug_output_never_shows_values() {
        let store = MemorySecrets::new();
        store.set("macaroon:n", b"topsecret").unwrap();
        let shown = format!("{store:?}");
        assert_eq!(shown, r#"MemorySecrets { keys: ["macaroon:n"] }"#);
        assert!(!format!("{:?}", mock_keyring()).contains("topsecret"));
    }

    #[test]
    fn open_always_gives_a_usable_store() {
        let (store, warning) = open_secret_store();
        // Headless CI has no keyring: the fallback must say so.
        assert_eq!(warning.is_some(), !store.is_persistent());
        store.set("satchel-test-open", b"x").unwrap();
        assert_eq!(
            store.get("satchel-test-open").unwrap().as_deref(),
            Some(&b"x"[..])
        );
        store.delete("satchel-test-open").unwrap();
    }
}
