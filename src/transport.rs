//! Sending one request: its headers and body, redirects, the per-attempt timeout, the size cap
//! on what is held in memory, and the retries of the official SDK (connection errors, timeouts,
//! 408, 409, 429 and >= 500; `x-should-retry` overrides; the delay from `retry-after-ms` or
//! `retry-after`, else exponential backoff).
//!
//! Cancellation is by dropping: every await point here gives up the connection when the future
//! is dropped, so a cancelled call closes its socket at once.

use std::error::Error as _;
use std::future::Future;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, ACCEPT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use reqwest::Url;

use crate::client::{Client, ConnectionPermit};
use crate::log::{self, Level};
use crate::operations::Method;
use crate::request::{Body, Expect, Request};
use crate::response::{Outcome, Response};
use crate::secrets::CREDENTIAL_HEADERS;
use crate::stream::EventStream;
use crate::upload::Progress;

/// The longest `retry-after` the library waits for; a server asking for more is not retried.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);
const INITIAL_RETRY_DELAY: f64 = 0.5;
const MAX_RETRY_DELAY: f64 = 8.0;
/// Redirects followed before the redirect itself is handed back, as the official SDK's HTTP
/// client (httpx) does.
const MAX_REDIRECTS: usize = 20;
/// The most of an error body kept: its message needs only the start, and a hostile server must
/// not make an error cost memory.
pub const MAX_ERROR_BODY: u64 = 1 << 20;

/// Why an attempt produced no complete response.
#[derive(Debug)]
pub(crate) enum Failure {
    Connection(String),
    Timeout(String),
    /// The request could not be made from the caller's input (a file that went missing, a path
    /// that cannot be written): not retried.
    Invalid(String),
    /// The response was larger than the client's cap: not retried (it would be again). The
    /// response keeps its status and headers.
    TooLarge(Response),
    /// The body could not be decoded (a compressed body that does not decompress): not retried.
    Undecodable(String),
}

