//! Finds an entry's data through its local header and reads it the way
//! Go's `archive/zip` does: a section of the compressed size from the end
//! of the local header (cut short by the end of the file, as Go's reads
//! are), inflated, counted against the declared size, then the data
//! descriptor and the CRC-32. Kept entries grow as their bytes arrive, never
//! past the declared size (checked against the limits by the caller), so a
//! header that lies costs nothing; verified entries are not kept at all.
//! A large kept deflated entry first tries the one-shot fast path
//! ([`super::whole`]), which leaves every verdict to this streaming reading.

use std::io::{self, Read, Seek, SeekFrom};

use super::bytes::Le;
use super::directory::{FLAG_DATA_DESCRIPTOR, METHOD_DEFLATED, METHOD_STORED, Record};
use super::fault::{Fault, corrupt};
use super::inflate::inflate;
use super::read_exact_at;
use super::whole;
use crate::read::EntryError;

const LOCAL_SIGNATURE: u32 = 0x0403_4b50;
const LOCAL_LEN: u64 = 30;
const DESCRIPTOR_SIGNATURE: u32 = 0x0807_4b50;
/// Stored data is copied in chunks of this size.
const COPY_CHUNK: usize = 64 * 1024;
/// The first reservation for a kept entry: after it, the buffer doubles
/// as bytes arrive, up to the declared size. Only a larger entry is worth
/// the one-shot fast path.
pub(super) const FIRST_RESERVATION: usize = 256 * 1024;

/// Where an entry's compressed bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    /// The local header's offset.
    pub header: u64,
    pub data_start: u64,
    /// Where the compressed bytes end by the headers; may lie past the end
    /// of the file, where reading them stops short, as Go's does.
    pub data_end: u64,
}

/// An entry's extent and, when its local header disagrees with the central
/// one, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub extent: Extent,
    pub disagreement: Option<EntryError>,
}

