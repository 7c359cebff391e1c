//! Guarantee 4, secrets and trust: the macaroon never shows up in anything
//! Satchel prints or logs (even at `RUST_LOG=trace`) or in its profile
//! files; the profile's files are private to the user; and a node whose TLS
//! certificate changed is refused with `CertificateMismatch` and its next
//! step, never silently accepted.

mod reliability_support;

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use reliability_support::child::{self, Cli, Run};
use reliability_support::*;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use satchel::node::NodeError;

/// Every text form of `bytes` a careless log line could contain, plus
/// slices from their middles (a truncated dump is still a leak).
fn leak_forms(bytes: &[u8]) -> Vec<String> {
    let full = [
        hex::encode(bytes),
        hex::encode_upper(bytes),
        STANDARD.encode(bytes),
        STANDARD_NO_PAD.encode(bytes),
        URL_SAFE_NO_PAD.encode(bytes),
    ];
    let mut forms = full.to_vec();
    for form in &full {
        let middle = form.len() / 2;
        forms.push(form[middle - 12..middle + 12].to_owned());
    }
    forms
}

/// The first form of the secret found in `text`, if any.
fn leaked<'f>(forms: &'f [String], text: &str) -> Option<&'f str> {
    forms
        .iter()
        .find(|form| text.contains(form.as_str()))
        .map(String::as_str)
}

/// An lndconnect URI for the bench's node.
fn lndconnect_uri(bench: &Bench, macaroon: &[u8]) -> String {
    let pem = std::fs::read(bench.lnd_dir().join("tls.cert")).unwrap();
    let der = CertificateDer::from_pem_slice(&pem).expect("PEM certificate");
    format!(
        "lndconnect://127.0.0.1:{}?cert={}&macaroon={}",
        bench.port,
        URL_SAFE_NO_PAD.encode(der.as_ref()),
        URL_SAFE_NO_PAD.encode(macaroon)
    )
}

fn admin_macaroon(bench: &Bench) -> Vec<u8> {
    std::fs::read(
        bench
            .lnd_dir()
            .join("data/chain/bitcoin/regtest/admin.macaroon"),
    )
    .unwrap()
}

/// Run the commands a user runs, at `RUST_LOG=trace`, success and failure
/// paths alike.
async fn run_everything(bench: &Bench, cli: &Cli, uri: &str) -> Vec<(String, Run)> {
    let alice = bench.sim().node_id("alice").unwrap().to_hex();
    let readonly = bench
        .lnd_dir()
        .join("data/chain/bitcoin/regtest/readonly.macaroon")
        .display()
        .to_string();
    let unreachable = Cli {
        port: 1,
        ..cli.clone()
    };
    let commands = vec![
        ("info", cli.node(&["info"])),
        ("balance --json", cli.node(&["balance", "--json"])),
        ("send", cli.send(&alice, "21", "secret test")),
        ("sent --json", cli.node(&["sent", "--json"])),
        ("inbox", cli.node(&["inbox"])),
        ("contacts add", cli.bare(&["contacts", "add", "al", &alice])),
        (
            "info via lndconnect",
            cli.bare(&["--lndconnect", uri, "info"]),
        ),
        (
            "send via lndconnect",
            cli.bare(&["--lndconnect", uri, "send", "al", "5", "--yes"]),
        ),
        (
            "readonly send",
            cli.node(&["--macaroonpath", &readonly, "send", "al", "5", "--yes"]),
        ),
        ("unreachable info", unreachable.node(&["info"])),
    ];
    let mut runs = Vec::new();
    for (label, command) in commands {
        runs.push((
            label.to_owned(),
            blocking(move || child::run(command)).await,
        ));
    }
    runs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_macaroon_is_never_printed_logged_or_written_to_the_profile() {
    let bench = Bench::start(Duration::from_millis(20)).await;
    let macaroon = admin_macaroon(&bench);
    let forms = leak_forms(&macaroon);
    let uri = lndconnect_uri(&bench, &macaroon);
    let cli = bench.cli().with_env("RUST_LOG", "trace");
    let runs = run_everything(&bench, &cli, &uri).await;
    let outcomes: Vec<_> = runs
        .iter()
        .map(|(l, r)| format!("{l}: {:?}", r.code()))
        .collect();
    println!("secrets: ran {}", outcomes.join(", "));
    for (label, run) in &runs {
        let output = format!("{}{}", run.stdout, run.stderr);
        assert!(
            output.len() > 20,
            "{label} printed something: {}",
            run.output()
        );
        if let Some(form) = leaked(&forms, &output) {
            let at = output.find(form).unwrap();
            let context = &output[at.saturating_sub(200)..(at + form.len() + 50).min(output.len())];
            panic!(
                "`{label}` printed the macaroon ({} chars) here:\n{context}",
                form.len()
            );
        }
    }
    let expected = [
        ("info", Some(0)),
        ("send", Some(0)),
        ("readonly send", Some(4)),
        ("unreachable info", Some(3)),
    ];
    for (label, code) in expected {
        let run = &runs.iter().find(|(l, _)| l == label).unwrap().1;
        assert_eq!(run.code(), code, "{label}: {}", run.output());
    }
    for file in files_under(&bench.home()) {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !bytes
                .windows(macaroon.len())
                .any(|w| w == macaroon.as_slice()),
            "raw macaroon in {}",
            file.display()
        );
        assert_eq!(
            leaked(&forms, &text),
            None,
            "macaroon text in {}",
            file.display()
        );
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_profile_folder_and_its_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let bench = Bench::start(Duration::from_millis(20)).await;
    let cli = bench.cli();
    let bob = bench.sim().node_id("bob").unwrap().to_hex();
    for command in [
        cli.bare(&["contacts", "add", "bob", &bob]),
        cli.send("bob", "21", "private"),
        cli.node(&["sent"]),
        cli.node(&["inbox"]),
    ] {
        let run = blocking(move || child::run(command)).await;
        assert_eq!(run.code(), Some(0), "{}", run.output());
    }
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&bench.home()), 0o700, "the profile folder");
    let open_dirs: Vec<_> = folders_under(&bench.home())
        .into_iter()
        .filter(|d| mode(d) != 0o700)
        .map(|d| format!("{} {:o}", d.display(), mode(&d)))
        .collect();
    assert!(open_dirs.is_empty(), "folders not 0700: {open_dirs:?}");
    let files = files_under(&bench.home());
    let paths = satchel::store::Paths::at(bench.home());
    for wanted in [
        paths.contacts_file(),
        paths.index_db(&bench.sim().user_node()),
        bench.home().join("journal.db"),
    ] {
        assert!(
            files.contains(&wanted),
            "{} exists: {files:?}",
            wanted.display()
        );
    }
    let open: Vec<_> = files
        .iter()
        // Lock files hold nothing but a pid.
        .filter(|f| f.extension().is_none_or(|e| e != "lock"))
        .filter(|f| mode(f) & 0o077 != 0)
        .map(|f| format!("{} {:o}", f.display(), mode(f)))
        .collect();
    assert!(open.is_empty(), "readable by others: {open:?}");
}

