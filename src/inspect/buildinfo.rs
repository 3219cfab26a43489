//! Decoder for the `.go.buildinfo` section (format: Go's
//! `src/debug/buildinfo/buildinfo.go` for the blob and
//! `src/runtime/debug/mod.go` for the module text).

use std::borrow::Cow;

use super::varint::uvarint;

/// The eKuiper 2.x API module.
pub const CONTRACT_V2: &str = "github.com/lf-edge/ekuiper/contract/v2";
/// eKuiper 1.x plugins import the API from the main module.
pub const EKUIPER_V1: &str = "github.com/lf-edge/ekuiper";

/// A module line of the build info (`mod`, `dep`, with an optional `=>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    pub path: String,
    pub version: String,
    pub sum: Option<String>,
    /// The `=>` replacement, when the module is replaced.
    pub replace: Option<Box<Module>>,
}

/// What `go version -m` prints about a binary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildInfo {
    /// e.g. `go1.25.4`.
    pub go_version: String,
    /// The main package path (`path` line), e.g. `command-line-arguments`.
    pub path: Option<String>,
    /// The main module (`mod` line).
    pub main: Option<Module>,
    /// Dependencies (`dep` lines), in order.
    pub deps: Vec<Module>,
    /// Build settings (`build` lines) as key/value pairs, in order.
    pub settings: Vec<(String, String)>,
}

impl BuildInfo {
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn dep(&self, path: &str) -> Option<&Module> {
        self.deps.iter().find(|module| module.path == path)
    }

    /// The eKuiper API module the binary was built against: the 2.x
    /// contract or, for 1.x, the main eKuiper module (as a dependency, or
    /// as the main module when the plugin was built inside eKuiper's own
    /// tree).
    pub fn contract(&self) -> Option<&Module> {
        self.dep(CONTRACT_V2)
            .or_else(|| self.dep(EKUIPER_V1))
            .or_else(|| self.main.as_ref().filter(|main| main.path == EKUIPER_V1))
    }
}

/// Why a `.go.buildinfo` section could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildInfoError(pub String);

impl BuildInfoError {
    fn new(message: impl Into<String>) -> BuildInfoError {
        BuildInfoError(message.into())
    }
}

/// The blob starts with this magic, at an address aligned to [`ALIGN`].
pub const MAGIC: &[u8; 14] = b"\xff Go buildinf:";
/// The alignment of the blob's address.
pub const ALIGN: usize = 16;
const HEADER_SIZE: usize = 32;
const PTR_SIZE_OFFSET: usize = 14;
const FLAGS_OFFSET: usize = 15;
const POINTERS_OFFSET: usize = 16;
const FLAG_BIG_ENDIAN: u8 = 0x1;
/// Set since Go 1.18: the strings follow the header instead of being pointed to.
const FLAG_INLINE: u8 = 0x2;
/// `cmd/go` wraps the module text in two 16-byte sentinels.
const SENTINEL_SIZE: usize = 16;

/// The offset of the first blob magic in `data` (which starts at an
/// [`ALIGN`]-aligned address) that has room for a whole header.
pub fn find(data: &[u8]) -> Option<usize> {
    (0..data.len())
        .step_by(ALIGN)
        .find(|&offset| {
            data.get(offset..)
                .is_some_and(|rest| rest.starts_with(MAGIC))
        })
        .filter(|&offset| data.len() - offset >= HEADER_SIZE)
}

/// Decodes a `.go.buildinfo` section. `read_pointer` reads the bytes a
/// pointer refers to (for the pre-1.18 pointer form): it is given a virtual
/// address and a length and returns the bytes, or `None` when out of range.
pub fn decode(
    section: &[u8],
    read_pointer: &dyn Fn(u64, u64) -> Option<Vec<u8>>,
) -> Result<BuildInfo, BuildInfoError> {
    let start = find(section).ok_or_else(|| BuildInfoError::new("no Go build info header"))?;
    let blob = section.get(start..).unwrap_or_default();
    let (version, modinfo) = read_strings(blob, read_pointer)?;
    if version.is_empty() {
        return Err(BuildInfoError::new("the Go version is empty"));
    }
    let mut info = parse_modinfo(&String::from_utf8_lossy(strip_sentinels(&modinfo)))?;
    info.go_version = String::from_utf8_lossy(&version).into_owned();
    Ok(info)
}

