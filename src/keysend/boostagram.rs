//! Podcasting 2.0 boostagrams: the bLIP-10 JSON in record 7629169
//! (research notes, section 1.4).
//!
//! Parsing is lenient because apps disagree: numbers may come as strings and
//! strings as numbers, `null` means absent, unknown keys are ignored, and for a
//! duplicated key the last value wins. It is also defensive: input over 64 KiB
//! or nested deeper than 32 levels is refused before parsing, and every string
//! is sanitised for display and capped. `sender_name` and friends are claims,
//! never proof of who paid.

use serde_json::{Map, Value};

use super::text::{display_safe, display_safe_multiline};

/// Largest JSON accepted, in bytes (the whole onion is 1300 bytes anyway).
pub const MAX_JSON_BYTES: usize = 64 * 1024;
/// Deepest nesting of arrays and objects accepted (bLIP-10 JSON is flat).
pub const MAX_DEPTH: usize = 32;
/// Display cap for the message, in characters.
pub const MESSAGE_CHARS: usize = 4096;
/// Display cap for titles, names and other short text, in characters.
const SHORT_CHARS: usize = 256;
/// Display cap for URLs and links, in characters.
const LINK_CHARS: usize = 1024;

/// A boostagram: the fields a UI shows, display-safe, plus the JSON text it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Boostagram {
    /// Podcast title.
    pub podcast: Option<String>,
    /// PodcastIndex feed id (`feedID`).
    pub feed_id: Option<u64>,
    /// RSS feed URL. Shown as text, never opened automatically.
    pub url: Option<String>,
    /// `<podcast:guid>` of the feed.
    pub guid: Option<String>,
    /// Episode title.
    pub episode: Option<String>,
    /// PodcastIndex episode id (`itemID`); text because some apps put a GUID here.
    pub item_id: Option<String>,
    /// Episode GUID.
    pub episode_guid: Option<String>,
    /// Playback position in seconds.
    pub ts: Option<u64>,
    /// Playback position as `HH:MM:SS`.
    pub time: Option<String>,
    /// `boost`, `stream` or `auto`.
    pub action: Option<String>,
    /// Sending app.
    pub app_name: Option<String>,
    /// Sending app version.
    pub app_version: Option<String>,
    /// App link to the boosted moment. Shown as text, never opened automatically.
    pub boost_link: Option<String>,
    /// The boostagram message (line breaks kept).
    pub message: Option<String>,
    /// Name of this split in the value block.
    pub name: Option<String>,
    /// Sender's self-chosen name (a claim).
    pub sender_name: Option<String>,
    /// Sender's static random id (a claim).
    pub sender_id: Option<String>,
    /// Sender's node key (a claim).
    pub sender_key: Option<String>,
    /// Sending node pubkey (a claim).
    pub pubkey: Option<String>,
    /// This split's amount, msat.
    pub value_msat: Option<u64>,
    /// Whole amount the listener entered, msat.
    pub value_msat_total: Option<u64>,
    /// Id of this payment.
    pub uuid: Option<String>,
    /// Id shared by all splits of one boost.
    pub boost_uuid: Option<String>,
    /// Where to reply: keysend pubkey or lightning address (a claim).
    pub reply_address: Option<String>,
    /// Playback speed.
    pub speed: Option<String>,
    /// The JSON as received (empty for one built to send). Not sanitised:
    /// pass it through `text::display_safe_multiline` before showing it.
    pub raw: String,
}

/// Why a record is not a boostagram.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoostagramError {
    #[error("boostagram is {0} bytes; more than 64 KiB is refused")]
    TooLarge(usize),
    #[error("boostagram JSON is nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("boostagram is not valid JSON (line {line}, column {column})")]
    Json { line: usize, column: usize },
    #[error("boostagram JSON is not an object")]
    NotAnObject,
}

impl Boostagram {
    /// Parse record 7629169. Never panics; refuses oversize or deep input before parsing.
    pub fn parse(bytes: &[u8]) -> Result<Self, BoostagramError> {
        if bytes.len() > MAX_JSON_BYTES {
            return Err(BoostagramError::TooLarge(bytes.len()));
        }
        if !depth_within(bytes, MAX_DEPTH) {
            return Err(BoostagramError::TooDeep);
        }
        let value: Value = serde_json::from_slice(bytes).map_err(|e| BoostagramError::Json {
            line: e.line(),
            column: e.column(),
        })?;
        let Value::Object(map) = value else {
            return Err(BoostagramError::NotAnObject);
        };
        let mut boost = Self::from_map(&map);
        boost.raw = String::from_utf8_lossy(bytes).into_owned();
        Ok(boost)
    }

