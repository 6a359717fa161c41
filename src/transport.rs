//! Sending one request: its headers and body, the per-attempt timeout, and the retries of the
//! official SDK (connection errors, timeouts, 408, 409, 429 and >= 500; `x-should-retry`
//! overrides; the delay from `retry-after-ms` or `retry-after`, else exponential backoff).
//!
//! Cancellation is by dropping: every await point here gives up the connection when the future
//! is dropped, so a cancelled call closes its socket at once.

use std::error::Error as _;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::HeaderMap;

use crate::client::Client;
use crate::log::{self, Level};
use crate::operations::Method;
use crate::request::{Body, Expect, Request};
use crate::response::{Outcome, Response};
use crate::stream::EventStream;
use crate::upload::Progress;

/// The longest `retry-after` the library waits for; a server asking for more is not retried.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);
const INITIAL_RETRY_DELAY: f64 = 0.5;
const MAX_RETRY_DELAY: f64 = 8.0;

/// Why an attempt produced no complete response.
#[derive(Debug)]
pub(crate) enum Failure {
    Connection(String),
    Timeout(String),
    /// The request could not be made from the caller's input (a file that went missing, a path
    /// that cannot be written): not retried.
    Invalid(String),
}

impl Failure {
    pub(crate) fn into_response(self, retries: u32) -> Response {
        let mut response = match self {
            Failure::Connection(message) => Response::failure(Outcome::Connection, message),
            Failure::Timeout(message) => Response::failure(Outcome::Timeout, message),
            Failure::Invalid(message) => Response::failure(Outcome::InvalidArgument, message),
        };
        response.retries = retries;
        response
    }
}

impl From<reqwest::Error> for Failure {
    fn from(error: reqwest::Error) -> Failure {
        // reqwest's own text is terse ("error sending request"): append the causes, which say
        // what actually happened ("Connection refused").
        if error.is_builder() {
            // Made here, from the caller's input (a URL too long to be one): not retryable.
            let cause = error.source().map(|c| format!(": {c}")).unwrap_or_default();
            return Failure::Invalid(format!("the request cannot be made: {}{cause}", error.without_url()));
        }
        let is_timeout = error.is_timeout();
        let error = error.without_url();
        let mut message = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            let text = cause.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            source = cause.source();
        }
        if is_timeout {
            Failure::Timeout(format!("request timed out: {message}"))
        } else {
            Failure::Connection(format!("connection error: {message}"))
        }
    }
}

/// What one attempt produced, when it produced a response at all.
enum Attempt<T> {
    /// A 2xx response.
    Success(T),
    /// An error status, with its body read.
    Status(Response),
}

impl Client {
    /// Sends `request` and reads the whole response, retrying as the official SDK does.
    /// Always returns a response; its outcome says how the call ended.
    pub async fn execute(&self, request: &Request) -> Response {
        let result = self
            .with_retries(request, || async move {
                let mut response = self.send(request).await?;
                let status = response.status().as_u16();
                // Taken, not cloned: the body's length comes from the body, not these headers.
                let headers = std::mem::take(response.headers_mut());
                let body = read_body(response).await?;
                let mut response = Response::from_http(status, headers, body);
                let declared_json = response
                    .headers
                    .get("content-type")
                    .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
                match request.expects {
                    Expect::Json => response.require_json(),
                    Expect::JsonWhenDeclared if declared_json => response.require_json(),
                    _ => {}
                }
                Ok(match response.outcome {
                    Outcome::Ok | Outcome::InvalidResponse => Attempt::Success(response),
                    _ => Attempt::Status(response),
                })
            })
            .await;
        match result {
            Ok((mut response, retries)) => {
                response.retries = retries;
                response
            }
            Err(failure) => failure,
        }
    }

    /// Sends a request whose response is an event stream, and returns once a 2xx status and
    /// its headers arrived. Everything before that is retried like any request; a stream that
    /// has begun is never retried. An error status comes back as a response with its body.
    pub async fn open_stream(&self, request: &Request) -> Result<EventStream, Response> {
        let (response, retries) = self
            .with_retries(request, || async move {
                let mut response = self.send(request).await?;
                if response.status().is_success() {
                    return Ok(Attempt::Success(response));
                }
                let status = response.status().as_u16();
                let headers = std::mem::take(response.headers_mut());
                let body = read_body(response).await?;
                Ok(Attempt::Status(Response::from_http(status, headers, body)))
            })
            .await?;
        let idle = self.options().stream_idle_timeout.or(self.options().timeout);
        Ok(EventStream::new(response, retries, idle, self.cancel_token().cloned()))
    }

