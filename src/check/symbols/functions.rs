//! S005: a function plugin's descriptor names the functions users can
//! call; each `f` is looked up as `UcFirst(f)` when a rule calls it.

use crate::check::Context;
use crate::diagnostic::Diagnostic;
use crate::inspect::GoPlugin;
use crate::inspect::identity::uc_first;
use crate::rules::Code;

/// S005.
pub fn check(ctx: &Context, plugin: &GoPlugin, out: &mut Vec<Diagnostic>) {
    let Some(descriptor) = &ctx.facts.descriptor else {
        return;
    };
    for (function, span) in ctx.facts.declared_functions() {
        let symbol = uc_first(function);
        if plugin.export(&symbol).is_some() {
            continue;
        }
        out.push(
            Diagnostic::new(
                Code::S005,
                format!(
                    "the descriptor declares the function `{function}`, but the library does not export `{symbol}`: rules calling it fail with \"cannot find symbol {symbol}\""
                ),
            )
            .entry(descriptor.entry.name.clone())
            .span(span)
            .help(format!(
                "export `var {symbol} {function}` (a type whose pointer implements api.Function) from package main, or remove `{function}` from the descriptor"
            )),
        );
    }
}
