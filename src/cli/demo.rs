//! `--demo`: the simulated network, run in-process from the demo profile's
//! `sim/` folder so its state (balances, inbox, payments) carries across
//! invocations. The first run seeds history and the demo contacts; the real
//! profile is never touched.

use std::time::Duration;

use super::contacts;
use super::exit::CliError;
use crate::lnd::ConnectSpec;
use crate::sim::{self, SimConfig, SimHandle};
use crate::store::{self, InstanceLock, NewContact, Paths};

/// Historical keysends seeded into a new demo inbox.
pub const SEED_HISTORY: usize = 200;

/// How often demo nodes tip us under `satchel --demo inbox --follow`.
pub const FOLLOW_TRAFFIC: Duration = Duration::from_secs(5);

/// A running demo network and how to reach its user node.
pub struct DemoNet {
    handle: SimHandle,
    spec: ConnectSpec,
    /// One process runs the demo network at a time (it owns the state files).
    _lock: InstanceLock,
}

impl DemoNet {
    /// Start (or resume) the demo network of `paths` (a demo profile), with
    /// demo nodes tipping us every `traffic`.
    pub async fn start(paths: &Paths, traffic: Option<Duration>) -> Result<Self, CliError> {
        debug_assert!(
            paths.is_demo(),
            "the demo network only runs in the demo profile"
        );
        let lock = store::acquire(paths)?;
        ensure_contacts(paths)?;
        let config = SimConfig {
            seed_history: SEED_HISTORY,
            traffic,
            own_identity: false,
            ..SimConfig::new(paths.root().join("sim"))
        };
        let handle = sim::start(config).await?;
        let address = handle.addr().to_string();
        let spec = ConnectSpec::from_files(
            &address,
            handle.tls_cert_path(),
            handle.admin_macaroon_path(),
        )
        .map_err(|err| CliError::Other(format!("the demo node's files: {err}")))?;
        Ok(Self {
            handle,
            spec,
            _lock: lock,
        })
    }

    /// How to connect to our demo node.
    pub fn spec(&self) -> &ConnectSpec {
        &self.spec
    }

    /// Stop serving and save the network's state.
    pub async fn shutdown(self) {
        self.handle.shutdown().await;
    }
}

/// On the first run of a demo profile (no contact book yet), add the demo
/// network's nodes as contacts.
pub fn ensure_contacts(paths: &Paths) -> Result<(), CliError> {
    if paths.contacts_file().exists() {
        return Ok(());
    }
    let mut book = contacts::load(paths)?;
    for (name, id, note) in sim::demo_contacts() {
        let new = NewContact {
            note,
            ..NewContact::new(name, id)
        };
        let _ = book
            .add(new)
            .map_err(|err| CliError::Other(format!("demo contact: {err}")))?;
    }
    contacts::save(&mut book, paths)
}
