//! `satchel boosts`: received boosts grouped by `boost_uuid`, what arrived
//! next to what each boost claims, totals per podcast and episode, and
//! supporters ranked (verified by node id, the rest by the name they give).

use serde::Serialize;

use super::args::BoostsArgs;
use super::exit::CliError;
use super::history;
use super::report::{local_time, print_json, progress, safe, sats};
use crate::keysend::Msat;
use crate::node::SharedNode;
use crate::store::Paths;
use crate::wallet::{self, Boost, BoostFilter, PodcastTotal, Supporter};

/// Senders checked before ranking supporters, at most.
const VERIFY_AT_MOST: u64 = 5_000;
/// Supporters listed.
const SUPPORTERS: u64 = 20;

#[derive(Debug, Serialize)]
struct BoostsJson {
    boosts: Vec<BoostJson>,
    podcasts: Vec<TotalJson>,
    episodes: Vec<TotalJson>,
    supporters: Vec<SupporterJson>,
}

#[derive(Debug, Serialize)]
struct BoostJson {
    boost_uuid: Option<String>,
    podcast: Option<String>,
    episode: Option<String>,
    /// The sender's own name for itself (a claim).
    sender_name: Option<String>,
    message: Option<String>,
    /// Unix seconds of the newest leg.
    at: i64,
    received_msat: u64,
    /// `value_msat_total` as the boostagram states it: a claim.
    claimed_total_msat: Option<u64>,
    legs: Vec<LegJson>,
}

#[derive(Debug, Serialize)]
struct LegJson {
    hash: String,
    amount_msat: u64,
    settled_at: i64,
}

#[derive(Debug, Serialize)]
struct TotalJson {
    podcast: String,
    episode: Option<String>,
    legs: u64,
    received_msat: u64,
}

#[derive(Debug, Serialize)]
struct SupporterJson {
    /// `verified` (by node id) or `claimed` (by the name given, or none).
    status: &'static str,
    pubkey: Option<String>,
    name: Option<String>,
    legs: u64,
    received_msat: u64,
}

impl BoostJson {
    fn of(boost: &Boost) -> Self {
        Self {
            boost_uuid: boost.boost_uuid.clone(),
            podcast: boost.podcast.clone(),
            episode: boost.episode.clone(),
            sender_name: boost.sender_name.clone(),
            message: boost.message.clone(),
            at: boost.at,
            received_msat: boost.received.0,
            claimed_total_msat: boost.claimed_total.map(|m| m.0),
            legs: boost
                .legs
                .iter()
                .map(|l| LegJson {
                    hash: l.hash.to_hex(),
                    amount_msat: l.amount.0,
                    settled_at: l.settled_at,
                })
                .collect(),
        }
    }
}

impl TotalJson {
    fn of(total: &PodcastTotal) -> Self {
        Self {
            podcast: total.podcast.clone(),
            episode: total.episode.clone(),
            legs: total.legs,
            received_msat: total.received.0,
        }
    }
}

impl SupporterJson {
    fn of(supporter: &Supporter) -> Self {
        Self {
            status: match supporter.verified {
                Some(_) => "verified",
                None => "claimed",
            },
            pubkey: supporter.verified.map(|k| k.to_hex()),
            name: supporter.claimed_name.clone(),
            legs: supporter.legs,
            received_msat: supporter.received.0,
        }
    }
}

/// Run `boosts` on a connected node.
pub async fn run(node: &SharedNode, paths: &Paths, args: &BoostsArgs) -> Result<(), CliError> {
    let since = match &args.since {
        Some(text) => wallet::parse_since(text).map_err(CliError::BadInput)?,
        None => i64::MIN,
    };
    let until = match &args.until {
        Some(text) => wallet::parse_until(text).map_err(CliError::BadInput)?,
        None => i64::MAX,
    };
    let filter = BoostFilter {
        podcast: args.podcast.clone(),
        since,
        until,
        limit: args.limit as u64,
    };
    let index = history::open_node(node, paths).await?.index;
    let _stats = history::backfill(node, &index).await?;
    let me = node.info().await?.id;
    let _ = index.verify_pending(&me, VERIFY_AT_MOST)?;
    let boosts = index.boosts(&filter)?;
    let totals = index.podcast_totals(&filter)?;
    let supporters = index.supporters(&filter, SUPPORTERS)?;
    let (podcasts, episodes): (Vec<_>, Vec<_>) = totals.iter().partition(|t| t.episode.is_none());
    let json = BoostsJson {
        boosts: boosts.iter().map(BoostJson::of).collect(),
        podcasts: podcasts.into_iter().map(TotalJson::of).collect(),
        episodes: episodes.into_iter().map(TotalJson::of).collect(),
        supporters: supporters.iter().map(SupporterJson::of).collect(),
    };
    if args.json {
        return print_json(&json);
    }
    print_text(&json);
    Ok(())
}

