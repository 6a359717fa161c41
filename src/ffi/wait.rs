//! Waiting on a condition variable for at most a timeout given in milliseconds, as the C API
//! takes it (negative: no limit; 0: only look).

use std::sync::{Condvar, MutexGuard};
use std::time::{Duration, Instant};

pub(crate) struct Deadline(Option<Instant>);

impl Deadline {
    pub(crate) fn after_ms(timeout_ms: i64) -> Deadline {
        Deadline((timeout_ms >= 0).then(|| Instant::now() + Duration::from_millis(timeout_ms as u64)))
    }

    /// Waits once on `condvar` (it may wake early: the caller checks its condition again).
    /// `None` when the deadline has passed. The waiter is counted in the state's field that
    /// `waiting` designates while it sleeps, so that whoever changes the state signals the
    /// condition variable only when someone waits (a notify is a system call even when nobody
    /// does).
    pub(crate) fn wait<'a, T>(
        &self,
        condvar: &Condvar,
        mut guard: MutexGuard<'a, T>,
        waiting: fn(&mut T) -> &mut usize,
    ) -> Option<MutexGuard<'a, T>> {
        let left = match self.0 {
            None => None,
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return None;
                }
                Some(left)
            }
        };
        *waiting(&mut guard) += 1;
        let mut guard = match left {
            None => condvar.wait(guard).unwrap_or_else(|e| e.into_inner()),
            Some(left) => condvar.wait_timeout(guard, left).unwrap_or_else(|e| e.into_inner()).0,
        };
        *waiting(&mut guard) -= 1;
        Some(guard)
    }
}