    /// Sends `request` and writes a successful response's body to `path` as it arrives, never
    /// holding it whole in memory; `progress` hears (bytes received, total or 0). The body is
    /// written to `<path>.part` and renamed into place once complete, so a failed download
    /// leaves `path` as it was. An error response's body is returned in memory as usual.
    pub async fn download(&self, request: &Request, path: &Path, progress: Option<Progress>) -> Response {
        let mut partial = path.as_os_str().to_owned();
        partial.push(".part");
        let partial = PathBuf::from(partial);
        // A path that cannot be written is the caller's mistake: say so before sending anything.
        if let Err(e) = tokio::fs::File::create(&partial).await {
            return Response::failure(Outcome::InvalidArgument, format!("\"{}\" cannot be written: {e}", path.display()));
        }
        let mut partial = PartialFile { path: partial, complete: false };
        let result = self
            .with_retries(request, || {
                let (partial, progress) = (&partial.path, progress.clone());
                async move {
                    let mut response = self.send(request).await?;
                    let status = response.status().as_u16();
                    let headers = std::mem::take(response.headers_mut());
                    if !response.status().is_success() {
                        let body = read_body(response).await?;
                        return Ok(Attempt::Status(Response::from_http(status, headers, body)));
                    }
                    write_body(response, partial, progress).await?;
                    Ok(Attempt::Success(Response::from_http(status, headers, Vec::new())))
                }
            })
            .await;
        match result {
            Ok((mut response, retries)) => {
                response.retries = retries;
                if let Err(e) = tokio::fs::rename(&partial.path, path).await {
                    return Response::failure(Outcome::InvalidArgument, format!("\"{}\" cannot be written: {e}", path.display()));
                }
                partial.complete = true;
                response
            }
            Err(failure) => failure,
        }
    }

    /// Runs attempts until one succeeds, fails for good, or the retries run out. Each attempt
    /// is bounded by the per-attempt timeout; the client's cancel token ends the whole call at
    /// once. Returns the success and the retries it took, or the final failure as a response
    /// (with the client's key scrubbed from its message).
    async fn with_retries<T, F, A>(&self, request: &Request, mut attempt: F) -> Result<(T, u32), Response>
    where
        F: FnMut() -> A,
        A: Future<Output = Result<Attempt<T>, Failure>>,
    {
        let started = Instant::now();
        let what = || format!("{} {}", request.method.as_str(), request.path);
        let max_retries = self.options().max_retries;
        let attempts = async {
            let mut retries = 0;
            loop {
                let result = match self.options().timeout {
                    None => attempt().await,
                    Some(limit) => tokio::time::timeout(limit, attempt()).await.unwrap_or_else(|_| {
                        Err(Failure::Timeout(format!("request timed out after {} s", limit.as_secs_f64())))
                    }),
                };
                let delay = match &result {
                    Ok(Attempt::Success(_)) => None,
                    Ok(Attempt::Status(response)) => retry_delay_after_status(response.status, &response.headers, retries),
                    Err(Failure::Invalid(_)) => None,
                    Err(_) => Some(backoff(retries)),
                };
                match delay {
                    Some(delay) if retries < max_retries => {
                        if log::enabled(Level::Warn) {
                            let reason = match &result {
                                Ok(Attempt::Status(response)) => format!("status {}", response.status),
                                Err(Failure::Connection(m) | Failure::Timeout(m) | Failure::Invalid(m)) => m.clone(),
                                Ok(Attempt::Success(_)) => unreachable!("a success is not retried"),
                            };
                            self.log(
                                Level::Warn,
                                format_args!("{}: {reason}; retry {} of {max_retries} in {:.3} s", what(), retries + 1, delay.as_secs_f64()),
                            );
                        }
                        tokio::time::sleep(delay).await;
                        retries += 1;
                    }
                    _ => {
                        return match result {
                            Ok(Attempt::Success(success)) => Ok((success, retries)),
                            Ok(Attempt::Status(mut response)) => {
                                response.retries = retries;
                                Err(response)
                            }
                            Err(failure) => Err(failure.into_response(retries)),
                        }
                    }
                }
            }
        };
        let result = match self.cancel_token() {
            None => attempts.await,
            Some(token) => tokio::select! {
                biased;
                _ = token.cancelled() => Err(Response::failure(Outcome::Cancelled, "the call was cancelled by its client's cancel token")),
                result = attempts => result,
            },
        };
        match result {
            Ok((success, retries)) => {
                if log::enabled(Level::Info) {
                    let ms = started.elapsed().as_millis();
                    self.log(Level::Info, format_args!("{}: succeeded in {ms} ms after {retries} retries", what()));
                }
                Ok((success, retries))
            }
            Err(mut failure) => {
                failure.message = failure.message.map(|m| self.redact(&m));
                if let Some(api_error) = &mut failure.api_error {
                    api_error.message = api_error.message.as_deref().map(|m| self.redact(m));
                }
                if log::enabled(Level::Error) {
                    let message = failure.message.as_deref().unwrap_or("");
                    self.log(Level::Error, format_args!("{} failed after {} retries: {message}", what(), failure.retries));
                }
                Err(failure)
            }
        }
    }

