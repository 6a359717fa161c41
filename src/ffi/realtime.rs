//! `openai_realtime`: a WebSocket session (the Realtime API, or the Responses API over a
//! persistent WebSocket). Client events go out through `openai_realtime_send` (any thread);
//! server events come in the three ways of a stream: pulled with a timeout, pulled without
//! waiting with a descriptor for event loops, or pushed to a callback on a library thread.
//!
//! The session itself runs in the core (src/realtime); this module reads C arguments, queues
//! server events for the consumer (bounded: past the bound the session stops reading and TCP
//! holds the server back), and runs the callbacks.
//!
//! A session with an event callback has a thread of its own that takes events from that queue
//! and calls the callback: a callback that blocks (on an audio device, a lock, a slow disk)
//! holds back only its own session, never the runtime that runs every other session and call.

use std::collections::VecDeque;
use std::ffi::{c_char, c_int, c_void, CString};
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::call::{arg_client, arg_opt_str, arg_str, guarded};
use super::client::openai_client;
use super::code::openai_code;
use super::error::set_last_error;
use super::event::openai_event;
use super::gate::Gate;
use super::handle::{self, Out, UserData};
use super::response::{openai_response, to_cstring};
use super::signal::Signal;
use super::wait::Deadline;
use crate::realtime::{self, End, Endpoint, Handler, Outbox, Reconnecting, SendError, ServerEvent, SessionOptions, Target};
use crate::response::{Outcome, Response};

/// A session's event callback: receives each server event, borrowed for the duration of the
/// call (copy what you keep), then a last call with `event` NULL when the session ends;
/// `openai_realtime_code(session)` then says how (`OPENAI_OK` for a clean close). Return true to
/// go on, false to end the session (the last call follows, with `OPENAI_CANCELLED`).
///
/// It runs on the session's own library thread, one call at a time, in the order of the events;
/// while it runs, later events wait in the session's bounded queue (then the session stops
/// reading). Inside it any function of the library may be called: `openai_realtime_send` (which
/// then never waits for room: a full send queue is `OPENAI_QUEUE_FULL`), blocking calls,
/// `openai_realtime_close`, and `openai_realtime_free` of this session or of another one.
pub type openai_realtime_callback =
    Option<unsafe extern "C" fn(session: *mut openai_realtime, event: *const openai_event, userdata: *mut c_void) -> bool>;

/// A session's reconnection callback, called before each reconnection attempt after the
/// connection closed with a recoverable code (1001, 1005, 1006 for a dropped connection, 1011,
/// 1012, 1013, 1015): `attempt` counts from 1 up to `max_attempts`, the session waits `delay_ms`
/// milliseconds (0.5 s doubling up to 8 s by default) before connecting again, and `close_code`
/// is the code that ended the connection. `next` describes the next connection: its query and
/// headers may be changed with `openai_reconnect_set_query` and `openai_reconnect_set_header`
/// during the call. Return true to reconnect, false to end the session.
///
/// Giving this callback turns reconnection on (as in the official SDK, there is none without
/// it). It runs on a library thread (the event callback's, if the session has one, after the
/// events that came before the close), never at the same time as the session's event callback.
/// Client events sent meanwhile wait in a bounded queue (1 MiB by default; when it is full,
/// `openai_realtime_send` returns `OPENAI_QUEUE_FULL`) and go out on the new connection.
pub type openai_reconnect_callback = Option<
    unsafe extern "C" fn(
        session: *mut openai_realtime,
        attempt: u32,
        max_attempts: u32,
        delay_ms: u64,
        close_code: c_int,
        next: *mut openai_reconnect,
        userdata: *mut c_void,
    ) -> bool,
>;

/// A WebSocket session: the Realtime API (`openai_realtime_connect`) or the Responses API
/// (`openai_responses_connect`). Owned by the caller, freed with `openai_realtime_free`.
///
/// `openai_realtime_send`, `openai_realtime_append_audio`, `openai_realtime_close`,
/// `openai_realtime_cancel` and the accessors may be called from any thread, also at the same
/// time; `openai_realtime_next`, `openai_realtime_try_next` and `openai_realtime_fd` by one
/// thread at a time.
pub struct openai_realtime {
    shared: Arc<Shared>,
}

/// The options of a session started with an `_async` connect function: a JSON object of
/// settings and the callbacks. Created with `openai_realtime_options_new`, freed with
/// `openai_realtime_options_free`; a connect function only reads it during the call.
pub struct openai_realtime_options {
    options: SessionOptions,
    callback: openai_realtime_callback,
    userdata: UserData,
    reconnect: openai_reconnect_callback,
    reconnect_userdata: UserData,
}

/// The next connection of a reconnecting session, handed to its reconnection callback and valid
/// only during that call.
pub struct openai_reconnect {
    info: Reconnecting,
    /// The query as JSON text, made on request.
    query_text: Option<CString>,
}

struct Shared {
    /// Every handshake response (status 101 and headers), and the failure response of one that
    /// was refused, kept until the session is freed (pointers to them are handed out).
    /// Boxed: the Vec grows, and the responses must not move.
    #[allow(clippy::vec_box)]
    responses: Mutex<Vec<Box<openai_response>>>,
    state: Mutex<State>,
    /// Wakes threads waiting in `openai_realtime_next` or a blocking connect.
    arrived: Condvar,
    /// Wakes the session when the consumer made room.
    room: Notify,
    cancel: CancellationToken,
    outbox: Arc<Outbox>,
    callback: openai_realtime_callback,
    userdata: UserData,
    reconnect: openai_reconnect_callback,
    reconnect_userdata: UserData,
    /// The caller's handle, for callbacks.
    handle: AtomicUsize,
    /// Held while a callback runs, so that `openai_realtime_free` can wait for it.
    gate: Gate,
    max_events: usize,
    max_bytes: usize,
    /// The session itself, for work handed to other threads.
    myself: std::sync::Weak<Shared>,
}

