//! The value block a boost pays: `<podcast:value>` and its
//! `<podcast:valueRecipient>`s as the feed wrote them ([`RawBlock`]), and the
//! checked, payable form ([`ValueBlock`]) with every recipient that cannot be
//! paid listed with the reason.
//!
//! Spec: podcast-namespace `docs/tags/value.md`, `value-recipient.md`.

use crate::keysend::text::display_safe;
use crate::keysend::{NodeId, record};

/// Most legs one boost pays: each leg is its own payment with its own
/// routing fee, and a longer block is more likely a mistake or abuse.
pub const MAX_RECIPIENTS: usize = 25;
/// Largest split accepted (splits are small shares or percentages).
pub const MAX_SPLIT: u64 = 1_000_000_000;
/// LND: custom records must be >= 65536.
pub const FIRST_CUSTOM_KEY: u64 = 65_536;
/// Records a boost leg sets itself, so a feed's customKey cannot be one.
const SET_BY_SATCHEL: [u64; 6] = [
    record::KEYSEND_PREIMAGE,
    record::BOOSTAGRAM,
    record::MESSAGE,
    record::SENDER_PUBKEY,
    record::TIMESTAMP,
    record::SIGNATURE,
];
/// Display cap for names and addresses from a feed, in characters.
pub const NAME_CHARS: usize = 80;
/// Display cap for a customValue, in bytes sent as is.
pub const CUSTOM_VALUE_BYTES: usize = 256;

/// A `<podcast:value>` element as written in the feed (attributes verbatim).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawBlock {
    /// `type`: `lightning` for Lightning.
    pub kind: String,
    /// `method`: `keysend` (or `lnaddress`, `amp`, ...).
    pub method: String,
    /// `suggested`: suggested sats per minute for streams, as written.
    pub suggested: Option<String>,
    pub recipients: Vec<RawRecipient>,
    /// `<podcast:valueTimeSplit>` windows (kept for streams, not used by boosts).
    pub time_splits: Vec<TimeSplit>,
}

/// A `<podcast:valueRecipient>` as written in the feed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawRecipient {
    pub name: Option<String>,
    /// `type`: `node` for a keysend pubkey, `lnaddress`, ...
    pub kind: String,
    pub address: String,
    pub custom_key: Option<String>,
    pub custom_value: Option<String>,
    pub split: String,
    pub fee: Option<String>,
}

/// A `<podcast:valueTimeSplit>` window (attributes as written, display-safe).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimeSplit {
    pub start_time: String,
    pub duration: String,
    pub remote_percentage: Option<String>,
    /// `remoteItem` feed guid and item guid, when the window pays another item.
    pub remote_feed_guid: Option<String>,
    pub remote_item_guid: Option<String>,
    /// `remoteItem feedUrl`, when the tag says where the remote feed is.
    pub remote_feed_url: Option<String>,
    /// Local recipients of the window, when it lists its own.
    pub recipients: Vec<RawRecipient>,
}

/// The customKey/customValue record a shared-node wallet needs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Custom {
    pub key: u64,
    /// Sent as UTF-8 bytes, exactly as the feed wrote it.
    pub value: String,
}

/// A recipient that can be paid by keysend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// Display-safe name ("" when the feed gave none).
    pub name: String,
    pub node: NodeId,
    pub custom: Option<Custom>,
    pub split: u64,
    /// `fee="true"`: the split is a percentage of the whole, off the top.
    pub fee: bool,
}

impl Recipient {
    /// The name, or the short node id when the feed gave none.
    pub fn label(&self) -> String {
        label(&self.name, &self.node)
    }
}

/// A recipient's name, or its short node id when the feed gave none.
pub fn label(name: &str, node: &NodeId) -> String {
    if name.is_empty() {
        node.short()
    } else {
        name.to_owned()
    }
}

/// A recipient left out, with the reason (all display-safe).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub name: String,
    pub address: String,
    pub reason: String,
}

