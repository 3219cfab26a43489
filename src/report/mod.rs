//! Stage 4 — report: render outcomes. Formatters never decide what is wrong;
//! the exit status follows from the severities alone.

mod github;
mod human;
mod json;
mod progress;
mod sarif;

use std::borrow::Cow;
use std::io::{self, Write};

use crate::diagnostic::Severity;
use crate::lint::Outcome;

pub use human::Human;
pub use progress::Progress;

/// The output formats of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

/// Totals over all outcomes.
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

/// Writes every outcome in `format`.
pub fn write(
    format: Format,
    outcomes: &[Outcome],
    human: &Human,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human.write(outcomes, out),
        Format::Json => json::write(outcomes, out),
        Format::Sarif => sarif::write(outcomes, out),
        Format::Github => github::write(outcomes, out),
    }
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
}