impl Failure {
    pub(crate) fn into_response(self, retries: u32) -> Response {
        let mut response = match self {
            Failure::Connection(message) => Response::failure(Outcome::Connection, message),
            Failure::Timeout(message) => Response::failure(Outcome::Timeout, message),
            Failure::Invalid(message) => Response::failure(Outcome::InvalidArgument, message),
            Failure::TooLarge(response) => response,
            Failure::Undecodable(message) => Response::failure(Outcome::InvalidResponse, message),
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
        // A body read through the decompressor reports every failure as a decode error; only a
        // corrupt compressed body (an invalid-data I/O error from the decoder) is undecodable, a
        // cut or reset connection stays a connection error.
        let is_decode = error.is_decode() && {
            let mut source = error.source();
            let mut corrupt = false;
            while let Some(cause) = source {
                if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                    corrupt |= matches!(io.kind(), std::io::ErrorKind::InvalidData | std::io::ErrorKind::InvalidInput);
                }
                source = cause.source();
            }
            corrupt
        };
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
        if is_decode {
            Failure::Undecodable(format!("the response body could not be decoded: {message}"))
        } else if is_timeout {
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
        let started = Instant::now();
        let limit = self.options().max_response_size;
        let result = self
            .with_retries(request, || async move {
                // The permit (a connection of the client's limit) is held until the body is read.
                let (mut response, _permit) = self.send(request).await?;
                let (status, version) = (response.status().as_u16(), response.version());
                // Taken, not cloned: the body's length comes from the body, not these headers.
                let headers = std::mem::take(response.headers_mut());
                if !(200..300).contains(&status) {
                    let (body, cut) = read_error_body(response, limit).await?;
                    return Ok(Attempt::Status(Response::from_http(status, headers, body).with_cut_error_body(cut).in_version(version)));
                }
                let body = match read_body(response, limit).await {
                    Ok(body) => body,
                    Err(BodyError::Failure(failure)) => return Err(failure),
                    Err(BodyError::TooLarge(message)) => {
                        let mut response = Response::from_http(status, headers, Vec::new()).in_version(version);
                        response.outcome = Outcome::ResponseTooLarge;
                        response.message = Some(message);
                        return Err(Failure::TooLarge(response));
                    }
                };
                let mut response = Response::from_http(status, headers, body).in_version(version);
                let declared_json = response
                    .headers
                    .get("content-type")
                    .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
                match request.expects {
                    Expect::Json => response.require_json(),
                    Expect::JsonWhenDeclared if declared_json => response.require_json(),
                    _ => {}
                }
                Ok(Attempt::Success(response))
            })
            .await;
        let response = match result {
            Ok((mut response, retries)) => {
                response.retries = retries;
                response
            }
            Err(failure) => failure,
        };
        self.finish(request, response, started)
    }

    /// Sends a request whose response is an event stream, and returns once a 2xx status and
    /// its headers arrived. Everything before that is retried like any request; a stream that
    /// has begun is never retried. An error status comes back as a response with its body.
    pub async fn open_stream(&self, request: &Request) -> Result<EventStream, Response> {
        let started = Instant::now();
        let limit = self.options().max_response_size;
        let result = self
            .with_retries(request, || async move {
                let (mut response, permit) = self.send(request).await?;
                if response.status().is_success() {
                    return Ok(Attempt::Success((response, permit)));
                }
                let (status, version) = (response.status().as_u16(), response.version());
                let headers = std::mem::take(response.headers_mut());
                let (body, cut) = read_error_body(response, limit).await?;
                Ok(Attempt::Status(Response::from_http(status, headers, body).with_cut_error_body(cut).in_version(version)))
            })
            .await;
        let ((response, permit), retries) = match result {
            Ok(opened) => opened,
            Err(failure) => return Err(self.finish(request, failure, started)),
        };
        let options = self.options();
        let limits = crate::stream::Limits {
            idle: options.stream_idle_timeout.or(options.timeout),
            total: options.stream_timeout,
            max_event: options.max_response_size.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX)),
        };
        if log::enabled(Level::Info) {
            let ms = started.elapsed().as_millis();
            self.log(Level::Info, format_args!("{}: stream began in {ms} ms after {retries} retries", request.describe()));
        }
        let mut stream = EventStream::new(response, retries, limits, self.cancel_token().cloned(), self.scrubber().clone());
        // The stream holds its connection of the client's limit until it ends.
        stream.hold(permit);
        stream.set_log_name(request.describe());
        self.scrubber_apply(stream.head_mut());
        Ok(stream)
    }

    /// Sends `request` and writes a successful response's body to `path` as it arrives, never
    /// holding it whole in memory (nor limited by `max_response_size`); `progress` hears (bytes
    /// received, total or 0). The body is written to a new file of an unpredictable name beside
    /// `path`, created exclusively (nothing already there, such as a planted link, is followed
    /// or truncated), and renamed to `path` once complete, so that a failed download leaves
    /// `path` as it was and no partial file behind. An error response's body is returned in
    /// memory as usual.
    pub async fn download(&self, request: &Request, path: &Path, progress: Option<Progress>) -> Response {
        let started = Instant::now();
        // A path that cannot be written is the caller's mistake: say so before sending anything.
        let partial = match PartialFile::create(path) {
            Ok(partial) => partial,
            Err(message) => return self.finish(request, Response::failure(Outcome::InvalidArgument, message), started),
        };
        let limit = self.options().max_response_size;
        let result = self
            .with_retries(request, || {
                let (partial, progress) = (&partial, progress.clone());
                async move {
                    let (mut response, _permit) = self.send(request).await?;
                    let (status, version) = (response.status().as_u16(), response.version());
                    let headers = std::mem::take(response.headers_mut());
                    if !response.status().is_success() {
                        let (body, cut) = read_error_body(response, limit).await?;
                        return Ok(Attempt::Status(Response::from_http(status, headers, body).with_cut_error_body(cut).in_version(version)));
                    }
                    partial.write_body(response, progress).await?;
                    Ok(Attempt::Success(Response::from_http(status, headers, Vec::new()).in_version(version)))
                }
            })
            .await;
        let response = match result {
            Ok((mut response, retries)) => {
                response.retries = retries;
                match partial.commit(path) {
                    Ok(()) => response,
                    Err(message) => Response::failure(Outcome::InvalidArgument, message),
                }
            }
            Err(failure) => failure,
        };
        self.finish(request, response, started)
    }

    /// The end of every call: the client's key is scrubbed from what the response hands out,
    /// and the outcome is logged with its real kind (a failure at error level, with its message).
    fn finish(&self, request: &Request, mut response: Response, started: Instant) -> Response {
        self.scrubber_apply(&mut response);
        let ms = started.elapsed().as_millis();
        let retries = response.retries;
        if response.outcome == Outcome::Ok {
            if log::enabled(Level::Info) {
                self.log(Level::Info, format_args!("{}: succeeded in {ms} ms after {retries} retries", request.describe()));
            }
        } else if log::enabled(Level::Error) {
            let message = response.message.as_deref().unwrap_or("");
            self.log(
                Level::Error,
                format_args!("{}: failed ({:?}) in {ms} ms after {retries} retries: {message}", request.describe(), response.outcome),
            );
        }
        response
    }

    /// Scrubs this client's key from the strings a response hands out.
    fn scrubber_apply(&self, response: &mut Response) {
        response.scrub(self.scrubber());
    }

    /// Runs attempts until one succeeds, fails for good, or the retries run out. Each attempt
    /// is bounded by the per-attempt timeout; the client's cancel token ends the whole call at
    /// once. Returns the success and the retries it took, or the final failure as a response.
    async fn with_retries<T, F, A>(&self, request: &Request, mut attempt: F) -> Result<(T, u32), Response>
    where
        F: FnMut() -> A,
        A: Future<Output = Result<Attempt<T>, Failure>>,
    {
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
                    Err(Failure::Invalid(_) | Failure::TooLarge(_) | Failure::Undecodable(_)) => None,
                    Err(_) => Some(backoff(retries)),
                };
                match delay {
                    Some(delay) if retries < max_retries => {
                        if log::enabled(Level::Warn) {
                            let reason = match &result {
                                Ok(Attempt::Status(response)) => format!("status {}", response.status),
                                Err(Failure::Connection(m) | Failure::Timeout(m) | Failure::Invalid(m)) => m.clone(),
                                Ok(Attempt::Success(_)) | Err(Failure::TooLarge(_) | Failure::Undecodable(_)) => {
                                    unreachable!("not retried")
                                }
                            };
                            self.log(
                                Level::Warn,
                                format_args!("{}: {reason}; retry {} of {max_retries} in {:.3} s", request.describe(), retries + 1, delay.as_secs_f64()),
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
        match self.cancel_token() {
            None => attempts.await,
            Some(token) => tokio::select! {
                biased;
                _ = token.cancelled() => Err(Response::failure(Outcome::Cancelled, "the call was cancelled by its client's cancel token")),
                result = attempts => result,
            },
        }
    }

    /// The URL of a request: the base URL followed by the request's path and query. A path
    /// that would leave the base URL's path once the URL is normalised (dot segments, however
    /// they are encoded) is refused.
    fn url_for(&self, request: &Request) -> Result<Url, Failure> {
        let base = &self.options().base_url;
        let text = format!("{base}{}", request.target(self.default_query()));
        let url = Url::parse(&text).map_err(|e| Failure::Invalid(format!("the request URL is not valid: {e}")))?;
        let base_path = self.base_path();
        let inside = url.path() == base_path || base_path.is_empty() || url.path().starts_with(&format!("{base_path}/"));
        if !inside || url.host_str() != self.base_host() {
            return Err(Failure::Invalid(format!(
                "the path \"{}\" leaves the base URL's path \"{base_path}\"",
                request.path
            )));
        }
        Ok(url)
    }

    /// Sends the request, following redirects, and returns once the final response's headers
    /// have arrived.
    ///
    /// Redirects are followed as the official SDK's HTTP client follows them (up to 20; 303, and
    /// 301 or 302 after a POST, become a GET without a body), except that the credentials
    /// (every header of `secrets::CREDENTIAL_HEADERS`) never go to an origin other than the
    /// base URL's: a redirect that changes scheme, host or port drops them, for that hop and
    /// every later one.
    ///
    /// The call first takes a connection of the client's limit (`max_connections`), waiting for
    /// one if needed; it is handed back with the response, to hold until the body is read. Once
    /// the host answers over HTTP/2 no permit is needed (calls share its connections).
    pub(crate) async fn send(&self, request: &Request) -> Result<(reqwest::Response, ConnectionPermit), Failure> {
        let mut url = self.url_for(request)?;
        let mut permit = self.connection_permit().await;
        let mut method = match request.method {
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
        let mut with_body = true;
        let mut credentials_dropped = false;
        let mut hops = 0;
        loop {
            // Made afresh for each hop (a redirect is rare): the common path clones no header map.
            let mut headers = self.headers_for(request.accept, content_type, request.beta);
            if request.stream {
                // A compressed event stream would hold events back in the decoder's buffer:
                // streams are asked for uncompressed (other responses are decompressed as they
                // arrive).
                headers.insert(ACCEPT_ENCODING, reqwest::header::HeaderValue::from_static("identity"));
            }
            if credentials_dropped {
                for name in CREDENTIAL_HEADERS {
                    headers.remove(*name);
                }
            }
            if !with_body {
                headers.remove(CONTENT_TYPE);
            }
            if log::enabled(Level::Debug) {
                self.log(Level::Debug, format_args!("sending {method} {url} with {}", log::headers(&headers)));
            }
            let builder = self.http().request(method.clone(), url).headers(headers);
            let builder = match &request.body {
                _ if !with_body => builder,
                // As httpx under the official SDK: a body-less POST, PUT or PATCH says
                // `Content-Length: 0` (some proxies answer 411 without it); GET and DELETE say nothing.
                Body::None if matches!(request.method, Method::Post | Method::Put | Method::Patch) => {
                    builder.header(CONTENT_LENGTH, "0")
                }
                Body::None => builder,
                Body::Json(bytes) => builder.body(bytes.clone()),
                Body::Multipart(form) => builder.multipart(form.encode().await.map_err(|e| Failure::Invalid(e.0))?),
            };
            let response = builder.send().await?;
            if log::enabled(Level::Debug) {
                let id = response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("none");
                self.log(Level::Debug, format_args!("received {} for {method} {} (request id {id})", response.status(), response.url()));
            }
            self.saw_version(response.version(), &mut permit);
            let status = response.status().as_u16();
            if !matches!(status, 301 | 302 | 303 | 307 | 308) || hops == MAX_REDIRECTS {
                return Ok((response, permit));
            }
            let sent_to = response.url();
            let next = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).and_then(|location| sent_to.join(location).ok());
            let Some(next) = next.filter(|next| matches!(next.scheme(), "http" | "https")) else {
                return Ok((response, permit));
            };
            let leaves_origin = (next.scheme(), next.host_str(), next.port_or_known_default())
                != (sent_to.scheme(), sent_to.host_str(), sent_to.port_or_known_default());
            credentials_dropped |= leaves_origin;
            let becomes_get = (status == 303 && method != reqwest::Method::HEAD)
                || (matches!(status, 301 | 302) && method == reqwest::Method::POST);
            if becomes_get {
                method = reqwest::Method::GET;
                with_body = false;
            }
            if log::enabled(Level::Debug) {
                let dropped = if leaves_origin { " (another origin: credentials dropped)" } else { "" };
                self.log(Level::Debug, format_args!("following {status} from {sent_to} to {next}{dropped}"));
            }
            url = next;
            hops += 1;
        }
    }
}

/// Why reading a body stopped.
enum BodyError {
    Failure(Failure),
    /// Past the limit; the message says so.
    TooLarge(String),
}

impl From<reqwest::Error> for BodyError {
    fn from(error: reqwest::Error) -> BodyError {
        BodyError::Failure(error.into())
    }
}

fn too_large(limit: u64) -> String {
    format!(
        "the response is larger than max_response_size ({limit} bytes); raise the option, or use the _to_file form for content"
    )
}

/// Reads a whole body, up to `limit` bytes. One spare byte of capacity lets the C boundary add
/// its NUL terminator without copying.
async fn read_body(mut response: reqwest::Response, limit: Option<u64>) -> Result<Vec<u8>, BodyError> {
    const MAX_PREALLOCATION: u64 = 64 << 20;
    let limit_value = limit.unwrap_or(u64::MAX);
    let declared = response.content_length().unwrap_or(0);
    if declared > limit_value {
        return Err(BodyError::TooLarge(too_large(limit_value)));
    }
    let mut body = Vec::with_capacity(declared.min(MAX_PREALLOCATION) as usize + 1);
    while let Some(chunk) = response.chunk().await? {
        if (body.len() + chunk.len()) as u64 > limit_value {
            return Err(BodyError::TooLarge(too_large(limit_value)));
        }
        body.reserve(chunk.len() + 1);
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads an error body, keeping at most its first `MAX_ERROR_BODY` bytes (or `limit`, if
/// lower); the rest is not read (the connection is closed). Returns the body and whether it was
/// cut.
async fn read_error_body(mut response: reqwest::Response, limit: Option<u64>) -> Result<(Vec<u8>, bool), Failure> {
    let keep = limit.map_or(MAX_ERROR_BODY, |l| l.min(MAX_ERROR_BODY)) as usize;
    let mut body = Vec::with_capacity(response.content_length().unwrap_or(0).min(keep as u64) as usize + 1);
    while let Some(chunk) = response.chunk().await? {
        let room = keep - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}

/// The file a download writes before it is complete: a new file beside the target, of an
/// unpredictable name, created exclusively and without following links, so that nothing placed
/// there beforehand is written through. Removed when the download ends without completing
/// (also when its future is dropped midway: a cancelled async call), so that no partial file is
/// left behind.
struct PartialFile {
    path: PathBuf,
    file: std::sync::Mutex<std::fs::File>,
    /// Renamed into place: nothing to remove.
    complete: bool,
}

impl PartialFile {
    fn create(target: &Path) -> Result<PartialFile, String> {
        let shown = target.display();
        let cannot = |e: std::io::Error| format!("\"{shown}\" cannot be written: {e}");
        let name = target.file_name().ok_or_else(|| format!("\"{shown}\" cannot be written: it names no file"))?;
        if std::fs::symlink_metadata(target).is_ok_and(|m| m.is_dir()) {
            return Err(format!("\"{shown}\" cannot be written: it is a directory"));
        }
        let directory = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut attempts = 0;
        loop {
            let mut partial_name = std::ffi::OsString::from(".");
            partial_name.push(name);
            partial_name.push(format!(".{:016x}.part", fastrand::u64(..)));
            let path = directory.join(partial_name);
            let mut options = std::fs::OpenOptions::new();
            // `create_new` is O_CREAT|O_EXCL, which also refuses to follow a link at the name.
            options.write(true).create_new(true);
            std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW | libc::O_CLOEXEC);
            match options.open(&path) {
                Ok(file) => return Ok(PartialFile { path, file: std::sync::Mutex::new(file), complete: false }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempts < 8 => attempts += 1,
                Err(e) => return Err(cannot(e)),
            }
        }
    }

    /// Streams a body into the file, which is emptied first (a retry starts again).
    async fn write_body(&self, mut response: reqwest::Response, progress: Option<Progress>) -> Result<(), Failure> {
        let cannot_write = |e: std::io::Error| Failure::Invalid(format!("\"{}\" cannot be written: {e}", self.path.display()));
        {
            let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
            file.set_len(0).map_err(cannot_write)?;
            file.rewind().map_err(cannot_write)?;
        }
        let total = response.content_length().unwrap_or(0);
        let mut received = 0u64;
        while let Some(chunk) = response.chunk().await? {
            // Writes of a network chunk to a local file are short: done in place rather than
            // handed to a blocking thread and back per chunk.
            self.file.lock().unwrap_or_else(|e| e.into_inner()).write_all(&chunk).map_err(cannot_write)?;
            received += chunk.len() as u64;
            if let Some(progress) = &progress {
                progress(received, total);
            }
        }
        self.file.lock().unwrap_or_else(|e| e.into_inner()).flush().map_err(cannot_write)?;
        Ok(())
    }

    /// Renames the complete file to `target`. rename(2) replaces a link at `target` itself
    /// (never what it points to) and cannot replace a directory.
    fn commit(mut self, target: &Path) -> Result<(), String> {
        std::fs::rename(&self.path, target).map_err(|e| format!("\"{}\" cannot be written: {e}", target.display()))?;
        self.complete = true;
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.complete {
            let _ = std::fs::remove_file(&self.path);
        }
    }
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
