//! The source config (`NAME.yaml`) reader over saphyr-parser's events.
#![no_main]

use ekplugin_lint::inspect::config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = config::parse(text);
    }
});
