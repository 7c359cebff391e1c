//! Settings of how the window reads: the UI scale, and fiat amounts
//! (opt-in, off by default: no price request is made while off).

/// The UI scale in percent, one of [`UiScale::CHOICES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct UiScale(u16);

impl UiScale {
    /// The scales offered in Settings.
    pub const CHOICES: [u16; 8] = [75, 90, 100, 110, 125, 150, 175, 200];
    /// Smallest and largest scale accepted.
    pub const MIN: u16 = 75;
    pub const MAX: u16 = 200;

    /// `percent` if it lies in [`UiScale::MIN`]..=[`UiScale::MAX`].
    pub fn new(percent: u16) -> Result<Self, String> {
        if (Self::MIN..=Self::MAX).contains(&percent) {
            Ok(Self(percent))
        } else {
            Err(format!(
                "a UI scale of {percent}% is outside {}%..{}%",
                Self::MIN,
                Self::MAX
            ))
        }
    }

    /// The percentage.
    pub fn percent(self) -> u16 {
        self.0
    }

    /// The factor iced scales the window by (1.0 at 100%).
    pub fn factor(self) -> f32 {
        f32::from(self.0) / 100.0
    }
}

impl Default for UiScale {
    fn default() -> Self {
        Self(100)
    }
}

impl TryFrom<u16> for UiScale {
    type Error = String;
    fn try_from(percent: u16) -> Result<Self, String> {
        Self::new(percent)
    }
}

impl From<UiScale> for u16 {
    fn from(scale: UiScale) -> u16 {
        scale.0
    }
}

/// The default public price source: mempool.space's prices of one bitcoin
/// (`{"time": …, "USD": …, "EUR": …, …}`).
pub const DEFAULT_PRICE_SOURCE: &str = "https://mempool.space/api/v1/prices";

/// Currencies the default source prices.
pub const FIAT_CURRENCIES: [&str; 7] = ["USD", "EUR", "GBP", "CAD", "CHF", "AUD", "JPY"];

/// Amounts also shown in a fiat currency: off by default.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct FiatPrefs {
    /// Fetch prices and show fiat amounts. No request is made while false.
    pub enabled: bool,
    /// ISO code of the currency, e.g. `EUR`.
    pub currency: String,
    /// Where the price comes from: a URL answering a JSON object with a
    /// number per currency code (mempool.space's `/api/v1/prices` format).
    pub source: String,
}

impl Default for FiatPrefs {
    fn default() -> Self {
        Self {
            enabled: false,
            currency: "USD".into(),
            source: DEFAULT_PRICE_SOURCE.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scale_outside_the_range_is_refused_with_the_range() {
        assert_eq!(UiScale::new(150).unwrap().factor(), 1.5);
        let err = UiScale::new(300).unwrap_err();
        assert!(err.contains("75%..200%"), "{err}");
        assert!(serde_json::from_str::<UiScale>("20").is_err());
        assert_eq!(
            serde_json::from_str::<UiScale>("125").unwrap().percent(),
            125
        );
    }

    #[test]
    fn fiat_is_off_by_default() {
        let prefs = FiatPrefs::default();
        assert!(!prefs.enabled);
        assert_eq!(prefs.source, DEFAULT_PRICE_SOURCE);
    }
}
