//! A connected session: the node, the wallet index and journal, the screens
//! (kept alive while switching), the header state, inbox sync (backfill as
//! a task, live follow as a subscription keyed by the connection), desktop
//! notifications, keyboard shortcuts and crash recovery (unfinished
//! payments reconciled with the node on connect and after a reconnect).

use iced::{Subscription, Task};

use crate::gui::app::Context;
use crate::gui::chrome::Screen;
use crate::gui::health::{self, State};
use crate::gui::recovery::{self, Recovery};
use crate::gui::screen::connect::Connection;
use crate::gui::screen::{Env, contacts, inbox, send, sent, settings};
use crate::gui::{notify, shortcuts, sync};
use crate::node::{Balance, NodeInfo, SharedNode};
use crate::store::ContactBook;
use crate::wallet::{Index, IndexError, IndexWarning, Journal};

mod index_check;
mod view;

/// Desktop notifications shown for one batch of new tips at most (the newest).
const NOTIFY_MAX: usize = 3;

/// The connected app.
pub struct Session {
    id: u64,
    node: SharedNode,
    info: NodeInfo,
    balance: Option<Balance>,
    state: State,
    index: Index,
    journal: Journal,
    screen: Screen,
    inbox: inbox::Inbox,
    send: send::Send,
    contacts: contacts::Contacts,
    sent: sent::Sent,
    settings: settings::Settings,
    recovery: Recovery,
    unread: u64,
    /// An unread count is running / was asked for again meanwhile.
    counting: bool,
    count_again: bool,
    /// The first backfill ended: the live follow runs from its cursor.
    following: bool,
    notice: Option<String>,
}

/// Session events.
#[derive(Debug, Clone)]
pub enum Message {
    Navigate(Screen),
    Inbox(inbox::Message),
    Send(send::Message),
    Contacts(contacts::Message),
    Sent(sent::Message),
    Settings(settings::Message),
    Recovery(recovery::Message),
    Health(health::Event),
    Sync(sync::Event),
    Unread(Result<u64, IndexError>),
    ContactsSaved(Result<ContactBook, String>),
    NewTip,
    /// Read new history from the node into the index.
    Resync,
    Escape,
    DismissNotice,
    Notified,
    /// The index's integrity check ended; `Some` when the file was damaged
    /// and an empty index took its place.
    IndexChecked(Option<IndexWarning>),
}

/// What the app must do.
pub enum Action {
    None,
    Run(Task<Message>),
    /// Save the settings, and run this follow-up work.
    SaveSettings(Task<Message>),
    /// Leave this node: `Some(id)` to open a saved node, `None` for the Connect screen.
    Disconnect(Option<String>),
    Forget(String),
}

impl Session {
    /// Start a session on a connection with an open index and journal.
    pub fn new(
        id: u64,
        connection: Connection,
        index: Index,
        journal: Journal,
        context: &Context,
    ) -> (Self, Task<Message>) {
        let Connection { node, info, .. } = connection;
        let session = Self {
            id,
            inbox: inbox::Inbox::new(index.clone(), info.id),
            sent: sent::Sent::new(index.clone()),
            settings: settings::Settings::new(&context.settings),
            send: send::Send::default(),
            contacts: contacts::Contacts::default(),
            recovery: Recovery::new(node.clone(), journal.clone()),
            node,
            info,
            balance: None,
            state: State::Connected,
            index,
            journal,
            screen: Screen::Inbox,
            unread: 0,
            counting: false,
            count_again: false,
            following: false,
            notice: index_warning(context),
        };
        let mut session = session;
        let env = session.env(context);
        let inbox = session.inbox_reload(&env);
        let unread = session.count_unread(context);
        let reconcile = session.recovery.check().map(Message::Recovery);
        let start = Task::batch([
            inbox,
            unread,
            reconcile,
            session.backfill(),
            session.balance_task(),
            index_check::outcome(&session.index),
        ]);
        (session, start)
    }