/// Every folder under `dir`, recursively (the journal's `-owners` folder,
/// `quarantine`, ...).
#[cfg(unix)]
fn folders_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for path in entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
        found.extend(folders_under(&path));
        found.push(path);
    }
    found
}

/// Call `info` until the answer is not a transient network error.
async fn settled_info(node: &satchel::node::SharedNode) -> Result<(), NodeError> {
    let deadline = Instant::now() + STEP;
    loop {
        match node.info().await {
            Err(e) if e.is_transient() && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => return other.map(|_| ()),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_node_certificate_is_refused_with_its_next_step() {
    let mut bench = Bench::start(Duration::from_millis(20)).await;
    let node = bench.connect().await;
    let old_spec = bench.spec();
    let old_cert = bench.dir.path().join("old-tls.cert");
    let _ = std::fs::copy(bench.lnd_dir().join("tls.cert"), &old_cert).unwrap();
    let old_uri = lndconnect_uri(&bench, &admin_macaroon(&bench));
    bench.stop_sim().await;
    for name in ["tls.cert", "tls.key"] {
        std::fs::remove_file(bench.lnd_dir().join(name)).unwrap();
    }
    bench.restart_sim().await;
    assert_ne!(
        std::fs::read(&old_cert).unwrap(),
        std::fs::read(bench.lnd_dir().join("tls.cert")).unwrap()
    );

    assert_eq!(
        settled_info(&node).await,
        Err(NodeError::CertificateMismatch),
        "open client"
    );
    let fresh = within(satchel::lnd::connect(&old_spec)).await;
    let error = fresh.expect_err("the old pin must not connect");
    assert_eq!(error, NodeError::CertificateMismatch);
    assert!(
        error.next_step().contains("regenerated"),
        "{}",
        error.next_step()
    );

    let cli = bench.cli();
    let pinned = old_cert.display().to_string();
    for (label, command) in [
        (
            "--tlscertpath",
            cli.node(&["--tlscertpath", &pinned, "info"]),
        ),
        (
            "--lndconnect",
            cli.bare(&["--lndconnect", &old_uri, "info"]),
        ),
    ] {
        let run = blocking(move || child::run(command)).await;
        assert_eq!(run.code(), Some(3), "{label}: {}", run.output());
        assert!(
            run.stderr.contains("certificate does not match"),
            "{label}: {}",
            run.output()
        );
        assert!(
            run.stderr.contains("regenerated"),
            "{label}: next step: {}",
            run.output()
        );
    }
    assert!(
        bench.connect().await.info().await.is_ok(),
        "the new certificate itself works"
    );
}
