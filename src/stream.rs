//! An event stream that has begun: its response head, and its events read from the socket
//! through the SSE decoder, classified as the official SDK does. `data: [DONE]` ends the stream
//! cleanly; `event: error`, or an event whose data object carries `error`, ends it with an
//! error; a connection cut or a stall ends it with a connection or timeout error, never as if
//! it were complete.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::log::{self, Level};
use crate::response::{ApiError, Outcome, Response};
use crate::secrets::Scrubber;
use crate::sse::{Decoder, Event};

/// What the stream produced next.
#[derive(Debug)]
pub enum Item {
    Event(Event),
    /// The stream ended cleanly (`[DONE]`, or the server ended the body).
    Done,
    /// The stream ended with an error.
    Failed(StreamFailure),
}

/// Why a stream ended badly.
#[derive(Debug, Clone)]
pub struct StreamFailure {
    pub outcome: Outcome,
    pub message: String,
    pub api_error: Option<ApiError>,
}

impl StreamFailure {
    fn new(outcome: Outcome, message: impl Into<String>) -> StreamFailure {
        StreamFailure { outcome, message: message.into(), api_error: None }
    }
}

/// The time and size bounds of a stream.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The longest time between two events (bytes that make no event, such as keep-alive
    /// comments, do not count). `None`: no limit.
    pub idle: Option<Duration>,
    /// The longest time the stream may last from its response head. `None`: no limit.
    pub total: Option<Duration>,
    /// The largest event (its pending line plus its data), in bytes.
    pub max_event: usize,
}

pub struct EventStream {
    /// Status and headers of the response (its body is the stream, so it is empty here).
    head: Response,
    body: reqwest::Response,
    decoder: Decoder,
    decoded: VecDeque<Event>,
    /// Scratch space for the decoder's output.
    batch: Vec<Event>,
    limits: Limits,
    /// When the stream began, and when the reader last asked for an event (the idle time is
    /// counted from there: a reader held back by a slow consumer is not an idle server).
    began: Instant,
    waiting_since: Instant,
    /// The body has ended (cleanly); what remains is in `decoded`.
    body_done: bool,
    /// The terminal item, once reached; returned again by later calls.
    ended: Option<Result<(), StreamFailure>>,
    /// The client's cancel token, which ends the stream too.
    cancel: Option<CancellationToken>,
    /// Scrubs the client's key from failure messages.
    scrubber: Scrubber,
    /// "POST /chat/completions", for the log line of the stream's end.
    log_name: String,
    /// The connection of the client's limit the stream uses, released when it ends.
    permit: crate::client::ConnectionPermit,
}

impl EventStream {
    pub(crate) fn new(mut body: reqwest::Response, retries: u32, limits: Limits, cancel: Option<CancellationToken>, scrubber: Scrubber) -> EventStream {
        let headers = std::mem::take(body.headers_mut());
        let mut head = Response::from_http(body.status().as_u16(), headers, Vec::new()).in_version(body.version());
        head.retries = retries;
        let now = Instant::now();
        EventStream {
            head,
            body,
            decoder: Decoder::new(limits.max_event),
            decoded: VecDeque::new(),
            batch: Vec::new(),
            limits,
            began: now,
            waiting_since: now,
            body_done: false,
            ended: None,
            cancel,
            scrubber,
            log_name: String::new(),
            permit: Default::default(),
        }
    }

    /// Holds a connection of the client's limit until the stream ends.
    pub(crate) fn hold(&mut self, permit: crate::client::ConnectionPermit) {
        self.permit = permit;
    }

    pub(crate) fn set_log_name(&mut self, name: String) {
        self.log_name = name;
    }

    pub(crate) fn head_mut(&mut self) -> &mut Response {
        &mut self.head
    }

    /// The response head: status, headers, request id, retries taken.
    pub fn head(&self) -> &Response {
        &self.head
    }

    /// Takes the response head out (leaving an empty one), for a caller that keeps it apart.
    pub fn take_head(&mut self) -> Response {
        std::mem::replace(&mut self.head, Response::failure(Outcome::Ok, ""))
    }

    /// Whether `next` would return at once, without reading the socket.
    pub fn has_buffered(&self) -> bool {
        !self.decoded.is_empty() || self.ended.is_some() || self.body_done
    }

    /// The next event, or how the stream ended. After the end, returns the same end again.
    pub async fn next(&mut self) -> Item {
        let mut reading = false;
        loop {
            if let Some(item) = self.ready() {
                return item;
            }
            if !reading {
                // The idle time counts from the reader's request (read only when nothing is
                // decoded: the clock is not read for every event).
                self.waiting_since = Instant::now();
                reading = true;
            }
            if let Err(failure) = self.read().await {
                self.end(Err(failure));
            }
        }
    }

