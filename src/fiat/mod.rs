//! Fiat amounts, opt-in and off by default: the price of one bitcoin in a
//! chosen currency from a public price source over HTTPS (through the SOCKS
//! proxy when the node is reached through one), cached with its time. Only
//! ever for display: money stays integers in msat and nothing is paid in
//! fiat. While the setting is off nothing here is called.
//!
//! The source answers a JSON object with a number per currency code and,
//! optionally, `time` (Unix seconds of the price), as mempool.space's
//! `/api/v1/prices` does; the URL is the `fiat.source` setting.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::keysend::Msat;
use crate::keysend::text::display_safe;
use crate::lnd::socks::SocksProxy;

/// How long a price request may take.
pub const TIMEOUT: Duration = Duration::from_secs(15);
/// A rate older than this is shown as stale (and fetched again).
pub const STALE_AFTER_SECS: i64 = 30 * 60;
/// Largest answer read, in bytes.
const MAX_ANSWER: usize = 64 * 1024;
/// The cache file's name in the cache folder.
const CACHE_FILE: &str = "fiat-rate.json";

/// The price of one bitcoin in a currency, and when it was taken.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Quote {
    /// ISO code, e.g. `USD`.
    pub currency: String,
    /// Price of 1 BTC in hundredths of the currency (cents).
    pub per_btc_hundredths: u64,
    /// Unix seconds of the price (the source's `time`, else when fetched).
    pub time: i64,
}

impl Quote {
    /// `amount` in the currency, e.g. `20.37 USD` (rounded to hundredths).
    pub fn value(&self, amount: Msat) -> String {
        // msat * (cents per BTC) / (msat per BTC), rounded half up.
        let cents = (u128::from(amount.0) * u128::from(self.per_btc_hundredths) + 50_000_000_000)
            / 100_000_000_000;
        format!(
            "{}.{:02} {}",
            crate::keysend::group_thousands(u64::try_from(cents / 100).unwrap_or(u64::MAX)),
            cents % 100,
            self.currency
        )
    }

    /// Older than [`STALE_AFTER_SECS`] at `now` (Unix seconds).
    pub fn is_stale(&self, now: i64) -> bool {
        now.saturating_sub(self.time) > STALE_AFTER_SECS
    }
}

/// Why no price could be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FiatError {
    #[error("the price source {0:?} is not an http(s) address")]
    BadSource(String),
    #[error("the price source did not answer within {0} s")]
    Timeout(u64),
    #[error("the price source answered {0}")]
    Status(u16),
    #[error("could not reach the price source: {0}")]
    Http(String),
    #[error("the price source's answer is not a price list: {0}")]
    Parse(String),
    #[error("the price source has no price in {0}")]
    NoCurrency(String),
}

/// What the app knows about the rate: the last quote (from the network or
/// the cache), the last failure, and whether a request is running.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FiatState {
    pub quote: Option<Quote>,
    pub error: Option<String>,
    pub fetching: bool,
}

impl FiatState {
    /// `≈ 20.37 USD (rate of 14:02)`, marked stale when old or when the
    /// last refresh failed; `None` without a quote in `currency`.
    pub fn line(
        &self,
        amount: Msat,
        currency: &str,
        now: i64,
        time: &dyn Fn(i64) -> String,
    ) -> Option<String> {
        let quote = self.quote.as_ref().filter(|q| q.currency == currency)?;
        let stale = quote.is_stale(now) || self.error.is_some();
        let label = if stale { "stale rate" } else { "rate" };
        Some(format!(
            "≈ {} ({label} of {})",
            quote.value(amount),
            time(quote.time)
        ))
    }

    /// Whether a fresh quote should be asked for.
    pub fn wants_refresh(&self, currency: &str, now: i64) -> bool {
        !self.fetching
            && self
                .quote
                .as_ref()
                .is_none_or(|q| q.currency != currency || q.is_stale(now))
    }
}

/// The client that asks the price source.
#[derive(Debug, Clone)]
pub struct PriceSource {
    client: reqwest::Client,
    url: String,
}

impl PriceSource {
    /// A client for `url`, through `proxy` when given (names resolved by
    /// the proxy, as Tor needs).
    pub fn new(url: &str, proxy: Option<&SocksProxy>) -> Result<Self, FiatError> {
        let url = url.trim();
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            return Err(FiatError::BadSource(display_safe(url, 200)));
        }
        let client = crate::web::Web::through(proxy.cloned())
            .builder(TIMEOUT)
            .map_err(|e| FiatError::Http(e.to_string()))?
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()
            .map_err(|e| FiatError::Http(e.to_string()))?;
        Ok(Self {
            client,
            url: url.to_owned(),
        })
    }

    /// Ask for the price of one bitcoin in `currency`; `now` (Unix seconds)
    /// dates it when the source does not.
    pub async fn fetch(&self, currency: &str, now: i64) -> Result<Quote, FiatError> {
        let response = self
            .client
            .get(&self.url)
            .send()
            .await
            .map_err(http_error)?;
        let status = response.status();
        if !status.is_success() {
            return Err(FiatError::Status(status.as_u16()));
        }
        let mut body = Vec::new();
        let mut response = response;
        while let Some(chunk) = response.chunk().await.map_err(http_error)? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_ANSWER {
                return Err(FiatError::Parse("larger than 64 KB".into()));
            }
        }
        parse(&body, currency, now)
    }
}

