//! A remembered node back into a [`ConnectSpec`]: one decoder for the GUI
//! and the CLI (they used to disagree on base64 spellings and on parsing
//! `host:port`). Reads the node's files or the secret store: blocking.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::connect::{CertSource, ConnectSpec, ConnectSpecError, DEFAULT_PORT, Macaroon};
use super::lndconnect;
use crate::store::{SavedNode, SavedNodeKind, SecretError, SecretStore};

/// Why a saved node cannot be connected to as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SavedSpecError {
    /// Its tls.cert or macaroon file is missing or unusable.
    #[error(transparent)]
    Files(#[from] ConnectSpecError),
    /// Its macaroon is not in the keyring any more.
    #[error(
        "the macaroon of the saved node {label:?} is not in the system keyring any more; \
         connect with its lndconnect link again"
    )]
    NotInKeyring { label: String },
    /// The keyring could not be read.
    #[error(transparent)]
    Keyring(#[from] SecretError),
    /// The saved address is not `host:port`.
    #[error("the saved address {0:?} of this node is damaged; forget the node and add it again")]
    BadAddress(String),
    /// The saved certificate is not base64.
    #[error(
        "the saved certificate of this node is damaged ({0}); forget the node and add it again"
    )]
    BadCert(String),
    /// The saved proxy is not `HOST:PORT`.
    #[error("the saved SOCKS proxy of this node is damaged: {0}")]
    BadProxy(#[from] super::socks::BadProxy),
    /// The demo network has no saved spec: it is started, not reached.
    #[error("the demo network only runs with `satchel --demo`")]
    Demo,
}

impl ConnectSpec {
    /// Rebuild the spec of a saved node: files are read, an lndconnect
    /// node's macaroon comes from `secrets`. Blocking.
    pub fn from_saved(
        saved: &SavedNode,
        secrets: &dyn SecretStore,
    ) -> Result<Self, SavedSpecError> {
        let proxy = saved.proxy.as_deref().map(str::parse).transpose()?;
        Ok(Self {
            proxy,
            ..Self::saved_place(saved, secrets)?
        })
    }

    fn saved_place(saved: &SavedNode, secrets: &dyn SecretStore) -> Result<Self, SavedSpecError> {
        match &saved.kind {
            SavedNodeKind::Files {
                host_port,
                cert_path,
                macaroon_path,
            } => Ok(Self::from_files(host_port, cert_path, macaroon_path)?),
            SavedNodeKind::LndConnect {
                host_port,
                cert_der_b64,
                ..
            } => {
                let (host, port) = super::connect::split_host_port(host_port)
                    .map_err(|_| SavedSpecError::BadAddress(host_port.clone()))?;
                let macaroon = saved
                    .macaroon(secrets)?
                    .filter(|bytes| !bytes.is_empty())
                    .ok_or_else(|| SavedSpecError::NotInKeyring {
                        label: saved.label.clone(),
                    })?;
                Ok(Self {
                    host,
                    port: port.unwrap_or(DEFAULT_PORT),
                    cert: saved_cert(cert_der_b64.as_deref())?,
                    macaroon: Macaroon::new(macaroon),
                    proxy: None,
                })
            }
            SavedNodeKind::Demo => Err(SavedSpecError::Demo),
        }
    }

    /// The pinned certificate as a saved node keeps it (base64url DER), or
    /// `None` for the system's roots.
    pub fn saved_cert(&self) -> Option<String> {
        let der = self.cert.der().ok().flatten()?;
        Some(URL_SAFE_NO_PAD.encode(der))
    }
}

