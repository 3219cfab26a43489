//! Lists a zip's central directory the way Go's `archive/zip` (which eKuiper
//! uses) does, so the linter sees exactly the entries the installer sees:
//! duplicates kept, the end record found where Go finds it, zip64 values
//! taken only where the 32-bit field is saturated, and headers read until the
//! first one that does not parse.

use std::io::{self, BufReader, Read, Seek, SeekFrom};

use super::bytes::Le;
use super::read_exact_at;
use crate::read::Breach;

const END_SIGNATURE: [u8; 4] = [b'P', b'K', 5, 6];
const END_LEN: usize = 22;
const ZIP64_LOCATOR_SIGNATURE: u32 = 0x0706_4b50;
const ZIP64_LOCATOR_LEN: u64 = 20;
const ZIP64_END_SIGNATURE: u32 = 0x0606_4b50;
const ZIP64_END_LEN: usize = 56;
const CENTRAL_SIGNATURE: u32 = 0x0201_4b50;
const CENTRAL_LEN: usize = 46;
const ZIP64_EXTRA_ID: u16 = 0x0001;
/// Go searches the last 65 KiB: the largest comment (64 KiB − 1) plus the
/// record fits, and the same window finds the same record Go finds.
const END_SEARCH_LEN: u64 = 65 * 1024;
const SATURATED_32: u32 = u32::MAX;
/// What a record's `flags` and `method` say, for the readers of its data.
pub(super) const FLAG_DATA_DESCRIPTOR: u16 = 1 << 3;
pub(super) const METHOD_STORED: u16 = 0;
pub(super) const METHOD_DEFLATED: u16 = 8;

/// One central-directory header, with the fields the linter uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub raw_name: Vec<u8>,
    /// The high byte of "version made by": 3 is Unix, 19 macOS, 0/11/14 DOS-like.
    pub creator_os: u8,
    pub flags: u16,
    pub method: u16,
    pub crc32: u32,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub external_attributes: u32,
    /// Where the local header starts in the file, the archive's base offset
    /// added with Go's signed arithmetic: `None` when that lands before the
    /// start of the file, where Go's read fails.
    pub local_offset: Option<u64>,
}

/// The listed entries.
#[derive(Debug)]
pub struct Directory {
    pub records: Vec<Record>,
    /// Set when listing stopped at a limit: more entries, or more bytes of
    /// names, than allowed.
    pub stopped: Option<Breach>,
}

/// How much of the directory to list.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub max_entries: u64,
    /// Most bytes of names to keep (they are kept for every entry).
    pub max_name_bytes: u64,
}

/// Why listing failed: an I/O failure (the tool cannot run) or an archive
/// that Go would refuse as a whole (a finding).
#[derive(Debug)]
pub enum ListError {
    Io(io::Error),
    Unreadable(String),
}

impl From<io::Error> for ListError {
    fn from(error: io::Error) -> ListError {
        if error.kind() == io::ErrorKind::UnexpectedEof {
            ListError::Unreadable("the archive ends early (truncated)".into())
        } else {
            ListError::Io(error)
        }
    }
}

fn unreadable<T>(reason: impl Into<String>) -> Result<T, ListError> {
    Err(ListError::Unreadable(reason.into()))
}

/// The end-of-central-directory values that locate the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct End {
    records: u64,
    directory_size: u64,
    directory_offset: u64,
    /// Where the (zip64) end record starts: the directory ends there.
    end_offset: u64,
}

/// Lists the central directory of the `size`-byte archive in `reader`,
/// within `bounds`.
pub fn list<R: Read + Seek>(
    reader: &mut R,
    size: u64,
    bounds: Bounds,
) -> Result<Directory, ListError> {
    let end = find_end(reader, size)?;
    let (start, base) = directory_start(reader, size, &end)?;
    reader.seek(SeekFrom::Start(start))?;
    let mut input = BufReader::with_capacity(64 * 1024, &mut *reader);
    read_records(&mut input, size, &end, base, bounds)
}

