//! The headless command line: `satchel info`, `send`, `inbox`, `sent`,
//! `contacts`, `sim`. Every command shares the same core as the GUI
//! (node seam, wallet, store); this module only parses, connects, prints.
//!
//! - [`args`]: the clap definitions; [`exit`]: exit codes and [`CliError`].
//! - `session`, `connection`, `demo`: which node, and the `--demo` network.
//! - one module per command; `window`: the GUI; `serve`: `satchel sim`.

pub mod args;
mod connection;
mod contacts;
mod demo;
pub mod exit;
mod history;
mod inbox;
mod journal;
mod report;
mod send;
mod serve;
mod session;
mod status;

use std::process::ExitCode;

pub use args::{
    Cli, Command, ConnectArgs, ContactsCommand, InboxArgs, JsonFlag, SendArgs, SentArgs, SimArgs,
};
pub use exit::{CliError, EXIT_CODES, EXIT_CODES_HELP, ExitKind};

/// Run what the command line asks for; returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let result = match &cli.command {
        None => Err(CliError::Other(
            "the window is not in this build yet".into(),
        )),
        Some(Command::Sim(args)) => serve::serve_sim(args),
        Some(Command::Contacts(command)) => run_contacts(&cli.connect, command),
        Some(command) => {
            serve::runtime().and_then(|rt| rt.block_on(with_node(&cli.connect, command)))
        }
    };
    finish(result)
}

/// Print the outcome; the exit code says what kind it was.
fn finish(result: Result<(), CliError>) -> ExitCode {
    match result {
        Ok(()) => ExitKind::Ok.exit_code(),
        Err(CliError::Declined) => {
            report::progress("Cancelled; nothing was sent.");
            ExitKind::Ok.exit_code()
        }
        Err(err) => {
            report::print_error(&err);
            err.kind().exit_code()
        }
    }
}

/// `contacts`: works on the profile's files, no node needed.
fn run_contacts(args: &ConnectArgs, command: &ContactsCommand) -> Result<(), CliError> {
    let real = session::real_paths()?;
    if args.demo {
        let paths = real.demo();
        demo::ensure_contacts(&paths)?;
        return contacts::run(&paths, command);
    }
    contacts::run(&real, command)
}

/// Connect, run one node command, then stop the demo network (saving it).
async fn with_node(args: &ConnectArgs, command: &Command) -> Result<(), CliError> {
    let session::Session { paths, node, demo } = session::open(args).await?;
    let result = match command {
        Command::Info(flag) => status::info(node.as_ref(), flag.json).await,
        Command::Balance(flag) => status::balance(node.as_ref(), flag.json).await,
        Command::Send(send_args) => send::run(&node, &paths, send_args).await,
        Command::Inbox(inbox_args) => inbox::run(&node, &paths, inbox_args).await,
        _ => Err(CliError::Other("not a node command".into())),
    };
    drop((node, paths));
    if let Some(demo) = demo {
        demo.shutdown().await;
    }
    result
}
