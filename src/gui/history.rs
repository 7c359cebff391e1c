//! What the Inbox says about reading the node's history. LND does not say
//! how many invoices a node holds (ListInvoices pages until one comes back
//! short), so while a backfill runs there is no honest percentage: the line
//! counts what has been read so far, and says so plainly when it ends
//! (until the next backfill).
//!
//! Pure: [`History::next`] folds the backfill's [`sync::Event`]s into the
//! state the Inbox draws; [`History::line`] is its text.

use crate::gui::format::group;
use crate::gui::sync;
use crate::wallet::SyncPhase;

/// The history line's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum History {
    /// Nothing to say: no backfill ran, or it found nothing new.
    #[default]
    Quiet,
    /// A backfill is running.
    Reading(Reading),
    /// A backfill ended having stored `stored` keysends; `fresh`: it read
    /// the whole history into an empty index.
    Loaded { fresh: bool, stored: u64 },
}

/// A running backfill, as far as it has got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reading {
    /// The index had no history when it started (a first sync).
    pub fresh: bool,
    /// Invoices read so far.
    pub scanned: u64,
    /// Received keysends stored so far.
    pub stored: u64,
    /// The received half is done; the sent payments are being read.
    pub sent_phase: bool,
}

impl History {
    /// The state after `event`; events that are not about the backfill
    /// leave it as it is.
    pub fn next(self, event: &sync::Event) -> Self {
        match event {
            sync::Event::Started { fresh } => Self::Reading(Reading {
                fresh: *fresh,
                ..Reading::default()
            }),
            sync::Event::Progress(progress) => {
                let mut reading = self.reading();
                match progress.phase {
                    SyncPhase::Received => {
                        (reading.scanned, reading.stored) = (progress.scanned, progress.stored);
                    }
                    SyncPhase::Sent => reading.sent_phase = true,
                }
                Self::Reading(reading)
            }
            sync::Event::Backfilled(Ok(stats)) if stats.received_new > 0 => Self::Loaded {
                fresh: self.reading().fresh,
                stored: stats.received_new,
            },
            // Nothing new, or it failed (the session's notice says why).
            sync::Event::Backfilled(_) => Self::Quiet,
            // Tips arriving live count too: the line stays true.
            sync::Event::Received(rows) => match self {
                Self::Loaded { fresh, stored } => Self::Loaded {
                    fresh,
                    stored: stored.saturating_add(rows.len() as u64),
                },
                other => other,
            },
            sync::Event::State(_) | sync::Event::Failed(_) => self,
        }
    }

    /// The running backfill (a new one if progress came without a start).
    fn reading(self) -> Reading {
        match self {
            Self::Reading(reading) => reading,
            _ => Reading::default(),
        }
    }

    /// What a search says while a first sync runs: the search index is
    /// built once at the sync's end (`wallet::index_search`; the index also
    /// answers `Index::search_pending`), so until then it finds nothing.
    pub fn search_note(self) -> Option<&'static str> {
        matches!(self, Self::Reading(Reading { fresh: true, .. }))
            .then_some("Search works once the history has loaded: its index is built at the end.")
    }

    /// Whether a backfill is running.
    pub fn is_reading(self) -> bool {
        matches!(self, Self::Reading(_))
    }

    /// The text to show, if any. A catch-up that has found nothing new yet
    /// says nothing (it runs after every payment).
    pub fn line(self) -> Option<String> {
        match self {
            Self::Quiet => None,
            Self::Reading(r) if !r.fresh && r.stored == 0 => None,
            Self::Reading(r) if r.sent_phase => Some(format!(
                "Loading history: {}; now reading your sent payments…",
                keysends(r.stored)
            )),
            Self::Reading(r) if r.fresh => Some(format!(
                "Loading history: {} so far ({} read)…",
                keysends(r.stored),
                invoices(r.scanned)
            )),
            Self::Reading(r) => Some(format!("Loading new keysends: {} so far…", group(r.stored))),
            Self::Loaded {
                fresh: true,
                stored,
            } => Some(format!("All {} loaded", keysends(stored))),
            Self::Loaded { stored, .. } => Some(format!("{} loaded", new_keysends(stored))),
        }
    }
}

fn keysends(count: u64) -> String {
    counted(count, "keysend", "keysends")
}

fn new_keysends(count: u64) -> String {
    counted(count, "new keysend", "new keysends")
}

fn invoices(count: u64) -> String {
    counted(count, "invoice", "invoices")
}

