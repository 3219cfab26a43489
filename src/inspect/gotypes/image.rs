//! The plugin's memory image as the dynamic loader would build it: bytes by
//! virtual address, with the pointer words that `.rela.dyn` fills in at load
//! time already applied. Go writes most pointers of a plugin's module data
//! and type descriptors through such relocations, so reading the file alone
//! would often see zeros.

use goblin::elf::Elf;
use goblin::elf::header::{EM_AARCH64, EM_X86_64};
use goblin::elf::program_header::PT_LOAD;

const R_X86_64_64: u32 = 1;
const R_X86_64_RELATIVE: u32 = 8;
const R_AARCH64_ABS64: u32 = 257;
const R_AARCH64_RELATIVE: u32 = 1027;

/// One `PT_LOAD` segment: where its bytes sit in the file and in memory.
#[derive(Debug, Clone, Copy)]
pub struct Segment {
    pub vaddr: u64,
    pub offset: u64,
    pub filesz: u64,
    pub memsz: u64,
    pub writable: bool,
}

impl Segment {
    fn contains(&self, vaddr: u64) -> bool {
        vaddr >= self.vaddr && vaddr - self.vaddr < self.memsz
    }
}

/// A 64-bit little-endian ELF image (amd64 or arm64).
#[derive(Debug)]
pub struct Image<'a> {
    bytes: &'a [u8],
    pub segments: Vec<Segment>,
    /// `(address, value)` of every word a relocation sets, sorted by address.
    relocated: Vec<(u64, u64)>,
}

impl<'a> Image<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Image<'a>, String> {
        let elf = Elf::parse(bytes).map_err(|error| format!("not a readable ELF file: {error}"))?;
        if !elf.is_64 || !elf.little_endian {
            return Err("only 64-bit little-endian libraries are decoded".into());
        }
        let (absolute, relative) = match elf.header.e_machine {
            EM_X86_64 => (R_X86_64_64, R_X86_64_RELATIVE),
            EM_AARCH64 => (R_AARCH64_ABS64, R_AARCH64_RELATIVE),
            machine => {
                return Err(format!(
                    "machine {machine} is not decoded (amd64 and arm64 are)"
                ));
            }
        };
        let segments = elf
            .program_headers
            .iter()
            .filter(|header| header.p_type == PT_LOAD)
            .map(|header| Segment {
                vaddr: header.p_vaddr,
                offset: header.p_offset,
                filesz: header.p_filesz.min(header.p_memsz),
                memsz: header.p_memsz,
                writable: header.p_flags & goblin::elf::program_header::PF_W != 0,
            })
            .collect();
        let mut relocated: Vec<(u64, u64)> = elf
            .dynrelas
            .iter()
            .filter_map(|reloc| {
                let addend = reloc.r_addend.unwrap_or(0);
                let value = if reloc.r_type == relative {
                    addend as u64
                } else if reloc.r_type == absolute {
                    let symbol = elf.dynsyms.get(reloc.r_sym)?;
                    // An undefined symbol is bound in another module: its
                    // address is not in this file.
                    if symbol.st_shndx == 0 {
                        return None;
                    }
                    symbol.st_value.wrapping_add(addend as u64)
                } else {
                    return None;
                };
                Some((reloc.r_offset, value))
            })
            .collect();
        relocated.sort_unstable_by_key(|&(address, _)| address);
        Ok(Image {
            bytes,
            segments,
            relocated,
        })
    }

    /// An image from raw parts, for decoder tests.
    #[cfg(test)]
    pub fn from_parts(
        bytes: &'a [u8],
        segments: Vec<Segment>,
        relocated: Vec<(u64, u64)>,
    ) -> Image<'a> {
        Image {
            bytes,
            segments,
            relocated,
        }
    }

    pub fn file_len(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// `len` bytes at `vaddr` as the file holds them; bytes past a segment's
    /// file size (its `.bss`) are not available.
    pub fn slice(&self, vaddr: u64, len: u64) -> Option<&'a [u8]> {
        let segment = self.segments.iter().find(|s| s.contains(vaddr))?;
        let within = vaddr - segment.vaddr;
        if within.checked_add(len)? > segment.filesz {
            return None;
        }
        let start = usize::try_from(segment.offset.checked_add(within)?).ok()?;
        let end = start.checked_add(usize::try_from(len).ok()?)?;
        self.bytes.get(start..end)
    }

    /// The pointer-sized word at `vaddr` after relocation. Zero-filled memory
    /// (`.bss`) reads as zero.
    pub fn word(&self, vaddr: u64) -> Option<u64> {
        if let Ok(index) = self
            .relocated
            .binary_search_by_key(&vaddr, |&(address, _)| address)
        {
            return self.relocated.get(index).map(|&(_, value)| value);
        }
        let segment = self.segments.iter().find(|s| s.contains(vaddr))?;
        if vaddr.checked_add(8)? > segment.vaddr.checked_add(segment.memsz)? {
            return None;
        }
        if vaddr - segment.vaddr >= segment.filesz {
            return Some(0);
        }
        self.slice(vaddr, 8).and_then(le_u64)
    }

    pub fn u32(&self, vaddr: u64) -> Option<u32> {
        self.slice(vaddr, 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
    }

    pub fn u16(&self, vaddr: u64) -> Option<u16> {
        self.slice(vaddr, 2)
            .and_then(|b| b.try_into().ok())
            .map(u16::from_le_bytes)
    }

    pub fn u8(&self, vaddr: u64) -> Option<u8> {
        self.slice(vaddr, 1).and_then(|b| b.first().copied())
    }

    /// Addresses of the words a relocation sets to `value`.
    pub fn relocated_to(&self, value: u64) -> impl Iterator<Item = u64> + '_ {
        self.relocated
            .iter()
            .filter(move |&&(_, v)| v == value)
            .map(|&(address, _)| address)
    }

    /// The file bytes of every segment, with its address, for scans.
    pub fn segment_bytes(&self) -> impl Iterator<Item = (Segment, &'a [u8])> + '_ {
        self.segments
            .iter()
            .filter_map(|s| Some((*s, self.slice(s.vaddr, s.filesz)?)))
    }
}

pub fn le_u64(bytes: &[u8]) -> Option<u64> {
    bytes.try_into().ok().map(u64::from_le_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(bytes: &[u8], relocated: Vec<(u64, u64)>) -> Image<'_> {
        Image {
            bytes,
            segments: vec![Segment {
                vaddr: 0x1000,
                offset: 0,
                filesz: bytes.len() as u64,
                memsz: bytes.len() as u64 + 16,
                writable: true,
            }],
            relocated,
        }
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
