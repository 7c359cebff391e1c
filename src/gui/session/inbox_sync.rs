//! Inbox sync as a session sees it: the history backfill (one at a time:
//! asked for while one runs, one more runs after it), its events passed to
//! the Inbox as they arrive, the live follow's stored batches (reload,
//! unread count, desktop notifications) and the unread count itself (one
//! in flight at most).

use std::time::Instant;

use iced::Task;

use super::{Action, Message, Session, env_for, run};
use crate::gui::context::Context;
use crate::gui::health::Source;
use crate::gui::{notify, sync};
use crate::wallet::{InboxRow, IndexError, SyncError, SyncPhase};

/// Desktop notifications shown for one batch of new tips at most (the newest).
const NOTIFY_MAX: usize = 3;

impl Session {
    /// Read new history from the node into the index. Two backfills would
    /// read the same pages and interleave their progress: while one runs,
    /// this asks for one more after it instead.
    pub(super) fn backfill(&mut self) -> Task<Message> {
        if !self.backfilling.start() {
            return Task::none();
        }
        let (shown, gate) = futures::channel::oneshot::channel();
        self.first_shown = Some(shown);
        sync::backfill(self.node.clone(), self.index.clone(), gate).map(Message::Sync)
    }

    /// The inbox shows rows (or the first page had none to show): a first
    /// sync waiting for that reads on now.
    pub(super) fn first_rows_on_screen(&mut self) {
        if let Some(shown) = self.first_shown.take() {
            let _ = shown.send(());
        }
    }

    /// A sync event. The Inbox's history line follows the backfill here, in
    /// `update`, so it sees the events in the order they were sent.
    pub(super) fn sync_event(&mut self, event: sync::Event, context: &Context) -> Action {
        self.inbox.sync_event(&event);
        match event {
            sync::Event::Started { .. } => Action::None,
            sync::Event::Progress(p) if p.phase == SyncPhase::Received => {
                if p.stored == 0 {
                    // Nothing to show yet: a first sync need not wait.
                    self.first_rows_on_screen();
                }
                self.stored_more(p.stored, context)
            }
            sync::Event::Progress(_) => Action::None,
            sync::Event::Backfilled(result) => self.backfilled(result.err(), context),
            sync::Event::Received(tips) => self.received(&tips, context),
            sync::Event::Failed(error) => self.set(|s| s.notice = Some(error.to_string())),
            sync::Event::State(state) => self.connection(Source::Follow, state),
        }
    }

    /// More rows are in: show them and the count while the rest syncs (the
    /// first at once, then throttled by the Inbox). The count runs whenever
    /// the rows are due, also when their reload waits for one running (the
    /// window's first load): it is what the title shows.
    fn stored_more(&mut self, stored: u64, context: &Context) -> Action {
        if stored == 0 {
            return Action::None;
        }
        let env = env_for(&self.info, context);
        let Some(reload) = self.inbox.stored_more(&env, Instant::now()) else {
            return Action::None;
        };
        run(Task::batch([
            reload.map(Message::Inbox),
            self.count_unread(context),
        ]))
    }

    /// A backfill ended: the live follow takes over from its cursor, the
    /// lists reload, and a backfill asked for meanwhile starts.
    fn backfilled(&mut self, failure: Option<SyncError>, context: &Context) -> Action {
        if let Some(reason) = failure {
            self.notice = Some(format!("Reading your node's history failed: {reason}"));
        }
        self.following = true;
        let again = if self.backfilling.finish() {
            self.backfill()
        } else {
            Task::none()
        };
        self.reload_lists(context, again)
    }

    /// Reload the inbox, the unread count and the sent list, plus `also`.
    pub(super) fn reload_lists(&mut self, context: &Context, also: Task<Message>) -> Action {
        let env = env_for(&self.info, context);
        let tasks = [
            self.inbox.reload(&env).map(Message::Inbox),
            self.count_unread(context),
            self.sent.reload().map(Message::Sent),
            also,
        ];
        run(Task::batch(tasks))
    }

    /// The live follow stored a batch: reload, recount, notify the newest.
    fn received(&mut self, tips: &[InboxRow], context: &Context) -> Action {
        let notify = tips.iter().rev().take(NOTIFY_MAX).map(|tip| {
            let (index, me, contacts) =
                (self.index.clone(), self.info.id, context.contacts.clone());
            notify::tip(index, me, tip.clone(), contacts, &context.settings).map(Message::Notified)
        });
        let notify = Task::batch(notify);
        let env = env_for(&self.info, context);
        let tasks = [
            self.inbox.reload(&env).map(Message::Inbox),
            self.count_unread(context),
            notify,
        ];
        run(Task::batch(tasks))
    }

    /// Count unread tips; at most one count runs at a time (asked for while
    /// one runs, it runs once more after it).
    pub(super) fn count_unread(&mut self, context: &Context) -> Task<Message> {
        if !self.counting.start() {
            return Task::none();
        }
        let (index, threshold) = (self.index.clone(), context.settings.spam_threshold);
        Task::perform(
            async move { index.call(move |i| i.unread_count(threshold)).await },
            Message::Unread,
        )
    }

    pub(super) fn counted(&mut self, result: Result<u64, IndexError>, context: &Context) -> Action {
        match result {
            Ok(count) => {
                log::debug!("unread counted: {count}");
                self.unread = count;
            }
            Err(error) => self.notice = Some(error.to_string()),
        }
        if self.counting.finish() {
            return run(self.count_unread(context));
        }
        Action::None
    }
}
