//! `openai_future`: a call in flight. It completes through a callback, polling, waiting, a file
//! descriptor, or a completion queue (`openai_queue`).

use std::ffi::{c_char, c_void};
use std::future::Future;
use std::os::fd::RawFd;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use futures_util::FutureExt;
use tokio_util::sync::CancellationToken;

use super::call::{download_request, guarded, operation_request, CInput};
use super::client::openai_client;
use super::code::openai_code;
use super::error::set_last_error;
use super::handle::{self, Out, UserData};
use super::queue::QueueShared;
use super::response::openai_response;
use super::signal::Signal;
use super::upload::openai_progress_callback;
use super::wait::Deadline;
use crate::operations::Operation;
use crate::response::{Outcome, Response};
use crate::runtime;

/// A completion callback: receives the response, which it owns (free it with
/// `openai_response_free`), and the `userdata` given when the call was started.
///
/// It runs exactly once per future, also when the call fails or is cancelled, on one of the
/// library's worker threads, never on the thread that started the call (the one exception:
/// a call still in flight when `openai_shutdown` stops the library completes, cancelled, on the
/// thread calling it). Inside it any function of the library may be called, blocking calls
/// included; it should return promptly, as a worker thread runs other calls' I/O. It must not
/// wait on its own future (that future completes when the callback returns).
pub type openai_callback = Option<unsafe extern "C" fn(response: *mut openai_response, userdata: *mut c_void)>;

/// A call in flight, created by an `_async` function (which never blocks on the network) and
/// owned by the caller: free it with `openai_future_free` (which cancels it if still pending),
/// give it up with `openai_future_detach`, or hand it to a queue with `openai_queue_add`.
///
/// `openai_future_cancel` may be called from any thread; the other functions by one thread at a
/// time.
pub struct openai_future {
    pub(crate) shared: Arc<Shared>,
}

/// What the caller's handle and the task running the call share.
pub(crate) struct Shared {
    state: Mutex<State>,
    completed: Condvar,
    cancel: CancellationToken,
    userdata: UserData,
    /// Whether the call was started with a callback, which then receives the response. Fixed
    /// at the start, so that what depends on it (joining a queue) never depends on timing.
    has_callback: bool,
    /// The fork generation the call runs in: in a fork()ed child, its task is the parent's.
    forks: u64,
}

struct State {
    /// Someone is completing the future: every later completion is dropped.
    completing: bool,
    complete: bool,
    /// The response, from completion until it is taken; never set when a callback took it.
    response: Option<Box<openai_response>>,
    callback: openai_callback,
    /// The descriptor of `openai_future_fd`, made on first request.
    signal: Option<Signal>,
    /// The queue that owns this future's handle, and the handle's address.
    queue: Option<(Arc<QueueShared>, usize)>,
    /// Threads blocked in `openai_future_wait`: only they need the condition variable.
    waiting: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks the task to stop; it completes the future as cancelled at its next step.
    pub(crate) fn cancel(&self) {
        self.cancel.cancel();
    }

    pub(crate) fn is_complete(&self) -> bool {
        self.settle_if_orphaned();
        self.lock().complete
    }

    /// In a fork()ed child, a call started before the fork runs in the parent only (its task
    /// has no thread here): it completes at once, cancelled, instead of never.
    pub(crate) fn settle_if_orphaned(&self) {
        if self.forks != runtime::forks() && !self.lock().complete {
            self.complete(Response::failure(
                Outcome::Cancelled,
                "the call was started before fork(); it runs in the parent process only",
            ));
        }
    }

