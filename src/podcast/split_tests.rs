use rand::{Rng, SeedableRng};

use super::*;
use crate::podcast::example::{feed, spec_block};
use crate::podcast::value::RawRecipient;
use crate::podcast::{Feed, RawBlock};

fn spec() -> ValueBlock {
    let feed = Feed::parse(feed(&spec_block(), "").as_bytes()).unwrap();
    feed.block_for(None).unwrap().check().unwrap()
}

/// (name, sats, exact msat) of every leg.
fn legs(split: &Split) -> Vec<(String, u64, u64)> {
    split
        .legs
        .iter()
        .map(|l| (l.name.clone(), l.amount.sats(), l.exact.0))
        .collect()
}

fn row(name: &str, sats: u64, msat: u64) -> (String, u64, u64) {
    (name.to_owned(), sats, msat)
}

#[test]
fn the_spec_example_at_10_sats() {
    let got = split(&spec(), 10, &[]);
    // Fee off the top: PI 1 % of 10,000 msat = 100 msat; the rest 9,900
    // shared 49/46/5. Whole sats by largest remainder: .851 and .554 win.
    assert_eq!(
        legs(&got),
        [
            row("Adam", 5, 4_851),
            row("Dave", 5, 4_554),
            row("Dreb", 0, 495),
            row("Podcast Index", 0, 100),
        ]
    );
    assert_eq!(got.zero_legs().count(), 2);
    // Largest remainder pays everyone at 42 but not at 43; from 60 on, always.
    assert_eq!(got.pays_everyone_from, Some(60));
    let at = |sats| {
        split(&spec(), sats, &[])
            .legs
            .iter()
            .all(|l| l.amount.0 > 0)
    };
    assert!(at(60) && at(42) && !at(59) && !at(43));
    assert!((60..=2_000).all(at));
}

#[test]
fn the_spec_example_at_100_and_1000_sats() {
    let got = split(&spec(), 100, &[]);
    assert_eq!(
        legs(&got),
        [
            row("Adam", 48, 48_510),
            row("Dave", 46, 45_540),
            row("Dreb", 5, 4_950),
            row("Podcast Index", 1, 1_000),
        ]
    );
    assert_eq!(got.pays_everyone_from, None);
    let got = split(&spec(), 1_000, &[]);
    assert_eq!(
        legs(&got),
        [
            row("Adam", 485, 485_100),
            row("Dave", 455, 455_400),
            row("Dreb", 50, 49_500),
            row("Podcast Index", 10, 10_000),
        ]
    );
    assert!(got.legs[3].fee && !got.legs[0].fee);
}

#[test]
fn what_is_owed_decides_who_gets_the_rounding_sats() {
    // Dreb was owed 495 msat from the last 10-sat boost: 495 + 495 beats
    // Dave's 554 minus the 446 he was paid ahead.
    let owed = [-149, -446, 495, 100];
    let got = split(&spec(), 10, &owed);
    let sats: Vec<u64> = got.legs.iter().map(|l| l.amount.sats()).collect();
    assert_eq!(sats, [5, 4, 1, 0]);
    assert_eq!(got.legs.iter().map(|l| l.amount.0).sum::<u64>(), 10_000);
}

#[test]
fn repeated_boosts_keep_every_carry_under_a_sat() {
    let block = spec();
    let mut owed = vec![0i64; 4];
    for _ in 0..200 {
        let got = split(&block, 10, &owed);
        for (o, leg) in owed.iter_mut().zip(&got.legs) {
            *o += leg.carry();
        }
        assert!(owed.iter().all(|o| o.abs() < 2_000), "{owed:?}");
    }
    // Over 200 boosts of 10 sats Dreb got close to its 99 sats.
    assert_eq!(owed.iter().sum::<i64>(), 0);
}

fn random_block(rng: &mut impl Rng) -> Option<ValueBlock> {
    let count = rng.random_range(1..=25);
    let mut fees_left = rng.random_range(0..=99u64);
    let recipients = (0..count)
        .map(|i| {
            let fee = rng.random_bool(0.2) && fees_left > 0;
            let split = if fee {
                let s = rng.random_range(1..=fees_left);
                fees_left -= s;
                s
            } else if rng.random_bool(0.1) {
                rng.random_range(0..=1_000_000)
            } else {
                rng.random_range(0..=100)
            };
            RawRecipient {
                name: Some(format!("r{i}")),
                kind: "node".into(),
                address: crate::podcast::example::node(i as u8 + 1).to_string(),
                split: split.to_string(),
                fee: fee.then(|| "true".into()),
                ..RawRecipient::default()
            }
        })
        .collect();
    RawBlock {
        kind: "lightning".into(),
        method: "keysend".into(),
        recipients,
        ..RawBlock::default()
    }
    .check()
    .ok()
}

#[test]
fn legs_always_add_up_to_the_amount() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(12);
    let mut checked = 0;
    while checked < 500 {
        let Some(block) = random_block(&mut rng) else {
            continue;
        };
        checked += 1;
        let sats = match rng.random_range(0..3) {
            0 => rng.random_range(1..=30),
            1 => rng.random_range(1..=100_000),
            _ => rng.random_range(1..=2_100_000_000_000_000),
        };
        let owed: Vec<i64> = (0..block.recipients.len())
            .map(|_| rng.random_range(-999..=999))
            .collect();
        let got = split(&block, sats, &owed);
        let total: u64 = got.legs.iter().map(|l| l.amount.0).sum();
        let exact: u64 = got.legs.iter().map(|l| l.exact.0).sum();
        assert_eq!(total, sats * 1000, "{block:?} at {sats}");
        assert_eq!(exact, sats * 1000);
        for leg in &got.legs {
            assert_eq!(leg.amount.0 % 1000, 0, "whole sats");
            // Within one sat of the exact share: never negative, never wild.
            assert!(leg.carry().abs() <= 1000, "{leg:?}");
        }
        for sats in [1, 2, 7, 33, 150] {
            let parts = split(&block, sats, &owed);
            let all = parts.legs.iter().all(|l| l.amount.0 > 0);
            let (w, d) = weights(&block);
            let adjust: Vec<i128> = owed
                .iter()
                .map(|&o| i128::from(o) * d as i128 / 1000)
                .collect();
            assert_eq!(
                pays_everyone(&w, d, sats, &adjust),
                all,
                "{block:?} at {sats}"
            );
        }
        if let Some(from) = got.pays_everyone_from {
            assert!(from > sats);
            assert!(
                split(&block, from, &owed)
                    .legs
                    .iter()
                    .all(|l| l.amount.0 > 0)
            );
        }
    }
}