fn find_end<R: Read + Seek>(reader: &mut R, size: u64) -> Result<End, ListError> {
    if size == 0 {
        return unreadable("the file is empty, not a zip archive");
    }
    if size < END_LEN as u64 {
        return unreadable(format!(
            "the file is only {size} bytes, too short to be a zip archive"
        ));
    }
    let window = size.min(END_SEARCH_LEN);
    let window_start = size - window;
    let mut tail = vec![0; usize::try_from(window).unwrap_or(0)];
    read_exact_at(reader, window_start, &mut tail)?;
    let at = find_end_signature(&tail)?;
    let record = tail.get(at..).unwrap_or_default();
    let end = parse_end(record, window_start + at as u64)
        .ok_or_else(|| ListError::Unreadable("the end record is malformed".into()))?;
    if end.records == 0xffff
        || end.directory_size == 0xffff
        || end.directory_offset == u64::from(SATURATED_32)
    {
        return zip64_end(reader, size, end);
    }
    Ok(end)
}

/// Scans backwards, like Go: the last signature wins, and a comment that runs
/// past the end of the file makes the archive unreadable (Go does not go on
/// looking for an earlier record).
fn find_end_signature(tail: &[u8]) -> Result<usize, ListError> {
    let last = tail.len().saturating_sub(END_LEN);
    for at in (0..=last).rev() {
        let Some(record) = tail.get(at..) else {
            continue;
        };
        if !record.starts_with(&END_SIGNATURE) {
            continue;
        }
        let comment_len = record
            .get(20..)
            .and_then(|b| Le::new(b).u16())
            .map_or(0, usize::from);
        if END_LEN + comment_len > record.len() {
            return unreadable(format!(
                "the end-of-central-directory record announces a {comment_len}-byte comment \
                 that runs past the end of the file (truncated archive?)"
            ));
        }
        return Ok(at);
    }
    unreadable("no end-of-central-directory record: not a zip archive, or truncated")
}

fn parse_end(record: &[u8], end_offset: u64) -> Option<End> {
    let mut le = Le::new(record);
    le.skip(4 + 2 + 2 + 2)?;
    let records = le.u16()?;
    let directory_size = le.u32()?;
    let directory_offset = le.u32()?;
    Some(End {
        records: u64::from(records),
        directory_size: u64::from(directory_size),
        directory_offset: u64::from(directory_offset),
        end_offset,
    })
}

/// Follows the zip64 locator, when there is a valid one just before the end
/// record; without one Go keeps the 32-bit values.
fn zip64_end<R: Read + Seek>(reader: &mut R, size: u64, end: End) -> Result<End, ListError> {
    let Some(locator_offset) = end.end_offset.checked_sub(ZIP64_LOCATOR_LEN) else {
        return Ok(end);
    };
    let mut locator = [0; ZIP64_LOCATOR_LEN as usize];
    read_exact_at(reader, locator_offset, &mut locator)?;
    let mut le = Le::new(&locator);
    let valid = le.u32() == Some(ZIP64_LOCATOR_SIGNATURE) && le.u32() == Some(0);
    let offset = le.u64();
    let (true, Some(offset), Some(1)) = (valid, offset, le.u32()) else {
        return Ok(end);
    };
    // Go takes the offset as a signed 64-bit number and ignores a locator
    // whose offset is then negative, keeping the 32-bit values.
    if i64::try_from(offset).is_err() {
        return Ok(end);
    }
    if offset
        .checked_add(ZIP64_END_LEN as u64)
        .is_none_or(|e| e > size)
    {
        return unreadable(format!(
            "the zip64 locator points at offset {offset}, outside the file"
        ));
    }
    let mut record = [0; ZIP64_END_LEN];
    read_exact_at(reader, offset, &mut record)?;
    parse_zip64_end(&record, offset)
        .ok_or_else(|| ListError::Unreadable(format!("no zip64 end record at offset {offset}")))
}

fn parse_zip64_end(record: &[u8], end_offset: u64) -> Option<End> {
    let mut le = Le::new(record);
    if le.u32()? != ZIP64_END_SIGNATURE {
        return None;
    }
    le.skip(8 + 2 + 2 + 4 + 4 + 8)?;
    let records = le.u64()?;
    let directory_size = le.u64()?;
    let directory_offset = le.u64()?;
    Some(End {
        records,
        directory_size,
        directory_offset,
        end_offset,
    })
}

