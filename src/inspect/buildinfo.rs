//! Decoder for the `.go.buildinfo` section (format: Go's
//! `src/debug/buildinfo/buildinfo.go`).

/// A module line of the build info (`mod`, `dep`, with an optional `=>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    pub path: String,
    pub version: String,
    pub sum: Option<String>,
    /// The `=>` replacement, when the module is replaced.
    pub replace: Option<Box<Module>>,
}

/// What `go version -m` prints about a binary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildInfo {
    /// e.g. `go1.25.4`.
    pub go_version: String,
    /// The main package path (`path` line), e.g. `command-line-arguments`.
    pub path: Option<String>,
    /// The main module (`mod` line).
    pub main: Option<Module>,
    /// Dependencies (`dep` lines), in order.
    pub deps: Vec<Module>,
    /// Build settings (`build` lines) as key/value pairs, in order.
    pub settings: Vec<(String, String)>,
}

impl BuildInfo {
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn dep(&self, path: &str) -> Option<&Module> {
        self.deps.iter().find(|module| module.path == path)
    }
}

/// Why a `.go.buildinfo` section could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildInfoError(pub String);

/// Decodes a `.go.buildinfo` section. `read_pointer` reads the bytes a
/// pointer refers to (for the pre-1.18 pointer form): it is given a virtual
/// address and a length and returns the bytes, or `None` when out of range.
pub fn decode(
    _section: &[u8],
    _read_pointer: &dyn Fn(u64, u64) -> Option<Vec<u8>>,
) -> Result<BuildInfo, BuildInfoError> {
    Err(BuildInfoError("not implemented yet".into()))
}
