//! Finds the plugin's `runtime.moduledata` in a stripped library. The
//! symbol (`local.pluginmoduledata`) is not exported, so we look for the
//! pcln header by its magic and then for the word that points at it: the
//! first field of the module data. The field offsets below are those the
//! Go 1.20–1.25 linkers write (cmd/link/internal/ld/symtab.go); the magic
//! 0xfffffff1 marks exactly those releases' pcln tables.

use crate::inspect::elf::Image;

const PCLN_MAGIC: u32 = 0xffff_fff1;
const WORD: u64 = 8;

// Word indices of runtime.moduledata fields, the same in every release
// decoded here.
const FUNCNAMETAB: u64 = 1;
const PCLNTABLE: u64 = 13;
const FTAB: u64 = 16;
const TYPES: u64 = 37;

/// Where one Go release keeps the rest of the fields (word indices into
/// `runtime.moduledata`, from `src/runtime/symtab.go` of that release).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    etypes: u64,
    itabs: ItabsField,
    ptab: u64,
    pluginpath: u64,
}

/// How a release lists the module's itabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItabsField {
    /// `itablinks []*itab` (up to Go 1.26).
    Links(u64),
    /// `itaboffset, itabsize`: the itabs lie one after the other at
    /// `types + itaboffset` (Go 1.27).
    Region(u64),
}

/// Go 1.21 to 1.25.
const GO121: Layout = Layout {
    etypes: 38,
    itabs: ItabsField::Links(47),
    ptab: 50,
    pluginpath: 53,
};
/// Go 1.26 adds `epclntab` after `gofunc`.
const GO126: Layout = Layout {
    etypes: 38,
    itabs: ItabsField::Links(48),
    ptab: 51,
    pluginpath: 54,
};
/// Go 1.27 adds `typedesclen` and `itaboffset, itabsize`, and drops
/// `typelinks` and `itablinks`.
const GO127: Layout = Layout {
    etypes: 39,
    itabs: ItabsField::Region(40),
    ptab: 48,
    pluginpath: 51,
};

/// The module data layout of a Go release (`go1.25.4`), when known.
pub fn layout(go_version: &str) -> Option<Layout> {
    let rest = go_version.strip_prefix("go1.")?;
    let minor: String = rest.chars().take_while(char::is_ascii_digit).collect();
    match minor.parse::<u32>().ok()? {
        21..=25 => Some(GO121),
        26 => Some(GO126),
        27 => Some(GO127),
        _ => None,
    }
}

/// Bounds that no real module reaches; they keep hostile input cheap.
/// (Byte tables such as the pcln table are bounded by the file size.)
const MAX_TABLE: u64 = 1 << 20;
const MAX_PATH: u64 = 4096;
const MAX_TYPES: u64 = 1 << 32;
/// Candidate pcln headers examined before giving up.
const MAX_CANDIDATES: usize = 64;

/// A slice field: where its elements start and how many there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    pub address: u64,
    pub len: u64,
}

/// Where the module's itabs are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Itabs {
    /// A table of pointers to them.
    Links(Table),
    /// `size` bytes of itabs, one after the other.
    Region { address: u64, size: u64 },
}

/// The module data fields the type decoder needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleData {
    pub types: u64,
    pub etypes: u64,
    pub itabs: Itabs,
    pub ptab: Table,
    pub plugin_path: String,
    /// The packages of `pkghashes`, in the linker's order (its
    /// `ctxt.Library`): the order in which `plugin.Open` compares the
    /// fingerprints and names the first that differs.
    pub link_order: Vec<String>,
}

pub fn find(image: &Image, layout: Layout) -> Result<ModuleData, String> {
    let headers = pcln_headers(image);
    if headers.is_empty() {
        return Err("no Go 1.20+ pcln table found (older or newer Go, or not a Go library)".into());
    }
    for header in headers {
        for address in referrers(image, header) {
            if let Some(module) = decode(image, address, layout) {
                return Ok(module);
            }
        }
    }
    Err("no module data points at the pcln table".into())
}

/// Addresses of 8-aligned pcln headers: magic, two zero bytes, an
/// instruction size quantum of 1, 2 or 4 and a pointer size of 8.
fn pcln_headers(image: &Image) -> Vec<u64> {
    let mut found = Vec::new();
    for (segment, bytes) in image.segment_bytes() {
        let skew = (WORD - segment.vaddr % WORD) % WORD;
        let Some(aligned) = bytes.get(skew as usize..) else {
            continue;
        };
        let mut magic = PCLN_MAGIC.to_le_bytes().to_vec();
        magic.extend_from_slice(&[0, 0]);
        for at in aligned_words(aligned, &magic) {
            if aligned.get(at..at + 8).is_some_and(is_pcln_header) {
                found.push(segment.vaddr + skew + at as u64);
                if found.len() >= MAX_CANDIDATES {
                    return found;
                }
            }
        }
    }
    found
}

/// Offsets of the 8-aligned occurrences of `needle` in `bytes`, overlapping
/// ones included: a SIMD substring search rather than a compare per word,
/// as the library's segments are tens of megabytes and matches rare.
fn aligned_words<'b>(bytes: &'b [u8], needle: &'b [u8]) -> impl Iterator<Item = usize> + 'b {
    let finder = memchr::memmem::Finder::new(needle);
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(found) = bytes.get(from..).and_then(|rest| finder.find(rest)) {
            let at = from + found;
            from = at + 1;
            if at % 8 == 0 {
                return Some(at);
            }
        }
        None
    })
}