fn http_error(error: reqwest::Error) -> FiatError {
    if error.is_timeout() {
        FiatError::Timeout(TIMEOUT.as_secs())
    } else {
        FiatError::Http(display_safe(&error.to_string(), 300))
    }
}

/// Read a price list: `{"time": 1700000000, "USD": 97123.45, ...}`.
pub fn parse(body: &[u8], currency: &str, now: i64) -> Result<Quote, FiatError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| FiatError::Parse(e.to_string()))?;
    let object = value
        .as_object()
        .ok_or_else(|| FiatError::Parse("not a JSON object".into()))?;
    let code = currency.trim().to_ascii_uppercase();
    let price = object
        .get(&code)
        .or_else(|| object.get(&code.to_ascii_lowercase()))
        .and_then(serde_json::Value::as_f64)
        .ok_or_else(|| FiatError::NoCurrency(display_safe(&code, 12)))?;
    if !(price.is_finite() && price > 0.0 && price < 1e15) {
        return Err(FiatError::Parse(format!(
            "the {code} price {price} is not usable"
        )));
    }
    let time = object
        .get("time")
        .and_then(serde_json::Value::as_i64)
        .filter(|t| *t > 0 && *t <= now + 3600)
        .unwrap_or(now);
    Ok(Quote {
        currency: code,
        // Checked finite, positive and below 1e15 above: fits in u64.
        per_btc_hundredths: (price * 100.0).round() as u64,
        time,
    })
}

/// Where the last quote is kept.
pub fn cache_file(cache_dir: &Path) -> PathBuf {
    cache_dir.join(CACHE_FILE)
}

/// The cached quote, if one was saved and is readable.
pub fn load_cached(cache_dir: &Path) -> Option<Quote> {
    let bytes = std::fs::read(cache_file(cache_dir)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Keep `quote` for the next start (a cache: a failure only loses speed).
pub fn save_cached(cache_dir: &Path, quote: &Quote) -> Result<(), crate::store::StoreError> {
    let bytes = serde_json::to_vec(quote).unwrap_or_default();
    crate::store::write_atomic(&cache_file(cache_dir), &bytes)
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mempool_price_list_gives_the_currency_asked_for() {
        let body = br#"{"time":1700000000,"USD":97000,"EUR":89123.456}"#;
        let quote = parse(body, "eur", 1_700_000_100).unwrap();
        assert_eq!(quote.currency, "EUR");
        assert_eq!(quote.per_btc_hundredths, 8_912_346);
        assert_eq!(quote.time, 1_700_000_000);
        assert_eq!(
            parse(body, "JPY", 0).unwrap_err(),
            FiatError::NoCurrency("JPY".into())
        );
        assert!(matches!(parse(b"[1]", "USD", 0), Err(FiatError::Parse(_))));
        assert!(matches!(
            parse(br#"{"USD":-5}"#, "USD", 0),
            Err(FiatError::Parse(_))
        ));
    }

    #[test]
    fn amounts_convert_in_integers_and_round() {
        let quote = Quote {
            currency: "USD".into(),
            per_btc_hundredths: 9_700_000,
            time: 0,
        };
        assert_eq!(quote.value(Msat::from_sat(21_000)), "20.37 USD");
        assert_eq!(quote.value(Msat::from_sat(100_000_000)), "97,000.00 USD");
        assert_eq!(quote.value(Msat(1)), "0.00 USD");
    }

    #[test]
    fn an_old_or_failed_rate_is_shown_as_stale() {
        let quote = Quote {
            currency: "USD".into(),
            per_btc_hundredths: 10_000_000,
            time: 1_000,
        };
        let mut state = FiatState {
            quote: Some(quote),
            ..FiatState::default()
        };
        let time = |t: i64| format!("t{t}");
        let fresh = state.line(Msat::from_sat(1000), "USD", 1_100, &time);
        assert_eq!(fresh.as_deref(), Some("≈ 1.00 USD (rate of t1000)"));
        let old = state.line(
            Msat::from_sat(1000),
            "USD",
            1_000 + STALE_AFTER_SECS + 1,
            &time,
        );
        assert!(old.unwrap().contains("stale rate"));
        state.error = Some("the price source answered 500".into());
        assert!(
            state
                .line(Msat::from_sat(1000), "USD", 1_100, &time)
                .unwrap()
                .contains("stale")
        );
        assert!(
            state
                .line(Msat::from_sat(1000), "EUR", 1_100, &time)
                .is_none()
        );
    }
}
