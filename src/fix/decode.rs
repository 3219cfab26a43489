//! A010: decoding the compression methods Go's `archive/zip` cannot read,
//! so the entry can be written again with deflate. Only two, each with a
//! maintained pure-Rust decoder (no C code on a path that reads untrusted
//! archives): bzip2, what Info-ZIP's `zip -Z bzip2` writes, through the
//! `bzip2` crate's default `libbz2-rs-sys` backend; Zstandard, what
//! 7-Zip and recent zip libraries offer, through `ruzstd` (already in the
//! dependency tree). Others are refused with their name.

use std::io::Read;

use crate::read::Compressed;

const BZIP2: u16 = 12;
const ZSTANDARD: u16 = 93;

/// The entry's bytes, checked against its declared size and CRC-32; at
/// most `max_size` bytes are ever produced.
pub fn decode(stored: &Compressed, max_size: u64) -> Result<Vec<u8>, String> {
    if stored.uncompressed_size > max_size {
        return Err(format!(
            "it declares {} bytes, over the limit of {max_size}",
            stored.uncompressed_size
        ));
    }
    let input = stored.bytes.as_slice();
    let data = match stored.method {
        BZIP2 => read_bounded(bzip2::read::BzDecoder::new(input), stored.uncompressed_size),
        ZSTANDARD => {
            let decoder = ruzstd::decoding::StreamingDecoder::new(input)
                .map_err(|e| format!("it is not a Zstandard stream: {e}"))?;
            read_bounded(decoder, stored.uncompressed_size)
        }
        other => {
            return Err(format!(
                "no decoder for {} here; re-create the zip with deflate",
                method_name(other)
            ));
        }
    }?;
    if data.len() as u64 != stored.uncompressed_size {
        return Err(format!(
            "it decodes to {} bytes but declares {}",
            data.len(),
            stored.uncompressed_size
        ));
    }
    if crc32fast::hash(&data) != stored.crc32 {
        return Err("its CRC-32 does not match the decoded bytes".into());
    }
    Ok(data)
}

/// Reads at most one byte past `declared`, so a lying header cannot make
/// the decoder produce more than the limit allows.
fn read_bounded(reader: impl Read, declared: u64) -> Result<Vec<u8>, String> {
    let mut data = Vec::new();
    reader
        .take(declared.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(|e| format!("it fails to decode: {e}"))?;
    Ok(data)
}

/// A method's usual name, for messages.
pub fn method_name(method: u16) -> String {
    match method {
        9 => "Deflate64".into(),
        BZIP2 => "bzip2".into(),
        14 => "LZMA".into(),
        ZSTANDARD => "Zstandard".into(),
        95 => "XZ".into(),
        98 => "PPMd".into(),
        other => format!("compression method {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn stored(method: u16, data: &[u8], bytes: Vec<u8>) -> Compressed {
        Compressed {
            method,
            crc32: crc32fast::hash(data),
            uncompressed_size: data.len() as u64,
            bytes,
        }
    }

    #[test]
    fn bzip2_and_zstd_round_trip() {
        let data = b"default:\n  interval: 1000\n".repeat(20);
        let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        encoder.write_all(&data).unwrap();
        let bz = encoder.finish().unwrap();
        assert_eq!(decode(&stored(BZIP2, &data, bz), 1 << 20).unwrap(), data);
        let zst = ruzstd::encoding::compress_to_vec(
            data.as_slice(),
            ruzstd::encoding::CompressionLevel::Fastest,
        );
        assert_eq!(
            decode(&stored(ZSTANDARD, &data, zst), 1 << 20).unwrap(),
            data
        );
    }

    #[test]
    fn lies_and_unknown_methods_are_refused() {
        let data = b"abc";
        let mut lying = stored(BZIP2, data, Vec::new());
        lying.uncompressed_size = 1 << 40;
        assert!(decode(&lying, 1 << 20).unwrap_err().contains("limit"));
        let lzma = stored(14, data, data.to_vec());
        assert!(decode(&lzma, 1 << 20).unwrap_err().contains("LZMA"));
        let garbage = stored(BZIP2, data, b"BZh9garbage".to_vec());
        assert!(decode(&garbage, 1 << 20).is_err());
    }
}
