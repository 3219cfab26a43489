//! `--format human`: miette reports, with the descriptor or config text
//! underlined where a diagnostic has a span.

use std::fmt;
use std::io::{self, Write};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::{Report as Run, Summary, printable};
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::{Outcome, PluginSummary};

/// The human formatter's settings.
pub struct Human {
    handler: GraphicalReportHandler,
}

impl Human {
    /// `color`: use ANSI colours. Without them the severity is written
    /// as a word (`error:`), so logs and `grep` see it.
    pub fn new(color: bool) -> Human {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            let mut theme = GraphicalTheme::unicode_nocolor();
            theme.characters.error = "error:".into();
            theme.characters.warning = "warning:".into();
            theme.characters.advice = "note:".into();
            theme
        };
        Human {
            handler: GraphicalReportHandler::new_themed(theme)
                .with_width(100)
                .with_links(false)
                .with_wrap_lines(false),
        }
    }

    pub fn write(&self, report: &Run<'_>, out: &mut dyn Write) -> io::Result<()> {
        if report.show_statistics {
            write_statistics(report, out)?;
        } else {
            for outcome in report.outcomes {
                if !(report.quiet && outcome.diagnostics.is_empty()) {
                    self.write_outcome(outcome, out)?;
                }
            }
        }
        if let Some(baseline) = report.baseline {
            writeln!(
                out,
                "baseline {}: {} known finding{} silenced",
                printable(&baseline.file),
                baseline.silenced,
                if baseline.silenced == 1 { "" } else { "s" }
            )?;
            if !baseline.gone.is_empty() {
                writeln!(
                    out,
                    "  {} recorded finding(s) no longer occur (run --write-baseline to forget them):",
                    baseline.gone.len()
                )?;
                for gone in &baseline.gone {
                    writeln!(out, "    {}", printable(gone))?;
                }
            }
        }
        let summary = &report.summary;
        let clean = summary.errors + summary.warnings + summary.infos == 0;
        if report.quiet && clean && report.failures.is_empty() {
            return Ok(());
        }
        let mut line = summary_line(summary);
        if !report.failures.is_empty() {
            line.push_str(&format!(
                "; {} input{} not read",
                report.failures.len(),
                if report.failures.len() == 1 { "" } else { "s" }
            ));
        }
        if let Some(config) = report.settings["config"].as_str() {
            line.push_str(&format!(" (settings: {})", printable(config)));
        }
        writeln!(out, "{line}")
    }

    fn write_outcome(&self, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "{}: {}",
            printable(&outcome.path.display().to_string()),
            printable(&plugin_line(&outcome.plugin))
        )?;
        for (what, why) in &outcome.plugin.inferred {
            writeln!(out, "  {what} inferred: {}", printable(why))?;
        }
        for diagnostic in &outcome.diagnostics {
            let source = diagnostic.entry.as_ref().and_then(|entry| {
                let text = outcome.sources.get(entry)?;
                // Escaping keeps byte offsets only when nothing is escaped.
                let clean = matches!(printable(text), std::borrow::Cow::Borrowed(_));
                clean.then(|| NamedSource::new(printable(entry), text.clone()))
            });
            let report = Report { diagnostic, source };
            let mut text = String::new();
            self.handler
                .render_report(&mut text, &report)
                .map_err(io::Error::other)?;
            write!(out, "\n{text}")?;
        }
        writeln!(out)
    }
}

/// `--statistics`: one line per rule, most frequent first.
fn write_statistics(report: &Run<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut rows: Vec<_> = report.statistics.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (code, count) in rows {
        writeln!(
            out,
            "{count:>6}  {code}  {:<22} {}",
            code.name(),
            code.summary()
        )?;
    }
    Ok(())
}

fn plugin_line(plugin: &PluginSummary) -> String {
    let mut parts = Vec::new();
    let kind = plugin
        .kind
        .map_or("plugin of unknown kind", |kind| kind.as_str());
    match &plugin.name {
        Some(name) => parts.push(format!("{kind} `{name}`")),
        None => parts.push(format!("{kind}, name unknown")),
    }
    if let Some(library) = &plugin.library {
        let version = plugin
            .version
            .as_ref()
            .map(|v| format!(" (version {v})"))
            .unwrap_or_default();
        parts.push(format!("{library}{version}"));
    }
    if let Some(go) = &plugin.go {
        parts.push(go.clone());
    }
    if let Some(contract) = &plugin.contract {
        parts.push(format!("contract {contract}"));
    }
    parts.join(", ")
}

fn summary_line(summary: &Summary) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}, {} in {}",
        plural(summary.errors, "error"),
        plural(summary.warnings, "warning"),
        plural(summary.infos, "note"),
        plural(summary.packages, "package")
    )
}

/// Adapts one of our diagnostics to miette's trait, for rendering only.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    /// The entry's text, when the diagnostic has a span into it.
    source: Option<NamedSource<String>>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diagnostic;
        match (&d.entry, &self.source) {
            (Some(entry), None) if !d.message.contains(entry.as_str()) => {
                write!(f, "{} [{}]", printable(&d.message), printable(entry))
            }
            _ => f.write_str(&printable(&d.message)),
        }
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let code = self.diagnostic.code;
        Some(Box::new(format!("{code}({})", code.name())))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let help = self.diagnostic.help.as_ref()?;
        Some(Box::new(printable(help).into_owned()))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source
            .as_ref()
            .map(|text| text as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let span = self.diagnostic.span?;
        let label = LabeledSpan::new_with_span(
            Some(self.diagnostic.code.name().to_string()),
            SourceSpan::new(span.offset.into(), span.len.max(1)),
        );
        Some(Box::new(std::iter::once(label)))
    }
}
