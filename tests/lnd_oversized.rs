//! A ListInvoices page over gRPC's message limit (invoices that carry huge
//! records): the sync asks for smaller pages, down to one invoice, instead
//! of stopping for good with a misleading "check the values you entered".

mod wallet_support;

use satchel::keysend::Records;
use satchel::wallet::{self, InboxQuery};
use wallet_support::*;

/// Three invoices of 24 MiB each: any page holding all three is over the
/// adapter's 64 MiB limit.
const HUGE: usize = 24 * 1024 * 1024;

#[tokio::test]
async fn an_oversized_invoice_page_is_read_in_smaller_pages() {
    let world = world(|_| {}).await;
    let _ = within(
        world
            .sim
            .inject_keysend("alice", sats(5), message("before")),
    )
    .await
    .unwrap();
    for n in 0..3u8 {
        let mut records = Records::new();
        let _ = records.insert(70_000, vec![n; HUGE]);
        // No onion carries 24 MiB: settled at the node without routing.
        let _ = world.sim.settle_unrouted(sats(5), records);
    }
    let _ = within(world.sim.inject_keysend("alice", sats(5), message("after")))
        .await
        .unwrap();
    let stats = within(wallet::backfill(&world.node, &world.index, |_| {}))
        .await
        .expect("the backfill reads every invoice, however large the page");
    assert_eq!(stats.invoices_scanned, 5);
    assert_eq!(world.index.count(&InboxQuery::default()).unwrap(), 5);
    let cursors = world.index.cursors().unwrap();
    assert_eq!(cursors.add_index, 5, "the cursor reached the last invoice");
}
