//! Archive rules (A001–A010, I001, I002): what eKuiper's installer, reading the
//! zip with Go's `archive/zip`, does with every entry.

use std::collections::BTreeMap;

use super::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::inspect::Kind;
use crate::read::{Breach, Container, Entry, EntryError, EntryKind, Method, Package, Role};
use crate::rules::Code;

/// Runs every archive rule.
pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let package = ctx.facts.package;
    if let Some(reason) = &package.unreadable {
        out.push(unreadable_archive(reason));
        return;
    }
    if let Some(breach) = &package.over_limit {
        out.push(archive_over_limit(breach));
    }
    for entry in &package.entries {
        check_entry(ctx, entry, out);
    }
    duplicate_entries(package, out);
}

fn check_entry(ctx: &Context, entry: &Entry, out: &mut Vec<Diagnostic>) {
    let unsafe_path = unsafe_path(entry);
    let skipped = skipped_device_name(ctx, entry);
    let name_is_safe = unsafe_path.is_none() && skipped.is_none();
    out.extend(unsafe_path);
    out.extend(skipped);
    if name_is_safe {
        out.extend(nested_entry(ctx.facts.package, entry));
        out.extend(unused_entry(ctx, entry));
        out.extend(install_script(entry));
        out.extend(install_script_shell(entry));
    }
    out.extend(special_entry(entry));
    out.extend(encrypted_entry(entry));
    out.extend(unsupported_method(entry));
    out.extend(data_problem(entry));
}

/// A001.
fn unreadable_archive(reason: &str) -> Diagnostic {
    Diagnostic::new(
        Code::A001,
        format!("the package is not a readable zip archive: {reason}"),
    )
    .help("Re-create the package with `zip` (or Go's archive/zip) and check that the upload or download did not cut it short.")
}

/// What the installer does with an entry, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    Library,
    Descriptor,
    Config,
    InstallScript,
    /// Under `etc/`: copied to `etc/<kind>s/<name>/`.
    Runtime,
    /// Unzipped to a temporary folder, then deleted.
    Ignored,
}

fn installer_use(ctx: &Context, entry: &Entry) -> Use {
    let facts = ctx.facts;
    let name = facts.identity.name.as_deref();
    if facts
        .libraries
        .iter()
        .any(|library| std::ptr::eq(*library, entry))
    {
        Use::Library
    } else if name.is_some_and(|name| entry.name == format!("{name}.json")) {
        Use::Descriptor
    } else if name.is_some_and(|name| entry.name == format!("{name}.yaml"))
        && facts.identity.kind.is_none_or(|kind| kind == Kind::Source)
    {
        // The installer looks for NAME.yaml only for a source.
        Use::Config
    } else if entry.name == "install.sh" {
        Use::InstallScript
    } else if entry.name.starts_with("etc/") {
        Use::Runtime
    } else {
        Use::Ignored
    }
}

/// A002: folders other than `etc/`. Directory entries themselves are
/// harmless (the files in them are what goes missing), and an `etc/` tree
/// is what the installer copies. With an install.sh, nested files may be
/// its payload (official plugins ship a `lib/` folder that way): a warning.
fn nested_entry(package: &Package, entry: &Entry) -> Option<Diagnostic> {
    if entry.kind != EntryKind::File || entry.name.starts_with("etc/") {
        return None;
    }
    let (folder, _) = entry.name.rsplit_once('/')?;
    let has_script = package.entries.iter().any(|e| e.name == "install.sh");
    let (severity, fate) = if has_script {
        (
            Severity::Warning,
            "only install.sh can use it before the temporary folder is deleted",
        )
    } else {
        (Severity::Error, "it never uses this file")
    };
    Some(
        Diagnostic::new(
            Code::A002,
            format!(
                "`{}` is inside the folder `{folder}/`: the installer matches entry names with \
                 their folders, so {fate}",
                entry.name
            ),
        )
        .severity(severity)
        .entry(&entry.name)
        .help("Zip the files from inside the plugin's folder so they sit at the root (e.g. `cd random && zip ../random.zip *`); only etc/ may hold folders."),
    )
}

