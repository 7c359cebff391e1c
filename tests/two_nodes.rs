//! One profile, two nodes (issue 9, item 1): two simulators with their own
//! identities, one `SATCHEL_HOME`. Each node lists only its own history, in
//! full; a send killed before dispatch on node A is never offered again nor
//! judged "not sent" while connected to node B, and node A settles it; an
//! earlier profile's files are adopted by the node they belong to or kept
//! aside, never lost.

mod reliability_support;

use std::time::Duration;

use reliability_support::child::{self, Cli, Run};
use reliability_support::*;
use satchel::fault::BEFORE_DISPATCH;
use satchel::keysend::record::MESSAGE;
use satchel::keysend::{Msat, NodeId, Preimage, Records};
use satchel::node::{OutgoingKeysend, SharedNode};
use satchel::store::Paths;
use satchel::wallet::{self, Index, Journal, JournalState, NodeFiles, Reconciled, Upgrade};

const LATENCY: Duration = Duration::from_millis(100);

/// Node A (its own bench, whose home is the shared profile) and node B.
struct Pair {
    a: Bench,
    b: Bench,
}

impl Pair {
    async fn start() -> Self {
        Self {
            a: Bench::start(LATENCY).await,
            b: Bench::start(LATENCY).await,
        }
    }

    /// The one profile both nodes are used with.
    fn profile(&self) -> Paths {
        Paths::at(self.a.home())
    }

    /// The CLI on node A.
    fn cli_a(&self) -> Cli {
        self.a.cli()
    }

    /// The CLI on node B, with A's profile.
    fn cli_b(&self) -> Cli {
        Cli::new(&self.a.home(), &self.b.lnd_dir(), self.b.port)
    }

    fn a_id(&self) -> NodeId {
        self.a.sim().user_node()
    }
}

/// A keysend from `from` to the user's node of `bench`, saying `text`.
async fn tip(bench: &Bench, from: &str, text: &str) {
    let records = Records::from([(MESSAGE, text.as_bytes().to_vec())]);
    let _hash = within(
        bench
            .sim()
            .inject_keysend(from, Msat::from_sat(21), records),
    )
    .await
    .expect("the tip arrives");
}

async fn run(command: std::process::Command) -> Run {
    blocking(move || child::run(command)).await
}

