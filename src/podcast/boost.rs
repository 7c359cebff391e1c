//! What each leg of a boost carries: the bLIP-10 JSON in record 7629169
//! (research notes §1.4 and value-for-value b5) and the recipient's
//! customKey/customValue record. One function, used for the first send and
//! for every retry, so a retried leg carries the same metadata.

use serde::{Deserialize, Serialize};

use super::split::Leg;
use crate::keysend::outgoing::Tip;
use crate::keysend::{Boostagram, Msat, Records};

/// The app name sent in `app_name`.
pub const APP_NAME: &str = "Satchel";

/// What the listener boosts and says; the same on every leg.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BoostContext {
    /// Show title (`podcast`).
    pub podcast: String,
    /// Feed URL (`url`), when the feed came from the web.
    pub url: Option<String>,
    /// `<podcast:guid>` of the show (`guid`).
    pub guid: Option<String>,
    /// Episode title (`episode`).
    pub episode: Option<String>,
    /// Episode guid (`episode_guid`).
    pub episode_guid: Option<String>,
    pub message: Option<String>,
    pub sender_name: Option<String>,
    /// Whole amount of the boost in msat (`value_msat_total`).
    pub total_msat: u64,
}

/// The bLIP-10 JSON of one leg.
pub fn boostagram(
    context: &BoostContext,
    leg_name: &str,
    amount: Msat,
    boost_uuid: &str,
    leg_uuid: &str,
) -> Boostagram {
    let text = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Boostagram {
        action: Some("boost".into()),
        podcast: Some(context.podcast.clone()).filter(|p| !p.is_empty()),
        url: text(&context.url),
        guid: text(&context.guid),
        episode: text(&context.episode),
        episode_guid: text(&context.episode_guid),
        app_name: Some(APP_NAME.into()),
        app_version: Some(env!("CARGO_PKG_VERSION").into()),
        message: text(&context.message),
        name: Some(leg_name.to_owned()).filter(|n| !n.is_empty()),
        sender_name: text(&context.sender_name),
        value_msat: Some(amount.0),
        value_msat_total: Some(context.total_msat),
        uuid: Some(leg_uuid.to_owned()),
        boost_uuid: Some(boost_uuid.to_owned()),
        ..Boostagram::default()
    }
}

/// The tip of one leg: its boostagram and its custom record.
pub fn leg_tip(context: &BoostContext, leg: &Leg, boost_uuid: &str, leg_uuid: &str) -> Tip {
    let mut extra = Records::new();
    if let Some(custom) = &leg.custom {
        let _previous = extra.insert(custom.key, custom.value.as_bytes().to_vec());
    }
    Tip {
        boostagram: Some(boostagram(
            context, &leg.name, leg.amount, boost_uuid, leg_uuid,
        )),
        extra,
        ..Tip::default()
    }
}

/// A fresh random id (UUID v4 text).
pub fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::record;
    use crate::podcast::example::node;
    use crate::podcast::value::Custom;

    #[test]
    fn every_field_of_a_leg() {
        let context = BoostContext {
            podcast: "Show".into(),
            url: Some("https://example.com/feed.xml".into()),
            guid: Some("g-1".into()),
            episode: Some("Ep 2".into()),
            episode_guid: Some("ep-2".into()),
            message: Some(" great show ".into()),
            sender_name: Some("me".into()),
            total_msat: 10_000,
        };
        let leg = Leg {
            name: "Dave".into(),
            node: node(2),
            custom: Some(Custom {
                key: 696_969,
                value: "w1".into(),
            }),
            split: 46,
            fee: false,
            exact: Msat(4_554),
            amount: Msat(5_000),
        };
        let records = leg_tip(&context, &leg, "B", "L").records().unwrap();
        assert_eq!(records.get(&696_969).map(Vec::as_slice), Some(&b"w1"[..]));
        let json = String::from_utf8(records[&record::BOOSTAGRAM].clone()).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        let expected = serde_json::json!({
            "action": "boost", "podcast": "Show", "url": "https://example.com/feed.xml",
            "guid": "g-1", "episode": "Ep 2", "episode_guid": "ep-2", "app_name": "Satchel",
            "app_version": env!("CARGO_PKG_VERSION"), "message": "great show", "name": "Dave",
            "sender_name": "me", "value_msat": 5000, "value_msat_total": 10000,
            "uuid": "L", "boost_uuid": "B",
        });
        assert_eq!(parsed, expected);
        assert_eq!(records.len(), 2, "no message record besides the boostagram");
    }
}
