//! A connected session: the node, the wallet index and journal, the screens
//! (kept alive while switching) and the header state. This file holds the
//! state, its messages and the routing table; the work is split by concern:
//!
//! - [`inbox_sync`]: history backfill (one at a time), the live follow's
//!   batches, the unread count and desktop notifications.
//! - [`payments`]: the Send screen, crash recovery (unfinished payments
//!   reconciled with the node on connect and after a reconnect), balance
//!   and connection health.
//! - [`screens`]: the Inbox, Contacts and Settings screens' actions.
//! - [`index_check`]: the index's background integrity check.
//! - [`shortcuts`]: the session's keyboard shortcuts.
//! - [`view`]: the frame around the current screen.

use iced::{Subscription, Task};

use crate::gui::coalesce::Coalesced;
use crate::gui::context::Context;
use crate::gui::health::{self, Link};
use crate::gui::recovery::{self, Recovery};
use crate::gui::screen::Screen;
use crate::gui::screen::connect::Connection;
use crate::gui::screen::{Env, channels, contacts, inbox, podcasts, send, sent, settings, streams};
use crate::gui::sync;
use crate::node::{Balance, NodeInfo, SharedNode};
use crate::store::{ContactBook, StoreError};
use crate::wallet::{Index, IndexError, IndexWarning, Journal};

mod apps;
mod fiat;
mod inbox_sync;
mod index_check;
mod payments;
pub mod recurring;
mod screens;
mod shortcuts;
mod view;

/// The connected app.
pub struct Session {
    id: u64,
    node: SharedNode,
    info: NodeInfo,
    balance: Option<Balance>,
    /// The connection state's one owner (the watch and the follow report to it).
    link: Link,
    index: Index,
    journal: Journal,
    screen: Screen,
    inbox: inbox::Inbox,
    send: send::Send,
    contacts: contacts::Contacts,
    sent: sent::Sent,
    settings: settings::Settings,
    podcasts: podcasts::Podcasts,
    channels: channels::Channels,
    streams: streams::Streams,
    recovery: Recovery,
    unread: u64,
    /// The unread count: one running, one more after.
    counting: Coalesced,
    /// The history backfill: one running, one more after.
    backfilling: Coalesced,
    /// A first sync waits for this after its first page: the window has
    /// shown its rows (see [`sync::backfill`]).
    first_shown: Option<sync::Shown>,
    /// The first backfill ended: the live follow runs from its cursor.
    following: bool,
    notice: Option<String>,
    /// The `?` sheet of keyboard shortcuts is open.
    shortcuts: bool,
    /// The node's SOCKS proxy: fiat prices go through it too.
    proxy: Option<crate::lnd::socks::SocksProxy>,
    /// How feeds and addresses reach the web: through the node's proxy.
    web: crate::web::Web,
    /// A run of the recurring tips due is going (one at a time).
    recurring_busy: bool,
    /// What the last run of recurring tips did.
    last_recurring: Option<recurring::Ran>,
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
    Podcasts(podcasts::Message),
    Channels(channels::Message),
    Streams(streams::Message),
    Recovery(recovery::Message),
    Health(health::Event),
    Sync(sync::Event),
    Unread(Result<u64, IndexError>),
    ContactsSaved(Result<ContactBook, StoreError>),
    NewTip,
    /// Read new history from the node into the index.
    Resync,
    Escape,
    /// Move the current list's cursor by rows (arrow keys, j/k).
    ListMove(i64),
    /// Open the row under the current list's cursor (Enter).
    ListOpen,
    /// Focus the current screen's search field (`/`, Ctrl+F).
    FocusSearch,
    /// Open or close the sheet of keyboard shortcuts (`?`).
    Shortcuts,
    /// Ask for the fiat rate (`true`: even if the one known is fresh).
    RefreshFiat(bool),
    /// The fiat price source answered.
    Fiat(Result<crate::fiat::Quote, crate::fiat::FiatError>),
    DismissNotice,
    /// A desktop notification was shown (what it said).
    Notified(crate::gui::notify::Notice),
    /// The index's integrity check ended; `Some` when the file was damaged
    /// and an empty index took its place.
    IndexChecked(Option<IndexWarning>),
    /// Time to pay the recurring tips that are due.
    RecurringTick,
    /// A run of recurring tips ended.
    RecurringRan(Result<recurring::Ran, String>),
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

impl Action {
    /// This action, then `next` (two runs become one; a settings save keeps
    /// the other's work as its follow-up). `next` must be `None` or `Run`.
    fn then(self, next: Self) -> Self {
        let follow = match next {
            Self::Run(task) => task,
            _ => Task::none(),
        };
        match self {
            Self::None => Self::Run(follow),
            Self::Run(task) => Self::Run(Task::batch([task, follow])),
            Self::SaveSettings(task) => Self::SaveSettings(Task::batch([task, follow])),
            other => other,
        }
    }
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
        let Connection {
            node, info, spec, ..
        } = connection;
        let web = context.web.clone().with_proxy(spec.proxy.clone());
        let mut session = Self {
            id,
            inbox: inbox::Inbox::new(index.clone(), info.id).with_graph(node.clone()),
            sent: sent::Sent::new(index.clone(), node.clone()).with_apps(context.paths.clone()),
            settings: settings::Settings::new(&context.settings),
            send: send::Send::default(),
            contacts: contacts::Contacts::default(),
            podcasts: podcasts::Podcasts::new(node.clone(), info.clone(), journal.clone(), context)
                .with_web(web.clone()),
            channels: channels::Channels::default(),
            streams: streams::Streams::default(),
            recovery: Recovery::new(node.clone(), journal.clone()),
            node,
            info,
            balance: None,
            link: Link::default(),
            index,
            journal,
            screen: Screen::Inbox,
            unread: 0,
            counting: Coalesced::default(),
            backfilling: Coalesced::default(),
            first_shown: None,
            following: false,
            notice: index_warning(context),
            shortcuts: false,
            proxy: spec.proxy.clone(),
            web,
            recurring_busy: false,
            last_recurring: None,
        };
        let start = Task::batch([
            Task::done(Message::Inbox(inbox::Message::Arrived)),
            session.count_unread(context),
            session.recovery.check().map(Message::Recovery),
            session.backfill(),
            session.balance_task(),
            index_check::outcome(&session.index),
            Task::done(Message::RefreshFiat(false)),
            Self::apps_start(),
            Task::done(Message::RecurringTick),
        ]);
        (session, start)
    }

