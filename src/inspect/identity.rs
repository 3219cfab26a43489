//! Who the plugin is: its registered name and kind, given on the command
//! line or inferred the way a user would register it.

use std::fmt;
use std::str::FromStr;

use regex::Regex;
use serde::Serialize;

use super::Library;
use super::descriptor::{Descriptor, Properties};
use crate::read::Entry;
use std::path::Path;

use crate::read::{Container, Package};

/// The plugin kind, as in the REST path `/plugins/<kind>s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Source,
    Sink,
    Function,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Source => "source",
            Kind::Sink => "sink",
            Kind::Function => "function",
        }
    }

    /// The eKuiper interface a symbol of this kind must satisfy.
    pub fn interface(self) -> &'static str {
        match self {
            Kind::Source => "Source",
            Kind::Sink => "Sink",
            Kind::Function => "Function",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Kind, String> {
        match s {
            "source" => Ok(Kind::Source),
            "sink" => Ok(Kind::Sink),
            "function" => Ok(Kind::Function),
            _ => Err(format!("unknown kind `{s}`: source, sink or function")),
        }
    }
}

/// Where a piece of the identity came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Given on the command line.
    Given,
    /// Inferred; the text says from what.
    Inferred(String),
    /// Could not be determined.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: Option<String>,
    pub name_origin: Origin,
    pub kind: Option<Kind>,
    pub kind_origin: Origin,
}

/// The API packages whose interfaces tell a plugin's kind.
pub const API_PACKAGES: [&str; 2] = [
    "github.com/lf-edge/ekuiper/contract/v2/api",
    "github.com/lf-edge/ekuiper/pkg/api",
];

/// `UcFirst`: the first rune upper-cased, as eKuiper does for symbol names.
pub fn uc_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn lc_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The installer's library pattern for `name`:
/// `^(NAME|UcFirst(NAME))(@.*)?\.so$`.
pub fn library_pattern(name: &str) -> Regex {
    let pattern = format!(
        r"^({}|{})(@.*)?\.so$",
        regex::escape(name),
        regex::escape(&uc_first(name))
    );
    Regex::new(&pattern).expect("an escaped name is a valid pattern")
}

/// The version shown for a library file name: the text after `@`, without
/// the `.so` and a leading `v`.
pub fn library_version(file_name: &str) -> Option<String> {
    let stem = file_name.strip_suffix(".so")?;
    let (_, version) = stem.split_once('@')?;
    Some(version.strip_prefix('v').unwrap_or(version).to_string())
}

/// Root entries the installer would take as the library of `name`.
pub fn matching_libraries<'p>(package: &'p Package, name: &str) -> Vec<&'p crate::read::Entry> {
    let pattern = library_pattern(name);
    package
        .entries
        .iter()
        .filter(|entry| pattern.is_match(&entry.name))
        .collect()
}

/// Resolves the name (given, or inferred from the first root `.so`) and the
/// given kind; [`refine_kind`] infers a missing kind once the library is known.
pub fn resolve(package: &Package, declared: &super::Declared) -> Identity {
    let (name, name_origin) = match &declared.name {
        Some(name) => (Some(name.clone()), Origin::Given),
        None => infer_name(package),
    };
    let layout = match package.container {
        Container::ProjectFile => kind_from_layout(&package.path),
        _ => None,
    };
    let (kind, kind_origin) = match (declared.kind, layout) {
        (Some(kind), _) => (Some(kind), Origin::Given),
        (None, Some((kind, why))) => (Some(kind), Origin::Inferred(why)),
        (None, None) => (None, Origin::Unknown),
    };
    Identity {
        name,
        name_origin,
        kind,
        kind_origin,
    }
}

fn infer_name(package: &Package) -> (Option<String>, Origin) {
    if package.container == Container::ProjectFile {
        return infer_project_name(package);
    }
    let library = package
        .entries
        .iter()
        .find(|entry| entry.is_root() && entry.name.ends_with(".so"));
    let Some(library) = library else {
        return (None, Origin::Unknown);
    };
    let stem = library.name.trim_end_matches(".so");
    let base = stem.split('@').next().unwrap_or(stem);
    if base.is_empty() {
        return (None, Origin::Unknown);
    }
    (
        Some(lc_first(base)),
        Origin::Inferred(format!("from the library file name {}", library.name)),
    )
}

/// A project's descriptor or config is `NAME.json` / `NAME.yaml`; `go.mod`
/// names no plugin.
fn infer_project_name(package: &Package) -> (Option<String>, Origin) {
    let Some(file) = package.entries.first() else {
        return (None, Origin::Unknown);
    };
    let stem = [".json", ".yaml", ".yml"]
        .iter()
        .find_map(|ext| file.name.strip_suffix(ext));
    match stem {
        Some(stem) if !stem.is_empty() => (
            Some(stem.to_string()),
            Origin::Inferred(format!("from the file name {}", file.name)),
        ),
        _ => (None, Origin::Unknown),
    }
}

/// The kind a project file's folder tells, in eKuiper's own layout
/// (`etc/sources/NAME.json`, `etc/sinks/…`, `etc/functions/…`).
fn kind_from_layout(path: &Path) -> Option<(Kind, String)> {
    let folder = path.parent()?.file_name()?.to_str()?;
    let kind = match folder {
        "sources" => Kind::Source,
        "sinks" => Kind::Sink,
        "functions" => Kind::Function,
        _ => return None,
    };
    Some((kind, format!("the file is in a `{folder}` folder")))
}

