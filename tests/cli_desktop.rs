//! Issue 18 (CLI): `send --json`, `--limit all`, shell completions and the
//! man page, through the real binary against `--demo`.

mod cli_support;

use cli_support::satchel;

#[test]
fn send_json_prints_only_the_outcome_object() {
    let home = tempfile::tempdir().unwrap();
    let run = satchel(
        home.path(),
        &[
            "--demo",
            "send",
            "Alice's node",
            "21",
            "-m",
            "hi",
            "--yes",
            "--json",
        ],
    )
    .expect_code(0);
    let json = run.json();
    assert_eq!(json["status"], "succeeded", "{json}");
    assert_eq!(json["amount_sat"], 21);
    assert_eq!(json["amount_msat"], 21_000);
    let preimage = hex::decode(json["preimage"].as_str().unwrap()).unwrap();
    use sha2::Digest;
    assert_eq!(
        hex::encode(sha2::Sha256::digest(&preimage)),
        json["payment_hash"].as_str().unwrap()
    );
    run.assert_stderr_has("Alice's node");
    let sent = satchel(home.path(), &["--demo", "sent", "--json", "--limit", "all"])
        .expect_code(0)
        .json();
    assert_eq!(sent[0]["hash"], json["payment_hash"]);
}

#[test]
fn limit_all_lists_everything() {
    let home = tempfile::tempdir().unwrap();
    let all = satchel(
        home.path(),
        &["--demo", "inbox", "--json", "--limit", "all"],
    )
    .expect_code(0)
    .json();
    let two = satchel(home.path(), &["--demo", "inbox", "--json", "--limit", "2"])
        .expect_code(0)
        .json();
    assert_eq!(two.as_array().unwrap().len(), 2);
    assert!(all.as_array().unwrap().len() > 2, "{all}");
    satchel(home.path(), &["--demo", "inbox", "--limit", "lots"])
        .expect_code(2)
        .assert_stderr_has("`all`");
}

#[test]
fn completions_and_man_page_come_from_the_binary() {
    let home = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "_satchel()"),
        ("zsh", "#compdef satchel"),
        ("fish", "complete -c satchel"),
    ] {
        let run = satchel(home.path(), &["completions", shell]).expect_code(0);
        run.assert_stdout_has(marker);
        run.assert_stdout_has("inbox");
    }
    let _ = satchel(home.path(), &["completions", "tcsh"]).expect_code(2);
    let man = satchel(home.path(), &["man"]).expect_code(0);
    man.assert_stdout_has(".TH satchel 1");
    man.assert_stdout_has("SATCHEL SEND");
    assert!(
        std::fs::read_dir(home.path()).unwrap().next().is_none(),
        "completions and man touched the profile"
    );
}

/// Issue 18 (single instance): a second launch of the window, finding the
/// profile held by a running one, asks it to come to the front over the
/// socket and exits 0 saying so; the running one hears the request.
#[cfg(unix)]
#[test]
fn a_second_window_launch_raises_the_first() {
    use satchel::desktop::instance;
    let home = tempfile::tempdir().unwrap();
    let paths = satchel::store::Paths::at(home.path());
    let launch = || {
        let output = cli_support::command(home.path())
            .env("DISPLAY", ":none") // never reached: the hand-off comes first
            .env("ICED_BACKEND", "tiny-skia")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let _lock = satchel::store::acquire(&paths).unwrap();
    let (code, _, stderr) = launch();
    assert_ne!(
        code,
        Some(0),
        "nobody to hand over to: the lock error stays"
    );
    assert!(
        stderr.contains("already running") || stderr.contains("satchel.lock"),
        "{stderr}"
    );

    let _listener = instance::listen(&instance::socket_path(&paths)).unwrap();
    let before = instance::raise_count();
    let (code, stdout, stderr) = launch();
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("already running"), "{stdout}");
    assert!(stdout.contains("brought to the front"), "{stdout}");
    assert_eq!(instance::raise_count(), before + 1);
}
