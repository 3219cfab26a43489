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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{Container, EntryKind, Method};

    fn package(files: &[(&str, &str)]) -> Package {
        let entry = |(name, text): &(&str, &str)| Entry {
            name: name.to_string(),
            raw_name: name.as_bytes().to_vec(),
            kind: EntryKind::File,
            method: Method::Deflated,
            encrypted: false,
            compressed_size: text.len() as u64,
            uncompressed_size: text.len() as u64,
            data: Some(Ok(text.as_bytes().to_vec())),
        };
        Package {
            path: "test.zip".into(),
            container: Container::Zip,
            entries: files.iter().map(entry).collect(),
            unreadable: None,
            over_limit: None,
        }
    }

    const MANIFEST: &str =
        r#"{"version": "v1.0.0", "language": "go", "executable": "mirror", "sources": ["random"]}"#;

    #[test]
    fn a_manifest_with_language_and_executable_is_portable() {
        let portable = package(&[
            ("mirror.json", MANIFEST),
            ("mirror", "\x7fELF"),
            ("sources/random.json", "{}"),
        ]);
        assert_eq!(
            other_format(&portable),
            Some(OtherFormat::Portable {
                manifest: "mirror.json".into(),
                language: "go".into(),
                executable: "mirror".into(),
            })
        );
    }

    #[test]
    fn a_wasm_module_at_the_root_is_wasm() {
        let wasm = package(&[("fib.json", r#"{"functions": ["fib"]}"#), ("fib.wasm", "")]);
        assert_eq!(
            other_format(&wasm),
            Some(OtherFormat::Wasm {
                module: "fib.wasm".into()
            })
        );
    }

    #[test]
    fn native_packages_and_plain_descriptors_are_not_other_formats() {
        // A library at the root makes it native, whatever else it holds.
        let native = package(&[("Pulse.so", ""), ("mirror.json", MANIFEST), ("x.wasm", "")]);
        assert_eq!(other_format(&native), None);
        // A descriptor has no language or executable; nested files do not count.
        let descriptor = package(&[
            ("pulse.json", r#"{"about": {}}"#),
            ("sub/mirror.json", MANIFEST),
            ("sub/fib.wasm", ""),
        ]);
        assert_eq!(other_format(&descriptor), None);
    }
}
