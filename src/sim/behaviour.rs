//! How each sim node behaves as a receiver (research §4): LND nodes settle
//! keysends with every record and accept spontaneous AMP; a Core Lightning
//! node (keysend plugin, v22.11+) strips unknown EVEN records and settles;
//! an Eclair node with keysend off refuses (incorrect payment details); an
//! LDK app using plain `claim_funds` fails a keysend carrying an unknown even
//! record with `invalid_onion_payload`. Also: which private channels a set
//! of route hints unlocks.

use crate::keysend::Records;
use crate::keysend::record::{FIRST_CUSTOM, KEYSEND_PREIMAGE};
use crate::rpc::lnrpc::{NodePair, PaymentFailureReason, RouteHint, failure::FailureCode};

use super::graph::{self, CHANNELS, NODES};
use super::network::Network;

/// The implementation a sim node behaves like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Lnd,
    CoreLightning,
    Eclair,
    Ldk,
}

/// Nodes added for issue 17; not seeded as demo contacts (the demo's
/// contact list and its screenshots stay as they were).
const ISSUE17_NODES: &[&str] = &["heidi", "ivan", "judy", "kate", "oscar"];

/// Whether `name` is one of the issue-17 nodes.
pub(crate) fn is_issue17_node(name: &str) -> bool {
    ISSUE17_NODES.contains(&name)
}

/// The implementation node `index` behaves like.
pub(crate) fn kind(index: usize) -> Kind {
    match NODES.get(index).map(|n| n.name) {
        Some("heidi") => Kind::CoreLightning,
        Some("ivan") => Kind::Eclair,
        Some("judy") => Kind::Ldk,
        _ => Kind::Lnd,
    }
}

/// LND nodes run with `accept-amp` (feature 31); the others do not.
pub(crate) fn accepts_amp(index: usize) -> bool {
    kind(index) == Kind::Lnd
}

/// Why a destination failed an HTLC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub code: FailureCode,
    pub reason: PaymentFailureReason,
}

impl Refusal {
    /// LND/Eclair without keysend, a wrong preimage, a probe's random hash.
    pub const DETAILS: Self = Self {
        code: FailureCode::IncorrectOrUnknownPaymentDetails,
        reason: PaymentFailureReason::FailureReasonIncorrectPaymentDetails,
    };
    /// LDK's `claim_funds` with an unknown even custom record.
    pub const ONION_PAYLOAD: Self = Self {
        code: FailureCode::InvalidOnionPayload,
        reason: PaymentFailureReason::FailureReasonError,
    };
}

/// What node `index` keeps of an arriving keysend's records, or why it
/// fails the HTLC.
pub(crate) fn deliver(index: usize, records: Records) -> Result<Records, Refusal> {
    if !NODES[index].accepts_keysend {
        return Err(Refusal::DETAILS);
    }
    match kind(index) {
        Kind::Lnd | Kind::Eclair => Ok(records),
        Kind::CoreLightning => Ok(records
            .into_iter()
            .filter(|(key, _)| !unknown_even(*key))
            .collect()),
        Kind::Ldk if records.keys().any(|key| unknown_even(*key)) => Err(Refusal::ONION_PAYLOAD),
        Kind::Ldk => Ok(records),
    }
}

/// A custom record a strict receiver does not know and must not ignore
/// (BOLT 1 "it's OK to be odd"); the keysend record itself is known.
fn unknown_even(key: u64) -> bool {
    key >= FIRST_CUSTOM && key.is_multiple_of(2) && key != KEYSEND_PREIMAGE
}

/// Private channel indices the hints make usable: each hop hint must name
/// a real channel by id and the node at one of its ends (LND would use the
/// hint's fees; the sim keeps the channel's own policy).
pub(crate) fn hinted_channels(network: &Network, hints: &[RouteHint]) -> Vec<usize> {
    hints
        .iter()
        .flat_map(|hint| &hint.hop_hints)
        .filter_map(|hop| {
            let channel = network.channel_by_id(hop.chan_id)?;
            let node = network.node_by_id(&hop.node_id.parse().ok()?)?;
            let spec = &CHANNELS[channel];
            (spec.a == NODES[node].name || spec.b == NODES[node].name).then_some(channel)
        })
        .collect()
}

/// QueryRoutes `ignored_pairs` as node indices; pairs naming an unknown
/// node are dropped (they rule nothing out).
pub(crate) fn ignored_pairs(network: &Network, pairs: &[NodePair]) -> Vec<(usize, usize)> {
    let index = |bytes: &[u8]| {
        let id = crate::keysend::NodeId::from_slice(bytes).ok()?;
        network.node_by_id(&id)
    };
    pairs
        .iter()
        .filter_map(|pair| Some((index(&pair.from)?, index(&pair.to)?)))
        .collect()
}

