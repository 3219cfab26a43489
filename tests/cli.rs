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
        ("an unknown flag", vec!["--bogus", &pulse]),
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
    // Inputs that cannot be linted: the report (of nothing) is still
    // written, the reason goes to stderr, the status is 2.
    let inputs: Vec<(&str, &str)> = vec![
        ("a path that does not exist", "fixtures/packages/nope.zip"),
        ("an empty folder", empty.path().to_str().unwrap()),
        ("a folder with no package", no_zips.path().to_str().unwrap()),
    ];
    for (what, path) in inputs {
        let run = run(&["--format", "json", path]);
        assert_eq!(run.status, 2, "{what}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(path), "{what}: {}", run.stderr);
        assert_eq!(run.json()["failed"][0]["path"], path, "{what}");
    }
}

#[test]
fn a_missing_path_does_not_stop_the_others() {
    let pulse = package("pulse.zip");
    let ifacevar = package("pulse-ifacevar.zip");
    for format in ["json", "human"] {
        let run = run(&[
            "--format",
            format,
            &pulse,
            "fixtures/packages/nope.zip",
            &ifacevar,
        ]);
        assert_eq!(run.status, 2, "{format}: {}", run.stderr);
        assert!(run.stderr.contains("nope.zip"), "{}", run.stderr);
        assert!(run.stdout.contains("pulse-ifacevar.zip"), "{format}");
        assert!(
            run.stdout.contains("S002"),
            "{format}: the others are linted"
        );
    }
    let document = run(&["--format", "json", &pulse, "fixtures/packages/nope.zip"]).json();
    assert_eq!(document["packages"].as_array().unwrap().len(), 1);
    assert_eq!(document["failed"][0]["path"], "fixtures/packages/nope.zip");
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
        ("a target that is no version", "target = \"latest\"\n"),
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
            default.starts_with(&format!(
                "Default severity: {}",
                severity.split('/').next().unwrap()
            )),
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
    assert_eq!(run_status(&["--target", "2.x", &pulse]), 2);
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
        &["settings", "failed", "statistics", "baseline"],
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

// ---- inputs: streams, folders, source trees -------------------------------

/// Runs the binary in `dir` with `input` on standard input.
fn run_with_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Run {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_ekplugin-lint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // Written from a thread: the pipe holds less than a package.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run::from(output)
}

#[test]
fn standard_input_and_pipes_are_read_as_streams() {
    let zip = fixture_bytes("pulse-ifacevar.zip");
    for path in ["-", "/dev/stdin"] {
        let run = run_with_stdin(&root(), &["--format", "json", path], &zip);
        assert_eq!(run.status, 1, "{path}: {}", run.stderr);
        assert_eq!(codes_of(&run), ["S002"], "{path}");
        assert_eq!(run.json()["packages"][0]["path"], path);
    }
    let run = run_with_stdin(&root(), &["-"], b"not a zip");
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stdout.contains("A001"), "{}", run.stdout);
}

#[test]
fn folder_walking_skips_vcs_dependencies_and_build_output() {
    let zip = fixture_bytes("pulse.zip");
    let bad = fixture_bytes("pulse-ifacevar.zip");
    let dir = tree(&[
        ("dist/pulse.zip", &zip),
        (".git/objects/pulse.zip", &bad),
        ("node_modules/x/pulse.zip", &bad),
        ("target/debug/pulse.zip", &bad),
    ]);
    let run = run_in(dir.path(), &["--format", "json", "."]);
    assert_eq!(package_paths(&run.json()), ["./dist/pulse.zip"]);
    assert_eq!(run.status, 0);
}

