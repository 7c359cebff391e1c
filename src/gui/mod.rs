//! The iced desktop app: connect to a node, then inbox, send, contacts,
//! sent and settings. Every node call and file write runs in a `Task` or a
//! `Subscription`; `update` and `view` never do I/O.
//!
//! - [`app`]: the top-level state (`Connecting` / `Connected`), boot and routing.
//! - [`context`]: what every phase shares (paths, settings, contacts, secrets).
//! - [`session`]: a connected node with its screens, header and sync.
//! - [`recovery`]: payments a previous run left unfinished, reconciled with the node.
//! - [`screen`]: one module per screen.
//! - [`theme`], [`widget`], [`list`]: the look, shared pieces, virtual lists.

pub mod app;
mod chrome;
pub mod coalesce;
pub mod context;
pub mod export;
pub mod format;
pub mod health;
pub mod history;
pub mod list;
pub mod notify;
pub mod nwc_serve;
mod quit;
pub mod recovery;
pub mod recovery_view;
mod remember;
pub mod renderer;
pub mod screen;
pub mod session;
pub mod sync;
pub mod theme;
pub mod widget;

pub use app::{App, Init, Message};
pub use screen::Screen;

use crate::lnd::ConnectSpec;
use crate::store::Paths;

/// What `main` hands the GUI.
#[derive(Debug, Clone)]
pub struct Boot {
    /// The profile's files.
    pub paths: Paths,
    /// Running against the built-in simulator.
    pub demo: bool,
    /// A node chosen before the window opened (demo sim or command-line flags).
    pub connect: Option<ConnectSpec>,
    /// Problems to show once the window is up.
    pub warnings: Vec<String>,
}

/// Open the window and run until it is closed.
pub fn run(boot: Boot) -> iced::Result {
    crate::install_crypto_provider();
    let started = std::time::Instant::now();
    let init = Init::load(boot);
    log::debug!(
        "boot: settings, contacts and keyring loaded in {:?}",
        started.elapsed()
    );
    let mut application = iced::application(move || App::new(init.clone()), App::update, App::view)
        .title(App::title)
        .theme(App::theme)
        .scale_factor(App::scale_factor)
        .subscription(App::subscription)
        .default_font(theme::FONT)
        .window(crate::desktop::window_settings())
        .window_size((1200.0, 780.0))
        .centered();
    for font in theme::FONT_FILES {
        application = application.font(font);
    }
    application.run()
}
