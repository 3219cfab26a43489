//! Stage 3 — check: rules read the facts and emit diagnostics. A rule never
//! opens a file, prints or exits. One module per rule family.

mod archive;
mod binary;
mod compat;
mod exports;
mod gomod;
mod library;
mod metadata;
mod symbols;

use crate::diagnostic::Diagnostic;
use crate::inspect::buildinfo::{BuildInfo, Module};
use crate::inspect::{Facts, GoPlugin};
use crate::read::Container;
use crate::target::Target;

/// The eKuiper 2.x API module.
pub const CONTRACT_V2: &str = "github.com/lf-edge/ekuiper/contract/v2";
/// eKuiper 1.x plugins import the API from the main module.
pub const EKUIPER_V1: &str = "github.com/lf-edge/ekuiper";

/// What every rule receives.
pub struct Context<'a, 'p> {
    pub facts: &'a Facts<'p>,
    /// What the plugin must match; `None` skips the compatibility rules.
    pub target: Option<&'a Target>,
}

/// Runs every rule family over the facts, in catalog order.
pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if ctx.facts.package.container == Container::ProjectFile {
        metadata::check(ctx, &mut out);
        gomod::check(ctx, &mut out);
        return out;
    }
    archive::check(ctx, &mut out);
    let package = ctx.facts.package;
    if package.unreadable.is_some() || package.over_limit.is_some() {
        // Nothing inside an unreadable archive can be judged (A001), and
        // an archive over a limit was not read to the end (A006): what
        // looks missing may only be unread.
        return out;
    }
    library::check(ctx, &mut out);
    binary::check_elf(ctx, &mut out);
    symbols::check(ctx, &mut out);
    exports::check(ctx, &mut out);
    binary::check_build(ctx, &mut out);
    compat::check(ctx, &mut out);
    metadata::check(ctx, &mut out);
    out
}

/// The eKuiper API module the library was built against: the 2.x contract
/// or, for 1.x, the main eKuiper module (as a dependency, or as the main
/// module when the plugin was built inside eKuiper's own tree).
pub fn contract_module(build_info: &BuildInfo) -> Option<&Module> {
    build_info
        .dep(CONTRACT_V2)
        .or_else(|| build_info.dep(EKUIPER_V1))
        .or_else(|| {
            build_info
                .main
                .as_ref()
                .filter(|main| main.path == EKUIPER_V1)
        })
}

/// The library entry's name and its Go facts, when it is a readable ELF
/// file. Rules about exports and build settings start from here.
fn library_facts<'a>(ctx: &'a Context) -> Option<(&'a str, &'a GoPlugin)> {
    let library = ctx.facts.library.as_ref()?;
    let plugin = library.plugin.as_ref()?.as_ref().ok()?;
    Some((library.entry.name.as_str(), plugin))
}

/// Like [`library_facts`], but only for a library that really is a Go
/// plugin (E002 and E003 would fire otherwise): symbol rules would only
/// repeat those findings.
fn go_plugin<'a>(ctx: &'a Context) -> Option<(&'a str, &'a GoPlugin)> {
    let (entry, plugin) = library_facts(ctx)?;
    let is_shared = plugin.header.elf_type == crate::inspect::library::ElfType::SharedObject;
    let is_plugin = plugin.build_mode() == crate::inspect::library::BuildMode::Plugin;
    (is_plugin && is_shared).then_some((entry, plugin))
}

/// The functions a function plugin's descriptor declares, with where; each
/// `f` is looked up as `UcFirst(f)`.
fn declared_functions<'a>(ctx: &'a Context) -> Vec<(&'a str, crate::diagnostic::Span)> {
    ctx.facts
        .descriptor
        .as_ref()
        .and_then(|descriptor| descriptor.parsed.as_ref().ok())
        .map(|descriptor| descriptor.function_names())
        .unwrap_or_default()
}