/// Where the directory starts, and the base offset Go adds to every
/// offset: the bytes before the zip proper (a self-extracting stub), or a
/// negative number when the end record's offset is too large. Like Go,
/// keeps a base of 0 when a header parses at the offset as written.
fn directory_start<R: Read + Seek>(
    reader: &mut R,
    size: u64,
    end: &End,
) -> Result<(u64, i64), ListError> {
    let (Ok(directory_size), Ok(directory_offset), Ok(end_offset)) = (
        i64::try_from(end.directory_size),
        i64::try_from(end.directory_offset),
        i64::try_from(end.end_offset),
    ) else {
        return unreadable("the central directory's size or offset is impossibly large");
    };
    // Go's int64 arithmetic, wrapping included.
    let base = end_offset
        .wrapping_sub(directory_size)
        .wrapping_sub(directory_offset);
    let start = base.wrapping_add(directory_offset);
    let Some(start) = u64::try_from(start).ok().filter(|&start| start < size) else {
        return unreadable(format!(
            "the central directory offset {} points outside the file",
            end.directory_offset
        ));
    };
    if base > 0 && end.directory_offset < size && header_parses_at(reader, end.directory_offset)? {
        return Ok((end.directory_offset, 0));
    }
    Ok((start, base))
}

fn header_parses_at<R: Read + Seek>(reader: &mut R, offset: u64) -> Result<bool, ListError> {
    reader.seek(SeekFrom::Start(offset))?;
    let mut input = BufReader::new(&mut *reader);
    match read_record(&mut input) {
        Ok(_) => Ok(true),
        Err(Stop::Io(error)) => Err(ListError::Io(error)),
        Err(_) => Ok(false),
    }
}

fn read_records<R: Read>(
    input: &mut R,
    size: u64,
    end: &End,
    base: i64,
    bounds: Bounds,
) -> Result<Directory, ListError> {
    // Each header takes at least 46 bytes, so a lying count cannot make us
    // reserve more than the file could hold.
    let plausible = (size / CENTRAL_LEN as u64)
        .min(end.records)
        .min(bounds.max_entries)
        .min(1024);
    let mut records = Vec::with_capacity(usize::try_from(plausible).unwrap_or(0));
    let mut name_bytes = 0u64;
    let stop = loop {
        match read_record(input) {
            Ok(_) if records.len() as u64 >= bounds.max_entries => {
                let limit = bounds.max_entries;
                return Ok(Directory {
                    records,
                    stopped: Some(Breach::Entries { limit }),
                });
            }
            Ok(mut record) => {
                name_bytes = name_bytes.saturating_add(record.raw_name.len() as u64);
                if name_bytes > bounds.max_name_bytes {
                    let limit = bounds.max_name_bytes;
                    return Ok(Directory {
                        records,
                        stopped: Some(Breach::Names { limit }),
                    });
                }
                record.local_offset = record
                    .local_offset
                    .and_then(|offset| with_base(offset, base));
                records.push(record);
            }
            // Go stops at a bad header, but a clean end of file where the
            // next header would start is an error whatever the count.
            Err(Stop::EndOfFile) => {
                return unreadable("the central directory runs to the end of the file");
            }
            Err(Stop::Io(error)) => return Err(ListError::Io(error)),
            Err(stop) => break stop,
        }
    };
    // Go only compares the low 16 bits: counts of zip32 archives overflow.
    if records.len() as u16 != end.records as u16 {
        return unreadable(format!(
            "the end record announces {} entries but only {} could be read: {}",
            end.records,
            records.len(),
            stop.reason()
        ));
    }
    Ok(Directory {
        records,
        stopped: None,
    })
}

/// Go's `headerOffset + baseOffset` in int64: an offset past 2^63 wraps
/// negative, and a negative result fails Go's read.
fn with_base(offset: u64, base: i64) -> Option<u64> {
    u64::try_from((offset as i64).wrapping_add(base)).ok()
}

