//! The result of one call: what came back over HTTP (status, headers, body), or why nothing
//! usable did, classified like the official SDK's exception classes.

use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::secrets::Scrubber;

/// How a call ended. Each kind mirrors one of the official SDK's exception classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    Ok,
    /// The caller's arguments were unusable; nothing was sent.
    InvalidArgument,
    /// A bug in the library (a caught panic).
    Internal,
    /// No connection, or it broke before the response was complete.
    Connection,
    Timeout,
    Cancelled,
    /// A blocking call was made where it cannot block (inside an async runtime that is not the
    /// library's).
    WouldDeadlock,
    /// The event stream carried an error event.
    StreamError,
    /// A 2xx response whose body is not what the operation returns (not JSON).
    InvalidResponse,
    /// The response, or one event of a stream, exceeded the client's `max_response_size`.
    ResponseTooLarge,
    BadRequest,
    Authentication,
    PermissionDenied,
    NotFound,
    Conflict,
    UnprocessableEntity,
    RateLimit,
    InternalServer,
    /// Any other status that is not a success (3xx not followed, 402, 405, 413, ...).
    OtherStatus,
}

impl Outcome {
    /// The outcome of an HTTP status, as the official SDK maps statuses to exceptions.
    pub fn from_status(status: u16) -> Outcome {
        match status {
            200..=299 => Outcome::Ok,
            400 => Outcome::BadRequest,
            401 => Outcome::Authentication,
            403 => Outcome::PermissionDenied,
            404 => Outcome::NotFound,
            409 => Outcome::Conflict,
            422 => Outcome::UnprocessableEntity,
            429 => Outcome::RateLimit,
            500.. => Outcome::InternalServer,
            _ => Outcome::OtherStatus,
        }
    }
}

/// The fields of an API error body, `{"error": {"message", "type", "param", "code"}}`.
/// A field that is not a string (a numeric code) is kept as its JSON text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiError {
    pub message: Option<String>,
    pub kind: Option<String>,
    pub param: Option<String>,
    pub code: Option<String>,
}

impl ApiError {
    /// Parses the error object of an error body (or a stream's error event); `None` when the
    /// body is not JSON or carries no error object.
    pub fn parse(body: &[u8]) -> Option<ApiError> {
        let value: Value = serde_json::from_slice(body).ok()?;
        let error = match value.get("error") {
            Some(e @ Value::Object(_)) => e,
            _ => return None,
        };
        let field = |name: &str| match error.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => Some(other.to_string()),
        };
        Some(ApiError {
            message: field("message"),
            kind: field("type"),
            param: field("param"),
            code: field("code"),
        })
    }
}

/// Error bodies are quoted in messages up to this many bytes: a 10 MB HTML page must not become
/// a 10 MB message.
const MAX_QUOTED_BODY: usize = 1000;

/// One call's result. `status` is 0 when no HTTP response came.
#[derive(Debug)]
pub struct Response {
    pub outcome: Outcome,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// How many retries were taken (0: the first attempt was the last).
    pub retries: u32,
    /// Why the call failed; `None` on success.
    pub message: Option<String>,
    pub api_error: Option<ApiError>,
    /// The HTTP version the response came in, when one came.
    pub http_version: Option<reqwest::Version>,
}

impl Response {
    /// A call that ended without an HTTP response.
    pub fn failure(outcome: Outcome, message: impl Into<String>) -> Response {
        Response {
            outcome,
            status: 0,
            headers: HeaderMap::new(),
            body: Vec::new(),
            retries: 0,
            message: Some(message.into()),
            api_error: None,
            http_version: None,
        }
    }

    /// A complete HTTP response: its outcome follows the status; an error's message is the
    /// official SDK's text, `Error code: <status> - <message>`.
    pub fn from_http(status: u16, headers: HeaderMap, body: Vec<u8>) -> Response {
        let outcome = Outcome::from_status(status);
        let (message, api_error) = if outcome == Outcome::Ok {
            (None, None)
        } else {
            let api_error = ApiError::parse(&body);
            (Some(status_message(status, &body, api_error.as_ref())), api_error)
        };
        Response { outcome, status, headers, body, retries: 0, message, api_error, http_version: None }
    }

