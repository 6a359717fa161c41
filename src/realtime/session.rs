//! A running session: one task on the library's runtime that opens the connection, reads server
//! events and hands them to its [`Handler`], writes the client events of its [`Outbox`], pings
//! when the server is quiet, ends the connection when the server stays silent past the idle
//! timeout, and reconnects after a recoverable close when the handler asks for it.
//!
//! Reading and writing are two futures of the same task: a reader held back by a slow consumer
//! does not hold back the writer, and the reverse.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use super::connect::{self, Socket};
use super::outbox::{Outbox, Phase};
use super::reconnect::{self, is_recoverable, Reconnecting};
use super::{SessionOptions, Target};
use crate::client::Client;
use crate::log::{self, Level};
use crate::response::{Outcome, Response};

/// How long a closing session waits for the server to answer its close frame.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// One server event: its `type` and its JSON text.
#[derive(Debug)]
pub struct ServerEvent {
    /// The `type` member ("" when the text is not a JSON object with a string `type`).
    pub kind: String,
    /// The JSON text, with one spare byte of capacity (for a terminating NUL without a copy).
    pub data: Vec<u8>,
}

impl ServerEvent {
    fn new(text: &str, scrub: impl Fn(&str) -> String) -> ServerEvent {
        let kind = event_type(text);
        // An error event may quote what the server received; keys never leave the library.
        let text = if kind == "error" { std::borrow::Cow::Owned(scrub(text)) } else { std::borrow::Cow::Borrowed(text) };
        let mut data = Vec::with_capacity(text.len() + 1);
        data.extend_from_slice(text.as_bytes());
        ServerEvent { kind, data }
    }
}

/// The `type` of an event. The API writes it first, without escapes: that case is read
/// directly, anything else is parsed.
fn event_type(text: &str) -> String {
    const PREFIX: &str = "{\"type\":\"";
    if let Some(rest) = text.strip_prefix(PREFIX) {
        if let Some(end) = rest.find(['"', '\\']) {
            if rest.as_bytes()[end] == b'"' {
                return rest[..end].to_string();
            }
        }
    }
    #[derive(serde::Deserialize)]
    struct Typed<'a> {
        #[serde(borrow, rename = "type")]
        kind: Option<std::borrow::Cow<'a, str>>,
    }
    serde_json::from_str::<Typed>(text).ok().and_then(|t| t.kind).map(|k| k.into_owned()).unwrap_or_default()
}

/// How a session ended.
#[derive(Debug)]
pub struct End {
    /// `Ok` for a clean close (by either side, with 1000, or by `close`).
    pub outcome: Outcome,
    /// Why, for any other outcome.
    pub message: Option<String>,
    /// The close code of the last connection: the server's, the one sent by `close`, 1005 for a
    /// close frame without one, 1006 for a connection that dropped without one. None when no
    /// connection was made.
    pub close_code: Option<u16>,
    pub close_reason: Option<String>,
    /// The response of a refused or failed handshake (status, headers, body).
    pub response: Option<Response>,
}

/// What the C boundary (or any user of a session) implements to receive what a session
/// produces. Every method is called from the session's task, one at a time.
pub trait Handler: Send + Sync + 'static {
    /// A connection opened (the first one, or a reconnection): its handshake response head.
    fn opened(&self, head: Response);
    /// A server event. Resolves to false to end the session. May wait (for a consumer to make
    /// room): only reading waits meanwhile, writing goes on.
    fn event(&self, event: ServerEvent) -> impl Future<Output = bool> + Send;
    /// Whether the session reconnects after a recoverable close (the official SDK reconnects
    /// only when given a reconnection handler).
    fn reconnects(&self) -> bool;
    /// Before a reconnection attempt, which `info` describes: resolves to the attempt to make
    /// (its query and headers possibly changed), or None to abort (the session ends).
    fn reconnecting(&self, info: Reconnecting) -> impl Future<Output = Option<Reconnecting>> + Send;
    /// The session ended; nothing is called after this.
    fn ended(&self, end: End);
}

