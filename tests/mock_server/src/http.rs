//! HTTP/1.x over a raw TCP stream: request parsing (httparse for the head, our own framing for
//! Content-Length and chunked bodies) and the low-level writes. Hand-written so that the scripted
//! failures (resets, stalls, truncation) control every byte that goes out.

use std::io;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Largest request head accepted (request line + headers).
pub const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted; bigger ones get 413.
pub const MAX_BODY: u64 = 4 << 30;
const MAX_HEADERS: usize = 128;
const READ_CHUNK: usize = 16 * 1024;

/// One parsed request. The head is kept as one byte buffer (header names lowercased in place)
/// with ranges into it, so that parsing costs two allocations instead of one per header.
pub struct Request {
    head: Vec<u8>,
    method: Range<usize>,
    target: Range<usize>,
    path_end: usize,
    headers: Vec<(Range<usize>, Range<usize>)>,
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub version: u8,
    pub body: Vec<u8>,
    pub keep_alive: bool,
    pub started: Instant,
}

impl Request {
    fn str_at(&self, r: &Range<usize>) -> &str {
        std::str::from_utf8(&self.head[r.clone()]).unwrap_or("")
    }
    pub fn method(&self) -> &str {
        self.str_at(&self.method)
    }
    /// The request target as received (path and query).
    pub fn target(&self) -> &str {
        self.str_at(&self.target)
    }
    /// The path without the query, still percent-encoded.
    pub fn path(&self) -> &str {
        self.str_at(&(self.target.start..self.path_end))
    }
    pub fn query(&self) -> Option<&str> {
        if self.path_end < self.target.end {
            Some(self.str_at(&(self.path_end + 1..self.target.end)))
        } else {
            None
        }
    }
    /// First header of that name (give it lowercased), if its value is UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| &self.head[n.clone()] == name.as_bytes())
            .and_then(|(_, v)| std::str::from_utf8(&self.head[v.clone()]).ok())
    }
    /// All headers in received order: lowercased name, raw value.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.headers
            .iter()
            .map(|(n, v)| (self.str_at(n), &self.head[v.clone()]))
    }
    pub fn version_str(&self) -> &'static str {
        if self.version == 0 {
            "HTTP/1.0"
        } else {
            "HTTP/1.1"
        }
    }
}

/// Why no request could be read.
#[derive(Debug)]
pub enum ReadError {
    /// The client closed cleanly between requests.
    Closed,
    /// The connection failed or ended mid-request.
    Io,
    /// Malformed input: answer 400 and close.
    Bad(&'static str),
    /// Body over MAX_BODY: answer 413 and close.
    TooLarge,
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Io
    }
}

/// How a connection goes on after an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Keep the connection if the request allowed keep-alive.
    Next,
    /// Close gracefully (FIN).
    Close,
    /// Close with a TCP RST.
    Reset,
    /// The client went away before the response was complete.
    ClientClosed,
}

/// A connection with its read buffer (unread bytes are `buf[pos..]`) and a reusable output buffer.
pub struct Conn {
    pub stream: TcpStream,
    buf: Vec<u8>,
    pos: usize,
    pub id: u64,
    pub out: Vec<u8>,
    /// The server's count of bytes written in answer to API requests (`bytes_sent` of
    /// /__mock/connections), and whether the answer being written counts (not the control
    /// endpoints': a benchmark reading the counter must not count its own readings).
    sent: Arc<AtomicU64>,
    pub counting: bool,
}

impl Conn {
    pub fn new(stream: TcpStream, id: u64, sent: Arc<AtomicU64>) -> Conn {
        Conn {
            stream,
            buf: Vec::with_capacity(READ_CHUNK),
            pos: 0,
            id,
            out: Vec::with_capacity(READ_CHUNK),
            sent,
            counting: true,
        }
    }

