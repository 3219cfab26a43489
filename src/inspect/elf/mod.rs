//! Reads a plugin library's ELF image into [`GoPlugin`] facts: the
//! header, `DT_NEEDED`, the interpreter, the build info and what the Go
//! dynamic symbols tell (exports, `go:itab` interfaces, fingerprints).
//!
//! The [`Image`] is parsed once (goblin, asked only for the parts we use)
//! and lent to these facts and to the Go type decoder; the dynamic table,
//! symbols and relocations are read when first needed.

mod image;
mod symbols;

use std::collections::{BTreeMap, BTreeSet};

use self::symbols::{DynSym, DynamicSymbols, SymKind};
use super::buildinfo::BuildInfo;
use super::library::{Export, ExportForm, GoPlugin, Itab, LegacyGo, NotElf};

pub use self::image::{Image, Segment};

/// Go's fingerprints are 8 bytes; anything much larger is not a fingerprint
/// and would let a hostile file multiply its size in memory.
const MAX_FINGERPRINT: u64 = 64;
const PKGHASH_PREFIX: &str = "go:link.pkghashbytes.";
/// The same symbols as linkers before Go 1.18 named them (a dot, not a
/// colon: `go.link.pkghashbytes.<package>`).
const LEGACY_PKGHASH_PREFIX: &str = "go.link.pkghashbytes.";
const ITAB_PREFIX: &str = "go:itab.";
/// `cmd/go` names a plugin built from files `plugin/unnamed-<sha1 hex>`.
const UNNAMED_PREFIX: &str = "plugin/unnamed-";
/// What `go build x.go` records as the main package path.
const FILES_PACKAGE: &str = "command-line-arguments";

/// Parses `bytes` and reads its facts: for a caller that needs nothing
/// else of the image.
pub fn inspect_library(bytes: &[u8]) -> Result<GoPlugin, NotElf> {
    facts(&Image::parse(bytes)?)
}

/// The facts of a parsed image.
pub fn facts(image: &Image) -> Result<GoPlugin, NotElf> {
    let needed = image.dynamic()?.needed.clone();
    let symbols = image.dynamic_symbols()?;
    let go = GoSymbols::scan(image, symbols)?;
    let build = image.build_info();
    let build_info = build.as_ref().and_then(|result| result.as_ref().ok());
    // Before Go 1.18 a plugin has no build info, only the old symbols.
    let legacy = (build.is_none() && go.packages.is_empty() && !go.legacy_packages.is_empty())
        .then(|| LegacyGo {
            releases: pcln_releases(image),
        });
    let plugin_path = plugin_path(build_info, &go.packages, symbols).or_else(|| {
        legacy
            .as_ref()
            .and_then(|_| plugin_path(None, &go.legacy_packages, symbols))
    });
    let exports = match plugin_path.as_deref() {
        Some(path) => exports(symbols, path)?,
        None => Vec::new(),
    };
    Ok(GoPlugin {
        header: image.elf_header(),
        needed,
        interpreter: image.interpreter()?,
        plugin_path,
        exports,
        itabs: go.itabs,
        fingerprints: go.fingerprints,
        legacy,
        build_info_error: build
            .as_ref()
            .and_then(|result| result.as_ref().err().cloned()),
        build_info: build.and_then(Result::ok),
    })
}

/// Whether `bytes` are an ELF file packed with UPX: its `l_info` (a
/// checksum, then the magic `UPX!`) directly follows the program headers
/// (`src/stub/src/include/linux.h` and `p_lx_elf.cpp` in upx/upx). A packed
/// file keeps only the loader stub readable: its build info, dynamic
/// symbols and fingerprints are compressed away until `upx -d`.
pub fn upx_packed(bytes: &[u8]) -> bool {
    let field = |at: usize, len: usize| -> Option<u64> {
        let raw = bytes.get(at..at + len)?;
        let mut word = [0u8; 8];
        if bytes.get(5) == Some(&2) {
            // Big-endian: right-align the bytes.
            word[8 - len..].copy_from_slice(raw);
            Some(u64::from_be_bytes(word))
        } else {
            word[..len].copy_from_slice(raw);
            Some(u64::from_le_bytes(word))
        }
    };
    if bytes.get(..4) != Some(b"\x7fELF".as_slice()) {
        return false;
    }
    // e_phoff, e_phentsize, e_phnum for ELF32 and ELF64.
    let (phoff, phentsize, phnum) = match bytes.get(4) {
        Some(1) => (field(28, 4), field(42, 2), field(44, 2)),
        Some(2) => (field(32, 8), field(54, 2), field(56, 2)),
        _ => return false,
    };
    let (Some(phoff), Some(phentsize), Some(phnum)) = (phoff, phentsize, phnum) else {
        return false;
    };
    let magic = phentsize
        .checked_mul(phnum)
        .and_then(|size| phoff.checked_add(size)?.checked_add(4))
        .and_then(|at| usize::try_from(at).ok());
    magic.is_some_and(|at| bytes.get(at..at.saturating_add(4)) == Some(b"UPX!".as_slice()))
}

