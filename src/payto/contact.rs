//! Sending to a contact saved with a Lightning Address: the address is
//! asked again at send time. Its keysend node now is used (with the
//! provider's records), and a node other than the saved one is said; when
//! the address cannot be resolved to a keysend node, the saved key is used
//! and that is said. The one rule `satchel send` and the Send screen follow.

use super::resolve::{Resolution, ResolveError};
use crate::keysend::{NodeId, Records};

/// Where a tip to the contact goes now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactNow {
    pub pubkey: NodeId,
    /// The provider's records (none when the saved key is used).
    pub records: Records,
    /// What the user must be told before paying, if anything.
    pub warning: Option<String>,
}

/// Decide from the address's answer (`resolved`) and the saved key.
pub fn contact_now(
    address: &str,
    saved: NodeId,
    resolved: &Result<Resolution, ResolveError>,
) -> ContactNow {
    match resolved {
        Ok(Resolution::Keysend { target, .. }) => ContactNow {
            pubkey: target.pubkey,
            records: target.records.clone(),
            warning: (target.pubkey != saved).then(|| {
                format!(
                    "{address} now gives node {} (saved: {saved}); sending to the new node. \
                     Check with the recipient if you did not expect this.",
                    target.pubkey
                )
            }),
        },
        other => ContactNow {
            pubkey: saved,
            records: Records::new(),
            warning: Some(match other {
                Err(err) => format!(
                    "could not re-resolve {address} ({err}); sending to the saved key {saved}."
                ),
                Ok(_) => format!(
                    "{address} no longer has a keysend document; sending to the saved key {saved}."
                ),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payto::lnurl::KeysendTarget;
    use crate::payto::{HttpError, Target};

    fn key(byte: u8) -> NodeId {
        let secret = secp256k1::SecretKey::from_slice(&[byte; 32]).unwrap();
        NodeId::from_slice(&secret.public_key(secp256k1::SECP256K1).serialize()).unwrap()
    }

    fn keysend(pubkey: NodeId) -> Result<Resolution, ResolveError> {
        let Some(Ok(Target::Address(address))) = Target::parse("tips@example.com") else {
            panic!()
        };
        Ok(Resolution::Keysend {
            address,
            target: KeysendTarget {
                pubkey,
                records: Records::from([(696_969, b"w".to_vec())]),
            },
        })
    }

    #[test]
    fn same_node_silent_changed_node_said_failure_falls_back() {
        let (saved, moved) = (key(1), key(2));
        let same = contact_now("tips@example.com", saved, &keysend(saved));
        assert_eq!((same.pubkey, same.warning), (saved, None));
        assert_eq!(same.records.len(), 1);
        let changed = contact_now("tips@example.com", saved, &keysend(moved));
        assert_eq!(changed.pubkey, moved);
        assert!(
            changed
                .warning
                .unwrap()
                .contains(&format!("now gives node {moved} (saved: {saved})"))
        );
        let down = Err(ResolveError::Http(HttpError::Status(
            "example.com".into(),
            500,
        )));
        let fallback = contact_now("tips@example.com", saved, &down);
        assert_eq!((fallback.pubkey, fallback.records.len()), (saved, 0));
        assert!(
            fallback
                .warning
                .unwrap()
                .contains("sending to the saved key")
        );
    }
}
