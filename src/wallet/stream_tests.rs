use super::*;
use crate::podcast::example::{feed, spec_block};
use crate::podcast::{Episode, Feed, select};

fn spec_target() -> Target {
    let xml = feed(&spec_block(), "");
    let selected = select(Feed::parse(xml.as_bytes()).unwrap(), None, &Episode::Show).unwrap();
    Target::Feed {
        block: selected.block.unwrap(),
        context: selected.context,
    }
}

#[test]
fn an_hour_of_minutes_adds_up_to_the_hourly_rate() {
    for rate in [1, 59, 60, 61, 600_000, 1_000_001] {
        let sum: u64 = (0..60).map(|m| minute_msat(rate, m)).sum();
        assert_eq!(sum, rate, "rate {rate}");
    }
    assert_eq!(minute_msat(600_000, 7), 10_000);
}

#[test]
fn a_minute_of_the_spec_block_is_split_exactly() {
    let shares = shares(&spec_target(), 10_000);
    let msat: Vec<u64> = shares.iter().map(|s| s.msat).collect();
    // Podcast Index 1 % off the top, the rest 49/46/5.
    assert_eq!(msat, [4_851, 4_554, 495, 100]);
    assert_eq!(msat.iter().sum::<u64>(), 10_000);
}

#[test]
fn bad_rates_are_refused_with_the_reason() {
    let cap = Some(Msat::from_sat(100));
    assert_eq!(parse_rate("10", cap).unwrap(), Msat::from_sat(10));
    let refused = |text: &str| parse_rate(text, cap).unwrap_err().to_string();
    assert!(refused("0").contains("at least 1 sat"));
    assert!(refused("-5").contains("not a whole number"));
    assert!(refused("ten").contains("not a whole number"));
    assert!(refused("1.5").contains("not a whole number"));
    assert!(refused("101").contains("above the stream's cap"));
}
