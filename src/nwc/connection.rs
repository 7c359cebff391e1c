//! Wallet connections (NIP-47): one per app, with its name, the app's public
//! key, the methods it may call, its budget and expiry, and what it spent.
//! Kept in `nwc.json` in the profile's data folder (public facts only); the
//! wallet service's secret key of each connection lives in the OS keyring
//! ([`SecretStore`]) and the app's secret is never stored (NIP-47: the
//! service "SHOULD NOT store the secret it generates for the client").

use std::path::PathBuf;

use nostr::nips::nip47::{Method, NostrWalletConnectURI};
use nostr::{Keys, PublicKey, RelayUrl, SecretKey};
use serde::{Deserialize, Serialize};

use super::budget::{Period, Spend};
use super::error::NwcError;
use crate::store::{Paths, SecretStore, Versioned, read_or_quarantine, write_atomic};

/// The methods a new connection may call when none are named.
pub const DEFAULT_METHODS: &[Method] = &[
    Method::GetInfo,
    Method::GetBalance,
    Method::PayKeysend,
    Method::MultiPayKeysend,
    Method::PayInvoice,
    Method::ListTransactions,
    Method::LookupInvoice,
];

/// The methods Satchel serves (anything else gets NOT_IMPLEMENTED).
pub const SERVED_METHODS: &[Method] = DEFAULT_METHODS;

/// Longest connection name, in characters.
const NAME_CHARS: usize = 64;

/// One app's connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// What the user calls the app (unique, display-safe).
    pub name: String,
    /// The wallet service key of this connection (hex); its secret is in the keyring.
    pub wallet_pubkey: String,
    /// The app's key (hex): the only author whose requests are served.
    pub client_pubkey: String,
    pub relays: Vec<String>,
    /// NIP-47 method names the app may call.
    pub methods: Vec<String>,
    /// Send `payment_received` / `payment_sent` notifications.
    #[serde(default)]
    pub notifications: bool,
    /// Most the app may spend per period, in msat; `None`: no budget.
    pub budget_msat: Option<u64>,
    pub period: Period,
    /// Unix seconds after which requests are refused.
    pub expires_at: Option<u64>,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds of the last request served.
    pub last_used: Option<u64>,
    /// Succeeded payments, for the budget and the list.
    #[serde(default)]
    pub spends: Vec<Spend>,
}

impl Connection {
    /// Whether `method` is allowed for this connection.
    pub fn allows(&self, method: Method) -> bool {
        self.methods.iter().any(|m| m == method.as_str())
    }

    /// Whether the connection has expired at `now` (unix seconds).
    pub fn expired(&self, now: u64) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }

    /// Spent in the current period at `now`, msat.
    pub fn spent(&self, now: u64) -> u64 {
        self.period.spent(&self.spends, now)
    }

    /// The wallet service's public key.
    pub fn wallet_key(&self) -> Result<PublicKey, NwcError> {
        PublicKey::from_hex(&self.wallet_pubkey).map_err(|_| NwcError::Damaged(self.name.clone()))
    }
}

/// What `nwc add` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConnection {
    pub name: String,
    pub budget_sats: Option<u64>,
    pub period: Period,
    pub methods: Vec<Method>,
    pub notifications: bool,
    pub relays: Vec<RelayUrl>,
    /// Seconds from now.
    pub expires_in: Option<u64>,
}

/// All connections of a profile, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connections {
    #[serde(default)]
    pub version: u32,
    #[serde(default)]
    pub connections: Vec<Connection>,
}

impl Versioned for Connections {
    const CURRENT: u32 = 1;
    fn version(&self) -> u32 {
        self.version
    }
    fn upgrade(&mut self) {
        self.version = Self::CURRENT;
    }
}

/// Where the connections file lives.
pub fn file(paths: &Paths) -> PathBuf {
    paths.data_dir().join("nwc.json")
}

/// The keyring key of a connection's wallet service secret.
pub fn secret_key_name(wallet_pubkey: &str) -> String {
    format!("nwc:{wallet_pubkey}")
}

impl Connections {
    /// Read the profile's connections (none yet: empty).
    pub fn load(paths: &Paths) -> Result<Self, NwcError> {
        let loaded = read_or_quarantine::<Self>(&file(paths), &paths.quarantine_dir())?;
        if let Some(warning) = loaded.warning {
            log::warn!("{warning}");
        }
        Ok(loaded.value)
    }

