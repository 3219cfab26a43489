//! `--fix` and `--diff` through the real binary. For every fixable rule, a
//! package with the mistake (derived here from a committed fixture) is
//! repaired into one the linter passes and the fixture host installs and
//! loads. A clean package is left alone (same bytes, same mtime); an
//! unreadable one is refused and left alone; a write cut short by a file
//! size limit leaves the original intact.

mod common;

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use common::variants::{Patch, Zip, patch};
use common::{root, run_in};

const HOST: &str = "fixtures/host/kuiperd-stand-in";

fn pulse() -> Zip {
    Zip::open("packages/pulse.zip")
}

/// `--fix` with `--format json` on `file` in `dir`; returns the report.
fn fix(dir: &Path, file: &str, args: &[&str]) -> (Value, Output) {
    let mut all = vec!["--fix", "--format", "json", file];
    all.extend_from_slice(args);
    let output = run_in(dir, &all);
    let document = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (document, output)
}

/// What the fixture host says of a package: `(stage, message)`; what
/// eKuiper would only log (a host that reports it) is part of the message.
fn host(zip: &Path, name: &str, kind: &str) -> (String, String) {
    let output = Command::new(root().join(HOST))
        .arg(zip)
        .args([name, kind])
        .output()
        .expect("the fixture host runs");
    let verdict: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "the host printed no verdict ({e}): {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let mut message = verdict["message"].as_str().unwrap_or_default().to_string();
    for line in verdict["log"].as_array().into_iter().flatten() {
        message.push_str(&format!("; log: {line}"));
    }
    (
        verdict["stage"].as_str().unwrap_or_default().to_string(),
        message,
    )
}

fn codes(document: &Value) -> Vec<String> {
    let mut codes: Vec<String> = document["packages"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] != "info")
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    codes.dedup();
    codes
}

fn fixed_rules(document: &Value) -> Vec<String> {
    let mut rules: Vec<String> = document["packages"][0]["fixes"]
        .as_array()
        .expect("a fixes array")
        .iter()
        .map(|change| change["rule"].as_str().unwrap().to_string())
        .collect();
    rules.sort();
    rules.dedup();
    rules
}

/// One fixable mistake: the broken package, how it is registered, and
/// the rule the fix is recorded under.
struct Broken {
    rule: &'static str,
    bytes: Vec<u8>,
    name: &'static str,
    kind: &'static str,
    /// Whether the host already fails on the broken package (some
    /// mistakes only cost a warning or a future reader's confusion).
    host_fails_before: bool,
}

fn nested() -> Vec<u8> {
    let mut zip = pulse().with("etc/pulse.conf", b"level: 1\n");
    for name in [
        "Pulse@v1.0.0.so",
        "pulse.json",
        "pulse.yaml",
        "etc/pulse.conf",
    ] {
        zip = zip.renamed(name, &format!("pulse/{name}"));
    }
    zip.with("__MACOSX/pulse/._pulse.json", b"\0\x05\x16\x07")
        .bytes()
}

fn unsafe_path() -> Vec<u8> {
    let mut bytes = pulse().with("aa/evil.sh", b"rm -rf /\n").bytes();
    patch(&mut bytes, "aa/evil.sh", Patch::Name("../evil.sh"));
    bytes
}

/// A folder zipped by a Windows tool that writes `\` separators.
fn windows_separators() -> Vec<u8> {
    let mut zip = pulse();
    for name in ["Pulse@v1.0.0.so", "pulse.json", "pulse.yaml"] {
        zip = zip.renamed(name, &format!("pulse\\{name}"));
    }
    zip.bytes()
}

fn duplicate_config() -> Vec<u8> {
    let stale = b"default:\n  interval: 5\n";
    let mut bytes = pulse().with("pulse.yamX", stale).bytes();
    patch(&mut bytes, "pulse.yamX", Patch::Name("pulse.yaml"));
    bytes
}

/// pulse.json compressed with bzip2 (`zip -Z bzip2`), which Go cannot read.
fn bzip2_entry() -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let source = pulse();
    let descriptor = source.data("pulse.json");
    let base = source.without("pulse.json").bytes();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(base)).unwrap();
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        writer
            .raw_copy_file(archive.by_index_raw(index).unwrap())
            .unwrap();
    }
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Bzip2);
    writer.start_file("pulse.json", options).unwrap();
    writer.write_all(&descriptor).unwrap();
    writer.finish().unwrap().into_inner()
}

