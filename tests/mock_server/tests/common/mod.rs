//! A minimal blocking HTTP/1.1 client over a raw TCP stream, so that tests see exact bytes.
#![allow(dead_code)]

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::Value;

/// Status, head text, headers (lowercased names).
pub type Head = (u16, String, Vec<(String, String)>);
/// A multipart part: name, filename, content type, data.
pub type FormPart<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

pub struct Client {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub head: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body as it came over the wire (chunk framing included).
    pub raw_body: Vec<u8>,
    /// Sizes of the chunks of a chunked body.
    pub chunk_sizes: Vec<usize>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        stream.set_nodelay(true).unwrap();
        Client {
            stream,
            buf: Vec::new(),
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write");
    }

    /// Sends a request with an API key and Content-Length.
    pub fn request(&mut self, method: &str, target: &str, body: &[u8]) -> Resp {
        self.request_with(method, target, &[("Authorization", "Bearer sk-test")], body)
    }

    pub fn request_with(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Resp {
        self.send(&build(method, target, headers, body));
        self.read_response().expect("response")
    }

    fn fill(&mut self) -> io::Result<usize> {
        let mut tmp = [0u8; 65536];
        let n = self.stream.read(&mut tmp)?;
        self.buf.extend_from_slice(&tmp[..n]);
        Ok(n)
    }

    fn need(&mut self, n: usize) -> io::Result<()> {
        while self.buf.len() < n {
            if self.fill()? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
        Ok(())
    }

    fn line(&mut self) -> io::Result<Vec<u8>> {
        loop {
            if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = self.buf[..i].to_vec();
                self.buf.drain(..i + 2);
                return Ok(line);
            }
            if self.fill()? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    fn take(&mut self, n: usize) -> io::Result<Vec<u8>> {
        self.need(n)?;
        Ok(self.buf.drain(..n).collect())
    }

    /// Reads the status line and headers only.
    pub fn read_head(&mut self) -> io::Result<Head> {
        let mut head = String::new();
        let mut headers = Vec::new();
        let status_line = String::from_utf8(self.line()?).unwrap();
        head.push_str(&status_line);
        head.push_str("\r\n");
        let status: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
        loop {
            let l = String::from_utf8(self.line()?).unwrap();
            head.push_str(&l);
            head.push_str("\r\n");
            if l.is_empty() {
                break;
            }
            let (n, v) = l.split_once(':').unwrap();
            headers.push((n.to_ascii_lowercase(), v.trim().to_string()));
        }
        Ok((status, head, headers))
    }

    pub fn read_response(&mut self) -> io::Result<Resp> {
        let (status, head, headers) = self.read_head()?;
        let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        let mut body = Vec::new();
        let mut raw_body = Vec::new();
        let mut chunk_sizes = Vec::new();
        if get("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            loop {
                let line = self.line()?;
                raw_body.extend_from_slice(&line);
                raw_body.extend_from_slice(b"\r\n");
                let size = usize::from_str_radix(std::str::from_utf8(&line).unwrap(), 16).unwrap();
                if size == 0 {
                    assert_eq!(self.line()?, b"", "no trailers expected");
                    raw_body.extend_from_slice(b"\r\n");
                    break;
                }
                chunk_sizes.push(size);
                let data = self.take(size + 2)?;
                assert_eq!(&data[size..], b"\r\n");
                body.extend_from_slice(&data[..size]);
                raw_body.extend_from_slice(&data);
            }
        } else if let Some(len) = get("content-length") {
            body = self.take(len.parse().unwrap())?;
            raw_body = body.clone();
        } else {
            // Delimited by close.
            loop {
                if self.fill()? == 0 {
                    break;
                }
            }
            body = std::mem::take(&mut self.buf);
            raw_body = body.clone();
        }
        Ok(Resp {
            status,
            head,
            headers,
            body,
            raw_body,
            chunk_sizes,
        })
    }

    /// Reads until EOF or error; returns what came and how it ended.
    pub fn read_to_end(&mut self) -> (Vec<u8>, io::Result<()>) {
        loop {
            match self.fill() {
                Ok(0) => return (std::mem::take(&mut self.buf), Ok(())),
                Ok(_) => {}
                Err(e) => return (std::mem::take(&mut self.buf), Err(e)),
            }
        }
    }

    pub fn buffered(&self) -> &[u8] {
        &self.buf
    }
}

pub fn build(method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n").into_bytes();
    for (n, v) in headers {
        out.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
    }
    if !body.is_empty() || method == "POST" {
        out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// A multipart body: (name, filename, content type, data) parts.
pub fn multipart(boundary: &str, parts: &[FormPart]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, filename, ct, data) in parts {
        out.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes(),
        );
        if let Some(f) = filename {
            out.extend_from_slice(format!("; filename=\"{f}\"").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        if let Some(ct) = ct {
            out.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

/// Splits an SSE body into (event name, data) pairs.
pub fn sse_events(body: &[u8]) -> Vec<(Option<String>, String)> {
    let text = std::str::from_utf8(body).unwrap();
    assert!(
        text.ends_with("\n\n"),
        "SSE body must end with a blank line"
    );
    text.split_terminator("\n\n")
        .map(|block| {
            let mut event = None;
            let mut data = Vec::new();
            for line in block.split('\n') {
                if let Some(e) = line.strip_prefix("event: ") {
                    event = Some(e.to_string());
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data.push(d);
                } else {
                    panic!("unexpected SSE line {line:?}");
                }
            }
            (event, data.join("\n"))
        })
        .collect()
}

pub fn hex_sha256(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
