//! Facts about a plugin library, read from its ELF image. No judgement here:
//! rules in `check` decide what the facts mean.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use super::buildinfo::{BuildInfo, BuildInfoError};

/// ELF class (word size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Elf32,
    Elf64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endian {
    Little,
    Big,
}

/// The ELF file type (`e_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElfType {
    Relocatable,
    Executable,
    SharedObject,
    Core,
    Other(u16),
}

/// The ELF header fields the rules compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElfHeader {
    pub class: Class,
    pub endian: Endian,
    /// `e_machine` (62 = x86-64, 183 = AArch64, 40 = ARM, 243 = RISC-V …).
    pub machine: u16,
    pub elf_type: ElfType,
}

/// A machine Go builds plugins for: its `GOARCH` name (how release
/// profiles spell it) and what an ELF header built for it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    Amd64,
    Arm64,
    /// `linux/arm/v7` as a docker platform.
    Arm,
    #[serde(rename = "386")]
    I386,
    Ppc64le,
    Riscv64,
    S390x,
}

impl Arch {
    pub const ALL: [Arch; 7] = [
        Arch::Amd64,
        Arch::Arm64,
        Arch::Arm,
        Arch::I386,
        Arch::Ppc64le,
        Arch::Riscv64,
        Arch::S390x,
    ];

    pub fn goarch(self) -> &'static str {
        self.facts().0
    }

    /// The ELF `e_machine` of libraries built for this machine.
    pub fn elf_machine(self) -> u16 {
        self.facts().1
    }

    pub fn class(self) -> Class {
        self.facts().2
    }

    pub fn endian(self) -> Endian {
        self.facts().3
    }

    fn facts(self) -> (&'static str, u16, Class, Endian) {
        match self {
            Arch::Amd64 => ("amd64", 62, Class::Elf64, Endian::Little),
            Arch::Arm64 => ("arm64", 183, Class::Elf64, Endian::Little),
            Arch::Arm => ("arm", 40, Class::Elf32, Endian::Little),
            Arch::I386 => ("386", 3, Class::Elf32, Endian::Little),
            Arch::Ppc64le => ("ppc64le", 21, Class::Elf64, Endian::Little),
            Arch::Riscv64 => ("riscv64", 243, Class::Elf64, Endian::Little),
            Arch::S390x => ("s390x", 22, Class::Elf64, Endian::Big),
        }
    }

    pub fn from_goarch(goarch: &str) -> Option<Arch> {
        Arch::ALL.into_iter().find(|arch| arch.goarch() == goarch)
    }

    /// The machine an ELF header describes, when it is one Go supports
    /// for plugins.
    pub fn of_header(header: &ElfHeader) -> Option<Arch> {
        Arch::ALL.into_iter().find(|arch| arch.matches(header))
    }

    pub fn matches(self, header: &ElfHeader) -> bool {
        self.elf_machine() == header.machine
            && self.class() == header.class
            && self.endian() == header.endian
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.goarch())
    }
}

/// Whether an export is a function or a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportForm {
    /// `STT_FUNC`: `func NewX() api.X` style.
    Function,
    /// `STT_OBJECT`: `var X x` style; `Lookup` returns a pointer to it.
    Variable,
}

/// An exported name of the plugin's main package: dynamic symbol
/// `<pluginpath>.<name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// The Go identifier, e.g. `Random`.
    pub name: String,
    pub form: ExportForm,
}

/// An interface satisfaction the plugin carries: `go:itab.<concrete>,<interface>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Itab {
    pub concrete: String,
    pub interface: String,
}

/// Everything later stages need to know about a Go plugin library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoPlugin {
    pub header: ElfHeader,
    /// `DT_NEEDED` entries, e.g. `libc.so.6` or `libc.musl-x86_64.so.1`.
    pub needed: Vec<String>,
    /// `PT_INTERP`, when present.
    pub interpreter: Option<String>,
    /// The plugin path (`plugin/unnamed-…` or the import path), when it
    /// could be determined.
    pub plugin_path: Option<String>,
    /// Exports of the plugin's main package, sorted by name.
    pub exports: Vec<Export>,
    pub itabs: Vec<Itab>,
    /// `go:link.pkghashbytes.<package>` → the fingerprint bytes.
    pub fingerprints: BTreeMap<String, Vec<u8>>,
    /// Set for a Go plugin from before Go 1.18, which records no build
    /// info: its fingerprint symbols have the old names.
    pub legacy: Option<LegacyGo>,
    /// The decoded `.go.buildinfo`, when the library has one.
    pub build_info: Option<BuildInfo>,
    /// Why the library's `.go.buildinfo` could not be decoded, when it has
    /// one that is unreadable (then `build_info` is `None`).
    pub build_info_error: Option<BuildInfoError>,
}

impl GoPlugin {
    pub fn export(&self, name: &str) -> Option<&Export> {
        self.exports.iter().find(|export| export.name == name)
    }

    /// How the library was built, as far as its facts tell.
    pub fn build_mode(&self) -> BuildMode {
        match self
            .build_info
            .as_ref()
            .and_then(|info| info.setting("-buildmode"))
        {
            Some("plugin") => BuildMode::Plugin,
            Some(other) => BuildMode::Other(other.to_string()),
            // Go before 1.18 records no build mode, and corrupt build info
            // records nothing: the plugin's own package fingerprint and
            // plugin path are the evidence then.
            None if self.plugin_path.is_some()
                || !self.fingerprints.is_empty()
                || self.legacy.is_some() =>
            {
                BuildMode::Plugin
            }
            None if self.build_info.is_some() => BuildMode::Unknown,
            None => BuildMode::NotGo,
        }
    }

    /// Interfaces implemented by some type of the plugin, as full Go names
    /// (`github.com/lf-edge/ekuiper/contract/v2/api.Source`).
    pub fn interfaces(&self) -> impl Iterator<Item = &str> {
        self.itabs.iter().map(|itab| itab.interface.as_str())
    }
}

/// What is known of a Go plugin built before Go 1.18.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyGo {
    /// The Go releases its pcln table's magic number belongs to
    /// (`Go 1.2 to 1.15`, `Go 1.16 or 1.17`), when one was found.
    pub releases: Option<&'static str>,
}

/// What kind of Go build produced a library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildMode {
    Plugin,
    /// Another `-buildmode` (`c-shared`, `exe`, `pie` …).
    Other(String),
    /// Go build info without a build mode and no plugin evidence.
    Unknown,
    /// Neither Go build info nor Go plugin data: a C library.
    NotGo,
}

/// Why the bytes are not a usable ELF image (E001).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotElf(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arches_by_name_and_header() {
        let header = ElfHeader {
            class: Class::Elf64,
            endian: Endian::Little,
            machine: 62,
            elf_type: ElfType::SharedObject,
        };
        assert_eq!(Arch::of_header(&header), Some(Arch::Amd64));
        assert!(!Arch::Arm64.matches(&header));
        for arch in Arch::ALL {
            assert_eq!(Arch::from_goarch(arch.goarch()), Some(arch));
            let header = ElfHeader {
                class: arch.class(),
                endian: arch.endian(),
                machine: arch.elf_machine(),
                elf_type: ElfType::SharedObject,
            };
            assert_eq!(Arch::of_header(&header), Some(arch));
        }
    }
}