fn broken_packages() -> Vec<Broken> {
    let broken = |rule, bytes, host_fails_before| Broken {
        rule,
        bytes,
        name: "pulse",
        kind: "source",
        host_fails_before,
    };
    vec![
        broken("A002", nested(), true),
        broken("A003", unsafe_path(), false),
        broken("A003", windows_separators(), true),
        broken(
            "A004",
            pulse().with_symlink("passwd", "/etc/passwd").bytes(),
            false,
        ),
        // Both hosts count the second config: the install fails.
        broken("A005", duplicate_config(), true),
        broken("A009", pulse().with("notes.txt", b"todo\n").bytes(), false),
        broken("A010", bzip2_entry(), false),
        broken(
            "L001",
            pulse()
                .renamed("Pulse@v1.0.0.so", "pulse_plugin-1.0.so")
                .bytes(),
            true,
        ),
        broken(
            "L003",
            pulse()
                .renamed("Pulse@v1.0.0.so", "pulse@v1.0.0.so")
                .bytes(),
            false,
        ),
        broken(
            "L004",
            pulse()
                .renamed("Pulse@v1.0.0.so", "Pulse@latest.so")
                .bytes(),
            false,
        ),
        broken("C001", pulse().without("pulse.yaml").bytes(), true),
        broken("M001", pulse().without("pulse.json").bytes(), false),
        broken(
            "I002",
            pulse()
                .with("install.sh", b"#!/bin/sh\r\nset -e\r\necho installed\r\n")
                .bytes(),
            false,
        ),
    ]
}

#[test]
fn each_fixable_mistake_is_repaired_into_a_package_the_host_loads() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (index, case) in broken_packages().into_iter().enumerate() {
        let file = format!("{}-{index}.zip", case.rule);
        let path = dir.path().join(&file);
        std::fs::write(&path, &case.bytes).unwrap();
        let before = host(&path, case.name, case.kind);
        if case.host_fails_before && before.0 == "ok" {
            failures.push(format!(
                "{}: the host already loads the broken package",
                case.rule
            ));
        }
        let (document, output) = fix(
            dir.path(),
            &file,
            &["--name", case.name, "--kind", case.kind],
        );
        let remaining = codes(&document);
        if !remaining.is_empty() || output.status.code() != Some(0) {
            failures.push(format!(
                "{}: after --fix (exit {:?}) still {remaining:?}: {}",
                case.rule,
                output.status.code(),
                document["packages"][0]["diagnostics"]
            ));
        }
        if !fixed_rules(&document).contains(&case.rule.to_string()) {
            failures.push(format!(
                "{}: no fix recorded under the rule: {}",
                case.rule, document["packages"][0]["fixes"]
            ));
        }
        let after = host(&path, case.name, case.kind);
        if after.0 != "ok" || after.1.contains("; log: ") {
            failures.push(format!("{}: the host says {after:?}", case.rule));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn a_sink_library_is_renamed_once_name_and_kind_are_known() {
    let dir = tempfile::tempdir().unwrap();
    let path = Zip::open("packages/ledger.zip")
        .renamed("ledger.so", "ledger_sink.so")
        .write_to(dir.path(), "ledger.zip");
    assert_eq!(host(&path, "ledger", "sink").0, "install");
    let (document, _) = fix(
        dir.path(),
        "ledger.zip",
        &["--name", "ledger", "--kind", "sink"],
    );
    assert_eq!(codes(&document), Vec::<String>::new());
    assert_eq!(document["packages"][0]["plugin"]["library"], "Ledger.so");
    assert_eq!(host(&path, "ledger", "sink").0, "ok");
}

#[test]
fn duplicates_keep_the_copy_ekuiper_keeps() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dup.zip");
    std::fs::write(&path, duplicate_config()).unwrap();
    fix(dir.path(), "dup.zip", &[]);
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut config = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("pulse.yaml").unwrap(), &mut config)
        .unwrap();
    // eKuiper extracts a source's config only when none exists yet: the
    // first copy (the fixture's) is the one it installs.
    assert!(config.contains("seed: 0"), "{config}");
}

