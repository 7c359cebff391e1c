//! One node's books: received keysend invoices (indexed by add and settle
//! index, as LND keeps them) and its outgoing payments (by payment index and
//! hash). Change notifications go out on `watch` channels so streams can
//! re-read what is new without ever missing an event.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use tokio::sync::watch;

use crate::keysend::Records;
use crate::rpc::lnrpc::Payment;

/// Invoices per persisted segment file.
pub(crate) const SEGMENT: usize = 4096;

/// LND's `Invoice.InvoiceState` numbers.
pub(crate) const INVOICE_SETTLED: i32 = 1;

/// A received HTLC as stored.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct StoredHtlc {
    #[prost(uint64, tag = "1")]
    pub chan_id: u64,
    #[prost(uint64, tag = "2")]
    pub htlc_index: u64,
    #[prost(uint64, tag = "3")]
    pub amt_msat: u64,
    #[prost(int32, tag = "4")]
    pub accept_height: i32,
    #[prost(int64, tag = "5")]
    pub accept_time: i64,
    #[prost(int64, tag = "6")]
    pub resolve_time: i64,
    #[prost(int32, tag = "7")]
    pub expiry_height: i32,
    #[prost(btree_map = "uint64, bytes", tag = "8")]
    pub records: Records,
    /// AMP shard: the record LND keeps per HTLC (empty for a keysend).
    #[prost(message, optional, tag = "9")]
    pub amp: Option<StoredAmp>,
}

/// The AMP record of a received shard (LND `InvoiceHTLC.amp`).
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct StoredAmp {
    #[prost(bytes = "vec", tag = "1")]
    pub root_share: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    pub set_id: Vec<u8>,
    #[prost(uint32, tag = "3")]
    pub child_index: u32,
    #[prost(bytes = "vec", tag = "4")]
    pub hash: Vec<u8>,
    #[prost(bytes = "vec", tag = "5")]
    pub preimage: Vec<u8>,
}

/// A keysend invoice as stored: what LND's registry keeps for it.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct StoredInvoice {
    #[prost(bytes = "vec", tag = "1")]
    pub r_hash: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    pub r_preimage: Vec<u8>,
    #[prost(int64, tag = "3")]
    pub value_msat: i64,
    #[prost(int64, tag = "4")]
    pub creation_date: i64,
    #[prost(int64, tag = "5")]
    pub settle_date: i64,
    #[prost(uint64, tag = "6")]
    pub add_index: u64,
    #[prost(uint64, tag = "7")]
    pub settle_index: u64,
    #[prost(int32, tag = "8")]
    pub state: i32,
    #[prost(message, repeated, tag = "9")]
    pub htlcs: Vec<StoredHtlc>,
    /// BOLT11 invoices (AddInvoice); empty for keysends.
    #[prost(string, tag = "10")]
    pub payment_request: String,
    #[prost(string, tag = "11")]
    pub memo: String,
    #[prost(int64, tag = "12")]
    pub expiry: i64,
    /// A spontaneous AMP payment (one set; `r_hash` holds the set id).
    #[prost(bool, tag = "13")]
    pub is_amp: bool,
}

/// A keysend arriving at its destination.
pub(crate) struct Arrival {
    pub hash: [u8; 32],
    pub preimage: [u8; 32],
    pub htlc: StoredHtlc,
}

/// One node's invoices and payments.
pub(crate) struct Ledger {
    invoices: Vec<StoredInvoice>,
    by_hash: HashMap<[u8; 32], usize>,
    settles: Vec<usize>,
    payments: BTreeMap<u64, Payment>,
    payment_by_hash: HashMap<String, u64>,
    next_payment_index: u64,
    /// Next HTLC attempt id of this node's payments.
    pub next_attempt_id: u64,
    dirty_segments: BTreeSet<usize>,
    invoice_version: watch::Sender<u64>,
    payment_version: watch::Sender<u64>,
}

impl Default for Ledger {
    fn default() -> Self {
        Self {
            invoices: Vec::new(),
            by_hash: HashMap::new(),
            settles: Vec::new(),
            payments: BTreeMap::new(),
            payment_by_hash: HashMap::new(),
            next_payment_index: 1,
            next_attempt_id: 1,
            dirty_segments: BTreeSet::new(),
            invoice_version: watch::Sender::new(0),
            payment_version: watch::Sender::new(0),
        }
    }
}

