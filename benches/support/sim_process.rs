//! A `satchel sim` child process on a loopback port: the node the end-to-end
//! bench talks to over real TLS gRPC, in its own process so the bench's
//! memory figures are the app's alone.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use satchel::keysend::NodeId;
use satchel::lnd::{ConnectSpec, connect};
use satchel::node::SharedNode;

/// How long seeding and start-up may take before the bench gives up.
const START_DEADLINE: Duration = Duration::from_secs(600);

/// The running simulator; killed when dropped.
pub struct SimProcess {
    child: Child,
    dir: PathBuf,
    /// `127.0.0.1:<port>`.
    pub address: String,
    /// The other nodes, as `(name, id, accepts keysend)`.
    pub nodes: Vec<(String, NodeId, bool)>,
    /// From spawn to the simulator printing its banner (seeding included).
    pub startup: Duration,
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

impl SimProcess {
    /// Start `satchel sim` in `dir` with `entries` seeded keysends, each with a
    /// ~100-byte message and a Whatsat-signed sender (`--seed-all-signed`,
    /// the history of issue #5), and wait until it lists its nodes.
    pub fn start(binary: &Path, dir: &Path, entries: usize) -> Self {
        let address = format!("127.0.0.1:{}", free_port());
        let started = Instant::now();
        let mut child = Command::new(binary)
            .args(["sim", "--dir"])
            .arg(dir)
            .args(["--listen", &address, "--seed-history", &entries.to_string()])
            .arg("--seed-all-signed")
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start `satchel sim`");
        let stdout = child.stdout.take().expect("piped stdout");
        let nodes = read_banner(stdout);
        assert!(!nodes.is_empty(), "`satchel sim` printed no nodes");
        assert!(
            started.elapsed() < START_DEADLINE,
            "the simulator took too long"
        );
        Self {
            child,
            dir: dir.to_owned(),
            address,
            nodes,
            startup: started.elapsed(),
        }
    }

    /// The id of the first node that accepts keysend and is public.
    pub fn keysend_peer(&self) -> NodeId {
        self.nodes
            .iter()
            .find(|(_, _, accepts)| *accepts)
            .map(|(_, id, _)| *id)
            .expect("a node that accepts keysend")
    }

    /// How to reach the simulated node with its admin macaroon.
    pub fn spec(&self) -> ConnectSpec {
        let cert = self.dir.join("tls.cert");
        let macaroon = self.dir.join("data/chain/bitcoin/regtest/admin.macaroon");
        ConnectSpec::from_files(&self.address, &cert, &macaroon).expect("sim connection files")
    }

    /// Connect the real LND adapter to the simulator (retrying briefly).
    pub async fn connect(&self) -> SharedNode {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match connect(&self.spec()).await {
                Ok(lnd) => return Arc::new(lnd),
                Err(error) if Instant::now() > deadline => panic!("cannot connect: {error}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }
}

/// Read the banner up to "Press Ctrl-C", collecting the node list lines
/// (`  <name> <66 hex id> <alias>[ (no keysend)| (private)]`).
fn read_banner(stdout: ChildStdout) -> Vec<(String, NodeId, bool)> {
    let mut nodes = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read the simulator's output");
        if line.starts_with("Press Ctrl-C") {
            break;
        }
        let mut words = line.split_whitespace();
        let (Some(name), Some(id)) = (words.next(), words.next()) else {
            continue;
        };
        if let Ok(id) = id.parse::<NodeId>() {
            let usable = !line.contains("(no keysend)") && !line.contains("(private)");
            nodes.push((name.to_owned(), id, usable));
        }
    }
    nodes
}
