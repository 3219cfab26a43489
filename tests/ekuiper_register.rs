//! eKuiper's own installer test, `TestManager_Register`
//! (`internal/plugin/native/manager_test.go` at v2.4.0), reproduced with
//! packages of ours (fixtures/register.toml): for every case the ported
//! host answered as eKuiper's test expects (its recorded verdict carries
//! eKuiper's error text), and the linter's verdict, with and without
//! `--host`, agrees with both.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use common::{fixture, run_json};

#[derive(Debug, Deserialize)]
struct Register {
    case: Vec<RegisterCase>,
}

#[derive(Debug, Deserialize)]
struct RegisterCase {
    test: String,
    name: String,
    kind: String,
    file: Option<String>,
    #[serde(default)]
    entries: Vec<(String, String)>,
    raw: Option<String>,
    /// What eKuiper's test expects `Register` to return; `None`: success.
    error: Option<String>,
    /// What the REST handler answers first, when it differs.
    rest_error: Option<String>,
    #[serde(default = "yes")]
    linted: bool,
}

fn yes() -> bool {
    true
}

/// The host's verdict, as fixtures/build.sh recorded it.
#[derive(Debug, Deserialize)]
struct Verdict {
    stage: String,
    outcome: String,
    message: String,
}

fn cases() -> Vec<RegisterCase> {
    let text = std::fs::read_to_string(fixture("register.toml")).expect("fixtures/register.toml");
    toml::from_str::<Register>(&text)
        .expect("a valid register.toml")
        .case
}

fn verdicts() -> std::collections::BTreeMap<String, Verdict> {
    let text = std::fs::read_to_string(fixture("register-verdicts.json"))
        .expect("fixtures/register-verdicts.json");
    serde_json::from_str(&text).expect("verdicts")
}

fn member(package: &str, entry: &str) -> Vec<u8> {
    let file = std::fs::File::open(fixture(&format!("packages/{package}"))).expect(package);
    let mut archive = zip::ZipArchive::new(file).expect("a zip");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name(entry).expect(entry), &mut bytes)
        .expect("inflates");
    bytes
}

/// The bytes register.toml names (its header says which).
fn source(name: &str) -> Vec<u8> {
    match name {
        "@random2" => member("random2.zip", "Random2.so"),
        "@legacy" => member("echo-go115.zip", "Echo.so"),
        "@empty" => Vec::new(),
        path => std::fs::read(fixture(&format!("plugins/{path}"))).expect(path),
    }
}

/// Packs the case as build.sh did for the host (same names, same order).
fn pack(case: &RegisterCase, dir: &Path) -> PathBuf {
    let path = dir.join(
        case.file
            .clone()
            .unwrap_or_else(|| format!("{}.zip", case.name)),
    );
    if let Some(raw) = &case.raw {
        std::fs::write(&path, source(raw)).expect("write");
        return path;
    }
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).expect("create"));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, from) in &case.entries {
        zip.start_file(name.as_str(), options).expect("entry");
        zip.write_all(&source(from)).expect("data");
    }
    zip.finish().expect("a zip");
    path
}

/// The codes that explain a failure at each stage of the host.
fn stage_codes(stage: &str) -> &'static [&'static str] {
    match stage {
        // The name, the layout, the zip itself.
        "install" => &[
            "A001", "A002", "A003", "L001", "L002", "L003", "L005", "C001",
        ],
        "crash" => &["E003", "B003", "B007"],
        "open" => &[
            "E001", "E002", "E004", "E005", "B002", "B003", "B004", "H001",
        ],
        "lookup" => &["S001", "S005"],
        "assert" => &["S002", "S004"],
        "stream" => &["S006"],
        "lookup-table" => &["S007"],
        "collector" => &["S008"],
        other => panic!("unknown stage `{other}`"),
    }
}

/// The linter's errors on the case's package.
fn errors(case: &RegisterCase, path: &Path, host: Option<&str>) -> Vec<String> {
    let path = path.to_str().expect("UTF-8 path");
    let mut args = vec![
        path,
        "--name",
        case.name.as_str(),
        "--kind",
        case.kind.as_str(),
    ];
    if let Some(host) = host {
        args.extend(["--host", host]);
    }
    let (document, status) = run_json(&args);
    let errors: Vec<String> = document["packages"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| d["code"].as_str().expect("code").to_string())
        .collect();
    assert_eq!(
        status,
        i32::from(!errors.is_empty()),
        "{}: exit status",
        case.test
    );
    errors
}

#[test]
fn the_host_answers_what_ekuipers_test_expects() {
    let verdicts = verdicts();
    for case in cases() {
        let verdict = &verdicts[&case.test];
        match (&case.rest_error, &case.error) {
            (Some(expected), _) | (None, Some(expected)) => {
                assert_eq!(verdict.outcome, "install", "{}", case.test);
                assert_eq!(&verdict.message, expected, "{}", case.test);
            }
            // Success in eKuiper's test, which skips plugin.Open
            // (conf.IsTesting): the layout installs. Only the pre-1.18
            // library (comp) then kills a real server.
            (None, None) if case.test == "11_comp" => assert_eq!(verdict.outcome, "dead"),
            (None, None) => assert_eq!(verdict.outcome, "ok", "{}: {verdict:?}", case.test),
        }
    }
}

#[test]
fn the_linter_agrees_with_ekuipers_test_and_the_host() {
    let dir = tempfile::tempdir().expect("temp dir");
    let verdicts = verdicts();
    let mut compared = 0;
    for case in cases().into_iter().filter(|case| case.linted) {
        let verdict = &verdicts[&case.test];
        let path = pack(&case, dir.path());
        for host in [None, Some("fixtures/host/kuiperd-stand-in")] {
            let errors = errors(&case, &path, host);
            let install = stage_codes("install");
            let refused = errors.iter().any(|code| install.contains(&code.as_str()));
            // eKuiper's test: Register fails exactly when it expects an error.
            assert_eq!(
                refused,
                case.error.is_some(),
                "{} ({host:?}): eKuiper expects {:?}, linter errors {errors:?}",
                case.test,
                case.error
            );
            // The host, which also opens the library: its stage explains.
            let agrees = match verdict.stage.as_str() {
                "ok" => errors.is_empty(),
                stage => errors
                    .iter()
                    .any(|code| stage_codes(stage).contains(&code.as_str())),
            };
            assert!(
                agrees,
                "{} ({host:?}): host says {} ({}), linter errors {errors:?}",
                case.test, verdict.stage, verdict.message
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 20, "ten cases, with and without --host");
}
