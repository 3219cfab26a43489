//! The first half of the plan: the archive's layout, from the findings
//! about the package as it came. Entries that are not plain files with
//! safe names go (A003, A004); a package zipped from its folder is
//! flattened (A002); entries Go cannot inflate are decoded so they can be
//! written again with deflate (A010).

use std::collections::BTreeSet;

use super::{Action, Change, Item, decode};
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::Options;
use crate::read::{self, Entry, EntryError, EntryKind, Package};
use crate::rules::Code;

/// The items the layout keeps, each with its data. Fails when an entry
/// that must be kept cannot be read (encrypted, corrupt, over a limit, or
/// compressed with a method we cannot decode).
pub fn plan(
    package: Package,
    original: &[u8],
    options: &Options,
    diagnostics: &[Diagnostic],
    changes: &mut Vec<Change>,
) -> Result<Vec<Item>, String> {
    let flagged = Flagged::from(diagnostics);
    let mut items = Vec::new();
    for (index, entry) in package.entries.into_iter().enumerate() {
        let Some(name) = kept_name(&entry, &flagged, changes)? else {
            continue;
        };
        let data = match entry.kind {
            EntryKind::Directory => None,
            _ => Some(entry_data(
                index, entry, original, options, &flagged, changes,
            )?),
        };
        items.push(Item { name, data });
    }
    // Windows tools that write `pulse\Pulse.so` zipped a folder too: once
    // the separators are slashes, A002 sees it.
    let slashed = changes
        .iter()
        .any(|change| change.rule == Code::A003 && change.action == Action::Rename);
    if flagged.any(Code::A002) || (slashed && options.selection.enabled(Code::A002)) {
        items = flatten(items, changes);
    }
    Ok(items)
}

/// Entry names each rule flagged, with the finding's severity.
struct Flagged<'d>(Vec<(Code, &'d str, Severity)>);

