//! One package through the whole pipeline: read → inspect → check, then the
//! user's selection applied. The result is plain data for the formatters.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::check::{self, Context};
use crate::diagnostic::{Diagnostic, Severity};
use crate::inspect::buildinfo::BuildInfo;
use crate::inspect::{self, Declared, Facts, Origin};
use crate::read::{self, Container, Limits, Package};
use crate::rules::Selection;
use crate::target::Target;

/// Everything a run needs besides the path.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub declared: Declared,
    pub limits: Limits,
    pub selection: Selection,
    pub target: Option<Target>,
}

/// What is known about the plugin, for the report header and the JSON
/// `plugin` object (unknown fields are `null`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PluginSummary {
    pub name: Option<String>,
    pub kind: Option<inspect::Kind>,
    pub library: Option<String>,
    pub version: Option<String>,
    pub go: Option<String>,
    pub contract: Option<String>,
    /// What was inferred rather than given, and from what.
    pub inferred: BTreeMap<&'static str, String>,
}

/// The result of linting one path.
#[derive(Debug)]
pub struct Outcome {
    pub path: PathBuf,
    pub container: Container,
    pub plugin: PluginSummary,
    /// Sorted by severity (worst first), then code.
    pub diagnostics: Vec<Diagnostic>,
    /// Text of the entries diagnostics point into, for underlined spans.
    pub sources: BTreeMap<String, String>,
    /// With `--fix` or `--diff`: what was (or would be) changed.
    pub repair: Option<crate::repair::Repair>,
}

impl Outcome {
    /// The zip entry a diagnostic is inside of, if any (a bare library's
    /// or a project file's diagnostics are about the file itself).
    pub fn inner_entry<'d>(&self, diagnostic: &'d Diagnostic) -> Option<&'d str> {
        match self.container {
            Container::Zip => diagnostic.entry.as_deref(),
            Container::BareLibrary | Container::ProjectFile => None,
        }
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity == severity)
            .count()
    }
}

/// Lints one package or bare library. Fails only when the file cannot be
/// read at all.
pub fn lint_path(path: &Path, options: &Options) -> io::Result<Outcome> {
    let package = read::read_path(path, &options.limits)?;
    Ok(lint_owned(package, options))
}

/// Lints a package, then hands its buffers back to the reader: in batch
/// mode the next package read on this thread reuses them.
pub fn lint_owned(package: Package, options: &Options) -> Outcome {
    let outcome = lint_package(&package, options);
    read::recycle(package);
    outcome
}

/// Lints an already-read package.
pub fn lint_package(package: &Package, options: &Options) -> Outcome {
    let facts = inspect::inspect(package, &options.declared);
    let ctx = Context {
        facts: &facts,
        target: options.target.as_ref(),
    };
    let mut diagnostics = select(&options.selection, check::check(&ctx));
    diagnostics.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.code.cmp(&b.code)));
    Outcome {
        path: package.path.clone(),
        container: package.container,
        plugin: summarize(&facts),
        sources: spanned_sources(package, &diagnostics),
        diagnostics,
        repair: None,
    }
}

/// Drops the diagnostics of rules the user turned off, and sets the
/// severity the user's settings ask for.
fn select(selection: &Selection, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .filter(|diagnostic| selection.enabled(diagnostic.code))
        .map(|mut diagnostic| {
            diagnostic.severity = selection.severity(diagnostic.code, diagnostic.severity);
            diagnostic
        })
        .collect()
}

fn summarize(facts: &Facts) -> PluginSummary {
    let identity = &facts.identity;
    let library = facts.library.as_ref();
    let build_info = library
        .and_then(|library| library.plugin.as_ref()?.as_ref().ok())
        .and_then(|plugin| plugin.build_info.as_ref());
    let mut inferred = BTreeMap::new();
    if let Origin::Inferred(why) = &identity.name_origin {
        inferred.insert("name", why.clone());
    }
    if let Origin::Inferred(why) = &identity.kind_origin {
        inferred.insert("kind", why.clone());
    }
    PluginSummary {
        name: identity.name.clone(),
        kind: identity.kind,
        library: library.map(|library| library.entry.name.clone()),
        version: library.and_then(|library| library.version.clone()),
        go: build_info.map(|info| info.go_version.clone()),
        contract: build_info
            .and_then(BuildInfo::contract)
            .map(|module| module.version.clone()),
        inferred,
    }
}

fn spanned_sources(package: &Package, diagnostics: &[Diagnostic]) -> BTreeMap<String, String> {
    let mut sources = BTreeMap::new();
    for diagnostic in diagnostics.iter().filter(|d| d.span.is_some()) {
        let Some(name) = &diagnostic.entry else {
            continue;
        };
        let text = package
            .entries
            .iter()
            .find(|entry| &entry.name == name)
            .and_then(|entry| std::str::from_utf8(entry.bytes()?).ok());
        if let Some(text) = text {
            sources.insert(name.clone(), text.to_string());
        }
    }
    sources
}
