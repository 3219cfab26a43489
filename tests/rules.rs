//! Every rule, through the real binary: one table with, for each code, an
//! input that triggers it and a near-identical one that does not. Zip-level
//! defects are derived at test time from the committed good packages;
//! library, symbol and build defects come from the committed fixture
//! packages (fixtures/manifest.toml). A rule added without a row here fails
//! `the_table_covers_every_rule`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use common::variants::{Patch, Zip, patch};
use common::{fixture, run, run_json, stdout};

/// Builds one input inside the case's temporary folder and returns the
/// path to lint.
type Build = fn(&Path) -> PathBuf;

/// What a case lints.
enum Input {
    /// A committed package under fixtures/packages/.
    Package(&'static str),
    Built(Build),
}

/// Extra facts the triggering diagnostic must show.
type Check = fn(&Value) -> Result<(), String>;

/// One run of the linter.
struct Case {
    input: Input,
    /// Arguments after the path; `{dir}` stands for the temporary folder.
    args: &'static [&'static str],
}

/// A rule's row: it fires on `triggers`, at its default severity, and not
/// on `clean`.
struct Row {
    code: &'static str,
    triggers: Case,
    clean: Case,
    /// The other codes the triggering input reports: what its defect
    /// explains (a lower-case fixture library's L003 warning, B003 under
    /// H001). Anything else is a finding the defect does not justify.
    also: &'static [&'static str],
    check: Option<Check>,
}

const fn built(build: Build, args: &'static [&'static str]) -> Case {
    Case {
        input: Input::Built(build),
        args,
    }
}

const fn packaged(file: &'static str, args: &'static [&'static str]) -> Case {
    Case {
        input: Input::Package(file),
        args,
    }
}

const NONE: &[&str] = &[];
const HOST: &[&str] = &["--host", "fixtures/host/kuiperd-stand-in"];
const ARM64_HOST: &[&str] = &["--host", "fixtures/host/kuiperd-stand-in-arm64"];
const LIBRARY: &str = "Pulse@v1.0.0.so";

fn package(file: &str) -> PathBuf {
    fixture(&format!("packages/{file}"))
}

/// The good source package's entries: Pulse@v1.0.0.so, pulse.json, pulse.yaml.
fn pulse() -> Zip {
    Zip::open("packages/pulse.zip")
}

fn zip(dir: &Path, variant: &Zip) -> PathBuf {
    variant.write_to(dir, "variant.zip")
}

/// The good package written by the zip crate, then with one header patch.
fn patched(dir: &Path, variant: &Zip, entry: &str, change: Patch) -> PathBuf {
    let mut bytes = variant.bytes();
    patch(&mut bytes, entry, change);
    file(dir, "variant.zip", &bytes)
}

fn file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write input");
    path
}

/// pulse.zip linted with a settings file holding `limits`.
fn with_limits(dir: &Path, limits: &str) -> PathBuf {
    file(
        dir,
        "limits.toml",
        format!("[limits]\n{limits}\n").as_bytes(),
    );
    package("pulse.zip")
}

fn go_mod(dir: &Path, from: &str, to: &str) -> PathBuf {
    let good = std::fs::read_to_string(fixture("project/pulse/go.mod")).expect("fixture go.mod");
    assert!(good.contains(from), "the fixture go.mod has `{from}`");
    file(dir, "go.mod", good.replacen(from, to, 1).as_bytes())
}

const CONTRACT_REQUIRE: &str = "require github.com/lf-edge/ekuiper/contract/v2 v2.3.1";

/// The contract requirement as a `require (` block, followed by `end`.
fn require_block(end: &str) -> String {
    let requirement = CONTRACT_REQUIRE.trim_start_matches("require ");
    format!("require (\n\t{requirement}{end}")
}

