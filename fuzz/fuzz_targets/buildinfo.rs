//! The `.go.buildinfo` decoder, inline (Go 1.18+) and pointer forms. A
//! pointer is read from the input itself, taken as an image loaded at 0.
#![no_main]

use ekplugin_lint::inspect::buildinfo;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let read_pointer = |address: u64, len: u64| {
        let start = usize::try_from(address).ok()?;
        let end = start.checked_add(usize::try_from(len).ok()?)?;
        data.get(start..end).map(<[u8]>::to_vec)
    };
    let _ = buildinfo::decode(data, &read_pointer);
});