fn counted(count: u64, one: &str, many: &str) -> String {
    format!("{} {}", group(count), if count == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wallet::{SyncProgress, SyncStats};

    fn progress(phase: SyncPhase, scanned: u64, stored: u64) -> sync::Event {
        sync::Event::Progress(SyncProgress {
            phase,
            scanned,
            stored,
            position: scanned,
        })
    }

    fn finished(received_new: u64) -> sync::Event {
        sync::Event::Backfilled(Ok(SyncStats {
            received_new,
            invoices_scanned: received_new,
            ..SyncStats::default()
        }))
    }

    fn fold(events: &[sync::Event]) -> History {
        events.iter().fold(History::Quiet, |h, e| h.next(e))
    }

    #[test]
    fn a_first_sync_counts_up_then_says_all_were_loaded() {
        let started = sync::Event::Started { fresh: true };
        let reading = fold(&[
            started.clone(),
            progress(SyncPhase::Received, 15_000, 12_000),
        ]);
        assert_eq!(
            reading.line().as_deref(),
            Some("Loading history: 12,000 keysends so far (15,000 invoices read)…")
        );
        let sent = reading.next(&progress(SyncPhase::Sent, 40, 3));
        assert_eq!(
            sent.line().as_deref(),
            Some("Loading history: 12,000 keysends; now reading your sent payments…")
        );
        let done = sent.next(&finished(12_000));
        assert_eq!(
            done,
            History::Loaded {
                fresh: true,
                stored: 12_000
            }
        );
        assert_eq!(done.line().as_deref(), Some("All 12,000 keysends loaded"));
        assert!(!done.is_reading());
    }

    #[test]
    fn search_says_it_waits_for_the_end_of_a_first_sync_only() {
        let first = fold(&[
            sync::Event::Started { fresh: true },
            progress(SyncPhase::Received, 1_000, 1_000),
        ]);
        assert!(first.search_note().is_some());
        assert_eq!(first.next(&finished(1_000)).search_note(), None);
        let catch_up = fold(&[
            sync::Event::Started { fresh: false },
            progress(SyncPhase::Received, 1_000, 1_000),
        ]);
        assert_eq!(catch_up.search_note(), None);
    }

    #[test]
    fn no_line_ever_shows_a_percentage() {
        let events = [
            sync::Event::Started { fresh: true },
            progress(SyncPhase::Received, 200, 200),
            progress(SyncPhase::Sent, 0, 0),
            finished(200),
        ];
        let mut history = History::Quiet;
        for event in &events {
            history = history.next(event);
            let line = history.line().unwrap_or_default();
            assert!(!line.contains('%'), "{line}");
        }
        assert_eq!(history.line().as_deref(), Some("All 200 keysends loaded"));
    }

    #[test]
    fn a_catch_up_says_nothing_unless_it_finds_new_keysends() {
        let quiet = fold(&[
            sync::Event::Started { fresh: false },
            progress(SyncPhase::Received, 1, 0),
        ]);
        assert!(quiet.is_reading());
        assert_eq!(quiet.line(), None);
        assert_eq!(quiet.next(&finished(0)), History::Quiet);
        let found = quiet.next(&progress(SyncPhase::Received, 3, 1));
        assert_eq!(
            found.line().as_deref(),
            Some("Loading new keysends: 1 so far…")
        );
        assert_eq!(
            found.next(&finished(1)).line().as_deref(),
            Some("1 new keysend loaded")
        );
    }

    #[test]
    fn a_failed_sync_leaves_the_line_to_the_notice() {
        let failed = fold(&[
            sync::Event::Started { fresh: true },
            progress(SyncPhase::Received, 1_000, 900),
            sync::Event::Backfilled(Err(crate::wallet::SyncError::Index(
                crate::wallet::IndexError::NotFound(1),
            ))),
        ]);
        assert_eq!(failed, History::Quiet);
    }

    #[test]
    fn live_events_do_not_touch_the_line() {
        let done = fold(&[sync::Event::Started { fresh: true }, finished(5)]);
        let after = done
            .next(&sync::Event::Received(Vec::new()))
            .next(&sync::Event::Failed(crate::wallet::IndexError::NotFound(1)));
        assert_eq!(after, done);
    }

    #[test]
    fn tips_arriving_after_the_sync_keep_the_count_live() {
        let row = crate::wallet::InboxRow::sample;
        let history = fold(&[
            sync::Event::Started { fresh: true },
            finished(200),
            sync::Event::Received(vec![row(201)]),
            sync::Event::Received(vec![row(202), row(203)]),
        ]);
        assert_eq!(history.line().as_deref(), Some("All 203 keysends loaded"));
        let quiet = fold(&[sync::Event::Received(vec![row(1)])]);
        assert_eq!(quiet.line(), None, "nothing was said, nothing to update");
    }
}