    fn env<'a>(&'a self, context: &'a Context) -> Env<'a> {
        env_for(&self.info, context)
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

    /// The contacts screen (tests).
    pub fn contacts(&self) -> &contacts::Contacts {
        &self.contacts
    }

    /// The sent screen (tests).
    pub fn sent(&self) -> &sent::Sent {
        &self.sent
    }

    /// The settings screen (tests).
    pub fn settings(&self) -> &settings::Settings {
        &self.settings
    }

    /// The podcasts screen (tests).
    pub fn podcasts(&self) -> &podcasts::Podcasts {
        &self.podcasts
    }

    /// The channels screen (tests).
    pub fn channels(&self) -> &channels::Channels {
        &self.channels
    }

    /// The recovered payments (tests).
    pub fn recovery(&self) -> &Recovery {
        &self.recovery
    }

    /// Whether the `?` sheet of shortcuts is open.
    pub fn shortcuts_open(&self) -> bool {
        self.shortcuts
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
            Message::Sent(message) => self.sent_update(message, context),
            Message::Settings(message) => self.settings_update(message, context),
            Message::Podcasts(message) => self.podcasts_update(message, context),
            Message::Channels(message) => {
                match self
                    .channels
                    .update(message, (&self.node, &self.journal), self.info.id)
                {
                    channels::Action::None => Action::None,
                    channels::Action::Run(task) => run(task.map(Message::Channels)),
                }
            }
            Message::Streams(message) => self.streams_update(message, context),
            Message::Recovery(message) => self.recovery_update(message),
            Message::Health(event) => self.health(event),
            Message::Sync(event) => self.sync_event(event, context),
            Message::Unread(result) => self.counted(result, context),
            Message::ContactsSaved(result) => self.contacts_saved(result, context),
            Message::NewTip => self.new_tip(),
            Message::Resync => run(self.backfill()),
            Message::ListMove(by) => self.on_list(
                inbox::Message::MoveCursor(by),
                sent::Message::MoveCursor(by),
                context,
            ),
            Message::ListOpen => self.on_list(
                inbox::Message::OpenCursor,
                sent::Message::OpenCursor,
                context,
            ),
            Message::FocusSearch => self.on_list(
                inbox::Message::FocusSearch,
                sent::Message::FocusSearch,
                context,
            ),
            Message::Escape => self.escape(context),
            Message::Shortcuts => self.set(|s| s.shortcuts = !s.shortcuts),
            Message::Fiat(result) => self.fiat_answered(result, context),
            Message::RefreshFiat(force) => run(self.refresh_fiat(context, force)),
            Message::DismissNotice => self.set(|s| s.notice = None),
            Message::RecurringTick => self.recurring_run(context),
            Message::RecurringRan(ran) => self.recurring_ran(ran),
            Message::Notified(_) => Action::None,
            Message::IndexChecked(warning) => self.index_checked(warning, context),
        }
    }

