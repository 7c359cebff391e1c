//! Drafting a tip: the use case the Send screen and `satchel send` share.
//! A [`Draft`] is what the user composed, already parsed; it knows its
//! fee limit and the rule that set it, its onion budget (the identity
//! allowance counted before the node signs), and whether to ask before a
//! fee limit above the amount. A [`Probe`] is the one question a tip asks
//! the node before it is prepared: the route (without the records, so an
//! oversize message shows as such, not as "no route") and the recipient's
//! graph entry. [`super::prepare_probed`] reuses it instead of asking again.

use std::fmt;

use super::{SEND_TIMEOUT, SendError, SendRequest};
use crate::keysend::onion::Budget;
use crate::keysend::outgoing::Tip;
use crate::keysend::{Msat, NodeId, Preimage, Records};
use crate::node::{FeeEstimate, GraphNode, NodeError, OutgoingKeysend, SharedNode};
use crate::store::{FeeLimit, MIN_FEE_LIMIT};

/// Route length assumed while the node has found no route (before the
/// estimate, or when there is none): the byte meter and the check before
/// sending count this many hops, the destination included.
pub const ASSUMED_HOPS: u32 = 3;

/// One composed tip's id: the journal refuses a second submit of it, so a
/// double click or Enter + click can never pay twice.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IntentId(String);

impl IntentId {
    /// A fresh random id.
    pub fn new() -> Self {
        Self(format!("tip-{}", hex::encode(rand::random::<[u8; 16]>())))
    }

    /// The id as the journal stores it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for IntentId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for IntentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<IntentId> for String {
    fn from(id: IntentId) -> Self {
        id.0
    }
}

/// How the fee limit of a tip was chosen, to be shown next to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeRule {
    /// Typed for this tip.
    Typed,
    /// The settings' fixed default.
    Fixed,
    /// The settings' percentage of the amount (basis points, 100 = 1 %).
    Percent(u32),
    /// The percentage came out below [`MIN_FEE_LIMIT`], so the minimum applies.
    Minimum { basis_points: u32, percent: Msat },
}

impl FeeRule {
    /// The fee limit for `amount`: `typed` if given, else the setting's,
    /// with the rule that produced it.
    pub fn fee_limit(typed: Option<Msat>, setting: FeeLimit, amount: Msat) -> (Msat, Self) {
        if let Some(limit) = typed {
            return (limit, Self::Typed);
        }
        let limit = setting.for_amount(amount);
        let rule = match setting {
            FeeLimit::Fixed(_) => Self::Fixed,
            FeeLimit::Percent(basis_points) => {
                let percent = percent_of(amount, basis_points);
                if percent < MIN_FEE_LIMIT {
                    Self::Minimum {
                        basis_points,
                        percent,
                    }
                } else {
                    Self::Percent(basis_points)
                }
            }
        };
        (limit, rule)
    }
}

impl fmt::Display for FeeRule {
    /// `1 % of the amount`, `the 10 sat minimum (1 % would be 0.210 sat)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Typed => f.write_str("as typed"),
            Self::Fixed => f.write_str("your default"),
            Self::Percent(bps) => write!(f, "{} of the amount", percent(*bps)),
            Self::Minimum {
                basis_points,
                percent: exact,
            } => write!(
                f,
                "the {MIN_FEE_LIMIT} minimum ({} would be {exact})",
                percent(*basis_points)
            ),
        }
    }
}

/// `basis_points` of `amount`, rounded up as the setting rounds it, before
/// the minimum applies.
fn percent_of(amount: Msat, basis_points: u32) -> Msat {
    let scaled = u128::from(amount.0) * u128::from(basis_points);
    Msat(u64::try_from(scaled.div_ceil(10_000)).unwrap_or(u64::MAX))
}

/// `1 %`, `0.5 %`, `1.25 %`.
fn percent(basis_points: u32) -> String {
    let whole = basis_points / 100;
    match basis_points % 100 {
        0 => format!("{whole} %"),
        rest if rest % 10 == 0 => format!("{whole}.{} %", rest / 10),
        rest => format!("{whole}.{rest:02} %"),
    }
}

/// What the node is asked about a tip: the same destination, amount and
/// fee limit give the same answer, whatever the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProbeKey {
    pub destination: NodeId,
    pub amount: Msat,
    pub fee_limit: Msat,
}

/// The node's answer for one [`ProbeKey`].
#[derive(Debug, Clone)]
pub struct Probe {
    /// What was asked: an answer for another key is stale.
    pub key: ProbeKey,
    /// The route the node would take (found without the records).
    pub route: Result<FeeEstimate, NodeError>,
    /// The recipient in the public graph (`Ok(None)`: not there).
    pub graph: Result<Option<GraphNode>, NodeError>,
}

