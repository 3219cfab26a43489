//! The command-line contract (SPEC §3), through the real binary: exit
//! statuses, `--explain`/`--list-rules`, rule selection, the settings file
//! and its precedence, package order, inference, `--target` and the JSON
//! document's shape.

mod common;

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use common::{derived_zip, fixture, root};

/// A finished run of the binary.
struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        Run {
            status: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
        }
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", self.stdout, self.stderr))
    }
}

/// Runs the binary in `dir` (the settings file is looked up from there).
fn run_in(dir: &Path, args: &[&str]) -> Run {
    Run::from(common::run_in(dir, args))
}

/// Runs the binary from the crate root, like `common::run`.
fn run(args: &[&str]) -> Run {
    run_in(&root(), args)
}

fn package(name: &str) -> String {
    format!("fixtures/packages/{name}")
}

/// The codes of every package in a JSON document, in output order.
fn all_codes(document: &Value) -> Vec<String> {
    document["packages"]
        .as_array()
        .expect("packages array")
        .iter()
        .flat_map(|p| p["diagnostics"].as_array().expect("diagnostics array"))
        .map(|d| d["code"].as_str().expect("code").to_string())
        .collect()
}

/// The sorted, deduplicated codes of a `--format json` run.
fn codes_of(run: &Run) -> Vec<String> {
    let mut codes = all_codes(&run.json());
    codes.sort();
    codes.dedup();
    codes
}

fn package_paths(document: &Value) -> Vec<String> {
    document["packages"]
        .as_array()
        .expect("packages array")
        .iter()
        .map(|p| p["path"].as_str().expect("path").to_string())
        .collect()
}

/// Every rule code, from the docs in `rules/` (one per rule).
fn documented_codes() -> BTreeSet<String> {
    std::fs::read_dir(root().join("rules"))
        .expect("rules/")
        .map(|entry| entry.expect("a rules/ entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// The text of one entry of a fixture package.
fn entry_text(from: &str, name: &str) -> String {
    let file = std::fs::File::open(fixture(&format!("packages/{from}"))).expect("fixture zip");
    let mut archive = zip::ZipArchive::new(file).expect("a readable fixture zip");
    let mut text = String::new();
    archive
        .by_name(name)
        .expect("the entry")
        .read_to_string(&mut text)
        .expect("UTF-8 entry");
    text
}

/// A temporary folder with files at relative paths (folders created).
fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, data) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, data).unwrap();
    }
    dir
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(&format!("packages/{name}"))).expect("fixture package")
}

// ---- exit status ----------------------------------------------------------

