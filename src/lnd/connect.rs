//! How to reach an LND node: host and port, the TLS certificate to trust and
//! the macaroon to present. Built from files on disk (see also
//! [`super::discover`]) or from an lndconnect URI (see [`super::lndconnect`]).

use std::fmt;
use std::path::{Path, PathBuf};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use sha2::{Digest, Sha256};

use super::socks::SocksProxy;

/// LND's default gRPC port, the same on every network.
pub const DEFAULT_PORT: u16 = 10009;

/// Everything needed to open a connection to one LND node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectSpec {
    /// Host name or IP address, without brackets.
    pub host: String,
    pub port: u16,
    pub cert: CertSource,
    pub macaroon: Macaroon,
    /// A SOCKS5 proxy to reach the node through (`--socksproxy`); without
    /// one, an `.onion` host goes through the system's Tor.
    pub proxy: Option<SocksProxy>,
}

/// The certificate Satchel trusts for the node.
#[derive(Clone, PartialEq, Eq)]
pub enum CertSource {
    /// LND's `tls.cert` as PEM text: pinned.
    Pem(Vec<u8>),
    /// The certificate's DER bytes (as in an lndconnect URI): pinned.
    Der(Vec<u8>),
    /// No certificate given (lndconnect without `cert`): the node has a
    /// CA-signed certificate, checked against the operating system's roots.
    SystemRoots,
}

/// A macaroon: the node's bearer credential. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Macaroon(Vec<u8>);

/// Why a connection spec could not be built from files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectSpecError {
    #[error("the {what} file does not exist: {}", path.display())]
    Missing { what: &'static str, path: PathBuf },
    #[error("the {what} path is a directory, not a file: {}", path.display())]
    IsDirectory { what: &'static str, path: PathBuf },
    #[error("cannot read the {what} file {}: {detail}", path.display())]
    Unreadable {
        what: &'static str,
        path: PathBuf,
        detail: String,
    },
    #[error("the TLS certificate file is empty: {}", path.display())]
    EmptyCert { path: PathBuf },
    #[error("the TLS certificate file is not a PEM certificate (no valid -----BEGIN CERTIFICATE----- block): {}", path.display())]
    NotPem { path: PathBuf },
    #[error("the macaroon file is empty: {}", path.display())]
    EmptyMacaroon { path: PathBuf },
    #[error("{0:?} is not a node address: expected host:port, for example localhost:10009")]
    BadAddress(String),
}

/// A PEM certificate that does not parse (the parser's reason).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the certificate is not valid PEM: {0}")]
pub struct InvalidPem(pub String);

/// Why a `host[:port]` text is not an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddressError {
    MissingHost,
    BadPort,
}

impl ConnectSpec {
    /// Build a spec from LND's files: `host_port` like `localhost:10009`
    /// (`[::1]:10009` for IPv6; the port defaults to 10009), `tls.cert` (PEM)
    /// and a macaroon file.
    pub fn from_files(
        host_port: &str,
        cert_path: impl AsRef<Path>,
        macaroon_path: impl AsRef<Path>,
    ) -> Result<Self, ConnectSpecError> {
        let (host, port) = split_host_port(host_port)
            .map_err(|_| ConnectSpecError::BadAddress(host_port.to_owned()))?;
        let cert = read_cert_file(cert_path.as_ref())?;
        let macaroon = read_macaroon_file(macaroon_path.as_ref())?;
        Ok(Self {
            host,
            port: port.unwrap_or(DEFAULT_PORT),
            cert,
            macaroon,
            proxy: None,
        })
    }

    /// `host:port`, with brackets around an IPv6 host.
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The gRPC endpoint URI.
    pub(crate) fn uri(&self) -> String {
        format!("https://{}", self.address())
    }
}

impl CertSource {
    /// The certificate's DER bytes, if one is pinned.
    pub fn der(&self) -> Result<Option<Vec<u8>>, InvalidPem> {
        match self {
            Self::Pem(pem) => pem_to_der(pem).map(Some),
            Self::Der(der) => Ok(Some(der.clone())),
            Self::SystemRoots => Ok(None),
        }
    }

    /// SHA-256 of the pinned certificate's DER, lower-case hex (to show the
    /// user what is trusted). `None` for system roots or an unreadable PEM.
    pub fn fingerprint(&self) -> Option<String> {
        let der = self.der().ok().flatten()?;
        Some(hex::encode(Sha256::digest(der)))
    }
}

