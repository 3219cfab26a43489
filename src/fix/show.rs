//! The human view of a repair: the changes (with added text for
//! `--diff`), where the package went, what remains, how to rebuild.

use std::io::{self, Write};

use super::{Action, Repair};
use crate::diagnostic::Severity;
use crate::lint::Outcome;
use crate::report::printable;

/// How much to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// `--fix`: what was done, after the report of what remains.
    Applied,
    /// `--diff`: what would be done, with the text of added entries.
    Planned,
}

pub fn write(outcomes: &[Outcome], view: View, out: &mut dyn Write) -> io::Result<()> {
    for outcome in outcomes {
        let Some(repair) = &outcome.repair else {
            continue;
        };
        package(outcome, repair, view, out)?;
    }
    Ok(())
}

fn package(outcome: &Outcome, repair: &Repair, view: View, out: &mut dyn Write) -> io::Result<()> {
    let path = printable(&outcome.path.display().to_string()).into_owned();
    if let Some(reason) = &repair.refused {
        return writeln!(out, "{path}: not fixed: {}", printable(reason));
    }
    let verb = match view {
        View::Applied => "fixed",
        View::Planned => "would fix",
    };
    match repair.changes.len() {
        0 => writeln!(out, "{path}: nothing to fix")?,
        n => {
            let s = if n == 1 { "" } else { "s" };
            writeln!(out, "{path}: {verb} with {n} change{s}")?;
        }
    }
    for change in &repair.changes {
        let target = change
            .to
            .as_deref()
            .map(|to| format!(" -> {}", printable(to)))
            .unwrap_or_default();
        writeln!(
            out,
            "  {:<7} {}{target}  [{}: {}]",
            change.action.as_str(),
            printable(&change.entry),
            change.rule,
            change.detail
        )?;
        if view == View::Planned && change.action == Action::Add {
            for line in change.text.as_deref().unwrap_or_default().lines() {
                writeln!(out, "          + {}", printable(line))?;
            }
        }
    }
    if let Some(written) = &repair.written {
        writeln!(out, "  wrote {}", printable(&written.display().to_string()))?;
    }
    let remaining = outcome.count(Severity::Error) + outcome.count(Severity::Warning);
    if view == View::Planned && remaining > 0 {
        let mut codes: Vec<&str> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.severity >= Severity::Warning)
            .map(|d| d.code.as_str())
            .collect();
        codes.sort_unstable();
        codes.dedup();
        writeln!(out, "  would remain: {}", codes.join(", "))?;
    }
    if !repair.rebuild.is_empty() {
        writeln!(out, "  repacking cannot fix the library; rebuild it:")?;
        for line in &repair.rebuild {
            writeln!(out, "    {line}")?;
        }
    }
    Ok(())
}
