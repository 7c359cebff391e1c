use super::*;
use crate::podcast::example::{feed, recipient, spec_block};

#[test]
fn reads_show_items_and_blocks() {
    let item_block = format!(
        r#"<podcast:value type="lightning" method="keysend">{}
            <podcast:valueTimeSplit startTime="60" duration="237" remotePercentage="95">
              <podcast:remoteItem feedGuid="remote-feed" itemGuid="remote-item"/>
            </podcast:valueTimeSplit>
          </podcast:value>"#,
        recipient("Guest", 7, "1", "")
    );
    let feed = Feed::parse(feed(&spec_block(), &item_block).as_bytes()).unwrap();
    assert_eq!(feed.title, "Test & Show");
    assert_eq!(
        feed.guid.as_deref(),
        Some("917393e3-1b1e-5cef-ace4-edaa54e1f810")
    );
    assert_eq!(feed.items.len(), 2);
    let latest = feed.latest().unwrap();
    assert_eq!(latest.title, "Episode 2");
    assert_eq!(latest.guid.as_deref(), Some("ep-2"));
    assert_eq!(
        latest.published.as_deref(),
        Some("Mon, 07 Dec 2026 00:00:00 GMT")
    );
    // The item's block replaces the show's; an item without one uses the show's.
    let own = feed.block_for(Some(latest)).unwrap();
    assert_eq!(own.recipients.len(), 1);
    assert_eq!(own.time_splits.len(), 1);
    let vts = &own.time_splits[0];
    assert_eq!(
        (vts.start_time.as_str(), vts.duration.as_str()),
        ("60", "237")
    );
    assert_eq!(vts.remote_item_guid.as_deref(), Some("remote-item"));
    let older = feed.episode(" ep-1 ").unwrap();
    assert_eq!(feed.block_for(Some(older)).unwrap().recipients.len(), 4);
    assert_eq!(feed.block_for(None).unwrap().recipients.len(), 4);
    assert!(feed.episode("nope").is_none());
}

#[test]
fn bad_documents() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"this is not xml <<<".to_vec(), "not XML"),
        (b"<rss><channel></item></rss>".to_vec(), "not XML"),
        (b"{\"json\": true}".to_vec(), "no <channel>"),
        (
            br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><rss><channel><title>&lol2;</title></channel></rss>"#.to_vec(),
            "declares XML entities",
        ),
        (
            format!("<rss><channel>{}</channel></rss>", "<a>".repeat(100)).into_bytes(),
            "deeper than 64",
        ),
        (vec![b' '; MAX_FEED_BYTES + 1], "more than 5 MB"),
    ];
    for (bytes, expected) in cases {
        let err = Feed::parse(&bytes).unwrap_err().to_string();
        assert!(err.contains(expected), "{err:?} for {expected}");
    }
}

#[test]
fn unknown_entities_are_never_expanded() {
    let xml = "<rss><channel><title>a &evil; b &#65; &lt;</title></channel></rss>";
    let feed = Feed::parse(xml.as_bytes()).unwrap();
    assert_eq!(feed.title, "a b A <");
}

#[test]
fn no_value_block() {
    let feed = Feed::parse(feed("", "").as_bytes()).unwrap();
    assert!(feed.block_for(feed.latest()).is_none());
}
