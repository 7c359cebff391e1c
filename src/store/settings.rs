//! User settings (`settings.json`) and the nodes Satchel knows how to reach.
//! Settings never contain macaroon bytes: a macaroon from an lndconnect URI
//! goes to the [`SecretStore`] under the node's id. Without a persistent
//! keyring such a node is session-only: it is kept in memory and left out
//! of the file, and [`SavedNode::is_session_only`] lets the UI say so.

use crate::keysend::Msat;

use super::atomic::{self, Loaded, Versioned};
use super::saved_node::SavedNode;
use super::secret::{SecretError, SecretStore, macaroon_key};
use super::{Paths, StoreError};

/// A percentage fee limit never goes below this, so small payments can
/// still route (LND: a fee limit of 0 allows zero-fee routes only).
pub const MIN_FEE_LIMIT: Msat = Msat::from_sat(10);

/// Light, dark, or follow the system.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ThemeChoice {
    /// Light theme.
    Light,
    /// Dark theme.
    Dark,
    /// Follow the operating system.
    #[default]
    System,
}

/// How amounts are shown.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum AmountUnit {
    /// Satoshis.
    #[default]
    Sat,
    /// Bitcoin.
    Btc,
}

/// How the window is drawn.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum RendererChoice {
    /// The GPU when the machine has one, otherwise the CPU.
    #[default]
    Auto,
    /// The GPU (wgpu), falling back to the CPU if it cannot start.
    Gpu,
    /// The CPU (tiny-skia): starts faster and uses less memory where there
    /// is no GPU and OpenGL would be emulated in software.
    Cpu,
}

impl RendererChoice {
    /// Every choice, in the order a picker lists them.
    pub const ALL: [Self; 3] = [Self::Auto, Self::Gpu, Self::Cpu];

    /// The name used in settings.json and by `--renderer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Gpu => "gpu",
            Self::Cpu => "cpu",
        }
    }
}

impl std::str::FromStr for RendererChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|choice| choice.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| format!("`{text}` is not a renderer: use auto, gpu or cpu"))
    }
}

impl std::fmt::Display for RendererChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The most routing fee a send may pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FeeLimit {
    /// A fixed amount.
    Fixed(Msat),
    /// Basis points of the amount (100 = 1%), at least [`MIN_FEE_LIMIT`].
    Percent(u32),
}

impl Default for FeeLimit {
    /// 1%, at least 10 sat.
    fn default() -> Self {
        Self::Percent(100)
    }
}

impl FeeLimit {
    /// The fee limit for sending `amount` (a percentage rounds up).
    pub fn for_amount(self, amount: Msat) -> Msat {
        match self {
            Self::Fixed(limit) => limit,
            Self::Percent(basis_points) => {
                let scaled = u128::from(amount.0) * u128::from(basis_points);
                let fee = u64::try_from(scaled.div_ceil(10_000)).unwrap_or(u64::MAX);
                Msat(fee).max(MIN_FEE_LIMIT)
            }
        }
    }
}

/// Everything the user can set, plus the saved nodes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Format version.
    pub version: u32,
    /// Colour theme.
    pub theme: ThemeChoice,
    /// Unit amounts are shown in.
    pub unit: AmountUnit,
    /// Received keysends below this are hidden as likely spam.
    pub spam_threshold: Msat,
    /// Fee limit used unless the user changes it for a send.
    pub default_fee_limit: FeeLimit,
    /// Sends above this amount ask for confirmation.
    pub confirm_above: Msat,
    /// Desktop notifications for received keysends.
    pub notifications: bool,
    /// How the window is drawn (read at start).
    pub renderer: RendererChoice,
    /// Nodes Satchel can connect to.
    pub nodes: Vec<SavedNode>,
    /// The id of the node to open at start.
    pub active_node: Option<String>,
    /// How large the window draws everything (75%..200%).
    pub ui_scale: super::UiScale,
    /// Amounts also in a fiat currency (off by default).
    pub fiat: super::FiatPrefs,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            version: Self::VERSION,
            theme: ThemeChoice::default(),
            unit: AmountUnit::default(),
            spam_threshold: Msat::from_sat(10),
            default_fee_limit: FeeLimit::default(),
            confirm_above: Msat::from_sat(10_000),
            notifications: true,
            renderer: RendererChoice::default(),
            nodes: Vec::new(),
            active_node: None,
            ui_scale: super::UiScale::default(),
            fiat: super::FiatPrefs::default(),
        }
    }
}

impl Versioned for Settings {
    const CURRENT: u32 = Settings::VERSION;

