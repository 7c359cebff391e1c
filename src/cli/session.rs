//! An open session for one command: the profile's files and a connected
//! node. `--demo` uses the demo profile and its in-process simulated node;
//! everything else uses the real profile and a real LND.

use std::sync::Arc;
use std::time::Duration;

use super::args::ConnectArgs;
use super::connection::{self, Saved};
use super::demo::DemoNet;
use super::exit::CliError;
use crate::lnd::{self, ConnectSpec};
use crate::node::SharedNode;
use crate::store::Paths;

/// The profile and node a command works with.
pub struct Session {
    /// The profile's files (the demo profile under `--demo`).
    pub paths: Paths,
    /// The connected node.
    pub node: SharedNode,
    /// The simulated network behind `--demo`; kept alive with the session.
    pub demo: Option<DemoNet>,
}

/// The real profile's files (`SATCHEL_HOME` or the OS config dir).
pub fn real_paths() -> Result<Paths, CliError> {
    Paths::default_dirs().map_err(CliError::from)
}

/// Connect as the flags say: `--demo`, explicit flags, the saved node, or
/// LND's default directory. Under `--demo`, demo nodes tip us every
/// `demo_traffic` while the session lasts.
pub async fn open(args: &ConnectArgs, demo_traffic: Option<Duration>) -> Result<Session, CliError> {
    let real = real_paths()?;
    match target(args, &real)? {
        Saved::Demo => {
            let demo = DemoNet::start(&real.demo(), demo_traffic).await?;
            let node = connect(demo.spec()).await?;
            Ok(Session {
                paths: real.demo(),
                node,
                demo: Some(demo),
            })
        }
        Saved::Node(spec) => {
            let node = connect(&spec).await?;
            Ok(Session {
                paths: real,
                node,
                demo: None,
            })
        }
    }
}

/// The node to use: `--demo`, the flags, the saved active node, or LND's
/// default directory, in that order.
pub fn target(args: &ConnectArgs, paths: &Paths) -> Result<Saved, CliError> {
    if args.demo {
        return Ok(Saved::Demo);
    }
    if let Some(spec) = connection::spec_from_flags(args)? {
        return Ok(Saved::Node(spec));
    }
    if let Some(saved) = connection::spec_saved(paths)? {
        return Ok(saved);
    }
    connection::spec_discovered().map(Saved::Node)
}

/// Connect to LND (or the simulator, which speaks the same gRPC).
pub async fn connect(spec: &ConnectSpec) -> Result<SharedNode, CliError> {
    let lnd = lnd::connect(spec).await?;
    Ok(Arc::new(lnd))
}
