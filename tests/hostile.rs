//! Hostile packages through the real binary, each run under the limits the
//! issue sets: its coded diagnostic, exit status 1, within 2 s of CPU time
//! and 128 MiB, and nothing written to disk.
//!
//! The binary runs with `RLIMIT_FSIZE` 0 (writing any byte to a file kills
//! it with SIGXFSZ), `RLIMIT_AS` at the memory bound (an allocation past it
//! fails and aborts), `RLIMIT_CPU` a little past the time bound (SIGXCPU),
//! no core dumps, and a generous wall clock after which it is taken to hang
//! and killed. Its CPU time and peak RSS come from `wait4`'s rusage: CPU
//! time measures the work, not the load of a shared machine. Every input is made
//! here from the real fixture `pulse.zip`; nothing hostile is committed.

mod common;

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use common::cpu_time::{self, HANG_GUARD};

/// The bound on a run's CPU time (user and system).
const CPU: Duration = Duration::from_secs(2);
/// Past this much CPU time the kernel stops the child (SIGXCPU).
const CPU_LIMIT_SECS: u64 = 4;
const MEMORY: u64 = 128 << 20;
const MEMORY_KIB: i64 = 128 * 1024;
const LIBRARY: &str = "Pulse@v1.0.0.so";
const DESCRIPTOR: &str = "pulse.json";
const CONFIG: &str = "pulse.yaml";
const FILE: &str = "package.zip";

/// One case at a time: a forked child's peak RSS starts from the test
/// process's own (`exec` keeps the high-water mark), so no other case may
/// hold its big buffers then.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

// ---------------------------------------------------------------- running

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    Code(i32),
    Signal(i32),
}

struct Run {
    exit: Exit,
    /// User and system time of the child.
    cpu: Duration,
    wall: Duration,
    peak_rss_kib: i64,
    codes: Vec<String>,
    stdout: String,
    stderr: String,
}

/// Runs in the forked child before `exec`: only async-signal-safe calls.
fn apply_limits() -> std::io::Result<()> {
    let limits = [
        (libc::RLIMIT_FSIZE, 0),
        (libc::RLIMIT_CORE, 0),
        (libc::RLIMIT_CPU, CPU_LIMIT_SECS),
        (libc::RLIMIT_AS, MEMORY),
    ];
    for (resource, value) in limits {
        let limit = libc::rlimit {
            rlim_cur: value,
            rlim_max: value,
        };
        // SAFETY: setrlimit only reads the struct we pass.
        if unsafe { libc::setrlimit(resource, &limit) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut out = Vec::new();
        let _ = pipe.read_to_end(&mut out);
        out
    })
}

/// Waits for `pid` with a deadline; returns its wait status and rusage.
fn reap(pid: libc::pid_t, deadline: Instant, label: &str) -> (i32, libc::rusage) {
    loop {
        let mut status = 0;
        // SAFETY: rusage is plain data; wait4 fills it in.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: pid is our own child, not yet reaped.
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(reaped >= 0, "{label}: wait4 failed");
        if reaped == pid {
            return (status, usage);
        }
        if Instant::now() > deadline {
            // SAFETY: the child has not been reaped, so the pid is still its.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::wait4(pid, &mut status, 0, &mut usage);
            }
            panic!("{label}: still running after {HANG_GUARD:?}; killed");
        }
        thread::sleep(Duration::from_millis(1));
    }
}

/// Lints `file` (inside `dir`) with `--format json` under the limits.
fn lint_limited(dir: &Path, file: &str, label: &str) -> Run {
    lint_limited_as(dir, file, "json", label)
}

#[expect(
    clippy::zombie_processes,
    reason = "reap() waits with wait4, which also gives the rusage"
)]
fn lint_limited_as(dir: &Path, file: &str, format: &str, label: &str) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ekplugin-lint"));
    command
        .args(["--format", format, file])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: apply_limits makes only async-signal-safe calls.
    unsafe { command.pre_exec(apply_limits) };
    let start = Instant::now();
    let mut child = command.spawn().expect("the binary starts");
    let stdout = drain(child.stdout.take().expect("stdout"));
    let stderr = drain(child.stderr.take().expect("stderr"));
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    let (status, usage) = reap(pid, start + HANG_GUARD, label);
    let wall = start.elapsed();
    let exit = if libc::WIFSIGNALED(status) {
        Exit::Signal(libc::WTERMSIG(status))
    } else {
        Exit::Code(libc::WEXITSTATUS(status))
    };
    let stdout = String::from_utf8_lossy(&stdout.join().expect("stdout")).into_owned();
    let stderr = String::from_utf8_lossy(&stderr.join().expect("stderr")).into_owned();
    Run {
        exit,
        cpu: cpu_time::of(&usage),
        wall,
        peak_rss_kib: usage.ru_maxrss,
        codes: codes(&stdout),
        stdout,
        stderr,
    }
}

fn codes(stdout: &str) -> Vec<String> {
    let Ok(document) = serde_json::from_str::<serde_json::Value>(stdout) else {
        return Vec::new();
    };
    let mut codes: Vec<String> = document["packages"][0]["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

fn signal_hint(signal: i32) -> &'static str {
    match signal {
        libc::SIGXFSZ => "it wrote to a file",
        libc::SIGABRT => "an allocation failed under the address-space limit, or a panic aborted",
        libc::SIGSEGV => "a stack overflow or a crash",
        libc::SIGXCPU => "it ran past the CPU-time limit",
        libc::SIGKILL => "killed",
        _ => "",
    }
}

/// A hostile input and every code its run must report. The input is made
/// only when the case runs, so that no other case's bytes are in memory
/// when the binary is forked (see [`ONE_AT_A_TIME`]).
struct Case {
    label: String,
    make: Box<dyn FnOnce() -> Vec<u8> + Send>,
    expect: &'static [&'static str],
    /// The exit status: 1 for a hostile package, 0 for a large but valid
    /// one that must only lint within the bounds.
    exit: i32,
}

