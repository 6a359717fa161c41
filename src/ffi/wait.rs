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
    /// `None` when the deadline has passed.
    pub(crate) fn wait<'a, T>(&self, condvar: &Condvar, guard: MutexGuard<'a, T>) -> Option<MutexGuard<'a, T>> {
        match self.0 {
            None => Some(condvar.wait(guard).unwrap_or_else(|e| e.into_inner())),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return None;
                }
                Some(condvar.wait_timeout(guard, left).unwrap_or_else(|e| e.into_inner()).0)
            }
        }
    }
}
