//! The rule registry, the one source of truth about rules: one line per
//! rule with its code, name, family, default severity, summary and the other
//! severities it can take. `rules/<CODE>.md` holds prose only; `--explain`,
//! `--list-rules`, SARIF rule metadata and the README's rule table are
//! derived from this file.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

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

/// The rule families of the catalog: one module of `check/` each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Archive,
    Library,
    Elf,
    Symbols,
    Build,
    Metadata,
}

impl Family {
    pub const ALL: &'static [Family] = &[
        Family::Archive,
        Family::Library,
        Family::Elf,
        Family::Symbols,
        Family::Build,
        Family::Metadata,
    ];

    /// The family's name in the README and in `--list-rules`.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Archive => "archive",
            Family::Library => "library",
            Family::Elf => "ELF",
            Family::Symbols => "symbols",
            Family::Build => "build",
            Family::Metadata => "metadata",
        }
    }

    /// Where the family's rules live.
    pub fn module(self) -> &'static str {
        match self {
            Family::Archive => "src/check/archive.rs",
            Family::Library => "src/check/library.rs",
            Family::Elf => "src/check/elf.rs",
            Family::Symbols => "src/check/symbols/",
            Family::Build => "src/check/build.rs",
            Family::Metadata => "src/check/metadata.rs",
        }
    }

    /// The family's codes, folded into ranges: `A001–A010, I001`.
    pub fn codes(self) -> String {
        let codes: Vec<Code> = Code::ALL
            .iter()
            .copied()
            .filter(|code| code.family() == self)
            .collect();
        let mut runs: Vec<(Code, Code)> = Vec::new();
        for code in codes {
            match runs.last_mut() {
                Some((_, last)) if follows(*last, code) => *last = code,
                _ => runs.push((code, code)),
            }
        }
        let runs: Vec<String> = runs
            .into_iter()
            .map(|(first, last)| match first == last {
                true => first.to_string(),
                false => format!("{first}–{last}"),
            })
            .collect();
        runs.join(", ")
    }
}

/// Whether `next` is the code right after `code` (`A009` → `A010`).
fn follows(code: Code, next: Code) -> bool {
    let (a, b) = (code.as_str(), next.as_str());
    let number = |code: &str| code[1..].parse::<u32>().ok();
    a[..1] == b[..1] && number(a).zip(number(b)).is_some_and(|(a, b)| a + 1 == b)
}

/// One line per rule: code, name, family, default severity and summary,
/// then every other severity the rule can take with when it does
/// (`Warning "when …"`). The prose lives in `rules/<CODE>.md` and is
/// embedded; everything else about a rule is read from here.
macro_rules! rules {
    ($($code:ident $name:literal $family:ident $severity:ident $summary:literal
        $($also:ident $when:literal)*;)*) => {
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

            pub fn family(self) -> Family {
                match self { $(Code::$code => Family::$family,)* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(Code::$code => Severity::$severity,)* }
            }

            /// The severities the rule reports at besides its default, each
            /// with the case it applies to.
            pub fn other_severities(self) -> &'static [(Severity, &'static str)] {
                match self { $(Code::$code => &[$((Severity::$also, $when),)*],)* }
            }

            /// One sentence: what the rule catches.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$code => $summary,)* }
            }

            /// The rule's prose (`rules/<CODE>.md`): what it catches, why it
            /// matters, an example, the fix and references.
            pub fn prose(self) -> &'static str {
                match self {
                    $(Code::$code => include_str!(concat!("../rules/", stringify!($code), ".md")),)*
                }
            }
        }
    };
}

