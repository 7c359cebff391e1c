//! Settings > Connected apps: the Nostr Wallet Connect connections (name,
//! budget and period, spent this period, last use, methods, expiry, relays),
//! the "Add app" form (checked as `satchel nwc add` checks its flags), the
//! new connection's URI as text, Copy and QR code (shown once: Satchel
//! keeps only the wallet's half of the keys), Revoke with a confirmation,
//! and the wallet service that serves them while the window is open
//! ([`crate::gui::nwc_serve`]) with its status line.
//!
//! - [`view`]: how the section looks.

use std::sync::Arc;

use iced::Task;
use nostr::nips::nip47::Method;

use crate::gui::nwc_serve::{self, Running, Status};
use crate::node::SharedNode;
use crate::nwc::connection::{self, Connection, Connections};
use crate::nwc::gui_api::{self, Typed};
use crate::nwc::{self, DemoSecrets, Period};
use crate::store::{Paths, SecretStore};

mod view;

/// Text input ids (tests find the fields by these).
pub mod ids {
    pub const NAME: &str = "apps-name";
    pub const BUDGET: &str = "apps-budget";
    pub const RELAY: &str = "apps-relay";
    pub const EXPIRES: &str = "apps-expires";
}

/// The "Add app" form.
#[derive(Debug, Clone)]
struct Form {
    name: String,
    budget: String,
    period: Period,
    methods: Vec<Method>,
    notifications: bool,
    relay: String,
    expires: String,
    error: Option<String>,
    busy: bool,
}

impl Form {
    fn new(relay: String) -> Self {
        Self {
            name: String::new(),
            budget: String::new(),
            period: Period::Month,
            methods: nwc::DEFAULT_METHODS.to_vec(),
            notifications: false,
            relay,
            expires: String::new(),
            error: None,
            busy: false,
        }
    }
}

/// A connection just created: its URI, shown until dismissed.
#[derive(Debug, Clone)]
struct Added {
    name: String,
    uri: String,
    copied: bool,
}

/// The Connected apps section and the service it runs.
#[derive(Default)]
pub struct Apps {
    connections: Vec<Connection>,
    load_error: Option<String>,
    form: Option<Form>,
    added: Option<Added>,
    /// The connection whose Revoke awaits confirmation.
    revoking: Option<String>,
    status: Status,
    running: Option<Running>,
    /// Which start is current (a start that ends after a newer one is stopped).
    generation: u64,
    /// `--demo`: the local relay, once started (`Err`: why it did not).
    relay: Option<Result<nwc_serve::Relay, String>>,
    relay_starting: bool,
    /// The secrets are kept for this session only (no keyring).
    session_only: bool,
}

/// Connected apps events.
#[derive(Debug, Clone)]
pub enum Message {
    /// Read the connections (and serve them if not yet served).
    Load,
    Loaded(Result<Vec<Connection>, String>),
    OpenForm,
    CloseForm,
    Name(String),
    Budget(String),
    Period(Period),
    Method(Method, bool),
    Notifications(bool),
    Relay(String),
    Expires(String),
    Create,
    Created(Result<(String, String), String>),
    /// Hide the new connection's URI.
    DoneAdding,
    CopyUri,
    Revoke(String),
    ConfirmRevoke,
    CancelRevoke,
    Revoked(Result<String, String>),
    RelayStarted(Result<nwc_serve::Relay, String>),
    Started {
        generation: u64,
        result: Result<Running, String>,
    },
    /// Time to ask the relays how they are and read the spending again.
    Tick,
    Status(Status),
}

/// What the session must do.
pub enum Action {
    None,
    Run(Task<Message>),
    /// Put this text on the clipboard.
    Copy(String),
}

/// What the section works with.
pub struct Needs<'a> {
    pub node: &'a SharedNode,
    pub paths: &'a Paths,
    /// The app's secret store (keyring, or session-only memory).
    pub secrets: &'a Arc<dyn SecretStore>,
    pub demo: bool,
}

