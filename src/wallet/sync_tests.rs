//! Backfill against the simulator over real gRPC: the first page is stored
//! alone, later pages several to a transaction, and a backfill cancelled or
//! failing in the middle of a multi-page transaction leaves the index at a
//! page boundary (rows and cursor together) and resumes with nothing missing
//! or repeated.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use rusqlite::Connection;
use tokio::sync::Notify;

use super::reader::{Group, Page, Reader};
use super::*;
use crate::lnd::ConnectSpec;
use crate::node::NodeError;
use crate::sim::{SimConfig, SimHandle};

/// Seeded keysends: five full pages.
const SEEDED: u64 = 5 * PAGE_SIZE;

async fn sim_and_node(dir: &Path) -> (SimHandle, SharedNode) {
    crate::install_crypto_provider();
    let config = SimConfig {
        seed_history: SEEDED as usize,
        ..SimConfig::new(dir.join("lnd"))
    };
    let sim = crate::sim::start(config)
        .await
        .expect("the simulator starts");
    let address = format!("localhost:{}", sim.addr().port());
    let spec = ConnectSpec::from_files(&address, sim.tls_cert_path(), sim.admin_macaroon_path())
        .expect("the sim's files");
    let node = crate::lnd::connect(&spec).await.expect("connects");
    (sim, Arc::new(node))
}

/// Rows, lowest and highest add index, distinct hashes and the add-index
/// cursor, read in one snapshot through a connection of its own.
fn snapshot(db: &Path) -> (u64, u64, u64, u64, u64) {
    let mut conn = Connection::open(db).unwrap();
    crate::wallet::schema::functions(&conn).unwrap();
    let tx = conn.transaction().unwrap();
    let (rows, low, high, hashes) = tx
        .query_row(
            "SELECT count(*), coalesce(min(add_index), 0), coalesce(max(add_index), 0), \
             count(DISTINCT hash) FROM received",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let cursor: u64 = tx
        .query_row(
            "SELECT coalesce(max(value), 0) FROM cursors WHERE name = 'add_index'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    (rows, low, high, hashes, cursor)
}

/// Every keysend up to the cursor is stored once, and nothing after it; the
/// cursor is on a page boundary. Returns the cursor.
fn assert_consistent(db: &Path) -> u64 {
    let (rows, low, high, hashes, cursor) = snapshot(db);
    assert_eq!(cursor % PAGE_SIZE, 0, "the cursor ends a page: {cursor}");
    assert_eq!((rows, high, hashes), (cursor, cursor, cursor));
    assert!(rows == 0 || low == 1, "nothing missing at the start");
    cursor
}

#[tokio::test]
async fn first_page_alone_then_every_page_reported_with_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, node) = sim_and_node(dir.path()).await;
    let db = dir.path().join("index.db");
    let index = Index::open(&db).unwrap();
    let mut seen = Vec::new();
    let stats = backfill(&node, &index, |p| seen.push((p, snapshot(&db))))
        .await
        .unwrap();
    assert_eq!(
        (stats.received_new, stats.invoices_scanned),
        (SEEDED, SEEDED)
    );
    let received: Vec<_> = seen
        .iter()
        .filter(|(p, _)| p.phase == SyncPhase::Received)
        .collect();
    // Five full pages, then the empty read that ends the history.
    let full = SEEDED / PAGE_SIZE;
    assert_eq!(received.len() as u64, full + 1, "one report per page");
    let (first, stored) = received[0];
    assert_eq!((first.position, first.stored), (PAGE_SIZE, PAGE_SIZE));
    assert_eq!(
        stored.4, PAGE_SIZE,
        "the first page is committed on its own"
    );
    for (n, (p, (rows, _, _, _, cursor))) in received.iter().enumerate() {
        let pages = (n as u64 + 1).min(full);
        assert_eq!(
            (p.position, p.scanned, p.stored),
            (pages * PAGE_SIZE, pages * PAGE_SIZE, pages * PAGE_SIZE)
        );
        assert!(*cursor >= p.position, "a page is reported once committed");
        assert_eq!(rows, cursor);
    }
    assert_eq!(assert_consistent(&db), SEEDED);
}