    /// The next event, or how the stream ended, if that is known without reading from the
    /// connection: an event already decoded, or the end. `None` when the body must be read.
    /// A reader on its own thread takes events this way without entering the runtime.
    pub fn ready(&mut self) -> Option<Item> {
        loop {
            if let Some(end) = &self.ended {
                return Some(match end {
                    Ok(()) => Item::Done,
                    Err(failure) => Item::Failed(failure.clone()),
                });
            }
            if let Some(event) = self.decoded.pop_front() {
                match classify(event) {
                    Item::Event(event) => return Some(Item::Event(event)),
                    Item::Done => self.end(Ok(())),
                    Item::Failed(failure) => self.end(Err(failure)),
                }
                continue;
            }
            if self.body_done {
                self.end(Ok(()));
                continue;
            }
            return None;
        }
    }

    /// After the stream's end (`[DONE]`, or an error event), reads what is left of the body (the
    /// server ends it right after: usually nothing but the end of the framing), so that the
    /// stream ends cleanly: over HTTP/2 a stream dropped unfinished is reset, and a server cuts
    /// the whole connection after too many resets; over HTTP/1.1 the connection can be used
    /// again. At most 64 KiB and half a second; after that the stream is dropped all the same.
    pub async fn finish_reading(&mut self) {
        const MAX_DRAIN: usize = 64 << 10;
        if self.body_done {
            return;
        }
        let drain = async {
            let mut read = 0;
            while let Ok(Some(chunk)) = self.body.chunk().await {
                read += chunk.len();
                if read > MAX_DRAIN {
                    return;
                }
            }
            self.body_done = true;
        };
        let _ = tokio::time::timeout(Duration::from_millis(500), drain).await;
    }

    /// Whether the stream ended in a way that leaves its body to be read to its end: cleanly, or
    /// with an error event (the server ends the body after either); not after a connection
    /// error, a timeout or a cancellation.
    pub fn ended_by_the_server(&self) -> bool {
        match &self.ended {
            Some(Ok(())) => true,
            Some(Err(failure)) => failure.outcome == Outcome::StreamError,
            None => false,
        }
    }

    /// Records the end (scrubbed) and logs it with its real outcome.
    fn end(&mut self, end: Result<(), StreamFailure>) {
        let end = end.map_err(|mut failure| {
            self.scrubber.scrub_string(&mut failure.message);
            if let Some(error) = &mut failure.api_error {
                for field in [&mut error.message, &mut error.kind, &mut error.param, &mut error.code].into_iter().flatten() {
                    self.scrubber.scrub_string(field);
                }
            }
            failure
        });
        let ms = self.began.elapsed().as_millis();
        match &end {
            Ok(()) if log::enabled(Level::Info) => {
                log::emit(Level::Info, &self.scrubber, format_args!("{}: stream ended cleanly after {ms} ms", self.log_name));
            }
            Err(failure) if log::enabled(Level::Error) => log::emit(
                Level::Error,
                &self.scrubber,
                format_args!("{}: stream failed ({:?}) after {ms} ms: {}", self.log_name, failure.outcome, failure.message),
            ),
            _ => {}
        }
        self.ended = Some(end);
        self.permit = Default::default();
    }

