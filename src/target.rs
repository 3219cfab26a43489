//! What the plugin must match: a release profile (`--target`, `--image`) or
//! the facts of a real eKuiper executable (`--host`). Rules compare the
//! library against a `Target` and never care where it came from.

use std::collections::BTreeMap;
use std::fmt;

use crate::inspect::GoPlugin;
use crate::inspect::library::{Class, ElfHeader, Endian};

/// The C library a binary links against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Libc {
    Glibc,
    Musl,
}

impl Libc {
    /// Tells the C library from `DT_NEEDED` names (`libc.so.6`,
    /// `libc.musl-x86_64.so.1`).
    pub fn of_needed(needed: &[String]) -> Option<Libc> {
        needed.iter().find_map(|name| {
            if name.starts_with("libc.musl-") || name == "libc.so" {
                Some(Libc::Musl)
            } else if name == "libc.so.6" {
                Some(Libc::Glibc)
            } else {
                None
            }
        })
    }
}

impl fmt::Display for Libc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Libc::Glibc => "glibc",
            Libc::Musl => "musl",
        })
    }
}

/// The flavours of the official eKuiper images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Flavour {
    /// The default images, built on alpine: musl.
    Alpine,
    /// The `-slim` images, built on debian: glibc.
    Slim,
}

impl Flavour {
    pub fn libc(self) -> Libc {
        match self {
            Flavour::Alpine => Libc::Musl,
            Flavour::Slim => Libc::Glibc,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Flavour::Alpine => "alpine",
            Flavour::Slim => "slim",
        }
    }
}

impl std::str::FromStr for Flavour {
    type Err = String;

    fn from_str(s: &str) -> Result<Flavour, String> {
        match s {
            "alpine" => Ok(Flavour::Alpine),
            "slim" | "debian" => Ok(Flavour::Slim),
            _ => Err(format!("unknown image flavour `{s}`: alpine or slim")),
        }
    }
}

/// A machine a target runs on, as the ELF header spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arch {
    /// The Go name (`amd64`, `arm64`, `arm` …).
    pub goarch: &'static str,
    pub machine: u16,
    pub class: Class,
    pub endian: Endian,
}

const ARCHES: [Arch; 7] = [
    arch("amd64", 62, Class::Elf64, Endian::Little),
    arch("arm64", 183, Class::Elf64, Endian::Little),
    arch("arm", 40, Class::Elf32, Endian::Little),
    arch("386", 3, Class::Elf32, Endian::Little),
    arch("ppc64le", 21, Class::Elf64, Endian::Little),
    arch("riscv64", 243, Class::Elf64, Endian::Little),
    arch("s390x", 22, Class::Elf64, Endian::Big),
];

const fn arch(goarch: &'static str, machine: u16, class: Class, endian: Endian) -> Arch {
    Arch {
        goarch,
        machine,
        class,
        endian,
    }
}

impl Arch {
    pub fn by_goarch(goarch: &str) -> Option<Arch> {
        ARCHES.iter().copied().find(|arch| arch.goarch == goarch)
    }

    /// The architecture an ELF header describes, when it is one Go supports
    /// for plugins.
    pub fn of_header(header: &ElfHeader) -> Option<Arch> {
        ARCHES.iter().copied().find(|arch| arch.matches(header))
    }

    pub fn matches(&self, header: &ElfHeader) -> bool {
        self.machine == header.machine && self.class == header.class && self.endian == header.endian
    }
}

/// Where the target's facts come from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A release profile, with the image flavour when one was chosen.
    Profile {
        ekuiper: String,
        image: Option<String>,
    },
    /// An eKuiper executable given with `--host`.
    Host(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Profile {
                ekuiper,
                image: Some(image),
            } => write!(f, "eKuiper {ekuiper} ({image} image)"),
            Source::Profile {
                ekuiper,
                image: None,
            } => write!(f, "eKuiper {ekuiper}"),
            Source::Host(path) => write!(f, "the host {path}"),
        }
    }
}

/// The facts a plugin must match to load. `None` means "not known": the
/// rule that needs it stays silent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub source: Source,
    /// The exact Go release, e.g. `go1.25.4`.
    pub go: Option<String>,
    /// The eKuiper API module and its version.
    pub api: Option<(String, String)>,
    pub trimpath: Option<bool>,
    /// Machines the target runs on; empty when unknown.
    pub arches: Vec<Arch>,
    pub libc: Option<Libc>,
    /// The image to build in, for the fix in messages.
    pub build_image: Option<String>,
    /// `go:link.pkghashbytes` fingerprints of the host, with `--host`.
    pub fingerprints: Option<BTreeMap<String, Vec<u8>>>,
}

impl Target {
    /// The facts of an eKuiper executable: everything `plugin.Open` will
    /// compare a plugin against.
    pub fn from_host(path: &str, host: &GoPlugin) -> Target {
        let build_info = host.build_info.as_ref();
        let api = build_info
            .and_then(crate::check::contract_module)
            .map(|module| (module.path.clone(), module.version.clone()));
        Target {
            source: Source::Host(path.to_string()),
            go: build_info.map(|info| info.go_version.clone()),
            api,
            trimpath: build_info.map(|info| info.setting("-trimpath") == Some("true")),
            arches: Arch::of_header(&host.header).into_iter().collect(),
            libc: Libc::of_needed(&host.needed),
            build_image: None,
            fingerprints: Some(host.fingerprints.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libc_from_needed() {
        let needed = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert_eq!(
            Libc::of_needed(&needed(&["libpthread.so.0", "libc.so.6"])),
            Some(Libc::Glibc)
        );
        assert_eq!(
            Libc::of_needed(&needed(&["libc.musl-aarch64.so.1"])),
            Some(Libc::Musl)
        );
        assert_eq!(Libc::of_needed(&needed(&["libm.so.6"])), None);
    }

    #[test]
    fn arches_by_name_and_header() {
        let amd64 = Arch::by_goarch("amd64").unwrap();
        let header = ElfHeader {
            class: Class::Elf64,
            endian: Endian::Little,
            machine: 62,
            elf_type: crate::inspect::library::ElfType::SharedObject,
        };
        assert!(amd64.matches(&header));
        assert_eq!(Arch::of_header(&header), Some(amd64));
        assert!(!Arch::by_goarch("arm64").unwrap().matches(&header));
    }
}
