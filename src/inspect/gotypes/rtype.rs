//! Decodes Go runtime type descriptors (`internal/abi.Type` and the
//! kind-specific structures that follow it) and their names, as the Go
//! 1.21–1.25 compilers lay them out for 64-bit targets.

use super::{Method, TypeKind, TypeName};
use crate::inspect::elf::Image;
use crate::inspect::varint::uvarint;

/// `abi.Type`: size, ptrdata, hash, tflag, align, fieldAlign, kind, equal,
/// gcdata, str, ptrToThis.
const TYPE_SIZE: u64 = 48;
const TFLAG_AT: u64 = 20;
const KIND_AT: u64 = 23;
const STR_AT: u64 = 40;
const UNCOMMON_SIZE: u64 = 16;
const METHOD_SIZE: u64 = 16;
const IMETHOD_SIZE: u64 = 8;

const TFLAG_UNCOMMON: u8 = 1 << 0;
const TFLAG_EXTRA_STAR: u8 = 1 << 1;
const TFLAG_NAMED: u8 = 1 << 2;
const KIND_MASK: u8 = (1 << 5) - 1;

/// No real type has more methods or parameters; the caps keep hostile input
/// cheap.
const MAX_METHODS: u64 = 4096;
const MAX_NAME: u64 = 1 << 16;

/// The module's type section: every name and type offset is relative to
/// `types` and must land before `etypes`.
pub struct Types<'i, 'a> {
    pub image: &'i Image<'a>,
    pub types: u64,
    pub etypes: u64,
}

/// The common header of a type descriptor.
#[derive(Debug, Clone, Copy)]
struct Header {
    tflag: u8,
    kind: TypeKind,
    str_off: i32,
}

impl Types<'_, '_> {
    /// The address `types + off`, when it stays inside the type section.
    pub fn resolve(&self, off: i32) -> Option<u64> {
        let address = self.types.checked_add_signed(i64::from(off))?;
        (address >= self.types && address < self.etypes).then_some(address)
    }

    /// Decodes an `abi.Name`: a flag byte, a varint length, the bytes.
    pub fn name_at(&self, address: u64) -> Option<String> {
        if address < self.types || address >= self.etypes {
            return None;
        }
        let head = self
            .image
            .at_address(address, 11.min(self.etypes - address))?;
        let (len, used) = uvarint(head.get(1..)?)?;
        if len > MAX_NAME {
            return None;
        }
        let start = address.checked_add(1 + used as u64)?;
        if start.checked_add(len)? > self.etypes {
            return None;
        }
        let bytes = self.image.at_address(start, len)?;
        String::from_utf8(bytes.to_vec()).ok()
    }

    pub fn name(&self, off: i32) -> Option<String> {
        self.name_at(self.resolve(off)?)
    }

    fn header(&self, address: u64) -> Option<Header> {
        self.check_type(address)?;
        let kind_byte = self.image.u8(address + KIND_AT)?;
        Some(Header {
            tflag: self.image.u8(address + TFLAG_AT)?,
            kind: TypeKind::from_abi(kind_byte & KIND_MASK),
            str_off: self.image.u32(address + STR_AT)? as i32,
        })
    }

    /// Type descriptors of this module live in its type section.
    fn check_type(&self, address: u64) -> Option<()> {
        let end = address.checked_add(TYPE_SIZE)?;
        (address >= self.types && end <= self.etypes).then_some(())
    }

    /// The type's name as Go prints it, with its package path when named.
    pub fn type_name(&self, address: u64) -> Option<TypeName> {
        let header = self.header(address)?;
        let mut text = self.name(header.str_off)?;
        if header.tflag & TFLAG_EXTRA_STAR != 0 && text.starts_with('*') {
            text.remove(0);
        }
        let pkg_path = if header.tflag & TFLAG_NAMED != 0 {
            self.uncommon(address, header)
                .and_then(|uncommon| self.name(self.image.u32(uncommon)? as i32))
                .filter(|path| !path.is_empty())
        } else {
            None
        };
        Some(TypeName {
            name: text,
            pkg_path,
            kind: header.kind,
        })
    }

    pub fn kind(&self, address: u64) -> Option<TypeKind> {
        Some(self.header(address)?.kind)
    }

    /// Where the `abi.UncommonType` of the type starts, when it has one.
    fn uncommon(&self, address: u64, header: Header) -> Option<u64> {
        if header.tflag & TFLAG_UNCOMMON == 0 {
            return None;
        }
        address.checked_add(kind_size(header.kind)?)
    }

    /// The type's own methods (for a pointer type: the method set of the
    /// pointer), each with its signature when the linker kept it.
    pub fn methods(&self, address: u64) -> Option<Vec<Method>> {
        let header = self.header(address)?;
        let Some(uncommon) = self.uncommon(address, header) else {
            return Some(Vec::new());
        };
        let count = u64::from(self.image.u16(uncommon.checked_add(4)?)?);
        let moff = u64::from(self.image.u32(uncommon.checked_add(8)?)?);
        if count > MAX_METHODS {
            return None;
        }
        let start = uncommon.checked_add(moff)?;
        (0..count)
            .map(|index| {
                let at = start.checked_add(index * METHOD_SIZE)?;
                let name = self.name(self.image.u32(at)? as i32)?;
                let mtyp = self.image.u32(at.checked_add(4)?)? as i32;
                Some(self.method(name, mtyp))
            })
            .collect()
    }

