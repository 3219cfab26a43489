//! Turns the command-line paths into the inputs to lint: a folder stands
//! for every package below it, in sorted order.

use std::path::{Path, PathBuf};

/// Turns the command-line paths into package paths: a folder stands for
/// every `*.zip` below it, in sorted order.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut packages = Vec::new();
    for path in paths {
        let metadata =
            std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if metadata.is_dir() {
            let before = packages.len();
            collect_zips(path, &mut packages)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if packages.len() == before {
                return Err(format!("no .zip package under {}", path.display()));
            }
        } else {
            packages.push(path.clone());
        }
    }
    Ok(packages)
}

fn collect_zips(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let path = entry.path();
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            collect_zips(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "zip") {
            out.push(path);
        }
    }
    Ok(())
}
