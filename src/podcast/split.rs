//! Splitting a boost over a value block, exactly.
//!
//! The reading (declared, as the Podcast Index site does, namespace #434):
//! a fee recipient's split is a percentage of the whole, taken off the top;
//! the rest is shared by the other recipients in proportion to their splits.
//! Every leg is a whole number of sats (LND: `DefaultBitcoinMinHTLCOutMSat`
//! is 1000, so sub-sat legs cannot be forwarded), chosen by largest remainder,
//! so the legs add up to exactly the amount and each is within one sat of its
//! exact share. Each leg's exact share in msat is kept too: the difference is
//! what the per-recipient ledger carries to later boosts.
//!
//! All arithmetic is in integers: a leg's exact share is `amount × w / D`
//! with `D = 100 × shares`, `w = split × shares` for a fee recipient and
//! `w = (100 − fees) × split` for the others (the weights add up to `D`).

use super::value::{Custom, ValueBlock};
use crate::keysend::{Msat, NodeId};

/// How many amounts below the sure one [`Split::pays_everyone_from`] tries.
const SEARCH_LIMIT: u64 = 5_000;

/// One payment of a boost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leg {
    /// Display-safe name of the split ("" when the feed gave none).
    pub name: String,
    pub node: NodeId,
    pub custom: Option<Custom>,
    pub split: u64,
    pub fee: bool,
    /// This leg's exact share in msat (the msat shares add up to the amount too).
    pub exact: Msat,
    /// What this leg pays: whole sats.
    pub amount: Msat,
}

impl Leg {
    /// What the ledger carries for this recipient after this leg is paid:
    /// exact share minus the whole sats sent (negative: paid ahead).
    pub fn carry(&self) -> i64 {
        i64::try_from(i128::from(self.exact.0) - i128::from(self.amount.0)).unwrap_or(0)
    }

    /// The name, or the short node id when the feed gave none.
    pub fn label(&self) -> String {
        super::value::label(&self.name, &self.node)
    }
}

/// A boost split over a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub total: Msat,
    /// One per recipient of the block, in the block's order (0-sat legs included).
    pub legs: Vec<Leg>,
    /// When some leg gets 0 at this amount: the smallest amount in sats from
    /// which every amount pays every leg at least 1 sat.
    pub pays_everyone_from: Option<u64>,
}

impl Split {
    /// Legs that send nothing at this amount.
    pub fn zero_legs(&self) -> impl Iterator<Item = &Leg> {
        self.legs.iter().filter(|l| l.amount == Msat::ZERO)
    }

    /// Legs that send something.
    pub fn paying_legs(&self) -> impl Iterator<Item = &Leg> {
        self.legs.iter().filter(|l| l.amount > Msat::ZERO)
    }
}

/// Split `sats` over `block`. `owed[i]` (msat, may be negative; missing
/// means 0) is what the ledger carries for recipient `i` from earlier
/// boosts: it decides who gets the rounding sats, never the total.
pub fn split(block: &ValueBlock, sats: u64, owed: &[i64]) -> Split {
    let (weights, denominator) = weights(block);
    let exact = apportion(&weights, denominator, sats.saturating_mul(1000), &[]);
    let adjust: Vec<i128> = (0..weights.len())
        .map(|i| i128::from(owed.get(i).copied().unwrap_or(0)) * denominator as i128 / 1000)
        .collect();
    let whole = apportion(&weights, denominator, sats, &adjust);
    let legs = block
        .recipients
        .iter()
        .zip(exact.iter().zip(&whole))
        .map(|(r, (&exact, &whole))| Leg {
            name: r.name.clone(),
            node: r.node,
            custom: r.custom.clone(),
            split: r.split,
            fee: r.fee,
            exact: Msat(exact),
            amount: Msat::from_sat(whole),
        })
        .collect::<Vec<_>>();
    let pays_everyone_from = legs
        .iter()
        .any(|l| l.amount == Msat::ZERO)
        .then(|| smallest_paying_all(&weights, denominator, &adjust));
    Split {
        total: Msat::from_sat(sats),
        legs,
        pays_everyone_from,
    }
}