/// A reconnection attempt waiting for the session's callback thread to ask the callback.
struct ReconnectJob {
    info: Reconnecting,
    reply: tokio::sync::oneshot::Sender<Option<Reconnecting>>,
}

struct State {
    events: VecDeque<Box<openai_event>>,
    /// For the callback thread: a reconnection to ask about, after the queued events.
    reconnect_job: Option<ReconnectJob>,
    queued_bytes: usize,
    /// A connection has opened.
    opened: bool,
    end: Option<Ended>,
    /// The descriptor of `openai_realtime_fd`, made on first request.
    signal: Option<Signal>,
    /// Threads blocked in `openai_realtime_next`, a blocking connect, or the callback thread.
    waiting: usize,
}

thread_local! {
    /// Set on the callback threads of sessions.
    static CALLBACK_THREAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The callback threads of sessions, for `openai_shutdown` to join.
static CALLBACK_THREADS: Mutex<Vec<std::thread::JoinHandle<()>>> = Mutex::new(Vec::new());

/// Whether the calling thread is a session's callback thread.
pub(crate) fn on_callback_thread() -> bool {
    CALLBACK_THREAD.with(|flag| flag.get())
}

/// Joins the callback threads of sessions once the runtime is shut down (every session has then
/// ended, so each thread makes its last call and returns).
pub(crate) fn join_callback_threads() {
    let threads = std::mem::take(&mut *CALLBACK_THREADS.lock().unwrap_or_else(|e| e.into_inner()));
    for thread in threads {
        let _ = thread.join();
    }
}

struct Ended {
    code: openai_code,
    message: Option<CString>,
    close_code: Option<u16>,
    close_reason: Option<CString>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn handle_shared(&self) -> Option<Arc<Shared>> {
        self.myself.upgrade()
    }

    fn handle(&self) -> *mut openai_realtime {
        self.handle.load(Ordering::SeqCst) as *mut openai_realtime
    }

    /// Runs the event callback, unless the session was freed. Returns whether to go on.
    fn call_back(&self, event: *const openai_event) -> bool {
        let Some(callback) = self.callback else { return true };
        let Some(_passage) = self.gate.enter() else { return false };
        // SAFETY: the caller gave this function and userdata for this purpose; the handle is
        // alive while the callback runs (`openai_realtime_free` waits for it, or leaves the
        // handle to be freed when it returns), and the event is alive for the call.
        unsafe { callback(self.handle(), event, self.userdata.get()) }
    }

    /// Asks the reconnection callback about `info`, unless the session was freed: the attempt
    /// to make, or None to abort.
    fn ask_reconnect(&self, info: Reconnecting) -> Option<Reconnecting> {
        let callback = self.reconnect?;
        let _passage = self.gate.enter()?;
        let mut next = openai_reconnect { info, query_text: None };
        let delay_ms = next.info.delay.as_millis().min(u64::MAX as u128) as u64;
        let (attempt, max_attempts, close_code) = (next.info.attempt, next.info.max_attempts, next.info.close_code as c_int);
        // SAFETY: as for the event callback; `next` lives until the call returns.
        let go_on = unsafe {
            callback(self.handle(), attempt, max_attempts, delay_ms, close_code, &mut next, self.reconnect_userdata.get())
        };
        go_on.then_some(next.info)
    }

    /// The callback thread: hands each queued event to the callback, then asks the pending
    /// reconnection, then makes the last call once the session ended and its events are done.
    fn dispatch(self: Arc<Self>) {
        CALLBACK_THREAD.with(|flag| flag.set(true));
        let mut state = self.lock();
        loop {
            if let Some(event) = state.events.pop_front() {
                state.queued_bytes -= event.size();
                drop(state);
                self.room.notify_one();
                if !self.call_back(&*event) {
                    self.cancel.cancel();
                }
                drop(event);
                state = self.lock();
            } else if let Some(job) = state.reconnect_job.take() {
                drop(state);
                let _ = job.reply.send(self.ask_reconnect(job.info));
                state = self.lock();
            } else if state.end.is_some() {
                drop(state);
                self.call_back(std::ptr::null());
                return;
            } else {
                state = Deadline::after_ms(-1).wait(&self.arrived, state, |s| &mut s.waiting).expect("no deadline");
            }
        }
    }

    /// Queues an event for `openai_realtime_next` or the callback thread, waiting for room.
    /// False if the session was cancelled meanwhile.
    async fn push(&self, event: Box<openai_event>) -> bool {
        let mut event = Some(event);
        loop {
            {
                let mut state = self.lock();
                let full = state.events.len() >= self.max_events || state.queued_bytes >= self.max_bytes;
                if !full || state.events.is_empty() {
                    let event = event.take().expect("pushed once");
                    state.queued_bytes += event.size();
                    state.events.push_back(event);
                    if let Some(signal) = &state.signal {
                        signal.raise();
                    }
                    let wake = state.waiting > 0;
                    drop(state);
                    if wake {
                        self.arrived.notify_all();
                    }
                    return true;
                }
            }
            tokio::select! {
                _ = self.cancel.cancelled() => return false,
                _ = self.room.notified() => {}
            }
        }
    }

    /// Records a response whose pointer may be handed out.
    fn keep_response(&self, response: Response) {
        self.responses.lock().unwrap_or_else(|e| e.into_inner()).push(Box::new(openai_response::new(response)));
    }
}

impl Handler for Shared {
    fn opened(&self, head: Response) {
        self.keep_response(head);
        let mut state = self.lock();
        state.opened = true;
        let wake = state.waiting > 0;
        drop(state);
        if wake {
            self.arrived.notify_all();
        }
    }

    async fn event(&self, event: ServerEvent) -> bool {
        self.push(Box::new(openai_event::server_event(event))).await
    }

    fn reconnects(&self) -> bool {
        self.reconnect.is_some()
    }

    async fn reconnecting(&self, info: Reconnecting) -> Option<Reconnecting> {
        if self.callback.is_some() {
            // In order after the events before the close, on the callback thread.
            let (reply, answer) = tokio::sync::oneshot::channel();
            {
                let mut state = self.lock();
                state.reconnect_job = Some(ReconnectJob { info, reply });
            }
            self.arrived.notify_all();
            return answer.await.ok().flatten();
        }
        // A session whose events are pulled has no thread of its own: the callback runs on a
        // thread of the blocking pool, never on a worker of the runtime.
        let shared = self.handle_shared()?;
        tokio::task::spawn_blocking(move || shared.ask_reconnect(info)).await.ok().flatten()
    }

    fn ended(&self, end: End) {
        if let Some(response) = end.response {
            self.keep_response(response);
        }
        {
            let mut state = self.lock();
            state.end = Some(Ended {
                code: end.outcome.into(),
                message: end.message.map(to_cstring),
                close_code: end.close_code,
                close_reason: end.close_reason.map(to_cstring),
            });
            if let Some(signal) = &state.signal {
                signal.raise();
            }
        }
        // The callback thread (if any) makes the last call once it has delivered the rest.
        self.arrived.notify_all();
    }
}

/// Starts a session; never fails: an unusable argument makes a session that ends at once with
/// `OPENAI_INVALID_ARGUMENT` (on a library thread, so that its callback, if any, runs there).
///
/// # Safety
/// `client` and `query_json` are NULL or valid (the header's conventions).
unsafe fn start(
    client: *const openai_client,
    query_json: *const c_char,
    endpoint: Endpoint,
    options: Option<&openai_realtime_options>,
) -> *mut openai_realtime {
    let (session_options, callback, userdata, reconnect, reconnect_userdata) = match options {
        Some(o) => (o.options.clone(), o.callback, o.userdata, o.reconnect, o.reconnect_userdata),
        None => (SessionOptions::default(), None, UserData::new(std::ptr::null_mut()), None, UserData::new(std::ptr::null_mut())),
    };
    let work = guarded(|| {
        // SAFETY: the export's arguments, NULL or valid by this function's contract.
        let client = unsafe { arg_client(client) }?;
        // SAFETY: as above.
        let query = unsafe { arg_opt_str("query_json", query_json) }?;
        let target = Target::new(endpoint, query, &session_options)?;
        Ok((client.clone(), target))
    });
    // The client's cancel token (`openai_client_with_cancel_token`) ends the session too.
    let cancel = match &work {
        Ok((client, _)) => client.cancel_token().map_or_else(CancellationToken::new, CancellationToken::child_token),
        Err(_) => CancellationToken::new(),
    };
    let outbox = Arc::new(Outbox::new(session_options.send_queue_bytes, session_options.reconnect_queue_bytes));
    let shared = Arc::new_cyclic(|myself| Shared {
        responses: Mutex::new(Vec::new()),
        state: Mutex::new(State {
            events: VecDeque::new(),
            reconnect_job: None,
            queued_bytes: 0,
            opened: false,
            end: None,
            signal: None,
            waiting: 0,
        }),
        arrived: Condvar::new(),
        room: Notify::new(),
        cancel: cancel.clone(),
        outbox: outbox.clone(),
        callback,
        userdata,
        reconnect,
        reconnect_userdata,
        handle: AtomicUsize::new(0),
        gate: Gate::default(),
        max_events: session_options.max_queued_events,
        max_bytes: session_options.max_queued_bytes,
        myself: myself.clone(),
    });
    let handle = handle::give(openai_realtime { shared: shared.clone() });
    shared.handle.store(handle as usize, Ordering::SeqCst);
    let work = match (work, callback.is_some()) {
        (Ok(work), true) => {
            let dispatcher = shared.clone();
            match std::thread::Builder::new().name("openai-realtime".into()).spawn(move || dispatcher.dispatch()) {
                Ok(thread) => {
                    let mut threads = CALLBACK_THREADS.lock().unwrap_or_else(|e| e.into_inner());
                    threads.retain(|t| !t.is_finished());
                    threads.push(thread);
                    Ok(work)
                }
                Err(e) => Err(Response::failure(Outcome::Internal, format!("the session's callback thread could not start: {e}"))),
            }
        }
        (work, _) => work,
    };
    match work {
        Ok((client, target)) => realtime::start(client, target, session_options, shared, outbox, cancel),
        Err(failure) => {
            outbox.end(failure.message.clone().unwrap_or_default());
            crate::runtime::handle().spawn(async move {
                let message = failure.message.clone();
                shared.ended(End { outcome: failure.outcome, message, close_code: None, close_reason: None, response: Some(failure) });
            });
        }
    }
    handle
}

/// The body of the blocking connect functions: starts the session, then waits until its first
/// connection opened or it ended.
///
/// # Safety
/// The arguments are NULL or valid (the header's conventions).
unsafe fn connect(client: *const openai_client, query_json: *const c_char, endpoint: Endpoint, out: *mut *mut openai_realtime) -> openai_code {
    // SAFETY: `out` is NULL or writable, by this function's contract.
    let out = match unsafe { Out::new(out) } {
        Ok(out) => out,
        Err(code) => return code,
    };
    // SAFETY: this function's contract.
    let session = unsafe { start(client, query_json, endpoint, None) };
    // SAFETY: `start` gave this handle just now; the caller cannot free it before it is handed
    // out below.
    let shared = unsafe { handle::borrow(session) }.expect("start never returns NULL").shared.clone();
    out.put_raw(session);
    let wait = || {
        let mut state = shared.lock();
        loop {
            // Opened, even if it has ended since: its events and its end are the session's.
            if state.opened {
                return openai_code::OPENAI_OK;
            }
            if let Some(end) = &state.end {
                set_last_error(end.message.as_ref().map_or_else(String::new, |m| m.to_string_lossy().into_owned()));
                return if end.code == openai_code::OPENAI_OK { openai_code::OPENAI_CONNECTION } else { end.code };
            }
            state = Deadline::after_ms(-1).wait(&shared.arrived, state, |s| &mut s.waiting).expect("no deadline");
        }
    };
    // On a library thread (inside a callback), the thread's other tasks move away first, so
    // that the session's own task can run.
    if crate::runtime::on_library_thread() {
        tokio::task::block_in_place(wait)
    } else {
        wait()
    }
}

/// Opens a Realtime session and blocks until the WebSocket handshake is done:
/// `wss://<base URL>/realtime?<query>` (`ws://` for an `http://` base URL), with the client's
/// credentials, organization, project, `default_headers`, `default_query`, proxy, CA bundle,
/// connect timeout and `timeout` (for the handshake). `query_json` is a JSON object of query
/// parameters, e.g. `{"model": "gpt-realtime"}`, or `{"call_id": "..."}` to attach to a SIP or
/// WebRTC call (NULL: none).
///
/// `*session` always receives a session (NULL only if `session` is NULL), to be freed with
/// `openai_realtime_free`. Returns `OPENAI_OK` once the connection is open; otherwise why it
/// could not open: a refused upgrade as its HTTP status's code (`OPENAI_AUTHENTICATION`, ...)
/// with the status, headers and body in `openai_realtime_response(session)`, or
/// `OPENAI_CONNECTION`, `OPENAI_TIMEOUT`, `OPENAI_INVALID_ARGUMENT`; the message is in
/// `openai_realtime_error_message` and `openai_last_error`.
///
/// The session's events are pulled with `openai_realtime_next`; it has the default options (no
/// reconnection). For a callback, reconnection or other options, use
/// `openai_realtime_connect_async`.
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_connect(
    client: *const openai_client,
    query_json: *const c_char,
    session: *mut *mut openai_realtime,
) -> openai_code {
    ffi_boundary! {
        // SAFETY: the arguments are NULL or valid (the header's conventions).
        unsafe { connect(client, query_json, Endpoint::Realtime, session) }
    }
}

/// Starts a Realtime session without blocking and returns it at once (never NULL); the
/// handshake is made by a library thread. The arguments are those of `openai_realtime_connect`,
/// plus `options` (NULL: the defaults): with an event callback, events are pushed to it (see
/// `openai_realtime_callback`); without, pull them with `openai_realtime_next` or watch
/// `openai_realtime_fd`. A failure to connect ends the session: its code, message and response
/// say why. Events may be sent at once: they wait for the connection.
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_connect_async(
    client: *const openai_client,
    query_json: *const c_char,
    options: *const openai_realtime_options,
) -> *mut openai_realtime {
    ffi_boundary! {
        // SAFETY: the arguments are NULL or valid (the header's conventions).
        unsafe { start(client, query_json, Endpoint::Realtime, handle::borrow(options)) }
    }
}

/// Opens a session of the Responses API over a persistent WebSocket
/// (`wss://<base URL>/responses`) and blocks until the handshake is done: send
/// `response.create` events with `openai_realtime_send` and receive the Responses stream events
/// (`response.created`, `response.output_text.delta`, ..., `response.completed`) like a
/// Realtime session's. Arguments, results and ownership as `openai_realtime_connect`;
/// `query_json` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_responses_connect(
    client: *const openai_client,
    query_json: *const c_char,
    session: *mut *mut openai_realtime,
) -> openai_code {
    ffi_boundary! {
        // SAFETY: the arguments are NULL or valid (the header's conventions).
        unsafe { connect(client, query_json, Endpoint::Responses, session) }
    }
}