impl Ledger {
    /// Rebuild from persisted invoices (in add-index order) and payments.
    pub fn restore(
        invoices: Vec<StoredInvoice>,
        payments: Vec<Payment>,
        next_attempt_id: u64,
    ) -> Self {
        let mut ledger = Self {
            next_attempt_id: next_attempt_id.max(1),
            ..Self::default()
        };
        ledger.by_hash.reserve(invoices.len());
        for (position, invoice) in invoices.iter().enumerate() {
            if let Ok(hash) = invoice.r_hash.as_slice().try_into() {
                let _ = ledger.by_hash.insert(hash, position);
            }
        }
        let mut settled: Vec<(u64, usize)> = invoices
            .iter()
            .enumerate()
            .filter(|(_, i)| i.settle_index > 0)
            .map(|(p, i)| (i.settle_index, p))
            .collect();
        settled.sort_unstable();
        ledger.settles = settled.into_iter().map(|(_, p)| p).collect();
        ledger.invoices = invoices;
        for payment in payments {
            ledger.insert_payment(payment);
        }
        ledger
    }

    /// Settle a keysend into an invoice, as LND's registry does: a new hash
    /// makes a new SETTLED invoice (new add and settle index, events); a known
    /// hash only gains an HTLC (LND: no index bump, no event). Returns the
    /// add index.
    pub fn settle_keysend(&mut self, arrival: Arrival, now: i64) -> u64 {
        if let Some(&position) = self.by_hash.get(&arrival.hash) {
            self.invoices[position].htlcs.push(arrival.htlc);
            let _ = self.dirty_segments.insert(position / SEGMENT);
            return self.invoices[position].add_index;
        }
        let position = self.invoices.len();
        let invoice = StoredInvoice {
            r_hash: arrival.hash.to_vec(),
            r_preimage: arrival.preimage.to_vec(),
            value_msat: arrival.htlc.amt_msat as i64,
            creation_date: now,
            settle_date: now,
            add_index: position as u64 + 1,
            settle_index: self.settles.len() as u64 + 1,
            state: INVOICE_SETTLED,
            htlcs: vec![arrival.htlc],
            ..StoredInvoice::default()
        };
        self.invoices.push(invoice);
        self.settles.push(position);
        let _ = self.by_hash.insert(arrival.hash, position);
        let _ = self.dirty_segments.insert(position / SEGMENT);
        self.invoice_version.send_modify(|v| *v += 1);
        position as u64 + 1
    }

    /// Add an OPEN invoice (AddInvoice): a new add index and an add event.
    pub fn add_open(&mut self, mut invoice: StoredInvoice) -> u64 {
        let position = self.invoices.len();
        invoice.add_index = position as u64 + 1;
        if let Ok(hash) = invoice.r_hash.as_slice().try_into() {
            let _ = self.by_hash.insert(hash, position);
        }
        self.invoices.push(invoice);
        let _ = self.dirty_segments.insert(position / SEGMENT);
        self.invoice_version.send_modify(|v| *v += 1);
        position as u64 + 1
    }

    /// Settle a complete AMP set as one new invoice keyed by its set id
    /// (LND keeps the set inside the AMP invoice; the sim stores one
    /// invoice per set, shown as LND shows it). Returns the add index.
    pub fn settle_amp(&mut self, set_id: [u8; 32], htlcs: Vec<StoredHtlc>, now: i64) -> u64 {
        let position = self.invoices.len();
        let invoice = StoredInvoice {
            r_hash: set_id.to_vec(),
            r_preimage: Vec::new(),
            value_msat: 0,
            creation_date: now,
            settle_date: now,
            add_index: position as u64 + 1,
            settle_index: self.settles.len() as u64 + 1,
            state: INVOICE_SETTLED,
            htlcs,
            is_amp: true,
            ..StoredInvoice::default()
        };
        self.invoices.push(invoice);
        self.settles.push(position);
        let _ = self.by_hash.insert(set_id, position);
        let _ = self.dirty_segments.insert(position / SEGMENT);
        self.invoice_version.send_modify(|v| *v += 1);
        position as u64 + 1
    }

    /// Settle the OPEN invoice `hash` with `htlc` (a settle index and event).
    /// False when there is no open invoice with that hash.
    pub fn settle_open(&mut self, hash: &[u8; 32], htlc: StoredHtlc, now: i64) -> bool {
        let Some(&position) = self.by_hash.get(hash) else {
            return false;
        };
        let invoice = &mut self.invoices[position];
        if invoice.state != 0 {
            return false;
        }
        invoice.state = INVOICE_SETTLED;
        invoice.settle_date = now;
        invoice.settle_index = self.settles.len() as u64 + 1;
        invoice.htlcs.push(htlc);
        self.settles.push(position);
        let _ = self.dirty_segments.insert(position / SEGMENT);
        self.invoice_version.send_modify(|v| *v += 1);
        true
    }

    /// All invoices, oldest first (position = add_index - 1).
    pub fn invoices(&self) -> &[StoredInvoice] {
        &self.invoices
    }

    /// The invoice with this payment hash.
    pub fn invoice_by_hash(&self, hash: &[u8]) -> Option<&StoredInvoice> {
        let hash: [u8; 32] = hash.try_into().ok()?;
        self.by_hash.get(&hash).map(|&p| &self.invoices[p])
    }

