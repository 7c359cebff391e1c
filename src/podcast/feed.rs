//! Reading an RSS feed for its value blocks: the show's title and
//! `<podcast:guid>`, each item's title, guid and date, and the
//! `<podcast:value>` blocks at channel and item level.
//!
//! Defensive: input over [`MAX_FEED_BYTES`] is refused before parsing,
//! elements nested deeper than [`MAX_DEPTH`] are refused, a DOCTYPE that
//! declares entities is refused (no entity is ever expanded; only XML's five
//! predefined entities and character references are read), and every text is
//! made display-safe and capped.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::value::{RawBlock, RawRecipient, TimeSplit};
use crate::keysend::text::display_safe;

/// Largest feed read, in bytes.
pub const MAX_FEED_BYTES: usize = 5 * 1024 * 1024;
/// Deepest element nesting accepted (RSS needs about 6).
pub const MAX_DEPTH: usize = 64;
/// Display cap for titles and guids, in characters.
pub const TITLE_CHARS: usize = 200;
/// Most items kept from one feed.
pub const MAX_ITEMS: usize = 10_000;

/// A parsed feed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Feed {
    pub title: String,
    /// `<podcast:guid>` of the show.
    pub guid: Option<String>,
    /// The show's value blocks, in feed order.
    pub values: Vec<RawBlock>,
    /// Items in feed order (newest first in most feeds).
    pub items: Vec<Item>,
}

/// One `<item>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Item {
    pub title: String,
    pub guid: Option<String>,
    /// `pubDate` as written (display-safe).
    pub published: Option<String>,
    pub values: Vec<RawBlock>,
}

/// Why a feed cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    #[error("the feed is {0} bytes; more than 5 MB is refused")]
    TooLarge(usize),
    #[error("the feed is not XML: {0}")]
    NotXml(String),
    #[error("the feed nests elements deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("the feed declares XML entities in a DOCTYPE; Satchel does not expand entities")]
    Entities,
    #[error("the document is not an RSS feed (no <channel>)")]
    NoChannel,
}

impl Feed {
    /// Parse feed bytes. Never panics.
    pub fn parse(bytes: &[u8]) -> Result<Self, FeedError> {
        if bytes.len() > MAX_FEED_BYTES {
            return Err(FeedError::TooLarge(bytes.len()));
        }
        let mut parser = Parser::default();
        let mut reader = Reader::from_reader(bytes);
        loop {
            let event = reader
                .read_event()
                .map_err(|e| FeedError::NotXml(display_safe(&e.to_string(), 200)))?;
            if let Event::Eof = event {
                break;
            }
            parser.event(event)?;
        }
        if !parser.saw_channel {
            return Err(FeedError::NoChannel);
        }
        Ok(parser.feed)
    }

    /// The item with this guid (compared after trimming).
    pub fn episode(&self, guid: &str) -> Option<&Item> {
        let guid = guid.trim();
        self.items.iter().find(|i| i.guid.as_deref() == Some(guid))
    }

    /// The newest item: the first in the feed (RSS lists newest first).
    pub fn latest(&self) -> Option<&Item> {
        self.items.first()
    }

    /// The value block that applies to `item` (its own replaces the show's),
    /// or the show's when no item is given.
    pub fn block_for<'a>(&'a self, item: Option<&'a Item>) -> Option<&'a RawBlock> {
        match item {
            Some(item) if !item.values.is_empty() => preferred(&item.values),
            _ => preferred(&self.values),
        }
    }
}

/// The first lightning keysend block, else the first block.
fn preferred(blocks: &[RawBlock]) -> Option<&RawBlock> {
    blocks
        .iter()
        .find(|b| {
            b.kind.eq_ignore_ascii_case("lightning") && b.method.eq_ignore_ascii_case("keysend")
        })
        .or_else(|| blocks.first())
}

/// What text is being collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    ShowTitle,
    ShowGuid,
    ItemTitle,
    ItemGuid,
    ItemDate,
}

/// Parse state: the element stack and what is open.
#[derive(Default)]
struct Parser {
    feed: Feed,
    /// Local names of open elements (with the `podcast:` prefix kept).
    stack: Vec<String>,
    saw_channel: bool,
    item: Option<Item>,
    block: Option<RawBlock>,
    time_split: Option<TimeSplit>,
    field: Option<Field>,
    text: String,
}

impl Parser {
    fn event(&mut self, event: Event<'_>) -> Result<(), FeedError> {
        match event {
            Event::Start(e) => {
                self.start(&e)?;
                self.stack.push(name(&e));
                if self.stack.len() > MAX_DEPTH {
                    return Err(FeedError::TooDeep);
                }
            }
            Event::Empty(e) => {
                self.start(&e)?;
                self.end(&name(&e));
            }
            Event::End(_) => {
                if let Some(name) = self.stack.pop() {
                    self.end(&name);
                }
            }
            Event::Text(t) => self.push_text(&t.decode().unwrap_or_default()),
            Event::CData(t) => self.push_text(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) => {
                if let Some(c) = reference(&r) {
                    self.push_text(c.encode_utf8(&mut [0; 4]));
                }
            }
            Event::DocType(t) if String::from_utf8_lossy(&t).contains("<!ENTITY") => {
                return Err(FeedError::Entities);
            }
            _ => {}
        }
        Ok(())
    }

