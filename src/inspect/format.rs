//! Plugin packages of eKuiper's other formats, which a user may hand the
//! native linter: portable plugins (a `NAME.json` manifest naming a
//! `language` and an `executable`, per-symbol descriptors in `sources/`,
//! `sinks/`, `functions/`) and WASM plugins (`NAME.wasm` with `NAME.json`).
//! Only the package's shape is read here; whether that is a finding is the
//! library rules' call.

use serde::Deserialize;

use crate::read::{Entry, Package};

/// What a package that is not a native plugin is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OtherFormat {
    /// `internal/plugin/portable`: installed with `POST /plugins/portables`.
    Portable {
        /// The manifest entry (`pyrand.json`).
        manifest: String,
        language: String,
        executable: String,
    },
    /// eKuiper 1.x's WASM plugins: installed with `POST /plugins/wasm`.
    Wasm { module: String },
}

/// The fields of a portable plugin's manifest that tell it apart
/// (`PluginMeta` in `internal/plugin/portable/runtime/plugin_ins_manager.go`).
#[derive(Deserialize)]
struct PortableManifest {
    language: String,
    executable: String,
}

/// The format of a package whose root holds no `.so`, when it is one of
/// the others.
pub fn other_format(package: &Package) -> Option<OtherFormat> {
    let root = || {
        package
            .entries
            .iter()
            .filter(|entry| !entry.name.contains('/'))
    };
    if root().any(|entry| entry.name.ends_with(".so")) {
        return None;
    }
    root()
        .filter(|entry| entry.name.ends_with(".json"))
        .find_map(portable)
        .or_else(|| {
            root()
                .find(|entry| entry.name.ends_with(".wasm"))
                .map(|entry| OtherFormat::Wasm {
                    module: entry.name.clone(),
                })
        })
}

fn portable(entry: &Entry) -> Option<OtherFormat> {
    let manifest: PortableManifest = serde_json::from_slice(entry.bytes()?).ok()?;
    Some(OtherFormat::Portable {
        manifest: entry.name.clone(),
        language: manifest.language,
        executable: manifest.executable,
    })
}