    fn env<'a>(&'a self, context: &'a Context) -> Env<'a> {
        env_for(&self.info, context)
    }

    fn inbox_reload(&self, _env: &Env<'_>) -> Task<Message> {
        Task::done(Message::Inbox(inbox::Message::Arrived))
    }

    fn backfill(&self) -> Task<Message> {
        sync::backfill(self.node.clone(), self.index.clone()).map(Message::Sync)
    }

    fn balance_task(&self) -> Task<Message> {
        let node = self.node.clone();
        Task::perform(
            async move {
                let info = node.info().await?;
                let balance = node.balance().await?;
                Ok((info, balance))
            },
            |result| match result {
                Ok((info, balance)) => Message::Health(health::Event::Online(info, balance)),
                Err(error) => Message::Health(health::Event::Offline(error)),
            },
        )
    }

    /// Unread tips above the spam threshold.
    pub fn unread(&self) -> u64 {
        self.unread
    }

    /// The node we are connected to.
    pub fn info(&self) -> &NodeInfo {
        &self.info
    }

    /// The screen shown.
    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// The inbox (tests).
    pub fn inbox(&self) -> &inbox::Inbox {
        &self.inbox
    }

    /// The send screen (tests).
    pub fn send(&self) -> &send::Send {
        &self.send
    }

    /// The sent screen (tests).
    pub fn sent(&self) -> &sent::Sent {
        &self.sent
    }

    /// The recovered payments (tests).
    pub fn recovery(&self) -> &Recovery {
        &self.recovery
    }

    /// The notice bar's text, if shown (tests).
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Show a problem in the notice bar.
    pub fn warn(&mut self, message: String) {
        self.notice = Some(message);
    }

    /// Handle an event.
    pub fn update(&mut self, message: Message, context: &mut Context) -> Action {
        match message {
            Message::Navigate(screen) => self.navigate(screen, context),
            Message::Inbox(message) => self.inbox_update(message, context),
            Message::Send(message) => self.send_update(message, context),
            Message::Contacts(message) => self.contacts_update(message, context),
            Message::Sent(message) => run(self.sent.update(message).map(Message::Sent)),
            Message::Settings(message) => self.settings_update(message, context),
            Message::Recovery(message) => self.recovery_update(message),
            Message::Health(event) => self.health(event),
            Message::Sync(event) => self.sync_event(event, context),
            Message::Unread(result) => self.counted(result, context),
            Message::ContactsSaved(result) => self.contacts_saved(result, context),
            Message::NewTip => self.new_tip(),
            Message::Resync => run(self.backfill()),
            Message::Escape => self.escape(),
            Message::DismissNotice => self.set(|s| s.notice = None),
            Message::Notified => Action::None,
            Message::IndexChecked(warning) => self.index_checked(warning, context),
        }
    }

    fn set(&mut self, change: impl FnOnce(&mut Self)) -> Action {
        change(self);
        Action::None
    }

    fn navigate(&mut self, screen: Screen, context: &Context) -> Action {
        self.screen = screen;
        match screen {
            Screen::Sent => run(self.sent.reload().map(Message::Sent)),
            Screen::Inbox => run(self
                .inbox
                .reload(&env_for(&self.info, context))
                .map(Message::Inbox)),
            Screen::Contacts => run(self
                .contacts
                .check_graph(&context.contacts, &self.node)
                .map(Message::Contacts)),
            _ => Action::None,
        }
    }

    fn new_tip(&mut self) -> Action {
        if !self.send.is_locked() {
            self.send = send::Send::default();
        }
        self.screen = Screen::Send;
        Action::None
    }

    fn escape(&mut self) -> Action {
        let _ = self.inbox.close_detail()
            || self.contacts.close_dialog()
            || self.send.back_to_compose();
        Action::None
    }

