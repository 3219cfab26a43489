//! S001–S005: the symbols eKuiper looks up in the library and what they
//! are. The main export here (S001 missing, S003 a shared instance), its
//! Go type in [`export_type`] (S002, with the interfaces' method sets in
//! [`interfaces`]), the kind the library implements in [`kinds`] (S004),
//! a function plugin's declared functions in [`functions`] (S005), and
//! what a rule needs next in [`capabilities`] (S006 stream source, S007
//! lookup source, S008 collector).

mod capabilities;
mod export_type;
mod functions;
mod interfaces;
mod kinds;

use super::Context;
use crate::diagnostic::Diagnostic;
use crate::inspect::identity::uc_first;
use crate::inspect::library::ExportForm;
use crate::inspect::{GoPlugin, Kind};
use crate::rules::Code;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if let Some((entry, plugin)) = ctx.facts.go_plugin()
        && let Some(name) = ctx.facts.identity.name.as_deref()
    {
        let kind = ctx.facts.identity.kind;
        if kind != Some(Kind::Function) || ctx.facts.declared_functions().is_empty() {
            main_export(ctx, entry, plugin, name, out);
        }
        if kind == Some(Kind::Function) {
            functions::check(ctx, plugin, out);
        }
        if let Some(kind) = kind {
            kinds::check(ctx, entry, plugin, kind, out);
        }
    }
    export_type::check(ctx, out);
    capabilities::check(ctx, out);
}

/// S001 when the main export is missing, S003 when a source or sink
/// exports it as a variable.
fn main_export(
    ctx: &Context,
    entry: &str,
    plugin: &GoPlugin,
    name: &str,
    out: &mut Vec<Diagnostic>,
) {
    let symbol = uc_first(name);
    // A variable of interface type is S002's finding; calling it a shared
    // instance too would only repeat that it is a variable.
    let interface_var =
        matches!(ctx.facts.export_types(), Some(Ok(types)) if types.is_interface_var(&symbol));
    let kind = ctx.facts.identity.kind.filter(|_| !interface_var);
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

/// S001.
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

/// S003.
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
