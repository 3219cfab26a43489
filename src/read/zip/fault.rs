//! Why an entry's data could not be had, shared by the streaming reading
//! ([`super::data`]), its inflater ([`super::inflate`]) and the one-shot
//! fast path ([`super::whole`]).

use std::io;

use crate::read::EntryError;

/// Why an entry's data could not be had: an I/O failure of the file (the
/// tool cannot run) or a finding about the entry.
#[derive(Debug)]
pub enum Fault {
    Io(io::Error),
    Entry(EntryError),
}

impl From<io::Error> for Fault {
    fn from(error: io::Error) -> Fault {
        if error.kind() == io::ErrorKind::UnexpectedEof {
            corrupt("its data ends early (truncated archive)")
        } else {
            Fault::Io(error)
        }
    }
}

pub fn corrupt(reason: impl Into<String>) -> Fault {
    Fault::Entry(EntryError::Corrupt(reason.into()))
}
