//! The second half of the plan, from a lint of the flattened layout: now
//! the plugin's name and kind are known, the entries eKuiper looks up by
//! name can be put right. Duplicates go (A005), near-miss names are
//! renamed and ignored files dropped (A009), the one candidate library is
//! renamed (L001, L003, L004), install.sh loses its CRs (I002), and a
//! missing config (C001) or descriptor (M001) is generated.

use std::collections::BTreeSet;

use super::{Action, Change, Item, generate};
use crate::diagnostic::{Diagnostic, Severity};
use crate::inspect::config::Body;
use crate::inspect::identity::{library_version, uc_first};
use crate::inspect::{Facts, Kind};
use crate::read::EntryKind;
use crate::rules::Code;

/// What to do to the staged entries, by index, and what to add.
#[derive(Debug, Default)]
pub struct Edits {
    removed: BTreeSet<usize>,
    renamed: Vec<(usize, String)>,
    rewritten: Vec<(usize, Vec<u8>)>,
    added: Vec<Item>,
}

pub struct Planner<'a, 'p> {
    pub facts: &'a Facts<'p>,
    pub diagnostics: &'a [Diagnostic],
}

impl Planner<'_, '_> {
    pub fn plan(&self, changes: &mut Vec<Change>) -> Edits {
        let mut edits = Edits::default();
        self.duplicates(&mut edits, changes);
        self.unused(&mut edits, changes);
        self.library(&mut edits, changes);
        self.install_script(&mut edits, changes);
        self.config(&mut edits, changes);
        self.descriptor(&mut edits, changes);
        edits
    }

