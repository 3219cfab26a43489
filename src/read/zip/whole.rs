//! The fast path for a kept entry's deflate stream: inflate it in one shot,
//! with libdeflate, straight into a buffer of its declared size.
//!
//! It only ever says yes. A stream that does not inflate to exactly the
//! declared size, or whose bytes do not have the CRC-32 that Go's reader
//! would check, gets no verdict here: the caller reads the entry again with
//! the streaming decoder (zlib-rs, as strict as Go's `compress/flate`), and
//! that decoder's verdict is the one reported. So a corrupt stream, a
//! truncated one or a lying size is judged exactly as before.
//!
//! The one difference left is in what libdeflate accepts: it decodes a few
//! constructs that Go rejects (literal/length symbols 286 and 287 and
//! distance symbols 30 and 31, more than 286/30 code lengths, the unused
//! half of a one-codeword Huffman code, an empty distance code). No encoder
//! writes them, and a corrupted stream that hits them inflates to other
//! bytes, which the CRC-32 check sends to the streaming decoder. Only a
//! stream crafted with them *and* with the CRC-32 of libdeflate's reading
//! is accepted here where eKuiper's unzip would fail; the caller never takes
//! this path when Go would not check the CRC-32 at all.
//!
//! Memory: the output buffer is the declared size, which the caller has
//! checked against the limits, and the compressed bytes are held whole
//! while inflating; both together must fit in what the package may still
//! keep. In batch mode a finished package's buffer is kept per thread and
//! reused by the next package ([`recycle`]), so a library's pages are not
//! faulted in afresh for every package.

use std::cell::RefCell;
use std::io::{Read, Seek};

use libdeflater::Decompressor;

use super::directory::{FLAG_DATA_DESCRIPTOR, METHOD_DEFLATED, Record};
use super::fault::Fault;
use super::read_exact_at;

