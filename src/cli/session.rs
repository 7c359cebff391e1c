//! An open session for one command: the profile's files and a connected
//! node. `--demo` uses the demo profile and its in-process simulated node;
//! everything else uses the real profile and a real LND.

use std::sync::Arc;
use std::time::Duration;

use super::args::ConnectArgs;
use super::connection::{self, Saved};
use super::demo::DemoNet;
use super::exit::{CliError, Trusted};
use crate::lnd::{self, CertSource, ConnectSpec};
use crate::node::{NodeError, SharedNode};
use crate::store::{Paths, SavedNodeKind, Settings};

/// The profile and node a command works with.
pub struct Session {
    /// The profile's files (the demo profile under `--demo`).
    pub paths: Paths,
    /// The connected node.
    pub node: SharedNode,
    /// The simulated network behind `--demo`; kept alive with the session.
    pub demo: Option<DemoNet>,
}

/// The real profile's files (`SATCHEL_HOME` or the OS config dir).
pub fn real_paths() -> Result<Paths, CliError> {
    Paths::default_dirs().map_err(CliError::from)
}

/// Connect as the flags say: `--demo`, explicit flags, the saved node, or
/// LND's default directory. Under `--demo`, demo nodes tip us every
/// `demo_traffic` while the session lasts.
pub async fn open(args: &ConnectArgs, demo_traffic: Option<Duration>) -> Result<Session, CliError> {
    let real = real_paths()?;
    match target(args, &real)? {
        Saved::Demo => {
            let demo = DemoNet::start(&real.demo(), demo_traffic).await?;
            let node = connect(demo.spec()).await?;
            Ok(Session {
                paths: real.demo(),
                node,
                demo: Some(demo),
            })
        }
        Saved::Node(spec) => {
            let node = connect(&spec)
                .await
                .map_err(|err| explain_mismatch(err, args, &real, &spec))?;
            Ok(Session {
                paths: real,
                node,
                demo: None,
            })
        }
    }
}

/// The node to use: `--demo`, the flags, the saved active node, or LND's
/// default directory, in that order.
pub fn target(args: &ConnectArgs, paths: &Paths) -> Result<Saved, CliError> {
    if args.demo {
        return Ok(Saved::Demo);
    }
    if let Some(spec) = connection::spec_from_flags(args)? {
        return Ok(Saved::Node(spec));
    }
    if let Some(saved) = connection::spec_saved(paths)? {
        return connection::with_proxy_flag(saved, args);
    }
    connection::with_proxy_flag(Saved::Node(connection::spec_discovered()?), args)
}

/// Connect to LND (or the simulator, which speaks the same gRPC).
pub async fn connect(spec: &ConnectSpec) -> Result<SharedNode, CliError> {
    let lnd = connection::connect_reporting(spec).await?;
    Ok(Arc::new(lnd))
}

/// A certificate mismatch, said with where the trusted certificate came
/// from (a file the user named, a link, the saved node), since the fix
/// differs.
fn explain_mismatch(
    err: CliError,
    args: &ConnectArgs,
    paths: &Paths,
    spec: &ConnectSpec,
) -> CliError {
    match err {
        CliError::Node(NodeError::CertificateMismatch) => CliError::CertMismatch {
            address: spec.address(),
            trusted: trusted(args, paths, spec),
        },
        other => other,
    }
}

/// Where the certificate pinned for `spec` came from.
fn trusted(args: &ConnectArgs, paths: &Paths, spec: &ConnectSpec) -> Trusted {
    if spec.cert == CertSource::SystemRoots {
        return Trusted::SystemRoots;
    }
    if args.lndconnect.is_some() || args.lndconnect_file.is_some() {
        return Trusted::Link;
    }
    if let Some(path) = &args.tlscertpath {
        return Trusted::File(path.clone());
    }
    let lnd_cert =
        |dir: Option<std::path::PathBuf>| Trusted::File(dir.unwrap_or_default().join("tls.cert"));
    if args.is_explicit() {
        return lnd_cert(args.lnddir.clone().or_else(lnd::default_lnd_dir));
    }
    let saved = Settings::load(paths)
        .ok()
        .and_then(|s| s.value.active().cloned());
    match saved.map(|node| node.kind) {
        Some(SavedNodeKind::Files { cert_path, .. }) => Trusted::File(cert_path),
        Some(_) => Trusted::Saved,
        None => lnd_cert(lnd::default_lnd_dir()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(cert: CertSource) -> ConnectSpec {
        ConnectSpec {
            host: "h".into(),
            port: 1,
            cert,
            macaroon: lnd::Macaroon::new(vec![1]),
            proxy: None,
        }
    }

    #[test]
    fn a_mismatch_names_the_file_the_user_gave() {
        let paths = Paths::at("/nonexistent/profile");
        let args = ConnectArgs {
            tlscertpath: Some("/certs/other.cert".into()),
            ..ConnectArgs::default()
        };
        let pinned = spec(CertSource::Pem(b"pem".to_vec()));
        let err = explain_mismatch(
            NodeError::CertificateMismatch.into(),
            &args,
            &paths,
            &pinned,
        );
        let text = err.to_string();
        assert!(
            text.contains("h:1") && text.contains("/certs/other.cert"),
            "{text}"
        );
        let step = err.next_step().unwrap();
        assert!(
            step.contains("not this node's current certificate"),
            "{step}"
        );
        assert!(!step.contains("trust it again"), "{step}");
        assert_eq!(err.kind().code(), 3);
        let link = ConnectArgs {
            lndconnect: Some("lndconnect://h:1".into()),
            ..ConnectArgs::default()
        };
        let err = explain_mismatch(
            NodeError::CertificateMismatch.into(),
            &link,
            &paths,
            &pinned,
        );
        assert!(err.to_string().contains("lndconnect link"), "{err}");
        let roots = explain_mismatch(
            NodeError::CertificateMismatch.into(),
            &link,
            &paths,
            &spec(CertSource::SystemRoots),
        );
        assert!(roots.next_step().unwrap().contains("cert="), "{roots}");
        let other = explain_mismatch(NodeError::Timeout.into(), &args, &paths, &pinned);
        assert!(matches!(other, CliError::Node(NodeError::Timeout)));
    }
}