/// Something the graph says that makes the payment likely to fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RecipientWarning {
    #[error(
        "this node is not in the public graph (private or unknown); the payment may find no route"
    )]
    NotInGraph,
    // BOLT 9 / bLIP-3: keysend is feature bit 54/55.
    #[error(
        "this node does not advertise keysend support (feature bit 55); it will probably refuse \
         the payment"
    )]
    NoKeysend,
}

/// Ask the node about `key`: the route and the recipient's graph entry.
pub async fn probe(node: &SharedNode, key: ProbeKey) -> Probe {
    let keysend = OutgoingKeysend {
        destination: key.destination,
        amount: key.amount,
        preimage: Preimage::random(),
        // LND finds no route at all for an oversize onion, which would hide
        // the real problem; the budget is checked here instead.
        records: Records::new(),
        fee_limit: key.fee_limit,
        timeout: SEND_TIMEOUT,
    };
    let (route, graph) = futures::join!(node.estimate_fee(&keysend), node.lookup(key.destination));
    Probe { key, route, graph }
}

impl Probe {
    /// The route's length, or [`ASSUMED_HOPS`] when there is none.
    pub fn hops(probe: Option<&Self>) -> u32 {
        probe
            .and_then(|p| p.route.as_ref().ok())
            .map_or(ASSUMED_HOPS, |route| route.hops.max(1))
    }

    /// What the graph warns about (nothing when the lookup failed).
    pub fn warning(&self) -> Option<RecipientWarning> {
        match &self.graph {
            Ok(None) => Some(RecipientWarning::NotInGraph),
            Ok(Some(node)) if !node.accepts_keysend => Some(RecipientWarning::NoKeysend),
            _ => None,
        }
    }
}

/// A composed tip, parsed: everything needed to ask the node and to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub destination: NodeId,
    pub amount: Msat,
    /// Message, boostagram and extra records (no identity yet).
    pub tip: Tip,
    /// Sign a sender identity (only when there is a message).
    pub sign: bool,
    pub fee_limit: Msat,
    /// How `fee_limit` was chosen.
    pub fee_rule: FeeRule,
}

impl Draft {
    /// What to ask the node about this tip.
    pub fn probe_key(&self) -> ProbeKey {
        ProbeKey {
            destination: self.destination,
            amount: self.amount,
            fee_limit: self.fee_limit,
        }
    }

    /// The onion budget over the probed route (or [`ASSUMED_HOPS`]), the
    /// identity records counted when they will be added.
    pub fn budget(&self, probe: Option<&Probe>) -> Result<Budget, SendError> {
        let hops = Probe::hops(probe.filter(|p| p.key == self.probe_key()));
        Ok(self.tip.budget(hops, self.amount, self.sign)?)
    }

    /// Refuse what cannot be sent as composed: bad records, or records that
    /// do not fit the onion.
    pub fn check(&self, probe: Option<&Probe>) -> Result<(), SendError> {
        fits(self.budget(probe)?)
    }

    /// The fee limit is more than the tip itself: ask before sending.
    pub fn fee_above_amount(&self) -> bool {
        self.fee_limit > self.amount
    }

    /// The request the wallet prepares, under `intent`.
    pub fn request(&self, intent: &IntentId) -> SendRequest {
        SendRequest {
            intent_id: intent.as_str().to_owned(),
            destination: self.destination,
            amount: self.amount,
            tip: self.tip.clone(),
            sign: self.sign,
            fee_limit: self.fee_limit,
        }
    }
}

/// Refuse a budget that does not fit, with its numbers.
pub(super) fn fits(budget: Budget) -> Result<(), SendError> {
    if budget.fits() {
        return Ok(());
    }
    Err(SendError::TooLarge {
        hops: budget.hops,
        used: budget.used,
        total: budget.total,
        over: budget.over(),
    })
}

