//! Budgets: how much a connection may spend per period. A payment's amount
//! is reserved (in the shared [`ledger`](super::ledger)) before it is handed
//! to the node and released when it fails; a success records it as spent. Budgets count amounts: routing fees
//! are capped per payment by the fee-limit setting, as for every send.
//! Periods are rolling windows ending now.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The window a budget renews over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Day,
    Week,
    #[default]
    Month,
    /// The budget never renews: a lifetime total.
    Never,
}

impl Period {
    /// The window's length in seconds (`None`: forever).
    pub fn seconds(self) -> Option<u64> {
        match self {
            Self::Day => Some(86_400),
            Self::Week => Some(7 * 86_400),
            Self::Month => Some(30 * 86_400),
            Self::Never => None,
        }
    }

    /// What `spends` add up to in the window ending at `now`, msat.
    pub fn spent(self, spends: &[Spend], now: u64) -> u64 {
        let since = self.seconds().map_or(0, |len| now.saturating_sub(len));
        spends
            .iter()
            .filter(|s| s.at > since || self == Self::Never)
            .map(|s| s.msat)
            .fold(0, u64::saturating_add)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Never => "never",
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Period {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "day" => Ok(Self::Day),
            "week" => Ok(Self::Week),
            "month" => Ok(Self::Month),
            "never" => Ok(Self::Never),
            other => Err(format!(
                "unknown period {other:?}: use day, week, month or never"
            )),
        }
    }
}

/// One succeeded payment through a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spend {
    /// Unix seconds.
    pub at: u64,
    /// The amount sent (routing fees are not counted).
    pub msat: u64,
    /// The payment's hash (hex), to show the app's name in Sent.
    #[serde(default)]
    pub hash: Option<String>,
}

/// Why a reservation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverBudget {
    pub budget: u64,
    pub spent: u64,
    pub reserved: u64,
    pub asked: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_count_only_spends_inside_their_window() {
        let day = 86_400;
        let spends = [
            Spend {
                at: 10,
                msat: 1,
                hash: None,
            },
            Spend {
                at: 10 * day,
                msat: 10,
                hash: None,
            },
            Spend {
                at: 30 * day,
                msat: 100,
                hash: None,
            },
        ];
        let now = 30 * day + 20;
        assert_eq!(Period::Day.spent(&spends, now), 100);
        assert_eq!(Period::Week.spent(&spends, now), 100);
        assert_eq!(Period::Month.spent(&spends, now), 110);
        assert_eq!(Period::Never.spent(&spends, now), 111);
        // The day renews: a day later, nothing counts.
        assert_eq!(Period::Day.spent(&spends, 31 * day + 1), 0);
    }
}
