//! Hostile zips, written byte by byte by the tests, go through the library
//! API (read → inspect → check) and must give the right archive codes, fast
//! and with bounded memory.

mod common;

use std::path::PathBuf;

use flate2::{Compress, Compression, FlushCompress};
use std::time::Duration;

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
    build_with_layout(items, comment).0
}

/// Where [`build`] put each header, so a case can patch fields afterwards.
struct Layout {
    local: Vec<usize>,
    central: Vec<usize>,
    end: usize,
}

fn build_with_layout(items: &[Item], comment: &[u8]) -> (Vec<u8>, Layout) {
    let mut out = Vec::new();
    let mut offsets = Vec::new();
    let mut central = Vec::new();
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
        central.push(out.len());
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
    let end = out.len();
    u32le(&mut out, 0x0605_4b50);
    u32le(&mut out, 0);
    let count = items.len().min(0xffff) as u16;
    u16le(&mut out, count);
    u16le(&mut out, count);
    u32le(&mut out, directory_len);
    u32le(&mut out, directory_offset);
    u16le(&mut out, comment.len() as u16);
    out.extend_from_slice(comment);
    let local = offsets.iter().map(|&offset| offset as usize).collect();
    (
        out,
        Layout {
            local,
            central,
            end,
        },
    )
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
    let options = Options {
        declared: Declared {
            name: Some("random".into()),
            kind: Some(Kind::Source),
        },
        ..Options::default()
    };
    let ((package, diagnostics), took) = common::cpu_time::measure(|| {
        let package = read::read_path(path, &Limits::default()).expect("readable file");
        let diagnostics = lint::lint_package(&package, &options).diagnostics;
        (package, diagnostics)
    });
    assert!(
        took < Duration::from_secs(5),
        "linting took {took:?} of CPU"
    );
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
        "deflate bomb ({} compressed bytes for 1 GiB): linted in {:?} of CPU, peak RSS {rss:?} KiB",
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

// ------------------------------------------------- Go archive/zip agreement

/// Limits that never stop a differential case: only the reading rules are
/// compared.
fn unlimited() -> Limits {
    Limits {
        max_entries: u64::MAX,
        max_entry_size: u64::MAX,
        max_descriptor_size: u64::MAX,
        max_config_size: u64::MAX,
        max_kept_size: u64::MAX,
        max_total_size: u64::MAX,
        max_ratio: u64::MAX,
    }
}

fn put_u16(bytes: &mut [u8], at: usize, value: u16) {
    bytes[at..at + 2].copy_from_slice(&value.to_le_bytes());
}

fn put_u32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn get_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

/// A small package with every kind of entry the installer extracts.
fn package_items() -> Vec<Item> {
    vec![
        deflated("Random@v1.0.0.so", &b"\x7fELF not really".repeat(100)),
        stored("random.json", br#"{"about": {}}"#),
        deflated("random.yaml", b"default:\n  interval: 1000\n"),
        Item {
            mode: 0o040_755,
            ..stored("etc/", b"")
        },
        deflated("etc/random.conf", &b"key = value\n".repeat(20)),
        stored("install.sh", b"#!/bin/sh\necho installed\n"),
        deflated("README.md", &b"# random\n".repeat(30)),
    ]
}

fn package() -> Vec<u8> {
    build(&package_items(), b"")
}

/// `items` with item `index` changed by `edit`.
fn edited(index: usize, edit: impl FnOnce(&mut Item)) -> Vec<u8> {
    let mut items = package_items();
    edit(&mut items[index]);
    build(&items, b"")
}

/// The package with its end record's central directory offset moved.
fn end_offset_moved(delta: i64) -> Vec<u8> {
    let (mut bytes, layout) = build_with_layout(&package_items(), b"");
    let at = layout.end + 16;
    let offset = i64::from(get_u32(&bytes, at)) + delta;
    put_u32(&mut bytes, at, offset as u32);
    bytes
}

/// The package behind a shell stub; with `absolute`, every offset counts
/// from the start of the file (as `zip -A` leaves them).
fn prefixed(absolute: bool) -> Vec<u8> {
    let stub = b"#!/bin/sh\nexec unzip \"$0\"\n";
    let (mut bytes, layout) = build_with_layout(&package_items(), b"");
    if absolute {
        for central in &layout.central {
            let at = central + 42;
            let offset = get_u32(&bytes, at) + stub.len() as u32;
            put_u32(&mut bytes, at, offset);
        }
        let at = layout.end + 16;
        let offset = get_u32(&bytes, at) + stub.len() as u32;
        put_u32(&mut bytes, at, offset);
    }
    [&stub[..], &bytes].concat()
}

/// A central directory of exactly 0xffff bytes, which makes Go (and us)
/// look for a zip64 locator, and a locator pointing at `offset`.
fn zip64_locator_at(offset: impl Fn(usize) -> u64) -> Vec<u8> {
    let padded = |pad: usize| {
        let mut items = package_items();
        items.push(stored(&format!("etc/{}", "p".repeat(pad)), b""));
        build_with_layout(&items, b"")
    };
    let (bytes, layout) = padded(0);
    let directory = get_u32(&bytes, layout.end + 12) as usize;
    let (bytes, layout) = padded(0xffff - directory);
    assert_eq!(get_u32(&bytes, layout.end + 12), 0xffff);
    let mut locator = Vec::new();
    u32le(&mut locator, 0x0706_4b50);
    u32le(&mut locator, 0);
    locator.extend_from_slice(&offset(bytes.len() + 20).to_le_bytes());
    u32le(&mut locator, 1);
    [&bytes[..layout.end], &locator, &bytes[layout.end..]].concat()
}

/// The last entry (deflated, with a data descriptor) made to end where the
/// file ends but `short` bytes: its compressed size covers the central
/// directory (Go's inflater stops at the end of the stream), and the
/// descriptor is what the end record's comment holds.
fn descriptor_at_end(descriptor: &[u8]) -> Vec<u8> {
    let mut items = package_items();
    let last = items.len() - 1;
    items[last].flags |= 8;
    let (mut bytes, layout) = build_with_layout(&items, descriptor);
    let name_len = items[last].name.len();
    let data_start = layout.local[last] + 30 + name_len;
    let compressed = (bytes.len() - descriptor.len() - data_start) as u32;
    put_u32(&mut bytes, layout.local[last] + 18, compressed);
    put_u32(&mut bytes, layout.central[last] + 20, compressed);
    bytes
}

fn descriptor_bytes(crc: u32, signed: bool, len: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    if signed {
        u32le(&mut bytes, 0x0807_4b50);
    }
    u32le(&mut bytes, crc);
    bytes.extend_from_slice(&[0; 16]);
    bytes.truncate(len);
    bytes
}

/// The library's central header says "made by" `creator` with external
/// attributes `attributes`.
fn library_attributes(creator: u8, attributes: u32) -> Vec<u8> {
    let (mut bytes, layout) = build_with_layout(&package_items(), b"");
    bytes[layout.central[0] + 5] = creator;
    put_u32(&mut bytes, layout.central[0] + 38, attributes);
    bytes
}

/// Every differential case: a name (its file name when recorded) and the
/// zip. Regenerated the same way every time: the recorded verdicts carry
/// each zip's CRC-32 and size, so a change here is caught.
fn differential_cases() -> Vec<(&'static str, Vec<u8>)> {
    let readme = 6;
    let library_crc = package_items()[0].crc;
    vec![
        ("clean", package()),
        ("empty", build(&[], b"")),
        ("prefix-relative-offsets", prefixed(false)),
        ("prefix-absolute-offsets", prefixed(true)),
        ("end-offset-plus-one", end_offset_moved(1)),
        ("end-offset-minus-one", end_offset_moved(-1)),
        (
            "zip64-locator-past-2p63",
            zip64_locator_at(|_| (1 << 63) + 5),
        ),
        ("zip64-locator-at-garbage", zip64_locator_at(|_| 0)),
        (
            "zip64-locator-past-end",
            zip64_locator_at(|size| size as u64 + 100),
        ),
        ("descriptor-signed-complete", {
            let crc = package_items()[readme].crc;
            descriptor_at_end(&descriptor_bytes(crc, true, 16))
        }),
        ("descriptor-signed-8-of-16", {
            let crc = package_items()[readme].crc;
            descriptor_at_end(&descriptor_bytes(crc, true, 8))
        }),
        ("descriptor-unsigned-complete", {
            let crc = package_items()[readme].crc;
            descriptor_at_end(&descriptor_bytes(crc, false, 12))
        }),
        ("descriptor-unsigned-8-of-12", {
            let crc = package_items()[readme].crc;
            descriptor_at_end(&descriptor_bytes(crc, false, 8))
        }),
        ("descriptor-crc-differs", {
            let crc = package_items()[readme].crc ^ 1;
            descriptor_at_end(&descriptor_bytes(crc, true, 16))
        }),
        ("deflate-past-eof-stream-complete", {
            let (mut bytes, layout) = build_with_layout(&package_items(), b"");
            let central = layout.central[readme];
            let compressed = get_u32(&bytes, central + 20) + bytes.len() as u32;
            put_u32(&mut bytes, central + 20, compressed);
            bytes
        }),
        ("deflate-trailing-garbage", {
            edited(readme, |item| {
                item.data.extend_from_slice(b"garbage after the stream");
                item.compressed = item.data.len() as u64;
            })
        }),
        ("deflate-cut-short", {
            edited(readme, |item| {
                item.data.truncate(item.data.len() / 2);
                item.compressed = item.data.len() as u64;
            })
        }),
        (
            "library-unix-directory-mode",
            edited(0, |item| item.mode = 0o040_755),
        ),
        ("library-dos-directory", library_attributes(0, 0x10)),
        ("library-ntfs-directory", library_attributes(11, 0x10)),
        ("library-vfat-directory", library_attributes(14, 0x10)),
        (
            "library-unix-file-dos-directory-bit",
            library_attributes(3, 0o100_644 << 16 | 0x10),
        ),
        (
            "library-macos-directory-mode",
            library_attributes(19, 0o040_755 << 16),
        ),
        (
            "library-other-creator-directory-bit",
            library_attributes(10, 0x10),
        ),
        (
            "config-unix-directory-mode",
            edited(2, |item| item.mode = 0o040_755),
        ),
        ("etc-bad-crc", edited(4, |item| item.crc ^= 1)),
        ("install-sh-bad-crc", edited(5, |item| item.crc ^= 1)),
        (
            "install-sh-size-short",
            edited(5, |item| item.uncompressed += 1),
        ),
        (
            "readme-bad-deflate",
            edited(readme, |item| item.data[0] = 0xff),
        ),
        (
            "readme-size-lie",
            edited(readme, |item| item.uncompressed -= 1),
        ),
        (
            "readme-size-long",
            edited(readme, |item| item.uncompressed += 1),
        ),
        ("readme-crc-zero", edited(readme, |item| item.crc = 0)),
        (
            "readme-descriptor-flag-no-descriptor",
            edited(readme, |item| item.flags |= 8),
        ),
        (
            "stored-sizes-differ",
            edited(1, |item| item.compressed += 1),
        ),
        (
            "library-crc-differs",
            edited(0, |item| item.crc = library_crc ^ 0x8000),
        ),
        ("unsupported-method", edited(4, |item| item.method = 12)),
        (
            "directory-entry-with-size",
            edited(3, |item| item.uncompressed = 5),
        ),
        ("no-local-header", {
            let (mut bytes, layout) = build_with_layout(&package_items(), b"");
            let at = layout.central[4] + 42;
            let offset = get_u32(&bytes, at) + 1;
            put_u32(&mut bytes, at, offset);
            bytes
        }),
        ("comment-truncated", {
            let mut bytes = build(&package_items(), b"comment");
            bytes.truncate(bytes.len() - 3);
            bytes
        }),
        ("directory-runs-to-end-of-file", {
            // The last central header's comment covers the end record.
            let (mut bytes, layout) = build_with_layout(&package_items(), b"");
            let last = *layout.central.last().expect("headers");
            put_u16(&mut bytes, last + 32, 22);
            bytes
        }),
        ("count-too-high", {
            let (mut bytes, layout) = build_with_layout(&package_items(), b"");
            put_u16(&mut bytes, layout.end + 10, 8);
            put_u16(&mut bytes, layout.end + 8, 8);
            bytes
        }),
    ]
}

/// What Go's archive/zip said about one zip, as recorded by
/// fixtures/zipreader.
#[derive(Debug, serde::Deserialize)]
struct GoVerdict {
    crc32: u32,
    size: u64,
    #[serde(default)]
    error: Option<String>,
    entries: Vec<GoEntry>,
}

#[derive(Debug, serde::Deserialize)]
struct GoEntry {
    name: String,
    dir: bool,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct GoRecord {
    go: String,
    cases: std::collections::BTreeMap<String, GoVerdict>,
}

/// Our reader's view in Go's terms: whether the archive opens, and per
/// entry whether it is a directory and whether extracting it fails.
fn our_view(package: &Package) -> (bool, Vec<(String, bool, bool)>) {
    let entries = package
        .entries
        .iter()
        .map(|entry| {
            let directory = entry.kind == read::EntryKind::Directory;
            let fails = matches!(entry.data, Some(Err(_)))
                || matches!(entry.method, read::Method::Other(_))
                || entry.encrypted;
            (entry.name.clone(), directory, !directory && fails)
        })
        .collect();
    (package.unreadable.is_some(), entries)
}

/// Writes the differential cases into `$ZIPREADER_CASES` (to record Go's
/// verdicts, see fixtures/zipreader/README.md); does nothing otherwise.
#[test]
fn write_differential_cases_when_asked() {
    let Some(dir) = std::env::var_os("ZIPREADER_CASES") else {
        return;
    };
    std::fs::create_dir_all(&dir).expect("cases folder");
    for (name, bytes) in differential_cases() {
        let path = std::path::Path::new(&dir).join(format!("{name}.zip"));
        std::fs::write(path, bytes).expect("write a case");
    }
}

#[test]
fn reads_every_case_as_go_archive_zip_does() {
    let recorded = std::fs::read_to_string(common::fixture("zipreader/verdicts.json"))
        .expect("fixtures/zipreader/verdicts.json");
    let record: GoRecord = serde_json::from_str(&recorded).expect("verdicts");
    assert_eq!(record.go, "go1.25.4", "recorded with eKuiper's Go release");
    let cases = differential_cases();
    let names: Vec<&str> = cases.iter().map(|(name, _)| *name).collect();
    let recorded_names: Vec<&str> = record.cases.keys().map(String::as_str).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, recorded_names, "record the verdicts again");
    let mut disagreements = Vec::new();
    for (name, bytes) in &cases {
        let go = &record.cases[*name];
        assert_eq!(
            (go.crc32, go.size),
            (crc32fast::hash(bytes), bytes.len() as u64),
            "{name}: the generator changed; record the verdicts again"
        );
        let package = read::read_zip_bytes(std::path::Path::new(name), bytes, &unlimited())
            .expect("in memory");
        let (unreadable, entries) = our_view(&package);
        let go_entries: Vec<(String, bool, bool)> = go
            .entries
            .iter()
            .map(|e| (e.name.clone(), e.dir, e.error.is_some()))
            .collect();
        if unreadable != go.error.is_some() || (!unreadable && entries != go_entries) {
            disagreements.push(format!(
                "{name}: Go {:?} {go_entries:?}\n  we {:?} {entries:?}",
                go.error, package.unreadable
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
