//! Reads a zip package.

use std::path::Path;

use super::{Limits, Package};

pub fn read_zip(path: &Path, _limits: &Limits) -> std::io::Result<Package> {
    Ok(Package {
        path: path.to_path_buf(),
        container: super::Container::Zip,
        entries: Vec::new(),
        unreadable: None,
        over_limit: None,
    })
}