fn table() -> Vec<Row> {
    vec![
        Row {
            code: "A001",
            triggers: built(
                |dir| {
                    let bytes = std::fs::read(package("pulse.zip")).expect("pulse.zip");
                    file(dir, "variant.zip", &bytes[..bytes.len() / 2])
                },
                NONE,
            ),
            clean: packaged("pulse.zip", NONE),
            also: &[],
            check: None,
        },
        Row {
            code: "A002",
            triggers: built(|dir| zip(dir, &pulse().with("conf/pulse.conf", b"x")), NONE),
            clean: built(|dir| zip(dir, &pulse().with("etc/pulse.conf", b"x")), NONE),
            also: &[],
            check: Some(|d| entry_is(d, "conf/pulse.conf")),
        },
        Row {
            code: "A003",
            triggers: built(|dir| zip(dir, &pulse().with("../pulse.conf", b"x")), NONE),
            clean: built(|dir| zip(dir, &pulse().with("etc/pulse.conf", b"x")), NONE),
            also: &[],
            check: Some(|d| entry_is(d, "../pulse.conf")),
        },
        Row {
            code: "A004",
            triggers: built(
                |dir| zip(dir, &pulse().with_symlink("etc/pulse.conf", "/etc/passwd")),
                NONE,
            ),
            clean: built(
                |dir| zip(dir, &pulse().with("etc/pulse.conf", b"/etc/passwd")),
                NONE,
            ),
            also: &[],
            check: Some(|d| message_has(d, "symbolic link")),
        },
        Row {
            code: "A005",
            triggers: built(
                |dir| {
                    // The zip crate refuses duplicate names: write the copy
                    // under a name of the same length and rename it.
                    let variant = pulse().with_copy("pulse.json", "pulse.jsoX");
                    patched(dir, &variant, "pulse.jsoX", Patch::Name("pulse.json"))
                },
                NONE,
            ),
            clean: built(|dir| zip(dir, &pulse()), NONE),
            also: &[],
            check: Some(|d| entry_is(d, "pulse.json")),
        },
        Row {
            code: "A006",
            triggers: built(
                |dir| with_limits(dir, "max-entry-size = 65536"),
                &["--config", "{dir}/limits.toml"],
            ),
            clean: built(
                |dir| with_limits(dir, "max-entry-size = 16777216"),
                &["--config", "{dir}/limits.toml"],
            ),
            also: &[],
            check: Some(|d| entry_is(d, LIBRARY)),
        },
        Row {
            code: "A007",
            triggers: built(
                |dir| patched(dir, &pulse(), "pulse.json", Patch::SetFlags(1)),
                NONE,
            ),
            clean: built(|dir| zip(dir, &pulse()), NONE),
            also: &[],
            check: Some(|d| entry_is(d, "pulse.json")),
        },
        Row {
            code: "A008",
            triggers: built(
                |dir| patched(dir, &pulse(), "pulse.yaml", Patch::FlipCrc),
                NONE,
            ),
            clean: built(|dir| zip(dir, &pulse()), NONE),
            also: &[],
            check: Some(|d| message_has(d, "CRC")),
        },
        Row {
            code: "A009",
            triggers: built(
                |dir| zip(dir, &pulse().with("README.md", b"# Pulse\n")),
                NONE,
            ),
            clean: built(
                |dir| zip(dir, &pulse().with("etc/README.md", b"# Pulse\n")),
                NONE,
            ),
            also: &[],
            check: Some(|d| entry_is(d, "README.md")),
        },
        Row {
            code: "A010",
            triggers: built(
                |dir| patched(dir, &pulse(), "pulse.yaml", Patch::Method(12)),
                NONE,
            ),
            clean: built(|dir| zip(dir, &pulse()), NONE),
            also: &[],
            check: Some(|d| message_has(d, "bzip2")),
        },
        Row {
            code: "L001",
            triggers: built(|dir| zip(dir, &pulse().without(LIBRARY)), NONE),
            clean: built(|dir| zip(dir, &pulse()), NONE),
            also: &[],
            check: None,
        },
        Row {
            code: "L002",
            triggers: built(
                |dir| zip(dir, &pulse().with_copy(LIBRARY, "Pulse@v1.0.1.so")),
                NONE,
            ),
            clean: built(|dir| zip(dir, &pulse()), NONE),
            also: &[],
            check: Some(|d| message_has(d, "Pulse@v1.0.1.so")),
        },
        Row {
            code: "L003",
            triggers: packaged("pulse.zip", &["--name", "my-source"]),
            clean: packaged("pulse.zip", &["--name", "pulse"]),
            also: &["L001", "A009", "M001"],
            check: Some(|d| message_has(d, "my-source")),
        },
        Row {
            code: "L004",
            triggers: built(
                |dir| zip(dir, &pulse().renamed(LIBRARY, "Pulse@latest.so")),
                NONE,
            ),
            clean: built(|dir| zip(dir, &pulse()), NONE),
            also: &[],
            check: Some(|d| entry_is(d, "Pulse@latest.so")),
        },
        Row {
            code: "E001",
            triggers: built(
                |dir| file(dir, LIBRARY, &b"not an ELF file\n".repeat(64)),
                NONE,
            ),
            clean: built(|dir| file(dir, LIBRARY, &pulse().data(LIBRARY)), NONE),
            also: &[],
            check: None,
        },
        fixture_row("E002", "ledger-cexe.zip", &["L003"], "ledger.zip"),
        fixture_row("E003", "pulse-clib.zip", &[], "pulse.zip"),
        Row {
            code: "E004",
            // One real arm64 plugin, against the amd64 and the arm64 host.
            triggers: packaged("pulse-arm64.zip", HOST),
            clean: packaged("pulse-arm64.zip", ARM64_HOST),
            also: &[],
            check: Some(|d| message_has(d, "built for arm64")),
        },
        Row {
            code: "E005",
            triggers: packaged("pulse.zip", &["--image", "alpine"]),
            clean: packaged("pulse.zip", &["--image", "slim"]),
            also: &[],
            check: Some(|d| message_has(d, "musl")),
        },
        fixture_row("S001", "pulse-misnamed.zip", &[], "pulse.zip"),
        fixture_row("S002", "pulse-ifacevar.zip", &[], "pulse.zip"),
        fixture_row("S003", "pulse-instance.zip", &[], "pulse.zip"),
        Row {
            code: "S004",
            triggers: packaged("ledger-as-source.zip", &["--kind", "source"]),
            clean: packaged("ledger.zip", &["--kind", "sink"]),
            also: &[],
            check: None,
        },
        fixture_row("S005", "mathx-missing.zip", &["L003"], "mathx.zip"),
        fixture_row("S006", "pulse-nostream.zip", &[], "pulse.zip"),
        fixture_row("S007", "pulse-nolookup.zip", &[], "pulse.zip"),
        fixture_row("S008", "ledger-collect1x.zip", &[], "ledger.zip"),
        fixture_row("L005", "pyrand-portable.zip", &[], "pulse.zip"),
        fixture_row("B001", "pulse-nocontract.zip", &["S002"], "pulse.zip"),
        fixture_row("B002", "pulse-contract200.zip", &[], "pulse.zip"),
        fixture_row("B003", "pulse-go1253.zip", &[], "pulse.zip"),
        fixture_row("B004", "pulse-notrim.zip", &["L003"], "pulse.zip"),
        fixture_row("B005", "pulse-replaced.zip", &[], "pulse.zip"),
        fixture_row("B007", "echo-go115.zip", &[], "mathx.zip"),
        Row {
            code: "B006",
            // An unclosed require block, and the same block closed.
            triggers: built(
                |dir| go_mod(dir, CONTRACT_REQUIRE, &require_block("")),
                NONE,
            ),
            clean: built(
                |dir| go_mod(dir, CONTRACT_REQUIRE, &require_block("\n)")),
                NONE,
            ),
            also: &[],
            check: None,
        },
        Row {
            code: "H001",
            triggers: packaged("pulse-go1253.zip", HOST),
            clean: packaged("pulse.zip", HOST),
            also: &["B003"],
            check: Some(|d| message_has(d, "runtime")),
        },
        Row {
            code: "M001",
            triggers: built(|dir| zip(dir, &pulse().without("pulse.json")), NONE),
            clean: built(|dir| zip(dir, &pulse()), NONE),
            also: &[],
            check: None,
        },
        Row {
            code: "M002",
            // A missing comma: the error is where the next key begins, as
            // Python's json module says too.
            triggers: built(
                |dir| {
                    let variant =
                        pulse().edited("pulse.json", "\"trial\": false,", "\"trial\": false");
                    zip(dir, &variant)
                },
                NONE,
            ),
            clean: built(|dir| zip(dir, &pulse()), NONE),
            also: &[],
            check: Some(|d| span_is(d, 4, 5)),
        },
        Row {
            code: "M003",
            triggers: built(
                |dir| {
                    let variant =
                        pulse().edited("pulse.json", "\"trial\": false", "\"trial\": \"false\"");
                    zip(dir, &variant)
                },
                NONE,
            ),
            clean: built(|dir| zip(dir, &pulse()), NONE),
            also: &[],
            check: Some(|d| span_is(d, 3, 14)),
        },
        Row {
            code: "C001",
            triggers: built(|dir| zip(dir, &pulse().without("pulse.yaml")), NONE),
            clean: built(|dir| zip(dir, &pulse()), NONE),
            also: &[],
            check: None,
        },
        Row {
            code: "C002",
            triggers: built(
                |dir| zip(dir, &pulse().edited("pulse.yaml", "seed: 0", "seed: [0")),
                NONE,
            ),
            clean: built(|dir| zip(dir, &pulse()), NONE),
            also: &[],
            // Where PyYAML stops too: the `:` after `fast` inside the list.
            check: Some(|d| span_is(d, 4, 5)),
        },
        Row {
            code: "C003",
            triggers: built(
                |dir| {
                    let variant = pulse().edited("pulse.yaml", "seed: 0", "seed: 0\n  jitter: 5");
                    zip(dir, &variant)
                },
                NONE,
            ),
            clean: built(|dir| zip(dir, &pulse()), NONE),
            also: &[],
            check: Some(|d| message_has(d, "default.jitter")),
        },
        Row {
            code: "I001",
            triggers: built(
                |dir| zip(dir, &pulse().with("install.sh", b"#!/bin/sh\n")),
                NONE,
            ),
            clean: built(
                |dir| zip(dir, &pulse().with("etc/install.sh", b"#!/bin/sh\n")),
                NONE,
            ),
            also: &[],
            check: None,
        },
        Row {
            code: "I002",
            triggers: built(
                |dir| {
                    let script = b"#!/bin/sh\r\nset -e\r\n";
                    zip(dir, &pulse().with("install.sh", script))
                },
                NONE,
            ),
            clean: built(
                |dir| zip(dir, &pulse().with("install.sh", b"#!/bin/sh\nset -e\n")),
                NONE,
            ),
            also: &["I001"],
            check: Some(|d| message_has(d, "CRLF")),
        },
    ]
}

