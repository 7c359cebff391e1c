//! Shared setup for the reliability tests (RELIABILITY.md): the simulator on
//! a fixed loopback port (so it can be restarted where clients expect it),
//! the real LND adapter, the `satchel` binary as a child process that can be
//! paused at a fault point and killed with SIGKILL, and a profile folder.

#![allow(dead_code)] // each test file uses a different part of this.

pub mod child;

use child::Cli;

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use satchel::keysend::{NodeId, PaymentHash};
use satchel::lnd::ConnectSpec;
use satchel::node::{SentKeysend, SharedNode};
use satchel::sim::{self, SimConfig, SimHandle};
use satchel::wallet::Journal;
use tempfile::TempDir;

/// How long any single test step may take before the test fails.
pub const STEP: Duration = Duration::from_secs(60);

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local addr").port()
}

/// A simulator on a fixed port, its directory, and a profile folder for the
/// app, all inside one temporary directory.
pub struct Bench {
    pub sim: Option<SimHandle>,
    pub port: u16,
    pub dir: TempDir,
    latency: Duration,
}

impl Bench {
    /// Start the simulator with `latency` per payment on a free port.
    pub async fn start(latency: Duration) -> Self {
        satchel::install_crypto_provider();
        let dir = tempfile::tempdir().expect("temp dir");
        let mut bench = Self {
            sim: None,
            port: free_port(),
            dir,
            latency,
        };
        bench.restart_sim().await;
        bench
    }

    /// The simulated node's LND directory.
    pub fn lnd_dir(&self) -> PathBuf {
        self.dir.path().join("lnd")
    }

    /// The app's profile folder (`SATCHEL_HOME`).
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The running simulator.
    pub fn sim(&self) -> &SimHandle {
        self.sim.as_ref().expect("the simulator is running")
    }

    /// Stop the simulator (its state is saved in its directory).
    pub async fn stop_sim(&mut self) {
        if let Some(sim) = self.sim.take() {
            within(sim.shutdown()).await;
        }
    }

    /// Start the simulator again on the same directory and port.
    pub async fn restart_sim(&mut self) {
        self.stop_sim().await;
        let config = SimConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], self.port)),
            payment_latency: self.latency,
            ..SimConfig::new(self.lnd_dir())
        };
        let mut last = None;
        // The old listener's port can take a moment to be free again.
        for _ in 0..50 {
            match sim::start(config.clone()).await {
                Ok(handle) => {
                    self.sim = Some(handle);
                    return;
                }
                Err(error) => last = Some(error),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the simulator did not start again: {last:?}");
    }

    /// The connection spec of the user's node, from its files now.
    pub fn spec(&self) -> ConnectSpec {
        let network = self.lnd_dir().join("data/chain/bitcoin/regtest");
        ConnectSpec::from_files(
            &format!("127.0.0.1:{}", self.port),
            self.lnd_dir().join("tls.cert"),
            network.join("admin.macaroon"),
        )
        .expect("the sim's files are valid")
    }

    /// The real adapter connected to the user's node.
    pub async fn connect(&self) -> SharedNode {
        let lnd = within(satchel::lnd::connect(&self.spec()))
            .await
            .expect("connects to the simulator");
        Arc::new(lnd)
    }

    /// The `satchel` binary pointed at this node and profile.
    pub fn cli(&self) -> Cli {
        Cli::new(&self.home(), &self.lnd_dir(), self.port)
    }

    /// The index of the simulated node in the profile (as the app opens it).
    pub fn index_path(&self) -> PathBuf {
        satchel::store::Paths::at(self.home()).index_db(&self.sim().user_node())
    }

    /// The profile's send journal (as the app opens it).
    pub fn journal(&self) -> Journal {
        Journal::open(&self.home().join("journal.db")).expect("the journal opens")
    }
}

/// Every payment the node has made, oldest first.
pub async fn node_payments(node: &SharedNode) -> Vec<SentKeysend> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page = within(node.sent_page(after, 1000))
            .await
            .expect("sent page");
        let done = page.items.is_empty() || page.last_index <= after;
        after = page.last_index;
        all.extend(page.items);
        if done {
            return all;
        }
    }
}

/// How many payments the node holds with `hash`.
pub async fn payments_with(node: &SharedNode, hash: PaymentHash) -> usize {
    node_payments(node)
        .await
        .iter()
        .filter(|p| p.hash == hash)
        .count()
}

/// Await `future`, failing the test after [`STEP`].
pub async fn within<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(STEP, future)
        .await
        .expect("the step finished in time")
}

/// Run blocking work (child processes, file checks) off the async threads.
pub async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work)
        .await
        .expect("the blocking step did not panic")
}

/// Poll `check` every 50 ms until it returns true, failing after [`STEP`].
pub async fn eventually<F: Future<Output = bool>>(mut check: impl FnMut() -> F) {
    within(async {
        while !check().await {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
}

/// A distinct valid node id for number `n` (contacts, destinations).
pub fn test_node_id(n: usize) -> NodeId {
    let mut secret = [0u8; 32];
    secret[24..].copy_from_slice(&(n as u64 + 1).to_be_bytes());
    let key = secp256k1::SecretKey::from_byte_array(&secret).expect("a valid secret");
    let public = secp256k1::PublicKey::from_secret_key_global(&key);
    NodeId::from_slice(&public.serialize()).expect("a valid node id")
}

/// Every regular file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}