#[tokio::test]
async fn cancelled_backfills_resume_without_gaps_or_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, node) = sim_and_node(dir.path()).await;
    let db = dir.path().join("index.db");
    let index = Index::open(&db).unwrap();
    let mut runs = 0;
    loop {
        runs += 1;
        assert!(
            runs <= SEEDED / PAGE_SIZE + 1,
            "each run stores at least a page"
        );
        // Cancel right after the first report: the next group is being read
        // or already stored in its own transaction.
        let stop = Notify::new();
        let run = backfill(&node, &index, |_| stop.notify_one()).fuse();
        let stopped = stop.notified().fuse();
        futures::pin_mut!(run, stopped);
        let finished = futures::select! {
            done = run => { let _ = done.unwrap(); true },
            () = stopped => false,
        };
        // Let a group insert that was already handed to SQLite finish.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let cursor = assert_consistent(&db);
        if finished || cursor == SEEDED {
            break;
        }
    }
    let again = backfill(&node, &index, |_| {}).await.unwrap();
    assert_eq!(again.received_new, 0);
    assert_eq!(assert_consistent(&db), SEEDED);
}

#[tokio::test]
async fn a_failure_inside_a_group_stores_none_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, node) = sim_and_node(dir.path()).await;
    let db = dir.path().join("index.db");
    let index = Index::open(&db).unwrap();
    // Refuse one keysend in the middle of the third page, after the first
    // page (stored alone) went in.
    let fail_at = 2 * PAGE_SIZE + PAGE_SIZE / 2;
    let trigger = format!(
        "CREATE TRIGGER refuse AFTER INSERT ON received WHEN NEW.add_index = {fail_at} \
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
    );
    index.lock().execute_batch(&trigger).unwrap();
    let error = backfill(&node, &index, |_| {}).await.unwrap_err();
    assert!(error.to_string().contains("refused by the test"), "{error}");
    let cursor = assert_consistent(&db);
    assert!(
        (PAGE_SIZE..=2 * PAGE_SIZE).contains(&cursor),
        "stopped before page 3: {cursor}"
    );

    index.lock().execute_batch("DROP TRIGGER refuse").unwrap();
    let stats = backfill(&node, &index, |_| {}).await.unwrap();
    assert_eq!(stats.received_new, SEEDED - cursor);
    assert_eq!(assert_consistent(&db), SEEDED);
}

/// An empty page reaching add index `n`.
fn page(n: u64) -> Page {
    Page {
        rows: Vec::new(),
        scanned: 1,
        last_add_index: n,
    }
}

/// The add indexes a group hands to the index, in order.
fn drain(group: &mut Group, reader: &mut Reader) -> Vec<Option<u64>> {
    drain_while(group, reader, || false)
}

/// [`drain`] with `others_waiting` saying whether another index call waits.
fn drain_while(
    group: &mut Group,
    reader: &mut Reader,
    others_waiting: impl Fn() -> bool,
) -> Vec<Option<u64>> {
    std::iter::from_fn(|| group.next_page(reader, &others_waiting))
        .map(|(_, position)| position)
        .collect()
}

/// A group that would take several pages ends after its page when the
/// window waits for the index (a read waits for one page, never a group);
/// the pages left are the next group's, none lost or repeated.
#[tokio::test]
async fn a_group_ends_after_its_page_while_another_call_waits() {
    let (send, pages) = tokio::sync::mpsc::channel(2 * GROUP_PAGES);
    let mut reader = Reader::of(pages);
    for n in 2..=4 {
        send.send(Ok(page(n))).await.unwrap();
    }
    let waiting = std::cell::Cell::new(true);
    let mut first = Group::new(page(1), false);
    assert_eq!(
        drain_while(&mut first, &mut reader, || waiting.get()),
        [Some(1)]
    );
    let mut second = Group::new(reader.next().await.unwrap().unwrap(), false);
    let drained = std::iter::from_fn(|| {
        // The reader arrives while the second page is being inserted.
        let page = second.next_page(&mut reader, || waiting.get());
        waiting.set(page.is_none() || page.as_ref().is_some_and(|(_, p)| *p == Some(3)));
        page
    })
    .map(|(_, position)| position)
    .collect::<Vec<_>>();
    assert_eq!(drained, [Some(2), Some(3)]);
    assert_eq!(second.taken.len(), 2);
    assert_eq!(reader.next().await.unwrap().unwrap().last_add_index, 4);
}