/// The question to ask before a fee limit above the amount.
pub fn fee_question(draft: &Draft) -> String {
    format!(
        "The fee limit ({}) is more than the tip ({}): routing could cost more than you send.",
        draft.fee_limit, draft.amount
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::onion::ONION_BUDGET;
    use crate::keysend::outgoing::IDENTITY_BYTES;

    const KEY: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

    fn draft(message: &str, sign: bool) -> Draft {
        Draft {
            destination: KEY.parse().unwrap(),
            amount: Msat::from_sat(100),
            tip: Tip {
                message: Some(message.into()),
                ..Tip::default()
            },
            sign,
            fee_limit: Msat::from_sat(10),
            fee_rule: FeeRule::Typed,
        }
    }

    fn probe_of(draft: &Draft, hops: Option<u32>) -> Probe {
        Probe {
            key: draft.probe_key(),
            route: hops
                .map(|hops| FeeEstimate {
                    fee: Msat(1_000),
                    hops,
                    time_lock_delay: 40,
                    success_probability: 0.9,
                })
                .ok_or(NodeError::Other("no route".into())),
            graph: Ok(None),
        }
    }

    #[test]
    fn fee_limits_say_which_rule_set_them() {
        let sat = Msat::from_sat;
        // (typed, setting, amount, limit, rule shown)
        let cases = [
            (
                Some(sat(7)),
                FeeLimit::Percent(100),
                sat(21),
                sat(7),
                "as typed",
            ),
            (
                None,
                FeeLimit::Fixed(sat(5)),
                sat(21),
                sat(5),
                "your default",
            ),
            (
                None,
                FeeLimit::Percent(100),
                sat(5_000),
                sat(50),
                "1 % of the amount",
            ),
            (
                None,
                FeeLimit::Percent(50),
                sat(5_000),
                sat(25),
                "0.5 % of the amount",
            ),
            (
                None,
                FeeLimit::Percent(125),
                sat(8_000),
                sat(100),
                "1.25 % of the amount",
            ),
            (
                None,
                FeeLimit::Percent(100),
                sat(21),
                sat(10),
                "the 10 sat minimum (1 % would be 0.210 sat)",
            ),
            // Exactly the minimum is the percentage's own result.
            (
                None,
                FeeLimit::Percent(100),
                sat(1_000),
                sat(10),
                "1 % of the amount",
            ),
        ];
        for (typed, setting, amount, limit, shown) in cases {
            let (got, rule) = FeeRule::fee_limit(typed, setting, amount);
            assert_eq!(
                (got, rule.to_string().as_str()),
                (limit, shown),
                "{setting:?} {amount}"
            );
        }
    }

    #[test]
    fn the_budget_uses_the_probed_route_else_the_assumed_one() {
        let long = "x".repeat(1_000);
        // (message, sign, probed hops, fits)
        let cases = [
            ("hi", true, None, true),
            // 1000 bytes fit 3 hops unsigned (1099), not signed (976).
            (long.as_str(), false, None, true),
            (long.as_str(), true, None, false),
            (long.as_str(), true, Some(1), true),
            (long.as_str(), true, Some(5), false),
        ];
        for (message, sign, hops, fits) in cases {
            let draft = draft(message, sign);
            let probe = hops.map(|h| probe_of(&draft, Some(h)));
            assert_eq!(
                draft.check(probe.as_ref()).is_ok(),
                fits,
                "{} {sign} {hops:?}",
                message.len()
            );
        }
        // No route: the assumed length, not the most lenient one.
        let signed = draft(&long, true);
        let no_route = probe_of(&signed, None);
        assert_eq!(signed.budget(Some(&no_route)).unwrap().hops, ASSUMED_HOPS);
        // A probe for another amount is not this draft's route.
        let mut other = signed.clone();
        other.amount = Msat::from_sat(5);
        let stale = probe_of(&other, Some(1));
        assert_eq!(signed.budget(Some(&stale)).unwrap().hops, ASSUMED_HOPS);
    }

    #[test]
    fn an_oversize_draft_is_refused_with_its_numbers() {
        let draft = draft(&"x".repeat(1_100), false);
        let err = draft.check(None).unwrap_err();
        let SendError::TooLarge {
            hops,
            used,
            total,
            over,
        } = err
        else {
            panic!("{err:?}");
        };
        assert_eq!(
            (hops, total, used - total),
            (ASSUMED_HOPS, ONION_BUDGET, over)
        );
        assert_eq!(over, 1);
        let signed = self::draft("hi", true).budget(None).unwrap().used;
        let plain = self::draft("hi", false).budget(None).unwrap().used;
        assert_eq!(signed - plain, IDENTITY_BYTES);
    }

    #[test]
    fn a_fee_limit_above_the_amount_is_asked_about() {
        let mut draft = draft("hi", false);
        for (limit, ask) in [(99, false), (100, false), (101, true)] {
            draft.fee_limit = Msat::from_sat(limit);
            assert_eq!(draft.fee_above_amount(), ask, "{limit}");
        }
        assert!(fee_question(&draft).contains("(101 sat) is more than the tip (100 sat)"));
    }

    #[test]
    fn graph_warnings() {
        let draft = draft("hi", false);
        let mut probe = probe_of(&draft, Some(2));
        assert_eq!(probe.warning(), Some(RecipientWarning::NotInGraph));
        let node = GraphNode {
            id: draft.destination,
            alias: "x".into(),
            color: "#000000".into(),
            accepts_keysend: false,
            accepts_amp: false,
            num_channels: 1,
            total_capacity: Msat::ZERO,
        };
        probe.graph = Ok(Some(node.clone()));
        assert_eq!(probe.warning(), Some(RecipientWarning::NoKeysend));
        probe.graph = Ok(Some(GraphNode {
            accepts_keysend: true,
            ..node
        }));
        assert_eq!(probe.warning(), None);
        probe.graph = Err(NodeError::Other("down".into()));
        assert_eq!(probe.warning(), None);
    }

    #[test]
    fn intent_ids_are_fresh() {
        let (a, b) = (IntentId::new(), IntentId::new());
        assert_ne!(a, b);
        assert!(
            a.as_str().starts_with("tip-") && a.as_str().len() == 36,
            "{a}"
        );
    }
}
