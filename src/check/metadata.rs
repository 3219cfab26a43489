//! M001–M003 (the descriptor) and C001–C003 (the source config).

use super::Context;
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::inspect::config::{Body, Config};
use crate::inspect::descriptor::{Descriptor, Field, Problem, Properties, Reader};
use crate::inspect::{Kind, ParseError};
use crate::read::{Container, Entry};
use crate::rules::Code;

/// Most findings of one rule per package; a hostile file could otherwise
/// produce one per value.
const MAX_FINDINGS: usize = 50;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    descriptor(ctx, out);
    config(ctx, out);
}

fn descriptor(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let facts = ctx.facts;
    let kind = facts.identity.kind;
    let Some(name) = facts.identity.name.as_deref() else {
        return;
    };
    let Some(file) = &facts.descriptor else {
        // Only a zip is missing its descriptor: a bare library or a
        // project file stands alone.
        if facts.package.container == Container::Zip {
            out.push(missing_descriptor(name, kind));
        }
        return;
    };
    if judged_by_archive_rules(ctx, file.entry) {
        return;
    }
    let entry = file.entry.name.as_str();
    match &file.parsed {
        Err(error) => out.push(
            unreadable(Code::M002, entry, error, format!("{entry} is not valid JSON"))
                .help("Fix the JSON syntax (a JSON linter shows the same place); eKuiper drops a descriptor it cannot decode."),
        ),
        Ok(descriptor) => {
            let mut findings = schema(descriptor, kind);
            cap(&mut findings, Code::M003, descriptor.omitted_problems);
            out.extend(findings.into_iter().map(|d| d.entry(entry)));
        }
    }
}

/// M002 or C002: `what` failed to parse, at the error's span when it has one.
fn unreadable(code: Code, entry: &str, error: &ParseError, what: String) -> Diagnostic {
    let diagnostic = Diagnostic::new(code, format!("{what}: {}", error.message)).entry(entry);
    match error.span {
        Some(span) => diagnostic.span(span),
        None => diagnostic,
    }
}

/// Whether the entry's data was never read and an archive rule (A004, A006,
/// A007, A008, A010) already says why: its contents are unknown, not
/// invalid. Project files get no archive rules, so they are still judged.
fn judged_by_archive_rules(ctx: &Context, entry: &Entry) -> bool {
    ctx.facts.package.container != Container::ProjectFile && entry.bytes().is_none()
}

/// M001: a warning for every kind, as eKuiper (1.x and 2.x) installs and
/// runs the plugin and only logs the missing descriptor.
fn missing_descriptor(name: &str, kind: Option<Kind>) -> Diagnostic {
    let what = kind.map_or("plugin".to_string(), |kind| kind.to_string());
    Diagnostic::new(
        Code::M001,
        format!("no {name}.json descriptor: the {what} installs and runs, but gets no form or description in eKuiper's UI"),
    )
    .help(format!(
        "Add {name}.json at the zip's root with an `about` object (and `properties` for sources and sinks, `functions` for functions)."
    ))
}

/// M003 findings, in document order for each part.
fn schema(descriptor: &Descriptor, kind: Option<Kind>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if descriptor.root.value != crate::inspect::descriptor::JsonType::Object {
        out.push(
            Diagnostic::new(
                Code::M003,
                format!(
                    "the descriptor is {}, expected an object",
                    descriptor.root.value.described()
                ),
            )
            .span(descriptor.root.span)
            .help("Make the descriptor one JSON object with `about` and the kind's fields."),
        );
        return out;
    }
    if descriptor.about.is_none() {
        out.push(missing_about(descriptor.root.span, kind));
    }
    out.extend(
        descriptor
            .problems
            .iter()
            .map(|problem| problem_finding(problem, kind)),
    );
    match kind {
        Some(Kind::Source) => source_shape(descriptor, &mut out),
        Some(Kind::Sink) => sink_shape(descriptor, &mut out),
        Some(Kind::Function) => function_shape(descriptor, &mut out),
        None => {}
    }
    out
}

fn missing_about(root: Span, kind: Option<Kind>) -> Diagnostic {
    let (severity, consequence) = match kind {
        Some(Kind::Function) => (
            Severity::Warning,
            "the UI lists the functions without author or description",
        ),
        _ => (
            Severity::Error,
            "eKuiper drops the descriptor (\"not found about of …\")",
        ),
    };
    Diagnostic::new(
        Code::M003,
        format!("the descriptor has no `about` object: {consequence}"),
    )
    .severity(severity)
    .span(Span { len: 1, ..root })
    .help("Add \"about\": {\"trial\": false, \"author\": {\"name\": …}, \"helpUrl\": {\"en_US\": …}, \"description\": {\"en_US\": …}}.")
}