impl fmt::Debug for CertSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pem(bytes) => write!(f, "Pem({} bytes)", bytes.len()),
            Self::Der(bytes) => write!(f, "Der({} bytes)", bytes.len()),
            Self::SystemRoots => f.write_str("SystemRoots"),
        }
    }
}

impl Macaroon {
    /// Wrap the raw macaroon bytes (the file's content, not hex).
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Hex, as LND expects it in the `macaroon` gRPC header.
    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }
}

impl From<Vec<u8>> for Macaroon {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl fmt::Debug for Macaroon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Macaroon(<{} bytes hidden>)", self.0.len())
    }
}

impl fmt::Display for Macaroon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "macaroon ({} bytes)", self.0.len())
    }
}

/// Parse the first PEM certificate block into DER.
pub(crate) fn pem_to_der(pem: &[u8]) -> Result<Vec<u8>, InvalidPem> {
    CertificateDer::from_pem_slice(pem)
        .map(|der| der.as_ref().to_vec())
        .map_err(|err| InvalidPem(err.to_string()))
}

/// Split `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address.
pub(crate) fn split_host_port(text: &str) -> Result<(String, Option<u16>), AddressError> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or(AddressError::MissingHost)?;
        let port = match after {
            "" => None,
            _ => Some(parse_port(
                after.strip_prefix(':').ok_or(AddressError::BadPort)?,
            )?),
        };
        // Brackets hold an IPv6 address and nothing else.
        return host
            .parse::<std::net::Ipv6Addr>()
            .map(|_| (host.to_owned(), port))
            .map_err(|_| AddressError::MissingHost);
    }
    match text.split_once(':') {
        // More than one colon and no brackets: only a bare IPv6 address
        // (anything else, such as `a:b://c`, is not a host).
        Some((_, rest)) if rest.contains(':') => text
            .parse::<std::net::Ipv6Addr>()
            .map(|_| (text.to_owned(), None))
            .map_err(|_| AddressError::MissingHost),
        Some((host, port)) => Ok((non_empty(host)?, Some(parse_port(port)?))),
        None => non_empty(text).map(|host| (host, None)),
    }
}

fn parse_port(text: &str) -> Result<u16, AddressError> {
    match text.parse::<u16>() {
        Ok(0) | Err(_) => Err(AddressError::BadPort),
        Ok(port) => Ok(port),
    }
}

/// A host name or IPv4 address: ASCII letters, digits, `-`, `.` and `_` only
/// (international names arrive as punycode), so nothing hostile reaches a URI.
fn non_empty(host: &str) -> Result<String, AddressError> {
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_');
    if host.is_empty() || !host.chars().all(valid) {
        return Err(AddressError::MissingHost);
    }
    Ok(host.to_owned())
}

fn read_file(what: &'static str, path: &Path) -> Result<Vec<u8>, ConnectSpecError> {
    let path_buf = path.to_path_buf();
    if path.is_dir() {
        return Err(ConnectSpecError::IsDirectory {
            what,
            path: path_buf,
        });
    }
    std::fs::read(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => ConnectSpecError::Missing {
            what,
            path: path_buf,
        },
        _ => ConnectSpecError::Unreadable {
            what,
            path: path_buf,
            detail: err.to_string(),
        },
    })
}

fn read_cert_file(path: &Path) -> Result<CertSource, ConnectSpecError> {
    let pem = read_file("TLS certificate", path)?;
    if pem.iter().all(u8::is_ascii_whitespace) {
        return Err(ConnectSpecError::EmptyCert {
            path: path.to_path_buf(),
        });
    }
    match pem_to_der(&pem) {
        Ok(_) => Ok(CertSource::Pem(pem)),
        Err(_) => Err(ConnectSpecError::NotPem {
            path: path.to_path_buf(),
        }),
    }
}

fn read_macaroon_file(path: &Path) -> Result<Macaroon, ConnectSpecError> {
    let bytes = read_file("macaroon", path)?;
    if bytes.is_empty() {
        return Err(ConnectSpecError::EmptyMacaroon {
            path: path.to_path_buf(),
        });
    }
    Ok(Macaroon(bytes))
}

#[cfg(test)]
#[path = "connect_tests.rs"]
mod tests;
