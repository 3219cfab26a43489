//! Finds an entry's data through its local header and inflates it with hard
//! bounds: the output buffer is sized from the declared size (already checked
//! against the limits) and inflating stops one byte past it, so neither a
//! bomb nor a lying header can make us allocate more.

use std::io::{self, Read, Seek, SeekFrom};

use flate2::{Decompress, FlushDecompress, Status};

use super::bytes::Le;
use super::directory::Record;
use super::read_exact_at;
use crate::read::EntryError;

const LOCAL_SIGNATURE: u32 = 0x0403_4b50;
const LOCAL_LEN: u64 = 30;
const DESCRIPTOR_SIGNATURE: u32 = 0x0807_4b50;
const FLAG_DATA_DESCRIPTOR: u16 = 1 << 3;
const METHOD_STORED: u16 = 0;
const METHOD_DEFLATED: u16 = 8;
/// Compressed input is read in chunks of this size.
const INPUT_CHUNK: usize = 256 * 1024;

/// Why an entry's data could not be had: an I/O failure of the file (the
/// tool cannot run) or a finding about the entry.
#[derive(Debug)]
pub enum Fault {
    Io(io::Error),
    Entry(EntryError),
}

impl From<io::Error> for Fault {
    fn from(error: io::Error) -> Fault {
        if error.kind() == io::ErrorKind::UnexpectedEof {
            corrupt("its data ends early (truncated archive)")
        } else {
            Fault::Io(error)
        }
    }
}

pub fn corrupt(reason: impl Into<String>) -> Fault {
    Fault::Entry(EntryError::Corrupt(reason.into()))
}

/// Where an entry's compressed bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The local header's offset.
    pub header: u64,
    pub data_start: u64,
    pub data_end: u64,
}

/// An entry's span and, when its local header disagrees with the central
/// one, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub span: Span,
    pub disagreement: Option<EntryError>,
}

/// Reads the local header. Go takes only its lengths, but a name or method
/// that disagrees with the central header means other tools see a different
/// file than eKuiper does; the span is still returned so overlaps are found.
pub fn locate<R: Read + Seek>(
    reader: &mut R,
    size: u64,
    record: &Record,
) -> Result<Located, Fault> {
    let header = record.local_offset;
    if header.checked_add(LOCAL_LEN).is_none_or(|end| end > size) {
        return Err(corrupt(format!(
            "its local header at offset {header} lies past the end of the file"
        )));
    }
    let mut fixed = [0; LOCAL_LEN as usize];
    read_exact_at(reader, header, &mut fixed)?;
    let (method, name_len, extra_len) = parse_local(&fixed)
        .ok_or_else(|| corrupt(format!("no local file header at offset {header}")))?;
    let name_start = header + LOCAL_LEN;
    if name_start + u64::from(name_len) > size {
        return Err(corrupt("its local header runs past the end of the file"));
    }
    let mut name = vec![0; usize::from(name_len)];
    read_exact_at(reader, name_start, &mut name)?;
    let data_start = name_start + u64::from(name_len) + u64::from(extra_len);
    let data_end = data_start
        .checked_add(record.compressed_size)
        .filter(|&end| end <= size)
        .ok_or_else(|| corrupt("its data runs past the end of the file (truncated archive?)"))?;
    Ok(Located {
        span: Span {
            header,
            data_start,
            data_end,
        },
        disagreement: disagreement(record, method, &name),
    })
}

fn disagreement(record: &Record, method: u16, name: &[u8]) -> Option<EntryError> {
    if name != record.raw_name {
        return Some(EntryError::Corrupt(format!(
            "its local header names it `{}`: tools that read local headers see another file",
            String::from_utf8_lossy(name)
        )));
    }
    (method != record.method).then(|| {
        EntryError::Corrupt(format!(
            "its local header says compression method {method}, the central directory says {}",
            record.method
        ))
    })
}

fn parse_local(fixed: &[u8]) -> Option<(u16, u16, u16)> {
    let mut le = Le::new(fixed);
    if le.u32()? != LOCAL_SIGNATURE {
        return None;
    }
    le.skip(4)?;
    let method = le.u16()?;
    le.skip(16)?;
    Some((method, le.u16()?, le.u16()?))
}

/// Reads and, for deflate, inflates the entry's data, then verifies its
/// size and CRC-32 as Go does. The caller has checked the declared size
/// against the limits, so it bounds the allocation.
pub fn read_data<R: Read + Seek>(
    reader: &mut R,
    record: &Record,
    span: Span,
) -> Result<Vec<u8>, Fault> {
    let declared = usize::try_from(record.uncompressed_size)
        .map_err(|_| corrupt("its declared size does not fit in memory"))?;
    let data = match record.method {
        METHOD_STORED => read_stored(reader, record, span, declared)?,
        METHOD_DEFLATED => inflate(reader, record, span, declared)?,
        other => return Err(Fault::Entry(EntryError::UnsupportedMethod(other))),
    };
    verify_crc(reader, record, span, &data)?;
    Ok(data)
}