/// The messages `satchel inbox --json` lists, sorted.
async fn inbox(cli: &Cli) -> Vec<String> {
    let run = run(cli.node(&["inbox", "--json", "--limit", "100"])).await;
    assert_eq!(run.code(), Some(0), "{}", run.output());
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.output()));
    let mut messages: Vec<String> = rows
        .iter()
        .map(|r| r["message"].as_str().unwrap_or_default().to_owned())
        .collect();
    messages.sort();
    messages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sims_are_two_nodes_and_each_keeps_its_identity() {
    let mut pair = Pair::start().await;
    let (a, b) = (pair.a_id(), pair.b.sim().user_node());
    assert_ne!(a, b, "two sim directories are two nodes");
    let a_node = pair.a.connect().await;
    assert_eq!(within(a_node.info()).await.unwrap().id, a, "GetInfo agrees");
    pair.a.restart_sim().await;
    assert_eq!(pair.a_id(), a, "the identity is kept in the directory");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_node_lists_only_its_own_history_in_full() {
    let pair = Pair::start().await;
    for i in 0..3 {
        tip(&pair.a, "alice", &format!("to A {i}")).await;
    }
    for i in 0..2 {
        tip(&pair.b, "bob", &format!("to B {i}")).await;
    }
    let on_a = ["to A 0", "to A 1", "to A 2"];
    let on_b = ["to B 0", "to B 1"];
    assert_eq!(inbox(&pair.cli_a()).await, on_a);
    // B's invoices are numbered below A's cursor: a shared index would skip them.
    assert_eq!(inbox(&pair.cli_b()).await, on_b);
    tip(&pair.a, "carol", "to A 3").await;
    let mut more_a = on_a.to_vec();
    more_a.push("to A 3");
    assert_eq!(inbox(&pair.cli_a()).await, more_a);
    assert_eq!(inbox(&pair.cli_b()).await, on_b);
    let profile = pair.profile();
    assert!(profile.index_db(&pair.a_id()).exists());
    assert!(profile.index_db(&pair.b.sim().user_node()).exists());
    assert!(!profile.legacy_index_db().exists(), "no shared index");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_killed_on_node_a_is_never_judged_by_node_b() {
    let pair = Pair::start().await;
    let alice = pair.a.sim().node_id("alice").unwrap();
    // Killed before dispatch on A: the journal holds it, A never saw it.
    let command = pair.cli_a().send(&alice.to_hex(), "21", "from A");
    let paused = blocking(move || child::start_paused(command, BEFORE_DISPATCH)).await;
    let paused = paused.unwrap_or_else(|run| panic!("no pause: {}", run.output()));
    let _status = blocking(move || paused.kill()).await;
    let journal = pair.a.journal();
    let [entry] = journal.unfinished().unwrap().try_into().expect("one entry");
    assert_eq!(entry.node, Some(pair.a_id()), "the entry names node A");
    let hash = entry.hash().to_hex();
    let a_hex = pair.a_id().to_hex();

    // On B: reported with A's name, never "not sent", nothing offered.
    let sent = run(pair.cli_b().node(&["sent"])).await;
    assert_eq!(sent.code(), Some(0), "{}", sent.output());
    assert!(sent.stderr.contains(&a_hex), "{}", sent.output());
    assert!(!sent.stderr.contains("never reached"), "{}", sent.output());
    assert!(!sent.stderr.contains("--resend"), "{}", sent.output());
    for decision in ["--resend", "--discard"] {
        let refused = run(pair.cli_b().node(&["sent", decision, &hash[..12], "--yes"])).await;
        assert_eq!(refused.code(), Some(2), "{decision}: {}", refused.output());
        assert!(refused.stderr.contains(&a_hex), "{}", refused.output());
        assert!(
            refused.stderr.contains("connect to it"),
            "{}",
            refused.output()
        );
    }
    let b_node = pair.b.connect().await;
    let b_info = within(b_node.info()).await.unwrap();
    let b_files = NodeFiles::open(&pair.profile(), &b_info.id, &b_info.alias).unwrap();
    let found = within(wallet::reconcile(&b_node, &b_files.journal))
        .await
        .unwrap();
    assert!(
        matches!(found.as_slice(), [Reconciled::OtherNode { .. }]),
        "{found:?}"
    );
    let stream = wallet::resend_same(b_node.clone(), b_files.journal.clone(), entry.clone());
    let events: Vec<_> = within(futures::StreamExt::collect(stream)).await;
    assert!(
        matches!(events.as_slice(), [wallet::SendEvent::Error(_)]),
        "{events:?}"
    );
    let now = journal.get(&entry.intent_id).unwrap().unwrap();
    assert!(
        matches!(now.state, JournalState::Pending | JournalState::Dispatched),
        "untouched by B: {now:?}"
    );
    assert!(node_payments(&b_node).await.is_empty(), "B paid nothing");

    // Back on A: found not sent, and sent once with its own hash.
    let sent = run(pair.cli_a().node(&["sent"])).await;
    assert!(
        sent.stderr.contains("never reached the node"),
        "{}",
        sent.output()
    );
    let resent = run(pair
        .cli_a()
        .node(&["sent", "--resend", &hash[..12], "--yes"]))
    .await;
    assert_eq!(resent.code(), Some(0), "{}", resent.output());
    let a_node = pair.a.connect().await;
    let paid = node_payments(&a_node).await;
    assert_eq!(paid.len(), 1, "{paid:?}");
    assert_eq!(paid[0].hash, entry.hash());
}

/// An index in the legacy place (`<profile>/index.db`), filled from `node`.
async fn legacy_index(profile: &Paths, node: &SharedNode) -> u64 {
    profile.ensure().unwrap();
    let index = Index::open(&profile.legacy_index_db()).unwrap();
    let _stats = within(wallet::backfill(node, &index, |_| {}))
        .await
        .unwrap();
    index.cursors().unwrap().add_index
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_earlier_profile_is_adopted_by_its_node_or_kept_aside() {
    let pair = Pair::start().await;
    tip(&pair.a, "alice", "old tip").await;
    let profile = pair.profile();
    let (a_node, b_node) = (pair.a.connect().await, pair.b.connect().await);
    let b = pair.b.sim().user_node();
    assert_eq!(legacy_index(&profile, &a_node).await, 1);

    // Node B does not recognise it: kept aside, B starts afresh.
    let upgrade = wallet::adopt_legacy(&b_node, &profile, &b).await.unwrap();
    let Some(Upgrade::KeptAside { kept, .. }) = upgrade else {
        panic!("kept aside: {upgrade:?}");
    };
    assert!(kept.starts_with(profile.unclaimed_dir()) && kept.exists());
    assert!(!profile.legacy_index_db().exists() && !profile.index_db(&b).exists());
    // Put it back: node A recognises its tip and adopts it, rows and all.
    std::fs::rename(&kept, profile.legacy_index_db()).unwrap();
    let upgrade = wallet::adopt_legacy(&a_node, &profile, &pair.a_id()).await;
    assert_eq!(
        upgrade.unwrap(),
        Some(Upgrade::Adopted { node: pair.a_id() })
    );
    let adopted = Index::open(&profile.index_db(&pair.a_id())).unwrap();
    assert_eq!(adopted.cursors().unwrap().add_index, 1, "adopted as it was");

    // The CLI says so on stderr.
    let _ = legacy_index(&profile, &a_node).await;
    let run = run(pair.cli_b().node(&["inbox"])).await;
    assert_eq!(run.code(), Some(0), "{}", run.output());
    assert!(run.stderr.contains("kept aside"), "{}", run.output());
    let unclaimed = std::fs::read_dir(profile.unclaimed_dir()).unwrap().count();
    assert!(unclaimed >= 1, "nothing deleted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_from_before_nodes_were_recorded_is_adopted_only_by_its_node() {
    let pair = Pair::start().await;
    let (a_node, b_node) = (pair.a.connect().await, pair.b.connect().await);
    let alice = pair.a.sim().node_id("alice").unwrap();
    let keysend = OutgoingKeysend {
        destination: alice,
        amount: Msat::from_sat(5),
        preimage: Preimage::random(),
        records: Records::new(),
        fee_limit: Msat::from_sat(10),
        timeout: wallet::SEND_TIMEOUT,
    };
    // Written as an older Satchel did (no node), then paid by A.
    let legacy = Journal::open_profile(&pair.profile())
        .unwrap()
        .with_confirm_not_found(Duration::ZERO);
    let entry = legacy.begin("old", &keysend).unwrap();
    assert_eq!(entry.node, None);
    let _events: Vec<_> = within(futures::StreamExt::collect(a_node.send(keysend.clone()))).await;

    let on_b = legacy.clone().on_node(pair.b.sim().user_node());
    let found = within(wallet::reconcile(&b_node, &on_b)).await.unwrap();
    assert!(
        matches!(found.as_slice(), [Reconciled::OtherNode { .. }]),
        "{found:?}"
    );
    assert_eq!(
        legacy.get("old").unwrap().unwrap().node,
        None,
        "B adopts nothing"
    );

    let on_a = legacy.on_node(pair.a_id());
    let found = within(wallet::reconcile(&a_node, &on_a)).await.unwrap();
    assert!(
        matches!(
            found.as_slice(),
            [Reconciled::Succeeded(_) | Reconciled::InFlight(_)]
        ),
        "{found:?}"
    );
    assert_eq!(on_a.get("old").unwrap().unwrap().node, Some(pair.a_id()));
}