/// Infers the kind when it was not given: first from the eKuiper interfaces
/// the library implements, then from the files present (only sources have a
/// config; the descriptor's shape differs by kind).
pub fn refine_kind(
    identity: Identity,
    library: Option<&Library>,
    descriptor: Option<&Descriptor>,
    config: Option<&Entry>,
) -> Identity {
    if identity.kind.is_some() {
        return identity;
    }
    let implemented = library
        .and_then(|library| library.plugin.as_ref()?.as_ref().ok())
        .map(implemented_kinds)
        .unwrap_or_default();
    let (kind, origin) = if let [kind] = implemented.as_slice() {
        // A config says "source" too: when the library disagrees, say
        // which evidence won, so a user who meant a source sees why not.
        let despite = match config {
            Some(config) if *kind != Kind::Source => format!(
                ", although the package has {}, which only sources have",
                config.name
            ),
            _ => String::new(),
        };
        (
            Some(*kind),
            Origin::Inferred(format!(
                "the library implements api.{}{despite}",
                kind.interface()
            )),
        )
    } else if let Some(config) = config {
        (
            Some(Kind::Source),
            Origin::Inferred(format!(
                "the package has {}, which only sources have",
                config.name
            )),
        )
    } else if let Some((kind, why)) = descriptor.and_then(descriptor_kind) {
        (
            Some(kind),
            Origin::Inferred(format!("the descriptor {why}")),
        )
    } else {
        (None, Origin::Unknown)
    };
    Identity {
        kind,
        kind_origin: origin,
        ..identity
    }
}

/// The kind a descriptor's shape tells: `functions` (function), an array of
/// `properties` (sink) or an object of them (source).
fn descriptor_kind(descriptor: &Descriptor) -> Option<(Kind, &'static str)> {
    if descriptor.functions.is_some() {
        return Some((Kind::Function, "lists functions"));
    }
    match descriptor.properties.as_ref()? {
        Properties::Fields { .. } => Some((Kind::Sink, "has an array of properties, as sinks do")),
        Properties::Sections { .. } => {
            Some((Kind::Source, "has sections of properties, as sources do"))
        }
        Properties::Other { .. } => None,
    }
}

/// The kinds whose eKuiper interface some type of the plugin implements.
pub fn implemented_kinds(plugin: &super::GoPlugin) -> Vec<Kind> {
    let mut kinds: Vec<Kind> = plugin.interfaces().filter_map(interface_kind).collect();
    kinds.sort_by_key(|kind| *kind as u8);
    kinds.dedup();
    kinds
}

/// Whether the library implements eKuiper interfaces, but not the one of
/// `kind`: the plugin is registered as the wrong kind.
pub fn implements_other_kind(plugin: &super::GoPlugin, kind: Kind) -> bool {
    let implemented = implemented_kinds(plugin);
    !implemented.is_empty() && !implemented.contains(&kind)
}

/// The kind an eKuiper API interface belongs to, e.g. `…/api.Source` →
/// source, `…/api.TupleCollector` → sink.
pub fn interface_kind(interface: &str) -> Option<Kind> {
    let (package, name) = interface.rsplit_once('.')?;
    if !API_PACKAGES.contains(&package) {
        return None;
    }
    match name {
        "Source" | "BytesSource" | "TupleSource" | "PullBytesSource" | "PullTupleSource"
        | "LookupSource" => Some(Kind::Source),
        "Sink" | "BytesCollector" | "TupleCollector" => Some(Kind::Sink),
        "Function" => Some(Kind::Function),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_accepts_name_and_uc_first_with_versions() {
        let pattern = library_pattern("random");
        for ok in ["random.so", "Random.so", "Random@v1.0.0.so", "random@.so"] {
            assert!(pattern.is_match(ok), "{ok}");
        }
        for bad in [
            "RANDOM.so",
            "random.so.1",
            "xrandom.so",
            "random/Random.so",
            "Random_v1.so",
        ] {
            assert!(!pattern.is_match(bad), "{bad}");
        }
    }

    #[test]
    fn pattern_escapes_the_name() {
        assert!(!library_pattern("a.b").is_match("axb.so"));
    }

    #[test]
    fn version_drops_leading_v() {
        assert_eq!(
            library_version("MySource@v1.0.0.so").as_deref(),
            Some("1.0.0")
        );
        assert_eq!(library_version("MySource@2.so").as_deref(), Some("2"));
        assert_eq!(library_version("MySource.so"), None);
    }

    #[test]
    fn uc_first_handles_unicode() {
        assert_eq!(uc_first("éclair"), "Éclair");
        assert_eq!(uc_first(""), "");
    }

    #[test]
    fn interface_kinds() {
        let v2 = "github.com/lf-edge/ekuiper/contract/v2/api";
        assert_eq!(
            interface_kind(&format!("{v2}.TupleSource")),
            Some(Kind::Source)
        );
        assert_eq!(
            interface_kind(&format!("{v2}.BytesCollector")),
            Some(Kind::Sink)
        );
        assert_eq!(
            interface_kind("github.com/lf-edge/ekuiper/pkg/api.Function"),
            Some(Kind::Function)
        );
        assert_eq!(interface_kind("io.Reader"), None);
    }
}