fn problem_finding(problem: &Problem, kind: Option<Kind>) -> Diagnostic {
    match problem {
        Problem::WrongType {
            path,
            expected,
            found,
            reader,
            span,
        } => {
            let (severity, consequence) = wrong_type_cost(*reader, kind);
            Diagnostic::new(
                Code::M003,
                format!(
                    "`{path}` is {}, expected {expected}: {consequence}",
                    found.described()
                ),
            )
            .severity(severity)
            .span(*span)
            .help(format!("Write `{path}` as {expected}."))
        }
        Problem::UnknownKey { path, key, span } => {
            let place = if path.is_empty() {
                "at the top level".to_string()
            } else {
                format!("in `{path}`")
            };
            Diagnostic::new(
                Code::M003,
                format!("unknown key `{key}` {place}: eKuiper ignores it"),
            )
            .severity(Severity::Warning)
            .span(*span)
            .help("Check the key's spelling against eKuiper's descriptor format, or remove it.")
        }
        Problem::DuplicateKey { path, key, span } => {
            let place = if path.is_empty() {
                String::new()
            } else {
                format!(" in `{path}`")
            };
            Diagnostic::new(
                Code::M003,
                format!("key `{key}` appears twice{place}: Go's decoder keeps the last one"),
            )
            .severity(Severity::Warning)
            .span(*span)
            .help("Keep one occurrence of the key.")
        }
    }
}

/// What a wrong type costs, by who reads the value and the plugin kind.
fn wrong_type_cost(reader: Reader, kind: Option<Kind>) -> (Severity, &'static str) {
    match (reader, kind) {
        (Reader::UiOnly, _) => (
            Severity::Warning,
            "only the UI reads it, and may show it wrong",
        ),
        (_, Some(Kind::Function)) => (
            Severity::Warning,
            "eKuiper serves function descriptors to the UI as they are",
        ),
        (Reader::NestedFields, _) => (
            Severity::Error,
            "eKuiper fails to convert the nested fields and drops the descriptor",
        ),
        (Reader::GoDecoder, Some(Kind::Source)) => (
            Severity::Error,
            "Go's decoder skips the value, so the UI loses it",
        ),
        (Reader::GoDecoder, _) => (
            Severity::Error,
            "Go's decoder fails and eKuiper drops the descriptor",
        ),
    }
}

fn source_shape(descriptor: &Descriptor, out: &mut Vec<Diagnostic>) {
    match &descriptor.properties {
        None => out.push(
            Diagnostic::new(
                Code::M003,
                "a source descriptor needs `properties`: without it eKuiper fails to load the source's config (\"json map does not have properties value\")",
            )
            .span(Span { len: 1, ..descriptor.root.span })
            .help("Add \"properties\": {\"default\": [ …fields… ]} listing the config's properties."),
        ),
        Some(Properties::Sections { span, .. }) => {
            if descriptor.properties.as_ref().and_then(|p| p.section("default")).is_none() {
                out.push(
                    Diagnostic::new(
                        Code::M003,
                        "source `properties` has no `default` key: the UI form and the config loader read `properties.default`",
                    )
                    .span(Span { len: 1, ..*span })
                    .help("Put the source's fields under \"properties\": {\"default\": [ … ]}."),
                );
            }
        }
        Some(other) => out.push(
            Diagnostic::new(
                Code::M003,
                "source `properties` must be an object from config key to fields; eKuiper fails to load the source's config otherwise",
            )
            .span(other.span())
            .help("Write \"properties\": {\"default\": [ …fields… ]}; the array form is for sinks."),
        ),
    }
}

fn sink_shape(descriptor: &Descriptor, out: &mut Vec<Diagnostic>) {
    let Some(properties) = &descriptor.properties else {
        return;
    };
    if matches!(properties, Properties::Fields { .. }) {
        return;
    }
    out.push(
        Diagnostic::new(
            Code::M003,
            "sink `properties` must be an array of fields: Go's decoder fails and eKuiper drops the descriptor",
        )
        .span(properties.span())
        .help("Write \"properties\": [ {\"name\": …, \"type\": …}, … ]; the object form is for sources."),
    );
}

fn function_shape(descriptor: &Descriptor, out: &mut Vec<Diagnostic>) {
    let root = Span {
        len: 1,
        ..descriptor.root.span
    };
    let Some(functions) = &descriptor.functions else {
        out.push(
            Diagnostic::new(
                Code::M003,
                "a function descriptor needs a `functions` array: it lists the functions users can call",
            )
            .span(root)
            .help("Add \"functions\": [{\"name\": \"myFunc\", \"example\": \"myFunc(col1)\", \"hint\": {\"en_US\": …}}]."),
        );
        return;
    };
    if functions.value.is_empty() {
        out.push(
            Diagnostic::new(Code::M003, "`functions` is empty: the UI lists no function")
                .span(functions.span)
                .help("List every exported function with its name."),
        );
    }
    for function in &functions.value {
        let named = function
            .name
            .as_ref()
            .is_some_and(|name| !name.value.is_empty());
        if !named {
            out.push(
                Diagnostic::new(Code::M003, "a `functions` entry has no `name`")
                    .span(Span {
                        len: 1,
                        ..function.span
                    })
                    .help("Give the entry the function's name, as users call it in SQL."),
            );
        }
    }
    if descriptor.name.is_none() {
        out.push(
            Diagnostic::new(Code::M003, "a function descriptor has no top-level `name`")
                .severity(Severity::Warning)
                .span(root)
                .help("Add \"name\": the plugin's registered name."),
        );
    }
}

