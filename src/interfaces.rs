//! The method sets of the interfaces eKuiper asserts plugin exports
//! against (`api.Source`, `api.Sink`, `api.Function`, `api.LookupSource`),
//! per version of the API module a plugin is built with.
//!
//! A plugin whose code never converts a value to the interface does not
//! carry the interface's type descriptor, so S002 cannot read the method
//! list from the library itself. The lists here, read from the API module's
//! own source at each version tag (`rules/interfaces.toml` cites them), fill
//! that gap. A version the data does not know stays unknown: no guessing.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::inspect::gotypes::Method;

const DATA: &str = include_str!("../rules/interfaces.toml");

/// The interfaces of one API module over a set of versions where they are
/// identical.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    module: String,
    versions: Vec<String>,
    /// Where the lists were read: documentation kept with the data (the
    /// tests check every group has one).
    #[allow(dead_code)]
    source: String,
    #[serde(rename = "interface")]
    interfaces: Vec<Interface>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Interface {
    /// As Go qualifies it in type strings: `api.Source`.
    name: String,
    /// `Name func(…) …`, one per method, embedded interfaces expanded.
    methods: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Data {
    group: Vec<Group>,
}

fn data() -> &'static [Group] {
    static DATA_PARSED: OnceLock<Vec<Group>> = OnceLock::new();
    DATA_PARSED.get_or_init(|| {
        // The file is ours and embedded; the unit tests prove it parses.
        toml::from_str::<Data>(DATA).map_or_else(|_| Vec::new(), |data| data.group)
    })
}

/// The methods `interface` (`api.Source`) requires at `module@version`, when
/// the data knows that version.
pub fn methods(module: &str, version: &str, interface: &str) -> Option<Vec<Method>> {
    let group = data()
        .iter()
        .find(|g| g.module == module && g.versions.iter().any(|v| v == version))?;
    let interface = group.interfaces.iter().find(|i| i.name == interface)?;
    Some(interface.methods.iter().map(|m| method(m)).collect())
}

/// `Close func(api.StreamContext) error` → name and signature.
fn method(line: &str) -> Method {
    let (name, signature) = line.split_once(' ').unwrap_or((line, ""));
    Method {
        name: name.to_string(),
        signature: Some(signature.to_string()).filter(|s| !s.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_data_parses_and_is_consistent() {
        let data: Data = toml::from_str(DATA).expect("rules/interfaces.toml parses");
        assert!(!data.group.is_empty());
        let mut seen = std::collections::BTreeSet::new();
        for group in &data.group {
            assert!(
                !group.source.is_empty(),
                "{}: cite the source",
                group.module
            );
            for version in &group.versions {
                assert!(
                    seen.insert((group.module.clone(), version.clone())),
                    "{}@{version} is listed twice",
                    group.module
                );
            }
            for interface in &group.interfaces {
                assert!(interface.name.starts_with("api."), "{}", interface.name);
                assert!(!interface.methods.is_empty(), "{}", interface.name);
                for line in &interface.methods {
                    let method = method(line);
                    assert!(
                        method
                            .signature
                            .as_deref()
                            .is_some_and(|s| s.starts_with("func(")),
                        "{line}"
                    );
                }
                let names: Vec<String> = interface.methods.iter().map(|m| method(m).name).collect();
                assert!(
                    names.windows(2).all(|pair| pair[0] < pair[1]),
                    "{}: methods sorted by name, each once",
                    interface.name
                );
            }
        }
    }
}