    fn version(&self) -> u32 {
        self.version
    }

    fn upgrade(&mut self) {
        self.version = Self::CURRENT;
    }
}

impl Settings {
    /// The format version this build writes.
    pub const VERSION: u32 = 1;

    /// Load `settings.json`; a damaged file is quarantined and reported.
    pub fn load(paths: &Paths) -> Result<Loaded<Settings>, StoreError> {
        atomic::read_or_quarantine(&paths.settings_file(), &paths.quarantine_dir())
    }

    /// Save atomically, leaving out session-only nodes.
    pub fn save(&self, paths: &Paths) -> Result<(), StoreError> {
        let path = paths.settings_file();
        let bytes =
            serde_json::to_vec_pretty(&self.persistent()).map_err(|error| StoreError::Parse {
                path: path.clone(),
                reason: error.to_string(),
            })?;
        atomic::write_atomic(&path, &bytes)
    }

    /// What goes on disk: no session-only nodes, no dangling active node.
    fn persistent(&self) -> Settings {
        let mut kept = self.clone();
        kept.nodes.retain(|node| !node.is_session_only());
        if kept.active().is_none() {
            kept.active_node = None;
        }
        kept
    }

    /// The saved node with this id.
    pub fn node(&self, id: &str) -> Option<&SavedNode> {
        self.nodes.iter().find(|node| node.id == id)
    }

    /// The node to open at start.
    pub fn active(&self) -> Option<&SavedNode> {
        self.active_node.as_deref().and_then(|id| self.node(id))
    }

    /// Add a node (replacing one with the same id) and make it active.
    pub fn add_node(&mut self, node: SavedNode) {
        self.active_node = Some(node.id.clone());
        match self.nodes.iter_mut().find(|old| old.id == node.id) {
            Some(old) => *old = node,
            None => self.nodes.push(node),
        }
    }

