//! Reading a journal row back: every column decoded and checked, so an
//! entry that cannot be read is an error, never skipped.

use std::time::Duration;

use rusqlite::Row;

use super::journal::JournalEntry;
use super::journal_state::{JournalState, failure_from_code};
use super::{JournalError, blob};
use crate::keysend::{Msat, NodeId, Preimage};
use crate::node::OutgoingKeysend;

/// One journal row as stored, before decoding.
struct StoredRow {
    intent_id: String,
    destination: Vec<u8>,
    amount: i64,
    records: Vec<u8>,
    preimage: Vec<u8>,
    fee_limit: i64,
    timeout_ms: i64,
    state: String,
    failure: Option<String>,
    fee: Option<i64>,
    created_at: i64,
    updated_at: i64,
    node: Option<Vec<u8>>,
}

/// Read one row; decoding happens in [`StoredRow::decode`] so that an
/// unreadable entry is an error, never skipped.
pub(super) fn read_row(row: &Row<'_>) -> rusqlite::Result<Result<JournalEntry, JournalError>> {
    let stored = StoredRow {
        intent_id: row.get(0)?,
        destination: row.get(1)?,
        amount: row.get(2)?,
        records: row.get(3)?,
        preimage: row.get(4)?,
        fee_limit: row.get(5)?,
        timeout_ms: row.get(6)?,
        state: row.get(7)?,
        failure: row.get(8)?,
        fee: row.get(9)?,
        created_at: row.get(10)?,
        updated_at: row.get(11)?,
        node: row.get(12)?,
    };
    Ok(stored.decode())
}

impl StoredRow {
    fn decode(self) -> Result<JournalEntry, JournalError> {
        let bad = |what: &str| JournalError::Unreadable(format!("{what} of {}", self.intent_id));
        let keysend = OutgoingKeysend {
            destination: NodeId::from_slice(&self.destination).map_err(|_| bad("destination"))?,
            amount: Msat(self.amount as u64),
            preimage: Preimage::from_slice(&self.preimage).ok_or_else(|| bad("preimage"))?,
            records: blob::decode(&self.records).map_err(|_| bad("records"))?,
            fee_limit: Msat(self.fee_limit as u64),
            timeout: Duration::from_millis(self.timeout_ms as u64),
        };
        let node = match &self.node {
            Some(bytes) => Some(NodeId::from_slice(bytes).map_err(|_| bad("node"))?),
            None => None,
        };
        Ok(JournalEntry {
            node,
            state: JournalState::parse(&self.state).ok_or_else(|| bad("state"))?,
            failure: self.failure.as_deref().and_then(failure_from_code),
            fee: self.fee.map(|f| Msat(f as u64)),
            created_at: self.created_at,
            updated_at: self.updated_at,
            intent_id: self.intent_id,
            keysend,
        })
    }
}
