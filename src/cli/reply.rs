//! `satchel reply` and `satchel refund`: pay the sender of a received
//! keysend, carrying its payment hash in the "in reply to" record
//! ([`record::IN_REPLY_TO`]). Both go through `send` (journal first).
//!
//! Who gets paid: a verified sender's key. A key that is only claimed (no
//! signature, or one we could not check) is paid only after a warning that
//! is always printed, `--yes` or not; a refund to a forged or anonymous
//! sender is refused, with why.

use super::args::{RefundArgs, ReplyArgs, SendArgs};
use super::exit::CliError;
use super::history;
use super::report::{progress, safe, sats};
use crate::keysend::record;
use crate::keysend::{Boostagram, Msat, NodeId, PaymentHash};
use crate::node::SharedNode;
use crate::store::Paths;
use crate::wallet::{self, InboxDetail, ShownSender, Who};

/// The received keysend answered, and what its sender is.
struct Original {
    detail: InboxDetail,
    shown: ShownSender,
}

/// Where a reply goes and the records it carries besides the message.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    id: NodeId,
    /// `TYPE=HEX` records for `send --record`.
    records: Vec<String>,
    /// Printed before anything is sent; `--yes` does not hide it.
    warnings: Vec<String>,
}

/// Run `reply`.
pub async fn reply(node: &SharedNode, paths: &Paths, args: &ReplyArgs) -> Result<(), CliError> {
    let original = find(node, paths, &args.hash).await?;
    let target = reply_target(&original)?;
    let send = SendArgs {
        json: false,
        destination: target.id.to_hex(),
        sats: Some(args.sats.clone()),
        sign: args.message.is_some(),
        message: args.message.clone(),
        fee_limit: None,
        records: target.records.clone(),
        yes: args.yes,
        beyond: Default::default(),
    };
    go(node, paths, &original, &target, send).await
}

/// Run `refund`.
pub async fn refund(node: &SharedNode, paths: &Paths, args: &RefundArgs) -> Result<(), CliError> {
    let original = find(node, paths, &args.hash).await?;
    let target = refund_target(&original)?;
    let amount = match &args.sats {
        Some(text) => Msat::parse_sats(text).map_err(|source| CliError::BadAmount {
            text: safe(text, 40),
            source,
        })?,
        None => original.detail.amount,
    };
    if amount > original.detail.amount {
        return Err(CliError::BadInput(format!(
            "a refund can return at most what was received: {} (asked: {})",
            sats(original.detail.amount),
            sats(amount)
        )));
    }
    let hash = original.detail.hash.to_hex();
    let send = SendArgs {
        json: false,
        destination: target.id.to_hex(),
        sats: Some(amount.sats().to_string()),
        sign: true,
        message: Some(format!("Refund of payment {}", &hash[..16])),
        fee_limit: None,
        records: target.records.clone(),
        yes: args.yes,
        beyond: Default::default(),
    };
    if amount.0 % 1000 != 0 {
        progress("note: the refund is rounded down to whole sats.");
    }
    go(node, paths, &original, &target, send).await
}

/// Print what is answered and every warning, then send.
async fn go(
    node: &SharedNode,
    paths: &Paths,
    original: &Original,
    target: &Target,
    send: SendArgs,
) -> Result<(), CliError> {
    progress(&format!(
        "Answering {} from {} ({}).",
        sats(original.detail.amount),
        original.shown.summary(),
        &original.detail.hash.to_hex()[..16]
    ));
    for warning in &target.warnings {
        progress(&format!("warning: {warning}"));
    }
    super::send::run(node, paths, &send).await
}

/// The one received keysend whose hash starts with `prefix`, its sender checked.
async fn find(node: &SharedNode, paths: &Paths, prefix: &str) -> Result<Original, CliError> {
    let prefix = prefix.trim();
    if prefix.len() < 4 || !prefix.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(CliError::BadInput(format!(
            "{:?} is not the start of a payment hash: give at least 4 hex digits",
            safe(prefix, 70)
        )));
    }
    let index = history::open_node(node, paths).await?.index;
    let _stats = history::backfill(node, &index).await?;
    let ids = index.received_by_prefix(prefix, 2)?;
    let id = match ids.as_slice() {
        [id] => *id,
        [] => {
            return Err(CliError::BadInput(format!(
                "no received keysend has a payment hash starting with {prefix}"
            )));
        }
        _ => {
            return Err(CliError::BadInput(format!(
                "more than one received keysend has a payment hash starting with {prefix}; \
                 give more digits"
            )));
        }
    };
    let me = node.info().await?.id;
    let sender = index.verify(id, &me)?;
    let mut detail = index.detail(id)?;
    detail.verification = Some(wallet::Verification::of(&sender));
    let book = super::contacts::load(paths)?;
    let alias = match sender {
        crate::keysend::Sender::Verified { id, .. } => index.alias(&id)?,
        _ => None,
    };
    let shown = ShownSender::new(detail.facts(), &book, alias.as_deref());
    Ok(Original { detail, shown })
}