    /// Sends the request and returns once the response headers have arrived.
    pub(crate) async fn send(&self, request: &Request) -> Result<reqwest::Response, Failure> {
        let url = format!("{}{}", self.options().base_url, request.target(self.default_query()));
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Delete => reqwest::Method::DELETE,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
        };
        // As the official SDK: JSON content type on every request that is not a GET, also
        // when the body is empty; a multipart body brings its own, with the boundary.
        let content_type = match (&request.body, request.method) {
            (Body::Multipart(_), _) | (_, Method::Get) => None,
            _ => Some("application/json"),
        };
        let headers = self.headers_for(request.accept, content_type, request.beta);
        if log::enabled(Level::Debug) {
            self.log(Level::Debug, format_args!("sending {method} {url} with {}", log::headers(&headers)));
        }
        let builder = self.http().request(method, url).headers(headers);
        let builder = match &request.body {
            // As httpx under the official SDK: a body-less POST, PUT or PATCH says
            // `Content-Length: 0` (some proxies answer 411 without it); GET and DELETE say nothing.
            Body::None if matches!(request.method, Method::Post | Method::Put | Method::Patch) => {
                builder.header(reqwest::header::CONTENT_LENGTH, "0")
            }
            Body::None => builder,
            Body::Json(bytes) => builder.body(bytes.clone()),
            Body::Multipart(form) => builder.multipart(form.encode().await.map_err(|e| Failure::Invalid(e.0))?),
        };
        let response = builder.send().await?;
        if log::enabled(Level::Debug) {
            let id = response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("none");
            self.log(Level::Debug, format_args!("received {} for {} {} (request id {id})", response.status(), request.method.as_str(), request.path));
        }
        Ok(response)
    }
}

/// Streams a body into a file, created (or emptied) first.
async fn write_body(mut response: reqwest::Response, path: &Path, progress: Option<Progress>) -> Result<(), Failure> {
    use tokio::io::AsyncWriteExt;
    let cannot_write = |e: std::io::Error| Failure::Invalid(format!("\"{}\" cannot be written: {e}", path.display()));
    let mut file = tokio::fs::File::create(path).await.map_err(cannot_write)?;
    let total = response.content_length().unwrap_or(0);
    let mut received = 0u64;
    while let Some(chunk) = response.chunk().await? {
        file.write_all(&chunk).await.map_err(cannot_write)?;
        received += chunk.len() as u64;
        if let Some(progress) = &progress {
            progress(received, total);
        }
    }
    file.flush().await.map_err(cannot_write)?;
    Ok(())
}

