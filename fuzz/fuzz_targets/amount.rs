//! Amounts typed by the user (`Msat::parse_sats`): never panic, and an
//! accepted amount is a whole, positive number of sats within 21 million BTC.

#![no_main]

use libfuzzer_sys::fuzz_target;
use satchel::keysend::Msat;

/// 21 million BTC in sats.
const MAX_SATS: u64 = 2_100_000_000_000_000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(amount) = Msat::parse_sats(text) {
        assert_eq!(amount.0 % 1000, 0, "{text:?} gave a fraction of a sat");
        assert!(
            (1..=MAX_SATS).contains(&amount.sats()),
            "{text:?} gave {amount:?}"
        );
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        assert_eq!(
            digits.trim_start_matches('0'),
            amount.sats().to_string(),
            "{text:?}"
        );
        let _shown = amount.to_string();
    }
});
