//! Issue 18 (logs): the log file in `$SATCHEL_HOME/logs` gets a line per run
//! and never a secret, even at `RUST_LOG=trace` while connecting with a
//! macaroon file and with an lndconnect URI that carries the macaroon.

mod cli_support;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use cli_support::command;

struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `satchel sim` serving on a free port, logging at trace too.
fn start_sim(home: &Path, dir: &Path) -> (Sim, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = command(home)
        .env("RUST_LOG", "trace")
        .args([
            "sim",
            "--dir",
            dir.to_str().unwrap(),
            "--listen",
            &format!("127.0.0.1:{port}"),
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
    let sim = Sim(child);
    ready
        .recv_timeout(Duration::from_secs(60))
        .expect("the simulator did not come up");
    (sim, port)
}

/// Every log file's text, concatenated.
fn logs(home: &Path) -> String {
    let dir = home.join("logs");
    let mut text = String::new();
    for entry in std::fs::read_dir(&dir).expect("a log folder").flatten() {
        text.push_str(&std::fs::read_to_string(entry.path()).unwrap());
    }
    text
}

#[test]
fn connecting_with_a_macaroon_leaves_no_secret_in_the_log() {
    let (home, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (sim, port) = start_sim(home.path(), dir.path());
    let macaroon_file = dir.path().join("data/chain/bitcoin/regtest/admin.macaroon");
    let macaroon = std::fs::read(&macaroon_file).unwrap();
    let address = format!("127.0.0.1:{port}");
    let run = |args: &[&str]| {
        let output = command(home.path())
            .env("RUST_LOG", "trace")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(&[
        "--rpcserver",
        &address,
        "--tlscertpath",
        dir.path().join("tls.cert").to_str().unwrap(),
        "--macaroonpath",
        macaroon_file.to_str().unwrap(),
        "info",
    ]);
    let spec = satchel::lnd::ConnectSpec::from_files(
        &address,
        dir.path().join("tls.cert"),
        &macaroon_file,
    )
    .unwrap();
    let cert = URL_SAFE_NO_PAD.encode(spec.cert.der().unwrap().unwrap());
    let uri = format!(
        "lndconnect://{address}?cert={cert}&macaroon={}",
        URL_SAFE_NO_PAD.encode(&macaroon)
    );
    run(&["--lndconnect", &uri, "inbox", "--limit", "1"]);
    drop(sim);
    let text = logs(home.path());
    assert!(text.contains("started: info"), "a line per run: {text}");
    assert!(text.contains("started: inbox"), "{text}");
    assert!(text.lines().count() > 10, "trace reached the file");
    for (form, secret) in [
        ("hex", hex::encode(&macaroon)),
        ("base64url", URL_SAFE_NO_PAD.encode(&macaroon)),
        ("base64", STANDARD.encode(&macaroon)),
    ] {
        // A prefix: a secret cut in two by a line break counts too.
        let head = &secret[..40];
        assert!(!text.contains(head), "the macaroon ({form}) is in the log");
    }
}
