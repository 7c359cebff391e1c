//! What earlier boosts owe each recipient, and settling it: one use case
//! for `satchel owed` and the Podcasts screen.
//!
//! A settlement is a boost record of its own (feed [`SETTLE_FEED`]): one leg
//! per recipient owed at least 1 sat, paying its whole sats with the
//! bLIP-10 record and the recipient's custom record, journaled and sent
//! through [`super::boost::dispatch`] like any boost, so it can be retried
//! with the same id. Its legs accrue nothing (their exact share is 0): the
//! ledger counts a leg paid only when it succeeds, so a failed leg leaves
//! its sats owed, and the msat remainder below 1 sat always stays owed.

use futures::{Stream, StreamExt};

use super::Journal;
use super::boost::{BoostError, BoostEvent, BoostInput, PreparedBoost, prepare_boost};
use super::boost_store::{BoostRecord, BoostStore, BoostStoreError, LedgerRow, LegState};
use crate::keysend::Msat;
use crate::node::SharedNode;
use crate::podcast::boost::BoostContext;
use crate::podcast::{Leg, Split};

/// The feed name a settlement is recorded under.
pub const SETTLE_FEED: &str = "owed";
/// The message every settlement leg carries.
pub const SETTLE_MESSAGE: &str = "Settling what earlier boosts owed (rounded below 1 sat)";

/// One recipient as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owed {
    pub row: LedgerRow,
    /// msat of this recipient's legs still waiting for a result or a retry
    /// (a retry pays them, so a settlement leaves them out).
    pub open: Msat,
}

impl Owed {
    /// msat owed (negative: paid ahead by rounding).
    pub fn owed_msat(&self) -> i64 {
        self.row.owed()
    }

    /// Whole sats a settlement would pay now: what is owed beyond the open
    /// legs, rounded down to whole sats (0 below 1 sat).
    pub fn payable(&self) -> Msat {
        let owed = i128::from(self.owed_msat()) - i128::from(self.open.0);
        let owed = u64::try_from(owed.max(0)).unwrap_or(0);
        Msat(owed / 1000 * 1000)
    }
}

/// Every recipient in the node's ledger.
pub fn owed(store: &BoostStore) -> Result<Vec<Owed>, BoostStoreError> {
    let open = store.open_legs()?;
    Ok(store
        .ledger()?
        .into_iter()
        .map(|row| {
            let open = open
                .iter()
                .filter(|(node, custom, _)| *node == row.node && *custom == row.custom)
                .map(|(_, _, msat)| *msat)
                .fold(Msat::ZERO, |a, b| Msat(a.0 + b.0));
            Owed { row, open }
        })
        .collect())
}

/// The settlement legs: one per recipient owed at least 1 sat, its whole sats.
pub fn settle_legs(owed: &[Owed]) -> Vec<Leg> {
    owed.iter()
        .filter(|o| o.payable() > Msat::ZERO)
        .map(|o| Leg {
            name: o.row.name.clone(),
            node: o.row.node,
            custom: o.row.custom.clone(),
            split: 0,
            fee: false,
            exact: Msat::ZERO,
            amount: o.payable(),
        })
        .collect()
}

/// A settlement of everything owed in whole sats, built and checked like a
/// boost; `None` when nobody is owed 1 sat. Nothing is written or sent.
pub async fn prepare_settle(
    input: BoostInput<'_>,
    sender_name: Option<String>,
) -> Result<Option<PreparedBoost>, BoostError> {
    let store = input.store.clone();
    let owed = store.call(owed).await?;
    let legs = settle_legs(&owed);
    if legs.is_empty() {
        return Ok(None);
    }
    let split = Split {
        total: Msat(legs.iter().map(|l| l.amount.0).sum()),
        legs,
        pays_everyone_from: None,
    };
    let context = BoostContext {
        message: Some(SETTLE_MESSAGE.into()),
        sender_name,
        ..BoostContext::default()
    };
    prepare_boost(input, SETTLE_FEED.into(), context, &split)
        .await
        .map(Some)
}

/// Dispatch a settlement (see [`super::boost::dispatch`]); when it ends,
/// each leg that failed for sure is written `Returned`: its sats are owed
/// again, for the next settlement (the ledger never counted them paid).
pub fn dispatch_settle(
    node: SharedNode,
    journal: Journal,
    store: BoostStore,
    prepared: PreparedBoost,
) -> impl Stream<Item = BoostEvent> + Send + 'static {
    super::boost::dispatch(node, journal, store.clone(), prepared).then(move |event| {
        let store = store.clone();
        async move {
            match event {
                BoostEvent::Finished(record) => {
                    match store.call(move |s| returned(s, &record)).await {
                        Ok(record) => BoostEvent::Finished(record),
                        Err(error) => BoostEvent::Failed(error.into()),
                    }
                }
                other => other,
            }
        }
    })
}

/// Write a finished settlement's failed legs `Returned`; the record now.
fn returned(store: &BoostStore, record: &BoostRecord) -> Result<BoostRecord, BoostStoreError> {
    for leg in record.legs.iter().filter(|l| l.state == LegState::Failed) {
        store.set_leg(
            &record.id,
            leg.index,
            LegState::Returned,
            None,
            leg.error.as_deref(),
        )?;
    }
    store.get(&record.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::podcast::value::Custom;

    fn row(name: &str, accrued: u64, paid: u64) -> Owed {
        Owed {
            open: Msat::ZERO,
            row: LedgerRow {
                node: crate::podcast::example::node(2),
                custom: Some(Custom {
                    key: 696_969,
                    value: name.into(),
                }),
                name: name.into(),
                accrued: Msat(accrued),
                paid: Msat(paid),
            },
        }
    }

    #[test]
    fn only_whole_sats_of_what_is_owed_are_paid() {
        let owed = [
            row("a", 2_495, 0),     // 2 sats, 495 msat stays
            row("b", 999, 0),       // below 1 sat: nothing
            row("c", 5_000, 6_000), // paid ahead
            row("d", 11_000, 10_000),
        ];
        let mut owed = owed.to_vec();
        owed[3].open = Msat(500); // a failed leg waiting for its retry
        let legs = settle_legs(&owed);
        let paid: Vec<(&str, u64, u64)> = legs
            .iter()
            .map(|l| (l.name.as_str(), l.amount.0, l.exact.0))
            .collect();
        assert_eq!(paid, [("a", 2_000, 0)]);
        assert_eq!(legs[0].custom, owed[0].row.custom);
        assert_eq!(owed[2].owed_msat(), -1_000);
    }
}
