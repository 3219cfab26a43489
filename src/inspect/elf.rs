//! Reads the ELF image of a plugin library into [`GoPlugin`] facts (goblin).

use super::library::{GoPlugin, NotElf};

pub fn inspect_library(_bytes: &[u8]) -> Result<GoPlugin, NotElf> {
    Err(NotElf("not implemented yet".into()))
}
