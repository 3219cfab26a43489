//! Hostile zips, written byte by byte by the tests, go through the library
//! API (read → inspect → check) and must give the right archive codes, fast
//! and with bounded memory.

mod common;

use std::path::PathBuf;

use flate2::{Compress, Compression, FlushCompress};
use std::time::{Duration, Instant};

use ekplugin_lint::diagnostic::{Diagnostic, Severity};
use ekplugin_lint::inspect::{Declared, Kind};
use ekplugin_lint::lint::{self, Options};
use ekplugin_lint::read::{self, Breach, Limits, Package};

const ZIP64_MARK: u32 = u32::MAX;

/// One entry as the test wants it to look, lies included.
#[derive(Clone)]
struct Item {
    name: Vec<u8>,
    /// Written after the local header as is.
    data: Vec<u8>,
    method: u16,
    flags: u16,
    crc: u32,
    compressed: u64,
    uncompressed: u64,
    mode: u32,
    /// A different name in the local header.
    local_name: Option<Vec<u8>>,
    /// Point the central header at another item's local header.
    same_local_as: Option<usize>,
    /// Write sizes as zip64 extra fields.
    zip64: bool,
}

fn stored(name: &str, data: &[u8]) -> Item {
    Item {
        name: name.as_bytes().to_vec(),
        data: data.to_vec(),
        method: 0,
        flags: 0,
        crc: crc32fast::hash(data),
        compressed: data.len() as u64,
        uncompressed: data.len() as u64,
        mode: 0o100_644,
        local_name: None,
        same_local_as: None,
        zip64: false,
    }
}

