//! Stage 1 — read: open a path (zip package or bare library) into a
//! [`Package`]: every entry with its name, sizes and kind, and the bytes of
//! the few entries later stages inspect. All archive safety limits live here;
//! nothing is ever written to disk.

mod zip;

use std::path::{Path, PathBuf};

pub use self::zip::{
    Compressed, Scope, compressed_entry, read_zip, read_zip_bytes, read_zip_bytes_in,
};

/// Bounds that keep a hostile archive from costing unbounded time or memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most entries the central directory may list.
    pub max_entries: u64,
    /// Largest uncompressed size of one inspected entry.
    pub max_entry_size: u64,
    /// Largest sum of the uncompressed sizes of all entries.
    pub max_total_size: u64,
    /// Largest uncompressed/compressed ratio of one entry (bombs inflate
    /// ~1000:1; Go plugins ~3:1).
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_entries: 10_000,
            max_entry_size: 512 << 20,
            max_total_size: 1 << 30,
            max_ratio: 100,
        }
    }
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
    pub over_limit: Option<String>,
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
    /// `.json`, `.yaml`/`.yml` files); `None` for the others.
    pub data: Option<Result<Vec<u8>, EntryError>>,
}

/// Why an inspected entry's data could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryError {
    /// A008: fails to inflate, CRC mismatch, truncated data, size lie.
    Corrupt(String),
    /// A006: over a per-entry limit; the data was not (fully) inflated.
    OverLimit(String),
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

/// Whether later stages need the bytes of a root entry with this name.
pub fn is_inspected_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name == "install.sh"
        || !name.contains('/')
            && !name.contains('\\')
            && [".so", ".json", ".yaml", ".yml"]
                .iter()
                .any(|ext| lower.ends_with(ext))
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
    let data = if size > limits.max_entry_size {
        Err(EntryError::OverLimit(format!(
            "the file is {size} bytes, over the limit of {} bytes",
            limits.max_entry_size
        )))
    } else {
        Ok(std::fs::read(path)?)
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
