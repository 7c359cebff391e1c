//! `satchel sent`: refresh sent keysends from the node's payment history and
//! list them, newest first, with status, fee and message. `--resend` and
//! `--discard` decide about a payment the node never received (`decide`).

use serde::Serialize;

use super::args::SentArgs;
use super::exit::CliError;
use super::history;
use super::journal;
use super::report::{local_time, print_json, progress, sats};
use crate::keysend::Msat;
use crate::node::SharedNode;
use crate::store::{ContactBook, Paths};
use crate::wallet::{Index, Journal, SentRow, SentStatus};

/// `sent --json`: one sent keysend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentJson {
    pub hash: String,
    pub destination: Option<String>,
    /// The contact's name, when the destination is a contact.
    pub contact: Option<String>,
    pub amount_msat: u64,
    pub amount_sat: u64,
    pub fee_msat: u64,
    /// `in_flight`, `succeeded` or `failed`.
    pub status: &'static str,
    /// Why it failed, in plain words.
    pub failure: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub message: Option<String>,
    /// Whether our node's signature went with it (the recipient can verify
    /// who sent it).
    pub signed: bool,
    /// Proof of payment: the preimage of `hash` (hex), once it succeeded.
    pub preimage: Option<String>,
    /// The wallet connection (app) that made this payment, if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
}

impl SentJson {
    fn of(row: &SentRow, book: &ContactBook) -> Self {
        let (status, failure) = match row.status {
            SentStatus::InFlight => ("in_flight", None),
            SentStatus::Succeeded => ("succeeded", None),
            SentStatus::Failed(reason) => ("failed", Some(reason.explain().to_owned())),
        };
        Self {
            hash: row.hash.to_hex(),
            destination: row.destination.map(|d| d.to_hex()),
            contact: row
                .destination
                .and_then(|d| book.by_pubkey(&d))
                .map(|c| c.name.clone()),
            amount_msat: row.amount.0,
            amount_sat: row.amount.sats(),
            fee_msat: row.fee.0,
            status,
            failure,
            created_at: row.created_ns.div_euclid(1_000_000_000),
            message: Some(row.preview.clone()).filter(|m| !m.is_empty()),
            signed: row.signed,
            preimage: row.preimage.map(|p| p.to_hex()),
            app: None,
        }
    }
}

/// Run `sent` on a connected node.
pub async fn run(node: &SharedNode, paths: &Paths, args: &SentArgs) -> Result<(), CliError> {
    if args.resend.is_some() || args.discard.is_some() {
        return super::decide::run(node, paths, args).await;
    }
    if args.format.is_some() {
        return super::export::sent(node, paths, args).await;
    }
    let crate::wallet::NodeFiles { journal, index, .. } = history::open_node(node, paths).await?;
    journal::reconcile_and_report(node, &journal, paths).await?;
    let rows = refresh(node, &journal, &index, args.limit as u64).await?;
    let book = super::contacts::load(paths)?;
    let apps = crate::nwc::connection::apps_by_hash(paths);
    let entries: Vec<SentJson> = rows
        .iter()
        .map(|row| SentJson {
            app: apps.get(&row.hash.to_hex()).cloned(),
            ..SentJson::of(row, &book)
        })
        .collect();
    if args.json {
        return print_json(&entries);
    }
    if entries.is_empty() {
        progress("Nothing sent yet.");
    }
    for entry in &entries {
        println!("{}", entry_text(entry));
    }
    Ok(())
}

/// After reconcile: bring the index up to date, write what it learned into
/// the journal (a payment may have ended since reconcile asked), and read
/// the newest `limit` rows. What is shown and the journal then agree.
async fn refresh(
    node: &SharedNode,
    journal: &Journal,
    index: &Index,
    limit: u64,
) -> Result<Vec<SentRow>, CliError> {
    let _stats = history::backfill(node, index).await?;
    journal::record_outcomes(journal, index).await?;
    Ok(index.sent(0, limit)?)
}