fn not_elf(message: impl Into<String>) -> NotElf {
    NotElf(message.into())
}

/// What one pass over the dynamic symbols finds before the plugin path is
/// known.
struct GoSymbols<'a> {
    /// Packages with a fingerprint symbol: every Go package of the plugin.
    packages: BTreeSet<&'a str>,
    /// Packages fingerprinted the pre-1.18 way.
    legacy_packages: BTreeSet<&'a str>,
    itabs: Vec<Itab>,
    fingerprints: BTreeMap<String, Vec<u8>>,
}

impl<'a> GoSymbols<'a> {
    /// Names stay borrowed until duplicates are gone: only distinct
    /// packages and itabs are copied.
    fn scan(image: &Image<'_>, symbols: &DynamicSymbols<'a>) -> Result<GoSymbols<'a>, NotElf> {
        let mut packages = BTreeSet::new();
        let mut fingerprints = BTreeMap::new();
        for symbol in symbols.with_prefix(PKGHASH_PREFIX)? {
            let Some(package) = symbol.name.strip_prefix(PKGHASH_PREFIX) else {
                continue;
            };
            packages.insert(package);
            if let Some(bytes) = fingerprint(image, &symbol) {
                fingerprints.insert(package, bytes);
            }
        }
        let legacy_packages = symbols
            .with_prefix(LEGACY_PKGHASH_PREFIX)?
            .iter()
            .filter_map(|symbol| symbol.name.strip_prefix(LEGACY_PKGHASH_PREFIX))
            .collect();
        let itabs: BTreeSet<(&str, &str)> = symbols
            .with_prefix(ITAB_PREFIX)?
            .iter()
            .filter_map(|symbol| split_itab(symbol.name.strip_prefix(ITAB_PREFIX)?))
            .collect();
        Ok(GoSymbols {
            packages,
            legacy_packages,
            itabs: itabs
                .into_iter()
                .map(|(concrete, interface)| Itab {
                    concrete: concrete.to_string(),
                    interface: interface.to_string(),
                })
                .collect(),
            fingerprints: fingerprints
                .into_iter()
                .map(|(package, bytes)| (package.to_string(), bytes.to_vec()))
                .collect(),
        })
    }
}

/// The Go releases whose linkers write a pcln table with the library's
/// magic number (`runtime/symtab.go`, `debug/gosym/pclntab.go`): what a
/// stripped library without build info still tells of its Go release.
/// The first 8-aligned pcln header of any Go release since 1.2 counts.
fn pcln_releases(image: &Image) -> Option<&'static str> {
    const MAGICS: [u32; 4] = [0xffff_fffb, 0xffff_fffa, 0xffff_fff0, 0xffff_fff1];
    let magic = image.segment_bytes().find_map(|(segment, bytes)| {
        let skew = (8 - segment.vaddr % 8) % 8;
        bytes
            .get(usize::try_from(skew).ok()?..)?
            .chunks_exact(8)
            .find_map(|chunk| match chunk {
                [a, b, c, d, 0, 0, 1 | 2 | 4, 4 | 8] => {
                    let magic = u32::from_le_bytes([*a, *b, *c, *d]);
                    MAGICS.contains(&magic).then_some(magic)
                }
                _ => None,
            })
    })?;
    Some(match magic {
        0xffff_fffb => "Go 1.2 to 1.15",
        0xffff_fffa => "Go 1.16 or 1.17",
        0xffff_fff0 => "Go 1.18 or 1.19",
        _ => "Go 1.20 or later",
    })
}

/// The plugin path. Built from a package it is the import path, which the
/// build info records as `path`; built from files the build info says
/// `command-line-arguments` and the path is `plugin/unnamed-<hex>`, a
/// package no other plugin has. Both show as fingerprinted packages.
fn plugin_path(
    build_info: Option<&BuildInfo>,
    packages: &BTreeSet<&str>,
    symbols: &DynamicSymbols<'_>,
) -> Option<String> {
    let recorded = build_info
        .and_then(|info| info.path.as_deref())
        .filter(|path| *path != FILES_PACKAGE);
    if let Some(path) = recorded {
        let prefix = format!("{}.", path_to_prefix(path));
        if packages.contains(path) || symbols.any_with_prefix(&prefix) {
            return Some(path.to_string());
        }
    }
    let mut unnamed = packages.iter().filter(|package| is_unnamed(package));
    match (unnamed.next(), unnamed.next()) {
        (Some(only), None) => Some((*only).to_string()),
        _ => None,
    }
}

fn is_unnamed(package: &str) -> bool {
    package
        .strip_prefix(UNNAMED_PREFIX)
        .is_some_and(|hash| hash.len() == 40 && hash.bytes().all(|byte| byte.is_ascii_hexdigit()))
}