fn deflated(name: &str, data: &[u8]) -> Item {
    let compressed = deflate(data);
    Item {
        method: 8,
        compressed: compressed.len() as u64,
        data: compressed,
        ..stored(name, data)
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut compressor = Compress::new(Compression::default(), false);
    // Deflate's worst case is a little over the input size.
    let mut out = Vec::with_capacity(data.len() + data.len() / 100 + 1024);
    let status = compressor
        .compress_vec(data, &mut out, FlushCompress::Finish)
        .expect("deflate");
    assert_eq!(
        status,
        flate2::Status::StreamEnd,
        "the output buffer was too small"
    );
    out
}

fn u16le(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn u32le(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn size32(item: &Item, value: u64) -> u32 {
    if item.zip64 { ZIP64_MARK } else { value as u32 }
}

fn zip64_extra(item: &Item) -> Vec<u8> {
    if !item.zip64 {
        return Vec::new();
    }
    let mut extra = vec![1, 0, 16, 0];
    extra.extend_from_slice(&item.uncompressed.to_le_bytes());
    extra.extend_from_slice(&item.compressed.to_le_bytes());
    extra
}

fn build(items: &[Item], comment: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    for item in items {
        offsets.push(out.len() as u32);
        if item.same_local_as.is_some() {
            continue;
        }
        let local_name = item.local_name.as_ref().unwrap_or(&item.name);
        let extra = zip64_extra(item);
        u32le(&mut out, 0x0403_4b50);
        u16le(&mut out, 45);
        u16le(&mut out, item.flags);
        u16le(&mut out, item.method);
        u32le(&mut out, 0);
        u32le(&mut out, item.crc);
        u32le(&mut out, size32(item, item.compressed));
        u32le(&mut out, size32(item, item.uncompressed));
        u16le(&mut out, local_name.len() as u16);
        u16le(&mut out, extra.len() as u16);
        out.extend_from_slice(local_name);
        out.extend_from_slice(&extra);
        out.extend_from_slice(&item.data);
    }
    let directory_offset = out.len() as u32;
    for (item, own_offset) in items.iter().zip(&offsets) {
        let offset = item.same_local_as.map_or(*own_offset, |k| offsets[k]);
        let extra = zip64_extra(item);
        u32le(&mut out, 0x0201_4b50);
        u16le(&mut out, 3 << 8 | 45);
        u16le(&mut out, 45);
        u16le(&mut out, item.flags);
        u16le(&mut out, item.method);
        u32le(&mut out, 0);
        u32le(&mut out, item.crc);
        u32le(&mut out, size32(item, item.compressed));
        u32le(&mut out, size32(item, item.uncompressed));
        u16le(&mut out, item.name.len() as u16);
        u16le(&mut out, extra.len() as u16);
        u16le(&mut out, 0);
        u32le(&mut out, 0);
        u32le(&mut out, item.mode << 16);
        u32le(&mut out, offset);
        out.extend_from_slice(&item.name);
        out.extend_from_slice(&extra);
    }
    let directory_len = out.len() as u32 - directory_offset;
    u32le(&mut out, 0x0605_4b50);
    u32le(&mut out, 0);
    let count = items.len().min(0xffff) as u16;
    u16le(&mut out, count);
    u16le(&mut out, count);
    u32le(&mut out, directory_len);
    u32le(&mut out, directory_offset);
    u16le(&mut out, comment.len() as u16);
    out.extend_from_slice(comment);
    out
}

/// A package that should raise no archive finding.
fn clean_items() -> Vec<Item> {
    vec![
        deflated("Random@v1.0.0.so", &b"\x7fELF not really".repeat(100)),
        stored("random.json", br#"{"about": {}}"#),
        deflated("random.yaml", b"default:\n  interval: 1000\n"),
        Item {
            mode: 0o040_755,
            ..stored("etc/", b"")
        },
        stored("etc/random.conf", b"x"),
    ]
}

struct Linted {
    package: Package,
    diagnostics: Vec<Diagnostic>,
    took: Duration,
}

impl Linted {
    fn archive_codes(&self) -> Vec<&'static str> {
        let mut codes: Vec<&'static str> = self
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .filter(|code| code.starts_with('A') || code.starts_with('I'))
            .collect();
        codes.sort();
        codes.dedup();
        codes
    }

    fn has(&self, code: &str, entry: Option<&str>) -> bool {
        self.find(code, entry).is_some()
    }

    fn find(&self, code: &str, entry: Option<&str>) -> Option<&Diagnostic> {
        self.diagnostics
            .iter()
            .find(|d| d.code.as_str() == code && (entry.is_none() || d.entry.as_deref() == entry))
    }
}

fn lint_bytes(bytes: &[u8]) -> Linted {
    let dir = tempfile::tempdir().expect("temp dir");
    let path: PathBuf = dir.path().join("random.zip");
    std::fs::write(&path, bytes).expect("write zip");
    lint_path(&path)
}

fn lint_path(path: &std::path::Path) -> Linted {
    let start = Instant::now();
    let package = read::read_path(path, &Limits::default()).expect("readable file");
    let options = Options {
        declared: Declared {
            name: Some("random".into()),
            kind: Some(Kind::Source),
        },
        ..Options::default()
    };
    let diagnostics = lint::lint_package(&package, &options).diagnostics;
    let took = start.elapsed();
    assert!(took < Duration::from_secs(5), "linting took {took:?}");
    Linted {
        package,
        diagnostics,
        took,
    }
}

fn lint(items: &[Item]) -> Linted {
    lint_bytes(&build(items, b""))
}

fn with(extra: Item) -> Vec<Item> {
    let mut items = clean_items();
    items.push(extra);
    items
}

#[test]
fn a_clean_package_has_no_archive_findings() {
    let linted = lint(&clean_items());
    assert_eq!(
        linted.archive_codes(),
        Vec::<&str>::new(),
        "{:#?}",
        linted.diagnostics
    );
    let library = &linted.package.entries[0];
    assert_eq!(library.bytes().map(<[u8]>::len), Some(1500));
}

#[test]
fn truncated_garbage_and_empty_files_are_unreadable() {
    let whole = build(&clean_items(), b"");
    for bytes in [
        &whole[..whole.len() / 2],
        &whole[..whole.len() - 10],
        b"",
        &[0x5a; 4096][..],
    ] {
        let linted = lint_bytes(bytes);
        assert_eq!(
            linted.archive_codes(),
            ["A001"],
            "{:#?}",
            linted.diagnostics
        );
        assert!(linted.package.entries.is_empty());
    }
}

#[test]
fn every_spelling_of_zip_slip_is_unsafe() {
    let names: [&[u8]; 10] = [
        b"../evil.sh",
        b"etc/../../evil.sh",
        b"/etc/cron.d/evil",
        b"\\evil.sh",
        b"etc\\..\\..\\evil.sh",
        b"random\\Random.so",
        b"C:evil.sh",
        b"c:/windows/evil.sh",
        b"evil\0.so",
        b"caf\xe9.so",
    ];
    for name in names {
        let item = Item {
            name: name.to_vec(),
            ..stored("x", b"data")
        };
        let linted = lint(&with(item));
        let shown = String::from_utf8_lossy(name);
        let diagnostic = linted.find("A003", Some(shown.as_ref()));
        assert!(diagnostic.is_some(), "{shown:?}: {:#?}", linted.diagnostics);
        assert!(
            !linted.has("A002", Some(shown.as_ref())),
            "{shown:?} is not also nested"
        );
    }
}

#[test]
fn device_names_are_reported_as_skipped() {
    let linted = lint(&with(stored("NULLSink.json", b"{}")));
    let diagnostic = linted.find("A003", Some("NULLSink.json")).expect("A003");
    assert!(diagnostic.message.contains("skips"));
    assert_eq!(
        diagnostic.severity,
        Severity::Warning,
        "an ignored file is only a warning"
    );

    let items = vec![
        stored("AUXreader.so", b"lib"),
        stored("AUXreader.json", b"{}"),
    ];
    let linted = lint(&items);
    assert!(linted.has("A003", Some("AUXreader.so")));
}

#[test]
fn nested_files_and_unused_root_files() {
    let linted = lint(&with(stored("random/Random.so", b"lib")));
    assert!(linted.has("A002", Some("random/Random.so")));
    let linted = lint(&with(stored("Random.yml", b"default: {}")));
    let unused = linted.find("A009", Some("Random.yml")).expect("A009");
    assert!(unused.help.as_deref().unwrap_or("").contains("random.yaml"));
    let linted = lint(&with(stored("install.sh", b"#!/bin/sh\n")));
    assert_eq!(linted.archive_codes(), ["I001"]);
}

#[test]
fn symlinks_and_devices_are_special() {
    let link = Item {
        mode: 0o120_777,
        ..stored("random.yaml", b"/etc/shadow")
    };
    let device = Item {
        mode: 0o020_644,
        ..stored("etc/tty", b"")
    };
    let fifo = Item {
        mode: 0o010_644,
        ..stored("etc/pipe", b"")
    };
    let mut items = clean_items();
    items.remove(2);
    items.extend([link, device, fifo]);
    let linted = lint(&items);
    for entry in ["random.yaml", "etc/tty", "etc/pipe"] {
        assert!(
            linted.has("A004", Some(entry)),
            "{entry}: {:#?}",
            linted.diagnostics
        );
    }
    let yaml = linted
        .package
        .entries
        .iter()
        .find(|e| e.name == "random.yaml")
        .expect("yaml");
    assert!(
        yaml.data.is_none(),
        "a link's target is never read as the config"
    );
}

#[test]
fn duplicates_and_case_collisions() {
    let linted = lint(&with(stored("random.json", b"{\"about\": 1}")));
    let duplicate = linted.find("A005", Some("random.json")).expect("A005");
    assert_eq!(duplicate.severity, Severity::Error);
    assert_eq!(linted.package.entries.len(), 6, "both copies are listed");

    let linted = lint(&with(stored("RANDOM.json", b"{}")));
    let collision = linted.find("A005", None).expect("A005");
    assert_eq!(collision.severity, Severity::Warning);
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn deflate_bombs_are_refused_without_inflating() {
    const GIB: u64 = 1 << 30;
    let stream = common::zeros_deflated(GIB);
    let honest = Item {
        method: 8,
        crc: 0,
        compressed: stream.len() as u64,
        uncompressed: GIB,
        data: stream.clone(),
        ..stored("Random@v1.0.0.so", b"")
    };
    let mut items = clean_items();
    items[0] = honest.clone();
    let linted = lint(&items);
    assert!(
        linted.has("A006", Some("Random@v1.0.0.so")),
        "{:#?}",
        linted.diagnostics
    );

    // The same bomb declaring a modest size inflates only one byte past it.
    let liar = Item {
        uncompressed: 4 << 20,
        ..honest
    };
    items[0] = liar;
    let linted = lint(&items);
    let corrupt = linted.find("A008", Some("Random@v1.0.0.so")).expect("A008");
    assert!(corrupt.message.contains("more than its declared"));
    let rss = peak_rss_kib();
    eprintln!(
        "deflate bomb ({} compressed bytes for 1 GiB): linted in {:?}, peak RSS {rss:?} KiB",
        stream.len(),
        linted.took
    );
    if let Some(rss) = rss {
        assert!(rss < 256 * 1024, "peak RSS {rss} KiB");
    }
}

#[test]
fn overlapping_entries_are_a_bomb() {
    let payload = deflated("Random.so", &vec![7; 1 << 20]);
    let mut items = vec![payload.clone()];
    for _ in 0..2000 {
        items.push(Item {
            same_local_as: Some(0),
            ..payload.clone()
        });
    }
    let linted = lint(&items);
    assert!(linted.has("A006", Some("Random.so")));
    assert!(linted.has("A005", Some("Random.so")));
    assert!(linted.package.entries.iter().all(|e| e.bytes().is_none()));

    // With their own names, the local header disagrees too, but the bomb
    // is what gets reported.
    let mut items = vec![payload.clone()];
    for index in 0..100 {
        let name = format!("copy{index}.json").into_bytes();
        items.push(Item {
            name,
            same_local_as: Some(0),
            ..payload.clone()
        });
    }
    let linted = lint(&items);
    assert!(linted.has("A006", Some("Random.so")));
    assert!(linted.has("A006", Some("copy7.json")));
}

#[test]
fn zip64_size_lies() {
    let huge = Item {
        zip64: true,
        uncompressed: 1 << 40,
        ..stored("random.yaml", b"default: {}\n")
    };
    let mut items = clean_items();
    items[2] = huge;
    let linted = lint(&items);
    assert!(
        linted.has("A006", Some("random.yaml")),
        "{:#?}",
        linted.diagnostics
    );
    assert!(
        linted.package.over_limit.is_some(),
        "the total is over the limit too"
    );

    let past_end = Item {
        zip64: true,
        compressed: 1 << 33,
        ..stored("random.json", b"{}")
    };
    let mut items = clean_items();
    items[1] = past_end;
    let linted = lint(&items);
    let corrupt = linted.find("A008", Some("random.json")).expect("A008");
    assert!(corrupt.message.contains("past the end"));
}

#[test]
fn local_header_that_disagrees_with_the_central_one() {
    let item = Item {
        local_name: Some(b"evil.json".to_vec()),
        ..stored("random.json", b"{}")
    };
    let mut items = clean_items();
    items[1] = item;
    let linted = lint(&items);
    let corrupt = linted.find("A008", Some("random.json")).expect("A008");
    assert!(corrupt.message.contains("evil.json"));

    let longer = Item {
        local_name: Some(b"etc/random.conf.bak".to_vec()),
        ..stored("etc/random.conf", b"x")
    };
    let mut items = clean_items();
    items[4] = longer;
    assert!(
        lint(&items).has("A008", Some("etc/random.conf")),
        "checked for every entry"
    );
}

#[test]
fn crc_mismatch_is_corrupt() {
    let mut items = clean_items();
    items[0].crc ^= 1;
    let linted = lint(&items);
    let corrupt = linted.find("A008", Some("Random@v1.0.0.so")).expect("A008");
    assert!(corrupt.message.contains("CRC-32"));
}

#[test]
fn encrypted_entries() {
    let mut items = clean_items();
    items[1].flags |= 1;
    let linted = lint(&items);
    assert!(linted.has("A007", Some("random.json")));
    assert!(linted.package.entries[1].bytes().is_none(), "never read");
}

#[test]
fn methods_go_cannot_read() {
    for (method, word) in [(12, "bzip2"), (93, "Zstandard"), (14, "LZMA")] {
        let mut items = clean_items();
        items[2].method = method;
        let linted = lint(&items);
        let diagnostic = linted.find("A010", Some("random.yaml")).expect("A010");
        assert!(diagnostic.message.contains(word), "{}", diagnostic.message);
        assert!(
            !linted.has("A008", None),
            "a method mismatch is not corruption"
        );
    }
}

#[test]
fn comments_of_every_length() {
    let longest = vec![b'#'; usize::from(u16::MAX)];
    let linted = lint_bytes(&build(&clean_items(), &longest));
    assert_eq!(linted.archive_codes(), Vec::<&str>::new());

    let mut bytes = build(&clean_items(), b"short");
    let length_at = bytes.len() - 5 - 2;
    bytes[length_at..length_at + 2].copy_from_slice(&u16::MAX.to_le_bytes());
    let linted = lint_bytes(&bytes);
    assert_eq!(linted.archive_codes(), ["A001"]);
}

#[test]
fn entry_count_flood() {
    let flood: Vec<Item> = (0..30_000)
        .map(|i| stored(&format!("etc/{i}"), b""))
        .collect();
    let linted = lint(&flood);
    assert!(matches!(
        linted.package.over_limit,
        Some(Breach::Entries { .. })
    ));
    assert_eq!(
        linted.package.entries.len() as u64,
        Limits::default().max_entries
    );
    assert!(linted.has("A006", None));
}
