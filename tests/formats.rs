//! The machine formats against their own definitions: `--format sarif`
//! against the SARIF 2.1.0 JSON schema (as published in the `serde-sarif`
//! crate), `--format github` against the workflow-command escaping rules,
//! and both against the JSON report of the same run; `--format human`
//! underlines the place a diagnostic points at.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use common::{derived_zip, root};

/// Runs the binary in `dir` and returns its stdout and exit status.
fn run_in(dir: &Path, args: &[&str]) -> (String, i32) {
    let output = common::run_in(dir, args);
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 stdout");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (stdout, output.status.code().unwrap_or(-1))
}

fn run_format(dir: &Path, format: &str, args: &[&str]) -> String {
    let mut all = vec!["--format", format];
    all.extend_from_slice(args);
    run_in(dir, &all).0
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// A descriptor with a JSON syntax error on line 4 (a trailing comma).
const BROKEN_DESCRIPTOR: &str = "{\n  \"about\": {\n    \"trial\": true,\n  }\n}\n";

/// A temporary folder holding packages that exercise every location
/// shape: a span inside a zip entry, a span in a bare project file, a bare
/// library, an unreadable zip and a path that needs escaping.
struct Corpus {
    dir: tempfile::TempDir,
}

impl Corpus {
    const PATHS: &'static [&'static str] = &[
        "broken-descriptor.zip",
        "etc/sources/pulse.json",
        "Garbage.so",
        "junk.zip",
        "50%,odd:name.zip",
    ];

    fn new() -> Corpus {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let odd_entries: &[(&str, &[u8])] =
            &[("100%.txt", b"unused"), ("two\r\nlines.txt", b"unused")];
        let files: Vec<(&str, Vec<u8>)> = vec![
            (
                "broken-descriptor.zip",
                derived_zip(
                    "pulse.zip",
                    &["pulse.json"],
                    &[("pulse.json", BROKEN_DESCRIPTOR.as_bytes())],
                ),
            ),
            (
                "etc/sources/pulse.json",
                BROKEN_DESCRIPTOR.as_bytes().to_vec(),
            ),
            ("Garbage.so", vec![0x5a; 4096]),
            ("junk.zip", b"PK\x03\x04junk".to_vec()),
            (
                "50%,odd:name.zip",
                derived_zip("pulse-instance.zip", &[], odd_entries),
            ),
        ];
        for (name, data) in &files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, data).unwrap();
        }
        Corpus { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The fixture folder (every built package) and the corpus's files.
    fn args(&self) -> Vec<String> {
        let mut args = vec![root().join("fixtures/packages").display().to_string()];
        args.extend(Self::PATHS.iter().map(|p| p.to_string()));
        args
    }

    fn run(&self, format: &str) -> String {
        let args = self.args();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_format(self.path(), format, &args)
    }
}

/// One diagnostic of the JSON report, with its package.
struct Finding {
    path: String,
    in_zip: bool,
    diagnostic: Value,
}

fn findings(document: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    for package in document["packages"].as_array().expect("packages") {
        let path = package["path"].as_str().expect("path").to_string();
        for diagnostic in package["diagnostics"].as_array().expect("diagnostics") {
            findings.push(Finding {
                in_zip: path.ends_with(".zip"),
                path: path.clone(),
                diagnostic: diagnostic.clone(),
            });
        }
    }
    findings
}

fn text<'v>(value: &'v Value, what: &str) -> &'v str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {value}"))
}

/// `code → (name, severity, summary)` from `--list-rules`.
fn listed_rules() -> Vec<(String, String, String, String)> {
    let (stdout, _) = run_in(&root(), &["--list-rules"]);
    stdout
        .lines()
        .map(|line| {
            let (code, rest) = line.split_once("  ").expect("code column");
            let rest = rest.trim_start();
            let (name, rest) = rest.split_once(' ').expect("name column");
            let rest = rest.trim_start();
            let (severity, summary) = rest.split_once(' ').expect("severity column");
            (
                code.to_string(),
                name.to_string(),
                severity.to_string(),
                summary.trim_start().to_string(),
            )
        })
        .collect()
}

