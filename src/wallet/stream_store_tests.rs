use super::*;

fn node(byte: u8) -> NodeId {
    crate::podcast::example::node(byte)
}

fn share(byte: u8, msat: u64) -> Share {
    Share {
        node: node(byte),
        custom: None,
        name: format!("n{byte}"),
        msat,
    }
}

fn stream(store: &StreamStore, cap: Option<Msat>) -> String {
    let row = StreamRow {
        id: "s1".into(),
        target: "demo".into(),
        episode: String::new(),
        rate_msat_hour: 600_000,
        batch_minutes: 5,
        cap,
        state: StreamState::Running,
        reason: None,
        content_ms: 0,
        context: "{}".into(),
        created_ms: 0,
    };
    store.create(&row).unwrap();
    row.id
}

#[test]
fn a_minute_accrues_once_and_legs_pay_only_on_success() {
    let dir = tempfile::tempdir().unwrap();
    let store = StreamStore::open(dir.path()).unwrap();
    let id = stream(&store, None);
    let minute = [share(1, 6_500), share(2, 3_500)];
    assert_eq!(store.accrue(&id, 0, &minute, 1).unwrap(), Accrued::Added);
    assert_eq!(
        store.accrue(&id, 0, &minute, 2).unwrap(),
        Accrued::AlreadyAccrued
    );
    let legs = store.plan_batch(&id, "b1", 60, 3).unwrap();
    let amounts: Vec<u64> = legs.iter().map(|l| l.amount.0).collect();
    assert_eq!(amounts, [6_000, 3_000]);
    assert!(legs.iter().all(|l| l.batch_total == Msat(9_000)));
    // In flight: nothing more to plan.
    assert!(store.plan_batch(&id, "b2", 60, 4).unwrap().is_empty());
    store
        .set_leg(&legs[0].intent_id, LegState::Succeeded, None, None)
        .unwrap();
    store
        .set_leg(&legs[1].intent_id, LegState::Failed, None, Some("refused"))
        .unwrap();
    // A final leg never changes again (no second credit).
    store
        .set_leg(&legs[0].intent_id, LegState::Succeeded, None, None)
        .unwrap();
    let ledger = store.ledger(&id).unwrap();
    assert_eq!((ledger[0].paid, ledger[0].owed()), (Msat(6_000), Msat(500)));
    assert_eq!((ledger[1].paid, ledger[1].owed()), (Msat(0), Msat(3_500)));
    assert_eq!(ledger[1].last_error.as_deref(), Some("refused"));
    // The failed share goes with the next batch.
    let again = store.plan_batch(&id, "b3", 60, 5).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].node, again[0].amount), (node(2), Msat(3_000)));
    assert!(store.check_invariant().unwrap().is_empty());
}

#[test]
fn caps_pause_the_stream_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let store = StreamStore::open(dir.path()).unwrap();
    let id = stream(&store, Some(Msat::from_sat(25)));
    for m in 0..2 {
        assert_eq!(
            store.accrue(&id, m, &[share(1, 10_000)], 1).unwrap(),
            Accrued::Added
        );
    }
    let Accrued::Capped(reason) = store.accrue(&id, 2, &[share(1, 10_000)], 1).unwrap() else {
        panic!("the cap must stop the third minute");
    };
    assert!(reason.contains("cap of 25 sat"), "{reason}");
    let row = store.get(&id).unwrap();
    assert_eq!((row.state, row.reason), (StreamState::Paused, Some(reason)));

    store.set_daily_cap(Some(Msat::from_sat(5))).unwrap();
    let other = StreamRow {
        id: "s2".into(),
        cap: None,
        ..store.get(&id).unwrap()
    };
    store.create(&other).unwrap();
    // 20 sat already accrued today by s1: the daily cap of 5 is passed.
    let Accrued::Capped(reason) = store.accrue("s2", 0, &[share(1, 1_000)], 1).unwrap() else {
        panic!("the daily cap must stop it");
    };
    assert!(reason.contains("daily cap"), "{reason}");
    // Another day: allowed.
    assert_eq!(
        store
            .accrue("s2", 0, &[share(1, 1_000)], DAY_MS + 1)
            .unwrap(),
        Accrued::Added
    );
}
