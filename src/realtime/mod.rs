//! WebSocket sessions: the Realtime API (`/v1/realtime`) and the Responses API over a persistent
//! WebSocket (`/v1/responses`), on one machinery.
//!
//! - `connect`: the URL and the handshake, an HTTP/1.1 upgrade made through the client's own
//!   reqwest pool, so that the proxy settings, the TLS configuration (CA bundle) and the connect
//!   timeout are those of every other call;
//! - `outbox`: client events waiting to be written, in order, bounded;
//! - `session`: the task that runs a session: reading server events, writing client events,
//!   keepalive pings, the idle timeout, closing, and reconnecting;
//! - `reconnect`: the official SDK's reconnection policy;
//! - `audio`: PCM16 to `input_audio_buffer.append` events, audio deltas back to PCM.
//!
//! It knows nothing of C: the C boundary (src/ffi/realtime.rs) implements [`Handler`] to receive
//! what a session produces.

mod audio;
mod connect;
mod outbox;
mod reconnect;
mod session;

use std::time::Duration;

use serde_json::{Map, Value};

pub use audio::{append_events, decode_audio_delta, AUDIO_CHUNK_BYTES};
pub use outbox::{Outbox, SendError};
pub use reconnect::{is_recoverable, Reconnecting};
pub use session::{start, End, Handler, ServerEvent};

use crate::request::{parse_query, InvalidArgument};

/// Which API a session speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// `/realtime`: speech-to-speech, low-latency text, transcription.
    Realtime,
    /// `/responses`: `response.create` events out, the Responses stream events in.
    Responses,
}

impl Endpoint {
    fn path(self) -> &'static str {
        match self {
            Endpoint::Realtime => "/realtime",
            Endpoint::Responses => "/responses",
        }
    }
}

/// The official SDK's reconnection defaults.
pub const DEFAULT_MAX_RETRIES: u32 = 5;
pub const DEFAULT_INITIAL_DELAY: Duration = Duration::from_millis(500);
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(8);
/// What client events sent while reconnecting may add up to (the SDK's bound).
pub const DEFAULT_RECONNECT_QUEUE_BYTES: usize = 1 << 20;
/// What client events waiting to be written may add up to while connected; a sender waits for
/// room beyond it (back-pressure, as a socket write would).
pub const DEFAULT_SEND_QUEUE_BYTES: usize = 4 << 20;
/// A keepalive ping after this much silence from the server...
pub const DEFAULT_PING_INTERVAL: Duration = Duration::from_secs(20);
/// ...and the connection counts as dead after this much (the official SDK's WebSocket library
/// pings every 20 s and gives up 20 s later).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(40);
/// Server events waiting for a consumer at most, and their bytes at most (one larger event is
/// always let through): past either, the session stops reading and TCP holds the server back.
pub const DEFAULT_MAX_QUEUED_EVENTS: usize = 256;
pub const DEFAULT_MAX_QUEUED_BYTES: usize = 4 << 20;

/// Whether a program may send this close code: 1000 (normal), or 3000 to 4999 (registered and
/// private codes); the others are reserved to the protocol.
pub fn is_sendable_close_code(code: u16) -> bool {
    code == 1000 || (3000..=4999).contains(&code)
}

/// The options of one session, from a JSON object (every field optional).
#[derive(Clone, Debug)]
pub struct SessionOptions {
    pub max_retries: u32,
    pub initial_delay: Duration,
    pub max_delay: Duration,
    /// `None`: no limit.
    pub idle_timeout: Option<Duration>,
    /// `None`: no keepalive pings.
    pub ping_interval: Option<Duration>,
    /// Extra handshake headers over the client's; `None` removes one.
    pub headers: Vec<(String, Option<String>)>,
    /// An ephemeral client secret sent instead of the client's API key.
    pub client_secret: Option<String>,
    pub send_queue_bytes: usize,
    pub reconnect_queue_bytes: usize,
    pub max_queued_events: usize,
    pub max_queued_bytes: usize,
}

