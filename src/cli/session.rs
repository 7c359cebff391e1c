//! An open session for one command: the profile's files and a connected
//! node. `--demo` uses the demo profile and its in-process simulated node;
//! everything else uses the real profile and a real LND.

use std::sync::Arc;

use super::args::ConnectArgs;
use super::connection;
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
/// LND's default directory.
pub async fn open(args: &ConnectArgs) -> Result<Session, CliError> {
    let real = real_paths()?;
    if args.demo {
        let demo = DemoNet::open(&real.demo()).await?;
        let node = connect(demo.spec()).await?;
        return Ok(Session {
            paths: real.demo(),
            node,
            demo: Some(demo),
        });
    }
    let spec = resolve(args, &real)?;
    let node = connect(&spec).await?;
    Ok(Session {
        paths: real,
        node,
        demo: None,
    })
}

/// The connection spec for a real node.
pub fn resolve(args: &ConnectArgs, paths: &Paths) -> Result<ConnectSpec, CliError> {
    if let Some(spec) = connection::spec_from_flags(args)? {
        return Ok(spec);
    }
    if let Some(spec) = connection::spec_saved(paths)? {
        return Ok(spec);
    }
    connection::spec_discovered()
}

/// Connect to LND (or the simulator, which speaks the same gRPC).
pub async fn connect(spec: &ConnectSpec) -> Result<SharedNode, CliError> {
    let lnd = lnd::connect(spec).await?;
    Ok(Arc::new(lnd))
}
