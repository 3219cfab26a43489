use super::*;
use crate::check::Context;
use crate::inspect::{Declared, inspect};
use crate::read::{Container, Entry, EntryKind, Method, Package};

fn entry(name: &str, data: &[u8]) -> Entry {
    Entry {
        name: name.to_string(),
        raw_name: name.as_bytes().to_vec(),
        kind: EntryKind::File,
        method: Method::Deflated,
        encrypted: false,
        compressed_size: data.len() as u64,
        uncompressed_size: data.len() as u64,
        data: Some(Ok(data.to_vec())),
    }
}

fn package(files: &[(&str, &str)]) -> Package {
    Package {
        path: "test.zip".into(),
        container: Container::Zip,
        entries: files
            .iter()
            .map(|(name, text)| entry(name, text.as_bytes()))
            .collect(),
        unreadable: None,
        over_limit: None,
    }
}

fn lint(package: &Package, name: &str, kind: Option<Kind>) -> Vec<Diagnostic> {
    let declared = Declared {
        name: Some(name.to_string()),
        kind,
    };
    let facts = inspect(package, &declared);
    let mut out = Vec::new();
    check(
        &Context {
            facts: &facts,
            target: None,
        },
        &mut out,
    );
    out
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<(Code, Severity)> {
    diagnostics.iter().map(|d| (d.code, d.severity)).collect()
}

const SOURCE_JSON: &str = r#"{
  "about": {"trial": false, "author": {"name": "EMQ"}, "helpUrl": {"en_US": "https://x"}, "description": {"en_US": "Random"}},
  "properties": {"default": [{"name": "interval", "default": 1000, "type": "int"}, {"name": "seed", "default": 1}]}
}"#;
const SOURCE_YAML: &str = "default:\n  interval: 1000\n  seed: 1\nfast:\n  Interval: 10\n";
const SINK_JSON: &str =
    r#"{"about": {"trial": false}, "properties": [{"name": "path", "type": "string"}]}"#;
const FUNCTION_JSON: &str =
    r#"{"about": {}, "name": "echo", "functions": [{"name": "echo", "example": "echo(a)"}]}"#;

#[test]
fn clean_packages_have_no_findings() {
    let source = package(&[("random.json", SOURCE_JSON), ("random.yaml", SOURCE_YAML)]);
    assert_eq!(lint(&source, "random", Some(Kind::Source)), vec![]);
    let sink = package(&[("file.json", SINK_JSON)]);
    assert_eq!(lint(&sink, "file", Some(Kind::Sink)), vec![]);
    let function = package(&[("echo.json", FUNCTION_JSON)]);
    assert_eq!(lint(&function, "echo", Some(Kind::Function)), vec![]);
}

/// eKuiper only logs a missing descriptor, for every kind: a warning.
#[test]
fn m001_missing_descriptor_by_kind() {
    let source = package(&[("random.yaml", SOURCE_YAML)]);
    assert_eq!(
        codes(&lint(&source, "random", Some(Kind::Source))),
        [(Code::M001, Severity::Warning)]
    );
    let empty = package(&[]);
    for kind in [Some(Kind::Sink), Some(Kind::Function), None] {
        assert_eq!(
            codes(&lint(&empty, "x", kind)),
            [(Code::M001, Severity::Warning)],
            "{kind:?}"
        );
    }
}

#[test]
fn m002_invalid_json_with_span_and_entry() {
    let sink = package(&[("file.json", "{\n  \"about\": {,\n}")]);
    let found = lint(&sink, "file", Some(Kind::Sink));
    assert_eq!(codes(&found), [(Code::M002, Severity::Error)]);
    assert_eq!(found[0].entry.as_deref(), Some("file.json"));
    let span = found[0].span.unwrap();
    assert_eq!((span.line, span.column), (2, 13));
}