    fn parent(&self) -> Option<&str> {
        self.stack.last().map(String::as_str)
    }

    fn start(&mut self, e: &BytesStart<'_>) -> Result<(), FeedError> {
        let name = name(e);
        let parent = self.parent().unwrap_or("");
        match (name.as_str(), parent) {
            ("channel", _) => self.saw_channel = true,
            ("item", "channel") => self.item = Some(Item::default()),
            ("title", "channel") => self.collect(Field::ShowTitle),
            ("podcast:guid", "channel") => self.collect(Field::ShowGuid),
            ("title", "item") => self.collect(Field::ItemTitle),
            ("guid", "item") => self.collect(Field::ItemGuid),
            ("pubDate", "item") => self.collect(Field::ItemDate),
            ("podcast:value", "channel" | "item") => self.block = Some(block(e)),
            ("podcast:valueRecipient", "podcast:value") => {
                if let Some(block) = &mut self.block {
                    block.recipients.push(recipient(e));
                }
            }
            ("podcast:valueTimeSplit", "podcast:value") => self.time_split = Some(time_split(e)),
            ("podcast:valueRecipient", "podcast:valueTimeSplit") => {
                if let Some(split) = &mut self.time_split {
                    split.recipients.push(recipient(e));
                }
            }
            ("podcast:remoteItem", "podcast:valueTimeSplit") => {
                if let Some(split) = &mut self.time_split {
                    split.remote_feed_guid = attr(e, "feedGuid");
                    split.remote_item_guid = attr(e, "itemGuid");
                    split.remote_feed_url = attr(e, "feedUrl");
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: &str) {
        if let Some(field) = self.field.take() {
            let text = display_safe(&std::mem::take(&mut self.text), TITLE_CHARS);
            self.store(field, text);
        }
        match name {
            "item" => {
                if let Some(item) = self.item.take()
                    && self.feed.items.len() < MAX_ITEMS
                {
                    self.feed.items.push(item);
                }
            }
            "podcast:value" => {
                if let Some(block) = self.block.take() {
                    match &mut self.item {
                        Some(item) => item.values.push(block),
                        None => self.feed.values.push(block),
                    }
                }
            }
            "podcast:valueTimeSplit" => {
                if let (Some(split), Some(block)) = (self.time_split.take(), &mut self.block) {
                    block.time_splits.push(split);
                }
            }
            _ => {}
        }
    }

    fn collect(&mut self, field: Field) {
        self.field = Some(field);
        self.text.clear();
    }

    fn push_text(&mut self, text: &str) {
        if self.field.is_some() && self.text.len() < TITLE_CHARS * 8 {
            self.text.push_str(text);
        }
    }

    fn store(&mut self, field: Field, text: String) {
        let text = Some(text).filter(|t| !t.is_empty());
        match (field, &mut self.item) {
            (Field::ShowTitle, None) => self.feed.title = text.unwrap_or_default(),
            (Field::ShowGuid, None) => self.feed.guid = text,
            (Field::ItemTitle, Some(item)) => item.title = text.unwrap_or_default(),
            (Field::ItemGuid, Some(item)) => item.guid = text,
            (Field::ItemDate, Some(item)) => item.published = text,
            _ => {}
        }
    }
}

/// An element's qualified name as text.
fn name(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.name().as_ref()).into_owned()
}

/// An attribute's value, unescaped (predefined entities and character
/// references only), as written otherwise.
fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    let found = e
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key.as_bytes())?;
    Some(
        match found.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
            Ok(value) => value.into_owned(),
            Err(_) => String::from_utf8_lossy(&found.value).into_owned(),
        },
    )
}

fn block(e: &BytesStart<'_>) -> RawBlock {
    RawBlock {
        kind: attr(e, "type").unwrap_or_default(),
        method: attr(e, "method").unwrap_or_default(),
        suggested: attr(e, "suggested"),
        ..RawBlock::default()
    }
}

fn recipient(e: &BytesStart<'_>) -> RawRecipient {
    RawRecipient {
        name: attr(e, "name"),
        kind: attr(e, "type").unwrap_or_default(),
        address: attr(e, "address").unwrap_or_default(),
        custom_key: attr(e, "customKey"),
        custom_value: attr(e, "customValue"),
        split: attr(e, "split").unwrap_or_default(),
        fee: attr(e, "fee"),
    }
}

fn time_split(e: &BytesStart<'_>) -> TimeSplit {
    let safe = |key| attr(e, key).map(|v| display_safe(&v, TITLE_CHARS));
    TimeSplit {
        start_time: safe("startTime").unwrap_or_default(),
        duration: safe("duration").unwrap_or_default(),
        remote_percentage: safe("remotePercentage"),
        ..TimeSplit::default()
    }
}

/// A character reference or one of XML's five predefined entities; any
/// other entity is dropped (never expanded).
fn reference(r: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    if r.is_char_ref() {
        return r.resolve_char_ref().ok().flatten();
    }
    let name: &[u8] = r;
    match name {
        b"amp" => Some('&'),
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"quot" => Some('"'),
        b"apos" => Some('\''),
        _ => None,
    }
}

#[cfg(test)]
#[path = "feed_tests.rs"]
mod tests;
