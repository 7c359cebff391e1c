//! The `satchel` binary: without a subcommand it opens the window; with one
//! it runs headless (see `satchel --help`, which also lists the exit codes).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    satchel::install_crypto_provider();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    satchel::cli::run(satchel::cli::Cli::parse())
}
