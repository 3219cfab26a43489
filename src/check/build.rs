//! B001–B006 and H001: how the library was built (its Go build info, or in
//! project mode its `go.mod`) against what the target's loader demands.
//! Each predicts a failure of `plugin.Open` ("plugin was built with a
//! different version of package …") before anyone uploads the plugin.

use super::{Context, rebuild};
use crate::diagnostic::{Diagnostic, Severity};
use crate::inspect::GoPlugin;
use crate::inspect::buildinfo::{CONTRACT_V2, EKUIPER_V1};
use crate::inspect::gomod::GoMod;
use crate::inspect::gotypes::same_module_layout;
use crate::rules::Code;
use crate::target::Target;

/// How many differing packages H001 names before summarising the rest.
const FINGERPRINTS_SHOWN: usize = 5;

/// B001–B005, B007 and H001 for a built library.
pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    old_go_plugin(ctx, out);
    contract_module(ctx, out);
    let (Some(target), Some((entry, plugin))) = (ctx.target, ctx.facts.library_facts()) else {
        return;
    };
    let Some(info) = &plugin.build_info else {
        return;
    };
    check_contract(entry, plugin, target, out);
    check_go(entry, plugin, target, out);
    check_trimpath(entry, plugin, target, out);
    // The loader never gets as far as comparing fingerprints when the
    // library is for another machine (dlopen fails) or from a Go release
    // with another module data layout (the runtime aborts): B003 and E004
    // say why, and the differences would only be noise.
    let same_layout = target
        .go
        .as_deref()
        .and_then(|go| same_module_layout(&info.go_version, go))
        != Some(false);
    if target.runs(&plugin.header) && same_layout {
        let link_order = match ctx.facts.export_types() {
            Some(Ok(types)) => types.link_order.as_slice(),
            _ => &[],
        };
        check_fingerprints(entry, plugin, target, link_order, out);
    }
}

/// B007: a Go plugin from before Go 1.18 (no build info, the old
/// `go.link.pkghashbytes.*` symbols). Every eKuiper release with a profile
/// is built with Go 1.20 or later, whose runtime finds no module data of
/// its own layout in it and aborts.
fn old_go_plugin(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((entry, plugin)) = ctx.facts.library_facts() else {
        return;
    };
    let Some(legacy) = &plugin.legacy else {
        return;
    };
    let releases = legacy.releases.map_or(String::new(), |releases| {
        format!(" ({releases}, by its pcln table)")
    });
    let host = match ctx.target {
        Some(target) => match &target.go {
            Some(go) => format!("{} (built with {go})", target.source),
            None => target.source.to_string(),
        },
        None => "an eKuiper built with Go 1.18 or later".to_string(),
    };
    let help = match ctx.target {
        Some(target) => rebuild(target, entry),
        None => "rebuild it with the Go release of the eKuiper it will run in".to_string(),
    };
    out.push(
        Diagnostic::new(
            Code::B007,
            format!(
                "{entry} is a Go plugin built before Go 1.18{releases}, which records no build info: {host} aborts on it with \"fatal error: runtime: no plugin module data\", as the module data layout differs"
            ),
        )
        .entry(entry)
        .help(format!(
            "port it to the target's API module and {help}"
        )),
    );
}

/// B002.
fn check_contract(entry: &str, plugin: &GoPlugin, target: &Target, out: &mut Vec<Diagnostic>) {
    let (Some((api_path, api_version)), Some(info)) = (&target.api, &plugin.build_info) else {
        return;
    };
    let Some(found) = info.contract() else {
        return;
    };
    if &found.path == api_path && &found.version == api_version {
        return;
    }
    let found_text = format!("{} {}", found.path, found.version);
    let diagnostic = if &found.path == api_path {
        Diagnostic::new(
            Code::B002,
            format!(
                "{entry} was built against {found_text}, but {} uses {api_path} {api_version}: plugin.Open fails with \"plugin was built with a different version of package {}\"",
                target.source,
                api_package(api_path)
            ),
        )
        .help(format!(
            "`go get {api_path}@{api_version}`, then {}",
            rebuild(target, entry)
        ))
    } else {
        // The other major API: no package is shared to mismatch, but the
        // exports implement interfaces the target's loader never asserts.
        Diagnostic::new(
            Code::B002,
            format!(
                "{entry} was built against {found_text}, but {} loads plugins written against {api_path} {api_version}: its exports implement {}'s interfaces, not {}'s, so eKuiper rejects them (\"exported symbol … is not type of api.…\")",
                target.source,
                api_package(&found.path),
                api_package(api_path)
            ),
        )
        .help(format!(
            "port the plugin to {} (`go get {api_path}@{api_version}`), or check it against a release of its own API with --target",
            api_package(api_path)
        ))
    };
    out.push(diagnostic.entry(entry));
}