thread_local! {
    /// A buffer a finished package gave back, for the next one on this thread.
    static SPARE: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A buffer smaller than this is not worth keeping between packages.
const MIN_SPARE: usize = 1 << 20;

/// The declared size is believed, and allocated before a byte is
/// inflated, only up to this many times the compressed bytes: Go
/// libraries deflate 2-3.5:1, while a padded bomb declares up to the
/// ratio limit (100:1). Anything else streams, its buffer growing only as
/// the stream proves it, so a header cannot take the address space.
const MAX_BELIEVED_RATIO: u64 = 4;

/// Reads a kept deflated entry through the fast path when it applies: the
/// bytes, which have the central directory's CRC-32 (the data descriptor
/// is left to the caller), or `None` to read it with the streaming
/// decoder. It applies to an entry whose CRC-32 Go checks, whose
/// compressed bytes (from `data_start`) are all in the file, no more than
/// its declared size and at least a quarter of it, and when both fit in
/// `room`, what the package may still keep. The caller tries it only for an entry larger than the
/// streaming decoder's first reservation.
pub fn read<R: Read + Seek>(
    reader: &mut R,
    size: u64,
    record: &Record,
    data_start: u64,
    room: u64,
) -> Result<Option<Vec<u8>>, Fault> {
    let (declared, compressed) = (record.uncompressed_size, record.compressed_size);
    let go_checks_crc = record.crc32 != 0 || record.flags & FLAG_DATA_DESCRIPTOR != 0;
    let in_file = data_start
        .checked_add(compressed)
        .is_some_and(|end| end <= size);
    let applies = record.method == METHOD_DEFLATED
        && go_checks_crc
        && in_file
        && compressed <= declared
        && declared <= compressed.saturating_mul(MAX_BELIEVED_RATIO)
        && declared.saturating_add(compressed) <= room;
    let (Ok(declared), Ok(compressed)) = (usize::try_from(declared), usize::try_from(compressed))
    else {
        return Ok(None);
    };
    if !applies {
        // The streaming reader will keep this large entry: a spare held
        // beside it would count twice against what a package may keep.
        drop(SPARE.take());
        return Ok(None);
    }
    // Not kept between packages: the inflated bytes' pages matter, and a
    // spare copy of these would stay resident while the library is
    // inspected, raising the peak.
    let mut input = fresh(compressed);
    // A failed read (the file changed under us) is the streaming
    // decoder's to report.
    Ok(match read_exact_at(reader, data_start, &mut input) {
        Ok(()) => inflate(&input, declared, record.crc32),
        Err(_) => None,
    })
}

/// Inflates `compressed` into exactly `declared` bytes whose CRC-32 is
/// `crc32`. `None` when it does not: the caller then reads the entry with
/// the streaming decoder, whose verdict is the one that counts.
fn inflate(compressed: &[u8], declared: usize, crc32: u32) -> Option<Vec<u8>> {
    let mut output = take(declared);
    let inflated = Decompressor::new().deflate_decompress(compressed, &mut output);
    // On failure the buffer is freed, not kept: the streaming reader's
    // own buffer must not sit beside it.
    (inflated == Ok(declared) && crc32fast::hash(&output) == crc32).then_some(output)
}

/// Keeps a finished package's inflated bytes for the next package read on
/// this thread: the larger of them and the current spare.
pub fn recycle(buffer: Vec<u8>) {
    if buffer.capacity() < MIN_SPARE {
        return;
    }
    SPARE.with_borrow_mut(|spare| {
        if buffer.capacity() > spare.capacity() {
            *spare = buffer;
        }
    });
}

/// A buffer of exactly `len` initialized bytes. The spare's bytes are left
/// as they are (the decoder overwrites them all before they are used);
/// only a fresh buffer or the spare's growth is zeroed.
fn take(len: usize) -> Vec<u8> {
    let mut buffer = SPARE.take();
    if buffer.capacity() < len {
        // Growing would copy the old bytes first: a zeroed fresh buffer
        // costs no more than the page faults it takes anyway.
        return fresh(len);
    }
    if buffer.len() >= len {
        buffer.truncate(len);
    } else {
        buffer.resize(len, 0);
    }
    buffer
}

/// A zeroed buffer of `len` bytes. A large one comes straight from the
/// kernel, untouched; it is asked to back it with transparent huge pages
/// where it can (`madvise` mode, the common default), so filling it takes
/// a fault per 2 MiB rather than per 4 KiB page.
fn fresh(len: usize) -> Vec<u8> {
    let buffer = vec![0; len];
    advise_huge_pages(&buffer);
    buffer
}

#[cfg(target_os = "linux")]
fn advise_huge_pages(buffer: &[u8]) {
    const HUGE_PAGE: usize = 2 << 20;
    let start = buffer.as_ptr() as usize;
    let first = start.next_multiple_of(HUGE_PAGE);
    let end = (start + buffer.len()) / HUGE_PAGE * HUGE_PAGE;
    if end > first {
        // SAFETY: the range lies inside `buffer`, a live allocation of
        // ours; MADV_HUGEPAGE only tells the kernel how to back its pages
        // and never changes their contents. A refusal (no THP support)
        // leaves ordinary pages, so the result is ignored.
        unsafe {
            libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_buffer: &[u8]) {}

#[cfg(test)]
mod tests {
    use super::super::data::tests::deflate;
    use super::super::data::{Extent, FIRST_RESERVATION, Use, read_data};
    use super::*;
    use flate2::{Decompress, FlushDecompress, Status};

    /// The strict streaming reading (zlib-rs), bounded to `limit` bytes.
    fn strict(compressed: &[u8], limit: usize) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(limit + 1);
        let status = Decompress::new(false)
            .decompress_vec(compressed, &mut out, FlushDecompress::Finish)
            .ok()?;
        (status == Status::StreamEnd && out.len() <= limit).then_some(out)
    }

    fn sample(len: usize) -> Vec<u8> {
        // Text-like bytes with repeats near and far, like a library's.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        (0..len)
            .map(|index| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                if state.is_multiple_of(3) {
                    b"go:itab.main.Sink,api.Sink"[index % 26]
                } else {
                    (state >> 56) as u8 % 40 + b'0'
                }
            })
            .collect()
    }

    #[test]
    fn inflates_a_good_stream_to_its_declared_size() {
        let data = sample(300_000);
        let compressed = deflate(&data);
        let crc = crc32fast::hash(&data);
        assert_eq!(inflate(&compressed, data.len(), crc), Some(data));
    }

    #[test]
    fn says_nothing_about_a_size_or_crc_it_does_not_match() {
        let data = sample(100_000);
        let compressed = deflate(&data);
        let crc = crc32fast::hash(&data);
        assert_eq!(inflate(&compressed, data.len() - 1, crc), None);
        assert_eq!(inflate(&compressed, data.len() + 1, crc), None);
        assert_eq!(inflate(&compressed, data.len(), crc ^ 1), None);
        assert_eq!(
            inflate(&compressed[..compressed.len() / 2], data.len(), crc),
            None
        );
        assert_eq!(inflate(&[0xff; 64], 10, 0), None);
    }

    /// Every mutated stream the fast path accepts, the strict decoder
    /// accepts with the same bytes.
    #[test]
    fn accepts_nothing_the_strict_decoder_reads_differently() {
        let data = sample(10_000);
        let mut compressed = deflate(&data);
        // Bytes after the final block, which every reader ignores.
        compressed.extend(std::iter::repeat_n(0x5a, compressed.len() / 4));
        let crc = crc32fast::hash(&data);
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut accepted = 0;
        for _ in 0..1_000 {
            let mut mutated = compressed.clone();
            for _ in 0..1 + state % 3 {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                let at = (state >> 33) as usize % mutated.len();
                mutated[at] ^= 1 << ((state >> 29) % 8);
            }
            if let Some(fast) = inflate(&mutated, data.len(), crc) {
                accepted += 1;
                assert_eq!(strict(&mutated, data.len()), Some(fast));
            }
        }
        // Flips in the trailing bytes, and only those, change nothing.
        assert!((10..300).contains(&accepted), "{accepted} accepted");
    }

    /// Bits of a deflate stream, least significant first; Huffman codes
    /// go most significant bit first.
    #[derive(Default)]
    struct Bits {
        bytes: Vec<u8>,
        used: u32,
    }

    impl Bits {
        fn put(&mut self, value: u32, count: u32) {
            for bit in 0..count {
                if self.used.is_multiple_of(8) {
                    self.bytes.push(0);
                }
                let last = self.bytes.last_mut().unwrap();
                *last |= (((value >> bit) & 1) as u8) << (self.used % 8);
                self.used += 1;
            }
        }

        fn code(&mut self, code: u32, len: u32) {
            for bit in (0..len).rev() {
                self.put((code >> bit) & 1, 1);
            }
        }
    }

    /// A stored block of `prefix`, then a fixed-Huffman block with one
    /// match: length symbol `length` and distance symbol `distance` (no
    /// extra bits set), which Go's reader and zlib reject when the symbol
    /// is 286/287 or 30/31.
    fn crafted(prefix: &[u8], length: u32, distance: u32) -> Vec<u8> {
        let mut bits = Bits::default();
        bits.put(0, 3); // not final, stored
        let len = u16::try_from(prefix.len()).unwrap();
        bits.bytes.extend_from_slice(&len.to_le_bytes());
        bits.bytes.extend_from_slice(&(!len).to_le_bytes());
        bits.bytes.extend_from_slice(prefix);
        bits.used = 8 * bits.bytes.len() as u32;
        bits.put(1, 1); // final
        bits.put(1, 2); // fixed Huffman codes
        last_match(&mut bits, length, distance);
        bits.bytes
    }

    /// [`crafted`] with a prefix of `1 + 258 * runs` bytes `a`, compressed.
    fn crafted_run(runs: usize, length: u32, distance: u32) -> Vec<u8> {
        let mut bits = Bits::default();
        bits.put(1, 1); // final
        bits.put(1, 2); // fixed Huffman codes
        bits.code(0b0011_0000 + u32::from(b'a'), 8);
        for _ in 0..runs {
            bits.code(0b1100_0101, 8); // length 258
            bits.code(0, 5); // distance 1
        }
        last_match(&mut bits, length, distance);
        bits.bytes
    }

    fn last_match(bits: &mut Bits, length: u32, distance: u32) {
        match length {
            257..=279 => bits.code(length - 256, 7),
            _ => bits.code(0b1100_0000 + length - 280, 8),
        }
        // Extra length bits: none for the lengths used here (3 and 258).
        assert!(length == 257 || length >= 285);
        bits.code(distance, 5);
        let extra = match distance {
            0..=3 => 0,
            4..=29 => (distance - 2) / 2,
            _ => 13, // as libdeflate reads 30 and 31
        };
        bits.put(0, extra);
        bits.code(0, 7); // end of block
    }

    /// The documented gap, pinned: libdeflate decodes the symbols the
    /// deflate format reserves, which Go's reader and zlib-rs reject. Only
    /// a stream whose zip records the CRC-32 of libdeflate's reading gets
    /// past the fast path; any other CRC-32 leaves the verdict to the
    /// strict decoder.
    #[test]
    fn reserved_symbols_pass_only_with_the_crc_of_libdeflates_reading() {
        let prefix = sample(30_000);
        for (length, distance, copied) in [(257, 30, 3), (286, 0, 258), (287, 31, 258)] {
            let stream = crafted(&prefix, length, distance);
            let offset = match distance {
                30 | 31 => 24_577,
                _ => 1,
            };
            let mut lenient = prefix.clone();
            for _ in 0..copied {
                lenient.push(lenient[lenient.len() - offset]);
            }
            let declared = lenient.len();
            assert_eq!(strict(&stream, declared), None, "{length}/{distance}");
            assert_eq!(inflate(&stream, declared, crc32fast::hash(&prefix)), None);
            let crc = crc32fast::hash(&lenient);
            assert_eq!(inflate(&stream, declared, crc), Some(lenient));
        }
        // A valid match of the same shape, for contrast.
        let valid = crafted(&prefix, 257, 29);
        assert!(strict(&valid, prefix.len() + 3).is_some());
    }

    /// One kept entry at offset 0 of a file holding `file`, read with the
    /// fast path allowed or not: the bytes' length and CRC-32, or the
    /// verdict.
    fn verdict(record: &Record, file: &[u8], fast: bool) -> Result<(usize, u32), String> {
        let extent = Extent {
            header: 0,
            data_start: 0,
            data_end: record.compressed_size,
        };
        let room = if fast { u64::MAX } else { 0 };
        let mut reader = std::io::Cursor::new(file);
        match read_data(
            &mut reader,
            file.len() as u64,
            record,
            extent,
            Use::Keep { room },
        ) {
            Ok(Some(bytes)) => Ok((bytes.len(), crc32fast::hash(&bytes))),
            Ok(None) => Err("not kept".into()),
            Err(Fault::Entry(error)) => Err(format!("{error:?}")),
            Err(Fault::Io(error)) => Err(format!("I/O {error}")),
        }
    }

    fn deflated_record(compressed: &[u8], declared: usize, crc32: u32) -> Record {
        Record {
            raw_name: b"Lib.so".to_vec(),
            creator_os: 3,
            flags: 0,
            method: METHOD_DEFLATED,
            crc32,
            compressed_size: compressed.len() as u64,
            uncompressed_size: declared as u64,
            external_attributes: 0,
            local_offset: Some(0),
        }
    }

    /// The A006/A008 verdicts on a library large enough for the fast path
    /// are the streaming reader's (which the Go differential tests pin),
    /// bad CRCs, size lies, truncation, corrupt streams and descriptors
    /// alike; the one exception is the documented gap.
    #[test]
    fn fast_and_streaming_readings_give_the_same_verdicts() {
        let data = sample(3 * FIRST_RESERVATION);
        let stream = deflate(&data);
        let crc = crc32fast::hash(&data);
        let good = deflated_record(&stream, data.len(), crc);
        let mut corrupt_middle = stream.clone();
        corrupt_middle[stream.len() / 2] ^= 0x10;
        let mut descriptor = stream.clone();
        descriptor.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
        descriptor.extend_from_slice(&(crc ^ 1).to_le_bytes());
        descriptor.extend_from_slice(&[0; 8]);
        let with_descriptor = || Record {
            flags: FLAG_DATA_DESCRIPTOR,
            ..deflated_record(&stream, data.len(), crc)
        };
        let cases: Vec<(&str, Record, &[u8])> = vec![
            ("good", deflated_record(&stream, data.len(), crc), &stream),
            (
                "bad CRC",
                deflated_record(&stream, data.len(), crc ^ 1),
                &stream,
            ),
            (
                "declares less",
                deflated_record(&stream, data.len() - 1, crc),
                &stream,
            ),
            (
                "declares more",
                deflated_record(&stream, data.len() + 1, crc),
                &stream,
            ),
            (
                "truncated",
                deflated_record(&stream, data.len(), crc),
                &stream[..stream.len() - 9],
            ),
            (
                "corrupt stream",
                deflated_record(&stream, data.len(), crc),
                &corrupt_middle,
            ),
            ("descriptor CRC differs", with_descriptor(), &descriptor),
            (
                "descriptor cut short",
                with_descriptor(),
                &descriptor[..stream.len() + 6],
            ),
            (
                "no CRC to check",
                deflated_record(&corrupt_middle, data.len(), 0),
                &corrupt_middle,
            ),
        ];
        for (name, record, file) in &cases {
            let fast = verdict(record, file, true);
            assert_eq!(fast, verdict(record, file, false), "{name}");
            // Go reads a damaged stream whose CRC-32 it does not check.
            let readable = ["good", "no CRC to check"].contains(name);
            assert_eq!(fast.is_ok(), readable, "{name}: {fast:?}");
        }
        // The fast path did read the good one.
        let mut reader = std::io::Cursor::new(&stream);
        let size = stream.len() as u64;
        assert!(
            read(&mut reader, size, &good, 0, u64::MAX)
                .unwrap()
                .is_some()
        );
        // ... only when the compressed copy fits in what may still be kept.
        let room = (data.len() + stream.len() - 1) as u64;
        assert!(read(&mut reader, size, &good, 0, room).unwrap().is_none());
        // ... and not for a padded bomb's declared size.
        let bomb = deflated_record(&stream, stream.len() * 5, crc);
        assert!(
            read(&mut reader, size, &bomb, 0, u64::MAX)
                .unwrap()
                .is_none()
        );
        // The gap: a stream crafted with a reserved distance symbol and the
        // CRC-32 of libdeflate's reading.
        let runs = FIRST_RESERVATION / 258 + 1;
        let lenient = vec![b'a'; 1 + 258 * runs + 3];
        let mut crafted = crafted_run(runs, 257, 30);
        // Bytes after the final block, which every reader ignores, bring
        // the ratio to one the fast path believes.
        crafted.resize(lenient.len() / 3, 0);
        let record = deflated_record(&crafted, lenient.len(), crc32fast::hash(&lenient));
        assert!(verdict(&record, &crafted, true).is_ok());
        assert!(
            verdict(&record, &crafted, false)
                .unwrap_err()
                .contains("fails to inflate")
        );
    }

    #[test]
    fn reuses_a_recycled_buffer_without_zeroing_it() {
        let data = sample(2 * MIN_SPARE);
        let compressed = deflate(&data);
        let crc = crc32fast::hash(&data);
        let first = inflate(&compressed, data.len(), crc).unwrap();
        let address = first.as_ptr();
        recycle(first);
        let second = inflate(&compressed, data.len(), crc).unwrap();
        assert_eq!(second.as_ptr(), address);
        assert_eq!(second, data);
        // A smaller entry reuses it too; a failed one frees it, so the
        // streaming reader's buffer never sits beside it.
        recycle(second);
        let half = &data[..MIN_SPARE];
        let small = deflate(half);
        let third = inflate(&small, half.len(), crc32fast::hash(half)).unwrap();
        assert_eq!((third.as_ptr(), third.as_slice()), (address, half));
        recycle(third);
        assert_eq!(inflate(&small, half.len(), crc), None);
        assert_eq!(SPARE.with_borrow(Vec::capacity), 0);
    }
}
