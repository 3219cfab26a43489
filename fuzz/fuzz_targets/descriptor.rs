//! The descriptor (`NAME.json`) parser, with its spans.
#![no_main]

use ekplugin_lint::inspect::descriptor;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = descriptor::parse(text);
    }
});
