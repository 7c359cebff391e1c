//! The window: `satchel` and `satchel --demo`. The demo network runs on a
//! runtime of ours while iced runs its own.

use super::args::ConnectArgs;
use super::connection;
use super::demo::{DemoNet, GUI_TRAFFIC};
use super::exit::CliError;
use super::serve::runtime;
use super::session;
use crate::gui::{self, Boot};
use crate::store;

/// Open the window. With `--demo`, the demo network runs on a runtime of
/// ours for as long as the window is open; with connection flags, the
/// window connects to that node; otherwise it picks the saved node itself.
pub fn open(args: &ConnectArgs) -> Result<(), CliError> {
    let real = session::real_paths()?;
    if args.demo {
        return demo_window(&real.demo());
    }
    let connect = connection::spec_from_flags(args)?;
    let _lock = store::acquire(&real)?;
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

fn window_error(err: iced::Error) -> CliError {
    CliError::Other(format!("the window could not be shown: {err}"))
}