    fn inbox_update(&mut self, message: inbox::Message, context: &mut Context) -> Action {
        let env = Env {
            contacts: &context.contacts,
            settings: &context.settings,
            info: &self.info,
        };
        match self.inbox.update(message, &env) {
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
        }
    }

    /// Count unread tips; at most one count runs at a time (asked for while
    /// one runs, it runs once more after it).
    fn count_unread(&mut self, context: &Context) -> Task<Message> {
        if self.counting {
            self.count_again = true;
            return Task::none();
        }
        (self.counting, self.count_again) = (true, false);
        let (index, threshold) = (self.index.clone(), context.settings.spam_threshold);
        Task::perform(
            async move { index.call(move |i| i.unread_count(threshold)).await },
            Message::Unread,
        )
    }

    fn counted(&mut self, result: Result<u64, IndexError>, context: &Context) -> Action {
        self.counting = false;
        match result {
            Ok(count) => self.unread = count,
            Err(error) => self.notice = Some(error.to_string()),
        }
        if self.count_again {
            return run(self.count_unread(context));
        }
        Action::None
    }

    fn send_update(&mut self, message: send::Message, context: &mut Context) -> Action {
        let env = Env {
            contacts: &context.contacts,
            settings: &context.settings,
            info: &self.info,
        };
        let cx = send::Context {
            node: &self.node,
            info: &self.info,
            journal: &self.journal,
            balance: self.balance,
            env: &env,
        };
        match self.send.update(message, cx) {
            send::Action::None => Action::None,
            send::Action::Run(task) => run(task.map(Message::Send)),
            send::Action::Finished => run(self.refresh_after_payment()),
            send::Action::NotSent(entry) => {
                self.recovery.adopt(entry);
                Action::None
            }
        }
    }

    fn recovery_update(&mut self, message: recovery::Message) -> Action {
        match self.recovery.update(message) {
            recovery::Action::None => Action::None,
            recovery::Action::Run(task) => run(task.map(Message::Recovery)),
            recovery::Action::Finished => run(self.refresh_after_payment()),
        }
    }

    /// A payment ended: the balance changed and the node has a new sent entry.
    fn refresh_after_payment(&self) -> Task<Message> {
        Task::batch([self.balance_task(), self.backfill()])
    }

    /// Back online after the connection broke: ask the node again about
    /// unfinished payments (not while the Send screen drives one itself).
    fn reconnected(&mut self, before: &State) -> Action {
        if *before == State::Connected || self.send.is_locked() {
            return Action::None;
        }
        run(self.recovery.check().map(Message::Recovery))
    }