impl<'d> Flagged<'d> {
    fn from(diagnostics: &'d [Diagnostic]) -> Flagged<'d> {
        Flagged(
            diagnostics
                .iter()
                .filter_map(|d| Some((d.code, d.entry.as_deref()?, d.severity)))
                .collect(),
        )
    }

    fn severity(&self, code: Code, name: &str) -> Option<Severity> {
        self.0
            .iter()
            .filter(|(c, entry, _)| *c == code && *entry == name)
            .map(|(_, _, severity)| *severity)
            .max()
    }

    fn any(&self, code: Code) -> bool {
        self.0.iter().any(|(c, _, _)| *c == code)
    }
}

/// The name an entry keeps, or `None` when it is dropped.
fn kept_name(
    entry: &Entry,
    flagged: &Flagged,
    changes: &mut Vec<Change>,
) -> Result<Option<String>, String> {
    let name = entry.name.as_str();
    if let EntryKind::Symlink | EntryKind::Special(_) = entry.kind {
        if flagged.severity(Code::A004, name).is_none() {
            return Err(format!(
                "`{name}` is not a regular file and A004 is not selected to drop it"
            ));
        }
        let what = match entry.kind {
            EntryKind::Symlink => "a symbolic link",
            _ => "a special file",
        };
        changes.push(Change::new(Code::A004, name, Action::Remove, what));
        return Ok(None);
    }
    let Some(severity) = flagged.severity(Code::A003, name) else {
        return Ok(Some(name.to_string()));
    };
    if is_device_name(name) {
        if severity == Severity::Error {
            // The installer needs it and skips it: only a new plugin name helps.
            return Ok(Some(name.to_string()));
        }
        changes.push(Change::new(
            Code::A003,
            name,
            Action::Remove,
            "eKuiper skips it (a Windows device name)",
        ));
        return Ok(None);
    }
    let slashed = name.replace('\\', "/");
    let lossless = std::str::from_utf8(&entry.raw_name).is_ok();
    if slashed != name && lossless && is_safe(slashed.as_bytes()) {
        changes.push(
            Change::new(
                Code::A003,
                name,
                Action::Rename,
                "backslashes made folder separators",
            )
            .to(&slashed),
        );
        return Ok(Some(slashed));
    }
    changes.push(Change::new(
        Code::A003,
        name,
        Action::Remove,
        "an unsafe name",
    ));
    Ok(None)
}

fn is_device_name(name: &str) -> bool {
    ["CON", "PRN", "AUX", "NUL"]
        .iter()
        .any(|device| name.starts_with(device))
}

/// A name no unzip tool can be led outside its folder with: relative, no
/// `..`, no drive letter, no NUL, UTF-8, forward slashes only.
fn is_safe(raw: &[u8]) -> bool {
    let Ok(name) = std::str::from_utf8(raw) else {
        return false;
    };
    let drive = matches!(raw, [letter, b':', ..] if letter.is_ascii_alphabetic());
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.contains('\0')
        && !drive
        && !name.split('/').any(|part| part == "..")
}

fn entry_data(
    index: usize,
    entry: Entry,
    original: &[u8],
    options: &Options,
    flagged: &Flagged,
    changes: &mut Vec<Change>,
) -> Result<Vec<u8>, String> {
    let name = entry.name;
    match entry.data {
        Some(Ok(data)) => Ok(data),
        Some(Err(EntryError::UnsupportedMethod(method)))
            if flagged.severity(Code::A010, &name).is_some() =>
        {
            let stored = read::compressed_entry(original, index, &options.limits)
                .ok_or_else(|| format!("`{name}` cannot be located in the archive"))?;
            let data = decode::decode(&stored, options.limits.max_entry_size)
                .map_err(|reason| format!("`{name}` cannot be recompressed: {reason}"))?;
            changes.push(Change::new(
                Code::A010,
                &name,
                Action::Rewrite,
                format!(
                    "recompressed from {} to deflate",
                    decode::method_name(method)
                ),
            ));
            Ok(data)
        }
        Some(Err(error)) => Err(format!("`{name}` cannot be read: {}", describe(&error))),
        None => Err(format!("`{name}` cannot be read")),
    }
}

fn describe(error: &EntryError) -> String {
    match error {
        EntryError::Corrupt(reason) => reason.clone(),
        EntryError::OverLimit(breach) => crate::check::breach_words(breach),
        EntryError::Encrypted => "it is encrypted".into(),
        EntryError::UnsupportedMethod(method) => {
            format!("its compression method {method} is not selected for recompression (A010)")
        }
    }
}

/// A002: a package zipped from its folder (every file under one top
/// folder, `random/Random.so`) loses the folder; its `etc/` stays `etc/`.
/// macOS metadata (`__MACOSX/`, `.DS_Store`) goes, and so do other nested
/// files when no install.sh could use them.
fn flatten(items: Vec<Item>, changes: &mut Vec<Change>) -> Vec<Item> {
    let mut items: Vec<Item> = items
        .into_iter()
        .filter(|item| {
            let junk = item.name.starts_with("__MACOSX/")
                || item.name.rsplit('/').find(|p| !p.is_empty()) == Some(".DS_Store");
            if junk {
                changes.push(Change::new(
                    Code::A002,
                    &item.name,
                    Action::Remove,
                    "macOS metadata",
                ));
            }
            !junk
        })
        .collect();
    if let Some(top) = single_top_folder(&items) {
        let prefix = format!("{top}/");
        items.retain(|item| {
            let is_top = item.name == prefix;
            if is_top {
                changes.push(Change::new(
                    Code::A002,
                    &item.name,
                    Action::Remove,
                    "the folder the package was zipped from",
                ));
            }
            !is_top
        });
        for item in &mut items {
            let flat = item.name[prefix.len()..].to_string();
            changes.push(
                Change::new(Code::A002, &item.name, Action::Rename, "moved to the root").to(&flat),
            );
            item.name = flat;
        }
    }
    let has_script = items.iter().any(|item| item.name == "install.sh");
    if !has_script {
        drop_stray_nested(&mut items, changes);
    }
    items
}

/// The one folder every file sits in, when there is one (and it is not
/// `etc`, which the installer wants as it is).
fn single_top_folder(items: &[Item]) -> Option<&str> {
    let tops: BTreeSet<Option<&str>> = items
        .iter()
        .filter(|item| item.data.is_some())
        .map(|item| item.name.split_once('/').map(|(top, _)| top))
        .collect();
    match tops.into_iter().collect::<Vec<_>>().as_slice() {
        [Some(top)] if *top != "etc" && !top.is_empty() => Some(top),
        _ => None,
    }
}

/// Files in folders other than `etc/` that nothing will use, and the
/// folders they leave empty.
fn drop_stray_nested(items: &mut Vec<Item>, changes: &mut Vec<Change>) {
    let stray = |name: &str| name.contains('/') && !name.starts_with("etc/");
    items.retain(|item| {
        let drop = stray(&item.name);
        if drop {
            let detail = match item.data {
                Some(_) => "the installer never uses a file in this folder",
                None => "a folder outside etc/",
            };
            changes.push(Change::new(Code::A002, &item.name, Action::Remove, detail));
        }
        !drop
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(name: &str, data: Option<&[u8]>) -> Item {
        Item {
            name: name.into(),
            data: data.map(<[u8]>::to_vec),
        }
    }

    fn names(items: &[Item]) -> Vec<&str> {
        items.iter().map(|item| item.name.as_str()).collect()
    }

    #[test]
    fn flattens_one_top_folder_keeping_etc() {
        let mut changes = Vec::new();
        let items = flatten(
            vec![
                item("random/", None),
                item("random/Random.so", Some(b"x")),
                item("random/etc/a.conf", Some(b"y")),
                item("__MACOSX/random/._Random.so", Some(b"z")),
            ],
            &mut changes,
        );
        assert_eq!(names(&items), ["Random.so", "etc/a.conf"]);
        assert_eq!(changes.len(), 4);
    }

    #[test]
    fn two_folders_are_not_flattened_but_dropped() {
        let mut changes = Vec::new();
        let items = flatten(
            vec![
                item("Random.so", Some(b"x")),
                item("docs/", None),
                item("docs/a.md", Some(b"y")),
                item("etc/b", Some(b"z")),
            ],
            &mut changes,
        );
        assert_eq!(names(&items), ["Random.so", "etc/b"]);
    }

    #[test]
    fn safe_names() {
        assert!(is_safe(b"etc/a.conf"));
        for bad in [&b"/a"[..], b"a/../b", b"C:a", b"a\\b", b"\xff", b"a\0"] {
            assert!(!is_safe(bad), "{bad:?}");
        }
    }
}
