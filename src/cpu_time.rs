//! How long work took, in CPU time, for the tests that bound it. On a
//! loaded machine wall time measures the load; the CPU time of the thread
//! (or the child process) doing the work measures the work, so a quadratic
//! parse is still caught and a busy neighbour is not. Wall time stays only
//! as a generous hang guard. The integration tests include this same file.

use std::time::{Duration, Instant};

/// The wall-clock ceiling past which work is taken to hang, whatever the
/// machine's load.
pub const HANG_GUARD: Duration = Duration::from_secs(120);

/// Runs `work` on this thread: its result and the CPU time it used. Panics
/// when it ran past the hang guard.
pub fn measure<T>(work: impl FnOnce() -> T) -> (T, Duration) {
    let (cpu, wall) = (thread(), Instant::now());
    let result = work();
    let (cpu, wall) = (thread().saturating_sub(cpu), wall.elapsed());
    assert!(
        wall < HANG_GUARD,
        "{wall:?} of wall time ({cpu:?} of CPU): it hangs"
    );
    (result, cpu)
}

/// The CPU time (user and system) the calling thread has used so far: the
/// test's own, not that of the tests running beside it.
pub fn thread() -> Duration {
    // SAFETY: rusage is plain data, all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage only writes the struct we pass.
    let status = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) };
    assert_eq!(status, 0, "getrusage failed");
    of(&usage)
}

/// The user and system time in `usage` (as `wait4` gives for a child).
pub fn of(usage: &libc::rusage) -> Duration {
    let time = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or_default())
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or_default())
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}
