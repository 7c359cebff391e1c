//! A routed payment the journal can keep (issue 17): the routing of an AMP
//! send, a rebalance or a hinted keysend rides in a record type that never
//! leaves Satchel, as an invoice payment's does ([`LOCAL_INVOICE_RECORD`]),
//! so the journal stores, resends and recovers it with the keysend itself.
//!
//! AMP: LND names the payment by a set id it draws (research: the router
//! backend ignores `payment_hash` when `amp` is set), so nothing we choose
//! can be tracked before the node answers. Satchel draws the payment
//! address instead (LND honours `payment_addr` for spontaneous AMP and puts
//! it in every shard's MPP record), journals it before dispatch, writes the
//! set id down from the first update, and after a crash finds the payment
//! by its address in `ListPayments`.
//!
//! [`LOCAL_INVOICE_RECORD`]: super::LOCAL_INVOICE_RECORD

use crate::keysend::PaymentHash;

use super::OutgoingKeysend;
use super::routing::Routing;

/// The record type holding a journaled payment's routing; below the
/// custom range, so it can never be a real record. The adapter drops it.
pub const LOCAL_ROUTING_RECORD: u64 = 3;

/// What the routing record holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct RoutedSend {
    pub routing: Routing,
    /// AMP: the payment address Satchel drew (hex), in every shard.
    pub payment_addr: Option<String>,
    /// AMP: the set id the node drew (hex), once it answered.
    pub set_id: Option<String>,
}

impl RoutedSend {
    /// The payment address as bytes.
    pub fn payment_addr(&self) -> Option<[u8; 32]> {
        let bytes = hex::decode(self.payment_addr.as_deref()?).ok()?;
        bytes.try_into().ok()
    }

    /// The AMP set id, once known.
    pub fn set_id(&self) -> Option<PaymentHash> {
        self.set_id.as_deref()?.parse().ok()
    }
}

impl OutgoingKeysend {
    /// This payment sent with `routing` (added to any it carries already,
    /// e.g. a contact's hints), kept with it in the journal. An AMP payment
    /// gets a fresh payment address (see the module docs).
    pub fn with_routing(mut self, routing: Routing) -> Self {
        let routing = match self.routed() {
            Some(kept) => kept.routing.merged(&routing),
            None => routing,
        };
        let payment_addr = routing.amp.then(|| hex::encode(rand::random::<[u8; 32]>()));
        let routed = RoutedSend {
            routing,
            payment_addr,
            set_id: None,
        };
        self.store(&routed);
        self
    }

    /// The routing kept with this payment, if any.
    pub fn routed(&self) -> Option<RoutedSend> {
        let value = self.records.get(&LOCAL_ROUTING_RECORD)?;
        serde_json::from_slice(value).ok()
    }

    /// Whether this is a spontaneous AMP payment.
    pub fn is_amp(&self) -> bool {
        self.routed().is_some_and(|r| r.routing.amp)
    }

    /// An AMP payment whose set id the node has not told us yet: its
    /// [`OutgoingKeysend::hash`] names nothing the node knows.
    pub fn awaits_set_id(&self) -> bool {
        self.routed()
            .is_some_and(|r| r.routing.amp && r.set_id.is_none())
    }

    /// The AMP payment with the set id the node drew: its hash from now on.
    pub fn identified(mut self, set_id: PaymentHash) -> Self {
        if let Some(mut routed) = self.routed() {
            routed.set_id = Some(set_id.to_hex());
            self.store(&routed);
        }
        self
    }

    /// The AMP set id, once known (see [`OutgoingKeysend::hash`]).
    pub(crate) fn amp_set_id(&self) -> Option<PaymentHash> {
        self.routed().filter(|r| r.routing.amp)?.set_id()
    }

    fn store(&mut self, routed: &RoutedSend) {
        let value = serde_json::to_vec(routed).unwrap_or_default();
        let _ = self.records.insert(LOCAL_ROUTING_RECORD, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::{Msat, Preimage, Records};

    fn keysend() -> OutgoingKeysend {
        OutgoingKeysend {
            destination: crate::sim::demo_node(),
            amount: Msat(1_000),
            preimage: Preimage::random(),
            records: Records::new(),
            fee_limit: Msat(10),
            timeout: std::time::Duration::from_secs(60),
        }
    }

    #[test]
    fn an_amp_payment_is_named_by_its_set_id_once_known() {
        let plain = keysend();
        assert!(!plain.is_amp() && !plain.awaits_set_id() && plain.routed().is_none());
        let amp = keysend().with_routing(Routing {
            amp: true,
            ..Routing::default()
        });
        assert!(amp.is_amp() && amp.awaits_set_id());
        assert!(amp.routed().unwrap().payment_addr().is_some());
        assert_eq!(amp.hash(), amp.preimage.hash(), "a placeholder until known");
        let set_id = Preimage::random().hash();
        let known = amp.clone().identified(set_id);
        assert!(!known.awaits_set_id());
        assert_eq!(known.hash(), set_id);
        assert_eq!(
            known.routed().unwrap().payment_addr,
            amp.routed().unwrap().payment_addr,
            "the address stays"
        );
    }

    #[test]
    fn a_rebalance_keeps_its_route_and_its_own_hash() {
        let routing = Routing {
            outgoing_chan_id: Some(7),
            allow_self_payment: true,
            ..Routing::default()
        };
        let sent = keysend().with_routing(routing.clone());
        assert_eq!(sent.routed().unwrap().routing, routing);
        assert_eq!(sent.hash(), sent.preimage.hash());
        assert!(sent.routed().unwrap().payment_addr.is_none());
    }

    #[test]
    fn amp_on_top_of_hints_keeps_the_hints() {
        let hint = crate::node::routing::HopHint {
            node: crate::sim::demo_node(),
            chan_id: 1,
            fee_base_msat: 0,
            fee_ppm: 0,
            cltv_delta: 40,
        };
        let hinted = keysend().with_routing(Routing {
            route_hints: vec![vec![hint]],
            ..Routing::default()
        });
        let amp = hinted.with_routing(Routing {
            amp: true,
            ..Routing::default()
        });
        let routed = amp.routed().unwrap();
        assert!(routed.routing.amp && routed.payment_addr.is_some());
        assert_eq!(routed.routing.route_hints.len(), 1);
    }
}