/// Index calls are counted from their start to the end of their work: a
/// sync's own call is not "another"; one more waiting is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_counts_calls_waiting_beside_a_sync() {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(&dir.path().join("index.db")).unwrap();
    assert!(!index.call(|i| Ok(i.others_calling())).await.unwrap());
    let (started, proceed) = (
        std::sync::Arc::new(std::sync::Barrier::new(2)),
        std::sync::Arc::new(std::sync::Barrier::new(2)),
    );
    let (s, p) = (started.clone(), proceed.clone());
    let holder = index.clone();
    let held = tokio::spawn(async move {
        holder
            .call(move |i| {
                let conn = i.lock();
                let _ = s.wait();
                let _ = p.wait();
                drop(conn);
                Ok(())
            })
            .await
    });
    let _ = tokio::task::spawn_blocking(move || started.wait()).await;
    let (other, seen) = (index.clone(), index.clone());
    let waiting = tokio::spawn(async move { other.call(|i| i.cursors()).await });
    // The second call is counted as soon as it starts, before it gets the
    // lock the first one holds.
    while !seen.others_calling() {
        tokio::task::yield_now().await;
    }
    let _ = tokio::task::spawn_blocking(move || proceed.wait()).await;
    held.await.unwrap().unwrap();
    let _ = waiting.await.unwrap().unwrap();
    assert!(!index.call(|i| Ok(i.others_calling())).await.unwrap());
}

#[tokio::test]
async fn groups_take_what_has_arrived_up_to_the_limit() {
    let (send, pages) = tokio::sync::mpsc::channel(2 * GROUP_PAGES);
    let mut reader = Reader::of(pages);
    for n in 2..=GROUP_PAGES as u64 + 3 {
        send.send(Ok(page(n))).await.unwrap();
    }
    let mut alone = Group::new(page(1), true);
    assert_eq!(drain(&mut alone, &mut reader), [Some(1)]);
    assert_eq!(alone.taken, [(1, 1)]);

    let mut full = Group::new(reader.next().await.unwrap().unwrap(), false);
    let expected: Vec<_> = (2..2 + GROUP_PAGES as u64).map(Some).collect();
    assert_eq!(
        drain(&mut full, &mut reader),
        expected,
        "at most GROUP_PAGES"
    );

    let mut rest = Group::new(reader.next().await.unwrap().unwrap(), false);
    let last = GROUP_PAGES as u64 + 3;
    assert_eq!(
        drain(&mut rest, &mut reader),
        [Some(last - 1), Some(last)],
        "what has arrived"
    );

    send.send(Ok(page(20))).await.unwrap();
    send.send(Err(NodeError::Other("gone".into())))
        .await
        .unwrap();
    send.send(Ok(page(21))).await.unwrap();
    let mut failing = Group::new(page(19), false);
    assert_eq!(drain(&mut failing, &mut reader), [Some(19), Some(20)]);
    assert!(
        failing.failed.is_some(),
        "the pages before a read error are kept"
    );
}

/// The random-order indexes, as the schema defines them, read through a
/// connection of its own: (name, SQL) of those present.
fn deferred_present(conn: &Connection) -> Vec<(String, String)> {
    let names = ["received_amount", "received_sender"];
    let mut stmt = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL \
             ORDER BY name",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .filter(|(name, _)| names.contains(&name.as_str()))
        .collect()
}

