//! openai-mock: a mock of the OpenAI REST API for the tests and benchmarks of libopenai.
//!
//! A hand-written HTTP/1.1 server (tokio + httparse), so that tests control every byte: it serves
//! realistic responses for every operation, server-sent event streams and binary bodies, plays
//! scripted failures (statuses, delays, resets, stalls, truncation) and logs what it received.
//! See README.md for the control endpoints, the steering fields and the byte patterns.
//!
//! In-process use:
//! ```no_run
//! let server = openai_mock::MockServer::start();
//! let base_url = server.base_url(); // http://127.0.0.1:PORT/v1
//! server.script(serde_json::json!({"match": {"path": "/v1/models"}, "status": 500}));
//! // … run the client against base_url …
//! assert_eq!(server.requests()[0]["path"], "/v1/models");
//! ```

mod control;
mod http;
mod lifecycle;
mod log;
mod multipart;
mod objects;
mod patterns;
mod response;
mod routes;
mod script;
mod server;
mod spec_routes;
mod sse;
mod state;
pub mod tls;
mod util;
mod websocket;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::thread::JoinHandle;

use serde_json::Value;
use tokio::sync::oneshot;


pub use patterns::{speech_byte, DEFAULT_FILE_LINES, DEFAULT_SPEECH_BYTES};
pub use routes::embedding_value;
pub use sse::{monotonic_ns, REPLY, REPLY_WORDS, STAMP_DIGITS};

use state::State;

/// The speech body for `len` bytes (byte i = (i * 31 + 7) % 256).
pub fn speech_bytes(len: u64) -> Vec<u8> {
    collect(patterns::Pattern::speech(len))
}

/// The content of file `file_id`, `len` bytes long (None: the default of 3 whole lines).
pub fn file_content_bytes(file_id: &str, len: Option<u64>) -> Vec<u8> {
    collect(patterns::Pattern::file_content(file_id, len))
}

fn collect(mut p: patterns::Pattern) -> Vec<u8> {
    let mut out = Vec::with_capacity(p.remaining() as usize);
    while p.remaining() > 0 {
        p.fill(&mut out, 1 << 20);
    }
    out
}

/// Options of a server.
#[derive(Clone, Debug)]
pub struct Options {
    /// Port on 127.0.0.1; 0 for an ephemeral one.
    pub port: u16,
    /// Runtime worker threads.
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            port: 0,
            threads: 2,
        }
    }
}

/// A running mock server: its own thread and tokio runtime; stops when dropped.
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<State>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

fn bind(port: u16) -> io::Result<tokio::net::TcpListener> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))?;
    socket.listen(1024)
}

impl MockServer {
    /// Starts a server on 127.0.0.1 with an ephemeral port. Panics if it cannot (a test helper).
    pub fn start() -> MockServer {
        match MockServer::with_options(Options::default()) {
            Ok(s) => s,
            Err(e) => panic!("openai-mock: cannot start the mock server: {e}"),
        }
    }

    pub fn with_options(options: Options) -> io::Result<MockServer> {
        let state = State::new();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel::<io::Result<SocketAddr>>();
        let (stop, stopped) = oneshot::channel::<()>();
        let served = state.clone();
        let thread = std::thread::Builder::new()
            .name("openai-mock".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(options.threads.max(1))
                    .thread_name("openai-mock-worker")
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = addr_tx.send(Err(e));
                        return;
                    }
                };
                rt.block_on(async move {
                    let listener = match bind(options.port) {
                        Ok(l) => l,
                        Err(e) => {
                            let _ = addr_tx.send(Err(e));
                            return;
                        }
                    };
                    let _ = addr_tx.send(listener.local_addr());
                    server::serve(listener, served, async {
                        let _ = stopped.await;
                    })
                    .await;
                });
                // Dropping the runtime here cancels every connection task and closes its socket.
            })?;
        let addr = addr_rx
            .recv()
            .map_err(|_| io::Error::other("the server thread ended before binding"))??;
        Ok(MockServer {
            addr,
            state,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Starts a TLS front for this server (HTTP/2 or HTTP/1.1 by ALPN; see `tls`). It serves
    /// until the process ends.
    pub fn tls_front(&self) -> tls::TlsFront {
        self.tls_front_with(tls::TlsOptions::default())
    }

    /// `tls_front` with options (the HTTP/2 streams a connection may have open at once).
    pub fn tls_front_with(&self, options: tls::TlsOptions) -> tls::TlsFront {
        match tls::start_with(self.addr, options) {
            Ok(front) => front,
            Err(e) => panic!("openai-mock: cannot start the TLS front: {e}"),
        }
    }

    /// "http://127.0.0.1:PORT"
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// "http://127.0.0.1:PORT/v1", what clients use as base_url.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The request log, as GET /__mock/requests returns it.
    pub fn requests(&self) -> Vec<Value> {
        self.state.log().render(0)
    }

    /// Log entries with seq greater than `seq`.
    pub fn requests_since(&self, seq: u64) -> Vec<Value> {
        self.state.log().render(seq)
    }

    /// Queues a script (object) or several (array), as POST /__mock/script. Panics on an invalid
    /// script, naming the field, so that a test typo fails loudly.
    pub fn script(&self, script: Value) {
        if let Err(e) = self.try_script(script) {
            panic!("openai-mock: invalid script: {e}");
        }
    }

    /// Like `script`, returning the error instead; Ok gives the number of queued scripts.
    pub fn try_script(&self, script: Value) -> Result<usize, String> {
        control::add_scripts(&self.state, &script)
    }

    /// What each WebSocket session received, as GET /__mock/websockets returns it.
    pub fn websockets(&self) -> Vec<Value> {
        self.state.websockets()
    }

    /// Counters, as GET /__mock/connections returns them.
    pub fn connections(&self) -> Value {
        self.state.connections()
    }

    /// Clears scripts, the log and the counters, as POST /__mock/reset.
    pub fn reset(&self) {
        self.state.reset();
    }

    /// Turns the request log on or off, as POST /__mock/config {"log": …}.
    pub fn set_logging(&self, on: bool) {
        self.state.set_logging(on);
    }

    /// Turns gzip-encoded answers on or off, as POST /__mock/config {"compress": …}.
    pub fn set_compressing(&self, on: bool) {
        self.state.set_compressing(on);
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