    fn set(&mut self, change: impl FnOnce(&mut Self)) -> Action {
        change(self);
        Action::None
    }

    fn navigate(&mut self, screen: Screen, context: &mut Context) -> Action {
        let left = if self.screen == Screen::Settings && screen != Screen::Settings {
            self.leave_settings(context)
        } else {
            Action::None
        };
        self.screen = screen;
        let rate = run(self.refresh_fiat(context, false));
        let shown = match screen {
            Screen::Sent => run(self.sent.reload().map(Message::Sent)),
            Screen::Inbox => run(self
                .inbox
                .reload(&env_for(&self.info, context))
                .map(Message::Inbox)),
            Screen::Contacts => run(self
                .contacts
                .check_graph(&context.contacts, &self.node)
                .map(Message::Contacts)),
            Screen::Podcasts => run(self.podcasts.shown().map(Message::Podcasts)),
            Screen::Channels => run(self.channels.reload(&self.node).map(Message::Channels)),
            Screen::Settings => run(self
                .settings
                .shown(context.paths.node_data_dir(&self.info.id))
                .map(Message::Settings)),
            Screen::Streams => run(self
                .streams
                .shown(context.paths.node_data_dir(&self.info.id))
                .map(Message::Streams)),
            _ => Action::None,
        };
        left.then(shown).then(rate)
    }

    fn sent_update(&mut self, message: sent::Message, context: &Context) -> Action {
        match self.sent.update(message, &context.contacts) {
            sent::Action::None => Action::None,
            sent::Action::Run(task) => run(task.map(Message::Sent)),
        }
    }

    fn podcasts_update(&mut self, message: podcasts::Message, context: &Context) -> Action {
        let fee_limit = context.settings.default_fee_limit;
        match self.podcasts.update(message, fee_limit) {
            podcasts::Action::None => Action::None,
            podcasts::Action::Run(task) => run(task.map(Message::Podcasts)),
        }
    }

    fn streams_update(&mut self, message: streams::Message, context: &Context) -> Action {
        let needs = streams::Needs {
            node: &self.node,
            journal: &self.journal,
            info: &self.info,
            paths: &context.paths,
            contacts: &context.contacts,
            fee_limit: context.settings.default_fee_limit,
            demo: context.demo,
            web: &self.web,
        };
        match self.streams.update(message, needs) {
            streams::Action::None => Action::None,
            streams::Action::Run(task) => run(task.map(Message::Streams)),
        }
    }

    /// The streams screen (tests).
    pub fn streams(&self) -> &streams::Streams {
        &self.streams
    }

    fn new_tip(&mut self) -> Action {
        if !self.send.is_busy() {
            self.send = send::Send::default();
        }
        self.screen = Screen::Send;
        Action::None
    }

    /// A list key: for the Inbox when it is shown.
    /// A list key: for the Inbox or the Sent list, whichever is shown.
    fn on_list(
        &mut self,
        inbox: inbox::Message,
        sent: sent::Message,
        context: &mut Context,
    ) -> Action {
        match self.screen {
            Screen::Inbox => self.inbox_update(inbox, context),
            Screen::Sent => self.sent_update(sent, context),
            _ => Action::None,
        }
    }

    fn escape(&mut self, context: &Context) -> Action {
        if std::mem::take(&mut self.shortcuts) {
            return Action::None;
        }
        let _ = match self.screen {
            Screen::Inbox => self.inbox.close_detail(),
            Screen::Contacts => self.contacts.close_dialog(),
            Screen::Sent => self.sent.close_detail(),
            Screen::Send => self.send.back_to_compose(),
            Screen::Podcasts => self.podcasts.close_dialog(),
            Screen::Settings => self.settings.revert(&context.settings),
            Screen::Channels | Screen::Streams => false,
        };
        Action::None
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
            self.apps_subscription(),
            Self::recurring_subscription(),
        ])
    }
}

fn env_for<'a>(info: &'a NodeInfo, context: &'a Context) -> Env<'a> {
    Env {
        contacts: &context.contacts,
        settings: &context.settings,
        info,
        fiat: context.settings.fiat.enabled.then_some(&context.fiat),
    }
}

fn run(task: Task<Message>) -> Action {
    Action::Run(task)
}

fn index_warning(context: &Context) -> Option<String> {
    (!context.warnings.is_empty()).then(|| context.warnings.join("\n"))
}