type RawStrings<'a> = (Cow<'a, [u8]>, Cow<'a, [u8]>);

fn read_strings<'a>(
    blob: &'a [u8],
    read_pointer: &dyn Fn(u64, u64) -> Option<Vec<u8>>,
) -> Result<RawStrings<'a>, BuildInfoError> {
    let flags = blob.get(FLAGS_OFFSET).copied().unwrap_or_default();
    if flags & FLAG_INLINE != 0 {
        let rest = blob.get(HEADER_SIZE..).unwrap_or_default();
        let (version, rest) = inline_string(rest).map_err(|e| e.context("Go version"))?;
        let (modinfo, _) = inline_string(rest).map_err(|e| e.context("module info"))?;
        return Ok((Cow::Borrowed(version), Cow::Borrowed(modinfo)));
    }
    let pointers = Pointers::from_header(blob)?;
    let version = pointers
        .string_at(pointers.get(0), read_pointer)
        .map_err(|e| e.context("Go version"))?;
    let modinfo = pointers
        .string_at(pointers.get(1), read_pointer)
        .map_err(|e| e.context("module info"))?;
    Ok((Cow::Owned(version), Cow::Owned(modinfo)))
}

impl BuildInfoError {
    fn context(self, what: &str) -> BuildInfoError {
        BuildInfoError(format!("{what}: {}", self.0))
    }
}

/// A varint length followed by that many bytes; the length is checked
/// against the bytes present, never used to allocate.
fn inline_string(data: &[u8]) -> Result<(&[u8], &[u8]), BuildInfoError> {
    let (length, used) = uvarint(data).ok_or_else(|| BuildInfoError::new("bad length"))?;
    let rest = data.get(used..).unwrap_or_default();
    let length = usize::try_from(length)
        .ok()
        .filter(|&length| length <= rest.len())
        .ok_or_else(|| {
            BuildInfoError(format!(
                "length {length} runs past the end of the section ({} bytes left)",
                rest.len()
            ))
        })?;
    Ok(rest.split_at(length))
}

/// The pre-1.18 header: two pointers to Go string headers.
struct Pointers<'a> {
    header: &'a [u8],
    size: usize,
    big_endian: bool,
}

