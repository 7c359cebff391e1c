//! The `satchel` binary: without a subcommand it opens the window; with one
//! it runs headless (see `satchel --help`, which also lists the exit codes).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    satchel::install_crypto_provider();
    let cli = satchel::cli::Cli::parse();
    let documentation = cli.command.as_ref().is_some_and(|c| c.is_documentation());
    if documentation {
        let _ = satchel::logging::init(None);
    } else {
        let dir = satchel::store::log_dir().ok();
        let _ = satchel::logging::init(dir.as_deref());
        let what = cli.command.as_ref().map_or("window", |c| c.name());
        // Only names: a flag's value (an lndconnect URI) may hold a secret.
        log::info!(
            "Satchel {} started: {what}, connection flags {:?}",
            env!("CARGO_PKG_VERSION"),
            cli.connect.given()
        );
    }
    satchel::cli::run(cli)
}
