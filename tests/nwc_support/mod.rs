//! Shared setup for the Nostr Wallet Connect tests: the simulator with the
//! real LND adapter, a real relay in this process on 127.0.0.1, a profile
//! with session-only secrets, the wallet service, and apps that talk NIP-47
//! either through rust-nostr's `nwc` client library or with hand-built
//! events (NIP-44 requests, hostile content).

#![allow(dead_code)] // each test file uses a different part of this.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ::nwc::prelude::{NWC, NostrWalletConnectOptions};
use nostr::nips::nip47::{Method, NIP47Error, NostrWalletConnectURI};
use nostr::{RelayUrl, Timestamp};
use nostr_sdk::Client;
use satchel::keysend::NodeId;
use satchel::node::SharedNode;
use satchel::nwc::relay::DemoRelay;
use satchel::nwc::{self as wc, NewConnection, Period, Service, ServiceHandle};
use satchel::sim::{self, SimConfig, SimHandle};
use satchel::store::{MemorySecrets, Paths};
use tempfile::TempDir;

/// How long any single test step may take before the test fails.
pub const STEP: Duration = Duration::from_secs(60);

/// Simulator, node, relay, profile and a movable clock.
pub struct World {
    pub sim: SimHandle,
    pub node: SharedNode,
    pub relay: DemoRelay,
    pub paths: Paths,
    pub secrets: Arc<MemorySecrets>,
    pub now: Arc<AtomicU64>,
    pub dir: TempDir,
}

/// Await `future`, failing the test after [`STEP`].
pub async fn within<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(STEP, future)
        .await
        .expect("the step finished in time")
}

pub async fn world() -> World {
    satchel::install_crypto_provider();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = SimConfig::new(dir.path().join("lnd"));
    config.payment_latency = Duration::from_millis(20);
    let sim = within(sim::start(config))
        .await
        .expect("the simulator starts");
    let address = format!("localhost:{}", sim.addr().port());
    let spec = satchel::lnd::ConnectSpec::from_files(
        &address,
        sim.tls_cert_path(),
        sim.admin_macaroon_path(),
    )
    .expect("the sim's files are valid");
    let node: SharedNode = Arc::new(
        within(satchel::lnd::connect(&spec))
            .await
            .expect("connects"),
    );
    let relay = within(DemoRelay::start(0)).await.expect("the relay starts");
    World {
        sim,
        node,
        relay,
        paths: Paths::at(dir.path().join("profile")),
        secrets: Arc::new(MemorySecrets::new()),
        now: Arc::new(AtomicU64::new(Timestamp::now().as_secs())),
        dir,
    }
}

impl World {
    pub fn relay_url(&self) -> RelayUrl {
        RelayUrl::parse(self.relay.url()).expect("relay url")
    }

    /// A connection with default methods and `budget` sats per `period`.
    pub fn add(&self, name: &str, budget: Option<u64>, period: Period) -> NostrWalletConnectURI {
        self.add_with(NewConnection {
            name: name.into(),
            budget_sats: budget,
            period,
            methods: wc::DEFAULT_METHODS.to_vec(),
            notifications: false,
            relays: vec![self.relay_url()],
            expires_in: None,
        })
    }

    pub fn add_with(&self, new: NewConnection) -> NostrWalletConnectURI {
        let now = self.now.load(Ordering::SeqCst);
        let (_, uri) = wc::connection::add(&self.paths, self.secrets.as_ref(), new, now)
            .expect("the connection is added");
        uri
    }

    /// Start serving every connection added so far.
    pub async fn serve(&self) -> ServiceHandle {
        self.serve_retrying(None).await
    }

    /// Serve, trying a dropped relay again after `retry` (no back-off).
    pub async fn serve_retrying(&self, retry: Option<Duration>) -> ServiceHandle {
        let now = self.now.clone();
        let clock: wc::Clock = Arc::new(move || now.load(Ordering::SeqCst));
        let service = within(Service::open(
            self.node.clone(),
            &self.paths,
            self.secrets.as_ref(),
            clock,
        ))
        .await
        .expect("the service opens");
        let service = match retry {
            Some(wait) => service.retry_every(wait),
            None => service,
        };
        within(service.serve(Vec::new()))
            .await
            .expect("the service serves")
    }

    /// Move the service's clock.
    pub fn advance(&self, seconds: u64) {
        let _ = self.now.fetch_add(seconds, Ordering::SeqCst);
    }

    pub fn alice(&self) -> NodeId {
        self.sim.node_id("alice").expect("alice is in the sim")
    }

    /// How many keysends the node has sent successfully.
    pub async fn paid(&self) -> usize {
        let page = within(self.node.sent_page(0, 10_000))
            .await
            .expect("sent page");
        page.items
            .iter()
            .filter(|p| matches!(p.status, satchel::node::PaymentStatus::Succeeded { .. }))
            .count()
    }
}

/// The app: rust-nostr's NWC client library with this URI.
pub fn app(uri: &NostrWalletConnectURI) -> NWC {
    let options = NostrWalletConnectOptions::new().timeout(Duration::from_secs(20));
    NWC::with_opts(uri.clone(), options)
}

/// The NIP-47 error code of a client result, if it is one.
pub fn code<T: std::fmt::Debug>(result: Result<T, ::nwc::Error>) -> Option<NIP47Error> {
    match result {
        Err(::nwc::Error::NIP47(nostr::nips::nip47::Error::ErrorCode(error))) => Some(error),
        other => panic!("expected a NIP-47 error, got {other:?}"),
    }
}

/// A nostr client connected to the relay (for hand-built requests).
pub async fn raw_client(world: &World) -> Client {
    let client = Client::default();
    let _ = client
        .add_relay(world.relay.url())
        .await
        .expect("relay added");
    client.connect().await;
    client.wait_for_connection(Duration::from_secs(5)).await;
    client
}

/// The method names of a served set.
pub fn names(methods: &[Method]) -> Vec<String> {
    methods.iter().map(|m| m.as_str().to_owned()).collect()
}
