//! `openai_queue`: one descriptor and one wait for many calls in flight. Futures handed to a
//! queue come back from it as they complete, so a program with thousands of calls in flight
//! watches a single descriptor (or calls `openai_queue_next`) and needs no thread of its own.

use std::collections::{HashSet, VecDeque};
use std::os::fd::RawFd;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::code::openai_code;
use super::error::set_last_error;
use super::future::openai_future;
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
}

impl QueueShared {
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Called when an owned future completes.
    pub(crate) fn push_ready(&self, handle: usize) {
        let mut state = self.lock();
        if state.closed {
            state.owned.remove(&handle);
            // SAFETY: the queue owned this handle and nobody else can reach it any more.
            drop(unsafe { Box::from_raw(handle as *mut openai_future) });
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
            Ok(signal) => Box::into_raw(Box::new(openai_queue {
                shared: Arc::new(QueueShared {
                    state: Mutex::new(QueueState { ready: VecDeque::new(), owned: HashSet::new(), closed: false, waiting: 0, fd_used: false, raised: false }),
                    arrived: Condvar::new(),
                    signal,
                }),
            })),
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
        let (Some(q), Some(f)) = (queue.as_ref(), future.as_ref()) else {
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
        let (Some(q), false) = (queue.as_ref(), out.is_null()) else {
            set_last_error("openai_queue_next: queue or out is NULL");
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        *out = std::ptr::null_mut();
        let shared = &q.shared;
        let deadline = Deadline::after_ms(timeout_ms);
        let mut state = shared.lock();
        loop {
            if let Some(handle) = state.ready.pop_front() {
                state.owned.remove(&handle);
                if state.ready.is_empty() && state.raised {
                    shared.signal.clear();
                    state.raised = false;
                }
                *out = handle as *mut openai_future;
                return openai_code::OPENAI_OK;
            }
            state = match deadline.wait(&shared.arrived, state, |s| &mut s.waiting) {
                Some(state) => state,
                None => return openai_code::OPENAI_PENDING,
            };
        }
    }
}

/// A descriptor that is readable while the queue holds completed futures: add it to an event
/// loop, and on readiness call `openai_queue_next(queue, 0, &future)` until it returns
/// `OPENAI_PENDING`. It belongs to the queue: do not read from or close it. -1 for NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_queue_fd(queue: *const openai_queue) -> RawFd {
    ffi_boundary! {
        queue.as_ref().map_or(-1, |q| {
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
        queue.as_ref().map_or(0, |q| q.shared.lock().owned.len())
    }
}

/// Frees the queue. The futures it owns are freed too: pending ones are cancelled first (their
/// connections dropped). NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn openai_queue_free(queue: *mut openai_queue) {
    ffi_boundary! {
        if queue.is_null() {
            return;
        }
        let queue = Box::from_raw(queue);
        let mut state = queue.shared.lock();
        state.closed = true;
        let ready: HashSet<usize> = state.ready.drain(..).collect();
        for &handle in &ready {
            state.owned.remove(&handle);
            drop(Box::from_raw(handle as *mut openai_future));
        }
        // Pending futures are freed by `push_ready` when they complete, which cancelling makes
        // immediate; the lock held here keeps them from completing into a half-closed queue.
        for &handle in &state.owned {
            (*(handle as *const openai_future)).shared.cancel();
        }
    }
}
