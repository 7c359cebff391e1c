//! "Export…" for the Inbox and the Sent screen: a native save dialog, then
//! the same streaming export as `satchel inbox --format …` (CSV, or JSON
//! for a `.json` name) written on a worker thread, with rows written out of
//! the total and a Cancel. The file appears whole or not at all: rows go to
//! a `.part` file beside it, renamed when the last row is written, removed
//! when cancelled or failed.
//!
//! What is exported is what the list shows (its search, filters and order,
//! passed in as [`Rows`] at each update) unless the user picked "Export
//! all…": then every row, newest first.
//!
//! Tests skip the dialog and send [`Message::Picked`] (what is shown) or
//! [`Message::PickedAll`] with a path.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use iced::futures::channel::mpsc;
use iced::widget::{progress_bar, row, text};
use iced::{Alignment, Element, Task};

use crate::desktop::dialogs::{FileKind, save_file};
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::store::ContactBook;
use crate::wallet::{ExportError, ExportFormat, InboxQuery, Index, SentQuery};

/// What is exported: the rows a list shows, as its query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rows {
    /// The inbox list's query, from offset 0 with no limit.
    Received(InboxQuery),
    Sent(SentQuery),
}

impl Rows {
    /// Every row of the same kind, newest first.
    fn all(&self) -> Self {
        match self {
            Self::Received(_) => Self::Received(InboxQuery {
                limit: u64::MAX,
                ..InboxQuery::default()
            }),
            Self::Sent(_) => Self::Sent(SentQuery::default()),
        }
    }
}

/// Which rows "Export…" writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    /// What the list shows (its search, filters and order).
    #[default]
    Shown,
    /// Every row, newest first.
    All,
}

/// An export, from the button to the written file.
#[derive(Debug, Default)]
pub struct Export {
    /// Tells each export's answers from an older one's.
    id: u64,
    state: State,
}

#[derive(Debug, Default)]
enum State {
    #[default]
    Idle,
    Asking,
    Writing {
        path: PathBuf,
        written: u64,
        total: u64,
        cancel: Arc<AtomicBool>,
    },
    Written {
        path: PathBuf,
        rows: u64,
    },
    Failed(String),
}

/// Export events.
#[derive(Debug, Clone)]
pub enum Message {
    /// "Export…" (what is shown) or "Export all…": open the save dialog.
    Start(Scope),
    /// The dialog's answer for what is shown (`None`: cancelled or no
    /// dialog service).
    Picked(Option<PathBuf>),
    /// The dialog's answer for "Export all…".
    PickedAll(Option<PathBuf>),
    /// Rows written so far, of `total`, by export `id`.
    Progress {
        id: u64,
        written: u64,
        total: u64,
    },
    /// Export `id` ended: how many rows, or why not.
    Finished {
        id: u64,
        result: Result<u64, String>,
    },
    Cancel,
    Dismiss,
}

/// What the worker thread reports.
enum Step {
    Progress(u64, u64),
    Finished(Result<u64, String>),
}

impl Export {
    /// Handle an event; `rows` says what the list shows, of `index`.
    pub fn update(
        &mut self,
        message: Message,
        rows: Rows,
        index: &Index,
        contacts: &ContactBook,
    ) -> Task<Message> {
        match message {
            Message::Start(scope) => self.ask(&rows, scope),
            Message::Picked(None) | Message::PickedAll(None) => self.set(State::Idle),
            Message::Picked(Some(path)) => self.write(path, rows, index, contacts),
            Message::PickedAll(Some(path)) => self.write(path, rows.all(), index, contacts),
            Message::Progress { id, written, total } => self.progressed(id, written, total),
            Message::Finished { id, result } => self.finished(id, result),
            Message::Cancel => self.cancel(),
            Message::Dismiss => self.set(State::Idle),
        }
    }

    /// Rows written and the total, while writing (tests).
    pub fn progress(&self) -> Option<(u64, u64)> {
        match &self.state {
            State::Writing { written, total, .. } => Some((*written, *total)),
            _ => None,
        }
    }

    /// The file written and its rows, once done (tests).
    pub fn written(&self) -> Option<(&Path, u64)> {
        match &self.state {
            State::Written { path, rows } => Some((path, *rows)),
            _ => None,
        }
    }

    fn set(&mut self, state: State) -> Task<Message> {
        self.state = state;
        Task::none()
    }

    fn ask(&mut self, rows: &Rows, scope: Scope) -> Task<Message> {
        if matches!(self.state, State::Writing { .. } | State::Asking) {
            return Task::none();
        }
        self.state = State::Asking;
        let kind = FileKind {
            title: "Export",
            filter_name: "CSV or JSON",
            extensions: &["csv", "json"],
        };
        let name = match rows {
            Rows::Received(_) => "satchel-inbox.csv",
            Rows::Sent(_) => "satchel-sent.csv",
        };
        let picked = match scope {
            Scope::Shown => Message::Picked,
            Scope::All => Message::PickedAll,
        };
        Task::perform(save_file(kind, name.to_owned()), picked)
    }

