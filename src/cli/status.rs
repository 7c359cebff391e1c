//! `satchel info` and `satchel balance`: our node and its channel balance.

use serde::Serialize;

use super::exit::CliError;
use super::report::{NAME_CHARS, print_json, safe, sats};
use crate::node::{Balance, Node, NodeInfo, Permissions};

/// `info --json`: stable field names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InfoJson {
    pub pubkey: String,
    pub alias: String,
    pub color: String,
    pub network: String,
    pub synced_to_chain: bool,
    pub synced_to_graph: bool,
    pub block_height: u32,
    pub version: String,
    pub active_channels: u32,
    pub accepts_keysend: bool,
    /// The macaroon permissions Satchel lacks (`entity:action`), `null`
    /// when the node could not say.
    pub missing_permissions: Option<Vec<String>>,
    /// What to do about them (which features are off, how to bake a
    /// macaroon that has them); `null` when nothing is missing.
    pub permissions_advice: Option<String>,
}

impl From<&NodeInfo> for InfoJson {
    fn from(info: &NodeInfo) -> Self {
        Self {
            pubkey: info.id.to_hex(),
            alias: safe(&info.alias, NAME_CHARS),
            color: safe(&info.color, 9),
            network: info.network.name().to_owned(),
            synced_to_chain: info.synced_to_chain,
            synced_to_graph: info.synced_to_graph,
            block_height: info.block_height,
            version: safe(&info.version, 80),
            active_channels: info.active_channels,
            accepts_keysend: info.accepts_keysend,
            missing_permissions: None,
            permissions_advice: None,
        }
    }
}

/// `balance --json`: amounts in msat and whole sats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BalanceJson {
    pub local_msat: u64,
    pub remote_msat: u64,
    pub unsettled_local_msat: u64,
    pub pending_open_local_msat: u64,
    pub local_sat: u64,
    pub remote_sat: u64,
}

impl From<&Balance> for BalanceJson {
    fn from(balance: &Balance) -> Self {
        Self {
            local_msat: balance.local.0,
            remote_msat: balance.remote.0,
            unsettled_local_msat: balance.unsettled_local.0,
            pending_open_local_msat: balance.pending_open_local.0,
            local_sat: balance.local.sats(),
            remote_sat: balance.remote.sats(),
        }
    }
}

/// Print our node's identity and state, and what the macaroon allows.
pub async fn info(node: &dyn Node, json: bool) -> Result<(), CliError> {
    let info = node.info().await?;
    let permissions = node.permissions().await?;
    let shown = InfoJson {
        missing_permissions: match &permissions {
            Permissions::Checked { missing } => Some(
                missing
                    .iter()
                    .map(|f| {
                        let (entity, action) = f.permission();
                        format!("{entity}:{action}")
                    })
                    .collect(),
            ),
            Permissions::Unknown(_) => None,
        },
        permissions_advice: permissions.advice(),
        ..InfoJson::from(&info)
    };
    match json {
        true => print_json(&shown),
        false => {
            print!("{}", info_text(&shown));
            Ok(())
        }
    }
}

/// Print the channel balance.
pub async fn balance(node: &dyn Node, json: bool) -> Result<(), CliError> {
    let balance = node.balance().await?;
    match json {
        true => print_json(&BalanceJson::from(&balance)),
        false => {
            print!("{}", balance_text(&balance));
            Ok(())
        }
    }
}

/// Human-readable `info`.
fn info_text(info: &InfoJson) -> String {
    let yes_no = |flag: bool| if flag { "yes" } else { "no" };
    format!(
        "alias:            {}\n\
         pubkey:           {}\n\
         network:          {}\n\
         version:          {}\n\
         block height:     {}\n\
         synced to chain:  {}\n\
         synced to graph:  {}\n\
         active channels:  {}\n\
         accepts keysend:  {}\n\
         permissions:      {}\n",
        info.alias,
        info.pubkey,
        info.network,
        info.version,
        info.block_height,
        yes_no(info.synced_to_chain),
        yes_no(info.synced_to_graph),
        info.active_channels,
        yes_no(info.accepts_keysend),
        match (&info.missing_permissions, &info.permissions_advice) {
            (Some(missing), _) if missing.is_empty() => "everything Satchel uses".to_owned(),
            (_, Some(advice)) => advice.clone(),
            (_, None) => "not checked".to_owned(),
        },
    )
}

/// Human-readable `balance`, in whole sats (rounded down; `--json` has msat).
fn balance_text(balance: &Balance) -> String {
    let mut text = format!(
        "can send:     {}\ncan receive:  {}\n",
        sats(balance.local),
        sats(balance.remote)
    );
    if balance.unsettled_local.0 > 0 {
        text.push_str(&format!(
            "in flight:    {}\n",
            sats(balance.unsettled_local)
        ));
    }
    if balance.pending_open_local.0 > 0 {
        text.push_str(&format!(
            "opening:      {}\n",
            sats(balance.pending_open_local)
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::Msat;

    #[test]
    fn balance_text_shows_only_what_matters() {
        let balance = Balance {
            local: Msat::from_sat(1_500),
            remote: Msat(2_000_500),
            ..Balance::default()
        };
        assert_eq!(
            balance_text(&balance),
            "can send:     1,500 sat\ncan receive:  2,000 sat\n"
        );
        let busy = Balance {
            unsettled_local: Msat::from_sat(7),
            ..balance
        };
        assert!(balance_text(&busy).contains("in flight:    7 sat"));
    }

    #[test]
    fn balance_json_has_sats_and_msats() {
        let json = BalanceJson::from(&Balance {
            local: Msat(1_999),
            ..Balance::default()
        });
        assert_eq!((json.local_msat, json.local_sat), (1_999, 1));
    }
}
