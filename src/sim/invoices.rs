//! Invoice queries as LND answers them: ListInvoices pagination (research
//! §2.4) and the SubscribeInvoices feed with its replay semantics (§2.3).

use std::collections::VecDeque;

use futures::stream::{BoxStream, StreamExt};
use tokio::sync::watch;
use tonic::Status;

use crate::rpc::lnrpc::{Invoice, InvoiceSubscription, ListInvoiceRequest, ListInvoiceResponse};

use sha2::{Digest, Sha256};

use crate::keysend::Records;
use crate::keysend::record::KEYSEND_PREIMAGE;

use super::convert;
use super::ledger::{Arrival, Ledger, StoredHtlc, StoredInvoice};
use super::network::Network;
use super::server::NodeService;
use super::{graph, pay};

/// Settle a keysend invoice at node `dest` as if it had arrived, without
/// routing it: records no onion could carry (tests use this to make a
/// ListInvoices page larger than gRPC's message limit). Returns its hash.
pub(crate) fn settle_unrouted(
    network: &mut Network,
    dest: usize,
    amount_msat: u64,
    mut records: Records,
) -> [u8; 32] {
    let preimage: [u8; 32] = rand::random();
    let _ = records.insert(KEYSEND_PREIMAGE, preimage.to_vec());
    let now = pay::now_ns() / 1_000_000_000;
    // On the node's first channel, as the next HTLC its peer sends on it
    // (an index of its own: the index keys received HTLCs by channel and
    // index).
    let (chan_id, htlc_index) = match graph::channels_of(dest).first() {
        Some(&(channel, _, dest_is_a)) => (
            network.channels[channel].chan_id,
            super::history::next_incoming_htlc(network, channel, !dest_is_a),
        ),
        None => (0, network.ledgers[dest].invoices().len() as u64),
    };
    settle_arrival(
        network,
        dest,
        chan_id,
        htlc_index,
        amount_msat,
        preimage,
        records,
        now,
    )
}

/// Store a settled keysend at node `dest` that arrived on `chan_id` as HTLC
/// `htlc_index` at `at` (seconds), without routing it. Returns its hash.
#[allow(clippy::too_many_arguments)]
pub(crate) fn settle_arrival(
    network: &mut Network,
    dest: usize,
    chan_id: u64,
    htlc_index: u64,
    amt_msat: u64,
    preimage: [u8; 32],
    records: Records,
    at: i64,
) -> [u8; 32] {
    let hash: [u8; 32] = Sha256::digest(preimage).into();
    let htlc = StoredHtlc {
        chan_id,
        htlc_index,
        amt_msat,
        accept_height: network.block_height as i32,
        accept_time: at,
        resolve_time: at,
        expiry_height: (network.block_height + 80) as i32,
        records,
        amp: None,
    };
    let arrival = Arrival {
        hash,
        preimage,
        htlc,
    };
    let _ = network.ledgers[dest].settle_keysend(arrival, at);
    hash
}

/// LND: `num_max_invoices` 0 means 100.
const DEFAULT_PAGE: usize = 100;
/// Invoices fetched per lock while replaying.
const BATCH: usize = 500;

/// One page of invoices: `index_offset` is an exclusive add index; forward
/// pages go up from it, reversed pages go down (0 = from the newest); the
/// page is always oldest first.
pub(crate) fn list(
    ledger: &Ledger,
    request: &ListInvoiceRequest,
) -> Result<ListInvoiceResponse, Status> {
    let (start, end) = (
        request.creation_date_start as i64,
        request.creation_date_end as i64,
    );
    if start != 0 && end != 0 && start >= end {
        return Err(Status::invalid_argument(format!(
            "start date ({start}) must be before end date ({end})"
        )));
    }
    let wanted = |invoice: &&StoredInvoice| {
        (!request.pending_only || matches!(invoice.state, 0 | 3))
            && (start == 0 || invoice.creation_date >= start)
            && (end == 0 || invoice.creation_date <= end)
    };
    let max = match request.num_max_invoices {
        0 => DEFAULT_PAGE,
        n => usize::try_from(n).unwrap_or(usize::MAX),
    };
    let all = ledger.invoices();
    let page: Vec<&StoredInvoice> = if request.reversed {
        let before = match request.index_offset {
            0 => all.len(),
            offset => usize::try_from(offset - 1)
                .unwrap_or(usize::MAX)
                .min(all.len()),
        };
        let mut page: Vec<_> = all[..before]
            .iter()
            .rev()
            .filter(wanted)
            .take(max)
            .collect();
        page.reverse();
        page
    } else {
        let after = usize::try_from(request.index_offset)
            .unwrap_or(usize::MAX)
            .min(all.len());
        all[after..].iter().filter(wanted).take(max).collect()
    };
    Ok(ListInvoiceResponse {
        first_index_offset: page.first().map_or(0, |i| i.add_index),
        last_index_offset: page.last().map_or(0, |i| i.add_index),
        invoices: page.into_iter().map(convert::invoice).collect(),
    })
}