/// A committed fixture built to trigger `code`, against the good package
/// it was derived from.
const fn fixture_row(
    code: &'static str,
    triggers: &'static str,
    also: &'static [&'static str],
    clean: &'static str,
) -> Row {
    Row {
        code,
        triggers: packaged(triggers, NONE),
        clean: packaged(clean, NONE),
        also,
        check: None,
    }
}

fn entry_is(diagnostic: &Value, entry: &str) -> Result<(), String> {
    match diagnostic["entry"].as_str() {
        Some(found) if found == entry => Ok(()),
        found => Err(format!("entry {found:?}, expected {entry:?}")),
    }
}

fn message_has(diagnostic: &Value, word: &str) -> Result<(), String> {
    let message = diagnostic["message"].as_str().unwrap_or_default();
    if message.contains(word) {
        Ok(())
    } else {
        Err(format!("message {message:?} does not mention {word:?}"))
    }
}

fn span_is(diagnostic: &Value, line: u64, column: u64) -> Result<(), String> {
    let span = &diagnostic["span"];
    let found = (span["line"].as_u64(), span["column"].as_u64());
    if found == (Some(line), Some(column)) {
        Ok(())
    } else {
        Err(format!("span {span}, expected line {line} column {column}"))
    }
}

/// Code → default severity, from `--list-rules` (so new rules are seen).
fn listed_rules() -> BTreeMap<String, String> {
    let output = run(&["--list-rules"]);
    assert!(output.status.success(), "--list-rules fails");
    stdout(&output)
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let code = words.next()?;
            let _name = words.next()?;
            // `error/warning`: the default comes first.
            let severity = words.next()?.split('/').next()?;
            Some((code.to_string(), severity.to_string()))
        })
        .collect()
}