impl Default for SessionOptions {
    fn default() -> SessionOptions {
        SessionOptions {
            max_retries: DEFAULT_MAX_RETRIES,
            initial_delay: DEFAULT_INITIAL_DELAY,
            max_delay: DEFAULT_MAX_DELAY,
            idle_timeout: Some(DEFAULT_IDLE_TIMEOUT),
            ping_interval: Some(DEFAULT_PING_INTERVAL),
            headers: Vec::new(),
            client_secret: None,
            send_queue_bytes: DEFAULT_SEND_QUEUE_BYTES,
            reconnect_queue_bytes: DEFAULT_RECONNECT_QUEUE_BYTES,
            max_queued_events: DEFAULT_MAX_QUEUED_EVENTS,
            max_queued_bytes: DEFAULT_MAX_QUEUED_BYTES,
        }
    }
}

/// The names accepted in a session's options, for the error message of an unknown one.
pub const SESSION_OPTION_NAMES: &[&str] = &[
    "max_retries",
    "initial_delay",
    "max_delay",
    "idle_timeout",
    "ping_interval",
    "headers",
    "client_secret",
    "max_send_queue_bytes",
    "max_reconnect_queue_bytes",
    "max_queued_events",
    "max_queued_bytes",
];

impl SessionOptions {
    /// Parses a JSON object of options (NULL or `{}`: the defaults). An unknown option is an error
    /// that names it.
    pub fn parse(json: Option<&str>) -> Result<SessionOptions, InvalidArgument> {
        let mut options = SessionOptions::default();
        let Some(json) = json else { return Ok(options) };
        let map = match serde_json::from_str::<Value>(json) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(InvalidArgument("options_json must be a JSON object".into())),
            Err(e) => return Err(InvalidArgument(format!("options_json is not valid JSON: {e}"))),
        };
        let bad = |name: &str, what: &str| InvalidArgument(format!("option \"{name}\" must be {what}"));
        let seconds = |name: &str, value: &Value| -> Result<Option<Duration>, InvalidArgument> {
            match value {
                Value::Null => Ok(None),
                Value::Number(n) => match n.as_f64() {
                    Some(s) if s >= 0.0 && s.is_finite() && s < 1e9 => Ok(Some(Duration::from_secs_f64(s))),
                    _ => Err(bad(name, "a number of seconds (0 or more), or null")),
                },
                _ => Err(bad(name, "a number of seconds, or null")),
            }
        };
        let count = |name: &str, value: &Value, min: u64| -> Result<u64, InvalidArgument> {
            value.as_u64().filter(|n| *n >= min).ok_or_else(|| bad(name, &format!("a whole number of at least {min}")))
        };
        for (name, value) in &map {
            match name.as_str() {
                "max_retries" => options.max_retries = count(name, value, 0)?.min(u32::MAX as u64) as u32,
                "initial_delay" => options.initial_delay = seconds(name, value)?.ok_or_else(|| bad(name, "a number of seconds"))?,
                "max_delay" => options.max_delay = seconds(name, value)?.ok_or_else(|| bad(name, "a number of seconds"))?,
                "idle_timeout" => options.idle_timeout = seconds(name, value)?.filter(|d| !d.is_zero()),
                "ping_interval" => options.ping_interval = seconds(name, value)?.filter(|d| !d.is_zero()),
                "headers" => options.headers = headers(value)?,
                "client_secret" => {
                    options.client_secret = match value {
                        Value::Null => None,
                        Value::String(s) if !s.is_empty() && reqwest::header::HeaderValue::from_str(&format!("Bearer {s}")).is_ok() => {
                            Some(s.clone())
                        }
                        _ => return Err(bad(name, "a non-empty string usable in a header")),
                    }
                }
                "max_send_queue_bytes" => options.send_queue_bytes = count(name, value, 1)? as usize,
                "max_reconnect_queue_bytes" => options.reconnect_queue_bytes = count(name, value, 1)? as usize,
                "max_queued_events" => options.max_queued_events = count(name, value, 1)? as usize,
                "max_queued_bytes" => options.max_queued_bytes = count(name, value, 1)? as usize,
                _ => {
                    return Err(InvalidArgument(format!(
                        "unknown session option \"{name}\" (the options are: {})",
                        SESSION_OPTION_NAMES.join(", ")
                    )))
                }
            }
        }
        if options.max_delay < options.initial_delay {
            return Err(InvalidArgument("option \"max_delay\" must not be less than \"initial_delay\"".into()));
        }
        Ok(options)
    }
}

