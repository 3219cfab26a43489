//! A reproducible zip writer: the same entries always give the same bytes.
//! Every entry is deflated, dated 1980-01-01 00:00 (the first DOS date),
//! made by Unix with mode 0644 (files) or 0755 (folders), without extra
//! fields, comments or data descriptors. Go's `archive/zip` reads it as
//! written.

use flate2::Compression;
use flate2::write::DeflateEncoder;
use std::io::Write;

/// One entry to write: a regular file or, when `data` is `None`, a folder.
pub struct Item<'a> {
    pub name: &'a str,
    pub data: Option<&'a [u8]>,
}

const LOCAL_SIGNATURE: u32 = 0x0403_4b50;
const CENTRAL_SIGNATURE: u32 = 0x0201_4b50;
const END_SIGNATURE: u32 = 0x0605_4b50;
/// Version 2.0: deflate and folders.
const VERSION: u16 = 20;
/// "Made by" Unix (3), so readers take the mode from the external attributes.
const MADE_BY: u16 = (3 << 8) | VERSION;
const METHOD_STORED: u16 = 0;
const METHOD_DEFLATED: u16 = 8;
/// Bit 11: the name is UTF-8.
const FLAG_UTF8: u16 = 1 << 11;
/// 1980-01-01 in MS-DOS date format (day 1, month 1, year 0); time 00:00.
const DOS_DATE: u16 = (1 << 5) | 1;
const DOS_TIME: u16 = 0;
const FILE_MODE: u32 = 0o100_644;
const FOLDER_MODE: u32 = 0o040_755;
/// MS-DOS directory attribute, set alongside the Unix mode for folders.
const MSDOS_DIRECTORY: u32 = 0x10;

/// Why an archive cannot be written without zip64 (never needed for a
/// plugin package within the reader's limits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLarge(pub String);

/// Writes `items`, in the order given, as one zip archive.
pub fn write(items: &[Item]) -> Result<Vec<u8>, TooLarge> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for item in items {
        let offset = fits(out.len(), "the archive")?;
        let header = Header::of(item)?;
        header.local(&mut out, item.name);
        out.extend_from_slice(&header.compressed);
        header.central(&mut central, item.name, offset);
    }
    let count = u16::try_from(items.len())
        .map_err(|_| TooLarge(format!("{} entries need zip64", items.len())))?;
    let directory_offset = fits(out.len(), "the archive")?;
    let directory_size = fits(central.len(), "the central directory")?;
    out.extend_from_slice(&central);
    out.extend_from_slice(&END_SIGNATURE.to_le_bytes());
    for value in [0, 0, count, count] {
        out.extend_from_slice(&value.to_le_bytes());
    }
    out.extend_from_slice(&directory_size.to_le_bytes());
    out.extend_from_slice(&directory_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    Ok(out)
}

fn fits(size: usize, what: &str) -> Result<u32, TooLarge> {
    u32::try_from(size).map_err(|_| TooLarge(format!("{what} is over 4 GiB and needs zip64")))
}

struct Header {
    flags: u16,
    method: u16,
    crc32: u32,
    compressed: Vec<u8>,
    compressed_size: u32,
    size: u32,
    external: u32,
}

impl Header {
    fn of(item: &Item) -> Result<Header, TooLarge> {
        let flags = if item.name.is_ascii() { 0 } else { FLAG_UTF8 };
        let Some(data) = item.data else {
            return Ok(Header {
                flags,
                method: METHOD_STORED,
                crc32: 0,
                compressed: Vec::new(),
                compressed_size: 0,
                size: 0,
                external: (FOLDER_MODE << 16) | MSDOS_DIRECTORY,
            });
        };
        let compressed = deflate(data);
        Ok(Header {
            flags,
            method: METHOD_DEFLATED,
            crc32: crc32fast::hash(data),
            compressed_size: fits(compressed.len(), item.name)?,
            size: fits(data.len(), item.name)?,
            compressed,
            external: FILE_MODE << 16,
        })
    }

    fn common(&self, out: &mut Vec<u8>, name: &str) {
        for value in [self.flags, self.method, DOS_TIME, DOS_DATE] {
            out.extend_from_slice(&value.to_le_bytes());
        }
        for value in [self.crc32, self.compressed_size, self.size] {
            out.extend_from_slice(&value.to_le_bytes());
        }
        // The name's length was bounded by the reader (a u16 field there too).
        let name_len = u16::try_from(name.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
    }

    fn local(&self, out: &mut Vec<u8>, name: &str) {
        out.extend_from_slice(&LOCAL_SIGNATURE.to_le_bytes());
        out.extend_from_slice(&VERSION.to_le_bytes());
        self.common(out, name);
        out.extend_from_slice(name.as_bytes());
    }

    fn central(&self, out: &mut Vec<u8>, name: &str, offset: u32) {
        out.extend_from_slice(&CENTRAL_SIGNATURE.to_le_bytes());
        out.extend_from_slice(&MADE_BY.to_le_bytes());
        out.extend_from_slice(&VERSION.to_le_bytes());
        self.common(out, name);
        // Comment length, disk number, internal attributes.
        out.extend_from_slice(&[0; 6]);
        out.extend_from_slice(&self.external.to_le_bytes());
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
    }
}

/// Raw deflate at the default level: the output depends only on the input
/// (and the deflate implementation, pinned by Cargo.lock).
fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{EntryKind, Limits, Scope, read_zip_bytes_in};
    use std::path::Path;

    #[test]
    fn writes_what_the_reader_reads_back_the_same_every_time() {
        let items = [
            Item {
                name: "Pulse.so",
                data: Some(b"\x7fELF and more"),
            },
            Item {
                name: "etc/",
                data: None,
            },
            Item {
                name: "etc/é.conf",
                data: Some(b""),
            },
        ];
        let bytes = write(&items).unwrap();
        assert_eq!(bytes, write(&items).unwrap());
        let package = read_zip_bytes_in(
            Path::new("x.zip"),
            &bytes,
            &Limits::default(),
            Scope::Everything,
        )
        .unwrap();
        assert_eq!(package.unreadable, None);
        let read: Vec<_> = package
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.kind, e.bytes()))
            .collect();
        assert_eq!(
            read,
            [
                ("Pulse.so", EntryKind::File, Some(&b"\x7fELF and more"[..])),
                ("etc/", EntryKind::Directory, None),
                ("etc/é.conf", EntryKind::File, Some(&b""[..])),
            ]
        );
    }
}
