//! The Contacts screen: a searchable list of saved nodes with add, edit,
//! delete (with undo), "Tip", and import/export (JSON or CSV by file
//! extension). Changes go to the in-memory book at once and are saved
//! atomically in a task. Esc on a form with typed changes asks first.
//!
//! - [`form`]: the add/edit form.
//! - [`view`]: how the screen looks.
//! - [`recurring`]: a contact's recurring tips (issue 13).

use std::collections::HashSet;
use std::path::PathBuf;

use iced::Task;

use crate::gui::theme::Tone;
use crate::keysend::NodeId;
use crate::node::{GraphNode, NodeError, SharedNode};
use crate::store::{
    Contact, ContactBook, ImportError, ImportReport, NewContact, StoreError, write_atomic,
};

pub mod form;
pub mod recurring;
mod view;

use form::Form;

/// The Contacts screen.
#[derive(Default)]
pub struct Contacts {
    search: String,
    form: Option<Form>,
    /// Esc on a form with changes: asking whether to drop them.
    confirm_discard: bool,
    path: String,
    banner: Option<Banner>,
    confirm_delete: Option<u64>,
    /// Contacts the graph does not know (private or unknown nodes).
    not_in_graph: HashSet<u64>,
    /// The graph was checked this session.
    graph_checked: bool,
    /// The recurring tips panel of one contact.
    recurring: Option<recurring::Recurring>,
}

/// Why an import or export did nothing.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TransferError {
    /// The file could not be read or written.
    #[error(transparent)]
    File(#[from] StoreError),
    /// The file was read but refused as a whole.
    #[error(transparent)]
    Refused(#[from] ImportError),
    /// The work stopped before it finished (a bug).
    #[error("the work stopped before it finished: {0}")]
    Stopped(String),
}

/// Run file work off the UI thread.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, TransferError> + Send + 'static,
) -> Result<T, TransferError> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| Err(TransferError::Stopped(e.to_string())))
}

/// The line above the list: what just happened, and the undo of a delete.
struct Banner {
    tone: Tone,
    text: String,
    /// The contact just deleted, to put back.
    undo: Option<Contact>,
}

impl Banner {
    fn new(tone: Tone, text: String) -> Self {
        Self {
            tone,
            text,
            undo: None,
        }
    }
}

/// Contacts events.
#[derive(Debug, Clone)]
pub enum Message {
    SearchChanged(String),
    New,
    Edit(u64),
    Delete(u64),
    ConfirmDelete(u64),
    CancelDelete,
    /// Put back the contact just deleted.
    Undo,
    DismissBanner,
    /// Drop the form's changes (after Esc asked).
    Discard,
    KeepEditing,
    Tip(u64),
    Form(form::Message),
    PathChanged(String),
    Import,
    Export,
    /// Open the desktop's file dialog to pick a file to import.
    ChooseImport,
    /// Open the desktop's save dialog to pick where to export.
    ChooseExport,
    /// A dialog answered (`None`: cancelled): import from this file.
    ImportFrom(Option<PathBuf>),
    /// A dialog answered (`None`: cancelled): export to this file.
    ExportTo(Option<PathBuf>),
    Imported(Result<(ContactBook, ImportReport), TransferError>),
    Exported(Result<PathBuf, TransferError>),
    GraphChecked(Vec<(u64, Result<Option<GraphNode>, NodeError>)>),
    /// Open this contact's recurring tips.
    Recurring(u64),
    RecurringPanel(recurring::Message),
}

/// What the session must do.
pub enum Action {
    None,
    Run(Task<Message>),
    /// The book changed: save it.
    Changed,
    /// The book was replaced by an import (already merged): save it.
    Replaced(ContactBook),
    /// Open Send prefilled for this contact.
    Tip(Contact),
}

