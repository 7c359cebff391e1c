//! The headless command line: `satchel info`, `send`, `inbox`, `sent`,
//! `contacts`, `sim`. Every command shares the same core as the GUI
//! (node seam, wallet, store); this module only parses, connects, prints.
//!
//! - [`args`]: the clap definitions; [`exit`]: exit codes and [`CliError`].
//! - `session`, `connection`, `demo`: which node, and the `--demo` network.
//! - one module per command; `window` and `renderer`: the GUI; `serve`:
//!   `satchel sim`.

pub mod args;
mod beyond;
mod boost;
mod boosts;
mod channels;
mod connection;
mod contacts;
mod decide;
mod demo;
mod docs;
pub mod exit;
mod export;
mod feed;
mod history;
mod inbox;
mod journal;
pub(crate) mod nwc;
mod owed;
mod payment;
mod rebalance;
mod recurring;
#[cfg(feature = "gui")]
mod renderer;
mod reply;
mod report;
mod resolve;
mod send;
mod send_json;
mod sent;
mod serve;
mod session;
mod status;
mod stream;
mod thread;
mod trusted;
mod web;
#[cfg(feature = "gui")]
mod window;

use std::process::ExitCode;
use std::time::Duration;

use crate::node::SharedNode;
use crate::store::{Paths, RendererChoice};

pub use args::{
    BoostArgs, Cli, Command, ConnectArgs, ContactsCommand, FeedCommand, FeedShowArgs, InboxArgs,
    JsonFlag, SendArgs, SentArgs, SimArgs,
};
pub use exit::{CliError, EXIT_CODES, EXIT_CODES_HELP, ExitKind};

/// Run what the command line asks for; returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let args = &cli.connect;
    web::choose(args);
    let result = match &cli.command {
        None => open_window(args, cli.renderer),
        Some(Command::Sim(sim)) => {
            refuse_connection_flags(args).and_then(|()| serve::serve_sim(sim))
        }
        Some(Command::Completions { shell }) => docs::print(&docs::completions(*shell)),
        Some(Command::Man) => docs::man_page().and_then(|page| docs::print(&page)),
        Some(Command::Contacts(command)) => run_contacts(args, command),
        Some(Command::Resolve(resolve)) => resolve::run(resolve),
        Some(Command::Info(flag)) => on_node(args, None, async |node, _| {
            status::info(node.as_ref(), flag.json).await
        }),
        Some(Command::Balance(flag)) => on_node(args, None, async |node, _| {
            status::balance(node.as_ref(), flag.json).await
        }),
        Some(Command::Send(send)) => on_node(args, None, async |node, paths| {
            send::run(node, paths, send).await
        }),
        Some(Command::Inbox(inbox)) => {
            let traffic = inbox.follow.then_some(demo::FOLLOW_TRAFFIC);
            on_node(args, traffic, async |node, paths| {
                inbox::run(node, paths, inbox).await
            })
        }
        Some(Command::Sent(sent)) => on_node(args, None, async |node, paths| {
            sent::run(node, paths, sent).await
        }),
        Some(Command::Feed(command)) => feed::run(args, command),
        Some(Command::Boost(boost)) => on_node(args, None, async |node, paths| {
            boost::run(node, paths, boost).await
        }),
        Some(Command::Owed(owed)) => on_node(args, None, async |node, paths| {
            owed::run(node, paths, owed).await
        }),
        Some(Command::Stream(stream)) => on_node(args, None, async |node, paths| {
            stream::run(node, paths, stream).await
        }),
        Some(Command::Recurring(command)) => on_node(args, None, async |node, paths| {
            recurring::run(node, paths, command).await
        }),
        Some(Command::Boosts(boosts)) => on_node(args, None, async |node, paths| {
            boosts::run(node, paths, boosts).await
        }),
        Some(Command::Thread(thread)) => on_node(args, None, async |node, paths| {
            thread::run(node, paths, thread).await
        }),
        Some(Command::Reply(reply)) => on_node(args, None, async |node, paths| {
            reply::reply(node, paths, reply).await
        }),
        Some(Command::Refund(refund)) => on_node(args, None, async |node, paths| {
            reply::refund(node, paths, refund).await
        }),
        Some(Command::Channels(flag)) => on_node(args, None, async |node, _| {
            channels::run(node, flag.json).await
        }),
        Some(Command::Rebalance(rebalance)) => on_node(args, None, async |node, paths| {
            rebalance::run(node, paths, rebalance).await
        }),
        Some(Command::Nwc(command)) => nwc::run(args, command),
    };
    finish(result)
}

/// The window, in builds that have one.
#[cfg(feature = "gui")]
fn open_window(args: &ConnectArgs, renderer: Option<RendererChoice>) -> Result<(), CliError> {
    window::open(args, renderer)
}

/// Built without the `gui` feature: only the subcommands exist.
#[cfg(not(feature = "gui"))]
fn open_window(_args: &ConnectArgs, _renderer: Option<RendererChoice>) -> Result<(), CliError> {
    Err(CliError::BadInput(
        "this build of Satchel has no window (built without the gui feature); give a subcommand, \
         see --help"
            .into(),
    ))
}

/// `satchel sim` serves its own node: a flag naming a node to connect to
/// would silently do nothing there.
fn refuse_connection_flags(args: &ConnectArgs) -> Result<(), CliError> {
    let given = args.given();
    if given.is_empty() {
        return Ok(());
    }
    Err(CliError::BadInput(format!(
        "`satchel sim` serves a simulated node and connects to none, so {} does nothing there; \
         leave it out (use it with the other commands to reach the simulator)",
        given.join(", ")
    )))
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

/// Connect, run `work` on a runtime, then stop the demo network (saving
/// it). `demo_traffic`: demo nodes tip us this often meanwhile.
fn on_node(
    args: &ConnectArgs,
    demo_traffic: Option<Duration>,
    work: impl AsyncFnOnce(&SharedNode, &Paths) -> Result<(), CliError>,
) -> Result<(), CliError> {
    serve::runtime()?.block_on(async {
        let session::Session { paths, node, demo } = session::open(args, demo_traffic).await?;
        let result = work(&node, &paths).await;
        drop(node);
        if let Some(demo) = demo {
            demo.shutdown().await;
        }
        result
    })
}
