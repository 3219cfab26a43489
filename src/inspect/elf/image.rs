//! The library's ELF image: headers checked against the file size before
//! goblin reads them, and only the parts we use read, each on first use.
//! Every offset, size and count in the file is untrusted.

use std::cell::OnceCell;

use goblin::container::{Container, Ctx, Endian as ByteOrder};
use goblin::elf::dynamic::{self, Dynamic};
use goblin::elf::header::{self, Header};
use goblin::elf::program_header::{self, ProgramHeader};
use goblin::elf::reloc::RelocSection;
use goblin::elf::section_header::{self, SectionHeader};
use goblin::elf::sym::Symtab;

use super::not_elf;
use super::symbols::{DynamicSymbols, names_at};
use crate::inspect::buildinfo::{self, BuildInfo, BuildInfoError};
use crate::inspect::library::{Class, ElfHeader, ElfType, Endian, NotElf};

const R_X86_64_64: u32 = 1;
const R_X86_64_RELATIVE: u32 = 8;
const R_AARCH64_ABS64: u32 = 257;
const R_AARCH64_RELATIVE: u32 = 1027;

/// Entry sizes of the ELF tables for one class.
pub(super) struct EntrySizes {
    phdr: u64,
    shdr: u64,
    pub sym: u64,
    word: u64,
}

impl EntrySizes {
    fn of(container: Container) -> EntrySizes {
        match container {
            Container::Little => EntrySizes {
                phdr: 32,
                shdr: 40,
                sym: 16,
                word: 4,
            },
            Container::Big => EntrySizes {
                phdr: 56,
                shdr: 64,
                sym: 24,
                word: 8,
            },
        }
    }
}

/// The library's ELF image, parsed once and lent to the ELF facts and to
/// the Go type decoder. The headers are read and checked up front; the
/// dynamic table, the dynamic symbols and the relocations only when first
/// asked for, then kept.
pub struct Image<'a> {
    bytes: &'a [u8],
    header: Header,
    ctx: Ctx,
    segments: Vec<ProgramHeader>,
    /// The `PT_LOAD` segments sorted by address, for address lookups in
    /// logarithmic time whatever the number of segments.
    loads: Vec<Segment>,
    sections: Vec<SectionHeader>,
    dynamic: OnceCell<Result<DynamicInfo<'a>, NotElf>>,
    symbols: OnceCell<Result<DynamicSymbols<'a>, NotElf>>,
    /// `(address, value)` of every word a relocation sets, sorted by address.
    relocated: OnceCell<Vec<(u64, u64)>>,
}

impl std::fmt::Debug for Image<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Image")
            .field("bytes", &self.bytes.len())
            .field("loads", &self.loads)
            .finish_non_exhaustive()
    }
}

/// One `PT_LOAD` segment: where its bytes sit in the file and in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub vaddr: u64,
    pub offset: u64,
    /// The bytes the file holds, never more than `memsz`.
    pub filesz: u64,
    pub memsz: u64,
    pub writable: bool,
}

impl Segment {
    fn of(header: &ProgramHeader) -> Segment {
        Segment {
            vaddr: header.p_vaddr,
            offset: header.p_offset,
            filesz: header.p_filesz.min(header.p_memsz),
            memsz: header.p_memsz,
            writable: header.p_flags & program_header::PF_W != 0,
        }
    }
}