/// What the screen works on.
pub struct Context<'a> {
    pub book: &'a mut ContactBook,
    pub node: &'a SharedNode,
    /// How contact addresses are resolved (through the node's proxy).
    pub web: &'a crate::web::Web,
    /// The node's data folder (its `streams.db` holds recurring tips).
    pub node_data: &'a std::path::Path,
}

impl Contacts {
    /// Open the form for a new contact (from the inbox: pubkey and name known).
    pub fn new_contact(
        &mut self,
        pubkey: Option<NodeId>,
        name: String,
        node: &SharedNode,
    ) -> Task<Message> {
        let mut form = Form::new(pubkey, name);
        let task = form.start(node).map(Message::Form);
        (self.form, self.confirm_discard, self.recurring) = (Some(form), false, None);
        task
    }

    /// Look every contact up in the graph once per session (alias, keysend
    /// support, private or unknown).
    pub fn check_graph(&mut self, book: &ContactBook, node: &SharedNode) -> Task<Message> {
        if std::mem::replace(&mut self.graph_checked, true) || book.contacts().is_empty() {
            return Task::none();
        }
        let lookups: Vec<_> = book
            .contacts()
            .iter()
            .map(|c| {
                let id = c.id;
                let lookup = node.lookup(c.pubkey);
                async move { (id, lookup.await) }
            })
            .collect();
        Task::perform(futures::future::join_all(lookups), Message::GraphChecked)
    }

    fn graph_checked(
        &mut self,
        results: Vec<(u64, Result<Option<GraphNode>, NodeError>)>,
        book: &mut ContactBook,
    ) -> Action {
        let mut changed = false;
        for (id, result) in results {
            match result {
                Ok(Some(found)) => {
                    let known = book.get(id).map(|c| (c.alias.clone(), c.accepts_keysend));
                    let fresh = (Some(found.alias.clone()), Some(found.accepts_keysend));
                    if known.is_some_and(|k| k != fresh) {
                        changed |= book
                            .set_graph_info(id, Some(&found.alias), Some(found.accepts_keysend))
                            .is_ok();
                    }
                }
                Ok(None) => {
                    let _ = self.not_in_graph.insert(id);
                }
                Err(_) => {}
            }
        }
        if changed {
            Action::Changed
        } else {
            Action::None
        }
    }

    /// Esc: close a confirmation, or the form; a form with typed changes
    /// asks first. `true` if Esc was used here.
    pub fn close_dialog(&mut self) -> bool {
        if self.confirm_delete.take().is_some() {
            return true;
        }
        if std::mem::take(&mut self.confirm_discard) {
            return true;
        }
        if self.recurring.take().is_some() {
            return true;
        }
        match &self.form {
            Some(form) if form.is_touched() => self.confirm_discard = true,
            Some(_) => self.form = None,
            None => return false,
        }
        true
    }

    /// Asking whether to drop the form's changes (tests).
    pub fn asks_to_discard(&self) -> bool {
        self.confirm_discard
    }

    /// The form is open (tests).
    pub fn form_open(&self) -> bool {
        self.form.is_some()
    }