#[test]
fn unpacked_packages_and_source_trees_are_linted() {
    let read = |name: &str| entry_text("pulse.zip", name);
    let library = {
        let file = std::fs::File::open(fixture("packages/pulse.zip")).unwrap();
        let mut archive = zip::ZipArchive::new(file).unwrap();
        let mut bytes = Vec::new();
        let name = String::from("Pulse@v1.0.0.so");
        archive
            .by_name(&name)
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        (name, bytes)
    };
    let (json, yaml) = (read("pulse.json"), read("pulse.yaml"));
    let unpacked = tree(&[
        (library.0.as_str(), &library.1),
        ("pulse.json", json.as_bytes()),
        ("pulse.yaml", yaml.as_bytes()),
    ]);
    let run = run_in(unpacked.path(), &["--format", "json", "."]);
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["packages"][0]["plugin"]["name"], "pulse");
    // A nested folder in an unpacked package is what A002 is about.
    let nested = tree(&[
        (library.0.as_str(), &library.1),
        ("pulse.json", json.as_bytes()),
        ("pulse.yaml", yaml.as_bytes()),
        ("docs/readme.md", b"x"),
    ]);
    let run = run_in(nested.path(), &["--format", "json", "."]);
    assert!(
        codes_of(&run).contains(&"A002".to_string()),
        "{}",
        run.stdout
    );

    let project = root().join("fixtures/project/pulse");
    let run = run_in(&project, &["--format", "json", "."]);
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        package_paths(&run.json()),
        [
            "./go.mod",
            "./etc/sources/pulse.json",
            "./etc/sources/pulse.yaml"
        ]
    );
}

// ---- --target past the known releases --------------------------------------

#[test]
fn a_newer_target_warns_and_uses_the_nearest_profile() {
    let pulse = package("pulse.zip");
    let run = run(&["--format", "json", "--target", "2.5.0", &pulse]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning") && run.stderr.contains("2.5.0"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("profiles.toml"), "{}", run.stderr);
    let settings = &run.json()["settings"];
    assert_eq!(settings["target"]["source"], "eKuiper 2.4.0");
    assert!(settings["warnings"][0].as_str().unwrap().contains("2.5.0"));
}

// ---- human output: colour, words, grouping, quiet, statistics -------------

fn run_with_env(args: &[&str], vars: &[(&str, &str)]) -> Run {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ekplugin-lint"));
    command.args(args).current_dir(root());
    for name in ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "TERM"] {
        command.env_remove(name);
    }
    command.envs(vars.iter().copied());
    Run::from(command.output().unwrap())
}

#[test]
fn colour_follows_the_flag_and_the_environment() {
    let bad = package("pulse-ifacevar.zip");
    let coloured = |run: &Run| run.stdout.contains('\x1b');
    assert!(!coloured(&run_with_env(&[&bad], &[])), "a pipe is plain");
    assert!(coloured(&run_with_env(&[&bad], &[("FORCE_COLOR", "1")])));
    assert!(coloured(&run_with_env(&[&bad], &[("CLICOLOR_FORCE", "1")])));
    assert!(coloured(&run_with_env(
        &["--color", "always", &bad],
        &[("TERM", "dumb")]
    )));
    assert!(!coloured(&run_with_env(
        &["--color", "never", &bad],
        &[("FORCE_COLOR", "1")]
    )));
    assert!(!coloured(&run_with_env(
        &[&bad],
        &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]
    )));
    // Plain output names the severity in words.
    let plain = run_with_env(&[&package("mathx-missing.zip")], &[]);
    assert!(
        plain.stdout.contains("  error: the descriptor"),
        "{}",
        plain.stdout
    );
    assert!(
        plain.stdout.contains("  warning: the library"),
        "{}",
        plain.stdout
    );
}

/// A package with `n` unused root files: `n` A009 warnings.
fn many_unused(n: usize) -> Vec<u8> {
    let names: Vec<String> = (0..n).map(|i| format!("notes-{i:03}.txt")).collect();
    let add: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    derived_zip("pulse.zip", &[], &add)
}

#[test]
fn repeats_of_one_rule_are_grouped_with_their_count() {
    let dir = tree(&[("p.zip", &many_unused(300))]);
    let run = run_in(dir.path(), &["p.zip"]);
    let lines = run.stdout.lines().count();
    assert!(lines < 120, "{lines} lines:\n{}", run.stdout);
    assert!(run.stdout.contains("290 more A009"), "{}", run.stdout);
    assert!(
        run.stdout.contains("300 warnings"),
        "the summary counts all"
    );
    let document = run_in(dir.path(), &["--format", "json", "p.zip"]).json();
    let package = &document["packages"][0];
    assert_eq!(package["omitted"][0]["code"], "A009");
    assert_eq!(package["omitted"][0]["count"], 290);
    assert_eq!(document["summary"]["warnings"], 300);
    let sarif = run_in(dir.path(), &["--format", "sarif", "p.zip"]).json();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 11, "the first ten and the group");
}