impl<'a> Pointers<'a> {
    fn from_header(blob: &'a [u8]) -> Result<Pointers<'a>, BuildInfoError> {
        let size = usize::from(blob.get(PTR_SIZE_OFFSET).copied().unwrap_or_default());
        if size != 4 && size != 8 {
            return Err(BuildInfoError(format!("unsupported pointer size {size}")));
        }
        let flags = blob.get(FLAGS_OFFSET).copied().unwrap_or_default();
        Ok(Pointers {
            header: blob.get(POINTERS_OFFSET..HEADER_SIZE).unwrap_or_default(),
            size,
            big_endian: flags & FLAG_BIG_ENDIAN != 0,
        })
    }

    /// The `index`th pointer of the header.
    fn get(&self, index: usize) -> Option<u64> {
        let start = index.checked_mul(self.size)?;
        self.word(self.header.get(start..)?)
    }

    fn word(&self, bytes: &[u8]) -> Option<u64> {
        let word = bytes.get(..self.size)?;
        let mut value: u64 = 0;
        if self.big_endian {
            for &byte in word {
                value = value << 8 | u64::from(byte);
            }
        } else {
            for &byte in word.iter().rev() {
                value = value << 8 | u64::from(byte);
            }
        }
        Some(value)
    }

    /// Reads the Go string header (data pointer, length) at `address`, then
    /// the data it points to.
    fn string_at(
        &self,
        address: Option<u64>,
        read_pointer: &dyn Fn(u64, u64) -> Option<Vec<u8>>,
    ) -> Result<Vec<u8>, BuildInfoError> {
        let address = address.ok_or_else(|| BuildInfoError::new("missing pointer"))?;
        let header_size = 2 * self.size as u64;
        let string_header = read_pointer(address, header_size)
            .ok_or_else(|| BuildInfoError(format!("pointer {address:#x} is outside the file")))?;
        let data = self.word(&string_header);
        let length = string_header
            .get(self.size..)
            .and_then(|rest| self.word(rest));
        let (Some(data), Some(length)) = (data, length) else {
            return Err(BuildInfoError::new("truncated string header"));
        };
        read_pointer(data, length)
            .filter(|bytes| bytes.len() as u64 == length)
            .ok_or_else(|| {
                BuildInfoError(format!(
                    "string of {length} bytes at {data:#x} is outside the file"
                ))
            })
    }
}

/// `debug/buildinfo` drops the module text when the sentinels are missing.
fn strip_sentinels(modinfo: &[u8]) -> &[u8] {
    let framed = modinfo.len() > 2 * SENTINEL_SIZE
        && modinfo.get(modinfo.len() - SENTINEL_SIZE - 1) == Some(&b'\n');
    if framed {
        modinfo
            .get(SENTINEL_SIZE..modinfo.len() - SENTINEL_SIZE)
            .unwrap_or_default()
    } else {
        &[]
    }
}

/// Which module a `=>` line replaces.
#[derive(Clone, Copy)]
enum Last {
    Nothing,
    Main,
    Dep(usize),
}

/// The inverse of `runtime/debug.BuildInfo.String` (Go's `ParseBuildInfo`):
/// tab-separated lines; a last line without a newline is ignored, as are
/// unknown lines.
fn parse_modinfo(text: &str) -> Result<BuildInfo, BuildInfoError> {
    let mut info = BuildInfo::default();
    let mut last = Last::Nothing;
    let Some(complete) = text.rfind('\n').and_then(|end| text.get(..end)) else {
        return Ok(info);
    };
    for (index, line) in complete.split('\n').enumerate() {
        parse_line(line, &mut info, &mut last)
            .map_err(|e| BuildInfoError(format!("line {}: {}", index + 1, e.0)))?;
    }
    Ok(info)
}

fn parse_line(line: &str, info: &mut BuildInfo, last: &mut Last) -> Result<(), BuildInfoError> {
    if let Some(path) = line.strip_prefix("path\t") {
        info.path = Some(path.to_string());
    } else if let Some(rest) = line.strip_prefix("mod\t") {
        info.main = Some(module_line(rest)?);
        *last = Last::Main;
    } else if let Some(rest) = line.strip_prefix("dep\t") {
        info.deps.push(module_line(rest)?);
        *last = Last::Dep(info.deps.len() - 1);
    } else if let Some(rest) = line.strip_prefix("=>\t") {
        let replacement = replacement_line(rest)?;
        let target = match *last {
            Last::Nothing => None,
            Last::Main => info.main.as_mut(),
            Last::Dep(index) => info.deps.get_mut(index),
        };
        let target = target
            .ok_or_else(|| BuildInfoError::new("replacement with no module on previous line"))?;
        target.replace = Some(Box::new(replacement));
        *last = Last::Nothing;
    } else if let Some(rest) = line.strip_prefix("build\t") {
        info.settings.push(build_setting(rest)?);
    }
    Ok(())
}

fn module(path: &str, version: &str, sum: Option<&str>) -> Module {
    Module {
        path: path.to_string(),
        version: version.to_string(),
        sum: sum.filter(|sum| !sum.is_empty()).map(str::to_string),
        replace: None,
    }
}

fn module_line(rest: &str) -> Result<Module, BuildInfoError> {
    let columns: Vec<&str> = rest.split('\t').collect();
    match columns.as_slice() {
        [path, version] => Ok(module(path, version, None)),
        [path, version, sum] => Ok(module(path, version, Some(sum))),
        _ => Err(BuildInfoError(format!(
            "expected 2 or 3 columns; got {}",
            columns.len()
        ))),
    }
}

fn replacement_line(rest: &str) -> Result<Module, BuildInfoError> {
    let columns: Vec<&str> = rest.split('\t').collect();
    match columns.as_slice() {
        [path, version, sum] => Ok(module(path, version, Some(sum))),
        _ => Err(BuildInfoError(format!(
            "expected 3 columns for replacement; got {}",
            columns.len()
        ))),
    }
}

/// `key=value`, where either side may be a Go quoted string.
fn build_setting(kv: &str) -> Result<(String, String), BuildInfoError> {
    let (key, raw_value) = match kv.chars().next() {
        None => return Err(BuildInfoError::new("build line missing '='")),
        Some('=') => return Err(BuildInfoError::new("build line with missing key")),
        Some('"' | '`') => {
            let (key, rest) = unquote_prefix(kv)
                .ok_or_else(|| BuildInfoError::new("invalid quoted key in build line"))?;
            let value = rest
                .strip_prefix('=')
                .ok_or_else(|| BuildInfoError::new("build line missing '=' after quoted key"))?;
            (key, value)
        }
        Some(_) => {
            let (key, value) = kv
                .split_once('=')
                .ok_or_else(|| BuildInfoError::new("build line missing '=' after key"))?;
            if key.contains(|c| "= \t\r\n\"`".contains(c)) {
                return Err(BuildInfoError(format!(
                    "unquoted key {key:?} must be quoted"
                )));
            }
            (key.to_string(), value)
        }
    };
    let value = match raw_value.chars().next() {
        Some('"' | '`') => match unquote_prefix(raw_value) {
            Some((value, "")) => value,
            _ => return Err(BuildInfoError::new("invalid quoted value in build line")),
        },
        _ if raw_value.contains(|c| " \t\r\n\"`".contains(c)) => {
            return Err(BuildInfoError(format!(
                "unquoted value {raw_value:?} must be quoted"
            )));
        }
        _ => raw_value.to_string(),
    };
    Ok((key, value))
}

/// Go's `strconv.QuotedPrefix` followed by `Unquote`, for `"…"` and `` `…` ``
/// strings: the decoded text and what follows the closing quote.
fn unquote_prefix(s: &str) -> Option<(String, &str)> {
    if let Some(raw) = s.strip_prefix('`') {
        let end = raw.find('`')?;
        let text = raw.get(..end)?.replace('\r', "");
        return Some((text, raw.get(end + 1..)?));
    }
    let body = s.strip_prefix('"')?;
    let mut out = Vec::new();
    let mut chars = body.char_indices();
    while let Some((index, c)) = chars.next() {
        match c {
            '"' => {
                let text = String::from_utf8_lossy(&out).into_owned();
                return Some((text, body.get(index + 1..)?));
            }
            '\n' => return None,
            '\\' => unescape(&mut chars, &mut out)?,
            _ => {
                let mut buffer = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            }
        }
    }
    None
}

/// One escape sequence of a double-quoted Go string, after the backslash.
fn unescape(chars: &mut std::str::CharIndices<'_>, out: &mut Vec<u8>) -> Option<()> {
    let (_, c) = chars.next()?;
    let simple = match c {
        'a' => Some(0x07),
        'b' => Some(0x08),
        'f' => Some(0x0c),
        'n' => Some(b'\n'),
        'r' => Some(b'\r'),
        't' => Some(b'\t'),
        'v' => Some(0x0b),
        '\\' => Some(b'\\'),
        '"' => Some(b'"'),
        _ => None,
    };
    if let Some(byte) = simple {
        out.push(byte);
        return Some(());
    }
    match c {
        'x' => out.push(u8::try_from(digits(chars, 2, 16)?).ok()?),
        '0'..='7' => {
            let rest = digits(chars, 2, 8)?;
            let value = c.to_digit(8)? * 64 + rest;
            out.push(u8::try_from(value).ok()?);
        }
        'u' | 'U' => {
            let count = if c == 'u' { 4 } else { 8 };
            let decoded = char::from_u32(digits(chars, count, 16)?)?;
            let mut buffer = [0; 4];
            out.extend_from_slice(decoded.encode_utf8(&mut buffer).as_bytes());
        }
        _ => return None,
    }
    Some(())
}

fn digits(chars: &mut std::str::CharIndices<'_>, count: usize, radix: u32) -> Option<u32> {
    let mut value: u32 = 0;
    for _ in 0..count {
        let (_, c) = chars.next()?;
        value = value.checked_mul(radix)?.checked_add(c.to_digit(radix)?)?;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: &[u8; 16] = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6";
    const END: &[u8; 16] = b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2";

    fn framed(text: &str) -> Vec<u8> {
        [START.as_slice(), text.as_bytes(), END.as_slice()].concat()
    }

    fn varint(mut value: u64) -> Vec<u8> {
        let mut out = Vec::new();
        while value >= 0x80 {
            out.push((value as u8) | 0x80);
            value >>= 7;
        }
        out.push(value as u8);
        out
    }

    fn header(ptr_size: u8, flags: u8) -> Vec<u8> {
        let mut blob = MAGIC.to_vec();
        blob.push(ptr_size);
        blob.push(flags);
        blob.resize(HEADER_SIZE, 0);
        blob
    }

    fn inline_blob(version: &str, modinfo: &[u8]) -> Vec<u8> {
        let mut blob = header(8, FLAG_INLINE);
        blob.extend(varint(version.len() as u64));
        blob.extend_from_slice(version.as_bytes());
        blob.extend(varint(modinfo.len() as u64));
        blob.extend_from_slice(modinfo);
        blob
    }

    fn no_pointers(_: u64, _: u64) -> Option<Vec<u8>> {
        None
    }

    const PLUGIN: &str = "path\tcommand-line-arguments\n\
        mod\texample.com/random\t(devel)\t\n\
        dep\tgithub.com/lf-edge/ekuiper/contract/v2\tv2.0.0\th1:abc=\n\
        build\t-buildmode=plugin\n\
        build\t-trimpath=true\n\
        build\tCGO_ENABLED=1\n";

    #[test]
    fn decodes_inline_form() {
        let info = decode(&inline_blob("go1.25.4", &framed(PLUGIN)), &no_pointers).unwrap();
        assert_eq!(info.go_version, "go1.25.4");
        assert_eq!(info.path.as_deref(), Some("command-line-arguments"));
        let main = info.main.as_ref().unwrap();
        assert_eq!(
            (main.path.as_str(), main.version.as_str()),
            ("example.com/random", "(devel)")
        );
        assert_eq!(main.sum, None);
        let contract = info.dep("github.com/lf-edge/ekuiper/contract/v2").unwrap();
        assert_eq!(contract.version, "v2.0.0");
        assert_eq!(contract.sum.as_deref(), Some("h1:abc="));
        assert_eq!(info.setting("-buildmode"), Some("plugin"));
        assert_eq!(info.setting("-trimpath"), Some("true"));
        assert_eq!(info.settings.len(), 3);
    }

    #[test]
    fn finds_the_magic_only_at_aligned_offsets() {
        let mut section = vec![0u8; 3];
        section.extend_from_slice(MAGIC);
        section.resize(48, 0);
        section.extend(inline_blob("go1.24.11", &framed(PLUGIN)));
        let info = decode(&section, &no_pointers).unwrap();
        assert_eq!(info.go_version, "go1.24.11");
        assert_eq!(find(&section), Some(48));
    }

    #[test]
    fn rejects_a_section_without_magic() {
        let error = decode(&[0u8; 64], &no_pointers).unwrap_err();
        assert!(error.0.contains("no Go build info"), "{error:?}");
        assert!(decode(&MAGIC[..], &no_pointers).is_err());
    }

    /// A pointer-form image: the blob at 0x1000, string headers and data
    /// elsewhere, all served by `read_pointer`.
    fn pointer_image(size: u8, big: bool, modinfo: &[u8]) -> (Vec<u8>, Vec<(u64, Vec<u8>)>) {
        let word = |value: u64| -> Vec<u8> {
            let bytes = if big {
                value.to_be_bytes()
            } else {
                value.to_le_bytes()
            };
            if size == 4 {
                if big {
                    bytes[4..].to_vec()
                } else {
                    bytes[..4].to_vec()
                }
            } else {
                bytes.to_vec()
            }
        };
        let mut blob = header(size, if big { FLAG_BIG_ENDIAN } else { 0 });
        let mut pointers = word(0x2000);
        pointers.extend(word(0x2100));
        blob.splice(16..16 + pointers.len(), pointers);
        let version = b"go1.16.15".to_vec();
        let memory = vec![
            (0x2000, [word(0x3000), word(version.len() as u64)].concat()),
            (0x2100, [word(0x4000), word(modinfo.len() as u64)].concat()),
            (0x3000, version),
            (0x4000, modinfo.to_vec()),
        ];
        (blob, memory)
    }

    fn reader(memory: Vec<(u64, Vec<u8>)>) -> impl Fn(u64, u64) -> Option<Vec<u8>> {
        move |address, length| {
            let (_, bytes) = memory.iter().find(|(start, _)| *start == address)?;
            bytes
                .get(..usize::try_from(length).ok()?)
                .map(<[u8]>::to_vec)
        }
    }

    #[test]
    fn decodes_pointer_form_in_both_endians_and_sizes() {
        for (size, big) in [(8, false), (4, false), (8, true), (4, true)] {
            let (blob, memory) = pointer_image(size, big, &framed(PLUGIN));
            let info = decode(&blob, &reader(memory)).unwrap();
            assert_eq!(info.go_version, "go1.16.15", "{size} {big}");
            assert_eq!(info.setting("-buildmode"), Some("plugin"));
        }
    }

    #[test]
    fn pointer_form_rejects_dangling_pointers_and_bad_sizes() {
        let (blob, _) = pointer_image(8, false, &framed(PLUGIN));
        let error = decode(&blob, &no_pointers).unwrap_err();
        assert!(error.0.contains("outside the file"), "{error:?}");
        let (mut blob, memory) = pointer_image(8, false, &framed(PLUGIN));
        blob[PTR_SIZE_OFFSET] = 3;
        let error = decode(&blob, &reader(memory)).unwrap_err();
        assert!(error.0.contains("pointer size 3"), "{error:?}");
    }

    #[test]
    fn pointer_form_rejects_a_length_longer_than_the_data() {
        let (blob, mut memory) = pointer_image(8, false, &framed(PLUGIN));
        memory[1].1[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
        let error = decode(&blob, &reader(memory)).unwrap_err();
        assert!(error.0.starts_with("module info"), "{error:?}");
    }

    #[test]
    fn rejects_lying_inline_lengths() {
        let mut blob = header(8, FLAG_INLINE);
        blob.extend(varint(u64::MAX));
        blob.extend_from_slice(b"go1.25.4");
        let error = decode(&blob, &no_pointers).unwrap_err();
        assert!(error.0.contains("runs past the end"), "{error:?}");

        let mut blob = inline_blob("go1.25.4", b"");
        blob.truncate(blob.len() - 1);
        blob.extend(varint(1000));
        blob.extend_from_slice(&framed(PLUGIN));
        assert!(
            decode(&blob, &no_pointers)
                .unwrap_err()
                .0
                .starts_with("module info")
        );
    }

    #[test]
    fn rejects_an_overlong_varint_and_truncated_blobs() {
        let mut blob = header(8, FLAG_INLINE);
        blob.extend_from_slice(&[0xff; 11]);
        assert!(
            decode(&blob, &no_pointers)
                .unwrap_err()
                .0
                .contains("bad length")
        );
        let full = inline_blob("go1.25.4", &framed(PLUGIN));
        for cut in [HEADER_SIZE, HEADER_SIZE + 3, full.len() - 1] {
            assert!(decode(&full[..cut], &no_pointers).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn empty_version_is_an_error() {
        let error = decode(&inline_blob("", &framed(PLUGIN)), &no_pointers).unwrap_err();
        assert!(error.0.contains("version is empty"));
    }

    #[test]
    fn unframed_module_text_is_dropped_like_go_does() {
        let info = decode(&inline_blob("go1.25.4", PLUGIN.as_bytes()), &no_pointers).unwrap();
        assert_eq!(info.go_version, "go1.25.4");
        assert_eq!(
            info,
            BuildInfo {
                go_version: "go1.25.4".into(),
                ..BuildInfo::default()
            }
        );
    }

    #[test]
    fn replacement_lines_attach_to_the_previous_module() {
        let text = "mod\texample.com/p\t(devel)\n=>\t../p\t\t\n\
            dep\tgithub.com/lf-edge/ekuiper/contract/v2\tv2.0.0\n\
            =>\tgithub.com/fork/contract/v2\tv2.0.1\th1:xyz=\n\
            dep\tgolang.org/x/text\tv0.3.0\th1:t=\n";
        let info = parse_modinfo(text).unwrap();
        let main_replace = info.main.as_ref().unwrap().replace.as_deref().unwrap();
        assert_eq!(
            (main_replace.path.as_str(), main_replace.version.as_str()),
            ("../p", "")
        );
        let contract = info.dep("github.com/lf-edge/ekuiper/contract/v2").unwrap();
        let replace = contract.replace.as_deref().unwrap();
        assert_eq!(replace.path, "github.com/fork/contract/v2");
        assert_eq!(replace.sum.as_deref(), Some("h1:xyz="));
        assert!(info.dep("golang.org/x/text").unwrap().replace.is_none());
    }

    #[test]
    fn malformed_module_lines_are_errors_with_line_numbers() {
        let error = parse_modinfo("path\tx\n=>\ta\tb\tc\n").unwrap_err();
        assert_eq!(
            error.0,
            "line 2: replacement with no module on previous line"
        );
        let error = parse_modinfo("dep\ta\tb\n=>\ta\tb\tc\n=>\ta\tb\tc\n").unwrap_err();
        assert!(error.0.starts_with("line 3"), "{error:?}");
        assert!(parse_modinfo("dep\tonly-path\n").is_err());
        assert!(parse_modinfo("dep\ta\tb\tc\td\n").is_err());
        assert!(parse_modinfo("dep\ta\tb\n=>\ta\tb\n").is_err());
    }

    #[test]
    fn a_last_line_without_newline_and_unknown_lines_are_ignored() {
        let info = parse_modinfo("go\tgo1.25.4\nweird\tline\npath\tp\nbuild\tA=1").unwrap();
        assert_eq!(info.path.as_deref(), Some("p"));
        assert!(info.settings.is_empty());
        assert_eq!(parse_modinfo("").unwrap(), BuildInfo::default());
    }

    #[test]
    fn quoted_build_values_and_keys() {
        let text = "build\t-ldflags=\"-s -w -X main.version=1.0\"\n\
            build\t-tags=edgex,include_nats_messaging\n\
            build\t\"we ird\"=`raw \"v\"`\n\
            build\tESC=\"a\\tb\\x41\\101\\u00e9\\U0001F600\\\\\\\"\"\n\
            build\tEMPTY=\n";
        let info = parse_modinfo(text).unwrap();
        assert_eq!(info.setting("-ldflags"), Some("-s -w -X main.version=1.0"));
        assert_eq!(info.setting("-tags"), Some("edgex,include_nats_messaging"));
        assert_eq!(info.setting("we ird"), Some("raw \"v\""));
        assert_eq!(info.setting("ESC"), Some("a\tbAAé😀\\\""));
        assert_eq!(info.setting("EMPTY"), Some(""));
    }

    #[test]
    fn malformed_build_lines_are_errors() {
        for line in [
            "build\t\n",
            "build\t=v\n",
            "build\tnoequals\n",
            "build\tk=has space\n",
            "build\tk=\"unterminated\n",
            "build\tk=\"a\" trailing\n",
            "build\tk=\"bad \\q escape\"\n",
            "build\tk=\"\\400\"\n",
            "build\tk=\"\\ud800\"\n",
            "build\t\"k\"v\n",
            "build\t\"k\n",
        ] {
            assert!(parse_modinfo(line).is_err(), "{line:?}");
        }
    }
}