impl Case {
    fn zip(
        label: impl Into<String>,
        make: impl FnOnce() -> Vec<u8> + Send + 'static,
        expect: &'static [&'static str],
    ) -> Case {
        Case {
            label: label.into(),
            make: Box::new(make),
            expect,
            exit: 1,
        }
    }

    /// A package that is large but fine: exit 0 within the bounds.
    fn valid(label: impl Into<String>, make: impl FnOnce() -> Vec<u8> + Send + 'static) -> Case {
        Case::zip(label, make, &[]).exits(0)
    }

    /// The same case, expected to exit with `code`.
    fn exits(self, code: i32) -> Case {
        Case { exit: code, ..self }
    }
}

/// The test process's resident anonymous memory: what a forked child
/// starts its peak RSS from.
fn own_anonymous_kib() -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("RssAnon:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Gives freed memory back to the system before a fork, so the child's
/// peak RSS is its own and not the test process's.
fn shrink_before_fork() -> i64 {
    // SAFETY: malloc_trim only returns free heap pages to the kernel.
    unsafe { libc::malloc_trim(0) };
    own_anonymous_kib()
}

/// What one case cost, for the summary line of its class.
struct Cost {
    cpu: Duration,
    peak_rss_kib: i64,
}

/// Runs one case and checks every bound; panics with the evidence.
fn check(case: Case) -> Cost {
    let _serial = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(FILE), (case.make)()).expect("write the case");
    let inherited = shrink_before_fork();
    let run = lint_limited(dir.path(), FILE, &case.label);
    let label = &case.label;
    let evidence = format!(
        "{label}: exit {:?}, {:?} of CPU ({:?} of wall time), {} KiB (test process {inherited} KiB), codes {:?}\nstdout: {}\nstderr: {}",
        run.exit,
        run.cpu,
        run.wall,
        run.peak_rss_kib,
        run.codes,
        run.stdout.chars().take(2000).collect::<String>(),
        run.stderr.chars().take(2000).collect::<String>(),
    );
    if let Exit::Signal(signal) = run.exit {
        panic!(
            "killed by signal {signal} ({}): {evidence}",
            signal_hint(signal)
        );
    }
    assert_eq!(run.exit, Exit::Code(case.exit), "{evidence}");
    for code in case.expect {
        assert!(run.codes.iter().any(|c| c == code), "no {code}: {evidence}");
    }
    assert!(run.cpu < CPU, "too slow: {evidence}");
    assert!(
        run.peak_rss_kib <= MEMORY_KIB,
        "too much memory: {evidence}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list the temp dir")
        .filter_map(|entry| entry.ok().map(|entry| entry.file_name()))
        .collect();
    assert_eq!(left, [FILE], "{label}: files appeared next to the input");
    eprintln!(
        "{label}: {:?} in {:.0?} of CPU, peak RSS {} KiB (test process {inherited} KiB)",
        run.codes, run.cpu, run.peak_rss_kib
    );
    Cost {
        cpu: run.cpu,
        peak_rss_kib: run.peak_rss_kib,
    }
}

fn check_all(class: &str, cases: impl IntoIterator<Item = Case>) {
    let mut count = 0;
    let mut slowest = Duration::ZERO;
    let mut largest = 0;
    for case in cases {
        let cost = check(case);
        count += 1;
        slowest = slowest.max(cost.cpu);
        largest = largest.max(cost.peak_rss_kib);
    }
    eprintln!(
        "{class}: {count} cases, slowest {slowest:.0?} of CPU, largest peak RSS {largest} KiB"
    );
}

// ---------------------------------------------------------------- packages

/// The real fixture's three entries.
struct Pulse {
    library: Vec<u8>,
    descriptor: Vec<u8>,
    config: Vec<u8>,
}

fn pulse() -> &'static Pulse {
    static PULSE: OnceLock<Pulse> = OnceLock::new();
    PULSE.get_or_init(|| {
        let file = std::fs::File::open(common::fixture("packages/pulse.zip")).expect("pulse.zip");
        let mut archive = zip::ZipArchive::new(file).expect("a zip");
        let mut read = |name: &str| {
            let mut bytes = Vec::new();
            archive
                .by_name(name)
                .expect(name)
                .read_to_end(&mut bytes)
                .expect(name);
            bytes
        };
        Pulse {
            library: read(LIBRARY),
            descriptor: read(DESCRIPTOR),
            config: read(CONFIG),
        }
    })
}

/// One zip entry, written as given: sizes and CRC may lie.
#[derive(Clone)]
struct Member {
    name: String,
    method: u16,
    crc: u32,
    data: Vec<u8>,
    uncompressed: u32,
}

fn stored(name: &str, data: &[u8]) -> Member {
    Member {
        name: name.into(),
        method: 0,
        crc: crc32fast::hash(data),
        data: data.to_vec(),
        uncompressed: u32::try_from(data.len()).expect("under 4 GiB"),
    }
}