    /// Handle an event.
    pub fn update(&mut self, message: Message, cx: Context<'_>) -> Action {
        match message {
            Message::SearchChanged(value) => self.set(|s| s.search = value),
            Message::New => Action::Run(self.new_contact(None, String::new(), cx.node)),
            Message::Edit(id) => self.edit(id, cx),
            Message::Delete(id) => self.set(|s| s.confirm_delete = Some(id)),
            Message::ConfirmDelete(id) => self.delete(id, cx.book),
            Message::CancelDelete => self.set(|s| s.confirm_delete = None),
            Message::Undo => self.undo(cx.book),
            Message::DismissBanner => self.set(|s| s.banner = None),
            Message::Discard => self.set(|s| (s.form, s.confirm_discard) = (None, false)),
            Message::KeepEditing => self.set(|s| s.confirm_discard = false),
            Message::Tip(id) => cx.book.get(id).cloned().map_or(Action::None, Action::Tip),
            Message::Form(message) => self.form_update(message, cx),
            Message::PathChanged(value) => self.set(|s| s.path = value),
            Message::Import => self.import(cx.book),
            Message::Export => self.export(cx.book),
            Message::ChooseImport => Action::Run(Task::perform(
                crate::desktop::dialogs::open_file(FILE_KIND),
                Message::ImportFrom,
            )),
            Message::ChooseExport => Action::Run(Task::perform(
                crate::desktop::dialogs::save_file(FILE_KIND, suggested_name(&self.path)),
                Message::ExportTo,
            )),
            Message::ImportFrom(Some(path)) => {
                self.path = path.display().to_string();
                self.import(cx.book)
            }
            Message::ExportTo(Some(path)) => {
                self.path = path.display().to_string();
                self.export(cx.book)
            }
            Message::ImportFrom(None) | Message::ExportTo(None) => Action::None,
            Message::Imported(result) => self.imported(result),
            Message::Exported(result) => self.exported(result),
            Message::GraphChecked(results) => self.graph_checked(results, cx.book),
            Message::Recurring(id) => self.open_recurring(id, cx),
            Message::RecurringPanel(message) => self.recurring_update(message),
        }
    }

    fn open_recurring(&mut self, id: u64, cx: Context<'_>) -> Action {
        let Some(contact) = cx.book.get(id) else {
            return Action::None;
        };
        let (panel, task) = recurring::Recurring::open(contact, cx.node_data.to_path_buf());
        (self.recurring, self.form, self.confirm_discard) = (Some(panel), None, false);
        Action::Run(task.map(Message::RecurringPanel))
    }

    fn recurring_update(&mut self, message: recurring::Message) -> Action {
        let Some(panel) = &mut self.recurring else {
            return Action::None;
        };
        match panel.update(message) {
            recurring::Action::None => Action::None,
            recurring::Action::Run(task) => Action::Run(task.map(Message::RecurringPanel)),
            recurring::Action::Close => self.set(|s| s.recurring = None),
        }
    }

    fn set(&mut self, change: impl FnOnce(&mut Self)) -> Action {
        change(self);
        Action::None
    }

    fn edit(&mut self, id: u64, cx: Context<'_>) -> Action {
        let Some(contact) = cx.book.get(id) else {
            return Action::None;
        };
        let mut form = Form::edit(contact);
        let task = form.start(cx.node).map(Message::Form);
        (self.form, self.confirm_discard, self.recurring) = (Some(form), false, None);
        Action::Run(task)
    }

    fn delete(&mut self, id: u64, book: &mut ContactBook) -> Action {
        self.confirm_delete = None;
        match book.remove(id) {
            Ok(removed) => {
                self.banner = Some(Banner {
                    undo: Some(removed.clone()),
                    ..Banner::new(Tone::Neutral, format!("Removed {}.", removed.name))
                });
                Action::Changed
            }
            Err(error) => self.fail(error.to_string()),
        }
    }

    /// Put the deleted contact back, with what the graph said about it.
    fn undo(&mut self, book: &mut ContactBook) -> Action {
        let Some(contact) = self.banner.take().and_then(|b| b.undo) else {
            return Action::None;
        };
        match book.add(contact.portable()) {
            Ok(id) => {
                let _ = book.set_graph_info(id, contact.alias.as_deref(), contact.accepts_keysend);
                if self.not_in_graph.remove(&contact.id) {
                    let _ = self.not_in_graph.insert(id);
                }
                self.banner = Some(Banner::new(
                    Tone::Success,
                    format!("Restored {}.", contact.name),
                ));
                Action::Changed
            }
            Err(error) => self.fail(format!("Could not restore {}: {error}", contact.name)),
        }
    }