/// A checked block: who gets paid, who was left out and why, and which
/// recipients were merged because they appeared more than once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueBlock {
    pub recipients: Vec<Recipient>,
    pub skipped: Vec<Skipped>,
    /// Display names of duplicate recipients merged into an earlier one.
    pub merged: Vec<String>,
}

/// Why a block cannot be paid at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("the feed has no podcast:value block for this episode or the show")]
    NoValueBlock,
    #[error("the value block is type {0:?}; Satchel pays only type \"lightning\"")]
    NotLightning(String),
    #[error("the value block's method is {0:?}; Satchel pays only method \"keysend\" so far")]
    NotKeysend(String),
    #[error("no recipient of the value block can be paid by keysend ({skipped} skipped)")]
    NoRecipients { skipped: usize },
    #[error("every recipient's split is 0, so there is nothing to share out")]
    AllSplitsZero,
    #[error("fee recipients' splits add up to {0} %, more than the whole boost")]
    FeesOverWhole(u64),
    #[error("fee recipients take the whole boost, so the other recipients would get nothing")]
    FeesTakeAll,
    #[error(
        "fee recipients take {0} % and no other recipient has a share, so the rest would go to nobody"
    )]
    NoShares(u64),
    #[error(
        "the value block has {0} recipients; Satchel pays at most {MAX_RECIPIENTS} in one boost, \
         because each is its own payment with its own routing fee"
    )]
    TooManyRecipients(usize),
}

impl RawBlock {
    /// Check the block and build the payable form.
    pub fn check(&self) -> Result<ValueBlock, ValueError> {
        if !self.kind.trim().eq_ignore_ascii_case("lightning") {
            return Err(ValueError::NotLightning(display_safe(
                &self.kind, NAME_CHARS,
            )));
        }
        if !self.method.trim().eq_ignore_ascii_case("keysend") {
            return Err(ValueError::NotKeysend(display_safe(
                &self.method,
                NAME_CHARS,
            )));
        }
        let mut block = ValueBlock {
            recipients: Vec::new(),
            skipped: Vec::new(),
            merged: Vec::new(),
        };
        for raw in &self.recipients {
            match raw.check() {
                Ok(recipient) => block.add(recipient),
                Err(reason) => block.skipped.push(raw.skipped(reason)),
            }
        }
        block.validate()?;
        Ok(block)
    }
}

impl ValueBlock {
    /// Add a recipient, merging it into an earlier one with the same node,
    /// custom record and fee flag (their splits add up).
    fn add(&mut self, recipient: Recipient) {
        let same = self.recipients.iter_mut().find(|r| {
            r.node == recipient.node && r.custom == recipient.custom && r.fee == recipient.fee
        });
        match same {
            Some(earlier) => {
                earlier.split = earlier.split.saturating_add(recipient.split);
                self.merged.push(recipient.label());
            }
            None => self.recipients.push(recipient),
        }
    }

    /// The whole-block rules, once recipients are known.
    fn validate(&mut self) -> Result<(), ValueError> {
        let zero: Vec<Recipient> = self
            .recipients
            .iter()
            .filter(|r| r.split == 0)
            .cloned()
            .collect();
        self.recipients.retain(|r| r.split > 0);
        if self.recipients.is_empty() {
            if !zero.is_empty() {
                return Err(ValueError::AllSplitsZero);
            }
            return Err(ValueError::NoRecipients {
                skipped: self.skipped.len(),
            });
        }
        for r in zero {
            self.skipped.push(Skipped {
                name: r.label(),
                address: r.node.to_string(),
                reason: "split is 0".into(),
            });
        }
        if self.recipients.len() > MAX_RECIPIENTS {
            return Err(ValueError::TooManyRecipients(self.recipients.len()));
        }
        let fees = self.fee_percent();
        if fees > 100 {
            return Err(ValueError::FeesOverWhole(fees));
        }
        if fees == 100 && self.shares() > 0 {
            return Err(ValueError::FeesTakeAll);
        }
        if fees < 100 && self.shares() == 0 {
            return Err(ValueError::NoShares(fees));
        }
        Ok(())
    }

