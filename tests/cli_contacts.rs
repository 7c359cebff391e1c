//! `satchel contacts`: add, list, remove, export and import round trips in
//! JSON and CSV, and the exit codes of bad input and unreadable files.

mod cli_support;

use cli_support::satchel;

const ALICE: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
const BOB: &str = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";

fn listed(home: &std::path::Path) -> Vec<(String, String, String)> {
    let json = satchel(home, &["contacts", "list", "--json"])
        .expect_code(0)
        .json();
    json.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let field = |name: &str| c[name].as_str().unwrap().to_owned();
            (field("name"), field("pubkey"), field("note"))
        })
        .collect()
}

#[test]
fn add_list_export_import_round_trip() {
    let home = tempfile::tempdir().unwrap();
    let _ = satchel(
        home.path(),
        &[
            "contacts",
            "add",
            "Alice",
            ALICE,
            "--note",
            "met at the meetup",
        ],
    )
    .expect_code(0);
    let _ = satchel(home.path(), &["contacts", "add", "Bob", BOB]).expect_code(0);
    let expected = vec![
        (
            "Alice".to_owned(),
            ALICE.to_owned(),
            "met at the meetup".to_owned(),
        ),
        ("Bob".to_owned(), BOB.to_owned(), String::new()),
    ];
    assert_eq!(listed(home.path()), expected);
    let text = satchel(home.path(), &["contacts", "list"])
        .expect_code(0)
        .stdout;
    assert!(
        text.contains(ALICE) && text.contains("met at the meetup"),
        "{text}"
    );

    let files = tempfile::tempdir().unwrap();
    for name in ["book.json", "book.csv"] {
        let file = files.path().join(name);
        let file = file.to_str().unwrap();
        let out = satchel(home.path(), &["contacts", "export", file]).expect_code(0);
        out.assert_stdout_has("Exported 2 contact(s)");
        let other = tempfile::tempdir().unwrap();
        let out = satchel(other.path(), &["contacts", "import", file]).expect_code(0);
        assert!(
            out.stdout
                .contains("Imported 2 contact(s); 0 already known, 0 invalid."),
            "{}",
            out.stdout
        );
        assert_eq!(listed(other.path()), expected, "{name}");
        let again = satchel(other.path(), &["contacts", "import", file]).expect_code(0);
        assert!(
            again
                .stdout
                .contains("Imported 0 contact(s); 2 already known"),
            "{}",
            again.stdout
        );
    }

    let _ = satchel(home.path(), &["contacts", "remove", "alice"]).expect_code(0);
    let _ = satchel(home.path(), &["contacts", "remove", BOB]).expect_code(0);
    assert!(listed(home.path()).is_empty());
}

#[test]
fn bad_input_and_files_have_their_exit_codes() {
    let home = tempfile::tempdir().unwrap();
    let bad = satchel(home.path(), &["contacts", "add", "X", &ALICE[..60]]).expect_code(2);
    bad.assert_stderr_has("66 hex characters; this has 60");
    let _ = satchel(home.path(), &["contacts", "add", "Alice", ALICE]).expect_code(0);
    let duplicate = satchel(home.path(), &["contacts", "add", "Again", ALICE]).expect_code(2);
    assert!(
        duplicate
            .stderr
            .contains("already in your contacts as \"Alice\""),
        "{}",
        duplicate.stderr
    );
    let unknown = satchel(home.path(), &["contacts", "remove", "nobody"]).expect_code(2);
    unknown.assert_stderr_has("no contact named \"nobody\"");
    let txt = satchel(home.path(), &["contacts", "export", "book.txt"]).expect_code(2);
    txt.assert_stderr_has(".json or .csv");
    let missing = home.path().join("missing.csv");
    let _ = satchel(
        home.path(),
        &["contacts", "import", missing.to_str().unwrap()],
    )
    .expect_code(6);
    let garbage = home.path().join("garbage.json");
    std::fs::write(&garbage, "not json").unwrap();
    let refused = satchel(
        home.path(),
        &["contacts", "import", garbage.to_str().unwrap()],
    )
    .expect_code(2);
    refused.assert_stderr_has("not a contacts JSON file");
}

#[test]
fn the_demo_profile_has_demo_contacts_and_the_real_one_does_not() {
    let home = tempfile::tempdir().unwrap();
    let demo = satchel(home.path(), &["--demo", "contacts", "list", "--json"])
        .expect_code(0)
        .json();
    let names: Vec<&str> = demo
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = satchel::sim::demo_contacts()
        .into_iter()
        .map(|(name, ..)| name)
        .collect();
    assert_eq!(names, expected);
    assert!(listed(home.path()).is_empty());
}

/// The words of one README command line (double quotes group words).
fn words(line: &str) -> Vec<String> {
    let line = line.split(" # ").next().unwrap_or(line);
    let mut words = Vec::new();
    let mut quoted = false;
    let mut word = String::new();
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    words.extend((!word.is_empty()).then_some(word));
    words
}

#[test]
fn the_readme_contacts_examples_leave_the_real_profile_alone() {
    let readme = include_str!("../README.md");
    // Shell variables the README sets (`KATE=03d4...`), expanded as sh would.
    let variables: Vec<(String, String)> = readme
        .lines()
        .filter_map(|line| line.split_once('='))
        .filter(|(name, value)| {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                && !value.contains(' ')
        })
        .map(|(name, value)| (format!("${name}"), value.to_owned()))
        .collect();
    let expand = |mut line: String| {
        for (name, value) in &variables {
            line = line.replace(name.as_str(), value);
        }
        line
    };
    let examples: Vec<Vec<String>> = readme
        .lines()
        .filter(|line| line.starts_with("satchel ") && line.contains(" contacts "))
        .map(|line| expand(line.to_owned()))
        .map(|line| words(&line))
        // A contact added by Lightning Address asks its provider over the
        // network (the `payto` tests cover that against a local server).
        .filter(|words| !words.iter().any(|w| w.contains('@')))
        .collect();
    assert!(examples.len() >= 2, "the README shows contacts examples");
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    for example in &examples {
        let output = cli_support::command(home.path())
            .args(&example[1..])
            .current_dir(work.path())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(output.status.success(), "{example:?} failed: {output:?}");
    }
    assert!(
        !home.path().join("contacts.json").exists(),
        "a README example wrote the real profile's contacts"
    );
    assert!(work.path().join("contacts.csv").exists());
}