fn zip_of(members: &[Member]) -> Vec<u8> {
    fn u16le(out: &mut Vec<u8>, value: usize) {
        out.extend_from_slice(&u16::try_from(value).expect("u16").to_le_bytes());
    }
    fn u32le(out: &mut Vec<u8>, value: usize) {
        out.extend_from_slice(&u32::try_from(value).expect("u32").to_le_bytes());
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for member in members {
        let offset = out.len();
        for (header, signature) in [(&mut out, 0x0403_4b50), (&mut central, 0x0201_4b50)] {
            u32le(header, signature);
            if signature == 0x0201_4b50 {
                u16le(header, 3 << 8 | 20);
            }
            u16le(header, 20);
            u16le(header, 0);
            u16le(header, usize::from(member.method));
            u32le(header, 0);
            u32le(header, member.crc as usize);
            u32le(header, member.data.len());
            u32le(header, member.uncompressed as usize);
            u16le(header, member.name.len());
            u16le(header, 0);
            if signature == 0x0201_4b50 {
                u16le(header, 0);
                u32le(header, 0);
                u32le(header, 0o100_644 << 16);
                u32le(header, offset);
            }
            header.extend_from_slice(member.name.as_bytes());
        }
        out.extend_from_slice(&member.data);
    }
    let central_offset = out.len();
    out.extend_from_slice(&central);
    u32le(&mut out, 0x0605_4b50);
    u32le(&mut out, 0);
    u16le(&mut out, members.len().min(0xffff));
    u16le(&mut out, members.len().min(0xffff));
    u32le(&mut out, central.len());
    u32le(&mut out, central_offset);
    u16le(&mut out, 0);
    out
}

/// `pulse.zip` with any of its entries replaced.
fn pulse_zip(library: Option<&[u8]>, descriptor: Option<&[u8]>, config: Option<&[u8]>) -> Vec<u8> {
    let pulse = pulse();
    zip_of(&[
        stored(LIBRARY, library.unwrap_or(&pulse.library)),
        stored(DESCRIPTOR, descriptor.unwrap_or(&pulse.descriptor)),
        stored(CONFIG, config.unwrap_or(&pulse.config)),
    ])
}

fn with_library(library: &[u8]) -> Vec<u8> {
    pulse_zip(Some(library), None, None)
}

// ---------------------------------------------------------------- ELF layout

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(bytes[at..at + 2].try_into().expect("2 bytes"))
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

fn put_u16(bytes: &mut [u8], at: usize, value: u16) {
    bytes[at..at + 2].copy_from_slice(&value.to_le_bytes());
}

fn put_u32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn put_u64(bytes: &mut [u8], at: usize, value: u64) {
    bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

fn usize_of(value: u64) -> usize {
    usize::try_from(value).expect("fits")
}

const E_TYPE: usize = 0x10;
const E_MACHINE: usize = 0x12;
const E_PHOFF: usize = 0x20;
const E_SHOFF: usize = 0x28;
const E_PHENTSIZE: usize = 0x36;
const E_PHNUM: usize = 0x38;
const E_SHNUM: usize = 0x3c;
const PHDR: usize = 56;
const SHDR: usize = 64;
const SYM: usize = 24;
const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const DT_SYMTAB: u64 = 6;
const DT_STRSZ: u64 = 10;
const DT_SYMENT: u64 = 11;

/// Where the fixture library (ELF64, little-endian) keeps its tables: the
/// file offsets of the headers, so a case can cut or patch them.
struct Layout {
    phoff: usize,
    phnum: usize,
    shoff: usize,
    shnum: usize,
}

/// A section header's file offset and the section's offset and size.
struct Section {
    header: usize,
    offset: usize,
    size: usize,
}

impl Layout {
    fn of(elf: &[u8]) -> Layout {
        assert_eq!(&elf[..6], b"\x7fELF\x02\x01", "the fixture is ELF64 LE");
        Layout {
            phoff: usize_of(u64_at(elf, E_PHOFF)),
            phnum: usize::from(u16_at(elf, E_PHNUM)),
            shoff: usize_of(u64_at(elf, E_SHOFF)),
            shnum: usize::from(u16_at(elf, E_SHNUM)),
        }
    }

    /// The file offset of the first program header of type `kind`.
    fn segment(&self, elf: &[u8], kind: u32) -> usize {
        (0..self.phnum)
            .map(|index| self.phoff + index * PHDR)
            .find(|&at| u32_at(elf, at) == kind)
            .expect("segment")
    }

    fn section(&self, elf: &[u8], name: &str) -> Section {
        let names = self.shoff + usize::from(u16_at(elf, 0x3e)) * SHDR;
        let names_at = usize_of(u64_at(elf, names + 24));
        (0..self.shnum)
            .map(|index| self.shoff + index * SHDR)
            .find(|&header| {
                let start = names_at + u32_at(elf, header) as usize;
                elf[start..].starts_with(name.as_bytes()) && elf[start + name.len()] == 0
            })
            .map(|header| Section {
                header,
                offset: usize_of(u64_at(elf, header + 24)),
                size: usize_of(u64_at(elf, header + 32)),
            })
            .unwrap_or_else(|| panic!("no {name} section"))
    }

    /// The file offset of the value of the dynamic entry tagged `tag`.
    fn dynamic_value(&self, elf: &[u8], tag: u64) -> usize {
        let segment = self.segment(elf, PT_DYNAMIC);
        let start = usize_of(u64_at(elf, segment + 8));
        let size = usize_of(u64_at(elf, segment + 32));
        (start..start + size)
            .step_by(16)
            .find(|&at| u64_at(elf, at) == tag)
            .map(|at| at + 8)
            .expect("dynamic tag")
    }
}

fn patched(edit: impl FnOnce(&mut Vec<u8>, &Layout)) -> Vec<u8> {
    let mut elf = pulse().library.clone();
    let layout = Layout::of(&elf);
    edit(&mut elf, &layout);
    elf
}

/// An ELF header alone, well formed, of the given class, byte order and
/// machine: a shared object with no segments.
fn bare_elf(is_64: bool, big: bool, machine: u16) -> Vec<u8> {
    use object::elf as e;
    use object::write::elf::{FileHeader, Writer};
    let endian = if big {
        object::Endianness::Big
    } else {
        object::Endianness::Little
    };
    let mut bytes = Vec::new();
    let mut writer = Writer::new(endian, is_64, &mut bytes);
    writer.reserve_file_header();
    writer
        .write_file_header(&FileHeader {
            os_abi: e::ELFOSABI_NONE,
            abi_version: 0,
            e_type: e::ET_DYN,
            e_machine: e::Machine(machine),
            e_entry: 0,
            e_flags: e::FileFlags(0),
        })
        .expect("an ELF header");
    bytes
}

/// Deterministic noise (xorshift), so a failure reproduces.
fn garbage(len: usize, mut state: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

// ---------------------------------------------------------------- ELF cases

#[test]
fn truncated_libraries_at_every_header_boundary() {
    let elf = &pulse().library;
    let layout = Layout::of(elf);
    let dynamic = usize_of(u64_at(elf, layout.segment(elf, PT_DYNAMIC) + 8));
    let dynsym = layout.section(elf, ".dynsym").offset;
    let dynstr = layout.section(elf, ".dynstr").offset;
    let build_info = layout.section(elf, ".go.buildinfo").offset;
    let cuts = [
        ("empty", 0),
        ("inside the magic", 3),
        ("after e_ident", 16),
        ("inside the ELF header", 40),
        ("one byte short of the ELF header", 63),
        ("after the ELF header", 64),
        ("inside the program headers", layout.phoff + PHDR + 5),
        (
            "after the program headers",
            layout.phoff + layout.phnum * PHDR,
        ),
        ("at the dynamic table", dynamic),
        ("inside the dynamic table", dynamic + 40),
        ("at .dynsym", dynsym),
        ("inside .dynsym", dynsym + 3 * SYM + 7),
        ("at .dynstr", dynstr),
        ("at .go.buildinfo", build_info),
        ("inside the .go.buildinfo header", build_info + 20),
        ("after the .go.buildinfo header", build_info + 33),
        ("at the section headers", layout.shoff),
        ("inside the section headers", layout.shoff + 5 * SHDR + 1),
        ("one byte short", elf.len() - 1),
    ];
    check_all(
        "truncated ELF",
        cuts.into_iter().map(|(label, cut)| {
            Case::zip(
                format!("library cut {label} ({cut} bytes)"),
                move || with_library(&pulse().library[..cut]),
                &["E001"],
            )
        }),
    );
}

type Patch = fn(&mut Vec<u8>, &Layout);

fn patched_case(label: &str, patch: Patch, expect: &'static [&'static str]) -> Case {
    Case::zip(label, move || with_library(&patched(patch)), expect)
}

#[test]
fn offsets_and_sizes_out_of_range() {
    let patches: [(&str, Patch); 13] = [
        ("e_phoff past the end", |elf, _| {
            let past = elf.len() as u64 + 8;
            put_u64(elf, E_PHOFF, past);
        }),
        ("e_phoff near 2^64", |elf, _| {
            put_u64(elf, E_PHOFF, u64::MAX - 7)
        }),
        ("e_phnum 65535", |elf, _| put_u16(elf, E_PHNUM, u16::MAX)),
        ("e_phentsize 16", |elf, _| put_u16(elf, E_PHENTSIZE, 16)),
        ("e_shoff past the end", |elf, _| {
            let past = elf.len() as u64 + 8;
            put_u64(elf, E_SHOFF, past);
        }),
        ("e_shnum 65535", |elf, _| put_u16(elf, E_SHNUM, u16::MAX)),
        ("a PT_LOAD p_filesz past the end", |elf, layout| {
            let load = layout.segment(elf, PT_LOAD);
            put_u64(elf, load + 32, u64::MAX / 2);
        }),
        ("PT_DYNAMIC p_offset past the end", |elf, layout| {
            let dynamic = layout.segment(elf, PT_DYNAMIC);
            put_u64(elf, dynamic + 8, u64::MAX - 100);
        }),
        ("DT_STRSZ of 2^40", |elf, layout| {
            let at = layout.dynamic_value(elf, DT_STRSZ);
            put_u64(elf, at, 1 << 40);
        }),
        ("DT_SYMTAB unmapped", |elf, layout| {
            let at = layout.dynamic_value(elf, DT_SYMTAB);
            put_u64(elf, at, 0x7fff_0000_0000);
        }),
        ("DT_SYMENT 7", |elf, layout| {
            let at = layout.dynamic_value(elf, DT_SYMENT);
            put_u64(elf, at, 7);
        }),
        (".dynsym sh_size of 2^40", |elf, layout| {
            let dynsym = layout.section(elf, ".dynsym").header;
            put_u64(elf, dynsym + 32, 1 << 40);
        }),
        ("a symbol name past the string table", |elf, layout| {
            let dynsym = layout.section(elf, ".dynsym").offset;
            put_u32(elf, dynsym + 2 * SYM, u32::MAX);
        }),
    ];
    check_all(
        "ELF offsets out of range",
        patches
            .into_iter()
            .map(|(label, patch)| patched_case(label, patch, &["E001"])),
    );
}

/// Fills `.dynstr` with `fill` repeated, without a single NUL, and points
/// symbol `i`'s name at `name_of(i)`.
fn unterminated_names(elf: &mut [u8], layout: &Layout, fill: &[u8], name_of: fn(usize) -> u32) {
    let dynstr = layout.section(elf, ".dynstr");
    for (at, byte) in elf[dynstr.offset..dynstr.offset + dynstr.size]
        .iter_mut()
        .enumerate()
    {
        *byte = fill[at % fill.len()];
    }
    let dynsym = layout.section(elf, ".dynsym");
    for index in 1..dynsym.size / SYM {
        put_u32(elf, dynsym.offset + index * SYM, name_of(index));
    }
}

/// Issue 11, item 5: names are borrowed and duplicates dropped before
/// anything is copied, so one string named by every symbol is read once;
/// overlapping suffixes of one string (which no linker writes) are refused.
#[test]
fn symbol_name_bombs() {
    let patches: [(&str, Patch, &'static [&'static str]); 2] = [
        (
            "every dynamic symbol names one unterminated go:itab. string",
            |elf, layout| {
                unterminated_names(elf, layout, b"go:itab.*main.pulse,api.Source;", |_| 0);
            },
            &["S001"],
        ),
        (
            "every dynamic symbol names another suffix of one unterminated string",
            |elf, layout| {
                unterminated_names(elf, layout, b"go:itab.", |index| (index * 8) as u32);
            },
            &["E001"],
        ),
    ];
    check_all(
        "ELF symbol-name bombs",
        patches
            .into_iter()
            .map(|(label, patch, expect)| patched_case(label, patch, expect)),
    );
}

#[test]
fn foreign_and_malformed_headers() {
    let cases = [
        patched_case("ET_EXEC", |elf, _| put_u16(elf, E_TYPE, 2), &["E002"]),
        patched_case("ET_REL", |elf, _| put_u16(elf, E_TYPE, 1), &["E002"]),
        patched_case(
            "an OS-specific e_type",
            |elf, _| put_u16(elf, E_TYPE, 0xfe00),
            &["E002"],
        ),
        // The release profiles list amd64, arm64 and arm.
        patched_case(
            "a RISC-V e_machine",
            |elf, _| put_u16(elf, E_MACHINE, 243),
            &["E004"],
        ),
        patched_case(
            "a 64-bit file claiming class 32",
            |elf, _| elf[4] = 1,
            &["E001"],
        ),
        patched_case(
            "a little-endian file claiming big-endian",
            |elf, _| elf[5] = 2,
            &["E001"],
        ),
        patched_case("an unknown class", |elf, _| elf[4] = 9, &["E001"]),
        Case::zip(
            "a 32-bit x86 shared object",
            || with_library(&bare_elf(false, false, 3)),
            &["E003", "E004"],
        ),
        Case::zip(
            "a big-endian 64-bit PowerPC shared object",
            || with_library(&bare_elf(true, true, 21)),
            &["E003", "E004"],
        ),
        Case::zip(
            "a big-endian 32-bit MIPS shared object",
            || with_library(&bare_elf(false, true, 8)),
            &["E003", "E004"],
        ),
        Case::zip(
            "1 MiB of noise",
            || with_library(&garbage(1 << 20, 7)),
            &["E001"],
        ),
        Case::zip(
            "ELF magic then noise",
            || with_library(&[&b"\x7fELF\x02\x01\x01"[..], &garbage(1 << 16, 11)].concat()),
            &["E001"],
        ),
    ];
    check_all("foreign ELF headers", cases);
}

/// The start of the fixture's `.go.buildinfo` blob, checked to be the
/// inline form the cases patch.
fn build_info_blob(elf: &[u8], layout: &Layout) -> usize {
    let section = layout.section(elf, ".go.buildinfo");
    assert!(section.size > 48);
    assert_eq!(
        &elf[section.offset..section.offset + 14],
        b"\xff Go buildinf:"
    );
    assert_eq!(elf[section.offset + 15] & 2, 2, "inline strings (Go 1.18+)");
    section.offset
}

/// The `.go.buildinfo` blob with its lengths lying.
#[test]
fn build_info_with_lying_lengths() {
    let patches: [(&str, Patch, &'static [&'static str]); 4] = [
        (
            // Still inside the section: Go's reader, like ours, takes the
            // next 127 bytes as the version, which then differs.
            "a version length running into the module info",
            |elf, layout| {
                let at = build_info_blob(elf, layout) + 32;
                elf[at] = 0x7f;
            },
            &["B003"],
        ),
        (
            "a module info length running past the section",
            |elf, layout| {
                let at = build_info_blob(elf, layout) + 32;
                let modinfo = at + 1 + usize::from(elf[at]);
                elf[modinfo..modinfo + 2].fill(0xff);
                elf[modinfo + 2] = 0x7f;
            },
            &["E003"],
        ),
        (
            "a varint longer than 64 bits",
            |elf, layout| {
                let at = build_info_blob(elf, layout) + 32;
                elf[at..at + 11].fill(0xff);
            },
            &["E003"],
        ),
        (
            "the pre-1.18 pointer form pointing nowhere",
            |elf, layout| {
                let at = build_info_blob(elf, layout);
                elf[at + 15] = 0;
                elf[at + 16..at + 32].fill(0xee);
            },
            &["E003"],
        ),
    ];
    check_all(
        "lying .go.buildinfo",
        patches
            .into_iter()
            .map(|(label, patch, expect)| patched_case(label, patch, expect)),
    );
}