/// The non-blocking form of `openai_responses_connect`, as `openai_realtime_connect_async`.
#[no_mangle]
pub unsafe extern "C" fn openai_responses_connect_async(
    client: *const openai_client,
    query_json: *const c_char,
    options: *const openai_realtime_options,
) -> *mut openai_realtime {
    ffi_boundary! {
        // SAFETY: the arguments are NULL or valid (the header's conventions).
        unsafe { start(client, query_json, Endpoint::Responses, handle::borrow(options)) }
    }
}

/// Creates session options from a JSON object (NULL: all defaults). Fields, all optional:
/// `max_retries` (reconnection attempts, default 5), `initial_delay` and `max_delay` (seconds,
/// default 0.5 and 8), `idle_timeout` (seconds without anything from the server before the
/// connection counts as dead, default 40; null: none), `ping_interval` (seconds of silence
/// before a keepalive ping, default 20; null: none), `headers` (extra handshake headers; a null
/// value removes one the library would send), `client_secret` (an ephemeral client secret sent
/// instead of the client's API key), `max_send_queue_bytes` (client events waiting to be
/// written, default 4 MiB), `max_reconnect_queue_bytes` (while reconnecting, default 1 MiB),
/// `max_queued_events` and `max_queued_bytes` (server events waiting for the consumer, default
/// 256 and 4 MiB). An unknown field is an error that names it.
///
/// `*out` receives the options (free them with `openai_realtime_options_free`), or NULL with
/// `OPENAI_INVALID_ARGUMENT` and the message in `openai_last_error`.
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_options_new(options_json: *const c_char, out: *mut *mut openai_realtime_options) -> openai_code {
    ffi_boundary! {
        // SAFETY: `out` is NULL or writable; `options_json` NULL or a string (the header's
        // conventions).
        let out = match unsafe { Out::new(out) } {
            Ok(out) => out,
            Err(code) => return code,
        };
        // SAFETY: as above.
        let parsed = unsafe { arg_opt_str("options_json", options_json) }
            .map_err(|e| e.0)
            .and_then(|json| SessionOptions::parse(json).map_err(|e| e.0));
        match parsed {
            Ok(options) => {
                let none = UserData::new(std::ptr::null_mut());
                out.put(openai_realtime_options { options, callback: None, userdata: none, reconnect: None, reconnect_userdata: none });
                openai_code::OPENAI_OK
            }
            Err(message) => {
                set_last_error(message);
                openai_code::OPENAI_INVALID_ARGUMENT
            }
        }
    }
}

