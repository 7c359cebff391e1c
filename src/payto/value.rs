//! Value-for-value recipients of type `lnaddress`: resolved to keysend
//! before the block is checked, so a boost pays them like any node. A boost
//! carries its boostagram in keysend records, so only an address whose
//! provider serves a keysend document is payable; the others stay as they
//! are and the block check skips them with the reason given here.

use super::address::Target;
use super::http::Client;
use super::resolve::{Resolution, ResolveError, resolve};
use crate::keysend::text::display_safe;
use crate::podcast::feed::Feed;
use crate::podcast::value::RawRecipient;

/// Resolve every `lnaddress` recipient of `feed` (show and episodes, and
/// inside their value time split windows);
/// returns one line per address saying what became of it.
pub async fn resolve_lnaddresses(client: &Client, feed: &mut Feed) -> Vec<String> {
    let mut notes = Vec::new();
    let blocks = feed
        .values
        .iter_mut()
        .chain(feed.items.iter_mut().flat_map(|i| i.values.iter_mut()));
    for block in blocks {
        // The block's recipients, and those of its value time split windows.
        let windows = block
            .time_splits
            .iter_mut()
            .flat_map(|w| w.recipients.iter_mut());
        for recipient in block.recipients.iter_mut().chain(windows) {
            if is_address(recipient) {
                notes.push(resolve_one(client, recipient).await);
            }
        }
    }
    notes
}

/// Whether `recipient` is of type `lnaddress`.
pub fn is_address(recipient: &RawRecipient) -> bool {
    recipient.kind.trim().eq_ignore_ascii_case("lnaddress")
}

/// Turn `recipient` into a `node` recipient when its address has keysend.
async fn resolve_one(client: &Client, recipient: &mut RawRecipient) -> String {
    let shown = display_safe(recipient.address.trim(), 80);
    let (target, shown) = match Target::parse(recipient.address.trim()) {
        Some(Ok(Target::Address(address))) => {
            let shown = address.to_string();
            (Target::Address(address), shown)
        }
        Some(Err(err)) => return format!("{shown}: {err}"),
        _ => return format!("{shown}: not a Lightning Address"),
    };
    match resolve(client, &target).await {
        Ok(Resolution::Keysend { target, .. }) => {
            recipient.kind = "node".into();
            recipient.address = target.pubkey.to_hex();
            // The feed's own customKey wins; else the provider's first record.
            let first = target.records.into_iter().next();
            if recipient.custom_key.is_none()
                && let Some((key, value)) = first
            {
                recipient.custom_key = Some(key.to_string());
                recipient.custom_value = Some(String::from_utf8_lossy(&value).into_owned());
            }
            format!("{shown}: keysend to {}", target.pubkey)
        }
        Ok(_) => format!("{shown}: only LNURL-pay, which cannot carry a boostagram; skipped"),
        Err(err @ ResolveError::UnknownUser(_)) => err.to_string(),
        Err(err) => format!("{shown}: {err}"),
    }
}
