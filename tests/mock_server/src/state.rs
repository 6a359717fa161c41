//! State shared by all connections of one server: scripts, the request log, counters.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{json, Value};

use crate::log::Log;
use crate::script::{Script, ScriptResponse};

#[derive(Default)]
pub struct State {
    log: Mutex<Log>,
    log_enabled: AtomicBool,
    /// `{"compress": true}`: answers gzip-encoded when the request accepts gzip.
    compress: AtomicBool,
    scripts: Mutex<VecDeque<Script>>,
    /// Number of queued scripts, read without the lock on the hot path.
    script_count: AtomicUsize,
    accepted: AtomicU64,
    open: AtomicU64,
    closed: AtomicU64,
    closed_mid_response: AtomicU64,
    next_connection_id: AtomicU64,
    next_request_id: AtomicU64,
    /// The WebSocket sessions, oldest first (GET /__mock/websockets).
    websockets: Mutex<Vec<Arc<Mutex<crate::websocket::Record>>>>,
    /// API requests received and not yet answered in full (a gauge, as `open`).
    in_progress: AtomicU64,
    /// Bytes written in answer to API requests, heads and framing included (shared with every
    /// `Conn`).
    bytes_sent: Arc<AtomicU64>,
    /// The objects whose state changes (uploads, batches, ...): see lifecycle.rs.
    pub lifecycles: crate::lifecycle::Lifecycles,
}

/// Locks, ignoring poisoning: every critical section leaves the data consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl State {
    pub fn new() -> Arc<State> {
        let s = State::default();
        s.log_enabled.store(true, Relaxed);
        Arc::new(s)
    }

    pub fn log(&self) -> MutexGuard<'_, Log> {
        lock(&self.log)
    }

    pub fn logging(&self) -> bool {
        self.log_enabled.load(Relaxed)
    }

    pub fn set_logging(&self, on: bool) {
        self.log_enabled.store(on, Relaxed);
    }

    pub fn compressing(&self) -> bool {
        self.compress.load(Relaxed)
    }

    pub fn set_compressing(&self, on: bool) {
        self.compress.store(on, Relaxed);
    }

    /// The counter every connection adds the bytes it writes to.
    pub fn bytes_sent_counter(&self) -> Arc<AtomicU64> {
        self.bytes_sent.clone()
    }

    /// Counts an API request as in progress until the guard drops (its answer written, or the
    /// client gone).
    pub fn request_started(&self) -> InProgress<'_> {
        self.in_progress.fetch_add(1, Relaxed);
        InProgress(self)
    }

    pub fn push_scripts(&self, scripts: Vec<Script>) -> usize {
        let mut q = lock(&self.scripts);
        q.extend(scripts);
        self.script_count.store(q.len(), Relaxed);
        q.len()
    }

    pub fn clear_scripts(&self) {
        let mut q = lock(&self.scripts);
        q.clear();
        self.script_count.store(0, Relaxed);
    }

    pub fn pending_scripts(&self) -> Vec<Value> {
        lock(&self.scripts)
            .iter()
            .map(|s| json!({"script": s.source, "remaining": s.remaining}))
            .collect()
    }

    /// Takes one use of the first queued script that matches.
    pub fn take_script(&self, method: &str, path: &str) -> Option<Arc<ScriptResponse>> {
        if self.script_count.load(Relaxed) == 0 {
            return None;
        }
        let mut q = lock(&self.scripts);
        let i = q.iter().position(|s| s.matches(method, path))?;
        let resp = q[i].response.clone();
        q[i].remaining -= 1;
        if q[i].remaining == 0 {
            q.remove(i);
        }
        self.script_count.store(q.len(), Relaxed);
        Some(resp)
    }

    pub fn push_websocket(&self, record: Arc<Mutex<crate::websocket::Record>>) {
        let mut sessions = lock(&self.websockets);
        // Kept for the tests that read them; a long benchmark must not grow without bound.
        if sessions.len() >= 10_000 {
            sessions.remove(0);
        }
        sessions.push(record);
    }

    /// What each WebSocket session received, oldest first.
    pub fn websockets(&self) -> Vec<Value> {
        lock(&self.websockets).iter().map(|r| lock(r).render()).collect()
    }

    pub fn clear_websockets(&self) {
        lock(&self.websockets).clear();
    }

    pub fn next_request_id(&self) -> u64 {
        self.next_request_id.fetch_add(1, Relaxed) + 1
    }

    /// Counts an accepted connection; the guard counts its close.
    pub fn connection_opened(self: &Arc<Self>) -> ConnectionGuard {
        self.accepted.fetch_add(1, Relaxed);
        self.open.fetch_add(1, Relaxed);
        ConnectionGuard {
            state: self.clone(),
            id: self.next_connection_id.fetch_add(1, Relaxed) + 1,
        }
    }

    pub fn client_closed_mid_response(&self, seq: Option<u64>) {
        self.closed_mid_response.fetch_add(1, Relaxed);
        if let Some(seq) = seq {
            self.log().mark_client_closed(seq);
        }
    }

    pub fn connections(&self) -> Value {
        json!({
            "accepted": self.accepted.load(Relaxed),
            "open": self.open.load(Relaxed),
            "closed": self.closed.load(Relaxed),
            "closed_by_client_mid_response": self.closed_mid_response.load(Relaxed),
            "requests_in_progress": self.in_progress.load(Relaxed),
            "bytes_sent": self.bytes_sent.load(Relaxed),
        })
    }

    /// Clears scripts, the log (numbering restarts) and the counters. `open` and
    /// `requests_in_progress` are gauges of what exists right now, so they are kept.
    pub fn reset(&self) {
        self.clear_scripts();
        self.lifecycles.reset();
        self.log().clear(true);
        self.accepted.store(0, Relaxed);
        self.closed.store(0, Relaxed);
        self.closed_mid_response.store(0, Relaxed);
        self.clear_websockets();
        self.bytes_sent.store(0, Relaxed);
    }
}

pub struct InProgress<'a>(&'a State);

impl Drop for InProgress<'_> {
    fn drop(&mut self) {
        self.0.in_progress.fetch_sub(1, Relaxed);
    }
}

pub struct ConnectionGuard {
    state: Arc<State>,
    pub id: u64,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.state.open.fetch_sub(1, Relaxed);
        self.state.closed.fetch_add(1, Relaxed);
    }
}
