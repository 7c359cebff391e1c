//! The Connect screen: first run and node management. Finds a local LND and
//! tests it at once, or takes an lndconnect URI, or host:port plus the cert
//! and macaroon files. Fields lock while a check runs; failures say what to
//! do next. Remembered nodes are listed and can be opened or forgotten.
//! This file holds the state and its updates; `connect_view` draws it.

use std::sync::Arc;

use iced::Task;

use crate::lnd::{self, ConnectSpec};
use crate::node::{NodeError, NodeInfo, SharedNode};

/// How the user is pointing Satchel at a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// lnd's default files on this computer.
    Local,
    /// An lndconnect URI.
    Uri,
    /// host:port, tls.cert and a macaroon file.
    Files,
}

/// Where a connection came from: decides how it is remembered.
#[derive(Debug, Clone)]
pub enum Origin {
    /// The local node found in lnd's default directory.
    Local,
    /// Files the user picked.
    Files {
        host_port: String,
        cert_path: String,
        macaroon_path: String,
    },
    /// A pasted lndconnect URI (its macaroon must go to the keyring).
    Uri,
    /// A remembered node, by id.
    Saved(String),
    /// Chosen before the window opened (`--demo` or command-line flags).
    Preselected,
}

/// A node that answered.
#[derive(Clone)]
pub struct Connection {
    pub node: SharedNode,
    pub info: NodeInfo,
    pub spec: ConnectSpec,
    pub origin: Origin,
    /// Remember this node in the settings.
    pub remember: bool,
    /// A label for the saved entry.
    pub label: String,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("alias", &self.info.alias)
            .field("origin", &self.origin)
            .finish()
    }
}

/// Why a connection attempt failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Failure {
    /// What the user typed or picked is not usable.
    #[error("{0}")]
    Input(String),
    /// The node (or the network) said no.
    #[error(transparent)]
    Node(#[from] NodeError),
}

impl Failure {
    /// The next step for the user.
    pub fn next_step(&self) -> &'static str {
        match self {
            Self::Input(_) => "Check the values above and try again.",
            Self::Node(error) => error.next_step(),
        }
    }
}

/// What is happening right now.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Status {
    Idle,
    Detecting,
    Testing(String),
    Failed(Failure),
}

/// The Connect screen.
pub struct Connect {
    pub(super) mode: Mode,
    pub(super) uri: String,
    pub(super) host_port: String,
    pub(super) cert_path: String,
    pub(super) macaroon_path: String,
    pub(super) label: String,
    pub(super) remember: bool,
    pub(super) status: Status,
    pending: Option<Origin>,
    /// Set once: whether the keyring can persist secrets.
    pub(super) keyring: bool,
    /// A notice shown above the form (session-only, warnings from boot).
    pub(super) notices: Vec<String>,
}

/// Connect screen events.
#[derive(Debug, Clone)]
pub enum Message {
    ModeSelected(Mode),
    UriChanged(String),
    HostChanged(String),
    CertChanged(String),
    MacaroonChanged(String),
    LabelChanged(String),
    RememberToggled(bool),
    Detect,
    Detected(Result<ConnectSpec, String>),
    Test,
    OpenSaved(String),
    ForgetSaved(String),
    SavedLoaded(String, Result<ConnectSpec, String>),
    Tested(Result<Connection, Failure>),
}

/// What the parent must do.
pub enum Action {
    None,
    Run(Task<Message>),
    /// A node answered: start a session.
    Connected(Connection),
    /// Load a saved node's spec (files and keyring live with the parent).
    LoadSaved(String),
    /// Remove a saved node.
    Forget(String),
}

impl Connect {
    /// A fresh screen; `keyring` says whether secrets can be kept.
    pub fn new(keyring: bool, notices: Vec<String>) -> Self {
        Self {
            mode: Mode::Local,
            uri: String::new(),
            host_port: "localhost:10009".into(),
            cert_path: String::new(),
            macaroon_path: String::new(),
            label: String::new(),
            remember: true,
            status: Status::Idle,
            pending: None,
            keyring,
            notices,
        }
    }

    /// Look for a local node and test it at once (first run).
    pub fn detect(&mut self) -> Task<Message> {
        self.status = Status::Detecting;
        Task::perform(
            async {
                tokio::task::spawn_blocking(|| lnd::discover(None).map_err(|e| e.to_string())).await
            },
            |joined| Message::Detected(joined.unwrap_or_else(|e| Err(e.to_string()))),
        )
    }

    /// Test a spec chosen elsewhere (saved node, `--demo`, flags).
    pub fn test_spec(&mut self, spec: ConnectSpec, origin: Origin) -> Task<Message> {
        self.status = Status::Testing(spec.address());
        self.pending = Some(origin.clone());
        let (remember, label) = (self.remember, self.label.trim().to_owned());
        Task::perform(test(spec, origin, remember, label), Message::Tested)
    }

    /// Whether a check is running (fields are locked).
    pub fn is_busy(&self) -> bool {
        matches!(self.status, Status::Detecting | Status::Testing(_))
    }

    /// Handle an event.
    pub fn update(&mut self, message: Message) -> Action {
        if self.is_busy() && is_edit(&message) {
            return Action::None;
        }
        match message {
            Message::ModeSelected(mode) => self.set(|s| s.mode = mode),
            Message::UriChanged(value) => self.set(|s| s.uri = value),
            Message::HostChanged(value) => self.set(|s| s.host_port = value),
            Message::CertChanged(value) => self.set(|s| s.cert_path = value),
            Message::MacaroonChanged(value) => self.set(|s| s.macaroon_path = value),
            Message::LabelChanged(value) => self.set(|s| s.label = value),
            Message::RememberToggled(value) => self.set(|s| s.remember = value),
            Message::Detect => Action::Run(self.detect()),
            Message::Detected(result) => self.detected(result),
            Message::Test => self.test_form(),
            Message::OpenSaved(id) => Action::LoadSaved(id),
            Message::ForgetSaved(id) => Action::Forget(id),
            Message::SavedLoaded(id, result) => self.saved_loaded(id, result),
            Message::Tested(result) => self.tested(result),
        }
    }

