//! The application: `Connecting` or `Connected(Session)` around the shared
//! [`Context`] (paths, settings, contacts, secrets), and the top-level update,
//! view, subscription, title and theme. Boot is pure: files are read before
//! iced starts ([`Init::load`]) and cloned into each boot.

use std::sync::Arc;

use iced::widget::{column, container, text};
use iced::{Element, Length, Subscription, Task, Theme};

use crate::gui::Boot;
pub use crate::gui::context::Context;
use crate::gui::remember;
use crate::gui::screen::connect::{self, Connect, Connection, Origin};
use crate::gui::session::{self, Session};
use crate::gui::theme;
use crate::store::{ContactBook, SecretError, SecretStore, Settings, StoreError, ThemeChoice};
use crate::wallet::{self, FilesError, NodeFiles, Upgrade};

/// Everything loaded before the window opens; cloned into each boot.
#[derive(Clone)]
pub struct Init {
    pub boot: Boot,
    pub settings: Settings,
    pub contacts: ContactBook,
    pub secrets: Arc<dyn SecretStore>,
    /// How feeds and addresses reach the web before a node's proxy is
    /// known (tests add their local server's root here).
    pub web: crate::web::Web,
}

impl Init {
    /// Read settings, contacts and open the keyring (before iced starts).
    pub fn load(mut boot: Boot) -> Self {
        let settings = match Settings::load(&boot.paths) {
            Ok(loaded) => {
                boot.warnings.extend(loaded.warning);
                loaded.value
            }
            Err(error) => {
                boot.warnings.push(error.to_string());
                Settings::default()
            }
        };
        let contacts = match ContactBook::load(&boot.paths) {
            Ok(loaded) => {
                boot.warnings.extend(loaded.warning);
                loaded.value
            }
            Err(error) => {
                boot.warnings.push(error.to_string());
                ContactBook::new()
            }
        };
        // Without a keyring the Connect screen says so where it matters (the
        // lndconnect form); the technical reason goes to the log.
        let (secrets, warning) = crate::store::open_secret_store();
        if let Some(warning) = warning {
            log::warn!("{warning}");
        }
        Self {
            web: crate::web::Web::direct(),
            boot,
            settings,
            contacts,
            secrets,
        }
    }
}

/// The wallet files of a profile, opened.
#[derive(Clone)]
pub struct Opened(NodeFiles, Option<Upgrade>);

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Opened(node files)")
    }
}

/// The phases of the app.
enum Phase {
    Connecting(Connect),
    Connected(Box<Session>),
}

/// The whole app.
pub struct App {
    context: Context,
    phase: Phase,
    next_connection: u64,
    system_dark: bool,
}

/// Top-level events.
#[derive(Debug, Clone)]
pub enum Message {
    Connect(connect::Message),
    Session(session::Message),
    WalletOpened(Box<Connection>, Result<Opened, FilesError>),
    Saved(Result<(), StoreError>),
    Remembered(Result<crate::store::SavedNode, SecretError>),
    SystemTheme(iced::theme::Mode),
    /// A second launch asked this window to come to the front.
    Raise,
    /// Tab or Shift+Tab: move the keyboard focus.
    Focus(crate::desktop::keys::Focus),
    /// SIGTERM or SIGINT: close as the window's close button does.
    Terminate,
}

impl App {
    /// Build the app from what was loaded; connects at once when a node is
    /// preselected or remembered, else looks for a local node.
    pub fn new(init: Init) -> (Self, Task<Message>) {
        let Init {
            boot,
            settings,
            contacts,
            secrets,
            web,
        } = init;
        let mut connect = Connect::new(secrets.is_persistent(), boot.warnings.clone());
        let start = match (&boot.connect, settings.active_node.clone()) {
            (Some(spec), _) => connect
                .test_spec(spec.clone(), Origin::Preselected)
                .map(Message::Connect),
            (None, Some(id)) if settings.nodes.iter().any(|n| n.id == id) => {
                remember::load_saved(&settings, &secrets, id).map(Message::Connect)
            }
            _ => connect.detect().map(Message::Connect),
        };
        let fiat = crate::fiat::FiatState {
            quote: settings
                .fiat
                .enabled
                .then(|| crate::fiat::load_cached(boot.paths.cache_dir()))
                .flatten(),
            ..Default::default()
        };
        let context = Context {
            paths: boot.paths,
            settings,
            contacts,
            secrets,
            demo: boot.demo,
            warnings: boot.warnings,
            web,
            fiat,
        };
        let app = Self {
            context,
            phase: Phase::Connecting(connect),
            next_connection: 0,
            system_dark: false,
        };
        (
            app,
            Task::batch([start, iced::system::theme().map(Message::SystemTheme)]),
        )
    }

