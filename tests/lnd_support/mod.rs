//! Shared setup for the LND adapter's integration tests: start the
//! simulator in a temporary directory and connect the real adapter to it.
//! Tests then talk only through the `Node` trait.

#![allow(dead_code)] // each test file uses a different part of this.

use std::path::Path;
use std::time::Duration;

use futures::StreamExt;
use satchel::keysend::{Msat, NodeId, Preimage, Records};
use satchel::lnd::{ConnectSpec, Lnd};
use satchel::node::{NodeError, NodeStream, OutgoingKeysend, PaymentUpdate};
use satchel::sim::{self, SimConfig, SimHandle};
use tempfile::TempDir;

/// How long any single test step may take before the test fails.
pub const STEP: Duration = Duration::from_secs(30);

/// A running simulator whose files live as long as this does.
pub struct Sim {
    pub handle: SimHandle,
    pub dir: TempDir,
}

/// Start the simulated network with default settings.
pub async fn start() -> Sim {
    start_with(|_| {}).await
}

/// Start the simulated network after adjusting its config.
pub async fn start_with(adjust: impl FnOnce(&mut SimConfig)) -> Sim {
    satchel::install_crypto_provider();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = SimConfig::new(dir.path().join("satchel"));
    config.payment_latency = Duration::from_millis(20);
    adjust(&mut config);
    let handle = sim::start(config).await.expect("the simulator starts");
    Sim { handle, dir }
}

/// A spec for a served node with the given macaroon file.
pub fn spec_for(handle: &SimHandle, macaroon: &Path) -> ConnectSpec {
    let address = format!("localhost:{}", handle.addr().port());
    ConnectSpec::from_files(&address, handle.tls_cert_path(), macaroon)
        .expect("the sim's files are valid")
}

/// Connect to a served node with its admin macaroon.
pub async fn connect_admin(handle: &SimHandle) -> Lnd {
    let spec = spec_for(handle, &handle.admin_macaroon_path());
    within(satchel::lnd::connect(&spec))
        .await
        .expect("connects with the admin macaroon")
}

/// Serve another node of the network and connect to it.
pub async fn serve(sim: &Sim, name: &str) -> (SimHandle, Lnd) {
    let handle = sim
        .handle
        .serve_node(name, sim.dir.path().join(name))
        .await
        .expect("serve node");
    let lnd = connect_admin(&handle).await;
    (handle, lnd)
}

/// The id of a sim node by name.
pub fn id(sim: &Sim, name: &str) -> NodeId {
    sim.handle
        .node_id(name)
        .unwrap_or_else(|| panic!("no sim node {name}"))
}

/// A keysend with a fresh preimage and a generous fee limit.
pub fn keysend(destination: NodeId, sats: u64, records: Records) -> OutgoingKeysend {
    OutgoingKeysend {
        destination,
        amount: Msat::from_sat(sats),
        preimage: Preimage::random(),
        records,
        fee_limit: Msat::from_sat(100),
        timeout: Duration::from_secs(20),
    }
}

/// Every update of a payment stream, in order, with a time limit.
pub async fn updates(stream: NodeStream<PaymentUpdate>) -> Vec<Result<PaymentUpdate, NodeError>> {
    within(stream.collect()).await
}

/// The last update (or error) of a payment stream.
pub async fn outcome(stream: NodeStream<PaymentUpdate>) -> Result<PaymentUpdate, NodeError> {
    updates(stream)
        .await
        .pop()
        .expect("a payment stream yields at least one item")
}

/// Await `future`, failing the test after [`STEP`].
pub async fn within<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(STEP, future)
        .await
        .expect("the step finished in time")
}