    fn set(&mut self, change: impl FnOnce(&mut Self)) -> Action {
        change(self);
        if matches!(self.status, Status::Failed(Failure::Input(_))) {
            self.status = Status::Idle;
        }
        Action::None
    }

    fn detected(&mut self, result: Result<ConnectSpec, String>) -> Action {
        match result {
            Ok(spec) => Action::Run(self.test_spec(spec, Origin::Local)),
            Err(reason) => {
                self.mode = Mode::Uri;
                self.status =
                    Status::Failed(Failure::Input(format!("No local node found: {reason}")));
                Action::None
            }
        }
    }

    fn test_form(&mut self) -> Action {
        let built = match self.mode {
            Mode::Local => return Action::Run(self.detect()),
            Mode::Uri => ConnectSpec::from_lndconnect(self.uri.trim())
                .map(|spec| (spec, Origin::Uri))
                .map_err(|e| e.to_string()),
            Mode::Files => self.spec_from_files(),
        };
        match built {
            Ok((spec, origin)) => Action::Run(self.test_spec(spec, origin)),
            Err(reason) => {
                self.status = Status::Failed(Failure::Input(reason));
                Action::None
            }
        }
    }

    fn spec_from_files(&self) -> Result<(ConnectSpec, Origin), String> {
        let (host_port, cert, macaroon) = (
            self.host_port.trim(),
            self.cert_path.trim(),
            self.macaroon_path.trim(),
        );
        if cert.is_empty() || macaroon.is_empty() {
            return Err("Enter the path of lnd's tls.cert and of a macaroon file.".into());
        }
        let spec = ConnectSpec::from_files(host_port, cert, macaroon).map_err(|e| e.to_string())?;
        let origin = Origin::Files {
            host_port: host_port.into(),
            cert_path: cert.into(),
            macaroon_path: macaroon.into(),
        };
        Ok((spec, origin))
    }

    fn saved_loaded(&mut self, id: String, result: Result<ConnectSpec, String>) -> Action {
        match result {
            Ok(spec) => Action::Run(self.test_spec(spec, Origin::Saved(id))),
            Err(reason) => {
                self.status = Status::Failed(Failure::Input(reason));
                Action::None
            }
        }
    }

    fn tested(&mut self, result: Result<Connection, Failure>) -> Action {
        self.pending = None;
        match result {
            Ok(connection) => {
                self.status = Status::Idle;
                Action::Connected(connection)
            }
            Err(failure) => {
                self.status = Status::Failed(failure);
                Action::None
            }
        }
    }
}

/// Events that edit the form (ignored while a check runs).
fn is_edit(message: &Message) -> bool {
    matches!(
        message,
        Message::ModeSelected(_)
            | Message::UriChanged(_)
            | Message::HostChanged(_)
            | Message::CertChanged(_)
            | Message::MacaroonChanged(_)
            | Message::LabelChanged(_)
            | Message::RememberToggled(_)
            | Message::Detect
            | Message::Test
            | Message::OpenSaved(_)
            | Message::ForgetSaved(_)
    )
}

/// Connect and ask the node who it is.
async fn test(
    spec: ConnectSpec,
    origin: Origin,
    remember: bool,
    label: String,
) -> Result<Connection, Failure> {
    let lnd = lnd::connect(&spec).await?;
    let node: SharedNode = Arc::new(lnd);
    let info = node.info().await?;
    let label = if label.is_empty() {
        info.alias.clone()
    } else {
        label
    };
    Ok(Connection {
        node,
        info,
        spec,
        origin,
        remember,
        label,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_lock_while_a_check_runs() {
        let mut screen = Connect::new(true, vec![]);
        screen.status = Status::Testing("localhost:10009".into());
        let _ = screen.update(Message::UriChanged("lndconnect://x".into()));
        let _ = screen.update(Message::ModeSelected(Mode::Files));
        assert_eq!(screen.uri, "");
        assert_eq!(screen.mode, Mode::Local);
    }

    #[test]
    fn a_bad_uri_is_refused_before_any_connection() {
        let mut screen = Connect::new(true, vec![]);
        let _ = screen.update(Message::ModeSelected(Mode::Uri));
        let _ = screen.update(Message::UriChanged("https://example.com".into()));
        assert!(matches!(screen.update(Message::Test), Action::None));
        assert!(matches!(screen.status, Status::Failed(Failure::Input(_))));
        assert!(!screen.is_busy());
    }

    #[test]
    fn missing_files_are_named() {
        let mut screen = Connect::new(true, vec![]);
        let _ = screen.update(Message::ModeSelected(Mode::Files));
        let _ = screen.update(Message::CertChanged("/nonexistent/tls.cert".into()));
        let _ = screen.update(Message::MacaroonChanged(
            "/nonexistent/admin.macaroon".into(),
        ));
        let _ = screen.update(Message::Test);
        let Status::Failed(Failure::Input(reason)) = &screen.status else {
            panic!("expected an input failure, got {:?}", screen.status)
        };
        assert!(reason.contains("/nonexistent/tls.cert"), "{reason}");
    }
}