    /// The connected session, if any (tests and the title).
    pub fn session(&self) -> Option<&Session> {
        match &self.phase {
            Phase::Connected(session) => Some(session),
            Phase::Connecting(_) => None,
        }
    }

    /// The shared context (tests).
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// Handle an event.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Connect(message) => self.connect_update(message),
            Message::Session(message) => self.session_update(message),
            Message::WalletOpened(connection, result) => self.wallet_opened(*connection, result),
            Message::Saved(result) => self.saved(result),
            Message::Remembered(Ok(saved)) => remember::add(&mut self.context, saved),
            Message::Remembered(Err(error)) => {
                self.problem(format!("This node could not be remembered: {error}"));
                Task::none()
            }
            Message::SystemTheme(mode) => {
                self.system_dark = mode == iced::theme::Mode::Dark;
                Task::none()
            }
            Message::Focus(focus) => crate::desktop::keys::move_focus(focus),
            Message::Raise => iced::window::latest().and_then(|id| {
                iced::window::minimize(id, false).chain(iced::window::gain_focus(id))
            }),
            Message::Terminate => iced::exit(),
        }
    }

    fn connect_update(&mut self, message: connect::Message) -> Task<Message> {
        let Phase::Connecting(screen) = &mut self.phase else {
            return Task::none();
        };
        match screen.update(message) {
            connect::Action::None => Task::none(),
            connect::Action::Run(task) => task.map(Message::Connect),
            connect::Action::LoadSaved(id) => {
                remember::load_saved(&self.context.settings, &self.context.secrets, id)
                    .map(Message::Connect)
            }
            connect::Action::Forget(id) => self.forget(&id),
            connect::Action::Connected(connection) => self.open_wallet(connection),
            connect::Action::Exit => iced::exit(),
        }
    }

    /// Open the connected node's files (its own history; adopting an earlier
    /// profile's index first, see [`wallet::adopt_legacy`]).
    fn open_wallet(&mut self, connection: Connection) -> Task<Message> {
        let paths = self.context.paths.clone();
        let (node, info) = (connection.node.clone(), connection.info.clone());
        Task::perform(
            async move {
                let started = std::time::Instant::now();
                let upgrade = wallet::adopt_legacy(&node, &paths, &info.id).await?;
                let files = tokio::task::spawn_blocking(move || {
                    NodeFiles::open(&paths, &info.id, &info.alias)
                })
                .await
                .unwrap_or_else(|e| Err(FilesError::Interrupted(e.to_string())))?;
                log::debug!("node files opened in {:?}", started.elapsed());
                Ok(Opened(files, upgrade))
            },
            move |result| Message::WalletOpened(Box::new(connection.clone()), result),
        )
    }

    fn wallet_opened(
        &mut self,
        connection: Connection,
        result: Result<Opened, FilesError>,
    ) -> Task<Message> {
        let Opened(files, upgrade) = match result {
            Ok(opened) => opened,
            Err(reason) => {
                self.context.warnings.push(format!(
                    "The local inbox database could not be opened: {reason}"
                ));
                return Task::none();
            }
        };
        let remember = remember::remember(&mut self.context, &connection);
        self.next_connection += 1;
        log::debug!("connected; the session starts");
        let (mut session, start) = Session::new(
            self.next_connection,
            connection,
            files.index,
            files.journal,
            &self.context,
        );
        if let Some(upgrade) = upgrade {
            session.warn(crate::gui::widget::sentence(&format!("{upgrade}.")));
        }
        self.phase = Phase::Connected(Box::new(session));
        Task::batch([remember, start.map(Message::Session)])
    }

    fn session_update(&mut self, message: session::Message) -> Task<Message> {
        let Phase::Connected(session) = &mut self.phase else {
            return Task::none();
        };
        match session.update(message, &mut self.context) {
            session::Action::None => Task::none(),
            session::Action::Run(task) => task.map(Message::Session),
            session::Action::SaveSettings(then) => {
                Task::batch([self.save_settings(), then.map(Message::Session)])
            }
            session::Action::Disconnect(target) => self.disconnect(target),
            session::Action::Forget(id) => self.forget(&id),
        }
    }

    fn disconnect(&mut self, target: Option<String>) -> Task<Message> {
        self.phase = Phase::Connecting(Connect::new(
            self.context.secrets.is_persistent(),
            Vec::new(),
        ));
        match target {
            Some(id) => remember::load_saved(&self.context.settings, &self.context.secrets, id)
                .map(Message::Connect),
            None => Task::none(),
        }
    }

    fn forget(&mut self, id: &str) -> Task<Message> {
        let secrets = self.context.secrets.clone();
        let removed = remember::forget(&mut self.context.settings, id);
        let cleanup = Task::perform(
            async move {
                if let Some(node_id) = removed {
                    let _ = tokio::task::spawn_blocking(move || {
                        secrets.delete(&crate::store::macaroon_key(&node_id))
                    })
                    .await;
                }
            },
            |()| Message::Saved(Ok(())),
        );
        Task::batch([cleanup, self.save_settings()])
    }

    /// Save the settings file in a task.
    pub fn save_settings(&self) -> Task<Message> {
        remember::save_settings(&self.context)
    }

    fn saved(&mut self, result: Result<(), StoreError>) -> Task<Message> {
        if let Err(error) = result {
            self.problem(error.to_string());
        }
        Task::none()
    }

    /// Show a problem: in the notice bar when connected, and on the
    /// Connect screen's next start.
    fn problem(&mut self, text: String) {
        if let Phase::Connected(session) = &mut self.phase {
            session.warn(text.clone());
        }
        self.context.warnings.push(text);
    }

    /// Show the current phase.
    pub fn view(&self) -> Element<'_, Message> {
        let content: Element<'_, Message> = match &self.phase {
            Phase::Connecting(screen) => screen
                .view(&self.context.settings.nodes)
                .map(Message::Connect),
            Phase::Connected(session) => session.view(&self.context).map(Message::Session),
        };
        container(column![content, self.demo_banner()])
            .width(Length::Fill)
            .height(Length::Fill)
            .into()
    }

    fn demo_banner(&self) -> Element<'_, Message> {
        if self.context.demo {
            container(
                // Whole pixels (see `theme::line`): the screen above ends on one.
                text("Demo mode: a simulated network, no real money.")
                    .size(theme::size::SMALL)
                    .line_height(theme::line::SMALL),
            )
            .padding([5, 14])
            .width(Length::Fill)
            .style(theme::banner(theme::Tone::Accent))
            .into()
        } else {
            iced::widget::space().into()
        }
    }

    /// The window title, with the unread count.
    pub fn title(&self) -> String {
        match self.session().map(Session::unread) {
            Some(unread) if unread > 0 => format!("Satchel ({unread} unread)"),
            _ => "Satchel".into(),
        }
    }

    /// The UI scale from the settings (iced multiplies every size by it).
    pub fn scale_factor(&self) -> f32 {
        self.context.settings.ui_scale.factor()
    }

    /// Light, dark, or following the system.
    pub fn theme(&self) -> Theme {
        let dark = match self.context.settings.theme {
            ThemeChoice::Light => false,
            ThemeChoice::Dark => true,
            ThemeChoice::System => self.system_dark,
        };
        if dark { theme::dark() } else { theme::light() }
    }

    /// Node streams and keyboard shortcuts.
    pub fn subscription(&self) -> Subscription<Message> {
        let system = iced::system::theme_changes().map(Message::SystemTheme);
        let session = match &self.phase {
            Phase::Connected(session) => session.subscription().map(Message::Session),
            Phase::Connecting(screen) => screen.subscription().map(Message::Connect),
        };
        #[cfg(unix)]
        let raise =
            Subscription::run(crate::desktop::instance::raise_requests).map(|()| Message::Raise);
        #[cfg(not(unix))]
        let raise = Subscription::none();
        let tab = iced::event::listen_with(crate::desktop::keys::focus_move).map(Message::Focus);
        let quit = Subscription::run(super::quit::requests).map(|()| Message::Terminate);
        Subscription::batch([system, session, raise, tab, quit])
    }
}