    /// An unreachable method's type offset is -1: its signature is unknown.
    fn method(&self, name: String, typ: i32) -> Method {
        let signature = self
            .resolve(typ)
            .and_then(|address| self.type_name(address))
            .map(|t| t.name);
        Method { name, signature }
    }

    /// The parameter and result types of a function type, and whether the
    /// last parameter is variadic.
    pub fn func(&self, address: u64) -> Option<(Vec<u64>, Vec<u64>, bool)> {
        let header = self.header(address)?;
        if header.kind != TypeKind::Func {
            return None;
        }
        let in_count = u64::from(self.image.u16(address + TYPE_SIZE)?);
        let out_raw = self.image.u16(address + TYPE_SIZE + 2)?;
        let out_count = u64::from(out_raw & 0x7fff);
        let variadic = out_raw & 0x8000 != 0;
        let mut at = address.checked_add(kind_size(TypeKind::Func)?)?;
        if header.tflag & TFLAG_UNCOMMON != 0 {
            at = at.checked_add(UNCOMMON_SIZE)?;
        }
        let pointers = (0..in_count + out_count)
            .map(|index| self.image.word(at.checked_add(index * 8)?))
            .collect::<Option<Vec<u64>>>()?;
        let (params, results) = pointers.split_at(in_count as usize);
        Some((params.to_vec(), results.to_vec(), variadic))
    }

    /// The element type of a pointer type.
    pub fn elem(&self, address: u64) -> Option<u64> {
        let header = self.header(address)?;
        (header.kind == TypeKind::Pointer).then_some(())?;
        self.image.word(address + TYPE_SIZE)
    }

    /// The methods an interface type requires.
    pub fn interface_methods(&self, address: u64) -> Option<Vec<Method>> {
        let header = self.header(address)?;
        (header.kind == TypeKind::Interface).then_some(())?;
        let start = self.image.word(address + TYPE_SIZE + 8)?;
        let len = self.image.word(address + TYPE_SIZE + 16)?;
        if len > MAX_METHODS {
            return None;
        }
        (0..len)
            .map(|index| {
                let at = start.checked_add(index * IMETHOD_SIZE)?;
                let name = self.name(self.image.u32(at)? as i32)?;
                let typ = self.image.u32(at.checked_add(4)?)? as i32;
                Some(self.method(name, typ))
            })
            .collect()
    }
}