#[test]
fn quiet_prints_nothing_for_clean_packages() {
    let clean = run(&["--quiet", &package("pulse.zip")]);
    assert_eq!((clean.status, clean.stdout.as_str()), (0, ""));
    let mixed = run(&["-q", &package("pulse.zip"), &package("pulse-ifacevar.zip")]);
    assert!(!mixed.stdout.contains("pulse.zip:"), "{}", mixed.stdout);
    assert!(
        mixed.stdout.contains("pulse-ifacevar.zip"),
        "{}",
        mixed.stdout
    );
}

#[test]
fn statistics_count_findings_per_rule() {
    let dir = tree(&[("p.zip", &many_unused(30)), ("q.zip", &many_unused(2))]);
    let run = run_in(dir.path(), &["--statistics", "p.zip", "q.zip"]);
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("A009"))
        .expect("an A009 line");
    assert!(line.trim_start().starts_with("32 "), "{line}");
    assert!(!run.stdout.contains("notes-"), "no findings, only counts");
    let document = run_in(
        dir.path(),
        &["--statistics", "--format", "json", "p.zip", "q.zip"],
    )
    .json();
    assert_eq!(document["statistics"][0]["code"], "A009");
    assert_eq!(document["statistics"][0]["count"], 32);
}

// ---- several outputs --------------------------------------------------------

#[test]
fn output_files_are_written_besides_stdout() {
    let dir = tree(&[("p.zip", &fixture_bytes("pulse-ifacevar.zip"))]);
    let run = run_in(
        dir.path(),
        &[
            "--output-file",
            "sarif:out.sarif",
            "--output-file",
            "json:out.json",
            "--format",
            "github",
            "p.zip",
        ],
    );
    assert_eq!(run.status, 1);
    assert!(run.stdout.starts_with("::error "), "{}", run.stdout);
    let sarif: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "S002");
    let json: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out.json")).unwrap()).unwrap();
    assert_eq!(json["summary"]["errors"], 1);
    let run = run_in(dir.path(), &["--output-file", "sarif", "p.zip"]);
    assert_eq!(run.status, 2, "FORMAT:FILE is required");
    let run = run_in(
        dir.path(),
        &["--output-file", "sarif:no/such/dir/x.sarif", "p.zip"],
    );
    assert_eq!(
        run.status, 2,
        "an unwritable output is a failure: {}",
        run.stderr
    );
}

// ---- adopting the gate: per-path settings and a baseline ------------------

