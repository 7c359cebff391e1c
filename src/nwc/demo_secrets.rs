//! Secrets of the demo profile's connections: a file in the demo folder.
//! The demo network's money is simulated, so its connection keys need no
//! keyring, and `satchel --demo nwc add` then `--demo nwc serve` work on a
//! machine without one. Never used for a real profile.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use crate::store::{MemorySecrets, OsKeyring, Paths, SecretError, SecretStore, write_atomic};

/// Hex values by key, in `nwc-demo-secrets.json` of the demo profile.
pub struct DemoSecrets {
    file: PathBuf,
    lock: Mutex<()>,
}

impl DemoSecrets {
    /// The store of `paths`, which must be the demo profile.
    pub fn new(paths: &Paths) -> Option<Self> {
        paths.is_demo().then(|| Self {
            file: paths.root().join("nwc-demo-secrets.json"),
            lock: Mutex::new(()),
        })
    }

    fn read(&self) -> BTreeMap<String, String> {
        std::fs::read(&self.file)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    fn write(&self, all: &BTreeMap<String, String>) -> Result<(), SecretError> {
        let bytes = serde_json::to_vec(all).map_err(|e| SecretError::Failed(e.to_string()))?;
        write_atomic(&self.file, &bytes).map_err(|e| SecretError::Failed(e.to_string()))
    }
}

impl SecretStore for DemoSecrets {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, SecretError> {
        let _guard = self.lock.lock();
        Ok(self.read().get(key).and_then(|v| hex::decode(v).ok()))
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), SecretError> {
        let _guard = self.lock.lock();
        let mut all = self.read();
        let _ = all.insert(key.to_owned(), hex::encode(value));
        self.write(&all)
    }

    fn delete(&self, key: &str) -> Result<(), SecretError> {
        let _guard = self.lock.lock();
        let mut all = self.read();
        if all.remove(key).is_some() {
            self.write(&all)?;
        }
        Ok(())
    }

    fn is_persistent(&self) -> bool {
        true
    }
}

/// The secret store for `paths`: the demo file under `--demo`, else the
/// OS keyring; without one, session-only memory and why, in words for the
/// caller to show (nothing is logged: a command prints it its own way).
/// Blocking (the keyring is asked once).
pub fn secrets_for(paths: &Paths) -> (std::sync::Arc<dyn SecretStore>, Option<String>) {
    if let Some(demo) = DemoSecrets::new(paths) {
        return (std::sync::Arc::new(demo), None);
    }
    let keyring = OsKeyring::open().and_then(|keyring| {
        // A read proves the keyring answers (a missing entry is fine).
        keyring.get(PROBE).map(|_| keyring)
    });
    match keyring {
        Ok(keyring) => (std::sync::Arc::new(keyring), None),
        Err(error) => (
            std::sync::Arc::new(MemorySecrets::new()),
            Some(error.to_string()),
        ),
    }
}

/// The keyring entry read to see that the keyring answers.
const PROBE: &str = "nwc:probe";