#[test]
fn a_clean_package_exits_0() {
    let run = run(&[&package("pulse.zip")]);
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .ends_with("0 errors, 0 warnings, 0 notes in 1 package\n"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn an_error_finding_exits_1() {
    let run = run(&[&package("pulse-misnamed.zip")]);
    assert_eq!(run.status, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("S001(missing-export)"),
        "{}",
        run.stdout
    );
    // A warning alone is not an error.
    assert_eq!(run_status(&[&package("pulse-instance.zip")]), 0);
}

#[test]
fn a_corrupt_package_is_a_finding_not_a_failure() {
    let dir = tree(&[
        ("garbage.zip", b"PK\x03\x04 not really a zip"),
        ("Garbage.so", &[0x5a; 4096]),
    ]);
    for name in ["garbage.zip", "Garbage.so"] {
        let run = run_in(dir.path(), &["--format", "json", name]);
        assert_eq!(run.status, 1, "{name}: {}{}", run.stdout, run.stderr);
        let expected = if name.ends_with(".zip") {
            "A001"
        } else {
            "E001"
        };
        assert_eq!(codes_of(&run), [expected], "{name}");
    }
}

fn run_status(args: &[&str]) -> i32 {
    run(args).status
}

#[test]
fn the_tool_that_cannot_run_exits_2() {
    let pulse = package("pulse.zip");
    let empty = tempfile::tempdir().unwrap();
    let no_zips = tree(&[("notes.txt", b"hello"), ("lib/Pulse.so", b"\x7fELF")]);
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("no path", vec![]),
        (
            "a path that does not exist",
            vec!["fixtures/packages/nope.zip"],
        ),
        (
            "a missing path among good ones",
            vec![&pulse, "fixtures/packages/nope.zip"],
        ),
        ("an unknown flag", vec!["--bogus", &pulse]),
        ("an unknown --target", vec!["--target", "9.9", &pulse]),
        (
            "a --target that is no version",
            vec!["--target", "latest", &pulse],
        ),
        (
            "a --select that selects nothing",
            vec!["--select", "X9", &pulse],
        ),
        (
            "an --ignore that selects nothing",
            vec!["--ignore", "no-such-rule", &pulse],
        ),
        ("an unknown --kind", vec!["--kind", "widget", &pulse]),
        ("an unknown --format", vec!["--format", "xml", &pulse]),
        ("an unknown --explain", vec!["--explain", "Z999"]),
        (
            "a --config that does not exist",
            vec!["--config", "nope.toml", &pulse],
        ),
        ("an empty folder", vec![empty.path().to_str().unwrap()]),
        (
            "a folder with no zips",
            vec![no_zips.path().to_str().unwrap()],
        ),
    ];
    for (what, args) in cases {
        let run = run(&args);
        assert_eq!(
            run.status, 2,
            "{what}: {args:?}\n{}{}",
            run.stdout, run.stderr
        );
        assert_eq!(run.stdout, "", "{what}: nothing is reported");
        assert!(!run.stderr.trim().is_empty(), "{what}: says why");
    }
}

#[test]
fn errors_name_what_is_wrong() {
    let run = run(&["fixtures/packages/nope.zip"]);
    assert!(
        run.stderr.contains("fixtures/packages/nope.zip"),
        "{}",
        run.stderr
    );
    let run = run_in(&root(), &["--target", "9.9", &package("pulse.zip")]);
    assert!(run.stderr.contains("9.9"), "{}", run.stderr);
    let run = run_in(&root(), &["--select", "X9", &package("pulse.zip")]);
    assert!(run.stderr.contains("X9"), "{}", run.stderr);
}

#[test]
fn a_broken_settings_file_exits_2() {
    let zip = fixture_bytes("pulse.zip");
    for (what, text) in [
        ("bad TOML", "select = [\"S\"\n"),
        ("a wrong type", "select = \"S\"\n"),
        ("an unknown severity", "[severity]\nS003 = \"loud\"\n"),
        ("an unknown code", "[severity]\nZ999 = \"off\"\n"),
        ("a selector that selects nothing", "ignore = [\"Q\"]\n"),
        ("an unknown target", "target = \"9.9\"\n"),
        ("an unknown image", "image = \"windows\"\n"),
    ] {
        let dir = tree(&[("ekplugin-lint.toml", text.as_bytes()), ("p.zip", &zip)]);
        let run = run_in(dir.path(), &["p.zip"]);
        assert_eq!(run.status, 2, "{what}: {}{}", run.stdout, run.stderr);
        assert_eq!(run.stdout, "", "{what}");
    }
}

#[test]
fn unknown_settings_keys_are_placed_by_line_and_column() {
    let zip = fixture_bytes("pulse.zip");
    for (text, place, key) in [
        ("target = \"2.4.0\"\n  tagret = 1\n", ":2:3", "tagret"),
        (
            "[limits]\nmax-entries = 5\nmax-size = 1\n",
            ":3:1",
            "max-size",
        ),
        ("[severities]\nS003 = \"error\"\n", ":1:2", "severities"),
    ] {
        let dir = tree(&[("ekplugin-lint.toml", text.as_bytes()), ("p.zip", &zip)]);
        let run = run_in(dir.path(), &["p.zip"]);
        assert_eq!(run.status, 2, "{text}: {}{}", run.stdout, run.stderr);
        let expected = format!("ekplugin-lint.toml{place}");
        assert!(
            run.stderr.contains(&expected),
            "{text}: expected `{expected}` in {}",
            run.stderr
        );
        assert!(run.stderr.contains(key), "{text}: {}", run.stderr);
    }
}

// ---- --explain and --list-rules -------------------------------------------

/// `--explain` prints a title and severity line from the registry, then
/// the rule's prose from `rules/<CODE>.md` exactly.
#[test]
fn explain_prints_the_rule_doc_exactly() {
    let explained = run(&["--explain", "S001"]).stdout;
    assert!(explained.starts_with("# S001 missing-export\n\nDefault severity: error\n\n"));
    for spelling in ["S001", "s001", "missing-export"] {
        let run = run(&["--explain", spelling]);
        assert_eq!(run.status, 0, "{spelling}");
        assert_eq!(run.stdout, explained, "{spelling}");
    }
    for code in documented_codes() {
        let prose = std::fs::read_to_string(root().join(format!("rules/{code}.md"))).unwrap();
        let explained = run(&["--explain", &code]).stdout;
        assert!(explained.starts_with(&format!("# {code} ")), "{code}");
        assert!(explained.ends_with(&format!("\n\n{prose}")), "{code}");
    }
}

#[test]
fn list_rules_lists_every_code_once_with_its_doc_facts() {
    let list = run(&["--list-rules"]);
    assert_eq!(list.status, 0);
    let mut listed = Vec::new();
    for line in list.stdout.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [code, name, severity, ..] = fields[..] else {
            panic!("a short line: {line:?}");
        };
        assert!(
            root().join(format!("rules/{code}.md")).exists(),
            "{code} has no doc"
        );
        let doc = run(&["--explain", code]).stdout;
        let mut doc_lines = doc.lines();
        assert_eq!(doc_lines.next(), Some(format!("# {code} {name}").as_str()));
        let default = doc_lines.nth(1).unwrap_or_default();
        assert!(
            default.starts_with(&format!("Default severity: {severity}")),
            "{code}: listed as {severity}, doc says {default:?}"
        );
        listed.push(code.to_string());
    }
    let unique: BTreeSet<String> = listed.iter().cloned().collect();
    assert_eq!(
        unique.len(),
        listed.len(),
        "a code listed twice: {listed:?}"
    );
    assert_eq!(unique, documented_codes());
}

