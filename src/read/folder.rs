//! An unpacked package: a folder read as if it were the zip, so a package
//! can be linted before it is zipped (or after it was unpacked). Entry
//! names are the files' paths below the folder, `/`-separated; the same
//! limits apply as to a zip, and symlinks are reported, never followed.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use super::{Breach, Container, Entry, EntryError, EntryKind, Limits, Method, Package, Role};

/// Reads `dir` as a package. Fails only when the folder cannot be listed.
pub fn read_folder(dir: &Path, limits: &Limits) -> io::Result<Package> {
    let mut entries = Vec::new();
    let mut over_limit = None;
    let mut total: u64 = 0;
    let mut kept: u64 = 0;
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((folder, prefix)) = pending.pop() {
        let mut listing: Vec<_> = fs::read_dir(&folder)?.collect::<Result<_, _>>()?;
        listing.sort_by_key(|entry| entry.file_name());
        for item in listing {
            if entries.len() as u64 >= limits.max_entries {
                over_limit = Some(Breach::Entries {
                    limit: limits.max_entries,
                });
                break;
            }
            let name = format!("{prefix}{}", item.file_name().to_string_lossy());
            let file_type = item.file_type()?;
            let size = if file_type.is_file() {
                item.metadata()?.len()
            } else {
                0
            };
            let kind = if file_type.is_dir() {
                pending.push((item.path(), format!("{name}/")));
                EntryKind::Directory
            } else if file_type.is_symlink() {
                EntryKind::Symlink
            } else if file_type.is_file() {
                EntryKind::File
            } else {
                EntryKind::Special(0)
            };
            total = total.saturating_add(size);
            let role = Role::of_name(&name).filter(|_| kind == EntryKind::File);
            let data = match role {
                Some(role) => Some(read_entry(&item.path(), role, size, &mut kept, limits)?),
                None => None,
            };
            let name = if kind == EntryKind::Directory {
                format!("{name}/")
            } else {
                name
            };
            entries.push(Entry {
                raw_name: name.as_bytes().to_vec(),
                name,
                kind,
                method: Method::Stored,
                encrypted: false,
                compressed_size: size,
                uncompressed_size: size,
                data,
            });
        }
    }
    if total > limits.max_total_size && over_limit.is_none() {
        over_limit = Some(Breach::TotalSize {
            declared: total,
            limit: limits.max_total_size,
        });
    }
    Ok(Package {
        path: dir.to_path_buf(),
        container: Container::Zip,
        entries,
        unreadable: None,
        over_limit,
    })
}

fn read_entry(
    path: &Path,
    role: Role,
    size: u64,
    kept: &mut u64,
    limits: &Limits,
) -> io::Result<Result<Vec<u8>, EntryError>> {
    let limit = limits.of(role).min(limits.max_kept_size);
    if size > limit {
        return Ok(Err(EntryError::OverLimit(Breach::Size {
            role,
            declared: size,
            limit,
        })));
    }
    if kept.saturating_add(size) > limits.max_kept_size {
        return Ok(Err(EntryError::OverLimit(Breach::Budget {
            declared: size,
            limit: limits.max_kept_size,
        })));
    }
    // Read at most one byte past the size seen: a file that grows while it
    // is read is not read without end.
    let mut bytes = Vec::new();
    fs::File::open(path)?
        .take(size.saturating_add(1))
        .read_to_end(&mut bytes)?;
    *kept += bytes.len() as u64;
    Ok(Ok(bytes))
}
