//! Settings > Connected apps as the session runs it: the section needs the
//! node, the profile and the secret store, and its service runs for as long
//! as the session (it stops when the session is dropped).

use iced::{Subscription, Task};

use super::{Action, Message, Session};
use crate::gui::context::Context;
use crate::gui::screen::settings::{self, apps};

impl Session {
    pub(super) fn apps_update(&mut self, message: apps::Message, context: &Context) -> Action {
        let needs = apps::Needs {
            node: &self.node,
            paths: &context.paths,
            secrets: &context.secrets,
            demo: context.demo,
        };
        match self.settings.apps_mut().update(message, &needs) {
            apps::Action::None => Action::None,
            apps::Action::Run(task) => Action::Run(task.map(wrap)),
            apps::Action::Copy(text) => Action::Run(iced::clipboard::write(text)),
        }
    }

    /// Read the connections at the start and serve them.
    pub(super) fn apps_start() -> Task<Message> {
        Task::done(wrap(apps::Message::Load))
    }

    /// The service's status checks while it runs.
    pub(super) fn apps_subscription(&self) -> Subscription<Message> {
        self.settings.apps().subscription().map(wrap)
    }
}

fn wrap(message: apps::Message) -> Message {
    Message::Settings(settings::Message::Apps(message))
}
