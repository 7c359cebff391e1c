//! How the CLI reaches the web (feeds, Lightning Addresses, LNURL): through
//! the proxy `--socksproxy` / `SATCHEL_SOCKSPROXY` names, else the one the
//! saved active node is reached through, else directly. Chosen once per
//! process, in [`super::run`], before any command runs.

use std::sync::OnceLock;

use super::args::ConnectArgs;
use super::exit::CliError;
use crate::lnd::SocksProxy;
use crate::store::Settings;
use crate::web::Web;

static CHOSEN: OnceLock<Result<Web, String>> = OnceLock::new();

/// Choose the way to the web for this process (the first call wins).
pub fn choose(args: &ConnectArgs) {
    let _ = CHOSEN.get_or_init(|| decide(args).map_err(|e| e.to_string()));
}

/// The way chosen; direct when [`choose`] was never called.
pub fn web() -> Result<Web, CliError> {
    match CHOSEN.get() {
        None => Ok(Web::direct()),
        Some(Ok(web)) => Ok(web.clone()),
        Some(Err(reason)) => Err(CliError::BadInput(reason.clone())),
    }
}

fn decide(args: &ConnectArgs) -> Result<Web, CliError> {
    let args = super::connection::with_env(args, &|name| std::env::var(name).ok())?;
    if let Some(proxy) = super::connection::proxy_flag(&args)? {
        return Ok(Web::through(Some(proxy)));
    }
    if args.demo {
        return Ok(Web::direct());
    }
    Ok(Web::through(saved_proxy()))
}

/// The saved active node's proxy; an unreadable profile means none.
fn saved_proxy() -> Option<SocksProxy> {
    let paths = super::session::real_paths().ok()?;
    let settings = Settings::load(&paths).ok()?.value;
    settings.active()?.proxy.as_deref()?.parse().ok()
}
