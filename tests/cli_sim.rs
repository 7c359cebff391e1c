//! `satchel sim` in a child process, and the CLI reaching it the way it
//! reaches a real lnd: lncli-style flags, TLS, macaroons.

mod cli_support;
mod socks_support;

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
    /// What it printed up to "Press Ctrl-C".
    banner: Vec<String>,
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
    start_seeded(home, dir, 5)
}

/// [`start_sim`] with `history` received keysends.
fn start_seeded(home: &Path, dir: &Path, history: usize) -> SimProcess {
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
            &history.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("satchel sim starts");
    let stdout = child.stdout.take().unwrap();
    let (ready_tx, ready) = mpsc::channel();
    let _reader = std::thread::spawn(move || {
        let mut banner = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("Press Ctrl-C") {
                let _ = ready_tx.send(std::mem::take(&mut banner));
            }
            banner.push(line);
        }
    });
    let banner = ready
        .recv_timeout(Duration::from_secs(60))
        .expect("the simulator did not come up");
    SimProcess {
        child,
        port,
        banner,
    }
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

/// The banner names the node by its alias and prints the exact client
/// command for its port (never 10009 here), which works as printed.
/// `inbox --json --limit all` lists the whole history in pages (1,000 at
/// a time, each page's senders checked on every core): every keysend once,
/// newest first, each signed one verified, the same on a second run.
#[test]
fn a_complete_listing_spans_pages_once_each_and_verifies_every_sender() {
    let (home, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let sim = start_seeded(home.path(), dir.path(), 2_345);
    let flags = flags(dir.path(), sim.port);
    let list = || {
        run_with(home.path(), &flags, &["inbox", "--json", "--limit", "all"])
            .expect_code(0)
            .json()
    };
    let first = list();
    let rows = first.as_array().unwrap();
    assert_eq!(rows.len(), 2_345);
    let hashes: std::collections::HashSet<&str> =
        rows.iter().map(|r| r["hash"].as_str().unwrap()).collect();
    assert_eq!(hashes.len(), 2_345, "each keysend once");
    let settled: Vec<i64> = rows
        .iter()
        .map(|r| r["settled_at"].as_i64().unwrap())
        .collect();
    assert!(settled.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let verified = rows
        .iter()
        .filter(|r| r["sender"]["status"] == "verified")
        .count();
    // The seeded mix signs 4 keysends in 10.
    assert_eq!(verified, 940, "every signed sender verified");
    assert_eq!(list(), first, "the same listing from the cached checks");
}

#[test]
fn the_sim_banner_prints_a_command_that_works() {
    let (home, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let sim = start_sim(home.path(), dir.path());
    assert!(
        sim.banner[0].starts_with("Satchel simulator: node \"Satchel demo\""),
        "{:?}",
        sim.banner
    );
    let line = sim
        .banner
        .iter()
        .find(|l| l.trim_start().starts_with("satchel "))
        .expect("a satchel command in the banner");
    assert!(
        line.contains(&format!("--rpcserver 127.0.0.1:{}", sim.port)),
        "{line}"
    );
    let mut args: Vec<&str> = line.split_whitespace().skip(1).collect();
    args.push("--json");
    let info = satchel(home.path(), &args).expect_code(0).json();
    assert_eq!(info["alias"], "Satchel demo");
}

/// `--socksproxy` and `SATCHEL_SOCKSPROXY` (with the other `SATCHEL_*`
/// variables) reach the node through a real SOCKS5 proxy, by a name only
/// the proxy can resolve; the user is told how the connection goes.
#[test]
fn the_cli_connects_through_a_socks_proxy_from_a_flag_or_the_environment() {
    let (home, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let sim = start_sim(home.path(), dir.path());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let name = "lnd.satchel.invalid";
    let sim_address = format!("127.0.0.1:{}", sim.port).parse().unwrap();
    let proxy = runtime.block_on(socks_support::Proxy::start(
        [(name.to_owned(), sim_address)].into(),
    ));
    let (lnddir, node, socks) = (
        dir.path().to_str().unwrap(),
        format!("{name}:10009"),
        proxy.address.to_string(),
    );
    let by_flag = satchel(
        home.path(),
        &[
            "--lnddir",
            lnddir,
            "--network",
            "regtest",
            "--rpcserver",
            &node,
            "--socksproxy",
            &socks,
            "info",
            "--json",
        ],
    )
    .expect_code(0);
    assert_eq!(by_flag.json()["alias"], "Satchel demo");
    by_flag.assert_stderr_has(&format!(
        "connecting to {node} through the SOCKS proxy {socks}"
    ));
    let output = command(home.path())
        .args(["info", "--json"])
        .env("SATCHEL_LNDDIR", lnddir)
        .env("SATCHEL_NETWORK", "regtest")
        .env("SATCHEL_RPCSERVER", &node)
        .env("SATCHEL_SOCKSPROXY", &socks)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("\"alias\": \"Satchel demo\""), "{stdout}");
    assert_eq!(
        proxy.asked(),
        [format!("name {node}"), format!("name {node}")],
        "both runs sent the name to the proxy unresolved"
    );
}

/// lncli adds a `time-before` caveat to every call; the sim honours it and
/// `ipaddr`, as lnd does.
#[test]
fn macaroons_with_lncli_caveats_are_accepted() {
    let (home, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let sim = start_sim(home.path(), dir.path());
    let admin =
        std::fs::read(dir.path().join("data/chain/bitcoin/regtest/admin.macaroon")).unwrap();
    let later = "time-before 2999-01-01T00:00:00.123456789Z";
    let write = |name: &str, caveats: &[&str]| {
        let mut bytes = admin.clone();
        for caveat in caveats {
            bytes = satchel::sim::add_first_party_caveat(&bytes, caveat).unwrap();
        }
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let mut flags = flags(dir.path(), sim.port);
    let lncli = write("lncli.macaroon", &[later, "ipaddr 127.0.0.1"]);
    flags.extend(["--macaroonpath".to_owned(), lncli]);
    let _ = run_with(home.path(), &flags, &["info"]).expect_code(0);
    let expired = write("expired.macaroon", &["time-before 2001-01-01T00:00:00Z"]);
    *flags.last_mut().unwrap() = expired;
    let refused = run_with(home.path(), &flags, &["info"]).expect_code(3);
    refused.assert_stderr_has("rejected the macaroon");
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
    let info = run_with(home.path(), &ro_flags, &["info"]).expect_code(0);
    info.assert_stdout_has("does not allow sending tips, signing");
    info.assert_stdout_has("lncli bakemacaroon info:read");
    let json = run_with(home.path(), &ro_flags, &["info", "--json"])
        .expect_code(0)
        .json();
    assert_eq!(
        json["missing_permissions"],
        serde_json::json!(["offchain:write", "signer:generate"])
    );
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

/// `satchel <args>` with `input` on its standard input; must exit 0.
fn with_stdin(home: &Path, args: &[&str], input: &str) -> cli_support::Run {
    use std::io::Write as _;
    let mut child = command(home)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("satchel runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{input}\n").as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let run = cli_support::Run {
        code: output.status.code().expect("exited normally"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    run.expect_code(0)
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
    let on_argv = satchel(home.path(), &["--lndconnect", &uri, "info", "--json"]).expect_code(0);
    assert_eq!(on_argv.json()["alias"], "Satchel demo");
    on_argv.assert_stderr_has("--lndconnect -");
    let on_stdin = with_stdin(home.path(), &["--lndconnect", "-", "info", "--json"], &uri);
    assert_eq!(on_stdin.json()["alias"], "Satchel demo");
    assert!(!on_stdin.stderr.contains("warning"), "{}", on_stdin.stderr);
    let file = dir.path().join("link.txt");
    std::fs::write(&file, format!("{uri}\n")).unwrap();
    let from_file = satchel(
        home.path(),
        &[
            "--lndconnect-file",
            file.to_str().unwrap(),
            "info",
            "--json",
        ],
    )
    .expect_code(0);
    assert_eq!(from_file.json()["alias"], "Satchel demo");
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