    /// Joins the future to a queue that now owns its handle. A complete future goes straight
    /// to the queue's ready list. Fails when a callback receives the response.
    pub(crate) fn join_queue(&self, queue: &Arc<QueueShared>, handle: usize) -> Result<(), &'static str> {
        if self.has_callback {
            return Err("a future with a callback cannot join a queue: the callback receives its response");
        }
        let mut state = self.lock();
        if state.queue.is_some() {
            return Err("the future already belongs to a queue");
        }
        if state.complete {
            drop(state);
            queue.push_ready(handle);
        } else {
            state.queue = Some((queue.clone(), handle));
        }
        Ok(())
    }

    /// Ends the call, once: the callback (if any) receives the response, then waiters, the
    /// descriptor and the queue learn that the future is complete. A second completion (a
    /// response racing a cancellation) is dropped.
    fn complete(&self, response: Response) {
        let callback = {
            let mut state = self.lock();
            if state.completing {
                return;
            }
            state.completing = true;
            state.callback.take()
        };
        let mut response = Some(Box::new(openai_response::new(response)));
        if let Some(callback) = callback {
            let response = handle::give_box(response.take().expect("set above"));
            // SAFETY: the caller gave this function and userdata for this purpose; the response
            // is given to it (it frees it).
            unsafe { callback(response, self.userdata.get()) };
        }
        let (queue, wake) = {
            let mut state = self.lock();
            state.complete = true;
            state.response = response;
            if let Some(signal) = &state.signal {
                signal.raise();
            }
            (state.queue.take(), state.waiting > 0)
        };
        if wake {
            self.completed.notify_all();
        }
        if let Some((queue, handle)) = queue {
            queue.push_ready(handle);
        }
    }

    /// Waits until the call is complete, for `openai_future_cancel`: prompt, since a cancelled
    /// task stops at its next step. On a library thread the worker first hands its other tasks
    /// to another thread, so that the task it waits for can run.
    fn wait_complete(&self) {
        let wait = || {
            let mut state = self.lock();
            while !state.complete {
                state = Deadline::after_ms(-1).wait(&self.completed, state, |s| &mut s.waiting).expect("no deadline");
            }
        };
        if runtime::on_library_thread() {
            tokio::task::block_in_place(wait);
        } else {
            wait();
        }
    }
}

/// Completes the future as cancelled if its task is dropped before it completed it: the runtime
/// was shut down (`openai_shutdown`) with the call in flight.
struct CompleteOnDrop(Option<Arc<Shared>>);

impl CompleteOnDrop {
    /// The task completes the future itself: nothing to do on drop.
    fn disarm(&mut self) -> Arc<Shared> {
        self.0.take().expect("disarmed once")
    }
}

impl Drop for CompleteOnDrop {
    fn drop(&mut self) {
        if let Some(shared) = self.0.take() {
            shared.complete(Response::failure(Outcome::Cancelled, "the library was shut down while the call was in flight"));
        }
    }
}

/// Starts `work` (or completes at once with the failure that prevented it) on the runtime and
/// returns the caller's handle. Public only for the tests of the panic boundary.
#[doc(hidden)]
pub fn start<F>(work: Result<F, Response>, callback: openai_callback, userdata: *mut c_void) -> *mut openai_future
where
    F: Future<Output = Response> + Send + 'static,
{
    let shared = Arc::new(Shared {
        state: Mutex::new(State { completing: false, complete: false, response: None, callback, signal: None, queue: None, waiting: 0 }),
        completed: Condvar::new(),
        cancel: CancellationToken::new(),
        userdata: UserData::new(userdata),
        has_callback: callback.is_some(),
        forks: runtime::forks(),
    });
    let handle_shared = shared.clone();
    let mut guard = CompleteOnDrop(Some(shared.clone()));
    runtime::handle().spawn(async move {
        let cancel = shared.cancel.clone();
        let response = match work {
            Err(failure) => failure,
            Ok(work) => {
                let work = AssertUnwindSafe(work).catch_unwind();
                tokio::select! {
                    biased;
                    _ = cancel.cancelled() => Response::failure(Outcome::Cancelled, "the call was cancelled"),
                    result = work => result.unwrap_or_else(|payload| Response::failure(
                        Outcome::Internal,
                        format!("internal error (a bug in libopenai): {}", super::boundary::panic_message(&*payload)),
                    )),
                }
            }
        };
        // The work (its connection, a download's partial file) is dropped before completing.
        guard.disarm().complete(response);
    });
    handle::give(openai_future { shared: handle_shared })
}

