//! The connected node's files from the CLI: open them (adopting an earlier
//! profile's index, see [`wallet::adopt_legacy`]), and bring the index up to
//! date with the node's history with a progress line on stderr.

use std::io::{IsTerminal, Write};

use super::exit::CliError;
use super::report::progress;
use crate::keysend::NodeId;
use crate::node::SharedNode;
use crate::store::Paths;
use crate::wallet::{self, FilesError, Index, NodeFiles, SyncPhase, SyncProgress, SyncStats};

/// Open (creating) the connected node's index and the journal bound to it,
/// telling the user when an earlier profile's index was adopted or kept
/// aside, and when a damaged index was moved aside and rebuilt.
pub async fn open_node(node: &SharedNode, paths: &Paths) -> Result<NodeFiles, CliError> {
    let info = node.info().await?;
    paths.ensure()?;
    let upgrade = wallet::adopt_legacy(node, paths, &info.id).await;
    if let Some(upgrade) = upgrade.map_err(files_error)? {
        progress(&format!("note: {upgrade}"));
    }
    let files = NodeFiles::open(paths, &info.id, &info.alias).map_err(files_error)?;
    warn_if_damaged(&files.index);
    Ok(files)
}

/// A node's files could not be opened, as the CLI reports it.
fn files_error(err: FilesError) -> CliError {
    match err {
        FilesError::Store(err) => err.into(),
        FilesError::Index(err) => err.into(),
        FilesError::Journal(err) => err.into(),
        FilesError::Interrupted(reason) => CliError::Other(reason),
    }
}

/// Tell the user when a damaged index was moved aside and is rebuilt, if
/// the integrity check has said so already. Never waits for it: after a
/// clean shutdown it reads the whole file in the background (seconds at a
/// million entries), and the command goes on meanwhile; after an unclean
/// one it ran on open. A damaged page read before it ends fails with
/// SQLite's own error.
pub fn warn_if_damaged(index: &Index) {
    if !index.integrity_checked() {
        return;
    }
    if let Some(warning) = index.warning() {
        progress(&format!(
            "warning: the inbox database could not be read ({}); it was kept as {} and is rebuilt \
             from the node",
            warning.reason,
            warning.moved_to.display()
        ));
    }
}

/// Fetch what the index has not seen yet, showing progress.
pub async fn backfill(node: &SharedNode, index: &Index) -> Result<SyncStats, CliError> {
    backfill_with(node, index, None).await
}

/// [`backfill`], checking the senders of the new keysends for `me` as they
/// are stored (`wallet::backfill_checking`): before listing them all.
pub async fn backfill_checking(
    node: &SharedNode,
    index: &Index,
    me: NodeId,
) -> Result<SyncStats, CliError> {
    backfill_with(node, index, Some(me)).await
}

async fn backfill_with(
    node: &SharedNode,
    index: &Index,
    check: Option<NodeId>,
) -> Result<SyncStats, CliError> {
    let live = std::io::stderr().is_terminal();
    let show = |step: SyncProgress| {
        if live {
            eprint!("\r{}", progress_text(&step));
            let _ = std::io::stderr().flush();
        }
    };
    let stats = match check {
        Some(me) => wallet::backfill_checking(node, index, me, show).await,
        None => wallet::backfill(node, index, show).await,
    }
    .map_err(sync_error);
    if live {
        eprint!("\r\x1b[K");
    }
    let stats = stats?;
    progress(&done_text(&stats));
    Ok(stats)
}

/// `Fetching received keysends: 1,000 invoices read, 200 new`.
fn progress_text(step: &SyncProgress) -> String {
    let (what, unit, verb) = match step.phase {
        SyncPhase::Received => ("received keysends", "invoices", "new"),
        SyncPhase::Sent => ("sent keysends", "payments", "stored"),
    };
    format!(
        "Fetching {what}: {} {unit} read, {} {verb}",
        step.scanned, step.stored
    )
}

/// One line saying what the sync did.
fn done_text(stats: &SyncStats) -> String {
    format!(
        "Up to date: {} new received keysend(s) ({} invoices read), {} sent keysend(s) refreshed.",
        stats.received_new, stats.invoices_scanned, stats.sent_stored
    )
}

/// A sync error as the CLI reports it.
pub(super) fn sync_error(err: wallet::SyncError) -> CliError {
    match err {
        wallet::SyncError::Node(err) => err.into(),
        wallet::SyncError::Index(err) => err.into(),
        wallet::SyncError::Journal(err) => err.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_plainly() {
        let step = SyncProgress {
            phase: SyncPhase::Received,
            scanned: 1000,
            stored: 200,
            position: 1000,
        };
        assert_eq!(
            progress_text(&step),
            "Fetching received keysends: 1000 invoices read, 200 new"
        );
        let stats = SyncStats {
            received_new: 3,
            invoices_scanned: 4,
            sent_stored: 1,
            payments_scanned: 2,
        };
        assert_eq!(
            done_text(&stats),
            "Up to date: 3 new received keysend(s) (4 invoices read), 1 sent keysend(s) refreshed."
        );
    }
}