impl<'a> Image<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Image<'a>, NotElf> {
        let (header, ctx) = read_header(bytes)?;
        let sizes = EntrySizes::of(ctx.container);
        let segments = program_headers(bytes, &header, ctx, &sizes)?;
        check_loaded_segments(bytes, &segments)?;
        let loads = segments
            .iter()
            .filter(|segment| segment.p_type == program_header::PT_LOAD)
            .map(Segment::of)
            .collect();
        let sections = section_headers(bytes, &header, ctx, &sizes)?;
        Ok(Image::new(bytes, header, ctx, segments, loads, sections))
    }

    fn new(
        bytes: &'a [u8],
        header: Header,
        ctx: Ctx,
        segments: Vec<ProgramHeader>,
        mut loads: Vec<Segment>,
        sections: Vec<SectionHeader>,
    ) -> Image<'a> {
        loads.sort_by_key(|segment| segment.vaddr);
        Image {
            bytes,
            header,
            ctx,
            segments,
            loads,
            sections,
            dynamic: OnceCell::new(),
            symbols: OnceCell::new(),
            relocated: OnceCell::new(),
        }
    }

    /// An image of one little-endian 64-bit amd64 memory layout from raw
    /// parts, for the Go type decoder's tests.
    #[cfg(test)]
    pub fn from_parts(
        bytes: &'a [u8],
        loads: Vec<Segment>,
        relocated: Vec<(u64, u64)>,
    ) -> Image<'a> {
        let ctx = Ctx::new(Container::Big, ByteOrder::Little);
        let header = Header {
            e_machine: header::EM_X86_64,
            ..Header::new(ctx)
        };
        let image = Image::new(bytes, header, ctx, Vec::new(), loads, Vec::new());
        let mut relocated = relocated;
        relocated.sort_unstable_by_key(|&(address, _)| address);
        let _ = image.relocated.set(relocated);
        image
    }

    pub(super) fn entry_sizes(&self) -> EntrySizes {
        EntrySizes::of(self.ctx.container)
    }

    pub fn elf_header(&self) -> ElfHeader {
        ElfHeader {
            class: match self.ctx.container {
                Container::Little => Class::Elf32,
                Container::Big => Class::Elf64,
            },
            endian: if self.ctx.le.is_little() {
                Endian::Little
            } else {
                Endian::Big
            },
            machine: self.header.e_machine,
            elf_type: match self.header.e_type {
                header::ET_REL => ElfType::Relocatable,
                header::ET_EXEC => ElfType::Executable,
                header::ET_DYN => ElfType::SharedObject,
                header::ET_CORE => ElfType::Core,
                other => ElfType::Other(other),
            },
        }
    }

    /// `size` bytes at file offset `offset`, when they are all in the file.
    fn file_range(&self, offset: u64, size: u64) -> Option<&'a [u8]> {
        file_range(self.bytes, offset, size)
    }

    /// `size` bytes at virtual address `address`, when a loaded segment
    /// holds them all in the file (not in its zero-filled tail).
    pub fn at_address(&self, address: u64, size: u64) -> Option<&'a [u8]> {
        self.rest_at_address(address)?
            .get(..usize::try_from(size).ok()?)
    }

    /// The file bytes from virtual address `address` to the end of the
    /// loaded segment holding it.
    fn rest_at_address(&self, address: u64) -> Option<&'a [u8]> {
        let segment = self.segment_at(address)?;
        let inside = address.checked_sub(segment.vaddr)?;
        let rest = segment.filesz.checked_sub(inside)?;
        self.file_range(segment.offset.checked_add(inside)?, rest)
    }

    /// The loaded segment starting last at or before `address`.
    fn segment_at(&self, address: u64) -> Option<&Segment> {
        let after = self
            .loads
            .partition_point(|segment| segment.vaddr <= address);
        self.loads.get(after.checked_sub(1)?)
    }

    pub fn interpreter(&self) -> Result<Option<String>, NotElf> {
        let Some(segment) = self
            .segments
            .iter()
            .find(|segment| segment.p_type == program_header::PT_INTERP)
        else {
            return Ok(None);
        };
        let path = self
            .file_range(segment.p_offset, segment.p_filesz)
            .ok_or_else(|| not_elf("the PT_INTERP segment lies outside the file"))?;
        Ok(Some(String::from_utf8_lossy(c_string(path)).into_owned()))
    }

    fn section_name(&self, section: &SectionHeader) -> Option<&'a [u8]> {
        let mut index = usize::from(self.header.e_shstrndx);
        if index == section_header::SHN_XINDEX as usize {
            index = usize::try_from(self.sections.first()?.sh_link).ok()?;
        }
        let names = self.section_data(self.sections.get(index)?)?;
        Some(c_string(names.get(section.sh_name..)?))
    }

    fn section(&self, name: &str) -> Option<&SectionHeader> {
        self.sections
            .iter()
            .find(|section| self.section_name(section) == Some(name.as_bytes()))
    }

    fn section_data(&self, section: &SectionHeader) -> Option<&'a [u8]> {
        if section.sh_type == section_header::SHT_NOBITS {
            return None;
        }
        self.file_range(section.sh_offset, section.sh_size)
    }

    /// What the dynamic table says; read on first use.
    pub(super) fn dynamic(&self) -> Result<&DynamicInfo<'a>, NotElf> {
        self.dynamic
            .get_or_init(|| self.read_dynamic())
            .as_ref()
            .map_err(Clone::clone)
    }

    fn read_dynamic(&self) -> Result<DynamicInfo<'a>, NotElf> {
        let Some(segment) = self
            .segments
            .iter()
            .find(|segment| segment.p_type == program_header::PT_DYNAMIC)
        else {
            return Ok(DynamicInfo::default());
        };
        if self
            .file_range(segment.p_offset, segment.p_filesz)
            .is_none()
        {
            return Err(not_elf(format!(
                "the dynamic table ({} bytes at offset {:#x}) lies outside the file",
                segment.p_filesz, segment.p_offset
            )));
        }
        let table = Dynamic::parse(self.bytes, &self.segments, self.ctx)
            .map_err(|error| not_elf(format!("unreadable dynamic table: {error}")))?;
        let Some(table) = table else {
            return Ok(DynamicInfo::default());
        };
        DynamicInfo::read(self, &table)
    }

    /// The dynamic symbol table, with every name checked to lie in the
    /// string table; read on first use.
    pub(super) fn dynamic_symbols(&self) -> Result<&DynamicSymbols<'a>, NotElf> {
        self.symbols
            .get_or_init(|| self.read_dynamic_symbols())
            .as_ref()
            .map_err(Clone::clone)
    }

    fn read_dynamic_symbols(&self) -> Result<DynamicSymbols<'a>, NotElf> {
        let dynamic = self.dynamic()?;
        let (Some(address), Some(names)) = (dynamic.symtab, dynamic.strings) else {
            return Ok(DynamicSymbols::default());
        };
        if self.rest_at_address(address).is_none() {
            return Err(not_elf(format!(
                "the dynamic symbol table (DT_SYMTAB {address:#x}) lies outside the file"
            )));
        }
        let count = self.dynamic_symbol_count(address, dynamic)?;
        if count == 0 {
            return Ok(DynamicSymbols::default());
        }
        let table = count
            .checked_mul(self.entry_sizes().sym)
            .and_then(|size| self.at_address(address, size))
            .ok_or_else(|| {
                not_elf(format!(
                    "the dynamic symbol table ({count} symbols at {address:#x}) lies outside the file"
                ))
            })?;
        let count = usize::try_from(count).map_err(|_| not_elf("too many dynamic symbols"))?;
        let table = Symtab::parse(table, 0, count, self.ctx)
            .map_err(|error| not_elf(format!("unreadable dynamic symbol table: {error}")))?;
        DynamicSymbols::new(table, names)
    }

    /// The loader never needs the count; readers take it from the
    /// `.dynsym` section, else from the hash tables.
    fn dynamic_symbol_count(&self, address: u64, dynamic: &DynamicInfo) -> Result<u64, NotElf> {
        let sizes = self.entry_sizes();
        if let Some(section) = self.sections.iter().find(|section| {
            section.sh_type == section_header::SHT_DYNSYM && section.sh_addr == address
        }) {
            return Ok(section.sh_size / sizes.sym);
        }
        if let Some(hash) = dynamic.hash {
            return self
                .at_address(hash, 8)
                .and_then(|words| self.u32_at(words, 1))
                .map(u64::from)
                .ok_or_else(|| not_elf("the DT_HASH table lies outside the file"));
        }
        if let Some(gnu_hash) = dynamic.gnu_hash {
            return self
                .gnu_hash_count(gnu_hash)
                .ok_or_else(|| not_elf("the DT_GNU_HASH table is truncated or outside the file"));
        }
        Ok(0)
    }

    /// The number of symbols covered by a GNU hash table: one past the last
    /// symbol of the longest-numbered chain.
    fn gnu_hash_count(&self, address: u64) -> Option<u64> {
        let table = self.rest_at_address(address)?;
        let buckets = u64::from(self.u32_at(table, 0)?);
        let first = u64::from(self.u32_at(table, 1)?);
        let bloom_words = u64::from(self.u32_at(table, 2)?);
        let buckets_start = bloom_words
            .checked_mul(self.entry_sizes().word)?
            .checked_add(16)?;
        let buckets_words = table.get(usize::try_from(buckets_start).ok()?..)?;
        let mut last = 0;
        for index in 0..usize::try_from(buckets).ok()? {
            last = last.max(self.u32_at(buckets_words, index)?);
        }
        let last = u64::from(last);
        if last < first {
            return Some(first);
        }
        let chain_start = buckets.checked_add(last - first)?.checked_mul(4)?;
        let chains = buckets_words.get(usize::try_from(chain_start).ok()?..)?;
        let end = (0..chains.len() / 4)
            .find(|&index| self.u32_at(chains, index).is_some_and(|hash| hash & 1 == 1))?;
        last.checked_add(u64::try_from(end).ok()?)?.checked_add(1)
    }

    /// The `index`th 32-bit word of `bytes`, in the file's byte order.
    fn u32_at(&self, bytes: &[u8], index: usize) -> Option<u32> {
        let start = index.checked_mul(4)?;
        let word: [u8; 4] = bytes.get(start..start.checked_add(4)?)?.try_into().ok()?;
        Some(if self.ctx.le.is_little() {
            u32::from_le_bytes(word)
        } else {
            u32::from_be_bytes(word)
        })
    }

    /// The decoded build info: `None` when the library has none (a C
    /// library), an error when it is there but unreadable.
    pub fn build_info(&self) -> Option<Result<BuildInfo, BuildInfoError>> {
        let blob = match self.section(".go.buildinfo") {
            Some(section) => match self.section_data(section) {
                Some(data) => data,
                None => {
                    return Some(Err(BuildInfoError(
                        "the .go.buildinfo section lies outside the file".into(),
                    )));
                }
            },
            None => self.search_build_info()?,
        };
        let read_pointer =
            |address: u64, size: u64| self.at_address(address, size).map(<[u8]>::to_vec);
        Some(buildinfo::decode(blob, &read_pointer))
    }

    /// Without section headers, the blob is found the way `debug/buildinfo`
    /// does: at a 16-byte-aligned address in the first writable data
    /// segment (only the first: segments may overlap, and searching each
    /// would be quadratic on a hostile file).
    fn search_build_info(&self) -> Option<&'a [u8]> {
        let segment = self.segments.iter().find(|segment| {
            segment.p_type == program_header::PT_LOAD
                && segment.p_flags & program_header::PF_W != 0
                && segment.p_flags & program_header::PF_X == 0
        })?;
        let align = buildinfo::ALIGN as u64;
        let skip = (align - segment.p_vaddr % align) % align;
        let data = self.rest_at_address(segment.p_vaddr.checked_add(skip)?)?;
        data.get(buildinfo::find(data)?..)
    }

    pub fn machine(&self) -> u16 {
        self.header.e_machine
    }

    pub fn is_64_little_endian(&self) -> bool {
        self.ctx.container == Container::Big && self.ctx.le.is_little()
    }

    pub fn file_len(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// The loaded segments, by address.
    pub fn segments(&self) -> &[Segment] {
        &self.loads
    }

    /// The file bytes of every loaded segment, with the segment, for scans.
    pub fn segment_bytes(&self) -> impl Iterator<Item = (Segment, &'a [u8])> + '_ {
        self.loads
            .iter()
            .filter_map(|s| Some((*s, self.at_address(s.vaddr, s.filesz)?)))
    }

    /// The little-endian pointer word at `address` as the loader leaves
    /// it: a relocation's value where one applies, zero in a segment's
    /// zero-filled tail (`.bss`).
    pub fn word(&self, address: u64) -> Option<u64> {
        let relocated = self.relocated();
        if let Ok(index) = relocated.binary_search_by_key(&address, |&(at, _)| at) {
            return relocated.get(index).map(|&(_, value)| value);
        }
        let segment = self.segment_at(address)?;
        let inside = address.checked_sub(segment.vaddr)?;
        if inside.checked_add(8)? > segment.memsz {
            return None;
        }
        if inside >= segment.filesz {
            return Some(0);
        }
        self.at_address(address, 8).and_then(le_u64)
    }

    pub fn u32(&self, address: u64) -> Option<u32> {
        self.at_address(address, 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
    }

    pub fn u16(&self, address: u64) -> Option<u16> {
        self.at_address(address, 2)
            .and_then(|b| b.try_into().ok())
            .map(u16::from_le_bytes)
    }

    pub fn u8(&self, address: u64) -> Option<u8> {
        self.at_address(address, 1).and_then(|b| b.first().copied())
    }

    /// Addresses of the words a relocation sets to `value`.
    pub fn relocated_to(&self, value: u64) -> impl Iterator<Item = u64> + '_ {
        self.relocated()
            .iter()
            .filter(move |&&(_, v)| v == value)
            .map(|&(address, _)| address)
    }

    /// The words `.rela.dyn` sets at load time, read on first use. Go
    /// writes most pointers of a plugin's module data and type descriptors
    /// through such relocations, so the file alone often holds zeros there.
    fn relocated(&self) -> &[(u64, u64)] {
        self.relocated
            .get_or_init(|| self.read_relocations().unwrap_or_default())
    }

    fn read_relocations(&self) -> Option<Vec<(u64, u64)>> {
        let (absolute, relative) = match self.header.e_machine {
            header::EM_X86_64 => (R_X86_64_64, R_X86_64_RELATIVE),
            header::EM_AARCH64 => (R_AARCH64_ABS64, R_AARCH64_RELATIVE),
            _ => return None,
        };
        let (address, size) = self.dynamic().ok()?.rela?;
        let table = self.at_address(address, size)?;
        let table = RelocSection::parse(table, 0, table.len(), true, self.ctx).ok()?;
        let symbols = self.dynamic_symbols().ok();
        let mut relocated: Vec<(u64, u64)> = table
            .iter()
            .filter_map(|reloc| {
                let addend = reloc.r_addend.unwrap_or(0) as u64;
                let value = if reloc.r_type == relative {
                    addend
                } else if reloc.r_type == absolute {
                    symbols?.defined_value(reloc.r_sym)?.wrapping_add(addend)
                } else {
                    return None;
                };
                Some((reloc.r_offset, value))
            })
            .collect();
        relocated.sort_unstable_by_key(|&(address, _)| address);
        Some(relocated)
    }
}

pub fn le_u64(bytes: &[u8]) -> Option<u64> {
    bytes.try_into().ok().map(u64::from_le_bytes)
}

fn file_range(bytes: &[u8], offset: u64, size: u64) -> Option<&[u8]> {
    let start = usize::try_from(offset).ok()?;
    let end = start.checked_add(usize::try_from(size).ok()?)?;
    bytes.get(start..end)
}

/// The bytes up to the first NUL (or all of them).
pub(super) fn c_string(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .position(|&byte| byte == 0)
        .unwrap_or(bytes.len());
    bytes.get(..end).unwrap_or(bytes)
}

fn read_header(bytes: &[u8]) -> Result<(Header, Ctx), NotElf> {
    let ident = bytes.get(..header::SIZEOF_IDENT).ok_or_else(|| {
        not_elf(format!(
            "{} bytes are too few for an ELF header",
            bytes.len()
        ))
    })?;
    if !ident.starts_with(header::ELFMAG) {
        return Err(not_elf(
            "no ELF magic number (\\x7fELF) at the start of the file",
        ));
    }
    let container = match ident.get(header::EI_CLASS).copied() {
        Some(header::ELFCLASS32) => Container::Little,
        Some(header::ELFCLASS64) => Container::Big,
        other => return Err(not_elf(format!("unknown ELF class {other:?}"))),
    };
    let order = match ident.get(header::EI_DATA).copied() {
        Some(header::ELFDATA2LSB) => ByteOrder::Little,
        Some(header::ELFDATA2MSB) => ByteOrder::Big,
        other => return Err(not_elf(format!("unknown ELF byte order {other:?}"))),
    };
    let header = goblin::elf::Elf::parse_header(bytes)
        .map_err(|error| not_elf(format!("truncated ELF header: {error}")))?;
    Ok((header, Ctx::new(container, order)))
}

/// Checks that `count` entries of `entry_size` bytes at `offset` are in the file.
fn check_table(
    bytes: &[u8],
    what: &str,
    offset: u64,
    count: u64,
    entry_size: u64,
) -> Result<(), NotElf> {
    let inside = count
        .checked_mul(entry_size)
        .and_then(|size| file_range(bytes, offset, size))
        .is_some();
    if inside {
        Ok(())
    } else {
        Err(not_elf(format!(
            "the {what} ({count} entries at offset {offset:#x}) run past the end of the file ({} bytes)",
            bytes.len()
        )))
    }
}

fn check_entry_size(what: &str, declared: u16, expected: u64) -> Result<(), NotElf> {
    if u64::from(declared) == expected {
        Ok(())
    } else {
        Err(not_elf(format!(
            "{what} entries are {declared} bytes, expected {expected}"
        )))
    }
}

fn program_headers(
    bytes: &[u8],
    header: &Header,
    ctx: Ctx,
    sizes: &EntrySizes,
) -> Result<Vec<ProgramHeader>, NotElf> {
    if header.e_phnum == 0 {
        return Ok(Vec::new());
    }
    check_entry_size("program header", header.e_phentsize, sizes.phdr)?;
    check_table(
        bytes,
        "program headers",
        header.e_phoff,
        u64::from(header.e_phnum),
        sizes.phdr,
    )?;
    let offset =
        usize::try_from(header.e_phoff).map_err(|_| not_elf("program header offset too large"))?;
    ProgramHeader::parse(bytes, offset, usize::from(header.e_phnum), ctx)
        .map_err(|error| not_elf(format!("unreadable program headers: {error}")))
}

/// A loaded segment cut short is a truncated file: the loader would map
/// missing bytes.
fn check_loaded_segments(bytes: &[u8], segments: &[ProgramHeader]) -> Result<(), NotElf> {
    let loaded = segments
        .iter()
        .filter(|segment| segment.p_type == program_header::PT_LOAD);
    for (index, segment) in loaded.enumerate() {
        if file_range(bytes, segment.p_offset, segment.p_filesz).is_none() {
            return Err(not_elf(format!(
                "loadable segment {index} ({} bytes at offset {:#x}) runs past the end of the file ({} bytes): truncated?",
                segment.p_filesz,
                segment.p_offset,
                bytes.len()
            )));
        }
    }
    Ok(())
}

fn section_headers(
    bytes: &[u8],
    header: &Header,
    ctx: Ctx,
    sizes: &EntrySizes,
) -> Result<Vec<SectionHeader>, NotElf> {
    if header.e_shoff == 0 {
        return Ok(Vec::new());
    }
    check_entry_size("section header", header.e_shentsize, sizes.shdr)?;
    check_table(bytes, "section headers", header.e_shoff, 1, sizes.shdr)?;
    let offset =
        usize::try_from(header.e_shoff).map_err(|_| not_elf("section header offset too large"))?;
    // With 0xff00 sections or more, e_shnum is 0 and the count is the first
    // header's sh_size.
    let count = match header.e_shnum {
        0 => SectionHeader::parse(bytes, offset, 1, ctx)
            .ok()
            .and_then(|first| first.first().map(|first| first.sh_size))
            .unwrap_or(0),
        count => u64::from(count),
    };
    check_table(
        bytes,
        "section headers",
        header.e_shoff,
        count.max(1),
        sizes.shdr,
    )?;
    let count = usize::try_from(count).map_err(|_| not_elf("too many section headers"))?;
    SectionHeader::parse(bytes, offset, count, ctx)
        .map_err(|error| not_elf(format!("unreadable section headers: {error}")))
}

/// What the dynamic table says, with addresses left virtual.
#[derive(Default)]
pub(super) struct DynamicInfo<'a> {
    pub needed: Vec<String>,
    strings: Option<&'a [u8]>,
    symtab: Option<u64>,
    hash: Option<u64>,
    gnu_hash: Option<u64>,
    /// `DT_RELA` and `DT_RELASZ`.
    rela: Option<(u64, u64)>,
}

