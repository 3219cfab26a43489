//! Stage 3 — check: rules read the facts and emit diagnostics. A rule never
//! opens a file, prints or exits. One module per rule family.

mod archive;
mod binary;
mod library;
mod metadata;
mod symbols;

use crate::diagnostic::Diagnostic;
use crate::inspect::Facts;

/// What every rule receives.
pub struct Context<'a, 'p> {
    pub facts: &'a Facts<'p>,
}

/// Runs every rule family over the facts, in catalog order.
pub fn check(ctx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    archive::check(ctx, &mut out);
    library::check(ctx, &mut out);
    binary::check_elf(ctx, &mut out);
    symbols::check(ctx, &mut out);
    binary::check_build(ctx, &mut out);
    metadata::check(ctx, &mut out);
    out
}