    /// How long the next read may wait: until the idle limit since the last event, or the
    /// stream's total limit, whichever comes first; `None` when neither applies. The failure is
    /// the one to report when that time runs out.
    fn read_deadline(&self) -> Option<(Instant, StreamFailure)> {
        let idle = self.limits.idle.map(|idle| {
            let message = format!("the stream sent no event for {} s", idle.as_secs_f64());
            (self.waiting_since + idle, StreamFailure::new(Outcome::Timeout, message))
        });
        let total = self.limits.total.map(|total| {
            let message = format!("the stream ran longer than stream_timeout ({} s)", total.as_secs_f64());
            (self.began + total, StreamFailure::new(Outcome::Timeout, message))
        });
        match (idle, total) {
            (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
            (a, b) => a.or(b),
        }
    }

    /// Reads the next bytes from the socket into decoded events.
    async fn read(&mut self) -> Result<(), StreamFailure> {
        let deadline = self.read_deadline();
        let read = async {
            match deadline {
                None => Ok(self.body.chunk().await),
                Some((at, failure)) => {
                    tokio::time::timeout_at(at.into(), self.body.chunk()).await.map_err(|_| failure)
                }
            }
        };
        let chunk = match &self.cancel {
            None => read.await?,
            Some(token) => tokio::select! {
                biased;
                _ = token.cancelled() => {
                    return Err(StreamFailure::new(Outcome::Cancelled, "the stream was cancelled by its client's cancel token"))
                }
                chunk = read => chunk?,
            },
        };
        match chunk {
            Ok(Some(bytes)) => {
                self.decoder
                    .feed(&bytes, &mut self.batch)
                    .map_err(|e| StreamFailure::new(Outcome::ResponseTooLarge, format!("{e} (max_response_size)")))?;
            }
            Ok(None) => {
                self.decoder.finish(&mut self.batch);
                self.body_done = true;
            }
            Err(e) => {
                let failure = crate::transport::Failure::from(e).into_response(0);
                let message = failure.message.unwrap_or_default();
                return Err(StreamFailure::new(failure.outcome, format!("the stream broke off: {message}")));
            }
        }
        self.decoded.extend(self.batch.drain(..));
        Ok(())
    }
}

/// Sorts an event into data, the end, or an error, as the official SDK's stream does.
fn classify(event: Event) -> Item {
    if event.data.starts_with(b"[DONE]") {
        return Item::Done;
    }
    // Unnamed events (chat completions) and the Responses API's carry errors in their data;
    // among named events (assistants), only `error` is one.
    let data_may_hold_error =
        event.name.is_empty() || event.name.starts_with("response.") || event.name.starts_with("transcript.");
    if event.name == "error" || (data_may_hold_error && has_error_member(&event.data)) {
        return Item::Failed(stream_error(&event.data));
    }
    Item::Event(event)
}

/// Whether the data is a JSON object with a truthy `error` member. Checked cheaply first: most
/// events do not mention it at all.
fn has_error_member(data: &[u8]) -> bool {
    static ERROR_MEMBER: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    if ERROR_MEMBER.get_or_init(|| memchr::memmem::Finder::new(b"\"error\"")).find(data).is_none() {
        return false;
    }
    match serde_json::from_slice::<Value>(data) {
        Ok(Value::Object(map)) => {
            !matches!(map.get("error"), None | Some(Value::Null) | Some(Value::Bool(false)))
        }
        _ => false,
    }
}

fn stream_error(data: &[u8]) -> StreamFailure {
    let api_error = ApiError::parse(data).or_else(|| {
        // `event: error` with the error object itself as data.
        let value: Value = serde_json::from_slice(data).ok()?;
        let wrapped = serde_json::json!({ "error": value });
        ApiError::parse(wrapped.to_string().as_bytes())
    });
    let message = api_error
        .as_ref()
        .and_then(|e| e.message.clone())
        .unwrap_or_else(|| {
            let text = String::from_utf8_lossy(data);
            if text.trim().is_empty() {
                "An error occurred during streaming".to_string()
            } else {
                format!("An error occurred during streaming: {}", text.trim())
            }
        });
    StreamFailure { outcome: Outcome::StreamError, message, api_error }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: &str, data: &str) -> Event {
        Event { name: name.into(), data: data.as_bytes().to_vec(), ..Default::default() }
    }

    #[test]
    fn done_ends_cleanly() {
        assert!(matches!(classify(event("", "[DONE]")), Item::Done));
        assert!(matches!(classify(event("done", "[DONE]")), Item::Done));
    }

    #[test]
    fn errors_end_the_stream_with_their_message() {
        let Item::Failed(f) = classify(event("", r#"{"error":{"message":"overloaded","type":"server_error"}}"#)) else {
            panic!("an error member ends the stream")
        };
        assert_eq!(f.outcome, Outcome::StreamError);
        assert_eq!(f.message, "overloaded");
        assert_eq!(f.api_error.unwrap().kind.as_deref(), Some("server_error"));

        let Item::Failed(f) = classify(event("error", r#"{"message":"bad","code":"c"}"#)) else { panic!() };
        assert_eq!(f.message, "bad");
        let Item::Failed(f) = classify(event("error", "not json")) else { panic!() };
        assert_eq!(f.message, "An error occurred during streaming: not json");
    }

    #[test]
    fn ordinary_events_pass_even_when_they_mention_errors() {
        assert!(matches!(classify(event("", r#"{"choices":[],"error":null}"#)), Item::Event(_)));
        assert!(matches!(classify(event("thread.run.failed", r#"{"last_error":{"code":"x"},"error":"y"}"#)), Item::Event(_)));
        assert!(matches!(classify(event("", r#"{"text":"an \"error\" word"}"#)), Item::Event(_)));
        assert!(matches!(classify(event("thread.message.delta", "{}")), Item::Event(_)));
    }
}