/// A saved certificate: base64 DER in any common spelling (URL-safe as
/// Satchel writes it, standard, padded or not); none means system roots.
fn saved_cert(b64: Option<&str>) -> Result<CertSource, SavedSpecError> {
    match b64 {
        None => Ok(CertSource::SystemRoots),
        Some(text) => lndconnect::decode_base64(text)
            .map(CertSource::Der)
            .map_err(SavedSpecError::BadCert),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::store::MemorySecrets;

    fn lndconnect_node(host_port: &str, cert: Option<&str>, secrets: &MemorySecrets) -> SavedNode {
        SavedNode::from_lndconnect("n", host_port, cert.map(str::to_owned), b"mac", secrets)
            .unwrap()
    }

    /// One table for every way a saved node comes back (or does not).
    #[test]
    fn saved_nodes_decode_the_same_way_everywhere() {
        let secrets = MemorySecrets::default();
        type Want = Result<(&'static str, u16, CertSource), SavedSpecError>;
        let cases: Vec<(&str, Option<&str>, Want)> = vec![
            (
                "node:10010",
                Some("-_8"),
                Ok(("node", 10010, CertSource::Der(vec![0xfb, 0xff]))),
            ),
            (
                "node:10010",
                Some("+/8="),
                Ok(("node", 10010, CertSource::Der(vec![0xfb, 0xff]))),
            ),
            (
                "node:10010",
                Some("+/8"),
                Ok(("node", 10010, CertSource::Der(vec![0xfb, 0xff]))),
            ),
            (
                "node",
                None,
                Ok(("node", DEFAULT_PORT, CertSource::SystemRoots)),
            ),
            (
                "[::1]:10009",
                None,
                Ok(("::1", 10009, CertSource::SystemRoots)),
            ),
            (
                "abc.onion:9735",
                None,
                Ok(("abc.onion", 9735, CertSource::SystemRoots)),
            ),
            (
                "node:notaport",
                None,
                Err(SavedSpecError::BadAddress("node:notaport".into())),
            ),
            ("", None, Err(SavedSpecError::BadAddress(String::new()))),
        ];
        for (host_port, cert, want) in cases {
            let node = lndconnect_node(host_port, cert, &secrets);
            let got = ConnectSpec::from_saved(&node, &secrets).map(|s| (s.host, s.port, s.cert));
            let want = want.map(|(h, p, c)| (h.to_owned(), p, c));
            assert_eq!(got, want, "{host_port} {cert:?}");
        }
        let node = lndconnect_node("node:1", Some("!!"), &secrets);
        assert!(matches!(
            ConnectSpec::from_saved(&node, &secrets),
            Err(SavedSpecError::BadCert(_))
        ));
        let node = lndconnect_node("node:1", None, &secrets);
        secrets
            .delete(&crate::store::macaroon_key(&node.id))
            .unwrap();
        assert_eq!(
            ConnectSpec::from_saved(&node, &secrets),
            Err(SavedSpecError::NotInKeyring { label: "n".into() })
        );
        let files = SavedNode::files(
            "f",
            "h:1",
            PathBuf::from("/nonexistent/tls.cert"),
            PathBuf::from("/m"),
        );
        assert!(matches!(
            ConnectSpec::from_saved(&files, &secrets),
            Err(SavedSpecError::Files(ConnectSpecError::Missing { .. }))
        ));
        assert_eq!(
            ConnectSpec::from_saved(&SavedNode::demo("d"), &secrets),
            Err(SavedSpecError::Demo)
        );
        let tor = lndconnect_node("abc.onion:10009", None, &secrets)
            .with_proxy(Some("127.0.0.1:9150".into()));
        let spec = ConnectSpec::from_saved(&tor, &secrets).unwrap();
        assert_eq!(spec.proxy, Some("127.0.0.1:9150".parse().unwrap()));
        let damaged = tor.with_proxy(Some("nowhere".into()));
        assert!(matches!(
            ConnectSpec::from_saved(&damaged, &secrets),
            Err(SavedSpecError::BadProxy(_))
        ));
    }

    #[test]
    fn a_saved_cert_reads_back_what_was_written() {
        let spec = ConnectSpec {
            host: "h".into(),
            port: 1,
            cert: CertSource::Der(vec![1, 2, 3, 250]),
            macaroon: Macaroon::new(b"m".to_vec()),
            proxy: None,
        };
        let written = spec.saved_cert().unwrap();
        assert_eq!(saved_cert(Some(&written)).unwrap(), spec.cert);
    }
}