/// A first sync inserts without the sender and amount indexes
/// (their keys arrive in random order) and builds them once at its end,
/// exactly as the schema defines them; a later sync keeps them.
#[tokio::test]
async fn a_first_sync_builds_the_random_order_indexes_at_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, node) = sim_and_node(dir.path()).await;
    let db = dir.path().join("index.db");
    let index = Index::open(&db).unwrap();
    let mut schema = Connection::open_in_memory().unwrap();
    crate::wallet::schema::migrate(&mut schema).unwrap();
    let expected = deferred_present(&schema);
    assert_eq!(expected.len(), 2, "{expected:?}");
    let mut during = Vec::new();
    let _ = backfill(&node, &index, |p| {
        if p.phase == SyncPhase::Received {
            during.push(deferred_present(&Connection::open(&db).unwrap()).len());
        }
    })
    .await
    .unwrap();
    assert!(
        during.iter().all(|n| *n == 0),
        "built during the sync: {during:?}"
    );
    assert_eq!(deferred_present(&Connection::open(&db).unwrap()), expected);
    let again = backfill(&node, &index, |_| {}).await.unwrap();
    assert_eq!(again.received_new, 0);
    assert_eq!(deferred_present(&Connection::open(&db).unwrap()), expected);
}

/// Whether the search index agrees with the table: SQLite's own check of
/// an external-content index against its content (a row missing or listed
/// twice fails it).
fn search_agrees(db: &Path) -> bool {
    Connection::open(db)
        .unwrap()
        .execute_batch(
            "INSERT INTO received_fts (received_fts, rank) VALUES ('integrity-check', 1)",
        )
        .is_ok()
}

fn assert_search_complete(db: &Path) {
    assert!(search_agrees(db), "the search index matches the table");
    let conn = Connection::open(db).unwrap();
    let found: u64 = conn
        .query_row(
            "SELECT count(*) FROM received_fts WHERE received_fts MATCH 'a* OR e* OR i* OR o*'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(found > 0, "the seeded messages are searchable");
}

#[tokio::test]
async fn a_first_sync_builds_the_search_index_at_its_end_and_says_so_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, node) = sim_and_node(dir.path()).await;
    let db = dir.path().join("index.db");
    let index = Index::open(&db).unwrap();
    assert!(!index.search_pending().unwrap());
    let mut during = Vec::new();
    let _ = backfill(&node, &index, |p| {
        if p.phase == SyncPhase::Received {
            let conn = Connection::open(&db).unwrap();
            let searchable: u64 = conn
                .query_row(
                    "SELECT count(*) FROM received_fts WHERE received_fts MATCH 'a* OR e* OR i* OR o*'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            during.push((index.search_pending().unwrap(), searchable, search_agrees(&db)));
        }
    })
    .await
    .unwrap();
    assert!(!during.is_empty());
    assert!(
        during.iter().all(|d| *d == (true, 0, false)),
        "search said it was being built and held nothing yet (the check sees the rows \
         missing): {during:?}"
    );
    assert!(!index.search_pending().unwrap());
    assert_search_complete(&db);
    // A later sync adds its rows to the search index as it stores them.
    let again = backfill(&node, &index, |_| {}).await.unwrap();
    assert_eq!(again.received_new, 0);
    assert!(!index.search_pending().unwrap());
    assert_search_complete(&db);
}

#[tokio::test]
async fn a_first_sync_cut_short_leaves_a_consistent_file_and_the_next_builds_its_search() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, node) = sim_and_node(dir.path()).await;
    let db = dir.path().join("index.db");
    {
        let index = Index::open(&db).unwrap();
        // Cut short after the first stored page: the handle and its
        // connection are dropped as a process ending there would leave them
        // (nothing after the last commit is kept).
        let stop = Notify::new();
        let run = backfill(&node, &index, |_| stop.notify_one()).fuse();
        let stopped = stop.notified().fuse();
        futures::pin_mut!(run, stopped);
        futures::select! {
            done = run => panic!("the sync ended before it was cut short: {done:?}"),
            () = stopped => {},
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(index.search_pending().unwrap());
    }
    let cursor = assert_consistent(&db);
    assert!(cursor > 0 && cursor < SEEDED, "cut short: {cursor}");
    let conn = Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);

    let index = Index::open(&db).unwrap();
    assert!(
        index.search_pending().unwrap(),
        "still waiting for a sync's end"
    );
    let stats = backfill(&node, &index, |_| {}).await.unwrap();
    assert_eq!(stats.received_new, SEEDED - cursor);
    assert_eq!(assert_consistent(&db), SEEDED);
    assert!(!index.search_pending().unwrap());
    assert_search_complete(&db);
}

