//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning accepts it. Every
//! rule is described in `tool.driver.rules` from its doc in `rules/`.

mod fixes;

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::Outcome;
use crate::rules::Code;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/lf-edge/ekuiper";

pub fn write(outcomes: &[Outcome], out: &mut dyn Write) -> io::Result<()> {
    let results: Vec<Value> = outcomes
        .iter()
        .flat_map(|outcome| {
            let found = outcome.diagnostics.iter().map(move |d| result(outcome, d));
            found.chain(fixes::proposed(outcome, result))
        })
        .collect();
    let document = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "ekplugin-lint",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": Code::ALL.iter().map(|&code| rule(code)).collect::<Vec<_>>(),
            }},
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

fn rule(code: Code) -> Value {
    json!({
        "id": code.as_str(),
        "name": code.name(),
        "shortDescription": {"text": code.summary()},
        "fullDescription": {"text": doc_section(code.doc(), "What it catches").unwrap_or(code.summary())},
        "help": {"text": code.doc(), "markdown": code.doc()},
        "defaultConfiguration": {"level": level(code.default_severity())},
    })
}

/// The text of a `## heading` section of a rule doc.
fn doc_section<'d>(doc: &'d str, heading: &str) -> Option<&'d str> {
    let start = doc.find(&format!("## {heading}\n"))? + heading.len() + 4;
    let rest = &doc[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    Some(rest[..end].trim())
}

/// A file path as a SARIF `uri`, an RFC 3986 relative reference: `\`
/// becomes `/` and every byte a path segment cannot hold is
/// percent-encoded (a raw `%`, space or `#` is not a URI), `:` too (in the
/// first segment it would read as a scheme).
fn path_uri(path: &std::path::Path) -> String {
    let text = path.display().to_string().replace('\\', "/");
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

fn result(outcome: &Outcome, diagnostic: &Diagnostic) -> Value {
    let uri = path_uri(&outcome.path);
    let in_entry = outcome.inner_entry(diagnostic);
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message = format!("{message}\nhelp: {help}");
    }
    let mut location = json!({"physicalLocation": {"artifactLocation": {"uri": uri}}});
    match (in_entry, diagnostic.span) {
        // A finding inside a zip entry: code scanning can only point at the
        // zip, so the entry (and the place in it) goes into the message.
        (Some(entry), span) => {
            let place = span.map_or(String::new(), |s| format!(":{}:{}", s.line, s.column));
            message = format!("{entry}{place}: {message}");
            location["logicalLocations"] = json!([{
                "name": entry,
                "fullyQualifiedName": format!("{uri}/{entry}"),
                "kind": "resource",
            }]);
        }
        (None, Some(span)) => {
            location["physicalLocation"]["region"] =
                json!({"startLine": span.line, "startColumn": span.column});
        }
        (None, None) => {}
    }
    json!({
        "ruleId": diagnostic.code.as_str(),
        "ruleIndex": Code::ALL.iter().position(|&c| c == diagnostic.code),
        "level": level(diagnostic.severity),
        "message": {"text": message},
        "locations": [location],
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
    fn paths_become_uri_references() {
        use std::path::Path;
        assert_eq!(
            path_uri(Path::new("dist/Pulse@v1.0.0.zip")),
            "dist/Pulse@v1.0.0.zip"
        );
        assert_eq!(path_uri(Path::new("50%,a:b c.zip")), "50%25,a%3Ab%20c.zip");
        assert_eq!(path_uri(Path::new("dist\\x.zip")), "dist/x.zip");
    }
}
