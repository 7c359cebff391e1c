//! `satchel rebalance --out CHAN_ID --in PEER_PUBKEY AMOUNT --max-fee-ppm N
//! [--yes]`: move outbound liquidity from one channel to another by paying
//! yourself (wallet::rebalance), then show the channels.

use super::args::RebalanceArgs;
use super::channels;
use super::exit::CliError;
use super::journal;
use super::report::{confirm, progress, safe, sats};
use crate::keysend::Msat;
use crate::node::SharedNode;
use crate::node::routing::parse_chan_id;
use crate::store::Paths;
use crate::wallet::rebalance::{self, RebalanceError, RebalanceRequest};
use crate::wallet::{self, IntentId};

/// Run `rebalance`.
pub async fn run(node: &SharedNode, paths: &Paths, args: &RebalanceArgs) -> Result<(), CliError> {
    let request = RebalanceRequest {
        out_chan: parse_chan_id(&args.out).map_err(CliError::BadInput)?,
        in_peer: args.in_peer.parse().map_err(|source| CliError::BadPubkey {
            text: safe(&args.in_peer, 80),
            source,
        })?,
        amount: Msat::parse_sats(&args.sats).map_err(|source| CliError::BadAmount {
            text: safe(&args.sats, 40),
            source,
        })?,
        max_fee_ppm: args.max_fee_ppm,
    };
    let own = node.info().await?.id;
    let plan = rebalance::plan(&node.peers().await?, request).map_err(refused)?;
    println!(
        "Rebalance {}: out through channel {} ({} local), back in through {} (channel {}), \
         paying at most {} in fees ({} ppm).",
        sats(plan.request.amount),
        plan.out.chan_id,
        sats(plan.out.local),
        plan.inbound.id.short(),
        plan.inbound.chan_id,
        plan.fee_limit,
        plan.request.max_fee_ppm
    );
    // Journaled like a keysend: earlier payments are settled first, and an
    // unfinished rebalance like this one is never doubled silently.
    let journal = super::history::open_node(node, paths).await?.journal;
    let found = wallet::reconcile(node, &journal).await?;
    journal::report(&found, paths, None);
    if let Some(twin) = rebalance::unfinished_twin(&found, &plan) {
        return Err(CliError::BadInput(format!(
            "an earlier rebalance of the same amount out of channel {} is not finished ({}); \
             running this one as well could move the liquidity twice: see `satchel sent`, and \
             `sent --resend {}` if it was never sent",
            plan.out.chan_id,
            journal::describe(twin),
            journal::short_hash(twin)
        )));
    }
    confirm("Rebalance?", args.yes)?;
    progress("Paying yourself around the circle…");
    let intent = format!("rebalance-{}", IntentId::new().as_str());
    let done = rebalance::run(node, &journal, intent, own, &plan)
        .await
        .map_err(refused)?;
    println!(
        "Rebalanced {} over {} hops; fee {}.",
        sats(plan.request.amount),
        done.hops,
        done.fee
    );
    print!("{}", channels::table(&done.channels));
    Ok(())
}

fn refused(err: RebalanceError) -> CliError {
    match err {
        RebalanceError::Node(err) => CliError::Node(err),
        RebalanceError::Failed(failure) => CliError::PaymentFailed(failure),
        other => CliError::BadInput(other.to_string()),
    }
}
