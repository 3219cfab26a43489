//! S004: the kind the plugin is registered as, against the eKuiper
//! interfaces its `go:itab` symbols show it implements.

use crate::check::Context;
use crate::diagnostic::Diagnostic;
use crate::inspect::identity::{implemented_kinds, implements_other_kind, uc_first};
use crate::inspect::library::ExportForm;
use crate::inspect::{GoPlugin, Kind};
use crate::rules::Code;

/// Whether the library is registered as the wrong kind: its itabs show
/// other eKuiper interfaces and none of `kind`'s. An instance export
/// (`var Echo2 echo`) leaves no itab, so a library whose looked-up symbols
/// are variables may implement `kind` all the same: S002 and S006–S008
/// judge those from their method sets instead.
pub(super) fn mismatched(ctx: &Context, plugin: &GoPlugin, kind: Kind) -> bool {
    if !implements_other_kind(plugin, kind) {
        return false;
    }
    let Some(name) = ctx.facts.identity.name.as_deref() else {
        return true;
    };
    let declared = ctx.facts.declared_functions();
    let symbols: Vec<String> = if kind == Kind::Function && !declared.is_empty() {
        declared.iter().map(|(f, _)| uc_first(f)).collect()
    } else {
        vec![uc_first(name)]
    };
    !symbols.iter().any(|symbol| {
        plugin
            .export(symbol)
            .is_some_and(|export| export.form == ExportForm::Variable)
    })
}

/// S004.
pub fn check(ctx: &Context, entry: &str, plugin: &GoPlugin, kind: Kind, out: &mut Vec<Diagnostic>) {
    if !mismatched(ctx, plugin, kind) {
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
