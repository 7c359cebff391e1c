//! Our sent keysends in the index, rebuilt from the node's payment history:
//! the list's rows and one payment's details (full message, every record,
//! the preimage that proves a succeeded payment).

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::journal_state::{failure_code, failure_from_code};
use super::{Index, IndexError, blob};
use crate::keysend::incoming::RecordView;
use crate::keysend::text::{display_safe, lossy_utf8};
use crate::keysend::{Msat, NodeId, PaymentHash, Preimage, Records, record};
use crate::node::{PaymentFailure, PaymentStatus, SentKeysend};

/// Longest message kept for a sent keysend, in bytes.
const MESSAGE_BYTES: usize = 1300;

/// Where a sent keysend stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentStatus {
    InFlight,
    Succeeded,
    Failed(PaymentFailure),
}

/// One line of the sent list.
#[derive(Debug, Clone, PartialEq)]
pub struct SentRow {
    pub hash: PaymentHash,
    pub payment_index: u64,
    pub destination: Option<NodeId>,
    pub amount: Msat,
    pub fee: Msat,
    pub status: SentStatus,
    /// When the node created the payment, ns since the Unix epoch.
    pub created_ns: i64,
    /// Message preview, display-safe, at most [`super::PREVIEW_CHARS`] characters.
    pub preview: String,
    /// We attached our node's signature (the recipient can verify the sender).
    pub signed: bool,
    /// Proof of payment: the preimage of `hash`, once the payment succeeded
    /// (`None` for rows stored before Satchel kept it).
    pub preimage: Option<Preimage>,
}

/// One sent keysend in full, for its details view.
#[derive(Debug, Clone, PartialEq)]
pub struct SentDetail {
    pub row: SentRow,
    /// The whole message, display-safe.
    pub message: String,
    /// Every record sent to the recipient, in type order.
    pub records: Vec<RecordView>,
}

/// The columns [`sent_row`] reads, in order.
pub(super) const SENT_COLUMNS: &str = "hash, payment_index, destination, amount_msat, fee_msat, status, created_ns, \
     substr(message, 1, 400), records";

const UPSERT_SENT: &str = "INSERT INTO sent (hash, payment_index, destination, amount_msat, \
    fee_msat, status, created_ns, message, records) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
    ON CONFLICT (hash) DO UPDATE SET payment_index = excluded.payment_index, \
    fee_msat = excluded.fee_msat, status = excluded.status, records = excluded.records, \
    message = excluded.message";

impl Index {
    /// Insert or refresh sent keysends (keyed by hash) in one transaction.
    pub fn upsert_sent(&self, items: &[SentKeysend]) -> Result<usize, IndexError> {
        self.upsert_sent_page(items, None)
    }

