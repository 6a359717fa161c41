//! Server-sent event streams: chat completion chunks and assistant run events. Events are
//! generated one at a time from templates, so that a million chunks cost no per-event JSON tree.

use std::time::Duration;

use serde_json::{json, Value};

use crate::response::{Response, MAX_DELAY};

/// The default reply, one word per content chunk.
pub const REPLY_WORDS: [&str; 7] = ["Hello!", " How", " can", " I", " help", " you", " today?"];
pub const REPLY: &str = "Hello! How can I help you today?";

const MAX_CHUNKS: u64 = 100_000_000;
const MAX_CHUNK_BYTES: u64 = 64 << 20;
/// Largest reply assembled in one body (non-streamed completion, completed message).
pub const MAX_FULL_TEXT: u64 = 1 << 30;

/// The steering fields of a request body: mock_chunks, mock_chunk_bytes, mock_delay_ms,
/// mock_stamp.
#[derive(Clone, Debug)]
pub struct Steer {
    pub chunks: u64,
    chunk_bytes: Option<usize>,
    pub delay: Option<Duration>,
    /// A chat stream's content pieces are the time they are written (see `STAMP_DIGITS`).
    stamp: bool,
    /// For chunk_bytes M: 'a'..'z' repeated over M + 26 bytes; chunk i is alpha[i % 26..][..M].
    alpha: Vec<u8>,
}

fn steer_u64(body: &Value, key: &str, max: u64) -> Result<Option<u64>, Box<Response>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_u64() {
            Some(n) if n <= max => Ok(Some(n)),
            _ => Err(Box::new(Response::invalid_request(
                400,
                format!("Invalid '{key}': expected an integer between 0 and {max}."),
                Some(key),
            ))),
        },
    }
}

impl Steer {
    pub fn from_body(body: &Value) -> Result<Steer, Box<Response>> {
        let chunks =
            steer_u64(body, "mock_chunks", MAX_CHUNKS)?.unwrap_or(REPLY_WORDS.len() as u64);
        let chunk_bytes = steer_u64(body, "mock_chunk_bytes", MAX_CHUNK_BYTES)?
            .filter(|&n| n > 0)
            .map(|n| n as usize);
        let delay = steer_u64(body, "mock_delay_ms", MAX_DELAY.as_millis() as u64)?
            .filter(|&n| n > 0)
            .map(Duration::from_millis);
        let alpha = chunk_bytes
            .map(|m| (0..m + 26).map(|j| b'a' + (j % 26) as u8).collect())
            .unwrap_or_default();
        let stamp = match body.get("mock_stamp") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(Box::new(Response::invalid_request(
                    400,
                    "Invalid 'mock_stamp': expected a boolean.",
                    Some("mock_stamp"),
                )))
            }
        };
        Ok(Steer {
            chunks,
            chunk_bytes,
            delay,
            stamp,
            alpha,
        })
    }

    /// Content text of chunk i (ASCII letters, spaces and punctuation: no JSON escaping needed).
    pub fn text(&self, i: u64) -> &[u8] {
        match self.chunk_bytes {
            Some(m) => {
                let s = (i % 26) as usize;
                &self.alpha[s..s + m]
            }
            None => REPLY_WORDS[(i % REPLY_WORDS.len() as u64) as usize].as_bytes(),
        }
    }

    pub fn total_len(&self) -> u64 {
        match self.chunk_bytes {
            Some(m) => self.chunks * m as u64,
            None => (0..self.chunks).map(|i| self.text(i).len() as u64).sum(),
        }
    }

    /// All chunks concatenated; the caller checks total_len against MAX_FULL_TEXT first.
    pub fn full_text(&self) -> String {
        let mut s = Vec::with_capacity(self.total_len() as usize);
        for i in 0..self.chunks {
            s.extend_from_slice(self.text(i));
        }
        String::from_utf8(s).unwrap_or_default()
    }
}

pub enum EventStream {
    Chat(Box<ChatStream>),
    Run(Box<RunStream>),
    /// Fixed events (the specification's example streams).
    Replay(ReplayStream),
}

