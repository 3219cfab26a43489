//! `ekplugin-lint.toml`: the project's settings, found upward from the
//! current folder or given with `--config`. Command-line flags win.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

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
    pub select: Vec<Spanned<String>>,
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    #[serde(default)]
    pub warnings_as_errors: bool,
    /// Per-rule severity: `S003 = "error"`, `A009 = "off"`.
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, SeverityOverride>,
    #[serde(default)]
    pub limits: LimitSettings,
    /// Settings for some paths only, to adopt the gate on an existing tree.
    #[serde(default)]
    pub per_path: Vec<PerPath>,
}

/// `[[per-path]]`: rules ignored or re-graded for the inputs matching a
/// glob (relative to the settings file's folder). A reason is required, so
/// the exception explains itself to the next reader.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PerPath {
    /// `*` and `?` within a path segment, `**` across segments.
    pub path: Spanned<String>,
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, SeverityOverride>,
    pub reason: Spanned<String>,
}

impl PerPath {
    /// Whether this section applies to `path` (relative to the settings
    /// file's folder, `/`-separated).
    pub fn matches(&self, path: &str) -> bool {
        glob_matches(self.path.get_ref(), path)
    }

    pub fn ignore(&self) -> Vec<String> {
        self.ignore.iter().map(|s| s.get_ref().clone()).collect()
    }

    pub fn severities(&self) -> BTreeMap<Code, Option<Severity>> {
        severities(&self.severity)
    }
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
        let at = |span: Option<std::ops::Range<usize>>, message: &str| {
            let place = span.map(|span| place(text, span.start)).unwrap_or_default();
            format!("{}{place}: {message}", path.display())
        };
        let settings: Settings =
            toml::from_str(text).map_err(|error| at(error.span(), error.message()))?;
        settings
            .validate()
            .map_err(|(span, message)| at(Some(span), &message))?;
        Ok(settings)
    }

    /// Every selector and code names a rule, every per-path section has a
    /// reason; the error carries the offending value's place.
    fn validate(&self) -> Result<(), (std::ops::Range<usize>, String)> {
        let sections = std::iter::once((&self.select, &self.ignore, &self.severity)).chain(
            self.per_path
                .iter()
                .map(|p| (&p.ignore, &p.ignore, &p.severity)),
        );
        for (select, ignore, severity) in sections {
            for selector in select.iter().chain(ignore) {
                validate_selector(selector.get_ref()).map_err(|e| (selector.span(), e))?;
            }
            for code in severity.keys() {
                code.get_ref()
                    .parse::<Code>()
                    .map_err(|e| (code.span(), e))?;
            }
        }
        for section in &self.per_path {
            if section.reason.get_ref().trim().is_empty() {
                let message =
                    "a [[per-path]] section needs a reason: say why these rules do not apply there";
                return Err((section.reason.span(), message.to_string()));
            }
        }
        Ok(())
    }

    pub fn select(&self) -> Vec<String> {
        self.select.iter().map(|s| s.get_ref().clone()).collect()
    }

    pub fn ignore(&self) -> Vec<String> {
        self.ignore.iter().map(|s| s.get_ref().clone()).collect()
    }

    /// Per-rule severities, by code.
    pub fn severities(&self) -> BTreeMap<Code, Option<Severity>> {
        severities(&self.severity)
    }
}

fn severities(
    table: &BTreeMap<Spanned<String>, SeverityOverride>,
) -> BTreeMap<Code, Option<Severity>> {
    table
        .iter()
        .filter_map(|(code, level)| Some((code.get_ref().parse().ok()?, level.severity())))
        .collect()
}

/// `:line:column` of a byte offset, for messages.
fn place(text: &str, offset: usize) -> String {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    format!(":{line}:{column}")
}

/// Matches a `/`-separated path against a glob: `*` and `?` stay within a
/// segment, `**` spans any number of segments (none included).
pub fn glob_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.trim_start_matches("./").split('/').collect();
    let path: Vec<&str> = path.trim_start_matches("./").split('/').collect();
    segments_match(&pattern, &path)
}

fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| segments_match(rest, &path[skip..])),
        Some((first, rest)) => path.split_first().is_some_and(|(segment, others)| {
            segment_matches(first.as_bytes(), segment.as_bytes()) && segments_match(rest, others)
        }),
    }
}

fn segment_matches(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|skip| segment_matches(rest, &text[skip..])),
        Some((b'?', rest)) => !text.is_empty() && segment_matches(rest, &text[1..]),
        Some((c, rest)) => text.first() == Some(c) && segment_matches(rest, &text[1..]),
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

    #[test]
    fn bad_codes_are_placed_by_line_and_column() {
        let error = Settings::parse(
            Path::new("x.toml"),
            "[severity]\nS003 = \"off\"\nZ999 = \"off\"\n",
        )
        .unwrap_err();
        assert!(error.starts_with("x.toml:3:1: "), "{error}");
        let error =
            Settings::parse(Path::new("x.toml"), "ignore = [\"A009\", \"Q\"]\n").unwrap_err();
        assert!(error.starts_with("x.toml:1:19: "), "{error}");
    }

    #[test]
    fn per_path_sections_need_a_reason() {
        let text =
            "[[per-path]]\npath = \"dist/legacy/*.zip\"\nignore = [\"S003\"]\nreason = \"  \"\n";
        let error = Settings::parse(Path::new("x.toml"), text).unwrap_err();
        assert!(error.starts_with("x.toml:4:10: "), "{error}");
        assert!(error.contains("reason"), "{error}");
        let text = "[[per-path]]\npath = \"dist/*.zip\"\nignore = [\"S003\"]\n";
        assert!(
            Settings::parse(Path::new("x.toml"), text)
                .unwrap_err()
                .contains("reason")
        );
        let text = "[[per-path]]\npath = \"dist/*.zip\"\nreason = \"vendor build\"\n[per-path.severity]\nS003 = \"off\"\n";
        let settings = Settings::parse(Path::new("x.toml"), text).unwrap();
        assert_eq!(settings.per_path[0].severities()[&Code::S003], None);
        assert!(settings.per_path[0].matches("dist/a.zip"));
        assert!(!settings.per_path[0].matches("dist/sub/a.zip"));
    }

    #[test]
    fn globs() {
        assert!(glob_matches("dist/*.zip", "dist/a.zip"));
        assert!(glob_matches("./dist/*.zip", "dist/a.zip"));
        assert!(!glob_matches("dist/*.zip", "dist/x/a.zip"));
        assert!(glob_matches("dist/**/*.zip", "dist/a.zip"));
        assert!(glob_matches("dist/**/*.zip", "dist/x/y/a.zip"));
        assert!(glob_matches("**/legacy-?.zip", "a/legacy-1.zip"));
        assert!(!glob_matches("**/legacy-?.zip", "a/legacy-10.zip"));
    }
}