/// The body of every per-operation `_async` export.
///
/// # Safety
/// The export's arguments as the header describes them (see `call::operation_request`).
pub(crate) unsafe fn start_operation(
    client: *const openai_client,
    op: &'static Operation,
    params: &[(&str, *const c_char)],
    input: CInput<'_>,
    callback: openai_callback,
    userdata: *mut c_void,
) -> *mut openai_future {
    let work = guarded(|| {
        // SAFETY: the export's arguments, valid or NULL by this function's contract.
        let (client, request) = unsafe { operation_request(client, op, params, input) }?;
        let client = client.clone();
        Ok(async move { client.execute(&request).await })
    });
    start(work, callback, userdata)
}

/// The body of the `_to_file_async` exports: the operation's response body goes to `path`.
///
/// # Safety
/// The export's arguments as the header describes them (see `call::download_request`).
#[allow(clippy::too_many_arguments)] // the C signature: the call, the file, the callback
pub(crate) unsafe fn start_download(
    client: *const openai_client,
    op: &'static Operation,
    params: &[(&str, *const c_char)],
    input: CInput<'_>,
    path: *const c_char,
    progress: (openai_progress_callback, *mut c_void),
    callback: openai_callback,
    userdata: *mut c_void,
) -> *mut openai_future {
    let work = guarded(|| {
        // SAFETY: the export's arguments, valid or NULL by this function's contract.
        let (client, request, path, progress) = unsafe { download_request(client, op, params, input, path, progress) }?;
        let client = client.clone();
        Ok(async move { client.download(&request, &path, progress).await })
    });
    start(work, callback, userdata)
}

/// Borrows a future, recording a NULL as the last error.
///
/// # Safety
/// `future` is NULL or a live future.
unsafe fn borrow<'a>(future: *const openai_future, what: &str) -> Option<&'a openai_future> {
    // SAFETY: this function's contract.
    let future = unsafe { handle::borrow(future) };
    if future.is_none() {
        set_last_error(format!("{what}: future is NULL"));
    }
    future
}

/// Whether the call has completed (its callback, if any, has returned). Never blocks. False for
/// NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_future_ready(future: *const openai_future) -> bool {
    ffi_boundary! {
        // SAFETY: `future` is NULL or a live future (the header's conventions).
        unsafe { handle::borrow(future) }.is_some_and(|f| f.shared.is_complete())
    }
}

