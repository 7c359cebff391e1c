//! What the node's macaroon allows, said as the features it turns on or off
//! (LND checks each call against the macaroon's `entity:action` list), and
//! the `lncli bakemacaroon` line that bakes a macaroon with all of them.

/// A Satchel feature and the LND permission it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    /// See and follow received tips (ListInvoices, SubscribeInvoices).
    Receive,
    /// Send tips (SendPaymentV2).
    Send,
    /// The sent history and payment recovery (ListPayments, TrackPaymentV2).
    SentHistory,
    /// Sign messages as the node (SignMessage): verified sender.
    Sign,
    /// Node identity, names and fee estimates (GetInfo, GetNodeInfo, QueryRoutes).
    NodeInfo,
}

impl Feature {
    /// Every feature, in the order they are listed.
    pub const ALL: [Self; 5] = [
        Self::NodeInfo,
        Self::Receive,
        Self::SentHistory,
        Self::Send,
        Self::Sign,
    ];

    /// LND's `(entity, action)` the feature needs.
    pub fn permission(self) -> (&'static str, &'static str) {
        match self {
            Self::Receive => ("invoices", "read"),
            Self::Send => ("offchain", "write"),
            Self::SentHistory => ("offchain", "read"),
            Self::Sign => ("signer", "generate"),
            Self::NodeInfo => ("info", "read"),
        }
    }

    /// The gRPC method that needs it (LND also checks URI permissions).
    pub fn method(self) -> &'static str {
        match self {
            Self::Receive => "/lnrpc.Lightning/SubscribeInvoices",
            Self::Send => "/routerrpc.Router/SendPaymentV2",
            Self::SentHistory => "/lnrpc.Lightning/ListPayments",
            Self::Sign => "/signrpc.Signer/SignMessage",
            Self::NodeInfo => "/lnrpc.Lightning/GetInfo",
        }
    }

    /// What is off without it, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Receive => "receiving tips (the inbox)",
            Self::Send => "sending tips",
            Self::SentHistory => "the sent history and payment recovery",
            Self::Sign => "signing your messages (recipients see \"not signed\")",
            Self::NodeInfo => "node names and fee estimates",
        }
    }
}

/// The result of checking the macaroon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permissions {
    /// Checked: these features are off (empty: all on).
    Checked { missing: Vec<Feature> },
    /// The node could not say (why, in words).
    Unknown(String),
}

impl Permissions {
    /// The features that are off, when known.
    pub fn missing(&self) -> &[Feature] {
        match self {
            Self::Checked { missing } => missing,
            Self::Unknown(_) => &[],
        }
    }

    /// Which features are off, in one sentence; `None` when all is well.
    pub fn off(&self) -> Option<String> {
        match self {
            Self::Checked { missing } if missing.is_empty() => None,
            Self::Checked { missing } => {
                let off: Vec<&str> = missing.iter().map(|f| f.describe()).collect();
                Some(format!(
                    "This macaroon does not allow {}: those features are off.",
                    off.join(", ")
                ))
            }
            Self::Unknown(why) => Some(format!(
                "Satchel could not check the macaroon's permissions ({why})."
            )),
        }
    }

    /// A sentence per problem for the user, with the fix; `None` when all
    /// is well.
    pub fn advice(&self) -> Option<String> {
        self.off().map(|off| {
            format!(
                "{off} A macaroon with everything Satchel uses: {}",
                bake_command()
            )
        })
    }
}

/// The `lncli bakemacaroon` line for a macaroon with exactly what Satchel
/// uses (plus `macaroon:read`, so Satchel can check it at connect).
pub fn bake_command() -> String {
    let mut permissions: Vec<String> = Feature::ALL
        .iter()
        .map(|f| {
            let (entity, action) = f.permission();
            format!("{entity}:{action}")
        })
        .collect();
    permissions.push("macaroon:read".to_owned());
    format!(
        "lncli bakemacaroon {} --save_to satchel.macaroon",
        permissions.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_names_what_is_off_and_how_to_bake_it() {
        assert_eq!(Permissions::Checked { missing: vec![] }.advice(), None);
        let readonly = Permissions::Checked {
            missing: vec![Feature::Send, Feature::Sign],
        };
        let advice = readonly.advice().unwrap();
        assert!(advice.contains("sending tips, signing"), "{advice}");
        assert!(
            advice.ends_with(
                "lncli bakemacaroon info:read invoices:read offchain:read offchain:write \
                 signer:generate macaroon:read --save_to satchel.macaroon"
            ),
            "{advice}"
        );
        let unknown = Permissions::Unknown("old lnd".into()).advice().unwrap();
        assert!(unknown.contains("(old lnd)"), "{unknown}");
    }
}