// ---- SARIF ----------------------------------------------------------------

fn cargo(args: &[&str]) -> Vec<u8> {
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    let output = Command::new(cargo).args(args).output().expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The folder of the `serde-sarif` crate this build resolved, from cargo.
fn serde_sarif_dir() -> PathBuf {
    let version = String::from_utf8(cargo(&["-vV"])).expect("UTF-8");
    let host = version
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("cargo -vV names the host");
    // Only the host's dependencies: the others may not be downloaded.
    let manifest = root().join("Cargo.toml");
    let metadata = cargo(&[
        "metadata",
        "--format-version",
        "1",
        "--offline",
        "--filter-platform",
        host,
        "--manifest-path",
        manifest.to_str().expect("UTF-8 path"),
    ]);
    let metadata: Value = serde_json::from_slice(&metadata).expect("metadata JSON");
    let package = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|package| package["name"] == "serde-sarif")
        .expect("serde-sarif is a dev-dependency");
    let manifest = text(&package["manifest_path"], "manifest_path");
    Path::new(manifest)
        .parent()
        .expect("the crate folder")
        .to_path_buf()
}

/// The SARIF 2.1.0 schema of the OASIS TC (sarif-spec's
/// `Schemata/sarif-schema-2.1.0.json`), as serde-sarif ships it to
/// generate its types, brought up to the approved errata 01.
fn sarif_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let path = serde_sarif_dir().join("src/schema.json");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut schema = parse(&text);
        assert_eq!(
            schema["title"],
            "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema",
            "{} is the SARIF 2.1.0 schema",
            path.display()
        );
        assert_eq!(
            schema["properties"]["version"]["enum"],
            serde_json::json!(["2.1.0"])
        );
        apply_errata(&mut schema);
        schema
    })
}

/// The two changes of SARIF 2.1.0 errata 01 that matter to a validator:
/// the language tag pattern (the original has a stray `]`, which a strict
/// regex engine refuses to compile) and a region must say where it starts.
fn apply_errata(schema: &mut Value) {
    const ORIGINAL: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    const FIXED: &str = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$";
    let definitions = &mut schema["definitions"];
    for owner in ["run", "toolComponent"] {
        let pattern = &mut definitions[owner]["properties"]["language"]["pattern"];
        if pattern == ORIGINAL {
            *pattern = FIXED.into();
        }
    }
    let region = definitions["region"]
        .as_object_mut()
        .expect("a region definition");
    region.entry("anyOf").or_insert_with(|| {
        serde_json::json!([
            {"required": ["startLine"]},
            {"required": ["charOffset"]},
            {"required": ["byteOffset"]},
        ])
    });
}

fn schema_errors(document: &Value) -> Vec<String> {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(sarif_schema())
        .expect("the schema compiles");
    validator
        .iter_errors(document)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect()
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let corpus = Corpus::new();
    let document = parse(&corpus.run("sarif"));
    let errors = schema_errors(&document);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert_eq!(document["version"], "2.1.0");
    assert!(
        text(&document["$schema"], "$schema").ends_with("sarif-schema-2.1.0.json"),
        "{}",
        document["$schema"]
    );
    assert_eq!(document["runs"].as_array().map(Vec::len), Some(1));
    // A run without findings is valid too.
    let clean = parse(&run_format(
        &root(),
        "sarif",
        &["fixtures/packages/pulse.zip"],
    ));
    assert_eq!(schema_errors(&clean), Vec::<String>::new());
    assert_eq!(clean["runs"][0]["results"], serde_json::json!([]));
}

/// Makes a valid SARIF document invalid in one way.
type Breakage = fn(&mut Value);