/// Reads the local header. Go needs only its 30 fixed bytes and takes only
/// its lengths, but a name or method that disagrees with the central
/// header means other tools see a different file than eKuiper does; the
/// extent is still returned so overlaps are found.
pub fn locate<R: Read + Seek>(
    reader: &mut R,
    size: u64,
    record: &Record,
) -> Result<Located, Fault> {
    let Some(header) = record.local_offset else {
        return Err(corrupt(
            "its local header offset, with the archive's base offset, lands before the start \
             of the file",
        ));
    };
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
    let name_in_file = size.saturating_sub(name_start).min(u64::from(name_len));
    let mut name = vec![0; usize::try_from(name_in_file).unwrap_or_default()];
    read_exact_at(reader, name_start, &mut name)?;
    let data_start = name_start + u64::from(name_len) + u64::from(extra_len);
    Ok(Located {
        extent: Extent {
            header,
            data_start,
            data_end: data_start.saturating_add(record.compressed_size),
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

/// What becomes of an entry's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Kept for inspection; `room` is what the package may still keep,
    /// which also bounds the fast path's compressed copy.
    Keep { room: u64 },
    /// Only counted and hashed, as the installer's extraction would check
    /// them.
    Verify,
}

/// Reads and, for deflate, inflates the entry's data, then verifies its
/// size, data descriptor and CRC-32 as Go does. Returns the bytes when
/// they are kept.
pub fn read_data<R: Read + Seek>(
    reader: &mut R,
    size: u64,
    record: &Record,
    extent: Extent,
    purpose: Use,
) -> Result<Option<Vec<u8>>, Fault> {
    if let Use::Keep { room } = purpose
        && record.uncompressed_size > FIRST_RESERVATION as u64
        && let Some(bytes) = whole::read(reader, size, record, extent.data_start, room)?
    {
        // The bytes have the central CRC-32: what is left is the descriptor.
        verify_crc(reader, size, record, extent, record.crc32)?;
        return Ok(Some(bytes));
    }
    let declared = record.uncompressed_size;
    let mut kept = matches!(purpose, Use::Keep { .. }).then(|| Kept::new(declared));
    let mut hasher = crc32fast::Hasher::new();
    let mut count = 0u64;
    let mut emit = |chunk: &[u8]| -> Result<(), Fault> {
        count = count.saturating_add(chunk.len() as u64);
        if count > declared {
            return Err(lie(declared));
        }
        hasher.update(chunk);
        if let Some(kept) = kept.as_mut() {
            kept.push(chunk);
        }
        Ok(())
    };
    let in_file = size
        .saturating_sub(extent.data_start)
        .min(record.compressed_size);
    // Go fails a stored entry whose sizes differ either way (too many
    // bytes, or too few); say which before reading any.
    if record.method == METHOD_STORED && record.compressed_size != declared {
        return Err(short(record, 0, in_file));
    }
    reader.seek(SeekFrom::Start(extent.data_start.min(size)))?;
    let mut section = reader.by_ref().take(in_file);
    match record.method {
        METHOD_STORED => copy(&mut section, &mut emit)?,
        // The one place deflate data is inflated: a faster inflater (a
        // one-shot for the kept library, say) replaces `inflate` here and
        // keeps its contract: output in chunks to `emit`, never more kept
        // than the declared size.
        METHOD_DEFLATED => inflate(&mut section, in_file, &mut emit)?,
        other => return Err(Fault::Entry(EntryError::UnsupportedMethod(other))),
    }
    if count != declared {
        return Err(short(record, count, in_file));
    }
    verify_crc(reader, size, record, extent, hasher.finalize())?;
    Ok(kept.map(|kept| kept.bytes))
}

/// Why an entry gave fewer bytes than it declares.
fn short(record: &Record, count: u64, in_file: u64) -> Fault {
    if in_file < record.compressed_size {
        corrupt("its data runs past the end of the file (truncated archive?)")
    } else if record.method == METHOD_STORED {
        corrupt(format!(
            "it is stored (not compressed) but declares {} stored and {} uncompressed bytes",
            record.compressed_size, record.uncompressed_size
        ))
    } else {
        corrupt(format!(
            "it inflates to {count} bytes but declares {}",
            record.uncompressed_size
        ))
    }
}

fn copy(
    section: &mut dyn Read,
    emit: &mut dyn FnMut(&[u8]) -> Result<(), Fault>,
) -> Result<(), Fault> {
    let mut chunk = vec![0; COPY_CHUNK];
    loop {
        let read = match section.read(&mut chunk) {
            Ok(0) => return Ok(()),
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error.into()),
        };
        emit(chunk.get(..read).unwrap_or_default())?;
    }
}

/// A kept entry's bytes: the buffer grows as bytes arrive, doubling, but
/// never past the declared size (output past it is a lie and stops
/// reading before it is stored).
struct Kept {
    bytes: Vec<u8>,
    declared: usize,
}

impl Kept {
    fn new(declared: u64) -> Kept {
        let declared = usize::try_from(declared).unwrap_or(usize::MAX);
        Kept {
            bytes: Vec::with_capacity(declared.min(FIRST_RESERVATION)),
            declared,
        }
    }

    fn push(&mut self, chunk: &[u8]) {
        let needed = self.bytes.len().saturating_add(chunk.len());
        if needed > self.bytes.capacity() {
            let doubled = self.bytes.capacity().saturating_mul(2);
            let target = needed.max(doubled.min(self.declared));
            self.bytes.reserve_exact(target - self.bytes.len());
        }
        self.bytes.extend_from_slice(chunk);
    }
}

fn lie(declared: u64) -> Fault {
    corrupt(format!(
        "it inflates to more than its declared {declared} bytes (a lying header; inflating stopped there)"
    ))
}

/// Go checks the data descriptor's CRC against the central one when the
/// entry has a descriptor (and then the data's CRC even when it is 0), and
/// otherwise checks the data only when the central CRC is not zero.
fn verify_crc<R: Read + Seek>(
    reader: &mut R,
    size: u64,
    record: &Record,
    extent: Extent,
    actual: u32,
) -> Result<(), Fault> {
    let has_descriptor = record.flags & FLAG_DATA_DESCRIPTOR != 0;
    if has_descriptor {
        let descriptor_crc = read_descriptor_crc(reader, size, extent.data_end)?;
        if descriptor_crc != record.crc32 {
            return Err(corrupt(format!(
                "its data descriptor's CRC-32 {descriptor_crc:08x} differs from the central directory's {:08x}",
                record.crc32
            )));
        }
    } else if record.crc32 == 0 {
        return Ok(());
    }
    if actual != record.crc32 {
        return Err(corrupt(format!(
            "its CRC-32 is {actual:08x} but the central directory says {:08x}",
            record.crc32
        )));
    }
    Ok(())
}

/// The descriptor's CRC. Go reads 12 bytes, or 16 when they start with the
/// optional signature, and fails ("unexpected EOF") when the file ends
/// before them, though it uses only the CRC.
fn read_descriptor_crc<R: Read + Seek>(reader: &mut R, size: u64, at: u64) -> Result<u32, Fault> {
    let in_file = size.saturating_sub(at).min(16);
    let mut bytes = [0; 16];
    let available = bytes
        .get_mut(..usize::try_from(in_file).unwrap_or_default())
        .unwrap_or_default();
    read_exact_at(reader, at.min(size), available)?;
    let mut le = Le::new(available);
    let first = le.u32();
    let signed = first == Some(DESCRIPTOR_SIGNATURE);
    let needed = if signed { 16 } else { 12 };
    let crc = if signed { le.u32() } else { first };
    match crc {
        Some(crc) if available.len() >= needed => Ok(crc),
        _ => Err(corrupt(format!(
            "its data descriptor is cut short: {} of its {needed} bytes are in the file \
             (truncated archive?)",
            available.len()
        ))),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use flate2::{Compress, Compression, FlushCompress};
    use std::io::Cursor;

    /// A raw deflate stream of `data`, as a zip entry holds it.
    pub(in super::super) fn deflate(data: &[u8]) -> Vec<u8> {
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
            local_offset: Some(0),
        }
    }

    fn run(record: &Record, compressed: &[u8]) -> Result<Vec<u8>, Fault> {
        let extent = Extent {
            header: 0,
            data_start: 0,
            data_end: compressed.len() as u64,
        };
        let size = compressed.len() as u64;
        read_data(
            &mut Cursor::new(compressed),
            size,
            record,
            extent,
            Use::Keep { room: u64::MAX },
        )
        .map(Option::unwrap)
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
        let long = record(0, data, 4, 0);
        assert!(corrupt_reason(run(&long, data)).contains("stored"));
        let short = record(0, data, 6, 0);
        assert!(corrupt_reason(run(&short, data)).contains("stored"));
    }

    #[test]
    fn descriptor_crc_must_match_the_central_one() {
        let data = b"descriptor";
        let mut bytes = data.to_vec();
        bytes.extend_from_slice(&DESCRIPTOR_SIGNATURE.to_le_bytes());
        bytes.extend_from_slice(&7u32.to_le_bytes());
        let mut with_descriptor = record(0, data, data.len() as u64, crc32fast::hash(data));
        with_descriptor.flags = FLAG_DATA_DESCRIPTOR;
        let extent = Extent {
            header: 0,
            data_start: 0,
            data_end: data.len() as u64,
        };
        let size = bytes.len() as u64;
        let result = read_data(
            &mut Cursor::new(&bytes),
            size,
            &with_descriptor,
            extent,
            Use::Keep { room: u64::MAX },
        )
        .map(Option::unwrap);
        assert!(corrupt_reason(result).contains("descriptor"));
        // Go needs all 16 bytes of a signed descriptor, 12 of an unsigned one.
        let good = Record {
            crc32: crc32fast::hash(data),
            ..with_descriptor
        };
        let mut signed = data.to_vec();
        signed.extend_from_slice(&DESCRIPTOR_SIGNATURE.to_le_bytes());
        signed.extend_from_slice(&good.crc32.to_le_bytes());
        signed.extend_from_slice(&[0; 8]);
        let mut unsigned = data.to_vec();
        unsigned.extend_from_slice(&good.crc32.to_le_bytes());
        unsigned.extend_from_slice(&[0; 8]);
        for file in [signed, unsigned] {
            for (len, readable) in [(file.len(), true), (file.len() - 1, false)] {
                let cut = &file[..len];
                let result = read_data(
                    &mut Cursor::new(cut),
                    len as u64,
                    &good,
                    extent,
                    Use::Verify,
                );
                assert_eq!(result.is_ok(), readable, "{len} bytes");
            }
        }
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
        let extent = located.extent;
        assert_eq!((extent.data_start, extent.data_end), (34, 34));
    }
}