    /// [`Index::upsert_sent`] plus raising the payment-index cursor, atomically.
    pub(crate) fn upsert_sent_page(
        &self,
        items: &[SentKeysend],
        payment_index: Option<u64>,
    ) -> Result<usize, IndexError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for item in items {
            upsert_one(&tx, item)?;
        }
        if let Some(value) = payment_index {
            let _ = tx.execute(
                "INSERT INTO cursors (name, value) VALUES ('payment_index', ?1) \
                 ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)",
                [value as i64],
            )?;
        }
        tx.commit()?;
        Ok(items.len())
    }

    /// A page of sent keysends, newest first.
    pub fn sent(&self, offset: u64, limit: u64) -> Result<Vec<SentRow>, IndexError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {SENT_COLUMNS} FROM sent ORDER BY created_ns DESC, id DESC \
             LIMIT ?1 OFFSET ?2"
        ))?;
        let page = [
            i64::try_from(limit).unwrap_or(i64::MAX),
            i64::try_from(offset).unwrap_or(i64::MAX),
        ];
        let rows = stmt.query_map(page, sent_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The sent keysend with this payment hash, if the index has it.
    pub fn sent_by_hash(&self, hash: &PaymentHash) -> Result<Option<SentRow>, IndexError> {
        let conn = self.lock();
        let mut stmt =
            conn.prepare_cached(&format!("SELECT {SENT_COLUMNS} FROM sent WHERE hash = ?1"))?;
        Ok(stmt
            .query_row([&hash.as_bytes()[..]], sent_row)
            .optional()?)
    }

    /// The sent keysend with this payment hash in full, if the index has it.
    pub fn sent_detail(&self, hash: &PaymentHash) -> Result<Option<SentDetail>, IndexError> {
        let Some(row) = self.sent_by_hash(hash)? else {
            return Ok(None);
        };
        let (message, blob): (Option<String>, Vec<u8>) = self.lock().query_row(
            "SELECT message, records FROM sent WHERE hash = ?1",
            [&hash.as_bytes()[..]],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let records = blob::decode(&blob).unwrap_or_default();
        Ok(Some(SentDetail {
            row,
            message: display_safe(message.as_deref().unwrap_or(""), MESSAGE_BYTES),
            records: records
                .iter()
                .map(|(key, value)| RecordView::new(*key, value))
                .collect(),
        }))
    }

    /// How many sent keysends are stored.
    pub fn sent_count(&self) -> Result<u64, IndexError> {
        let count: i64 = self
            .lock()
            .query_row("SELECT count(*) FROM sent", [], |r| r.get(0))?;
        Ok(count as u64)
    }
}

fn upsert_one(tx: &Connection, item: &SentKeysend) -> Result<(), IndexError> {
    let message = item
        .records
        .get(&record::MESSAGE)
        .map(|m| lossy_utf8(m, MESSAGE_BYTES));
    let _ = tx.prepare_cached(UPSERT_SENT)?.execute(params![
        &item.hash.as_bytes()[..],
        item.payment_index as i64,
        item.destination.as_ref().map(|d| d.as_bytes().to_vec()),
        item.amount.0 as i64,
        item.fee.0 as i64,
        status_text(&item.status),
        item.created_ns,
        message,
        blob::encode(&item.records),
    ])?;
    Ok(())
}

/// `in_flight`, `succeeded:<preimage hex>` or `failed:<reason>` (rows
/// stored before the preimage was kept say `succeeded`).
fn status_text(status: &PaymentStatus) -> String {
    match status {
        PaymentStatus::Initiated | PaymentStatus::InFlight => "in_flight".to_owned(),
        PaymentStatus::Succeeded { preimage } => format!("succeeded:{}", preimage.to_hex()),
        PaymentStatus::Failed(reason) => format!("failed:{}", failure_code(*reason)),
    }
}

fn parse_status(text: &str) -> SentStatus {
    match text.strip_prefix("failed:") {
        Some(code) => SentStatus::Failed(failure_from_code(code).unwrap_or(PaymentFailure::Error)),
        None if text.starts_with("succeeded") => SentStatus::Succeeded,
        None => SentStatus::InFlight,
    }
}

/// The preimage in a `succeeded:<hex>` status, if it proves `hash`.
fn proof(status: &str, hash: &PaymentHash) -> Option<Preimage> {
    let bytes = hex::decode(status.strip_prefix("succeeded:")?).ok()?;
    Preimage::from_slice(&bytes).filter(|p| p.hash() == *hash)
}

pub(super) fn sent_row(row: &Row<'_>) -> rusqlite::Result<SentRow> {
    let hash: Vec<u8> = row.get(0)?;
    let hash = PaymentHash::from_slice(&hash).unwrap_or(PaymentHash::from_bytes([0; 32]));
    let destination: Option<Vec<u8>> = row.get(2)?;
    let status: String = row.get(5)?;
    let message: Option<String> = row.get(7)?;
    let records: Vec<u8> = row.get(8)?;
    let records: Records = blob::decode(&records).unwrap_or_default();
    Ok(SentRow {
        hash,
        payment_index: row.get::<_, i64>(1)? as u64,
        destination: destination.and_then(|d| NodeId::from_slice(&d).ok()),
        amount: Msat(row.get::<_, i64>(3)? as u64),
        fee: Msat(row.get::<_, i64>(4)? as u64),
        status: parse_status(&status),
        created_ns: row.get(6)?,
        preview: display_safe(message.as_deref().unwrap_or(""), super::PREVIEW_CHARS),
        signed: records.contains_key(&record::SIGNATURE),
        preimage: proof(&status, &hash),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(n: u64, status: PaymentStatus) -> SentKeysend {
        let mut records = Records::new();
        let _ = records.insert(record::MESSAGE, format!("tip {n}").into_bytes());
        SentKeysend {
            hash: Preimage::from_bytes([n as u8; 32]).hash(),
            payment_index: n,
            destination: None,
            amount: Msat::from_sat(n),
            fee: Msat(n),
            status,
            created_ns: n as i64,
            records,
        }
    }

    #[test]
    fn upsert_refreshes_status_and_lists_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let preimage = Preimage::from_bytes([1; 32]);
        let _ = index
            .upsert_sent(&[
                sent(1, PaymentStatus::InFlight),
                sent(2, PaymentStatus::Failed(PaymentFailure::NoRoute)),
            ])
            .unwrap();
        let _ = index
            .upsert_sent(&[sent(1, PaymentStatus::Succeeded { preimage })])
            .unwrap();
        let rows = index.sent(0, 10).unwrap();
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.payment_index, r.status, r.preview.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (2, SentStatus::Failed(PaymentFailure::NoRoute), "tip 2"),
                (1, SentStatus::Succeeded, "tip 1")
            ]
        );
        assert_eq!(index.sent_count().unwrap(), 2);
        let one = index.sent_by_hash(&sent(1, PaymentStatus::InFlight).hash);
        assert_eq!(one.unwrap().map(|r| r.status), Some(SentStatus::Succeeded));
        let absent = Preimage::from_bytes([9; 32]).hash();
        assert_eq!(index.sent_by_hash(&absent).unwrap(), None);
    }

    #[test]
    fn details_keep_the_proof_of_payment_and_whether_it_was_signed() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(&dir.path().join("index.db")).unwrap();
        let preimage = Preimage::from_bytes([4; 32]);
        let mut signed = sent(4, PaymentStatus::Succeeded { preimage });
        let _ = signed.records.insert(record::SIGNATURE, vec![1; 64]);
        let unsigned = sent(5, PaymentStatus::InFlight);
        let _ = index.upsert_sent(&[signed.clone(), unsigned]).unwrap();
        let rows = index.sent(0, 10).unwrap();
        let got: Vec<_> = rows
            .iter()
            .map(|r| (r.payment_index, r.signed, r.preimage))
            .collect();
        assert_eq!(got, [(5, false, None), (4, true, Some(preimage))]);
        let detail = index.sent_detail(&signed.hash).unwrap().unwrap();
        assert_eq!(detail.message, "tip 4");
        let keys: Vec<u64> = detail.records.iter().map(|r| r.key).collect();
        assert_eq!(keys, [record::MESSAGE, record::SIGNATURE]);
        assert_eq!(detail.row.preimage, Some(preimage));
        let absent = Preimage::from_bytes([9; 32]).hash();
        assert_eq!(index.sent_detail(&absent).unwrap(), None);
    }

    #[test]
    fn a_stored_preimage_that_does_not_prove_the_hash_is_not_shown() {
        let hash = Preimage::from_bytes([1; 32]).hash();
        let wrong = Preimage::from_bytes([2; 32]).to_hex();
        assert_eq!(proof(&format!("succeeded:{wrong}"), &hash), None);
        assert_eq!(proof("succeeded", &hash), None);
        assert_eq!(parse_status("succeeded"), SentStatus::Succeeded);
        assert_eq!(
            parse_status(&format!("succeeded:{wrong}")),
            SentStatus::Succeeded
        );
    }
}
