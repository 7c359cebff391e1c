//! Running the built `satchel` binary with its own profile folder.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The result of one run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panic with both streams unless the exit code is `code`.
    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout:\n{}\n--- stderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Panic, showing stdout, unless it contains `needle`.
    pub fn assert_stdout_has(&self, needle: &str) {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout
        );
    }

    /// Panic, showing stderr, unless it contains `needle`.
    pub fn assert_stderr_has(&self, needle: &str) {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
    }

    /// Parse stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout))
    }
}

/// `satchel <args>` with `SATCHEL_HOME=home` and stdin from /dev/null.
pub fn satchel(home: &Path, args: &[&str]) -> Run {
    let output = command(home)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("satchel runs");
    run_of(output)
}

/// The command, ready for more arguments.
pub fn command(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_satchel"));
    let _ = command
        .env("SATCHEL_HOME", home)
        .env("RUST_LOG", "off")
        .env_remove("LNDCONNECT");
    // A developer's own connection settings must not steer the tests.
    for name in [
        "SATCHEL_RPCSERVER",
        "SATCHEL_TLSCERTPATH",
        "SATCHEL_MACAROONPATH",
        "SATCHEL_LNDDIR",
        "SATCHEL_NETWORK",
        "SATCHEL_SOCKSPROXY",
    ] {
        let _ = command.env_remove(name);
    }
    command
}

fn run_of(output: Output) -> Run {
    Run {
        code: output.status.code().expect("exited normally"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `satchel --demo inbox --follow --json --limit N` running in the
/// background; its stdout lines arrive on a channel. Killed when dropped.
pub struct Follow {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Follow {
    /// Start following the demo inbox, printing the latest `limit` first.
    pub fn demo_json(home: &Path, limit: usize) -> Self {
        use std::io::{BufRead, BufReader};
        let mut child = command(home)
            .args(["--demo", "inbox", "--follow", "--json", "--limit"])
            .arg(limit.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("satchel starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        let _reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Self { child, lines }
    }

    /// The next line printed, or `None` after `timeout` or at the end.
    pub fn next_line(&self, timeout: std::time::Duration) -> Option<String> {
        self.lines.recv_timeout(timeout).ok()
    }
}

impl Drop for Follow {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
