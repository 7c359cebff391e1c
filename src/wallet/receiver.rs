//! What to tell the user about a receiver before and after a spontaneous
//! payment (issue 17, research §4): its announced features (bit 55 keysend,
//! bit 30/31 AMP), records that strict receivers drop or refuse (even
//! types: Core Lightning strips them, an LDK app fails the payment), and
//! a failure explained by its likely cause. One decision for CLI and GUI.

use crate::keysend::NodeId;
use crate::keysend::Records;
use crate::keysend::record::{FIRST_CUSTOM, KEYSEND_PREIMAGE};
use crate::node::routing::ReceiverFeatures;
use crate::node::{NodeError, PaymentFailure, SharedNode};

/// What we know about a receiver before sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverCheck {
    /// `None`: not in the graph (private or unknown), so nothing announced.
    pub features: Option<ReceiverFeatures>,
    /// Custom record types we attach that are even (keysend record aside).
    pub even_records: Vec<u64>,
}

/// One thing worth saying before sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiverWarning {
    /// No bit 54/55: it will likely refuse (Eclair's default).
    NoKeysend { amp: bool },
    /// Even records may be stripped (CLN) or make the payment fail (LDK).
    EvenRecords(Vec<u64>),
    /// Not in the graph: only reachable with route hints.
    NotInGraph { hinted: bool },
}

impl ReceiverWarning {
    /// Plain words, with the next step.
    pub fn explain(&self) -> String {
        match self {
            Self::NoKeysend { amp: true } => "the receiver does not announce keysend (feature \
                 bit 55) and will likely refuse it; it does announce AMP (bit 31): send it as AMP \
                 instead (satchel send --amp)"
                .into(),
            Self::NoKeysend { amp: false } => "the receiver does not announce keysend (feature \
                 bit 55) and will likely refuse it (Eclair's default); ask them for an invoice"
                .into(),
            Self::EvenRecords(types) => format!(
                "record{} {} {} even: a Core Lightning receiver strips unknown even records (the \
                 message will not arrive) and an LDK wallet may refuse the whole payment",
                if types.len() == 1 { "" } else { "s" },
                types
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                if types.len() == 1 { "is" } else { "are" }
            ),
            Self::NotInGraph { hinted: true } => {
                "the receiver is not in the public graph; sending with your route hints".into()
            }
            Self::NotInGraph { hinted: false } => "the receiver is not in the public graph (a \
                 private node?): without route hints (--hint) no route will be found"
                .into(),
        }
    }
}

/// The custom record types in `records` that strict receivers drop or
/// refuse (even, keysend record aside).
pub fn even_records(records: &Records) -> Vec<u64> {
    records
        .keys()
        .copied()
        .filter(|k| *k >= FIRST_CUSTOM && k.is_multiple_of(2) && *k != KEYSEND_PREIMAGE)
        .collect()
}

impl ReceiverCheck {
    /// Read the receiver's features and look at the records we will attach.
    pub async fn read(node: &SharedNode, id: NodeId, records: &Records) -> Result<Self, NodeError> {
        let bits = node.feature_bits(id).await?;
        Ok(Self::from_parts(bits.as_deref(), records))
    }

    /// The check from feature bits (`None`: not in the graph) and records.
    pub fn from_parts(bits: Option<&[u32]>, records: &Records) -> Self {
        Self {
            features: bits.map(ReceiverFeatures::from_bits),
            even_records: even_records(records),
        }
    }

    /// Whether AMP is worth offering (the receiver announces bit 30/31).
    pub fn offers_amp(&self) -> bool {
        self.features.is_some_and(|f| f.amp)
    }

    /// What to say before sending a keysend (`hinted`: route hints given).
    pub fn warnings(&self, hinted: bool) -> Vec<ReceiverWarning> {
        let mut warnings = Vec::new();
        match self.features {
            None => warnings.push(ReceiverWarning::NotInGraph { hinted }),
            Some(f) if !f.keysend => warnings.push(ReceiverWarning::NoKeysend { amp: f.amp }),
            Some(_) => {}
        }
        if !self.even_records.is_empty() {
            warnings.push(ReceiverWarning::EvenRecords(self.even_records.clone()));
        }
        warnings
    }

    /// A failed keysend explained by its likely cause, with the next step.
    pub fn explain_failure(&self, failure: PaymentFailure) -> String {
        let amp = self.offers_amp();
        match failure {
            PaymentFailure::ReceiverRefusedKeysend if self.features.is_some_and(|f| !f.keysend) => {
                let next = match amp {
                    true => "it announces AMP: send it again with --amp",
                    false => "ask them for an invoice",
                };
                format!(
                    "the receiver refused the keysend: it does not announce keysend support (Eclair's default); {next}"
                )
            }
            PaymentFailure::Error if !self.even_records.is_empty() => format!(
                "the receiver's wallet refused the payment's records (an LDK wallet fails unknown \
                 even records such as {}); send it again without the message, or with odd types only",
                self.even_records[0]
            ),
            PaymentFailure::NoRoute | PaymentFailure::Timeout if amp => format!(
                "{} No single path carries this amount, but the receiver accepts AMP, which \
                 splits it over several paths: send it again with --amp",
                failure.explain()
            ),
            PaymentFailure::NoRoute if self.features.is_none() => format!(
                "{} The receiver is not in the public graph: ask them for route hints (--hint).",
                failure.explain()
            ),
            other => other.explain().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::record::{BOOSTAGRAM, MESSAGE};

    fn message() -> Records {
        Records::from([(MESSAGE, b"hi".to_vec()), (BOOSTAGRAM, b"{}".to_vec())])
    }

    #[test]
    fn before_sending_each_receiver_kind_gets_its_warning() {
        let lnd = ReceiverCheck::from_parts(Some(&[9, 31, 55]), &Records::new());
        assert_eq!(lnd.warnings(false), vec![]);
        let eclair = ReceiverCheck::from_parts(Some(&[9, 17]), &Records::new());
        assert_eq!(
            eclair.warnings(false),
            vec![ReceiverWarning::NoKeysend { amp: false }]
        );
        let amp_only = ReceiverCheck::from_parts(Some(&[31]), &Records::new());
        assert!(amp_only.warnings(false)[0].explain().contains("--amp"));
        let cln = ReceiverCheck::from_parts(Some(&[55]), &message());
        assert_eq!(
            cln.warnings(false),
            vec![ReceiverWarning::EvenRecords(vec![MESSAGE])]
        );
        let private = ReceiverCheck::from_parts(None, &Records::new());
        assert_eq!(
            private.warnings(true),
            vec![ReceiverWarning::NotInGraph { hinted: true }]
        );
    }

    #[test]
    fn failures_are_explained_by_cause() {
        let big = ReceiverCheck::from_parts(Some(&[31, 55]), &Records::new());
        assert!(
            big.explain_failure(PaymentFailure::NoRoute)
                .contains("--amp")
        );
        let ldk = ReceiverCheck::from_parts(Some(&[55]), &message());
        assert!(
            ldk.explain_failure(PaymentFailure::Error)
                .contains("34349334")
        );
        let eclair = ReceiverCheck::from_parts(Some(&[9]), &Records::new());
        let text = eclair.explain_failure(PaymentFailure::ReceiverRefusedKeysend);
        assert!(
            text.contains("Eclair") && text.contains("invoice"),
            "{text}"
        );
        let private = ReceiverCheck::from_parts(None, &Records::new());
        assert!(
            private
                .explain_failure(PaymentFailure::NoRoute)
                .contains("--hint")
        );
    }
}