#[test]
fn the_schema_check_catches_broken_sarif() {
    let corpus = Corpus::new();
    let good = parse(&corpus.run("sarif"));
    let breakages: [(&str, Breakage); 5] = [
        ("no version", |d| {
            d.as_object_mut().unwrap().remove("version");
        }),
        ("an unknown level", |d| {
            d["runs"][0]["results"][0]["level"] = "fatal".into();
        }),
        ("a rule without id", |d| {
            d["runs"][0]["tool"]["driver"]["rules"][0]
                .as_object_mut()
                .unwrap()
                .remove("id");
        }),
        ("a region that does not say where it starts", |d| {
            let results = d["runs"][0]["results"].as_array_mut().unwrap();
            let with_region = results
                .iter_mut()
                .find(|r| {
                    r["locations"][0]["physicalLocation"]
                        .get("region")
                        .is_some()
                })
                .expect("a result with a region");
            with_region["locations"][0]["physicalLocation"]["region"] =
                serde_json::json!({"startColumn": 3});
        }),
        ("a message without text", |d| {
            d["runs"][0]["results"][0]["message"] = serde_json::json!({});
        }),
    ];
    for (what, breakage) in breakages {
        let mut broken = good.clone();
        breakage(&mut broken);
        assert!(
            !schema_errors(&broken).is_empty(),
            "{what} passes the schema"
        );
    }
}

/// Decodes `%XX` escapes of a URI (a `%` without two hex digits stays).
fn percent_decoded(uri: &str) -> String {
    let bytes = uri.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("a UTF-8 path")
}

fn sarif_level(severity: &str) -> &'static str {
    match severity {
        "error" => "error",
        "warning" => "warning",
        "info" => "note",
        other => panic!("severity {other}"),
    }
}