/// Starts a session on the library's runtime. It runs until it ends by itself, its handler
/// stops it, or `cancel` is cancelled (its connection then drops at once).
pub fn start<H: Handler>(client: Client, target: Target, options: SessionOptions, handler: Arc<H>, outbox: Arc<Outbox>, cancel: CancellationToken) {
    crate::runtime::handle().spawn(async move {
        // A task dropped before its end (the runtime shut down) still ends its session.
        let mut unfinished = Unfinished(Some((handler.clone(), outbox.clone())));
        let url = connect::ws_url(&client, &target);
        let end = tokio::select! {
            biased;
            _ = cancel.cancelled() => End {
                outcome: Outcome::Cancelled,
                message: Some("the session was cancelled".into()),
                close_code: None,
                close_reason: None,
                response: None,
            },
            end = drive(&client, target, &options, &*handler, &outbox) => end,
        };
        outbox.end(end.message.clone().unwrap_or_else(|| "the session has ended".into()));
        match &end.message {
            Some(message) if end.outcome != Outcome::Cancelled => client.log(Level::Error, format_args!("session {url} ended: {message}")),
            _ => client.log(Level::Info, format_args!("session {url} ended ({:?}, close code {:?})", end.outcome, end.close_code)),
        }
        unfinished.0 = None;
        handler.ended(end);
    });
}

/// Ends a session whose task is dropped before it could (the library was shut down).
struct Unfinished<H: Handler>(Option<(Arc<H>, Arc<Outbox>)>);

impl<H: Handler> Drop for Unfinished<H> {
    fn drop(&mut self) {
        if let Some((handler, outbox)) = self.0.take() {
            let message = "the library was shut down (openai_shutdown)".to_string();
            outbox.end(message.clone());
            handler.ended(End { outcome: Outcome::Cancelled, message: Some(message), close_code: None, close_reason: None, response: None });
        }
    }
}

/// How one connection ended.
#[derive(Debug)]
enum ConnectionEnd {
    /// A close frame from the server (the answer to ours, or its own).
    Closed { code: u16, reason: String },
    /// The connection broke, or ended without a close frame.
    Dropped(String),
    /// Nothing came from the server for this long.
    Idle(Duration),
    /// The handler ended the session.
    Stopped,
    /// The server never answered our close frame.
    CloseUnanswered { code: u16, reason: String },
}

