//! Which node to talk to: lncli-style flags (`--rpcserver`, `--tlscertpath`,
//! `--macaroonpath`, `--lnddir`, `--network`, `--socksproxy`) or
//! `--lndconnect` turned into a [`ConnectSpec`]; each flag may also come from
//! its `SATCHEL_*` environment variable (a flag wins); without either, the
//! saved node or LND's default directory.

use std::path::{Path, PathBuf};

use super::args::ConnectArgs;
use super::exit::CliError;
use crate::lnd::{self, CertSource, ConnectSpec};
use crate::store::{Paths, SavedNode, SavedNodeKind, Settings, open_secret_store};

/// lncli's default `--rpcserver`.
const DEFAULT_RPCSERVER: &str = "localhost:10009";
/// lncli's default `--network` when the macaroon path must be built.
const DEFAULT_NETWORK: &str = "mainnet";

/// `args` with each connection flag that was not given taken from its
/// environment variable (`env` reads one; empty counts as unset). A node
/// named by `--lndconnect` or `--demo` is not mixed with variables that
/// name another one; the proxy variable applies to any node.
pub fn with_env(
    args: &ConnectArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ConnectArgs, CliError> {
    let var = |name: &str| env(name).filter(|value| !value.trim().is_empty());
    let mut out = args.clone();
    out.socksproxy = out.socksproxy.or_else(|| var("SATCHEL_SOCKSPROXY"));
    if args.demo || args.lndconnect.is_some() || args.lndconnect_file.is_some() {
        return Ok(out);
    }
    out.rpcserver = out.rpcserver.or_else(|| var("SATCHEL_RPCSERVER"));
    out.tlscertpath = out
        .tlscertpath
        .or_else(|| var("SATCHEL_TLSCERTPATH").map(PathBuf::from));
    out.macaroonpath = out
        .macaroonpath
        .or_else(|| var("SATCHEL_MACAROONPATH").map(PathBuf::from));
    out.lnddir = out
        .lnddir
        .or_else(|| var("SATCHEL_LNDDIR").map(PathBuf::from));
    if out.network.is_none()
        && let Some(network) = var("SATCHEL_NETWORK")
    {
        if !super::args::NETWORKS.contains(&network.as_str()) {
            return Err(CliError::BadInput(format!(
                "SATCHEL_NETWORK={network:?} is not a network lnd knows: one of {}",
                super::args::NETWORKS.join(", ")
            )));
        }
        out.network = Some(network);
    }
    Ok(out)
}

/// The process environment, for [`with_env`].
fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The proxy named by `--socksproxy` or `SATCHEL_SOCKSPROXY`, if any.
pub(super) fn proxy_flag(args: &ConnectArgs) -> Result<Option<lnd::SocksProxy>, CliError> {
    args.socksproxy
        .as_deref()
        .map(|text| {
            text.parse::<lnd::SocksProxy>()
                .map_err(|err| CliError::BadInput(format!("--socksproxy: {err}")))
        })
        .transpose()
}

/// A node chosen without flags (saved or discovered), reached through the
/// proxy the flags or the environment name, when they name one.
pub fn with_proxy_flag(saved: Saved, args: &ConnectArgs) -> Result<Saved, CliError> {
    let args = with_env(args, &process_env)?;
    match (saved, proxy_flag(&args)?) {
        (Saved::Node(spec), Some(proxy)) => Ok(Saved::Node(ConnectSpec {
            proxy: Some(proxy),
            ..spec
        })),
        (saved, _) => Ok(saved),
    }
}

/// The spec the flags (or their environment variables) name, or `None`
/// when none was given.
pub fn spec_from_flags(args: &ConnectArgs) -> Result<Option<ConnectSpec>, CliError> {
    let args = &with_env(args, &process_env)?;
    let spec = spec_named(args)?;
    let proxy = proxy_flag(args)?;
    Ok(spec.map(|spec| ConnectSpec {
        proxy: proxy.or(spec.proxy.clone()),
        ..spec
    }))
}

fn spec_named(args: &ConnectArgs) -> Result<Option<ConnectSpec>, CliError> {
    if let Some(uri) = lndconnect_uri(args, &mut std::io::stdin().lock())? {
        let spec = ConnectSpec::from_lndconnect(&uri).map_err(CliError::from)?;
        if spec.cert == CertSource::SystemRoots {
            super::report::progress(lnd::lndconnect::NO_CERT_NOTE);
        }
        return Ok(Some(spec));
    }
    if !args.is_explicit() {
        return Ok(None);
    }
    let lnddir = match &args.lnddir {
        Some(dir) => dir.clone(),
        None => lnd::default_lnd_dir()
            .ok_or_else(|| connect_error("no home directory; pass --lnddir"))?,
    };
    let spec = match (&args.tlscertpath, &args.macaroonpath) {
        (None, None) => discovered(args, &lnddir)?,
        (cert, macaroon) => from_paths(args, &lnddir, cert.as_deref(), macaroon.as_deref())?,
    };
    Ok(Some(spec))
}

/// The lndconnect URI from `--lndconnect URI`, `--lndconnect -` (read from
/// `stdin`) or `--lndconnect-file FILE`. A URI with a macaroon typed on the
/// command line is used, with a warning: other users can read it in the
/// process list, and it stays in the shell history.
fn lndconnect_uri(
    args: &ConnectArgs,
    stdin: &mut dyn std::io::BufRead,
) -> Result<Option<String>, CliError> {
    if let Some(path) = &args.lndconnect_file {
        return std::fs::read_to_string(path).map(Some).map_err(|err| {
            connect_error(format!(
                "cannot read the lndconnect file {}: {err}",
                path.display()
            ))
        });
    }
    match args.lndconnect.as_deref() {
        None => Ok(None),
        Some("-") => {
            let mut uri = String::new();
            let _ = stdin.read_line(&mut uri).map_err(|err| {
                connect_error(format!(
                    "cannot read the lndconnect link from standard input: {err}"
                ))
            })?;
            if uri.trim().is_empty() {
                return Err(CliError::BadInput(
                    "--lndconnect - reads the link from standard input, but it was empty".into(),
                ));
            }
            Ok(Some(uri))
        }
        Some(uri) => {
            if let Some(warning) = argv_macaroon_warning(uri) {
                super::report::progress(&warning);
            }
            Ok(Some(uri.to_owned()))
        }
    }
}

/// The warning for a macaroon given on the command line, if `uri` has one.
fn argv_macaroon_warning(uri: &str) -> Option<String> {
    let has_macaroon = uri.split_once('?').is_some_and(|(_, query)| {
        query
            .split('&')
            .any(|p| p.starts_with("macaroon=") && p.len() > 9)
    });
    has_macaroon.then(|| {
        "warning: the macaroon in --lndconnect is visible to other users in the process list and \
         stays in your shell history; use --lndconnect - (read from standard input) or \
         --lndconnect-file FILE instead"
            .to_owned()
    })
}

/// How often "still connecting" is said while a slow connection comes up.
const SLOW_NOTE_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// Connect to `spec`'s node; over Tor or a proxy, say so on stderr first and
/// then how long it has taken, every [`SLOW_NOTE_EVERY`].
pub async fn connect_reporting(spec: &ConnectSpec) -> Result<lnd::Lnd, crate::node::NodeError> {
    let how = match (&spec.proxy, lnd::socks::is_onion(&spec.host)) {
        (_, true) => Some("over Tor".to_owned()),
        (Some(proxy), false) => Some(format!("through the SOCKS proxy {proxy}")),
        (None, false) => None,
    };
    let Some(how) = how else {
        return lnd::connect(spec).await;
    };
    super::report::progress(&format!("connecting to {} {how}…", spec.address()));
    let started = std::time::Instant::now();
    let connecting = lnd::connect(spec);
    tokio::pin!(connecting);
    let mut ticks = tokio::time::interval_at(
        tokio::time::Instant::now() + SLOW_NOTE_EVERY,
        SLOW_NOTE_EVERY,
    );
    loop {
        tokio::select! {
            result = &mut connecting => return result,
            _ = ticks.tick() => super::report::progress(&format!(
                "still connecting {how}… {} s",
                started.elapsed().as_secs()
            )),
        }
    }
}

/// What the profile's active saved node is.
#[derive(Debug)]
pub enum Saved {
    /// A real node.
    Node(ConnectSpec),
    /// The built-in demo network.
    Demo,
}

/// The active node saved in the profile's settings, if any.
pub fn spec_saved(paths: &Paths) -> Result<Option<Saved>, CliError> {
    let loaded = Settings::load(paths)?;
    if let Some(warning) = &loaded.warning {
        super::report::progress(&format!("warning: {warning}"));
    }
    match loaded.value.active() {
        None => Ok(None),
        Some(node) => saved_spec(node).map(Some),
    }
}

/// Rebuild a saved node's spec (reads its files or the keyring).
fn saved_spec(node: &SavedNode) -> Result<Saved, CliError> {
    if node.kind == SavedNodeKind::Demo {
        return Ok(Saved::Demo);
    }
    let (secrets, _warning) = open_secret_store();
    ConnectSpec::from_saved(node, secrets.as_ref())
        .map(Saved::Node)
        .map_err(connect_error)
}

/// LND's default local node (`~/.lnd`, first network with a macaroon).
pub fn spec_discovered() -> Result<ConnectSpec, CliError> {
    lnd::discover(None).map_err(connect_error)
}

/// Files found in `lnddir`, at `--rpcserver` when given.
fn discovered(args: &ConnectArgs, lnddir: &Path) -> Result<ConnectSpec, CliError> {
    let spec = lnd::discover_in(lnddir, args.network.as_deref()).map_err(connect_error)?;
    match &args.rpcserver {
        Some(address) => at_address(spec, address),
        None => Ok(spec),
    }
}

/// Explicit file paths, the missing one taken from `lnddir`.
fn from_paths(
    args: &ConnectArgs,
    lnddir: &Path,
    cert: Option<&Path>,
    macaroon: Option<&Path>,
) -> Result<ConnectSpec, CliError> {
    let cert = cert.map_or_else(|| lnddir.join("tls.cert"), Path::to_path_buf);
    let network = args.network.as_deref().unwrap_or(DEFAULT_NETWORK);
    let macaroon = macaroon.map_or_else(|| admin_macaroon(lnddir, network), Path::to_path_buf);
    let address = args.rpcserver.as_deref().unwrap_or(DEFAULT_RPCSERVER);
    ConnectSpec::from_files(address, cert, macaroon).map_err(connect_error)
}

/// The same node files, reached at another address.
fn at_address(spec: ConnectSpec, address: &str) -> Result<ConnectSpec, CliError> {
    let (host, port) = lnd::connect::split_host_port(address).map_err(|_| {
        CliError::BadInput(format!(
            "{address:?} is not host:port (for example localhost:10009)"
        ))
    })?;
    Ok(ConnectSpec {
        host,
        port: port.unwrap_or(lnd::DEFAULT_PORT),
        ..spec
    })
}

/// `<lnddir>/data/chain/bitcoin/<network>/admin.macaroon` (LND's layout).
fn admin_macaroon(lnddir: &Path, network: &str) -> PathBuf {
    lnddir
        .join("data")
        .join("chain")
        .join("bitcoin")
        .join(network)
        .join("admin.macaroon")
}

/// A failure to assemble the connection (files, URI): exit code 3.
fn connect_error(err: impl ToString) -> CliError {
    CliError::Connect(err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lnd_dir(network: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let pem = rcgen::generate_simple_self_signed(vec!["localhost".into()])
            .unwrap()
            .cert
            .pem();
        std::fs::write(dir.path().join("tls.cert"), pem).unwrap();
        let net_dir = dir.path().join("data/chain/bitcoin").join(network);
        std::fs::create_dir_all(&net_dir).unwrap();
        std::fs::write(net_dir.join("admin.macaroon"), b"mac").unwrap();
        dir
    }

    fn args(dir: &Path) -> ConnectArgs {
        ConnectArgs {
            lnddir: Some(dir.to_path_buf()),
            ..ConnectArgs::default()
        }
    }

    #[test]
    fn saved_nodes_come_back() {
        let dir = lnd_dir("regtest");
        let paths = Paths::at(dir.path().join("profile"));
        assert!(spec_saved(&paths).unwrap().is_none());
        let mut settings = Settings::default();
        let macaroon = dir.path().join("data/chain/bitcoin/regtest/admin.macaroon");
        settings.add_node(SavedNode::files(
            "home",
            "10.0.0.2:10010",
            dir.path().join("tls.cert"),
            macaroon,
        ));
        settings.save(&paths).unwrap();
        let Some(Saved::Node(spec)) = spec_saved(&paths).unwrap() else {
            panic!("no saved node")
        };
        assert_eq!(spec.address(), "10.0.0.2:10010");
        settings.add_node(SavedNode::demo("demo"));
        settings.save(&paths).unwrap();
        assert!(matches!(spec_saved(&paths).unwrap(), Some(Saved::Demo)));
    }

    #[test]
    fn the_lndconnect_link_comes_from_stdin_a_file_or_argv() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("link.txt");
        std::fs::write(&file, "lndconnect://h:1?macaroon=AQ\n").unwrap();
        let from_file = ConnectArgs {
            lndconnect_file: Some(file),
            ..ConnectArgs::default()
        };
        let uri = lndconnect_uri(&from_file, &mut &b""[..]).unwrap().unwrap();
        assert_eq!(uri.trim(), "lndconnect://h:1?macaroon=AQ");
        let from_stdin = ConnectArgs {
            lndconnect: Some("-".into()),
            ..ConnectArgs::default()
        };
        let uri = lndconnect_uri(&from_stdin, &mut &b"lndconnect://s:2?macaroon=AQ\n"[..]);
        assert_eq!(uri.unwrap().unwrap().trim(), "lndconnect://s:2?macaroon=AQ");
        let empty = lndconnect_uri(&from_stdin, &mut &b"\n"[..]).unwrap_err();
        assert_eq!(empty.kind().code(), 2, "{empty}");
        let missing = ConnectArgs {
            lndconnect_file: Some(dir.path().join("absent")),
            ..ConnectArgs::default()
        };
        assert_eq!(
            lndconnect_uri(&missing, &mut &b""[..])
                .unwrap_err()
                .kind()
                .code(),
            3
        );
        assert!(argv_macaroon_warning("lndconnect://h:1?cert=x&macaroon=AQ").is_some());
        assert!(argv_macaroon_warning("lndconnect://h:1?cert=x").is_none());
    }

    #[test]
    fn environment_variables_fill_flags_not_given() {
        let env = |name: &str| match name {
            "SATCHEL_RPCSERVER" => Some("envhost:1".to_owned()),
            "SATCHEL_NETWORK" => Some("regtest".to_owned()),
            "SATCHEL_SOCKSPROXY" => Some("127.0.0.1:9050".to_owned()),
            "SATCHEL_LNDDIR" => Some(String::new()),
            _ => None,
        };
        let filled = with_env(&ConnectArgs::default(), &env).unwrap();
        assert_eq!(filled.rpcserver.as_deref(), Some("envhost:1"));
        assert_eq!(filled.network.as_deref(), Some("regtest"));
        assert_eq!(filled.socksproxy.as_deref(), Some("127.0.0.1:9050"));
        assert_eq!(filled.lnddir, None, "empty counts as unset");
        let flag = ConnectArgs {
            rpcserver: Some("flag:2".into()),
            ..ConnectArgs::default()
        };
        assert_eq!(
            with_env(&flag, &env).unwrap().rpcserver.as_deref(),
            Some("flag:2")
        );
        let link = ConnectArgs {
            lndconnect: Some("lndconnect://h:1".into()),
            ..ConnectArgs::default()
        };
        let link = with_env(&link, &env).unwrap();
        assert_eq!(
            link.rpcserver, None,
            "a link is not mixed with another node's address"
        );
        assert_eq!(link.socksproxy.as_deref(), Some("127.0.0.1:9050"));
        let bad = |name: &str| (name == "SATCHEL_NETWORK").then(|| "moon".to_owned());
        let err = with_env(&ConnectArgs::default(), &bad).unwrap_err();
        assert!(err.to_string().contains("SATCHEL_NETWORK"), "{err}");
    }

    #[test]
    fn no_flags_means_no_spec() {
        assert!(spec_from_flags(&ConnectArgs::default()).unwrap().is_none());
    }

    #[test]
    fn lnddir_and_rpcserver_combine() {
        let dir = lnd_dir("regtest");
        let flags = ConnectArgs {
            network: Some("regtest".into()),
            rpcserver: Some("127.0.0.1:19999".into()),
            ..args(dir.path())
        };
        let spec = spec_from_flags(&flags).unwrap().unwrap();
        assert_eq!(spec.address(), "127.0.0.1:19999");
        assert_eq!(spec.macaroon.as_bytes(), b"mac");
    }

    #[test]
    fn explicit_macaroon_path_wins() {
        let dir = lnd_dir("regtest");
        let other = dir.path().join("other.macaroon");
        std::fs::write(&other, b"other").unwrap();
        let flags = ConnectArgs {
            macaroonpath: Some(other),
            ..args(dir.path())
        };
        let spec = spec_from_flags(&flags).unwrap().unwrap();
        assert_eq!(spec.macaroon.as_bytes(), b"other");
        assert_eq!(spec.address(), "localhost:10009");
    }

    #[test]
    fn missing_files_are_connection_errors() {
        let dir = lnd_dir("regtest");
        let flags = ConnectArgs {
            network: Some("mainnet".into()),
            ..args(dir.path())
        };
        let err = spec_from_flags(&flags).unwrap_err();
        assert_eq!(err.kind().code(), 3, "{err}");
        assert!(err.to_string().contains("mainnet"), "{err}");
        let bad = ConnectArgs {
            rpcserver: Some("host:notaport".into()),
            ..args(dir.path())
        };
        assert_eq!(spec_from_flags(&bad).unwrap_err().kind().code(), 2);
        let uri = ConnectArgs {
            lndconnect: Some("http://x".into()),
            ..ConnectArgs::default()
        };
        assert_eq!(spec_from_flags(&uri).unwrap_err().kind().code(), 2);
    }
}
