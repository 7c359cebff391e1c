//! Which node to talk to: lncli-style flags (`--rpcserver`, `--tlscertpath`,
//! `--macaroonpath`, `--lnddir`, `--network`) or `--lndconnect` turned into a
//! [`ConnectSpec`]; without flags, LND's default directory.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use super::args::ConnectArgs;
use super::exit::CliError;
use crate::lnd::{self, CertSource, ConnectSpec, Macaroon};
use crate::store::{Paths, SavedNode, SavedNodeKind, Settings, macaroon_key, open_secret_store};

/// lncli's default `--rpcserver`.
const DEFAULT_RPCSERVER: &str = "localhost:10009";
/// lncli's default `--network` when the macaroon path must be built.
const DEFAULT_NETWORK: &str = "mainnet";

/// The spec the flags name, or `None` when no connection flag was given.
pub fn spec_from_flags(args: &ConnectArgs) -> Result<Option<ConnectSpec>, CliError> {
    if let Some(uri) = &args.lndconnect {
        return ConnectSpec::from_lndconnect(uri)
            .map(Some)
            .map_err(CliError::from);
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
    match &node.kind {
        SavedNodeKind::Files {
            host_port,
            cert_path,
            macaroon_path,
        } => ConnectSpec::from_files(host_port, cert_path, macaroon_path)
            .map(Saved::Node)
            .map_err(connect_error),
        SavedNodeKind::LndConnect {
            host_port,
            cert_der_b64,
            ..
        } => {
            let macaroon = keyring_macaroon(node)?;
            let spec = ConnectSpec {
                cert: saved_cert(cert_der_b64.as_deref())?,
                macaroon,
                ..placeholder()
            };
            at_address(spec, host_port).map(Saved::Node)
        }
        SavedNodeKind::Demo => Ok(Saved::Demo),
    }
}

/// The macaroon of an lndconnect node, from the OS keyring.
fn keyring_macaroon(node: &SavedNode) -> Result<Macaroon, CliError> {
    let (secrets, _warning) = open_secret_store();
    match secrets.get(&macaroon_key(&node.id)) {
        Ok(Some(bytes)) => Ok(Macaroon::new(bytes)),
        Ok(None) => Err(connect_error(format!(
            "the macaroon of the saved node {:?} is not in the keyring; pass --lndconnect again",
            node.label
        ))),
        Err(err) => Err(connect_error(err)),
    }
}

/// A saved certificate: base64 DER (URL-safe as the GUI writes it, or standard).
fn saved_cert(b64: Option<&str>) -> Result<CertSource, CliError> {
    let Some(b64) = b64 else {
        return Ok(CertSource::SystemRoots);
    };
    URL_SAFE_NO_PAD
        .decode(b64)
        .or_else(|_| STANDARD.decode(b64))
        .map(CertSource::Der)
        .map_err(|err| connect_error(format!("the saved certificate is damaged: {err}")))
}

/// A spec whose address is filled in by [`at_address`].
fn placeholder() -> ConnectSpec {
    ConnectSpec {
        host: String::new(),
        port: lnd::DEFAULT_PORT,
        cert: CertSource::SystemRoots,
        macaroon: Macaroon::new(Vec::new()),
    }
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
    fn saved_certificates_decode_either_alphabet() {
        assert!(matches!(saved_cert(None).unwrap(), CertSource::SystemRoots));
        let url = saved_cert(Some("-_8")).unwrap();
        let standard = saved_cert(Some("+/8=")).unwrap();
        assert_eq!(url, CertSource::Der(vec![0xfb, 0xff]));
        assert_eq!(standard, url);
        assert_eq!(saved_cert(Some("!!")).unwrap_err().kind().code(), 3);
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
