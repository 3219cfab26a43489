//! Export type decoding from the runtime's module data. The first byte
//! picks the Go release whose layout is assumed; the rest is the library.
#![no_main]

use ekplugin_lint::inspect::gotypes;
use libfuzzer_sys::fuzz_target;

const RELEASES: [&str; 7] = [
    "go1.25.4", "go1.24.11", "go1.23.0", "go1.22.0", "go1.21.0", "go1.26.6", "go1.27.3",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, library)) = data.split_first() else {
        return;
    };
    let release = RELEASES[usize::from(pick) % RELEASES.len()];
    let _ = gotypes::export_types(library, release);
});
