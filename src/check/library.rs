//! L001–L005: the library the installer would pick, its file name, and
//! packages that hold no native library at all (other plugin formats).

use super::Context;
use crate::diagnostic::{Diagnostic, Severity};
use crate::inspect::buildinfo::CONTRACT_V2;
use crate::inspect::format::OtherFormat;
use crate::inspect::identity::{library_pattern, uc_first};
use crate::rules::Code;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let facts = ctx.facts;
    let Some(name) = facts.identity.name.as_deref() else {
        out.push(missing_without_name(ctx));
        return;
    };
    check_name(name, out);
    match facts.libraries.as_slice() {
        [] => out.push(missing_library(ctx, name)),
        [_] => {}
        [first, rest @ ..] => out.push(multiple_libraries(first, rest)),
    }
    for library in &facts.libraries {
        check_file_name(&library.name, out);
    }
}

fn missing_without_name(ctx: &Context) -> Diagnostic {
    let nested = ctx
        .facts
        .package
        .entries
        .iter()
        .find(|entry| entry.name.ends_with(".so"));
    let message = match nested {
        Some(entry) => format!(
            "no library at the root of the zip (found {}, which the installer does not see)",
            entry.name
        ),
        None => "no .so library in the package".to_string(),
    };
    Diagnostic::new(Code::L001, message)
        .help("put the plugin library, named like Name@v1.0.0.so, at the root of the zip")
}

fn missing_library(ctx: &Context, name: &str) -> Diagnostic {
    let others: Vec<&str> = ctx
        .facts
        .package
        .entries
        .iter()
        .map(|entry| entry.name.as_str())
        .filter(|entry| entry.ends_with(".so"))
        .collect();
    let found = if others.is_empty() {
        String::new()
    } else {
        format!(" (found {}, which does not match)", others.join(", "))
    };
    Diagnostic::new(
        Code::L001,
        format!(
            "no library named like {}.so or {name}.so at the root of the zip{found}",
            uc_first(name)
        ),
    )
    .help(format!(
        "the installer takes the library matching `{}`; rename it to {}@v1.0.0.so or register the plugin under the library's name",
        library_pattern(name).as_str(),
        uc_first(name)
    ))
}

fn multiple_libraries(first: &crate::read::Entry, rest: &[&crate::read::Entry]) -> Diagnostic {
    let names: Vec<&str> = std::iter::once(first)
        .chain(rest.iter().copied())
        .map(|entry| entry.name.as_str())
        .collect();
    Diagnostic::new(
        Code::L002,
        format!(
            "{} libraries match the plugin name: {}; the installer rejects the zip (\"invalid zip file: expectFiles: …\")",
            names.len(),
            names.join(", ")
        ),
    )
    .entry(rest[0].name.clone())
    .help("keep exactly one library in the package")
}

/// The registered name becomes the Go symbol `UcFirst(NAME)`, so it must be
/// an identifier Go can export. eKuiper's ucFirst upper-cases the first
/// *byte*, so a name starting with a non-ASCII letter is mangled too.
fn check_name(name: &str, out: &mut Vec<Diagnostic>) {
    if name.trim().is_empty() {
        // pkg/validate/validate.go (ValidateID) and Register refuse it
        // before looking at the zip.
        out.push(
            Diagnostic::new(
                Code::L003,
                "the plugin name is empty: eKuiper refuses the request before installing anything (\"id cannot be empty\"; Register: \"invalid name : should not be empty\")",
            )
            .help("register the plugin under a name of letters, digits and `_`, starting with an ASCII letter (`--name`)"),
        );
        return;
    }
    let mut chars = name.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let identifier = starts_with_letter && chars.all(|c| c.is_alphanumeric() || c == '_');
    if !identifier {
        out.push(
            Diagnostic::new(
                Code::L003,
                format!(
                    "the plugin name `{name}` is not a Go identifier, so no plugin can export the symbol `{}` eKuiper looks up",
                    uc_first(name)
                ),
            )
            .help("use a name made of letters, digits and `_`, starting with an ASCII letter"),
        );
    }
}