/// The Go package plugins take the API from, in the target's API module:
/// 1.x serves it from the server module's `pkg/api`, 2.x from the contract's `api`.
fn api_package(module: &str) -> String {
    if module == EKUIPER_V1 {
        format!("{module}/pkg/api")
    } else {
        format!("{module}/api")
    }
}

/// B003.
fn check_go(entry: &str, plugin: &GoPlugin, target: &Target, out: &mut Vec<Diagnostic>) {
    let (Some(wanted), Some(info)) = (&target.go, &plugin.build_info) else {
        return;
    };
    if &info.go_version == wanted {
        return;
    }
    let consequence = if same_module_layout(&info.go_version, wanted) == Some(false) {
        // Seen with go1.26.6 and go1.27.3 plugins in a go1.25.4 host and
        // every other pairing of the three.
        "the two releases lay out the runtime's module data differently, so plugin.Open aborts the whole server with \"fatal error: runtime: no plugin module data\""
    } else {
        "plugin.Open fails with \"plugin was built with a different version of package\" (even a different patch release does)"
    };
    out.push(
        Diagnostic::new(
            Code::B003,
            format!(
                "{entry} was built with {}, but {} was built with {wanted}: {consequence}",
                info.go_version, target.source
            ),
        )
        .entry(entry)
        .help(rebuild(target, entry)),
    );
}

/// B004.
fn check_trimpath(entry: &str, plugin: &GoPlugin, target: &Target, out: &mut Vec<Diagnostic>) {
    let (Some(wanted), Some(info)) = (target.trimpath, &plugin.build_info) else {
        return;
    };
    let found = info.setting("-trimpath") == Some("true");
    if found == wanted {
        return;
    }
    let with = |on: bool| {
        if on {
            "with -trimpath"
        } else {
            "without -trimpath"
        }
    };
    out.push(
        Diagnostic::new(
            Code::B004,
            format!(
                "{entry} was built {}, but {} was built {}: every shared package's fingerprint differs and plugin.Open fails",
                with(found),
                target.source,
                with(wanted)
            ),
        )
        .entry(entry)
        .help(rebuild(target, entry)),
    );
}

/// H001. `plugin.Open` compares the fingerprints in the plugin's link
/// order (`moduledata.pkghashes`, `runtime/plugin.go`
/// `plugin_lastmoduleinit`) and names the first that differs: the
/// differing packages are listed in that order, those it does not know
/// (unreadable type data) last, alphabetically.
fn check_fingerprints(
    entry: &str,
    plugin: &GoPlugin,
    target: &Target,
    link_order: &[String],
    out: &mut Vec<Diagnostic>,
) {
    let Some(host) = &target.fingerprints else {
        return;
    };
    let mut differing: Vec<&str> = plugin
        .fingerprints
        .iter()
        .filter(|(package, bytes)| host.get(*package).is_some_and(|h| h != *bytes))
        .map(|(package, _)| package.as_str())
        .collect();
    let mut position = std::collections::HashMap::with_capacity(link_order.len());
    for (index, package) in link_order.iter().enumerate() {
        position.entry(package.as_str()).or_insert(index);
    }
    // A stable sort keeps the alphabetical order among unknown positions.
    differing.sort_by_key(|package| position.get(package).copied().unwrap_or(usize::MAX));
    let Some(first) = differing.first() else {
        return;
    };
    let shown = differing[..differing.len().min(FINGERPRINTS_SHOWN)].join(", ");
    let more = differing.len().saturating_sub(FINGERPRINTS_SHOWN);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    out.push(
        Diagnostic::new(
            Code::H001,
            format!(
                "{} shared Go package(s) differ from {}: {shown}{more}; plugin.Open fails with \"plugin was built with a different version of package {first}\"",
                differing.len(),
                target.source
            ),
        )
        .entry(entry)
        .help(format!(
            "{}; a different Go release, -trimpath setting or dependency version changes the fingerprints",
            rebuild(target, entry)
        )),
    );
}

