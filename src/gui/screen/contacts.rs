//! The Contacts screen: a searchable list of saved nodes with add, edit,
//! delete, "Tip", and import/export (JSON or CSV by file extension). Changes
//! go to the in-memory book at once and are saved atomically in a task.

use std::collections::HashSet;
use std::path::PathBuf;

use iced::widget::{column, row, scrollable, space, text, text_input};
use iced::{Alignment, Element, Length, Task};

use crate::gui::screen::Env;
use crate::gui::screen::contact_form::{self, Form};
use crate::gui::theme::{self, Tone, gap, size};
use crate::gui::{format, widget};
use crate::keysend::NodeId;
use crate::node::{GraphNode, NodeError, SharedNode};
use crate::store::{Contact, ContactBook, ImportReport, write_atomic};

/// The Contacts screen.
#[derive(Default)]
pub struct Contacts {
    search: String,
    form: Option<Form>,
    path: String,
    status: Option<(Tone, String)>,
    confirm_delete: Option<u64>,
    /// Contacts the graph does not know (private or unknown nodes).
    not_in_graph: HashSet<u64>,
    /// The graph was checked this session.
    graph_checked: bool,
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
    Tip(u64),
    Form(contact_form::Message),
    PathChanged(String),
    Import,
    Export,
    Imported(Result<(ContactBook, ImportReport), String>),
    Exported(Result<String, String>),
    GraphChecked(Vec<(u64, Result<Option<GraphNode>, NodeError>)>),
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
        self.form = Some(form);
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

    /// Close the form or a confirmation (Esc). `true` if something closed.
    pub fn close_dialog(&mut self) -> bool {
        self.confirm_delete.take().is_some() || self.form.take().is_some()
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
            Message::Tip(id) => cx.book.get(id).cloned().map_or(Action::None, Action::Tip),
            Message::Form(message) => self.form_update(message, cx),
            Message::PathChanged(value) => self.set(|s| s.path = value),
            Message::Import => self.import(cx.book),
            Message::Export => self.export(cx.book),
            Message::Imported(result) => self.imported(result),
            Message::Exported(result) => self.exported(result),
            Message::GraphChecked(results) => self.graph_checked(results, cx.book),
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
        self.form = Some(form);
        Action::Run(task)
    }

    fn delete(&mut self, id: u64, book: &mut ContactBook) -> Action {
        self.confirm_delete = None;
        match book.remove(id) {
            Ok(removed) => {
                self.status = Some((Tone::Neutral, format!("Removed {}.", removed.name)));
                Action::Changed
            }
            Err(error) => self.fail(error.to_string()),
        }
    }

    fn form_update(&mut self, message: contact_form::Message, cx: Context<'_>) -> Action {
        let Some(form) = &mut self.form else {
            return Action::None;
        };
        match form.update(message, cx.node, cx.book) {
            contact_form::Action::None => Action::None,
            contact_form::Action::Run(task) => Action::Run(task.map(Message::Form)),
            contact_form::Action::Cancel => self.set(|s| s.form = None),
            contact_form::Action::Save(editing, contact, graph) => {
                self.save(editing, contact, graph, cx.book)
            }
        }
    }

