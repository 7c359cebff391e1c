//! How the CLI reaches the web (feeds, Lightning Addresses, LNURL): through
//! the proxy `--socksproxy` / `SATCHEL_SOCKSPROXY` names, else the one the
//! saved active node is reached through, else directly. The flags are kept
//! in [`super::run`]; the choice is made at the first web request (commands
//! that never ask the web never read the settings for it).

use std::sync::OnceLock;

use super::args::ConnectArgs;
use super::exit::CliError;
use crate::lnd::SocksProxy;
use crate::store::Settings;
use crate::web::Web;

static ARGS: OnceLock<ConnectArgs> = OnceLock::new();
static CHOSEN: OnceLock<Result<Web, String>> = OnceLock::new();

/// Keep this process's connection flags for [`web`] (the first call wins).
pub fn choose(args: &ConnectArgs) {
    let _ = ARGS.set(args.clone());
}

/// The way to the web; direct when [`choose`] was never called.
pub fn web() -> Result<Web, CliError> {
    let chosen = CHOSEN.get_or_init(|| match ARGS.get() {
        Some(args) => decide(args).map_err(|e| e.to_string()),
        None => Ok(Web::direct()),
    });
    chosen.clone().map_err(CliError::BadInput)
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

/// The saved active node's proxy (a settings file set aside is said).
fn saved_proxy() -> Option<SocksProxy> {
    let paths = super::session::real_paths().ok()?;
    let loaded = Settings::load(&paths).ok()?;
    if let Some(warning) = &loaded.warning {
        super::report::progress(&format!("warning: {warning}"));
    }
    loaded.value.active()?.proxy.as_deref()?.parse().ok()
}