/// Go's `objabi.PathToPrefix`: how a package path appears in symbol names
/// (`example.com/my.plugin` → `example.com/my%2eplugin`).
fn path_to_prefix(path: &str) -> String {
    let last_slash = path.rfind('/');
    let mut prefix = String::with_capacity(path.len());
    for (index, byte) in path.bytes().enumerate() {
        let after_slash = last_slash.is_none_or(|slash| index > slash);
        let escape = byte <= b' '
            || (byte == b'.' && after_slash)
            || byte == b'%'
            || byte == b'"'
            || byte >= 0x7f;
        if escape {
            prefix.push_str(&format!("%{byte:02x}"));
        } else {
            prefix.push(char::from(byte));
        }
    }
    prefix
}

/// Functions and variables of the main package whose name is exported
/// (upper-case first letter); methods, closures and generic instances
/// have a `.`, `(` or `[` in the name and are not lookup-able.
fn exports(symbols: &DynamicSymbols<'_>, plugin_path: &str) -> Result<Vec<Export>, NotElf> {
    let prefix = format!("{}.", path_to_prefix(plugin_path));
    let mut exports: Vec<Export> = symbols
        .with_prefix(&prefix)?
        .into_iter()
        .filter_map(|symbol| {
            let name = symbol.name.strip_prefix(&prefix)?;
            let form = match symbol.kind {
                SymKind::Function => ExportForm::Function,
                SymKind::Object => ExportForm::Variable,
                SymKind::Other => return None,
            };
            is_exported_identifier(name).then(|| Export {
                name: name.to_string(),
                form,
            })
        })
        .collect();
    exports.sort_by(|a, b| a.name.cmp(&b.name));
    exports.dedup_by(|a, b| a.name == b.name);
    Ok(exports)
}

fn is_exported_identifier(name: &str) -> bool {
    name.chars().next().is_some_and(char::is_uppercase)
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// `<concrete>,<interface>` of `go:itab.…`; a generic concrete type may
/// hold commas inside its brackets.
fn split_itab(pair: &str) -> Option<(&str, &str)> {
    let mut depth = 0usize;
    for (index, c) in pair.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                let (concrete, interface) = (pair.get(..index)?, pair.get(index + 1..)?);
                if concrete.is_empty() || interface.is_empty() {
                    return None;
                }
                return Some((concrete, interface));
            }
            _ => {}
        }
    }
    None
}

