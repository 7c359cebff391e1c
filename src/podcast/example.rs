//! Test fixtures: the spec's example block (research notes b3: Adam 49,
//! Dave 46, Dreb 5, Podcast Index 1 % fee) with made-up node keys.

use secp256k1::SecretKey;

use crate::keysend::NodeId;
use crate::keysend::identity::node_id_of;

/// A node id made from a one-byte secret.
pub fn node(byte: u8) -> NodeId {
    node_id_of(&SecretKey::from_slice(&[byte; 32]).expect("a valid secret"))
}

/// `<podcast:valueRecipient .../>` for node `byte`.
pub fn recipient(name: &str, byte: u8, split: &str, extra: &str) -> String {
    format!(
        r#"<podcast:valueRecipient name="{name}" type="node" address="{}" split="{split}" {extra}/>"#,
        node(byte)
    )
}

/// The spec's example block.
pub fn spec_block() -> String {
    format!(
        r#"<podcast:value type="lightning" method="keysend" suggested="0.00000005000">
            {}{}{}{}
        </podcast:value>"#,
        recipient("Adam", 1, "49", ""),
        recipient("Dave", 2, "46", ""),
        recipient("Dreb", 3, "5", ""),
        recipient("Podcast Index", 4, "1", r#"fee="true""#),
    )
}

/// A feed with `channel_block` on the show and two items, the first
/// (newest) with `item_block`.
pub fn feed(channel_block: &str, item_block: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel>
  <title>Test &amp; Show</title>
  <podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>
  {channel_block}
  <item>
    <title><![CDATA[Episode 2]]></title>
    <guid isPermaLink="false">ep-2</guid>
    <pubDate>Mon, 07 Dec 2026 00:00:00 GMT</pubDate>
    {item_block}
  </item>
  <item>
    <title>Episode 1</title>
    <guid>ep-1</guid>
  </item>
</channel>
</rss>"#
    )
}
