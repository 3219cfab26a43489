//! ELF and Go symbol inspection of a library's bytes.
#![no_main]

use ekplugin_lint::inspect::elf;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = elf::inspect_library(data);
});