rules! {
    A001 "unreadable-archive" Archive Error "The package is not a readable zip archive";
    A002 "nested-entry" Archive Error "A file sits in a folder other than etc/, where the installer never finds it"
        Warning "a file next to an install.sh, which may use it";
    A003 "unsafe-path" Archive Error "An entry name is absolute, climbs with .., uses backslashes or a drive letter"
        Warning "a device name on an entry the installer ignores anyway";
    A004 "special-entry" Archive Error "An entry is a symlink, device or other non-regular file";
    A005 "duplicate-entry" Archive Error "The same entry name appears more than once"
        Warning "names that differ only in case";
    A006 "resource-limit" Archive Error "The archive exceeds a size, ratio or entry-count limit (zip bomb)";
    A007 "encrypted-entry" Archive Error "An entry is encrypted and eKuiper cannot read it";
    A008 "corrupt-entry" Archive Error "An entry's data fails to inflate or its CRC is wrong";
    A009 "unused-entry" Archive Warning "A root file that the installer ignores";
    A010 "unsupported-method" Archive Error "An entry uses a compression method Go's archive/zip cannot read";
    L001 "missing-library" Library Error "No .so library matches the plugin name";
    L002 "multiple-libraries" Library Error "More than one library matches the plugin name";
    L003 "library-name" Library Error "The library's file name breaks eKuiper's naming rules"
        Warning "a library name that works but breaks the convention";
    L004 "library-version" Library Warning "The @version suffix of the library is malformed";
    L005 "other-plugin-format" Library Error "The package is a portable or WASM plugin, not a native one";
    E001 "not-elf" Elf Error "The library is not a well-formed ELF file";
    E002 "not-shared-object" Elf Error "The library is ELF but not a shared object (ET_DYN)";
    E003 "not-go-plugin" Elf Error "The library is not a Go -buildmode=plugin library and would crash the server";
    E004 "architecture" Elf Error "The library's machine, class or byte order differs from the target";
    E005 "libc-flavour" Elf Error "The library links a different C library (musl or glibc) than the target image";
    S001 "missing-export" Symbols Error "The library does not export the symbol eKuiper looks up";
    S002 "export-type" Symbols Error "The export has a type eKuiper rejects"
        Info "a type that could not be read or compared";
    S003 "shared-instance" Symbols Warning "A source or sink is exported as one instance shared by all rules";
    S004 "kind-mismatch" Symbols Error "The plugin kind is not what the library implements";
    S005 "function-not-exported" Symbols Error "A function named in the descriptor has no export";
    S006 "not-stream-source" Symbols Error "The source implements none of the stream interfaces a rule reads from";
    S007 "not-lookup-source" Symbols Error "The lookup-table export implements neither api.LookupSource nor api.LookupBytesSource";
    S008 "no-collector" Symbols Error "The sink implements neither api.BytesCollector nor api.TupleCollector";
    B001 "missing-contract" Build Error "No eKuiper API module among the library's dependencies";
    B002 "contract-version" Build Error "The eKuiper API module version differs from the target's";
    B003 "go-version" Build Error "The Go release differs from the target's"
        Warning "a go.mod toolchain line other than the target's Go";
    B004 "trimpath" Build Error "-trimpath differs from the target's build";
    B005 "replaced-contract" Build Warning "The eKuiper API module is replaced (=>)";
    B006 "invalid-go-mod" Build Error "A plugin project's go.mod does not parse";
    B007 "old-go-plugin" Build Error "A Go plugin built before Go 1.18, which a current eKuiper cannot open";
    H001 "package-fingerprint" Build Error "A Go package shared with the host was built differently";
    M001 "missing-descriptor" Metadata Warning "No NAME.json descriptor";
    M002 "invalid-descriptor" Metadata Error "The descriptor is not valid JSON";
    M003 "descriptor-schema" Metadata Error "The descriptor has fields of the wrong type, missing or unknown"
        Warning "missing optional fields and unknown fields";
    C001 "missing-config" Metadata Error "A source package without NAME.yaml";
    C002 "invalid-config" Metadata Error "The config is not YAML that eKuiper can load";
    C003 "config-shape" Metadata Warning "The config has no default section or keys the descriptor does not declare";
    I001 "install-script" Archive Info "install.sh runs as the server's user at install time";
    I002 "install-script-shell" Archive Error "install.sh has CRLF line endings or needs a shell other than /bin/sh"
        Warning "a shebang asking for bash or another non-POSIX shell";
}

