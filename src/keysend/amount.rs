//! Amounts in millisatoshis, and parsing what people type as sats.

use std::fmt;

/// An amount in millisatoshis.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Msat(pub u64);

/// Why a typed amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("enter an amount in sats")]
    Empty,
    #[error("the amount must be more than zero")]
    Zero,
    #[error("the amount cannot be negative")]
    Negative,
    #[error("amounts are whole sats; fractions are not supported")]
    Fraction,
    #[error("type the amount as digits (for example 1000 or 1,000), not {0:?}")]
    NotANumber(String),
    #[error("that is more than 21 million bitcoin")]
    TooLarge,
    /// `1,5` could mean 1.5 or 15: thousands separators must split groups of
    /// three, all with the same separator.
    #[error(
        "{0:?} is ambiguous: separators must split groups of three digits, with one kind of \
         separator (1,000,000); amounts are whole sats"
    )]
    BadGrouping(String),
}

/// 21 million BTC in sats: nothing larger can be a real amount.
const MAX_SATS: u64 = 2_100_000_000_000_000;

impl Msat {
    /// Zero.
    pub const ZERO: Self = Self(0);

    /// Whole sats as msat.
    pub const fn from_sat(sats: u64) -> Self {
        Self(sats.saturating_mul(1000))
    }

    /// Whole sats, rounded down.
    pub const fn sats(self) -> u64 {
        self.0 / 1000
    }

    /// The amount as summaries show balances and payments: rounded down to
    /// whole sats, except that an amount under one sat keeps its msat, so it
    /// never reads as zero. Fees keep their msat (display the `Msat` itself).
    pub const fn whole(self) -> Self {
        match self.sats() {
            0 => self,
            sats => Self::from_sat(sats),
        }
    }

    /// Parse a user-typed amount of sats: digits, with `,`, `_`, `'` or
    /// spaces as thousands separators. Zero, negatives, fractions, exponents
    /// and absurd amounts are refused with a specific error.
    pub fn parse_sats(text: &str) -> Result<Self, AmountError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AmountError::Empty);
        }
        if text.starts_with('-') {
            return Err(AmountError::Negative);
        }
        // One leading `+` at most: `++5` is not a number someone meant.
        let unsigned = text.strip_prefix('+').unwrap_or(text);
        if unsigned.contains('.') {
            return Err(AmountError::Fraction);
        }
        if !one_separator_kind(unsigned) {
            return Err(AmountError::BadGrouping(text.to_owned()));
        }
        let groups: Vec<&str> = unsigned.split(is_separator).collect();
        let digits: String = groups.concat();
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(AmountError::NotANumber(text.to_owned()));
        }
        if !well_grouped(&groups) {
            return Err(AmountError::BadGrouping(text.to_owned()));
        }
        let sats: u64 = digits.parse().map_err(|_| AmountError::TooLarge)?;
        match sats {
            0 => Err(AmountError::Zero),
            s if s > MAX_SATS => Err(AmountError::TooLarge),
            s => Ok(Self::from_sat(s)),
        }
    }

    /// Check an amount that arrived in msat (a file, an import) by the rules
    /// typed amounts follow: whole sats, more than zero, at most 21 million
    /// bitcoin.
    pub fn check_whole_sats(self) -> Result<Self, AmountError> {
        match self.0 {
            0 => Err(AmountError::Zero),
            msat if !msat.is_multiple_of(1000) => Err(AmountError::Fraction),
            _ if self.sats() > MAX_SATS => Err(AmountError::TooLarge),
            _ => Ok(self),
        }
    }
}

impl fmt::Display for Msat {
    /// Sats with thousands separators; msat shown only when not whole.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sats = group_thousands(self.sats());
        match self.0 % 1000 {
            0 => write!(f, "{sats} sat"),
            rest => write!(f, "{sats}.{rest:03} sat"),
        }
    }
}

/// Characters people type between groups of thousands.
fn is_separator(c: char) -> bool {
    matches!(c, ',' | '_' | '\'' | ' ')
}