/// A003, the zip-slip family: names eKuiper 2.x skips or that escape the
/// target folder with other unzip tools.
fn unsafe_path(entry: &Entry) -> Option<Diagnostic> {
    let reasons = unsafe_path_reasons(&entry.raw_name, &entry.name);
    if reasons.is_empty() {
        return None;
    }
    Some(
        Diagnostic::new(
            Code::A003,
            format!("the entry name `{}` {}", entry.name.escape_debug(), reasons.join(", ")),
        )
        .entry(&entry.name)
        .help("Use plain relative names with forward slashes: no leading / or \\, no .., no drive letter, no NUL, UTF-8 only. Re-create the zip from inside the plugin's folder."),
    )
}

fn unsafe_path_reasons(raw: &[u8], name: &str) -> Vec<&'static str> {
    let mut reasons = Vec::new();
    if name.starts_with('/') || name.starts_with('\\') {
        reasons.push("is absolute");
    }
    if name.split(['/', '\\']).any(|part| part == "..") {
        reasons.push("climbs out of the target folder with `..`");
    }
    if name.contains('\\') {
        reasons.push("contains a backslash");
    }
    if let [letter, b':', ..] = raw
        && letter.is_ascii_alphabetic()
    {
        reasons.push("begins with a drive letter");
    }
    if raw.contains(&0) {
        reasons.push("contains a NUL byte");
    }
    if std::str::from_utf8(raw).is_err() {
        reasons.push("is not valid UTF-8");
    }
    reasons
}

/// A003, device names: eKuiper 2.x skips, with only a log line, names that
/// begin with a Windows device name. Losing an entry the installer needs is
/// an error; losing one it ignores anyway is a warning.
fn skipped_device_name(ctx: &Context, entry: &Entry) -> Option<Diagnostic> {
    let device = ["CON", "PRN", "AUX", "NUL"]
        .into_iter()
        .find(|device| entry.name.starts_with(device))?;
    let severity = match installer_use(ctx, entry) {
        Use::Ignored => Severity::Warning,
        _ => Severity::Error,
    };
    Some(
        Diagnostic::new(
            Code::A003,
            format!(
                "`{}` begins with `{device}`: eKuiper 2.x takes names beginning with CON, PRN, \
                 AUX or NUL for Windows device names and silently skips the entry",
                entry.name
            ),
        )
        .severity(severity)
        .entry(&entry.name)
        .help("Rename the file so it does not begin with CON, PRN, AUX or NUL (for the library, descriptor or config that means choosing another plugin name)."),
    )
}

/// A004.
fn special_entry(entry: &Entry) -> Option<Diagnostic> {
    let what = match entry.kind {
        EntryKind::Symlink => "a symbolic link",
        EntryKind::Special(bits) => special_kind(bits),
        // Go's FileInfo says directory from the mode bits alone, and the
        // installer then creates a folder where the file should be.
        EntryKind::Directory if !entry.name.ends_with('/') => {
            "a directory by its mode bits (Unix or DOS attributes), though its name has no \
             trailing `/`: eKuiper creates a folder by that name"
        }
        EntryKind::File | EntryKind::Directory => return None,
    };
    Some(
        Diagnostic::new(
            Code::A004,
            format!(
                "`{}` is {what}: the installer expects regular files, and unzip tools that \
                 recreate such entries can be led to write outside the target folder",
                entry.name
            ),
        )
        .entry(&entry.name)
        .help("Package regular files only: replace a link with the file it points to (zip follows links unless given -y)."),
    )
}

fn special_kind(bits: u32) -> &'static str {
    match bits {
        0o020_000 => "a character device",
        0o060_000 => "a block device",
        0o010_000 => "a named pipe (FIFO)",
        0o140_000 => "a socket",
        _ => "a special file",
    }
}

