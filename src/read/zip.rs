//! Reads a zip package the way Go's `archive/zip` sees it. We list the
//! central directory ourselves rather than through the `zip` crate: its
//! index is keyed by name, so duplicate entries (which eKuiper installs one
//! after the other) would vanish, and its recovery heuristics accept or
//! reject archives differently from Go.

mod bytes;
mod data;
mod directory;
mod fault;
mod inflate;
mod whole;

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use self::data::{Extent, Located, Use};
use self::directory::{Bounds, Directory, ListError, Record};
use self::fault::Fault;
pub use self::whole::recycle;
use super::{Breach, Container, Entry, EntryError, EntryKind, Limits, Method, Package, Role};

/// Entries that inflate to less than this are never called bombs: small
/// text files of repeated bytes legitimately compress beyond any ratio.
const RATIO_FLOOR: u64 = 1 << 20;
const FLAG_ENCRYPTED: u16 = 1;
const CREATOR_FAT: u8 = 0;
const CREATOR_UNIX: u8 = 3;
const CREATOR_NTFS: u8 = 11;
const CREATOR_VFAT: u8 = 14;
const CREATOR_MACOS: u8 = 19;
const MSDOS_DIRECTORY: u32 = 0x10;

/// Opens and lists a zip package, keeps the entries later stages inspect
/// and verifies the others. Fails only when the file cannot be read; an
/// archive Go would refuse is a `Package` with `unreadable` set.
pub fn read_zip(path: &Path, limits: &Limits) -> io::Result<Package> {
    let mut file = File::open(path)?;
    let size = file.metadata()?.len();
    let archive = read_archive(&mut file, size, limits, Scope::Inspected)?;
    Ok(zip_package(path, archive))
}

/// Which entries' data is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The few entries later stages inspect (see [`Role::of_name`]); the
    /// other files are only verified.
    Inspected,
    /// Every regular file, within the same limits: `--fix` rewrites the
    /// whole archive, so it needs every byte it keeps.
    Everything,
}

/// [`read_zip`] for a package already in memory (fuzzing, embedding);
/// `path` only names it. Every bound is checked before a read, so an error
/// here would mean a read past the end the checks missed.
pub fn read_zip_bytes(path: &Path, bytes: &[u8], limits: &Limits) -> io::Result<Package> {
    read_zip_bytes_in(path, bytes, limits, Scope::Inspected)
}

/// [`read_zip_bytes`] keeping the entries `scope` names.
pub fn read_zip_bytes_in(
    path: &Path,
    bytes: &[u8],
    limits: &Limits,
    scope: Scope,
) -> io::Result<Package> {
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    let archive = read_archive(&mut io::Cursor::new(bytes), size, limits, scope)?;
    Ok(zip_package(path, archive))
}

/// An entry's bytes as they are stored, for a method we (like Go) cannot
/// inflate: `--fix` decodes the few such methods it knows and recompresses.
#[derive(Debug)]
pub struct Compressed {
    pub method: u16,
    pub crc32: u32,
    pub uncompressed_size: u64,
    pub bytes: Vec<u8>,
}

/// The stored bytes of the entry at `index` (central-directory order, as
/// in [`Package::entries`]); `None` when the archive or the entry cannot
/// be located. The stored size is bounded by the archive's own size.
pub fn compressed_entry(archive: &[u8], index: usize, limits: &Limits) -> Option<Compressed> {
    let size = u64::try_from(archive.len()).ok()?;
    let mut reader = io::Cursor::new(archive);
    let directory = directory::list(&mut reader, size, bounds(limits)).ok()?;
    let record = directory.records.get(index)?;
    let located = data::locate(&mut reader, size, record).ok()?;
    let start = usize::try_from(located.extent.data_start).ok()?;
    let end = usize::try_from(located.extent.data_end).ok()?;
    Some(Compressed {
        method: record.method,
        crc32: record.crc32,
        uncompressed_size: record.uncompressed_size,
        bytes: archive.get(start..end)?.to_vec(),
    })
}

