//! Wires the command line to the pipeline and the formatters; every
//! decision lives in a module of the library.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use rayon::prelude::*;

use ekplugin_lint::cli::Cli;
use ekplugin_lint::diagnostic::Severity;
use ekplugin_lint::lint::{self, Outcome};
use ekplugin_lint::report::{self, Human, Progress};
use ekplugin_lint::rules::Code;
use ekplugin_lint::{args, inputs};

/// Exit status when the tool could not run (bad arguments, unreadable path).
const CANNOT_RUN: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse_args();
    if let Some(shell) = cli.completions {
        let mut command = Cli::command_with_version();
        clap_complete::generate(shell, &mut command, "ekplugin-lint", &mut std::io::stdout());
        return ExitCode::SUCCESS;
    }
    if cli.man {
        let man = clap_mangen::Man::new(Cli::command_with_version());
        return match man.render(&mut std::io::stdout()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ekplugin-lint: error: cannot write the man page: {e}");
                ExitCode::from(CANNOT_RUN)
            }
        };
    }
    if let Some(code) = cli.explain {
        print!("{}", code.doc());
        return ExitCode::SUCCESS;
    }
    if cli.list_rules {
        list_rules();
        return ExitCode::SUCCESS;
    }
    match run(&cli) {
        Ok(status) => ExitCode::from(status),
        Err(message) => {
            eprintln!("ekplugin-lint: error: {message}");
            ExitCode::from(CANNOT_RUN)
        }
    }
}

fn list_rules() {
    for &code in Code::ALL {
        println!(
            "{code}  {:<22} {:<8} {}",
            code.name(),
            code.default_severity().as_str(),
            code.summary()
        );
    }
}

fn run(cli: &Cli) -> Result<u8, String> {
    let options = args::options(cli)?;
    let paths = inputs::expand(&cli.paths)?;
    if cli.fix || cli.diff {
        return ekplugin_lint::fix::run(cli, &options, &paths);
    }
    let progress = Progress::new(paths.len());
    let results: Vec<_> = paths
        .par_iter()
        .map(|path| {
            let result = lint::lint_path(path, &options).map_err(|e| (path, e));
            progress.tick();
            result
        })
        .collect();
    progress.finish();
    let mut outcomes = Vec::with_capacity(results.len());
    let mut failed = false;
    for result in results {
        match result {
            Ok(outcome) => outcomes.push(outcome),
            Err((path, error)) => {
                eprintln!(
                    "ekplugin-lint: error: cannot read {}: {error}",
                    path.display()
                );
                failed = true;
            }
        }
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut stdout = std::io::stdout().lock();
    let written = report::write(cli.format, &outcomes, &Human::new(color), &mut stdout)
        .and_then(|()| stdout.flush());
    match written {
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(format!("cannot write the report: {e}")),
        Ok(()) => {}
    }
    Ok(if failed {
        CANNOT_RUN
    } else {
        status(&outcomes)
    })
}

fn status(outcomes: &[Outcome]) -> u8 {
    let error = outcomes
        .iter()
        .any(|outcome| outcome.count(Severity::Error) > 0);
    u8::from(error)
}