    /// The HTTP version the response came in ("HTTP/1.1", "HTTP/2"), when one came.
    pub fn http_version_name(&self) -> Option<&'static str> {
        self.http_version.map(|version| match version {
            reqwest::Version::HTTP_09 => "HTTP/0.9",
            reqwest::Version::HTTP_10 => "HTTP/1.0",
            reqwest::Version::HTTP_11 => "HTTP/1.1",
            reqwest::Version::HTTP_2 => "HTTP/2",
            reqwest::Version::HTTP_3 => "HTTP/3",
            _ => "HTTP",
        })
    }

    /// The same response, noting the HTTP version it came in.
    pub fn in_version(mut self, version: reqwest::Version) -> Response {
        self.http_version = Some(version);
        self
    }

    /// Marks a 2xx response whose body is not JSON as invalid, for operations that return JSON
    /// (the official SDK's APIResponseValidationError). The body stays as it came.
    pub fn require_json(&mut self) {
        if self.outcome != Outcome::Ok || serde_json::from_slice::<serde::de::IgnoredAny>(&self.body).is_ok() {
            return;
        }
        let content_type = self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("none");
        let text = String::from_utf8_lossy(&self.body[..self.body.len().min(200)]).into_owned();
        self.outcome = Outcome::InvalidResponse;
        self.message = Some(format!(
            "the response is not JSON (status {}, content-type {content_type}, {} bytes): {}",
            self.status,
            self.body.len(),
            text.trim()
        ));
    }

    /// Notes in the message that an error body was cut at its limit.
    pub fn with_cut_error_body(mut self, cut: bool) -> Response {
        if cut {
            if let Some(message) = &mut self.message {
                message.push_str(&format!(" (the error body was cut at {} bytes)", self.body.len()));
            }
        }
        self
    }

    /// Scrubs a key from every string this response hands out besides its body (which is the
    /// caller's data): the message, the API error's fields and the header values.
    pub fn scrub(&mut self, scrubber: &Scrubber) {
        if let Some(message) = &mut self.message {
            scrubber.scrub_string(message);
        }
        if let Some(error) = &mut self.api_error {
            for field in [&mut error.message, &mut error.kind, &mut error.param, &mut error.code].into_iter().flatten() {
                scrubber.scrub_string(field);
            }
        }
        let tainted: Vec<reqwest::header::HeaderName> = self
            .headers
            .iter()
            .filter(|(_, value)| scrubber.finds(value.as_bytes()))
            .map(|(name, _)| name.clone())
            .collect();
        for name in tainted {
            let values: Vec<reqwest::header::HeaderValue> = self
                .headers
                .get_all(&name)
                .iter()
                .map(|v| {
                    let clean = scrubber.scrub(&String::from_utf8_lossy(v.as_bytes())).into_owned();
                    reqwest::header::HeaderValue::from_str(&clean).unwrap_or(reqwest::header::HeaderValue::from_static(crate::secrets::REDACTED))
                })
                .collect();
            self.headers.remove(&name);
            for value in values {
                self.headers.append(name.clone(), value);
            }
        }
    }

    /// The `x-request-id` header, which OpenAI's support asks for.
    pub fn request_id(&self) -> Option<&str> {
        self.headers.get("x-request-id").and_then(|v| v.to_str().ok())
    }
}

fn status_message(status: u16, body: &[u8], api_error: Option<&ApiError>) -> String {
    if let Some(message) = api_error.and_then(|e| e.message.as_deref()) {
        return format!("Error code: {status} - {message}");
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX_QUOTED_BODY)]);
    let text = text.trim();
    if text.is_empty() {
        format!("Error code: {status}")
    } else if body.len() > MAX_QUOTED_BODY {
        format!("Error code: {status} - {text}... ({} bytes)", body.len())
    } else {
        format!("Error code: {status} - {text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_the_sdk_classes() {
        let cases = [
            (200, Outcome::Ok),
            (204, Outcome::Ok),
            (400, Outcome::BadRequest),
            (401, Outcome::Authentication),
            (403, Outcome::PermissionDenied),
            (404, Outcome::NotFound),
            (409, Outcome::Conflict),
            (422, Outcome::UnprocessableEntity),
            (429, Outcome::RateLimit),
            (500, Outcome::InternalServer),
            (503, Outcome::InternalServer),
            (402, Outcome::OtherStatus),
            (302, Outcome::OtherStatus),
        ];
        for (status, outcome) in cases {
            assert_eq!(Outcome::from_status(status), outcome, "{status}");
        }
    }

    #[test]
    fn error_bodies_give_the_sdk_message_and_fields() {
        let body = br#"{"error":{"message":"The model 'x' does not exist","type":"invalid_request_error","param":"model","code":404}}"#;
        let r = Response::from_http(404, HeaderMap::new(), body.to_vec());
        assert_eq!(r.message.as_deref(), Some("Error code: 404 - The model 'x' does not exist"));
        let e = r.api_error.unwrap();
        assert_eq!(e.kind.as_deref(), Some("invalid_request_error"));
        assert_eq!(e.param.as_deref(), Some("model"));
        assert_eq!(e.code.as_deref(), Some("404"));

        let r = Response::from_http(502, HeaderMap::new(), b"  bad gateway \n".to_vec());
        assert_eq!(r.message.as_deref(), Some("Error code: 502 - bad gateway"));
        assert!(r.api_error.is_none());
        let r = Response::from_http(500, HeaderMap::new(), Vec::new());
        assert_eq!(r.message.as_deref(), Some("Error code: 500"));
        let big = vec![b'x'; 10_000_000];
        let r = Response::from_http(500, HeaderMap::new(), big);
        assert!(r.message.unwrap().ends_with("... (10000000 bytes)"));
    }
}
