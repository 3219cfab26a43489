//! Zip-level variants of the committed good packages, built at test time:
//! the entries of a fixture zip are read with the `zip` crate, changed, and
//! written again with it. Shapes the zip crate refuses to write (duplicate
//! names, encrypted or bzip2 flags on deflated data, a wrong CRC) are made
//! by patching the written headers, so the rest of the archive stays
//! well-formed and only the one defect is under test.

#![allow(dead_code)]

use std::io::{Cursor, Read, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// What an entry holds.
#[derive(Clone)]
enum Body {
    /// The fixture's entry at this index, copied with its compressed bytes
    /// as they are (recompressing a 1.5 MB library in a debug build is
    /// what would make these tests slow).
    Original(usize),
    File(Vec<u8>),
    /// A symbolic link to this target.
    Symlink(String),
}

#[derive(Clone)]
struct Item {
    name: String,
    body: Body,
}

/// A package as a list of entries, in order, derived from a fixture.
#[derive(Clone)]
pub struct Zip {
    /// The fixture's bytes, the source of `Body::Original` entries.
    source: Vec<u8>,
    items: Vec<Item>,
}

impl Zip {
    /// The entries of a committed package, e.g. `packages/pulse.zip`.
    pub fn open(fixture: &str) -> Zip {
        let path = crate::common::fixture(fixture);
        let source = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let archive = ZipArchive::new(Cursor::new(&source)).expect("a committed package is a zip");
        let items = (0..archive.len())
            .map(|index| Item {
                name: archive
                    .name_for_index(index)
                    .expect("an entry")
                    .expect("a UTF-8 entry name")
                    .into_owned(),
                body: Body::Original(index),
            })
            .collect();
        Zip { source, items }
    }

    fn archive(&self) -> ZipArchive<Cursor<&[u8]>> {
        ZipArchive::new(Cursor::new(self.source.as_slice())).expect("the fixture is a zip")
    }

    fn position(&self, name: &str) -> usize {
        self.items
            .iter()
            .position(|item| item.name == name)
            .unwrap_or_else(|| panic!("no entry `{name}` in {:?}", self.names()))
    }

    pub fn names(&self) -> Vec<&str> {
        self.items.iter().map(|item| item.name.as_str()).collect()
    }

    /// The data of a regular file entry.
    pub fn data(&self, name: &str) -> Vec<u8> {
        match &self.items[self.position(name)].body {
            Body::Original(index) => {
                let mut archive = self.archive();
                let mut entry = archive.by_index(*index).expect("a readable entry");
                let mut data = Vec::new();
                entry.read_to_end(&mut data).expect("entry data");
                data
            }
            Body::File(data) => data.clone(),
            Body::Symlink(_) => panic!("`{name}` is a link"),
        }
    }

    pub fn without(mut self, name: &str) -> Zip {
        let index = self.position(name);
        self.items.remove(index);
        self
    }

    /// Appends a regular file.
    pub fn with(mut self, name: &str, data: &[u8]) -> Zip {
        self.items.push(Item {
            name: name.to_string(),
            body: Body::File(data.to_vec()),
        });
        self
    }

    /// Appends a copy of the entry `from`, named `to`.
    pub fn with_copy(mut self, from: &str, to: &str) -> Zip {
        let body = self.items[self.position(from)].body.clone();
        self.items.push(Item {
            name: to.to_string(),
            body,
        });
        self
    }

    /// Appends a symbolic link.
    pub fn with_symlink(mut self, name: &str, target: &str) -> Zip {
        self.items.push(Item {
            name: name.to_string(),
            body: Body::Symlink(target.to_string()),
        });
        self
    }

    pub fn renamed(mut self, from: &str, to: &str) -> Zip {
        let index = self.position(from);
        self.items[index].name = to.to_string();
        self
    }

    /// Replaces `from` by `to` in a text entry; `from` must be there, so a
    /// fixture change cannot silently turn the variant into the original.
    pub fn edited(mut self, name: &str, from: &str, to: &str) -> Zip {
        let index = self.position(name);
        let data = self.data(name);
        let text = std::str::from_utf8(&data).expect("a text entry");
        assert!(text.contains(from), "`{name}` has no `{from}`");
        self.items[index].body = Body::File(text.replacen(from, to, 1).into_bytes());
        self
    }

    /// The archive as the zip crate writes it: fixture entries copied raw,
    /// new files deflated with mode 0644, links with their target as data.
    pub fn bytes(&self) -> Vec<u8> {
        let mut archive = self.archive();
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .unix_permissions(0o644);
        for item in &self.items {
            match &item.body {
                Body::Original(index) => {
                    let entry = archive.by_index_raw(*index).expect("a fixture entry");
                    writer
                        .raw_copy_file_rename(entry, &item.name)
                        .expect("copy entry");
                }
                Body::File(data) => {
                    writer.start_file(&item.name, options).expect("start entry");
                    writer.write_all(data).expect("write entry");
                }
                Body::Symlink(target) => {
                    writer
                        .add_symlink(&item.name, target, options)
                        .expect("add link");
                }
            }
        }
        writer.finish().expect("finish zip").into_inner()
    }

    /// Writes the archive into `dir` and returns its path.
    pub fn write_to(&self, dir: &Path, file: &str) -> std::path::PathBuf {
        let path = dir.join(file);
        std::fs::write(&path, self.bytes()).expect("write zip");
        path
    }
}

/// One change to an entry's local and central headers.
#[derive(Debug, Clone, Copy)]
pub enum Patch<'a> {
    /// A new name of the same length.
    Name(&'a str),
    /// General-purpose flag bits to set (bit 0: encrypted).
    SetFlags(u16),
    /// The compression method number.
    Method(u16),
    /// Flip the low bit of the recorded CRC-32.
    FlipCrc,
}

const END_SIGNATURE: u32 = 0x0605_4b50;
const CENTRAL_SIGNATURE: u32 = 0x0201_4b50;
const LOCAL_SIGNATURE: u32 = 0x0403_4b50;

/// Field offsets inside the local and the central header.
struct Fields {
    flags: usize,
    method: usize,
    crc: usize,
    name: usize,
}

const LOCAL: Fields = Fields {
    flags: 6,
    method: 8,
    crc: 14,
    name: 30,
};
const CENTRAL: Fields = Fields {
    flags: 8,
    method: 10,
    crc: 16,
    name: 46,
};

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Applies `patch` to the entry called `entry` (every entry of that name)
/// in both of its headers. Panics when there is no such entry.
pub fn patch(bytes: &mut [u8], entry: &str, patch: Patch) {
    let end = (0..=bytes.len() - 22)
        .rev()
        .find(|&at| u32_at(bytes, at) == END_SIGNATURE)
        .expect("an end of central directory record");
    let count = usize::from(u16_at(bytes, end + 10));
    let mut at = u32_at(bytes, end + 16) as usize;
    let mut patched = 0;
    for _ in 0..count {
        assert_eq!(u32_at(bytes, at), CENTRAL_SIGNATURE, "central header");
        let name_len = usize::from(u16_at(bytes, at + 28));
        let record_len = CENTRAL.name
            + name_len
            + usize::from(u16_at(bytes, at + 30))
            + usize::from(u16_at(bytes, at + 32));
        let name = &bytes[at + CENTRAL.name..at + CENTRAL.name + name_len];
        if name == entry.as_bytes() {
            let local = u32_at(bytes, at + 42) as usize;
            assert_eq!(u32_at(bytes, local), LOCAL_SIGNATURE, "local header");
            apply(bytes, at, &CENTRAL, patch);
            apply(bytes, local, &LOCAL, patch);
            patched += 1;
        }
        at += record_len;
    }
    assert!(patched > 0, "no entry `{entry}` to patch");
}

fn apply(bytes: &mut [u8], header: usize, fields: &Fields, patch: Patch) {
    match patch {
        Patch::Name(name) => {
            let at = header + fields.name;
            let old = &mut bytes[at..at + name.len()];
            old.copy_from_slice(name.as_bytes());
        }
        Patch::SetFlags(bits) => {
            let at = header + fields.flags;
            let flags = u16_at(bytes, at) | bits;
            bytes[at..at + 2].copy_from_slice(&flags.to_le_bytes());
        }
        Patch::Method(method) => {
            let at = header + fields.method;
            bytes[at..at + 2].copy_from_slice(&method.to_le_bytes());
        }
        Patch::FlipCrc => bytes[header + fields.crc] ^= 1,
    }
}
