//! S001, S003–S005: the symbols eKuiper looks up, and what the library
//! implements. S002 (the exports' Go types) comes with the type decoder.

use super::{Context, declared_functions, go_plugin};
use crate::diagnostic::Diagnostic;
use crate::inspect::identity::{implemented_kinds, uc_first};
use crate::inspect::library::ExportForm;
use crate::inspect::{GoPlugin, Kind};
use crate::rules::Code;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some((entry, plugin)) = go_plugin(ctx) else {
        return;
    };
    let Some(name) = ctx.facts.identity.name.as_deref() else {
        return;
    };
    let kind = ctx.facts.identity.kind;
    if kind != Some(Kind::Function) || declared_functions(ctx).is_empty() {
        // A variable of interface type is S002's finding; calling it a
        // shared instance too would only repeat that it is a variable.
        let interface_var = super::exports::is_interface_var(ctx, &uc_first(name));
        check_main_export(entry, plugin, name, kind.filter(|_| !interface_var), out);
    }
    if kind == Some(Kind::Function) {
        check_functions(ctx, plugin, out);
    }
    if let Some(kind) = kind {
        check_kind(entry, plugin, kind, out);
    }
}

/// S005: every function the descriptor declares is looked up as
/// `UcFirst(f)` when a rule calls it.
fn check_functions(ctx: &Context, plugin: &GoPlugin, out: &mut Vec<Diagnostic>) {
    let Some(descriptor) = &ctx.facts.descriptor else {
        return;
    };
    for (function, span) in declared_functions(ctx) {
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

fn check_main_export(
    entry: &str,
    plugin: &GoPlugin,
    name: &str,
    kind: Option<Kind>,
    out: &mut Vec<Diagnostic>,
) {
    let symbol = uc_first(name);
    match plugin.export(&symbol) {
        None => out.push(missing_export(entry, plugin, &symbol, kind)),
        Some(export) if export.form == ExportForm::Variable => {
            if let Some(kind @ (Kind::Source | Kind::Sink)) = kind {
                out.push(shared_instance(entry, &symbol, kind));
            }
        }
        Some(_) => {}
    }
}

fn missing_export(entry: &str, plugin: &GoPlugin, symbol: &str, kind: Option<Kind>) -> Diagnostic {
    let interface = kind.map_or("Source", Kind::interface);
    let exports: Vec<&str> = plugin.exports.iter().map(|e| e.name.as_str()).collect();
    let found = if exports.is_empty() {
        "it exports nothing".to_string()
    } else {
        format!("it exports {}", exports.join(", "))
    };
    Diagnostic::new(
        Code::S001,
        format!(
            "{entry} does not export `{symbol}`, the symbol eKuiper looks up for this plugin ({found})"
        ),
    )
    .entry(entry)
    .help(format!(
        "export `func {symbol}() api.{interface}` from package main, or register the plugin under the exported name"
    ))
}

fn shared_instance(entry: &str, symbol: &str, kind: Kind) -> Diagnostic {
    let interface = kind.interface();
    Diagnostic::new(
        Code::S003,
        format!(
            "`{symbol}` is a variable: every rule using this {kind} shares the one instance and its state"
        ),
    )
    .entry(entry)
    .help(format!(
        "export a constructor instead: `func {symbol}() api.{interface} {{ return &…{{}} }}`"
    ))
}

/// Whether the library implements eKuiper interfaces, but not the one of
/// `kind`: the plugin is registered as the wrong kind (S004).
pub(super) fn implements_other_kind(plugin: &GoPlugin, kind: Kind) -> bool {
    let implemented = implemented_kinds(plugin);
    !implemented.is_empty() && !implemented.contains(&kind)
}

fn check_kind(entry: &str, plugin: &GoPlugin, kind: Kind, out: &mut Vec<Diagnostic>) {
    if !implements_other_kind(plugin, kind) {
        return;
    }
    let implemented = implemented_kinds(plugin);
    let names: Vec<String> = implemented
        .iter()
        .map(|k| format!("api.{}", k.interface()))
        .collect();
    out.push(
        Diagnostic::new(
            Code::S004,
            format!(
                "the plugin is registered as a {kind}, but {entry} implements {} and not api.{}",
                names.join(" and "),
                kind.interface()
            ),
        )
        .entry(entry)
        .help(format!(
            "register it as a {} (POST /plugins/{}s), or implement api.{}",
            implemented[0],
            implemented[0],
            kind.interface()
        )),
    );
}
