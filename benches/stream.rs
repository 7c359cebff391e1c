//! Streams over time (issue 13): 24 hours of stream time at 10 sats a
//! minute to the demo feed's block, batches every 5 minutes, against a
//! separate `satchel sim` process over real TLS gRPC (so the RSS and CPU
//! figures are the wallet's alone), on a scaled clock.
//! Prints the process's RSS after every stream hour (it must stay flat),
//! the CPU each accrued minute and each batch costs, and the CPU of the
//! process while a stream waits between minutes on the real clock.
//!
//! Run: `cargo bench --bench stream` (`-- --scale N`, default 1440: a day in
//! a minute).

use std::sync::Arc;
use std::time::{Duration, Instant};

use satchel::clock::{ScaledClock, SharedClock, SystemClock};
use satchel::keysend::Msat;
use satchel::node::SharedNode;
use satchel::podcast::{DEMO_FEED, Episode, Feed, select};
use satchel::store::FeeLimit;
use satchel::wallet::Journal;
use satchel::wallet::stream::{Control, Engine, NewStream, StreamEvent, Target, open_or_create};
use satchel::wallet::stream_store::StreamStore;
use tokio::sync::mpsc;

#[path = "support/sim_process.rs"]
#[allow(dead_code)] // shared with e2e; this bench uses part of it
mod sim_process;
use sim_process::SimProcess;

/// CPU time of this process (user + system), from /proc.
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // Fields 14 and 15 of stat; `after` starts at field 3. 100 ticks a second.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// Resident memory in KiB, from /proc.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

struct World {
    node: SharedNode,
    journal: Journal,
    store: StreamStore,
    _sim: SimProcess,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    satchel::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_satchel"));
    let sim = SimProcess::start(binary, &dir.path().join("sim"), 0);
    let node: SharedNode = sim.connect().await;
    let journal = Journal::open(&dir.path().join("p/journal.db")).unwrap();
    let store = StreamStore::open(&dir.path().join("p")).unwrap();
    World {
        node,
        journal,
        store,
        _sim: sim,
        _dir: dir,
    }
}

async fn engine(
    world: &World,
    clock: SharedClock,
    target: &str,
) -> (Engine, satchel::wallet::stream_store::StreamRow) {
    let selected = select(Feed::parse(DEMO_FEED).unwrap(), None, &Episode::Show).unwrap();
    let new = NewStream {
        target_text: target.into(),
        episode: String::new(),
        rate_msat_hour: 600_000,
        batch_minutes: 5,
        cap: None,
        context: selected.context.clone(),
    };
    let row = open_or_create(&world.store, &new, clock.now_ms()).unwrap();
    let engine = Engine {
        node: world.node.clone(),
        journal: world.journal.clone(),
        store: world.store.clone(),
        clock,
        info: world.node.info().await.unwrap(),
        fee_limit: FeeLimit::Fixed(Msat::from_sat(10)),
        target: Target::Feed {
            block: selected.block.unwrap(),
            context: selected.context,
            windows: Vec::new(),
        },
    };
    (engine, row)
}

fn main() {
    let scale: u32 = std::env::args()
        .skip_while(|a| a != "--scale")
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1440);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let world = world().await;
        day(&world, scale).await;
        idle(&world).await;
    });
}

/// 24 hours of stream time on the scaled clock.
async fn day(world: &World, scale: u32) {
    let clock: SharedClock = Arc::new(ScaledClock::new(scale));
    let (engine, row) = engine(world, clock, "day").await;
    let (_control, control_rx) = mpsc::unbounded_channel::<Control>();
    let (tx, mut events) = mpsc::unbounded_channel();
    let started = Instant::now();
    let cpu_before = cpu();
    let task = tokio::spawn(engine.run(row, control_rx, Some(24 * 60), tx));
    let (mut minutes, mut batches, mut legs, mut paid) = (0u64, 0u64, 0usize, 0u64);
    let mut rss = Vec::new();
    while let Some(event) = events.recv().await {
        match event {
            StreamEvent::Accrued { minute, .. } => {
                minutes += 1;
                if (minute + 1) % 60 == 0 {
                    rss.push(rss_kib());
                }
            }
            StreamEvent::Batch(report) => {
                batches += 1;
                legs += report.legs.len();
                paid += report.paid.0;
            }
            _ => {}
        }
    }
    let _ = task.await;
    let spent = cpu() - cpu_before;
    let wall = started.elapsed();
    println!("scale {scale}: 24 h of stream time in {wall:.2?} real");
    println!(
        "minutes accrued {minutes}, batches {batches}, legs {legs}, paid {} sat",
        paid / 1000
    );
    println!(
        "process CPU {spent:.2?} (wallet only): {:.2?} per minute + batch share",
        spent / u32::try_from(minutes.max(1)).unwrap_or(1)
    );
    let first = rss.first().copied().unwrap_or(0);
    let last = rss.last().copied().unwrap_or(0);
    let max = rss.iter().copied().max().unwrap_or(0);
    println!("RSS after hour 1: {first} KiB, hour 24: {last} KiB, max {max} KiB");
    println!("RSS per hour (KiB): {rss:?}");
}

/// A stream on the real clock between minutes: the process's CPU over 20 s.
async fn idle(world: &World) {
    let clock: SharedClock = Arc::new(SystemClock);
    let (engine, row) = engine(world, clock, "idle").await;
    let (control, control_rx) = mpsc::unbounded_channel();
    let (tx, mut events) = mpsc::unbounded_channel();
    let task = tokio::spawn(engine.run(row, control_rx, None, tx));
    let _started = events.recv().await;
    let before = cpu();
    let window = Duration::from_secs(20);
    tokio::time::sleep(window).await;
    let spent = cpu() - before;
    println!(
        "real clock, waiting between minutes: {spent:.2?} CPU in {window:?} ({:.2} %)",
        spent.as_secs_f64() * 100.0 / window.as_secs_f64()
    );
    let _ = control.send(Control::Stop);
    while events.recv().await.is_some() {}
    let _ = task.await;
}
