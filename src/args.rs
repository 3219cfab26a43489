//! Turns the command line and the settings file into what a run needs:
//! the lint options (per input, once `[[per-path]]` applies), the target,
//! the outputs and the colour choice. Flags win over `ekplugin-lint.toml`;
//! nothing here lints or prints.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::cli::{Cli, ColorChoice, OutputFile};
use crate::diagnostic::Severity;
use crate::inspect::Declared;
use crate::lint::Options;
use crate::profile::{self, Profile, Release};
use crate::report::Format;
use crate::rules::{Code, Selection};
use crate::settings::{self, PerPath, Settings};
use crate::target::{Flavour, Target};

/// Everything a lint run needs, resolved once.
#[derive(Debug)]
pub struct Run {
    /// The options of every input no `[[per-path]]` section matches.
    pub options: Options,
    pub per_path: Vec<PerPath>,
    /// The settings file in use, if any.
    pub settings_file: Option<PathBuf>,
    /// Where per-path globs are relative to: the settings file's folder.
    pub base: PathBuf,
    /// What the user should know about the settings (an unknown target).
    pub warnings: Vec<String>,
    /// The report on stdout, then each `--output-file`.
    pub stdout_format: Format,
    pub output_files: Vec<OutputFile>,
    pub color: bool,
}

impl Run {
    /// Reads the settings file and merges it with the command line.
    pub fn from_cli(cli: &Cli) -> Result<Run, String> {
        let cwd = std::env::current_dir().map_err(|e| format!("no current folder: {e}"))?;
        let settings_file = settings::find(cli.config.as_deref(), &cwd);
        let settings = match &settings_file {
            Some(path) => settings::load(path)?,
            None => Settings::default(),
        };
        let mut warnings = Vec::new();
        let target = match &cli.host {
            Some(host) => crate::host::read_host(host)?,
            None => {
                let image = match (cli.image, &settings.image) {
                    (Some(flavour), _) => Some(flavour),
                    (None, Some(name)) => Some(name.parse::<Flavour>()?),
                    (None, None) => None,
                };
                let version = cli.target.as_deref().or(settings.target.as_deref());
                let (profile, warning) = pick_profile(profile::all(), version)?;
                warnings.extend(warning);
                Target::from_profile(profile, image)
            }
        };
        let pick = |flag: &[String], file: Vec<String>| {
            if flag.is_empty() { file } else { flag.to_vec() }
        };
        let options = Options {
            declared: Declared {
                name: cli.name.clone(),
                kind: cli.kind,
            },
            limits: settings.limits.apply(Default::default()),
            selection: Selection {
                select: pick(&cli.select, settings.select()),
                ignore: pick(&cli.ignore, settings.ignore()),
                warnings_as_errors: cli.warnings_as_errors || settings.warnings_as_errors,
                severities: settings.severities(),
            },
            target: Some(target),
        };
        let base = settings_file
            .as_deref()
            .and_then(Path::parent)
            .map(|dir| cwd.join(dir))
            .unwrap_or(cwd);
        Ok(Run {
            options,
            per_path: settings.per_path,
            settings_file,
            base,
            warnings,
            stdout_format: cli.format,
            output_files: cli.output_file.clone(),
            color: use_color(
                cli.color,
                |name| std::env::var_os(name),
                stdout_is_terminal(),
            ),
        })
    }

    /// The options for one input: the run's, with every matching
    /// `[[per-path]]` section's ignores and severities added.
    pub fn options_for(&self, input: &Path) -> Cow<'_, Options> {
        let relative = relative_to(&self.base, input);
        let sections: Vec<&PerPath> = self
            .per_path
            .iter()
            .filter(|section| section.matches(&relative))
            .collect();
        if sections.is_empty() {
            return Cow::Borrowed(&self.options);
        }
        let mut options = self.options.clone();
        for section in sections {
            options.selection.ignore.extend(section.ignore());
            options.selection.severities.extend(section.severities());
        }
        Cow::Owned(options)
    }

    /// The resolved settings, for `--show-settings` and the JSON report.
    pub fn describe(&self) -> Value {
        let selection = &self.options.selection;
        let limits = &self.options.limits;
        json!({
            "config": self.settings_file.as_ref().map(|p| p.display().to_string()),
            "warnings": self.warnings,
            "target": self.options.target.as_ref().map(describe_target),
            "select": selection.select,
            "ignore": selection.ignore,
            "warnings-as-errors": selection.warnings_as_errors,
            "severity": describe_severities(&selection.severities),
            "per-path": self.per_path.iter().map(|section| json!({
                "path": section.path.get_ref(),
                "ignore": section.ignore(),
                "severity": describe_severities(&section.severities()),
                "reason": section.reason.get_ref(),
            })).collect::<Vec<_>>(),
            "limits": {
                "max-entries": limits.max_entries,
                "max-entry-size": limits.max_entry_size,
                "max-descriptor-size": limits.max_descriptor_size,
                "max-config-size": limits.max_config_size,
                "max-kept-size": limits.max_kept_size,
                "max-total-size": limits.max_total_size,
                "max-ratio": limits.max_ratio,
            },
        })
    }
}

fn describe_target(target: &Target) -> Value {
    json!({
        "source": target.source.to_string(),
        "go": target.go,
        "api": target.api.as_ref().map(|(module, version)| format!("{module} {version}")),
        "trimpath": target.trimpath,
        "arches": target.arches.iter().map(|arch| arch.goarch()).collect::<Vec<_>>(),
        "libc": target.libc.map(|libc| libc.as_str()),
        "build-image": target.build_image,
    })
}

