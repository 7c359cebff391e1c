//! Beyond one keysend path (issue 17): how a payment is routed (AMP shards,
//! route hints to private receivers, outgoing channel and last hop for a
//! rebalance), what a receiver's feature bits say, and what a probe learned.

use std::str::FromStr;

use crate::keysend::{Msat, NodeId};

use super::PaymentFailure;

/// BOLT 9 / bLIP-3: keysend, required / optional.
pub const KEYSEND_BITS: [u32; 2] = [54, 55];
/// LND: AMP, required / optional.
pub const AMP_BITS: [u32; 2] = [30, 31];

/// One hop of a route hint: the channel into a private node (BOLT 11 `r`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HopHint {
    /// The node at the public end of the private channel.
    pub node: NodeId,
    /// Short channel id.
    pub chan_id: u64,
    pub fee_base_msat: u32,
    /// Proportional fee in parts per million.
    pub fee_ppm: u32,
    pub cltv_delta: u32,
}

impl FromStr for HopHint {
    type Err = String;

    /// `NODE_ID:CHAN_ID:FEE_BASE_MSAT:FEE_PPM:CLTV_DELTA`; the channel id
    /// may also be written `BLOCKxTXxOUTPUT`.
    fn from_str(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.trim().split(':').collect();
        let [node, chan, base, ppm, cltv] = parts.as_slice() else {
            return Err(format!(
                "a hop hint is NODE_ID:CHAN_ID:FEE_BASE_MSAT:FEE_PPM:CLTV_DELTA, got {} parts",
                parts.len()
            ));
        };
        let number = |what: &str, value: &str| {
            value
                .parse::<u32>()
                .map_err(|_| format!("the hop hint's {what} {value:?} is not a whole number"))
        };
        Ok(Self {
            node: node
                .parse()
                .map_err(|_| format!("the hop hint's node id {node:?} is not a node public key"))?,
            chan_id: parse_chan_id(chan)?,
            fee_base_msat: number("base fee", base)?,
            fee_ppm: number("fee rate", ppm)?,
            cltv_delta: number("CLTV delta", cltv)?,
        })
    }
}

impl std::fmt::Display for HopHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}:{}:{}",
            self.node.to_hex(),
            self.chan_id,
            self.fee_base_msat,
            self.fee_ppm,
            self.cltv_delta
        )
    }
}

/// A short channel id as a number or as `BLOCKxTXxOUTPUT`.
pub fn parse_chan_id(text: &str) -> Result<u64, String> {
    if let Ok(id) = text.parse::<u64>() {
        return Ok(id);
    }
    let parts: Vec<u64> = text
        .split('x')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| format!("{text:?} is not a channel id (a number or BLOCKxTXxOUTPUT)"))?;
    match parts.as_slice() {
        [block, tx, out] if *block < 1 << 24 && *tx < 1 << 24 && *out < 1 << 16 => {
            Ok((block << 40) | (tx << 16) | out)
        }
        _ => Err(format!(
            "{text:?} is not a channel id (a number or BLOCKxTXxOUTPUT)"
        )),
    }
}

/// How to route one payment beyond a plain keysend.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Routing {
    /// Spontaneous AMP (LND picks set id and shards; no keysend record).
    pub amp: bool,
    /// Each inner list is one route hint (usually a single hop).
    pub route_hints: Vec<Vec<HopHint>>,
    /// LND `outgoing_chan_ids`: leave through this channel.
    pub outgoing_chan_id: Option<u64>,
    /// LND `last_hop_pubkey`: arrive through this peer.
    pub last_hop: Option<NodeId>,
    /// Pay our own node (a circular rebalance).
    pub allow_self_payment: bool,
}

impl Routing {
    /// `self` with `more`'s hints and restrictions added (`more` wins where
    /// both set one).
    pub fn merged(&self, more: &Routing) -> Routing {
        let mut route_hints = self.route_hints.clone();
        route_hints.extend(more.route_hints.iter().cloned());
        Routing {
            amp: self.amp || more.amp,
            route_hints,
            outgoing_chan_id: more.outgoing_chan_id.or(self.outgoing_chan_id),
            last_hop: more.last_hop.or(self.last_hop),
            allow_self_payment: self.allow_self_payment || more.allow_self_payment,
        }
    }
}

/// What a receiver's announced features say about spontaneous payments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiverFeatures {
    /// Bit 54/55.
    pub keysend: bool,
    /// Bit 30/31.
    pub amp: bool,
}

impl ReceiverFeatures {
    /// From the feature bit numbers a node announces.
    pub fn from_bits(bits: &[u32]) -> Self {
        Self {
            keysend: bits.iter().any(|b| KEYSEND_BITS.contains(b)),
            amp: bits.iter().any(|b| AMP_BITS.contains(b)),
        }
    }
}

/// `amount` in `parts` near-equal AMP shards (the first ones carry the
/// rest), as the sim splits and as the fee estimate assumes.
pub fn split(amount: u64, parts: u64) -> Vec<u64> {
    let (base, rest) = (amount / parts, amount % parts);
    (0..parts).map(|i| base + u64::from(i < rest)).collect()
}

/// One AMP shard's route as QueryRoutes found it (see `wallet::amp_fee`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardRoute {
    pub fee: Msat,
    /// Hops including the destination.
    pub hops: u32,
    /// The node before the destination (`None`: a direct channel).
    pub last_hop: Option<NodeId>,
}

/// What a probe (a payment to a hash nobody knows) found out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// The destination itself answered (it rejected the unknown hash).
    pub reachable: bool,
    /// Route fee of the probed route (0 when no route was tried).
    pub fee: Msat,
    /// Hops including the destination.
    pub hops: u32,
    /// How the probe ended.
    pub failure: PaymentFailure,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_hints_parse_and_print() {
        let id = crate::sim::demo_node().to_hex();
        let hint: HopHint = format!("{id}:879600x1x0:1000:1:40").parse().unwrap();
        assert_eq!(hint.chan_id, (879_600 << 40) | (1 << 16));
        assert_eq!(
            (hint.fee_base_msat, hint.fee_ppm, hint.cltv_delta),
            (1000, 1, 40)
        );
        let again: HopHint = hint.to_string().parse().unwrap();
        assert_eq!(again, hint);
        assert!(
            "nope"
                .parse::<HopHint>()
                .unwrap_err()
                .contains("NODE_ID:CHAN_ID")
        );
        let bad_fee = format!("{id}:5:x:1:40").parse::<HopHint>().unwrap_err();
        assert!(bad_fee.contains("base fee"), "{bad_fee}");
    }

    #[test]
    fn splits_keep_every_msat_and_put_the_rest_first() {
        assert_eq!(split(10, 3), vec![4, 3, 3]);
        assert_eq!(split(7, 1), vec![7]);
        assert_eq!(split(2_500_000_001, 2).iter().sum::<u64>(), 2_500_000_001);
    }

    #[test]
    fn features_read_either_bit_of_a_pair() {
        let lnd = ReceiverFeatures::from_bits(&[9, 31, 55]);
        assert!(lnd.keysend && lnd.amp);
        let eclair = ReceiverFeatures::from_bits(&[9, 17]);
        assert!(!eclair.keysend && !eclair.amp);
        assert!(ReceiverFeatures::from_bits(&[54, 30]).amp);
    }
}
