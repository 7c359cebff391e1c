//! Issue 15's measurements: a thread of 10,000 messages opens (target
//! <= 50 ms); totals per podcast over a large index (target <= 200 ms at
//! 1,000,000 entries; all time is read from the stored groups, a date
//! range from the covering index); exporting 100,000 entries to CSV (target <= 2 s,
//! flat memory: the peak resident set during the export is printed).
//!
//! Run: `cargo bench --bench threads`. `SATCHEL_BENCH_BOOSTS=N` sets the
//! size of the podcast-totals index (default 1,000,000; filling it takes a
//! while and is printed).

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use satchel::keysend::{Msat, NodeId, PaymentHash, Preimage, Records, record};
use satchel::node::{PaymentStatus, ReceivedKeysend, SentKeysend};
use satchel::store::ContactBook;
use satchel::wallet::{BoostFilter, ExportFormat, InboxQuery, Index};

const PEER: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
const OTHER: &str = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";
const PODCASTS: [&str; 8] = [
    "Noded",
    "Tech Talk",
    "Bitcoin Audible",
    "Stephan Livera",
    "Citadel Dispatch",
    "Rabbit Hole Recap",
    "What Bitcoin Did",
    "No Agenda",
];

fn hash_of(n: u64, salt: u8) -> [u8; 32] {
    let mut bytes = [salt; 32];
    bytes[..8].copy_from_slice(&n.to_be_bytes());
    bytes
}

/// Keysend `n`: from `from`, a ~60-byte message, every other one a
/// boostagram for one of [`PODCASTS`] (one of 20 episodes).
fn received(n: u64, from: &NodeId) -> ReceivedKeysend {
    let mut records = Records::new();
    let _ = records.insert(
        record::MESSAGE,
        format!("message number {n}: thanks for the great episode!").into_bytes(),
    );
    let _ = records.insert(record::SENDER_PUBKEY, from.as_bytes().to_vec());
    if n.is_multiple_of(2) {
        let boost = format!(
            r#"{{"podcast":"{}","episode":"Episode {}","sender_name":"fan{}","boost_uuid":"b{}","value_msat_total":{}}}"#,
            PODCASTS[(n / 2) as usize % PODCASTS.len()],
            n % 20,
            n % 50,
            n / 3,
            (n % 5_000 + 1) * 1000
        );
        let _ = records.insert(record::BOOSTAGRAM, boost.into_bytes());
    }
    ReceivedKeysend {
        hash: PaymentHash::from_bytes(hash_of(n, 1)),
        chan_id: 1,
        htlc_index: n + 1,
        amount: Msat::from_sat(1 + n % 5_000),
        add_index: n + 1,
        settle_index: n + 1,
        created_at: 1_700_000_000 + n as i64,
        settled_at: 1_700_000_000 + n as i64,
        records,
    }
}

fn sent(n: u64, to: &NodeId) -> SentKeysend {
    let mut records = Records::new();
    let _ = records.insert(record::MESSAGE, format!("our answer {n}").into_bytes());
    let _ = records.insert(record::IN_REPLY_TO, hash_of(n, 1).to_vec());
    SentKeysend {
        hash: Preimage::from_bytes(hash_of(n, 2)).hash(),
        payment_index: n + 1,
        destination: Some(*to),
        amount: Msat::from_sat(5),
        fee: Msat::ZERO,
        status: PaymentStatus::InFlight,
        created_ns: (1_700_000_000 + n as i64) * 1_000_000_000 + 500,
        records,
    }
}

/// `n` received keysends from `from`, inserted a page at a time (flat memory).
fn fill(index: &Index, n: u64, from: &NodeId) {
    let start = Instant::now();
    let mut at = 0;
    while at < n {
        let page: Vec<ReceivedKeysend> =
            (at..n.min(at + 1_000)).map(|i| received(i, from)).collect();
        let _ = index.insert_received(&page).expect("insert");
        at += 1_000;
    }
    println!(
        "filled {n} keysends in {:.1} s",
        start.elapsed().as_secs_f64()
    );
}

