//! Wires the command line to the pipeline and the formatters.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use ekplugin_lint::cli::Cli;
use ekplugin_lint::diagnostic::Severity;
use ekplugin_lint::inspect::{Declared, elf};
use ekplugin_lint::lint::{self, Options, Outcome};
use ekplugin_lint::report::{self, Human};
use ekplugin_lint::rules::{Code, Selection};
use ekplugin_lint::settings::{self, Settings};
use ekplugin_lint::target::{self, Flavour, Target};

/// Exit status when the tool could not run (bad arguments, unreadable path).
const CANNOT_RUN: u8 = 2;

/// The largest host executable read for `--host` (kuiperd is ~100 MB).
const MAX_HOST_SIZE: u64 = 1 << 30;

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
    let options = options(cli)?;
    let paths = expand(&cli.paths)?;
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

/// Merges the settings file and the command line (flags win).
fn options(cli: &Cli) -> Result<Options, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("no current folder: {e}"))?;
    let settings = match settings::find(cli.config.as_deref(), &cwd) {
        Some(path) => settings::load(&path)?,
        None => Settings::default(),
    };
    let pick =
        |flag: &[String], file: &[String]| if flag.is_empty() { file } else { flag }.to_vec();
    let image = match (cli.image, &settings.image) {
        (Some(flavour), _) => Some(flavour),
        (None, Some(name)) => Some(name.parse::<Flavour>()?),
        (None, None) => None,
    };
    let version = cli.target.as_deref().or(settings.target.as_deref());
    let target = match &cli.host {
        Some(host) => Some(host_target(host)?),
        None => Some(target::from_profile(version, image)?),
    };
    Ok(Options {
        declared: Declared {
            name: cli.name.clone(),
            kind: cli.kind,
        },
        limits: settings.limits.apply(Default::default()),
        selection: Selection {
            select: pick(&cli.select, &settings.select),
            ignore: pick(&cli.ignore, &settings.ignore),
            warnings_as_errors: cli.warnings_as_errors || settings.warnings_as_errors,
            severities: settings.severities(),
        },
        target,
    })
}

/// Reads the facts of an eKuiper executable for `--host`.
fn host_target(path: &Path) -> Result<Target, String> {
    let cannot = |e: std::io::Error| format!("cannot read the host {}: {e}", path.display());
    let size = std::fs::metadata(path).map_err(cannot)?.len();
    if size > MAX_HOST_SIZE {
        return Err(format!(
            "the host {} is {size} bytes, more than an eKuiper executable",
            path.display()
        ));
    }
    let bytes = std::fs::read(path).map_err(cannot)?;
    let facts = elf::inspect_library(&bytes)
        .map_err(|e| format!("the host {} is not an ELF file: {}", path.display(), e.0))?;
    if facts.build_info.is_none() {
        return Err(format!(
            "the host {} has no Go build info: not an eKuiper executable",
            path.display()
        ));
    }
    Ok(Target::from_host(&path.display().to_string(), &facts))
}

/// A progress line on stderr while many packages are linted in a
/// terminal; silent otherwise (pipes, CI logs, a single package).
struct Progress {
    total: usize,
    done: AtomicUsize,
    shown: bool,
}

impl Progress {
    /// Fewer packages than this finish before a progress line helps.
    const MIN_PACKAGES: usize = 20;

    fn new(total: usize) -> Progress {
        Progress {
            total,
            done: AtomicUsize::new(0),
            shown: total >= Self::MIN_PACKAGES && std::io::stderr().is_terminal(),
        }
    }

    fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.shown {
            eprint!("\rlinting {done}/{} packages", self.total);
        }
    }

    fn finish(&self) {
        if self.shown {
            // Erase the line so the report starts clean.
            eprint!("\r\x1b[2K");
        }
    }
}

fn status(outcomes: &[Outcome]) -> u8 {
    let error = outcomes
        .iter()
        .any(|outcome| outcome.count(Severity::Error) > 0);
    u8::from(error)
}

/// Turns the command-line paths into package paths: a folder stands for
/// every `*.zip` below it, in sorted order.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut packages = Vec::new();
    for path in paths {
        let metadata =
            std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if metadata.is_dir() {
            let before = packages.len();
            collect_zips(path, &mut packages)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if packages.len() == before {
                return Err(format!("no .zip package under {}", path.display()));
            }
        } else {
            packages.push(path.clone());
        }
    }
    Ok(packages)
}

fn collect_zips(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let path = entry.path();
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            collect_zips(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "zip") {
            out.push(path);
        }
    }
    Ok(())
}
