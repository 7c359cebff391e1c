//! Issue 15: a conversation between the user's node (driven by `satchel`)
//! and bob (driven by the test through the simulator): replies both ways,
//! carrying the hash they answer; the thread rebuilt after the journal and
//! the index are deleted; a reply to a forged sender warned, a refund to
//! an anonymous or forged sender refused.

mod reliability_support;

use std::time::Duration;

use reliability_support::child::{self, Run};
use reliability_support::*;
use satchel::keysend::record::{IN_REPLY_TO, MESSAGE, SENDER_PUBKEY, SIGNATURE, TIMESTAMP};
use satchel::keysend::{Msat, PaymentHash, Records};

const LATENCY: Duration = Duration::from_millis(20);

fn records(entries: &[(u64, Vec<u8>)]) -> Records {
    entries.iter().cloned().collect()
}

async fn cli(bench: &Bench, args: &[&str]) -> Run {
    let command = bench.cli().node(args);
    blocking(move || child::run(command)).await
}

fn thread_json(run: &Run) -> Vec<serde_json::Value> {
    assert_eq!(run.code(), Some(0), "{}", run.output());
    serde_json::from_str::<Vec<serde_json::Value>>(&run.stdout).expect("thread JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_goes_both_ways_and_survives_losing_the_journal() {
    let bench = Bench::start(LATENCY).await;
    let sim = bench.sim();
    let bob = sim.node_id("bob").unwrap();
    let hi = sim
        .inject_keysend(
            "bob",
            Msat::from_sat(21),
            records(&[
                (MESSAGE, b"hi from bob".to_vec()),
                (SENDER_PUBKEY, bob.as_bytes().to_vec()),
            ]),
        )
        .await
        .unwrap();

    // We answer; bob's key is only claimed, so the warning is printed even
    // with --yes.
    let reply = cli(
        &bench,
        &[
            "reply",
            &hi.to_hex()[..10],
            "5",
            "--message",
            "hello bob",
            "--yes",
        ],
    )
    .await;
    assert_eq!(reply.code(), Some(0), "{}", reply.output());
    assert!(reply.stderr.contains("is a claim"), "{}", reply.output());

    let ours = thread_json(&cli(&bench, &["thread", &bob.to_hex(), "--json"]).await);
    assert_eq!(ours.len(), 2, "{ours:?}");
    assert_eq!(ours[1]["direction"], "sent");
    assert_eq!(ours[1]["in_reply_to"], hi.to_hex());
    let our_hash = ours[1]["hash"].as_str().unwrap().to_owned();

    // Bob answers our reply.
    let our_hash_bytes = PaymentHash::from_slice(&hex::decode(&our_hash).unwrap()).unwrap();
    let _ = sim
        .inject_keysend(
            "bob",
            Msat::from_sat(3),
            records(&[
                (MESSAGE, b"thanks!".to_vec()),
                (SENDER_PUBKEY, bob.as_bytes().to_vec()),
                (IN_REPLY_TO, our_hash_bytes.as_bytes().to_vec()),
            ]),
        )
        .await
        .unwrap();
    let thread = thread_json(&cli(&bench, &["thread", &bob.to_hex(), "--json"]).await);
    let messages: Vec<&str> = thread
        .iter()
        .map(|m| m["message"].as_str().unwrap_or(""))
        .collect();
    assert!(messages[0] == "hi from bob", "{messages:?} {thread:?}");
    assert!(messages[1].contains("hello bob"), "{messages:?}");
    assert_eq!(messages[2], "thanks!");
    assert_eq!(thread[2]["in_reply_to"], our_hash);
    assert_eq!(thread[2]["direction"], "received");

    let list = cli(&bench, &["thread", "--json"]).await;
    let list: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(list[0]["pubkey"], bob.to_hex());
    assert_eq!(
        (list[0]["received"].clone(), list[0]["sent"].clone()),
        (2.into(), 1.into())
    );

    // Journal and index gone: the thread is rebuilt from the node.
    let _ = std::fs::remove_file(bench.home().join("journal.db"));
    std::fs::remove_dir_all(bench.index_path().parent().unwrap()).unwrap();
    let rebuilt = thread_json(&cli(&bench, &["thread", &bob.to_hex(), "--json"]).await);
    let strip = |v: &[serde_json::Value]| -> Vec<(String, String)> {
        v.iter()
            .map(|m| (m["hash"].to_string(), m["in_reply_to"].to_string()))
            .collect()
    };
    assert_eq!(strip(&rebuilt), strip(&thread));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_anonymous_senders_are_warned_or_refused() {
    let bench = Bench::start(LATENCY).await;
    let sim = bench.sim();
    let bob = sim.node_id("bob").unwrap();
    let anonymous = sim
        .inject_keysend(
            "alice",
            Msat::from_sat(30),
            records(&[(MESSAGE, b"guess who".to_vec())]),
        )
        .await
        .unwrap();
    let forged = sim
        .inject_keysend(
            "alice",
            Msat::from_sat(40),
            records(&[
                (MESSAGE, b"it's bob, honest".to_vec()),
                (SENDER_PUBKEY, bob.as_bytes().to_vec()),
                (
                    TIMESTAMP,
                    1_700_000_000_000_000_000u64.to_be_bytes().to_vec(),
                ),
                (SIGNATURE, vec![7; 64]),
            ]),
        )
        .await
        .unwrap();

    let refund = cli(&bench, &["refund", &anonymous.to_hex()[..12], "--yes"]).await;
    assert_ne!(refund.code(), Some(0), "{}", refund.output());
    assert!(refund.stderr.contains("anonymous"), "{}", refund.output());
    let reply = cli(&bench, &["reply", &anonymous.to_hex()[..12], "1", "--yes"]).await;
    assert_ne!(reply.code(), Some(0), "{}", reply.output());

    let refund = cli(&bench, &["refund", &forged.to_hex()[..12], "--yes"]).await;
    assert_ne!(refund.code(), Some(0), "{}", refund.output());
    assert!(refund.stderr.contains("forged"), "{}", refund.output());

    let reply = cli(&bench, &["reply", &forged.to_hex()[..12], "2", "--yes"]).await;
    assert!(
        reply
            .stderr
            .contains("warning: the sender's signature does not match"),
        "{}",
        reply.output()
    );

    // Nothing went out but the warned reply.
    let node = bench.connect().await;
    let payments = node_payments(&node).await;
    assert_eq!(payments.len(), 1, "{payments:?}");
    assert_eq!(payments[0].destination, Some(bob));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbox_and_sent_export_as_csv_and_json() {
    let bench = Bench::start(LATENCY).await;
    let sim = bench.sim();
    let evil = "=cmd|' /C calc'!A0";
    let hash = sim
        .inject_keysend(
            "alice",
            Msat::from_sat(8),
            records(&[(MESSAGE, evil.as_bytes().to_vec())]),
        )
        .await
        .unwrap();
    let csv = cli(&bench, &["inbox", "--format", "csv", "--all"]).await;
    assert_eq!(csv.code(), Some(0), "{}", csv.output());
    assert!(
        csv.stdout.starts_with("hash,settled_at,amount_msat,"),
        "{}",
        csv.stdout
    );
    assert!(csv.stdout.contains(&format!("'{evil}")), "{}", csv.stdout);
    assert!(csv.stdout.contains(&hash.to_hex()), "{}", csv.stdout);

    let json = cli(
        &bench,
        &[
            "inbox",
            "--format",
            "json",
            "--all",
            "--since",
            "2000-01-01",
        ],
    )
    .await;
    let rows: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(rows[0]["message"], evil, "JSON is not neutralised");
    assert_eq!(
        rows[0]["records"][MESSAGE.to_string()],
        hex::encode(evil.as_bytes())
    );
    let future = cli(
        &bench,
        &["inbox", "--format", "json", "--since", "2999-01-01"],
    )
    .await;
    assert_eq!(future.stdout.trim(), "[]", "{}", future.output());
    let bad = cli(&bench, &["inbox", "--format", "csv", "--since", "soon"]).await;
    assert!(bad.stderr.contains("YYYY-MM-DD"), "{}", bad.output());

    // --search and --until narrow the export like the list.
    let _ = sim
        .inject_keysend(
            "bob",
            Msat::from_sat(9),
            records(&[(MESSAGE, b"coffee is great".to_vec())]),
        )
        .await
        .unwrap();
    let searched = cli(
        &bench,
        &["inbox", "--format", "json", "--all", "--search", "coffee"],
    )
    .await;
    let rows: serde_json::Value = serde_json::from_str(&searched.stdout).expect("JSON");
    let messages: Vec<_> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["message"])
        .collect();
    assert_eq!(messages, ["coffee is great"], "{}", searched.output());
    let csv = cli(
        &bench,
        &["inbox", "--format", "csv", "--all", "--search", "coffee"],
    )
    .await;
    assert_eq!(
        csv.stdout.lines().count(),
        2,
        "a header and one row: {}",
        csv.stdout
    );
    assert!(csv.stdout.contains("coffee is great") && !csv.stdout.contains("calc"));
    let before = cli(
        &bench,
        &[
            "inbox",
            "--format",
            "json",
            "--all",
            "--until",
            "2000-01-01",
        ],
    )
    .await;
    assert_eq!(before.stdout.trim(), "[]", "{}", before.output());
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let upto = cli(
        &bench,
        &["inbox", "--format", "csv", "--all", "--until", &today],
    )
    .await;
    assert_eq!(
        upto.stdout.lines().count(),
        3,
        "--until includes the day: {}",
        upto.output()
    );
    let empty = cli(
        &bench,
        &[
            "inbox",
            "--format",
            "csv",
            "--since",
            "2025-02-01",
            "--until",
            "2025-01-01",
        ],
    )
    .await;
    assert_eq!(empty.code(), Some(2), "{}", empty.output());
    assert!(
        empty.stderr.contains("--until is before --since"),
        "{}",
        empty.output()
    );

    let bob = sim.node_id("bob").unwrap().to_hex();
    let sent = bench.cli().send(&bob, "3", "=1+1");
    let sent = blocking(move || child::run(sent)).await;
    assert_eq!(sent.code(), Some(0), "{}", sent.output());
    let csv = cli(&bench, &["sent", "--format", "csv", "--all"]).await;
    assert!(csv.stdout.contains(",'=1+1,"), "{}", csv.stdout);
    let other = bench.cli().send(&bob, "2", "tea please");
    let other = blocking(move || child::run(other)).await;
    assert_eq!(other.code(), Some(0), "{}", other.output());
    let tea = cli(&bench, &["sent", "--format", "json", "--search", "TEA"]).await;
    let rows: serde_json::Value = serde_json::from_str(&tea.stdout).expect("JSON");
    let messages: Vec<_> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["message"])
        .collect();
    assert_eq!(messages, ["tea please"], "{}", tea.output());
    let by_key = cli(&bench, &["sent", "--format", "csv", "--search", &bob[..10]]).await;
    assert_eq!(
        by_key.stdout.lines().count(),
        3,
        "both went to bob: {}",
        by_key.output()
    );
    // The list flags still work.
    let listed = cli(&bench, &["inbox", "--json", "--limit", "1"]).await;
    let listed: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boosts_group_legs_and_total_per_podcast() {
    use satchel::keysend::record::BOOSTAGRAM;
    let bench = Bench::start(LATENCY).await;
    let sim = bench.sim();
    let boost = |uuid: &str, podcast: &str, who: &str| {
        format!(
            r#"{{"podcast":"{podcast}","episode":"Ep 1","sender_name":"{who}","boost_uuid":"{uuid}","value_msat_total":100000,"message":"love it"}}"#
        )
        .into_bytes()
    };
    for (from, sat, uuid, podcast, who) in [
        ("alice", 10, "u1", "Noded", "ann"),
        ("bob", 20, "u1", "Noded", "ann"),
        ("alice", 5, "u2", "Other", "ben"),
    ] {
        let _ = sim
            .inject_keysend(
                from,
                Msat::from_sat(sat),
                records(&[(BOOSTAGRAM, boost(uuid, podcast, who))]),
            )
            .await
            .unwrap();
    }
    let run = cli(&bench, &["boosts", "--json"]).await;
    assert_eq!(run.code(), Some(0), "{}", run.output());
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let boosts = json["boosts"].as_array().unwrap();
    assert_eq!(boosts.len(), 2, "{json}");
    let grouped = boosts.iter().find(|b| b["boost_uuid"] == "u1").unwrap();
    assert_eq!(grouped["legs"].as_array().unwrap().len(), 2);
    assert_eq!(grouped["received_msat"], 30_000);
    assert_eq!(grouped["claimed_total_msat"], 100_000);
    assert_eq!(json["podcasts"][0]["podcast"], "Noded");
    assert_eq!(json["podcasts"][0]["received_msat"], 30_000);
    assert_eq!(json["supporters"][0]["name"], "ann");
    assert_eq!(json["supporters"][0]["status"], "claimed");

    let only = cli(&bench, &["boosts", "--podcast", "Other", "--json"]).await;
    let only: serde_json::Value = serde_json::from_str(&only.stdout).unwrap();
    assert_eq!(only["boosts"].as_array().unwrap().len(), 1);
    let later = cli(&bench, &["boosts", "--since", "2999-01-01", "--json"]).await;
    let later: serde_json::Value = serde_json::from_str(&later.stdout).unwrap();
    assert!(later["podcasts"].as_array().unwrap().is_empty());
    let earlier = cli(&bench, &["boosts", "--until", "2000-01-01", "--json"]).await;
    let earlier: serde_json::Value = serde_json::from_str(&earlier.stdout).unwrap();
    assert!(
        earlier["boosts"].as_array().unwrap().is_empty(),
        "{earlier}"
    );
    assert!(
        earlier["supporters"].as_array().unwrap().is_empty(),
        "{earlier}"
    );
    let text = cli(&bench, &["boosts"]).await;
    assert!(
        text.stdout.contains("(claims 100 sat in all)"),
        "{}",
        text.output()
    );
}