fn peak_resident_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Reset the peak resident set (Linux `clear_refs` 5), so the next
/// [`peak_resident_mb`] is the peak from here on.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn thread_open(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(&dir.path().join("index.db")).unwrap();
    let peer: NodeId = PEER.parse().unwrap();
    let other: NodeId = OTHER.parse().unwrap();
    fill(&index, 5_000, &peer);
    let sent: Vec<SentKeysend> = (0..5_000).map(|n| sent(n, &peer)).collect();
    let _ = index.upsert_sent(&sent).unwrap();
    // Someone else's traffic, so the thread is a part of the index.
    let others: Vec<ReceivedKeysend> = (10_000..30_000).map(|n| received(n, &other)).collect();
    let _ = index.insert_received(&others).unwrap();
    assert_eq!(index.thread(&peer, 10_000).unwrap().len(), 10_000);
    let mut group = c.benchmark_group("threads");
    let _ = group.sample_size(20);
    let _ = group.bench_function("open a thread of 10,000 messages", |b| {
        b.iter(|| index.thread(black_box(&peer), 10_000).unwrap());
    });
    let _ = group.bench_function("thread list (2 peers, 30,000 keysends)", |b| {
        b.iter(|| index.threads(50).unwrap());
    });
    group.finish();
}

fn podcast_totals(c: &mut Criterion) {
    let n: u64 = std::env::var("SATCHEL_BENCH_BOOSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(&dir.path().join("index.db")).unwrap();
    fill(&index, n, &PEER.parse().unwrap());
    let all = BoostFilter {
        podcast: None,
        since: 0,
        until: i64::MAX,
        limit: 50,
    };
    // All time is served from the stored groups (issue 19): the first read
    // groups every boost once and stores the result; later reads add only
    // the rows stored since. Timed here once each, outside criterion.
    let once = |what: &str, work: &dyn Fn()| {
        let start = Instant::now();
        work();
        println!("{what}: {:.1} ms", start.elapsed().as_secs_f64() * 1e3);
    };
    once("all-time totals, first read (groups and stores)", &|| {
        let _ = index.podcast_totals(&all).unwrap();
    });
    once(
        "all-time supporters, first read (groups and stores)",
        &|| {
            let _ = index.supporters(&all, 20).unwrap();
        },
    );
    let page: Vec<ReceivedKeysend> = (n..n + 1_000)
        .map(|i| received(i, &PEER.parse().unwrap()))
        .collect();
    let _ = index.insert_received(&page).expect("insert");
    once("all-time totals after 1,000 new rows", &|| {
        let _ = index.podcast_totals(&all).unwrap();
    });
    once("all-time supporters after 1,000 new rows", &|| {
        let _ = index.supporters(&all, 20).unwrap();
    });
    let mut group = c.benchmark_group("boosts");
    let _ = group.sample_size(10);
    let _ = group.bench_function(
        format!("totals per podcast and episode, {n} entries"),
        |b| {
            b.iter(|| index.podcast_totals(black_box(&all)).unwrap());
        },
    );
    // From and To: the middle half of the entries (the Boosts view's days).
    let half = BoostFilter {
        since: 1_700_000_000 + n as i64 / 4,
        until: 1_700_000_000 + 3 * n as i64 / 4,
        ..all.clone()
    };
    let _ = group.bench_function(
        format!("totals per podcast and episode, From..To half of {n} entries"),
        |b| {
            b.iter(|| index.podcast_totals(black_box(&half)).unwrap());
        },
    );
    let _ = group.bench_function(format!("supporters ranked, {n} entries"), |b| {
        b.iter(|| index.supporters(black_box(&all), 20).unwrap());
    });
    once(
        "supporters ranked, From..To half, first read (keeps the days)",
        &|| {
            let _ = index.supporters(&half, 20).unwrap();
        },
    );
    let _ = group.bench_function(
        format!("supporters ranked, From..To half of {n} entries"),
        |b| {
            b.iter(|| index.supporters(black_box(&half), 20).unwrap());
        },
    );
    // The Boosts view's From..To are whole days (UTC): the same half, its
    // ends moved to midnight.
    let days = BoostFilter {
        since: half.since.div_euclid(86_400) * 86_400 + 86_400,
        until: half.until.div_euclid(86_400) * 86_400,
        ..all.clone()
    };
    let _ = group.bench_function(
        format!("supporters ranked, whole days From..To of {n} entries"),
        |b| {
            b.iter(|| index.supporters(black_box(&days), 20).unwrap());
        },
    );
    let _ = group.bench_function("newest 50 boosts grouped", |b| {
        b.iter(|| index.boosts(black_box(&all)).unwrap());
    });
    group.finish();
}

fn csv_export(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(&dir.path().join("index.db")).unwrap();
    fill(&index, 100_000, &PEER.parse().unwrap());
    let book = ContactBook::new();
    let all = InboxQuery {
        limit: u64::MAX,
        ..InboxQuery::default()
    };
    for format in [ExportFormat::Csv, ExportFormat::Json] {
        reset_peak();
        let before = peak_resident_mb();
        let start = Instant::now();
        let mut bytes = 0u64;
        let counter = CountingSink(&mut bytes);
        let rows = index.export_received(&all, format, &book, counter).unwrap();
        println!(
            "{format:?} export: {rows} entries, {:.1} MB in {:.2} s; peak resident {before:.1} -> {:.1} MB",
            bytes as f64 / 1e6,
            start.elapsed().as_secs_f64(),
            peak_resident_mb()
        );
    }
    let mut group = c.benchmark_group("export");
    let _ = group.sample_size(10);
    let _ = group.bench_function("CSV export of 100,000 entries", |b| {
        b.iter(|| {
            index
                .export_received(&all, ExportFormat::Csv, &book, std::io::sink())
                .unwrap()
        });
    });
    group.finish();
}

/// Counts bytes written and drops them.
struct CountingSink<'a>(&'a mut u64);

