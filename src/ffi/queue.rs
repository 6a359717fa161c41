//! `openai_queue`: one descriptor and one wait for many calls in flight. Futures handed to a
//! queue come back from it as they complete, so a program with thousands of calls in flight
//! watches a single descriptor (or calls `openai_queue_next`) and needs no thread of its own.

use std::collections::{HashSet, VecDeque};
use std::os::fd::RawFd;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::code::openai_code;
use super::error::set_last_error;
use super::future::openai_future;
use super::handle::{self, Out};
use super::signal::Signal;
use super::wait::Deadline;

/// A completion queue. Created with `openai_queue_new`, freed with `openai_queue_free`. It owns
/// the futures handed to it until it returns them. Its functions may be called from any thread.
pub struct openai_queue {
    shared: Arc<QueueShared>,
}

pub(crate) struct QueueShared {
    state: Mutex<QueueState>,
    arrived: Condvar,
    /// Readable while `ready` is not empty.
    signal: Signal,
}

struct QueueState {
    /// Completed futures (handle addresses), oldest first.
    ready: VecDeque<usize>,
    /// Every handle the queue owns, complete or not.
    owned: HashSet<usize>,
    /// Set by `openai_queue_free`: futures completing later are freed, not queued.
    closed: bool,
    /// Threads blocked in `openai_queue_next`.
    waiting: usize,
    /// `openai_queue_fd` was called: from then on the descriptor follows `ready`. Until then it
    /// is left alone (raising and clearing it are system calls).
    fd_used: bool,
    /// The descriptor is raised.
    raised: bool,
    /// The fork generation whose futures the queue last checked (see `settle_orphans`).
    forks: u64,
}

impl QueueShared {
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// In a fork()ed child, futures started before the fork never complete (their tasks are
    /// the parent's): they complete now, cancelled, and come back as ready.
    fn settle_orphans(&self) {
        let pending: Vec<usize> = {
            let state = self.lock();
            if state.forks == crate::runtime::forks() {
                return;
            }
            state.owned.iter().copied().filter(|h| !state.ready.contains(h)).collect()
        };
        for pending in pending {
            // SAFETY: owned handles stay alive until the caller takes them back from the queue,
            // which only this thread (the queue's user) can do.
            if let Some(future) = unsafe { handle::borrow(pending as *const openai_future) } {
                future.shared.settle_if_orphaned();
            }
        }
        self.lock().forks = crate::runtime::forks();
    }

    /// Waits up to `timeout_ms` for a completed future, then hands `take` the handles of up to
    /// `max` completed futures (oldest first), which the queue no longer owns. `OPENAI_OK` when
    /// it handed any, `OPENAI_PENDING` when none completed in time.
    fn take_ready(&self, timeout_ms: i64, max: usize, mut take: impl FnMut(usize)) -> openai_code {
        self.settle_orphans();
        let deadline = Deadline::after_ms(timeout_ms);
        let mut state = self.lock();
        while state.ready.is_empty() {
            state = match deadline.wait(&self.arrived, state, |s| &mut s.waiting) {
                Some(state) => state,
                None => return openai_code::OPENAI_PENDING,
            };
        }
        for _ in 0..max {
            let Some(handle) = state.ready.pop_front() else { break };
            state.owned.remove(&handle);
            take(handle);
        }
        if state.ready.is_empty() && state.raised {
            self.signal.clear();
            state.raised = false;
        }
        openai_code::OPENAI_OK
    }

    /// Called when an owned future completes.
    pub(crate) fn push_ready(&self, handle: usize) {
        let mut state = self.lock();
        if state.closed {
            state.owned.remove(&handle);
            // SAFETY: the queue owned this handle (given to it by `openai_queue_add`) and, the
            // queue being freed, nobody else can reach it any more.
            drop(unsafe { handle::take(handle as *mut openai_future) });
            return;
        }
        state.ready.push_back(handle);
        if state.fd_used && !state.raised {
            self.signal.raise();
            state.raised = true;
        }
        let wake = state.waiting > 0;
        drop(state);
        if wake {
            self.arrived.notify_one();
        }
    }
}

