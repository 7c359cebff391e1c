//! The headless command line: `satchel info`, `send`, `inbox`, `sent`,
//! `contacts`, `sim`. Every command shares the same core as the GUI
//! (node seam, wallet, store); this module only parses, connects, prints.

mod args;
mod connection;
mod exit;
mod report;
mod status;

pub use args::{
    Cli, Command, ConnectArgs, ContactsCommand, InboxArgs, JsonFlag, SendArgs, SentArgs, SimArgs,
};
pub use exit::{CliError, EXIT_CODES, EXIT_CODES_HELP, ExitKind};
