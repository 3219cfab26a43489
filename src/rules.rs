//! The rule registry: one line per rule, code → name, default severity and
//! summary. The long documentation lives in `rules/<CODE>.md` and is embedded.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// How bad a finding is. Ordered so that `max()` gives the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

macro_rules! rules {
    ($($code:ident $name:literal $severity:ident $summary:literal;)*) => {
        /// A public rule code. Codes are a contract: add, never rename or reuse.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($code,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$code => stringify!($code),)* }
            }

            /// The rule's kebab-case name, e.g. `missing-export`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$code => $name,)* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(Code::$code => Severity::$severity,)* }
            }

            /// One sentence: what the rule catches.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$code => $summary,)* }
            }

            /// The rule's documentation (`rules/<CODE>.md`).
            pub fn doc(self) -> &'static str {
                match self {
                    $(Code::$code => include_str!(concat!("../rules/", stringify!($code), ".md")),)*
                }
            }
        }
    };
}

rules! {
    A001 "unreadable-archive" Error "The package is not a readable zip archive";
    A002 "nested-entry" Error "A file sits in a folder other than etc/, where the installer never finds it";
    A003 "unsafe-path" Error "An entry name is absolute, climbs with .., uses backslashes or a drive letter";
    A004 "special-entry" Error "An entry is a symlink, device or other non-regular file";
    A005 "duplicate-entry" Error "The same entry name appears more than once";
    A006 "resource-limit" Error "The archive exceeds a size, ratio or entry-count limit (zip bomb)";
    A007 "encrypted-entry" Error "An entry is encrypted and eKuiper cannot read it";
    A008 "corrupt-entry" Error "An entry's data fails to inflate or its CRC is wrong";
    A009 "unused-entry" Warning "A root file that the installer ignores";
    A010 "unsupported-method" Error "An entry uses a compression method Go's archive/zip cannot read";
    L001 "missing-library" Error "No .so library matches the plugin name";
    L002 "multiple-libraries" Error "More than one library matches the plugin name";
    L003 "library-name" Error "The library's file name breaks eKuiper's naming rules";
    L004 "library-version" Warning "The @version suffix of the library is malformed";
    E001 "not-elf" Error "The library is not a well-formed ELF file";
    E002 "not-shared-object" Error "The library is ELF but not a shared object (ET_DYN)";
    E003 "not-go-plugin" Error "The library is not a Go -buildmode=plugin library and would crash the server";
    E004 "architecture" Error "The library's machine, class or byte order differs from the target";
    E005 "libc-flavour" Error "The library links a different C library (musl or glibc) than the target image";
    S001 "missing-export" Error "The library does not export the symbol eKuiper looks up";
    S002 "export-type" Error "The export has a type eKuiper rejects";
    S003 "shared-instance" Warning "A source or sink is exported as one instance shared by all rules";
    S004 "kind-mismatch" Error "The plugin kind is not what the library implements";
    S005 "function-not-exported" Error "A function named in the descriptor has no export";
    B001 "missing-contract" Error "No eKuiper API module among the library's dependencies";
    B002 "contract-version" Error "The eKuiper API module version differs from the target's";
    B003 "go-version" Error "The Go release differs from the target's";
    B004 "trimpath" Error "-trimpath differs from the target's build";
    B005 "replaced-contract" Warning "The eKuiper API module is replaced (=>)";
    B006 "invalid-go-mod" Error "A plugin project's go.mod does not parse";
    H001 "package-fingerprint" Error "A Go package shared with the host was built differently";
    M001 "missing-descriptor" Error "No NAME.json descriptor";
    M002 "invalid-descriptor" Error "The descriptor is not valid JSON";
    M003 "descriptor-schema" Error "The descriptor has fields of the wrong type, missing or unknown";
    C001 "missing-config" Error "A source package without NAME.yaml";
    C002 "invalid-config" Error "The config is not YAML that eKuiper can load";
    C003 "config-shape" Warning "The config has no default section or keys the descriptor does not declare";
    I001 "install-script" Info "install.sh runs as the server's user at install time";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Code {
    type Err = String;

    fn from_str(s: &str) -> Result<Code, String> {
        Code::ALL
            .iter()
            .copied()
            .find(|code| code.as_str().eq_ignore_ascii_case(s) || code.name() == s)
            .ok_or_else(|| format!("unknown rule `{s}` (see --list-rules)"))
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Whether `code` is matched by a selector: a full code (`S001`), a prefix
/// (`S`, `A00`), `ALL`, or a rule name (`missing-export`).
pub fn selector_matches(selector: &str, code: Code) -> bool {
    selector.eq_ignore_ascii_case("ALL")
        || code.name() == selector
        || code
            .as_str()
            .starts_with(selector.to_ascii_uppercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()));
            assert_eq!(code.as_str().len(), 4);
            assert!(code.doc().starts_with(&format!("# {}", code.as_str())));
        }
    }

    #[test]
    fn selectors_take_prefixes_and_names() {
        assert!(selector_matches("S", Code::S001));
        assert!(selector_matches("a00", Code::A005));
        assert!(!selector_matches("A01", Code::A005));
        assert!(selector_matches("missing-export", Code::S001));
        assert!(selector_matches("ALL", Code::I001));
    }
}

/// Which rules report, after `--select`/`--ignore`/`--warnings-as-errors`.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Selectors of the rules to run; empty means all.
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub warnings_as_errors: bool,
    /// Per-rule severities from the settings; `None` turns a rule off.
    pub severities: std::collections::BTreeMap<Code, Option<Severity>>,
}

impl Selection {
    pub fn enabled(&self, code: Code) -> bool {
        if self.severities.get(&code) == Some(&None) {
            return false;
        }
        let selected =
            self.select.is_empty() || self.select.iter().any(|s| selector_matches(s, code));
        selected && !self.ignore.iter().any(|s| selector_matches(s, code))
    }

    /// The severity a finding of `code` reports at, given the severity
    /// its rule chose: the settings' override, then warnings promoted if
    /// asked.
    pub fn severity(&self, code: Code, chosen: Severity) -> Severity {
        let severity = match self.severities.get(&code) {
            Some(Some(severity)) => *severity,
            _ => chosen,
        };
        if self.warnings_as_errors && severity == Severity::Warning {
            Severity::Error
        } else {
            severity
        }
    }
}

/// Checks that a selector names at least one rule.
pub fn validate_selector(selector: &str) -> Result<(), String> {
    if Code::ALL
        .iter()
        .any(|&code| selector_matches(selector, code))
    {
        Ok(())
    } else {
        Err(format!("`{selector}` selects no rule (see --list-rules)"))
    }
}