/// The B002 diagnostic for pulse.zip (contract v2.3.1) against `target`.
fn contract_finding(target: &str) -> Value {
    let pulse = package("pulse.zip");
    let document = run(&["--format", "json", "--target", target, &pulse]).json();
    document["packages"][0]["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["code"] == "B002")
        .cloned()
        .unwrap_or_else(|| panic!("no B002 against {target}: {document}"))
}

#[test]
fn contract_findings_tell_a_version_bump_from_a_port() {
    // Same API module, another version: the api package's fingerprint differs.
    let bump = contract_finding("2.2");
    let message = bump["message"].as_str().unwrap();
    assert!(
        message.contains("different version of package github.com/lf-edge/ekuiper/contract/v2/api"),
        "{message}"
    );
    assert!(
        bump["help"]
            .as_str()
            .unwrap()
            .starts_with("`go get github.com/lf-edge/ekuiper/contract/v2@v2.0.0`")
    );
    // A 1.x release: the plugin implements the other major API's interfaces.
    let port = contract_finding("1.14.7");
    let message = port["message"].as_str().unwrap();
    assert!(message.contains("implement github.com/lf-edge/ekuiper/contract/v2/api's interfaces, not github.com/lf-edge/ekuiper/pkg/api's"), "{message}");
    assert!(
        port["help"]
            .as_str()
            .unwrap()
            .starts_with("port the plugin to github.com/lf-edge/ekuiper/pkg/api")
    );
}

// ---- --select, --ignore, --warnings-as-errors -----------------------------

/// pulse.zip against eKuiper 2.2: B002 (contract) and B003 (Go), nothing else.
fn selected(flags: &[&str]) -> Vec<String> {
    let pulse = package("pulse.zip");
    let mut args = vec!["--format", "json", "--target", "2.2", &pulse];
    args.extend_from_slice(flags);
    codes_of(&run(&args))
}

#[test]
fn select_and_ignore_take_codes_prefixes_and_names() {
    assert_eq!(selected(&[]), ["B002", "B003"]);
    let cases: &[(&[&str], &[&str])] = &[
        (&["--select", "B002"], &["B002"]),
        (&["--select", "b003"], &["B003"]),
        (&["--select", "B"], &["B002", "B003"]),
        (&["--select", "B00"], &["B002", "B003"]),
        (&["--select", "S"], &[]),
        (&["--select", "contract-version"], &["B002"]),
        (&["--select", "B002,go-version"], &["B002", "B003"]),
        (&["--select", "S", "--select", "B003"], &["B003"]),
        (&["--select", "ALL"], &["B002", "B003"]),
        (&["--ignore", "B003"], &["B002"]),
        (&["--ignore", "go-version"], &["B002"]),
        (&["--ignore", "B"], &[]),
        (&["--ignore", "B002,B003"], &[]),
        (
            &["--select", "B", "--ignore", "contract-version"],
            &["B003"],
        ),
    ];
    for (flags, expected) in cases {
        assert_eq!(selected(flags), *expected, "{flags:?}");
    }
}

#[test]
fn ignoring_every_error_makes_the_exit_status_0() {
    let pulse = package("pulse.zip");
    assert_eq!(run_status(&["--target", "2.2", &pulse]), 1);
    assert_eq!(run_status(&["--target", "2.2", "--ignore", "B", &pulse]), 0);
}

#[test]
fn warnings_as_errors_turns_a_warning_into_exit_1() {
    let instance = package("pulse-instance.zip");
    let plain = run(&["--format", "json", &instance]);
    assert_eq!(plain.status, 0);
    assert_eq!(codes_of(&plain), ["S003"]);
    let strict = run(&["--format", "json", "--warnings-as-errors", &instance]);
    assert_eq!(strict.status, 1);
    let document = strict.json();
    assert_eq!(
        document["packages"][0]["diagnostics"][0]["severity"],
        "error"
    );
    assert_eq!(document["summary"]["errors"], 1);
    assert_eq!(document["summary"]["warnings"], 0);
    // An info finding stays an info.
    let zip = derived_zip("pulse.zip", &[], &[("install.sh", b"#!/bin/sh\n")]);
    let dir = tree(&[("p.zip", &zip)]);
    let run = run_in(
        dir.path(),
        &["--format", "json", "--warnings-as-errors", "p.zip"],
    );
    assert_eq!(codes_of(&run), ["I001"]);
    assert_eq!(
        run.json()["packages"][0]["diagnostics"][0]["severity"],
        "info"
    );
    assert_eq!(run.status, 0);
}

// ---- the settings file ----------------------------------------------------

/// A project folder with `ekplugin-lint.toml` (if given) at its top and
/// the packages two folders down, where the binary runs.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    const WORK: &'static str = "ci/dist";

    fn new(settings: Option<&str>, packages: &[(&str, &[u8])]) -> Project {
        let mut files: Vec<(String, &[u8])> = packages
            .iter()
            .map(|(name, data)| (format!("{}/{name}", Self::WORK), *data))
            .collect();
        if let Some(text) = settings {
            files.push(("ekplugin-lint.toml".into(), text.as_bytes()));
        }
        let files: Vec<(&str, &[u8])> = files.iter().map(|(n, d)| (n.as_str(), *d)).collect();
        Project { dir: tree(&files) }
    }

    fn work(&self) -> PathBuf {
        self.dir.path().join(Self::WORK)
    }

    fn lint(&self, args: &[&str]) -> Run {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        run_in(&self.work(), &all)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

fn instance_with_script() -> Vec<u8> {
    derived_zip("pulse-instance.zip", &[], &[("install.sh", b"#!/bin/sh\n")])
}

#[test]
fn settings_are_found_upward_from_the_current_folder() {
    let zip = instance_with_script();
    let bare = Project::new(None, &[("p.zip", &zip)]);
    let run = bare.lint(&["p.zip"]);
    assert_eq!(codes_of(&run), ["I001", "S003"]);
    assert_eq!(run.status, 0);

    let settings = "[severity]\nS003 = \"error\"\nI001 = \"off\"\n";
    let project = Project::new(Some(settings), &[("p.zip", &zip)]);
    let run = project.lint(&["p.zip"]);
    assert_eq!(codes_of(&run), ["S003"], "{}", run.stdout);
    assert_eq!(
        run.json()["packages"][0]["diagnostics"][0]["severity"],
        "error"
    );
    assert_eq!(run.status, 1);
}

#[test]
fn an_explicit_config_replaces_the_one_found_upward() {
    let zip = instance_with_script();
    let project = Project::new(Some("[severity]\nS003 = \"error\"\n"), &[("p.zip", &zip)]);
    let other = project.write("other.toml", "[severity]\nI001 = \"warning\"\n");
    let run = project.lint(&["--config", other.to_str().unwrap(), "p.zip"]);
    let document = run.json();
    let mut severities: Vec<(&str, &str)> = document["packages"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["severity"].as_str().unwrap()))
        .collect();
    severities.sort();
    assert_eq!(severities, [("I001", "warning"), ("S003", "warning")]);
    assert_eq!(run.status, 0);
}

#[test]
fn flags_win_over_the_settings_file() {
    let zip = instance_with_script();
    let settings = "ignore = [\"S003\"]\nselect = [\"S\", \"I\"]\n";
    let project = Project::new(Some(settings), &[("p.zip", &zip)]);
    assert_eq!(codes_of(&project.lint(&["p.zip"])), ["I001"]);
    // A flag replaces the file's list of the same name, not the other one.
    assert_eq!(
        codes_of(&project.lint(&["--ignore", "I001", "p.zip"])),
        ["S003"]
    );
    assert_eq!(
        codes_of(&project.lint(&["--select", "install-script", "p.zip"])),
        ["I001"]
    );
    assert_eq!(
        codes_of(&project.lint(&["--select", "S", "--ignore", "A009", "p.zip"])),
        ["S003"]
    );
}

#[test]
fn warnings_as_errors_and_target_in_the_settings_file() {
    let zip = fixture_bytes("pulse-instance.zip");
    let project = Project::new(Some("warnings-as-errors = true\n"), &[("p.zip", &zip)]);
    assert_eq!(project.lint(&["p.zip"]).status, 1);

    let pulse = fixture_bytes("pulse.zip");
    let project = Project::new(Some("target = \"2.2\"\n"), &[("p.zip", &pulse)]);
    let run = project.lint(&["p.zip"]);
    assert_eq!(codes_of(&run), ["B002", "B003"]);
    assert!(run.stdout.contains("eKuiper 2.2.5"), "{}", run.stdout);
    let run = project.lint(&["--target", "2.4.0", "p.zip"]);
    assert_eq!(codes_of(&run), Vec::<String>::new(), "the flag wins");
    assert_eq!(run.status, 0);
}

#[test]
fn limits_in_the_settings_file() {
    let zip = fixture_bytes("pulse.zip");
    // The library is 2133872 bytes, 806364 deflated.
    for limit in ["max-entry-size = 1000000", "max-ratio = 2"] {
        let tight = format!("[limits]\n{limit}\n");
        let project = Project::new(Some(&tight), &[("p.zip", &zip)]);
        let run = project.lint(&["p.zip"]);
        assert_eq!(codes_of(&run), ["A006"], "{limit}: {}", run.stdout);
        assert_eq!(run.status, 1, "{limit}");
    }
    let project = Project::new(Some("[limits]\nmax-entries = 2\n"), &[("p.zip", &zip)]);
    let run = project.lint(&["p.zip"]);
    assert!(
        codes_of(&run).contains(&"A006".to_string()),
        "{}",
        run.stdout
    );
    let roomy = "[limits]\nmax-entries = 3\nmax-entry-size = 3000000\nmax-ratio = 3\n";
    let roomy = Project::new(Some(roomy), &[("p.zip", &zip)]);
    assert_eq!(codes_of(&roomy.lint(&["p.zip"])), Vec::<String>::new());
}

// ---- several paths and folders --------------------------------------------

#[test]
fn output_order_is_command_line_order_with_folders_sorted() {
    let pulse = fixture_bytes("pulse.zip");
    let instance = fixture_bytes("pulse-instance.zip");
    let misnamed = fixture_bytes("pulse-misnamed.zip");
    let dir = tree(&[
        ("one.zip", &instance),
        ("two.zip", &misnamed),
        ("pkgs/m.zip", &pulse),
        ("pkgs/B.zip", &instance),
        ("pkgs/a-b.zip", &misnamed),
        ("pkgs/a/z.zip", &pulse),
        ("pkgs/a/c.zip", &instance),
        ("pkgs/notes.txt", b"not a package"),
        ("pkgs/Pulse.so", b"\x7fELF not linted: only zips are"),
        ("pkgs/zz/y.zip", &misnamed),
    ]);
    // A folder's zips in sorted order: component by component (a folder's
    // files before a sibling that sorts after the folder's name).
    let folder = [
        "pkgs/B.zip",
        "pkgs/a/c.zip",
        "pkgs/a/z.zip",
        "pkgs/a-b.zip",
        "pkgs/m.zip",
        "pkgs/zz/y.zip",
    ];
    let mut sorted: Vec<&Path> = folder.iter().map(Path::new).collect();
    sorted.sort();
    assert_eq!(sorted, folder.map(Path::new), "the expectation is sorted");

    for args in [
        vec!["two.zip", "pkgs", "one.zip"],
        vec!["one.zip", "two.zip", "pkgs"],
        vec!["pkgs", "one.zip", "two.zip"],
        vec!["pkgs/zz/y.zip", "pkgs/m.zip", "one.zip", "pkgs/a"],
    ] {
        let expected: Vec<String> = args
            .iter()
            .flat_map(|arg| match *arg {
                "pkgs" => folder.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
                "pkgs/a" => vec!["pkgs/a/c.zip".into(), "pkgs/a/z.zip".into()],
                file => vec![file.to_string()],
            })
            .collect();
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(&args);
        let first = run_in(dir.path(), &all);
        assert_eq!(package_paths(&first.json()), expected, "{args:?}");
        // Linting runs in parallel; the report must not depend on timing.
        for _ in 0..2 {
            assert_eq!(run_in(dir.path(), &all).stdout, first.stdout, "{args:?}");
        }
        let human = run_in(dir.path(), &args);
        let headers: Vec<&str> = human
            .stdout
            .lines()
            .filter_map(|line| line.split_once(".zip: ").map(|(path, _)| path))
            .collect();
        let expected_headers: Vec<&str> = expected
            .iter()
            .map(|p| p.trim_end_matches(".zip"))
            .collect();
        assert_eq!(headers, expected_headers, "{args:?}");
        assert_eq!(first.status, 1, "two.zip and its copies have an error");
    }
}

#[test]
fn the_summary_counts_every_package() {
    let args = [
        "--format",
        "json",
        "fixtures/packages/pulse.zip",
        "fixtures/packages/pulse-instance.zip",
        "fixtures/packages/pulse-misnamed.zip",
    ];
    let document = run(&args).json();
    assert_eq!(document["summary"]["packages"], 3);
    assert_eq!(document["summary"]["errors"], 1);
    assert_eq!(document["summary"]["warnings"], 1);
    let human = run(&args[2..]);
    assert!(
        human
            .stdout
            .ends_with("1 error, 1 warning, 0 notes in 3 packages\n"),
        "{}",
        human.stdout
    );
}

// ---- --name, --kind and inference -----------------------------------------

#[test]
fn inferred_name_and_kind_are_reported() {
    let pulse = package("pulse.zip");
    let inferred = run(&[&pulse]);
    let lines: Vec<&str> = inferred.stdout.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "fixtures/packages/pulse.zip: source `pulse`, Pulse@v1.0.0.so (version 1.0.0), go1.25.4, contract v2.3.1",
            "  kind inferred: the library implements api.Source",
            "  name inferred: from the library file name Pulse@v1.0.0.so",
        ],
        "{}",
        inferred.stdout
    );
    let document = run(&["--format", "json", &pulse]).json();
    let why = &document["packages"][0]["plugin"]["inferred"];
    assert!(why["name"].is_string() && why["kind"].is_string(), "{why}");

    let given = run(&["--name", "pulse", "--kind", "source", &pulse]);
    assert_eq!(given.status, 0);
    assert!(!given.stdout.contains("inferred"), "{}", given.stdout);
    let document = run(&[
        "--format", "json", "--name", "pulse", "--kind", "source", &pulse,
    ])
    .json();
    assert_eq!(
        document["packages"][0]["plugin"]["inferred"],
        serde_json::json!({})
    );
    // Only the one not given is inferred.
    let half = run(&["--kind", "source", &pulse]);
    assert!(half.stdout.contains("  name inferred: "), "{}", half.stdout);
    assert!(!half.stdout.contains("kind inferred"), "{}", half.stdout);
}