/// The id of demo node `name` ("oscar", "kate", ...): ids derive from
/// names only, so they are the same in every demo.
pub fn demo_node_id(name: &str) -> Option<crate::keysend::NodeId> {
    graph::node_index(name).map(|_| graph::node_id(name))
}

/// The hop hint that reaches private node `name` in the demo network, as
/// text `NODE_ID:CHAN_ID:FEE_BASE_MSAT:FEE_PPM:CLTV_DELTA` (what its
/// owner would paste), or `None` for a node without a private channel.
pub fn route_hint_to(name: &str) -> Option<String> {
    let index = graph::node_index(name)?;
    let (channel, peer, is_a) = graph::channels_of(index)
        .into_iter()
        .find(|(c, _, _)| CHANNELS[*c].private)?;
    let spec = &CHANNELS[channel];
    // The hint carries the policy of the peer forwarding into the node.
    let policy = if is_a { spec.b_policy } else { spec.a_policy };
    Some(format!(
        "{}:{}:{}:{}:{}",
        graph::node_id(NODES[peer].name).to_hex(),
        graph::short_channel_id(channel),
        policy.base_msat,
        policy.ppm,
        policy.cltv_delta
    ))
}

/// A 1,000 sat invoice of private node `name`, signed with its key, whose
/// `r` field is the hop hint into it (what LND's AddInvoice with `private`
/// gives); `None` for a node without a private channel.
pub fn private_invoice(name: &str) -> Option<String> {
    use crate::keysend::{Msat, Preimage};
    use crate::payto::bolt11::{self, NewInvoice};
    let hint: crate::node::routing::HopHint = route_hint_to(name)?.parse().ok()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let invoice = NewInvoice {
        currency: "bcrt",
        amount: Some(Msat::from_sat(1_000)),
        timestamp: now,
        payment_hash: Preimage::random().hash(),
        payment_secret: rand::random(),
        description: "hints",
        description_hash: None,
        expiry_secs: 3_600,
        min_final_cltv: 80,
    };
    Some(bolt11::encode_with_hints(
        &invoice,
        &[vec![hint]],
        &graph::secret_key(name),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::record::{BOOSTAGRAM, MESSAGE};

    fn records() -> Records {
        Records::from([
            (KEYSEND_PREIMAGE, vec![1; 32]),
            (MESSAGE, b"hi".to_vec()),
            (BOOSTAGRAM, b"{}".to_vec()),
        ])
    }

    #[test]
    fn each_kind_treats_even_records_its_own_way() {
        let at = |name| graph::node_index(name).unwrap();
        assert_eq!(deliver(at("alice"), records()), Ok(records()));
        let cln = deliver(at("heidi"), records()).unwrap();
        assert!(!cln.contains_key(&MESSAGE), "CLN strips the even message");
        assert!(cln.contains_key(&BOOSTAGRAM) && cln.contains_key(&KEYSEND_PREIMAGE));
        assert_eq!(deliver(at("ivan"), records()), Err(Refusal::DETAILS));
        assert_eq!(deliver(at("judy"), records()), Err(Refusal::ONION_PAYLOAD));
        let odd_only = Records::from([(BOOSTAGRAM, b"{}".to_vec())]);
        assert!(deliver(at("judy"), odd_only).is_ok());
    }

    #[test]
    fn only_lnd_nodes_take_amp() {
        let at = |name| graph::node_index(name).unwrap();
        assert!(accepts_amp(at("oscar")) && accepts_amp(at("erin")));
        assert!(!accepts_amp(at("heidi")) && !accepts_amp(at("ivan")) && !accepts_amp(at("judy")));
    }

    #[test]
    fn a_private_invoice_carries_the_hint_in_its_r_field() {
        let text = private_invoice("kate").unwrap();
        let invoice = crate::payto::Invoice::decode(&text).unwrap();
        assert_eq!(invoice.payee, graph::node_id("kate"));
        let hint: crate::node::routing::HopHint = route_hint_to("kate").unwrap().parse().unwrap();
        assert_eq!(invoice.route_hints, vec![vec![hint]]);
        assert_eq!(private_invoice("alice"), None);
    }

    #[test]
    fn kate_has_a_hint_through_carol() {
        let hint = route_hint_to("kate").unwrap();
        assert!(hint.starts_with(&graph::node_id("carol").to_hex()));
        assert_eq!(route_hint_to("alice"), None);
    }
}
