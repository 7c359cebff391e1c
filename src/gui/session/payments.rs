//! Money and the connection as a session sees them: the Send screen's
//! actions, payments recovered after a crash (asked about again after a
//! reconnect), the refresh after a payment ends, the balance, and the
//! node's health.

use iced::Task;

use super::{Action, Message, Session, env_for, run};
use crate::gui::context::Context;
use crate::gui::health::{self, Source, State};
use crate::gui::recovery;
use crate::gui::screen::send;

impl Session {
    pub(super) fn send_update(&mut self, message: send::Message, context: &mut Context) -> Action {
        let env = env_for(&self.info, context);
        let cx = send::Context {
            node: &self.node,
            info: &self.info,
            journal: &self.journal,
            balance: self.balance,
            env: &env,
            web: &self.web,
        };
        match self.send.update(message, cx) {
            send::Action::None => Action::None,
            send::Action::Run(task) => run(task.map(Message::Send)),
            send::Action::Finished => run(self.refresh_after_payment()),
            send::Action::NotSent(entry) => {
                self.recovery.adopt(entry);
                Action::None
            }
            send::Action::Recheck => run(self.recovery.check().map(Message::Recovery)),
        }
    }

    pub(super) fn recovery_update(&mut self, message: recovery::Message) -> Action {
        match self.recovery.update(message) {
            recovery::Action::None => Action::None,
            recovery::Action::Run(task) => run(task.map(Message::Recovery)),
            recovery::Action::Finished => run(self.refresh_after_payment()),
        }
    }

    /// A payment ended: the balance changed and the node has a new sent entry.
    fn refresh_after_payment(&mut self) -> Task<Message> {
        Task::batch([self.balance_task(), self.backfill()])
    }

    /// `source` reports the connection's state to its one owner. Back
    /// online after the connection broke: ask the node again about
    /// unfinished payments (not while the Send screen drives one itself).
    pub(super) fn connection(&mut self, source: Source, state: State) -> Action {
        if !self.link.report(source, state) || self.send.is_busy() {
            return Action::None;
        }
        run(self.recovery.check().map(Message::Recovery))
    }

    /// Ask the node for its info and balance (the header).
    pub(super) fn balance_task(&self) -> Task<Message> {
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

    pub(super) fn health(&mut self, event: health::Event) -> Action {
        let state = match event {
            health::Event::Online(info, balance) => {
                (self.info, self.balance) = (info, Some(balance));
                State::Connected
            }
            health::Event::Reconnecting {
                attempt, retry_in, ..
            } => State::Reconnecting { attempt, retry_in },
            health::Event::Offline(error) => {
                State::Offline(format!("{error}. {}", error.next_step()))
            }
        };
        self.connection(Source::Watch, state)
    }
}