    fn flagged(&self, code: Code) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(move |d| d.code == code)
    }

    fn name(&self) -> Option<&str> {
        self.facts.identity.name.as_deref()
    }

    /// The indices of the regular files called `name`.
    fn files_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = usize> + 's {
        self.facts
            .package
            .entries
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.kind == EntryKind::File && e.name == name)
            .map(|(index, _)| index)
    }

    /// The name an entry will have after the edits so far, if it stays.
    fn final_names(&self, edits: &Edits) -> BTreeSet<String> {
        let entries = self.facts.package.entries.iter().enumerate();
        entries
            .filter(|(index, _)| !edits.removed.contains(index))
            .map(|(index, entry)| {
                edits
                    .renamed
                    .iter()
                    .find(|(i, _)| *i == index)
                    .map_or_else(|| entry.name.clone(), |(_, to)| to.clone())
            })
            .chain(edits.added.iter().map(|item| item.name.clone()))
            .collect()
    }

    /// A005: every copy but the one eKuiper ends up with. Its installer
    /// (`internal/plugin/native/manager.go`, v2.4.0) unzips the entries in
    /// order, each replacing the file before it, so the last copy wins;
    /// except a source's `NAME.yaml`, extracted only when the file does not
    /// exist yet, so the first copy wins.
    fn duplicates(&self, edits: &mut Edits, changes: &mut Vec<Change>) {
        let names: BTreeSet<&str> = self
            .flagged(Code::A005)
            .filter(|d| d.severity == Severity::Error)
            .filter_map(|d| d.entry.as_deref())
            .collect();
        let config = self.name().map(|name| format!("{name}.yaml"));
        let is_source = self.facts.identity.kind == Some(Kind::Source);
        for name in names {
            let copies: Vec<usize> = self.files_named(name).collect();
            let first_wins = is_source && config.as_deref() == Some(name);
            let kept = if first_wins {
                copies.first()
            } else {
                copies.last()
            };
            let detail = if first_wins {
                "a later copy; eKuiper keeps the first"
            } else {
                "an earlier copy; eKuiper keeps the last"
            };
            for &index in copies.iter().filter(|&&index| Some(&index) != kept) {
                edits.removed.insert(index);
                changes.push(Change::new(Code::A005, name, Action::Remove, detail));
            }
        }
    }

    /// A009: a root file the installer ignores. A near miss of the
    /// descriptor or config name is renamed; anything else goes, unless an
    /// install.sh may use it. Libraries are [`Self::library`]'s.
    fn unused(&self, edits: &mut Edits, changes: &mut Vec<Change>) {
        let Some(name) = self.name() else { return };
        let has_script = self.files_named("install.sh").next().is_some();
        let mut seen = BTreeSet::new();
        for diagnostic in self.flagged(Code::A009) {
            let Some(entry) = diagnostic.entry.as_deref() else {
                continue;
            };
            if entry.ends_with(".so") || !seen.insert(entry) {
                continue;
            }
            let taken = self.final_names(edits);
            let wanted = near_miss(entry, name, self.facts.identity.kind)
                .filter(|wanted| !taken.contains(wanted));
            for index in self.files_named(entry).collect::<Vec<_>>() {
                if edits.removed.contains(&index) {
                    continue;
                }
                match &wanted {
                    Some(wanted) => {
                        edits.renamed.push((index, wanted.clone()));
                        changes.push(
                            Change::new(
                                Code::A009,
                                entry,
                                Action::Rename,
                                "the name eKuiper looks for",
                            )
                            .to(wanted),
                        );
                    }
                    None if !has_script => {
                        edits.removed.insert(index);
                        changes.push(Change::new(
                            Code::A009,
                            entry,
                            Action::Remove,
                            "the installer ignores it",
                        ));
                    }
                    None => {}
                }
            }
        }
    }

    /// L001, L003, L004: the one root `.so` renamed to
    /// `UcFirst(NAME)[@vVERSION].so` when the name and kind are known.
    fn library(&self, edits: &mut Edits, changes: &mut Vec<Change>) {
        let (Some(name), Some(_kind)) = (self.name(), self.facts.identity.kind) else {
            return;
        };
        let rule = [Code::L001, Code::L003, Code::L004]
            .into_iter()
            .find(|&code| self.library_finding(code));
        let Some(rule) = rule else { return };
        let candidates: Vec<(usize, &str)> = self
            .facts
            .package
            .entries
            .iter()
            .enumerate()
            .filter(|(index, e)| {
                e.kind == EntryKind::File
                    && e.is_root()
                    && e.name.ends_with(".so")
                    && !edits.removed.contains(index)
            })
            .map(|(index, e)| (index, e.name.as_str()))
            .collect();
        let [(index, current)] = candidates.as_slice() else {
            return;
        };
        let wanted = library_file_name(name, current);
        if wanted == *current || self.final_names(edits).contains(&wanted) {
            return;
        }
        edits.renamed.push((*index, wanted.clone()));
        changes.push(
            Change::new(
                rule,
                current,
                Action::Rename,
                "the name eKuiper's installer matches",
            )
            .to(&wanted),
        );
    }

    /// Whether `code` flags the library's file name (not the plugin name).
    fn library_finding(&self, code: Code) -> bool {
        self.flagged(code)
            .any(|d| code == Code::L001 || d.entry.as_deref().is_some_and(|e| e.ends_with(".so")))
    }

    /// I002: `/bin/sh` reads a CR as part of each command.
    fn install_script(&self, edits: &mut Edits, changes: &mut Vec<Change>) {
        if self.flagged(Code::I002).next().is_none() {
            return;
        }
        for index in self.files_named("install.sh").collect::<Vec<_>>() {
            let Some(data) = self.facts.package.entries[index].bytes() else {
                continue;
            };
            if !data.windows(2).any(|pair| pair == b"\r\n") {
                continue;
            }
            let fixed = crlf_to_lf(data);
            let text = String::from_utf8_lossy(&fixed).into_owned();
            edits.rewritten.push((index, fixed));
            changes.push(
                Change::new(
                    Code::I002,
                    "install.sh",
                    Action::Rewrite,
                    "CRLF line endings made LF",
                )
                .text(text)
                .replacing(data.len()),
            );
        }
    }

    /// C001: a source's config, generated from its descriptor.
    fn config(&self, edits: &mut Edits, changes: &mut Vec<Change>) {
        let Some(name) = self.name() else { return };
        let file = format!("{name}.yaml");
        if self.flagged(Code::C001).next().is_none()
            || self.facts.identity.kind != Some(Kind::Source)
            || self.final_names(edits).contains(&file)
        {
            return;
        }
        let descriptor = self.facts.descriptor.as_ref().and_then(|d| d.text);
        let text = generate::config(descriptor);
        let detail = match descriptor {
            Some(_) => "the defaults of the descriptor's properties",
            None => "an empty default section (no descriptor to take defaults from)",
        };
        changes.push(Change::new(Code::C001, &file, Action::Add, detail).text(text.clone()));
        edits.added.push(Item {
            name: file,
            data: Some(text.into_bytes()),
        });
    }

    /// M001: a minimal descriptor.
    fn descriptor(&self, edits: &mut Edits, changes: &mut Vec<Change>) {
        let (Some(name), Some(kind)) = (self.name(), self.facts.identity.kind) else {
            return;
        };
        let file = format!("{name}.json");
        if self.flagged(Code::M001).next().is_none() || self.final_names(edits).contains(&file) {
            return;
        }
        let text = generate::descriptor(kind, name, &self.config_keys(), &self.functions());
        changes.push(
            Change::new(
                Code::M001,
                &file,
                Action::Add,
                "a skeleton; fill in the author and descriptions",
            )
            .text(text.clone()),
        );
        edits.added.push(Item {
            name: file,
            data: Some(text.into_bytes()),
        });
    }

    fn config_keys(&self) -> Vec<String> {
        let config = self
            .facts
            .config
            .as_ref()
            .and_then(|c| c.parsed.as_ref().ok());
        match config
            .and_then(|config| config.section("default"))
            .map(|s| &s.body)
        {
            Some(Body::Properties(keys)) => keys.iter().map(|key| key.value.clone()).collect(),
            _ => Vec::new(),
        }
    }

    /// A function plugin's functions: its exports, first letter lowered
    /// (eKuiper looks a function `f` up as `UcFirst(f)`).
    fn functions(&self) -> Vec<String> {
        let plugin = self
            .facts
            .library
            .as_ref()
            .and_then(|library| library.plugin.as_ref()?.as_ref().ok());
        plugin
            .map(|plugin| plugin.exports.iter().map(|e| lc_first(&e.name)).collect())
            .unwrap_or_default()
    }
}

