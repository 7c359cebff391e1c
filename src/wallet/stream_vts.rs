//! Value time splits for streams (`podcast:valueTimeSplit`, value-for-value
//! notes b4): inside a window, the window's block (its own recipients, or
//! the remote item's block when it is known) gets `remotePercentage` of the
//! minute and the host block the rest; outside, the host block gets it all.
//! A window whose block is not known pays the host block, and says why.
//! Overlapping windows: the later start wins (as LNBeats does).

use crate::podcast::value::{RawBlock, TimeSplit};
use crate::podcast::{Feed, Selected, ValueBlock};

/// One window, checked.
#[derive(Debug, Clone)]
pub struct Window {
    pub start_s: u64,
    pub end_s: u64,
    /// 0 to 100 (default 100).
    pub percent: u64,
    /// The block paid inside, or why the host block is paid instead.
    pub block: Result<ValueBlock, String>,
}

impl Window {
    /// Whether content second `at` falls in this window.
    pub fn holds(&self, at: u64) -> bool {
        (self.start_s..self.end_s).contains(&at)
    }
}

/// The windows of what `selected` pays. A remote item is known when it is
/// an item of this same feed (by the feed's guid); remote feeds are not
/// fetched yet.
pub fn windows(selected: &Selected) -> Vec<Window> {
    selected
        .feed
        .block_for(selected.item.as_ref())
        .map(|raw| {
            raw.time_splits
                .iter()
                .filter_map(|split| window(split, &selected.feed))
                .collect()
        })
        .unwrap_or_default()
}

fn window(split: &TimeSplit, feed: &Feed) -> Option<Window> {
    let seconds = |text: &str| text.trim().parse::<f64>().ok().filter(|s| *s >= 0.0);
    let start = seconds(&split.start_time)?;
    let duration = seconds(&split.duration)?;
    let percent = split
        .remote_percentage
        .as_deref()
        .and_then(|p| p.trim().parse::<f64>().ok())
        .map_or(100, |p| p.clamp(0.0, 100.0) as u64);
    Some(Window {
        start_s: start as u64,
        end_s: (start + duration) as u64,
        percent,
        block: block(split, feed),
    })
}

fn block(split: &TimeSplit, feed: &Feed) -> Result<ValueBlock, String> {
    if !split.recipients.is_empty() {
        let raw = RawBlock {
            kind: "lightning".into(),
            method: "keysend".into(),
            recipients: split.recipients.clone(),
            ..RawBlock::default()
        };
        return raw
            .check()
            .map_err(|e| format!("the window's recipients cannot be paid ({e})"));
    }
    let (Some(feed_guid), Some(item_guid)) = (&split.remote_feed_guid, &split.remote_item_guid)
    else {
        return Err("the window names no recipients and no remote item".into());
    };
    if feed.guid.as_deref() == Some(feed_guid.as_str())
        && let Some(item) = feed.episode(item_guid)
    {
        return feed
            .block_for(Some(item))
            .ok_or_else(|| format!("the remote item {item_guid} has no value block"))?
            .check()
            .map_err(|e| format!("the remote item's block cannot be paid ({e})"));
    }
    Err(format!(
        "the remote item {item_guid} of feed {feed_guid} is not known here (remote feeds are \
         not fetched yet)"
    ))
}

/// The window content second `at` falls in (the later start wins).
pub fn at(windows: &[Window], at: u64) -> Option<&Window> {
    windows
        .iter()
        .filter(|w| w.holds(at))
        .max_by_key(|w| w.start_s)
}
