//! The whole pipeline on an in-memory package: read (all archive limits),
//! inspect, check. An I/O error from memory would mean a read past the end
//! that the bounds checks missed, so it is a finding too, and so is a
//! package keeping more bytes than the kept-bytes budget allows.
#![no_main]

use std::path::Path;

use ekplugin_lint::lint::{self, Options};
use ekplugin_lint::read::{self, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let package = read::read_zip_bytes(Path::new("fuzz.zip"), data, &limits)
        .expect("reading from memory never fails with an I/O error");
    let kept: usize = package
        .entries
        .iter()
        .map(|entry| {
            entry.raw_name.len() + entry.name.len() + entry.bytes().map_or(0, <[u8]>::len)
        })
        .sum();
    assert!(kept as u64 <= limits.max_kept_size, "kept {kept} bytes");
    let outcome = lint::lint_package(&package, &Options::default());
    if package.unreadable.is_some() {
        assert!(
            outcome
                .diagnostics
                .iter()
                .any(|d| d.code.as_str() == "A001")
        );
    }
});