impl Code {
    /// Whether a finding of this rule may carry `severity` (before the
    /// user's settings change it).
    pub fn can_be(self, severity: Severity) -> bool {
        self.default_severity() == severity
            || self.other_severities().iter().any(|(s, _)| *s == severity)
    }

    /// The `Default severity: …` line of `--explain`, from the registry.
    pub fn severity_line(self) -> String {
        let mut line = format!("Default severity: {}", self.default_severity().as_str());
        let others: Vec<String> = self
            .other_severities()
            .iter()
            .map(|(severity, when)| format!("{} for {when}", severity.as_str()))
            .collect();
        if !others.is_empty() {
            line.push_str(&format!(" ({})", others.join("; ")));
        }
        line
    }

    /// The rule's whole documentation, as `--explain` prints it and SARIF
    /// carries it: a title and the severity line from the registry, then the
    /// prose of `rules/<CODE>.md`.
    pub fn doc(self) -> &'static str {
        static DOCS: OnceLock<Vec<String>> = OnceLock::new();
        let docs = DOCS.get_or_init(|| {
            Code::ALL
                .iter()
                .map(|code| {
                    format!(
                        "# {code} {}\n\n{}\n\n{}",
                        code.name(),
                        code.severity_line(),
                        code.prose()
                    )
                })
                .collect()
        });
        docs[self as usize].as_str()
    }
}

/// The README's table of every rule, one row each, as Markdown.
pub fn markdown_table() -> String {
    let mut table = String::from(
        "| code | name | family | severity | what it catches |\n| --- | --- | --- | --- | --- |\n",
    );
    for &code in Code::ALL {
        let severities: Vec<&str> = std::iter::once(code.default_severity())
            .chain(
                code.other_severities()
                    .iter()
                    .map(|(severity, _)| *severity),
            )
            .map(Severity::as_str)
            .collect();
        table.push_str(&format!(
            "| {code} | {} | {} | {} | {} |\n",
            code.name(),
            code.family().as_str(),
            severities.join(" / "),
            code.summary()
        ));
    }
    table
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
            assert!(
                code.prose().starts_with("## What it catches\n"),
                "{code}: a doc is prose only, opening with its first section"
            );
        }
    }

    const TABLE_START: &str = "<!-- rule table: generated from src/rules.rs by its tests -->\n";
    const TABLE_END: &str = "<!-- end of rule table -->";

    /// The README's rule tables say what the registry says: the family
    /// table's codes, and the generated table of every rule.
    /// `UPDATE_README=1 cargo test --lib rules::` rewrites the latter.
    #[test]
    fn readme_rule_tables_match_the_registry() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        let readme = std::fs::read_to_string(&path).unwrap();
        for family in Family::ALL {
            let row = format!("| {} | {} |", family.as_str(), family.codes());
            assert!(readme.contains(&row), "README: no family row `{row}`");
        }
        let start = readme.find(TABLE_START).expect("README: no rule table") + TABLE_START.len();
        let end = start
            + readme[start..]
                .find(TABLE_END)
                .expect("README: rule table unclosed");
        let table = markdown_table();
        if readme[start..end] != table && std::env::var_os("UPDATE_README").is_some() {
            let updated = format!("{}{table}{}", &readme[..start], &readme[end..]);
            std::fs::write(&path, updated).unwrap();
            return;
        }
        assert_eq!(
            readme[start..end],
            table,
            "README's rule table is stale: run UPDATE_README=1 cargo test --lib rules::"
        );
    }

    #[test]
    fn family_codes_fold_into_ranges() {
        assert_eq!(Family::Archive.codes(), "A001–A010, I001–I002");
        assert_eq!(Family::Build.codes(), "B001–B007, H001");
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
