//! A progress line on stderr while many packages are linted in a terminal;
//! silent otherwise (pipes, CI logs, a single package).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Progress {
    total: usize,
    done: AtomicUsize,
    shown: bool,
}

impl Progress {
    /// Fewer packages than this finish before a progress line helps.
    const MIN_PACKAGES: usize = 20;

    pub fn new(total: usize) -> Progress {
        Progress {
            total,
            done: AtomicUsize::new(0),
            shown: total >= Self::MIN_PACKAGES && std::io::stderr().is_terminal(),
        }
    }

    pub fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.shown {
            eprint!("\rlinting {done}/{} packages", self.total);
        }
    }

    pub fn finish(&self) {
        if self.shown {
            // Erase the line so the report starts clean.
            eprint!("\r\x1b[2K");
        }
    }
}
