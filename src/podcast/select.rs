//! Choosing what a boost pays: the show or one episode, the value block that
//! applies, and the boost metadata that goes with it. One function for the
//! CLI and the GUI.

use super::boost::BoostContext;
use super::feed::{Feed, Item};
use super::value::{ValueBlock, ValueError};

/// Which part of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Episode {
    /// The show itself (its channel-level block).
    Show,
    /// The newest item.
    Latest,
    /// The item with this guid.
    Guid(String),
}

/// What a boost to (part of) a feed pays.
#[derive(Debug, Clone)]
pub struct Selected {
    pub feed: Feed,
    pub item: Option<Item>,
    /// The checked block, or why it cannot be paid.
    pub block: Result<ValueBlock, ValueError>,
    /// The block's kept time splits (streams use them; boosts do not).
    pub time_splits: usize,
    /// Metadata for every leg (amount and message filled in later).
    pub context: BoostContext,
}

/// Why the episode asked for is not there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    #[error("the feed has no episode with guid {0:?}")]
    NoSuchEpisode(String),
    #[error("the feed has no episodes")]
    NoEpisodes,
}

/// Pick `episode` of `feed` (fetched from `url`, when from the web).
pub fn select(feed: Feed, url: Option<String>, episode: &Episode) -> Result<Selected, SelectError> {
    let item = match episode {
        Episode::Show => None,
        Episode::Latest => Some(feed.latest().ok_or(SelectError::NoEpisodes)?.clone()),
        Episode::Guid(guid) => Some(
            feed.episode(guid)
                .ok_or_else(|| {
                    SelectError::NoSuchEpisode(crate::keysend::text::display_safe(guid, 100))
                })?
                .clone(),
        ),
    };
    let raw = feed.block_for(item.as_ref());
    let block = raw
        .ok_or(ValueError::NoValueBlock)
        .and_then(super::RawBlock::check);
    let time_splits = raw.map_or(0, |r| r.time_splits.len());
    let context = BoostContext {
        podcast: feed.title.clone(),
        url,
        guid: feed.guid.clone(),
        episode: item
            .as_ref()
            .map(|i| i.title.clone())
            .filter(|t| !t.is_empty()),
        episode_guid: item.as_ref().and_then(|i| i.guid.clone()),
        ..BoostContext::default()
    };
    Ok(Selected {
        feed,
        item,
        block,
        time_splits,
        context,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::podcast::example::{feed, recipient, spec_block};

    #[test]
    fn show_latest_and_guid() {
        let item_block = format!(
            r#"<podcast:value type="lightning" method="keysend">{}</podcast:value>"#,
            recipient("Guest", 9, "1", "")
        );
        let parsed = Feed::parse(feed(&spec_block(), &item_block).as_bytes()).unwrap();
        let url = Some("http://x/feed".to_owned());
        let show = select(parsed.clone(), url.clone(), &Episode::Show).unwrap();
        assert_eq!(show.block.unwrap().recipients.len(), 4);
        assert_eq!(show.context.episode, None);
        assert_eq!(show.context.url, url);
        let latest = select(parsed.clone(), None, &Episode::Latest).unwrap();
        assert_eq!(latest.block.unwrap().recipients.len(), 1);
        assert_eq!(latest.context.episode_guid.as_deref(), Some("ep-2"));
        assert_eq!(latest.context.episode.as_deref(), Some("Episode 2"));
        let older = select(parsed.clone(), None, &Episode::Guid("ep-1".into())).unwrap();
        assert_eq!(older.block.unwrap().recipients.len(), 4, "the show's block");
        assert_eq!(
            select(parsed, None, &Episode::Guid("x".into())).unwrap_err(),
            SelectError::NoSuchEpisode("x".into())
        );
        let bare = Feed::parse(feed("", "").as_bytes()).unwrap();
        let none = select(bare, None, &Episode::Latest).unwrap();
        assert_eq!(none.block.unwrap_err(), ValueError::NoValueBlock);
    }

    #[test]
    fn the_demo_feed_pays_demo_nodes() {
        let demo = Feed::parse(crate::podcast::DEMO_FEED).unwrap();
        let ids: Vec<_> = crate::sim::demo_contacts()
            .into_iter()
            .map(|c| c.1)
            .collect();
        for episode in [Episode::Show, Episode::Latest] {
            let block = select(demo.clone(), None, &episode).unwrap().block.unwrap();
            assert!(block.skipped.is_empty());
            for r in &block.recipients {
                assert!(ids.contains(&r.node), "{} is not a demo node", r.name);
            }
        }
        assert_eq!(demo.items.len(), 3);
    }
}