/// How much of the central directory to list. Names are kept twice, raw
/// and decoded (up to three times as long when not UTF-8): a quarter of
/// the kept budget for the raw names keeps both within it.
fn bounds(limits: &Limits) -> Bounds {
    Bounds {
        max_entries: limits.max_entries,
        max_name_bytes: limits.max_kept_size / 4,
    }
}

fn zip_package(path: &Path, archive: Archive) -> Package {
    Package {
        path: path.to_path_buf(),
        container: Container::Zip,
        entries: archive.entries,
        unreadable: archive.unreadable,
        over_limit: archive.over_limit,
    }
}

fn read_exact_at<R: Read + Seek>(reader: &mut R, offset: u64, buf: &mut [u8]) -> io::Result<()> {
    reader.seek(SeekFrom::Start(offset))?;
    reader.read_exact(buf)
}

#[derive(Debug, Default)]
struct Archive {
    entries: Vec<Entry>,
    unreadable: Option<String>,
    over_limit: Option<Breach>,
}

/// What one package may still spend.
struct Budget {
    /// Bytes that may still be kept in memory.
    kept: u64,
    /// Uncompressed bytes that may still be inflated (kept or verified).
    inflated: u64,
}

fn read_archive<R: Read + Seek>(
    reader: &mut R,
    size: u64,
    limits: &Limits,
    scope: Scope,
) -> io::Result<Archive> {
    let directory = match directory::list(reader, size, bounds(limits)) {
        Ok(directory) => directory,
        Err(ListError::Io(error)) => return Err(error),
        Err(ListError::Unreadable(reason)) => {
            return Ok(Archive {
                unreadable: Some(reason),
                ..Archive::default()
            });
        }
    };
    let over_limit = archive_limits(&directory, limits);
    let name_bytes = directory.records.iter().fold(0u64, |total, record| {
        let decoded = String::from_utf8_lossy(&record.raw_name).len();
        total.saturating_add((record.raw_name.len() + decoded) as u64)
    });
    let mut budget = Budget {
        kept: limits.max_kept_size.saturating_sub(name_bytes),
        inflated: limits.max_total_size,
    };
    let kinds: Vec<EntryKind> = directory.records.iter().map(entry_kind).collect();
    let spans = locate_all(reader, size, &directory.records, &kinds)?;
    let overlaps = overlaps(&directory.records, &spans, size);
    let mut entries = Vec::with_capacity(directory.records.len());
    let items = directory
        .records
        .into_iter()
        .zip(kinds)
        .zip(spans)
        .zip(overlaps);
    for (((record, kind), span), overlap) in items {
        let found = Found {
            kind,
            span,
            overlap,
        };
        let data = entry_data(reader, size, &record, found, limits, scope, &mut budget)?;
        entries.push(make_entry(record, kind, data));
    }
    Ok(Archive {
        entries,
        unreadable: None,
        over_limit,
    })
}

/// The first whole-archive limit broken: listing stopped at one, or the
/// declared sizes add up past the total.
fn archive_limits(directory: &Directory, limits: &Limits) -> Option<Breach> {
    if let Some(stopped) = &directory.stopped {
        return Some(stopped.clone());
    }
    let total = directory.records.iter().fold(0u64, |total, record| {
        total.saturating_add(record.uncompressed_size)
    });
    (total > limits.max_total_size).then_some(Breach::TotalSize {
        declared: total,
        limit: limits.max_total_size,
    })
}

/// What was learned about an entry before reading its data.
struct Found {
    kind: EntryKind,
    /// `None` for directories, which have no data.
    span: Option<Result<Located, EntryError>>,
    overlap: Option<EntryError>,
}