#[test]
fn fixing_a_clean_package_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pulse.zip");
    std::fs::copy(common::fixture("packages/pulse.zip"), &path).unwrap();
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let (document, output) = fix(dir.path(), "pulse.zip", &[]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(document["packages"][0]["fixes"], serde_json::json!([]));
    assert!(document["packages"][0].get("written").is_none());
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(
        bytes,
        std::fs::read(common::fixture("packages/pulse.zip")).unwrap()
    );
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), old);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn an_unreadable_zip_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.zip");
    let mut bytes = pulse().bytes();
    bytes.truncate(bytes.len() - 30);
    std::fs::write(&path, &bytes).unwrap();
    let (document, output) = fix(dir.path(), "broken.zip", &[]);
    assert_eq!(output.status.code(), Some(1));
    let refused = document["packages"][0]["refused"].as_str().unwrap();
    assert!(refused.contains("not a readable zip"), "{refused}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not fixed"), "{stderr}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// The binary under a file size limit (`ulimit -f`): the repaired package
/// (about 600 KB) cannot be written whole.
fn fix_with_file_size_limit(dir: &Path, file: &str, limit: u64) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ekplugin-lint"));
    command
        .args(["--fix", file, "--name", "pulse", "--kind", "source"])
        .current_dir(dir)
        .env("NO_COLOR", "1");
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between
    // fork and exec.
    unsafe {
        command.pre_exec(move || {
            let rlimit = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command.output().expect("the binary runs")
}

#[test]
fn a_write_cut_short_leaves_the_original_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested.zip");
    let bytes = nested();
    std::fs::write(&path, &bytes).unwrap();
    let output = fix_with_file_size_limit(dir.path(), "nested.zip", 64 * 1024);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot fix"), "{stderr}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    let left: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(left, [path], "a temporary file was left behind");
}

#[test]
fn output_file_and_folder_leave_the_input_alone_and_are_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested.zip");
    let bytes = nested();
    std::fs::write(&path, &bytes).unwrap();
    let (_, first) = fix(dir.path(), "nested.zip", &["-o", "a.zip"]);
    assert_eq!(first.status.code(), Some(0));
    fix(dir.path(), "nested.zip", &["--out-dir", "out"]);
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    let a = std::fs::read(dir.path().join("a.zip")).unwrap();
    let b = std::fs::read(dir.path().join("out/nested.zip")).unwrap();
    assert_eq!(a, b, "the same input gives the same bytes");
    // Fixed order, fixed date, normal modes, deflate, no extra fields.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&a)).unwrap();
    let names: Vec<String> = (0..archive.len())
        .map(|i| archive.name_for_index(i).unwrap().unwrap().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "Pulse@v1.0.0.so",
            "pulse.json",
            "pulse.yaml",
            "etc/pulse.conf"
        ]
    );
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).unwrap();
        assert_eq!(entry.compression(), zip::CompressionMethod::Deflated);
        assert_eq!(entry.unix_mode(), Some(0o100_644));
        assert!(entry.extra_data().is_none_or(|extra| extra.is_empty()));
        let date = entry.last_modified().unwrap();
        assert_eq!((date.year(), date.month(), date.day()), (1980, 1, 1));
    }
    assert_eq!(host(&dir.path().join("a.zip"), "pulse", "source").0, "ok");
    // A repaired package has nothing left to repair.
    let (again, _) = fix(dir.path(), "a.zip", &[]);
    assert_eq!(again["packages"][0]["fixes"], serde_json::json!([]));
    assert_eq!(std::fs::read(dir.path().join("a.zip")).unwrap(), a);
}