/// Runs one case in a fresh temporary folder.
fn lint(case: &Case) -> (Value, i32) {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = match case.input {
        Input::Package(file) => package(file),
        Input::Built(build) => build(dir.path()),
    };
    let folder = dir.path().to_str().expect("UTF-8 temp path");
    let mut args = vec![input.to_str().expect("UTF-8 path").to_string()];
    args.extend(case.args.iter().map(|arg| arg.replace("{dir}", folder)));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_json(&args)
}

fn diagnostics(document: &Value) -> &[Value] {
    document["packages"][0]["diagnostics"]
        .as_array()
        .map_or(&[], Vec::as_slice)
}

/// The exit status must say whether an error was reported.
fn status_problem(document: &Value, status: i32) -> Option<String> {
    let has_error = document["summary"]["errors"].as_u64() != Some(0);
    (status != i32::from(has_error))
        .then(|| format!("exit status {status} with summary {}", document["summary"]))
}

/// What is wrong with the triggering run, if anything.
fn triggering_problems(row: &Row, severity: &str, document: &Value, status: i32) -> Vec<String> {
    let found: Vec<&Value> = diagnostics(document)
        .iter()
        .filter(|d| d["code"] == row.code)
        .collect();
    let Some(first) = found.iter().find(|d| d["severity"] == severity) else {
        let codes: Vec<String> = diagnostics(document)
            .iter()
            .map(|d| format!("{} ({})", d["code"], d["severity"]))
            .collect();
        return vec![format!("not reported as {severity}; found {codes:?}")];
    };
    let mut problems: Vec<String> = status_problem(document, status).into_iter().collect();
    let mut expected: Vec<&str> = row.also.iter().copied().chain([row.code]).collect();
    expected.sort_unstable();
    let found = common::codes(document);
    if found != expected {
        problems.push(format!("reports {found:?}, expected {expected:?}"));
    }
    if let Some(check) = row.check
        && let Err(problem) = check(first)
    {
        problems.push(problem);
    }
    problems
}

