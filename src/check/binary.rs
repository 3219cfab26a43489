//! E001–E003 (what the library file is) and B001, B005 (how it was built).
//! The target-dependent checks (B002–B004, E004, E005, H001) come with
//! release profiles.

use super::{Context, contract_module, library_facts};
use crate::diagnostic::Diagnostic;
use crate::inspect::library::{BuildMode, ElfType};
use crate::rules::Code;

const KUIPERD_BUILD: &str =
    "CGO_ENABLED=1 go build -buildmode=plugin -trimpath -ldflags=\"-s -w\" -o Name@v1.0.0.so .";

pub fn check_elf(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(library) = &ctx.facts.library else {
        return;
    };
    let entry = library.entry.name.as_str();
    let plugin = match &library.plugin {
        None => return,
        Some(Err(not_elf)) => {
            out.push(
                Diagnostic::new(
                    Code::E001,
                    format!("{entry} is not an ELF file: {}", not_elf.0),
                )
                .entry(entry)
                .help(format!("build the library with `{KUIPERD_BUILD}`")),
            );
            return;
        }
        Some(Ok(plugin)) => plugin,
    };
    if plugin.header.elf_type != ElfType::SharedObject {
        out.push(
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
        );
        return;
    }
    if let (None, Some(error)) = (&plugin.build_info, &plugin.build_info_error) {
        out.push(
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
        return;
    }
    let crash = "plugin.Open aborts the whole eKuiper server (\"fatal error: runtime: no plugin module data\")";
    let message = match plugin.build_mode() {
        BuildMode::Plugin | BuildMode::Unknown => return,
        BuildMode::NotGo => {
            format!("{entry} has no Go build info: it is not a Go plugin, and {crash}")
        }
        BuildMode::Other(mode) => {
            format!("{entry} was built with -buildmode={mode}, not plugin: {crash}")
        }
    };
    out.push(
        Diagnostic::new(Code::E003, message)
            .entry(entry)
            .help(format!(
                "write the plugin in Go and build it with `{KUIPERD_BUILD}`"
            )),
    );
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

pub fn check_build(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((entry, plugin)) = library_facts(ctx) else {
        return;
    };
    let Some(build_info) = &plugin.build_info else {
        return;
    };
    let Some(contract) = contract_module(build_info) else {
        out.push(
            Diagnostic::new(
                Code::B001,
                format!(
                    "{entry} does not depend on an eKuiper API module ({} for 2.x, {} for 1.x), so it cannot implement api.Source, api.Sink or api.Function",
                    super::CONTRACT_V2,
                    super::EKUIPER_V1
                ),
            )
            .entry(entry)
            .help(format!(
                "import \"{}/api\" and implement the interface of the plugin's kind",
                super::CONTRACT_V2
            )),
        );
        return;
    };
    if let Some(replacement) = &contract.replace {
        let target = if replacement.version.is_empty() {
            replacement.path.clone()
        } else {
            format!("{} {}", replacement.path, replacement.version)
        };
        out.push(
            Diagnostic::new(
                Code::B005,
                format!(
                    "{entry} replaces {} {} with {target}: its api package must be byte-identical to the server's or plugin.Open fails with \"plugin was built with a different version of package\"",
                    contract.path, contract.version
                ),
            )
            .entry(entry)
            .help(format!(
                "drop the `replace {}` directive from go.mod and require the version the target eKuiper release uses",
                contract.path
            )),
        );
    }
}