fn read_stored<R: Read + Seek>(
    reader: &mut R,
    record: &Record,
    span: Span,
    declared: usize,
) -> Result<Vec<u8>, Fault> {
    if record.compressed_size != record.uncompressed_size {
        return Err(corrupt(format!(
            "it is stored (not compressed) but declares {} stored and {} uncompressed bytes",
            record.compressed_size, record.uncompressed_size
        )));
    }
    let mut data = vec![0; declared];
    read_exact_at(reader, span.data_start, &mut data)?;
    Ok(data)
}

fn inflate<R: Read + Seek>(
    reader: &mut R,
    record: &Record,
    span: Span,
    declared: usize,
) -> Result<Vec<u8>, Fault> {
    // One byte of room past the declared size reveals an entry that lies.
    let mut out = Vec::with_capacity(declared.saturating_add(1));
    let mut inflater = Decompress::new(false);
    reader.seek(SeekFrom::Start(span.data_start))?;
    let mut compressed = reader.take(record.compressed_size);
    let mut chunk =
        vec![0; INPUT_CHUNK.min(usize::try_from(record.compressed_size).unwrap_or(INPUT_CHUNK))];
    let mut input = 0..0;
    loop {
        if input.is_empty() {
            let read = compressed.read(&mut chunk)?;
            input = 0..read;
        }
        let pending = chunk.get(input.clone()).unwrap_or_default();
        let before = (inflater.total_in(), out.len());
        let status = inflater
            .decompress_vec(pending, &mut out, FlushDecompress::None)
            .map_err(|error| corrupt(format!("it fails to inflate: {error}")))?;
        let consumed = usize::try_from(inflater.total_in() - before.0).unwrap_or(usize::MAX);
        input.start = input.start.saturating_add(consumed).min(input.end);
        if out.len() > declared {
            return Err(lie(record.uncompressed_size));
        }
        if status == Status::StreamEnd {
            break;
        }
        // With output room left, no progress means the input ran out.
        if consumed == 0 && out.len() == before.1 {
            return Err(corrupt(
                "its compressed data ends before the deflate stream does",
            ));
        }
    }
    if out.len() != declared {
        return Err(corrupt(format!(
            "it inflates to {} bytes but declares {declared}",
            out.len()
        )));
    }
    Ok(out)
}

fn lie(declared: u64) -> Fault {
    corrupt(format!(
        "it inflates to more than its declared {declared} bytes (a lying header; inflating stopped there)"
    ))
}

/// Go checks the data descriptor's CRC against the central one when the
/// entry has a descriptor, and otherwise checks the data only when the
/// central CRC is not zero.
fn verify_crc<R: Read + Seek>(
    reader: &mut R,
    record: &Record,
    span: Span,
    data: &[u8],
) -> Result<(), Fault> {
    let has_descriptor = record.flags & FLAG_DATA_DESCRIPTOR != 0;
    if has_descriptor {
        let descriptor_crc = read_descriptor_crc(reader, span.data_end)?;
        if descriptor_crc != record.crc32 {
            return Err(corrupt(format!(
                "its data descriptor's CRC-32 {descriptor_crc:08x} differs from the central directory's {:08x}",
                record.crc32
            )));
        }
    } else if record.crc32 == 0 {
        return Ok(());
    }
    let actual = crc32fast::hash(data);
    if actual != record.crc32 {
        return Err(corrupt(format!(
            "its CRC-32 is {actual:08x} but the central directory says {:08x}",
            record.crc32
        )));
    }
    Ok(())
}

