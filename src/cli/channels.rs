//! `satchel channels [--json]`: our channels with local and remote balance,
//! the view a rebalance starts from.

use super::exit::CliError;
use super::report::{print_json, sats};
use crate::node::{Peer, SharedNode};

/// One channel as `--json` prints it.
#[derive(serde::Serialize)]
struct ChannelJson {
    chan_id: u64,
    peer: String,
    active: bool,
    private: bool,
    capacity_msat: u64,
    local_msat: u64,
    remote_msat: u64,
}

/// Run `channels`.
pub async fn run(node: &SharedNode, json: bool) -> Result<(), CliError> {
    let channels = node.peers().await?;
    if json {
        let rows: Vec<ChannelJson> = channels.iter().map(row).collect();
        return print_json(&rows);
    }
    print!("{}", table(&channels));
    Ok(())
}

fn row(peer: &Peer) -> ChannelJson {
    ChannelJson {
        chan_id: peer.chan_id,
        peer: peer.id.to_hex(),
        active: peer.active,
        private: peer.private,
        capacity_msat: peer.capacity.0,
        local_msat: peer.local.0,
        remote_msat: peer.remote.0,
    }
}

/// The channels as a text table, one line each.
pub(super) fn table(channels: &[Peer]) -> String {
    if channels.is_empty() {
        return "No channels.\n".into();
    }
    let mut text = format!(
        "{:<20} {:<14} {:>16} {:>16}  {}\n",
        "CHANNEL", "PEER", "LOCAL", "REMOTE", "STATE"
    );
    for peer in channels {
        let state = match (peer.active, peer.private) {
            (true, false) => "active",
            (true, true) => "active, private",
            (false, false) => "inactive",
            (false, true) => "inactive, private",
        };
        text.push_str(&format!(
            "{:<20} {:<14} {:>16} {:>16}  {state}\n",
            peer.chan_id,
            peer.id.short(),
            sats(peer.local),
            sats(peer.remote)
        ));
    }
    text
}
