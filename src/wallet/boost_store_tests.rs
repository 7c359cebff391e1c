use super::*;
use crate::podcast::example::{feed, spec_block};
use crate::podcast::{Feed, split};

fn spec_legs(sats: u64, owed: &[i64]) -> Vec<Leg> {
    let feed = Feed::parse(feed(&spec_block(), "").as_bytes()).unwrap();
    let block = feed.block_for(None).unwrap().check().unwrap();
    split(&block, sats, owed).legs
}

fn keys(legs: &[Leg]) -> Vec<(NodeId, Option<Custom>)> {
    legs.iter().map(|l| (l.node, l.custom.clone())).collect()
}

#[test]
fn a_boost_round_trips_with_its_legs() {
    let dir = tempfile::tempdir().unwrap();
    let store = BoostStore::open(dir.path()).unwrap();
    let context = BoostContext {
        podcast: "Show".into(),
        total_msat: 10_000,
        ..BoostContext::default()
    };
    let record = BoostRecord::new("b1".into(), "feed.xml".into(), context, &spec_legs(10, &[]));
    store.record(&record).unwrap();
    let read = store.get("b1").unwrap();
    assert_eq!(read, record);
    let states: Vec<LegState> = read.legs.iter().map(|l| l.state).collect();
    use LegState::*;
    assert_eq!(states, [Planned, Planned, Zero, Zero]);
    assert_eq!(read.legs[1].intent_id, "boost-b1-1-0");
    assert_eq!(store.unfinished().unwrap(), ["b1"]);
    assert!(matches!(
        store.get("nope"),
        Err(BoostStoreError::NotFound(_))
    ));
    // A second record with the same id is refused.
    assert!(store.record(&record).is_err());
}

#[test]
fn ledger_accrued_is_paid_plus_owed() {
    let dir = tempfile::tempdir().unwrap();
    let store = BoostStore::open(dir.path()).unwrap();
    let (mut accrued, mut paid) = ([0u64; 4], [0u64; 4]);
    for round in 0..30 {
        let probe = spec_legs(10, &[]);
        let owed = store.owed(&keys(&probe)).unwrap();
        let legs = spec_legs(10, &owed);
        let id = format!("b{round}");
        let record = BoostRecord::new(id.clone(), "f".into(), BoostContext::default(), &legs);
        store.record(&record).unwrap();
        for (i, leg) in legs.iter().enumerate() {
            accrued[i] += leg.exact.0;
            if leg.amount == Msat::ZERO {
                continue;
            }
            // Every third leg fails; success is reported twice, counted once.
            if (round + i) % 3 == 0 {
                store
                    .set_leg(&id, i, LegState::Failed, None, Some("no route"))
                    .unwrap();
            } else {
                store
                    .set_leg(&id, i, LegState::Succeeded, None, None)
                    .unwrap();
                store
                    .set_leg(&id, i, LegState::Succeeded, None, None)
                    .unwrap();
                store.set_leg(&id, i, LegState::Failed, None, None).unwrap();
                paid[i] += leg.amount.0;
            }
        }
    }
    let rows = store.ledger().unwrap();
    assert_eq!(rows.len(), 4);
    let legs = spec_legs(10, &[]);
    for (i, leg) in legs.iter().enumerate() {
        let row = rows.iter().find(|r| r.node == leg.node).unwrap();
        assert_eq!(row.accrued.0, accrued[i], "{}", row.name);
        assert_eq!(row.paid.0, paid[i], "{}", row.name);
        assert_eq!(row.accrued.0 as i64, row.paid.0 as i64 + row.owed());
    }
    assert_eq!(accrued.iter().sum::<u64>(), 30 * 10_000);
    // Reopened: the same numbers.
    drop(store);
    let again = BoostStore::open(dir.path()).unwrap();
    assert_eq!(again.ledger().unwrap(), rows);
}

#[test]
fn a_retry_needs_a_failed_leg_and_gets_a_new_intent() {
    let dir = tempfile::tempdir().unwrap();
    let store = BoostStore::open(dir.path()).unwrap();
    let record = BoostRecord::new(
        "b".into(),
        "f".into(),
        BoostContext::default(),
        &spec_legs(100, &[]),
    );
    store.record(&record).unwrap();
    assert_eq!(store.next_attempt("b", 0, LegState::Failed).unwrap(), None);
    store
        .set_leg("b", 0, LegState::Failed, None, Some("x"))
        .unwrap();
    let intent = store.next_attempt("b", 0, LegState::Failed).unwrap();
    assert_eq!(intent.as_deref(), Some("boost-b-0-1"));
    // The same failure cannot start two attempts.
    assert_eq!(store.next_attempt("b", 0, LegState::Failed).unwrap(), None);
    let leg = &store.get("b").unwrap().legs[0];
    assert_eq!(
        (leg.attempt, leg.state, leg.uuid.clone()),
        (1, LegState::Planned, record.legs[0].uuid.clone())
    );
}