fn describe_severities(severities: &BTreeMap<Code, Option<Severity>>) -> Value {
    severities
        .iter()
        .map(|(code, severity)| {
            let level = severity.map_or("off", Severity::as_str);
            (code.to_string(), Value::from(level))
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// `input` relative to `base`, `/`-separated, for per-path globs; as given
/// when it lies outside `base`.
fn relative_to(base: &Path, input: &Path) -> String {
    let absolute = if input.is_absolute() {
        input.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(input)
    };
    let shown = absolute.strip_prefix(base).unwrap_or(input);
    shown.to_string_lossy().replace('\\', "/")
}

/// The release profile for `--target`: the one named, else (with a
/// warning) the nearest known, so a gate pinned to a release newer than
/// this build keeps running; an unreadable version is an error.
pub fn pick_profile<'p>(
    profiles: &'p [Profile],
    version: Option<&str>,
) -> Result<(&'p Profile, Option<String>), String> {
    let newest = profiles.last().ok_or("no release profile is known")?;
    let Some(version) = version else {
        return Ok((newest, None));
    };
    if let Some(profile) = profile::find(version).filter(|p| profiles.contains(p)) {
        return Ok((profile, None));
    }
    let wanted = release_of(version).ok_or_else(|| {
        format!("`{version}` is not an eKuiper release (expected MAJOR.MINOR or MAJOR.MINOR.PATCH)")
    })?;
    let nearest = profiles
        .iter()
        .rev()
        .find(|p| p.release <= wanted)
        .unwrap_or(&profiles[0]);
    let oldest = &profiles[0].ekuiper;
    let warning = format!(
        "no release profile for eKuiper {version} (this build knows {oldest} to {}): checking against {}, the nearest known",
        newest.ekuiper, nearest.ekuiper
    );
    Ok((nearest, Some(warning)))
}

/// `2.5`, `2.5.1` or `v2.5.1` as a release (a minor series reads as its
/// first patch).
fn release_of(version: &str) -> Option<Release> {
    let numbers: Vec<u32> = version
        .strip_prefix('v')
        .unwrap_or(version)
        .split('.')
        .map(|part| part.parse().ok())
        .collect::<Option<_>>()?;
    match *numbers.as_slice() {
        [major, minor] => Some(Release {
            major,
            minor,
            patch: 0,
        }),
        [major, minor, patch] => Some(Release {
            major,
            minor,
            patch,
        }),
        _ => None,
    }
}

fn stdout_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
}

/// Whether the human report is coloured. `--color always|never` decide;
/// `auto` colours a terminal unless NO_COLOR is set or TERM is dumb, and
/// colours anything when FORCE_COLOR or CLICOLOR_FORCE is set (NO_COLOR,
/// the user's own preference, wins over both).
pub fn use_color(
    choice: ColorChoice,
    env: impl Fn(&str) -> Option<std::ffi::OsString>,
    terminal: bool,
) -> bool {
    let set = |name: &str| env(name).is_some_and(|value| !value.is_empty() && value != "0");
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if set("NO_COLOR") => false,
        ColorChoice::Auto if set("FORCE_COLOR") || set("CLICOLOR_FORCE") => true,
        ColorChoice::Auto => terminal && env("TERM").is_none_or(|term| term != "dumb"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&str, &str)]) -> impl Fn(&str) -> Option<std::ffi::OsString> + 'a {
        move |name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.into())
        }
    }

    #[test]
    fn colour_follows_flag_then_environment_then_terminal() {
        use ColorChoice::*;
        assert!(use_color(Always, env(&[("NO_COLOR", "1")]), false));
        assert!(!use_color(Never, env(&[("FORCE_COLOR", "1")]), true));
        assert!(use_color(Auto, env(&[]), true));
        assert!(!use_color(Auto, env(&[]), false));
        assert!(!use_color(Auto, env(&[("NO_COLOR", "1")]), true));
        assert!(use_color(Auto, env(&[("FORCE_COLOR", "1")]), false));
        assert!(use_color(Auto, env(&[("CLICOLOR_FORCE", "1")]), false));
        assert!(!use_color(Auto, env(&[("CLICOLOR_FORCE", "0")]), false));
        assert!(!use_color(Auto, env(&[("TERM", "dumb")]), true));
        assert!(!use_color(
            Auto,
            env(&[("NO_COLOR", "1"), ("FORCE_COLOR", "1")]),
            true
        ));
    }

    #[test]
    fn unknown_targets_fall_back_to_the_nearest_profile() {
        let profiles = profile::all();
        let newest = profiles.last().unwrap();
        let (profile, warning) = pick_profile(profiles, None).unwrap();
        assert_eq!((profile, warning), (newest, None));
        let next = format!("{}.{}.0", newest.release.major, newest.release.minor + 1);
        let (profile, warning) = pick_profile(profiles, Some(&next)).unwrap();
        assert_eq!(profile, newest);
        assert!(warning.unwrap().contains(&next));
        assert!(pick_profile(profiles, Some("99")).is_err());
        assert!(pick_profile(profiles, Some("latest")).is_err());
        let (profile, warning) = pick_profile(profiles, Some("0.1.0")).unwrap();
        assert_eq!(profile, &profiles[0]);
        assert!(warning.is_some());
        let (profile, _) = pick_profile(profiles, Some("2.3.99")).unwrap();
        assert_eq!((profile.release.major, profile.release.minor), (2, 3));
    }

    #[test]
    fn paths_are_matched_relative_to_the_settings_folder() {
        let base = Path::new("/work/project");
        assert_eq!(
            relative_to(base, Path::new("/work/project/dist/a.zip")),
            "dist/a.zip"
        );
        assert_eq!(
            relative_to(base, Path::new("/elsewhere/a.zip")),
            "/elsewhere/a.zip"
        );
    }
}