impl Needs<'_> {
    /// Where connection secrets go: the demo profile's file under
    /// `--demo` (as `satchel --demo nwc add` does), else the app's store.
    fn store(&self) -> Arc<dyn SecretStore> {
        match DemoSecrets::new(self.paths) {
            Some(demo) if self.demo => Arc::new(demo),
            _ => self.secrets.clone(),
        }
    }
}

impl Apps {
    /// The connections shown (tests).
    pub fn connections(&self) -> &[Connection] {
        &self.connections
    }

    /// The URI of the connection just added, while shown (tests).
    pub fn added_uri(&self) -> Option<&str> {
        self.added.as_ref().map(|a| a.uri.as_str())
    }

    /// The service's status (tests).
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// Whether the service runs (tests).
    pub fn serving(&self) -> bool {
        self.running.is_some()
    }

    /// Esc: cancel a Revoke being confirmed, else close the form; `true`
    /// if either was open.
    pub fn escape(&mut self) -> bool {
        self.revoking.take().is_some() || self.form.take().is_some()
    }

    /// Handle an event.
    pub fn update(&mut self, message: Message, needs: &Needs<'_>) -> Action {
        self.session_only = !needs.store().is_persistent();
        match message {
            Message::Load => Action::Run(load(needs.paths.clone())),
            Message::Loaded(result) => self.loaded(result, needs),
            Message::OpenForm => {
                let relay = match needs.demo {
                    true => crate::cli::nwc::demo_relay_url().to_string(),
                    false => String::new(),
                };
                self.form = Some(Form::new(relay.trim_end_matches('/').to_owned()));
                self.added = None;
                Action::None
            }
            Message::CloseForm => self.set(|s| s.form = None),
            Message::Name(text) => self.edit(|f| f.name = text),
            Message::Budget(text) => self.edit(|f| f.budget = text),
            Message::Period(period) => self.edit(|f| f.period = period),
            Message::Method(method, on) => self.edit(|f| {
                f.methods.retain(|m| *m != method);
                if on {
                    f.methods.push(method);
                }
            }),
            Message::Notifications(on) => self.edit(|f| f.notifications = on),
            Message::Relay(text) => self.edit(|f| f.relay = text),
            Message::Expires(text) => self.edit(|f| f.expires = text),
            Message::Create => self.create(needs),
            Message::Created(Ok((name, uri))) => {
                self.form = None;
                self.added = Some(Added {
                    name,
                    uri,
                    copied: false,
                });
                Action::Run(self.restart())
            }
            Message::Created(Err(error)) => self.edit(|f| {
                f.busy = false;
                f.error = Some(error);
            }),
            Message::DoneAdding => self.set(|s| s.added = None),
            Message::CopyUri => match &mut self.added {
                Some(added) => {
                    added.copied = true;
                    Action::Copy(added.uri.clone())
                }
                None => Action::None,
            },
            Message::Revoke(name) => self.set(|s| s.revoking = Some(name)),
            Message::CancelRevoke => self.set(|s| s.revoking = None),
            Message::ConfirmRevoke => match self.revoking.take() {
                Some(name) => {
                    let (paths, secrets) = (needs.paths.clone(), needs.store());
                    Action::Run(Task::perform(
                        blocking(move || {
                            connection::revoke(&paths, secrets.as_ref(), &name)
                                .map(|()| name)
                                .map_err(|e| e.to_string())
                        }),
                        Message::Revoked,
                    ))
                }
                None => Action::None,
            },
            Message::Revoked(Ok(_)) => Action::Run(self.restart()),
            Message::Revoked(Err(error)) => self.set(|s| s.load_error = Some(error)),
            Message::RelayStarted(result) => {
                self.relay_starting = false;
                if let Err(error) = &result {
                    self.status = Status::Error(error.clone());
                }
                self.relay = Some(result);
                self.serve(needs)
            }
            Message::Started { generation, result } => self.started(generation, result),
            // The relays' states, and the spending and last use apps changed.
            Message::Tick => match &self.running {
                Some(running) => Action::Run(Task::batch([
                    Task::perform(running.clone().status(), Message::Status),
                    load(needs.paths.clone()),
                ])),
                None => Action::None,
            },
            Message::Status(status) => {
                if self.running.is_some() {
                    self.status = status;
                }
                Action::None
            }
        }
    }

