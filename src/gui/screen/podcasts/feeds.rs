//! The feeds the Podcasts screen lists, in `podcasts.json` (the file name
//! is spelled in `store::paths`): a version and the feeds as the user gave
//! them (URL or file path). An unreadable file is moved aside, never
//! written over.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::store::{Versioned, read_or_quarantine, write_atomic};

const VERSION: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct FeedList {
    version: u32,
    feeds: Vec<String>,
}

impl Versioned for FeedList {
    const CURRENT: u32 = VERSION;

    fn version(&self) -> u32 {
        self.version
    }

    fn upgrade(&mut self) {
        self.version = VERSION;
    }
}

/// The saved feeds, and a warning when the file had to be moved aside.
pub fn load(path: &Path, quarantine: &Path) -> (Vec<String>, Option<String>) {
    match read_or_quarantine::<FeedList>(path, quarantine) {
        Ok(loaded) => (loaded.value.feeds, loaded.warning),
        Err(error) => (Vec::new(), Some(error.to_string())),
    }
}

/// Save the list (atomically).
pub fn save(path: &Path, feeds: &[String]) -> Result<(), String> {
    let list = FeedList {
        version: VERSION,
        feeds: feeds.to_vec(),
    };
    let bytes = serde_json::to_vec_pretty(&list).map_err(|e| e.to_string())?;
    write_atomic(path, &bytes).map_err(|e| format!("the feed list was not saved: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_round_trips_and_a_bad_file_is_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        let (path, aside) = (dir.path().join("podcasts.json"), dir.path().join("q"));
        assert_eq!(load(&path, &aside), (Vec::new(), None));
        let feeds = vec![
            "https://example.com/feed.xml".to_owned(),
            "/tmp/f.xml".into(),
        ];
        save(&path, &feeds).unwrap();
        assert_eq!(load(&path, &aside).0, feeds);
        std::fs::write(&path, b"{ not json").unwrap();
        let (read, warning) = load(&path, &aside);
        assert!(read.is_empty() && warning.is_some());
        assert!(!path.exists(), "moved aside");
    }
}