    /// Highest add index and settle index so far.
    pub fn invoice_cursor(&self) -> (u64, u64) {
        (self.invoices.len() as u64, self.settles.len() as u64)
    }

    /// Invoices with add_index > `after`, oldest first, at most `max`.
    pub fn added_after(&self, after: u64, max: usize) -> Vec<StoredInvoice> {
        let start = (after as usize).min(self.invoices.len());
        self.invoices[start..].iter().take(max).cloned().collect()
    }

    /// Invoices with settle_index > `after`, in settle order, at most `max`.
    pub fn settled_after(&self, after: u64, max: usize) -> Vec<StoredInvoice> {
        let start = (after as usize).min(self.settles.len());
        self.settles[start..]
            .iter()
            .take(max)
            .map(|&p| self.invoices[p].clone())
            .collect()
    }

    /// A receiver of invoice change notifications.
    pub fn watch_invoices(&self) -> watch::Receiver<u64> {
        self.invoice_version.subscribe()
    }

    /// Segment numbers changed since the last save; clears the set.
    pub fn take_dirty_segments(&mut self) -> BTreeSet<usize> {
        std::mem::take(&mut self.dirty_segments)
    }

    /// Invoices of one persisted segment.
    pub fn segment(&self, number: usize) -> &[StoredInvoice] {
        let start = (number * SEGMENT).min(self.invoices.len());
        let end = (start + SEGMENT).min(self.invoices.len());
        &self.invoices[start..end]
    }

    // ---- payments ---------------------------------------------------------

    /// The latest payment for a hex payment hash.
    pub fn payment(&self, hash_hex: &str) -> Option<&Payment> {
        self.payment_by_hash
            .get(hash_hex)
            .and_then(|i| self.payments.get(i))
    }

    /// Create a payment record with the next payment index (replacing a
    /// failed one with the same hash, as LND does on a resend).
    pub fn create_payment(&mut self, mut payment: Payment) -> u64 {
        if let Some(old) = self.payment_by_hash.remove(&payment.payment_hash) {
            let _ = self.payments.remove(&old);
        }
        payment.payment_index = self.next_payment_index;
        let index = payment.payment_index;
        self.insert_payment(payment);
        self.payment_version.send_modify(|v| *v += 1);
        index
    }

    /// Change a payment in place and notify trackers.
    pub fn update_payment(&mut self, hash_hex: &str, change: impl FnOnce(&mut Payment)) {
        let Some(index) = self.payment_by_hash.get(hash_hex) else {
            return;
        };
        if let Some(payment) = self.payments.get_mut(index) {
            change(payment);
            self.payment_version.send_modify(|v| *v += 1);
        }
    }

    /// All payments by payment index.
    pub fn payments(&self) -> &BTreeMap<u64, Payment> {
        &self.payments
    }

    /// A receiver of payment change notifications.
    pub fn watch_payments(&self) -> watch::Receiver<u64> {
        self.payment_version.subscribe()
    }

    fn insert_payment(&mut self, payment: Payment) {
        self.next_payment_index = self.next_payment_index.max(payment.payment_index + 1);
        let _ = self
            .payment_by_hash
            .insert(payment.payment_hash.clone(), payment.payment_index);
        let _ = self.payments.insert(payment.payment_index, payment);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrival(byte: u8, htlc_index: u64) -> Arrival {
        Arrival {
            hash: [byte; 32],
            preimage: [byte.wrapping_add(1); 32],
            htlc: StoredHtlc {
                chan_id: 7,
                htlc_index,
                amt_msat: 1000,
                ..StoredHtlc::default()
            },
        }
    }

    #[test]
    fn new_hash_makes_invoice_and_duplicate_adds_htlc_silently() {
        let mut ledger = Ledger::default();
        let events = ledger.watch_invoices();
        assert_eq!(ledger.settle_keysend(arrival(1, 0), 100), 1);
        assert_eq!(ledger.settle_keysend(arrival(2, 1), 101), 2);
        assert_eq!(*events.borrow(), 2);
        assert_eq!(ledger.settle_keysend(arrival(1, 2), 102), 1);
        assert_eq!(*events.borrow(), 2, "a duplicate hash emits no event");
        assert_eq!(ledger.invoice_cursor(), (2, 2));
        assert_eq!(ledger.invoices()[0].htlcs.len(), 2);
        assert_eq!(ledger.settled_after(1, 10)[0].add_index, 2);
        assert_eq!(ledger.added_after(0, 1).len(), 1);
    }

    #[test]
    fn resending_a_failed_hash_takes_a_new_index() {
        let mut ledger = Ledger::default();
        let payment = Payment {
            payment_hash: "ab".into(),
            ..Payment::default()
        };
        assert_eq!(ledger.create_payment(payment.clone()), 1);
        assert_eq!(ledger.create_payment(payment), 2);
        assert_eq!(ledger.payments().len(), 1);
        assert_eq!(ledger.payment("ab").unwrap().payment_index, 2);
    }
}
