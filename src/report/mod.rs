//! Stage 4 — report: render outcomes. Formatters never decide what is wrong;
//! the exit status follows from the severities alone.

mod github;
mod human;
mod json;
mod sarif;

use std::io::{self, Write};

use crate::diagnostic::Severity;
use crate::lint::Outcome;

pub use human::Human;

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