async fn drive<H: Handler>(client: &Client, mut target: Target, options: &SessionOptions, handler: &H, outbox: &Outbox) -> End {
    let (mut socket, mut head) = match connect::open(client, &target).await {
        Ok(opened) => opened,
        Err(response) => return refused(response),
    };
    client.log(Level::Info, format_args!("session {} opened", connect::ws_url(client, &target)));
    // Reconnection attempts used since the last healthy connection (one that delivered an
    // event other than `error`: a server that accepts and at once refuses does not reset it).
    let mut attempts = 0u32;
    loop {
        outbox.set_phase(Phase::Open);
        handler.opened(head);
        let mut healthy = false;
        let ended = serve(client, &target, socket, handler, outbox, options, &mut healthy).await;
        if healthy {
            attempts = 0;
        }
        let (code, reason, outcome, message) = match ended {
            ConnectionEnd::Closed { code, reason } if outbox.closing() || code == 1000 => {
                return End { outcome: Outcome::Ok, message: None, close_code: Some(code), close_reason: Some(reason), response: None }
            }
            ConnectionEnd::CloseUnanswered { code, reason } => {
                return End { outcome: Outcome::Ok, message: None, close_code: Some(code), close_reason: Some(reason), response: None }
            }
            ConnectionEnd::Stopped => {
                return End {
                    outcome: Outcome::Cancelled,
                    message: Some("the session was ended by its callback".into()),
                    close_code: None,
                    close_reason: None,
                    response: None,
                }
            }
            ConnectionEnd::Closed { code, reason } => {
                let message = if reason.is_empty() {
                    format!("the server closed the session with code {code}")
                } else {
                    format!("the server closed the session with code {code}: {}", client.scrubber().scrub(&reason))
                };
                (code, reason, Outcome::Connection, message)
            }
            ConnectionEnd::Dropped(why) => (1006, String::new(), Outcome::Connection, format!("the connection dropped: {}", client.scrubber().scrub(&why))),
            ConnectionEnd::Idle(limit) => {
                (1006, String::new(), Outcome::Timeout, format!("the server sent nothing for {} s (idle_timeout)", limit.as_secs_f64()))
            }
        };
        let end = |outcome, message: String| End { outcome, message: Some(message), close_code: Some(code), close_reason: Some(reason.clone()), response: None };
        if !is_recoverable(code) || !handler.reconnects() || options.max_retries == 0 {
            return end(outcome, message);
        }
        // Reconnect: until a new connection opens, the retries run out, or the handler aborts.
        let mut last = message;
        let mut close_code = code;
        loop {
            if outbox.closing() {
                // Closed by the program while reconnecting: there is nothing to close.
                return End { outcome: Outcome::Ok, message: None, close_code: Some(code), close_reason: Some(reason.clone()), response: None };
            }
            if attempts >= options.max_retries {
                return end(Outcome::Connection, format!("{last}; {} reconnection attempts failed", options.max_retries));
            }
            attempts += 1;
            outbox.set_phase(Phase::Reconnecting);
            let delay = reconnect::delay(attempts, options.initial_delay, options.max_delay);
            let info = Reconnecting {
                attempt: attempts,
                max_attempts: options.max_retries,
                delay,
                close_code,
                query: target.query.clone(),
                headers: target.headers.clone(),
            };
            let Some(info) = handler.reconnecting(info).await else {
                return end(outcome, format!("{last}; reconnection aborted by the callback"));
            };
            target.query = info.query;
            target.headers = info.headers;
            client.log(
                Level::Warn,
                format_args!("{last}; reconnection {attempts} of {} in {:.3} s", options.max_retries, delay.as_secs_f64()),
            );
            tokio::time::sleep(delay).await;
            match connect::open(client, &target).await {
                Ok((new_socket, new_head)) => {
                    socket = new_socket;
                    head = new_head;
                    break;
                }
                // A connection that could not be made, or a server error: try again.
                Err(failure) if failure.status == 0 || failure.status >= 500 || matches!(failure.status, 408 | 429) => {
                    last = failure.message.unwrap_or_default();
                    close_code = 1006;
                }
                Err(failure) => return refused(failure),
            }
        }
    }
}

fn refused(response: Response) -> End {
    End { outcome: response.outcome, message: response.message.clone(), close_code: None, close_reason: None, response: Some(response) }
}

