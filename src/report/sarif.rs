//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning and Microsoft's
//! SARIF validator accept it. Every rule is described in
//! `tool.driver.rules` from the registry and its doc in `rules/`.
//!
//! Paths below the working folder are written relative to `%SRCROOT%`
//! (declared in `originalUriBaseIds`), which is what `upload-sarif`
//! expects of a checkout; others are absolute `file://` URIs. Every result
//! has a region (line 1 of a package for a finding about the archive or an
//! entry in it, the real place in a project file) and a fingerprint that
//! survives runs and unrelated changes.

mod fixes;

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use serde_json::{Value, json};

use super::{HOMEPAGE, Report};
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::Outcome;
use crate::rules::Code;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
/// The key of our fingerprint in `partialFingerprints`; bump the version
/// if what goes into it ever changes.
const FINGERPRINT_KEY: &str = "ekpluginLint/v1";

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let results: Vec<Value> = report
        .outcomes
        .iter()
        .flat_map(|outcome| {
            let artifact = artifact_uri(&outcome.path, &cwd);
            let found: Vec<Value> = outcome
                .diagnostics
                .iter()
                .map(|d| result(outcome, &artifact, d))
                .collect();
            let proposed = fixes::proposed(outcome, &artifact, &|o, d| result(o, &artifact, d));
            found.into_iter().chain(proposed)
        })
        .collect();
    let notifications: Vec<Value> = report
        .failures
        .iter()
        .map(|failure| {
            json!({
                "level": "error",
                "message": {"text": failure.reason},
                "locations": [{"physicalLocation": {"artifactLocation":
                    artifact_uri(&failure.path, &cwd).to_json()}}],
            })
        })
        .collect();
    let document = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "ekplugin-lint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": HOMEPAGE,
                "rules": Code::ALL.iter().map(|&code| rule(code)).collect::<Vec<_>>(),
            }},
            "invocations": [{
                "executionSuccessful": report.failures.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "originalUriBaseIds": {SRCROOT: {"uri": directory_uri(&cwd)}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Where a rule's documentation is read on the web.
pub fn help_uri(code: Code) -> String {
    format!("{HOMEPAGE}/blob/main/rules/{code}.md")
}

fn rule(code: Code) -> Value {
    let full = doc_section(code.doc(), "What it catches").unwrap_or(code.summary());
    json!({
        "id": code.as_str(),
        "name": pascal_case(code.name()),
        "shortDescription": {"text": sentence(code.summary())},
        "fullDescription": {"text": sentence(full)},
        "help": {"text": code.doc(), "markdown": code.doc()},
        "helpUri": help_uri(code),
        "defaultConfiguration": {"level": level(code.default_severity())},
        "properties": {"tags": [code.family().as_str(), code.name()]},
    })
}

/// SARIF rule names are identifiers in Pascal case (`MissingExport`).
fn pascal_case(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect()
}

/// SARIF wants descriptions to be sentences, ending with a full stop.
fn sentence(text: &str) -> String {
    let text = text.trim();
    if text.ends_with(['.', '!', '?']) {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

/// The text of a `## heading` section of a rule doc.
fn doc_section<'d>(doc: &'d str, heading: &str) -> Option<&'d str> {
    let start = doc.find(&format!("## {heading}\n"))? + heading.len() + 4;
    let rest = &doc[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    Some(rest[..end].trim())
}

/// Where an input is, as a SARIF artifact location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactUri {
    pub uri: String,
    /// `%SRCROOT%` for a path below the working folder.
    pub base: Option<&'static str>,
}

impl ArtifactUri {
    /// The location of an entry inside this artifact (a zip), for fixes.
    fn inside(&self, entry: &str, description: String) -> Value {
        let mut location = ArtifactUri {
            uri: format!("{}/{}", self.uri, path_uri(Path::new(entry))),
            base: self.base,
        }
        .to_json();
        location["description"] = json!({"text": description});
        location
    }

    fn to_json(&self) -> Value {
        match self.base {
            Some(base) => json!({"uri": self.uri, "uriBaseId": base}),
            None => json!({"uri": self.uri}),
        }
    }
}

/// `path` relative to `cwd` (`%SRCROOT%`) when it lies below it, else an
/// absolute `file://` URI; `..` and `.` are resolved first.
pub fn artifact_uri(path: &Path, cwd: &Path) -> ArtifactUri {
    let absolute = normalize(&cwd.join(path));
    match absolute.strip_prefix(normalize(cwd)) {
        Ok(relative) if relative.as_os_str().is_empty() => ArtifactUri {
            uri: ".".to_string(),
            base: Some(SRCROOT),
        },
        Ok(relative) => ArtifactUri {
            uri: encode(&relative.to_string_lossy()),
            base: Some(SRCROOT),
        },
        Err(_) => ArtifactUri {
            uri: format!("file://{}", encode(&absolute.to_string_lossy())),
            base: None,
        },
    }
}

/// The working folder as the absolute URI `%SRCROOT%` stands for (a
/// folder URI ends with `/`).
fn directory_uri(cwd: &Path) -> String {
    let mut uri = format!("file://{}", encode(&normalize(cwd).to_string_lossy()));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Resolves `.` and `..` without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A path as the path part of a URI: `\` becomes `/` and every byte a path
/// segment cannot hold is percent-encoded (a raw `%`, space or `#` is not
/// a URI), `:` too (in a relative reference's first segment it would read
/// as a scheme).
fn encode(path: &str) -> String {
    let text = path.replace('\\', "/");
    let mut uri = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// A path as a URI path (an entry `--diff` proposes to change).
fn path_uri(path: &Path) -> String {
    encode(&path.to_string_lossy())
}

/// A stable identity of a finding across runs: its rule, its input (as
/// the report names it), the entry it is in and its message. Line numbers
/// stay out, so editing a descriptor elsewhere does not churn alerts.
/// FNV-1a, 64 bits: stable across builds and platforms, unlike std's hasher.
pub fn fingerprint(uri: &str, diagnostic: &Diagnostic) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let parts = [
        diagnostic.code.as_str(),
        uri,
        diagnostic.entry.as_deref().unwrap_or(""),
        &diagnostic.message,
    ];
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

fn result(outcome: &Outcome, artifact: &ArtifactUri, diagnostic: &Diagnostic) -> Value {
    let mut message = diagnostic.message.clone();
    let mut region = json!({"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1});
    let mut location = json!({"physicalLocation": {"artifactLocation": artifact.to_json()}});
    match (outcome.inner_entry(diagnostic), diagnostic.span) {
        // A finding inside a zip entry: code scanning can only point at the
        // zip, so the entry (and the place in it) goes into the message.
        (Some(entry), span) => {
            let place = span.map_or(String::new(), |s| format!(":{}:{}", s.line, s.column));
            message = format!("{entry}{place}: {message}");
            location["logicalLocations"] = json!([{
                "name": entry,
                "fullyQualifiedName": format!("{}/{entry}", artifact.uri),
                "kind": "resource",
            }]);
        }
        (None, Some(span)) => {
            let text = diagnostic
                .entry
                .as_ref()
                .and_then(|e| outcome.sources.get(e));
            let (end_line, end_column) = match text {
                Some(text) => {
                    let end = crate::diagnostic::Span::from_offset(text, span.offset + span.len, 0);
                    (end.line, end.column)
                }
                None => (span.line, span.column + span.len),
            };
            region = json!({
                "startLine": span.line,
                "startColumn": span.column,
                "endLine": end_line,
                "endColumn": end_column.max(span.column + usize::from(end_line == span.line)),
            });
        }
        (None, None) => {}
    }
    location["physicalLocation"]["region"] = region;
    if let Some(help) = &diagnostic.help {
        message = format!("{message}\nhelp: {help}");
    }
    json!({
        "ruleId": diagnostic.code.as_str(),
        "ruleIndex": Code::ALL.iter().position(|&c| c == diagnostic.code),
        "level": level(diagnostic.severity),
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(&artifact.uri, diagnostic)},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_sections() {
        let doc = "# X\n\n## What it catches\nA thing.\n\n## Why\nB";
        assert_eq!(doc_section(doc, "What it catches"), Some("A thing."));
        assert_eq!(doc_section(doc, "Why"), Some("B"));
        assert_eq!(doc_section(doc, "Fix"), None);
    }

    #[test]
    fn paths_below_the_working_folder_are_relative_to_srcroot() {
        let cwd = Path::new("/ci/checkout");
        let relative = |path: &str| {
            let artifact = artifact_uri(Path::new(path), cwd);
            assert_eq!(artifact.base, Some(SRCROOT), "{path}");
            artifact.uri
        };
        assert_eq!(relative("dist/Pulse@v1.0.0.zip"), "dist/Pulse@v1.0.0.zip");
        assert_eq!(relative("/ci/checkout/dist/x.zip"), "dist/x.zip");
        assert_eq!(relative("./dist/../x.zip"), "x.zip");
        assert_eq!(relative("50%,a:b c.zip"), "50%25,a%3Ab%20c.zip");
    }

    #[test]
    fn paths_outside_are_absolute_file_uris() {
        let cwd = Path::new("/ci/checkout");
        let artifact = artifact_uri(Path::new("/tmp/my x.zip"), cwd);
        assert_eq!(artifact.uri, "file:///tmp/my%20x.zip");
        assert_eq!(artifact.base, None);
        assert_eq!(
            artifact_uri(Path::new("../other/x.zip"), cwd).uri,
            "file:///ci/other/x.zip"
        );
        assert_eq!(directory_uri(cwd), "file:///ci/checkout/");
    }

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        let a = Diagnostic::new(Code::A005, "dup").entry("x");
        assert_eq!(fingerprint("p.zip", &a), fingerprint("p.zip", &a.clone()));
        assert_ne!(fingerprint("p.zip", &a), fingerprint("q.zip", &a));
        assert_ne!(
            fingerprint("p.zip", &a),
            fingerprint("p.zip", &a.clone().entry("y"))
        );
        // Pinned: a change here churns every code-scanning alert.
        assert_eq!(fingerprint("p.zip", &a), "b43eb10a2808720d");
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(pascal_case("missing-export"), "MissingExport");
    }
}
