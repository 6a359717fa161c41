//! `openai_stream`: a stream of server-sent events, pulled (`openai_stream_next` with a
//! timeout, or without waiting, with a descriptor for event loops) or pushed to a callback.
//!
//! A reader task on the library's runtime reads the socket, decodes events and queues them. The
//! queue is bounded: when the consumer is slow the reader stops reading, the socket's buffers
//! fill and TCP makes the server wait, so memory stays bounded whatever the stream's length.

use std::collections::VecDeque;
use std::ffi::{c_char, c_void, CString};
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use futures_util::FutureExt;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::call::{block_on, guarded, operation_request, CInput};
use super::client::openai_client;
use super::code::openai_code;
use super::error::set_last_error;
use super::event::openai_event;
use super::gate::Gate;
use super::handle::{self, Out, UserData};
use super::response::{openai_response, to_cstring};
use super::signal::Signal;
use super::wait::Deadline;
use crate::runtime::LocalRuntime;
use crate::client::Client;
use crate::operations::Operation;
use crate::request::Request;
use crate::response::{Outcome, Response};
use crate::runtime;
use crate::stream::{EventStream, Item};

/// Events queued for the consumer at most... Few enough that a reader running ahead of its
/// consumer keeps reusing the same memory, warm in the cache: with 4,096 a pulled stream of a
/// million events took 8,000 to 22,000 page faults (the allocator handing the queue's memory
/// back and faulting it in again) against about 6,800, and ran 15% slower (BENCHMARKS.md).
const MAX_QUEUED_EVENTS: usize = 256;
/// ...and their data at most (one larger event is always let through).
const MAX_QUEUED_BYTES: usize = 4 << 20;

/// A stream callback: receives each event, borrowed for the duration of the call (copy what you
/// keep), then a last call with `event` NULL when the stream ends; `openai_stream_code(stream)`
/// then says how (`OPENAI_OK` for a clean end). Return true to go on, false to close the stream
/// (the last call follows, with `OPENAI_CANCELLED`).
///
/// It runs on a library thread, one call at a time, in the order of the stream. After
/// `openai_stream_free` returns it is never called again; `openai_stream_free` may be called
/// inside it.
pub type openai_event_callback =
    Option<unsafe extern "C" fn(stream: *mut openai_stream, event: *const openai_event, userdata: *mut c_void) -> bool>;

/// A stream of server-sent events. Created by a `_stream` function (or an operation that always
/// streams) and owned by the caller; `openai_stream_free` closes its connection at once, so a
/// generation abandoned midway stops. Used by one thread at a time.
pub struct openai_stream {
    shared: Arc<Shared>,
}

struct Shared {
    /// The response head (status, headers, request id), or the whole error response of a stream
    /// that failed before it began. Unset until known.
    head: OnceLock<Box<openai_response>>,
    state: Mutex<State>,
    /// Wakes consumers waiting in `openai_stream_next`.
    arrived: Condvar,
    /// Wakes the reader when the consumer made room.
    room: Notify,
    cancel: CancellationToken,
    callback: openai_event_callback,
    userdata: UserData,
    /// The caller's handle, for callbacks (0 until known).
    handle: AtomicUsize,
    /// Held while the callback runs; closed by `openai_stream_free` (see `gate`).
    gate: Gate,
    /// The fork generation the stream's reader runs in: in a fork()ed child it is the parent's.
    forks: u64,
    /// A stream opened by a blocking call on a thread of the program is read on the thread
    /// that pulls its events, inside `openai_stream_next`, by driving the runtime of the thread
    /// that opened it: no worker thread, no hand-off per event. It moves to a reader of its own
    /// (`Shared::read_in_background`) when a descriptor is asked for, or when the thread that
    /// pulls cannot drive a runtime. `None` for a stream read by a task.
    local: Mutex<Option<LocalReading>>,
}

/// A stream read by its consumer: the runtime its connection belongs to, and the stream.
struct LocalReading {
    runtime: Arc<LocalRuntime>,
    stream: EventStream,
}

