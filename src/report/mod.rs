//! Stage 4 — report: render outcomes. Formatters never decide what is wrong;
//! the exit status follows from the severities alone. What every format
//! shares (the run's totals, the grouping of repeats, the paths that could
//! not be read, the fingerprints) is built here once.

mod github;
mod human;
mod json;
mod progress;
mod sarif;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::diagnostic::{Diagnostic, Severity};
use crate::inputs::Failure;
use crate::lint::Outcome;
use crate::rules::Code;

pub use human::Human;
pub use progress::Progress;
pub use sarif::{artifact_uri, fingerprint};

/// Exit status when the tool could not run (bad arguments, a path that does
/// not exist or cannot be read, a package `--fix` could not write): the
/// contract's `2`, beside `0` (no error-level finding) and `1`.
pub const CANNOT_RUN: u8 = 2;

/// Where this tool lives. No public repository exists yet: this one
/// placeholder feeds SARIF's `informationUri` and every rule's `helpUri`.
pub const HOMEPAGE: &str = "https://github.com/ekplugin-lint/ekplugin-lint";

/// Findings of one rule in one package past this many are grouped into one
/// line with their count (a zip bomb of 2000 overlapping entries would
/// otherwise print thousands of lines and megabytes of SARIF).
pub const REPEAT_CAP: usize = 10;

/// The output formats of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

/// Totals over all outcomes, before repeats are grouped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub packages: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn of(outcomes: &[Outcome]) -> Summary {
        Summary {
            packages: outcomes.len(),
            errors: outcomes.iter().map(|o| o.count(Severity::Error)).sum(),
            warnings: outcomes.iter().map(|o| o.count(Severity::Warning)).sum(),
            infos: outcomes.iter().map(|o| o.count(Severity::Info)).sum(),
        }
    }
}

/// Findings of one rule in one package not shown one by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Omitted {
    pub code: Code,
    pub count: usize,
}

/// What the baseline did to this run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaselineSummary {
    pub file: String,
    /// Findings silenced because the baseline records them.
    pub silenced: usize,
    /// Recorded findings of the linted inputs that no longer occur:
    /// `path: CODE message`.
    pub gone: Vec<String>,
}

/// Everything one run reports, in every format.
pub struct Report<'a> {
    pub outcomes: &'a [Outcome],
    /// Per outcome, the repeats folded into a group line.
    pub omitted: &'a [Vec<Omitted>],
    pub summary: Summary,
    /// Findings per rule, before grouping (`--statistics`).
    pub statistics: &'a BTreeMap<Code, usize>,
    pub failures: &'a [Failure],
    pub baseline: Option<&'a BaselineSummary>,
    /// The resolved settings (`--show-settings`), recorded in JSON.
    pub settings: &'a serde_json::Value,
    pub quiet: bool,
    pub show_statistics: bool,
}

/// Writes the report in `format`.
pub fn write(
    format: Format,
    report: &Report<'_>,
    human: &Human,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human.write(report, out),
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, out),
        Format::Github => github::write(report, out),
    }
}

/// Writes bare outcomes (no grouping, failures or settings), as `--fix`
/// reports the packages it repaired.
pub fn write_outcomes(
    format: Format,
    outcomes: &[Outcome],
    human: &Human,
    out: &mut dyn Write,
) -> io::Result<()> {
    let omitted = vec![Vec::new(); outcomes.len()];
    let report = Report {
        outcomes,
        omitted: &omitted,
        summary: Summary::of(outcomes),
        statistics: &statistics(outcomes),
        failures: &[],
        baseline: None,
        settings: &serde_json::Value::Null,
        quiet: false,
        show_statistics: false,
    };
    write(format, &report, human, out)
}

