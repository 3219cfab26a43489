//! `--fix` and `--diff`: repair what repacking can repair. One package goes
//! plan → apply (in memory) → lint the result again → write:
//!
//! 1. [`layout`] plans from the first lint: unsafe, special and stray
//!    entries dropped, a package zipped from its folder flattened, methods
//!    Go cannot read decoded for recompression;
//! 2. [`names`] plans from a lint of that layout, now that the plugin's
//!    name and kind are known: duplicates, near-miss names, the library's
//!    file name, CRLF in install.sh, a missing config or descriptor;
//! 3. [`zipwrite`] writes the result reproducibly and the linter reads it
//!    back as a new package: what it still finds is what remains;
//! 4. [`atomic`] replaces the file (or writes `-o`/`--out-dir`).
//!
//! Findings in the library itself cannot be repacked away: [`rebuild`]
//! prints the build command for the target instead.

mod atomic;
mod decode;
mod generate;
mod layout;
mod names;
pub mod rebuild;
mod run;
pub mod show;
mod zipwrite;

pub use self::run::run;
pub use crate::repair::{Action, Change, Repair};

use std::io;
use std::path::{Path, PathBuf};

use crate::check::{self, Context};
use crate::diagnostic::Diagnostic;
use crate::inspect::{self, Facts};
use crate::lint::{self, Options, Outcome};
use crate::read::{self, Container, Entry, EntryKind, Method, Package, Scope};
use crate::rules::Code;

/// Where the repaired package goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Replace the package itself, atomically.
    InPlace,
    /// `-o FILE` (one package only).
    File(PathBuf),
    /// `--out-dir DIR`: the package's file name inside DIR.
    Folder(PathBuf),
    /// `--diff`: plan only, write nothing.
    Nowhere,
}

impl Change {
    fn new(rule: Code, entry: &str, action: Action, detail: impl Into<String>) -> Change {
        Change {
            rule,
            entry: entry.to_string(),
            action,
            to: None,
            detail: detail.into(),
            text: None,
            replaced: 0,
        }
    }

    fn to(mut self, name: &str) -> Change {
        self.to = Some(name.to_string());
        self
    }

    fn text(mut self, text: String) -> Change {
        self.text = Some(text);
        self
    }

    fn replacing(mut self, bytes: usize) -> Change {
        self.replaced = bytes;
        self
    }
}

/// An entry of the package being repaired, owning its data.
#[derive(Debug)]
struct Item {
    /// The name in the output.
    name: String,
    /// `None` for a folder.
    data: Option<Vec<u8>>,
}

/// Repairs one package. Fails only when a file cannot be read or written
/// (exit status 2); a package that cannot be repaired is an [`Outcome`]
/// with [`Repair::refused`] set and the file left untouched.
pub fn fix_path(path: &Path, options: &Options, destination: &Destination) -> io::Result<Outcome> {
    // The whole file is held in memory, next to every entry it keeps: no
    // bigger than what may be kept of a package.
    let size = std::fs::metadata(path)?.len();
    let limit = options.limits.max_kept_size;
    let is_zip = !matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("so" | "json" | "yaml" | "yml" | "mod")
    );
    if !is_zip || size > limit {
        let reason = if is_zip {
            format!("the file is {size} bytes, over the limit of {limit} bytes kept for a package")
        } else {
            "only zip packages can be repaired".to_string()
        };
        return Ok(refused(lint::lint_path(path, options)?, reason));
    }
    let original = std::fs::read(path)?;
    let package = read::read_zip_bytes_in(path, &original, &options.limits, Scope::Everything)?;
    let before = lint::lint_package(&package, options);
    if let Some(reason) = refusal(&package, &before) {
        return Ok(refused(before, reason));
    }
    let plan = match plan(package, &original, options) {
        Ok(plan) => plan,
        Err(reason) => return Ok(refused(before, reason)),
    };
    let bytes = match zipwrite::write(&plan.items()) {
        Ok(bytes) => bytes,
        Err(zipwrite::TooLarge(reason)) => return Ok(refused(before, reason)),
    };
    let changed = !plan.changes.is_empty();
    let (after, cleared) = if changed {
        let fixed = read::read_zip_bytes(path, &bytes, &options.limits)?;
        let after = lint::lint_package(&fixed, options);
        if let Some(reason) = regression(&before, &after) {
            return Ok(refused(before, reason));
        }
        let cleared = cleared(&before, &after, &plan.changes);
        (after, cleared)
    } else {
        (before, Vec::new())
    };
    let target = match destination {
        Destination::InPlace if changed => Some(path.to_path_buf()),
        Destination::InPlace | Destination::Nowhere => None,
        Destination::File(file) => Some(file.clone()),
        Destination::Folder(folder) => Some(folder.join(path.file_name().unwrap_or_default())),
    };
    if let Some(target) = &target {
        // Unchanged, the output is the input byte for byte. A symbolic
        // link is followed: its target is what gets replaced.
        let out = if changed { &bytes } else { &original };
        let real = std::fs::canonicalize(target).unwrap_or_else(|_| target.clone());
        atomic::replace(&real, out).map_err(|e| {
            io::Error::new(e.kind(), format!("cannot write {}: {e}", target.display()))
        })?;
    }
    let repair = Repair {
        rebuild: rebuild::commands(&after, options.target.as_ref()),
        changes: plan.changes,
        written: target,
        refused: None,
        planned: *destination == Destination::Nowhere,
        cleared,
    };
    Ok(with_repair(after, repair))
}