/// Runs one connection until it ends.
async fn serve<H: Handler>(
    client: &Client,
    target: &Target,
    socket: Socket,
    handler: &H,
    outbox: &Outbox,
    options: &SessionOptions,
    healthy: &mut bool,
) -> ConnectionEnd {
    let (mut sink, mut stream) = socket.split();
    let clock = Instant::now();
    // When the server last sent anything, in milliseconds since `clock`.
    let last_heard = AtomicU64::new(0);
    let heard_at = |ms: u64| clock + Duration::from_millis(ms);
    let scrub = |text: &str| super::scrub(client, target, text);
    let reader = async {
        // One timer for the whole connection, moved only when it fires early (unused without a
        // limit).
        let idle = tokio::time::sleep(options.idle_timeout.unwrap_or(Duration::ZERO));
        tokio::pin!(idle);
        loop {
            let next = tokio::select! {
                biased;
                next = stream.next() => next,
                _ = &mut idle, if options.idle_timeout.is_some() => {
                    let limit = options.idle_timeout.expect("the timer fires only with a limit");
                    let due = heard_at(last_heard.load(Ordering::Relaxed)) + limit;
                    if due > Instant::now() {
                        idle.as_mut().reset(due);
                        continue;
                    }
                    return ConnectionEnd::Idle(limit);
                }
            };
            last_heard.store(clock.elapsed().as_millis() as u64, Ordering::Relaxed);
            match next {
                None => return ConnectionEnd::Dropped("the connection ended without a close frame".into()),
                Some(Err(e)) => return ConnectionEnd::Dropped(e.to_string()),
                Some(Ok(Message::Text(text))) => {
                    let event = ServerEvent::new(text.as_str(), scrub);
                    if event.kind == "error" {
                        if log::enabled(Level::Warn) {
                            client.log(Level::Warn, format_args!("error event: {}", String::from_utf8_lossy(&event.data)));
                        }
                    } else {
                        *healthy = true;
                    }
                    if !handler.event(event).await {
                        return ConnectionEnd::Stopped;
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    return match frame {
                        Some(frame) => ConnectionEnd::Closed { code: frame.code.into(), reason: frame.reason.to_string() },
                        None => ConnectionEnd::Closed { code: 1005, reason: String::new() },
                    }
                }
                // Pings are answered by the protocol layer; pongs only show the server is there;
                // neither API sends binary messages.
                Some(Ok(_)) => {}
            }
        }
    };
    let writer = async {
        let mut batch = Vec::new();
        let ping = tokio::time::sleep(options.ping_interval.unwrap_or(Duration::ZERO));
        tokio::pin!(ping);
        // The silence (by `last_heard`) already answered with a ping.
        let mut pinged_for = None;
        loop {
            tokio::select! {
                _ = outbox.take(&mut batch) => {}
                _ = &mut ping, if options.ping_interval.is_some() => {
                    let interval = options.ping_interval.expect("checked");
                    let heard = last_heard.load(Ordering::Relaxed);
                    let due = heard_at(heard) + interval;
                    if due > Instant::now() || pinged_for == Some(heard) {
                        ping.as_mut().reset(due.max(Instant::now() + interval));
                        continue;
                    }
                    pinged_for = Some(heard);
                    ping.as_mut().reset(Instant::now() + interval);
                    if let Err(e) = sink.send(Message::Ping(Default::default())).await {
                        return ConnectionEnd::Dropped(e.to_string());
                    }
                    continue;
                }
            }
            let mut close = None;
            for frame in batch.drain(..) {
                if let Message::Close(Some(c)) = &frame {
                    close = Some((u16::from(c.code), c.reason.to_string()));
                }
                if let Err(e) = sink.feed(frame).await {
                    return ConnectionEnd::Dropped(e.to_string());
                }
            }
            if let Err(e) = sink.flush().await {
                return ConnectionEnd::Dropped(e.to_string());
            }
            if let Some((code, reason)) = close {
                // The reader sees the server's answer; without one in time, the session is
                // closed all the same.
                tokio::time::sleep(CLOSE_TIMEOUT).await;
                return ConnectionEnd::CloseUnanswered { code, reason };
            }
        }
    };
    let ended = tokio::select! {
        ended = reader => ended,
        ended = writer => ended,
    };
    if let ConnectionEnd::Closed { .. } = ended {
        // Sends the protocol's answer to the server's close frame, if it is still pending.
        let _ = tokio::time::timeout(Duration::from_secs(1), sink.flush()).await;
    }
    ended
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_is_read_fast_when_first_and_parsed_otherwise() {
        assert_eq!(event_type(r#"{"type":"session.created","event_id":"e"}"#), "session.created");
        assert_eq!(event_type(r#"{"event_id":"e","type":"response.done"}"#), "response.done");
        assert_eq!(event_type(r#"{"type":"a\"b"}"#), "a\"b");
        assert_eq!(event_type("not json"), "");
        assert_eq!(event_type(r#"{"type":3}"#), "");
    }

    #[test]
    fn error_events_are_scrubbed() {
        let event = ServerEvent::new(r#"{"type":"error","error":{"message":"bad key sk-1234"}}"#, |t| t.replace("sk-1234", "[redacted]"));
        assert_eq!(event.kind, "error");
        assert_eq!(std::str::from_utf8(&event.data).unwrap(), r#"{"type":"error","error":{"message":"bad key [redacted]"}}"#);
        let event = ServerEvent::new(r#"{"type":"x","v":"sk-1234"}"#, |_| unreachable!());
        assert!(event.data.capacity() > event.data.len());
    }
}