    /// Write atomically.
    pub fn save(&self, paths: &Paths) -> Result<(), NwcError> {
        paths.ensure()?;
        let mut copy = self.clone();
        copy.version = Self::CURRENT;
        let bytes = serde_json::to_vec_pretty(&copy).map_err(|e| NwcError::Other(e.to_string()))?;
        write_atomic(&file(paths), &bytes)?;
        Ok(())
    }

    /// The connection called `name`.
    pub fn named(&self, name: &str) -> Option<&Connection> {
        self.connections.iter().find(|c| c.name == name)
    }

    /// The connection served under `wallet` key.
    pub fn by_wallet(&self, wallet: &PublicKey) -> Option<&Connection> {
        let hex = wallet.to_hex();
        self.connections.iter().find(|c| c.wallet_pubkey == hex)
    }

    /// Mutable access by wallet key.
    pub fn by_wallet_mut(&mut self, wallet: &PublicKey) -> Option<&mut Connection> {
        let hex = wallet.to_hex();
        self.connections.iter_mut().find(|c| c.wallet_pubkey == hex)
    }
}

/// The app that made each payment (payment hash hex -> connection name),
/// for Sent. Payments of revoked connections are no longer named.
pub fn apps_by_hash(paths: &Paths) -> std::collections::HashMap<String, String> {
    let all = Connections::load(paths).unwrap_or_default();
    all.connections
        .iter()
        .flat_map(|c| {
            c.spends
                .iter()
                .filter_map(|s| s.hash.clone())
                .map(|hash| (hash, c.name.clone()))
        })
        .collect()
}

/// Create a connection: fresh wallet and app keys, the wallet secret into
/// `secrets`, the public facts into the file. Returns the connection and
/// its URI (the only time the app's secret exists outside the app).
pub fn add(
    paths: &Paths,
    secrets: &dyn SecretStore,
    new: NewConnection,
    now: u64,
) -> Result<(Connection, NostrWalletConnectURI), NwcError> {
    let name = check_name(&new.name)?;
    if new.relays.is_empty() {
        return Err(NwcError::BadInput(
            "a connection needs at least one relay (--relay wss://...)".into(),
        ));
    }
    let mut all = Connections::load(paths)?;
    if all.named(&name).is_some() {
        return Err(NwcError::BadInput(format!(
            "a connection named {name:?} exists already; revoke it first or choose another name"
        )));
    }
    let wallet = Keys::generate();
    let app = Keys::generate();
    secrets.set(
        &secret_key_name(&wallet.public_key().to_hex()),
        wallet.secret_key().as_secret_bytes(),
    )?;
    let budget_msat = new
        .budget_sats
        .map(|sats| {
            sats.checked_mul(1000)
                .ok_or(NwcError::BadInput("budget is too large".into()))
        })
        .transpose()?;
    let connection = Connection {
        name,
        wallet_pubkey: wallet.public_key().to_hex(),
        client_pubkey: app.public_key().to_hex(),
        relays: new.relays.iter().map(|r| r.to_string()).collect(),
        methods: new.methods.iter().map(|m| m.as_str().to_owned()).collect(),
        notifications: new.notifications,
        budget_msat,
        period: new.period,
        expires_at: new.expires_in.map(|s| now.saturating_add(s)),
        created_at: now,
        last_used: None,
        spends: Vec::new(),
    };
    all.connections.push(connection.clone());
    all.save(paths)?;
    let uri = NostrWalletConnectURI::new(
        wallet.public_key(),
        new.relays,
        app.secret_key().clone(),
        None,
    );
    Ok((connection, uri))
}

/// Remove the connection `name` and its secret. Its app is refused from now on.
pub fn revoke(paths: &Paths, secrets: &dyn SecretStore, name: &str) -> Result<(), NwcError> {
    let mut all = Connections::load(paths)?;
    let Some(at) = all.connections.iter().position(|c| c.name == name) else {
        return Err(NwcError::NotFound(name.to_owned()));
    };
    let gone = all.connections.remove(at);
    all.save(paths)?;
    secrets.delete(&secret_key_name(&gone.wallet_pubkey))?;
    Ok(())
}

