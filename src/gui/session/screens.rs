//! The Inbox, Contacts and Settings screens' actions as a session handles
//! them: opening the contact form for a sender, tipping a contact, saving
//! the contact book (off the UI thread) and applying changed settings.

use iced::Task;

use super::{Action, Message, Session, env_for, run};
use crate::gui::context::Context;
use crate::gui::screen::Screen;
use crate::gui::screen::{contacts, inbox, send, settings};
use crate::store::{ContactBook, StoreError};

impl Session {
    pub(super) fn inbox_update(
        &mut self,
        message: inbox::Message,
        context: &mut Context,
    ) -> Action {
        let env = env_for(&self.info, context);
        let action = self.inbox.update(message, &env);
        if self.inbox.total() > 0 {
            self.first_rows_on_screen();
        }
        match action {
            inbox::Action::None => Action::None,
            inbox::Action::Run(task) => run(task.map(Message::Inbox)),
            inbox::Action::UnreadChanged => run(self.count_unread(context)),
            inbox::Action::SaveContact(id, name) => {
                self.screen = Screen::Contacts;
                run(self
                    .contacts
                    .new_contact(Some(id), name, &self.node)
                    .map(Message::Contacts))
            }
            inbox::Action::TipBack {
                to,
                reply_to,
                warning,
            } => {
                if !self.send.is_busy() {
                    self.send = send::Send::default();
                }
                self.notice = warning;
                self.screen = Screen::Send;
                let record = format!("{}={}", crate::keysend::record::IN_REPLY_TO, reply_to);
                run(Task::batch([
                    Task::done(Message::Send(send::Message::RecipientChanged(to.to_hex()))),
                    Task::done(Message::Send(send::Message::RecordsChanged(record))),
                ]))
            }
            inbox::Action::PayRequest(invoice) => {
                if !self.send.is_busy() {
                    self.send = send::Send::default();
                }
                self.screen = Screen::Send;
                let to = send::Message::RecipientChanged(invoice);
                run(Task::done(Message::Send(to)))
            }
        }
    }

    pub(super) fn contacts_update(
        &mut self,
        message: contacts::Message,
        context: &mut Context,
    ) -> Action {
        let node_data = context.paths.node_data_dir(&self.info.id);
        let cx = contacts::Context {
            book: &mut context.contacts,
            node: &self.node,
            web: &self.web,
            node_data: &node_data,
        };
        match self.contacts.update(message, cx) {
            contacts::Action::None => Action::None,
            contacts::Action::Run(task) => run(task.map(Message::Contacts)),
            contacts::Action::Changed => run(save_contacts(context)),
            contacts::Action::Replaced(book) => {
                context.contacts = book;
                run(save_contacts(context))
            }
            contacts::Action::Tip(contact) => {
                // A fresh form for this contact, unless a payment is still
                // being prepared or followed (then it stays on screen).
                if !self.send.is_busy() {
                    self.send = send::Send::for_contact(&contact);
                }
                self.screen = Screen::Send;
                run(Task::done(Message::Send(send::Message::RecipientChanged(
                    contact.pubkey.to_hex(),
                ))))
            }
        }
    }

    pub(super) fn contacts_saved(
        &mut self,
        result: Result<ContactBook, StoreError>,
        context: &mut Context,
    ) -> Action {
        match result {
            Ok(book) => context.contacts = book,
            Err(error) => self.notice = Some(format!("Contacts were not saved: {error}")),
        }
        Action::None
    }

    pub(super) fn settings_update(
        &mut self,
        message: settings::Message,
        context: &mut Context,
    ) -> Action {
        if let settings::Message::Apps(message) = message {
            return self.apps_update(message, context);
        }
        let action = self.settings.update(message, &context.settings);
        self.settings_action(action, context)
    }

    /// Leaving the Settings screen applies the valid numbers typed there.
    pub(super) fn leave_settings(&mut self, context: &mut Context) -> Action {
        let action = self.settings.leave(&context.settings);
        self.settings_action(action, context)
    }

    fn settings_action(&mut self, action: settings::Action, context: &mut Context) -> Action {
        match action {
            settings::Action::None => Action::None,
            settings::Action::Run(task) => run(task.map(Message::Settings)),
            settings::Action::Changed(next) => {
                let threshold_changed = next.spam_threshold != context.settings.spam_threshold;
                let fiat_changed = next.fiat != context.settings.fiat;
                context.settings = next;
                let rate = if fiat_changed {
                    context.fiat.error = None;
                    self.refresh_fiat(context, true)
                } else {
                    Task::none()
                };
                if !threshold_changed {
                    return Action::SaveSettings(rate);
                }
                let reload = self
                    .inbox
                    .reload(&env_for(&self.info, context))
                    .map(Message::Inbox);
                Action::SaveSettings(Task::batch([reload, self.count_unread(context), rate]))
            }
            settings::Action::Switch(id) => Action::Disconnect(Some(id)),
            settings::Action::Forget(id) => Action::Forget(id),
            settings::Action::Disconnect => Action::Disconnect(None),
            settings::Action::Copy(text) => Action::Run(iced::clipboard::write(text)),
            settings::Action::RefreshFiat => run(self.refresh_fiat(context, true)),
        }
    }
}

/// Save the contact book in a task; the saved (merged) book comes back.
fn save_contacts(context: &Context) -> Task<Message> {
    let (mut book, paths) = (context.contacts.clone(), context.paths.clone());
    Task::perform(
        async move {
            let file = paths.contacts_file();
            tokio::task::spawn_blocking(move || book.save(&paths).map(|_| book))
                .await
                .unwrap_or_else(|e| Err(StoreError::io("save", &file, std::io::Error::other(e))))
        },
        Message::ContactsSaved,
    )
}