impl EventStream {
    pub fn delay(&self) -> Option<Duration> {
        match self {
            EventStream::Chat(s) => s.steer.delay,
            EventStream::Run(s) => s.steer.delay,
            EventStream::Replay(_) => None,
        }
    }

    /// Appends the next event to `out`; false when the stream is over.
    pub fn next_event(&mut self, out: &mut Vec<u8>) -> bool {
        match self {
            EventStream::Chat(s) => s.next_event(out),
            EventStream::Run(s) => s.next_event(out),
            EventStream::Replay(s) => s.next_event(out),
        }
    }

    /// With `mock_stamp`: writes the time now into the stamps of the events appended to `out`
    /// since the last call, just before `out` is written to the socket.
    pub fn fill_stamps(&mut self, out: &mut [u8]) {
        if let EventStream::Chat(s) = self {
            let now = format!("{:0width$}", monotonic_ns(), width = STAMP_DIGITS);
            for at in s.stamps.drain(..) {
                out[at..at + STAMP_DIGITS].copy_from_slice(now.as_bytes());
            }
        }
    }
}

/// A stamp is CLOCK_MONOTONIC in nanoseconds, zero-padded to this many decimal digits.
pub const STAMP_DIGITS: usize = 20;

/// CLOCK_MONOTONIC in nanoseconds: on Linux one clock for every process of the machine, so a
/// consumer reading it with `clock_gettime(CLOCK_MONOTONIC)` can subtract a stamp from it.
pub fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid timespec that the call writes and nothing else refers to.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// A stream of fixed events, each `event: ...` / `data: ...` block sent as written.
pub struct ReplayStream {
    events: Vec<Vec<u8>>,
    next: usize,
}

impl ReplayStream {
    /// The events of an event-stream text (blocks separated by blank lines; line ends made LF).
    /// Lines that are not fields of the format (an example's "..." elision) are left out.
    pub fn new(text: &str) -> ReplayStream {
        let text = text.replace("\r\n", "\n");
        let is_field = |line: &&str| ["event:", "data:", "id:", "retry:", ":"].iter().any(|f| line.starts_with(f));
        let events = text
            .split("\n\n")
            .map(|block| block.lines().filter(is_field).collect::<Vec<_>>().join("\n"))
            .filter(|block| !block.is_empty())
            .map(|block| format!("{block}\n\n").into_bytes())
            .collect();
        ReplayStream { events, next: 0 }
    }