// ---------------------------------------------------------------- texts

/// Just under the default descriptor limit (512 KiB): what a descriptor
/// may cost once it is kept.
const NEAR_LIMIT: usize = 500_000;
/// Just under the default config limit (256 KiB).
const CONFIG_NEAR_LIMIT: usize = 250_000;
/// Far over it: refused (A006) without being inflated or parsed.
const TEN_MB: usize = 10_000_000;

fn descriptor_case(label: &str, make: fn() -> String, expect: &'static [&'static str]) -> Case {
    Case::zip(
        label,
        move || pulse_zip(None, Some(make().as_bytes()), None),
        expect,
    )
}

#[test]
fn hostile_descriptors() {
    let cases = [
        descriptor_case("100k nested arrays", || "[".repeat(100_000), &["M002"]),
        descriptor_case(
            "100k nested objects",
            || r#"{"a":"#.repeat(100_000),
            &["M002"],
        ),
        descriptor_case(
            "an unterminated 500 kB string",
            || {
                format!(
                    r#"{{"about": {{"description": {{"en_US": "{}"#,
                    "x".repeat(NEAR_LIMIT)
                )
            },
            &["M002"],
        ),
        descriptor_case(
            "a 500 kB string where an object belongs",
            || format!(r#"{{"about": "{}"}}"#, "x".repeat(NEAR_LIMIT)),
            &["M003"],
        ),
        descriptor_case(
            "500 kB of escapes, unterminated",
            || format!(r#"{{"about": "{}}}"#, r"\u0000".repeat(NEAR_LIMIT / 6)),
            &["M002"],
        ),
        descriptor_case(
            "a 10 MB descriptor, over its limit",
            || format!(r#"{{"about": "{}"}}"#, "x".repeat(TEN_MB)),
            &["A006"],
        ),
    ];
    check_all("descriptors", cases);
}

/// The real descriptor with `extra` spliced in as more top-level keys.
fn pulse_descriptor_with(extra: &str) -> Vec<u8> {
    let text = String::from_utf8(pulse().descriptor.clone()).expect("UTF-8");
    let open = text.find('{').expect("an object");
    format!("{{{extra},{}", &text[open + 1..]).into_bytes()
}

/// Issue 11, items 3 and 4: descriptors near the size limit whose parse
/// used to take time or memory out of proportion to their size.
#[test]
fn descriptor_amplification() {
    let cases = [
        // Item 3: every object's value spans used to rewind the position
        // cursor to the start of the file.
        Case::valid("18,000 small fields", || {
            let mut descriptor: serde_json::Value =
                serde_json::from_slice(&pulse().descriptor).expect("JSON");
            let fields = descriptor["properties"]["default"]
                .as_array_mut()
                .expect("the default fields");
            fields.extend((0..18_000).map(|_| serde_json::json!({"name": "f", "default": 1})));
            let text = serde_json::to_vec(&descriptor).expect("JSON");
            assert!(text.len() < NEAR_LIMIT);
            pulse_zip(None, Some(&text), None)
        }),
        Case::valid("22,000 functions", || {
            let functions = vec![r#"{"name":"f","hint":{}}"#; 22_000].join(",");
            let extra = format!(r#""functions":[{functions}]"#);
            pulse_zip(None, Some(&pulse_descriptor_with(&extra)), None)
        }),
        // Item 4.
        Case::zip(
            "libs of 240,000 ints",
            || {
                let ints = vec!["1"; 240_000].join(",");
                let extra = format!(r#""libs":[{ints}]"#);
                pulse_zip(None, Some(&pulse_descriptor_with(&extra)), None)
            },
            &["M003"],
        ),
        Case::zip(
            "40,000 distinct unknown keys",
            || {
                let keys: Vec<String> = (0..40_000).map(|i| format!(r#""k{i}":0"#)).collect();
                pulse_zip(None, Some(&pulse_descriptor_with(&keys.join(","))), None)
            },
            &["M003"],
        )
        .exits(0),
        Case::zip(
            "160,000 empty arrays",
            || {
                let arrays = vec!["[]"; 160_000].join(",");
                let extra = format!(r#""x":[{arrays}]"#);
                pulse_zip(None, Some(&pulse_descriptor_with(&extra)), None)
            },
            &["M003"],
        )
        .exits(0),
    ];
    check_all("descriptor amplification", cases);
}

/// Nine levels of ten aliases each: 10^9 nodes once expanded. eKuiper's
/// yaml.v3 refuses it ("document contains excessive aliasing"); the reader
/// finds that without expanding, in one pass.
fn billion_laughs() -> String {
    let mut text = String::from(
        "default:\n  interval: 1000\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for level in 1..9 {
        let previous = format!("*l{}", level - 1);
        let items = [previous.as_str(); 10].join(", ");
        text.push_str(&format!("l{level}: &l{level} [{items}]\n"));
    }
    text
}

fn config_case(label: &str, make: fn() -> String) -> Case {
    Case::zip(
        label,
        move || pulse_zip(None, None, Some(make().as_bytes())),
        &["C002"],
    )
}

#[test]
fn hostile_configs() {
    let cases = [
        config_case("a billion laughs", billion_laughs),
        config_case("a billion laughs, then a syntax error", || {
            billion_laughs() + "oops: [unclosed\n"
        }),
        config_case("100k nested flow sequences", || "[".repeat(100_000)),
        config_case("60k nested flow mappings", || "{a: ".repeat(60_000)),
        config_case("an unterminated 250 kB quoted scalar", || {
            format!("default:\n  interval: \"{}", "x".repeat(CONFIG_NEAR_LIMIT))
        }),
        Case::zip(
            "a 10 MB config, over its limit",
            || {
                let config = format!("default:\n  interval: \"{}\"\n", "x".repeat(TEN_MB));
                pulse_zip(None, None, Some(config.as_bytes()))
            },
            &["A006"],
        ),
    ];
    check_all("configs", cases);
}

/// Issue 11, item 4, for the config: near the size limit, many keys,
/// merges of anchors and one large scalar.
#[test]
fn config_amplification() {
    let cases = [
        Case::zip(
            "20,000 undeclared keys",
            || {
                let keys: Vec<String> = (0..20_000).map(|i| format!("  k{i}: 1\n")).collect();
                let config = format!("default:\n  interval: 1000\n{}", keys.concat());
                pulse_zip(None, None, Some(config.as_bytes()))
            },
            &["C003"],
        )
        .exits(0),
        Case::zip(
            "20,000 config sections",
            || {
                let keys: Vec<String> = (0..20_000).map(|i| format!("s{i}: {{}}\n")).collect();
                let config = format!("default:\n  interval: 1000\n{}", keys.concat());
                pulse_zip(None, None, Some(config.as_bytes()))
            },
            &[],
        )
        .exits(0),
        Case::valid("8,000 inline merges of one anchor", || {
            let merges: Vec<String> = (0..8_000)
                .map(|i| format!("s{i}: {{<<: *d, interval: {i}}}\n"))
                .collect();
            let config = format!("default: &d {{interval: 1000}}\n{}", merges.concat());
            pulse_zip(None, None, Some(config.as_bytes()))
        }),
        Case::valid("one 250 kB scalar", || {
            let config = format!(
                "default:\n  interval: 1000\n  seed: \"{}\"\n",
                "7".repeat(CONFIG_NEAR_LIMIT)
            );
            pulse_zip(None, None, Some(config.as_bytes()))
        }),
    ];
    check_all("config amplification", cases);
}

// ---------------------------------------------------------------- archives

/// A library of 1 GiB of zeros in 1 MiB of deflate, declaring `declared`
/// bytes, next to the real descriptor and config.
fn bomb(declared: u32) -> Vec<u8> {
    let pulse = pulse();
    zip_of(&[
        Member {
            name: LIBRARY.into(),
            method: 8,
            crc: 0,
            data: common::zeros_deflated(1 << 30),
            uncompressed: declared,
        },
        stored(DESCRIPTOR, &pulse.descriptor),
        stored(CONFIG, &pulse.config),
    ])
}

/// The library and archive-level cases live in tests/archive_hostile.rs;
/// these few show the limits hold end to end, through the binary.
#[test]
fn archive_bombs_through_the_binary() {
    let flood = || {
        let members: Vec<Member> = (0..30_000)
            .map(|i| stored(&format!("etc/{i}"), b""))
            .chain([stored(LIBRARY, &pulse().library)])
            .collect();
        zip_of(&members)
    };
    let cases = [
        Case::zip(
            "1 GiB of zeros in 1 MiB of deflate",
            || bomb(u32::MAX),
            &["A006"],
        ),
        Case::zip("the same bomb declaring 4 MiB", || bomb(4 << 20), &["A008"]),
        Case::zip("30000 entries", flood, &["A006"]),
    ];
    check_all("archive bombs", cases);
}

// ---------------------------------------------------------------- the harness

/// The limits must not be what fails a good package, and a writing or
/// overallocating child must be caught: the harness itself can fail.
#[test]
fn the_limits_pass_a_good_package_and_catch_a_writer() {
    let _serial = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(FILE), pulse_zip(None, None, None)).expect("write");
    let inherited = shrink_before_fork();
    let run = lint_limited(dir.path(), FILE, "pulse.zip");
    assert_eq!(run.exit, Exit::Code(0), "{}{}", run.stdout, run.stderr);
    assert!(run.peak_rss_kib > 0 && run.peak_rss_kib <= MEMORY_KIB);
    eprintln!(
        "good pulse.zip: {:?} in {:.0?} of CPU, peak RSS {} KiB (test process {inherited} KiB)",
        run.codes, run.cpu, run.peak_rss_kib
    );

    let mut writer = Command::new("/bin/sh");
    writer
        .args(["-c", "echo x > written"])
        .current_dir(dir.path())
        .stderr(Stdio::null());
    // SAFETY: apply_limits makes only async-signal-safe calls.
    unsafe { writer.pre_exec(apply_limits) };
    let status = writer.status().expect("sh runs");
    assert!(!status.success(), "a write under RLIMIT_FSIZE 0 must fail");

    let mut hog = Command::new("/bin/sh");
    hog.args([
        "-c",
        "x=$(head -c 200000000 /dev/zero | tr '\\0' x); echo ${#x}",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    // SAFETY: as above.
    unsafe { hog.pre_exec(apply_limits) };
    let status = hog.status().expect("sh runs");
    assert!(
        !status.success(),
        "holding 200 MB must fail under RLIMIT_AS"
    );
}

// ---------------------------------------------------------------- output

/// Bytes of the package reach messages (here the Go version from the build
/// info). An escape sequence must not reach the user's terminal or a CI
/// log raw: it can recolour, erase or fake findings.
#[test]
fn control_characters_from_the_package_are_not_printed_raw() {
    let _serial = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let library = patched(|elf, layout| {
        let at = build_info_blob(elf, layout) + 32;
        assert_eq!(elf[at], 8, "go1.25.4");
        elf[at + 1..at + 9].copy_from_slice(b"\x1b[2K\rok\x07");
    });
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(FILE), with_library(&library)).expect("write");
    for format in ["human", "github"] {
        let run = lint_limited_as(dir.path(), FILE, format, format);
        assert_eq!(run.exit, Exit::Code(1), "{format}: {}", run.stdout);
        let raw: Vec<char> = run
            .stdout
            .chars()
            .filter(|c| c.is_control() && !matches!(c, '\n' | '\t'))
            .collect();
        assert!(raw.is_empty(), "{format} printed {raw:?}: {}", run.stdout);
    }
}

// ---------------------------------------------------------------- issue 11

fn le32(bytes: &[u8], at: usize) -> u32 {
    u32_at(bytes, at)
}

/// The offsets of the central headers of a zip written by [`zip_of`]
/// (no comment), in order.
fn central_headers(zip: &[u8]) -> Vec<usize> {
    let end = zip.len() - 22;
    let count = usize::from(u16_at(zip, end + 10));
    let mut at = le32(zip, end + 16) as usize;
    let mut headers = Vec::with_capacity(count);
    for _ in 0..count {
        headers.push(at);
        let name = usize::from(u16_at(zip, at + 28));
        let extra = usize::from(u16_at(zip, at + 30));
        let comment = usize::from(u16_at(zip, at + 32));
        at += 46 + name + extra + comment;
    }
    headers
}

/// The real package with one more member.
fn pulse_with(extra: Member) -> Vec<u8> {
    let pulse = pulse();
    zip_of(&[
        stored(LIBRARY, &pulse.library),
        stored(DESCRIPTOR, &pulse.descriptor),
        stored(CONFIG, &pulse.config),
        extra,
    ])
}

fn deflated_member(name: &str, data: &[u8]) -> Member {
    let mut compressor = flate2::Compress::new(flate2::Compression::best(), false);
    let mut out = Vec::with_capacity(data.len() + 1024);
    compressor
        .compress_vec(data, &mut out, flate2::FlushCompress::Finish)
        .expect("deflate");
    Member {
        name: name.into(),
        method: 8,
        crc: crc32fast::hash(data),
        data: out,
        uncompressed: u32::try_from(data.len()).expect("under 4 GiB"),
    }
}

/// A deflate stream of one byte followed by `padding` bytes Go's inflater
/// never reads, declaring `declared` bytes: the ratio stays under 100:1.
fn padded_one_byte(name: &str, declared: u32, padding: usize) -> Member {
    let mut member = deflated_member(name, b"\0");
    member.data.resize(member.data.len() + padding, 0);
    member.uncompressed = declared;
    member
}

/// Items 1-4 and 6-11 of issue 11, through the binary: each failed on the
/// main branch before the change (an abort under the memory limit, more
/// than 2 s, or a verdict Go's archive/zip and eKuiper do not share).
#[test]
fn issue_11_cases() {
    const MIB: usize = 1 << 20;
    let cases = vec![
        // 1. A declared size reserved memory.
        Case::zip(
            "1. a library declaring 130 MiB from a padded 1-byte stream",
            || {
                let library = padded_one_byte(LIBRARY, 130 << 20, 1_400_000);
                zip_of(&[
                    library,
                    stored(DESCRIPTOR, &pulse().descriptor),
                    stored(CONFIG, &pulse().config),
                ])
            },
            &["A006"],
        ),
        Case::zip(
            "1. a library declaring 60 MiB from a padded 1-byte stream",
            || {
                let library = padded_one_byte(LIBRARY, 60 << 20, 700_000);
                zip_of(&[
                    library,
                    stored(DESCRIPTOR, &pulse().descriptor),
                    stored(CONFIG, &pulse().config),
                ])
            },
            &["A008"],
        ),
        // 2. Many small inspected entries were all kept.
        Case::zip(
            "2. 130 root libraries of 1 MiB of zeros",
            || {
                let zeros = vec![0; MIB];
                let one = deflated_member("x.so", &zeros);
                let members: Vec<Member> = (0..130)
                    .map(|i| Member {
                        name: format!("extra{i}.so"),
                        ..one.clone()
                    })
                    .collect();
                zip_of(&members)
            },
            &["A006"],
        ),
        Case::zip(
            "2. pulse and 1000 root descriptors of 1 MiB of zeros",
            || {
                let zeros = vec![0; MIB];
                let one = deflated_member("x.json", &zeros);
                let pulse = pulse();
                let mut members = vec![
                    stored(LIBRARY, &pulse.library),
                    stored(DESCRIPTOR, &pulse.descriptor),
                    stored(CONFIG, &pulse.config),
                ];
                members.extend((0..1000).map(|i| Member {
                    name: format!("extra{i}.json"),
                    ..one.clone()
                }));
                zip_of(&members)
            },
            &["A006"],
        ),
        // The defaults fit the promise: a library just under its limit
        // (the real one padded with zeros) is kept and inspected.
        Case::valid("a 63 MiB library, stored, under the default limits", || {
            let mut library = pulse().library.clone();
            library.resize(63 * MIB, 0);
            with_library(&library)
        }),
        // 6. A self-extracting stub before a valid package.
        Case::valid("6. a shell stub before the package", || {
            [
                &b"#!/bin/sh\nexec unzip \"$0\"\n"[..],
                &pulse_zip(None, None, None),
            ]
            .concat()
        }),
        // 7. The end record's directory offset one too high: Go's base
        // offset becomes -1 and every local header is missed.
        Case::zip(
            "7. the directory offset + 1",
            || {
                let mut zip = pulse_zip(None, None, None);
                let at = zip.len() - 22 + 16;
                let offset = le32(&zip, at) + 1;
                put_u32(&mut zip, at, offset);
                zip
            },
            &["A008"],
        ),
        // 8. Directory mode bits on the library and on the config.
        Case::zip(
            "8. the library with Unix mode 040755",
            || {
                let mut zip = pulse_zip(None, None, None);
                let library = central_headers(&zip)[0];
                put_u32(&mut zip, library + 38, 0o040_755 << 16);
                zip
            },
            &["A004"],
        ),
        Case::zip(
            "8. the library with the NTFS directory attribute",
            || {
                let mut zip = pulse_zip(None, None, None);
                let library = central_headers(&zip)[0];
                zip[library + 5] = 11;
                put_u32(&mut zip, library + 38, 0x10);
                zip
            },
            &["A004"],
        ),
        Case::zip(
            "8. the config with the DOS directory attribute",
            || {
                let mut zip = pulse_zip(None, None, None);
                let config = central_headers(&zip)[2];
                zip[config + 5] = 0;
                put_u32(&mut zip, config + 38, 0x10);
                zip
            },
            &["A004"],
        ),
        // 9. Entries only the installer extracts.
        Case::zip(
            "9. etc/ with a bad CRC",
            || {
                let mut member = stored("etc/pulse.conf", b"key = value\n");
                member.crc ^= 1;
                pulse_with(member)
            },
            &["A008"],
        ),
        Case::zip(
            "9. install.sh with bad deflate",
            || {
                let mut member = deflated_member("install.sh", &b"echo hi\n".repeat(50));
                member.data[0] = 0xff;
                pulse_with(member)
            },
            &["A008"],
        ),
        Case::zip(
            "9. README.md whose size lies",
            || {
                let mut member = deflated_member("README.md", &b"# pulse\n".repeat(50));
                member.uncompressed -= 1;
                pulse_with(member)
            },
            &["A008"],
        ),
        // 10. A zip64 locator Go ignores (its offset is negative as int64),
        // found because the central directory is exactly 0xffff bytes.
        Case::valid("10. a zip64 locator past 2^63", || {
            let padded = |pad: usize| pulse_with(stored(&format!("etc/{}", "p".repeat(pad)), b""));
            let first = padded(0);
            let directory = le32(&first, first.len() - 22 + 12) as usize;
            let zip = padded(0xffff - directory);
            let end = zip.len() - 22;
            assert_eq!(le32(&zip, end + 12), 0xffff);
            let mut locator = 0x0706_4b50u32.to_le_bytes().to_vec();
            locator.extend_from_slice(&0u32.to_le_bytes());
            locator.extend_from_slice(&((1u64 << 63) + 5).to_le_bytes());
            locator.extend_from_slice(&1u32.to_le_bytes());
            [&zip[..end], &locator, &zip[end..]].concat()
        }),
        // 11. A data descriptor cut short by the end of the file.
        Case::zip(
            "11. a data descriptor, 8 of its 16 bytes",
            || {
                let readme = b"# pulse\n".repeat(50);
                let mut zip = pulse_with(deflated_member("README.md", &readme));
                let header = *central_headers(&zip).last().expect("README.md");
                let local = le32(&zip, header + 42) as usize;
                let data_start = local + 30 + "README.md".len();
                // The comment holds the descriptor's first 8 bytes; the
                // entry's compressed size runs up to them.
                let comment_len = zip.len() - 2;
                put_u16(&mut zip, comment_len, 8);
                zip.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
                zip.extend_from_slice(&crc32fast::hash(&readme).to_le_bytes());
                let compressed = u32::try_from(zip.len() - 8 - data_start).expect("small");
                for flags in [local + 6, header + 8] {
                    let value = u16_at(&zip, flags) | 8;
                    put_u16(&mut zip, flags, value);
                }
                put_u32(&mut zip, local + 18, compressed);
                put_u32(&mut zip, header + 20, compressed);
                zip
            },
            &["A008"],
        ),
    ];
    check_all("issue 11", cases);
}