/// `2025-01-02 10:00  21 sat to Alice  succeeded (fee 1 sat)` then the message.
fn entry_text(entry: &SentJson) -> String {
    let to = match (&entry.contact, &entry.destination) {
        (Some(name), _) => name.clone(),
        (None, Some(key)) => key.clone(),
        (None, None) => "unknown destination".to_owned(),
    };
    let status = match entry.status {
        "succeeded" => format!("succeeded (fee {})", Msat(entry.fee_msat)),
        "failed" => format!(
            "failed: {}",
            entry.failure.as_deref().unwrap_or("no reason given")
        ),
        _ => "in flight".to_owned(),
    };
    let mut text = format!(
        "{}  {} to {to}  {status}",
        local_time(entry.created_at),
        sats(Msat(entry.amount_msat))
    );
    if let Some(app) = &entry.app {
        text.push_str(&format!("  (by app {:?})", super::report::safe(app, 64)));
    }
    if let Some(message) = &entry.message {
        text.push_str(&format!("\n    {message}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::{NodeId, Preimage};
    use crate::node::PaymentFailure;
    use crate::store::NewContact;
    use crate::wallet::JournalState;

    /// A payment journaled and dispatched by a process that died, still in
    /// flight when reconcile asks and finished before the backfill reads it:
    /// the journal must end up saying what `sent` shows.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_payment_ending_after_reconcile_is_journaled_as_shown() {
        use futures::StreamExt;
        crate::install_crypto_provider();
        let dir = tempfile::tempdir().unwrap();
        let config = crate::sim::SimConfig {
            payment_latency: std::time::Duration::from_millis(800),
            ..crate::sim::SimConfig::new(dir.path().join("lnd"))
        };
        let sim = crate::sim::start(config).await.unwrap();
        let address = format!("localhost:{}", sim.addr().port());
        let spec = crate::lnd::ConnectSpec::from_files(
            &address,
            sim.tls_cert_path(),
            sim.admin_macaroon_path(),
        )
        .unwrap();
        let node: SharedNode = std::sync::Arc::new(crate::lnd::connect(&spec).await.unwrap());
        let profile = Paths::at(dir.path().join("profile"));
        let journal = Journal::open(&profile.journal_db()).unwrap();
        let index = Index::open(&profile.index_db(&sim.user_node())).unwrap();
        let keysend = crate::node::OutgoingKeysend {
            destination: sim.node_id("bob").unwrap(),
            amount: Msat::from_sat(21),
            preimage: Preimage::random(),
            records: crate::keysend::Records::new(),
            fee_limit: Msat::from_sat(50),
            timeout: crate::wallet::SEND_TIMEOUT,
        };
        let _ = journal.begin("died", &keysend).unwrap();
        let _ = journal
            .update("died", JournalState::Dispatched, None, None)
            .unwrap();
        let first = node.send(keysend.clone()).next().await.unwrap().unwrap();
        assert!(!first.status.is_final(), "{first:?}");

        journal::reconcile_and_report(&node, &journal, &profile)
            .await
            .unwrap();
        assert_eq!(
            journal.get("died").unwrap().unwrap().state,
            JournalState::InFlight
        );
        let mut track = node.track(keysend.hash());
        while let Some(update) = track.next().await {
            if update.unwrap().status.is_final() {
                break;
            }
        }

        let rows = refresh(&node, &journal, &index, 10).await.unwrap();
        let [row] = rows.as_slice() else {
            panic!("{rows:?}")
        };
        assert_eq!(row.status, SentStatus::Succeeded);
        let entry = journal.get("died").unwrap().unwrap();
        assert_eq!(
            (entry.state, entry.fee),
            (JournalState::Succeeded, Some(row.fee))
        );
    }

    #[test]
    fn rows_become_stable_json() {
        let id: NodeId = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
            .parse()
            .unwrap();
        let mut book = ContactBook::new();
        let _ = book.add(NewContact::new("alice", id)).unwrap();
        let row = SentRow {
            hash: Preimage::from_bytes([7; 32]).hash(),
            payment_index: 3,
            destination: Some(id),
            amount: Msat::from_sat(21),
            fee: Msat(1_500),
            status: SentStatus::Failed(PaymentFailure::NoRoute),
            created_ns: 1_700_000_000_123_456_789,
            preview: "hi".into(),
            signed: true,
            preimage: None,
        };
        let json = SentJson::of(&row, &book);
        assert_eq!(
            (json.status, json.contact.as_deref(), json.created_at),
            ("failed", Some("alice"), 1_700_000_000)
        );
        assert!(json.failure.as_deref().unwrap().starts_with("No route"));
        assert!(json.signed && json.preimage.is_none());
        let text = entry_text(&json);
        assert!(text.contains("21 sat to alice  failed: No route"), "{text}");
        assert!(text.ends_with("\n    hi"), "{text}");
    }
}