/// Every file eKuiper extracts must have a local header inside the file,
/// so this checks all of them, not only the inspected ones. Directories
/// (by name or by mode, as Go's `FileInfo().IsDir()`) are only created,
/// never opened.
fn locate_all<R: Read + Seek>(
    reader: &mut R,
    size: u64,
    records: &[Record],
    kinds: &[EntryKind],
) -> io::Result<Vec<Option<Result<Located, EntryError>>>> {
    records
        .iter()
        .zip(kinds)
        .map(|(record, kind)| {
            if *kind == EntryKind::Directory {
                return Ok(None);
            }
            match data::locate(reader, size, record) {
                Ok(located) => Ok(Some(Ok(located))),
                Err(Fault::Entry(error)) => Ok(Some(Err(error))),
                Err(Fault::Io(error)) => Err(error),
            }
        })
        .collect()
}

/// Entries whose bytes overlap another's: the trick of "overlapping" zip
/// bombs, where many central entries inflate the same compressed data.
fn overlaps(
    records: &[Record],
    spans: &[Option<Result<Located, EntryError>>],
    size: u64,
) -> Vec<Option<EntryError>> {
    let mut order: Vec<(Extent, usize)> = spans
        .iter()
        .enumerate()
        .filter_map(|(index, span)| match span {
            // Data said to run past the end of the file covers every later
            // entry: it is read (and fails, unless a deflate stream ends
            // in time, as with Go), and stays bounded by the budgets.
            Some(Ok(located)) if located.extent.data_end <= size => Some((located.extent, index)),
            _ => None,
        })
        .collect();
    order.sort_by_key(|(span, _)| span.header);
    let mut found: Vec<Option<EntryError>> = spans.iter().map(|_| None).collect();
    // The entry whose data reaches furthest so far: its span covering a
    // later header is the bomb's doing; the later entry itself reads as
    // Go reads it, unless both start at the same header.
    let mut reach: Option<(Extent, usize)> = None;
    for (span, index) in order {
        if let Some((owner_span, owner)) = reach
            && span.header < owner_span.data_end
        {
            mark_overlap(&mut found, records, owner, index);
            if span.header == owner_span.header {
                mark_overlap(&mut found, records, index, owner);
            }
        }
        if reach.is_none_or(|(owner_span, _)| span.data_end > owner_span.data_end) {
            reach = Some((span, index));
        }
    }
    found
}

fn mark_overlap(found: &mut [Option<EntryError>], records: &[Record], index: usize, other: usize) {
    let other = records
        .get(other)
        .map(|record| String::from_utf8_lossy(&record.raw_name).into_owned())
        .unwrap_or_default();
    if let Some(slot @ None) = found.get_mut(index) {
        *slot = Some(EntryError::OverLimit(Breach::Overlap { other }));
    }
}

/// The entry's data: kept for the entries later stages inspect, and for
/// every other file only verified, as the installer's extraction would
/// (size, data descriptor, CRC-32). `None` for a verified entry that
/// passed, or one not read at all (directories; encrypted entries and
/// unknown methods, reported from the entry's fields; entries past the
/// total, reported for the archive).
fn entry_data<R: Read + Seek>(
    reader: &mut R,
    size: u64,
    record: &Record,
    found: Found,
    limits: &Limits,
    scope: Scope,
    budget: &mut Budget,
) -> io::Result<Option<Result<Vec<u8>, EntryError>>> {
    let Some(span) = found.span else {
        return Ok(None);
    };
    let role = match (found.kind, scope) {
        (EntryKind::File, Scope::Inspected) => {
            Role::of_name(&String::from_utf8_lossy(&record.raw_name))
        }
        (EntryKind::File, Scope::Everything) => {
            Some(Role::of_name(&String::from_utf8_lossy(&record.raw_name)).unwrap_or(Role::Other))
        }
        _ => None,
    };
    let (span, disagreement) = match span {
        Ok(located) => (located.extent, located.disagreement),
        Err(error) => return Ok(Some(Err(error))),
    };
    // The bomb outranks the disagreement when an entry shows both.
    let problem = found
        .overlap
        .or(disagreement)
        .or_else(|| ratio_problem(record, limits));
    if let Some(refusal) = unreadable_by_go(record) {
        return Ok(role.map(|_| Err(refusal)).or(problem.map(Err)));
    }
    if let Some(problem) = problem {
        return Ok(Some(Err(problem)));
    }
    let declared = record.uncompressed_size;
    let purpose = match role {
        Some(role) => {
            if let Some(breach) = keep_problem(role, declared, limits, budget) {
                return Ok(Some(Err(EntryError::OverLimit(breach))));
            }
            Use::Keep { room: budget.kept }
        }
        None if declared > budget.inflated => return Ok(None),
        None => Use::Verify,
    };
    budget.inflated -= declared;
    match data::read_data(reader, size, record, span, purpose) {
        Ok(Some(bytes)) => {
            budget.kept = budget.kept.saturating_sub(bytes.len() as u64);
            Ok(Some(Ok(bytes)))
        }
        Ok(None) => Ok(None),
        Err(Fault::Entry(error)) => Ok(Some(Err(error))),
        Err(Fault::Io(error)) => Err(error),
    }
}