    /// Forget a node and delete its macaroon from `secrets`.
    pub fn remove_node(
        &mut self,
        id: &str,
        secrets: &dyn SecretStore,
    ) -> Result<Option<SavedNode>, SecretError> {
        secrets.delete(&macaroon_key(id))?;
        if self.active_node.as_deref() == Some(id) {
            self.active_node = None;
        }
        let index = self.nodes.iter().position(|node| node.id == id);
        Ok(index.map(|index| self.nodes.remove(index)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{MemorySecrets, SavedNodeKind};

    #[test]
    fn defaults_match_the_design() {
        let settings = Settings::default();
        assert_eq!(settings.version, 1);
        assert_eq!(settings.theme, ThemeChoice::System);
        assert_eq!(settings.unit, AmountUnit::Sat);
        assert_eq!(settings.spam_threshold, Msat::from_sat(10));
        assert_eq!(settings.default_fee_limit, FeeLimit::Percent(100));
        assert_eq!(settings.confirm_above, Msat::from_sat(10_000));
        assert!(
            settings.notifications && settings.nodes.is_empty() && settings.active_node.is_none()
        );
    }

    #[test]
    fn fee_limit_for_amounts() {
        let default = FeeLimit::default();
        let cases: &[(FeeLimit, u64, u64)] = &[
            (default, 100_000, 1_000_000), // 1% of 100,000 sat = 1,000 sat
            (default, 1_000, 10_000),      // 1% would be 10 sat: the floor
            (default, 21, 10_000),         // tiny tip: still 10 sat
            (default, 123_456, 1_234_560), // 1,234.56 sat
            (FeeLimit::Percent(50), 3_000_001, 15_000_005), // rounds up to the msat
            (FeeLimit::Fixed(Msat::from_sat(3)), 1_000_000, 3_000),
            (FeeLimit::Fixed(Msat::ZERO), 1_000, 0),
        ];
        for (limit, sats, expected_msat) in cases {
            assert_eq!(
                limit.for_amount(Msat::from_sat(*sats)),
                Msat(*expected_msat),
                "{limit:?} of {sats}"
            );
        }
        assert_eq!(
            FeeLimit::Percent(u32::MAX).for_amount(Msat(u64::MAX)),
            Msat(u64::MAX)
        );
    }

    #[test]
    fn round_trips_and_fills_missing_fields() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::at(dir.path());
        let mut settings = Settings {
            theme: ThemeChoice::Dark,
            default_fee_limit: FeeLimit::Fixed(Msat::from_sat(50)),
            ..Settings::default()
        };
        settings.add_node(SavedNode::files(
            "home",
            "10.0.0.2:10009",
            "/lnd/tls.cert".into(),
            "/lnd/admin.macaroon".into(),
        ));
        settings.save(&paths).unwrap();
        let loaded = Settings::load(&paths).unwrap();
        assert!(loaded.warning.is_none());
        assert_eq!(loaded.value, settings);
        std::fs::write(paths.settings_file(), r#"{"version":1,"unit":"btc"}"#).unwrap();
        let partial = Settings::load(&paths).unwrap().value;
        assert_eq!(
            partial,
            Settings {
                unit: AmountUnit::Btc,
                ..Settings::default()
            }
        );
    }

    #[test]
    fn file_format_is_readable_json() {
        let settings = Settings {
            default_fee_limit: FeeLimit::Percent(100),
            ..Settings::default()
        };
        let json = serde_json::to_value(&settings).unwrap();
        assert_eq!(
            json["default_fee_limit"],
            serde_json::json!({"percent": 100})
        );
        assert_eq!(json["spam_threshold"], serde_json::json!(10_000));
        let demo = serde_json::to_value(SavedNode::demo("demo")).unwrap();
        assert_eq!(demo["kind"], serde_json::json!({"type": "demo"}));
    }

    #[test]
    fn lndconnect_macaroon_goes_to_secrets_never_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::at(dir.path());
        let secrets = MemorySecrets::new();
        let macaroon = b"\x02macaroon-secret-bytes";
        let node =
            SavedNode::from_lndconnect("remote", "node.example:10009", None, macaroon, &secrets)
                .unwrap();
        assert!(node.is_session_only(), "memory secrets do not persist");
        assert!(matches!(
            node.kind,
            SavedNodeKind::LndConnect {
                macaroon_in_keyring: false,
                ..
            }
        ));
        assert_eq!(
            node.macaroon(&secrets).unwrap().as_deref(),
            Some(&macaroon[..])
        );
        let mut settings = Settings::default();
        settings.add_node(SavedNode::demo("demo"));
        settings.add_node(node.clone());
        assert_eq!(
            settings.active().map(|n| n.id.as_str()),
            Some(node.id.as_str())
        );
        settings.save(&paths).unwrap();
        let text = std::fs::read_to_string(paths.settings_file()).unwrap();
        assert!(!text.contains("macaroon-secret") && !text.contains(&hex::encode(macaroon)));
        let loaded = Settings::load(&paths).unwrap().value;
        assert_eq!(
            loaded.nodes.len(),
            1,
            "the session-only node is not written"
        );
        assert_eq!(loaded.active_node, None, "no dangling active node");
        let removed = settings.remove_node(&node.id, &secrets).unwrap();
        assert_eq!(removed.map(|n| n.label), Some("remote".into()));
        assert_eq!(
            node.macaroon(&secrets).unwrap(),
            None,
            "macaroon deleted with the node"
        );
        assert_eq!(settings.active_node, None);
    }

    #[test]
    fn lndconnect_with_a_keyring_is_persisted() {
        let keyring =
            crate::store::OsKeyring::with_store(keyring_core::mock::Store::new().unwrap());
        // The mock store reports process-only persistence, like MemorySecrets.
        let node =
            SavedNode::from_lndconnect("r", "h:1", Some("AAAA".into()), b"m", &keyring).unwrap();
        assert!(node.is_session_only());
        let persistent = PersistentMemory(MemorySecrets::new());
        let node =
            SavedNode::from_lndconnect("r", "h:1", Some("AAAA".into()), b"m", &persistent).unwrap();
        assert!(!node.is_session_only());
        assert!(matches!(
            node.kind,
            SavedNodeKind::LndConnect {
                macaroon_in_keyring: true,
                ..
            }
        ));
    }

    #[test]
    fn node_ids_look_like_uuids_and_differ() {
        let (a, b) = (SavedNode::demo("a").id, SavedNode::demo("b").id);
        assert_ne!(a, b);
        let lengths: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(lengths, [8, 4, 4, 4, 12]);
    }

    /// A store that claims persistence, to exercise the keyring path.
    struct PersistentMemory(MemorySecrets);

    impl SecretStore for PersistentMemory {
        fn get(&self, key: &str) -> Result<Option<Vec<u8>>, SecretError> {
            self.0.get(key)
        }
        fn set(&self, key: &str, value: &[u8]) -> Result<(), SecretError> {
            self.0.set(key, value)
        }
        fn delete(&self, key: &str) -> Result<(), SecretError> {
            self.0.delete(key)
        }
        fn is_persistent(&self) -> bool {
            true
        }
    }
}