fn print_text(json: &BoostsJson) {
    if json.boosts.is_empty() {
        progress("No boosts match.");
    }
    for boost in &json.boosts {
        println!("{}", boost_text(boost));
    }
    if !json.podcasts.is_empty() {
        println!("\nReceived per podcast:");
    }
    for total in &json.podcasts {
        println!(
            "  {}  {} in {} legs",
            safe(&total.podcast, 64),
            sats(Msat(total.received_msat)),
            total.legs
        );
        for episode in json.episodes.iter().filter(|e| e.podcast == total.podcast) {
            println!(
                "    {}  {}",
                safe(episode.episode.as_deref().unwrap_or("(no episode)"), 64),
                sats(Msat(episode.received_msat))
            );
        }
    }
    if !json.supporters.is_empty() {
        println!("\nSupporters (verified by node id; claimed names are unproven):");
    }
    for supporter in &json.supporters {
        let who = match (&supporter.pubkey, &supporter.name) {
            (Some(key), _) => format!("{key} (verified)"),
            (None, Some(name)) => format!("calls itself {:?} (claimed)", safe(name, 64)),
            (None, None) => "anonymous".to_owned(),
        };
        println!("  {}  {who}", sats(Msat(supporter.received_msat)));
    }
}

/// `2025-01-02 10:00  30 sat (claims 100 sat in all)  Noded / Ep 1  from "ann"`,
/// then the message and, for several legs, each leg.
fn boost_text(boost: &BoostJson) -> String {
    let mut text = format!(
        "{}  {}",
        local_time(boost.at),
        sats(Msat(boost.received_msat))
    );
    if let Some(total) = boost.claimed_total_msat {
        text.push_str(&format!(" (claims {} in all)", sats(Msat(total))));
    }
    let title = [boost.podcast.as_deref(), boost.episode.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" / ");
    if !title.is_empty() {
        text.push_str(&format!("  {title}"));
    }
    if let Some(name) = &boost.sender_name {
        text.push_str(&format!("  from {name:?}"));
    }
    if let Some(message) = &boost.message {
        text.push_str(&format!("\n    {message}"));
    }
    if boost.legs.len() > 1 {
        for leg in &boost.legs {
            text.push_str(&format!(
                "\n    leg {}  {}",
                &leg.hash[..12],
                sats(Msat(leg.amount_msat))
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grouped_boost_lists_its_legs_and_the_claim_apart() {
        let boost = BoostJson {
            boost_uuid: Some("u1".into()),
            podcast: Some("Noded".into()),
            episode: Some("Ep 1".into()),
            sender_name: Some("ann".into()),
            message: Some("great".into()),
            at: 0,
            received_msat: 30_000,
            claimed_total_msat: Some(100_000),
            legs: vec![
                LegJson {
                    hash: "aa".repeat(32),
                    amount_msat: 10_000,
                    settled_at: 0,
                },
                LegJson {
                    hash: "bb".repeat(32),
                    amount_msat: 20_000,
                    settled_at: 0,
                },
            ],
        };
        let text = boost_text(&boost);
        assert!(
            text.contains("30 sat (claims 100 sat in all)  Noded / Ep 1  from \"ann\""),
            "{text}"
        );
        assert!(text.contains("leg aaaaaaaaaaaa  10 sat"), "{text}");
        assert!(text.contains("leg bbbbbbbbbbbb  20 sat"), "{text}");
    }
}
