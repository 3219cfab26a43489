//! The method sets S002 compares an instance export against: what the
//! interfaces eKuiper asserts require, and which of them a type lacks.

use std::borrow::Cow;

use crate::inspect::buildinfo::Module;
use crate::inspect::gotypes::{ExportTypes, Method};
use crate::interfaces;

/// Where an interface's method list comes from: the library's own type
/// data when the plugin converts a value to the interface, else the
/// embedded lists for the API module version the plugin was built with.
pub(super) struct KnownInterfaces<'a> {
    pub types: &'a ExportTypes,
    pub module: Option<&'a Module>,
    /// The api package of `module`.
    pub api: Option<&'static str>,
}

impl KnownInterfaces<'_> {
    pub fn methods(&self, full_name: &str) -> Option<Cow<'_, [Method]>> {
        if let Some(methods) = self.types.interface_methods(full_name) {
            return Some(Cow::Borrowed(methods));
        }
        let (module, api) = (self.module?, self.api?);
        let interface = full_name.strip_prefix(api)?.strip_prefix('.')?;
        interfaces::methods(&module.path, &module.version, &format!("api.{interface}"))
            .map(Cow::Owned)
    }
}

/// Describes the first required method `methods` lacks, if any. Signatures
/// are compared when both are known.
pub(super) fn missing_method(required: &[Method], methods: &[Method]) -> Option<String> {
    required.iter().find_map(|want| {
        let Some(have) = methods.iter().find(|m| m.name == want.name) else {
            return Some(format!("lacks method {}", want.name));
        };
        match (&have.signature, &want.signature) {
            (Some(have), Some(want_sig)) if have != want_sig => Some(format!(
                "has method {} of type {have}, not {want_sig}",
                want.name
            )),
            _ => None,
        }
    })
}