    /// Start writing `path` on a worker thread; its steps come back as
    /// messages of this export's id.
    fn write(
        &mut self,
        path: PathBuf,
        rows: Rows,
        index: &Index,
        contacts: &ContactBook,
    ) -> Task<Message> {
        if matches!(self.state, State::Writing { .. }) {
            return Task::none();
        }
        let path = with_extension(path);
        self.id += 1;
        let cancel = Arc::new(AtomicBool::new(false));
        self.state = State::Writing {
            path: path.clone(),
            written: 0,
            total: 0,
            cancel: cancel.clone(),
        };
        let (sender, receiver) = mpsc::unbounded();
        let job = Job {
            index: index.clone(),
            contacts: contacts.clone(),
            rows,
            path,
            cancel,
        };
        let _worker = std::thread::spawn(move || job.run(&sender));
        let id = self.id;
        Task::run(receiver, move |step| match step {
            Step::Progress(written, total) => Message::Progress { id, written, total },
            Step::Finished(result) => Message::Finished { id, result },
        })
    }

    fn progressed(&mut self, id: u64, now: u64, of: u64) -> Task<Message> {
        if let State::Writing { written, total, .. } = &mut self.state
            && id == self.id
        {
            (*written, *total) = (now, of);
        }
        Task::none()
    }

    fn finished(&mut self, id: u64, result: Result<u64, String>) -> Task<Message> {
        let State::Writing { path, .. } = &self.state else {
            return Task::none();
        };
        if id != self.id {
            return Task::none();
        }
        self.state = match result {
            Ok(rows) => State::Written {
                path: path.clone(),
                rows,
            },
            Err(why) => State::Failed(why),
        };
        Task::none()
    }

    fn cancel(&mut self) -> Task<Message> {
        if let State::Writing { cancel, .. } = &self.state {
            cancel.store(true, Ordering::Relaxed);
        }
        Task::none()
    }

    /// The "Export…" link (with "Export all…" beside it while `filtered`
    /// leaves rows out), or where the export is.
    pub fn view(&self, filtered: bool) -> Element<'_, Message> {
        match &self.state {
            State::Idle | State::Asking if filtered => row![
                widget::link("Export shown…", Message::Start(Scope::Shown)),
                widget::link("Export all…", Message::Start(Scope::All)),
            ]
            .spacing(gap::M)
            .align_y(Alignment::Center)
            .into(),
            State::Idle | State::Asking => {
                widget::link("Export…", Message::Start(Scope::Shown)).into()
            }
            State::Writing { written, total, .. } => {
                let fraction = if *total == 0 {
                    0.0
                } else {
                    *written as f32 / *total as f32
                };
                row![
                    widget::caption(format!(
                        "Exporting {} of {} rows",
                        format::group(*written),
                        format::group(*total)
                    )),
                    progress_bar(0.0..=1.0, fraction)
                        .length(160)
                        .girth(6)
                        .style(theme::progress),
                    widget::link("Cancel", Message::Cancel),
                ]
                .spacing(gap::S)
                .align_y(Alignment::Center)
                .into()
            }
            State::Written { path, rows } => done(
                format!(
                    "Exported {} rows to {}",
                    format::group(*rows),
                    path.display()
                ),
                Tone::Success,
            ),
            State::Failed(why) => done(why.clone(), Tone::Danger),
        }
    }
}

fn done<'a>(line: String, tone: Tone) -> Element<'a, Message> {
    row![
        text(line).size(size::BODY).style(theme::toned(tone)),
        widget::link("OK", Message::Dismiss),
    ]
    .spacing(gap::S)
    .align_y(Alignment::Center)
    .into()
}

/// A name without an extension gets `.csv` (the format it is written in).
fn with_extension(path: PathBuf) -> PathBuf {
    if path.extension().is_some() {
        path
    } else {
        path.with_extension("csv")
    }
}

/// One export, on its worker thread.
struct Job {
    index: Index,
    contacts: ContactBook,
    rows: Rows,
    path: PathBuf,
    cancel: Arc<AtomicBool>,
}

impl Job {
    fn run(self, steps: &mpsc::UnboundedSender<Step>) {
        let result = self.write(steps).map_err(|e| match e {
            ExportError::Cancelled(_) => "Export cancelled: no file was written.".to_owned(),
            other => other.to_string(),
        });
        let _ = steps.unbounded_send(Step::Finished(result));
    }

    /// Write to `<name>.part`, then rename it over `path`.
    fn write(&self, steps: &mpsc::UnboundedSender<Step>) -> Result<u64, ExportError> {
        let total = match &self.rows {
            Rows::Received(query) => self.index.export_count_received(query)?,
            Rows::Sent(query) => self.index.export_count_sent(query, None)?,
        };
        let _ = steps.unbounded_send(Step::Progress(0, total));
        let mut part = self.path.clone().into_os_string();
        part.push(".part");
        let part = PathBuf::from(part);
        let out = std::io::BufWriter::new(std::fs::File::create(&part)?);
        let format = ExportFormat::of_path(&self.path);
        let mut progress = |written: u64| {
            let _ = steps.unbounded_send(Step::Progress(written, total));
            !self.cancel.load(Ordering::Relaxed)
        };
        let written = match &self.rows {
            Rows::Received(query) => {
                self.index
                    .export_received_with(query, format, &self.contacts, out, &mut progress)
            }
            Rows::Sent(query) => {
                self.index
                    .export_sent_with(query, None, format, out, &mut progress)
            }
        };
        match written {
            Ok(rows) => {
                std::fs::rename(&part, &self.path)?;
                Ok(rows)
            }
            Err(error) => {
                let _ = std::fs::remove_file(&part);
                Err(error)
            }
        }
    }
}