    /// Every write to the client goes through here, so that `bytes_sent` counts it.
    async fn send_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes).await?;
        if self.counting {
            self.sent.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        }
        Ok(())
    }

    fn unread(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Reads more bytes into the buffer; Ok(0) at end of stream.
    async fn fill(&mut self) -> io::Result<usize> {
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        } else if self.pos > 0 && self.buf.capacity() - self.buf.len() < READ_CHUNK / 4 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        if self.buf.capacity() - self.buf.len() < READ_CHUNK / 4 {
            self.buf.reserve(READ_CHUNK);
        }
        self.stream.read_buf(&mut self.buf).await
    }

    fn consume(&mut self, n: usize) {
        self.pos += n;
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
    }

    /// Reads one complete request (head and body).
    pub async fn read_request(&mut self) -> Result<Request, ReadError> {
        let mut req = loop {
            if self.unread() > 0 {
                match parse_head(&self.buf[self.pos..])? {
                    Some((req, n)) => {
                        self.consume(n);
                        break req;
                    }
                    None if self.unread() > MAX_HEAD => {
                        return Err(ReadError::Bad("request head too large"))
                    }
                    None => {}
                }
            }
            let had = self.unread();
            if self.fill().await? == 0 {
                return Err(if had == 0 {
                    ReadError::Closed
                } else {
                    ReadError::Io
                });
            }
        };
        let framing = body_framing(&req)?;
        let expect_continue = req.version == 1
            && req
                .header("expect")
                .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
        match framing {
            Framing::Length(0) => {}
            Framing::Length(n) => {
                if n > MAX_BODY {
                    return Err(ReadError::TooLarge);
                }
                if expect_continue {
                    self.send_all(b"HTTP/1.1 100 Continue\r\n\r\n").await?;
                }
                req.body = self.read_exact_body(n as usize).await?;
            }
            Framing::Chunked => {
                if expect_continue {
                    self.send_all(b"HTTP/1.1 100 Continue\r\n\r\n").await?;
                }
                req.body = self.read_chunked().await?;
            }
        }
        Ok(req)
    }

    /// Reads exactly n body bytes: first what is buffered, then straight from the socket into the
    /// body (a zeroed allocation is lazily mapped, so a 1 GiB body costs no extra copy).
    async fn read_exact_body(&mut self, n: usize) -> Result<Vec<u8>, ReadError> {
        let mut body = vec![0u8; n];
        self.read_into(&mut body).await?;
        Ok(body)
    }

    async fn read_into(&mut self, dst: &mut [u8]) -> Result<(), ReadError> {
        let have = self.unread().min(dst.len());
        dst[..have].copy_from_slice(&self.buf[self.pos..self.pos + have]);
        self.consume(have);
        if have < dst.len() {
            self.stream.read_exact(&mut dst[have..]).await?;
        }
        Ok(())
    }

    /// Returns one line (without CRLF or LF) from the buffer, reading more as needed.
    async fn read_line(&mut self, limit: usize) -> Result<Vec<u8>, ReadError> {
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[self.pos..]) {
                let mut line = self.buf[self.pos..self.pos + i].to_vec();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.consume(i + 1);
                return Ok(line);
            }
            if self.unread() > limit {
                return Err(ReadError::Bad("chunk line too long"));
            }
            if self.fill().await? == 0 {
                return Err(ReadError::Io);
            }
        }
    }

    async fn read_chunked(&mut self) -> Result<Vec<u8>, ReadError> {
        let mut body = Vec::new();
        loop {
            let line = self.read_line(4096).await?;
            let size = parse_chunk_size(&line).ok_or(ReadError::Bad("invalid chunk size"))?;
            if size == 0 {
                // Trailer section: header lines up to an empty line, ignored.
                loop {
                    let t = self.read_line(MAX_HEAD).await?;
                    if t.is_empty() {
                        return Ok(body);
                    }
                }
            }
            if body.len() as u64 + size > MAX_BODY {
                return Err(ReadError::TooLarge);
            }
            let start = body.len();
            body.resize(start + size as usize, 0);
            self.read_into(&mut body[start..]).await?;
            if !self.read_line(2).await?.is_empty() {
                return Err(ReadError::Bad("missing CRLF after chunk data"));
            }
        }
    }

    /// The socket and the bytes read but not yet consumed (what a client sent right after a
    /// request whose connection changes protocol).
    pub fn into_parts(self) -> (TcpStream, Vec<u8>) {
        let unread = self.buf[self.pos..].to_vec();
        (self.stream, unread)
    }

    /// Writes all bytes; an error means the client is gone.
    pub async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.send_all(bytes).await
    }

    /// Writes the output buffer and clears it.
    pub async fn flush_out(&mut self) -> io::Result<()> {
        let out = std::mem::take(&mut self.out);
        let r = self.send_all(&out).await;
        self.out = out;
        self.out.clear();
        // Keep a big stream's buffer from living as long as an idle keep-alive connection.
        if self.out.capacity() > 1 << 20 {
            self.out.shrink_to(READ_CHUNK);
        }
        r
    }

    /// Sleeps for `d` while watching the socket, so that a client that gives up is seen at once.
    /// Bytes that arrive meanwhile (a pipelined request) are kept. False if the client closed.
    pub async fn pause(&mut self, d: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + d;
        loop {
            if self.unread() > MAX_HEAD * 4 {
                tokio::time::sleep_until(deadline).await;
                return true;
            }
            if self.buf.capacity() - self.buf.len() < READ_CHUNK / 4 {
                self.buf.reserve(READ_CHUNK);
            }
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => return true,
                r = self.stream.read_buf(&mut self.buf) => match r {
                    Ok(0) | Err(_) => return false,
                    Ok(_) => {}
                },
            }
        }
    }

    /// Waits until the client closes the connection, discarding what it sends.
    pub async fn wait_client_close(&mut self) {
        let mut sink = [0u8; 4096];
        loop {
            match self.stream.read(&mut sink).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    }

    /// Half-closes, then drains briefly so that unread input does not turn our FIN into an RST
    /// that would destroy the response still in flight.
    pub async fn close_gracefully(mut self) {
        let _ = self.stream.shutdown().await;
        let mut sink = [0u8; 8192];
        let _ = tokio::time::timeout(Duration::from_secs(1), async {
            loop {
                match self.stream.read(&mut sink).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        })
        .await;
    }

    /// Drops the connection with an RST (SO_LINGER 0).
    pub fn reset(self) {
        let _ = self.stream.set_zero_linger();
        drop(self.stream);
    }
}

enum Framing {
    Length(u64),
    Chunked,
}

fn body_framing(req: &Request) -> Result<Framing, ReadError> {
    let mut length: Option<u64> = None;
    let mut chunked = false;
    for (name, value) in req.headers() {
        match name {
            "content-length" => {
                let v = std::str::from_utf8(value)
                    .ok()
                    .and_then(|s| s.trim().parse::<u64>().ok())
                    .ok_or(ReadError::Bad("invalid Content-Length"))?;
                if length.is_some_and(|l| l != v) {
                    return Err(ReadError::Bad("conflicting Content-Length headers"));
                }
                length = Some(v);
            }
            "transfer-encoding" => {
                let v = std::str::from_utf8(value).unwrap_or("");
                let last = v.rsplit(',').next().unwrap_or("").trim();
                if !last.eq_ignore_ascii_case("chunked") {
                    return Err(ReadError::Bad("unsupported Transfer-Encoding"));
                }
                chunked = true;
            }
            _ => {}
        }
    }
    // Transfer-Encoding wins over Content-Length (RFC 9112 6.3).
    Ok(if chunked {
        Framing::Chunked
    } else {
        Framing::Length(length.unwrap_or(0))
    })
}

fn parse_chunk_size(line: &[u8]) -> Option<u64> {
    let end = line.iter().position(|&b| b == b';').unwrap_or(line.len());
    let digits = std::str::from_utf8(&line[..end]).ok()?.trim();
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    u64::from_str_radix(digits, 16).ok()
}

fn offset(base: &[u8], part: &[u8]) -> Range<usize> {
    let start = part.as_ptr() as usize - base.as_ptr() as usize;
    start..start + part.len()
}

/// Parses a request head from `data`; Ok(None) when incomplete.
fn parse_head(data: &[u8]) -> Result<Option<(Request, usize)>, ReadError> {
    let mut hs = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut hs);
    let n = match parsed.parse(data) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(ReadError::Bad("too many headers")),
        Err(_) => return Err(ReadError::Bad("malformed request head")),
    };
    let head_src = &data[..n];
    let (Some(method), Some(target), Some(version)) = (parsed.method, parsed.path, parsed.version)
    else {
        return Err(ReadError::Bad("malformed request line"));
    };
    let method = offset(head_src, method.as_bytes());
    let mut target = offset(head_src, target.as_bytes());
    let mut head = head_src.to_vec();
    // Absolute-form targets (proxies): keep only path and query.
    if head[target.clone()].starts_with(b"http://") || head[target.clone()].starts_with(b"https://")
    {
        let t = &head[target.clone()];
        let after_scheme = t.windows(3).position(|w| w == b"://").map_or(0, |p| p + 3);
        match t[after_scheme..].iter().position(|&b| b == b'/') {
            Some(p) => target.start += after_scheme + p,
            None => return Err(ReadError::Bad("absolute target without a path")),
        }
    }
    if std::str::from_utf8(&head[target.clone()]).is_err() || head.get(target.start) != Some(&b'/')
    {
        return Err(ReadError::Bad("invalid request target"));
    }
    let path_end = head[target.clone()]
        .iter()
        .position(|&b| b == b'?')
        .map_or(target.end, |p| target.start + p);
    let mut headers = Vec::with_capacity(parsed.headers.len());
    for h in parsed.headers.iter() {
        headers.push((
            offset(head_src, h.name.as_bytes()),
            offset(head_src, h.value),
        ));
    }
    for (name, _) in &headers {
        head[name.clone()].make_ascii_lowercase();
    }
    let mut req = Request {
        head,
        method,
        target,
        path_end,
        headers,
        version,
        body: Vec::new(),
        keep_alive: version == 1,
        started: Instant::now(),
    };
    let mut keep_alive = req.keep_alive;
    if let Some(conn) = req.header("connection") {
        for token in conn.split(',').map(str::trim) {
            if token.eq_ignore_ascii_case("close") {
                keep_alive = false;
            } else if token.eq_ignore_ascii_case("keep-alive") && version == 0 {
                keep_alive = true;
            }
        }
    }
    req.keep_alive = keep_alive;
    Ok(Some((req, n)))
}

pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

/// Appends a status line.
pub fn status_line(out: &mut Vec<u8>, status: u16) {
    use std::io::Write;
    let _ = write!(out, "HTTP/1.1 {} {}\r\n", status, reason(status));
}

/// Appends one header line.
pub fn header(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Appends a header line with a numeric value.
pub fn header_num(out: &mut Vec<u8>, name: &str, value: u64) {
    use std::io::Write;
    let _ = write!(out, "{name}: {value}\r\n");
}

/// Appends one chunk of chunked transfer encoding.
pub fn chunk(out: &mut Vec<u8>, data: &[u8]) {
    use std::io::Write;
    if data.is_empty() {
        return; // an empty chunk would end the body
    }
    let _ = write!(out, "{:x}\r\n", data.len());
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}

pub const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_parsing_lowercases_names_and_splits_query() {
        let raw = b"GET /v1/files?limit=2&after=x HTTP/1.1\r\nHost: a\r\nX-Foo: Bar\r\n\r\nrest";
        let (req, n) = parse_head(raw).unwrap().unwrap();
        assert_eq!(n, raw.len() - 4);
        assert_eq!(req.method(), "GET");
        assert_eq!(req.path(), "/v1/files");
        assert_eq!(req.query(), Some("limit=2&after=x"));
        assert_eq!(req.header("x-foo"), Some("Bar"));
        let names: Vec<_> = req.headers().map(|(n, _)| n.to_string()).collect();
        assert_eq!(names, ["host", "x-foo"]);
        assert!(req.keep_alive);
    }

    #[test]
    fn http10_defaults_to_close() {
        let (req, _) = parse_head(b"GET / HTTP/1.0\r\n\r\n").unwrap().unwrap();
        assert!(!req.keep_alive);
        let (req, _) = parse_head(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            .unwrap()
            .unwrap();
        assert!(req.keep_alive);
    }

    #[test]
    fn absolute_form_target_keeps_path() {
        let (req, _) = parse_head(b"GET http://h:1/v1/models?x=1 HTTP/1.1\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(req.target(), "/v1/models?x=1");
        assert_eq!(req.path(), "/v1/models");
    }

    #[test]
    fn garbage_is_bad() {
        assert!(matches!(
            parse_head(b"\x00\x01garbage\r\n\r\n"),
            Err(ReadError::Bad(_))
        ));
        assert!(matches!(parse_head(b"GET / HTTP/1.1\r\n"), Ok(None)));
    }

    #[test]
    fn chunk_sizes() {
        assert_eq!(parse_chunk_size(b"1a"), Some(26));
        assert_eq!(parse_chunk_size(b"0001A;ext=1"), Some(26));
        assert_eq!(parse_chunk_size(b"zz"), None);
        assert_eq!(parse_chunk_size(b""), None);
    }
}
