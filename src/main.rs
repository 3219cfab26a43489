//! Wires the command line to the pipeline and the formatters; every
//! decision lives in a module of the library (`args`, `inputs`, `lint`,
//! `baseline`, `report`).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use rayon::prelude::*;

use ekplugin_lint::args::Run;
use ekplugin_lint::baseline::Baseline;
use ekplugin_lint::cli::{self, Cli};
use ekplugin_lint::diagnostic::Severity;
use ekplugin_lint::inputs::{self, Failure, Input};
use ekplugin_lint::lint::{self, Outcome};
use ekplugin_lint::report::{self, CANNOT_RUN, Format, Human, Progress, Report};

fn main() -> ExitCode {
    let cli = Cli::parse_args();
    let done = |written: std::io::Result<()>, what: &str| match written {
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("ekplugin-lint: error: cannot write {what}: {e}");
            ExitCode::from(CANNOT_RUN)
        }
        _ => ExitCode::SUCCESS,
    };
    let mut stdout = std::io::stdout().lock();
    if let Some(shell) = cli.completions {
        let mut command = Cli::command_with_version();
        clap_complete::generate(shell, &mut command, "ekplugin-lint", &mut stdout);
        return ExitCode::SUCCESS;
    }
    if cli.man {
        return done(cli::write_man(&mut stdout), "the man page");
    }
    if let Some(code) = cli.explain {
        return done(stdout.write_all(code.doc().as_bytes()), "the rule doc");
    }
    if cli.list_rules {
        return done(report::write_rules(cli.format, &mut stdout), "the rules");
    }
    drop(stdout);
    match run(&cli) {
        Ok(status) => ExitCode::from(status),
        Err(message) => {
            eprintln!("ekplugin-lint: error: {message}");
            ExitCode::from(CANNOT_RUN)
        }
    }
}

fn run(cli: &Cli) -> Result<u8, String> {
    let run = Run::from_cli(cli)?;
    for warning in &run.warnings {
        eprintln!("ekplugin-lint: warning: {warning}");
    }
    let settings = run.describe();
    if cli.show_settings {
        let text = serde_json::to_string_pretty(&settings).map_err(|e| e.to_string())?;
        println!("{text}");
        return Ok(0);
    }
    let (inputs, mut failures) = inputs::expand(&cli.paths);
    if cli.fix || cli.diff {
        return fix(cli, &run, &inputs, &failures);
    }
    let progress = Progress::new(inputs.len());
    let lint_input = |input: &Input| {
        let options = run.options_for(input.path());
        let result = input
            .read(&options.limits)
            .map(|package| lint::lint_owned(package, &options))
            .map_err(|reason| Failure {
                path: input.path().to_path_buf(),
                reason,
            });
        progress.tick();
        result
    };
    // One input is linted on this thread. A pool worker's malloc arena
    // reserves address space in 64 MiB heaps, so a package keeping its
    // budget in 1 MiB pieces could need two of them and break the 128 MiB
    // bound the README promises; the main heap grows only as far as used.
    let results: Vec<_> = if inputs.len() == 1 {
        inputs.iter().map(lint_input).collect()
    } else {
        inputs.par_iter().map(lint_input).collect()
    };
    progress.finish();
    let mut outcomes = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(outcome) => outcomes.push(outcome),
            Err(failure) => failures.push(failure),
        }
    }
    let cwd = std::env::current_dir().map_err(|e| format!("no current folder: {e}"))?;
    if let Some(file) = &cli.write_baseline {
        let baseline = Baseline::of(&outcomes, &cwd);
        baseline.save(file)?;
        eprintln!(
            "ekplugin-lint: recorded {} finding(s) in {}",
            baseline.len(),
            file.display()
        );
        report_failures(&failures);
        return Ok(if failures.is_empty() { 0 } else { CANNOT_RUN });
    }
    let baseline = match &cli.baseline {
        Some(file) => Some(Baseline::load(file)?.apply(file, &mut outcomes, &cwd)),
        None => None,
    };
    let status = status(&outcomes);
    let summary = report::Summary::of(&outcomes);
    let statistics = report::statistics(&outcomes);
    let omitted: Vec<_> = outcomes
        .iter_mut()
        .map(|outcome| report::group_repeats(&mut outcome.diagnostics))
        .collect();
    let report = Report {
        outcomes: &outcomes,
        omitted: &omitted,
        summary,
        statistics: &statistics,
        failures: &failures,
        baseline: baseline.as_ref(),
        settings: &settings,
        quiet: cli.quiet,
        show_statistics: cli.statistics,
    };
    for file in &run.output_files {
        write_file(file.format, &report, &file.path)?;
    }
    write_stdout(run.stdout_format, &report, &Human::new(run.color))?;
    report_failures(&failures);
    Ok(if failures.is_empty() {
        status
    } else {
        CANNOT_RUN
    })
}

/// `--fix` and `--diff` work on package files only.
fn fix(cli: &Cli, run: &Run, inputs: &[Input], failures: &[Failure]) -> Result<u8, String> {
    if let Some(failure) = failures.first() {
        return Err(failure.reason.clone());
    }
    let paths = inputs
        .iter()
        .map(|input| match input {
            Input::File(path) => Ok(path.clone()),
            other => Err(format!(
                "--fix and --diff repair package files, not {}",
                other.path().display()
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    ekplugin_lint::fix::run(cli, &run.options, &paths)
}

fn write_stdout(format: Format, report: &Report<'_>, human: &Human) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    match report::write(format, report, human, &mut stdout).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write the report: {e}"))
        }
        _ => Ok(()),
    }
}

/// `--output-file`: never coloured, written whole.
fn write_file(format: Format, report: &Report<'_>, path: &Path) -> Result<(), String> {
    let mut text = Vec::new();
    report::write(format, report, &Human::new(false), &mut text)
        .and_then(|()| std::fs::write(path, text))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The inputs that could not be linted, last, so they are not scrolled
/// away by the report.
fn report_failures(failures: &[Failure]) {
    for failure in failures {
        eprintln!("ekplugin-lint: error: {}", failure.reason);
    }
}

fn status(outcomes: &[Outcome]) -> u8 {
    let error = outcomes
        .iter()
        .any(|outcome| outcome.count(Severity::Error) > 0);
    u8::from(error)
}
