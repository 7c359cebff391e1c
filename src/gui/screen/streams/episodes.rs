//! The episode a stream to a feed pays for (issue 13): the feed's items,
//! read when the user asks, offered in a picker; "Whole show" pays the
//! show's block. The stream's records then carry that episode's title and
//! guid, and its block (or the show's when it has none) is paid.

use std::fmt;

use crate::podcast::{DEMO_FEED_NAME, Episode, Feed};
use crate::store::Paths;

/// What the picker offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// `None`: the whole show.
    pub guid: Option<String>,
    pub title: String,
}

impl Choice {
    /// The show itself.
    pub fn show() -> Self {
        Self {
            guid: None,
            title: "Whole show".into(),
        }
    }

    /// What to select in the feed.
    pub fn episode(&self) -> Episode {
        self.guid.clone().map_or(Episode::Show, Episode::Guid)
    }
}

impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::keysend::text::display_safe(&self.title, 80))
    }
}

/// Read `text` (a feed) with the feed client: its items with a guid, after
/// the whole show.
pub async fn load(
    paths: Paths,
    demo: bool,
    text: String,
    web: crate::web::Web,
) -> Result<Vec<Choice>, String> {
    let feed = read(&paths, demo, &text, &web).await?;
    let mut choices = vec![Choice::show()];
    choices.extend(feed.items.iter().filter_map(|item| {
        Some(Choice {
            guid: Some(item.guid.clone()?),
            title: if item.title.trim().is_empty() {
                item.guid.clone()?
            } else {
                item.title.clone()
            },
        })
    }));
    Ok(choices)
}

/// The feed and its URL (Lightning Address recipients resolved).
pub async fn read(
    paths: &Paths,
    demo: bool,
    text: &str,
    web: &crate::web::Web,
) -> Result<Feed, String> {
    read_with_url(paths, demo, text, web)
        .await
        .map(|(feed, _)| feed)
}

/// The feed and the URL it came from.
pub async fn read_with_url(
    paths: &Paths,
    demo: bool,
    text: &str,
    web: &crate::web::Web,
) -> Result<(Feed, Option<String>), String> {
    let demo = demo && text.trim() == DEMO_FEED_NAME;
    let loaded = crate::podcast::load::load(Some(paths.feeds_cache_dir()), demo, text, web)
        .await
        .map_err(|e| e.to_string())?;
    Ok((loaded.feed, loaded.url))
}
