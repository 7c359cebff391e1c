//! Following one payment to its end on the terminal: progress lines on
//! stderr, the outcome on stdout. Used by `send` and `sent --resend`.
//!
//! A warning from the wallet's send task (a journal write that failed) does
//! not end the payment: the task keeps following it, and so do we; the exit
//! code is the payment's outcome, with the warning printed.
//!
//! Reports that stop without a final state once the payment reached the node
//! are an unknown outcome (a distinct exit code): the node may still complete
//! it, so a script must not pay again. Only a refusal the journal recorded as
//! final (`Failed`: LND turned the request down and has no such payment)
//! keeps its own error.

use std::time::Instant;

use futures::{Stream, StreamExt};

use super::exit::CliError;
use super::journal;
use super::report::{print_json, progress, sats};
pub use super::send_json::Output;
use super::send_json::SendJson;
use crate::node::{PaymentStatus, PaymentUpdate};
use crate::store::Paths;
use crate::wallet::{Journal, JournalState, SendError, SendEvent};

/// Print `events` until the payment ends; its outcome is the result.
pub async fn follow(events: impl Stream<Item = SendEvent>, paths: &Paths) -> Result<(), CliError> {
    follow_as(events, paths, Output::Text).await
}

/// [`follow`], printing the outcome as `output` says.
pub async fn follow_as(
    events: impl Stream<Item = SendEvent>,
    paths: &Paths,
    output: Output,
) -> Result<(), CliError> {
    let started = Instant::now();
    let mut events = std::pin::pin!(events);
    let mut last_line = String::new();
    let mut last_error: Option<SendError> = None;
    let mut reached = Reached::No;
    while let Some(event) = events.next().await {
        match event {
            SendEvent::Started { hash, intent_id } => {
                progress(&format!("Sending (payment hash {hash})…"));
                reached = Reached::Started(intent_id);
            }
            SendEvent::Progress(update) => {
                reached.known();
                print_once(&mut last_line, progress_line(&update));
            }
            SendEvent::Finished(update) => return finished(&update, started, output),
            SendEvent::NotSent(entry) => {
                return Err(CliError::NotSent {
                    next: journal::decision(&entry, paths),
                });
            }
            SendEvent::Reconnecting { attempt, retry_in } => {
                reached.known();
                progress(&format!(
                    "Lost the node; checking on the payment again in {:.1} s (attempt {attempt}).",
                    retry_in.as_secs_f64()
                ));
            }
            SendEvent::Error(err) => {
                progress(&format!("warning: {err}"));
                last_error = Some(err);
            }
        }
    }
    Err(ended(reached, last_error, paths).await)
}

/// How far a send got, as far as its events show.
#[derive(Debug, PartialEq, Eq)]
enum Reached {
    /// Not handed to the node (yet): a refusal so far is definite.
    No,
    /// Handed to the node under this journal intent.
    Started(String),
    /// The node reported on it (a payment followed without a new call).
    Known,
}

impl Reached {
    /// The node has the payment.
    fn known(&mut self) {
        if *self == Self::No {
            *self = Self::Known;
        }
    }
}

/// The outcome of events that stopped without a final state. Before the node
/// had the payment, the last error says why nothing was sent. After, only a
/// journal entry that says `Failed` makes the last error final; otherwise
/// (the wallet left it for reconcile, tracking stopped, the journal cannot be
/// read) the payment may still complete.
async fn ended(reached: Reached, last_error: Option<SendError>, paths: &Paths) -> CliError {
    let definite = match &reached {
        Reached::No => true,
        Reached::Started(intent) => journal_says_failed(paths, intent).await,
        Reached::Known => false,
    };
    match last_error {
        Some(error) if definite => error.into(),
        Some(error) => {
            CliError::PaymentUnknown(format!("the node's last word was unclear: {error}"))
        }
        None => {
            CliError::PaymentUnknown("progress reports stopped before the payment finished".into())
        }
    }
}

/// Whether the profile's journal records `intent` as failed. Never creates
/// a journal; any doubt is `false`.
async fn journal_says_failed(paths: &Paths, intent: &str) -> bool {
    let path = paths.journal_db();
    let intent = intent.to_owned();
    let read = tokio::task::spawn_blocking(move || {
        if !path.exists() {
            return None;
        }
        Journal::open(&path).ok()?.get(&intent).ok()?
    });
    matches!(read.await, Ok(Some(entry)) if entry.state == JournalState::Failed)
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
fn finished(update: &PaymentUpdate, started: Instant, output: Output) -> Result<(), CliError> {
    if output == Output::Json
        && let Some(json) = SendJson::of(update, started.elapsed().as_secs_f64())
    {
        print_json(&json)?;
    }
    match &update.status {
        PaymentStatus::Succeeded { .. } if output == Output::Json => Ok(()),
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

    fn started(intent: &str) -> SendEvent {
        SendEvent::Started {
            intent_id: intent.into(),
            hash: Preimage::from_bytes([5; 32]).hash(),
        }
    }

    fn unclear() -> SendEvent {
        SendEvent::Error(SendError::Node(NodeError::Other("Unknown: ?".into())))
    }

    /// A profile whose journal holds intent "sent" in `state`.
    fn journaled(state: JournalState) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::open_profile(&Paths::at(dir.path())).unwrap();
        let keysend = crate::node::OutgoingKeysend {
            destination: "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
                .parse()
                .unwrap(),
            amount: Msat::from_sat(21),
            preimage: Preimage::from_bytes([5; 32]),
            records: crate::keysend::Records::new(),
            fee_limit: Msat::from_sat(5),
            timeout: crate::wallet::SEND_TIMEOUT,
        };
        let _ = journal.begin("sent", &keysend).unwrap();
        let failure = (state == JournalState::Failed).then_some(PaymentFailure::Error);
        let _ = journal.update("sent", state, failure, None).unwrap();
        dir
    }

    /// After `Started`, an ending without a final state that the journal
    /// does not record as failed is unknown, never a plain failure a script
    /// would retry on.
    #[tokio::test]
    async fn an_ending_after_the_start_is_unknown() {
        for events in [
            vec![started("sent"), unclear()],
            vec![
                started("sent"),
                SendEvent::Progress(update(PaymentStatus::InFlight)),
            ],
            vec![
                SendEvent::Progress(update(PaymentStatus::InFlight)),
                unclear(),
            ],
        ] {
            let dir = journaled(JournalState::Dispatched);
            let err = follow(futures::stream::iter(events), &Paths::at(dir.path()))
                .await
                .unwrap_err();
            assert!(matches!(err, CliError::PaymentUnknown(_)), "{err}");
            assert_eq!(
                err.kind().code(),
                CliError::PaymentUnknown(String::new()).kind().code()
            );
        }
        // No journal to ask: still unknown (and none is created).
        let err = outcome(vec![started("sent"), unclear()]).await.unwrap_err();
        assert!(
            matches!(err, CliError::PaymentUnknown(ref why) if why.contains("Unknown: ?")),
            "{err}"
        );
    }

    /// A refusal the journal recorded as final keeps its specific error.
    #[tokio::test]
    async fn a_refusal_the_journal_records_as_failed_keeps_its_error() {
        let dir = journaled(JournalState::Failed);
        let refused = SendEvent::Error(SendError::Node(NodeError::Invalid("bad".into())));
        let events = vec![started("sent"), refused];
        let err = follow(futures::stream::iter(events), &Paths::at(dir.path()))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("bad"), "{err}");
        assert_eq!(err.kind().code(), 2);
    }
}