/// A005: exact duplicates (error) and names that differ only in case
/// (warning: they collide when unpacked on macOS or Windows, where
/// packages are often built and checked).
fn duplicate_entries(package: &Package, out: &mut Vec<Diagnostic>) {
    let mut exact: BTreeMap<&[u8], (usize, &Entry)> = BTreeMap::new();
    for entry in package
        .entries
        .iter()
        .filter(|e| e.kind != EntryKind::Directory)
    {
        exact.entry(&entry.raw_name).or_insert((0, entry)).0 += 1;
    }
    let mut folded: BTreeMap<String, Vec<&Entry>> = BTreeMap::new();
    for (count, entry) in exact.values() {
        if *count > 1 {
            out.push(duplicate(entry, *count));
        }
        folded
            .entry(entry.name.to_lowercase())
            .or_default()
            .push(entry);
    }
    for entries in folded.values().filter(|entries| entries.len() > 1) {
        out.push(case_collision(entries));
    }
}

fn duplicate(entry: &Entry, count: usize) -> Diagnostic {
    Diagnostic::new(
        Code::A005,
        format!(
            "`{}` appears {count} times: which copy ends up installed depends on the order of \
             extraction, and other tools may show a different copy",
            entry.name
        ),
    )
    .entry(&entry.name)
    .help("Re-create the zip from a clean folder instead of appending to an existing archive (`zip` appends when the archive exists).")
}

fn case_collision(entries: &[&Entry]) -> Diagnostic {
    let names: Vec<String> = entries.iter().map(|e| format!("`{}`", e.name)).collect();
    let first = entries.first().map(|e| e.name.as_str()).unwrap_or_default();
    Diagnostic::new(
        Code::A005,
        format!(
            "{} differ only in case: they overwrite each other when unpacked on a \
             case-insensitive file system (macOS, Windows)",
            names.join(" and ")
        ),
    )
    .severity(Severity::Warning)
    .entry(first)
    .help("Keep one of them, or give them names that differ in more than case.")
}

/// A006 for the archive as a whole.
fn archive_over_limit(breach: &Breach) -> Diagnostic {
    Diagnostic::new(
        Code::A006,
        format!(
            "the archive exceeds a safety limit: {}",
            breach_words(breach)
        ),
    )
    .help(format!(
        "A plugin package holds a library, a descriptor, a config and a few files: remove what \
         does not belong, or check that the zip is not a zip bomb.{}",
        raise_hint(breach)
    ))
}

/// A006 and A008 for one entry, from what reading its data found.
fn data_problem(entry: &Entry) -> Option<Diagnostic> {
    let Some(Err(error)) = &entry.data else {
        return None;
    };
    let diagnostic = match error {
        EntryError::OverLimit(breach) => Diagnostic::new(
            Code::A006,
            format!("`{}` exceeds a safety limit: {}", entry.name, breach_words(breach)),
        )
        .help(format!(
            "Make sure the entry is what you meant to ship; a plugin library is rarely over a \
             few tens of MiB or compressed more than 100:1.{}",
            raise_hint(breach)
        )),
        EntryError::Corrupt(reason) => Diagnostic::new(
            Code::A008,
            format!("`{}` is corrupt: {reason}", entry.name),
        )
        .help("Re-create the zip with a standard tool (zip, Go's archive/zip) rather than editing it in place, and check the transfer did not damage it."),
        // Reported from the entry's own fields (A007, A010).
        EntryError::Encrypted | EntryError::UnsupportedMethod(_) => return None,
    };
    Some(diagnostic.entry(&entry.name))
}

