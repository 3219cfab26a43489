//! `ekplugin-lint.toml`: the project's settings, found upward from the
//! current folder or given with `--config`. Command-line flags win.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::Severity;
use crate::read::Limits;
use crate::rules::{Code, validate_selector};

pub const FILE_NAME: &str = "ekplugin-lint.toml";

/// The file's contents. Unknown keys are errors, with line and column.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    /// The eKuiper release to check against (`--target`).
    pub target: Option<String>,
    /// The image flavour (`--image`).
    pub image: Option<String>,
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub warnings_as_errors: bool,
    /// Per-rule severity: `S003 = "error"`, `A009 = "off"`.
    #[serde(default)]
    pub severity: BTreeMap<String, SeverityOverride>,
    #[serde(default)]
    pub limits: LimitSettings,
}

/// A severity a rule is set to, or `off`.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SeverityOverride {
    Off,
    Info,
    Warning,
    Error,
}

impl SeverityOverride {
    pub fn severity(self) -> Option<Severity> {
        match self {
            SeverityOverride::Off => None,
            SeverityOverride::Info => Some(Severity::Info),
            SeverityOverride::Warning => Some(Severity::Warning),
            SeverityOverride::Error => Some(Severity::Error),
        }
    }
}

/// The A006 limits; unset keys keep the defaults.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LimitSettings {
    pub max_entries: Option<u64>,
    pub max_entry_size: Option<u64>,
    pub max_descriptor_size: Option<u64>,
    pub max_config_size: Option<u64>,
    pub max_kept_size: Option<u64>,
    pub max_total_size: Option<u64>,
    pub max_ratio: Option<u64>,
}

impl LimitSettings {
    pub fn apply(&self, limits: Limits) -> Limits {
        Limits {
            max_entries: self.max_entries.unwrap_or(limits.max_entries),
            max_entry_size: self.max_entry_size.unwrap_or(limits.max_entry_size),
            max_descriptor_size: self
                .max_descriptor_size
                .unwrap_or(limits.max_descriptor_size),
            max_config_size: self.max_config_size.unwrap_or(limits.max_config_size),
            max_kept_size: self.max_kept_size.unwrap_or(limits.max_kept_size),
            max_total_size: self.max_total_size.unwrap_or(limits.max_total_size),
            max_ratio: self.max_ratio.unwrap_or(limits.max_ratio),
        }
    }
}

impl Settings {
    /// Parses the file's text; errors name the file, line and column.
    pub fn parse(path: &Path, text: &str) -> Result<Settings, String> {
        let settings: Settings = toml::from_str(text).map_err(|error| {
            let place = error
                .span()
                .map(|span| {
                    let before = &text[..span.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                    format!(":{line}:{column}")
                })
                .unwrap_or_default();
            format!("{}{place}: {}", path.display(), error.message())
        })?;
        settings.validate(path)?;
        Ok(settings)
    }

    fn validate(&self, path: &Path) -> Result<(), String> {
        let in_file = |message: String| format!("{}: {message}", path.display());
        for selector in self.select.iter().chain(&self.ignore) {
            validate_selector(selector).map_err(in_file)?;
        }
        for code in self.severity.keys() {
            code.parse::<Code>().map_err(in_file)?;
        }
        Ok(())
    }

    /// Per-rule severities, by code.
    pub fn severities(&self) -> BTreeMap<Code, Option<Severity>> {
        self.severity
            .iter()
            .filter_map(|(code, level)| Some((code.parse().ok()?, level.severity())))
            .collect()
    }
}

/// The settings file for a run: `explicit`, or the first `ekplugin-lint.toml`
/// in `start` or a folder above it.
pub fn find(explicit: Option<&Path>, start: &Path) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Reads and parses the settings file.
pub fn load(path: &Path) -> Result<Settings, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    Settings::parse(path, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_section() {
        let text = r#"
target = "2.2.0"
image = "alpine"
select = ["A", "S001"]
ignore = ["A009"]
warnings-as-errors = true

[severity]
S003 = "error"
I001 = "off"

[limits]
max-entries = 50
"#;
        let settings = Settings::parse(Path::new("x.toml"), text).unwrap();
        assert_eq!(settings.target.as_deref(), Some("2.2.0"));
        assert_eq!(settings.severities()[&Code::S003], Some(Severity::Error));
        assert_eq!(settings.severities()[&Code::I001], None);
        assert_eq!(settings.limits.apply(Limits::default()).max_entries, 50);
    }

    #[test]
    fn unknown_keys_name_line_and_column() {
        let error =
            Settings::parse(Path::new("x.toml"), "target = \"2.2.0\"\n  tagret = 1\n").unwrap_err();
        assert!(error.starts_with("x.toml:2:3: "), "{error}");
        assert!(error.contains("tagret"), "{error}");
        let error = Settings::parse(Path::new("x.toml"), "[limits]\nmax-size = 1\n").unwrap_err();
        assert!(error.starts_with("x.toml:2:1: "), "{error}");
    }

    #[test]
    fn bad_codes_and_selectors_are_errors() {
        assert!(Settings::parse(Path::new("x.toml"), "[severity]\nZ999 = \"off\"\n").is_err());
        assert!(Settings::parse(Path::new("x.toml"), "select = [\"Q\"]\n").is_err());
        assert!(Settings::parse(Path::new("x.toml"), "[severity]\nS003 = \"loud\"\n").is_err());
    }
}
