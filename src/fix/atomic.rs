//! Writing a package so that it is, at every moment, either the old file
//! or the whole new one: a temporary file beside the target, written and
//! fsync'ed, renamed over it, then the folder fsync'ed so the rename
//! itself survives a crash. Any failure before the rename removes the
//! temporary file and leaves the target untouched.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Replaces (or creates) `target` with `bytes`, atomically. An existing
/// target keeps its permissions.
pub fn replace(target: &Path, bytes: &[u8]) -> io::Result<()> {
    ignore_file_size_signal();
    let folder = folder_of(target);
    let (temp, mut file) = create_temp(&folder, target)?;
    let written = write_and_sync(&mut file, target, bytes);
    drop(file);
    if let Err(error) = written.and_then(|()| fs::rename(&temp, target)) {
        // Best effort: the error that matters is the write's.
        let _ = fs::remove_file(&temp);
        return Err(error);
    }
    File::open(&folder)?.sync_all()
}

fn folder_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A new file beside the target, named after it, that no one else has
/// opened (`create_new`); a hidden dot name keeps it out of globs.
fn create_temp(folder: &Path, target: &Path) -> io::Result<(PathBuf, File)> {
    let stem = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut attempt = 0u32;
    loop {
        let temp = folder.join(format!(
            ".{stem}.ekplugin-fix-{}-{attempt}",
            std::process::id()
        ));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(error) => return Err(error),
        }
    }
}

fn write_and_sync(file: &mut File, target: &Path, bytes: &[u8]) -> io::Result<()> {
    file.write_all(bytes)?;
    if let Ok(metadata) = fs::metadata(target) {
        file.set_permissions(metadata.permissions())?;
    }
    file.sync_all()
}

/// Over a file size limit (`ulimit -f`), the kernel sends SIGXFSZ, whose
/// default action kills the process before it can remove the temporary
/// file. Ignored, the write fails with EFBIG instead and is cleaned up.
fn ignore_file_size_signal() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_IGN installs no handler
    // code; it is sound at any time.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_keeping_permissions_and_leaves_no_temporary_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("p.zip");
        fs::write(&target, b"old").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).unwrap();
        replace(&target, b"new").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
        let mode = fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_rename_leaves_the_target_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // A folder cannot be replaced by a file.
        let target = dir.path().join("p.zip");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("inside"), b"x").unwrap();
        assert!(replace(&target, b"new").is_err());
        assert!(target.join("inside").exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