/// Why the header loop ended.
enum Stop {
    /// The next bytes are not a central header (normally: the end record).
    NotAHeader,
    /// The file ends exactly where a header would start.
    EndOfFile,
    Truncated,
    /// A saturated 32-bit field without its zip64 value.
    MissingZip64,
    Io(io::Error),
}

impl Stop {
    fn reason(&self) -> &'static str {
        match self {
            Stop::NotAHeader => "a central directory header is missing or malformed",
            Stop::EndOfFile => "the central directory runs to the end of the file",
            Stop::Truncated => "the central directory is truncated",
            Stop::MissingZip64 => "an entry lacks the zip64 sizes or offset it announces",
            Stop::Io(_) => "read error",
        }
    }
}

impl From<io::Error> for Stop {
    fn from(error: io::Error) -> Stop {
        if error.kind() == io::ErrorKind::UnexpectedEof {
            Stop::Truncated
        } else {
            Stop::Io(error)
        }
    }
}

fn read_record<R: Read>(input: &mut R) -> Result<Record, Stop> {
    let mut header = [0; CENTRAL_LEN];
    let mut filled = 0;
    while filled < CENTRAL_LEN {
        let read = match input.read(header.get_mut(filled..).unwrap_or_default()) {
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error.into()),
        };
        if read == 0 {
            return Err(if filled == 0 {
                Stop::EndOfFile
            } else {
                Stop::Truncated
            });
        }
        filled += read;
    }
    let mut le = Le::new(&header);
    if le.u32() != Some(CENTRAL_SIGNATURE) {
        return Err(Stop::NotAHeader);
    }
    let fixed = parse_fixed(&mut le).ok_or(Stop::NotAHeader)?;
    let mut name = vec![0; usize::from(fixed.name_len)];
    input.read_exact(&mut name)?;
    let mut extra = vec![0; usize::from(fixed.extra_len)];
    input.read_exact(&mut extra)?;
    let comment_len = u64::from(fixed.comment_len);
    if io::copy(&mut input.take(comment_len), &mut io::sink())? != comment_len {
        return Err(Stop::Truncated);
    }
    let mut record = fixed.record;
    record.raw_name = name;
    apply_zip64(&mut record, &extra)?;
    Ok(record)
}

struct Fixed {
    record: Record,
    name_len: u16,
    extra_len: u16,
    comment_len: u16,
}

fn parse_fixed(le: &mut Le) -> Option<Fixed> {
    let creator = le.u16()?;
    le.skip(2)?;
    let flags = le.u16()?;
    let method = le.u16()?;
    le.skip(4)?;
    let crc32 = le.u32()?;
    let compressed_size = le.u32()?;
    let uncompressed_size = le.u32()?;
    let name_len = le.u16()?;
    let extra_len = le.u16()?;
    let comment_len = le.u16()?;
    le.skip(4)?;
    let external_attributes = le.u32()?;
    let local_offset = le.u32()?;
    Some(Fixed {
        record: Record {
            raw_name: Vec::new(),
            creator_os: creator.to_be_bytes()[0],
            flags,
            method,
            crc32,
            compressed_size: u64::from(compressed_size),
            uncompressed_size: u64::from(uncompressed_size),
            external_attributes,
            local_offset: Some(u64::from(local_offset)),
        },
        name_len,
        extra_len,
        comment_len,
    })
}