fn is_pcln_header(chunk: &[u8]) -> bool {
    matches!(chunk, [a, b, c, d, 0, 0, 1 | 2 | 4, 8]
        if u32::from_le_bytes([*a, *b, *c, *d]) == PCLN_MAGIC)
}

/// Words that hold `target`: set by a relocation, or written in the file.
fn referrers(image: &Image, target: u64) -> Vec<u64> {
    let mut found: Vec<u64> = image.relocated_to(target).take(MAX_CANDIDATES).collect();
    let needle = target.to_le_bytes();
    for (segment, bytes) in image.segment_bytes().filter(|(s, _)| s.writable) {
        let skew = (WORD - segment.vaddr % WORD) % WORD;
        let Some(aligned) = bytes.get(skew as usize..) else {
            continue;
        };
        let hits = aligned_words(aligned, &needle).map(|at| segment.vaddr + skew + at as u64);
        found.extend(hits.take(MAX_CANDIDATES));
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// Reads and sanity-checks module data at `base`; `None` when the words
/// there do not look like one.
fn decode(image: &Image, base: u64, layout: Layout) -> Option<ModuleData> {
    let field = |index: u64| image.word(base.checked_add(index * WORD)?);
    let slice = |index: u64, max: u64| -> Option<Table> {
        let (address, len, cap) = (field(index)?, field(index + 1)?, field(index + 2)?);
        (len == cap && len <= max).then_some(Table { address, len })
    };
    let file_len = image.file_len();
    let funcnametab = slice(FUNCNAMETAB, file_len)?;
    let pclntable = slice(PCLNTABLE, file_len)?;
    let ftab = slice(FTAB, file_len)?;
    // ftab is a view of pclntable in every layout we decode.
    if ftab.address != pclntable.address || funcnametab.address == 0 {
        return None;
    }
    let (types, etypes) = (field(TYPES)?, field(layout.etypes)?);
    if types == 0 || etypes <= types || etypes - types > MAX_TYPES {
        return None;
    }
    let (path_address, path_len) = (field(layout.pluginpath)?, field(layout.pluginpath + 1)?);
    if path_len == 0 || path_len > MAX_PATH {
        return None;
    }
    let plugin_path = std::str::from_utf8(image.at_address(path_address, path_len)?).ok()?;
    let itabs = match layout.itabs {
        ItabsField::Links(index) => Itabs::Links(slice(index, MAX_TABLE)?),
        ItabsField::Region(index) => {
            let (offset, size) = (field(index)?, field(index + 1)?);
            let address = types.checked_add(offset)?;
            // The itabs are part of the type data.
            (address.checked_add(size)? <= etypes).then_some(Itabs::Region { address, size })?
        }
    };
    Some(ModuleData {
        types,
        etypes,
        itabs,
        ptab: slice(layout.ptab, MAX_TABLE)?,
        plugin_path: plugin_path.to_string(),
        link_order: link_order(image, slice(layout.pluginpath + 2, MAX_TABLE)?),
    })
}

/// The package names of `pkghashes []modulehash` (`runtime/symtab.go`:
/// `modulename, linktimehash string; runtimehash *string`, five words),
/// stopping at the first unreadable one.
fn link_order(image: &Image, pkghashes: Table) -> Vec<String> {
    (0..pkghashes.len)
        .map_while(|index| {
            let entry = pkghashes
                .address
                .checked_add(index.checked_mul(5 * WORD)?)?;
            let (address, len) = (image.word(entry)?, image.word(entry.checked_add(WORD)?)?);
            if len > MAX_PATH {
                return None;
            }
            std::str::from_utf8(image.at_address(address, len)?)
                .ok()
                .map(str::to_string)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_words_finds_every_aligned_match_overlapping_or_not() {
        // The needle at 2 (unaligned) overlapping the one at 8 (its last
        // two bytes are its first two), at 24, and cut short at the end.
        let needle = [7, 0, 1, 1, 1, 1, 7, 0];
        let mut bytes = vec![0u8; 40];
        for at in [2, 8, 24] {
            bytes[at..at + 8].copy_from_slice(&needle);
        }
        bytes.extend_from_slice(&needle[..4]);
        let found: Vec<usize> = aligned_words(&bytes, &needle).collect();
        assert_eq!(found, [8, 24]);
    }

    #[test]
    fn layouts_follow_the_minor_release() {
        assert_eq!(layout("go1.21.0"), Some(GO121));
        assert_eq!(layout("go1.25.4"), Some(GO121));
        assert_eq!(layout("go1.26.6"), Some(GO126));
        assert_eq!(layout("go1.27.3"), Some(GO127));
        assert_eq!(layout("go1.27rc1"), Some(GO127));
        for unknown in ["go1.20.14", "go1.28.0", "go2.0", "devel +abc", "1.25.4"] {
            assert_eq!(layout(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn pcln_header_needs_magic_and_word_size() {
        assert!(is_pcln_header(&[0xf1, 0xff, 0xff, 0xff, 0, 0, 1, 8]));
        assert!(is_pcln_header(&[0xf1, 0xff, 0xff, 0xff, 0, 0, 4, 8]));
        assert!(
            !is_pcln_header(&[0xf0, 0xff, 0xff, 0xff, 0, 0, 1, 8]),
            "Go 1.18 magic"
        );
        assert!(
            !is_pcln_header(&[0xf1, 0xff, 0xff, 0xff, 0, 0, 1, 4]),
            "32-bit"
        );
        assert!(!is_pcln_header(&[
            0xf1, 0xff, 0xff, 0xff, 0x5d, 0xc3, 0xe8, 0x2a
        ]));
    }
}
