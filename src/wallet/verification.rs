//! The cached outcome of checking a received keysend's sender signature.

/// What Satchel found when it checked who sent a keysend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verification {
    /// A signature Satchel checked itself proves the claimed node sent it.
    Verified,
    /// A signature is present but does not match the claimed sender: treat as forged.
    Invalid,
    /// No signature, or one Satchel cannot check: the sender is only claimed.
    Unverified,
}

impl Verification {
    /// The integer stored in the index.
    pub(crate) fn code(self) -> i64 {
        match self {
            Self::Unverified => 0,
            Self::Verified => 1,
            Self::Invalid => 2,
        }
    }

    /// The variant for a stored integer; `None` for unknown codes.
    pub(crate) fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(Self::Unverified),
            1 => Some(Self::Verified),
            2 => Some(Self::Invalid),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for v in [
            Verification::Verified,
            Verification::Invalid,
            Verification::Unverified,
        ] {
            assert_eq!(Verification::from_code(v.code()), Some(v));
        }
        assert_eq!(Verification::from_code(9), None);
    }
}