#[test]
fn diff_shows_the_plan_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested.zip");
    std::fs::write(&path, nested()).unwrap();
    let before = std::fs::read(&path).unwrap();
    let output = run_in(dir.path(), &["--diff", "nested.zip"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("rename  pulse/Pulse@v1.0.0.so -> Pulse@v1.0.0.so  [A002"),
        "{text}"
    );
    assert!(
        text.contains("remove  __MACOSX/pulse/._pulse.json"),
        "{text}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    let clean = run_in(&root(), &["--diff", "fixtures/packages/pulse.zip"]);
    assert_eq!(clean.status.code(), Some(0));
}

#[test]
fn a_generated_config_carries_the_descriptor_defaults() {
    let dir = tempfile::tempdir().unwrap();
    pulse().without("pulse.yaml").write_to(dir.path(), "p.zip");
    let output = run_in(
        dir.path(),
        &["--diff", "p.zip", "--name", "pulse", "--kind", "source"],
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("+ default:\n          +   interval: 1000\n          +   seed: 0\n"),
        "{text}"
    );
}

#[test]
fn library_findings_end_with_the_rebuild_command() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::fixture("packages/pulse-go1253.zip"),
        dir.path().join("old.zip"),
    )
    .unwrap();
    let (document, output) = fix(dir.path(), "old.zip", &[]);
    assert_eq!(output.status.code(), Some(1));
    let rebuild: Vec<&str> = document["packages"][0]["rebuild"]
        .as_array()
        .expect("rebuild commands")
        .iter()
        .map(|line| line.as_str().unwrap())
        .collect();
    assert!(
        rebuild.contains(&"go get github.com/lf-edge/ekuiper/contract/v2@v2.3.1"),
        "{rebuild:?}"
    );
    assert!(
        rebuild
            .iter()
            .any(|line| line.contains("go build -buildmode=plugin -trimpath")
                && line.ends_with("-o Pulse@v1.0.0.so .")),
        "{rebuild:?}"
    );
    assert!(
        rebuild.iter().any(|line| line.contains("go1.25.4")),
        "{rebuild:?}"
    );
}

#[test]
fn o_needs_exactly_one_package() {
    let output = run_in(
        &root(),
        &[
            "--fix",
            "-o",
            "x.zip",
            "fixtures/packages/pulse.zip",
            "fixtures/packages/ledger.zip",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn only_native_zip_packages_are_repaired_and_out_dir_names_must_differ() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Pulse.so"), b"\x7fELF").unwrap();
    let (document, output) = fix(dir.path(), "Pulse.so", &[]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        document["packages"][0]["refused"],
        "only zip packages can be repaired"
    );
    assert_eq!(
        std::fs::read(dir.path().join("Pulse.so")).unwrap(),
        b"\x7fELF"
    );
    let portable = dir.path().join("pyrand.zip");
    std::fs::copy(common::fixture("packages/pyrand-portable.zip"), &portable).unwrap();
    let before = std::fs::read(&portable).unwrap();
    let (document, _) = fix(dir.path(), "pyrand.zip", &[]);
    let refused = document["packages"][0]["refused"].as_str().unwrap();
    assert!(refused.contains("portable"), "{refused}");
    assert_eq!(std::fs::read(&portable).unwrap(), before);
    std::fs::create_dir(dir.path().join("a")).unwrap();
    std::fs::copy(
        common::fixture("packages/pulse.zip"),
        dir.path().join("a/p.zip"),
    )
    .unwrap();
    std::fs::copy(
        common::fixture("packages/pulse.zip"),
        dir.path().join("p.zip"),
    )
    .unwrap();
    let clash = run_in(
        dir.path(),
        &["--fix", "--out-dir", "out", "p.zip", "a/p.zip"],
    );
    assert_eq!(clash.status.code(), Some(2));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn descriptors_for_sinks_and_functions_say_what_the_package_tells() {
    let dir = tempfile::tempdir().unwrap();
    Zip::open("packages/mathx.zip")
        .without("mathx.json")
        .write_to(dir.path(), "mathx.zip");
    let (document, _) = fix(
        dir.path(),
        "mathx.zip",
        &["--name", "mathx", "--kind", "function"],
    );
    assert_eq!(codes(&document), Vec::<String>::new());
    // An absolute path replaces the fixtures folder.
    let fixed = Zip::open(dir.path().join("mathx.zip").to_str().unwrap());
    let descriptor: Value = serde_json::from_slice(&fixed.data("mathx.json")).unwrap();
    assert_eq!(descriptor["functions"][0]["name"], "clamp");
    assert_eq!(descriptor["functions"][1]["name"], "lerp");
    let output = Command::new(root().join(HOST))
        .arg(dir.path().join("mathx.zip"))
        .args(["mathx", "function", "clamp", "lerp"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains(r#""stage":"ok""#));

    Zip::open("packages/ledger.zip")
        .without("ledger.json")
        .write_to(dir.path(), "ledger.zip");
    let (document, _) = fix(
        dir.path(),
        "ledger.zip",
        &["--name", "ledger", "--kind", "sink"],
    );
    assert_eq!(codes(&document), Vec::<String>::new());
    assert_eq!(
        host(&dir.path().join("ledger.zip"), "ledger", "sink").0,
        "ok"
    );
}
