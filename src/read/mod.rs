//! Stage 1 — read: open a path (zip package or bare library) into a
//! [`Package`]: every entry with its name, sizes and kind, and the bytes of
//! the few entries later stages inspect. All archive safety limits live here;
//! nothing is ever written to disk.

mod folder;
mod zip;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

pub use self::folder::read_folder;
pub use self::zip::{
    Compressed, Scope, compressed_entry, read_zip, read_zip_bytes, read_zip_bytes_in,
};

/// Hands a linted package's kept bytes back, so that the next package read
/// on this thread (batch mode) inflates its library into memory already
/// paged in instead of faulting in fresh pages.
pub fn recycle(package: Package) {
    for entry in package.entries {
        if let Some(Ok(bytes)) = entry.data {
            zip::recycle(bytes);
        }
    }
}

/// Bounds that keep a hostile archive from costing unbounded time or memory.
///
/// Memory is bounded by what is kept, never by what a header declares: the
/// defaults keep at most [`Limits::max_kept_size`] bytes of one package, so
/// a package within them lints inside 128 MiB of address space (the binary
/// itself needs about 24 MiB, parsing what is kept a little more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most entries the central directory may list.
    pub max_entries: u64,
    /// Largest uncompressed size of the library (a root `.so`), the one
    /// entry kept whole that can be large.
    pub max_entry_size: u64,
    /// Largest descriptor (a root `.json`): real ones are under 100 kB (the
    /// largest of eKuiper's own, 78 kB).
    pub max_descriptor_size: u64,
    /// Largest config (a root `.yaml`/`.yml`): real ones are a few kB (the
    /// largest of eKuiper's own, 3 kB).
    pub max_config_size: u64,
    /// Most bytes kept in memory for one package: the kept entries' data
    /// and every entry's name.
    pub max_kept_size: u64,
    /// Largest sum of the uncompressed sizes of all entries; every entry
    /// the installer extracts is inflated (to check its CRC), so this
    /// bounds the time one package takes.
    pub max_total_size: u64,
    /// Largest uncompressed/compressed ratio of one entry (bombs inflate
    /// ~1000:1; Go plugins ~3:1).
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_entries: 10_000,
            max_entry_size: 64 << 20,
            max_descriptor_size: 512 << 10,
            max_config_size: 256 << 10,
            max_kept_size: 64 << 20,
            max_total_size: 256 << 20,
            max_ratio: 100,
        }
    }
}

impl Limits {
    /// The size limit of an entry kept for inspection, by its role.
    pub fn of(&self, role: Role) -> u64 {
        match role {
            Role::Library | Role::Other => self.max_entry_size,
            Role::Descriptor => self.max_descriptor_size,
            Role::Config => self.max_config_size,
        }
    }
}

/// Why an inspected entry is kept: the limit that applies follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Library,
    Descriptor,
    Config,
    /// `install.sh` (I002 reads it), or any file when `--fix` asks for
    /// every entry ([`Scope::Everything`]): held to the library's limit.
    Other,
}

impl Role {
    /// The role of a root entry with this name, when later stages need its
    /// bytes; `None` for entries that are only verified, never kept.
    pub fn of_name(name: &str) -> Option<Role> {
        if name == "install.sh" {
            return Some(Role::Other);
        }
        if name.contains('/') || name.contains('\\') {
            return None;
        }
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".so") {
            Some(Role::Library)
        } else if lower.ends_with(".json") {
            Some(Role::Descriptor)
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Some(Role::Config)
        } else {
            None
        }
    }
}

/// A safety limit broken (A006), as data: `check` words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breach {
    /// More than `limit` entries; only that many were listed.
    Entries { limit: u64 },
    /// The entries' names take more than `limit` bytes; listing stopped.
    Names { limit: u64 },
    /// The entries declare `declared` uncompressed bytes in all.
    TotalSize { declared: u64, limit: u64 },
    /// One kept entry declares more than its role's limit.
    Size {
        role: Role,
        declared: u64,
        limit: u64,
    },
    /// One entry declares a ratio over the limit (a zip bomb).
    Ratio {
        declared: u64,
        compressed: u64,
        limit: u64,
    },
    /// Keeping the entry would take the package's kept bytes over `limit`.
    Budget { declared: u64, limit: u64 },
    /// Inflating the entry would take the package's inflated bytes over
    /// the total size limit.
    Inflated { limit: u64 },
    /// The entry's bytes overlap those of `other`: many central entries
    /// inflating the same data is a zip-bomb technique.
    Overlap { other: String },
}

