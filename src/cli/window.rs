//! The window: `satchel` and `satchel --demo`. The demo network runs on a
//! runtime of ours while iced runs its own; the renderer is settled first.

use std::time::Duration;

use super::args::ConnectArgs;
use super::connection;
use super::demo::DemoNet;
use super::exit::CliError;
use super::renderer;
use super::serve::runtime;
use super::session;
use crate::gui::{self, Boot};
use crate::store::{self, RendererChoice};

/// How often demo nodes tip us while the window is open.
const GUI_TRAFFIC: Duration = crate::sim::DEMO_TIP_EVERY;

/// Open the window. With `--demo`, the demo network runs on a runtime of
/// ours for as long as the window is open; with connection flags, the
/// window connects to that node; otherwise it picks the saved node itself.
pub fn open(args: &ConnectArgs, renderer: Option<RendererChoice>) -> Result<(), CliError> {
    check_display()?;
    let real = session::real_paths()?;
    // First, while this process is still single-threaded: it may be
    // replaced by a copy of itself that uses the CPU renderer.
    let profile = if args.demo { real.demo() } else { real.clone() };
    renderer::apply(renderer, &profile);
    if args.demo {
        return demo_window(&profile);
    }
    let connect = connection::spec_from_flags(args)?;
    let _lock = match store::acquire(&real) {
        Err(store::StoreError::AlreadyRunning { path }) => return hand_over(&real, path),
        other => other?,
    };
    let _raise = listen_for_raises(&real);
    let boot = Boot {
        paths: real,
        demo: false,
        connect,
        warnings: Vec::new(),
    };
    gui::run(boot).map_err(window_error)
}

/// The window on the demo network, with demo traffic.
fn demo_window(paths: &store::Paths) -> Result<(), CliError> {
    let runtime = runtime()?;
    let demo = runtime.block_on(DemoNet::start(paths, Some(GUI_TRAFFIC)))?;
    let boot = Boot {
        paths: paths.clone(),
        demo: true,
        connect: Some(demo.spec().clone()),
        warnings: Vec::new(),
    };
    let result = gui::run(boot).map_err(window_error);
    runtime.block_on(demo.shutdown());
    result
}

/// On Linux and the BSDs a window needs X11 or Wayland; without either,
/// winit would panic, so say so plainly instead.
fn check_display() -> Result<(), CliError> {
    if cfg!(any(target_os = "macos", windows)) {
        return Ok(());
    }
    let present = |name: &str| std::env::var_os(name).is_some_and(|value| !value.is_empty());
    match ["DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET"]
        .into_iter()
        .any(present)
    {
        true => Ok(()),
        false => Err(CliError::NoDisplay),
    }
}

/// Another Satchel holds this profile: ask its window to come to the front
/// and exit 0 saying so; if it cannot be asked, the lock error as before.
#[cfg(unix)]
fn hand_over(paths: &store::Paths, lock: std::path::PathBuf) -> Result<(), CliError> {
    use crate::desktop::instance;
    match instance::ask_to_raise(&instance::socket_path(paths)) {
        Ok(()) => {
            println!(
                "Satchel is already running for this profile; its window was brought to the front."
            );
            Ok(())
        }
        Err(err) => {
            log::info!("the running Satchel did not answer a raise request: {err}");
            Err(store::StoreError::AlreadyRunning { path: lock }.into())
        }
    }
}

#[cfg(not(unix))]
fn hand_over(_paths: &store::Paths, lock: std::path::PathBuf) -> Result<(), CliError> {
    Err(store::StoreError::AlreadyRunning { path: lock }.into())
}

/// While the window runs, a later launch can ask it to come to the front.
#[cfg(unix)]
fn listen_for_raises(paths: &store::Paths) -> Option<crate::desktop::instance::Listener> {
    use crate::desktop::instance;
    instance::listen(&instance::socket_path(paths))
        .inspect_err(|err| log::warn!("a second launch cannot raise this window: {err}"))
        .ok()
}

#[cfg(not(unix))]
fn listen_for_raises(_paths: &store::Paths) -> Option<()> {
    None
}

fn window_error(err: iced::Error) -> CliError {
    CliError::Other(format!("the window could not be shown: {err}"))
}