/// The `<path>.part` file a download writes to. Removed when the download ends without
/// completing, also when its future is dropped midway (a cancelled async call), so that no
/// partial file is left behind.
struct PartialFile {
    path: PathBuf,
    /// Renamed into place: nothing to remove.
    complete: bool,
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.complete {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Reads a whole body. One spare byte of capacity lets the C boundary add its NUL terminator
/// without copying.
async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, Failure> {
    const MAX_PREALLOCATION: u64 = 64 << 20;
    let expected = response.content_length().unwrap_or(0).min(MAX_PREALLOCATION) as usize;
    let mut body = Vec::with_capacity(expected + 1);
    while let Some(chunk) = response.chunk().await? {
        body.reserve(chunk.len() + 1);
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Whether and when to retry a response with an error status; `None`: do not retry.
pub(crate) fn retry_delay_after_status(status: u16, headers: &HeaderMap, retries_taken: u32) -> Option<Duration> {
    let retryable = match headers.get("x-should-retry").map(|v| v.as_bytes()) {
        Some(b"true") => true,
        Some(b"false") => false,
        _ => matches!(status, 408 | 409 | 429) || status >= 500,
    };
    if !retryable {
        return None;
    }
    match retry_after(headers, SystemTime::now()) {
        Some(delay) if delay > MAX_RETRY_AFTER => None,
        Some(delay) if !delay.is_zero() => Some(delay),
        _ => Some(backoff(retries_taken)),
    }
}

/// The delay a response asks for: `retry-after-ms` (milliseconds), else `retry-after` (seconds
/// or an HTTP date). Zero when the value is zero, negative or in the past.
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let from_seconds = |s: f64| Some(if s > 0.0 && s.is_finite() { Duration::from_secs_f64(s.min(1e9)) } else { Duration::ZERO });
    if let Some(ms) = header("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return from_seconds(ms / 1000.0);
    }
    let value = header("retry-after")?;
    if let Ok(seconds) = value.parse::<f64>() {
        return from_seconds(seconds);
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// `min(0.5 * 2^n, 8)` seconds less up to 25% jitter, as the official SDK.
pub(crate) fn backoff(retries_taken: u32) -> Duration {
    let base = (INITIAL_RETRY_DELAY * 2f64.powi(retries_taken.min(1000) as i32)).min(MAX_RETRY_DELAY);
    Duration::from_secs_f64(base * (1.0 - 0.25 * fastrand::f64()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn which_statuses_are_retried() {
        for status in [408, 409, 429, 500, 502, 503, 599] {
            assert!(retry_delay_after_status(status, &HeaderMap::new(), 0).is_some(), "{status}");
        }
        for status in [400, 401, 403, 404, 422, 302] {
            assert!(retry_delay_after_status(status, &HeaderMap::new(), 0).is_none(), "{status}");
        }
        assert!(retry_delay_after_status(400, &headers(&[("x-should-retry", "true")]), 0).is_some());
        assert!(retry_delay_after_status(503, &headers(&[("x-should-retry", "false")]), 0).is_none());
    }

    #[test]
    fn the_server_chooses_the_delay_up_to_two_minutes() {
        let delay = |pairs: &[(&'static str, &str)]| retry_delay_after_status(429, &headers(pairs), 0);
        assert_eq!(delay(&[("retry-after-ms", "250")]), Some(Duration::from_millis(250)));
        assert_eq!(delay(&[("retry-after-ms", "250"), ("retry-after", "9")]), Some(Duration::from_millis(250)));
        assert_eq!(delay(&[("retry-after", "3")]), Some(Duration::from_secs(3)));
        assert_eq!(delay(&[("retry-after", "120")]), Some(Duration::from_secs(120)));
        assert_eq!(delay(&[("retry-after", "121")]), None);
        // Zero, negative and unparsable values fall back to the backoff (at most 0.5 s first).
        for value in ["0", "-4", "soon"] {
            let d = delay(&[("retry-after", value)]).unwrap();
            assert!(d <= Duration::from_millis(500) && d >= Duration::from_millis(375), "{value}: {d:?}");
        }
    }

    #[test]
    fn retry_after_accepts_an_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(retry_after(&headers(&[("retry-after", &later)]), now), Some(Duration::from_secs(7)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(retry_after(&headers(&[("retry-after", &earlier)]), now), Some(Duration::ZERO));
    }

    #[test]
    fn backoff_doubles_up_to_eight_seconds_less_jitter() {
        for (n, base) in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (10, 8.0), (5000, 8.0)] {
            let d = backoff(n).as_secs_f64();
            assert!(d <= base && d >= base * 0.75, "{n}: {d}");
        }
    }
}