    fn contacts_update(&mut self, message: contacts::Message, context: &mut Context) -> Action {
        let cx = contacts::Context {
            book: &mut context.contacts,
            node: &self.node,
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
                if !self.send.is_locked() {
                    self.send = send::Send::for_contact(&contact);
                }
                self.screen = Screen::Send;
                run(Task::done(Message::Send(send::Message::RecipientChanged(
                    contact.pubkey.to_hex(),
                ))))
            }
        }
    }

    fn contacts_saved(
        &mut self,
        result: Result<ContactBook, String>,
        context: &mut Context,
    ) -> Action {
        match result {
            Ok(book) => context.contacts = book,
            Err(reason) => self.notice = Some(format!("Contacts were not saved: {reason}")),
        }
        Action::None
    }

    fn settings_update(&mut self, message: settings::Message, context: &mut Context) -> Action {
        match self.settings.update(message, &context.settings) {
            settings::Action::None => Action::None,
            settings::Action::Changed(next) => {
                let threshold_changed = next.spam_threshold != context.settings.spam_threshold;
                context.settings = next;
                if !threshold_changed {
                    return Action::SaveSettings(Task::none());
                }
                let reload = self
                    .inbox
                    .reload(&env_for(&self.info, context))
                    .map(Message::Inbox);
                Action::SaveSettings(Task::batch([reload, self.count_unread(context)]))
            }
            settings::Action::Switch(id) => Action::Disconnect(Some(id)),
            settings::Action::Forget(id) => Action::Forget(id),
            settings::Action::Disconnect => Action::Disconnect(None),
        }
    }

    fn health(&mut self, event: health::Event) -> Action {
        match event {
            health::Event::Online(info, balance) => {
                let before = std::mem::replace(&mut self.state, State::Connected);
                (self.info, self.balance) = (info, Some(balance));
                return self.reconnected(&before);
            }
            health::Event::Reconnecting {
                attempt, retry_in, ..
            } => self.state = State::Reconnecting { attempt, retry_in },
            health::Event::Offline(error) => {
                self.state = State::Offline(format!("{error}. {}", error.next_step()));
            }
        }
        Action::None
    }

    fn sync_event(&mut self, event: sync::Event, context: &Context) -> Action {
        let info = self.info.clone();
        let env = env_for(&info, context);
        match event {
            sync::Event::Progress(scanned, stored) => {
                let progress = Task::done(Message::Inbox(inbox::Message::Progress(Some((
                    scanned, stored,
                )))));
                if stored == 0 || self.inbox.total() > 0 {
                    return run(progress);
                }
                // The first rows are in: show them (and the count) while the rest syncs.
                let first = [
                    self.inbox.reload(&env).map(Message::Inbox),
                    self.count_unread(context),
                ];
                run(Task::batch([progress, Task::batch(first)]))
            }
            sync::Event::Failed(reason) => self.set(|s| s.notice = Some(reason)),
            sync::Event::Backfilled(result) => {
                if let Err(reason) = result {
                    self.notice = Some(format!("Reading your node's history failed: {reason}"));
                }
                self.following = true;
                let tasks = [
                    Task::done(Message::Inbox(inbox::Message::Progress(None))),
                    self.inbox.reload(&env).map(Message::Inbox),
                    self.count_unread(context),
                    self.sent.reload().map(Message::Sent),
                ];
                run(Task::batch(tasks))
            }
            sync::Event::Received(tips) => {
                let notify = tips
                    .iter()
                    .rev()
                    .take(NOTIFY_MAX)
                    .map(|tip| notify::tip(tip, &context.settings).map(|()| Message::Notified));
                let notify = Task::batch(notify);
                let tasks = [
                    self.inbox.reload(&env).map(Message::Inbox),
                    self.count_unread(context),
                    notify,
                ];
                run(Task::batch(tasks))
            }
            sync::Event::State(state) => {
                let before = std::mem::replace(&mut self.state, state);
                if self.state == State::Connected {
                    return self.reconnected(&before);
                }
                Action::None
            }
        }
    }

    /// Live inbox, connection watch and keyboard shortcuts.
    pub fn subscription(&self) -> Subscription<Message> {
        let follow = if self.following {
            sync::follow(self.id, self.node.clone(), self.index.clone()).map(Message::Sync)
        } else {
            Subscription::none()
        };
        Subscription::batch([
            follow,
            health::watch(self.id, self.node.clone()).map(Message::Health),
            shortcuts::listen(),
        ])
    }
}

fn env_for<'a>(info: &'a NodeInfo, context: &'a Context) -> Env<'a> {
    Env {
        contacts: &context.contacts,
        settings: &context.settings,
        info,
    }
}

fn run(task: Task<Message>) -> Action {
    Action::Run(task)
}

fn index_warning(context: &Context) -> Option<String> {
    (!context.warnings.is_empty()).then(|| context.warnings.join("\n"))
}

/// Save the contact book in a task; the saved (merged) book comes back.
fn save_contacts(context: &Context) -> Task<Message> {
    let (mut book, paths) = (context.contacts.clone(), context.paths.clone());
    Task::perform(
        async move {
            tokio::task::spawn_blocking(move || {
                book.save(&paths).map(|_| book).map_err(|e| e.to_string())
            })
            .await
            .unwrap_or_else(|e| Err(e.to_string()))
        },
        Message::ContactsSaved,
    )
}