#[test]
fn every_rule_fires_on_its_case_and_not_on_the_clean_one() {
    let severities = listed_rules();
    let mut failures = Vec::new();
    for row in table() {
        let severity = severities.get(row.code).map_or("?", String::as_str);
        let (document, status) = lint(&row.triggers);
        for problem in triggering_problems(&row, severity, &document, status) {
            failures.push(format!("{} triggering case: {problem}", row.code));
        }
        let (document, status) = lint(&row.clean);
        let reported = diagnostics(&document).iter().any(|d| d["code"] == row.code);
        if reported {
            failures.push(format!(
                "{} clean case reports it: {}",
                row.code, document["packages"][0]["diagnostics"]
            ));
        }
        if let Some(problem) = status_problem(&document, status) {
            failures.push(format!("{} clean case: {problem}", row.code));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_table_covers_every_rule() {
    let listed: Vec<String> = listed_rules().into_keys().collect();
    let mut covered: Vec<String> = table().iter().map(|row| row.code.to_string()).collect();
    covered.sort();
    let mut unique = covered.clone();
    unique.dedup();
    assert_eq!(covered, unique, "a code has more than one row");
    assert_eq!(covered, listed, "rows vs --list-rules");
    assert!(listed.len() >= 37, "--list-rules lists {}", listed.len());
}