/// The `st_size` bytes of a `go:link.pkghashbytes.<package>` symbol. A
/// symbol whose bytes are not in the file, or too large to be a
/// fingerprint, has none.
fn fingerprint<'a>(image: &Image<'a>, symbol: &DynSym<'_>) -> Option<&'a [u8]> {
    if symbol.size > MAX_FINGERPRINT {
        return None;
    }
    image.at_address(symbol.address, symbol.size)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::buildinfo;
    use crate::inspect::library::{Class, ElfHeader, ElfType, Endian};
    use object::Endianness;
    use object::elf as e;
    use object::write::elf::{
        FileHeader, ProgramHeader as Phdr, SectionHeader as Shdr, Sym as WSym, Writer,
    };

    const BASE: u64 = 0x10000;
    const API: &str = "github.com/lf-edge/ekuiper/contract/v2/api";
    const UNNAMED: &str = "plugin/unnamed-cc4a8d7ca03da76840d2aa6595337d3af56134a5";

    #[derive(Clone, Copy, PartialEq)]
    enum Count {
        /// A `.dynsym` section header gives the count.
        Sections,
        /// No section headers; `DT_HASH` gives the count.
        SysvHash,
        /// No section headers; `DT_GNU_HASH` gives the count.
        GnuHash,
    }

    #[derive(Clone)]
    struct Symbol {
        name: String,
        kind: u8,
        defined: bool,
        /// Bytes placed in the data area; the symbol points at them.
        data: Vec<u8>,
    }

    fn func(name: &str) -> Symbol {
        Symbol {
            name: name.into(),
            kind: e::STT_FUNC.0,
            defined: true,
            data: vec![0xc3],
        }
    }

    fn object(name: &str, data: &[u8]) -> Symbol {
        Symbol {
            name: name.into(),
            kind: e::STT_OBJECT.0,
            defined: true,
            data: data.to_vec(),
        }
    }

    /// A synthetic shared object: one PT_LOAD mapping the whole file at
    /// `BASE`, a dynamic table, dynamic symbols and optional sections.
    #[derive(Clone)]
    struct Synth {
        is_64: bool,
        big: bool,
        machine: u16,
        count: Count,
        needed: Vec<&'static str>,
        interp: Option<&'static str>,
        symbols: Vec<Symbol>,
        build_info: Option<Vec<u8>>,
    }

    /// Where the builder put things, for tests that corrupt them.
    struct Built {
        bytes: Vec<u8>,
        dynamic: u64,
        dynsym: u64,
    }

    impl Synth {
        fn new() -> Synth {
            Synth {
                is_64: true,
                big: false,
                machine: 62,
                count: Count::Sections,
                needed: vec!["libc.so.6"],
                interp: None,
                symbols: Vec::new(),
                build_info: None,
            }
        }

        fn build(&self) -> Vec<u8> {
            self.build_with_offsets().bytes
        }

        fn build_with_offsets(&self) -> Built {
            let endian = if self.big {
                Endianness::Big
            } else {
                Endianness::Little
            };
            let mut bytes = Vec::new();
            let mut w = Writer::new(endian, self.is_64, &mut bytes);
            let segments = 2 + u32::from(self.interp.is_some());

            w.reserve_file_header();
            w.reserve_program_headers(segments);
            let interp = self
                .interp
                .map(|path| (w.reserve(path.len() as u64 + 1, 1), path));
            let needed: Vec<_> = self
                .needed
                .iter()
                .map(|name| w.add_dynamic_string(name.as_bytes()))
                .collect();
            let names: Vec<_> = self
                .symbols
                .iter()
                .map(|s| w.add_dynamic_string(s.name.as_bytes()))
                .collect();
            w.reserve_null_dynamic_symbol_index();
            for _ in &self.symbols {
                w.reserve_dynamic_symbol_index();
            }
            let symbol_count = w.dynamic_symbol_count();
            let dynsym = w.reserve_dynsym();
            let dynstr = w.reserve_dynstr().unwrap();
            let hash_table = self.hash_table(symbol_count);
            let hash = w.reserve(hash_table.len() as u64, 8);
            let data: Vec<u8> = self.symbols.iter().flat_map(|s| s.data.clone()).collect();
            let data_offset = w.reserve(data.len() as u64, 16);
            let build_info = self
                .build_info
                .as_ref()
                .map(|blob| (w.reserve(blob.len() as u64, 16), blob));
            let dynamic_count = self.needed.len() + 4 + usize::from(self.count != Count::Sections);
            let dynamic = w.reserve_dynamic(dynamic_count);
            let mut custom = Vec::new();
            {
                w.reserve_dynsym_section_index();
                w.reserve_dynstr_section_index();
                w.reserve_dynamic_section_index();
                custom.push(w.add_section_name(b".data"));
                w.reserve_section_index();
                if build_info.is_some() {
                    custom.push(w.add_section_name(b".go.buildinfo"));
                    w.reserve_section_index();
                }
                w.reserve_shstrtab_section_index();
                w.reserve_shstrtab().unwrap();
                w.reserve_section_headers();
            }
            let end = w.reserved_len();

            w.write_file_header(&FileHeader {
                os_abi: e::ELFOSABI_NONE,
                abi_version: 0,
                e_type: e::ET_DYN,
                e_machine: e::Machine(self.machine),
                e_entry: 0,
                e_flags: e::FileFlags(0),
            })
            .unwrap();
            w.write_align_program_headers();
            let segment = |p_type, p_offset: u64, size: u64| Phdr {
                p_type,
                p_flags: e::ProgramFlags(6),
                p_offset,
                p_vaddr: BASE + p_offset,
                p_paddr: BASE + p_offset,
                p_filesz: size,
                p_memsz: size,
                p_align: 8,
            };
            w.write_program_header(&segment(e::PT_LOAD, 0, end));
            let dyn_size = if self.is_64 { 16 } else { 8 };
            w.write_program_header(&segment(
                e::PT_DYNAMIC,
                dynamic,
                dynamic_count as u64 * dyn_size,
            ));
            if let Some((offset, path)) = interp {
                w.write_program_header(&segment(e::PT_INTERP, offset, path.len() as u64 + 1));
                w.pad_until(offset);
                w.write(path.as_bytes());
                w.write(&[0]);
            }
            w.write_null_dynamic_symbol();
            let mut value = BASE + data_offset;
            for (symbol, name) in self.symbols.iter().zip(&names) {
                let st_name = w.dynamic_string_offset(Some(*name));
                w.write_dynamic_symbol(&WSym {
                    st_name,
                    section: None,
                    st_info: e::SymbolInfo((1 << 4) | symbol.kind),
                    st_other: e::SymbolOther(0),
                    st_shndx: e::SymbolSection(if symbol.defined { 5 } else { 0 }),
                    st_value: value,
                    st_size: symbol.data.len() as u64,
                });
                value += symbol.data.len() as u64;
            }
            w.write_dynstr();
            w.pad_until(hash);
            w.write(&hash_table);
            w.pad_until(data_offset);
            w.write(&data);
            if let Some((offset, blob)) = build_info {
                w.pad_until(offset);
                w.write(blob);
            }
            w.write_align_dynamic();
            for name in &needed {
                w.write_dynamic_string(e::DT_NEEDED, *name).unwrap();
            }
            w.write_dynamic(e::DT_STRTAB, BASE + dynstr).unwrap();
            w.write_dynamic(e::DT_STRSZ, u64::from(w.dynstr_len()))
                .unwrap();
            w.write_dynamic(e::DT_SYMTAB, BASE + dynsym).unwrap();
            match self.count {
                Count::Sections => {}
                Count::SysvHash => w.write_dynamic(e::DT_HASH, BASE + hash).unwrap(),
                Count::GnuHash => w.write_dynamic(e::DT_GNU_HASH, BASE + hash).unwrap(),
            }
            w.write_dynamic(e::DT_NULL, 0).unwrap();
            {
                w.write_shstrtab();
                w.write_null_section_header();
                w.write_dynsym_section_header(BASE + dynsym, 1);
                w.write_dynstr_section_header(BASE + dynstr);
                w.write_dynamic_section_header(BASE + dynamic);
                let mut progbits = |name, offset: u64, size: u64| {
                    w.write_section_header(&Shdr {
                        sh_name: w.section_name_offset(Some(name)),
                        sh_type: e::SHT_PROGBITS,
                        sh_flags: e::SectionFlags(3),
                        sh_addr: BASE + offset,
                        sh_offset: offset,
                        sh_size: size,
                        sh_link: 0,
                        sh_info: 0,
                        sh_addralign: 16,
                        sh_entsize: 0,
                    });
                };
                progbits(custom[0], data_offset, data.len() as u64);
                if let Some((offset, blob)) = build_info {
                    progbits(custom[1], offset, blob.len() as u64);
                }
                w.write_shstrtab_section_header();
            }
            assert_eq!(w.len(), end);
            if self.count != Count::Sections {
                strip_section_headers(&mut bytes, self.is_64);
            }
            Built {
                bytes,
                dynamic,
                dynsym,
            }
        }
    }

    /// What `sstrip` does: the loader never reads section headers.
    fn strip_section_headers(bytes: &mut [u8], is_64: bool) {
        let (shoff, shoff_size, counts) = if is_64 {
            (0x28, 8, 0x3a)
        } else {
            (0x20, 4, 0x2e)
        };
        bytes[shoff..shoff + shoff_size].fill(0);
        bytes[counts..counts + 6].fill(0);
    }

    impl Synth {
        /// A one-bucket hash table (the object writer's two-phase mode
        /// only writes one together with its section header).
        fn hash_table(&self, symbol_count: u32) -> Vec<u8> {
            let word = |value: u32| {
                if self.big {
                    value.to_be_bytes()
                } else {
                    value.to_le_bytes()
                }
            };
            let words: Vec<u32> = match self.count {
                Count::Sections => Vec::new(),
                // nbucket, nchain, bucket[0], then the chain: 1 → 2 → … → 0.
                Count::SysvHash => [1, symbol_count, 1]
                    .into_iter()
                    .chain(
                        (1..=symbol_count).map(|next| if next < symbol_count { next } else { 0 }),
                    )
                    .collect(),
                // nbuckets, symoffset, bloom words, shift, a zero bloom filter
                // (two words in ELF64), bucket[0] = 1, then one hash per
                // symbol with the low bit set on the last.
                Count::GnuHash => {
                    let bloom = if self.is_64 { 2 } else { 1 };
                    let mut words = vec![1, 1, 1, 0];
                    words.extend(std::iter::repeat_n(0, bloom));
                    words.push(1);
                    words.extend(
                        (1..symbol_count).map(|index| u32::from(index + 1 == symbol_count) | 0x100),
                    );
                    words
                }
            };
            words.into_iter().flat_map(word).collect()
        }
    }

    fn build_info_blob(path: &str) -> Vec<u8> {
        let modinfo = format!(
            "{}path\t{path}\ndep\tgithub.com/lf-edge/ekuiper/contract/v2\tv2.0.0\t\nbuild\t-buildmode=plugin\n{}",
            "0123456789abcdef", "fedcba9876543210"
        );
        let mut blob = buildinfo::MAGIC.to_vec();
        blob.extend([8, 2]);
        blob.resize(32, 0);
        blob.push(8);
        blob.extend_from_slice(b"go1.25.4");
        blob.extend([
            (modinfo.len() & 0x7f) as u8 | 0x80,
            (modinfo.len() >> 7) as u8,
        ]);
        blob.extend_from_slice(modinfo.as_bytes());
        blob
    }

    fn unnamed_plugin() -> Synth {
        let mut synth = Synth::new();
        synth.symbols = vec![
            func(&format!("{UNNAMED}.GetSource")),
            object(&format!("{UNNAMED}.Random"), &[0; 8]),
            func(&format!("{UNNAMED}.(*random).Close")),
            func(&format!("{UNNAMED}.random.Open")),
            func(&format!("{UNNAMED}.GetSource.func1")),
            func(&format!("{UNNAMED}.Map[go.shape.int]")),
            func(&format!("{UNNAMED}.helper")),
            func(&format!("{UNNAMED}..stmp_0")),
            object(&format!("go:itab.*{UNNAMED}.random,{API}.Source"), &[0; 16]),
            object(
                &format!("go:itab.{UNNAMED}.pair[int,string],{API}.Sink"),
                &[0; 16],
            ),
            object(
                &format!("go:link.pkghashbytes.{UNNAMED}"),
                &[1, 2, 3, 4, 5, 6, 7, 8],
            ),
            object(
                &format!("go:link.pkghashbytes.{API}"),
                &[9, 9, 9, 9, 9, 9, 9, 9],
            ),
            object("go:link.pkghashbytes.runtime", &[7; 8]),
            Symbol {
                defined: false,
                ..func(&format!("{UNNAMED}.Undefined"))
            },
            Symbol {
                kind: e::STT_TLS.0,
                ..object(&format!("{UNNAMED}.Tls"), &[0; 8])
            },
        ];
        synth
    }

    fn export(name: &str, form: ExportForm) -> Export {
        Export {
            name: name.into(),
            form,
        }
    }

    #[test]
    fn reads_exports_itabs_fingerprints_and_needed() {
        let plugin = inspect_library(&unnamed_plugin().build()).unwrap();
        assert_eq!(
            plugin.header,
            ElfHeader {
                class: Class::Elf64,
                endian: Endian::Little,
                machine: 62,
                elf_type: ElfType::SharedObject
            }
        );
        assert_eq!(plugin.needed, ["libc.so.6"]);
        assert_eq!(plugin.interpreter, None);
        assert_eq!(plugin.plugin_path.as_deref(), Some(UNNAMED));
        assert_eq!(
            plugin.exports,
            [
                export("GetSource", ExportForm::Function),
                export("Random", ExportForm::Variable)
            ]
        );
        let itabs: Vec<(&str, &str)> = plugin
            .itabs
            .iter()
            .map(|i| (i.concrete.as_str(), i.interface.as_str()))
            .collect();
        let sink = format!("{API}.Sink");
        let source = format!("{API}.Source");
        let pair = format!("{UNNAMED}.pair[int,string]");
        let random = format!("*{UNNAMED}.random");
        assert_eq!(
            itabs,
            [
                (random.as_str(), source.as_str()),
                (pair.as_str(), sink.as_str())
            ]
        );
        assert_eq!(
            plugin.fingerprints.get(UNNAMED),
            Some(&vec![1, 2, 3, 4, 5, 6, 7, 8])
        );
        assert_eq!(plugin.fingerprints.get(API), Some(&vec![9; 8]));
        assert_eq!(plugin.fingerprints.len(), 3);
        assert_eq!(plugin.build_info, None);
        assert_eq!(plugin.build_info_error, None);
    }

    #[test]
    fn symbol_counts_from_hash_tables_match_the_section() {
        let expected = inspect_library(&unnamed_plugin().build()).unwrap();
        for count in [Count::SysvHash, Count::GnuHash] {
            let synth = Synth {
                count,
                ..unnamed_plugin()
            };
            let plugin = inspect_library(&synth.build()).unwrap();
            assert_eq!(plugin.exports, expected.exports);
            assert_eq!(plugin.itabs, expected.itabs);
            assert_eq!(plugin.fingerprints, expected.fingerprints);
        }
    }

    #[test]
    fn plugin_path_from_build_info_with_escaped_symbols() {
        let mut synth = Synth::new();
        synth.build_info = Some(build_info_blob("example.com/my.plugin"));
        synth.symbols = vec![
            func("example.com/my%2eplugin.NewSink"),
            object("go:link.pkghashbytes.example.com/my.plugin", &[5; 8]),
            func("example.com/other.Exported"),
        ];
        let plugin = inspect_library(&synth.build()).unwrap();
        assert_eq!(plugin.plugin_path.as_deref(), Some("example.com/my.plugin"));
        assert_eq!(plugin.exports, [export("NewSink", ExportForm::Function)]);
        let info = plugin.build_info.unwrap();
        assert_eq!(info.go_version, "go1.25.4");
        assert_eq!(info.setting("-buildmode"), Some("plugin"));
    }

    #[test]
    fn build_info_without_section_headers_is_found_in_the_data_segment() {
        for count in [Count::SysvHash, Count::GnuHash] {
            let mut synth = Synth {
                count,
                ..unnamed_plugin()
            };
            synth.build_info = Some(build_info_blob("command-line-arguments"));
            let plugin = inspect_library(&synth.build()).unwrap();
            assert_eq!(
                plugin.build_info.unwrap().path.as_deref(),
                Some("command-line-arguments")
            );
            assert_eq!(plugin.plugin_path.as_deref(), Some(UNNAMED));
        }
    }

    #[test]
    fn a_corrupt_build_info_section_is_reported_not_dropped() {
        let mut synth = unnamed_plugin();
        let mut blob = build_info_blob("x");
        blob[32] = 0x7f;
        synth.build_info = Some(blob);
        let plugin = inspect_library(&synth.build()).unwrap();
        assert_eq!(plugin.build_info, None);
        assert!(plugin.build_info_error.unwrap().0.contains("Go version"));
    }

    #[test]
    fn no_plugin_path_without_go_symbols() {
        let mut synth = Synth::new();
        synth.symbols = vec![func("add"), object("counter", &[0; 4])];
        let plugin = inspect_library(&synth.build()).unwrap();
        assert_eq!(plugin.plugin_path, None);
        assert!(
            plugin.exports.is_empty() && plugin.itabs.is_empty() && plugin.fingerprints.is_empty()
        );
    }

    #[test]
    fn two_unnamed_packages_leave_the_path_unknown() {
        let mut synth = unnamed_plugin();
        synth.symbols.push(object(
            "go:link.pkghashbytes.plugin/unnamed-0000000000000000000000000000000000000000",
            &[0; 8],
        ));
        assert_eq!(inspect_library(&synth.build()).unwrap().plugin_path, None);
    }

    #[test]
    fn reads_32_bit_big_endian_and_interpreter() {
        for (is_64, big, machine) in [(false, true, 20), (true, true, 21), (false, false, 3)] {
            let synth = Synth {
                is_64,
                big,
                machine,
                interp: Some("/lib/ld-musl-armhf.so.1"),
                ..unnamed_plugin()
            };
            let plugin = inspect_library(&synth.build()).unwrap();
            let class = if is_64 { Class::Elf64 } else { Class::Elf32 };
            let endian = if big { Endian::Big } else { Endian::Little };
            assert_eq!(
                (
                    plugin.header.class,
                    plugin.header.endian,
                    plugin.header.machine
                ),
                (class, endian, machine)
            );
            assert_eq!(
                plugin.interpreter.as_deref(),
                Some("/lib/ld-musl-armhf.so.1")
            );
            assert_eq!(plugin.exports.len(), 2);
            assert_eq!(
                plugin.fingerprints.get(UNNAMED),
                Some(&vec![1, 2, 3, 4, 5, 6, 7, 8])
            );
        }
    }

    #[test]
    fn not_elf_inputs() {
        for (bytes, reason) in [
            (&b""[..], "too few"),
            (b"\x7fEL", "too few"),
            (b"PK\x03\x04 this is a zip file", "magic"),
            (b"\x7fELF\x03\x01\x01\0\0\0\0\0\0\0\0\0", "class"),
            (b"\x7fELF\x02\x03\x01\0\0\0\0\0\0\0\0\0", "byte order"),
            (
                b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\0\0",
                "truncated ELF header",
            ),
        ] {
            let error = inspect_library(bytes).unwrap_err();
            assert!(error.0.contains(reason), "{reason}: {error:?}");
        }
    }

    #[test]
    fn every_truncation_is_not_elf() {
        for count in [Count::Sections, Count::GnuHash] {
            let mut synth = Synth {
                count,
                ..unnamed_plugin()
            };
            synth.build_info = Some(build_info_blob("command-line-arguments"));
            let bytes = synth.build();
            assert!(inspect_library(&bytes).is_ok());
            for len in 0..bytes.len() {
                assert!(
                    inspect_library(&bytes[..len]).is_err(),
                    "truncated to {len}"
                );
            }
            let error = inspect_library(&bytes[..bytes.len() - 1]).unwrap_err();
            assert!(
                error.0.contains("truncated?") || error.0.contains("section headers"),
                "{error:?}"
            );
        }
    }

    fn patch(bytes: &mut [u8], offset: u64, value: &[u8]) {
        let offset = offset as usize;
        bytes[offset..offset + value.len()].copy_from_slice(value);
    }

    fn error_after(patches: &[(u64, &[u8])]) -> String {
        let mut bytes = unnamed_plugin().build();
        for (offset, value) in patches {
            patch(&mut bytes, *offset, value);
        }
        inspect_library(&bytes).unwrap_err().0
    }

    #[test]
    fn out_of_range_headers_are_not_elf() {
        let huge = u64::MAX.to_le_bytes();
        // e_phoff, e_shoff, e_phentsize, e_phnum, e_shnum (64-bit little-endian offsets).
        assert!(error_after(&[(0x20, &huge)]).contains("program headers"));
        assert!(error_after(&[(0x28, &huge)]).contains("section headers"));
        assert!(error_after(&[(0x36, &[55, 0])]).contains("entries are 55 bytes"));
        assert!(error_after(&[(0x38, &[0xff, 0xff])]).contains("program headers"));
        assert!(error_after(&[(0x3c, &[0xff, 0x7f])]).contains("section headers"));
    }

    #[test]
    fn out_of_range_dynamic_data_is_not_elf() {
        let built = unnamed_plugin().build_with_offsets();
        let dynamic = built.dynamic;
        let second_segment = 64 + 56;
        let far = 0x7fff_ffffu64.to_le_bytes();
        let cases: [(u64, &[u8], &str); 5] = [
            (second_segment + 8, &far, "dynamic table"),
            // DT_NEEDED value, then DT_STRTAB, DT_STRSZ, DT_SYMTAB values.
            (dynamic + 8, &far, "DT_NEEDED"),
            (dynamic + 16 + 8, &far, "string table"),
            (dynamic + 32 + 8, &far, "string table"),
            (dynamic + 48 + 8, &far, "symbol table"),
        ];
        for (offset, value, reason) in cases {
            let error = error_after(&[(offset, value)]);
            assert!(error.contains(reason), "{reason}: {error}");
        }
        // The first real symbol's st_name.
        let mut bytes = built.bytes.clone();
        patch(&mut bytes, built.dynsym + 24, &0x7fff_ffffu32.to_le_bytes());
        assert!(inspect_library(&bytes).unwrap_err().0.contains("name"));
    }

    #[test]
    fn oversized_or_outside_fingerprints_are_left_out() {
        let built = unnamed_plugin().build_with_offsets();
        let index = unnamed_plugin()
            .symbols
            .iter()
            .position(|s| s.name.ends_with(UNNAMED) && s.name.starts_with("go:link"))
            .unwrap() as u64
            + 1;
        let symbol = built.dynsym + 24 * index;
        let mut bytes = built.bytes.clone();
        patch(&mut bytes, symbol + 16, &u64::MAX.to_le_bytes());
        let plugin = inspect_library(&bytes).unwrap();
        assert!(!plugin.fingerprints.contains_key(UNNAMED));
        assert_eq!(plugin.plugin_path.as_deref(), Some(UNNAMED));
        let mut bytes = built.bytes;
        patch(&mut bytes, symbol + 8, &0x7000_0000u64.to_le_bytes());
        assert!(
            !inspect_library(&bytes)
                .unwrap()
                .fingerprints
                .contains_key(UNNAMED)
        );
    }

    #[test]
    fn flipping_any_byte_never_panics() {
        for count in [Count::Sections, Count::GnuHash, Count::SysvHash] {
            let mut synth = Synth {
                count,
                ..unnamed_plugin()
            };
            synth.build_info = Some(build_info_blob("example.com/p"));
            let bytes = synth.build();
            for index in 0..bytes.len() {
                for flip in [0xff, 0x80, 0x01] {
                    let mut corrupt = bytes.clone();
                    corrupt[index] ^= flip;
                    let _ = inspect_library(&corrupt);
                }
            }
        }
    }

    #[test]
    fn path_to_prefix_escapes_like_go() {
        assert_eq!(
            path_to_prefix("example.com/my.plugin"),
            "example.com/my%2eplugin"
        );
        assert_eq!(path_to_prefix("gopkg.in/yaml.v3"), "gopkg.in/yaml%2ev3");
        assert_eq!(path_to_prefix("a b/c%\"d"), "a%20b/c%25%22d");
        assert_eq!(path_to_prefix("main.x"), "main%2ex");
        assert_eq!(path_to_prefix(UNNAMED), UNNAMED);
    }

    /// The UPX `l_info` magic right after the program headers, as in the
    /// ELF32 big-endian MIPS file of github.com/lcashdol/UPX's README
    /// (two program headers: header 52 + 2 × 32 = 116, magic at 120).
    #[test]
    fn upx_magic_after_the_program_headers() {
        let mut elf32 = vec![0u8; 200];
        elf32[..6].copy_from_slice(b"\x7fELF\x01\x02");
        elf32[28..32].copy_from_slice(&52u32.to_be_bytes());
        elf32[42..44].copy_from_slice(&32u16.to_be_bytes());
        elf32[44..46].copy_from_slice(&2u16.to_be_bytes());
        assert!(!upx_packed(&elf32));
        elf32[120..124].copy_from_slice(b"UPX!");
        assert!(upx_packed(&elf32));
        // Elsewhere, or in a file too short for its headers, it is not.
        let mut elsewhere = elf32.clone();
        elsewhere[120..124].copy_from_slice(b"\0\0\0\0");
        elsewhere[160..164].copy_from_slice(b"UPX!");
        assert!(!upx_packed(&elsewhere));
        assert!(!upx_packed(&elf32[..100]));
        let mut huge = elf32;
        huge[44..46].copy_from_slice(&u16::MAX.to_be_bytes());
        assert!(!upx_packed(&huge));
    }
}