    /// Read the known keys of a parsed object.
    fn from_map(map: &Map<String, Value>) -> Self {
        let short = |key| text(map, key, SHORT_CHARS);
        let link = |key| text(map, key, LINK_CHARS);
        Self {
            podcast: short("podcast"),
            feed_id: number(map, "feedID"),
            url: link("url"),
            guid: short("guid"),
            episode: short("episode"),
            item_id: short("itemID"),
            episode_guid: short("episode_guid"),
            ts: number(map, "ts"),
            time: short("time"),
            action: short("action"),
            app_name: short("app_name"),
            app_version: short("app_version"),
            boost_link: link("boost_link"),
            message: map
                .get("message")
                .and_then(scalar_text)
                .map(|m| display_safe_multiline(&m, MESSAGE_CHARS)),
            name: short("name"),
            sender_name: short("sender_name"),
            sender_id: short("sender_id"),
            sender_key: short("sender_key"),
            pubkey: short("pubkey"),
            value_msat: number(map, "value_msat"),
            value_msat_total: number(map, "value_msat_total"),
            uuid: short("uuid"),
            boost_uuid: short("boost_uuid"),
            reply_address: link("reply_address"),
            speed: short("speed"),
            raw: String::new(),
        }
        .without_empty_message()
    }

    /// A message that sanitised to nothing is no message.
    fn without_empty_message(mut self) -> Self {
        self.message = self.message.filter(|m| !m.is_empty());
        self
    }

    /// bLIP-10 JSON for sending, keys in a fixed order, absent fields left out.
    pub fn to_json(&self) -> String {
        let mut fields: Vec<(&str, Value)> = Vec::new();
        let mut put = |key, value: Option<Value>| {
            if let Some(value) = value {
                fields.push((key, value));
            }
        };
        let string = |s: &Option<String>| s.clone().map(Value::from);
        let int = |n: &Option<u64>| n.map(Value::from);
        put("podcast", string(&self.podcast));
        put("feedID", int(&self.feed_id));
        put("url", string(&self.url));
        put("guid", string(&self.guid));
        put("episode", string(&self.episode));
        put("itemID", self.item_id.as_deref().map(id_value));
        put("episode_guid", string(&self.episode_guid));
        put("ts", int(&self.ts));
        put("time", string(&self.time));
        put("action", string(&self.action));
        put("app_name", string(&self.app_name));
        put("app_version", string(&self.app_version));
        put("boost_link", string(&self.boost_link));
        put("message", string(&self.message));
        put("name", string(&self.name));
        put("sender_name", string(&self.sender_name));
        put("sender_id", string(&self.sender_id));
        put("sender_key", string(&self.sender_key));
        put("pubkey", string(&self.pubkey));
        put("value_msat", int(&self.value_msat));
        put("value_msat_total", int(&self.value_msat_total));
        put("uuid", string(&self.uuid));
        put("boost_uuid", string(&self.boost_uuid));
        put("reply_address", string(&self.reply_address));
        put("speed", string(&self.speed));
        let body: Vec<String> = fields
            .iter()
            .map(|(key, value)| format!("{}:{value}", Value::from(*key)))
            .collect();
        format!("{{{}}}", body.join(","))
    }
}

/// bLIP-10 says `itemID` is a number: send digits as one, anything else as text.
fn id_value(id: &str) -> Value {
    id.parse::<u64>()
        .map_or_else(|_| Value::from(id), Value::from)
}

/// A short field as display-safe text; numbers and booleans become their text.
fn text(map: &Map<String, Value>, key: &str, max_chars: usize) -> Option<String> {
    let raw = scalar_text(map.get(key)?)?;
    Some(display_safe(&raw, max_chars)).filter(|s| !s.is_empty())
}

/// The text of a scalar JSON value; `None` for null, arrays and objects.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// A whole non-negative number, given as a JSON number or as text.
fn number(map: &Map<String, Value>, key: &str) -> Option<u64> {
    match map.get(key)? {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().and_then(whole)),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<u64>()
                .ok()
                .or_else(|| s.parse::<f64>().ok().and_then(whole))
        }
        _ => None,
    }
}

/// `12.0` -> 12; fractions, negatives, NaN and values past 2^53 -> `None`.
fn whole(f: f64) -> Option<u64> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    (f.fract() == 0.0 && (0.0..=EXACT).contains(&f)).then_some(f as u64)
}

/// True when arrays and objects nest at most `max` deep (strings skipped).
fn depth_within(bytes: &[u8], max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &byte in bytes {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return false;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    true
}

#[cfg(test)]
#[path = "boostagram_tests.rs"]
mod tests;