#[test]
fn m002_non_utf8_descriptor() {
    let mut sink = package(&[]);
    sink.entries
        .push(entry("file.json", b"{\"about\": \"\xff\"}"));
    let found = lint(&sink, "file", Some(Kind::Sink));
    assert_eq!(codes(&found), [(Code::M002, Severity::Error)]);
    assert!(found[0].message.contains("UTF-8"), "{}", found[0].message);
}

#[test]
fn m003_missing_about_is_an_error_except_for_functions() {
    let sink = package(&[("file.json", r#"{"properties": []}"#)]);
    let found = lint(&sink, "file", Some(Kind::Sink));
    assert_eq!(codes(&found), [(Code::M003, Severity::Error)]);
    assert!(found[0].message.contains("`about`"));
    let function = package(&[(
        "echo.json",
        r#"{"name": "echo", "functions": [{"name": "echo"}]}"#,
    )]);
    assert_eq!(
        codes(&lint(&function, "echo", Some(Kind::Function))),
        [(Code::M003, Severity::Warning)]
    );
}

#[test]
fn m003_wrong_type_severity_depends_on_reader_and_kind() {
    let sink = package(&[(
        "file.json",
        r#"{"about": {"trial": "no"}, "properties": [], "node": []}"#,
    )]);
    let found = lint(&sink, "file", Some(Kind::Sink));
    assert_eq!(
        codes(&found),
        [
            (Code::M003, Severity::Error),
            (Code::M003, Severity::Warning)
        ]
    );
    assert!(
        found[0]
            .message
            .contains("`about.trial` is a string, expected a boolean"),
        "{}",
        found[0].message
    );
    assert!(found[0].span.is_some() && found[0].help.is_some());
    let function = package(&[(
        "echo.json",
        r#"{"about": {"trial": "no"}, "name": "echo", "functions": [{"name": "echo"}]}"#,
    )]);
    assert_eq!(
        codes(&lint(&function, "echo", Some(Kind::Function))),
        [(Code::M003, Severity::Warning)]
    );
}

#[test]
fn m003_unknown_keys_warn() {
    let sink = package(&[(
        "file.json",
        r#"{"about": {"auther": {}}, "properties": [], "colour": 1}"#,
    )]);
    let found = lint(&sink, "file", Some(Kind::Sink));
    assert_eq!(
        codes(&found),
        [
            (Code::M003, Severity::Warning),
            (Code::M003, Severity::Warning)
        ]
    );
    assert!(
        found[0].message.contains("`auther` in `about`"),
        "{}",
        found[0].message
    );
}

#[test]
fn m003_source_properties_shape() {
    for (json, needle) in [
        (r#"{"about": {}}"#, "needs `properties`"),
        (r#"{"about": {}, "properties": []}"#, "must be an object"),
        (
            r#"{"about": {}, "properties": {"fast": []}}"#,
            "no `default`",
        ),
    ] {
        let source = package(&[("random.json", json), ("random.yaml", "default:\n")]);
        let found = lint(&source, "random", Some(Kind::Source));
        assert_eq!(codes(&found), [(Code::M003, Severity::Error)], "{json}");
        assert!(found[0].message.contains(needle), "{}", found[0].message);
    }
}

#[test]
fn m003_sink_properties_must_be_an_array() {
    let sink = package(&[(
        "file.json",
        r#"{"about": {}, "properties": {"default": []}}"#,
    )]);
    let found = lint(&sink, "file", Some(Kind::Sink));
    assert_eq!(codes(&found), [(Code::M003, Severity::Error)]);
    assert_eq!(found[0].span.unwrap().column, 29);
}

#[test]
fn m003_function_needs_named_functions() {
    for json in [
        r#"{"about": {}, "name": "echo"}"#,
        r#"{"about": {}, "name": "echo", "functions": []}"#,
        r#"{"about": {}, "name": "echo", "functions": [{"example": "echo(a)"}]}"#,
        r#"{"about": {}, "name": "echo", "functions": [{"name": ""}]}"#,
    ] {
        let function = package(&[("echo.json", json)]);
        let found = lint(&function, "echo", Some(Kind::Function));
        assert_eq!(codes(&found), [(Code::M003, Severity::Error)], "{json}");
    }
}

#[test]
fn m003_findings_are_capped() {
    let keys: Vec<String> = (0..200).map(|i| format!("\"k{i}\": 1")).collect();
    let json = format!(
        "{{\"about\": {{}}, \"properties\": [], {}}}",
        keys.join(",")
    );
    let sink = package(&[("file.json", &json)]);
    let found = lint(&sink, "file", Some(Kind::Sink));
    assert_eq!(found.len(), MAX_FINDINGS + 1);
    assert!(found[MAX_FINDINGS].message.contains("150 more"));
}

#[test]
fn m003_cap_counts_the_problems_the_parser_did_not_keep() {
    let extra = 500;
    let ints = vec!["1"; crate::inspect::descriptor::MAX_PROBLEMS + extra].join(",");
    let json = format!(r#"{{"about": {{}}, "properties": [], "libs": [{ints}]}}"#);
    let sink = package(&[("file.json", &json)]);
    let found = lint(&sink, "file", Some(Kind::Sink));
    assert_eq!(found.len(), MAX_FINDINGS + 1);
    let shown_later = crate::inspect::descriptor::MAX_PROBLEMS - MAX_FINDINGS + extra;
    assert!(
        found[MAX_FINDINGS]
            .message
            .starts_with(&format!("{shown_later} more M003")),
        "{}",
        found[MAX_FINDINGS].message
    );
}

#[test]
fn c001_source_without_config() {
    let source = package(&[("random.json", SOURCE_JSON)]);
    assert_eq!(
        codes(&lint(&source, "random", Some(Kind::Source))),
        [(Code::C001, Severity::Error)]
    );
    let sink = package(&[("file.json", SINK_JSON)]);
    assert_eq!(lint(&sink, "file", Some(Kind::Sink)), vec![]);
}

#[test]
fn c002_invalid_yaml_with_span() {
    let source = package(&[
        ("random.json", SOURCE_JSON),
        ("random.yaml", "default:\n  a: [1\n"),
    ]);
    let found = lint(&source, "random", Some(Kind::Source));
    assert_eq!(codes(&found), [(Code::C002, Severity::Error)]);
    assert_eq!(found[0].entry.as_deref(), Some("random.yaml"));
    assert!(found[0].span.is_some());
    let sink = package(&[("file.json", SINK_JSON), ("file.yaml", "a: [1\n")]);
    assert_eq!(lint(&sink, "file", Some(Kind::Sink)), vec![]);
}

#[test]
fn c003_missing_default_and_undeclared_keys() {
    let yaml = "fast:\n  interval: 10\n  intervall: 5\nslow: 3\n";
    let source = package(&[("random.json", SOURCE_JSON), ("random.yaml", yaml)]);
    let found = lint(&source, "random", Some(Kind::Source));
    assert_eq!(codes(&found), [(Code::C003, Severity::Warning); 3]);
    assert!(found[0].message.contains("no `default`"));
    assert!(
        found[1].message.contains("`fast.intervall`"),
        "{}",
        found[1].message
    );
    let span = found[1].span.unwrap();
    assert_eq!((span.line, span.column, span.len), (3, 3, 9));
    assert!(
        found[2].message.contains("`slow` holds a scalar"),
        "{}",
        found[2].message
    );
}

#[test]
fn c003_skips_key_check_without_usable_descriptor() {
    let yaml = "default:\n  anything: 1\n";
    let source = package(&[("random.json", "{"), ("random.yaml", yaml)]);
    assert_eq!(
        codes(&lint(&source, "random", Some(Kind::Source))),
        [(Code::M002, Severity::Error)]
    );
}
