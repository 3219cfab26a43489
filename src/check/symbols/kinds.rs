//! S004: the kind the plugin is registered as, against the eKuiper
//! interfaces its `go:itab` symbols show it implements.

use crate::diagnostic::Diagnostic;
use crate::inspect::identity::{implemented_kinds, implements_other_kind};
use crate::inspect::{GoPlugin, Kind};
use crate::rules::Code;

/// S004.
pub fn check(entry: &str, plugin: &GoPlugin, kind: Kind, out: &mut Vec<Diagnostic>) {
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