/// The `IN_REPLY_TO` record for `hash`, as `send --record` takes it.
fn in_reply_to(hash: &PaymentHash) -> String {
    format!("{}={}", record::IN_REPLY_TO, hash.to_hex())
}

/// A reply: a boostagram's `reply_address` (with its custom record) when
/// it gives one, else the sender's key; warned unless verified.
fn reply_target(original: &Original) -> Result<Target, CliError> {
    let mut records = vec![in_reply_to(&original.detail.hash)];
    let mut warnings = Vec::new();
    let boost = original
        .detail
        .records
        .get(&record::BOOSTAGRAM)
        .and_then(|b| Boostagram::parse(b).ok());
    if let Some(boost) = &boost
        && let Some(address) = boost.reply_address.as_deref()
    {
        let id: NodeId = address.trim().parse().map_err(|_| {
            CliError::BadInput(format!(
                "the boostagram asks for replies at {:?}, which is not a node public key \
                 (lightning addresses are not supported for replies yet)",
                safe(address, 80)
            ))
        })?;
        if let Some(record) = reply_custom_record(&boost.raw)? {
            records.push(record);
        }
        warnings.push(format!(
            "the boostagram asks for replies at {}; the boostagram is not signed, so that \
             address is the sender's claim",
            id.short()
        ));
        return Ok(Target {
            id,
            records,
            warnings,
        });
    }
    let id = match &original.shown.who {
        Who::Verified { id, .. } => *id,
        Who::Forged { id: Some(id), .. } => {
            warnings.push(format!(
                "the sender's signature does not match the key it gives ({}): the key is \
                 probably not who sent this, and your reply would pay that node instead",
                id.short()
            ));
            *id
        }
        Who::Claimed { id: Some(id), .. } => {
            warnings.push(format!(
                "the sender's key {} is a claim: nothing proves that node sent this",
                id.short()
            ));
            *id
        }
        Who::Forged { id: None, .. } | Who::Claimed { id: None, .. } | Who::Anonymous => {
            return Err(CliError::BadInput(
                "this keysend's sender gives no node id: there is no node to reply to".into(),
            ));
        }
    };
    Ok(Target {
        id,
        records,
        warnings,
    })
}

/// A refund: only to a sender whose key is at least claimed and not forged.
fn refund_target(original: &Original) -> Result<Target, CliError> {
    let records = vec![in_reply_to(&original.detail.hash)];
    let (id, warnings) = match &original.shown.who {
        Who::Verified { id, .. } => (*id, Vec::new()),
        Who::Forged { problem, .. } => {
            return Err(CliError::BadInput(format!(
                "refused: the sender's signature is forged ({problem}); the key it gives is \
                 not proven to have paid, so a refund could go to someone else"
            )));
        }
        Who::Claimed { id: Some(id), .. } => (
            *id,
            vec![format!(
                "the sender's key {} is only claimed (not signed): the refund goes to that \
                 node, which may not be who paid",
                id.short()
            )],
        ),
        Who::Claimed { id: None, .. } | Who::Anonymous => {
            return Err(CliError::BadInput(
                "refused: this keysend's sender is anonymous, so there is nobody known to \
                 refund"
                    .into(),
            ));
        }
    };
    Ok(Target {
        id,
        records,
        warnings,
    })
}

/// bLIP-10 `reply_custom_key` / `reply_custom_value` as `TYPE=HEX`.
fn reply_custom_record(raw: &str) -> Result<Option<String>, CliError> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(raw) else {
        return Ok(None);
    };
    let key = match map.get("reply_custom_key") {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let value = map.get("reply_custom_value").and_then(|v| v.as_str());
    match (key, value) {
        (Some(key), Some(value)) if key >= record::FIRST_CUSTOM => {
            Ok(Some(format!("{key}={}", hex::encode(value.as_bytes()))))
        }
        (Some(key), Some(_)) => Err(CliError::BadInput(format!(
            "the boostagram's reply_custom_key {key} is below the custom record range"
        ))),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_reply_record_is_hex_of_the_value() {
        let raw = r#"{"reply_custom_key":"696969","reply_custom_value":"abc"}"#;
        assert_eq!(
            reply_custom_record(raw).unwrap().as_deref(),
            Some("696969=616263")
        );
        let raw = r#"{"reply_custom_key":696969}"#;
        assert_eq!(reply_custom_record(raw).unwrap(), None);
        assert!(reply_custom_record(r#"{"reply_custom_key":5,"reply_custom_value":"x"}"#).is_err());
    }
}