fn read_descriptor_crc<R: Read + Seek>(reader: &mut R, at: u64) -> Result<u32, Fault> {
    let mut first = [0; 8];
    read_exact_at(reader, at, &mut first)
        .map_err(|_| corrupt("its data descriptor is missing (truncated archive?)"))?;
    let mut le = Le::new(&first);
    let (Some(word), Some(next)) = (le.u32(), le.u32()) else {
        return Err(corrupt("its data descriptor is missing"));
    };
    // The descriptor's signature is optional.
    Ok(if word == DESCRIPTOR_SIGNATURE {
        next
    } else {
        word
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compress, Compression, FlushCompress};
    use std::io::Cursor;

    fn deflate(data: &[u8]) -> Vec<u8> {
        let mut compressor = Compress::new(Compression::default(), false);
        let mut out = Vec::with_capacity(data.len() + 64);
        compressor
            .compress_vec(data, &mut out, FlushCompress::Finish)
            .unwrap();
        out
    }

    fn record(method: u16, compressed: &[u8], declared: u64, crc32: u32) -> Record {
        Record {
            raw_name: b"a.so".to_vec(),
            creator_os: 3,
            flags: 0,
            method,
            crc32,
            compressed_size: compressed.len() as u64,
            uncompressed_size: declared,
            external_attributes: 0,
            local_offset: 0,
        }
    }

    fn run(record: &Record, compressed: &[u8]) -> Result<Vec<u8>, Fault> {
        let span = Span {
            header: 0,
            data_start: 0,
            data_end: compressed.len() as u64,
        };
        read_data(&mut Cursor::new(compressed), record, span)
    }

    fn corrupt_reason(result: Result<Vec<u8>, Fault>) -> String {
        match result {
            Err(Fault::Entry(EntryError::Corrupt(reason))) => reason,
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    #[test]
    fn inflates_and_checks_the_crc() {
        let data = b"hello hello hello hello".repeat(50);
        let compressed = deflate(&data);
        let good = record(8, &compressed, data.len() as u64, crc32fast::hash(&data));
        assert_eq!(run(&good, &compressed).unwrap(), data);
        let bad_crc = Record { crc32: 1, ..good };
        assert!(corrupt_reason(run(&bad_crc, &compressed)).contains("CRC-32"));
    }

    #[test]
    fn a_lying_size_stops_inflating_one_byte_past_it() {
        let data = vec![0; 1 << 20];
        let compressed = deflate(&data);
        let liar = record(8, &compressed, 100, 0);
        assert!(corrupt_reason(run(&liar, &compressed)).contains("more than its declared"));
    }

    #[test]
    fn short_output_and_truncated_streams_are_corrupt() {
        let data = b"abcdefgh".repeat(1000);
        let compressed = deflate(&data);
        let long = record(8, &compressed, data.len() as u64 + 5, 0);
        assert!(corrupt_reason(run(&long, &compressed)).contains("declares"));
        let cut = &compressed[..compressed.len() / 2];
        let truncated = record(8, cut, data.len() as u64, 0);
        assert!(corrupt_reason(run(&truncated, cut)).contains("ends before"));
        let garbage = [0xffu8; 64];
        assert!(corrupt_reason(run(&record(8, &garbage, 10, 0), &garbage)).contains("inflate"));
    }

    #[test]
    fn stored_sizes_must_agree() {
        let data = b"plain";
        let ok = record(0, data, 5, crc32fast::hash(data));
        assert_eq!(run(&ok, data).unwrap(), data);
        let odd = record(0, data, 4, 0);
        assert!(corrupt_reason(run(&odd, data)).contains("stored"));
    }

    #[test]
    fn descriptor_crc_must_match_the_central_one() {
        let data = b"descriptor";
        let mut bytes = data.to_vec();
        bytes.extend_from_slice(&DESCRIPTOR_SIGNATURE.to_le_bytes());
        bytes.extend_from_slice(&7u32.to_le_bytes());
        let mut with_descriptor = record(0, data, data.len() as u64, crc32fast::hash(data));
        with_descriptor.flags = FLAG_DATA_DESCRIPTOR;
        let span = Span {
            header: 0,
            data_start: 0,
            data_end: data.len() as u64,
        };
        let result = read_data(&mut Cursor::new(&bytes), &with_descriptor, span);
        assert!(corrupt_reason(result).contains("descriptor"));
    }

    #[test]
    fn locate_compares_local_and_central_names() {
        let mut bytes = LOCAL_SIGNATURE.to_le_bytes().to_vec();
        bytes.extend_from_slice(&[0; 22]);
        bytes.extend_from_slice(&4u16.to_le_bytes());
        bytes.extend_from_slice(&0u16.to_le_bytes());
        bytes.extend_from_slice(b"b.so");
        let size = bytes.len() as u64;
        let central = record(0, b"", 0, 0);
        let located = locate(&mut Cursor::new(&bytes), size, &central).unwrap();
        assert!(matches!(located.disagreement, Some(EntryError::Corrupt(r)) if r.contains("b.so")));
        let same = Record {
            raw_name: b"b.so".to_vec(),
            ..central
        };
        let located = locate(&mut Cursor::new(&bytes), size, &same).unwrap();
        assert_eq!(located.disagreement, None);
        let span = located.span;
        assert_eq!((span.data_start, span.data_end), (34, 34));
    }
}