/// Sets the event callback of sessions started with these options (NULL: events are pulled).
/// `userdata` is passed to it and must stay valid until the session is freed.
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_options_set_callback(
    options: *mut openai_realtime_options,
    callback: openai_realtime_callback,
    userdata: *mut c_void,
) -> openai_code {
    ffi_boundary! {
        // SAFETY: `options` is NULL or live options, used by one thread at a time.
        let Some(o) = (unsafe { handle::borrow_mut(options) }) else {
            set_last_error("openai_realtime_options_set_callback: options is NULL");
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        o.callback = callback;
        o.userdata = UserData::new(userdata);
        openai_code::OPENAI_OK
    }
}

/// Sets the reconnection callback of sessions started with these options, which turns
/// reconnection on (see `openai_reconnect_callback`; NULL: no reconnection). `userdata` is
/// passed to it and must stay valid until the session is freed.
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_options_set_reconnect(
    options: *mut openai_realtime_options,
    callback: openai_reconnect_callback,
    userdata: *mut c_void,
) -> openai_code {
    ffi_boundary! {
        // SAFETY: `options` is NULL or live options, used by one thread at a time.
        let Some(o) = (unsafe { handle::borrow_mut(options) }) else {
            set_last_error("openai_realtime_options_set_reconnect: options is NULL");
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        o.reconnect = callback;
        o.reconnect_userdata = UserData::new(userdata);
        openai_code::OPENAI_OK
    }
}

/// Frees session options (sessions started with them keep their own copy). NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_options_free(options: *mut openai_realtime_options) {
    ffi_boundary! {
        // SAFETY: `options` is NULL or options not yet freed; the caller gives them up.
        drop(unsafe { handle::take(options) });
    }
}

/// Borrows a session's shared state; NULL is recorded as the last error.
///
/// # Safety
/// `session` is NULL or a live session (the header's conventions).
unsafe fn session_ref<'a>(session: *const openai_realtime, what: &str) -> Option<&'a Shared> {
    // SAFETY: this function's contract.
    let shared = unsafe { handle::borrow(session) }.map(|s| &*s.shared);
    if shared.is_none() {
        set_last_error(format!("{what}: session is NULL"));
    }
    shared
}

/// Queues events on the session's outbox and maps the result to a code.
fn queue(shared: &Shared, events: impl IntoIterator<Item = String>) -> openai_code {
    // Callbacks never wait for room: the server may be waiting for this session to read, and
    // the session waits for the callback.
    let may_wait = !crate::runtime::on_library_thread() && !on_callback_thread();
    match shared.outbox.send(events, may_wait) {
        Ok(_) => openai_code::OPENAI_OK,
        Err((_, SendError::Full(message))) => {
            set_last_error(message);
            openai_code::OPENAI_QUEUE_FULL
        }
        Err((_, SendError::Ended(message))) => {
            let code = shared.lock().end.as_ref().map(|e| e.code).filter(|c| *c != openai_code::OPENAI_OK);
            set_last_error(format!("nothing more can be sent: {message}"));
            code.unwrap_or(openai_code::OPENAI_CONNECTION)
        }
    }
}

/// Sends one client event: `event_json` must be a JSON object (e.g.
/// `{"type":"response.create"}`); it is checked, then sent as one text frame, byte for byte.
/// Thread-safe: events from any number of threads go out one whole frame at a time, in the order
/// the calls were made. Before the connection opens, and while the session reconnects, events
/// wait and go out on the connection.
///
/// Returns `OPENAI_OK` once the event is queued (it is written by a library thread). When the
/// queue holds `max_send_queue_bytes` already, this waits for room (back-pressure, as a socket
/// write would), except inside a library callback and while reconnecting, where a full queue is
/// `OPENAI_QUEUE_FULL` and nothing is queued. `OPENAI_INVALID_ARGUMENT` for NULL or not a JSON
/// object; after the session ended (or `openai_realtime_close`), the code it ended with, or
/// `OPENAI_CONNECTION`.
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_send(session: *mut openai_realtime, event_json: *const c_char) -> openai_code {
    ffi_boundary! {
        // SAFETY: `session` is NULL or a live session (the header's conventions).
        let Some(shared) = (unsafe { session_ref(session, "openai_realtime_send") }) else {
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        // SAFETY: `event_json` is NULL or a string.
        let text = match unsafe { arg_str("event_json", event_json) } {
            Ok(text) => text,
            Err(e) => {
                set_last_error(format!("openai_realtime_send: {}", e.0));
                return openai_code::OPENAI_INVALID_ARGUMENT;
            }
        };
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(_)) => {}
            Ok(_) => {
                set_last_error("openai_realtime_send: event_json must be a JSON object");
                return openai_code::OPENAI_INVALID_ARGUMENT;
            }
            Err(e) => {
                set_last_error(format!("openai_realtime_send: event_json is not valid JSON: {e}"));
                return openai_code::OPENAI_INVALID_ARGUMENT;
            }
        }
        queue(shared, [text.to_string()])
    }
}

