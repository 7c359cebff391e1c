//! Finding a local LND node's files in its default places.
//!
//! LND (`config.go`): the lnd dir is `~/.lnd` (Linux and other Unix),
//! `~/Library/Application Support/Lnd` (macOS), `%LOCALAPPDATA%\Lnd`
//! (Windows); `tls.cert` sits in it, macaroons in
//! `data/chain/bitcoin/<network>/admin.macaroon`; gRPC listens on
//! localhost:10009 by default.

use std::path::{Path, PathBuf};

use super::connect::{ConnectSpec, ConnectSpecError};

/// Where a default local node answers.
const LOCAL_ADDRESS: &str = "localhost:10009";

/// Networks tried, in order, when none is given: mainnet first.
const NETWORKS: [&str; 6] = [
    "mainnet", "testnet", "testnet4", "signet", "regtest", "simnet",
];

/// Why no local node could be found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscoverError {
    #[error("cannot tell where lnd keeps its files on this system (no home directory)")]
    NoHome,
    #[error("no lnd directory at {}; is lnd installed for this user?", dir.display())]
    NoLndDir { dir: PathBuf },
    #[error("lnd's tls.cert is not at {}", path.display())]
    NoCert { path: PathBuf },
    #[error("no admin.macaroon for {network} under {}", dir.display())]
    NoMacaroon { dir: PathBuf, network: String },
    #[error("no admin.macaroon for any network under {}", dir.display())]
    NoNetwork { dir: PathBuf },
    #[error(transparent)]
    Files(#[from] ConnectSpecError),
}

/// LND's default directory for this user on this operating system.
pub fn default_lnd_dir() -> Option<PathBuf> {
    let base = directories::BaseDirs::new()?;
    if cfg!(target_os = "macos") || cfg!(windows) {
        // macOS: ~/Library/Application Support; Windows: %LOCALAPPDATA%.
        Some(base.data_local_dir().join("Lnd"))
    } else {
        Some(base.home_dir().join(".lnd"))
    }
}

/// Find the local node in LND's default directory: `network` like
/// `"mainnet"`, or `None` to take the first network that has a macaroon.
pub fn discover(network: Option<&str>) -> Result<ConnectSpec, DiscoverError> {
    let dir = default_lnd_dir().ok_or(DiscoverError::NoHome)?;
    discover_in(&dir, network)
}

/// Find the node whose files are in `lnddir` (see [`discover`]).
pub fn discover_in(lnddir: &Path, network: Option<&str>) -> Result<ConnectSpec, DiscoverError> {
    if !lnddir.is_dir() {
        return Err(DiscoverError::NoLndDir {
            dir: lnddir.to_path_buf(),
        });
    }
    let cert = lnddir.join("tls.cert");
    if !cert.exists() {
        return Err(DiscoverError::NoCert { path: cert });
    }
    let macaroon = find_macaroon(lnddir, network)?;
    Ok(ConnectSpec::from_files(LOCAL_ADDRESS, &cert, &macaroon)?)
}

/// `admin.macaroon` of the given network, or of the first network found.
fn find_macaroon(lnddir: &Path, network: Option<&str>) -> Result<PathBuf, DiscoverError> {
    let chain_dir = lnddir.join("data").join("chain").join("bitcoin");
    let path_for = |network: &str| chain_dir.join(network).join("admin.macaroon");
    if let Some(network) = network {
        let path = path_for(network);
        return match path.exists() {
            true => Ok(path),
            false => Err(DiscoverError::NoMacaroon {
                dir: chain_dir,
                network: network.to_owned(),
            }),
        };
    }
    candidate_networks(&chain_dir)
        .into_iter()
        .map(|network| path_for(&network))
        .find(|path| path.exists())
        .ok_or(DiscoverError::NoNetwork { dir: chain_dir })
}

/// The known networks in preference order, then any other directory found.
fn candidate_networks(chain_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = NETWORKS.iter().map(|n| (*n).to_owned()).collect();
    let mut others: Vec<String> = std::fs::read_dir(chain_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| !names.contains(name))
        .collect();
    others.sort();
    names.append(&mut others);
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lnd_dir(networks: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let pem = rcgen::generate_simple_self_signed(vec!["localhost".into()])
            .unwrap()
            .cert
            .pem();
        std::fs::write(dir.path().join("tls.cert"), pem).unwrap();
        for network in networks {
            let net_dir = dir.path().join("data/chain/bitcoin").join(network);
            std::fs::create_dir_all(&net_dir).unwrap();
            std::fs::write(net_dir.join("admin.macaroon"), network.as_bytes()).unwrap();
        }
        dir
    }

    #[test]
    fn picks_the_asked_network() {
        let dir = lnd_dir(&["mainnet", "regtest"]);
        let spec = discover_in(dir.path(), Some("regtest")).unwrap();
        assert_eq!(spec.macaroon.as_bytes(), b"regtest");
        assert_eq!((spec.host.as_str(), spec.port), ("localhost", 10009));
    }

    #[test]
    fn prefers_mainnet_then_known_then_others() {
        let dir = lnd_dir(&["regtest", "mainnet"]);
        assert_eq!(
            discover_in(dir.path(), None).unwrap().macaroon.as_bytes(),
            b"mainnet"
        );
        let dir = lnd_dir(&["signet", "regtest"]);
        assert_eq!(
            discover_in(dir.path(), None).unwrap().macaroon.as_bytes(),
            b"signet"
        );
        let dir = lnd_dir(&["zzz", "custom"]);
        assert_eq!(
            discover_in(dir.path(), None).unwrap().macaroon.as_bytes(),
            b"custom"
        );
    }

    #[test]
    fn says_what_is_missing() {
        let dir = lnd_dir(&["regtest"]);
        let missing = dir.path().join("absent");
        assert_eq!(
            discover_in(&missing, None),
            Err(DiscoverError::NoLndDir { dir: missing })
        );
        let chain_dir = dir.path().join("data/chain/bitcoin");
        assert_eq!(
            discover_in(dir.path(), Some("mainnet")),
            Err(DiscoverError::NoMacaroon {
                dir: chain_dir,
                network: "mainnet".into()
            })
        );
        let empty = lnd_dir(&[]);
        let chain_dir = empty.path().join("data/chain/bitcoin");
        assert_eq!(
            discover_in(empty.path(), None),
            Err(DiscoverError::NoNetwork { dir: chain_dir })
        );
        std::fs::remove_file(dir.path().join("tls.cert")).unwrap();
        let cert = dir.path().join("tls.cert");
        assert_eq!(
            discover_in(dir.path(), None),
            Err(DiscoverError::NoCert { path: cert })
        );
    }

    #[test]
    fn default_dir_is_lnds() {
        let dir = default_lnd_dir().expect("tests run with a home directory");
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name == ".lnd" || name == "Lnd", "{}", dir.display());
    }
}