#[test]
fn per_path_settings_apply_to_matching_inputs_only() {
    let bad = fixture_bytes("pulse-instance.zip");
    let settings = "[[per-path]]\npath = \"ci/dist/legacy/*.zip\"\nignore = [\"S003\"]\nreason = \"built before the constructor form\"\n";
    let project = Project::new(
        Some(settings),
        &[("legacy/old.zip", &bad), ("new.zip", &bad)],
    );
    let run = project.lint(&["legacy/old.zip", "new.zip"]);
    let document = run.json();
    let codes_at = |i: usize| {
        document["packages"][i]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert!(
        !codes_at(0).contains(&"S003".to_string()),
        "{:?}",
        codes_at(0)
    );
    assert!(
        codes_at(1).contains(&"S003".to_string()),
        "{:?}",
        codes_at(1)
    );
    assert_eq!(
        document["settings"]["per-path"][0]["reason"],
        "built before the constructor form"
    );
    // No reason, no exception.
    let project = Project::new(
        Some("[[per-path]]\npath = \"*.zip\"\nignore = [\"S003\"]\n"),
        &[("a.zip", &bad)],
    );
    let run = project.lint(&["a.zip"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("reason"), "{}", run.stderr);
}

#[test]
fn a_baseline_silences_known_findings_and_reports_gone_ones() {
    let bad = fixture_bytes("pulse-ifacevar.zip");
    let dir = tree(&[
        ("p.zip", &bad),
        ("q.zip", &fixture_bytes("pulse-instance.zip")),
    ]);
    let run = run_in(dir.path(), &["--write-baseline", "baseline.json", "p.zip"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let run = run_in(
        dir.path(),
        &[
            "--format",
            "json",
            "--baseline",
            "baseline.json",
            "p.zip",
            "q.zip",
        ],
    );
    let document = run.json();
    assert!(
        document["packages"][0]["diagnostics"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(document["baseline"]["silenced"], 1);
    assert!(
        !document["packages"][1]["diagnostics"]
            .as_array()
            .unwrap()
            .is_empty(),
        "new findings stay"
    );
    assert_eq!(run.status, 0, "q.zip has only warnings");
    // The finding is fixed: the baseline says it no longer occurs.
    std::fs::write(dir.path().join("p.zip"), fixture_bytes("pulse.zip")).unwrap();
    let run = run_in(dir.path(), &["--baseline", "baseline.json", "p.zip"]);
    assert_eq!(run.status, 0);
    assert!(
        run.stdout.contains("no longer occur") && run.stdout.contains("S002"),
        "{}",
        run.stdout
    );
    let run = run_in(dir.path(), &["--baseline", "nope.json", "p.zip"]);
    assert_eq!(run.status, 2);
}

// ---- what the tool says about itself ----------------------------------------

#[test]
fn show_settings_names_the_settings_file_and_target() {
    let project = Project::new(
        Some("target = \"2.2\"\n[limits]\nmax-entries = 50\n"),
        &[("p.zip", &fixture_bytes("pulse.zip"))],
    );
    let run = run_in(&project.work(), &["--show-settings"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let settings = run.json();
    assert!(
        settings["config"]
            .as_str()
            .unwrap()
            .ends_with("ekplugin-lint.toml")
    );
    assert_eq!(settings["target"]["source"], "eKuiper 2.2.5");
    assert_eq!(settings["limits"]["max-entries"], 50);
    let pulse = fixture("packages/pulse.zip");
    let run = run_in(&project.work(), &[pulse.to_str().unwrap()]);
    assert!(
        run.stdout.contains("(settings: "),
        "the human summary names the file: {}",
        run.stdout
    );
}

#[test]
fn list_rules_as_json() {
    let listing = run(&["--list-rules", "--format", "json"]);
    assert_eq!(listing.status, 0);
    let rules = listing.json();
    let rules = rules.as_array().expect("an array");
    assert_eq!(rules.len(), documented_codes().len());
    assert_eq!(rules[0]["code"], "A001");
    assert!(rules[0]["name"].is_string() && rules[0]["severity"].is_string());
    let l003 = rules.iter().find(|r| r["code"] == "L003").unwrap();
    assert_eq!(l003["severities"], serde_json::json!(["error", "warning"]));
    let listed = run(&["--list-rules"]).stdout;
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("L003") && l.contains("error/warning"))
    );
}

#[test]
fn help_and_man_page_document_kinds_inputs_and_exit_status() {
    let help = run(&["--help"]).stdout;
    assert!(
        help.contains("[possible values: source, sink, function]"),
        "{help}"
    );
    for word in [
        "go.mod",
        "--color",
        "--output-file",
        "--baseline",
        "Exit status",
    ] {
        assert!(help.contains(word), "--help lacks {word}");
    }
    let man = run(&["--man"]).stdout;
    assert!(man.contains(".SH \"EXIT STATUS\""), "{man}");
    assert!(man.contains("NO_COLOR"), "{man}");
}

#[test]
fn the_sources_hook_matches_etc_layouts_only() {
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let pattern = hooks
        .split("- id: ekplugin-lint-sources")
        .nth(1)
        .and_then(|hook| hook.lines().find_map(|l| l.trim().strip_prefix("files: ")))
        .expect("the sources hook's files pattern");
    let regex = regex::Regex::new(pattern).unwrap();
    for path in [
        "go.mod",
        "plugins/pulse/go.mod",
        "etc/sources/pulse.json",
        "x/etc/sinks/out.yaml",
        "etc/functions/f.yml",
    ] {
        assert!(regex.is_match(path), "{path}");
    }
    for path in [
        "functions/package.json",
        "web/sources/data.json",
        "etc/sources/sub/x.json",
        "go.mod.txt",
    ] {
        assert!(!regex.is_match(path), "{path}");
    }
}

// ---- the CI recipe, the action and CI itself -------------------------------

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).unwrap()
}

/// The README's CI recipe's lint line, as words (it has no quoting).
fn recipe_words() -> Vec<String> {
    let readme = readme();
    let section = readme
        .split("## CI and pre-commit")
        .nth(1)
        .expect("the CI section");
    let line = section
        .lines()
        .find_map(|l| l.trim().strip_prefix("- run: ekplugin-lint "))
        .expect("the recipe's lint line");
    line.split_whitespace().map(str::to_string).collect()
}

#[test]
fn the_readme_ci_recipe_annotates_writes_sarif_and_gates() {
    let words = recipe_words();
    let args: Vec<&str> = words.iter().map(String::as_str).collect();
    assert_eq!(args.last(), Some(&"dist/"), "{args:?}");
    let dir = tree(&[
        ("dist/pulse.zip", &fixture_bytes("pulse.zip")),
        (
            "dist/pulse-ifacevar.zip",
            &fixture_bytes("pulse-ifacevar.zip"),
        ),
    ]);
    let run = run_in(dir.path(), &args);
    assert_eq!(run.status, 1, "the gate fails on an error: {}", run.stderr);
    assert!(
        run.stdout
            .starts_with("::error file=dist/pulse-ifacevar.zip"),
        "{}",
        run.stdout
    );
    let sarif_file = args
        .iter()
        .find_map(|a| a.strip_prefix("sarif:"))
        .expect("the recipe writes SARIF");
    let sarif: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(sarif_file)).unwrap()).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(artifact["uri"], "dist/pulse-ifacevar.zip");
    assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    // No dist/ at all: exit 2, and still a SARIF log for the upload step.
    let empty = tempfile::tempdir().unwrap();
    let run = run_in(empty.path(), &args);
    assert_eq!(run.status, 2);
    let sarif: Value =
        serde_json::from_slice(&std::fs::read(empty.path().join(sarif_file)).unwrap()).unwrap();
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["executionSuccessful"],
        false
    );
}

#[test]
fn the_readme_recipes_install_and_cite_what_exists() {
    let readme = readme();
    for line in readme.lines().filter(|l| l.contains("cargo install")) {
        assert!(line.contains("--locked"), "{line}");
    }
    assert!(!readme.contains("SPEC §"), "SPEC is not in the repository");
    // The tool's address is one placeholder, the one SARIF carries.
    let homepage = ekplugin_lint::report::HOMEPAGE;
    for line in readme
        .lines()
        .filter(|l| l.contains("github.com/ekplugin-lint"))
    {
        assert!(line.contains(homepage), "{line}");
    }
    assert!(readme.contains(homepage));
    assert!(!readme.contains("rev: v0.1.0"), "no such tag");
    // CI runs exactly the README's test command first.
    let test_command = readme
        .lines()
        .find_map(|l| l.strip_prefix("cargo test"))
        .map(|rest| format!("cargo test{}", rest.split('#').next().unwrap().trim_end()))
        .expect("the README's test command");
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    let first = ci.lines().find(|l| l.starts_with("cargo ")).unwrap();
    assert_eq!(first, test_command);
}

#[test]
fn the_action_installs_at_its_ref_and_runs_flags_the_tool_has() {
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    assert!(action.contains("cargo install --locked --path \"$GITHUB_ACTION_PATH\""));
    assert!(action.contains("github/codeql-action/upload-sarif"));
    let line = action
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("\"$RUNNER_TEMP/ekplugin-lint/bin/ekplugin-lint\""))
        .expect("the action's lint line");
    let line = line.split(" || ").next().unwrap();
    let dir = tree(&[("dist/pulse.zip", &fixture_bytes("pulse.zip"))]);
    let args: Vec<String> = line
        .split_whitespace()
        .skip(1)
        .flat_map(|word| match word {
            "$ARGS" => vec!["--target".to_string(), "2.4.0".to_string()],
            "$PATHS" => vec!["dist/".to_string()],
            other => vec![other.replace("\"", "").replace("$SARIF", "out.sarif")],
        })
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = run_in(dir.path(), &args);
    assert_eq!(run.status, 0, "{args:?}: {}", run.stderr);
    assert!(dir.path().join("out.sarif").is_file());
}