/// The wallet service keys of a connection, from the keyring.
pub fn wallet_keys(secrets: &dyn SecretStore, connection: &Connection) -> Result<Keys, NwcError> {
    let bytes = secrets
        .get(&secret_key_name(&connection.wallet_pubkey))?
        .ok_or_else(|| NwcError::NoSecret(connection.name.clone()))?;
    let secret =
        SecretKey::from_slice(&bytes).map_err(|_| NwcError::Damaged(connection.name.clone()))?;
    Ok(Keys::new(secret))
}

/// Parse `--methods get_info,pay_keysend` (served methods only).
pub fn parse_methods(list: &str) -> Result<Vec<Method>, NwcError> {
    let mut methods = Vec::new();
    for word in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let method = SERVED_METHODS
            .iter()
            .find(|m| m.as_str() == word)
            .ok_or_else(|| {
                let known: Vec<&str> = SERVED_METHODS.iter().map(|m| m.as_str()).collect();
                NwcError::BadInput(format!(
                    "unknown or unsupported method {:?}; Satchel serves {}",
                    crate::keysend::text::display_safe(word, NAME_CHARS),
                    known.join(", ")
                ))
            })?;
        if !methods.contains(method) {
            methods.push(*method);
        }
    }
    if methods.is_empty() {
        return Err(NwcError::BadInput("--methods names no method".into()));
    }
    Ok(methods)
}

/// A name that is not empty, not too long and has no control characters.
fn check_name(name: &str) -> Result<String, NwcError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(NwcError::BadInput("the connection needs a name".into()));
    }
    if name.chars().count() > NAME_CHARS || name.chars().any(char::is_control) {
        return Err(NwcError::BadInput(format!(
            "a connection name is at most {NAME_CHARS} characters, without control characters"
        )));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemorySecrets;

    fn new(name: &str) -> NewConnection {
        NewConnection {
            name: name.into(),
            budget_sats: Some(10),
            period: Period::Day,
            methods: DEFAULT_METHODS.to_vec(),
            notifications: false,
            relays: vec![RelayUrl::parse("ws://127.0.0.1:7777").unwrap()],
            expires_in: None,
        }
    }

    #[test]
    fn add_stores_public_facts_in_the_file_and_the_wallet_secret_in_the_keyring() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::at(dir.path());
        let secrets = MemorySecrets::new();
        let (connection, uri) = add(&paths, &secrets, new("podcasts"), 1000).unwrap();
        assert_eq!(uri.public_key.to_hex(), connection.wallet_pubkey);
        assert_eq!(
            Keys::new(uri.secret.clone()).public_key().to_hex(),
            connection.client_pubkey
        );
        let text = std::fs::read_to_string(file(&paths)).unwrap();
        assert!(
            !text.contains(&uri.secret.to_secret_hex()),
            "the app secret is not stored"
        );
        let keys = wallet_keys(&secrets, &connection).unwrap();
        assert!(!text.contains(&keys.secret_key().to_secret_hex()));
        assert_eq!(keys.public_key(), uri.public_key);
        assert_eq!(connection.budget_msat, Some(10_000));
        let again = add(&paths, &secrets, new("podcasts"), 1000).unwrap_err();
        assert!(matches!(again, NwcError::BadInput(_)), "{again}");
        revoke(&paths, &secrets, "podcasts").unwrap();
        assert!(Connections::load(&paths).unwrap().connections.is_empty());
        assert!(matches!(
            wallet_keys(&secrets, &connection),
            Err(NwcError::NoSecret(_))
        ));
        assert!(matches!(
            revoke(&paths, &secrets, "podcasts"),
            Err(NwcError::NotFound(_))
        ));
    }

    #[test]
    fn methods_parse_served_names_only() {
        assert_eq!(
            parse_methods("get_info, pay_keysend,get_info").unwrap(),
            vec![Method::GetInfo, Method::PayKeysend]
        );
        assert_eq!(
            parse_methods("pay_invoice").unwrap(),
            vec![Method::PayInvoice]
        );
        assert!(parse_methods("multi_pay_invoice").is_err());
        assert!(parse_methods("nope").is_err());
        assert!(parse_methods(" , ").is_err());
    }
}
