//! What the GUI's Connected apps screen needs beyond `nwc add|list|revoke`
//! and `Service`: the "Add app" form's text checked into a
//! [`NewConnection`] with the same rules as `satchel nwc add`'s flags, and
//! the relays' states of a running service (for its status line).

use nostr::RelayUrl;
use nostr::nips::nip47::Method;
use nostr_sdk::RelayStatus;

use super::{NewConnection, NwcError, Period, ServiceHandle};

/// Days a connection may be given before it expires, at most (100 years).
const MAX_EXPIRY_DAYS: u64 = 36_500;

/// The "Add app" form as typed.
#[derive(Debug, Clone, Copy)]
pub struct Typed<'a> {
    pub name: &'a str,
    /// Sats per period; empty: no budget.
    pub budget: &'a str,
    pub period: Period,
    pub methods: &'a [Method],
    pub notifications: bool,
    /// One relay URL.
    pub relay: &'a str,
    /// Days until the connection stops working; empty: never.
    pub expires_days: &'a str,
}

/// Check the form: the relay parses (`wss://`, or `ws://` on this machine),
/// the budget and expiry are whole numbers, at least one method. The name
/// is checked (and made unique) by [`super::connection::add`], as for the CLI.
pub fn new_connection(typed: Typed<'_>) -> Result<NewConnection, NwcError> {
    let relay_text = typed.relay.trim();
    if relay_text.is_empty() {
        return Err(NwcError::BadInput(
            "give the relay the app and Satchel meet on, e.g. wss://relay.example".into(),
        ));
    }
    let relay = RelayUrl::parse(relay_text).map_err(|e| {
        NwcError::BadInput(format!(
            "relay {}: {e} (use wss://host or ws://127.0.0.1:port)",
            crate::keysend::text::display_safe(relay_text, 80)
        ))
    })?;
    let budget_sats = whole("budget", typed.budget, u64::MAX / 1000)?;
    let expires_days = whole("expiry", typed.expires_days, MAX_EXPIRY_DAYS)?;
    if expires_days == Some(0) {
        return Err(NwcError::BadInput(
            "expiry: at least 1 day, or leave it empty for none".into(),
        ));
    }
    if typed.methods.is_empty() {
        return Err(NwcError::BadInput(
            "allow at least one method for the app".into(),
        ));
    }
    Ok(NewConnection {
        name: typed.name.to_owned(),
        budget_sats,
        period: typed.period,
        methods: typed.methods.to_vec(),
        notifications: typed.notifications,
        relays: vec![relay],
        expires_in: expires_days.map(|days| days.saturating_mul(86_400)),
    })
}

/// An optional whole number up to `max` (`1,000` and `1 000` read as 1000).
fn whole(what: &str, text: &str, max: u64) -> Result<Option<u64>, NwcError> {
    let digits: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '_' | ' '))
        .collect();
    if digits.is_empty() {
        return Ok(None);
    }
    match digits.parse::<u64>() {
        Ok(n) if n <= max => Ok(Some(n)),
        Ok(_) => Err(NwcError::BadInput(format!("{what}: at most {max}"))),
        Err(_) => Err(NwcError::BadInput(format!(
            "{what}: {} is not a whole number",
            crate::keysend::text::display_safe(text.trim(), 40)
        ))),
    }
}

/// How one of a running service's relays is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayState {
    Connected,
    /// Connecting, or dropped and about to try again.
    Reconnecting,
    /// Given up (terminated or banned).
    Down,
}

/// Each relay of `handle` (URL, state), sorted by URL.
pub async fn relay_states(handle: &ServiceHandle) -> Vec<(String, RelayState)> {
    let mut states: Vec<(String, RelayState)> = handle
        .client()
        .relays()
        .await
        .into_iter()
        .map(|(url, relay)| {
            let state = match relay.status() {
                RelayStatus::Connected => RelayState::Connected,
                RelayStatus::Terminated | RelayStatus::Banned => RelayState::Down,
                _ => RelayState::Reconnecting,
            };
            (url.to_string().trim_end_matches('/').to_owned(), state)
        })
        .collect();
    states.sort_by(|a, b| a.0.cmp(&b.0));
    states
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed<'a>(relay: &'a str, budget: &'a str, expires: &'a str) -> Typed<'a> {
        Typed {
            name: "podcasts",
            budget,
            period: Period::Week,
            methods: super::super::DEFAULT_METHODS,
            notifications: false,
            relay,
            expires_days: expires,
        }
    }

    #[test]
    fn the_form_is_checked_like_the_cli_flags() {
        let new = new_connection(typed(" ws://127.0.0.1:4869 ", "1,000", "30")).unwrap();
        assert_eq!(new.budget_sats, Some(1000));
        assert_eq!(new.expires_in, Some(30 * 86_400));
        assert_eq!(new.period, Period::Week);
        assert_eq!(new.relays.len(), 1);
        let open = new_connection(typed("wss://relay.example", "", "")).unwrap();
        assert_eq!((open.budget_sats, open.expires_in), (None, None));
        for (relay, budget, expires, says) in [
            ("", "1", "", "relay"),
            ("http://x", "1", "", "relay"),
            ("wss://r.example", "ten", "", "budget"),
            ("wss://r.example", "-1", "", "budget"),
            ("wss://r.example", "1", "0", "expiry"),
            ("wss://r.example", "1", "1.5", "expiry"),
        ] {
            let error = new_connection(typed(relay, budget, expires)).unwrap_err();
            assert!(
                error.to_string().contains(says),
                "{relay} {budget} {expires}: {error}"
            );
        }
        let mut none = typed("wss://r.example", "", "");
        none.methods = &[];
        assert!(
            new_connection(none)
                .unwrap_err()
                .to_string()
                .contains("method")
        );
    }
}
