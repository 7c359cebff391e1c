//! Serving one node of the network over gRPC + TLS: the shared network
//! state, the per-node service (macaroon checks, connection gate) and the
//! tonic server that carries Lightning, Router and Signer.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use tonic::transport::{Identity, ServerTlsConfig};
use tonic::{Request, Status};

use crate::rpc::lnrpc::lightning_server::LightningServer;
use crate::rpc::routerrpc::router_server::RouterServer;
use crate::rpc::signrpc::signer_server::SignerServer;

use super::gate::Gate;
use super::macaroon::{Macaroons, Permission};
use super::network::Network;
use super::{SimError, tls};

/// State shared by every served node of one simulated network.
pub(crate) struct Shared {
    network: Mutex<Network>,
    /// How long an HTLC takes to resolve.
    pub latency: Duration,
    /// Woken when state changed and should be saved.
    pub dirty: Notify,
    gates: Mutex<Vec<Weak<Gate>>>,
    enabled: Mutex<bool>,
}

impl Shared {
    /// Wrap a network.
    pub fn new(network: Network, latency: Duration) -> Self {
        Self {
            network: Mutex::new(network),
            latency,
            dirty: Notify::new(),
            gates: Mutex::new(Vec::new()),
            enabled: Mutex::new(true),
        }
    }

    /// Lock the network (a panic elsewhere does not poison the sim).
    pub fn lock(&self) -> MutexGuard<'_, Network> {
        self.network.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Ask the saver to persist soon.
    pub fn mark_dirty(&self) {
        self.dirty.notify_one();
    }

    /// Open or close every server's gate (fault injection).
    pub fn set_enabled(&self, enabled: bool) {
        *self.enabled.lock().unwrap_or_else(PoisonError::into_inner) = enabled;
        let mut gates = self.gates.lock().unwrap_or_else(PoisonError::into_inner);
        gates.retain(|gate| gate.strong_count() > 0);
        for gate in gates.iter().filter_map(Weak::upgrade) {
            gate.set(enabled);
        }
    }

    fn new_gate(&self) -> Arc<Gate> {
        let gate = Arc::new(Gate::new());
        gate.set(*self.enabled.lock().unwrap_or_else(PoisonError::into_inner));
        self.gates
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::downgrade(&gate));
        gate
    }
}

/// The gRPC services of one node.
#[derive(Clone)]
pub(crate) struct NodeService {
    pub shared: Arc<Shared>,
    /// Index of the served node in `graph::NODES`.
    pub node: usize,
    pub gate: Arc<Gate>,
    macaroons: Macaroons,
}

impl NodeService {
    /// Refuse the call unless connections are enabled and the macaroon
    /// grants `permission`.
    pub fn authorize<T>(&self, request: &Request<T>, permission: Permission) -> Result<(), Status> {
        self.gate.check()?;
        let peer = request.remote_addr().map(|addr| addr.ip());
        self.macaroons
            .authorize(request.metadata(), peer, permission)
    }

    /// This node's macaroon verifier.
    pub fn macaroons(&self) -> &Macaroons {
        &self.macaroons
    }
}

/// `<dir>/data/chain/bitcoin/regtest`.
pub(crate) fn network_dir(dir: &Path) -> PathBuf {
    dir.join("data")
        .join("chain")
        .join("bitcoin")
        .join("regtest")
}

/// A running gRPC server for one node.
pub(crate) struct Server {
    pub addr: SocketAddr,
    gate: Arc<Gate>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Server {
    /// Start serving `node` from its LND-like `dir` on `listen`.
    pub async fn start(
        shared: Arc<Shared>,
        node: usize,
        dir: &Path,
        listen: SocketAddr,
    ) -> Result<Self, SimError> {
        crate::install_crypto_provider();
        let pair = tls::load_or_create(dir)?;
        let macaroons = Macaroons::load_or_create(&network_dir(dir))?;
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|e| SimError::Listen(listen, e.to_string()))?;
        let addr = listener
            .local_addr()
            .map_err(|e| SimError::Listen(listen, e.to_string()))?;
        let gate = shared.new_gate();
        let service = NodeService {
            shared,
            node,
            gate: gate.clone(),
            macaroons,
        };
        let tls = ServerTlsConfig::new().identity(Identity::from_pem(pair.cert_pem, pair.key_pem));
        let router = tonic::transport::Server::builder()
            .tls_config(tls)
            .map_err(|e| SimError::Tls(e.to_string()))?
            .add_service(LightningServer::new(service.clone()))
            .add_service(RouterServer::new(service.clone()))
            .add_service(SignerServer::new(service));
        let (stop, stopped) = oneshot::channel::<()>();
        let incoming = gate.incoming(listener);
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(error) = router
                .serve_with_incoming_shutdown(incoming, shutdown)
                .await
            {
                log::error!("sim: gRPC server on {addr} stopped: {error}");
            }
        });
        Ok(Self {
            addr,
            gate,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Cut every connection of this server and stop it.
    pub async fn stop(&mut self) {
        self.gate.set(false);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(2), &mut task)
                .await
                .is_err()
        {
            task.abort();
            // Wait for the abort to land: the listener must be closed when
            // this returns, so a restart can bind the same port at once.
            let _ = task.await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.gate.set(false);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
