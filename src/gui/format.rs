//! Text for amounts, times and senders, in the user's chosen unit. Pure.

use chrono::{DateTime, Local, TimeZone};

use crate::keysend::Msat;
use crate::store::AmountUnit;

/// A balance or payment amount in the chosen unit, in whole sats (rounded
/// down): `1,234 sat` or `0.00001234 BTC`. An amount under one sat keeps
/// its msat (`0.500 sat`) so it never reads as zero. The CLI follows the
/// same rule.
pub fn amount(value: Msat, unit: AmountUnit) -> String {
    match unit {
        AmountUnit::Btc if value.sats() > 0 => btc(value),
        _ => value.whole().to_string(),
    }
}

/// A fee or fee limit, to the msat: `1.500 sat`, `1 sat`; in bitcoin with
/// 11 decimals when it is not whole sats.
pub fn fee(value: Msat, unit: AmountUnit) -> String {
    match unit {
        AmountUnit::Sat => value.to_string(),
        AmountUnit::Btc if value.0.is_multiple_of(1000) => btc(value),
        AmountUnit::Btc => format!(
            "{}.{:011} BTC",
            group(value.0 / 100_000_000_000),
            value.0 % 100_000_000_000
        ),
    }
}

/// Bitcoin with 8 decimals (msat beyond a sat are dropped).
fn btc(value: Msat) -> String {
    let sats = value.sats();
    format!(
        "{}.{:08} BTC",
        group(sats / 100_000_000),
        sats % 100_000_000
    )
}

/// `1234567` -> `1,234,567` (the domain's grouping, shared with the CLI).
pub fn group(value: u64) -> String {
    crate::keysend::group_thousands(value)
}

/// A short local time for lists: `14:05` today, else `3 Mar 14:05`, else with the year.
pub fn when(unix_seconds: i64, now: DateTime<Local>) -> String {
    let Some(time) = Local.timestamp_opt(unix_seconds, 0).single() else {
        return "—".into();
    };
    if time.date_naive() == now.date_naive() {
        time.format("%H:%M").to_string()
    } else if time.format("%Y").to_string() == now.format("%Y").to_string() {
        time.format("%-d %b %H:%M").to_string()
    } else {
        time.format("%-d %b %Y").to_string()
    }
}

/// A full local timestamp for detail panes.
pub fn full_time(unix_seconds: i64) -> String {
    Local
        .timestamp_opt(unix_seconds, 0)
        .single()
        .map_or_else(|| "—".into(), |t| t.format("%Y-%m-%d %H:%M:%S").to_string())
}

/// A duration in seconds for payment results: `0.8 s`, `12 s`.
pub fn seconds(elapsed: std::time::Duration) -> String {
    let secs = elapsed.as_secs_f32();
    if secs < 10.0 {
        format!("{secs:.1} s")
    } else {
        format!("{secs:.0} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_both_units() {
        let cases = [
            (Msat::from_sat(21), AmountUnit::Sat, "21 sat"),
            (Msat::from_sat(1_234_567), AmountUnit::Sat, "1,234,567 sat"),
            (Msat::from_sat(1_234), AmountUnit::Btc, "0.00001234 BTC"),
            (
                Msat::from_sat(250_000_000),
                AmountUnit::Btc,
                "2.50000000 BTC",
            ),
            (Msat(1_500), AmountUnit::Btc, "0.00000001 BTC"),
            // The header after a send: whole sats, rounded down.
            (Msat(8_699_019_800), AmountUnit::Sat, "8,699,019 sat"),
            (Msat(999), AmountUnit::Sat, "0.999 sat"),
            (Msat(500), AmountUnit::Btc, "0.500 sat"),
        ];
        for (value, unit, expected) in cases {
            assert_eq!(amount(value, unit), expected);
        }
    }

    #[test]
    fn fees_keep_their_msat() {
        let cases = [
            (Msat(1_500), AmountUnit::Sat, "1.500 sat"),
            (Msat(2_000), AmountUnit::Sat, "2 sat"),
            (Msat(19_800), AmountUnit::Sat, "19.800 sat"),
            (Msat(1_500), AmountUnit::Btc, "0.00000001500 BTC"),
            (Msat(2_000), AmountUnit::Btc, "0.00000002 BTC"),
        ];
        for (value, unit, expected) in cases {
            assert_eq!(fee(value, unit), expected);
        }
    }

    #[test]
    fn times_are_short_for_today() {
        let now = Local::now();
        let today = when(now.timestamp(), now);
        assert_eq!(today.len(), 5, "{today}");
        assert_eq!(when(i64::MAX, now), "—");
        assert_eq!(seconds(std::time::Duration::from_millis(812)), "0.8 s");
    }
}
