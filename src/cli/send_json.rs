//! `send --json`: the outcome of a payment as one JSON object on stdout,
//! with stable field names (amounts in msat and whole sats).

use serde::Serialize;

use crate::node::{PaymentFailure, PaymentStatus, PaymentUpdate};

/// How a followed payment's outcome is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Output {
    /// A sentence on stdout.
    #[default]
    Text,
    /// One JSON object ([`SendJson`]) on stdout.
    Json,
}

/// `send --json`: printed once the payment ends (succeeded or failed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SendJson {
    /// `succeeded` or `failed`.
    pub status: &'static str,
    pub payment_hash: String,
    /// Proof of payment (hex), when it succeeded.
    pub preimage: Option<String>,
    pub amount_msat: u64,
    pub amount_sat: u64,
    pub fee_msat: u64,
    pub hops: u32,
    /// LND's reason, when it failed (`NoRoute`, `InsufficientBalance`...).
    pub failure: Option<PaymentFailure>,
    pub seconds: f64,
}

impl SendJson {
    /// The final update as JSON; `None` for a state that is not final.
    pub fn of(update: &PaymentUpdate, seconds: f64) -> Option<Self> {
        let (status, preimage, failure) = match &update.status {
            PaymentStatus::Succeeded { preimage } => ("succeeded", Some(preimage.to_hex()), None),
            PaymentStatus::Failed(reason) => ("failed", None, Some(*reason)),
            _ => return None,
        };
        Some(Self {
            status,
            payment_hash: update.hash.to_hex(),
            preimage,
            amount_msat: update.amount.0,
            amount_sat: update.amount.sats(),
            fee_msat: update.fee.0,
            hops: update.hops,
            failure,
            seconds: (seconds * 10.0).round() / 10.0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::{Msat, Preimage};

    #[test]
    fn outcomes_have_stable_fields() {
        let preimage = Preimage::from_bytes([7; 32]);
        let mut update = PaymentUpdate {
            hash: preimage.hash(),
            status: PaymentStatus::Succeeded { preimage },
            amount: Msat(21_500),
            fee: Msat(1_004),
            hops: 2,
            attempts: 1,
            created_ns: 0,
        };
        let ok = serde_json::to_value(SendJson::of(&update, 1.26).unwrap()).unwrap();
        assert_eq!(ok["status"], "succeeded");
        assert_eq!(ok["preimage"], preimage.to_hex());
        assert_eq!(ok["payment_hash"], preimage.hash().to_hex());
        assert_eq!(
            (ok["amount_msat"].as_u64(), ok["amount_sat"].as_u64()),
            (Some(21_500), Some(21))
        );
        assert_eq!(ok["fee_msat"], 1_004);
        assert_eq!(ok["seconds"], 1.3);
        update.status = PaymentStatus::Failed(PaymentFailure::NoRoute);
        let failed = serde_json::to_value(SendJson::of(&update, 0.0).unwrap()).unwrap();
        assert_eq!(
            (failed["status"].as_str(), failed["failure"].as_str()),
            (Some("failed"), Some("NoRoute"))
        );
        assert!(failed["preimage"].is_null());
        update.status = PaymentStatus::InFlight;
        assert!(SendJson::of(&update, 0.0).is_none());
    }
}
