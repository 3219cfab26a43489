//! The floor a linter of a zipped library must pay: read the zip, find one
//! entry, inflate it in one shot into a buffer of its declared size.
//! Nothing else (no CRC, no parsing), so `bench/run.sh` can print lint time
//! over bare inflate time.
//!
//!     bench-inflate (libdeflate|zlib-rs) PACKAGE.zip ENTRY

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, decoder, zip, name] = args.as_slice() else {
        eprintln!("usage: bench-inflate (libdeflate|zlib-rs) PACKAGE.zip ENTRY");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(zip) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("{zip}: {error}");
            return ExitCode::from(2);
        }
    };
    let Some(entry) = find(&bytes, name.as_bytes()) else {
        eprintln!("{zip}: no deflated entry `{name}` found");
        return ExitCode::from(2);
    };
    let mut out = vec![0u8; entry.size];
    let inflated = match decoder.as_str() {
        "libdeflate" => libdeflater::Decompressor::new()
            .deflate_decompress(entry.data, &mut out)
            .map_err(|error| format!("{error:?}")),
        "zlib-rs" => {
            let mut inflater = flate2::Decompress::new(false);
            inflater
                .decompress(entry.data, &mut out, flate2::FlushDecompress::Finish)
                .map_err(|error| error.to_string())
                .map(|_| usize::try_from(inflater.total_out()).unwrap_or(usize::MAX))
        }
        other => Err(format!("unknown decoder `{other}`")),
    };
    match inflated {
        Ok(len) if len == entry.size => {
            // The last byte, so the output is observably used.
            println!(
                "{len} bytes, last {:#04x}",
                out.last().copied().unwrap_or(0)
            );
            ExitCode::SUCCESS
        }
        Ok(len) => {
            eprintln!("inflated {len} bytes, declared {}", entry.size);
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("inflate failed: {error}");
            ExitCode::FAILURE
        }
    }
}

struct Deflated<'a> {
    data: &'a [u8],
    size: usize,
}

fn u16_at(bytes: &[u8], at: usize) -> Option<usize> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?).into())
}

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    usize::try_from(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?)).ok()
}

/// The deflated entry `name`, through the end record, the central directory
/// and its local header (no zip64: the benchmark's package is small).
fn find<'a>(bytes: &'a [u8], name: &[u8]) -> Option<Deflated<'a>> {
    let end = (0..=bytes.len().checked_sub(22)?)
        .rev()
        .find(|&at| bytes[at..].starts_with(b"PK\x05\x06"))?;
    let count = u16_at(bytes, end + 10)?;
    let mut at = u32_at(bytes, end + 16)?;
    for _ in 0..count {
        if u32_at(bytes, at)? != 0x0201_4b50 {
            return None;
        }
        let method = u16_at(bytes, at + 10)?;
        let compressed = u32_at(bytes, at + 20)?;
        let size = u32_at(bytes, at + 24)?;
        let (name_len, extra_len, comment_len) = (
            u16_at(bytes, at + 28)?,
            u16_at(bytes, at + 30)?,
            u16_at(bytes, at + 32)?,
        );
        let local = u32_at(bytes, at + 42)?;
        if method == 8 && bytes.get(at + 46..at + 46 + name_len)? == name {
            let start = local + 30 + u16_at(bytes, local + 26)? + u16_at(bytes, local + 28)?;
            let data = bytes.get(start..start + compressed)?;
            return Some(Deflated { data, size });
        }
        at += 46 + name_len + extra_len + comment_len;
    }
    None
}