/// The size of the kind-specific descriptor, where `abi.UncommonType`
/// follows. Kinds whose layout changed between releases (maps) are left out.
fn kind_size(kind: TypeKind) -> Option<u64> {
    match kind {
        TypeKind::Func | TypeKind::Pointer | TypeKind::Slice => Some(TYPE_SIZE + 8),
        TypeKind::Interface | TypeKind::Struct => Some(TYPE_SIZE + 32),
        TypeKind::Array => Some(TYPE_SIZE + 24),
        TypeKind::Chan => Some(TYPE_SIZE + 16),
        TypeKind::Basic(_) => Some(TYPE_SIZE),
        TypeKind::Map | TypeKind::Invalid(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::elf::Segment;

    const BASE: u64 = 0x1000;

    /// A type section at `BASE` built by hand, as the Go linker lays it out.
    struct Section {
        bytes: Vec<u8>,
        relocated: Vec<(u64, u64)>,
    }

    impl Section {
        fn new() -> Section {
            Section {
                // Offset 0 is never a valid name or type.
                bytes: vec![0; 8],
                relocated: Vec::new(),
            }
        }

        fn align(&mut self) {
            while !self.bytes.len().is_multiple_of(8) {
                self.bytes.push(0);
            }
        }

        fn offset(&self) -> i32 {
            self.bytes.len() as i32
        }

        fn name(&mut self, text: &str) -> i32 {
            let at = self.offset();
            self.bytes.push(1);
            self.bytes.push(text.len() as u8);
            self.bytes.extend_from_slice(text.as_bytes());
            at
        }

        /// A common header; returns the type's offset.
        fn header(&mut self, kind: u8, tflag: u8, str_off: i32) -> i32 {
            self.align();
            let at = self.offset();
            self.bytes.extend_from_slice(&[0; 20]);
            self.bytes.extend_from_slice(&[tflag, 8, 8, kind]);
            self.bytes.extend_from_slice(&[0; 16]);
            self.bytes.extend_from_slice(&str_off.to_le_bytes());
            self.bytes.extend_from_slice(&0i32.to_le_bytes());
            at
        }

        /// A pointer word, filled by a relocation as in a real plugin.
        fn pointer(&mut self, target: i32) {
            let at = BASE + self.bytes.len() as u64;
            self.relocated.push((at, BASE + target as u64));
            self.bytes.extend_from_slice(&[0; 8]);
        }

        fn u16(&mut self, value: u16) {
            self.bytes.extend_from_slice(&value.to_le_bytes());
        }

        fn u32(&mut self, value: u32) {
            self.bytes.extend_from_slice(&value.to_le_bytes());
        }

        fn image(&self) -> Image<'_> {
            let len = self.bytes.len() as u64;
            let segment = Segment {
                vaddr: BASE,
                offset: 0,
                filesz: len,
                memsz: len,
                writable: false,
            };
            Image::from_parts(&self.bytes, vec![segment], self.relocated.clone())
        }
    }

    fn types<'i, 'a>(image: &'i Image<'a>, len: usize) -> Types<'i, 'a> {
        Types {
            image,
            types: BASE,
            etypes: BASE + len as u64,
        }
    }

    #[test]
    fn names_stay_inside_the_type_section() {
        let mut section = Section::new();
        let name = section.name("api.Source");
        let image = section.image();
        let types = types(&image, section.bytes.len());
        assert_eq!(types.name(name).as_deref(), Some("api.Source"));
        assert_eq!(types.name(-8), None);
        // A length running past etypes is rejected, not truncated.
        let short = Types {
            etypes: BASE + name as u64 + 5,
            ..types
        };
        assert_eq!(short.name(name), None);
    }

    #[test]
    fn func_type_lists_parameters_and_results() {
        let mut section = Section::new();
        let int_name = section.name("int");
        let func_name = section.name("*func(int) int");
        let int = section.header(2, 0, int_name);
        let func = section.header(19, TFLAG_EXTRA_STAR, func_name);
        section.u16(1);
        section.u16(1 | 0x8000);
        section.u32(0);
        section.pointer(int);
        section.pointer(int);
        let image = section.image();
        let types = types(&image, section.bytes.len());
        let address = types.resolve(func).unwrap();
        let (params, results, variadic) = types.func(address).unwrap();
        assert_eq!(params, [BASE + int as u64]);
        assert_eq!(results, [BASE + int as u64]);
        assert!(variadic);
        let name = types.type_name(address).unwrap();
        assert_eq!(name.name, "func(int) int", "the extra star is dropped");
        assert_eq!(name.kind, TypeKind::Func);
    }

    #[test]
    fn pointer_methods_and_named_interfaces_decode() {
        let mut section = Section::new();
        let api_path = section.name("example.com/api");
        let iface_name = section.name("api.Source");
        let close = section.name("Close");
        let sig_name = section.name("func() error");
        let ptr_name = section.name("*main.pulse");
        let elem_name = section.name("main.pulse");
        let signature = section.header(19, 0, sig_name);
        section.u16(0);
        section.u16(0);
        section.u32(0);
        let elem = section.header(25, TFLAG_NAMED, elem_name);
        section.bytes.extend_from_slice(&[0; 32]);
        // The interface: PkgPath name pointer, methods slice, uncommon.
        let iface = section.header(20, TFLAG_NAMED | TFLAG_UNCOMMON, iface_name);
        section.pointer(api_path);
        let methods_at = iface + 80 + 16;
        section.pointer(methods_at);
        section.bytes.extend_from_slice(&1u64.to_le_bytes());
        section.bytes.extend_from_slice(&1u64.to_le_bytes());
        section.u32(api_path as u32);
        section.u16(0);
        section.u16(0);
        section.u32(0);
        section.u32(0);
        section.u32(close as u32);
        section.u32(signature as u32);
        // *main.pulse with one method, Close, right after its uncommon part.
        let pointer = section.header(22, TFLAG_UNCOMMON, ptr_name);
        section.pointer(elem);
        section.u32(0);
        section.u16(1);
        section.u16(1);
        section.u32(16);
        section.u32(0);
        section.u32(close as u32);
        section.u32(signature as u32);
        section.u32(0);
        section.u32(0);
        let image = section.image();
        let types = types(&image, section.bytes.len());

        let iface_at = types.resolve(iface).unwrap();
        let name = types.type_name(iface_at).unwrap();
        assert_eq!(name.full_name(), "example.com/api.Source");
        let wanted = types.interface_methods(iface_at).unwrap();
        let pointer_at = types.resolve(pointer).unwrap();
        assert_eq!(types.methods(pointer_at).unwrap(), wanted);
        assert_eq!(wanted[0].signature.as_deref(), Some("func() error"));
        let elem_at = types.elem(pointer_at).unwrap();
        assert_eq!(types.type_name(elem_at).unwrap().name, "main.pulse");
        assert_eq!(types.elem(iface_at), None, "an interface has no element");
    }

    #[test]
    fn absurd_method_counts_are_refused() {
        let mut section = Section::new();
        let ptr_name = section.name("*main.x");
        let pointer = section.header(22, TFLAG_UNCOMMON, ptr_name);
        section.pointer(0);
        section.u32(0);
        section.u16(u16::MAX);
        section.u16(0);
        section.u32(16);
        section.u32(0);
        let image = section.image();
        let types = types(&image, section.bytes.len());
        assert_eq!(types.methods(types.resolve(pointer).unwrap()), None);
    }
}
