//! E001–E005: what the library file is (an ELF shared object built as a Go
//! plugin) and whether it runs on the target's machines and C library.

use super::{Context, rebuild};
use crate::diagnostic::Diagnostic;
use crate::inspect::GoPlugin;
use crate::inspect::library::Arch;
use crate::inspect::library::{BuildMode, ElfType};
use crate::rules::Code;
use crate::target::{Libc, Target, libc_of};

const KUIPERD_BUILD: &str =
    "CGO_ENABLED=1 go build -buildmode=plugin -trimpath -ldflags=\"-s -w\" -o Name@v1.0.0.so .";

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    file_kind(ctx, out);
    let (Some(target), Some((entry, plugin))) = (ctx.target, ctx.facts.library_facts()) else {
        return;
    };
    architecture(entry, plugin, target, out);
    libc_flavour(entry, plugin, target, out);
}

/// E001–E003 in turn: the first that fires says what the file is, and the
/// later ones would only repeat it.
fn file_kind(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(library) = &ctx.facts.library else {
        return;
    };
    let entry = library.entry.name.as_str();
    let plugin = match &library.plugin {
        None => return,
        Some(Err(not_elf)) => {
            out.push(not_elf_file(entry, &not_elf.0));
            return;
        }
        Some(Ok(plugin)) => plugin,
    };
    if let Some(diagnostic) = not_shared_object(entry, plugin) {
        out.push(diagnostic);
        return;
    }
    out.extend(not_go_plugin(entry, plugin));
}

/// E001.
fn not_elf_file(entry: &str, reason: &str) -> Diagnostic {
    Diagnostic::new(Code::E001, format!("{entry} is not an ELF file: {reason}"))
        .entry(entry)
        .help(format!("build the library with `{KUIPERD_BUILD}`"))
}

/// E002.
fn not_shared_object(entry: &str, plugin: &GoPlugin) -> Option<Diagnostic> {
    if plugin.header.elf_type == ElfType::SharedObject {
        return None;
    }
    Some(
        Diagnostic::new(
            Code::E002,
            format!(
                "{entry} is an ELF {} file, not a shared object; plugin.Open cannot load it",
                elf_type_name(plugin.header.elf_type)
            ),
        )
        .entry(entry)
        .help(format!(
            "build it with -buildmode=plugin: `{KUIPERD_BUILD}`"
        )),
    )
}

fn elf_type_name(elf_type: ElfType) -> String {
    match elf_type {
        ElfType::Relocatable => "relocatable (ET_REL)".into(),
        ElfType::Executable => "executable (ET_EXEC)".into(),
        ElfType::SharedObject => "shared object (ET_DYN)".into(),
        ElfType::Core => "core (ET_CORE)".into(),
        ElfType::Other(value) => format!("type {value:#x}"),
    }
}

/// E003.
fn not_go_plugin(entry: &str, plugin: &GoPlugin) -> Option<Diagnostic> {
    if let (None, Some(error)) = (&plugin.build_info, &plugin.build_info_error) {
        return Some(
            Diagnostic::new(
                Code::E003,
                format!(
                    "{entry} has unreadable Go build info ({}), so its Go version, eKuiper API module and build settings cannot be checked",
                    error.0
                ),
            )
            .entry(entry)
            .help(format!(
                "a Go toolchain never writes unreadable build info: rebuild the library with `{KUIPERD_BUILD}`"
            )),
        );
    }
    let crash = "plugin.Open aborts the whole eKuiper server (\"fatal error: runtime: no plugin module data\")";
    let message = match plugin.build_mode() {
        BuildMode::Plugin | BuildMode::Unknown => return None,
        BuildMode::NotGo => {
            format!("{entry} has no Go build info: it is not a Go plugin, and {crash}")
        }
        BuildMode::Other(mode) => {
            format!("{entry} was built with -buildmode={mode}, not plugin: {crash}")
        }
    };
    Some(
        Diagnostic::new(Code::E003, message)
            .entry(entry)
            .help(format!(
                "write the plugin in Go and build it with `{KUIPERD_BUILD}`"
            )),
    )
}

/// E004.
fn architecture(entry: &str, plugin: &GoPlugin, target: &Target, out: &mut Vec<Diagnostic>) {
    if target.runs(&plugin.header) {
        return;
    }
    let found = Arch::of_header(&plugin.header).map_or_else(
        || {
            format!(
                "machine {} ({:?}, {:?})",
                plugin.header.machine, plugin.header.class, plugin.header.endian
            )
        },
        |arch| arch.goarch().to_string(),
    );
    let wanted: Vec<&str> = target.arches.iter().map(|a| a.goarch()).collect();
    // glibc's dlopen skips a library of the right class but a foreign
    // machine as if it were absent (seen with the arm64 fixtures on amd64).
    let symptom = if target
        .arches
        .iter()
        .any(|a| a.class() == plugin.header.class)
    {
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
}

/// E005.
fn libc_flavour(entry: &str, plugin: &GoPlugin, target: &Target, out: &mut Vec<Diagnostic>) {
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