/// Where a subscription is.
enum Phase {
    /// Replaying invoices added after `after`, up to `until`.
    Adds { after: u64, until: u64 },
    /// Replaying invoices settled after `after`, up to `until`.
    Settles { after: u64, until: u64 },
    /// Following new adds (sent as OPEN) and settles (sent as SETTLED).
    Live { added: u64, settled: u64 },
}

/// A subscription's state between items.
struct Feed {
    service: NodeService,
    phase: Phase,
    changes: watch::Receiver<u64>,
    queue: VecDeque<Invoice>,
    live_from: (u64, u64),
}

/// SubscribeInvoices: replay adds after `add_index` (if set), then settles
/// after `settle_index` (if set), then live events.
pub(crate) fn subscribe(
    service: NodeService,
    request: InvoiceSubscription,
) -> BoxStream<'static, Result<Invoice, Status>> {
    let (live_from, changes) = {
        let network = service.shared.lock();
        let ledger = &network.ledgers[service.node];
        let mut changes = ledger.watch_invoices();
        let _ = changes.borrow_and_update();
        (ledger.invoice_cursor(), changes)
    };
    let phase = Phase::Adds {
        after: request.add_index,
        until: if request.add_index > 0 {
            live_from.0
        } else {
            0
        },
    };
    let settle_start = request.settle_index;
    let gate = service.gate.clone();
    let feed = Feed {
        service,
        phase,
        changes,
        queue: VecDeque::new(),
        live_from,
    };
    let stream = futures::stream::unfold(
        (feed, settle_start),
        |(mut feed, settle_start)| async move {
            let item = feed.next(settle_start).await?;
            Some((Ok(item), (feed, settle_start)))
        },
    );
    gate.guard(stream.boxed())
}

impl Feed {
    async fn next(&mut self, settle_start: u64) -> Option<Invoice> {
        loop {
            if let Some(invoice) = self.queue.pop_front() {
                return Some(invoice);
            }
            match self.phase {
                Phase::Adds { after, until } => self.replay_adds(after, until, settle_start),
                Phase::Settles { after, until } => self.replay_settles(after, until),
                Phase::Live { added, settled } => {
                    if !self.poll_live(added, settled) {
                        self.changes.changed().await.ok()?;
                    }
                }
            }
        }
    }

    fn replay_adds(&mut self, after: u64, until: u64, settle_start: u64) {
        let batch = self.fetch(
            |ledger| ledger.added_after(after, BATCH),
            until,
            |i| i.add_index,
        );
        match batch.last().map(|i| i.add_index) {
            Some(last) => self.phase = Phase::Adds { after: last, until },
            None => {
                let until = if settle_start > 0 {
                    self.live_from.1
                } else {
                    0
                };
                self.phase = Phase::Settles {
                    after: settle_start,
                    until,
                };
            }
        }
        self.queue.extend(batch.iter().map(convert::invoice));
    }

    fn replay_settles(&mut self, after: u64, until: u64) {
        let batch = self.fetch(
            |ledger| ledger.settled_after(after, BATCH),
            until,
            |i| i.settle_index,
        );
        match batch.last().map(|i| i.settle_index) {
            Some(last) => self.phase = Phase::Settles { after: last, until },
            None => {
                self.phase = Phase::Live {
                    added: self.live_from.0,
                    settled: self.live_from.1,
                }
            }
        }
        self.queue.extend(batch.iter().map(convert::invoice));
    }

    /// Queue new adds and settles; false when there was nothing new.
    fn poll_live(&mut self, added: u64, settled: u64) -> bool {
        let (adds, settles) = {
            let network = self.service.shared.lock();
            let ledger = &network.ledgers[self.service.node];
            let _ = self.changes.borrow_and_update();
            (
                ledger.added_after(added, BATCH),
                ledger.settled_after(settled, BATCH),
            )
        };
        let added = adds.last().map_or(added, |i| i.add_index);
        let settled = settles.last().map_or(settled, |i| i.settle_index);
        self.phase = Phase::Live { added, settled };
        let found = !adds.is_empty() || !settles.is_empty();
        self.queue.extend(adds.iter().map(convert::invoice_opened));
        self.queue.extend(settles.iter().map(convert::invoice));
        found
    }

    /// One batch from the ledger, cut at index `until`.
    fn fetch(
        &self,
        read: impl FnOnce(&Ledger) -> Vec<StoredInvoice>,
        until: u64,
        index: impl Fn(&StoredInvoice) -> u64,
    ) -> Vec<StoredInvoice> {
        let network = self.service.shared.lock();
        let mut batch = read(&network.ledgers[self.service.node]);
        batch.retain(|i| index(i) <= until);
        batch
    }
}