#[test]
fn the_given_name_and_kind_are_checked() {
    let pulse = package("pulse.zip");
    let as_sink = run(&["--format", "json", "--kind", "sink", &pulse]);
    assert!(
        codes_of(&as_sink).contains(&"S004".to_string()),
        "{}",
        as_sink.stdout
    );
    assert_eq!(as_sink.json()["packages"][0]["plugin"]["kind"], "sink");
    assert_eq!(as_sink.status, 1);
    let renamed = run(&["--format", "json", "--name", "beat", &pulse]);
    assert!(
        codes_of(&renamed).contains(&"L001".to_string()),
        "{}",
        renamed.stdout
    );
    assert_eq!(renamed.json()["packages"][0]["plugin"]["name"], "beat");
    assert_eq!(renamed.status, 1);
}

// ---- --target -------------------------------------------------------------

#[test]
fn a_partial_target_picks_the_newest_patch_release() {
    let pulse = package("pulse.zip");
    let messages = |target: &str| -> Vec<String> {
        let document = run(&["--format", "json", "--target", target, &pulse]).json();
        document["packages"][0]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"].as_str().is_some_and(|c| c.starts_with("B00")))
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect()
    };
    let partial = messages("2.2");
    assert_eq!(partial.len(), 2, "{partial:?}");
    for message in &partial {
        assert!(message.contains("eKuiper 2.2.5"), "{message}");
    }
    assert!(
        messages("2.2.0")
            .iter()
            .all(|message| message.contains("eKuiper 2.2.0")),
    );
    let newest = run(&["--target", "2.4.0", &pulse]);
    assert_eq!(newest.status, 0, "the fixtures are built for 2.4.0");
    assert_eq!(run_status(&["--target", "9.9", &pulse]), 2);
}

