//! Nostr Wallet Connect latency: a `pay_keysend` request published by an
//! app to a relay on 127.0.0.1 (in process), until Satchel's wallet service
//! calls SendPaymentV2 on the node (the simulator over TLS gRPC). The node
//! is the real LND adapter wrapped to note when `send` is called. Two
//! figures: from before the app publishes (includes the relay hop), and
//! from when a second client on the relay receives the request (what the
//! service receives at the same moment): "request received to
//! SendPaymentV2 called". The connection has a budget, so every payment
//! takes its reservation in the shared ledger too.
//!
//! Run: `cargo bench --bench nwc` (`-- --requests N`, 40 by default;
//! `--gap MS` between requests, 30 by default).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nostr::nips::nip44;
use nostr::{EventBuilder, Keys, Kind, Tag, TagKind};
use satchel::keysend::{NodeId, PaymentHash};
use satchel::node::{
    Balance, FeeEstimate, GraphNode, Node, NodeFuture, NodeInfo, NodeStream, OutgoingKeysend,
    PaymentUpdate, Peer, Permissions, ReceivedKeysend, ReceivedPage, SentPage, SharedNode,
};
use satchel::nwc::relay::DemoRelay;
use satchel::nwc::{self as wc, NewConnection, Period, Service};
use satchel::sim::{self, SimConfig};
use satchel::store::{MemorySecrets, Paths};

/// The real adapter, noting when SendPaymentV2 is called, and when the
/// questions before it (balance, route, graph) were first asked and last
/// answered: the path's phases.
struct Noting {
    inner: SharedNode,
    sent: Arc<Mutex<Option<Instant>>>,
    asked: Arc<Mutex<(Option<Instant>, Option<Instant>)>>,
}

impl Noting {
    fn timed<T: Send + 'static>(&self, call: NodeFuture<T>) -> NodeFuture<T> {
        let marks = self.asked.clone();
        {
            let mut marks = marks.lock().unwrap();
            marks.0 = Some(marks.0.unwrap_or_else(Instant::now));
        }
        Box::pin(async move {
            let answer = call.await;
            marks.lock().unwrap().1 = Some(Instant::now());
            answer
        })
    }
}

impl Node for Noting {
    fn info(&self) -> NodeFuture<NodeInfo> {
        self.inner.info()
    }
    fn balance(&self) -> NodeFuture<Balance> {
        self.timed(self.inner.balance())
    }
    fn lookup(&self, id: NodeId) -> NodeFuture<Option<GraphNode>> {
        self.timed(self.inner.lookup(id))
    }
    fn peers(&self) -> NodeFuture<Vec<Peer>> {
        self.inner.peers()
    }
    fn estimate_fee(&self, keysend: &OutgoingKeysend) -> NodeFuture<FeeEstimate> {
        self.timed(self.inner.estimate_fee(keysend))
    }
    fn sign_with_node_key(&self, payload: Vec<u8>) -> NodeFuture<Vec<u8>> {
        self.inner.sign_with_node_key(payload)
    }
    fn send(&self, keysend: OutgoingKeysend) -> NodeStream<PaymentUpdate> {
        *self.sent.lock().unwrap() = Some(Instant::now());
        self.inner.send(keysend)
    }
    fn track(&self, hash: PaymentHash) -> NodeStream<PaymentUpdate> {
        self.inner.track(hash)
    }
    fn received_page(&self, after: u64, max: u64) -> NodeFuture<ReceivedPage> {
        self.inner.received_page(after, max)
    }
    fn subscribe_received(&self, after: u64) -> NodeStream<ReceivedKeysend> {
        self.inner.subscribe_received(after)
    }
    fn sent_page(&self, after: u64, max: u64) -> NodeFuture<SentPage> {
        self.inner.sent_page(after, max)
    }
    fn permissions(&self) -> NodeFuture<Permissions> {
        self.inner.permissions()
    }
}

/// `--NAME N` from the command line, else `default`.
fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

fn requests() -> usize {
    usize::try_from(arg("--requests", 40)).unwrap_or(40)
}

fn main() {
    satchel::install_crypto_provider();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(requests()));
}

