//! Value time splits for streams (`podcast:valueTimeSplit`, value-for-value
//! notes b4): inside a window, the window's block (its own recipients, or
//! the remote item's block when it is known) gets `remotePercentage` of the
//! minute and the host block the rest; outside, the host block gets it all.
//! A window whose block is not known pays the host block, and says why.
//! Overlapping windows: the later start wins (as LNBeats does).
//!
//! A remote item of another feed is found by [`fetch_remote`]: the tag's
//! `feedUrl` is read with the feed client (its limits, its cache, and
//! Lightning Address recipients resolved as [`crate::podcast::load`] does),
//! or a feed already loaded with that guid is used; if neither gives the
//! item's block, the window pays the host block and says why.

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
    /// The remote item of another feed, while it is not fetched.
    pub remote: Option<Remote>,
}

/// A remote item in another feed, named by a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub feed_guid: String,
    pub item_guid: String,
    pub feed_url: Option<String>,
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
    let block = block(split, feed);
    let remote = match (&block, &split.remote_feed_guid, &split.remote_item_guid) {
        (Err(_), Some(feed_guid), Some(item_guid)) if split.recipients.is_empty() => Some(Remote {
            feed_guid: feed_guid.clone(),
            item_guid: item_guid.clone(),
            feed_url: split.remote_feed_url.clone(),
        }),
        _ => None,
    };
    Some(Window {
        start_s: start as u64,
        end_s: (start + duration) as u64,
        percent,
        block,
        remote,
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
        "the remote item {item_guid} of feed {feed_guid} is not known here (no feed URL in the \
         tag and no loaded feed with that guid)"
    ))
}

/// The windows of what `selected` pays, remote feeds read (see
/// [`fetch_remote`]; `selected`'s own feed counts as loaded).
pub async fn windows_fetched(
    selected: &Selected,
    cache: Option<std::path::PathBuf>,
    web: &crate::web::Web,
) -> Vec<Window> {
    let mut found = windows(selected);
    fetch_remote(&mut found, std::slice::from_ref(&selected.feed), cache, web).await;
    found
}

/// The remote item's block from `feed`, or why not.
fn remote_block(remote: &Remote, feed: &Feed, source: &str) -> Result<ValueBlock, String> {
    if let Some(guid) = feed.guid.as_deref().filter(|g| *g != remote.feed_guid) {
        return Err(format!(
            "the feed at {source} has guid {guid}, not the window's {}",
            remote.feed_guid
        ));
    }
    let item = feed.episode(&remote.item_guid).ok_or_else(|| {
        format!(
            "the remote item {} is not in the feed at {source}",
            remote.item_guid
        )
    })?;
    feed.block_for(Some(item))
        .ok_or_else(|| format!("the remote item {} has no value block", remote.item_guid))?
        .check()
        .map_err(|e| format!("the remote item's block cannot be paid ({e})"))
}

/// Fill in the blocks of windows whose remote item is in another feed:
/// from `known` (feeds already loaded, by guid), else by reading the tag's
/// feed URL (each URL once; `cache` is the feed client's cache folder).
/// A window whose feed cannot be read or lacks the item keeps an error that
/// says why (the host block is paid there).
pub async fn fetch_remote(
    windows: &mut [Window],
    known: &[Feed],
    cache: Option<std::path::PathBuf>,
    web: &crate::web::Web,
) {
    let mut fetched: Vec<(String, Result<Feed, String>)> = Vec::new();
    for window in windows.iter_mut() {
        let Some(remote) = window.remote.clone() else {
            continue;
        };
        if let Some(feed) = known
            .iter()
            .find(|f| f.guid.as_deref() == Some(remote.feed_guid.as_str()))
        {
            window.block = remote_block(&remote, feed, "the loaded feed");
            window.remote = None;
            continue;
        }
        let Some(url) = remote.feed_url.clone() else {
            continue;
        };
        if !fetched.iter().any(|(u, _)| *u == url) {
            let loaded = crate::podcast::load::load(cache.clone(), false, &url, web)
                .await
                .map(|l| l.feed)
                .map_err(|e| e.to_string());
            fetched.push((url.clone(), loaded));
        }
        let shown = crate::keysend::text::display_safe(&url, 120);
        window.block = match fetched.iter().find(|(u, _)| *u == url).map(|f| &f.1) {
            Some(Ok(feed)) => remote_block(&remote, feed, &shown),
            Some(Err(why)) => Err(format!("the remote feed {shown} could not be read ({why})")),
            None => continue,
        };
        window.remote = None;
    }
}

/// The window content second `at` falls in (the later start wins).
pub fn at(windows: &[Window], at: u64) -> Option<&Window> {
    windows
        .iter()
        .filter(|w| w.holds(at))
        .max_by_key(|w| w.start_s)
}