/// What was opened: a zip package or a bare library file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Zip,
    BareLibrary,
    /// A file of a plugin's source tree (`go.mod`, a descriptor, a config),
    /// linted before there is a package: project mode, for pre-commit.
    ProjectFile,
}

/// One opened input.
#[derive(Debug)]
pub struct Package {
    pub path: PathBuf,
    pub container: Container,
    /// Every entry in central-directory order (duplicates kept).
    pub entries: Vec<Entry>,
    /// Set when the archive as a whole cannot be read (A001).
    pub unreadable: Option<String>,
    /// Set when the archive as a whole breaks a limit (A006), e.g. the entry
    /// count or the total size; per-entry limits are on the entry.
    pub over_limit: Option<Breach>,
}

/// The kind of a zip entry, from its external attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Directory,
    Symlink,
    /// A device, FIFO or socket: the Unix mode's file type bits.
    Special(u32),
}

/// The compression method of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Stored,
    Deflated,
    /// Any other method number (Go's archive/zip reads only 0 and 8).
    Other(u16),
}

/// One zip entry, as the central directory describes it.
#[derive(Debug)]
pub struct Entry {
    /// The name decoded as UTF-8 (lossily when it is not valid UTF-8).
    pub name: String,
    /// The name's raw bytes, for unsafe-path checks (NUL, non-UTF-8).
    pub raw_name: Vec<u8>,
    pub kind: EntryKind,
    pub method: Method,
    pub encrypted: bool,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    /// The inflated bytes, for entries later stages inspect (root `.so`,
    /// `.json`, `.yaml`/`.yml` files, see [`Role`]). For the others,
    /// which are inflated only to be verified, `None` or the error found.
    pub data: Option<Result<Vec<u8>, EntryError>>,
}

/// Why an inspected entry's data could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryError {
    /// A008: fails to inflate, CRC mismatch, truncated data, size lie.
    Corrupt(String),
    /// A006: over a per-entry limit; the data was not (fully) inflated.
    OverLimit(Breach),
    /// A007: encrypted, so never read.
    Encrypted,
    /// A010: a method we, like Go, cannot read.
    UnsupportedMethod(u16),
}

impl Entry {
    /// The entry's data when it was read successfully.
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.data {
            Some(Ok(bytes)) => Some(bytes),
            _ => None,
        }
    }

    /// Whether the entry sits at the zip's root (no folder in its name).
    pub fn is_root(&self) -> bool {
        !self.name.contains('/') && !self.name.contains('\\')
    }
}

/// Opens `path`: a file ending in `.so` is read as a bare library, anything
/// else as a zip package. Fails only when the file cannot be read at all
/// (exit status 2); a corrupt archive is a `Package` with `unreadable` set.
pub fn read_path(path: &Path, limits: &Limits) -> std::io::Result<Package> {
    let extension = path.extension().and_then(|ext| ext.to_str());
    let is_go_mod = path.file_name().is_some_and(|name| name == "go.mod");
    match extension {
        Some("so") => read_single(path, limits, Container::BareLibrary),
        Some("json" | "yaml" | "yml") => read_single(path, limits, Container::ProjectFile),
        _ if is_go_mod => read_single(path, limits, Container::ProjectFile),
        _ => read_zip(path, limits),
    }
}

/// Reads one file as the package's only entry (a bare library or a
/// project file), within the per-entry size limit.
fn read_single(path: &Path, limits: &Limits, container: Container) -> std::io::Result<Package> {
    let size = std::fs::metadata(path)?.len();
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A go.mod is held to the descriptor's limit: text of the same scale.
    let role = match container {
        Container::BareLibrary => Role::Library,
        _ => Role::of_name(&name).unwrap_or(Role::Descriptor),
    };
    let limit = limits.of(role).min(limits.max_kept_size);
    let over = |declared| {
        Err(EntryError::OverLimit(Breach::Size {
            role,
            declared,
            limit,
        }))
    };
    let data = if size > limit {
        over(size)
    } else {
        // Read at most one byte past the limit: a file that grows while it
        // is read (or a FIFO named `x.so`) is not read without end.
        let mut bytes = Vec::new();
        File::open(path)?
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)?;
        let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if read > limit { over(read) } else { Ok(bytes) }
    };
    Ok(Package {
        path: path.to_path_buf(),
        container,
        entries: vec![Entry {
            raw_name: name.as_bytes().to_vec(),
            name,
            kind: EntryKind::File,
            method: Method::Stored,
            encrypted: false,
            compressed_size: size,
            uncompressed_size: size,
            data: Some(data),
        }],
        unreadable: None,
        over_limit: None,
    })
}