struct State {
    events: VecDeque<Box<openai_event>>,
    queued_bytes: usize,
    /// How the stream ended, once it has.
    end: Option<(openai_code, Option<CString>)>,
    /// The descriptor of `openai_stream_fd`, made on first request; readable while `next` would
    /// not wait.
    signal: Option<Signal>,
    /// Consumers blocked in `openai_stream_next`.
    waiting: usize,
    /// Events queued since consumers were last told (the reader tells once per decoded batch).
    unannounced: bool,
}

impl Shared {
    fn new(callback: openai_event_callback, userdata: *mut c_void) -> Arc<Shared> {
        Arc::new(Shared {
            head: OnceLock::new(),
            state: Mutex::new(State { events: VecDeque::new(), queued_bytes: 0, end: None, signal: None, waiting: 0, unannounced: false }),
            arrived: Condvar::new(),
            room: Notify::new(),
            cancel: CancellationToken::new(),
            callback,
            userdata: UserData::new(userdata),
            handle: AtomicUsize::new(0),
            gate: Gate::default(),
            forks: runtime::forks(),
            local: Mutex::new(None),
        })
    }

    fn local(&self) -> MutexGuard<'_, Option<LocalReading>> {
        self.local.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// For a stream read by its consumer: the next event, waiting up to `timeout_ms` (negative:
    /// as long as it takes; 0: only look), or how it ended; `Err(OPENAI_PENDING)` when nothing
    /// came in time. `None` when the stream is read by a task (its events are in the queue):
    /// also after it ended here, and when this thread cannot drive a runtime (it then moves to a
    /// reader of its own).
    fn read_here(self: &Arc<Self>, timeout_ms: i64) -> Option<Result<Box<openai_event>, openai_code>> {
        let mut local = self.local();
        let reading = local.as_mut()?;
        // An event already decoded is taken without the runtime (most events: a read brings
        // many); otherwise the runtime is driven until one comes.
        let ready = reading.stream.ready();
        if let Some(Item::Event(event)) = ready {
            return Some(Ok(Box::new(openai_event::new(event))));
        }
        if runtime::drivable_local_runtime().is_none() {
            drop(local);
            self.read_in_background();
            return None;
        }
        let stream = &mut reading.stream;
        let item = ready.map(Some).unwrap_or_else(|| reading.runtime.drive(async move {
            match timeout_ms {
                t if t < 0 => Some(stream.next().await),
                // One turn of the runtime's I/O driver (a yield is resumed after it), then
                // whatever is ready.
                0 => {
                    tokio::task::yield_now().await;
                    stream.next().now_or_never()
                }
                t => tokio::time::timeout(Duration::from_millis(t as u64), stream.next()).await.ok(),
            }
        }));
        match item {
            None => Some(Err(openai_code::OPENAI_PENDING)),
            Some(Item::Event(event)) => Some(Ok(Box::new(openai_event::new(event)))),
            Some(end) => {
                // The connection goes back to its pool (or closes) with the stream, once its
                // body is read to its end; what ends it is recorded for `openai_stream_code`
                // and later calls.
                let mut reading = local.take().expect("read above");
                drop(local);
                if reading.stream.ended_by_the_server() {
                    let LocalReading { runtime, stream } = &mut reading;
                    runtime.block_on(stream.finish_reading());
                }
                drop(reading.stream);
                // Its connection task runs only while the runtime is driven: let it see the drop
                // now, so that an ended (cancelled, failed) stream's socket closes at once.
                reading.runtime.block_on(async {});
                match end {
                    Item::Failed(failure) => self.end(failure.outcome.into(), Some(failure.message)),
                    _ => self.end(openai_code::OPENAI_OK, None),
                }
                None
            }
        }
    }