/// Takes the zip64 values for saturated fields, in Go's order and with Go's
/// tolerance: a saturated uncompressed size alone may stay (42.zip), a
/// saturated compressed size or offset without its value is fatal.
fn apply_zip64(record: &mut Record, extra: &[u8]) -> Result<(), Stop> {
    let mut need_uncompressed = record.uncompressed_size == u64::from(SATURATED_32);
    let mut need_compressed = record.compressed_size == u64::from(SATURATED_32);
    let mut offset = record.local_offset.unwrap_or_default();
    let mut need_offset = offset == u64::from(SATURATED_32);
    let mut fields = Le::new(extra);
    while fields.remaining() >= 4 {
        let (Some(id), Some(len)) = (fields.u16(), fields.u16()) else {
            break;
        };
        let Some(body) = fields.take(usize::from(len)) else {
            break;
        };
        if id != ZIP64_EXTRA_ID {
            continue;
        }
        let mut values = Le::new(body);
        for (need, value) in [
            (&mut need_uncompressed, &mut record.uncompressed_size),
            (&mut need_compressed, &mut record.compressed_size),
            (&mut need_offset, &mut offset),
        ] {
            if *need {
                *need = false;
                *value = values.u64().ok_or(Stop::MissingZip64)?;
            }
        }
    }
    if need_compressed || need_offset {
        return Err(Stop::MissingZip64);
    }
    record.local_offset = Some(offset);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A minimal archive: `count` central headers for stored empty files,
    /// no local data (listing never reads it).
    fn archive(names: &[&str], prefix: &[u8], comment: &[u8]) -> Vec<u8> {
        let mut out = prefix.to_vec();
        let directory_offset = 0u32;
        let mut directory = Vec::new();
        for name in names {
            directory.extend_from_slice(&CENTRAL_SIGNATURE.to_le_bytes());
            directory.extend_from_slice(&[0x14, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            directory.extend_from_slice(&[0; 12]);
            directory.extend_from_slice(&(name.len() as u16).to_le_bytes());
            directory.extend_from_slice(&[0; 8]);
            directory.extend_from_slice(&(0o100644u32 << 16).to_le_bytes());
            directory.extend_from_slice(&0u32.to_le_bytes());
            directory.extend_from_slice(name.as_bytes());
        }
        out.extend_from_slice(&directory);
        out.extend_from_slice(&END_SIGNATURE);
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&(names.len() as u16).to_le_bytes());
        out.extend_from_slice(&(names.len() as u16).to_le_bytes());
        out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
        out.extend_from_slice(&directory_offset.to_le_bytes());
        out.extend_from_slice(&(comment.len() as u16).to_le_bytes());
        out.extend_from_slice(comment);
        out
    }

    fn list_bytes(bytes: &[u8], max: u64) -> Result<Directory, ListError> {
        let bounds = Bounds {
            max_entries: max,
            max_name_bytes: 1 << 20,
        };
        list(&mut Cursor::new(bytes), bytes.len() as u64, bounds)
    }

    fn names(directory: &Directory) -> Vec<&[u8]> {
        directory
            .records
            .iter()
            .map(|r| r.raw_name.as_slice())
            .collect()
    }

    #[test]
    fn keeps_duplicates_in_order() {
        let bytes = archive(&["a.so", "b", "a.so"], b"", b"");
        let directory = list_bytes(&bytes, 10).unwrap();
        assert_eq!(names(&directory), [&b"a.so"[..], b"b", b"a.so"]);
        assert_eq!(directory.records[0].creator_os, 3);
        assert!(directory.stopped.is_none());
    }

    #[test]
    fn tolerates_a_prefix_like_go() {
        let prefix = b"#!/bin/sh\nexit 0\n";
        let bytes = archive(&["x"], prefix, b"");
        let directory = list_bytes(&bytes, 10).unwrap();
        assert_eq!(names(&directory), [&b"x"[..]]);
        // Every local offset moves by the prefix, as Go's base offset does.
        assert_eq!(directory.records[0].local_offset, Some(prefix.len() as u64));
    }

    #[test]
    fn base_offsets_follow_gos_int64_arithmetic() {
        assert_eq!(with_base(10, 5), Some(15));
        assert_eq!(with_base(10, -1), Some(9));
        assert_eq!(with_base(0, -1), None);
        // An offset past 2^63 is negative as int64; a base can bring it back.
        assert_eq!(with_base(u64::MAX - 4, 10), Some(5));
        assert_eq!(with_base(1 << 63, 0), None);
    }

    /// The end record with a zip64 locator in front of it, the directory
    /// size saturated so that the locator is looked for.
    fn with_locator(offset: u64) -> Vec<u8> {
        let mut bytes = archive(&[], b"", b"");
        let end = bytes.len() - END_LEN;
        bytes[end + 12..end + 16].copy_from_slice(&0xffffu32.to_le_bytes());
        let mut locator = ZIP64_LOCATOR_SIGNATURE.to_le_bytes().to_vec();
        locator.extend_from_slice(&0u32.to_le_bytes());
        locator.extend_from_slice(&offset.to_le_bytes());
        locator.extend_from_slice(&1u32.to_le_bytes());
        [&bytes[..end], &locator, &bytes[end..]].concat()
    }

    #[test]
    fn a_zip64_locator_past_2p63_is_ignored_like_go() {
        // Ignored: the 32-bit values stay, and here point outside the file.
        let error = list_bytes(&with_locator((1 << 63) + 1), 10).unwrap_err();
        assert!(matches!(error, ListError::Unreadable(r) if r.contains("outside the file")));
        // Followed: no zip64 end record there.
        let error = list_bytes(&with_locator(0), 10).unwrap_err();
        assert!(matches!(error, ListError::Unreadable(r) if r.contains("zip64 locator")));
    }

    #[test]
    fn a_directory_running_to_the_end_of_the_file_is_unreadable() {
        // The only header's comment covers the end record, so the header
        // loop meets the end of the file exactly where the next header
        // would start: Go fails with io.EOF whatever the count says.
        let mut bytes = archive(&["x"], b"", b"");
        let comment_len = (END_LEN as u16).to_le_bytes();
        bytes[32..34].copy_from_slice(&comment_len);
        let error = list_bytes(&bytes, 10).unwrap_err();
        assert!(matches!(error, ListError::Unreadable(r) if r.contains("end of the file")));
    }

    #[test]
    fn finds_the_end_record_behind_the_longest_comment() {
        let comment = vec![b'c'; usize::from(u16::MAX)];
        let bytes = archive(&["x"], b"", &comment);
        assert_eq!(list_bytes(&bytes, 10).unwrap().records.len(), 1);
    }

    #[test]
    fn a_comment_past_the_end_is_unreadable() {
        let mut bytes = archive(&["x"], b"", b"hello");
        bytes.truncate(bytes.len() - 2);
        assert!(
            matches!(list_bytes(&bytes, 10), Err(ListError::Unreadable(r)) if r.contains("comment"))
        );
    }

    #[test]
    fn stops_at_the_entry_limit() {
        let bytes = archive(&["a", "b", "c"], b"", b"");
        let directory = list_bytes(&bytes, 2).unwrap();
        assert_eq!(directory.records.len(), 2);
        assert_eq!(directory.stopped, Some(Breach::Entries { limit: 2 }));
    }

    #[test]
    fn a_count_that_disagrees_is_unreadable() {
        let mut bytes = archive(&["a", "b"], b"", b"");
        let count_at = bytes.len() - END_LEN + 10;
        bytes[count_at] = 3;
        assert!(
            matches!(list_bytes(&bytes, 10), Err(ListError::Unreadable(r)) if r.contains("announces 3"))
        );
    }

    #[test]
    fn empty_and_tiny_files_are_unreadable() {
        assert!(
            matches!(list_bytes(b"", 10), Err(ListError::Unreadable(r)) if r.contains("empty"))
        );
        assert!(matches!(
            list_bytes(b"PK\x05\x06", 10),
            Err(ListError::Unreadable(_))
        ));
        assert!(
            matches!(list_bytes(&[7; 5000], 10), Err(ListError::Unreadable(r)) if r.contains("no end"))
        );
    }

    #[test]
    fn zip64_values_replace_saturated_fields_only() {
        let mut record = Record {
            raw_name: Vec::new(),
            creator_os: 3,
            flags: 0,
            method: 8,
            crc32: 0,
            compressed_size: 10,
            uncompressed_size: u64::from(SATURATED_32),
            external_attributes: 0,
            local_offset: Some(0),
        };
        let mut extra = vec![1, 0, 8, 0];
        extra.extend_from_slice(&(5u64 << 32).to_le_bytes());
        apply_zip64(&mut record, &extra).ok().unwrap();
        assert_eq!(
            (record.uncompressed_size, record.compressed_size),
            (5 << 32, 10)
        );

        record.compressed_size = u64::from(SATURATED_32);
        assert!(matches!(
            apply_zip64(&mut record, &[]),
            Err(Stop::MissingZip64)
        ));
    }
}
