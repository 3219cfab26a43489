//! `--fix` and `--diff` from the command line: every package repaired in
//! parallel, then one report of what was done and what remains.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use rayon::prelude::*;

use super::{Destination, show};
use crate::cli::Cli;
use crate::diagnostic::Severity;
use crate::lint::{Options, Outcome};
use crate::report::{self, CANNOT_RUN, Format, Human};

/// Repairs (or, with `--diff`, plans) every package and reports. The exit
/// status follows the findings that remain; with `--diff`, it is 1 when
/// anything would change.
pub fn run(cli: &Cli, options: &Options, paths: &[PathBuf]) -> Result<u8, String> {
    let destination = destination(cli, paths)?;
    if let Destination::Folder(folder) = &destination {
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    }
    let results: Vec<_> = paths
        .par_iter()
        .map(|path| super::fix_path(path, options, &destination).map_err(|e| (path, e)))
        .collect();
    let mut outcomes = Vec::with_capacity(results.len());
    let mut failed = false;
    for result in results {
        match result {
            Ok(outcome) => outcomes.push(outcome),
            Err((path, error)) => {
                eprintln!(
                    "ekplugin-lint: error: cannot fix {}: {error}",
                    path.display()
                );
                failed = true;
            }
        }
    }
    write(cli, &outcomes).map_err(|e| format!("cannot write the report: {e}"))?;
    Ok(if failed {
        CANNOT_RUN
    } else {
        status(cli, &outcomes)
    })
}

fn destination(cli: &Cli, paths: &[PathBuf]) -> Result<Destination, String> {
    let packages = paths.len();
    Ok(match (&cli.output, &cli.out_dir) {
        _ if cli.diff => Destination::Nowhere,
        (Some(_), _) if packages != 1 => {
            return Err(format!(
                "-o names one output file but {packages} packages were given; use --out-dir"
            ));
        }
        (Some(file), _) => Destination::File(file.clone()),
        (None, Some(folder)) => {
            let mut names: Vec<_> = paths.iter().filter_map(|path| path.file_name()).collect();
            names.sort();
            if let Some(pair) = names.windows(2).find(|pair| pair[0] == pair[1]) {
                return Err(format!(
                    "two packages are called {}: --out-dir would write one over the other",
                    pair[0].to_string_lossy()
                ));
            }
            Destination::Folder(folder.clone())
        }
        (None, None) => Destination::InPlace,
    })
}

fn write(cli: &Cli, outcomes: &[Outcome]) -> std::io::Result<()> {
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut stdout = std::io::stdout().lock();
    let written = match (cli.format, cli.diff) {
        (Format::Human, true) => show::write(outcomes, show::View::Planned, &mut stdout),
        (Format::Human, false) => {
            report::write_outcomes(cli.format, outcomes, &Human::new(color), &mut stdout)
                .and_then(|()| show::write(outcomes, show::View::Applied, &mut stdout))
        }
        (format, _) => report::write_outcomes(format, outcomes, &Human::new(color), &mut stdout),
    };
    for outcome in outcomes {
        if let Some(reason) = outcome.repair.as_ref().and_then(|r| r.refused.as_ref()) {
            eprintln!(
                "ekplugin-lint: not fixed: {}: {}",
                outcome.path.display(),
                report::printable(reason)
            );
        }
    }
    match written.and_then(|()| stdout.flush()) {
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

fn status(cli: &Cli, outcomes: &[Outcome]) -> u8 {
    let pending = |outcome: &Outcome| {
        outcome
            .repair
            .as_ref()
            .is_some_and(|repair| !repair.changes.is_empty())
    };
    let errors = outcomes.iter().any(|o| o.count(Severity::Error) > 0);
    let refused = outcomes
        .iter()
        .any(|o| o.repair.as_ref().is_some_and(|r| r.refused.is_some()));
    u8::from(errors || refused || (cli.diff && outcomes.iter().any(pending)))
}