/// A headers object: names to strings, or null to remove a header.
fn headers(value: &Value) -> Result<Vec<(String, Option<String>)>, InvalidArgument> {
    let map = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Object(map) => map,
        _ => return Err(InvalidArgument("option \"headers\" must be a JSON object of strings".into())),
    };
    let mut out = Vec::with_capacity(map.len());
    for (name, value) in map {
        if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(InvalidArgument(format!("headers: \"{name}\" is not a valid header name")));
        }
        let value = match value {
            Value::Null => None,
            Value::String(s) if reqwest::header::HeaderValue::from_str(s).is_ok() => Some(s.clone()),
            _ => return Err(InvalidArgument(format!("headers: the value of \"{name}\" must be a string usable in a header, or null"))),
        };
        out.push((name.clone(), value));
    }
    Ok(out)
}

/// `text` with the client's key and the target's client secret scrubbed from it: for what a
/// session hands out that may quote them (failure messages, error events).
pub(crate) fn scrub(client: &crate::client::Client, target: &Target, text: &str) -> String {
    let text = client.scrubber().scrub(text);
    match &target.client_secret {
        Some(secret) => crate::secrets::Scrubber::new(secret).scrub(&text).into_owned(),
        None => text.into_owned(),
    }
}

/// Where a session connects: the endpoint, its query (e.g. `model`, or `call_id` for a SIP or
/// WebRTC call) and the extra headers. The reconnection callback may change the last two.
#[derive(Clone, Debug)]
pub struct Target {
    pub endpoint: Endpoint,
    pub query: Map<String, Value>,
    pub headers: Vec<(String, Option<String>)>,
    pub client_secret: Option<String>,
}

impl Target {
    /// The target of a new session: `query_json` (NULL: none) and the options' headers and secret.
    pub fn new(endpoint: Endpoint, query_json: Option<&str>, options: &SessionOptions) -> Result<Target, InvalidArgument> {
        let query = match query_json {
            None => Map::new(),
            Some(json) => parse_query(json)?,
        };
        Ok(Target { endpoint, query, headers: options.headers.clone(), client_secret: options.client_secret.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_with_their_defaults() {
        let o = SessionOptions::parse(None).unwrap();
        assert_eq!((o.max_retries, o.initial_delay, o.max_delay), (5, Duration::from_millis(500), Duration::from_secs(8)));
        assert_eq!(o.reconnect_queue_bytes, 1 << 20);
        let o = SessionOptions::parse(Some(r#"{"max_retries":2,"initial_delay":0,"idle_timeout":null,"headers":{"x-a":"b","user-agent":null}}"#)).unwrap();
        assert_eq!((o.max_retries, o.initial_delay, o.idle_timeout), (2, Duration::ZERO, None));
        assert_eq!(o.headers, vec![("x-a".to_string(), Some("b".to_string())), ("user-agent".to_string(), None)]);
    }

    #[test]
    fn bad_options_are_named() {
        for (json, named) in [
            (r#"{"max_retrys":1}"#, "unknown session option \"max_retrys\""),
            (r#"{"max_retries":-1}"#, "\"max_retries\""),
            (r#"{"initial_delay":"soon"}"#, "\"initial_delay\""),
            (r#"{"initial_delay":9,"max_delay":1}"#, "\"max_delay\""),
            (r#"{"headers":{"bad name":"x"}}"#, "\"bad name\""),
            (r#"{"client_secret":"a\nb"}"#, "\"client_secret\""),
            (r#"[1]"#, "JSON object"),
        ] {
            let e = SessionOptions::parse(Some(json)).unwrap_err();
            assert!(e.0.contains(named), "{json}: {}", e.0);
        }
    }
}
