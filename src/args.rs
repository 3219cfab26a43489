//! Turns the command line and the settings file into what a run needs.
//! Flags win over `ekplugin-lint.toml`; nothing here lints or prints.

use crate::cli::Cli;
use crate::inspect::Declared;
use crate::lint::Options;
use crate::rules::Selection;
use crate::settings::{self, Settings};
use crate::target::{self, Flavour};

/// Merges the settings file and the command line (flags win).
pub fn options(cli: &Cli) -> Result<Options, String> {
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
        Some(host) => Some(crate::host::read_host(host)?),
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
