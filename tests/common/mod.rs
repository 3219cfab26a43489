//! Shared helpers for the CLI tests: run the real binary, read the fixture
//! manifest.

#![allow(dead_code)]

#[path = "../../src/cpu_time.rs"]
pub mod cpu_time;
pub mod variants;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde::Deserialize;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(path: &str) -> PathBuf {
    root().join("fixtures").join(path)
}

/// Runs the binary from the crate root (so paths in output are relative).
pub fn run(args: &[&str]) -> Output {
    run_in(&root(), args)
}

/// Runs the binary in `dir` (a settings file is looked up from there).
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ekplugin-lint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// Runs with `--format json` and returns the parsed document.
pub fn run_json(args: &[&str]) -> (serde_json::Value, i32) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let output = run(&all);
    let document = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            stdout(&output),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (document, output.status.code().unwrap_or(-1))
}

/// The codes of a JSON document's first package, sorted.
pub fn codes(document: &serde_json::Value) -> Vec<String> {
    let mut codes: Vec<String> = document["packages"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics array")
        .iter()
        .map(|d| d["code"].as_str().expect("code").to_string())
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

#[derive(Debug, Deserialize)]
pub struct Manifest {
    pub package: Vec<Case>,
}

/// One built fixture package and what it was built to trigger.
#[derive(Debug, Deserialize)]
pub struct Case {
    pub file: String,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub functions: Vec<String>,
    pub expect: Vec<String>,
    pub built_with: BuiltWith,
}

/// The part of how a case was built that the tests need.
#[derive(Debug, Deserialize)]
pub struct BuiltWith {
    /// GOARCH of a Go build; amd64 unless given.
    #[serde(default = "amd64")]
    pub arch: String,
}

fn amd64() -> String {
    "amd64".to_string()
}

impl Case {
    /// Each loader that judged this package: the stand-in host (for
    /// `--host`) and the verdict it recorded. A plugin for another machine
    /// is judged by the host built for it and by the amd64 one.
    pub fn loaders(&self) -> Vec<(String, Verdict)> {
        let stem = self.file.trim_end_matches(".zip");
        let native = (
            host(&self.built_with.arch),
            verdict(&format!("{stem}.verdict.json")),
        );
        if self.built_with.arch == "amd64" {
            return vec![native];
        }
        let on_amd64 = verdict(&format!("{stem}.on-amd64.verdict.json"));
        vec![native, (host("amd64"), on_amd64)]
    }
}

/// The stand-in host built for a GOARCH by fixtures/build.sh.
pub fn host(arch: &str) -> String {
    match arch {
        "amd64" => "fixtures/host/kuiperd-stand-in".to_string(),
        other => format!("fixtures/host/kuiperd-stand-in-{other}"),
    }
}

pub fn manifest() -> Manifest {
    let text = std::fs::read_to_string(fixture("manifest.toml")).expect("fixtures/manifest.toml");
    toml::from_str(&text).expect("a valid manifest")
}

/// The loader's verdict recorded next to a package by fixtures/build.sh.
#[derive(Debug, Deserialize)]
pub struct Verdict {
    pub stage: String,
    /// `ok`, `install` (Register fails), `rule` (installs, every rule
    /// using it fails) or `dead` (the process aborts).
    pub outcome: String,
    pub message: String,
}

fn verdict(file: &str) -> Verdict {
    let path = fixture(&format!("packages/{file}"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("a verdict")
}

pub fn exists(path: &Path) -> bool {
    path.exists()
}

/// A copy of the fixture package `from` without the entries in `drop`
/// and with `add` appended, written by the one test zip writer
/// ([`variants::Zip`]).
pub fn derived_zip(from: &str, drop: &[&str], add: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = variants::Zip::open(&format!("packages/{from}"));
    for name in drop {
        zip = zip.without(name);
    }
    for (name, data) in add {
        zip = zip.with(name, data);
    }
    zip.bytes()
}

/// `size` bytes of zeros as one deflate stream, built from one compressed
/// MiB repeated: the test never holds the inflated bytes.
pub fn zeros_deflated(size: u64) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    const MIB: usize = 1 << 20;
    let mut compressor = Compress::new(Compression::best(), false);
    let mut chunk = Vec::with_capacity(MIB);
    compressor
        .compress_vec(&vec![0; MIB], &mut chunk, FlushCompress::Full)
        .expect("deflate");
    let mut end = Vec::with_capacity(64);
    compressor
        .compress_vec(&[], &mut end, FlushCompress::Finish)
        .expect("deflate");
    let copies = usize::try_from(size).expect("a size that fits in memory") / MIB;
    let mut stream = chunk.repeat(copies);
    stream.extend_from_slice(&end);
    stream
}