    /// Moves a stream read by its consumer to a reader of its own: a thread that drives the
    /// stream's runtime and queues its events (for a descriptor, or a consumer that cannot drive
    /// a runtime). Does nothing to a stream already read by a task.
    fn read_in_background(self: &Arc<Self>) {
        let Some(reading) = self.local().take() else { return };
        let shared = self.clone();
        let spawned = std::thread::Builder::new().name("openai-stream".into()).spawn(move || {
            let LocalReading { runtime, stream } = reading;
            runtime.block_on(shared.run(stream));
        });
        if let Err(e) = spawned {
            self.end(openai_code::OPENAI_INTERNAL, Some(format!("no thread could be started to read the stream: {e}")));
        }
    }

    /// Drops a stream read by its consumer, and lets its runtime close the connection now.
    fn drop_local(&self) {
        let Some(reading) = self.local().take() else { return };
        let LocalReading { runtime, stream } = reading;
        drop(stream);
        if runtime::drivable_local_runtime().is_some() {
            runtime.block_on(async {});
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set_head(&self, head: Response) {
        let _ = self.head.set(Box::new(openai_response::new(head)));
    }

    /// Runs the callback, unless the stream was freed. Returns whether to go on.
    ///
    /// The callback runs inside the gate, so that `openai_stream_free` can wait for it (or, where
    /// waiting could deadlock, leave the freeing of the handle to the callback's return).
    fn call_back(&self, event: *const openai_event) -> bool {
        let Some(callback) = self.callback else { return true };
        let Some(_passage) = self.gate.enter() else { return false };
        let handle = self.handle.load(Ordering::SeqCst) as *mut openai_stream;
        // SAFETY: the caller gave this function and userdata for this purpose; the handle stays
        // alive while the callback is inside the gate (`openai_stream_free` waits for it, or
        // leaves the freeing to its return).
        unsafe { callback(handle, event, self.userdata.get()) }
    }

    /// Queues an event for `openai_stream_next`, waiting for room. False if the stream was
    /// closed meanwhile.
    ///
    /// With `more` (further events are already decoded and follow at once), consumers are told
    /// only after the last of them, or when the queue is full: one wake-up per batch.
    async fn push(&self, event: Box<openai_event>, more: bool) -> bool {
        let mut event = Some(event);
        loop {
            {
                let mut state = self.lock();
                let full = state.events.len() >= MAX_QUEUED_EVENTS || state.queued_bytes >= MAX_QUEUED_BYTES;
                if !full || state.events.is_empty() {
                    let event = event.take().expect("pushed once");
                    state.queued_bytes += event.size();
                    state.events.push_back(event);
                    state.unannounced = true;
                    if !more || state.events.len() >= MAX_QUEUED_EVENTS {
                        self.announce(state);
                    }
                    return true;
                }
                // Full: consumers must know before the reader waits for room.
                self.announce(state);
            }
            tokio::select! {
                _ = self.cancel.cancelled() => return false,
                _ = self.room.notified() => {}
            }
        }
    }

    /// Tells consumers about the events queued since last time: raises the descriptor, and
    /// signals the condition variable if anyone waits on it.
    fn announce(&self, mut state: MutexGuard<'_, State>) {
        if !state.unannounced {
            return;
        }
        state.unannounced = false;
        if let Some(signal) = &state.signal {
            signal.raise();
        }
        let wake = state.waiting > 0;
        drop(state);
        if wake {
            self.arrived.notify_all();
        }
    }

    /// Records the end; wakes consumers; makes the last callback.
    fn end(&self, code: openai_code, message: Option<String>) {
        {
            let mut state = self.lock();
            if state.end.is_some() {
                return;
            }
            state.end = Some((code, message.map(to_cstring)));
            if let Some(signal) = &state.signal {
                signal.raise();
            }
        }
        self.arrived.notify_all();
        self.call_back(std::ptr::null());
    }

    /// In a fork()ed child, a stream opened before the fork is read by the parent only (its
    /// reader has no thread here): it ends at once, cancelled, instead of never.
    fn settle_if_orphaned(&self) {
        if self.forks != runtime::forks() {
            self.end(openai_code::OPENAI_CANCELLED, Some("the stream was opened before fork(); it is read by the parent process only".into()));
        }
    }

    /// Reads the stream to its end, delivering each event.
    async fn run(self: Arc<Self>, mut stream: EventStream) {
        let _end_on_drop = EndOnDrop(self.clone());
        // One registration with the token for the whole stream, not one per event.
        let cancel = self.cancel.clone();
        let cancelled = cancel.cancelled();
        tokio::pin!(cancelled);
        loop {
            let item = tokio::select! {
                biased;
                _ = &mut cancelled => {
                    self.end(openai_code::OPENAI_CANCELLED, Some("the stream was closed".into()));
                    return;
                }
                item = stream.next() => item,
            };
            match item {
                Item::Event(event) => {
                    let event = Box::new(openai_event::new(event));
                    let go_on = if self.callback.is_some() {
                        self.call_back(&*event)
                    } else {
                        self.push(event, stream.has_buffered()).await
                    };
                    if !go_on {
                        self.cancel.cancel();
                    }
                    continue;
                }
                Item::Done => self.end(openai_code::OPENAI_OK, None),
                Item::Failed(failure) => self.end(failure.outcome.into(), Some(failure.message)),
            }
            // Ended: the consumer knows; the body is read to its end before the stream goes.
            if stream.ended_by_the_server() {
                stream.finish_reading().await;
            }
            return;
        }
    }
}

/// Ends the stream as cancelled if its reader is dropped before it ended it: the runtime was shut
/// down (`openai_shutdown`) with the stream open. Does nothing to a stream that has ended.
struct EndOnDrop(Arc<Shared>);

impl Drop for EndOnDrop {
    fn drop(&mut self) {
        self.0.end(openai_code::OPENAI_CANCELLED, Some("the library was shut down while the stream was open".into()));
    }
}

/// A stream handle for `shared`, known to its callbacks.
fn handle_for(shared: Arc<Shared>) -> *mut openai_stream {
    let handle = handle::give(openai_stream { shared: shared.clone() });
    shared.handle.store(handle as usize, Ordering::SeqCst);
    handle
}

/// A stream that failed before it began: its head is the failure's response.
fn failed(shared: &Shared, failure: Response) -> openai_code {
    let code: openai_code = failure.outcome.into();
    let message = failure.message.clone();
    shared.set_head(failure);
    shared.end(code, message);
    code
}

/// Opens a stream on the calling thread (until its headers arrived). On a thread of the
/// program it is opened on the thread's own runtime and read by the thread that pulls its
/// events (see `Shared::local`); elsewhere (inside a callback) a task reads it. `*out` always
/// receives a stream.
fn open_blocking(work: impl FnOnce() -> Result<(Client, Request), Response>, out: Out<'_, openai_stream>) -> openai_code {
    let shared = Shared::new(None, std::ptr::null_mut());
    let local = runtime::drivable_local_runtime();
    let opened = guarded(|| {
        let (client, request) = work()?;
        match &local {
            Some(local) => local.block_on(client.open_stream(&request)),
            None => block_on(client.open_stream(&request))?,
        }
    });
    let code = match opened {
        Ok(mut stream) => {
            shared.set_head(stream.take_head());
            match local {
                Some(runtime) => *shared.local() = Some(LocalReading { runtime, stream }),
                None => {
                    runtime::handle().spawn(shared.clone().run(stream));
                }
            }
            openai_code::OPENAI_OK
        }
        Err(failure) => {
            set_last_error(failure.message.clone().unwrap_or_default());
            failed(&shared, failure)
        }
    };
    out.put_raw(handle_for(shared));
    code
}

/// Starts a stream without blocking: opening and reading both happen in a task.
fn open_async(
    work: Result<(Client, Request), Response>,
    callback: openai_event_callback,
    userdata: *mut c_void,
) -> *mut openai_stream {
    let shared = Shared::new(callback, userdata);
    let handle = handle_for(shared.clone());
    runtime::handle().spawn(async move {
        let _end_on_drop = EndOnDrop(shared.clone());
        let (client, request) = match work {
            Ok(work) => work,
            Err(failure) => {
                failed(&shared, failure);
                return;
            }
        };
        let opened = tokio::select! {
            biased;
            _ = shared.cancel.cancelled() => Err(Response::failure(Outcome::Cancelled, "the stream was closed")),
            opened = client.open_stream(&request) => opened,
        };
        match opened {
            Ok(mut stream) => {
                shared.set_head(stream.take_head());
                shared.run(stream).await;
            }
            Err(failure) => {
                failed(&shared, failure);
            }
        }
    });
    handle
}

/// The body of the blocking stream exports generated from the table (`input.stream` is set).
///
/// # Safety
/// The export's arguments as the header describes them; `out` NULL or writable.
pub(crate) unsafe fn open_operation(
    client: *const openai_client,
    op: &'static Operation,
    params: &[(&str, *const c_char)],
    input: CInput<'_>,
    out: *mut *mut openai_stream,
) -> openai_code {
    // SAFETY: this function's contract.
    let out = match unsafe { Out::new(out) } {
        Ok(out) => out,
        Err(code) => return code,
    };
    // SAFETY: this function's contract.
    open_blocking(|| unsafe { operation_request(client, op, params, input) }.map(|(c, r)| (c.clone(), r)), out)
}

/// The body of the async stream exports generated from the table (`input.stream` is set).
///
/// # Safety
/// The export's arguments as the header describes them.
pub(crate) unsafe fn start_operation(
    client: *const openai_client,
    op: &'static Operation,
    params: &[(&str, *const c_char)],
    input: CInput<'_>,
    callback: openai_event_callback,
    userdata: *mut c_void,
) -> *mut openai_stream {
    // SAFETY: this function's contract.
    let work = guarded(|| unsafe { operation_request(client, op, params, input) }.map(|(c, r)| (c.clone(), r)));
    open_async(work, callback, userdata)
}

/// # Safety
/// As `request::generic_request`.
unsafe fn generic_stream_request(
    client: *const openai_client,
    method: *const c_char,
    path: *const c_char,
    query_json: *const c_char,
    body: *const c_char,
) -> Result<(Client, Request), Response> {
    // SAFETY: this function's contract.
    let (client, request) = unsafe { super::request::generic_request(client, method, path, query_json, body, true) }?;
    Ok((client.clone(), request))
}

/// Calls any streaming endpoint (the Responses API's `"stream": true`, ...) and blocks until the
/// response headers arrive. The arguments are those of `openai_request`; the body is sent as
/// given, so it must ask for a stream itself. `*out` always receives a stream (NULL only if
/// `out` is NULL), to be freed with `openai_stream_free`; an HTTP error before the first event
/// makes it a failed stream whose code is returned and whose `openai_stream_response` holds the
/// error body.
#[no_mangle]
pub unsafe extern "C" fn openai_request_stream(
    client: *const openai_client,
    method: *const c_char,
    path: *const c_char,
    query_json: *const c_char,
    body: *const c_char,
    out: *mut *mut openai_stream,
) -> openai_code {
    ffi_boundary! {
        // SAFETY: the arguments are NULL or valid (the header's conventions).
        let out = match unsafe { Out::new(out) } {
            Ok(out) => out,
            Err(code) => return code,
        };
        // SAFETY: as above.
        open_blocking(|| unsafe { generic_stream_request(client, method, path, query_json, body) }, out)
    }
}

/// The async form of `openai_request_stream`: returns the stream at once (never NULL); the
/// request is made by a library thread. With a `callback`, events are pushed to it (see
/// `openai_event_callback`); without, pull them with `openai_stream_next` or watch
/// `openai_stream_fd`.
#[no_mangle]
pub unsafe extern "C" fn openai_request_stream_async(
    client: *const openai_client,
    method: *const c_char,
    path: *const c_char,
    query_json: *const c_char,
    body: *const c_char,
    callback: openai_event_callback,
    userdata: *mut c_void,
) -> *mut openai_stream {
    ffi_boundary! {
        // SAFETY: the arguments are NULL or valid (the header's conventions).
        let work = guarded(|| unsafe { generic_stream_request(client, method, path, query_json, body) });
        open_async(work, callback, userdata)
    }
}

/// Takes the next event, waiting up to `timeout_ms` milliseconds (negative: as long as it
/// takes; 0: only look).
///
/// - `OPENAI_OK` with `*event` set: an event, the caller's to free with `openai_event_free`.
/// - `OPENAI_OK` with `*event` NULL: the stream ended cleanly (`data: [DONE]`).
/// - `OPENAI_PENDING`: no event arrived in time; the stream goes on.
/// - any other code: the stream ended with that error (`OPENAI_STREAM_ERROR` for an error event,
///   `OPENAI_CONNECTION` when the connection broke, `OPENAI_TIMEOUT` when it went silent longer
///   than the idle timeout, or the HTTP error that prevented it); `openai_stream_error_message`
///   says why. Later calls return the same.
///
/// Events already received are returned before the end. `OPENAI_INVALID_ARGUMENT` for NULL
/// arguments, and for a stream whose events go to a callback.
#[no_mangle]
pub unsafe extern "C" fn openai_stream_next(stream: *mut openai_stream, timeout_ms: i64, event: *mut *mut openai_event) -> openai_code {
    ffi_boundary! {
        // SAFETY: `event` is NULL or writable; `stream` NULL or a live stream.
        let event = match unsafe { Out::new(event) } {
            Ok(event) => event,
            Err(code) => return code,
        };
        // SAFETY: as above.
        let Some(s) = (unsafe { handle::borrow(stream) }) else {
            set_last_error("openai_stream_next: stream is NULL");
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        let shared = &s.shared;
        shared.settle_if_orphaned();
        if shared.callback.is_some() {
            set_last_error("openai_stream_next: this stream's events go to its callback");
            return openai_code::OPENAI_INVALID_ARGUMENT;
        }
        match shared.read_here(timeout_ms) {
            Some(Ok(next)) => {
                event.put_box(next);
                return openai_code::OPENAI_OK;
            }
            Some(Err(code)) => return code,
            // Ended here, or read by a task: the state says which.
            None => {}
        }
        let deadline = Deadline::after_ms(timeout_ms);
        let mut state = shared.lock();
        loop {
            if let Some(next) = state.events.pop_front() {
                state.queued_bytes -= next.size();
                if state.events.is_empty() && state.end.is_none() {
                    if let Some(signal) = &state.signal {
                        signal.clear();
                    }
                }
                drop(state);
                shared.room.notify_one();
                event.put_box(next);
                return openai_code::OPENAI_OK;
            }
            if let Some((code, message)) = &state.end {
                if *code != openai_code::OPENAI_OK {
                    set_last_error(message.as_ref().map_or_else(String::new, |m| m.to_string_lossy().into_owned()));
                }
                return *code;
            }
            state = match deadline.wait(&shared.arrived, state, |s| &mut s.waiting) {
                Some(state) => state,
                None => return openai_code::OPENAI_PENDING,
            };
        }
    }
}

/// `openai_stream_next` without waiting: an event if one is ready, `OPENAI_PENDING` if not.
#[no_mangle]
pub unsafe extern "C" fn openai_stream_try_next(stream: *mut openai_stream, event: *mut *mut openai_event) -> openai_code {
    ffi_boundary! {
        // SAFETY: the same arguments, under the same contract.
        unsafe { openai_stream_next(stream, 0, event) }
    }
}

/// A descriptor that is readable while `openai_stream_try_next` would not return
/// `OPENAI_PENDING` (an event is ready, or the stream ended), for poll/epoll/kqueue/libuv/GLib
/// loops. It belongs to the stream: do not read from or close it. -1 for NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_stream_fd(stream: *const openai_stream) -> RawFd {
    ffi_boundary! {
        // SAFETY: `stream` is NULL or a live stream.
        let Some(s) = (unsafe { handle::borrow(stream) }) else { return -1 };
        s.shared.settle_if_orphaned();
        // An event loop waits on the descriptor instead of pulling: the stream needs a reader
        // that goes on between pulls.
        s.shared.read_in_background();
        let state = &mut *s.shared.lock();
        let ready = !state.events.is_empty() || state.end.is_some();
        Signal::fd_on_demand(&mut state.signal, ready, "openai_stream_fd")
    }
}

/// The stream's response: HTTP status, headers and request id once the response began (NULL
/// before, for a stream started with an `_async` function); for a stream that failed before it
/// began, the whole error response (status, error body, message). Borrowed from the stream.
#[no_mangle]
pub unsafe extern "C" fn openai_stream_response(stream: *const openai_stream) -> *const openai_response {
    ffi_boundary! {
        // SAFETY: `stream` is NULL or a live stream.
        unsafe { handle::borrow(stream) }.and_then(|s| s.shared.head.get()).map_or(std::ptr::null(), |h| &**h as *const openai_response)
    }
}

/// How the stream ended: `OPENAI_PENDING` while it goes on, `OPENAI_OK` after a clean end, else
/// the error that ended it. `OPENAI_INVALID_ARGUMENT` for NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_stream_code(stream: *const openai_stream) -> openai_code {
    ffi_boundary! {
        // SAFETY: `stream` is NULL or a live stream.
        match unsafe { handle::borrow(stream) } {
            None => openai_code::OPENAI_INVALID_ARGUMENT,
            Some(s) => {
                s.shared.settle_if_orphaned();
                s.shared.lock().end.as_ref().map_or(openai_code::OPENAI_PENDING, |(code, _)| *code)
            }
        }
    }
}

/// Why the stream ended with an error (the error event's message, "the stream broke off: ...",
/// or the official SDK's `Error code: 400 - ...`), or NULL while it goes on or after a clean
/// end. Borrowed from the stream.
#[no_mangle]
pub unsafe extern "C" fn openai_stream_error_message(stream: *const openai_stream) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `stream` is NULL or a live stream.
        unsafe { handle::borrow(stream) }.map_or(std::ptr::null(), |s| {
            s.shared.lock().end.as_ref().and_then(|(_, m)| m.as_ref()).map_or(std::ptr::null(), |m| m.as_ptr())
        })
    }
}

/// Closes the stream and frees it: the connection is dropped at once (the server sees it
/// closed, and an abandoned generation stops), queued events are freed, and its callback, if
/// any, is never called again once this returns. NULL is ignored. It may be called from any
/// thread, inside the stream's own callback, and inside other callbacks:
///
/// - While the stream's callback runs on another thread, it waits for that call to return:
///   afterwards the callback's `userdata` may be freed.
/// - Inside the stream's own callback it does not wait (for itself): the stream is freed when
///   the callback returns (do not use it afterwards).
/// - Where waiting would deadlock (the running callback is itself waiting, directly or through
///   other frees, for the thread calling this: two callbacks freeing each other's streams), it
///   does not wait: that running call finishes, with its `stream` argument valid until it
///   returns, and no further call begins. Keep its `userdata` valid until then.
#[no_mangle]
pub unsafe extern "C" fn openai_stream_free(stream: *mut openai_stream) {
    ffi_boundary! {
        // SAFETY: `stream` is NULL or a stream not yet freed; the caller gives it up.
        let Some(stream) = (unsafe { handle::take(stream) }) else {
            return;
        };
        let shared = stream.shared.clone();
        shared.cancel.cancel();
        shared.drop_local();
        shared.gate.close(stream);
    }
}
