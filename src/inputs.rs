//! Turns the command-line paths into the inputs to lint, and opens each.
//! A folder stands for every package below it (sorted); with none, for the
//! unpacked package or the plugin source tree it is. An input that cannot
//! be found is a [`Failure`], reported after the others are linted.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::read::{self, Limits, Package};

/// Folders never searched for packages: version control, dependencies and
/// build output hold copies (or thousands of unrelated files).
const SKIPPED_FOLDERS: &[&str] = &["node_modules", "target"];

/// The project files of a plugin's source tree, in eKuiper's layout.
const PROJECT_FOLDERS: &[&str] = &["etc/sources", "etc/sinks", "etc/functions"];

/// The name `-` (standard input) is shown under.
pub const STDIN: &str = "-";

/// One thing to lint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A package, bare library or project file, by path.
    File(PathBuf),
    /// A zip package on standard input (`-`).
    Stdin,
    /// A folder holding an unpacked package.
    Unpacked(PathBuf),
}

/// A command-line path that cannot be linted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub path: PathBuf,
    pub reason: String,
}

impl Input {
    pub fn path(&self) -> &Path {
        match self {
            Input::File(path) | Input::Unpacked(path) => path,
            Input::Stdin => Path::new(STDIN),
        }
    }

    /// Reads the input into a package. Streams (stdin, pipes such as
    /// `/dev/stdin` or `<(…)`) are read once into memory, up to the total
    /// size limit, since a zip is read from its end.
    pub fn read(&self, limits: &Limits) -> Result<Package, String> {
        let cannot = |e: io::Error| format!("cannot read {}: {e}", self.path().display());
        match self {
            Input::Stdin => read_stream(self.path(), io::stdin().lock(), limits),
            Input::Unpacked(dir) => read::read_folder(dir, limits).map_err(cannot),
            Input::File(path) => {
                let is_file = fs::metadata(path).map_err(cannot)?.file_type().is_file();
                if is_file {
                    read::read_path(path, limits).map_err(cannot)
                } else {
                    read_stream(path, fs::File::open(path).map_err(cannot)?, limits)
                }
            }
        }
    }
}

fn read_stream(path: &Path, stream: impl Read, limits: &Limits) -> Result<Package, String> {
    let mut bytes = Vec::new();
    stream
        .take(limits.max_total_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() as u64 > limits.max_total_size {
        return Err(format!(
            "{} is a stream of more than {} bytes, the total size limit",
            path.display(),
            limits.max_total_size
        ));
    }
    read::read_zip_bytes(path, &bytes, limits)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Turns the command-line paths into inputs, in command-line order, and the
/// paths that cannot be linted.
pub fn expand(paths: &[PathBuf]) -> (Vec<Input>, Vec<Failure>) {
    let mut inputs = Vec::new();
    let mut failures = Vec::new();
    for path in paths {
        match expand_one(path) {
            Ok(found) => inputs.extend(found),
            Err(reason) => failures.push(Failure {
                path: path.clone(),
                reason,
            }),
        }
    }
    (inputs, failures)
}

fn expand_one(path: &Path) -> Result<Vec<Input>, String> {
    if path.as_os_str() == STDIN {
        return Ok(vec![Input::Stdin]);
    }
    let metadata =
        fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !metadata.is_dir() {
        return Ok(vec![Input::File(path.to_path_buf())]);
    }
    let cannot = |e: io::Error| format!("cannot read {}: {e}", path.display());
    let mut zips = Vec::new();
    collect_zips(path, &mut zips).map_err(cannot)?;
    if !zips.is_empty() {
        return Ok(zips.into_iter().map(Input::File).collect());
    }
    if path.join("go.mod").is_file() {
        return project_files(path).map_err(cannot);
    }
    if has_root_library(path).map_err(cannot)? {
        return Ok(vec![Input::Unpacked(path.to_path_buf())]);
    }
    Err(format!(
        "no package under {}: no .zip, no .so at its root (an unpacked package) and no go.mod (a plugin's sources)",
        path.display()
    ))
}

fn collect_zips(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let path = entry.path();
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            if !is_skipped(&entry.file_name().to_string_lossy()) {
                collect_zips(&path, out)?;
            }
        } else if path.extension().is_some_and(|ext| ext == "zip") {
            out.push(path);
        }
    }
    Ok(())
}

fn is_skipped(folder: &str) -> bool {
    folder.starts_with('.') || SKIPPED_FOLDERS.contains(&folder)
}

/// A plugin source tree's go.mod and its descriptors and configs.
fn project_files(dir: &Path) -> io::Result<Vec<Input>> {
    let mut files = vec![Input::File(dir.join("go.mod"))];
    for folder in PROJECT_FOLDERS {
        let Ok(listing) = fs::read_dir(dir.join(folder)) else {
            continue;
        };
        let mut found: Vec<PathBuf> = listing
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .map(|entry| entry.path())
            .filter(|path| {
                path.is_file()
                    && path
                        .extension()
                        .is_some_and(|ext| ext == "json" || ext == "yaml" || ext == "yml")
            })
            .collect();
        found.sort();
        files.extend(found.into_iter().map(Input::File));
    }
    Ok(files)
}

fn has_root_library(dir: &Path) -> io::Result<bool> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() && entry.path().extension().is_some_and(|ext| ext == "so") {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for name in files {
            let path = dir.path().join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, b"x").unwrap();
        }
        dir
    }

    fn names(dir: &Path, inputs: &[Input]) -> Vec<String> {
        inputs
            .iter()
            .map(|input| {
                let path = input.path().strip_prefix(dir).unwrap_or(input.path());
                path.to_string_lossy().replace('\\', "/")
            })
            .collect()
    }

    #[test]
    fn folders_skip_vcs_dependencies_and_build_output() {
        let dir = tree(&[
            "b.zip",
            "a/c.zip",
            ".git/objects/x.zip",
            "node_modules/pkg/y.zip",
            "target/debug/z.zip",
            ".cache/w.zip",
        ]);
        let (inputs, failures) = expand(&[dir.path().to_path_buf()]);
        assert!(failures.is_empty());
        assert_eq!(names(dir.path(), &inputs), ["a/c.zip", "b.zip"]);
    }

    #[test]
    fn source_trees_and_unpacked_packages_are_recognised() {
        let dir = tree(&[
            "go.mod",
            "main.go",
            "etc/sources/pulse.json",
            "etc/sources/pulse.yaml",
            "functions/package.json",
        ]);
        let (inputs, _) = expand(&[dir.path().to_path_buf()]);
        assert_eq!(
            names(dir.path(), &inputs),
            ["go.mod", "etc/sources/pulse.json", "etc/sources/pulse.yaml"]
        );
        let dir = tree(&["Pulse.so", "pulse.json", "pulse.yaml"]);
        let (inputs, _) = expand(&[dir.path().to_path_buf()]);
        assert_eq!(inputs, [Input::Unpacked(dir.path().to_path_buf())]);
    }

    #[test]
    fn missing_paths_are_failures_and_the_rest_are_kept() {
        let dir = tree(&["a.zip", "empty/readme.txt"]);
        let paths = [
            dir.path().join("a.zip"),
            dir.path().join("nope.zip"),
            dir.path().join("empty"),
            PathBuf::from("-"),
        ];
        let (inputs, failures) = expand(&paths);
        assert_eq!(
            inputs,
            [Input::File(dir.path().join("a.zip")), Input::Stdin]
        );
        assert_eq!(failures.len(), 2);
        assert!(failures[1].reason.contains("no package"), "{failures:?}");
    }
}
