//! `--host`: the facts of a real eKuiper executable (`kuiperd`), read once
//! and turned into the [`Target`] every package is checked against.

use std::path::Path;

use crate::inspect::elf;
use crate::target::Target;

/// The largest host executable read for `--host` (kuiperd is ~100 MB).
const MAX_HOST_SIZE: u64 = 1 << 30;

/// Reads the facts of an eKuiper executable; the error says why the file
/// cannot serve as a host (the tool then exits 2).
pub fn read_host(path: &Path) -> Result<Target, String> {
    let cannot = |e: std::io::Error| format!("cannot read the host {}: {e}", path.display());
    let size = std::fs::metadata(path).map_err(cannot)?.len();
    if size > MAX_HOST_SIZE {
        return Err(format!(
            "the host {} is {size} bytes, more than an eKuiper executable",
            path.display()
        ));
    }
    let bytes = std::fs::read(path).map_err(cannot)?;
    if elf::upx_packed(&bytes) {
        // eKuiper's Makefile runs `upx ./kuiperd` when the build image has
        // upx: what --host needs is compressed inside the packed file.
        return Err(format!(
            "the host {} is packed with UPX (eKuiper's Makefile packs kuiperd when upx is installed), so its Go build info and fingerprints cannot be read; unpack a copy with `upx -d -o kuiperd.unpacked {}` and pass that to --host",
            path.display(),
            path.display()
        ));
    }
    let facts = elf::inspect_library(&bytes)
        .map_err(|e| format!("the host {} is not an ELF file: {}", path.display(), e.0))?;
    if facts.build_info.is_none() {
        return Err(format!(
            "the host {} has no Go build info: not an eKuiper executable",
            path.display()
        ));
    }
    Ok(Target::from_host(&path.display().to_string(), &facts))
}
