//! Binary compatibility with the target: B002–B004, E004, E005 and H001.
//! Each predicts a failure of `plugin.Open` ("plugin was built with a
//! different version of package …") before anyone uploads the plugin.

use super::{Context, contract_module, library_facts};
use crate::diagnostic::Diagnostic;
use crate::inspect::GoPlugin;
use crate::inspect::gotypes::same_module_layout;
use crate::rules::Code;
use crate::target::{Arch, Libc, Target, libc_of};

/// How many differing packages H001 names before summarising the rest.
const FINGERPRINTS_SHOWN: usize = 5;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(target), Some((entry, plugin))) = (ctx.target, library_facts(ctx)) else {
        return;
    };
    let same_arch = check_architecture(entry, plugin, target, out);
    check_libc(entry, plugin, target, out);
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
    if same_arch && same_layout {
        check_fingerprints(entry, plugin, target, out);
    }
}

/// The build line and image that produce a matching plugin.
fn rebuild(target: &Target, library: &str) -> String {
    let trimpath = if target.trimpath == Some(false) {
        ""
    } else {
        " -trimpath"
    };
    let command = format!(
        "CGO_ENABLED=1 go build -buildmode=plugin{trimpath} -ldflags=\"-s -w\" -o {library} ."
    );
    match (&target.build_image, &target.go) {
        (Some(image), _) => format!("rebuild in {image} with `{command}`"),
        (None, Some(go)) => format!("rebuild with {go} using `{command}`"),
        (None, None) => format!("rebuild with `{command}`"),
    }
}

/// E004; says whether the library runs on (one of) the target's machines.
fn check_architecture(
    entry: &str,
    plugin: &GoPlugin,
    target: &Target,
    out: &mut Vec<Diagnostic>,
) -> bool {
    if target.arches.is_empty() || target.arches.iter().any(|a| a.matches(&plugin.header)) {
        return true;
    }
    let found = Arch::of_header(&plugin.header).map_or_else(
        || {
            format!(
                "machine {} ({:?}, {:?})",
                plugin.header.machine, plugin.header.class, plugin.header.endian
            )
        },
        |arch| arch.goarch.to_string(),
    );
    let wanted: Vec<&str> = target.arches.iter().map(|a| a.goarch).collect();
    // glibc's dlopen skips a library of the right class but a foreign
    // machine as if it were absent (seen with the arm64 fixtures on amd64).
    let symptom = if target.arches.iter().any(|a| a.class == plugin.header.class) {
        "; with glibc, plugin.Open fails with the misleading \"cannot open shared object file: No such file or directory\""
    } else {
        ""
    };
    out.push(
        Diagnostic::new(
            Code::E004,
            format!(
                "{entry} is built for {found}, but {} runs on {}{symptom}",
                target.source,
                wanted.join(", ")
            ),
        )
        .entry(entry)
        .help(format!(
            "set GOARCH={} (and a matching cross C compiler for cgo), then {}",
            wanted[0],
            rebuild(target, entry)
        )),
    );
    false
}

fn check_libc(entry: &str, plugin: &GoPlugin, target: &Target, out: &mut Vec<Diagnostic>) {
    let (Some(wanted), Some(found)) = (target.libc, libc_of(&plugin.needed)) else {
        return;
    };
    if wanted == found {
        return;
    }
    let image = match wanted {
        Libc::Musl => "the alpine-based image (ghcr.io/lf-edge/ekuiper/base:<go>-alpine)",
        Libc::Glibc => "the debian-based image (ghcr.io/lf-edge/ekuiper/base:<go>-debian)",
    };
    out.push(
        Diagnostic::new(
            Code::E005,
            format!(
                "{entry} links {}, but {} uses {}: the plugin's cgo runtime cannot load there",
                found.as_str(),
                target.source,
                wanted.as_str()
            ),
        )
        .entry(entry)
        .help(format!(
            "build the plugin in {image}: {}",
            rebuild(target, entry)
        )),
    );
}

fn check_contract(entry: &str, plugin: &GoPlugin, target: &Target, out: &mut Vec<Diagnostic>) {
    let (Some((api_path, api_version)), Some(info)) = (&target.api, &plugin.build_info) else {
        return;
    };
    let Some(found) = contract_module(info) else {
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
    if module == crate::profile::MAIN_MODULE {
        format!("{module}/pkg/api")
    } else {
        format!("{module}/api")
    }
}

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

fn check_fingerprints(entry: &str, plugin: &GoPlugin, target: &Target, out: &mut Vec<Diagnostic>) {
    let Some(host) = &target.fingerprints else {
        return;
    };
    let differing: Vec<&str> = plugin
        .fingerprints
        .iter()
        .filter(|(package, bytes)| host.get(*package).is_some_and(|h| h != *bytes))
        .map(|(package, _)| package.as_str())
        .collect();
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