impl std::io::Write for CountingSink<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        *self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Keysend `n` for the search bench: every third message says "keysend"
/// (a common word, as in `satchel sim --seed-history`), one in 1,000 says
/// "rarely".
fn searched(n: u64, from: &NodeId) -> ReceivedKeysend {
    let mut row = received(n, from);
    let word = match n {
        n if n.is_multiple_of(1_000) => "rarely",
        n if n.is_multiple_of(3) => "keysend",
        _ => "tip",
    };
    let _ = row.records.insert(
        record::MESSAGE,
        format!("a {word} for episode {}, thanks!", n % 20).into_bytes(),
    );
    row
}

/// Issue 19: a common word's search over 1,000,000 rows (target <= 100 ms):
/// the window's first page and its count and total, each a cold question
/// (no stored answer yet) and again. `SATCHEL_BENCH_SEARCH=N` sets the size.
fn search(c: &mut Criterion) {
    let n: u64 = std::env::var("SATCHEL_BENCH_SEARCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(&dir.path().join("index.db")).unwrap();
    let peer: NodeId = PEER.parse().unwrap();
    let start = Instant::now();
    let mut at = 0;
    while at < n {
        let page: Vec<ReceivedKeysend> = (at..n.min(at + 1_000))
            .map(|i| searched(i, &peer))
            .collect();
        let _ = index.insert_received(&page).expect("insert");
        at += 1_000;
    }
    println!(
        "filled {n} keysends in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let query = |word: &str| InboxQuery {
        text: Some(word.to_owned()),
        limit: 50,
        ..InboxQuery::default()
    };
    for word in ["keysend", "rarely"] {
        let start = Instant::now();
        let (count, _) = index.count_and_sum(&query(word)).unwrap();
        println!(
            "count and total of {word:?}, first time: {count} in {:.1} ms",
            start.elapsed().as_secs_f64() * 1e3
        );
    }
    let mut group = c.benchmark_group("search");
    let _ = group.sample_size(10);
    for word in ["keysend", "rarely"] {
        let _ = group.bench_function(format!("{word}: first page of 50, {n} entries"), |b| {
            b.iter(|| index.inbox(black_box(&query(word))).unwrap());
        });
        let _ = group.bench_function(format!("{word}: count and total, {n} entries"), |b| {
            b.iter(|| index.count_and_sum(black_box(&query(word))).unwrap());
        });
    }
    let unread = InboxQuery {
        unread_only: true,
        min_amount: Msat::from_sat(100),
        ..query("keysend")
    };
    let _ = group.bench_function(
        format!("keysend, unread, >= 100 sat: first page of 50, {n} entries"),
        |b| {
            b.iter(|| index.inbox(black_box(&unread)).unwrap());
        },
    );
    let next = {
        let first = index.inbox(&query("keysend")).unwrap();
        let last = first.last().expect("a page");
        InboxQuery {
            seek: satchel::wallet::Seek::After(satchel::wallet::InboxSort::NewestFirst.key(last)),
            ..query("keysend")
        }
    };
    let _ = group.bench_function(format!("keysend: second page of 50, {n} entries"), |b| {
        b.iter(|| index.inbox(black_box(&next)).unwrap());
    });
    group.finish();
}

criterion_group!(benches, thread_open, csv_export, podcast_totals, search);
criterion_main!(benches);