impl<'a> DynamicInfo<'a> {
    fn read(image: &Image<'a>, table: &Dynamic) -> Result<DynamicInfo<'a>, NotElf> {
        let value = |tag: u64| {
            table
                .dyns
                .iter()
                .find(|entry| entry.d_tag == tag)
                .map(|entry| entry.d_val)
        };
        let strings = match (value(dynamic::DT_STRTAB), value(dynamic::DT_STRSZ)) {
            (Some(address), Some(size)) => Some(image.at_address(address, size).ok_or_else(|| {
                not_elf(format!(
                    "the dynamic string table ({size} bytes at {address:#x}) lies outside the file"
                ))
            })?),
            _ => None,
        };
        if let Some(size) =
            value(dynamic::DT_SYMENT).filter(|&size| size != image.entry_sizes().sym)
        {
            return Err(not_elf(format!(
                "dynamic symbols are {size} bytes, expected {}",
                image.entry_sizes().sym
            )));
        }
        let mut offsets = Vec::new();
        for entry in table
            .dyns
            .iter()
            .filter(|entry| entry.d_tag == dynamic::DT_NEEDED)
        {
            let offset = strings
                .zip(usize::try_from(entry.d_val).ok())
                .filter(|(strings, offset)| *offset <= strings.len())
                .map(|(_, offset)| offset)
                .ok_or_else(|| not_elf("a DT_NEEDED name lies outside the dynamic string table"))?;
            offsets.push(offset);
        }
        // Names are resolved once per distinct offset: a crafted table of
        // many entries naming one long string costs one read of it.
        let mut distinct = offsets.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let names = names_at(strings.unwrap_or_default(), distinct.into_iter())?;
        let mut seen = std::collections::BTreeSet::new();
        let needed = offsets
            .into_iter()
            .filter_map(|offset| names.get(&offset).copied())
            .filter(|name| seen.insert(*name))
            .map(|name| String::from_utf8_lossy(name).into_owned())
            .collect();
        Ok(DynamicInfo {
            needed,
            strings,
            symtab: value(dynamic::DT_SYMTAB),
            hash: value(dynamic::DT_HASH),
            gnu_hash: value(dynamic::DT_GNU_HASH),
            rela: value(dynamic::DT_RELA).zip(value(dynamic::DT_RELASZ)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(bytes: &[u8], relocated: Vec<(u64, u64)>) -> Image<'_> {
        let segment = Segment {
            vaddr: 0x1000,
            offset: 0,
            filesz: bytes.len() as u64,
            memsz: bytes.len() as u64 + 16,
            writable: true,
        };
        Image::from_parts(bytes, vec![segment], relocated)
    }

    #[test]
    fn word_prefers_the_relocated_value() {
        let bytes = [0u8; 16];
        let image = image(&bytes, vec![(0x1008, 0xdead)]);
        assert_eq!(image.word(0x1000), Some(0));
        assert_eq!(image.word(0x1008), Some(0xdead));
    }

    #[test]
    fn reads_outside_the_segments_fail() {
        let bytes = [1u8; 16];
        let image = image(&bytes, Vec::new());
        assert_eq!(image.word(0x0ff8), None);
        assert_eq!(image.u32(0x100e), None);
        assert_eq!(image.word(0x1010), Some(0), "bss reads as zero");
        assert_eq!(image.word(0x101c), None, "past the end of memory");
        assert_eq!(image.word(0x1020), None);
        assert_eq!(image.word(u64::MAX - 3), None);
    }
}