/// Appends raw PCM16 audio (16-bit little-endian samples, the session's input format, 24 kHz
/// mono by default) to the input audio buffer: the library base64-encodes it into
/// `input_audio_buffer.append` events of 32 KiB of audio each (the last one shorter), sent in
/// order like `openai_realtime_send`. `len` is in bytes and must be even (whole samples); 0 sends
/// nothing. The bytes are only read during the call.
///
/// Results as `openai_realtime_send`. When several threads append at once, the events of one
/// call stay in order but may interleave with another call's.
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_append_audio(session: *mut openai_realtime, pcm: *const c_void, len: usize) -> openai_code {
    ffi_boundary! {
        // SAFETY: `session` is NULL or a live session (the header's conventions).
        let Some(shared) = (unsafe { session_ref(session, "openai_realtime_append_audio") }) else {
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        if len == 0 {
            return openai_code::OPENAI_OK;
        }
        if pcm.is_null() || len % 2 != 0 || len > isize::MAX as usize {
            set_last_error(format!("openai_realtime_append_audio: pcm is NULL, or {len} bytes is not a whole number of 16-bit samples"));
            return openai_code::OPENAI_INVALID_ARGUMENT;
        }
        // SAFETY: the caller passes `len` readable bytes at `pcm` (checked non-NULL above, and
        // `len` within `isize::MAX`), only read during the call.
        let pcm = unsafe { std::slice::from_raw_parts(pcm as *const u8, len) };
        queue(shared, realtime::append_events(pcm))
    }
}

/// Takes the next server event, waiting up to `timeout_ms` milliseconds (negative: as long as
/// it takes; 0: only look).
///
/// - `OPENAI_OK` with `*event` set: an event (`openai_event_name` is its `type`,
///   `openai_event_data` its JSON, `openai_event_audio` the PCM of an audio delta), the
///   caller's to free with `openai_event_free`. `error` events come this way too: the session
///   goes on after them, as the API intends.
/// - `OPENAI_OK` with `*event` NULL: the session was closed cleanly (close code 1000, or
///   `openai_realtime_close`).
/// - `OPENAI_PENDING`: nothing arrived in time; the session goes on.
/// - any other code: the session ended with that error (`OPENAI_CONNECTION` when the connection
///   dropped or the server closed it with another code, `OPENAI_TIMEOUT` after `idle_timeout`,
///   `OPENAI_CANCELLED`, or the refused upgrade's code); `openai_realtime_error_message` says
///   why. Later calls return the same.
///
/// Events already received are returned before the end. `OPENAI_INVALID_ARGUMENT` for NULL
/// arguments, and for a session whose events go to a callback.
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_next(session: *mut openai_realtime, timeout_ms: i64, event: *mut *mut openai_event) -> openai_code {
    ffi_boundary! {
        // SAFETY: `event` is NULL or writable; `session` NULL or a live session.
        let event = match unsafe { Out::new(event) } {
            Ok(event) => event,
            Err(code) => return code,
        };
        // SAFETY: as above.
        let Some(shared) = (unsafe { session_ref(session, "openai_realtime_next") }) else {
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        if shared.callback.is_some() {
            set_last_error("openai_realtime_next: this session's events go to its callback");
            return openai_code::OPENAI_INVALID_ARGUMENT;
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
            if let Some(end) = &state.end {
                if end.code != openai_code::OPENAI_OK {
                    set_last_error(end.message.as_ref().map_or_else(String::new, |m| m.to_string_lossy().into_owned()));
                }
                return end.code;
            }
            state = match deadline.wait(&shared.arrived, state, |s| &mut s.waiting) {
                Some(state) => state,
                None => return openai_code::OPENAI_PENDING,
            };
        }
    }
}

/// `openai_realtime_next` without waiting: an event if one is ready, `OPENAI_PENDING` if not.
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_try_next(session: *mut openai_realtime, event: *mut *mut openai_event) -> openai_code {
    ffi_boundary! {
        // SAFETY: the same arguments, under the same contract.
        unsafe { openai_realtime_next(session, 0, event) }
    }
}

/// A descriptor that is readable while `openai_realtime_try_next` would not return
/// `OPENAI_PENDING` (an event is ready, or the session ended), for poll/epoll/kqueue/libuv/GLib
/// loops. It belongs to the session: do not read from or close it. -1 for NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_fd(session: *const openai_realtime) -> RawFd {
    ffi_boundary! {
        // SAFETY: `session` is NULL or a live session.
        let Some(shared) = (unsafe { session_ref(session, "openai_realtime_fd") }) else { return -1 };
        let state = &mut *shared.lock();
        let ready = !state.events.is_empty() || state.end.is_some();
        Signal::fd_on_demand(&mut state.signal, ready, "openai_realtime_fd")
    }
}

/// Closes the session properly: a close frame with `code` (0 for 1000, else 1000 or 3000 to
/// 4999) and `reason` (NULL for none; at most 123 bytes of UTF-8) goes out after the events
/// already queued; the session ends once the server answers (or after 5 s), with `OPENAI_OK`
/// and that close code. Nothing can be sent after it. Returns at once; `OPENAI_INVALID_ARGUMENT`
/// for a bad code or reason, and the session's end code if it has already ended.
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_close(session: *mut openai_realtime, code: c_int, reason: *const c_char) -> openai_code {
    ffi_boundary! {
        // SAFETY: `session` is NULL or a live session.
        let Some(shared) = (unsafe { session_ref(session, "openai_realtime_close") }) else {
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        let code = if code == 0 { 1000 } else { code };
        // SAFETY: `reason` is NULL or a string.
        let reason = match unsafe { arg_opt_str("reason", reason) } {
            Ok(reason) => reason.unwrap_or(""),
            Err(e) => {
                set_last_error(format!("openai_realtime_close: {}", e.0));
                return openai_code::OPENAI_INVALID_ARGUMENT;
            }
        };
        let Some(code) = u16::try_from(code).ok().filter(|c| realtime::is_sendable_close_code(*c)) else {
            set_last_error(format!("openai_realtime_close: {code} is not a close code a program may send (1000, or 3000 to 4999)"));
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        if reason.len() > 123 {
            set_last_error("openai_realtime_close: the reason is longer than 123 bytes");
            return openai_code::OPENAI_INVALID_ARGUMENT;
        }
        match shared.outbox.close(code, reason) {
            Ok(()) => openai_code::OPENAI_OK,
            Err(SendError::Ended(message) | SendError::Full(message)) => {
                set_last_error(format!("openai_realtime_close: {message}"));
                shared.lock().end.as_ref().map_or(openai_code::OPENAI_CONNECTION, |e| e.code)
            }
        }
    }
}

/// Ends the session at once: its connection is dropped (no close frame) and it ends with
/// `OPENAI_CANCELLED` (its callback, if any, gets its last call). Safe from any thread, any
/// number of times; nothing happens to a session that already ended. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_cancel(session: *const openai_realtime) {
    ffi_boundary! {
        // SAFETY: `session` is NULL or a live session.
        if let Some(s) = unsafe { handle::borrow(session) } {
            s.shared.cancel.cancel();
        }
    }
}

/// How the session ended: `OPENAI_PENDING` while it goes on, `OPENAI_OK` after a clean close,
/// else the error that ended it. `OPENAI_INVALID_ARGUMENT` for NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_code(session: *const openai_realtime) -> openai_code {
    ffi_boundary! {
        // SAFETY: `session` is NULL or a live session.
        match unsafe { handle::borrow(session) } {
            None => openai_code::OPENAI_INVALID_ARGUMENT,
            Some(s) => s.shared.lock().end.as_ref().map_or(openai_code::OPENAI_PENDING, |e| e.code),
        }
    }
}

/// Why the session ended with an error ("the connection dropped: ...", "the server closed the
/// session with code 1008: ...", the official SDK's `Error code: 401 - ...` for a refused
/// upgrade), with the API key scrubbed; NULL while it goes on or after a clean close. Borrowed
/// from the session.
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_error_message(session: *const openai_realtime) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `session` is NULL or a live session.
        unsafe { handle::borrow(session) }.map_or(std::ptr::null(), |s| {
            s.shared.lock().end.as_ref().and_then(|e| e.message.as_ref()).map_or(std::ptr::null(), |m| m.as_ptr())
        })
    }
}