    fn form_update(&mut self, message: form::Message, cx: Context<'_>) -> Action {
        let Some(form) = &mut self.form else {
            return Action::None;
        };
        match form.update(message, cx.node, cx.book, cx.web) {
            form::Action::None => Action::None,
            form::Action::Run(task) => Action::Run(task.map(Message::Form)),
            form::Action::Cancel => self.set(|s| (s.form, s.confirm_discard) = (None, false)),
            form::Action::Save(editing, contact, graph, hints) => {
                self.save(editing, (contact, hints), graph, cx.book)
            }
        }
    }

    fn save(
        &mut self,
        editing: Option<u64>,
        (contact, hints): (NewContact, Vec<String>),
        graph: Option<GraphNode>,
        book: &mut ContactBook,
    ) -> Action {
        let name = contact.name.clone();
        let result = match editing {
            Some(id) => book.update(id, contact).map(|()| id),
            None => book.add(contact),
        };
        match result {
            Ok(id) => {
                let _ = book.set_route_hints(id, hints);
                if let Some(found) = graph {
                    let _ =
                        book.set_graph_info(id, Some(&found.alias), Some(found.accepts_keysend));
                }
                (self.form, self.confirm_discard) = (None, false);
                self.banner = Some(Banner::new(Tone::Success, format!("Saved {name}.")));
                Action::Changed
            }
            Err(error) => {
                if let Some(form) = &mut self.form {
                    form.error = Some(error.to_string());
                }
                Action::None
            }
        }
    }

    fn import(&mut self, book: &ContactBook) -> Action {
        let path = PathBuf::from(self.path.trim());
        let mut copy = book.clone();
        Action::Run(Task::perform(
            async move {
                blocking(move || {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| StoreError::io("read", &path, e))?;
                    let report = if is_csv(&path) {
                        copy.import_csv(&text)
                    } else {
                        copy.import_json(&text)
                    };
                    Ok(report.map(|r| (copy, r))?)
                })
                .await
            },
            Message::Imported,
        ))
    }

    fn export(&mut self, book: &ContactBook) -> Action {
        let path = PathBuf::from(self.path.trim());
        if path.as_os_str().is_empty() {
            return self.fail("Enter a file path ending in .json or .csv.".into());
        }
        let text = if is_csv(&path) {
            book.export_csv()
        } else {
            book.export_json()
        };
        Action::Run(Task::perform(
            async move {
                blocking(move || Ok(write_atomic(&path, text.as_bytes()).map(|()| path)?)).await
            },
            Message::Exported,
        ))
    }

    fn imported(&mut self, result: Result<(ContactBook, ImportReport), TransferError>) -> Action {
        match result {
            Ok((book, report)) => {
                let summary = format!(
                    "Imported {} contacts; {} duplicates skipped; {} invalid rows.",
                    report.added(),
                    report.duplicates(),
                    report.invalid()
                );
                self.banner = Some(Banner::new(Tone::Success, summary));
                Action::Replaced(book)
            }
            Err(reason) => self.fail(format!("Import failed: {reason}")),
        }
    }

    fn exported(&mut self, result: Result<PathBuf, TransferError>) -> Action {
        match result {
            Ok(path) => self.set(|s| {
                let text = format!("Exported to {}.", path.display());
                s.banner = Some(Banner::new(Tone::Success, text));
            }),
            Err(reason) => self.fail(format!("Export failed: {reason}")),
        }
    }

    fn fail(&mut self, message: String) -> Action {
        self.banner = Some(Banner::new(Tone::Danger, message));
        Action::None
    }
}

/// What the import/export dialogs offer.
const FILE_KIND: crate::desktop::dialogs::FileKind = crate::desktop::dialogs::FileKind {
    title: "Contacts file",
    filter_name: "Contacts (JSON or CSV)",
    extensions: &["json", "csv"],
};

/// The file name the save dialog proposes: the typed one, else `contacts.json`.
fn suggested_name(typed: &str) -> String {
    std::path::Path::new(typed.trim()).file_name().map_or_else(
        || "contacts.json".into(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn is_csv(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}
