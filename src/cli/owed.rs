//! `satchel owed`: what earlier boosts owe each recipient of the node's
//! ledger (the msat shares below 1 sat that rounding kept back), and
//! `--settle`: pay each recipient owed at least 1 sat its whole sats, one
//! journaled keysend each with the bLIP-10 record, confirmed once. The
//! ledger counts a payment only when it succeeds; the msat remainder stays
//! owed. Exit 0 when every payment went through, 5 otherwise (retry with
//! `satchel boost --retry ID`).

use serde::Serialize;

use super::args::OwedArgs;
use super::boost::{boost_error, finish, follow, say, store_error};
use super::exit::CliError;
use super::journal;
use super::report::{confirm, print_json, safe, sats};
use crate::keysend::Msat;
use crate::node::SharedNode;
use crate::store::{Paths, Settings};
use crate::wallet::boost::BoostInput;
use crate::wallet::boost_store::BoostStore;
use crate::wallet::owed::{self, Owed};

/// Run `owed` on a connected node.
pub async fn run(node: &SharedNode, paths: &Paths, args: &OwedArgs) -> Result<(), CliError> {
    let info = node.info().await?;
    let store = BoostStore::open_node(paths, &info.id).map_err(store_error)?;
    let rows = owed::owed(&store).map_err(store_error)?;
    if !args.settle {
        return match args.json {
            true => print_json(&rows.iter().map(OwedJson::of).collect::<Vec<_>>()),
            false => {
                println!("{}", table(&rows));
                Ok(())
            }
        };
    }
    let journal = super::history::open_node(node, paths).await?.journal;
    journal::reconcile_and_report(node, &journal, paths).await?;
    let settings = Settings::load(paths)?;
    let input = BoostInput {
        node,
        info: &info,
        balance: node.balance().await.ok(),
        store: &store,
        fee_limit: settings.value.default_fee_limit,
    };
    let Some(prepared) = owed::prepare_settle(input, None)
        .await
        .map_err(boost_error)?
    else {
        say(
            args.json,
            "Nobody is owed 1 sat or more: nothing to settle.",
        );
        return match args.json {
            true => print_json(&serde_json::json!({ "settled": [] })),
            false => Ok(()),
        };
    };
    say(args.json, &table(&rows));
    confirm(
        &format!(
            "Pay {} in {} payment(s), routing fees up to {} in all?",
            sats(Msat(prepared.record.context.total_msat)),
            prepared.jobs.len(),
            prepared.fee_limit()
        ),
        args.yes,
    )?;
    let events = owed::dispatch_settle(node.clone(), journal, store, prepared);
    let record = follow(events).await?;
    finish(&record, args.json)
}

/// One line per recipient.
fn table(rows: &[Owed]) -> String {
    if rows.is_empty() {
        return "No boosts yet: nothing is owed.".into();
    }
    let mut text = format!(
        "{:<28} {:>14} {:>14} {:>10}  {}",
        "Recipient", "accrued msat", "paid msat", "owed msat", "node"
    );
    for o in rows {
        let custom = o.row.custom.as_ref().map_or_else(String::new, |c| {
            format!(" {}={}", c.key, safe(&c.value, 40))
        });
        text.push_str(&format!(
            "\n{:<28} {:>14} {:>14} {:>10}  {}{custom}",
            safe(&o.row.name, 28),
            o.row.accrued.0,
            o.row.paid.0,
            owed_cell(o.owed_msat()),
            o.row.node.short()
        ));
    }
    if rows.iter().any(|o| o.owed_msat() < 0) {
        text.push_str(
            "\n\"ahead\": paid more than accrued so far (splits round to whole sats); \
             later boosts to that recipient use it up before anything is owed",
        );
    }
    let payable: u64 = rows.iter().map(|o| o.payable().0).sum();
    text.push_str(&format!(
        "\n--settle would pay {} (whole sats; the msat below stays owed)",
        sats(Msat(payable))
    ));
    text
}

/// The owed column: a negative balance is shown as what was paid ahead.
fn owed_cell(owed_msat: i64) -> String {
    if owed_msat < 0 {
        format!("{} ahead", owed_msat.unsigned_abs())
    } else {
        owed_msat.to_string()
    }
}

/// `owed --json`: one object per recipient.
#[derive(Serialize)]
struct OwedJson {
    name: String,
    pubkey: String,
    custom_key: Option<u64>,
    custom_value: Option<String>,
    accrued_msat: u64,
    paid_msat: u64,
    owed_msat: i64,
    /// msat of legs waiting for `boost --retry` (left out of a settlement).
    open_msat: u64,
    settle_sat: u64,
}

impl OwedJson {
    fn of(o: &Owed) -> Self {
        Self {
            name: o.row.name.clone(),
            pubkey: o.row.node.to_hex(),
            custom_key: o.row.custom.as_ref().map(|c| c.key),
            custom_value: o.row.custom.as_ref().map(|c| c.value.clone()),
            accrued_msat: o.row.accrued.0,
            paid_msat: o.row.paid.0,
            owed_msat: o.owed_msat(),
            open_msat: o.open.0,
            settle_sat: o.payable().sats(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wallet::boost_store::LedgerRow;

    fn row(name: &str, accrued: u64, paid: u64) -> Owed {
        Owed {
            row: LedgerRow {
                node: crate::podcast::example::node(2),
                custom: None,
                name: name.into(),
                accrued: Msat(accrued),
                paid: Msat(paid),
            },
            open: Msat(0),
        }
    }

    #[test]
    fn a_recipient_paid_ahead_is_labelled_not_shown_as_a_negative_debt() {
        let text = table(&[row("ahead", 5_000, 5_400), row("owed", 2_000, 0)]);
        assert!(text.contains("400 ahead"), "{text}");
        assert!(!text.contains("-400"), "{text}");
        assert!(text.contains("\"ahead\": paid more than accrued"), "{text}");
        let plain = table(&[row("owed", 2_000, 0)]);
        assert!(!plain.contains("ahead"), "{plain}");
    }
}