/// Keeps the first [`REPEAT_CAP`] findings of each rule and replaces the
/// rest by one finding that says how many were left out.
pub fn group_repeats(diagnostics: &mut Vec<Diagnostic>) -> Vec<Omitted> {
    let mut seen: BTreeMap<Code, usize> = BTreeMap::new();
    let mut worst: BTreeMap<Code, Severity> = BTreeMap::new();
    diagnostics.retain(|d| {
        let count = seen.entry(d.code).or_default();
        *count += 1;
        if *count > REPEAT_CAP {
            let severity = worst.entry(d.code).or_insert(d.severity);
            *severity = (*severity).max(d.severity);
        }
        *count <= REPEAT_CAP
    });
    let mut omitted = Vec::new();
    for (code, severity) in worst {
        let count = seen[&code] - REPEAT_CAP;
        let message = format!(
            "{count} more {code} ({}) findings in this package are not shown, {} in all",
            code.name(),
            seen[&code]
        );
        let position = diagnostics
            .iter()
            .rposition(|d| d.code == code)
            .map_or(diagnostics.len(), |i| i + 1);
        let group = Diagnostic::new(code, message)
            .severity(severity)
            .help(format!(
                "the first {REPEAT_CAP} are shown; they usually share one cause"
            ));
        diagnostics.insert(position, group);
        omitted.push(Omitted { code, count });
    }
    omitted
}

/// Findings per rule, for `--statistics`.
pub fn statistics(outcomes: &[Outcome]) -> BTreeMap<Code, usize> {
    let mut counts = BTreeMap::new();
    for diagnostic in outcomes.iter().flat_map(|o| &o.diagnostics) {
        *counts.entry(diagnostic.code).or_default() += 1;
    }
    counts
}

/// `--list-rules` in `format` (human: one line per rule; json: an array).
pub fn write_rules(format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Json => {
            let rules: Vec<_> = Code::ALL
                .iter()
                .map(|&code| {
                    serde_json::json!({
                        "code": code,
                        "name": code.name(),
                        "severity": code.default_severity(),
                        "severities": severities(code),
                        "summary": code.summary(),
                        "help-uri": sarif::help_uri(code),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &rules)?;
            writeln!(out)
        }
        _ => {
            for &code in Code::ALL {
                writeln!(
                    out,
                    "{code}  {:<22} {:<13} {}",
                    code.name(),
                    severities(code).join("/"),
                    code.summary()
                )?;
            }
            Ok(())
        }
    }
}

/// Every severity a rule reports at, its default first (L003 is an error
/// for a name eKuiper refuses, a warning for one that breaks convention).
fn severities(code: Code) -> Vec<&'static str> {
    let mut all = vec![code.default_severity().as_str()];
    for (severity, _) in code.other_severities() {
        if !all.contains(&severity.as_str()) {
            all.push(severity.as_str());
        }
    }
    all
}

/// Text from a package made safe for a terminal or a CI log: control
/// characters (ANSI escapes could recolour, erase or fake findings) are
/// shown escaped; newlines and tabs stay.
pub fn printable(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if unsafe_char(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("go1.25.4"), "go1.25.4");
        assert_eq!(printable("a\x1b[31mb\n"), "a\\u{1b}[31mb\n");
    }

    #[test]
    fn repeats_past_the_cap_are_grouped_with_their_count() {
        let mut diagnostics: Vec<Diagnostic> = (0..25)
            .map(|i| Diagnostic::new(Code::A005, format!("dup {i}")))
            .chain([Diagnostic::new(Code::A009, "unused")])
            .collect();
        let omitted = group_repeats(&mut diagnostics);
        assert_eq!(
            omitted,
            [Omitted {
                code: Code::A005,
                count: 15
            }]
        );
        assert_eq!(diagnostics.len(), REPEAT_CAP + 2);
        let group = &diagnostics[REPEAT_CAP];
        assert_eq!(group.code, Code::A005);
        assert!(
            group.message.starts_with("15 more A005"),
            "{}",
            group.message
        );
        assert!(group.message.contains("25 in all"), "{}", group.message);
        assert_eq!(diagnostics.last().unwrap().code, Code::A009);
    }
}
