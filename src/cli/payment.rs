//! Following one payment to its end on the terminal: progress lines on
//! stderr, the outcome on stdout. Used by `send` and `sent --resend`.
//!
//! A warning from the wallet's send task (a journal write that failed) does
//! not end the payment: the task keeps following it, and so do we; the exit
//! code is the payment's outcome, with the warning printed.

use std::time::Instant;

use futures::{Stream, StreamExt};

use super::exit::CliError;
use super::journal;
use super::report::{progress, sats};
use crate::node::{PaymentStatus, PaymentUpdate};
use crate::store::Paths;
use crate::wallet::{SendError, SendEvent};

/// Print `events` until the payment ends; its outcome is the result.
pub async fn follow(events: impl Stream<Item = SendEvent>, paths: &Paths) -> Result<(), CliError> {
    let started = Instant::now();
    let mut events = std::pin::pin!(events);
    let mut last_line = String::new();
    let mut last_error: Option<SendError> = None;
    while let Some(event) = events.next().await {
        match event {
            SendEvent::Started { hash, .. } => progress(&format!("Sending (payment hash {hash})…")),
            SendEvent::Progress(update) => print_once(&mut last_line, progress_line(&update)),
            SendEvent::Finished(update) => return finished(&update, started),
            SendEvent::NotSent(entry) => {
                return Err(CliError::NotSent {
                    next: journal::decision(&entry, paths),
                });
            }
            SendEvent::Reconnecting { attempt, retry_in } => progress(&format!(
                "Lost the node; checking on the payment again in {:.1} s (attempt {attempt}).",
                retry_in.as_secs_f64()
            )),
            SendEvent::Error(err) => {
                progress(&format!("warning: {err}"));
                last_error = Some(err);
            }
        }
    }
    // The task ended without a final state: its last error says why.
    Err(last_error.map_or_else(
        || CliError::PaymentUnknown("progress reports stopped before the payment finished".into()),
        CliError::from,
    ))
}

/// Print a progress line unless it repeats the previous one.
fn print_once(last: &mut String, line: String) {
    if *last != line {
        progress(&line);
        *last = line;
    }
}

fn progress_line(update: &PaymentUpdate) -> String {
    match update.status {
        PaymentStatus::Initiated => "Waiting for the node to start the payment…".to_owned(),
        _ => format!("In flight (attempt {})…", update.attempts.max(1)),
    }
}

/// The final line: fee, hops and time, or the plain reason it failed.
fn finished(update: &PaymentUpdate, started: Instant) -> Result<(), CliError> {
    match &update.status {
        PaymentStatus::Succeeded { .. } => {
            println!(
                "Payment succeeded: {} sent, fee {}, {} hop(s), {:.1} s.",
                sats(update.amount),
                update.fee,
                update.hops,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        PaymentStatus::Failed(reason) => Err(CliError::PaymentFailed(*reason)),
        _ => Err(CliError::PaymentUnknown(
            "the node ended with a non-final state".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keysend::{Msat, Preimage};
    use crate::node::{NodeError, PaymentFailure};
    use crate::wallet::JournalError;

    fn update(status: PaymentStatus) -> PaymentUpdate {
        PaymentUpdate {
            hash: Preimage::from_bytes([5; 32]).hash(),
            status,
            amount: Msat::from_sat(21),
            fee: Msat(1_004),
            hops: 2,
            attempts: 1,
            created_ns: 0,
        }
    }

    fn journal_warning() -> SendEvent {
        SendEvent::Error(SendError::Journal(JournalError::Interrupted))
    }

    async fn outcome(events: Vec<SendEvent>) -> Result<(), CliError> {
        follow(futures::stream::iter(events), &Paths::at("/p")).await
    }

    /// A journal write failing mid-payment is a warning: the payment goes on
    /// and its outcome decides the exit code.
    #[tokio::test]
    async fn a_warning_does_not_end_the_payment() {
        let succeeded = PaymentStatus::Succeeded {
            preimage: Preimage::from_bytes([5; 32]),
        };
        let events = vec![
            journal_warning(),
            SendEvent::Progress(update(PaymentStatus::InFlight)),
            SendEvent::Finished(update(succeeded)),
        ];
        assert!(outcome(events).await.is_ok());
        let failed = vec![
            journal_warning(),
            SendEvent::Finished(update(PaymentStatus::Failed(PaymentFailure::NoRoute))),
        ];
        let err = outcome(failed).await.unwrap_err();
        assert!(
            matches!(err, CliError::PaymentFailed(PaymentFailure::NoRoute)),
            "{err}"
        );
        assert_eq!(err.kind().code(), 5);
    }

    #[tokio::test]
    async fn an_ending_without_outcome_reports_the_last_error() {
        let refused = SendEvent::Error(SendError::Node(NodeError::Invalid("bad".into())));
        let err = outcome(vec![journal_warning(), refused]).await.unwrap_err();
        assert!(err.to_string().contains("bad"), "{err}");
        assert_eq!(err.kind().code(), 2);
        let silent = outcome(Vec::new()).await.unwrap_err();
        assert!(matches!(silent, CliError::PaymentUnknown(_)), "{silent}");
    }
}