/// What a broken limit means, in words (also for `--fix`, which refuses
/// such packages).
pub fn breach_words(breach: &Breach) -> String {
    match breach {
        Breach::Entries { limit } => {
            format!("it has more than {limit} entries (only those were read)")
        }
        Breach::Names { limit } => format!(
            "its entry names take more than {} (listing stopped there)",
            bytes(*limit)
        ),
        Breach::TotalSize { declared, limit } => format!(
            "its entries declare {} uncompressed in all, over the limit of {}",
            bytes(*declared),
            bytes(*limit)
        ),
        Breach::Size {
            role,
            declared,
            limit,
        } => format!(
            "it declares {} uncompressed, over the limit of {} for {}; it was not inflated",
            bytes(*declared),
            bytes(*limit),
            role_words(*role)
        ),
        Breach::Ratio {
            declared,
            compressed,
            limit,
        } => format!(
            "it declares {} from {} compressed, a ratio over the limit of {limit}:1 (zip bomb?); \
             it was not inflated",
            bytes(*declared),
            bytes(*compressed)
        ),
        Breach::Budget { declared, limit } => format!(
            "keeping its {} would take what is kept of this package over {}; it was not inflated",
            bytes(*declared),
            bytes(*limit)
        ),
        Breach::Inflated { limit } => format!(
            "inflating it would take the package over {} inflated in all; it was not inflated",
            bytes(*limit)
        ),
        Breach::Overlap { other } => format!(
            "its bytes overlap those of `{other}`: overlapping entries inflate the same data \
             again and again (a zip-bomb technique)"
        ),
    }
}

fn role_words(role: Role) -> &'static str {
    match role {
        Role::Library => "a library",
        Role::Descriptor => "a descriptor (.json)",
        Role::Config => "a config (.yaml)",
        Role::Other => "a kept file",
    }
}

/// The `[limits]` key that raises the limit, for packages that are meant
/// to be that large.
fn raise_hint(breach: &Breach) -> String {
    let key = match breach {
        Breach::Entries { .. } => "max-entries",
        Breach::Names { .. } | Breach::Budget { .. } => "max-kept-size",
        Breach::TotalSize { .. } | Breach::Inflated { .. } => "max-total-size",
        Breach::Size {
            role: Role::Library | Role::Other,
            ..
        } => "max-entry-size",
        Breach::Size {
            role: Role::Descriptor,
            ..
        } => "max-descriptor-size",
        Breach::Size {
            role: Role::Config, ..
        } => "max-config-size",
        Breach::Ratio { .. } => "max-ratio",
        Breach::Overlap { .. } => return String::new(),
    };
    format!(" If it is meant to be this large, raise `{key}` under [limits] in ekplugin-lint.toml.")
}

/// A byte count with its binary unit when that reads better.
fn bytes(count: u64) -> String {
    const MIB: u64 = 1 << 20;
    const KIB: u64 = 1 << 10;
    if count >= MIB && count.is_multiple_of(MIB) {
        format!("{} MiB", count / MIB)
    } else if count >= MIB {
        format!("{count} bytes ({:.1} MiB)", count as f64 / MIB as f64)
    } else if count >= KIB && count.is_multiple_of(KIB) {
        format!("{} KiB", count / KIB)
    } else {
        format!("{count} bytes")
    }
}

/// A007.
fn encrypted_entry(entry: &Entry) -> Option<Diagnostic> {
    if !entry.encrypted || entry.kind == EntryKind::Directory {
        return None;
    }
    Some(
        Diagnostic::new(
            Code::A007,
            format!(
                "`{}` is encrypted: Go's archive/zip, which eKuiper uses, cannot decrypt it",
                entry.name
            ),
        )
        .entry(&entry.name)
        .help("Re-create the zip without a password (no `zip -e` or `-P`)."),
    )
}

/// A010.
fn unsupported_method(entry: &Entry) -> Option<Diagnostic> {
    let Method::Other(number) = entry.method else {
        return None;
    };
    Some(
        Diagnostic::new(
            Code::A010,
            format!(
                "`{}` is compressed with {}: Go's archive/zip reads only store and deflate, so \
                 eKuiper fails with \"zip: unsupported compression algorithm\"",
                entry.name,
                method_name(number)
            ),
        )
        .entry(&entry.name)
        .help(
            "Re-create the zip with deflate (the default of `zip`, or `zip -Z deflate`) or store.",
        ),
    )
}