/// `1,000,000` or `1 000 000`, not `1,000 000`: one kind of separator.
fn one_separator_kind(text: &str) -> bool {
    let mut kinds = text.chars().filter(|c| is_separator(*c));
    let first = kinds.next();
    kinds.all(|c| Some(c) == first)
}

/// Either no separators, or a first group of 1-3 digits followed by groups
/// of exactly three: `1,000`, `12 345`, not `1,5` (a decimal comma) or `10,00`.
fn well_grouped(groups: &[&str]) -> bool {
    match groups {
        [] | [_] => true,
        [first, rest @ ..] => (1..=3).contains(&first.len()) && rest.iter().all(|g| g.len() == 3),
    }
}

/// `1234567` -> `1,234,567`.
pub fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_rounds_down_but_never_to_zero() {
        assert_eq!(Msat(8_699_019_800).whole(), Msat(8_699_019_000));
        assert_eq!(Msat(21_000).whole(), Msat(21_000));
        assert_eq!(Msat(999).whole(), Msat(999));
        assert_eq!(Msat::ZERO.whole(), Msat::ZERO);
    }

    #[test]
    fn parses_what_people_type() {
        let cases: &[(&str, Result<u64, AmountError>)] = &[
            ("1000", Ok(1000)),
            ("1,000", Ok(1000)),
            (" 21 ", Ok(21)),
            ("1 000 000", Ok(1_000_000)),
            ("0", Err(AmountError::Zero)),
            ("", Err(AmountError::Empty)),
            ("-5", Err(AmountError::Negative)),
            ("1.5", Err(AmountError::Fraction)),
            ("1,5", Err(AmountError::BadGrouping("1,5".into()))),
            ("10,00", Err(AmountError::BadGrouping("10,00".into()))),
            ("1,000,000", Ok(1_000_000)),
            ("1'000", Ok(1000)),
            ("1_000", Ok(1000)),
            ("1000,", Err(AmountError::BadGrouping("1000,".into()))),
            ("1e9", Err(AmountError::NotANumber("1e9".into()))),
            ("abc", Err(AmountError::NotANumber("abc".into()))),
            ("99999999999999999999", Err(AmountError::TooLarge)),
            ("2100000000000001", Err(AmountError::TooLarge)),
            ("+5", Ok(5)),
            ("++5", Err(AmountError::NotANumber("++5".into()))),
            ("+-5", Err(AmountError::NotANumber("+-5".into()))),
            (
                "1,000 000",
                Err(AmountError::BadGrouping("1,000 000".into())),
            ),
            (
                "1 000,000",
                Err(AmountError::BadGrouping("1 000,000".into())),
            ),
            (
                "1_000'000",
                Err(AmountError::BadGrouping("1_000'000".into())),
            ),
            ("1 000 000", Ok(1_000_000)),
        ];
        for (text, expected) in cases {
            let got = Msat::parse_sats(text).map(Msat::sats);
            assert_eq!(got, *expected, "{text:?}");
        }
    }

    #[test]
    fn msat_amounts_are_checked_like_typed_ones() {
        let cases: &[(u64, Result<u64, AmountError>)] = &[
            (0, Err(AmountError::Zero)),
            (1, Err(AmountError::Fraction)),
            (1_500, Err(AmountError::Fraction)),
            (1_000, Ok(1_000)),
            (MAX_SATS * 1000, Ok(MAX_SATS * 1000)),
            ((MAX_SATS + 1) * 1000, Err(AmountError::TooLarge)),
            (u64::MAX - u64::MAX % 1000, Err(AmountError::TooLarge)),
        ];
        for (msat, expected) in cases {
            let got = Msat(*msat).check_whole_sats().map(|m| m.0);
            assert_eq!(got, *expected, "{msat} msat");
        }
    }

    #[test]
    fn displays_grouped_sats() {
        assert_eq!(Msat::from_sat(1_234_567).to_string(), "1,234,567 sat");
        assert_eq!(Msat(1500).to_string(), "1.500 sat");
        assert_eq!(Msat(0).to_string(), "0 sat");
    }
}