// ---- the JSON document ----------------------------------------------------

/// Checks that `object` has exactly the `documented` keys plus some of
/// `extra` (fields added since SPEC §3; a rename fails here).
fn assert_keys(object: &Value, documented: &[&str], extra: &[&str], what: &str) {
    let keys: BTreeSet<&str> = object
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not an object: {object}"))
        .keys()
        .map(String::as_str)
        .collect();
    for key in documented {
        assert!(keys.contains(key), "{what} lacks `{key}`: {object}");
    }
    for key in &keys {
        assert!(
            documented.contains(key) || extra.contains(key),
            "{what} has an undocumented key `{key}`"
        );
    }
}

fn assert_string_or_null(value: &Value, what: &str) {
    assert!(value.is_string() || value.is_null(), "{what}: {value}");
}

fn assert_document_shape(document: &Value, rule_names: &BTreeSet<(String, String)>) {
    assert_keys(
        document,
        &["version", "packages", "summary"],
        &[],
        "the document",
    );
    assert_eq!(document["version"], 1);
    let packages = document["packages"].as_array().expect("packages array");
    let (mut errors, mut warnings) = (0, 0);
    for package in packages {
        assert_keys(
            package,
            &["path", "plugin", "diagnostics"],
            &[],
            "a package",
        );
        assert!(package["path"].is_string());
        let plugin = &package["plugin"];
        let fields = ["name", "kind", "library", "version", "go", "contract"];
        assert_keys(plugin, &fields, &["inferred"], "plugin");
        for field in fields {
            assert_string_or_null(&plugin[field], field);
        }
        if let Some(kind) = plugin["kind"].as_str() {
            assert!(["source", "sink", "function"].contains(&kind), "{kind}");
        }
        for diagnostic in package["diagnostics"].as_array().expect("diagnostics") {
            assert_keys(
                diagnostic,
                &["code", "rule", "severity", "message"],
                &["entry", "span", "help"],
                "a diagnostic",
            );
            let code = diagnostic["code"].as_str().expect("code");
            let rule = diagnostic["rule"].as_str().expect("rule");
            assert!(
                rule_names.contains(&(code.to_string(), rule.to_string())),
                "{code} {rule} is not a listed rule"
            );
            match diagnostic["severity"].as_str() {
                Some("error") => errors += 1,
                Some("warning") => warnings += 1,
                Some("info") => {}
                other => panic!("severity {other:?}"),
            }
            assert!(!diagnostic["message"].as_str().expect("message").is_empty());
            for optional in ["entry", "help"] {
                if let Some(value) = diagnostic.get(optional) {
                    assert!(value.is_string(), "{optional} is a string when present");
                }
            }
            if let Some(span) = diagnostic.get("span") {
                assert_keys(span, &["line", "column"], &[], "a span");
                assert!(span["line"].as_u64().is_some_and(|n| n >= 1), "{span}");
                assert!(span["column"].as_u64().is_some_and(|n| n >= 1), "{span}");
                assert!(
                    diagnostic.get("entry").is_some(),
                    "a span is inside an entry"
                );
            }
        }
    }
    let summary = &document["summary"];
    assert_keys(
        summary,
        &["packages", "errors", "warnings"],
        &["infos"],
        "summary",
    );
    assert_eq!(summary["packages"], packages.len());
    assert_eq!(summary["errors"], errors);
    assert_eq!(summary["warnings"], warnings);
}

