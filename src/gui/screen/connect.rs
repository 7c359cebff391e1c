//! The Connect screen: first run and node management. Finds a local LND and
//! tests it at once, or takes an lndconnect URI, or host:port plus the cert
//! and macaroon files. Fields lock while a check runs; failures say what to
//! do next. Remembered nodes are listed and can be opened or forgotten.
//! This file holds the state and its updates; `view` draws it.

mod view;

use std::sync::Arc;
use std::time::{Duration, Instant};

use iced::{Subscription, Task};

use crate::lnd::{
    self, ConnectSpec, ConnectSpecError, DiscoverError, LndConnectError, SavedSpecError,
};
use crate::node::{NodeError, NodeInfo, Permissions, SharedNode};

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
    /// What the macaroon allows.
    pub permissions: Permissions,
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
    /// The pasted lndconnect link is not usable.
    #[error("{0}")]
    Link(#[from] LndConnectError),
    /// A path field is empty.
    #[error("Enter the path of lnd's tls.cert and of a macaroon file.")]
    PathsMissing,
    /// The picked files (or address) are not usable.
    #[error("{0}")]
    Files(#[from] ConnectSpecError),
    /// A remembered node could not be loaded.
    #[error("{0}")]
    Saved(#[from] LoadError),
    /// The SOCKS proxy field is not `HOST:PORT`.
    #[error("{0}")]
    Proxy(#[from] lnd::socks::BadProxy),
    /// The demo window could not be started (the system's reason).
    #[error("The demo network could not be started: {0}")]
    Demo(String),
    /// The node (or the network) said no.
    #[error(transparent)]
    Node(#[from] NodeError),
}

impl Failure {
    /// The next step for the user.
    pub fn next_step(&self) -> &'static str {
        match self {
            Self::Link(_) | Self::PathsMissing | Self::Files(_) | Self::Proxy(_) => {
                "Check the values above and try again."
            }
            Self::Saved(_) => "Forget the node and add it again, or fix what is named above.",
            Self::Demo(_) => "Run `satchel --demo` from a terminal to see why.",
            Self::Node(error) => error.next_step(),
        }
    }

    /// A mistake in what was typed (cleared as soon as the form changes).
    fn is_input(&self) -> bool {
        matches!(
            self,
            Self::Link(_) | Self::PathsMissing | Self::Files(_) | Self::Proxy(_)
        )
    }
}

/// Why a remembered node could not be turned into a connection.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// It was forgotten meanwhile.
    #[error("This node is no longer remembered.")]
    Forgotten,
    /// Its files or keyring entry are not usable.
    #[error("{0}")]
    Saved(#[from] SavedSpecError),
    /// The background task failed.
    #[error("Loading the node failed: {0}")]
    Task(String),
}

/// What is happening right now.
#[derive(Debug, Clone)]
enum Status {
    Idle,
    Detecting,
    /// No node on this computer (a first run, not a failure): the other
    /// ways in and the demo network are offered.
    NoLocalNode(String),
    /// The demo window is being started.
    LaunchingDemo,
    /// Connecting to `address`; `via` says how, `since` when it began
    /// (over Tor this takes 5 to 60 s: the elapsed time is shown).
    Testing {
        address: String,
        via: Via,
        since: Instant,
        now: Instant,
    },
    Failed(Failure),
    /// The node answered, but its macaroon leaves features off: said
    /// before the wallet opens, with the line that bakes a better one.
    Limited(Box<Connection>),
}

/// How a connection attempt travels, as the user is told.
#[derive(Debug, Clone, PartialEq)]
enum Via {
    Direct,
    /// An onion service: Tor (the system's, or the proxy given).
    Tor,
    /// A SOCKS proxy the user gave, to a normal host.
    Proxy(String),
}

impl Via {
    fn of(spec: &ConnectSpec) -> Self {
        match (&spec.proxy, lnd::socks::is_onion(&spec.host)) {
            (_, true) => Self::Tor,
            (Some(proxy), false) => Self::Proxy(proxy.address()),
            (None, false) => Self::Direct,
        }
    }
}

/// The Connect screen.
pub struct Connect {
    mode: Mode,
    uri: String,
    host_port: String,
    cert_path: String,
    macaroon_path: String,
    /// A SOCKS5 proxy (`HOST:PORT`) for links and files; empty for none.
    proxy: String,
    label: String,
    remember: bool,
    status: Status,
    pending: Option<Origin>,
    /// Set once: whether the keyring can persist secrets.
    keyring: bool,
    /// A notice shown above the form (session-only, warnings from boot).
    notices: Vec<String>,
}

/// Connect screen events.
#[derive(Debug, Clone)]
pub enum Message {
    ModeSelected(Mode),
    UriChanged(String),
    HostChanged(String),
    CertChanged(String),
    MacaroonChanged(String),
    /// Open the desktop's file dialog for a path field.
    Choose(PathField),
    /// The dialog answered (`None`: cancelled); typing a path still works.
    Chosen(PathField, Option<std::path::PathBuf>),
    ProxyChanged(String),
    LabelChanged(String),
    RememberToggled(bool),
    Detect,
    Detected(Result<ConnectSpec, DiscoverError>),
    Test,
    OpenSaved(String),
    ForgetSaved(String),
    SavedLoaded(String, Result<ConnectSpec, LoadError>),
    Tested(Result<Connection, Failure>),
    /// Open the wallet although the macaroon leaves features off.
    ContinueLimited,
    /// A second passed while connecting (the elapsed time is shown).
    Tick(Instant),
    /// Open the demo network instead (a new `satchel --demo` window).
    TryDemo,
    DemoLaunched(Result<(), Failure>),
}

/// A file field of the form that has a "Choose..." button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathField {
    Cert,
    Macaroon,
}

impl PathField {
    fn kind(self) -> crate::desktop::dialogs::FileKind {
        use crate::desktop::dialogs::FileKind;
        match self {
            Self::Cert => FileKind {
                title: "lnd's TLS certificate",
                filter_name: "Certificate",
                extensions: &["cert", "crt", "pem"],
            },
            Self::Macaroon => FileKind {
                title: "A macaroon file",
                filter_name: "Macaroon",
                extensions: &["macaroon"],
            },
        }
    }
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
    /// The demo window took over: close this one.
    Exit,
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
            proxy: String::new(),
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
            async { tokio::task::spawn_blocking(|| lnd::discover(None)).await },
            |joined| match joined {
                Ok(found) => Message::Detected(found),
                Err(failed) => {
                    Message::Tested(Err(Failure::Saved(LoadError::Task(failed.to_string()))))
                }
            },
        )
    }

    /// Test a spec chosen elsewhere (saved node, `--demo`, flags).
    pub fn test_spec(&mut self, spec: ConnectSpec, origin: Origin) -> Task<Message> {
        let since = Instant::now();
        self.status = Status::Testing {
            address: spec.address(),
            via: Via::of(&spec),
            since,
            now: since,
        };
        self.pending = Some(origin.clone());
        let (remember, label) = (self.remember, self.label.trim().to_owned());
        Task::perform(test(spec, origin, remember, label), Message::Tested)
    }

    /// Whether the typed link is valid and has no `cert` parameter (so the
    /// node's certificate is checked against the system's roots, unpinned).
    pub fn uri_without_cert(&self) -> bool {
        ConnectSpec::from_lndconnect(self.uri.trim())
            .is_ok_and(|spec| spec.cert == lnd::CertSource::SystemRoots)
    }

    /// Whether a check is running (fields are locked).
    pub fn is_busy(&self) -> bool {
        matches!(
            self.status,
            Status::Detecting | Status::Testing { .. } | Status::LaunchingDemo
        )
    }

    /// A tick each second while a connection is being tested, for the
    /// elapsed time.
    pub fn subscription(&self) -> Subscription<Message> {
        match self.status {
            Status::Testing { .. } => iced::time::every(Duration::from_secs(1)).map(Message::Tick),
            _ => Subscription::none(),
        }
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
            Message::Choose(field) => Action::Run(Task::perform(
                crate::desktop::dialogs::open_file(field.kind()),
                move |path| Message::Chosen(field, path),
            )),
            Message::Chosen(field, Some(path)) => self.set(|s| {
                let path = path.display().to_string();
                match field {
                    PathField::Cert => s.cert_path = path,
                    PathField::Macaroon => s.macaroon_path = path,
                }
            }),
            Message::Chosen(_, None) => Action::None,
            Message::ProxyChanged(value) => self.set(|s| s.proxy = value),
            Message::LabelChanged(value) => self.set(|s| s.label = value),
            Message::RememberToggled(value) => self.set(|s| s.remember = value),
            Message::Detect => Action::Run(self.detect()),
            Message::Detected(result) => self.detected(result),
            Message::Test => self.test_form(),
            Message::OpenSaved(id) => Action::LoadSaved(id),
            Message::ForgetSaved(id) => Action::Forget(id),
            Message::SavedLoaded(id, result) => self.saved_loaded(id, result),
            Message::Tested(result) => self.tested(result),
            Message::ContinueLimited => self.continue_limited(),
            Message::Tick(at) => {
                if let Status::Testing { now, .. } = &mut self.status {
                    *now = at;
                }
                Action::None
            }
            Message::TryDemo => self.try_demo(),
            Message::DemoLaunched(result) => self.demo_launched(result),
        }
    }

    fn continue_limited(&mut self) -> Action {
        match std::mem::replace(&mut self.status, Status::Idle) {
            Status::Limited(connection) => Action::Connected(*connection),
            other => {
                self.status = other;
                Action::None
            }
        }
    }

    fn try_demo(&mut self) -> Action {
        self.status = Status::LaunchingDemo;
        Action::Run(Task::perform(launch_demo(), Message::DemoLaunched))
    }

    fn demo_launched(&mut self, result: Result<(), Failure>) -> Action {
        match result {
            Ok(()) => Action::Exit,
            Err(failure) => {
                self.status = Status::Failed(failure);
                Action::None
            }
        }
    }

    fn set(&mut self, change: impl FnOnce(&mut Self)) -> Action {
        change(self);
        if matches!(&self.status, Status::Failed(failure) if failure.is_input()) {
            self.status = Status::Idle;
        }
        Action::None
    }

    fn detected(&mut self, result: Result<ConnectSpec, DiscoverError>) -> Action {
        match result {
            Ok(spec) => Action::Run(self.test_spec(spec, Origin::Local)),
            Err(reason) => {
                self.mode = Mode::Uri;
                self.status = Status::NoLocalNode(reason.to_string());
                Action::None
            }
        }
    }

    fn test_form(&mut self) -> Action {
        let built = match self.mode {
            Mode::Local => return Action::Run(self.detect()),
            Mode::Uri => ConnectSpec::from_lndconnect(self.uri.trim())
                .map(|spec| (spec, Origin::Uri))
                .map_err(Failure::from),
            Mode::Files => self.spec_from_files(),
        };
        let built = built.and_then(|(spec, origin)| Ok((self.with_proxy(spec)?, origin)));
        match built {
            Ok((spec, origin)) => Action::Run(self.test_spec(spec, origin)),
            Err(failure) => {
                self.status = Status::Failed(failure);
                Action::None
            }
        }
    }

    /// `spec` through the proxy typed in the form, if any.
    fn with_proxy(&self, spec: ConnectSpec) -> Result<ConnectSpec, Failure> {
        let proxy = match self.proxy.trim() {
            "" => None,
            text => Some(text.parse::<lnd::SocksProxy>()?),
        };
        Ok(ConnectSpec { proxy, ..spec })
    }

    fn spec_from_files(&self) -> Result<(ConnectSpec, Origin), Failure> {
        let (host_port, cert, macaroon) = (
            self.host_port.trim(),
            self.cert_path.trim(),
            self.macaroon_path.trim(),
        );
        if cert.is_empty() || macaroon.is_empty() {
            return Err(Failure::PathsMissing);
        }
        let spec = ConnectSpec::from_files(host_port, cert, macaroon)?;
        let origin = Origin::Files {
            host_port: host_port.into(),
            cert_path: cert.into(),
            macaroon_path: macaroon.into(),
        };
        Ok((spec, origin))
    }

    fn saved_loaded(&mut self, id: String, result: Result<ConnectSpec, LoadError>) -> Action {
        match result {
            Ok(spec) => Action::Run(self.test_spec(spec, Origin::Saved(id))),
            Err(reason) => {
                self.status = Status::Failed(reason.into());
                Action::None
            }
        }
    }

    fn tested(&mut self, result: Result<Connection, Failure>) -> Action {
        self.pending = None;
        match result {
            Ok(connection) if !connection.permissions.missing().is_empty() => {
                self.status = Status::Limited(Box::new(connection));
                Action::None
            }
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
            | Message::Choose(_)
            | Message::Chosen(..)
            | Message::ProxyChanged(_)
            | Message::LabelChanged(_)
            | Message::RememberToggled(_)
            | Message::Detect
            | Message::Test
            | Message::OpenSaved(_)
            | Message::ForgetSaved(_)
            | Message::TryDemo
    )
}