fn method_name(number: u16) -> String {
    let name = match number {
        9 => "Deflate64",
        12 => "bzip2",
        14 => "LZMA",
        93 => "Zstandard",
        95 => "XZ",
        96 => "JPEG",
        97 => "WavPack",
        98 => "PPMd",
        99 => "WinZip AES encryption",
        _ => return format!("compression method {number}"),
    };
    format!("{name} (method {number})")
}

/// A009: root files nothing but install.sh could use. Needs the plugin's
/// name; without it every file would look unused.
fn unused_entry(ctx: &Context, entry: &Entry) -> Option<Diagnostic> {
    let package = ctx.facts.package;
    let name = ctx.facts.identity.name.as_deref()?;
    if package.container != Container::Zip
        || entry.kind != EntryKind::File
        || entry.name.contains('/')
        || installer_use(ctx, entry) != Use::Ignored
    {
        return None;
    }
    let has_script = package.entries.iter().any(|e| e.name == "install.sh");
    let fate = if has_script {
        "only install.sh could use it before it is deleted"
    } else {
        "it is unzipped to a temporary folder and deleted"
    };
    Some(
        Diagnostic::new(
            Code::A009,
            format!("the installer ignores `{}`: {fate}", entry.name),
        )
        .entry(&entry.name)
        .help(match ctx.facts.identity.kind {
            Some(kind) if entry.name == format!("{name}.yaml") => format!(
                "Only sources have a default config (the installer looks for {name}.yaml only then): a {kind} gets its properties from the rule's action. Remove it, or register the plugin as a source if it is one."
            ),
            _ => unused_help(&entry.name, name),
        }),
    )
}

/// A hint for near misses of the names the installer looks for.
fn unused_help(file: &str, name: &str) -> String {
    let (stem, extension) = file.rsplit_once('.').unwrap_or((file, ""));
    let wanted = match extension {
        "json" => Some(format!("{name}.json")),
        "yaml" | "yml" => Some(format!("{name}.yaml")),
        "so" => Some(format!(
            "{name}.so or {}@<version>.so",
            crate::inspect::identity::uc_first(name)
        )),
        _ => None,
    };
    match wanted {
        Some(wanted) if stem.split('@').next().unwrap_or(stem).eq_ignore_ascii_case(name) => {
            format!("eKuiper looks for exactly `{wanted}`: rename the file.")
        }
        _ => "Remove it, or put files the plugin needs at run time under etc/ (copied to etc/<kind>s/<name>/).".into(),
    }
}

/// I001.
fn install_script(entry: &Entry) -> Option<Diagnostic> {
    if entry.name != "install.sh" || entry.kind != EntryKind::File {
        return None;
    }
    Some(
        Diagnostic::new(
            Code::I001,
            "install.sh runs with /bin/sh as the eKuiper user (often root) after the zip is unpacked",
        )
        .entry(&entry.name)
        .help("Review what it does; keep it idempotent and make it fail loudly (`set -e`)."),
    )
}