fn listed_rules() -> BTreeSet<(String, String)> {
    run(&["--list-rules"])
        .stdout
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            Some((fields.next()?.to_string(), fields.next()?.to_string()))
        })
        .collect()
}

#[test]
fn json_output_has_the_documented_shape() {
    let names = listed_rules();
    let folder = run(&["--format", "json", "fixtures/packages"]);
    assert_eq!(folder.status, 1);
    let document = folder.json();
    assert_document_shape(&document, &names);
    assert_eq!(
        document["packages"].as_array().unwrap().len(),
        common::manifest().package.len()
    );
    // The example of SPEC §3, field by field.
    let run = run(&["--format", "json", &package("mathx-missing.zip")]);
    let document = run.json();
    assert_document_shape(&document, &names);
    let package = &document["packages"][0];
    assert_eq!(package["path"], "fixtures/packages/mathx-missing.zip");
    assert_eq!(package["plugin"]["name"], "mathx");
    assert_eq!(package["plugin"]["kind"], "function");
    assert_eq!(package["plugin"]["library"], "mathx.so");
    assert_eq!(package["plugin"]["version"], Value::Null);
    assert_eq!(package["plugin"]["go"], "go1.25.4");
    assert_eq!(package["plugin"]["contract"], "v2.3.1");
    let s005 = &package["diagnostics"][0];
    assert_eq!(s005["code"], "S005");
    assert_eq!(s005["rule"], "function-not-exported");
    assert_eq!(s005["severity"], "error");
    assert_eq!(s005["entry"], "mathx.json");
    let line = s005["span"]["line"].as_u64().unwrap() as usize;
    let column = s005["span"]["column"].as_u64().unwrap() as usize;
    // The span points at the function's name in the descriptor.
    let descriptor = entry_text("mathx-missing.zip", "mathx.json");
    let at: String = descriptor
        .lines()
        .nth(line - 1)
        .unwrap()
        .chars()
        .skip(column - 1)
        .collect();
    assert!(at.starts_with("\"smoothstep\""), "{at}");
    assert!(s005["help"].is_string());
}