/// The weights of the recipients and their sum `D` (see the module docs).
fn weights(block: &ValueBlock) -> (Vec<u128>, u128) {
    let shares = u128::from(block.shares());
    let fees = u128::from(block.fee_percent().min(100));
    if shares == 0 {
        // Fee recipients only, taking 100 % between them (checked in `value`).
        let w = block
            .recipients
            .iter()
            .map(|r| u128::from(r.split))
            .collect();
        return (w, 100);
    }
    let w = block
        .recipients
        .iter()
        .map(|r| {
            let split = u128::from(r.split);
            if r.fee {
                split * shares
            } else {
                (100 - fees) * split
            }
        })
        .collect();
    (w, 100 * shares)
}

/// Share `units` in proportion to `weights` (summing to `denominator`) in
/// whole units by largest remainder. `adjust[i]` (in 1/`denominator` of a
/// unit) is added to leg `i`'s remainder when ranking; ties go to the larger
/// weight, then the earlier leg. The result sums to exactly `units`, each
/// part within one unit of its exact share.
fn apportion(weights: &[u128], denominator: u128, units: u64, adjust: &[i128]) -> Vec<u64> {
    if weights.is_empty() || denominator == 0 {
        return vec![0; weights.len()];
    }
    let units = u128::from(units);
    let quota: Vec<(u128, u128)> = weights
        .iter()
        .map(|w| (units * w / denominator, units * w % denominator))
        .collect();
    let given: u128 = quota.iter().map(|q| q.0).sum();
    let left = usize::try_from(units.saturating_sub(given)).unwrap_or(usize::MAX);
    let mut order: Vec<usize> = (0..weights.len()).collect();
    let key = |i: usize| quota[i].1 as i128 + adjust.get(i).copied().unwrap_or(0);
    order.sort_by(|&a, &b| {
        key(b)
            .cmp(&key(a))
            .then(weights[b].cmp(&weights[a]))
            .then(a.cmp(&b))
    });
    let mut parts: Vec<u64> = quota
        .iter()
        .map(|q| u64::try_from(q.0).unwrap_or(u64::MAX))
        .collect();
    for &i in order.iter().take(left) {
        parts[i] += 1;
    }
    parts
}

/// The smallest amount in sats from which every amount pays every leg at
/// least 1 sat. Largest remainder is not monotonic (an amount below this one
/// may pay everyone while the next does not), so the answer is a threshold:
/// walk down from the amount at which every exact share reaches 1 sat (which
/// surely pays everyone) while every leg still gets a sat, at most
/// [`SEARCH_LIMIT`] steps.
fn smallest_paying_all(weights: &[u128], denominator: u128, adjust: &[i128]) -> u64 {
    let certain = weights
        .iter()
        .filter(|&&w| w > 0)
        .map(|&w| denominator.div_ceil(w))
        .max()
        .unwrap_or(1);
    let mut from = u64::try_from(certain).unwrap_or(u64::MAX);
    let floor = (weights.len() as u64)
        .max(from.saturating_sub(SEARCH_LIMIT))
        .max(1);
    while from > floor && pays_everyone(weights, denominator, from - 1, adjust) {
        from -= 1;
    }
    from
}

/// Whether [`apportion`] gives every leg at least one unit, without
/// building the parts: each leg whose quota is under one unit must rank
/// among the legs that get a leftover unit.
fn pays_everyone(weights: &[u128], denominator: u128, units: u64, adjust: &[i128]) -> bool {
    let units = u128::from(units);
    let key = |i: usize| {
        let rem = (units * weights[i] % denominator) as i128;
        (
            rem + adjust.get(i).copied().unwrap_or(0),
            weights[i],
            std::cmp::Reverse(i),
        )
    };
    let given: u128 = weights.iter().map(|w| units * w / denominator).sum();
    let left = units.saturating_sub(given);
    let worst = (0..weights.len())
        .filter(|&i| units * weights[i] < denominator)
        .min_by_key(|&i| key(i));
    let Some(worst) = worst else {
        return true;
    };
    let ahead = (0..weights.len()).filter(|&j| key(j) > key(worst)).count() as u128;
    ahead < left
}

#[cfg(test)]
#[path = "split_tests.rs"]
mod tests;
