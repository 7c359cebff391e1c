//! Reading the feed a user names, one function for the CLI and the GUI:
//! the demo feed (`demo`, only under `--demo`), an http(s) URL (fetched with
//! the cache in `cache`) or a file; parsed, not yet narrowed to an episode.

use std::path::PathBuf;

use super::fetch::{FetchError, Fetcher, Source};
use super::{DEMO_FEED, DEMO_FEED_NAME, Feed, FeedError};
use crate::web::Web;

/// A feed read and parsed.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub feed: Feed,
    /// The URL, when it came from the web (sent as `url` in boosts).
    pub url: Option<String>,
    /// The server said it had not changed: the saved copy was read.
    pub from_cache: bool,
    /// What became of each Lightning Address recipient (resolved to
    /// keysend, or skipped and why), one line each.
    pub notes: Vec<String>,
}

/// Why a feed could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Parse(#[from] FeedError),
}

/// Read and parse `feed`; `demo` accepts [`DEMO_FEED_NAME`]. The feed and
/// its Lightning Addresses are fetched as `web` says (through the proxy).
pub async fn load(
    cache: Option<PathBuf>,
    demo: bool,
    feed: &str,
    web: &Web,
) -> Result<Loaded, LoadError> {
    if demo && feed.trim() == DEMO_FEED_NAME {
        return Ok(Loaded {
            feed: Feed::parse(DEMO_FEED)?,
            url: None,
            from_cache: false,
            notes: Vec::new(),
        });
    }
    let fetched = Fetcher::new(cache, web)?.get(feed).await?;
    let mut parsed = Feed::parse(&fetched.bytes)?;
    let notes = resolve_addresses(&mut parsed, web).await;
    Ok(Loaded {
        feed: parsed,
        url: fetched.url,
        from_cache: fetched.source == Source::Cache,
        notes,
    })
}

/// Lightning Address recipients are paid by keysend when their provider
/// publishes a keysend document; the others stay unpayable, with the reason.
async fn resolve_addresses(feed: &mut Feed, web: &Web) -> Vec<String> {
    let has_address = feed
        .values
        .iter()
        .chain(feed.items.iter().flat_map(|i| i.values.iter()))
        .flat_map(|b| {
            let windows = b.time_splits.iter().flat_map(|w| w.recipients.iter());
            b.recipients.iter().chain(windows)
        })
        .any(crate::payto::value::is_address);
    if !has_address {
        return Vec::new();
    }
    match crate::payto::Client::new(web) {
        Ok(client) => crate::payto::value::resolve_lnaddresses(&client, feed).await,
        Err(e) => vec![format!("Lightning Address recipients not resolved: {e}")],
    }
}