    fn save(
        &mut self,
        editing: Option<u64>,
        contact: crate::store::NewContact,
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
                if let Some(found) = graph {
                    let _ =
                        book.set_graph_info(id, Some(&found.alias), Some(found.accepts_keysend));
                }
                self.form = None;
                self.status = Some((Tone::Success, format!("Saved {name}.")));
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
                tokio::task::spawn_blocking(move || {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                    let report = if is_csv(&path) {
                        copy.import_csv(&text)
                    } else {
                        copy.import_json(&text)
                    };
                    report.map(|r| (copy, r)).map_err(|e| e.to_string())
                })
                .await
                .unwrap_or_else(|e| Err(e.to_string()))
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
                tokio::task::spawn_blocking(move || {
                    write_atomic(&path, text.as_bytes())
                        .map(|()| path.display().to_string())
                        .map_err(|e| e.to_string())
                })
                .await
                .unwrap_or_else(|e| Err(e.to_string()))
            },
            Message::Exported,
        ))
    }

    fn imported(&mut self, result: Result<(ContactBook, ImportReport), String>) -> Action {
        match result {
            Ok((book, report)) => {
                let summary = format!(
                    "Imported {} contacts; {} duplicates skipped; {} invalid rows.",
                    report.added(),
                    report.duplicates(),
                    report.invalid()
                );
                self.status = Some((Tone::Success, summary));
                Action::Replaced(book)
            }
            Err(reason) => self.fail(format!("Import failed: {reason}")),
        }
    }

    fn exported(&mut self, result: Result<String, String>) -> Action {
        match result {
            Ok(path) => {
                self.set(|s| s.status = Some((Tone::Success, format!("Exported to {path}."))))
            }
            Err(reason) => self.fail(format!("Export failed: {reason}")),
        }
    }

    fn fail(&mut self, message: String) -> Action {
        self.status = Some((Tone::Danger, message));
        Action::None
    }

    /// Show the screen.
    pub fn view<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        let search = text_input("Search by name, note, alias or key…", &self.search)
            .size(size::BODY)
            .id("contact-search")
            .on_input(Message::SearchChanged)
            .padding(9)
            .style(theme::input(false));
        let top = row![
            container_fill(search),
            widget::primary("New contact", Some(Message::New))
        ]
        .spacing(gap::M)
        .align_y(Alignment::Center);
        let mut body = column![top].spacing(gap::M);
        if let Some((tone, message)) = &self.status {
            body = body.push(widget::notice(*tone, message.clone(), ""));
        }
        let list = self.list(env);
        let main: Element<'a, Message> = match &self.form {
            Some(form) => row![
                container_portion(list, 5),
                container_portion(scrollable(form.view(env).map(Message::Form)).into(), 4)
            ]
            .spacing(gap::M)
            .into(),
            None => list,
        };
        body = body.push(main).push(self.transfer_row());
        let subtitle = format!("{} saved", env.contacts.contacts().len());
        widget::page("Contacts", Some(subtitle), body)
    }

    fn list<'a>(&'a self, env: &Env<'a>) -> Element<'a, Message> {
        let found = env.contacts.search(self.search.trim());
        if found.is_empty() {
            let detail = if self.search.is_empty() {
                "Add the people and podcasts you tip, or save a sender from the inbox."
            } else {
                "No contact matches the search."
            };
            return widget::card(widget::empty_state("No contacts", detail))
                .height(Length::Fill)
                .into();
        }
        let rows = found
            .into_iter()
            .fold(column![].spacing(gap::S), |col, contact| {
                col.push(self.contact_card(contact, env))
            });
        scrollable(rows).spacing(6).height(Length::Fill).into()
    }

    fn contact_card<'a>(&'a self, contact: &'a Contact, env: &Env<'a>) -> Element<'a, Message> {
        let mut title = row![text(&contact.name).size(size::TITLE).font(theme::BOLD)]
            .spacing(gap::S)
            .align_y(Alignment::Center);
        if let Some(alias) = contact.alias.as_ref().filter(|a| **a != contact.name) {
            title = title.push(widget::caption(format!("“{alias}” in the graph")));
        }
        title = title.push(match contact.accepts_keysend {
            _ if self.not_in_graph.contains(&contact.id) => {
                widget::pill("not in graph: private or unknown", Tone::Warning)
            }
            Some(true) => widget::pill("keysend", Tone::Success),
            Some(false) => widget::pill("no keysend advertised", Tone::Warning),
            None => widget::pill("not checked", Tone::Neutral),
        });
        let mut info = column![title, widget::mono(contact.pubkey.to_hex())].spacing(gap::XS);
        if !contact.note.is_empty() {
            info = info.push(text(&contact.note).size(size::BODY).style(theme::muted));
        }
        if let Some(amount) = contact.default_amount {
            info = info.push(widget::caption(format!(
                "Default tip {}",
                format::amount(amount, env.settings.unit)
            )));
        }
        let actions: Element<'a, Message> = if self.confirm_delete == Some(contact.id) {
            row![
                text("Delete?").style(theme::toned(Tone::Danger)),
                widget::danger("Delete", Some(Message::ConfirmDelete(contact.id))),
                widget::secondary("Keep", Some(Message::CancelDelete))
            ]
            .spacing(gap::S)
            .align_y(Alignment::Center)
            .into()
        } else {
            row![
                widget::primary("Tip", Some(Message::Tip(contact.id))),
                widget::secondary("Edit", Some(Message::Edit(contact.id))),
                widget::link("Delete", Message::Delete(contact.id))
            ]
            .spacing(gap::S)
            .align_y(Alignment::Center)
            .into()
        };
        widget::card(
            row![info, space::horizontal(), actions]
                .spacing(gap::M)
                .align_y(Alignment::Center),
        )
        .into()
    }

    fn transfer_row(&self) -> Element<'_, Message> {
        let path = text_input("File path: contacts.json or contacts.csv", &self.path)
            .size(size::BODY)
            .on_input(Message::PathChanged)
            .padding(8)
            .style(theme::input(false));
        let ready = !self.path.trim().is_empty();
        row![
            widget::caption("Import / export"),
            container_fill(path),
            widget::secondary("Import", ready.then_some(Message::Import)),
            widget::secondary("Export", ready.then_some(Message::Export))
        ]
        .spacing(gap::S)
        .align_y(Alignment::Center)
        .into()
    }
}

fn is_csv(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

fn container_fill<'a>(content: impl Into<Element<'a, Message>>) -> Element<'a, Message> {
    iced::widget::container(content).width(Length::Fill).into()
}

fn container_portion<'a>(content: Element<'a, Message>, portion: u16) -> Element<'a, Message> {
    iced::widget::container(content)
        .width(Length::FillPortion(portion))
        .into()
}
