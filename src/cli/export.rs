//! `satchel inbox --format csv|json` and `satchel sent --format csv|json`:
//! the index written to stdout, streamed (flat memory, any size).

use std::io::Write;

use super::args::{InboxArgs, SentArgs};
use super::exit::CliError;
use super::history;
use super::report::progress;
use crate::node::SharedNode;
use crate::store::Paths;
use crate::wallet::{self, ExportError, ExportFormat, InboxQuery, SentQuery};

/// `inbox --format`: the rows `inbox --search` would list, in a date
/// range, newest first.
pub async fn inbox(node: &SharedNode, paths: &Paths, args: &InboxArgs) -> Result<(), CliError> {
    let format = format(args.format.as_deref())?;
    let (from, until) = dates(&args.since, &args.until)?;
    let index = history::open_node(node, paths).await?.index;
    let _stats = history::backfill(node, &index).await?;
    let book = super::contacts::load(paths)?;
    let search = args.search.as_deref().unwrap_or("").trim();
    let query = InboxQuery {
        text: (!search.is_empty()).then(|| search.to_owned()),
        senders_named: wallet::senders_named(&book, search),
        from,
        until,
        limit: limit(args.all, args.limit),
        ..InboxQuery::default()
    };
    let stdout = std::io::stdout().lock();
    let out = std::io::BufWriter::new(stdout);
    let written = index.export_received(&query, format, &book, out);
    finish(written, "received")
}

/// `sent --format`: the sent list, searched, in a date range, newest first.
pub async fn sent(node: &SharedNode, paths: &Paths, args: &SentArgs) -> Result<(), CliError> {
    let format = format(args.format.as_deref())?;
    let (from, until) = dates(&args.since, &args.until)?;
    let index = history::open_node(node, paths).await?.index;
    let _stats = history::backfill(node, &index).await?;
    let book = super::contacts::load(paths)?;
    let search = args.search.as_deref().unwrap_or("").trim();
    let query = SentQuery {
        text: (!search.is_empty()).then(|| search.to_owned()),
        recipients_named: wallet::senders_named(&book, search),
        from,
        until,
    };
    let stdout = std::io::stdout().lock();
    let limit = Some(limit(args.all, args.limit));
    let written = index.export_sent(&query, limit, format, std::io::BufWriter::new(stdout));
    finish(written, "sent")
}

fn format(format: Option<&str>) -> Result<ExportFormat, CliError> {
    format
        .and_then(ExportFormat::parse)
        .ok_or_else(|| CliError::BadInput("--format takes csv or json".into()))
}

/// `--since` and `--until` as Unix seconds (`--until` a day: to its end).
fn dates(
    since: &Option<String>,
    until: &Option<String>,
) -> Result<(Option<i64>, Option<i64>), CliError> {
    let since = since.as_deref().map(wallet::parse_since).transpose();
    let until = until.as_deref().map(wallet::parse_until).transpose();
    let (since, until) = (
        since.map_err(CliError::BadInput)?,
        until.map_err(CliError::BadInput)?,
    );
    if let (Some(since), Some(until)) = (since, until)
        && until <= since
    {
        return Err(CliError::BadInput(
            "--until is before --since: the range is empty".into(),
        ));
    }
    Ok((since, until))
}

/// `--all`: every row; else the newest `--limit`.
fn limit(all: bool, limit: usize) -> u64 {
    if all { u64::MAX } else { limit as u64 }
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
