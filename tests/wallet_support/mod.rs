//! Shared setup for the wallet's integration tests: the simulator in a
//! temporary directory, the real LND adapter connected to it as a
//! `SharedNode`, and a wallet profile (index and journal) beside it.

#![allow(dead_code)] // each test file uses a different part of this.

use std::sync::Arc;
use std::time::Duration;

use futures::{Stream, StreamExt};
use satchel::keysend::{Msat, Records, record};
use satchel::lnd::ConnectSpec;
use satchel::node::SharedNode;
use satchel::sim::{self, SimConfig, SimHandle};
use satchel::wallet::{Index, Journal};
use tempfile::TempDir;

/// How long any single test step may take before the test fails.
pub const STEP: Duration = Duration::from_secs(60);

/// A running simulator, a connected node and a wallet profile.
pub struct World {
    pub sim: SimHandle,
    pub node: SharedNode,
    pub index: Index,
    pub journal: Journal,
    pub dir: TempDir,
}

/// Start the simulator (after `adjust`), connect, open the wallet files.
pub async fn world(adjust: impl FnOnce(&mut SimConfig)) -> World {
    satchel::install_crypto_provider();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = SimConfig::new(dir.path().join("lnd"));
    config.payment_latency = Duration::from_millis(20);
    adjust(&mut config);
    let sim = within(sim::start(config))
        .await
        .expect("the simulator starts");
    let node = connect(&sim).await;
    let index = Index::open(&dir.path().join("profile/index.db")).expect("index opens");
    let journal = Journal::open(&dir.path().join("profile/journal.db")).expect("journal opens");
    World {
        sim,
        node,
        index,
        journal,
        dir,
    }
}

/// Connect the real adapter to a served node with its admin macaroon.
pub async fn connect(sim: &SimHandle) -> SharedNode {
    let address = format!("localhost:{}", sim.addr().port());
    let spec = ConnectSpec::from_files(&address, sim.tls_cert_path(), sim.admin_macaroon_path())
        .expect("the sim's files are valid");
    let lnd = within(satchel::lnd::connect(&spec))
        .await
        .expect("connects");
    Arc::new(lnd)
}

/// Records carrying one chat message.
pub fn message(text: &str) -> Records {
    let mut records = Records::new();
    let _ = records.insert(record::MESSAGE, text.as_bytes().to_vec());
    records
}

/// `sats` as msat.
pub fn sats(sats: u64) -> Msat {
    Msat::from_sat(sats)
}

/// Await `future`, failing the test after [`STEP`].
pub async fn within<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(STEP, future)
        .await
        .expect("the step finished in time")
}

/// The next item of `stream`, failing the test after [`STEP`] or at its end.
pub async fn next<S: Stream + Unpin>(stream: &mut S) -> S::Item {
    within(stream.next()).await.expect("the stream ended early")
}

/// Poll `check` every 50 ms until it returns true, failing after [`STEP`].
pub async fn eventually(mut check: impl FnMut() -> bool) {
    within(async {
        while !check() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
}