/// Start `satchel --demo` (this program, its own window and profile).
async fn launch_demo() -> Result<(), Failure> {
    let failed = |err: std::io::Error| Failure::Demo(err.to_string());
    let program = std::env::current_exe().map_err(failed)?;
    let _child = std::process::Command::new(program)
        .arg("--demo")
        .stdin(std::process::Stdio::null())
        .spawn()
        .map_err(failed)?;
    Ok(())
}

/// Connect and ask the node who it is.
async fn test(
    spec: ConnectSpec,
    origin: Origin,
    remember: bool,
    label: String,
) -> Result<Connection, Failure> {
    let started = Instant::now();
    let lnd = lnd::connect(&spec).await?;
    let connected = started.elapsed();
    let node: SharedNode = Arc::new(lnd);
    let info = node.info().await?;
    let permissions = node.permissions().await?;
    log::debug!(
        "node answered: connected in {connected:?}, who it is and what the macaroon allows in {:?}",
        started.elapsed() - connected
    );
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
        permissions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_lock_while_a_check_runs() {
        let mut screen = Connect::new(true, vec![]);
        let since = Instant::now();
        screen.status = Status::Testing {
            address: "localhost:10009".into(),
            via: Via::Direct,
            since,
            now: since,
        };
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
        assert!(matches!(screen.status, Status::Failed(Failure::Link(_))));
        assert!(!screen.is_busy());
    }

    #[test]
    fn a_link_without_cert_is_said_to_be_unpinned() {
        let mut screen = Connect::new(true, vec![]);
        let _ = screen.update(Message::UriChanged("lndconnect://h:1?macaroon=AQID".into()));
        assert!(screen.uri_without_cert());
        let _ = screen.update(Message::UriChanged(
            "lndconnect://h:1?cert=&macaroon=AQID".into(),
        ));
        assert!(
            !screen.uri_without_cert(),
            "an empty cert= is refused, not unpinned"
        );
    }

    #[test]
    fn no_local_node_is_a_first_run_with_the_demo_offered_not_an_error() {
        let mut screen = Connect::new(true, vec![]);
        let missing = DiscoverError::NoLndDir {
            dir: "/home/u/.lnd".into(),
        };
        let _ = screen.update(Message::Detected(Err(missing)));
        assert!(matches!(&screen.status, Status::NoLocalNode(why) if why.contains("/home/u/.lnd")));
        assert_eq!(screen.mode, Mode::Uri);
        assert!(matches!(screen.update(Message::TryDemo), Action::Run(_)));
        assert!(screen.is_busy(), "the form locks while the demo starts");
        let failed = Failure::Demo("no".into());
        assert!(matches!(
            screen.update(Message::DemoLaunched(Err(failed))),
            Action::None
        ));
        assert!(matches!(screen.status, Status::Failed(_)));
        assert!(matches!(
            screen.update(Message::DemoLaunched(Ok(()))),
            Action::Exit
        ));
    }

    #[test]
    fn an_onion_link_is_tested_over_tor_and_the_proxy_field_is_checked() {
        let mut screen = Connect::new(true, vec![]);
        let _ = screen.update(Message::ModeSelected(Mode::Uri));
        let _ = screen.update(Message::UriChanged(
            "lndconnect://abc.onion:10009?macaroon=AQID".into(),
        ));
        let _ = screen.update(Message::ProxyChanged("not a proxy".into()));
        assert!(matches!(screen.update(Message::Test), Action::None));
        assert!(matches!(screen.status, Status::Failed(Failure::Proxy(_))));
        let _ = screen.update(Message::ProxyChanged("127.0.0.1:9150".into()));
        assert!(matches!(screen.update(Message::Test), Action::Run(_)));
        let Status::Testing { via, since, .. } = screen.status.clone() else {
            panic!("testing: {:?}", screen.status)
        };
        assert_eq!(via, Via::Tor);
        let later = since + Duration::from_secs(12);
        let _ = screen.update(Message::Tick(later));
        assert!(matches!(screen.status, Status::Testing { now, .. } if now == later));
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
        let Status::Failed(failure @ Failure::Files(_)) = &screen.status else {
            panic!("expected an input failure, got {:?}", screen.status)
        };
        assert!(
            failure.to_string().contains("/nonexistent/tls.cert"),
            "{failure}"
        );
    }
}
