//! What the plugin must match: a release profile (`--target`, `--image`) or
//! the facts of a real eKuiper executable (`--host`). Rules compare the
//! library against a `Target` and never care where it came from.

use std::collections::BTreeMap;
use std::fmt;

use crate::inspect::GoPlugin;
use crate::inspect::buildinfo::BuildInfo;
use crate::inspect::library::{Arch, ElfHeader};
use crate::profile::Profile;
pub use crate::profile::{Flavour, Libc};

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
    /// Whether a library with this header runs on (one of) the target's
    /// machines; an unknown machine list accepts every library.
    pub fn runs(&self, header: &ElfHeader) -> bool {
        self.arches.is_empty() || self.arches.iter().any(|a| a.matches(header))
    }
}

/// The C library among `DT_NEEDED` names (`libc.so.6`, `libc.musl-x86_64.so.1`).
pub fn libc_of(needed: &[String]) -> Option<Libc> {
    needed.iter().find_map(|name| Libc::from_soname(name))
}

/// The target of a release profile (`--target`, default the newest), with
/// the C library of the chosen image flavour when one is given.
pub fn from_profile(version: Option<&str>, flavour: Option<Flavour>) -> Result<Target, String> {
    let profiles = crate::profile::load()
        .map_err(|e| format!("the embedded release profiles are broken: {e}"))?;
    let profile = match version {
        Some(version) => crate::profile::find(version).ok_or_else(|| {
            let newest = profiles.last().map_or("", |p| p.ekuiper.as_str());
            format!(
                "no release profile for eKuiper `{version}` (known: {} to {newest}; see rules/profiles.toml)",
                profiles.first().map_or("", |p| p.ekuiper.as_str())
            )
        })?,
        None => crate::profile::newest().ok_or("no release profile is known")?,
    };
    Ok(Target::from_profile(profile, flavour))
}

impl Target {
    pub fn from_profile(profile: &Profile, flavour: Option<Flavour>) -> Target {
        let image = flavour.and_then(|flavour| profile.image(flavour));
        let builder = flavour
            .map(|f| (f, image.map(|i| i.builder.clone())))
            .and_then(|(_, builder)| builder)
            .or_else(|| {
                profile
                    .image(Flavour::Slim)
                    .or_else(|| profile.images.first())
                    .map(|i| i.builder.clone())
            });
        Target {
            source: Source::Profile {
                ekuiper: profile.ekuiper.clone(),
                image: flavour.map(|f| f.as_str().to_string()),
            },
            go: Some(profile.go.clone()),
            api: Some((profile.api_module.clone(), profile.api_version.clone())),
            trimpath: Some(profile.trimpath),
            arches: profile.arches.clone(),
            libc: image.map(|image| image.libc),
            build_image: builder,
            fingerprints: None,
        }
    }

    /// The facts of an eKuiper executable: everything `plugin.Open` will
    /// compare a plugin against.
    pub fn from_host(path: &str, host: &GoPlugin) -> Target {
        let build_info = host.build_info.as_ref();
        let api = build_info
            .and_then(BuildInfo::contract)
            .map(|module| (module.path.clone(), module.version.clone()));
        Target {
            source: Source::Host(path.to_string()),
            go: build_info.map(|info| info.go_version.clone()),
            api,
            trimpath: build_info.map(|info| info.setting("-trimpath") == Some("true")),
            arches: Arch::of_header(&host.header).into_iter().collect(),
            libc: libc_of(&host.needed),
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
            libc_of(&needed(&["libpthread.so.0", "libc.so.6"])),
            Some(Libc::Glibc)
        );
        assert_eq!(
            libc_of(&needed(&["libc.musl-aarch64.so.1"])),
            Some(Libc::Musl)
        );
        assert_eq!(libc_of(&needed(&["libm.so.6"])), None);
    }
}