#[test]
fn sarif_rules_describe_every_rule() {
    let document = parse(&run_format(
        &root(),
        "sarif",
        &["fixtures/packages/pulse.zip"],
    ));
    let driver = &document["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "ekplugin-lint");
    assert!(driver["version"].is_string());
    let information = text(&driver["informationUri"], "informationUri");
    assert!(
        information.starts_with("https://") && !information.contains("lf-edge"),
        "the tool's own page, not eKuiper's: {information}"
    );
    let rules = driver["rules"].as_array().expect("tool.driver.rules");
    let listed = listed_rules();
    assert_eq!(rules.len(), listed.len(), "one SARIF rule per listed rule");
    for (rule, (code, name, severity, summary)) in rules.iter().zip(&listed) {
        assert_eq!(rule["id"], code.as_str());
        // SARIF rule names are Pascal-case identifiers of the kebab name.
        assert_eq!(
            text(&rule["name"], "name").to_lowercase(),
            name.replace('-', ""),
            "{code}"
        );
        assert_eq!(
            rule["shortDescription"]["text"],
            format!("{}.", summary.trim_end_matches('.')),
            "{code}"
        );
        let help_uri = text(&rule["helpUri"], "helpUri");
        assert!(
            help_uri.starts_with("https://") && help_uri.ends_with(&format!("/rules/{code}.md")),
            "{code}: {help_uri}"
        );
        let full = text(&rule["fullDescription"]["text"], "fullDescription");
        assert!(!full.trim().is_empty(), "{code}: empty fullDescription");
        let doc = std::fs::read_to_string(root().join(format!("rules/{code}.md"))).unwrap();
        assert!(
            doc.contains(full.trim_end_matches('.')),
            "{code}: fullDescription is not from the doc"
        );
        let help = text(&rule["help"]["text"], "help");
        assert!(
            help.starts_with(&format!("# {code} {name}\n")) && help.ends_with(doc.as_str()),
            "{code}: help is the doc (registry title and severities, then the prose)"
        );
        assert_eq!(
            rule["defaultConfiguration"]["level"],
            sarif_level(severity.split('/').next().unwrap()),
            "{code}"
        );
    }
}

#[test]
fn sarif_results_match_the_json_report() {
    let corpus = Corpus::new();
    let sarif = parse(&corpus.run("sarif"));
    let json = parse(&corpus.run("json"));
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().expect("results");
    let findings = findings(&json);
    assert_eq!(results.len(), findings.len(), "one result per diagnostic");
    let mut shapes = BTreeMap::new();
    let mut fingerprints = std::collections::BTreeSet::new();
    let originals = &run["originalUriBaseIds"]["%SRCROOT%"]["uri"];
    assert!(
        text(originals, "%SRCROOT%").starts_with("file:///") && text(originals, "").ends_with('/'),
        "{originals}"
    );
    for (result, finding) in results.iter().zip(&findings) {
        let d = &finding.diagnostic;
        let code = text(&d["code"], "code");
        let context = format!("{} {code}", finding.path);
        assert_eq!(result["ruleId"], code, "{context}");
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], code, "{context}: ruleIndex");
        assert_eq!(
            result["level"],
            sarif_level(text(&d["severity"], "severity"))
        );
        let message = text(&result["message"]["text"], "message.text");
        assert!(
            message.contains(text(&d["message"], "message")),
            "{context}"
        );
        if let Some(help) = d.get("help") {
            assert!(message.contains(text(help, "help")), "{context}: help");
        }
        let locations = result["locations"].as_array().expect("locations");
        assert_eq!(locations.len(), 1, "{context}");
        let physical = &locations[0]["physicalLocation"];
        let artifact = &physical["artifactLocation"];
        let uri = text(&artifact["uri"], "uri");
        // Below the working folder: relative to %SRCROOT%; elsewhere (the
        // fixtures, named by absolute path): an absolute file URI.
        match uri.strip_prefix("file://") {
            Some(absolute) => {
                assert!(artifact.get("uriBaseId").is_none(), "{context}");
                assert_eq!(percent_decoded(absolute), finding.path, "{context}");
            }
            None => {
                assert_eq!(artifact["uriBaseId"], "%SRCROOT%", "{context}");
                assert_eq!(percent_decoded(uri), finding.path, "{context}");
            }
        }
        let fingerprint = &result["partialFingerprints"]["ekpluginLint/v1"];
        assert!(
            fingerprints.insert(text(fingerprint, "fingerprint").to_string()),
            "{context}: a fingerprint twice"
        );
        let region = physical.get("region");
        let whole_file = |region: Option<&Value>| {
            let region = region.unwrap_or_else(|| panic!("{context}: no region"));
            assert_eq!(region["startLine"], 1, "{context}");
            assert!(region["endLine"].is_u64(), "{context}");
        };
        let logical = locations[0].get("logicalLocations");
        let shape = match (finding.in_zip, d.get("entry"), d.get("span")) {
            (true, Some(entry), span) => {
                let logical = logical.unwrap_or_else(|| panic!("{context}: no entry location"));
                assert_eq!(logical[0]["name"], *entry, "{context}");
                let place =
                    span.map_or(String::new(), |s| format!(":{}:{}", s["line"], s["column"]));
                let prefix = format!("{}{place}: ", text(entry, "entry"));
                assert!(message.starts_with(&prefix), "{context}: {message}");
                // A zip cannot be pointed into: its first line stands in.
                whole_file(region);
                if span.is_some() {
                    "entry with span"
                } else {
                    "entry"
                }
            }
            (false, _, Some(span)) => {
                let region = region.unwrap_or_else(|| panic!("{context}: no region"));
                // The errata's schema requires one of these in a region.
                assert_eq!(region["startLine"], span["line"], "{context}");
                assert_eq!(region["startColumn"], span["column"], "{context}");
                assert!(region["endLine"].as_u64() >= region["startLine"].as_u64());
                assert!(region["endColumn"].is_u64(), "{context}");
                "region"
            }
            _ => {
                whole_file(region);
                assert!(logical.is_none(), "{context}");
                "package"
            }
        };
        *shapes.entry(shape).or_insert(0) += 1;
    }
    for shape in ["entry with span", "entry", "region", "package"] {
        assert!(
            shapes.contains_key(shape),
            "no `{shape}` result: {shapes:?}"
        );
    }
}