async fn run(count: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = SimConfig::new(dir.path().join("lnd"));
    config.payment_latency = Duration::from_millis(5);
    let sim = sim::start(config).await.expect("sim");
    let address = format!("localhost:{}", sim.addr().port());
    let spec = satchel::lnd::ConnectSpec::from_files(
        &address,
        sim.tls_cert_path(),
        sim.admin_macaroon_path(),
    )
    .expect("spec");
    let lnd: SharedNode = Arc::new(satchel::lnd::connect(&spec).await.expect("connect"));
    let sent = Arc::new(Mutex::new(None));
    let asked = Arc::new(Mutex::new((None, None)));
    let node: SharedNode = Arc::new(Noting {
        inner: lnd,
        sent: sent.clone(),
        asked: asked.clone(),
    });
    let relay = DemoRelay::start(0).await.expect("relay");
    let paths = Paths::at(dir.path().join("profile"));
    let secrets = MemorySecrets::new();
    let new = NewConnection {
        name: "bench".into(),
        budget_sats: Some(1_000_000),
        period: Period::Day,
        methods: wc::DEFAULT_METHODS.to_vec(),
        notifications: false,
        relays: vec![nostr::RelayUrl::parse(relay.url()).unwrap()],
        expires_in: None,
    };
    let (_, uri) = wc::connection::add(&paths, &secrets, new, wc::unix_now()).expect("add");
    let now = Arc::new(AtomicU64::new(wc::unix_now()));
    let clock: wc::Clock = Arc::new(move || now.load(Ordering::SeqCst));
    let service = Service::open(node, &paths, &secrets, clock)
        .await
        .expect("open");
    let handle = service.serve(Vec::new()).await.expect("serve");
    let app = nostr_sdk::Client::default();
    let _ = app.add_relay(relay.url()).await.unwrap();
    app.connect().await;
    app.wait_for_connection(Duration::from_secs(5)).await;
    let keys = Keys::new(uri.secret.clone());
    // A second client receives each request as the service does.
    let observer = nostr_sdk::Client::default();
    let _ = observer.add_relay(relay.url()).await.unwrap();
    observer.connect().await;
    observer.wait_for_connection(Duration::from_secs(5)).await;
    let filter = nostr::Filter::new()
        .kind(Kind::WalletConnectRequest)
        .pubkey(uri.public_key);
    let _ = observer.subscribe(filter, None).await.unwrap();
    let received = Arc::new(Mutex::new(None));
    let mut arrivals = observer.notifications();
    let noted = received.clone();
    drop(tokio::spawn(async move {
        while let Ok(note) = arrivals.recv().await {
            if let nostr_sdk::RelayPoolNotification::Event { .. } = note {
                *noted.lock().unwrap() = Some(Instant::now());
            }
        }
    }));
    let alice = sim.node_id("alice").unwrap();
    let mut times = Vec::new();
    let mut from_relay = Vec::new();
    let mut phases: [Vec<Duration>; 3] = Default::default();
    for n in 0..count {
        *sent.lock().unwrap() = None;
        *asked.lock().unwrap() = (None, None);
        *received.lock().unwrap() = None;
        let json = format!(
            r#"{{"method":"pay_keysend","params":{{"pubkey":"{alice}","amount":{}}}}}"#,
            1000 + n
        );
        let content =
            nip44::encrypt(keys.secret_key(), &uri.public_key, json, nip44::Version::V2).unwrap();
        let event = EventBuilder::new(Kind::WalletConnectRequest, content)
            .tags([
                Tag::public_key(uri.public_key),
                Tag::custom(TagKind::custom("encryption"), ["nip44_v2"]),
            ])
            .sign_with_keys(&keys)
            .unwrap();
        let start = Instant::now();
        let _ = app.send_event(&event).await.unwrap();
        let called = loop {
            if let Some(at) = *sent.lock().unwrap() {
                break at;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        };
        times.push(called.duration_since(start));
        let arrived = loop {
            if let Some(at) = *received.lock().unwrap() {
                break at;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        };
        from_relay.push(called.saturating_duration_since(arrived));
        if let (Some(first), Some(last)) = *asked.lock().unwrap() {
            phases[0].push(first.saturating_duration_since(arrived));
            phases[1].push(last.saturating_duration_since(first));
            phases[2].push(called.saturating_duration_since(last));
        }
        // Let the payment settle before the next one (`--gap MS`). A gap
        // under 40 ms leaves the relay's last small write to the service
        // unacknowledged (delayed ACK), and the relay's next write waits for
        // it (Nagle): the request reaches the service that much later.
        tokio::time::sleep(Duration::from_millis(arg("--gap", 30))).await;
    }
    times.sort();
    from_relay.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    for (what, times) in [
        ("request received", &from_relay),
        ("request published", &times),
    ] {
        println!(
            "nwc pay_keysend: {what} -> SendPaymentV2 called, {count} requests: \
             median {:.2} ms, p95 {:.2} ms, max {:.2} ms (target <= 20 ms from received)",
            ms(times[count / 2]),
            ms(times[count * 95 / 100]),
            ms(times[count - 1])
        );
    }
    let names = [
        "received -> node first asked (verify, decrypt, authorise, check)",
        "balance, route and graph asked at once",
        "last answer -> SendPaymentV2 (checks, journal's durable write)",
    ];
    for (what, times) in names.into_iter().zip(phases.iter_mut()) {
        times.sort();
        if let Some(median) = times.get(times.len() / 2) {
            println!("  phase {what}: median {:.2} ms", ms(*median));
        }
    }
    handle.stop().await;
    sim.shutdown().await;
}
