//! Payment queries as LND answers them: ListPayments pagination and the
//! payment update streams behind SendPaymentV2 and TrackPaymentV2.

use futures::stream::{BoxStream, StreamExt};
use tokio::sync::watch;
use tonic::Status;

use crate::rpc::lnrpc::{ListPaymentsRequest, ListPaymentsResponse, Payment, payment};

use super::ledger::Ledger;
use super::server::NodeService;

/// ListPayments: `index_offset` is an exclusive payment index; forward
/// pages go up, reversed pages go down (0 = newest); oldest first. Without
/// `include_incomplete` only SUCCEEDED payments are listed.
pub(crate) fn list(ledger: &Ledger, request: &ListPaymentsRequest) -> ListPaymentsResponse {
    let (start, end) = (
        request.creation_date_start as i64,
        request.creation_date_end as i64,
    );
    let wanted = |p: &&Payment| {
        let created = p.creation_time_ns / 1_000_000_000;
        (request.include_incomplete || p.status == payment::PaymentStatus::Succeeded as i32)
            && (start == 0 || created >= start)
            && (end == 0 || created <= end)
    };
    // LND: max_payments 0 means no limit.
    let max = match request.max_payments {
        0 => usize::MAX,
        n => usize::try_from(n).unwrap_or(usize::MAX),
    };
    let all = ledger.payments();
    let mut page: Vec<Payment> = if request.reversed {
        let upper = if request.index_offset == 0 {
            u64::MAX
        } else {
            request.index_offset
        };
        let mut page: Vec<_> = all
            .range(..upper)
            .rev()
            .map(|(_, p)| p)
            .filter(wanted)
            .take(max)
            .cloned()
            .collect();
        page.reverse();
        page
    } else {
        all.range(request.index_offset.saturating_add(1)..)
            .map(|(_, p)| p)
            .filter(wanted)
            .take(max)
            .cloned()
            .collect()
    };
    if request.omit_hops {
        for attempt in page.iter_mut().flat_map(|p| p.htlcs.iter_mut()) {
            if let Some(route) = attempt.route.as_mut() {
                route.hops.clear();
            }
        }
    }
    ListPaymentsResponse {
        first_index_offset: page.first().map_or(0, |p| p.payment_index),
        last_index_offset: page.last().map_or(0, |p| p.payment_index),
        total_num_payments: if request.count_total_payments {
            all.len() as u64
        } else {
            0
        },
        payments: page,
    }
}

/// Whether a payment will change no more.
fn is_terminal(payment: &Payment) -> bool {
    payment.status == payment::PaymentStatus::Succeeded as i32
        || payment.status == payment::PaymentStatus::Failed as i32
}

/// A stream of the payment's states: the current one at once, then every
/// change, ending after a terminal state. `Err(NOT_FOUND)` if unknown.
pub(crate) fn follow(
    service: NodeService,
    hash_hex: String,
    no_inflight_updates: bool,
) -> Result<BoxStream<'static, Result<Payment, Status>>, Status> {
    let changes = {
        let network = service.shared.lock();
        let ledger = &network.ledgers[service.node];
        if ledger.payment(&hash_hex).is_none() {
            return Err(Status::not_found("payment isn't initiated"));
        }
        ledger.watch_payments()
    };
    let gate = service.gate.clone();
    let state = Some(Follow {
        service,
        hash_hex,
        changes,
        last: None,
        no_inflight_updates,
    });
    let stream = futures::stream::unfold(state, |state| async move {
        let mut follow = state?;
        let payment = follow.next().await?;
        let done = is_terminal(&payment);
        Some((Ok(payment), (!done).then_some(follow)))
    });
    Ok(gate.guard(stream.boxed()))
}

/// A payment stream between items.
struct Follow {
    service: NodeService,
    hash_hex: String,
    changes: watch::Receiver<u64>,
    last: Option<Payment>,
    no_inflight_updates: bool,
}

impl Follow {
    /// The next state worth sending.
    async fn next(&mut self) -> Option<Payment> {
        loop {
            let current = {
                let network = self.service.shared.lock();
                let _ = self.changes.borrow_and_update();
                network.ledgers[self.service.node]
                    .payment(&self.hash_hex)
                    .cloned()?
            };
            let changed = self.last.as_ref() != Some(&current);
            let wanted = !self.no_inflight_updates || is_terminal(&current);
            if changed && wanted {
                self.last = Some(current.clone());
                return Some(current);
            }
            self.changes.changed().await.ok()?;
        }
    }
}
