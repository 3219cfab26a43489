//! The dynamic symbol table and its names, read lazily and borrowed.
//!
//! A large plugin has tens of thousands of dynamic symbols and each pass
//! keeps a few, so names are only resolved for the symbols whose name
//! starts with what a pass looks for, once per distinct name offset, and
//! borrowed from the string table. A crafted file can point every symbol
//! at one unterminated string, or at overlapping suffixes of it: finding
//! the names' ends takes one sweep of the table, and names whose lengths
//! add up to more than the table itself (which a linker never writes) are
//! refused before anything is copied.

use std::collections::{BTreeMap, btree_map};

use goblin::elf::section_header;
use goblin::elf::sym::{self, Symtab};

use super::not_elf;
use crate::inspect::library::NotElf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SymKind {
    Function,
    Object,
    Other,
}

/// The dynamic symbol table, with every name offset checked to lie in the
/// string table.
#[derive(Default)]
pub(super) struct DynamicSymbols<'a> {
    table: Symtab<'a>,
    names: &'a [u8],
    /// The defined symbols' name offsets and table indices, decoded once:
    /// each pass over the names (four or five per library, tens of
    /// thousands of symbols) then parses no symbol it does not keep.
    defined: Vec<(u32, u32)>,
}

/// A defined dynamic symbol, its name borrowed from the string table.
pub(super) struct DynSym<'a> {
    pub name: &'a str,
    pub kind: SymKind,
    pub address: u64,
    pub size: u64,
}

impl<'a> DynamicSymbols<'a> {
    pub fn new(table: Symtab<'a>, names: &'a [u8]) -> Result<DynamicSymbols<'a>, NotElf> {
        let outside = || not_elf("a dynamic symbol's name lies outside the string table");
        let mut defined = Vec::new();
        for (index, symbol) in table.iter().enumerate() {
            if names.get(symbol.st_name..).is_none() {
                return Err(outside());
            }
            if symbol.st_shndx != section_header::SHN_UNDEF as usize {
                let name = u32::try_from(symbol.st_name).map_err(|_| outside())?;
                let index = u32::try_from(index).map_err(|_| outside())?;
                defined.push((name, index));
            }
        }
        Ok(DynamicSymbols {
            table,
            names,
            defined,
        })
    }

    /// The defined symbols' name offsets and indices whose name starts
    /// with `prefix`.
    fn matching<'s>(&'s self, prefix: &'s str) -> impl Iterator<Item = (usize, usize)> + 's {
        let (first, rest) = prefix.as_bytes().split_first().unwrap_or((&0, &[]));
        let empty = prefix.is_empty();
        self.defined
            .iter()
            .map(|&(name, index)| (name as usize, index as usize))
            .filter(move |&(name, _)| {
                // The first byte alone turns away most names, without a
                // call to compare the rest.
                empty
                    || self.names.get(name) == Some(first)
                        && self
                            .names
                            .get(name + 1..)
                            .is_some_and(|tail| tail.starts_with(rest))
            })
    }

    /// Whether a defined symbol's name starts with `prefix`.
    pub fn any_with_prefix(&self, prefix: &str) -> bool {
        self.matching(prefix).next().is_some()
    }

    /// The defined symbols whose UTF-8 name starts with `prefix`, in table
    /// order; of several symbols sharing one name offset, the first.
    pub fn with_prefix(&self, prefix: &str) -> Result<Vec<DynSym<'a>>, NotElf> {
        let mut by_offset: BTreeMap<usize, (usize, sym::Sym)> = BTreeMap::new();
        for (offset, index) in self.matching(prefix) {
            if let btree_map::Entry::Vacant(slot) = by_offset.entry(offset)
                && let Some(symbol) = self.table.get(index)
            {
                slot.insert((index, symbol));
            }
        }
        let names = names_at(self.names, by_offset.keys().copied())?;
        let mut found: Vec<(usize, DynSym<'a>)> = by_offset
            .into_iter()
            .filter_map(|(offset, (index, symbol))| {
                let name = std::str::from_utf8(names.get(&offset)?).ok()?;
                Some((index, DynSym::new(name, &symbol)))
            })
            .collect();
        found.sort_by_key(|(index, _)| *index);
        Ok(found.into_iter().map(|(_, symbol)| symbol).collect())
    }

    /// The value of the symbol at `index` when it is defined here (an
    /// undefined one is bound in another module).
    pub fn defined_value(&self, index: usize) -> Option<u64> {
        let symbol = self.table.get(index)?;
        (symbol.st_shndx != section_header::SHN_UNDEF as usize).then_some(symbol.st_value)
    }
}

impl<'a> DynSym<'a> {
    fn new(name: &'a str, symbol: &sym::Sym) -> DynSym<'a> {
        let kind = match symbol.st_type() {
            sym::STT_FUNC => SymKind::Function,
            sym::STT_OBJECT => SymKind::Object,
            _ => SymKind::Other,
        };
        DynSym {
            name,
            kind,
            address: symbol.st_value,
            size: symbol.st_size,
        }
    }
}

/// The NUL-terminated strings of `table` at `offsets` (ascending, each in
/// the table), borrowed. One sweep finds every end: the end found for one
/// offset is also the end of every later offset before it. Distinct names
/// longer in total than the table overlap, which only a crafted file does.
pub(super) fn names_at(
    table: &[u8],
    offsets: impl Iterator<Item = usize>,
) -> Result<BTreeMap<usize, &[u8]>, NotElf> {
    let mut names = BTreeMap::new();
    let mut end = 0;
    let mut total = 0usize;
    for offset in offsets {
        let Some(rest) = table.get(offset..) else {
            continue;
        };
        if end <= offset {
            end = offset
                + rest
                    .iter()
                    .position(|&byte| byte == 0)
                    .unwrap_or(rest.len());
        }
        let name = &table[offset..end];
        total = total.saturating_add(name.len());
        if total > table.len() {
            return Err(not_elf(format!(
                "the dynamic string table ({} bytes) is read as overlapping names longer in total than itself",
                table.len()
            )));
        }
        names.insert(offset, name);
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_end_at_the_next_nul() {
        let table = b"\0abc\0de\0f";
        let names = names_at(table, [1, 2, 5, 8].into_iter()).unwrap();
        assert_eq!(names[&1], b"abc");
        assert_eq!(names[&2], b"bc");
        assert_eq!(names[&5], b"de");
        assert_eq!(names[&8], b"f", "the last name may run to the end");
    }

    #[test]
    fn overlapping_names_longer_than_the_table_are_refused() {
        let table = b"go:itab.go:itab.go:itab.go:itab.";
        let starts = (0..table.len()).step_by(8);
        assert!(names_at(table, starts).is_err());
        assert!(names_at(table, [0].into_iter()).is_ok(), "one name is fine");
    }
}
