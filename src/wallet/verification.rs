//! The cached outcome of checking a received keysend's sender signature
//! (`keysend::incoming::verify_sender`), stored as a small integer.

use crate::keysend::incoming::{NAME_CHARS, Scheme, Sender, Unverified, decode};
use crate::keysend::text::display_bytes;
use crate::keysend::{NodeId, Records, record};

/// What Satchel found when it checked who sent a keysend ([`Sender`] without
/// the claimed id and name, which stay in the records).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// A signature Satchel checked itself proves the claimed node sent it.
    Verified(Scheme),
    /// Sender records are present but prove nothing, for this reason.
    Claimed(Unverified),
    /// No sender records at all.
    Anonymous,
}

const PROBLEMS: [Unverified; 5] = [
    Unverified::NoSignature,
    Unverified::BadSignature,
    Unverified::OtherRecipient,
    Unverified::MalformedSignature,
    Unverified::UnknownFormat,
];

impl Verification {
    /// The outcome of a check.
    pub fn of(sender: &Sender) -> Self {
        match sender {
            Sender::Verified { scheme, .. } => Self::Verified(*scheme),
            Sender::Claimed { problem, .. } => Self::Claimed(*problem),
            Sender::Anonymous => Self::Anonymous,
        }
    }

    /// Proven by a signature we checked.
    pub fn is_verified(self) -> bool {
        matches!(self, Self::Verified(_))
    }

    /// The integer stored in the index.
    pub(crate) fn code(self) -> i64 {
        match self {
            Self::Anonymous => 0,
            Self::Verified(Scheme::Whatsat) => 10,
            Self::Verified(Scheme::ThunderHub) => 11,
            Self::Claimed(problem) => {
                20 + PROBLEMS.iter().position(|p| *p == problem).unwrap_or(0) as i64
            }
        }
    }

    /// The variant for a stored integer; `None` for unknown codes.
    pub(crate) fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(Self::Anonymous),
            10 => Some(Self::Verified(Scheme::Whatsat)),
            11 => Some(Self::Verified(Scheme::ThunderHub)),
            20..=24 => Some(Self::Claimed(PROBLEMS[(code - 20) as usize])),
            _ => None,
        }
    }

    /// Rebuild the full [`Sender`] from the cached outcome and the records;
    /// `None` if they do not agree (then check again).
    pub(crate) fn sender(self, records: &Records) -> Option<Sender> {
        let raw_sender = records.get(&record::SENDER_PUBKEY);
        match self {
            Self::Anonymous => Some(Sender::Anonymous),
            Self::Verified(scheme) => {
                let id = NodeId::from_slice(raw_sender?).ok()?;
                Some(Sender::Verified { id, scheme })
            }
            Self::Claimed(problem) => Some(Sender::Claimed {
                id: raw_sender.and_then(|_| decode_sender(records)),
                name: records
                    .get(&record::SENDER_ALIAS)
                    .map(|v| display_bytes(v, NAME_CHARS, false))
                    .filter(|n| !n.is_empty()),
                problem,
            }),
        }
    }
}

fn decode_sender(records: &Records) -> Option<NodeId> {
    decode(records).claimed_sender
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        let all = [
            Verification::Anonymous,
            Verification::Verified(Scheme::Whatsat),
            Verification::Verified(Scheme::ThunderHub),
        ]
        .into_iter()
        .chain(PROBLEMS.map(Verification::Claimed));
        for v in all {
            assert_eq!(Verification::from_code(v.code()), Some(v), "{v:?}");
        }
        assert_eq!(Verification::from_code(9), None);
        assert_eq!(Verification::from_code(25), None);
    }
}