/// B001, then B005: the API module the library was built against, and
/// whether it is replaced.
fn contract_module(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((entry, plugin)) = ctx.facts.library_facts() else {
        return;
    };
    let Some(build_info) = &plugin.build_info else {
        return;
    };
    let Some(contract) = build_info.contract() else {
        out.push(missing_contract(Evidence::Library(entry)).entry(entry));
        return;
    };
    if let Some(replacement) = &contract.replace {
        let with = if replacement.version.is_empty() {
            replacement.path.clone()
        } else {
            format!("{} {}", replacement.path, replacement.version)
        };
        let replaced = format!("{} {}", contract.path, contract.version);
        let diagnostic =
            replaced_contract(Evidence::Library(entry), &contract.path, &replaced, &with);
        out.push(diagnostic.entry(entry));
    }
}

/// What a build finding rests on: a built library's build info, or in
/// project mode the project's `go.mod` (its module path).
#[derive(Debug, Clone, Copy)]
enum Evidence<'a> {
    Library(&'a str),
    GoMod(&'a str),
}

impl Evidence<'_> {
    fn subject(self) -> String {
        match self {
            Evidence::Library(entry) => entry.to_string(),
            Evidence::GoMod(module) => format!("go.mod of {module}"),
        }
    }
}

/// B001, for a library or a project.
fn missing_contract(evidence: Evidence) -> Diagnostic {
    let help = match evidence {
        Evidence::Library(_) => {
            format!("import \"{CONTRACT_V2}/api\" and implement the interface of the plugin's kind")
        }
        Evidence::GoMod(_) => format!("`go get {CONTRACT_V2}@<the target's version>`"),
    };
    Diagnostic::new(
        Code::B001,
        format!(
            "{} does not depend on an eKuiper API module ({CONTRACT_V2} for 2.x, {EKUIPER_V1} for 1.x), so it cannot implement api.Source, api.Sink or api.Function",
            evidence.subject()
        ),
    )
    .help(help)
}

/// B005, for a library or a project: `module` (`replaced` names it, with
/// its version when known) is replaced `with` another copy.
fn replaced_contract(evidence: Evidence, module: &str, replaced: &str, with: &str) -> Diagnostic {
    Diagnostic::new(
        Code::B005,
        format!(
            "{} replaces {replaced} with {with}: its api package must be byte-identical to the server's or plugin.Open fails with \"plugin was built with a different version of package\"",
            evidence.subject()
        ),
    )
    .help(format!(
        "drop the `replace {module}` directive from go.mod and require the version the target eKuiper release uses"
    ))
}

/// Project mode: a plugin's `go.mod`, before there is a library to read.
/// The same codes as for a built library where they apply (B001, B002,
/// B003, B005), and B006 when the file does not parse.
pub fn check_project(ctx: &Context, out: &mut Vec<Diagnostic>) {
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

/// B001, B005 and B002 from the `require` and `replace` lines.
fn contract(go_mod: &GoMod, target: Option<&Target>, out: &mut Vec<Diagnostic>) {
    let Some(required) = go_mod
        .require(CONTRACT_V2)
        .or_else(|| go_mod.require(EKUIPER_V1))
    else {
        out.push(missing_contract(Evidence::GoMod(&go_mod.module)));
        return;
    };
    if let Some(replace) = go_mod.replace(&required.path) {
        let evidence = Evidence::GoMod(&go_mod.module);
        let diagnostic = replaced_contract(evidence, &required.path, &required.path, &replace.with);
        out.push(diagnostic.span(replace.span));
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

/// B003. The `go` line is a minimum: newer than the target's Go, the plugin
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