// ---- GitHub workflow commands ---------------------------------------------

/// One `::command key=value,…::data` line, decoded.
#[derive(Debug)]
struct Annotation {
    command: String,
    properties: BTreeMap<String, String>,
    data: String,
}

fn unescape(text: &str) -> String {
    text.replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

fn parse_annotation(line: &str) -> Annotation {
    let rest = line
        .strip_prefix("::")
        .unwrap_or_else(|| panic!("not a workflow command: {line}"));
    let (head, data) = rest
        .split_once("::")
        .unwrap_or_else(|| panic!("no `::` before the data: {line}"));
    let (command, properties) = head.split_once(' ').unwrap_or((head, ""));
    let properties = properties
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|property| {
            let (key, value) = property
                .split_once('=')
                .unwrap_or_else(|| panic!("a property without `=`: {property} in {line}"));
            (key.to_string(), unescape(value))
        })
        .collect();
    Annotation {
        command: command.to_string(),
        properties,
        data: unescape(data),
    }
}

fn assert_escaped(line: &str) {
    let (head, data) = line[2..].split_once("::").unwrap();
    // A bare `%` would be read as the start of an escape.
    for part in [head, data] {
        for (i, _) in part.match_indices('%') {
            let escape = part.get(i..i + 3).unwrap_or_default();
            assert!(
                ["%25", "%0A", "%0D", "%3A", "%2C"].contains(&escape),
                "an unescaped % in {line}"
            );
        }
    }
    assert!(!line.contains('\r'), "a raw CR in {line:?}");
}

#[test]
fn github_annotations_round_trip_to_the_json_report() {
    let corpus = Corpus::new();
    let github = corpus.run("github");
    let json = parse(&corpus.run("json"));
    let findings = findings(&json);
    let lines: Vec<&str> = github.lines().collect();
    assert_eq!(lines.len(), findings.len(), "one line per diagnostic");
    for (line, finding) in lines.iter().zip(&findings) {
        assert_escaped(line);
        let annotation = parse_annotation(line);
        let d = &finding.diagnostic;
        let code = text(&d["code"], "code");
        let expected_command = match text(&d["severity"], "severity") {
            "error" => "error",
            "warning" => "warning",
            _ => "notice",
        };
        assert_eq!(annotation.command, expected_command, "{line}");
        let p = &annotation.properties;
        assert_eq!(p.get("file"), Some(&finding.path), "{line}");
        let title = format!("{code} {}", text(&d["rule"], "rule"));
        assert_eq!(p.get("title"), Some(&title), "{line}");
        let mut expected = text(&d["message"], "message").to_string();
        let span = d.get("span");
        match (finding.in_zip, d.get("entry")) {
            (true, Some(entry)) => {
                let place =
                    span.map_or(String::new(), |s| format!(":{}:{}", s["line"], s["column"]));
                expected = format!("{}{place}: {expected}", text(entry, "entry"));
                assert!(!p.contains_key("line"), "{line}");
            }
            _ => {
                let line_col = span.map(|s| (s["line"].to_string(), s["column"].to_string()));
                assert_eq!(
                    p.get("line").cloned().zip(p.get("col").cloned()),
                    line_col,
                    "{line}"
                );
            }
        }
        if let Some(help) = d.get("help") {
            expected = format!("{expected}\nhelp: {}", text(help, "help"));
        }
        assert_eq!(annotation.data, expected, "{line}");
    }
}