#[test]
fn unknown_plugin_fields_are_null() {
    let dir = tree(&[("Garbage.so", &[0x5a; 4096]), ("junk.zip", b"junk")]);
    let names = listed_rules();

    let run = run_in(dir.path(), &["--format", "json", "Garbage.so", "junk.zip"]);
    let document = run.json();
    assert_document_shape(&document, &names);
    let garbage = &document["packages"][0]["plugin"];
    assert_eq!(garbage["library"], "Garbage.so");
    assert_eq!(garbage["name"], "garbage", "inferred from the file name");
    for field in ["kind", "version", "go", "contract"] {
        assert_eq!(garbage[field], Value::Null, "{field}: {garbage}");
    }
    let junk = &document["packages"][1]["plugin"];
    for field in ["name", "kind", "library", "version", "go", "contract"] {
        assert_eq!(junk[field], Value::Null, "{field}: {junk}");
    }
    // Null, not absent: scripts index these fields.
    for plugin in [garbage, junk] {
        assert_eq!(plugin.as_object().unwrap().len(), 7, "{plugin}");
    }
}

// ---- --host ---------------------------------------------------------------

/// eKuiper's Makefile runs `upx ./kuiperd` when the build image has upx. A
/// packed file's `l_info` (a checksum, then `UPX!`) follows its program
/// headers; this stands one in the stand-in host's, where upx writes it.
#[test]
fn a_upx_packed_host_is_recognised_and_explained() {
    let dir = tempfile::tempdir().unwrap();
    let mut host = std::fs::read(fixture("host/kuiperd-stand-in")).unwrap();
    let u16_at = |at: usize| usize::from(u16::from_le_bytes([host[at], host[at + 1]]));
    let phoff = usize::try_from(u64::from_le_bytes(host[32..40].try_into().unwrap())).unwrap();
    let magic = phoff + u16_at(54) * u16_at(56) + 4;
    host[magic..magic + 4].copy_from_slice(b"UPX!");
    let packed = dir.path().join("kuiperd");
    std::fs::write(&packed, &host).unwrap();
    let package = fixture("packages/pulse.zip");
    let args = |host: &Path| {
        vec![
            package.to_str().unwrap().to_string(),
            "--host".into(),
            host.to_str().unwrap().to_string(),
        ]
    };
    let packed_args = args(&packed);
    let refused = run(&packed_args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(refused.status, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("packed with UPX"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("upx -d -o kuiperd.unpacked"),
        "{}",
        refused.stderr
    );
    let plain = fixture("host/kuiperd-stand-in");
    let plain_args = args(&plain);
    let read = run(&plain_args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(read.status, 0, "{}{}", read.stdout, read.stderr);
}
