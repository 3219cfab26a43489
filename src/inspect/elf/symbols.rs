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

use std::collections::BTreeMap;

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
        if table
            .iter()
            .any(|symbol| names.get(symbol.st_name..).is_none())
        {
            return Err(not_elf(
                "a dynamic symbol's name lies outside the string table",
            ));
        }
        Ok(DynamicSymbols { table, names })
    }

    fn defined(&self) -> impl Iterator<Item = (usize, sym::Sym)> + '_ {
        self.table
            .iter()
            .enumerate()
            .filter(|(_, symbol)| symbol.st_shndx != section_header::SHN_UNDEF as usize)
    }

    fn starts_with(&self, symbol: &sym::Sym, prefix: &str) -> bool {
        self.names
            .get(symbol.st_name..)
            .is_some_and(|name| name.starts_with(prefix.as_bytes()))
    }

    /// Whether a defined symbol's name starts with `prefix`.
    pub fn any_with_prefix(&self, prefix: &str) -> bool {
        self.defined()
            .any(|(_, symbol)| self.starts_with(&symbol, prefix))
    }

    /// The defined symbols whose UTF-8 name starts with `prefix`, in table
    /// order; of several symbols sharing one name offset, the first.
    pub fn with_prefix(&self, prefix: &str) -> Result<Vec<DynSym<'a>>, NotElf> {
        let mut by_offset: BTreeMap<usize, (usize, sym::Sym)> = BTreeMap::new();
        for (index, symbol) in self.defined() {
            if self.starts_with(&symbol, prefix) {
                by_offset.entry(symbol.st_name).or_insert((index, symbol));
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
