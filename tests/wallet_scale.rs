//! The index at scale: 100,000 received keysends inserted in pages, then
//! searched and filtered. Timings are printed (the benchmarks hold the real
//! targets); the assertions check the results and a loose upper bound that
//! holds even in unoptimised test builds.

use std::time::{Duration, Instant};

use satchel::keysend::{Msat, NodeId, PaymentHash, Records, record};
use satchel::node::ReceivedKeysend;
use satchel::wallet::{InboxQuery, Index};

const TOTAL: u64 = 100_000;
const WORDS: &[&str] = &[
    "coffee", "podcast", "thanks", "pizza", "birthday", "meetup", "slides",
];

fn keysend(n: u64) -> ReceivedKeysend {
    let mut records = Records::new();
    let word = WORDS[(n % WORDS.len() as u64) as usize];
    let text = format!("Message {n}: {word} for the great work, keep building!");
    let _ = records.insert(record::MESSAGE, text.into_bytes());
    let _ = records.insert(record::KEYSEND_PREIMAGE, vec![n as u8; 32]);
    if n.is_multiple_of(10) {
        let boost = format!(
            r#"{{"podcast":"Show {}","episode":"Ep {n}","app_name":"Fountain"}}"#,
            n % 7
        );
        let _ = records.insert(record::BOOSTAGRAM, boost.into_bytes());
    }
    if n.is_multiple_of(3) {
        let _ = records.insert(record::SENDER_PUBKEY, sender().as_bytes().to_vec());
    }
    let mut hash = [0u8; 32];
    hash[..8].copy_from_slice(&n.to_be_bytes());
    ReceivedKeysend {
        hash: PaymentHash::from_bytes(hash),
        chan_id: 1,
        htlc_index: n,
        amount: Msat::from_sat(1 + n % 1000),
        add_index: n,
        settle_index: n,
        created_at: 1_700_000_000 + n as i64,
        settled_at: 1_700_000_000 + n as i64,
        records,
    }
}

fn sender() -> NodeId {
    "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
        .parse()
        .unwrap()
}

fn timed<T>(label: &str, work: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = work();
    let took = start.elapsed();
    println!("{label}: {took:?}");
    (out, took)
}

#[test]
fn hundred_thousand_rows_insert_and_search() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.db");
    let index = Index::open(&path).unwrap();
    let items: Vec<_> = (1..=TOTAL).map(keysend).collect();
    let (new, insert) = timed("insert 100k", || {
        items
            .chunks(1000)
            .map(|page| index.insert_received(page).unwrap())
            .sum::<usize>()
    });
    assert_eq!(new as u64, TOTAL);
    drop(index);

    let (index, open) = timed("open + first page", || {
        let index = Index::open(&path).unwrap();
        let page = index.inbox(&InboxQuery::default()).unwrap();
        assert_eq!(page[0].amount, Msat::from_sat(1 + TOTAL % 1000));
        index
    });
    let search = InboxQuery {
        text: Some("pizz".into()),
        limit: 50,
        ..InboxQuery::default()
    };
    let (rows, text) = timed("search", || index.inbox(&search).unwrap());
    assert_eq!(rows.len(), 50);
    assert!(rows.iter().all(|r| r.preview.contains("pizza")));
    let (count, counted) = timed("search count", || index.count(&search).unwrap());
    assert_eq!(count, (1..=TOTAL).filter(|n| n % 7 == 3).count() as u64);
    let filter = InboxQuery {
        sender: Some(sender()),
        min_amount: Msat::from_sat(900),
        podcast: Some("Show 3".into()),
        ..InboxQuery::default()
    };
    let (rows, filtered) = timed("filter", || index.inbox(&filter).unwrap());
    assert!(!rows.is_empty() && rows.iter().all(|r| r.amount >= Msat::from_sat(900)));
    let (unread, unread_time) = timed("unread count", || {
        index.unread_count(Msat::from_sat(500)).unwrap()
    });
    assert_eq!(
        unread,
        (1..=TOTAL).filter(|n| 1 + n % 1000 >= 500).count() as u64
    );
    // Loose bounds for debug builds on a shared 2-core machine.
    assert!(insert < Duration::from_secs(30), "{insert:?}");
    assert!(open < Duration::from_secs(2), "{open:?}");
    for took in [text, counted, filtered, unread_time] {
        assert!(took < Duration::from_millis(1500), "{took:?}");
    }
}
