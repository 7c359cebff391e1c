use super::*;
use crate::podcast::example::{feed, spec_block};
use crate::podcast::{Episode, Feed, select};

fn spec_target() -> Target {
    let xml = feed(&spec_block(), "");
    let selected = select(Feed::parse(xml.as_bytes()).unwrap(), None, &Episode::Show).unwrap();
    Target::Feed {
        block: selected.block.unwrap(),
        context: selected.context,
        windows: Vec::new(),
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
    let (shares, note) = shares(&spec_target(), 0, 10_000);
    assert_eq!(note, None);
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

/// The spec block with two windows: 60-180 s pays Guest (95 %), 300-360 s
/// names a remote item of another feed (not known: the host is paid).
fn target_with_windows() -> Target {
    use crate::podcast::example::recipient;
    let windows = format!(
        r#"<podcast:valueTimeSplit startTime="60" duration="120" remotePercentage="95">{}</podcast:valueTimeSplit>
           <podcast:valueTimeSplit startTime="300" duration="60">
             <podcast:remoteItem feedGuid="other-feed" itemGuid="other-item"/>
           </podcast:valueTimeSplit>"#,
        recipient("Guest", 9, "1", "")
    );
    let block = spec_block().replace("</podcast:value>", &format!("{windows}</podcast:value>"));
    let xml = feed(&block, "");
    let selected = select(Feed::parse(xml.as_bytes()).unwrap(), None, &Episode::Show).unwrap();
    let windows = super::stream_vts::windows(&selected);
    assert_eq!(windows.len(), 2);
    Target::Feed {
        block: selected.block.unwrap(),
        context: selected.context,
        windows,
    }
}

#[test]
fn inside_a_value_time_split_the_window_gets_its_percentage() {
    let target = target_with_windows();
    let guest = crate::podcast::example::node(9);
    let (outside, _) = shares(&target, 0, 10_000);
    assert!(outside.iter().all(|s| s.node != guest));
    let (inside, note) = shares(&target, 1, 10_000);
    assert_eq!(note, None);
    let to_guest: u64 = inside
        .iter()
        .filter(|s| s.node == guest)
        .map(|s| s.msat)
        .sum();
    // The host's fee recipient (Podcast Index, 1 %) is paid off the top of
    // the whole minute; Guest gets 95 % of the 9,900 left, the host's
    // other recipients the remaining 495 (49/46/5).
    let fee = crate::podcast::example::node(4);
    let to = |node| -> u64 {
        inside
            .iter()
            .filter(|s| s.node == node)
            .map(|s| s.msat)
            .sum()
    };
    assert_eq!(to(fee), 100, "{inside:?}");
    assert_eq!(to_guest, 9_405);
    let host_rest: u64 = inside
        .iter()
        .filter(|s| s.node != guest && s.node != fee)
        .map(|s| s.msat)
        .sum();
    assert_eq!(host_rest, 495);
    assert_eq!(inside.iter().map(|s| s.msat).sum::<u64>(), 10_000);
    let (after, _) = shares(&target, 3, 10_000);
    assert!(after.iter().all(|s| s.node != guest), "the window ended");
}

#[test]
fn an_unknown_remote_item_pays_the_host_and_says_why() {
    let (host, note) = shares(&target_with_windows(), 5, 10_000);
    assert_eq!(
        host.iter().map(|s| s.msat).collect::<Vec<_>>(),
        [4_851, 4_554, 495, 100]
    );
    let note = note.expect("a reason");
    assert!(
        note.contains("other-item") && note.contains("host block"),
        "{note}"
    );
}