    fn next_event(&mut self, out: &mut Vec<u8>) -> bool {
        let Some(event) = self.events.get(self.next) else { return false };
        out.extend_from_slice(event);
        self.next += 1;
        true
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ChatStage {
    Role,
    Content,
    Finish,
    Usage,
    Done,
    End,
}

pub struct ChatStream {
    steer: Steer,
    /// `data: {"id":…,"model":…,"choices":` shared by every chunk.
    common: Vec<u8>,
    /// `,"usage":null` when usage is asked for, as the API does.
    usage_null: &'static [u8],
    usage: Option<String>,
    stage: ChatStage,
    i: u64,
    /// Where in the output the stamps not yet filled begin (`mock_stamp`).
    stamps: Vec<usize>,
}

impl ChatStream {
    pub fn new(
        id: &str,
        created: u64,
        model: &str,
        steer: Steer,
        usage: Option<&Value>,
    ) -> ChatStream {
        let common = format!(
            "data: {{\"id\":{},\"object\":\"chat.completion.chunk\",\"created\":{created},\"model\":{},\"service_tier\":\"default\",\"system_fingerprint\":\"fp_mock\",\"choices\":",
            json!(id),
            json!(model),
        )
        .into_bytes();
        ChatStream {
            steer,
            common,
            usage_null: if usage.is_some() {
                b",\"usage\":null"
            } else {
                b""
            },
            usage: usage.map(Value::to_string),
            stage: ChatStage::Role,
            i: 0,
            stamps: Vec::new(),
        }
    }

    fn choice(&self, out: &mut Vec<u8>, delta: &[&[u8]], finish: &[u8]) {
        out.extend_from_slice(&self.common);
        out.extend_from_slice(b"[{\"index\":0,\"delta\":");
        for part in delta {
            out.extend_from_slice(part);
        }
        out.extend_from_slice(b",\"logprobs\":null,\"finish_reason\":");
        out.extend_from_slice(finish);
        out.extend_from_slice(b"}]");
        out.extend_from_slice(self.usage_null);
        out.extend_from_slice(b"}\n\n");
    }

    fn next_event(&mut self, out: &mut Vec<u8>) -> bool {
        loop {
            match self.stage {
                ChatStage::Role => {
                    self.choice(
                        out,
                        &[b"{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}"],
                        b"null",
                    );
                    self.stage = ChatStage::Content;
                    return true;
                }
                ChatStage::Content if self.i < self.steer.chunks && self.steer.stamp => {
                    // A placeholder of the stamp's width, filled when the event is written.
                    let at = out.len() + self.common.len() + br#"[{"index":0,"delta":{"content":""#.len();
                    self.choice(out, &[b"{\"content\":\"", &[b'0'; STAMP_DIGITS], b"\"}"], b"null");
                    self.stamps.push(at);
                    self.i += 1;
                    return true;
                }
                ChatStage::Content if self.i < self.steer.chunks => {
                    let text = self.steer.text(self.i);
                    self.choice(out, &[b"{\"content\":\"", text, b"\"}"], b"null");
                    self.i += 1;
                    return true;
                }
                ChatStage::Content => self.stage = ChatStage::Finish,
                ChatStage::Finish => {
                    self.choice(out, &[b"{}"], b"\"stop\"");
                    self.stage = ChatStage::Usage;
                    return true;
                }
                ChatStage::Usage => {
                    self.stage = ChatStage::Done;
                    if let Some(usage) = &self.usage {
                        out.extend_from_slice(&self.common);
                        out.extend_from_slice(b"[],\"usage\":");
                        out.extend_from_slice(usage.as_bytes());
                        out.extend_from_slice(b"}\n\n");
                        return true;
                    }
                }
                ChatStage::Done => {
                    out.extend_from_slice(b"data: [DONE]\n\n");
                    self.stage = ChatStage::End;
                    return true;
                }
                ChatStage::End => return false,
            }
        }
    }
}

/// The objects an assistant run stream reports on, in their initial (queued) state.
pub struct RunObjects {
    pub run: Value,
    pub step: Value,
    pub message: Value,
    pub usage: Value,
}

pub struct RunStream {
    steer: Steer,
    objs: RunObjects,
    /// `event: thread.message.delta` + `data: {…"value":"` before each delta's text.
    delta_prefix: Vec<u8>,
    stage: u8,
    i: u64,
}

const STARTED: u64 = 1_700_000_001;
const COMPLETED: u64 = 1_700_000_002;

impl RunStream {
    pub fn new(steer: Steer, objs: RunObjects) -> RunStream {
        let delta_prefix = format!(
            "event: thread.message.delta\ndata: {{\"id\":{},\"object\":\"thread.message.delta\",\"delta\":{{\"content\":[{{\"index\":0,\"type\":\"text\",\"text\":{{\"value\":\"",
            objs.message["id"]
        )
        .into_bytes();
        RunStream {
            steer,
            objs,
            delta_prefix,
            stage: 0,
            i: 0,
        }
    }

    fn event(out: &mut Vec<u8>, name: &str, data: &Value) {
        out.extend_from_slice(b"event: ");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\ndata: ");
        let _ = serde_json::to_writer(&mut *out, data);
        out.extend_from_slice(b"\n\n");
    }

    fn next_event(&mut self, out: &mut Vec<u8>) -> bool {
        let o = &mut self.objs;
        let stage = self.stage;
        self.stage += 1;
        match stage {
            0 => Self::event(out, "thread.run.created", &o.run),
            1 => Self::event(out, "thread.run.queued", &o.run),
            2 => {
                o.run["status"] = json!("in_progress");
                o.run["started_at"] = json!(STARTED);
                Self::event(out, "thread.run.in_progress", &o.run);
            }
            3 => Self::event(out, "thread.run.step.created", &o.step),
            4 => Self::event(out, "thread.run.step.in_progress", &o.step),
            5 => Self::event(out, "thread.message.created", &o.message),
            6 => Self::event(out, "thread.message.in_progress", &o.message),
            7 => {
                if self.i < self.steer.chunks {
                    out.extend_from_slice(&self.delta_prefix);
                    out.extend_from_slice(self.steer.text(self.i));
                    out.extend_from_slice(b"\",\"annotations\":[]}}]}}\n\n");
                    self.i += 1;
                    self.stage = 7;
                } else {
                    return self.next_event(out);
                }
            }
            8 => {
                let text = if self.steer.total_len() <= MAX_FULL_TEXT {
                    self.steer.full_text()
                } else {
                    String::new()
                };
                o.message["status"] = json!("completed");
                o.message["completed_at"] = json!(COMPLETED);
                o.message["content"] =
                    json!([{"type": "text", "text": {"value": text, "annotations": []}}]);
                Self::event(out, "thread.message.completed", &o.message);
            }
            9 => {
                o.step["status"] = json!("completed");
                o.step["completed_at"] = json!(COMPLETED);
                o.step["usage"] = o.usage.clone();
                Self::event(out, "thread.run.step.completed", &o.step);
            }
            10 => {
                o.run["status"] = json!("completed");
                o.run["completed_at"] = json!(COMPLETED);
                o.run["expires_at"] = Value::Null;
                o.run["usage"] = o.usage.clone();
                Self::event(out, "thread.run.completed", &o.run);
            }
            11 => out.extend_from_slice(b"event: done\ndata: [DONE]\n\n"),
            _ => {
                self.stage = 12;
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(mut s: EventStream) -> String {
        let mut out = Vec::new();
        while s.next_event(&mut out) {}
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn chat_stream_framing() {
        let steer = Steer::from_body(&json!({"mock_chunks": 2})).ok().unwrap();
        let text = drain(EventStream::Chat(Box::new(ChatStream::new(
            "chatcmpl-x",
            5,
            "m",
            steer,
            None,
        ))));
        let events: Vec<&str> = text.split_terminator("\n\n").collect();
        assert_eq!(events.len(), 5);
        let v: Value = serde_json::from_str(&events[0][6..]).unwrap();
        assert_eq!(v["choices"][0]["delta"]["role"], "assistant");
        let v: Value = serde_json::from_str(&events[2][6..]).unwrap();
        assert_eq!(v["choices"][0]["delta"]["content"], " How");
        assert_eq!(v["model"], "m");
        let v: Value = serde_json::from_str(&events[3][6..]).unwrap();
        assert_eq!(v["choices"][0]["finish_reason"], "stop");
        assert_eq!(events[4], "data: [DONE]");
    }

    #[test]
    fn chunk_bytes_pattern() {
        let steer = Steer::from_body(&json!({"mock_chunks": 3, "mock_chunk_bytes": 28}))
            .ok()
            .unwrap();
        assert_eq!(steer.text(0), b"abcdefghijklmnopqrstuvwxyzab");
        assert_eq!(steer.text(1), b"bcdefghijklmnopqrstuvwxyzabc");
        assert_eq!(steer.text(27), steer.text(1));
        assert_eq!(steer.total_len(), 84);
        assert!(Steer::from_body(&json!({"mock_chunks": -1})).is_err());
        assert!(Steer::from_body(&json!({"mock_delay_ms": "x"})).is_err());
    }

    #[test]
    fn usage_chunk() {
        let steer = Steer::from_body(&json!({"mock_chunks": 0})).ok().unwrap();
        let text = drain(EventStream::Chat(Box::new(ChatStream::new(
            "c",
            5,
            "m",
            steer,
            Some(&json!({"total_tokens": 3})),
        ))));
        let events: Vec<&str> = text.split_terminator("\n\n").collect();
        assert_eq!(events.len(), 4);
        let v: Value = serde_json::from_str(&events[2][6..]).unwrap();
        assert_eq!(v["choices"], json!([]));
        assert_eq!(v["usage"]["total_tokens"], 3);
        let v: Value = serde_json::from_str(&events[0][6..]).unwrap();
        assert_eq!(v["usage"], Value::Null);
    }
}