fn config(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let facts = ctx.facts;
    if matches!(facts.identity.kind, Some(Kind::Sink | Kind::Function)) {
        // The installer reads NAME.yaml only for sources.
        return;
    }
    let Some(name) = facts.identity.name.as_deref() else {
        return;
    };
    let Some(file) = &facts.config else {
        let packaged = facts.package.container == Container::Zip;
        if packaged && facts.identity.kind == Some(Kind::Source) {
            out.push(
                Diagnostic::new(
                    Code::C001,
                    format!(
                        "no {name}.yaml: the installer rejects a source package without its config"
                    ),
                )
                .help(format!(
                    "Add {name}.yaml at the zip's root with a `default:` section."
                )),
            );
        }
        return;
    };
    if judged_by_archive_rules(ctx, file.entry) {
        return;
    }
    let entry = file.entry.name.as_str();
    let config = match &file.parsed {
        Ok(config) => config,
        Err(error) => {
            out.push(
                unreadable(Code::C002, entry, error, format!("eKuiper cannot load {entry}"))
                    .help("Fix it: eKuiper only logs the error and provisions the source with no configuration at all."),
            );
            return;
        }
    };
    let properties = facts
        .descriptor
        .as_ref()
        .and_then(|file| file.parsed.as_ref().ok())
        .and_then(|descriptor| descriptor.properties.as_ref());
    let mut findings = config_shape(config, name, properties);
    cap(&mut findings, Code::C003, 0);
    out.extend(findings.into_iter().map(|d| d.entry(entry)));
}

fn config_shape(config: &Config, name: &str, properties: Option<&Properties>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if config.section("default").is_none() {
        out.push(
            Diagnostic::new(
                Code::C003,
                "the config has no `default` section: other config keys have no defaults to override",
            )
            .help("Add a `default:` section with every property's default value."),
        );
    }
    for section in &config.sections {
        let key = &section.key.value;
        match &section.body {
            Body::Properties(names) => {
                let Some(properties) = properties else {
                    continue;
                };
                let declared = declared_names(properties, key);
                if declared.is_empty() {
                    continue;
                }
                for property in names {
                    if !declared.iter().any(|d| same_config_key(d, &property.value)) {
                        out.push(undeclared(key, &property.value, name, property.span));
                    }
                }
            }
            Body::Other { found, span } => out.push(
                Diagnostic::new(
                    Code::C003,
                    format!(
                        "config key `{key}` holds {}, expected a mapping of property names to values",
                        found.described()
                    ),
                )
                .span(*span)
                .help(format!("Write `{key}:` followed by indented `property: value` lines.")),
            ),
            Body::Empty | Body::Alias(_) => {}
        }
    }
    out
}

fn undeclared(section: &str, property: &str, name: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::C003,
        format!("`{section}.{property}` is not a property declared in {name}.json"),
    )
    .span(span)
    .help(format!(
        "Declare `{property}` in {name}.json's `properties.default`, or fix its spelling."
    ))
}

/// The field names a config section may use: those of `properties.default`
/// and of the section's own `properties` key.
fn declared_names<'d>(properties: &'d Properties, key: &str) -> Vec<&'d str> {
    let mut names = Vec::new();
    for section_key in ["default", key] {
        if let Some(fields) = properties
            .section(section_key)
            .and_then(|s| s.fields.as_ref())
        {
            names.extend(fields.iter().filter_map(field_name));
        }
    }
    names
}

fn field_name(field: &Field) -> Option<&str> {
    field.name.as_ref().map(|name| name.value.as_str())
}

/// eKuiper lower-cases config keys and restores the descriptor's spelling
/// with `strings.EqualFold`, so case does not matter.
fn same_config_key(declared: &str, used: &str) -> bool {
    declared.to_lowercase() == used.to_lowercase()
}

/// Keeps the first [`MAX_FINDINGS`] and says how many more there are:
/// those cut here plus `not_kept`, the problems the parser counted past
/// its own cap without keeping them.
fn cap(findings: &mut Vec<Diagnostic>, code: Code, not_kept: usize) {
    let extra = findings.len().saturating_sub(MAX_FINDINGS) + not_kept;
    if extra == 0 {
        return;
    }
    findings.truncate(MAX_FINDINGS);
    findings.push(
        Diagnostic::new(code, format!("{extra} more {code} findings not shown"))
            .severity(Severity::Warning)
            .help("Fix the findings above and run the linter again."),
    );
}

#[cfg(test)]
mod tests;