    /// Ask the relays how they are every few seconds while serving.
    pub fn subscription(&self) -> iced::Subscription<Message> {
        match self.running {
            Some(_) => iced::time::every(std::time::Duration::from_secs(3)).map(|_| Message::Tick),
            None => iced::Subscription::none(),
        }
    }

    fn set(&mut self, change: impl FnOnce(&mut Self)) -> Action {
        change(self);
        Action::None
    }

    fn edit(&mut self, change: impl FnOnce(&mut Form)) -> Action {
        if let Some(form) = &mut self.form {
            change(form);
        }
        Action::None
    }

    fn loaded(&mut self, result: Result<Vec<Connection>, String>, needs: &Needs<'_>) -> Action {
        match result {
            Ok(connections) => {
                self.connections = connections;
                self.load_error = None;
                self.serve(needs)
            }
            Err(error) => self.set(|s| s.load_error = Some(error)),
        }
    }

    /// Start what is needed and not running: the demo relay under `--demo`,
    /// then the service once there is a connection to serve.
    fn serve(&mut self, needs: &Needs<'_>) -> Action {
        if needs.demo && self.relay.is_none() {
            if !self.relay_starting {
                self.relay_starting = true;
                return Action::Run(Task::perform(
                    nwc_serve::demo_relay(),
                    Message::RelayStarted,
                ));
            }
            return Action::None;
        }
        if self.connections.is_empty() {
            self.status = Status::Off;
            return Action::None;
        }
        if self.running.is_some() || self.status == Status::Starting {
            return Action::None;
        }
        self.status = Status::Starting;
        self.generation += 1;
        let generation = self.generation;
        Action::Run(Task::perform(
            nwc_serve::start(needs.node.clone(), needs.paths.clone(), needs.store()),
            move |result| Message::Started { generation, result },
        ))
    }

    fn started(&mut self, generation: u64, result: Result<Running, String>) -> Action {
        if generation != self.generation {
            // A newer start replaced this one: stop it.
            return match result {
                Ok(old) => Action::Run(Task::future(old.stop()).discard()),
                Err(_) => Action::None,
            };
        }
        match result {
            Ok(running) => {
                self.running = Some(running.clone());
                Action::Run(Task::perform(running.status(), Message::Status))
            }
            Err(error) => self.set(|s| s.status = Status::Error(error)),
        }
    }

    /// The connections changed: stop the service, read them again and
    /// serve the new set (a new connection's key joins, a revoked one's goes).
    fn restart(&mut self) -> Task<Message> {
        let old = self.running.take();
        self.generation += 1;
        self.status = Status::Off;
        let paths_task = async move {
            if let Some(old) = old {
                old.stop().await;
            }
        };
        Task::future(paths_task).then(|()| Task::done(Message::Load))
    }

    fn create(&mut self, needs: &Needs<'_>) -> Action {
        let Some(form) = &mut self.form else {
            return Action::None;
        };
        let typed = Typed {
            name: &form.name,
            budget: &form.budget,
            period: form.period,
            methods: &form.methods,
            notifications: form.notifications,
            relay: &form.relay,
            expires_days: &form.expires,
        };
        let new = match gui_api::new_connection(typed) {
            Ok(new) => new,
            Err(error) => {
                form.error = Some(error.to_string());
                return Action::None;
            }
        };
        form.error = None;
        form.busy = true;
        let (paths, secrets) = (needs.paths.clone(), needs.store());
        Action::Run(Task::perform(
            blocking(move || {
                connection::add(&paths, secrets.as_ref(), new, nwc::unix_now())
                    .map(|(c, uri)| (c.name, uri.to_string()))
                    .map_err(|e| e.to_string())
            }),
            Message::Created,
        ))
    }
}

/// Read the connections off the UI thread.
fn load(paths: Paths) -> Task<Message> {
    Task::perform(
        blocking(move || {
            Connections::load(&paths)
                .map(|all| all.connections)
                .map_err(|e| e.to_string())
        }),
        Message::Loaded,
    )
}

/// Run file and keyring work on the blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| Err(e.to_string()))
}