/// A repair must not leave the package worse: more errors after than
/// before means a plan went wrong, and the package is left as it was.
fn regression(before: &Outcome, after: &Outcome) -> Option<String> {
    let errors = |outcome: &Outcome| outcome.count(crate::diagnostic::Severity::Error);
    (errors(after) > errors(before)).then(|| {
        let mut new: Vec<&str> = after
            .diagnostics
            .iter()
            .filter(|d| !before.diagnostics.iter().any(|b| b.code == d.code))
            .map(|d| d.code.as_str())
            .collect();
        new.dedup();
        format!(
            "the repaired package would have more errors than the original ({}); nothing was changed",
            new.join(", ")
        )
    })
}

/// The original findings of the rules the changes are about that no
/// longer show after them.
fn cleared(before: &Outcome, after: &Outcome, changes: &[Change]) -> Vec<Diagnostic> {
    before
        .diagnostics
        .iter()
        .filter(|d| changes.iter().any(|change| change.rule == d.code))
        .filter(|d| !after.diagnostics.iter().any(|a| a.code == d.code))
        .cloned()
        .collect()
}

fn refused(outcome: Outcome, reason: String) -> Outcome {
    let repair = Repair {
        refused: Some(reason),
        ..Repair::default()
    };
    with_repair(outcome, repair)
}

fn with_repair(mut outcome: Outcome, repair: Repair) -> Outcome {
    outcome.repair = Some(repair);
    outcome
}

/// Packages that cannot be rewritten without guessing: an archive that
/// does not open or was not read to the end, anything but a zip, and a
/// portable or WASM plugin (its layout is not a native one's).
fn refusal(package: &Package, before: &Outcome) -> Option<String> {
    if package.container != Container::Zip {
        return Some("only zip packages can be repaired".into());
    }
    if before.diagnostics.iter().any(|d| d.code == Code::L005) {
        return Some("a portable or WASM plugin: --fix repairs native plugin packages".into());
    }
    if let Some(reason) = &package.unreadable {
        return Some(format!(
            "the package is not a readable zip archive: {reason}"
        ));
    }
    package.over_limit.as_ref().map(|breach| {
        format!(
            "the archive exceeds a safety limit: {}",
            check::breach_words(breach)
        )
    })
}

/// The repaired entries and the changes that led to them.
struct Plan {
    items: Vec<Item>,
    changes: Vec<Change>,
}

impl Plan {
    /// The entries in the output's fixed order: the library, descriptor and
    /// config first (as eKuiper's own packages), then by name.
    fn items(&self) -> Vec<zipwrite::Item<'_>> {
        let mut items: Vec<&Item> = self.items.iter().collect();
        items.sort_by_key(|item| (rank(&item.name), item.name.as_bytes()));
        items
            .into_iter()
            .map(|item| zipwrite::Item {
                name: &item.name,
                data: item.data.as_deref(),
            })
            .collect()
    }
}

fn rank(name: &str) -> u8 {
    match name {
        _ if !name.contains('/') && name.ends_with(".so") => 0,
        _ if !name.contains('/') && name.ends_with(".json") => 1,
        _ if !name.contains('/') && name.ends_with(".yaml") => 2,
        "install.sh" => 3,
        _ => 4,
    }
}

fn plan(package: Package, original: &[u8], options: &Options) -> Result<Plan, String> {
    let diagnostics = findings(&package, options);
    let mut changes = Vec::new();
    let items = layout::plan(package, original, options, &diagnostics, &mut changes)?;
    let staged = stage(items);
    let facts = inspect::inspect(&staged, &options.declared);
    let diagnostics = diagnose(&facts, options);
    let plan = names::Planner {
        facts: &facts,
        diagnostics: &diagnostics,
    }
    .plan(&mut changes);
    let items = names::apply(unstage(staged), plan);
    Ok(Plan { items, changes })
}

/// The selected findings about a package (disabled rules fix nothing).
fn findings(package: &Package, options: &Options) -> Vec<Diagnostic> {
    let facts = inspect::inspect(package, &options.declared);
    diagnose(&facts, options)
}

fn diagnose(facts: &Facts, options: &Options) -> Vec<Diagnostic> {
    let ctx = Context {
        facts,
        target: options.target.as_ref(),
    };
    // The rules' own severities: plans hinge on them (a device name the
    // installer needs is an error, one it ignores a warning).
    check::check(&ctx)
        .into_iter()
        .filter(|diagnostic| options.selection.enabled(diagnostic.code))
        .collect()
}

/// The items as a package the inspect stage can read, moving the data.
fn stage(items: Vec<Item>) -> Package {
    let entries = items
        .into_iter()
        .map(|item| {
            let size = item.data.as_ref().map_or(0, |data| data.len() as u64);
            Entry {
                raw_name: item.name.as_bytes().to_vec(),
                kind: match item.data {
                    Some(_) => EntryKind::File,
                    None => EntryKind::Directory,
                },
                name: item.name,
                method: Method::Deflated,
                encrypted: false,
                compressed_size: size,
                uncompressed_size: size,
                data: item.data.map(Ok),
            }
        })
        .collect();
    Package {
        path: PathBuf::from("staged.zip"),
        container: Container::Zip,
        entries,
        unreadable: None,
        over_limit: None,
    }
}

fn unstage(package: Package) -> Vec<Item> {
    package
        .entries
        .into_iter()
        .map(|entry| Item {
            name: entry.name,
            data: match entry.data {
                Some(Ok(data)) => Some(data),
                _ => None,
            },
        })
        .collect()
}
