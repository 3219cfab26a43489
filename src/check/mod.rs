//! Stage 3 — check: rules read the facts and emit diagnostics. A rule never
//! opens a file, prints or exits.
//!
//! One module per rule family of the catalog, and one function per rule,
//! whose doc opens with its code:
//! - [`archive`]: A001–A010 and I001, what the installer does with entries;
//! - [`library`]: L001–L005, the library the installer picks and its name,
//!   or the other plugin format the package is;
//! - [`elf`]: E001–E005, what the library file is and where it runs;
//! - [`symbols`]: S001–S008, the symbols eKuiper looks up, their types and
//!   what a rule needs of them next;
//! - [`build`]: B001–B007 and H001, how the library (or project) is built;
//! - [`metadata`]: M001–M003 and C001–C003, the descriptor and the config.
//!
//! Family modules never import each other: what two families both need is
//! a fact of `inspect` or a [`Target`] method.

mod archive;

pub use self::archive::breach_words;
mod build;
mod elf;
mod library;
mod metadata;
mod symbols;

use crate::diagnostic::Diagnostic;
use crate::inspect::Facts;
use crate::read::Container;
use crate::rules::Code;
use crate::target::Target;

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
        build::check_project(ctx, &mut out);
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
    if let Some(format) = &ctx.facts.other_format {
        // A portable or WASM package: one finding says so; its folders
        // and files the native installer ignores all follow from it.
        out.retain(|d| !matches!(d.code, Code::A002 | Code::A009));
        library::other_format(ctx, format, &mut out);
        return out;
    }
    library::check(ctx, &mut out);
    elf::check(ctx, &mut out);
    symbols::check(ctx, &mut out);
    build::check(ctx, &mut out);
    metadata::check(ctx, &mut out);
    out
}

/// The build line and image that produce a plugin matching `target`: the
/// help of every rule that compares the library with the target.
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
