//! `satchel inbox --format csv|json` and `satchel sent --format csv|json`:
//! the index written to stdout, streamed (flat memory, any size).

use std::io::Write;

use super::args::{InboxArgs, SentArgs};
use super::exit::CliError;
use super::history;
use super::report::progress;
use crate::node::SharedNode;
use crate::store::Paths;
use crate::wallet::{self, ExportError, ExportFormat, ExportRange};

/// `inbox --format`.
pub async fn inbox(node: &SharedNode, paths: &Paths, args: &InboxArgs) -> Result<(), CliError> {
    let (format, range) = options(args.format.as_deref(), args.all, args.limit, &args.since)?;
    let index = history::open_node(node, paths).await?.index;
    let _stats = history::backfill(node, &index).await?;
    let book = super::contacts::load(paths)?;
    let stdout = std::io::stdout().lock();
    let written = index.export_received(range, format, &book, std::io::BufWriter::new(stdout));
    finish(written, "received")
}

/// `sent --format`.
pub async fn sent(node: &SharedNode, paths: &Paths, args: &SentArgs) -> Result<(), CliError> {
    let (format, range) = options(args.format.as_deref(), args.all, args.limit, &args.since)?;
    let index = history::open_node(node, paths).await?.index;
    let _stats = history::backfill(node, &index).await?;
    let stdout = std::io::stdout().lock();
    let written = index.export_sent(range, format, std::io::BufWriter::new(stdout));
    finish(written, "sent")
}

fn options(
    format: Option<&str>,
    all: bool,
    limit: usize,
    since: &Option<String>,
) -> Result<(ExportFormat, ExportRange), CliError> {
    let format = format
        .and_then(ExportFormat::parse)
        .ok_or_else(|| CliError::BadInput("--format takes csv or json".into()))?;
    let since = match since {
        Some(text) => wallet::parse_since(text).map_err(CliError::BadInput)?,
        None => i64::MIN,
    };
    let limit = (!all).then_some(limit as u64);
    Ok((format, ExportRange { since, limit }))
}

fn finish(written: Result<u64, ExportError>, what: &str) -> Result<(), CliError> {
    let _ = std::io::stdout().flush();
    match written {
        Ok(rows) => {
            progress(&format!("Exported {rows} {what} keysends."));
            Ok(())
        }
        Err(ExportError::Index(err)) => Err(err.into()),
        Err(ExportError::Write(err)) => Err(CliError::BadInput(format!(
            "the export could not be written: {err}"
        ))),
        Err(cancelled @ ExportError::Cancelled(_)) => {
            Err(CliError::BadInput(cancelled.to_string()))
        }
    }
}
