//! Project mode: a plugin's `go.mod`, before there is a library to read.
//! The same codes as for a built library where they apply (B001, B002,
//! B003, B005), and B006 when the file does not parse.

use super::{CONTRACT_V2, Context, EKUIPER_V1};
use crate::diagnostic::{Diagnostic, Severity};
use crate::inspect::gomod::GoMod;
use crate::rules::Code;
use crate::target::Target;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(file) = &ctx.facts.go_mod else {
        return;
    };
    let entry = file.entry.name.as_str();
    let go_mod = match &file.parsed {
        Ok(go_mod) => go_mod,
        Err(error) => {
            out.push(
                Diagnostic::new(
                    Code::B006,
                    format!("go.mod does not parse: {}", error.message),
                )
                .entry(entry)
                .help("`go mod tidy` reports the same problem with its line; fix it there"),
            );
            return;
        }
    };
    let with_entry = |diagnostic: Diagnostic| diagnostic.entry(entry);
    let mut found = Vec::new();
    contract(go_mod, ctx.target, &mut found);
    go_version(go_mod, ctx.target, &mut found);
    out.extend(found.into_iter().map(with_entry));
}

fn contract(go_mod: &GoMod, target: Option<&Target>, out: &mut Vec<Diagnostic>) {
    let Some(required) = go_mod
        .require(CONTRACT_V2)
        .or_else(|| go_mod.require(EKUIPER_V1))
    else {
        out.push(
            Diagnostic::new(
                Code::B001,
                format!(
                    "go.mod of {} does not require an eKuiper API module ({CONTRACT_V2} for 2.x), so the plugin cannot implement api.Source, api.Sink or api.Function",
                    go_mod.module
                ),
            )
            .help(format!("`go get {CONTRACT_V2}@<the target's version>`")),
        );
        return;
    };
    if let Some(replace) = go_mod.replace(&required.path) {
        out.push(
            Diagnostic::new(
                Code::B005,
                format!(
                    "go.mod replaces {} with {}: the plugin's api package must be byte-identical to the server's or plugin.Open fails",
                    required.path, replace.with
                ),
            )
            .span(replace.span)
            .help(format!("drop `replace {}` before building the release", required.path)),
        );
    }
    let Some((api_path, api_version)) = target.and_then(|t| t.api.as_ref()) else {
        return;
    };
    if &required.path != api_path || &required.version != api_version {
        let source = target.map(|t| t.source.to_string()).unwrap_or_default();
        out.push(
            Diagnostic::new(
                Code::B002,
                format!(
                    "go.mod requires {} {}, but {source} uses {api_path} {api_version}: the built plugin would fail plugin.Open",
                    required.path, required.version
                ),
            )
            .span(required.span)
            .help(format!("`go get {api_path}@{api_version}`")),
        );
    }
}

/// The `go` line is a minimum: newer than the target's Go, the plugin
/// cannot even be built with it. A `toolchain` line selects a Go release
/// (with GOTOOLCHAIN=auto) that must be the target's exactly.
fn go_version(go_mod: &GoMod, target: Option<&Target>, out: &mut Vec<Diagnostic>) {
    let Some(wanted) = target.and_then(|t| t.go.as_deref()) else {
        return;
    };
    let source = target.map(|t| t.source.to_string()).unwrap_or_default();
    if let Some(minimum) = &go_mod.go
        && version_numbers(minimum) > version_numbers(wanted)
    {
        out.push(
            Diagnostic::new(
                Code::B003,
                format!(
                    "go.mod requires go {minimum} or newer, but {source} is built with {wanted}: the plugin cannot be built with the Go release it must match"
                ),
            )
            .help(format!("lower the go line to at most {}", wanted.trim_start_matches("go"))),
        );
    }
    if let Some(toolchain) = &go_mod.toolchain
        && toolchain != wanted
    {
        out.push(
            Diagnostic::new(
                Code::B003,
                format!(
                    "go.mod selects the toolchain {toolchain}, but {source} is built with {wanted}: a plugin built with it fails plugin.Open"
                ),
            )
            .severity(Severity::Warning)
            .help(format!("set `toolchain {wanted}` or build with GOTOOLCHAIN=local and {wanted}")),
        );
    }
}

/// `1.24.0`, `go1.25.4`, `1.26rc1` → comparable numbers (pre-release tags
/// are ignored: they only make a version smaller, never larger).
fn version_numbers(version: &str) -> Vec<u64> {
    version
        .trim_start_matches("go")
        .split('.')
        .map(|part| {
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().unwrap_or(0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert!(version_numbers("1.26") > version_numbers("go1.25.4"));
        assert!(version_numbers("1.24.0") < version_numbers("go1.25.4"));
        assert!(version_numbers("1.25.10") > version_numbers("go1.25.4"));
        assert!(version_numbers("1.25") < version_numbers("go1.25.4"));
    }
}
