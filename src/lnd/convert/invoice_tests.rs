//! Tests for received keysends read from invoices.

use super::*;
use crate::keysend::Preimage;
use crate::keysend::record::{KEYSEND_PREIMAGE, MESSAGE};

fn htlc(chan_id: u64, index: u64, message: &[u8], state: InvoiceHtlcState) -> lnrpc::InvoiceHtlc {
    lnrpc::InvoiceHtlc {
        chan_id,
        htlc_index: index,
        amt_msat: 21_000,
        resolve_time: 1_700_000_100 + i64::try_from(index).unwrap(),
        state: state as i32,
        custom_records: [(KEYSEND_PREIMAGE, vec![3; 32]), (MESSAGE, message.to_vec())].into(),
        ..Default::default()
    }
}

fn keysend_invoice(add_index: u64, htlcs: Vec<lnrpc::InvoiceHtlc>) -> lnrpc::Invoice {
    lnrpc::Invoice {
        r_hash: Preimage::from_bytes([3; 32]).hash().as_bytes().to_vec(),
        is_keysend: true,
        state: InvoiceState::Settled as i32,
        add_index,
        settle_index: add_index + 100,
        creation_date: 1_700_000_000,
        settle_date: 1_700_000_050,
        htlcs,
        ..Default::default()
    }
}

#[test]
fn one_item_per_settled_htlc() {
    let invoice = keysend_invoice(
        7,
        vec![
            htlc(1, 0, b"first", InvoiceHtlcState::Settled),
            htlc(1, 5, b"second, same hash", InvoiceHtlcState::Settled),
            htlc(2, 1, b"canceled", InvoiceHtlcState::Canceled),
        ],
    );
    let items = received(invoice);
    assert_eq!(items.len(), 2);
    assert_eq!((items[0].chan_id, items[0].htlc_index), (1, 0));
    assert_eq!((items[1].chan_id, items[1].htlc_index), (1, 5));
    assert_eq!(
        items[1].records.get(&MESSAGE),
        Some(&b"second, same hash".to_vec())
    );
    assert_eq!(
        items[0].records.get(&KEYSEND_PREIMAGE),
        Some(&vec![3; 32]),
        "the preimage record is kept"
    );
    for item in &items {
        assert_eq!(item.hash, Preimage::from_bytes([3; 32]).hash());
        assert_eq!((item.add_index, item.settle_index), (7, 107));
        assert_eq!(item.amount, Msat(21_000));
        assert_eq!(item.created_at, 1_700_000_000);
    }
    assert_eq!(
        (items[0].settled_at, items[1].settled_at),
        (1_700_000_100, 1_700_000_105)
    );
}

#[test]
fn only_settled_keysend_invoices_count() {
    let open = lnrpc::Invoice {
        state: InvoiceState::Open as i32,
        ..keysend_invoice(1, vec![htlc(1, 0, b"x", InvoiceHtlcState::Accepted)])
    };
    assert!(received(open).is_empty());
    let accepted = lnrpc::Invoice {
        state: InvoiceState::Accepted as i32,
        ..keysend_invoice(1, vec![htlc(1, 0, b"x", InvoiceHtlcState::Accepted)])
    };
    assert!(received(accepted).is_empty());
    let regular = lnrpc::Invoice {
        is_keysend: false,
        payment_request: "lnbcrt1".into(),
        ..keysend_invoice(1, vec![htlc(1, 0, b"x", InvoiceHtlcState::Settled)])
    };
    assert!(received(regular).is_empty());
    let short_hash = lnrpc::Invoice {
        r_hash: vec![1; 31],
        ..keysend_invoice(1, vec![htlc(1, 0, b"x", InvoiceHtlcState::Settled)])
    };
    assert!(received(short_hash).is_empty());
}

#[test]
fn settle_date_is_used_without_a_resolve_time() {
    let mut item = htlc(1, 0, b"x", InvoiceHtlcState::Settled);
    item.resolve_time = 0;
    let items = received(keysend_invoice(3, vec![item]));
    assert_eq!(items[0].settled_at, 1_700_000_050);
}

#[test]
fn page_counts_everything_it_scanned() {
    let regular = lnrpc::Invoice {
        is_keysend: false,
        add_index: 9,
        ..Default::default()
    };
    let page = lnrpc::ListInvoiceResponse {
        invoices: vec![
            keysend_invoice(4, vec![htlc(1, 0, b"a", InvoiceHtlcState::Settled)]),
            regular,
        ],
        last_index_offset: 9,
        first_index_offset: 4,
    };
    let page = received_page(page, 3);
    assert_eq!(
        (page.items.len(), page.last_add_index, page.scanned),
        (1, 9, 2)
    );
    let empty = received_page(lnrpc::ListInvoiceResponse::default(), 3);
    assert_eq!(
        (empty.items.len(), empty.last_add_index, empty.scanned),
        (0, 3, 0)
    );
}
