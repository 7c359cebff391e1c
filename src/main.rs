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
        move_single_folder_profile();
    }
    satchel::cli::run(cli)
}

/// Move a profile from the single-folder layout to the desktop's folders
/// (once; nothing is deleted or overwritten) and say what moved.
fn move_single_folder_profile() {
    let Ok(paths) = satchel::store::Paths::default_dirs() else {
        return;
    };
    for line in satchel::store::relocate::relocate(&paths).lines() {
        log::warn!("profile upgrade: {line}");
        eprintln!("Satchel profile upgrade: {line}");
    }
}