/// A first sync shown in the window stops after its first page (stored
/// and reported) until the window says its rows are on screen, then reads
/// the rest; a later sync never waits.
#[tokio::test]
async fn a_first_sync_waits_after_its_first_page_until_its_rows_are_shown() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, node) = sim_and_node(dir.path()).await;
    let db = dir.path().join("index.db");
    let index = Index::open(&db).unwrap();
    let (shown, gate) = futures::channel::oneshot::channel::<()>();
    let (reported, progress) = tokio::sync::mpsc::unbounded_channel();
    let (first_node, first_index) = (node.clone(), index.clone());
    let sync = tokio::spawn(async move {
        let report = move |p: SyncProgress| {
            let _ = reported.send(p.stored);
        };
        let gate = async move {
            let _ = gate.await;
        };
        backfill_showing(&first_node, &first_index, report, gate).await
    });
    let mut progress = progress;
    let first = tokio::time::timeout(Duration::from_secs(30), progress.recv())
        .await
        .expect("the first page is reported");
    assert_eq!(first, Some(SHOWN_FIRST_PAGE), "a small first page");
    // Whatever the timing, nothing more is stored while the window has not
    // shown the first rows.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        snapshot(&db).0,
        SHOWN_FIRST_PAGE,
        "the sync waits for the window"
    );
    assert!(progress.try_recv().is_err(), "no page after the first");
    shown.send(()).unwrap();
    let stats = sync.await.unwrap().unwrap();
    assert_eq!(stats.received_new, SEEDED);
    assert_eq!(assert_consistent(&db), SEEDED);

    let again = backfill_showing(&node, &index, |_| {}, std::future::pending());
    let again = tokio::time::timeout(Duration::from_secs(30), again)
        .await
        .expect("a later sync does not wait for the window")
        .unwrap();
    assert_eq!(again.received_new, 0);
}

/// A checking sync stores each new row with the outcome a check one by one
/// gives (the seeded mix is verified and anonymous senders), so
/// a listing after it has nothing left to check; a plain sync checks none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checking_sync_stores_every_row_with_its_sender_checked() {
    use crate::keysend::incoming::verify_sender;
    use crate::wallet::Verification;
    let dir = tempfile::tempdir().unwrap();
    let (_sim, node) = sim_and_node(dir.path()).await;
    let me = node.info().await.unwrap().id;
    let plain = Index::open(&dir.path().join("plain.db")).unwrap();
    let _ = backfill(&node, &plain, |_| {}).await.unwrap();
    assert_eq!(plain.detail(1).unwrap().verification, None);
    let index = Index::open(&dir.path().join("index.db")).unwrap();
    let stats = backfill_checking(&node, &index, me, |_| {}).await.unwrap();
    assert_eq!(stats.received_new, SEEDED);
    let mut kinds = std::collections::BTreeMap::new();
    for id in 1..=SEEDED as i64 {
        let detail = index.detail(id).unwrap();
        let expected = Verification::of(&verify_sender(&detail.records, &me));
        assert_eq!(detail.verification, Some(expected), "row {id}");
        let kind = match expected {
            Verification::Verified(_) => "verified",
            Verification::Claimed(_) => "claimed",
            Verification::Anonymous => "anonymous",
        };
        *kinds.entry(kind).or_insert(0) += 1;
    }
    assert!(
        kinds.contains_key("verified") && kinds.contains_key("anonymous"),
        "the seeded mix: {kinds:?}"
    );
    let ids: Vec<i64> = (1..=SEEDED as i64).collect();
    assert_eq!(index.verify_many(&ids, &me).unwrap(), 0, "nothing left");
    assert_eq!(plain.verify_many(&ids, &me).unwrap(), SEEDED as usize);
}
