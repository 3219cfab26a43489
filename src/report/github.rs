//! `--format github`: GitHub Actions workflow commands, one annotation per
//! diagnostic (`::error file=…,title=…::message`).

use std::io::{self, Write};

use super::Report;
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::Outcome;

pub fn write(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for outcome in report.outcomes {
        for diagnostic in &outcome.diagnostics {
            writeln!(out, "{}", annotation(outcome, diagnostic))?;
        }
    }
    for failure in report.failures {
        let file = failure.path.display().to_string();
        writeln!(
            out,
            "::error file={},title=ekplugin-lint::{}",
            property(&file),
            data(&failure.reason)
        )?;
    }
    Ok(())
}

fn annotation(outcome: &Outcome, diagnostic: &Diagnostic) -> String {
    let command = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let file = outcome.path.display().to_string();
    let mut properties = format!("file={}", property(&file));
    let mut message = diagnostic.message.clone();
    match (outcome.inner_entry(diagnostic), diagnostic.span) {
        (Some(entry), span) => {
            let place = span.map_or(String::new(), |s| format!(":{}:{}", s.line, s.column));
            message = format!("{entry}{place}: {message}");
        }
        (None, Some(span)) => {
            properties.push_str(&format!(",line={},col={}", span.line, span.column));
        }
        (None, None) => {}
    }
    if let Some(help) = &diagnostic.help {
        message = format!("{message}\nhelp: {help}");
    }
    let title = format!("{} {}", diagnostic.code, diagnostic.code.name());
    properties.push_str(&format!(",title={}", property(&title)));
    format!("::{command} {properties}::{}", data(&message))
}

/// Escapes a workflow command's message.
fn data(text: &str) -> String {
    let encoded = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    // Other control characters would reach the log as they are.
    super::printable(&encoded).into_owned()
}

/// Escapes a workflow command's property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(data("50%\na"), "50%25%0Aa");
        assert_eq!(property("a,b:c"), "a%2Cb%3Ac");
    }
}
