//! `--format json`: one JSON document, the contract of SPEC §3. Fields are
//! added, never renamed: `settings` (as `--show-settings` prints them),
//! `failed` (inputs that could not be read), per package `omitted` (repeats
//! grouped) and, when asked, `statistics` and `baseline`.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Value, json};

use super::{Omitted, Report};
use crate::diagnostic::{Severity, Span};
use crate::lint::{Outcome, PluginSummary};
use crate::rules::Code;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    packages: Vec<PackageJson<'a>>,
    summary: SummaryJson,
    settings: &'a Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    failed: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    statistics: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<Value>,
}

#[derive(Serialize)]
struct PackageJson<'a> {
    path: String,
    plugin: &'a PluginSummary,
    diagnostics: Vec<DiagnosticJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    omitted: Vec<Value>,
    /// With `--fix`/`--diff`: `fixes` (each change: rule, entry, action),
    /// `written`, `refused` and `rebuild`.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    repair: Option<RepairJson<'a>>,
}

#[derive(Serialize)]
struct RepairJson<'a> {
    fixes: &'a [crate::repair::Change],
    #[serde(skip_serializing_if = "Option::is_none")]
    written: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refused: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    rebuild: &'a [String],
}

#[derive(Serialize)]
struct DiagnosticJson<'a> {
    code: Code,
    rule: &'static str,
    severity: Severity,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    entry: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    span: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct SummaryJson {
    packages: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let summary = report.summary;
    let document = Document {
        version: 1,
        packages: report
            .outcomes
            .iter()
            .zip(report.omitted)
            .map(|(outcome, omitted)| package(outcome, omitted))
            .collect(),
        summary: SummaryJson {
            packages: summary.packages,
            errors: summary.errors,
            warnings: summary.warnings,
            infos: summary.infos,
        },
        settings: report.settings,
        failed: report
            .failures
            .iter()
            .map(|f| json!({"path": f.path.display().to_string(), "reason": f.reason}))
            .collect(),
        statistics: report.show_statistics.then(|| {
            report
                .statistics
                .iter()
                .map(|(code, count)| json!({"code": code, "rule": code.name(), "count": count}))
                .collect()
        }),
        baseline: report.baseline.map(|baseline| {
            json!({"file": baseline.file, "silenced": baseline.silenced, "gone": baseline.gone})
        }),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn package<'a>(outcome: &'a Outcome, omitted: &[Omitted]) -> PackageJson<'a> {
    PackageJson {
        path: outcome.path.display().to_string(),
        plugin: &outcome.plugin,
        diagnostics: outcome
            .diagnostics
            .iter()
            .map(|d| DiagnosticJson {
                code: d.code,
                rule: d.code.name(),
                severity: d.severity,
                message: &d.message,
                entry: d.entry.as_deref(),
                span: d.span,
                help: d.help.as_deref(),
            })
            .collect(),
        repair: outcome.repair.as_ref().map(|repair| RepairJson {
            fixes: &repair.changes,
            written: repair.written.as_ref().map(|w| w.display().to_string()),
            refused: repair.refused.as_deref(),
            rebuild: &repair.rebuild,
        }),
        omitted: omitted
            .iter()
            .map(|o| json!({"code": o.code, "count": o.count}))
            .collect(),
    }
}