/// Whether a kept entry may be read: its role's size limit, the bytes the
/// package may still keep, and the bytes it may still inflate. The
/// declared size bounds what reading it can keep.
fn keep_problem(role: Role, declared: u64, limits: &Limits, budget: &Budget) -> Option<Breach> {
    let limit = limits.of(role);
    if declared > limit {
        return Some(Breach::Size {
            role,
            declared,
            limit,
        });
    }
    if declared > budget.kept {
        return Some(Breach::Budget {
            declared,
            limit: limits.max_kept_size,
        });
    }
    (declared > budget.inflated).then_some(Breach::Inflated {
        limit: limits.max_total_size,
    })
}

fn unreadable_by_go(record: &Record) -> Option<EntryError> {
    if record.flags & FLAG_ENCRYPTED != 0 {
        return Some(EntryError::Encrypted);
    }
    match method(record.method) {
        Method::Other(number) => Some(EntryError::UnsupportedMethod(number)),
        Method::Stored | Method::Deflated => None,
    }
}

fn ratio_problem(record: &Record, limits: &Limits) -> Option<EntryError> {
    let allowed = record.compressed_size.saturating_mul(limits.max_ratio);
    (record.uncompressed_size > RATIO_FLOOR && record.uncompressed_size > allowed).then_some(
        EntryError::OverLimit(Breach::Ratio {
            declared: record.uncompressed_size,
            compressed: record.compressed_size,
            limit: limits.max_ratio,
        }),
    )
}

/// The kind as Go's `FileHeader.Mode` derives it: Unix mode bits for Unix
/// and macOS creators, the DOS directory bit for DOS-like ones, and a
/// trailing slash always meaning a directory.
fn entry_kind(record: &Record) -> EntryKind {
    if record.raw_name.last() == Some(&b'/') {
        return EntryKind::Directory;
    }
    match record.creator_os {
        CREATOR_UNIX | CREATOR_MACOS => unix_kind(record.external_attributes >> 16),
        CREATOR_FAT | CREATOR_NTFS | CREATOR_VFAT
            if record.external_attributes & MSDOS_DIRECTORY != 0 =>
        {
            EntryKind::Directory
        }
        _ => EntryKind::File,
    }
}

fn unix_kind(mode: u32) -> EntryKind {
    const S_IFMT: u32 = 0o170_000;
    match mode & S_IFMT {
        0o040_000 => EntryKind::Directory,
        0o120_000 => EntryKind::Symlink,
        // Block and character devices, FIFOs and sockets; Go treats any
        // other type bits as a regular file.
        bits @ (0o060_000 | 0o020_000 | 0o010_000 | 0o140_000) => EntryKind::Special(bits),
        _ => EntryKind::File,
    }
}

fn method(number: u16) -> Method {
    match number {
        0 => Method::Stored,
        8 => Method::Deflated,
        other => Method::Other(other),
    }
}