fn check_file_name(file_name: &str, out: &mut Vec<Diagnostic>) {
    let stem = file_name.trim_end_matches(".so");
    let (base, version) = match stem.split_once('@') {
        Some((base, version)) => (base, Some(version)),
        None => (stem, None),
    };
    if base.chars().next().is_some_and(char::is_lowercase) {
        out.push(
            Diagnostic::new(
                Code::L003,
                format!("the library {file_name} starts with a lower-case letter"),
            )
            .severity(Severity::Warning)
            .entry(file_name)
            .help(format!(
                "eKuiper's convention is the exported symbol's name: {}{}.so",
                uc_first(base),
                version.map(|v| format!("@{v}")).unwrap_or_default()
            )),
        );
    }
    if let Some(version) = version
        && let Err(problem) = check_version(version)
    {
        out.push(
            Diagnostic::new(
                Code::L004,
                format!("the library version `{version}` in {file_name} {problem}"),
            )
            .entry(file_name)
            .help(format!(
                "use a semantic version after `@`, e.g. {}@v1.0.0.so",
                uc_first(base)
            )),
        );
    }
}

/// Accepts `v?MAJOR.MINOR.PATCH` with optional `-pre` and `+build` parts.
fn check_version(version: &str) -> Result<(), &'static str> {
    let core = version.strip_prefix('v').unwrap_or(version);
    if core.is_empty() {
        return Err("is empty");
    }
    let core = core.split(['-', '+']).next().unwrap_or(core);
    let numbers: Vec<&str> = core.split('.').collect();
    let numeric = numbers
        .iter()
        .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()));
    if numbers.len() != 3 || !numeric {
        return Err("is not a semantic version (MAJOR.MINOR.PATCH)");
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || ".-+".contains(c);
    if !version.chars().all(allowed) {
        return Err("has characters other than letters, digits, `.`, `-` and `+`");
    }
    Ok(())
}

/// L005: a portable or WASM plugin handed to the native linter, said in
/// one finding (the nested folders, missing library and foreign manifest
/// all follow from it).
pub fn other_format(ctx: &Context, format: &OtherFormat, out: &mut Vec<Diagnostic>) {
    let two_x = ctx
        .target
        .and_then(|target| target.api.as_ref())
        .is_none_or(|(module, _)| module == CONTRACT_V2);
    let diagnostic = match format {
        OtherFormat::Portable {
            manifest,
            language,
            executable,
        } => Diagnostic::new(
            Code::L005,
            format!(
                "this is a portable plugin (manifest {manifest}: language {language}, executable {executable}), not a native one: the native installer finds no library in it and fails with \"invalid zip file\""
            ),
        )
        .entry(manifest.clone())
        .help("install it with POST /plugins/portables {\"name\": …, \"file\": …}; lint a native plugin's zip (library, NAME.json, NAME.yaml at the root) instead"),
        OtherFormat::Wasm { module } => {
            let where_to = if two_x {
                "eKuiper 2.x has no WASM plugin manager (1.x installed these with POST /plugins/wasm): port it to a portable or native plugin"
            } else {
                "install it with POST /plugins/wasm {\"name\": …, \"file\": …}"
            };
            Diagnostic::new(
                Code::L005,
                format!(
                    "this is a WASM plugin ({module}), not a native one: the native installer finds no library in it and fails with \"invalid zip file\""
                ),
            )
            .entry(module.clone())
            .help(where_to)
        }
    };
    out.push(diagnostic);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        for ok in ["v1.0.0", "1.2.3", "v1.0.0-rc.1", "v2.0.0+build5"] {
            assert_eq!(check_version(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "v",
            "1.0",
            "v1.0.0.0",
            "latest",
            "v1.x.0",
            "v1.0.0 beta",
        ] {
            assert!(check_version(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_must_be_go_identifiers() {
        let mut out = Vec::new();
        for ok in ["pulse", "Pulse2", "my_source", "cafÉ"] {
            check_name(ok, &mut out);
        }
        assert!(out.is_empty());
        for bad in ["my-source", "2fast", "", "a.b", "éclair", "_x"] {
            check_name(bad, &mut out);
        }
        assert_eq!(out.len(), 6);
    }

    #[test]
    fn lower_case_library_is_a_warning() {
        let mut out = Vec::new();
        check_file_name("pulse@v1.0.0.so", &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(
            (out[0].code, out[0].severity),
            (Code::L003, Severity::Warning)
        );
        out.clear();
        check_file_name("Pulse@v1.0.0.so", &mut out);
        assert!(out.is_empty());
    }
}