/// The close code that ended the session's last connection: the server's close frame's (1005
/// for one without a code), the one `openai_realtime_close` sent, or 1006 when the connection
/// dropped without a close frame. 0 while the session goes on, when no connection was made, and
/// for NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_close_code(session: *const openai_realtime) -> c_int {
    ffi_boundary! {
        // SAFETY: `session` is NULL or a live session.
        unsafe { handle::borrow(session) }.map_or(0, |s| s.shared.lock().end.as_ref().and_then(|e| e.close_code).map_or(0, c_int::from))
    }
}

/// The reason that came with the close code ("" when none), or NULL while the session goes on
/// or when no close code is known. Borrowed from the session.
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_close_reason(session: *const openai_realtime) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `session` is NULL or a live session.
        unsafe { handle::borrow(session) }.map_or(std::ptr::null(), |s| {
            s.shared.lock().end.as_ref().and_then(|e| e.close_reason.as_ref()).map_or(std::ptr::null(), |r| r.as_ptr())
        })
    }
}

/// The session's latest handshake response: status 101 and the headers (`x-request-id`, ...)
/// once a connection opened; for a refused or failed handshake, the whole failure (HTTP status,
/// error body, message). NULL before the first handshake completed. Borrowed from the session
/// (valid until it is freed, also after a reconnection).
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_response(session: *const openai_realtime) -> *const openai_response {
    ffi_boundary! {
        // SAFETY: `session` is NULL or a live session.
        unsafe { handle::borrow(session) }.map_or(std::ptr::null(), |s| {
            s.shared.responses.lock().unwrap_or_else(|e| e.into_inner()).last().map_or(std::ptr::null(), |r| &**r as *const openai_response)
        })
    }
}