fn make_entry(record: Record, kind: EntryKind, data: Option<Result<Vec<u8>, EntryError>>) -> Entry {
    Entry {
        name: String::from_utf8_lossy(&record.raw_name).into_owned(),
        raw_name: record.raw_name,
        kind,
        method: method(record.method),
        encrypted: record.flags & FLAG_ENCRYPTED != 0,
        compressed_size: record.compressed_size,
        uncompressed_size: record.uncompressed_size,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// One entry of a test archive; `data` is written as is (stored).
    struct Item<'a> {
        name: &'a str,
        data: &'a [u8],
        mode: u32,
    }

    fn file<'a>(name: &'a str, data: &'a [u8]) -> Item<'a> {
        Item {
            name,
            data,
            mode: 0o100_644,
        }
    }

    fn build(items: &[Item]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for item in items {
            let offset = out.len() as u32;
            let crc = crc32fast::hash(item.data);
            let len = item.data.len() as u32;
            let name_len = item.name.len() as u16;
            out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            for value in [crc, len, len] {
                out.extend_from_slice(&value.to_le_bytes());
            }
            out.extend_from_slice(&name_len.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(item.name.as_bytes());
            out.extend_from_slice(item.data);
            central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            central.extend_from_slice(&[20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            for value in [crc, len, len] {
                central.extend_from_slice(&value.to_le_bytes());
            }
            central.extend_from_slice(&name_len.to_le_bytes());
            central.extend_from_slice(&[0; 8]);
            central.extend_from_slice(&(item.mode << 16).to_le_bytes());
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(item.name.as_bytes());
        }
        let directory_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(&[b'P', b'K', 5, 6, 0, 0, 0, 0]);
        let count = (items.len() as u16).to_le_bytes();
        out.extend_from_slice(&count);
        out.extend_from_slice(&count);
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&directory_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    fn read(bytes: &[u8], limits: &Limits) -> Archive {
        read_archive(
            &mut Cursor::new(bytes),
            bytes.len() as u64,
            limits,
            Scope::Inspected,
        )
        .unwrap()
    }

    #[test]
    fn reads_inspected_entries_only_and_keeps_duplicates() {
        let bytes = build(&[
            file("Random.so", b"\x7fELF"),
            file("README.md", b"hi"),
            file("Random.so", b"second"),
        ]);
        let archive = read(&bytes, &Limits::default());
        let data: Vec<_> = archive
            .entries
            .iter()
            .map(|e| e.bytes().map(<[u8]>::to_vec))
            .collect();
        assert_eq!(
            data,
            [Some(b"\x7fELF".to_vec()), None, Some(b"second".to_vec())]
        );
        assert_eq!(archive.entries[1].data, None);
        assert!(archive.unreadable.is_none() && archive.over_limit.is_none());
    }

    #[test]
    fn kinds_follow_gos_mode_rules() {
        let bytes = build(&[
            Item {
                name: "link.so",
                data: b"/etc/passwd",
                mode: 0o120_777,
            },
            Item {
                name: "fifo",
                data: b"",
                mode: 0o010_644,
            },
            Item {
                name: "dir/",
                data: b"",
                mode: 0o040_755,
            },
            Item {
                name: "odd",
                data: b"",
                mode: 0o030_644,
            },
        ]);
        let kinds: Vec<_> = read(&bytes, &Limits::default())
            .entries
            .iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                EntryKind::Symlink,
                EntryKind::Special(0o010_000),
                EntryKind::Directory,
                EntryKind::File
            ]
        );
    }

    #[test]
    fn symlinks_are_not_inflated_even_with_an_inspected_name() {
        let bytes = build(&[Item {
            name: "a.so",
            data: b"x",
            mode: 0o120_777,
        }]);
        assert_eq!(read(&bytes, &Limits::default()).entries[0].data, None);
    }

    #[test]
    fn whole_archive_limits_set_over_limit() {
        let bytes = build(&[file("a", b"12345"), file("b", b"12345"), file("c", b"1")]);
        let few = Limits {
            max_entries: 2,
            ..Limits::default()
        };
        let archive = read(&bytes, &few);
        assert_eq!(archive.entries.len(), 2);
        assert_eq!(archive.over_limit, Some(Breach::Entries { limit: 2 }));
        let small = Limits {
            max_total_size: 10,
            ..Limits::default()
        };
        assert_eq!(
            read(&bytes, &small).over_limit,
            Some(Breach::TotalSize {
                declared: 11,
                limit: 10
            })
        );
        let few_names = Limits {
            max_kept_size: 8,
            ..Limits::default()
        };
        assert_eq!(
            read(&bytes, &few_names).over_limit,
            Some(Breach::Names { limit: 2 })
        );
    }

    #[test]
    fn inspected_entries_share_a_budget_and_a_size_limit() {
        let data = [7; 30];
        let bytes = build(&[file("a.json", &data), file("b.json", &data)]);
        // 12 bytes of names are kept twice: 24, and 30 more for a.json.
        let limits = Limits {
            max_kept_size: 80,
            ..Limits::default()
        };
        let archive = read(&bytes, &limits);
        assert!(archive.entries[0].bytes().is_some());
        assert_eq!(
            archive.entries[1].data,
            Some(Err(EntryError::OverLimit(Breach::Budget {
                declared: 30,
                limit: 80
            })))
        );
        let limits = Limits {
            max_descriptor_size: 5,
            ..Limits::default()
        };
        let archive = read(&bytes, &limits);
        assert!(matches!(
            &archive.entries[0].data,
            Some(Err(EntryError::OverLimit(Breach::Size {
                role: Role::Descriptor,
                ..
            })))
        ));
    }

    #[test]
    fn ratio_applies_above_the_floor_only() {
        let record = |compressed, uncompressed| Record {
            raw_name: Vec::new(),
            creator_os: 3,
            flags: 0,
            method: 8,
            crc32: 0,
            compressed_size: compressed,
            uncompressed_size: uncompressed,
            external_attributes: 0,
            local_offset: Some(0),
        };
        let limits = Limits::default();
        assert!(ratio_problem(&record(1, RATIO_FLOOR), &limits).is_none());
        assert!(ratio_problem(&record(RATIO_FLOOR, 100 * RATIO_FLOOR), &limits).is_none());
        assert!(ratio_problem(&record(RATIO_FLOOR, 100 * RATIO_FLOOR + 1), &limits).is_some());
        assert!(ratio_problem(&record(0, u64::MAX), &limits).is_some());
    }

    #[test]
    fn overlapping_entries_are_over_limit() {
        let mut bytes = build(&[file("a.so", b"data"), file("b.so", b"data")]);
        // Point the second central header at the first local header.
        let second_central = bytes.len() - 22 - (46 + 4);
        bytes[second_central + 42..second_central + 46].copy_from_slice(&0u32.to_le_bytes());
        bytes[second_central + 46..second_central + 50].copy_from_slice(b"a.so");
        let archive = read(&bytes, &Limits::default());
        for entry in &archive.entries {
            assert!(matches!(
                &entry.data,
                Some(Err(EntryError::OverLimit(Breach::Overlap { .. })))
            ));
        }
    }

    #[test]
    fn bytes_in_memory_read_like_a_file() {
        let bytes = build(&[file("a.json", b"{}"), file("a.json", b"[]")]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.zip");
        std::fs::write(&path, &bytes).unwrap();
        let from_file = read_zip(&path, &Limits::default()).unwrap();
        let in_memory = read_zip_bytes(&path, &bytes, &Limits::default()).unwrap();
        let view = |package: &Package| -> Vec<(String, Option<Vec<u8>>)> {
            package
                .entries
                .iter()
                .map(|e| (e.name.clone(), e.bytes().map(<[u8]>::to_vec)))
                .collect()
        };
        assert_eq!(view(&in_memory), view(&from_file));
        assert_eq!(in_memory.path, path);
        let garbage = read_zip_bytes(&path, b"PK\x05\x06", &Limits::default()).unwrap();
        assert!(garbage.unreadable.is_some());
    }

    #[test]
    fn unreadable_archives_are_not_io_errors() {
        let archive = read(b"definitely not a zip archive", &Limits::default());
        assert!(
            archive
                .unreadable
                .unwrap()
                .contains("no end-of-central-directory")
        );
    }
}