/// I002: eKuiper runs the script as `/bin/sh install.sh`, whatever its
/// first line says, and `/bin/sh` is busybox ash in the default (alpine)
/// images and dash in the slim ones. A CR ending every line becomes part
/// of every command and argument, so the script fails; a bash shebang
/// promises a shell that is not the one running it.
fn install_script_shell(entry: &Entry) -> Option<Diagnostic> {
    if entry.name != "install.sh" || entry.kind != EntryKind::File {
        return None;
    }
    let text = entry.bytes()?;
    if let Some(at) = text.windows(2).position(|pair| pair == b"\r\n") {
        let line = text[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        return Some(
            Diagnostic::new(
                Code::I002,
                format!(
                    "install.sh has CRLF (Windows) line endings, from line {line}: eKuiper runs it \
                     with /bin/sh, which takes each CR as part of a command or argument, so the \
                     script fails and the install with it"
                ),
            )
            .entry(&entry.name)
            .help("Convert the line endings to LF (`dos2unix install.sh`, or `ekplugin-lint --fix`) and set `*.sh text eol=lf` in .gitattributes."),
        );
    }
    let first = text.split(|&b| b == b'\n').next().unwrap_or_default();
    let shell = other_shell(first)?;
    Some(
        Diagnostic::new(
            Code::I002,
            format!(
                "install.sh asks for {shell} (`{}`), but eKuiper runs it with /bin/sh (busybox \
                 ash on the alpine images, dash on the slim ones): the first line is ignored, \
                 and {shell}-only syntax fails",
                String::from_utf8_lossy(first).trim_end()
            ),
        )
        .severity(Severity::Warning)
        .entry(&entry.name)
        .help("Write the script for POSIX sh (`#!/bin/sh`; no [[ ]], arrays, `source` or `function`), or have it call the shell it needs explicitly if the image has one."),
    )
}

/// The shell a shebang names, when it is not a POSIX `sh`.
fn other_shell(first_line: &[u8]) -> Option<&'static str> {
    let line = std::str::from_utf8(first_line.strip_prefix(b"#!")?).ok()?;
    let mut words = line.split_whitespace();
    let program = words.next()?;
    let program = match program.rsplit('/').next()? {
        "env" => words.find(|word| !word.starts_with('-'))?,
        other => other,
    };
    ["bash", "zsh", "ksh", "fish"]
        .into_iter()
        .find(|shell| program == *shell)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::{Declared, inspect};
    use crate::read::Package;
    use std::path::PathBuf;

    fn entry(name: &str, kind: EntryKind) -> Entry {
        Entry {
            name: name.into(),
            raw_name: name.as_bytes().to_vec(),
            kind,
            method: Method::Deflated,
            encrypted: false,
            compressed_size: 1,
            uncompressed_size: 1,
            data: None,
        }
    }

    fn run(entries: Vec<Entry>) -> Vec<Diagnostic> {
        let package = Package {
            path: PathBuf::from("random.zip"),
            container: Container::Zip,
            entries,
            unreadable: None,
            over_limit: None,
        };
        let declared = Declared {
            name: Some("random".into()),
            kind: None,
        };
        let facts = inspect(&package, &declared);
        let mut out = Vec::new();
        let ctx = Context {
            facts: &facts,
            target: None,
        };
        check(&ctx, &mut out);
        out
    }

    fn codes(diagnostics: &[Diagnostic]) -> Vec<(&str, Option<&str>)> {
        diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.entry.as_deref()))
            .collect()
    }

    #[test]
    fn unsafe_reasons_cover_each_spelling() {
        assert_eq!(unsafe_path_reasons(b"a/b.so", "a/b.so"), Vec::<&str>::new());
        assert_eq!(
            unsafe_path_reasons(b"..", ".."),
            ["climbs out of the target folder with `..`"]
        );
        assert_eq!(unsafe_path_reasons(b"a..b", "a..b"), Vec::<&str>::new());
        assert_eq!(unsafe_path_reasons(b"/x", "/x"), ["is absolute"]);
        assert_eq!(
            unsafe_path_reasons(b"D:x", "D:x"),
            ["begins with a drive letter"]
        );
        assert_eq!(
            unsafe_path_reasons(b"\xff", "\u{fffd}"),
            ["is not valid UTF-8"]
        );
        assert_eq!(
            unsafe_path_reasons(b"a\\..\\b", "a\\..\\b"),
            [
                "climbs out of the target folder with `..`",
                "contains a backslash"
            ]
        );
    }

    #[test]
    fn folders_directories_and_etc() {
        let found = run(vec![
            entry("Random.so", EntryKind::File),
            entry("etc/", EntryKind::Directory),
            entry("etc/a/b.conf", EntryKind::File),
            entry("docs/", EntryKind::Directory),
            entry("docs/x.md", EntryKind::File),
        ]);
        assert_eq!(codes(&found), [("A002", Some("docs/x.md"))]);
        assert_eq!(found[0].severity, Severity::Error);
    }

    #[test]
    fn nested_files_are_install_script_payload() {
        let found = run(vec![
            entry("Random.so", EntryKind::File),
            entry("install.sh", EntryKind::File),
            entry("lib/libtensorflowlite_c.so", EntryKind::File),
        ]);
        let nested = found.iter().find(|d| d.code == Code::A002).unwrap();
        assert_eq!(nested.severity, Severity::Warning);
        assert!(nested.message.contains("install.sh"), "{}", nested.message);
    }

    #[test]
    fn unused_root_files_need_the_name_and_skip_directories() {
        let found = run(vec![
            entry("Random.so", EntryKind::File),
            entry("random.json", EntryKind::File),
            entry("notes.txt", EntryKind::File),
            entry("build/", EntryKind::Directory),
            entry("install.sh", EntryKind::File),
        ]);
        let unused = found.iter().find(|d| d.code == Code::A009).unwrap();
        assert_eq!(unused.entry.as_deref(), Some("notes.txt"));
        assert!(unused.message.contains("install.sh"));
        assert!(found.iter().any(|d| d.code == Code::I001));
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn install_script_shell_needs_lf_and_sh() {
        let script = |text: &[u8]| {
            let mut script = entry("install.sh", EntryKind::File);
            script.data = Some(Ok(text.to_vec()));
            script
        };
        let crlf = install_script_shell(&script(b"#!/bin/sh\nset -e\r\necho ok\r\n")).unwrap();
        assert_eq!(crlf.severity, Severity::Error);
        assert!(crlf.message.contains("line 2"), "{}", crlf.message);
        for bash in [
            &b"#!/bin/bash\n"[..],
            b"#!/usr/bin/env bash\n",
            b"#! /bin/zsh -e\n",
        ] {
            let found = install_script_shell(&script(bash)).unwrap();
            assert_eq!(found.severity, Severity::Warning);
        }
        for clean in [
            &b"#!/bin/sh\nset -e\n"[..],
            b"#!/usr/bin/env sh\n",
            b"echo no shebang\n",
            b"",
        ] {
            assert_eq!(install_script_shell(&script(clean)), None);
        }
    }

    #[test]
    fn near_misses_get_a_rename_hint() {
        assert!(unused_help("Random.json", "random").contains("`random.json`"));
        assert!(unused_help("random.yml", "random").contains("`random.yaml`"));
        assert!(unused_help("Random_v1.so", "random").contains("Remove it"));
    }

    #[test]
    fn duplicates_are_reported_once_per_name() {
        let found = run(vec![
            entry("Random.so", EntryKind::File),
            entry("etc/a", EntryKind::File),
            entry("etc/a", EntryKind::File),
            entry("etc/a", EntryKind::File),
            entry("etc/", EntryKind::Directory),
            entry("etc/", EntryKind::Directory),
        ]);
        let duplicates: Vec<_> = found.iter().filter(|d| d.code == Code::A005).collect();
        assert_eq!(duplicates.len(), 1);
        assert!(duplicates[0].message.contains("3 times"));
    }

    #[test]
    fn entry_errors_map_to_their_rules() {
        let mut corrupt = entry("random.json", EntryKind::File);
        corrupt.data = Some(Err(EntryError::Corrupt("bad".into())));
        let mut big = entry("random.yaml", EntryKind::File);
        big.data = Some(Err(EntryError::OverLimit(Breach::Size {
            role: Role::Config,
            declared: 2 << 20,
            limit: 1 << 20,
        })));
        let mut locked = entry("etc/x", EntryKind::File);
        locked.encrypted = true;
        locked.method = Method::Other(99);
        locked.data = Some(Err(EntryError::Encrypted));
        let found = run(vec![
            entry("Random.so", EntryKind::File),
            corrupt,
            big,
            locked,
        ]);
        assert_eq!(
            codes(&found),
            [
                ("A008", Some("random.json")),
                ("A006", Some("random.yaml")),
                ("A007", Some("etc/x")),
                ("A010", Some("etc/x")),
            ]
        );
    }
}