/// Frees the session: its connection is dropped at once (use `openai_realtime_close` first for a
/// close frame), queued events are freed, and its callbacks are never called again once this
/// returns: a callback running on another thread is waited for. Two exceptions, where waiting
/// would deadlock: inside the session's own callback (allowed: the callback finishes, nothing
/// follows), and from a callback whose thread another callback of this session waits for (two
/// callbacks freeing each other's sessions): then the running callback may still be finishing
/// when this returns, and none starts after. No other thread may use the handle during or after
/// this call. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn openai_realtime_free(session: *mut openai_realtime) {
    ffi_boundary! {
        // SAFETY: `session` is NULL or a session not yet freed; the caller gives it up.
        let Some(session) = (unsafe { handle::take(session) }) else {
            return;
        };
        let shared = session.shared.clone();
        shared.cancel.cancel();
        // A callback that is still running (where waiting for it could deadlock) keeps its
        // `session` argument valid: the handle is freed when it returns.
        shared.gate.close(session);
    }
}

/// The query of the next connection, as a JSON object's text. Borrowed from `next` (valid until
/// the callback returns, or the next call that changes it). NULL for NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_reconnect_query(next: *mut openai_reconnect) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `next` is NULL or the handle given to the running reconnection callback.
        let Some(next) = (unsafe { handle::borrow_mut(next) }) else { return std::ptr::null() };
        let text = serde_json::Value::Object(next.info.query.clone()).to_string();
        next.query_text.insert(to_cstring(text)).as_ptr()
    }
}