/// Creates a completion queue. Returns NULL (and sets `openai_last_error`) when its descriptor
/// cannot be made.
#[no_mangle]
pub extern "C" fn openai_queue_new() -> *mut openai_queue {
    ffi_boundary! {
        match Signal::new() {
            Ok(signal) => handle::give(openai_queue {
                shared: Arc::new(QueueShared {
                    state: Mutex::new(QueueState { ready: VecDeque::new(), owned: HashSet::new(), closed: false, waiting: 0, fd_used: false, raised: false, forks: crate::runtime::forks() }),
                    arrived: Condvar::new(),
                    signal,
                }),
            }),
            Err(e) => {
                set_last_error(format!("openai_queue_new: no descriptor could be made: {e}"));
                std::ptr::null_mut()
            }
        }
    }
}

/// Hands `future` to the queue, which owns it from now on: it comes back from
/// `openai_queue_next` once complete (at once if it already is). Do not free it meanwhile.
///
/// Returns `OPENAI_INVALID_ARGUMENT` (and keeps the future the caller's) for NULL, for a future
/// started with a callback (the callback receives its response) and for a future already in a
/// queue.
#[no_mangle]
pub unsafe extern "C" fn openai_queue_add(queue: *mut openai_queue, future: *mut openai_future) -> openai_code {
    ffi_boundary! {
        // SAFETY: `queue` and `future` are NULL or live handles (the header's conventions).
        let (Some(q), Some(f)) = (unsafe { handle::borrow(queue) }, unsafe { handle::borrow(future) }) else {
            set_last_error("openai_queue_add: queue or future is NULL");
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        let handle = future as usize;
        // Owned before it can complete into the ready list.
        q.shared.lock().owned.insert(handle);
        match f.shared.join_queue(&q.shared, handle) {
            Ok(()) => openai_code::OPENAI_OK,
            Err(message) => {
                q.shared.lock().owned.remove(&handle);
                set_last_error(format!("openai_queue_add: {message}"));
                openai_code::OPENAI_INVALID_ARGUMENT
            }
        }
    }
}

/// Takes the next completed future, waiting up to `timeout_ms` milliseconds for one (negative:
/// as long as it takes; 0: only look). On `OPENAI_OK`, `*out` receives the future, which is the
/// caller's again: take its response, then free it. Returns `OPENAI_PENDING` (and sets `*out` to
/// NULL) when none completed in time, `OPENAI_INVALID_ARGUMENT` for NULL arguments.
///
/// Completed futures come back in the order they completed.
#[no_mangle]
pub unsafe extern "C" fn openai_queue_next(queue: *mut openai_queue, timeout_ms: i64, out: *mut *mut openai_future) -> openai_code {
    ffi_boundary! {
        // SAFETY: `out` is NULL or writable; `queue` NULL or a live queue.
        let out = match unsafe { Out::new(out) } {
            Ok(out) => out,
            Err(code) => return code,
        };
        // SAFETY: as above.
        let Some(q) = (unsafe { handle::borrow(queue) }) else {
            set_last_error("openai_queue_next: queue is NULL");
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        let mut taken = None;
        let code = q.shared.take_ready(timeout_ms, 1, |handle| taken = Some(handle));
        if let Some(handle) = taken {
            // The handle the caller gave `openai_queue_add` goes back to the caller.
            out.put_raw(handle as *mut openai_future);
        }
        code
    }
}

/// `openai_queue_next` for many at once: waits up to `timeout_ms` milliseconds (negative: as
/// long as it takes; 0: only look) for a completed future, then takes every completed future up
/// to `capacity`, in the order they completed, in one step (one lock, one wake-up: for a program
/// with many calls in flight). `out` points to `capacity` slots: the first `*count` receive the
/// futures, which are the caller's again (take each response, then free each future).
///
/// Returns `OPENAI_OK` with `*count` at least 1, `OPENAI_PENDING` with `*count` 0 when none
/// completed in time, `OPENAI_INVALID_ARGUMENT` for a NULL argument or a `capacity` of 0.
#[no_mangle]
pub unsafe extern "C" fn openai_queue_next_many(
    queue: *mut openai_queue,
    timeout_ms: i64,
    out: *mut *mut openai_future,
    capacity: usize,
    count: *mut usize,
) -> openai_code {
    ffi_boundary! {
        if out.is_null() || count.is_null() || capacity == 0 {
            set_last_error("openai_queue_next_many: out or count is NULL, or capacity is 0");
            return openai_code::OPENAI_INVALID_ARGUMENT;
        }
        // SAFETY: `count` is non-NULL and writable (the header's conventions).
        unsafe { handle::write_opt(count, 0) };
        // SAFETY: `queue` is NULL or a live queue.
        let Some(q) = (unsafe { handle::borrow(queue) }) else {
            set_last_error("openai_queue_next_many: queue is NULL");
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        // SAFETY: `out` is non-NULL and points to `capacity` writable slots (the function's
        // documented contract).
        let slots = unsafe { std::slice::from_raw_parts_mut(out, capacity) };
        let mut taken = 0;
        let code = q.shared.take_ready(timeout_ms, capacity, |handle| {
            // The handles the caller gave `openai_queue_add` go back to the caller.
            slots[taken] = handle as *mut openai_future;
            taken += 1;
        });
        // SAFETY: as above.
        unsafe { handle::write_opt(count, taken) };
        code
    }
}

/// A descriptor that is readable while the queue holds completed futures: add it to an event
/// loop, and on readiness call `openai_queue_next(queue, 0, &future)` until it returns
/// `OPENAI_PENDING`. It belongs to the queue: do not read from or close it. -1 for NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_queue_fd(queue: *const openai_queue) -> RawFd {
    ffi_boundary! {
        // SAFETY: `queue` is NULL or a live queue.
        unsafe { handle::borrow(queue) }.map_or(-1, |q| {
            let mut state = q.shared.lock();
            state.fd_used = true;
            if !state.ready.is_empty() && !state.raised {
                q.shared.signal.raise();
                state.raised = true;
            }
            q.shared.signal.fd()
        })
    }
}

/// How many futures the queue owns: in flight, plus complete but not yet returned. A loop can
/// run `while (openai_queue_len(queue) > 0)`. 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_queue_len(queue: *const openai_queue) -> usize {
    ffi_boundary! {
        // SAFETY: `queue` is NULL or a live queue.
        unsafe { handle::borrow(queue) }.map_or(0, |q| q.shared.lock().owned.len())
    }
}

/// Frees the queue. The futures it owns are freed too: pending ones are cancelled first (their
/// connections dropped). NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn openai_queue_free(queue: *mut openai_queue) {
    ffi_boundary! {
        // SAFETY: `queue` is NULL or a queue not yet freed, unused from now on.
        let Some(queue) = (unsafe { handle::take(queue) }) else {
            return;
        };
        let mut state = queue.shared.lock();
        state.closed = true;
        let ready: HashSet<usize> = state.ready.drain(..).collect();
        for &ready_handle in &ready {
            state.owned.remove(&ready_handle);
            // SAFETY: the queue owns the handles of its ready futures, which nobody else holds.
            drop(unsafe { handle::take(ready_handle as *mut openai_future) });
        }
        // Pending futures are freed by `push_ready` when they complete, which cancelling makes
        // immediate; the lock held here keeps them from completing into a half-closed queue.
        for &pending in &state.owned {
            // SAFETY: an owned pending handle stays alive until `push_ready` frees it, which
            // needs the lock held here.
            if let Some(future) = unsafe { handle::borrow(pending as *const openai_future) } {
                future.shared.cancel();
            }
        }
    }
}
