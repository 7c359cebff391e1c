//! `satchel sim` (the standalone simulated network) and the tokio runtime
//! headless commands run on.

use std::time::Duration;

use super::args::SimArgs;
use super::exit::CliError;
use crate::sim::{self, SimConfig};

/// How often demo nodes tip us under `satchel sim --traffic`.
const SIM_TRAFFIC: Duration = Duration::from_secs(10);

/// A tokio runtime for commands (the window brings its own).
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| CliError::Other(format!("cannot start the async runtime: {err}")))
}

/// `satchel sim`: serve the simulated network until Ctrl-C.
pub fn serve_sim(args: &SimArgs) -> Result<(), CliError> {
    let config = SimConfig {
        listen: args.listen,
        seed_history: args.seed_history,
        seed_all_signed: args.seed_all_signed,
        traffic: args.traffic.then_some(SIM_TRAFFIC),
        ..SimConfig::new(&args.dir)
    };
    runtime()?.block_on(sim::run_standalone(config))?;
    Ok(())
}