/// Replaces the query of the next connection (and of later ones) with `query_json`, a JSON
/// object. `OPENAI_INVALID_ARGUMENT` for NULL or not a JSON object (the query is then unchanged).
#[no_mangle]
pub unsafe extern "C" fn openai_reconnect_set_query(next: *mut openai_reconnect, query_json: *const c_char) -> openai_code {
    ffi_boundary! {
        // SAFETY: `next` is NULL or the handle given to the running reconnection callback.
        let Some(next) = (unsafe { handle::borrow_mut(next) }) else {
            set_last_error("openai_reconnect_set_query: next is NULL");
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        // SAFETY: `query_json` is NULL or a string.
        let parsed = unsafe { arg_str("query_json", query_json) }.map_err(|e| e.0).and_then(|json| crate::request::parse_query(json).map_err(|e| e.0));
        match parsed {
            Ok(query) => {
                next.info.query = query;
                openai_code::OPENAI_OK
            }
            Err(message) => {
                set_last_error(format!("openai_reconnect_set_query: {message}"));
                openai_code::OPENAI_INVALID_ARGUMENT
            }
        }
    }
}

/// Sets a handshake header of the next connection (and of later ones) to `value`, or removes it
/// with NULL (also one the library sends, e.g. to send no `User-Agent`). The name is matched
/// without regard to case. `OPENAI_INVALID_ARGUMENT` for a NULL or invalid name or value.
#[no_mangle]
pub unsafe extern "C" fn openai_reconnect_set_header(next: *mut openai_reconnect, name: *const c_char, value: *const c_char) -> openai_code {
    ffi_boundary! {
        // SAFETY: `next` is NULL or the handle given to the running reconnection callback.
        let Some(next) = (unsafe { handle::borrow_mut(next) }) else {
            set_last_error("openai_reconnect_set_header: next is NULL");
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        // SAFETY: `name` and `value` are NULL or strings.
        let checked = unsafe { arg_str("name", name).and_then(|n| Ok((n, arg_opt_str("value", value)?))) }.map_err(|e| e.0).and_then(|(n, v)| {
            if reqwest::header::HeaderName::from_bytes(n.as_bytes()).is_err() {
                return Err(format!("\"{n}\" is not a valid header name"));
            }
            if v.is_some_and(|v| reqwest::header::HeaderValue::from_str(v).is_err()) {
                return Err(format!("the value of \"{n}\" is not a valid header value"));
            }
            Ok((n.to_ascii_lowercase(), v.map(str::to_string)))
        });
        match checked {
            Ok((name, value)) => {
                next.info.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
                next.info.headers.push((name, value));
                openai_code::OPENAI_OK
            }
            Err(message) => {
                set_last_error(format!("openai_reconnect_set_header: {message}"));
                openai_code::OPENAI_INVALID_ARGUMENT
            }
        }
    }
}