#[test]
fn github_escapes_percent_newlines_commas_and_colons() {
    let corpus = Corpus::new();
    let github = run_format(corpus.path(), "github", &["50%,odd:name.zip"]);
    let lines: Vec<&str> = github.lines().collect();
    assert_eq!(lines.len(), 3, "{github}");
    for line in &lines {
        assert!(
            line.contains(" file=50%25%2Codd%3Aname.zip,title="),
            "{line}"
        );
    }
    // The help follows the message on a line of its own.
    assert!(
        lines.iter().all(|line| line.contains("%0Ahelp: ")),
        "{github}"
    );
    let unused: Vec<&&str> = lines.iter().filter(|l| l.contains("A009")).collect();
    assert_eq!(unused.len(), 2, "{github}");
    assert!(unused.iter().any(|l| l.contains("100%25.txt")), "{github}");
    assert!(
        unused.iter().any(|l| l.contains("two%0D%0Alines.txt")),
        "{github}"
    );
}

#[test]
fn github_output_snapshot() {
    let packages = [
        "fixtures/packages/mathx-missing.zip",
        "fixtures/packages/pulse-instance.zip",
        "fixtures/packages/pulse-misnamed.zip",
        "fixtures/packages/pulse.zip",
        "fixtures/packages/ledger-cexe.zip",
    ];
    let mut args = vec!["--target", "2.2"];
    args.extend(packages);
    let (github, status) = run_in(&root(), &{
        let mut all = vec!["--format", "github"];
        all.extend(&args);
        all
    });
    assert_eq!(status, 1);
    insta::assert_snapshot!("github-fixtures", github);
    let corpus = Corpus::new();
    insta::assert_snapshot!(
        "github-project-file",
        run_format(corpus.path(), "github", &["etc/sources/pulse.json"])
    );
}

// ---- human ----------------------------------------------------------------

#[test]
fn human_output_underlines_the_span() {
    let corpus = Corpus::new();
    let (human, status) = run_in(
        corpus.path(),
        &[
            "--name",
            "pulse",
            "--kind",
            "source",
            "broken-descriptor.zip",
        ],
    );
    assert_eq!(status, 1);
    assert!(human.contains("M002(invalid-descriptor)"), "{human}");
    assert!(human.contains("╭─[pulse.json:4:3]"), "{human}");
    // The offending line, then the underline beneath its column.
    let lines: Vec<&str> = human.lines().collect();
    let at = lines
        .iter()
        .position(|line| line.trim_start().starts_with("4 │"))
        .unwrap_or_else(|| panic!("line 4 is not shown: {human}"));
    let bar = lines[at].chars().position(|c| c == '│').unwrap();
    let marker = lines[at + 1].chars().skip(bar).position(|c| c == '┬');
    // After the bar, one space, then the text: column 3 is 1 + 3 along.
    assert_eq!(marker, Some(1 + 3), "{human}");
    assert!(!human.contains('\u{1b}'), "NO_COLOR is honoured: {human}");
    insta::assert_snapshot!("human-broken-descriptor", human);
}

#[test]
fn sarif_diff_output_proposes_valid_fixes() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let script: &[u8] = b"#!/bin/sh\r\nset -e\r\n";
    let bytes = common::derived_zip("pulse.zip", &["pulse.yaml"], &[("install.sh", script)]);
    std::fs::write(dir.path().join("p.zip"), bytes).expect("write the package");
    let output = common::run_in(dir.path(), &["--diff", "--format", "sarif", "p.zip"]);
    let document = parse(&String::from_utf8_lossy(&output.stdout));
    let errors = schema_errors(&document);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let results = document["runs"][0]["results"].as_array().expect("results");
    let mut fixed: Vec<(&str, &str)> = results
        .iter()
        .filter_map(|result| {
            let change = &result.get("fixes")?[0]["artifactChanges"][0];
            let uri = change["artifactLocation"]["uri"].as_str()?;
            let text = change["replacements"][0]["insertedContent"]["text"].as_str()?;
            Some((uri, text))
        })
        .collect();
    fixed.sort();
    assert_eq!(
        fixed,
        [
            ("p.zip/install.sh", "#!/bin/sh\nset -e\n"),
            (
                "p.zip/pulse.yaml",
                "default:\n  interval: 1000\n  seed: 0\n"
            ),
        ]
    );
}