/// Waits until the call completes or `timeout_ms` milliseconds pass (a negative timeout waits
/// as long as it takes; 0 only looks). Returns `OPENAI_OK` once complete, `OPENAI_PENDING` when
/// the time ran out first (the call goes on), `OPENAI_INVALID_ARGUMENT` for NULL. Must not be
/// called inside this future's own callback.
#[no_mangle]
pub unsafe extern "C" fn openai_future_wait(future: *const openai_future, timeout_ms: i64) -> openai_code {
    ffi_boundary! {
        // SAFETY: `future` is NULL or a live future.
        let Some(f) = (unsafe { borrow(future, "openai_future_wait") }) else {
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        let shared = &f.shared;
        shared.settle_if_orphaned();
        let mut state = shared.lock();
        let deadline = Deadline::after_ms(timeout_ms);
        while !state.complete {
            state = match deadline.wait(&shared.completed, state, |s| &mut s.waiting) {
                Some(state) => state,
                None => return openai_code::OPENAI_PENDING,
            };
        }
        openai_code::OPENAI_OK
    }
}

/// Takes the response of a completed call: `*out` receives it (free it with
/// `openai_response_free`) and its code is returned. A response can be taken once.
///
/// Returns `OPENAI_PENDING` (and sets `*out` to NULL) while the call is in flight, and
/// `OPENAI_INVALID_ARGUMENT` when the response was already taken or went to the callback, or an
/// argument is NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_future_take(future: *mut openai_future, out: *mut *mut openai_response) -> openai_code {
    ffi_boundary! {
        // SAFETY: `out` is NULL or writable; `future` NULL or a live future.
        let out = match unsafe { Out::new(out) } {
            Ok(out) => out,
            Err(code) => return code,
        };
        // SAFETY: as above.
        let Some(f) = (unsafe { borrow(future, "openai_future_take") }) else {
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        f.shared.settle_if_orphaned();
        let mut state = f.shared.lock();
        if !state.complete {
            return openai_code::OPENAI_PENDING;
        }
        match state.response.take() {
            Some(response) => {
                let code = response.code();
                out.put_box(response);
                code
            }
            None => {
                set_last_error("openai_future_take: the response was already taken, or went to the callback");
                openai_code::OPENAI_INVALID_ARGUMENT
            }
        }
    }
}

/// Cancels the call: the request and its connection are dropped. Does nothing to a completed
/// future. Safe to call from any thread, any number of times, also while another thread waits
/// on the future. NULL is ignored.
///
/// A future without a callback is complete when this returns: `openai_future_take` gives
/// `OPENAI_CANCELLED` (or the response, if the call completed first), `openai_future_ready` is
/// true, its descriptor is readable and its queue has it ready; a download's partial file is
/// removed. A future with a callback completes when its callback has run, exactly once, on a
/// library thread, possibly after this returns.
#[no_mangle]
pub unsafe extern "C" fn openai_future_cancel(future: *const openai_future) {
    ffi_boundary! {
        // SAFETY: `future` is NULL or a live future.
        if let Some(f) = unsafe { handle::borrow(future) } {
            f.shared.cancel();
            f.shared.settle_if_orphaned();
            if !f.shared.has_callback {
                f.shared.wait_complete();
            }
        }
    }
}

/// A descriptor that becomes readable when the call completes, for poll, epoll, kqueue, libuv,
/// GLib or asyncio loops. It belongs to the future: do not read from it or close it, and remove
/// it from event loops before freeing the future. Returns -1 (and sets `openai_last_error`) for
/// NULL or when no descriptor can be made. For many calls, one `openai_queue` descriptor serves
/// them all.
#[no_mangle]
pub unsafe extern "C" fn openai_future_fd(future: *const openai_future) -> RawFd {
    ffi_boundary! {
        // SAFETY: `future` is NULL or a live future.
        let Some(f) = (unsafe { borrow(future, "openai_future_fd") }) else {
            return -1;
        };
        f.shared.settle_if_orphaned();
        let state = &mut *f.shared.lock();
        Signal::fd_on_demand(&mut state.signal, state.complete, "openai_future_fd")
    }
}

/// The `userdata` given when the call was started (useful as a tag with a queue).
#[no_mangle]
pub unsafe extern "C" fn openai_future_userdata(future: *const openai_future) -> *mut c_void {
    ffi_boundary! {
        // SAFETY: `future` is NULL or a live future.
        unsafe { handle::borrow(future) }.map_or(std::ptr::null_mut(), |f| f.shared.userdata.get())
    }
}

/// Gives up the handle without cancelling the call: it runs to completion and its callback, if
/// any, receives the response; a response nobody takes is freed. For fire-and-forget calls with
/// a callback. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn openai_future_detach(future: *mut openai_future) {
    ffi_boundary! {
        // SAFETY: `future` is NULL or a future the caller owns, unused from now on.
        drop(unsafe { handle::take(future) });
    }
}

/// Frees a future. A pending call is cancelled first: its connection is dropped, and its
/// callback, if any, still runs once with `OPENAI_CANCELLED`, possibly after this function
/// returns, so `userdata` must stay valid until then. An untaken response is freed. Do not free
/// a future that was handed to a queue (the queue owns it until `openai_queue_next` returns it).
/// NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn openai_future_free(future: *mut openai_future) {
    ffi_boundary! {
        // SAFETY: `future` is NULL or a future the caller owns, unused from now on.
        if let Some(future) = unsafe { handle::take(future) } {
            future.shared.cancel();
        }
    }
}