    /// Sum of the fee recipients' splits, in percent.
    pub fn fee_percent(&self) -> u64 {
        self.recipients
            .iter()
            .filter(|r| r.fee)
            .map(|r| r.split)
            .sum()
    }

    /// Sum of the other recipients' shares.
    pub fn shares(&self) -> u64 {
        self.recipients
            .iter()
            .filter(|r| !r.fee)
            .map(|r| r.split)
            .sum()
    }
}

impl RawRecipient {
    /// The payable recipient, or why it cannot be paid.
    fn check(&self) -> Result<Recipient, String> {
        let kind = self.kind.trim();
        // Resolved ones became `node` (payto::value); these did not.
        if kind.eq_ignore_ascii_case("lnaddress") {
            return Err("the Lightning Address did not resolve to a keysend node".into());
        }
        if !kind.eq_ignore_ascii_case("node") {
            return Err(format!(
                "type {:?} is not payable yet: Satchel pays keysend to node pubkeys only",
                display_safe(kind, NAME_CHARS)
            ));
        }
        let node: NodeId = self
            .address
            .trim()
            .parse()
            .map_err(|e| format!("address is not a node pubkey ({e})"))?;
        let split = parse_split(&self.split)?;
        let fee = match self.fee.as_deref().map(str::trim) {
            None | Some("") => false,
            Some(f) if f.eq_ignore_ascii_case("true") => true,
            Some(f) if f.eq_ignore_ascii_case("false") => false,
            Some(f) => {
                return Err(format!(
                    "fee is {:?}, not true or false",
                    display_safe(f, NAME_CHARS)
                ));
            }
        };
        Ok(Recipient {
            name: self
                .name
                .as_deref()
                .map_or_else(String::new, |n| display_safe(n, NAME_CHARS)),
            node,
            custom: self.custom()?,
            split,
            fee,
        })
    }

    /// The custom record, checked: a number >= 65536 with a value.
    fn custom(&self) -> Result<Option<Custom>, String> {
        let key = self
            .custom_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty());
        let Some(key) = key else {
            return Ok(None);
        };
        let key: u64 = key.parse().map_err(|_| {
            format!(
                "customKey {:?} is not a number",
                display_safe(key, NAME_CHARS)
            )
        })?;
        if key < FIRST_CUSTOM_KEY {
            return Err(format!(
                "customKey {key} is below {FIRST_CUSTOM_KEY}, which LND refuses"
            ));
        }
        if SET_BY_SATCHEL.contains(&key) {
            return Err(format!(
                "customKey {key} is a record Satchel sets itself on every boost"
            ));
        }
        let value = self.custom_value.clone().unwrap_or_default();
        if value.len() > CUSTOM_VALUE_BYTES {
            return Err(format!(
                "customValue is {} bytes, more than {CUSTOM_VALUE_BYTES}",
                value.len()
            ));
        }
        Ok(Some(Custom { key, value }))
    }

    /// This recipient as left out for `reason`.
    fn skipped(&self, reason: String) -> Skipped {
        Skipped {
            name: self
                .name
                .as_deref()
                .map_or_else(String::new, |n| display_safe(n, NAME_CHARS)),
            address: display_safe(&self.address, NAME_CHARS),
            reason,
        }
    }
}

/// A split: a whole number from 0 to [`MAX_SPLIT`].
fn parse_split(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let shown = || display_safe(text, NAME_CHARS);
    if text.starts_with('-') {
        return Err(format!("split {:?} is negative", shown()));
    }
    let split: u64 = text
        .parse()
        .map_err(|_| format!("split {:?} is not a whole number", shown()))?;
    if split > MAX_SPLIT {
        return Err(format!("split {split} is larger than {MAX_SPLIT}"));
    }
    Ok(split)
}

#[cfg(test)]
#[path = "value_tests.rs"]
mod tests;