fn lc_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The name eKuiper looks for that `file` nearly has: `Pulse.json` or
/// `pulse.yml` for the plugin `pulse`.
fn near_miss(file: &str, name: &str, kind: Option<Kind>) -> Option<String> {
    let (stem, extension) = file.rsplit_once('.')?;
    if !stem.eq_ignore_ascii_case(name) {
        return None;
    }
    match extension.to_ascii_lowercase().as_str() {
        "json" => Some(format!("{name}.json")),
        "yaml" | "yml" if kind == Some(Kind::Source) => Some(format!("{name}.yaml")),
        _ => None,
    }
}

/// `UcFirst(NAME)[@vVERSION].so`, keeping the version the current file
/// name carries (`Random@v1.0.0.so`, `random-1.0.so`, `random_v2.so`)
/// when one can be read from it, completed to three numbers.
pub fn library_file_name(name: &str, current: &str) -> String {
    let version = library_version(current)
        .and_then(|version| semantic(&version))
        .or_else(|| trailing_version(current.trim_end_matches(".so")));
    match version {
        Some(version) => format!("{}@v{version}.so", uc_first(name)),
        None => format!("{}.so", uc_first(name)),
    }
}

/// `1.2.3`, `1.2` or `1` (with an optional `-pre`/`+build` after three
/// numbers) as `MAJOR.MINOR.PATCH[...]`.
fn semantic(version: &str) -> Option<String> {
    let version = version.strip_prefix('v').unwrap_or(version);
    let (core, rest) = match version.find(['-', '+']) {
        Some(at) => version.split_at(at),
        None => (version, ""),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    let numeric = numbers
        .iter()
        .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    let suffix_ok = rest
        .chars()
        .skip(1)
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !numeric || numbers.len() > 3 || !suffix_ok || (numbers.len() < 3 && !rest.is_empty()) {
        return None;
    }
    let mut parts: Vec<&str> = numbers;
    parts.resize(3, "0");
    Some(format!("{}{rest}", parts.join(".")))
}

/// A version at the end of a file stem, after `-`, `_` or `@`.
fn trailing_version(stem: &str) -> Option<String> {
    let at = stem.rfind(['-', '_', '@'])?;
    semantic(&stem[at + 1..])
}

fn crlf_to_lf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut bytes = data.iter().peekable();
    while let Some(&byte) = bytes.next() {
        if byte == b'\r' && bytes.peek() == Some(&&b'\n') {
            continue;
        }
        out.push(byte);
    }
    out
}

/// Applies the edits to the staged items, in their original order.
pub fn apply(items: Vec<Item>, edits: Edits) -> Vec<Item> {
    let Edits {
        removed,
        mut renamed,
        mut rewritten,
        added,
    } = edits;
    let mut out: Vec<Item> = items
        .into_iter()
        .enumerate()
        .filter(|(index, _)| !removed.contains(index))
        .map(|(index, mut item)| {
            if let Some(at) = renamed.iter().position(|(i, _)| *i == index) {
                item.name = renamed.swap_remove(at).1;
            }
            if let Some(at) = rewritten.iter().position(|(i, _)| *i == index) {
                item.data = Some(rewritten.swap_remove(at).1);
            }
            item
        })
        .collect();
    out.extend(added);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_names_keep_a_readable_version() {
        for (current, wanted) in [
            ("random_plugin.so", "Random.so"),
            ("Random-1.0.so", "Random@v1.0.0.so"),
            ("random_v2.so", "Random@v2.0.0.so"),
            ("random@v1.0.0.so", "Random@v1.0.0.so"),
            ("Random@1.2.3-rc.1.so", "Random@v1.2.3-rc.1.so"),
            ("Random@latest.so", "Random.so"),
            ("Random@1.0.so", "Random@v1.0.0.so"),
        ] {
            assert_eq!(library_file_name("random", current), wanted, "{current}");
        }
    }

    #[test]
    fn near_misses() {
        assert_eq!(
            near_miss("Pulse.json", "pulse", None).as_deref(),
            Some("pulse.json")
        );
        assert_eq!(
            near_miss("pulse.yml", "pulse", Some(Kind::Source)).as_deref(),
            Some("pulse.yaml")
        );
        assert_eq!(near_miss("pulse.yml", "pulse", Some(Kind::Sink)), None);
        assert_eq!(near_miss("notes.txt", "pulse", None), None);
    }

    #[test]
    fn crlf_becomes_lf_and_lone_cr_stays() {
        assert_eq!(crlf_to_lf(b"a\r\nb\rc\r\n"), b"a\nb\rc\n");
    }
}
