//! `satchel sim` in a child process, and the CLI reaching it the way it
//! reaches a real lnd: lncli-style flags, TLS, macaroons.

mod cli_support;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use cli_support::{command, satchel};

/// A `satchel sim` child, killed when dropped.
struct SimProcess {
    child: Child,
    port: u16,
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Start the simulator in `dir` and wait until it says it is serving.
fn start_sim(home: &Path, dir: &Path) -> SimProcess {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut child = command(home)
        .args([
            "sim",
            "--dir",
            dir.to_str().unwrap(),
            "--listen",
            &listen,
            "--seed-history",
            "5",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("satchel sim starts");
    let stdout = child.stdout.take().unwrap();
    let (ready_tx, ready) = mpsc::channel();
    let _reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("Press Ctrl-C") {
                let _ = ready_tx.send(());
            }
        }
    });
    let process = SimProcess { child, port };
    ready
        .recv_timeout(Duration::from_secs(60))
        .expect("the simulator did not come up");
    process
}

fn flags(dir: &Path, port: u16) -> Vec<String> {
    let dir = dir.to_str().unwrap().to_owned();
    [
        "--lnddir",
        &dir,
        "--network",
        "regtest",
        "--rpcserver",
        &format!("127.0.0.1:{port}"),
    ]
    .map(str::to_owned)
    .to_vec()
}

fn run_with(home: &Path, flags: &[String], rest: &[&str]) -> cli_support::Run {
    let mut args: Vec<&str> = flags.iter().map(String::as_str).collect();
    args.extend_from_slice(rest);
    satchel(home, &args)
}

#[test]
fn the_cli_talks_to_a_served_simulator_like_to_lnd() {
    let (home, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let sim = start_sim(home.path(), dir.path());
    let flags = flags(dir.path(), sim.port);
    let info = run_with(home.path(), &flags, &["info", "--json"])
        .expect_code(0)
        .json();
    assert_eq!(info["alias"], "Satchel demo");
    assert_eq!(info["network"], "regtest");
    let balance = run_with(home.path(), &flags, &["balance", "--json"])
        .expect_code(0)
        .json();
    assert!(balance["local_sat"].as_u64().unwrap() > 0, "{balance}");
    let inbox = run_with(home.path(), &flags, &["inbox", "--json"])
        .expect_code(0)
        .json();
    assert_eq!(
        inbox.as_array().unwrap().len(),
        5,
        "seeded history: {inbox}"
    );
    let (_, alice, _) = satchel::sim::demo_contacts()
        .into_iter()
        .find(|(name, ..)| name.starts_with("Alice"))
        .unwrap();
    let sent = run_with(
        home.path(),
        &flags,
        &["send", &alice.to_hex(), "5", "-m", "over gRPC", "--yes"],
    );
    assert!(
        sent.expect_code(0)
            .stdout
            .contains("Payment succeeded: 5 sat sent")
    );
    assert!(
        satchel::store::Paths::at(home.path()).journal_db().exists(),
        "the real profile holds the journal"
    );
}

#[test]
fn connection_failures_exit_3_and_permissions_exit_4() {
    let (home, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let sim = start_sim(home.path(), dir.path());
    let flags = flags(dir.path(), sim.port);
    let missing = run_with(
        home.path(),
        &flags[..4],
        &["--macaroonpath", "/nonexistent/admin.macaroon", "info"],
    );
    assert!(
        missing
            .expect_code(3)
            .stderr
            .contains("/nonexistent/admin.macaroon")
    );
    let closed = run_with(
        home.path(),
        &flags[..4],
        &["--rpcserver", &format!("127.0.0.1:{}", free_port()), "info"],
    );
    let closed = closed.expect_code(3);
    closed.assert_stderr_has("cannot reach the node");
    closed.assert_stderr_has("next:");
    let readonly = dir
        .path()
        .join("data/chain/bitcoin/regtest/readonly.macaroon");
    let mut ro_flags = flags.clone();
    ro_flags.extend([
        "--macaroonpath".to_owned(),
        readonly.to_str().unwrap().to_owned(),
    ]);
    let _ = run_with(home.path(), &ro_flags, &["info"]).expect_code(0);
    let (_, alice, _) = satchel::sim::demo_contacts().into_iter().next().unwrap();
    let denied = run_with(
        home.path(),
        &ro_flags,
        &["send", &alice.to_hex(), "5", "--yes"],
    )
    .expect_code(4);
    denied.assert_stderr_has("permission");
    assert!(
        !denied
            .stderr
            .contains(&hex_of(&std::fs::read(&readonly).unwrap())),
        "macaroon printed"
    );
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn an_lndconnect_uri_reaches_the_node() {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (home, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let sim = start_sim(home.path(), dir.path());
    let macaroon = dir.path().join("data/chain/bitcoin/regtest/admin.macaroon");
    let address = format!("127.0.0.1:{}", sim.port);
    let spec =
        satchel::lnd::ConnectSpec::from_files(&address, dir.path().join("tls.cert"), &macaroon)
            .unwrap();
    let cert = URL_SAFE_NO_PAD.encode(spec.cert.der().unwrap().unwrap());
    let mac = URL_SAFE_NO_PAD.encode(spec.macaroon.as_bytes());
    let uri = format!("lndconnect://{address}?cert={cert}&macaroon={mac}");
    let info = satchel(home.path(), &["--lndconnect", &uri, "info", "--json"])
        .expect_code(0)
        .json();
    assert_eq!(info["alias"], "Satchel demo");
    let bad = satchel(
        home.path(),
        &["--lndconnect", "lndconnect://127.0.0.1:1", "info"],
    )
    .expect_code(2);
    bad.assert_stderr_has("no macaroon");
}

/// A `--tlscertpath` that is not the node's certificate: said as such, with
/// what to do from the command line (there is nothing to "trust again").
#[test]
fn a_certificate_file_of_another_node_is_named() {
    let (home, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let sim = start_sim(home.path(), dir.path());
    let other = dir.path().join("other.cert");
    let pem = rcgen::generate_simple_self_signed(vec!["localhost".into()])
        .unwrap()
        .cert
        .pem();
    std::fs::write(&other, pem).unwrap();
    let mut flags = flags(dir.path(), sim.port);
    flags.extend([
        "--tlscertpath".to_owned(),
        other.to_str().unwrap().to_owned(),
    ]);
    let run = run_with(home.path(), &flags, &["info"]).expect_code(3);
    run.assert_stderr_has(&format!(
        "the node's TLS certificate does not match the one in {} (the node at",
        other.display()
    ));
    run.assert_stderr_has("That file is not this node's current certificate");
    run.assert_stderr_has("--tlscertpath");
    assert!(!run.stderr.contains("trust it again"), "{}", run.stderr);
}
