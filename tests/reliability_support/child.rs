//! The `satchel` binary as a child process: run to completion with a time
//! limit, or start paused at a fault point (`SATCHEL_FAULT_PAUSE`) so the
//! test can SIGKILL it exactly there.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How long a child may run before the test gives up on it.
pub const CHILD_LIMIT: Duration = Duration::from_secs(60);

/// The CLI pointed at one node and one profile.
#[derive(Debug, Clone)]
pub struct Cli {
    pub home: PathBuf,
    pub lnd_dir: PathBuf,
    pub port: u16,
    /// Extra environment, e.g. `RUST_LOG=trace`.
    pub env: Vec<(String, String)>,
}

/// A finished child.
#[derive(Debug)]
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The exit code (`None` when killed by a signal).
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Both outputs, for assertion messages and secret scans.
    pub fn output(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }
}

/// A child paused at a fault point, until killed.
pub struct Paused {
    pub child: Child,
    /// What it printed on stderr up to the pause.
    pub stderr: String,
}

impl Paused {
    /// SIGKILL it (std's `kill` is SIGKILL on unix) and reap it.
    pub fn kill(mut self) -> ExitStatus {
        self.child.kill().expect("kill the paused child");
        self.child.wait().expect("reap the killed child")
    }
}

impl Cli {
    /// The CLI for profile `home` and the node in `lnd_dir` on `port`.
    pub fn new(home: &Path, lnd_dir: &Path, port: u16) -> Self {
        Self {
            home: home.to_owned(),
            lnd_dir: lnd_dir.to_owned(),
            port,
            env: Vec::new(),
        }
    }

    /// The same CLI with one more environment variable.
    pub fn with_env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// `satchel <args>` without connection flags (contacts, sim).
    pub fn bare(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_satchel"));
        let _ = command
            .args(args)
            .env("SATCHEL_HOME", &self.home)
            .env("NO_COLOR", "1")
            .env_remove("SATCHEL_FAULT_PAUSE")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null());
        for (key, value) in &self.env {
            let _ = command.env(key, value);
        }
        command
    }

    /// `satchel --lnddir D --network regtest --rpcserver 127.0.0.1:P <args>`.
    pub fn node(&self, args: &[&str]) -> Command {
        let rpcserver = format!("127.0.0.1:{}", self.port);
        let lnddir = self.lnd_dir.display().to_string();
        let mut all = vec![
            "--lnddir",
            &lnddir,
            "--network",
            "regtest",
            "--rpcserver",
            &rpcserver,
        ];
        all.extend_from_slice(args);
        self.bare(&all)
    }

    /// `send <pubkey> <sats> --message <text> --yes`.
    pub fn send(&self, pubkey: &str, sats: &str, message: &str) -> Command {
        self.node(&["send", pubkey, sats, "--message", message, "--yes"])
    }
}

/// Run `command` to completion, failing the test after [`CHILD_LIMIT`].
pub fn run(mut command: Command) -> Run {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn satchel");
    let stdout = drain(child.stdout.take().expect("stdout"));
    let stderr = drain(child.stderr.take().expect("stderr"));
    let status = wait_limited(&mut child, CHILD_LIMIT);
    Run {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

/// Start `command` with `SATCHEL_FAULT_PAUSE=point` and wait until it says
/// it is paused there. `Err` with its output when it ended without pausing.
pub fn start_paused(mut command: Command, point: &str) -> Result<Paused, Run> {
    let mut child = command
        .env("SATCHEL_FAULT_PAUSE", point)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn satchel");
    let stdout = drain(child.stdout.take().expect("stdout"));
    let (lines, seen) = mpsc::channel();
    let reader = BufReader::new(child.stderr.take().expect("stderr"));
    drop(thread::spawn(move || {
        for line in reader.lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    }));
    let wanted = satchel::fault::announcement(point);
    let mut stderr = String::new();
    let deadline = Instant::now() + CHILD_LIMIT;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match seen.recv_timeout(left) {
            Ok(line) => {
                stderr.push_str(&line);
                stderr.push('\n');
                if line == wanted {
                    return Ok(Paused { child, stderr });
                }
            }
            Err(_) => break,
        }
    }
    let _ = child.kill();
    let status = child.wait().expect("reap the child");
    stderr.extend(seen.try_iter().map(|line| line + "\n"));
    let stdout = stdout.join().expect("stdout reader");
    Err(Run {
        status,
        stdout,
        stderr,
    })
}

/// Start `command` (outputs discarded) and SIGKILL it after `after`.
/// True when it was still running (so the kill landed mid-way).
pub fn kill_after(mut command: Command, after: Duration) -> bool {
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    thread::sleep(after);
    let running = child.try_wait().expect("poll the child").is_none();
    if running {
        child.kill().expect("kill the child");
    }
    let _ = child.wait().expect("reap the child");
    running
}

/// Read a pipe to the end on its own thread.
fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Wait for `child`, killing it and failing the test after `limit`.
fn wait_limited(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("poll the child") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("satchel did not finish within {limit:?}");
        }
        thread::sleep(Duration::from_millis(20));
    }
}
