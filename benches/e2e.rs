//! End-to-end scenarios against a simulated node seeded with 100,000
//! received keysends, served over TLS gRPC by a separate `satchel sim`
//! process (so this process's memory is the app's, not the simulator's).
//!
//! Run: `cargo bench --bench e2e` (add `-- --entries N` for another size).
//! Prints each figure; BENCHMARKS.md records them against the targets.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use satchel::lnd::{ConnectSpec, connect};
use satchel::node::{Node, SharedNode};
use satchel::wallet::{InboxQuery, Index};

struct SimProcess {
    child: Child,
    dir: PathBuf,
    address: String,
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

fn start_sim(dir: &Path, entries: usize) -> SimProcess {
    let port = free_port();
    let address = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_satchel"))
        .args(["sim", "--dir"])
        .arg(dir)
        .args(["--listen", &address, "--seed-history", &entries.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start `satchel sim`");
    SimProcess { child, dir: dir.to_owned(), address }
}

async fn connect_when_ready(sim: &SimProcess) -> SharedNode {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let cert = sim.dir.join("tls.cert");
        let macaroon = sim.dir.join("data/chain/bitcoin/regtest/admin.macaroon");
        if let Ok(spec) = ConnectSpec::from_files(&sim.address, &cert, &macaroon)
            && let Ok(lnd) = connect(&spec).await
        {
            return Arc::new(lnd);
        }
        assert!(Instant::now() < deadline, "the simulator did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn resident_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Bare cost: receive and prost-decode every ListInvoices page (and map to
/// domain values), without decoding records or writing the index.
async fn bare_pages(node: &SharedNode) -> (usize, Duration) {
    let start = Instant::now();
    let (mut after, mut seen) = (0, 0);
    loop {
        let page = node.received_page(after, 1_000).await.expect("ListInvoices page");
        if page.scanned == 0 {
            break;
        }
        seen += page.items.len();
        after = page.last_add_index;
    }
    (seen, start.elapsed())
}

fn entries_arg() -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--entries")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000)
}

#[tokio::main]
async fn main() {
    satchel::install_crypto_provider();
    let entries = entries_arg();
    let work = tempfile::tempdir().expect("tempdir");
    let sim_dir = work.path().join("sim");

    let started = Instant::now();
    let sim = start_sim(&sim_dir, entries);
    let node = connect_when_ready(&sim).await;
    println!("sim seeded with {entries} keysends and connected in {:.2} s", started.elapsed().as_secs_f64());
    println!("resident memory before sync: {:.1} MB", resident_mb());

    let (seen, bare) = bare_pages(&node).await;
    println!("bare ListInvoices pages: {seen} keysends in {:.3} s", bare.as_secs_f64());

    let db = work.path().join("index.db");
    let index = Index::open(&db).expect("open index");
    let start = Instant::now();
    let stats = satchel::wallet::sync::backfill(&node, &index, |_| {}).await.expect("backfill");
    let sync = start.elapsed();
    let rows = index.count(&InboxQuery::default()).expect("count");
    println!(
        "first sync into the index: {rows} rows in {:.3} s (target <= 3 s); ratio to bare pages {:.2}; {stats:?}",
        sync.as_secs_f64(),
        sync.as_secs_f64() / bare.as_secs_f64()
    );
    println!("resident memory after sync with {rows} entries: {:.1} MB (target <= 150 MB)", resident_mb());
    drop(index);

    let start = Instant::now();
    let index = Index::open(&db).expect("reopen index");
    let page = index.inbox(&InboxQuery::default()).expect("first page");
    let total = index.count(&InboxQuery::default()).expect("count");
    let shown = start.elapsed();
    println!(
        "restart to inbox shown: first page of {} of {total} in {:.1} ms (target <= 1 s)",
        page.len(),
        shown.as_secs_f64() * 1e3
    );
    let start = Instant::now();
    let stats = satchel::wallet::sync::backfill(&node, &index, |_| {}).await.expect("incremental sync");
    println!("incremental sync with nothing new: {:.1} ms; {stats:?}", start.elapsed().as_secs_f64() * 1e3);

    let info = node.info().await.expect("info");
    println!("node: {} ({} channels)", info.alias, info.active_channels);
}
