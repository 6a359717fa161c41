//! The WebSocket endpoints: `/v1/realtime` (the Realtime API) and `/v1/responses` (the Responses
//! API over a persistent WebSocket). The handshake is checked like any API request (key,
//! upgrade headers, and for the Realtime API a `model` or `call_id`), then the session plays
//! scripted sequences of server events for the client events it receives, and records what it
//! received (GET /__mock/websockets). A script with a `websocket` field makes a session fail on
//! cue (close with a code, drop, reset, go silent); a script without one refuses the upgrade.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use crate::http::{self, Conn, Request};
use crate::patterns::speech_byte;
use crate::response::{send, Response};
use crate::sse::REPLY_WORDS;
use crate::state::State;
use crate::util::query_pairs;

/// Whether a request asks to switch to the WebSocket protocol.
pub fn is_upgrade(req: &Request) -> bool {
    req.header("upgrade").is_some_and(|v| v.trim().eq_ignore_ascii_case("websocket"))
}

/// The endpoint a path serves, if any.
fn endpoint(path: &str) -> Option<Endpoint> {
    match path {
        "/v1/realtime" => Some(Endpoint::Realtime),
        "/v1/responses" => Some(Endpoint::Responses),
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Endpoint {
    Realtime,
    Responses,
}

/// How a scripted session fails.
#[derive(Debug, Clone)]
pub struct Fault {
    /// Server events sent before the fault (`session.created` counts).
    after_events: u64,
    action: FaultAction,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum FaultAction {
    /// A close frame with this code (1005: a close frame without one) and reason.
    Close(u16, String),
    /// The TCP connection closes without a close frame (the client sees 1006).
    Drop,
    /// The TCP connection is reset.
    Reset,
    /// Nothing more is read or written, pings included, until the client gives up.
    Silent,
}

/// Parses a script's `websocket` object.
pub fn parse_fault(value: &Value) -> Result<Fault, String> {
    let obj = value.as_object().ok_or("'websocket' must be an object")?;
    if let Some(k) = obj.keys().find(|k| !["after_events", "action", "code", "reason"].contains(&k.as_str())) {
        return Err(format!("unknown field '{k}' in websocket (allowed: after_events, action, code, reason)"));
    }
    let after_events = match obj.get("after_events") {
        None | Some(Value::Null) => 1,
        Some(v) => v.as_u64().ok_or("'after_events' must be a non-negative integer")?,
    };
    let action = match obj.get("action").and_then(Value::as_str) {
        Some("close") => {
            let code = obj.get("code").and_then(Value::as_u64).ok_or("a 'close' needs a 'code'")?;
            if !(1000..=4999).contains(&code) || matches!(code, 1006 | 1015) {
                return Err("'code' must be 1000..4999 and not 1006 or 1015 (use 'drop' for those)".into());
            }
            let reason = obj.get("reason").and_then(Value::as_str).unwrap_or("").to_string();
            FaultAction::Close(code as u16, reason)
        }
        Some("drop") => FaultAction::Drop,
        Some("reset") => FaultAction::Reset,
        Some("silent") => FaultAction::Silent,
        _ => return Err("'websocket' needs an 'action': close, drop, reset or silent".into()),
    };
    Ok(Fault { after_events, action })
}

/// What one session received, for GET /__mock/websockets.
#[derive(Default)]
pub struct Record {
    connection_id: u64,
    path: String,
    query: Vec<(String, String)>,
    /// Every client event but audio appends, as received.
    events: Vec<String>,
    /// The decoded size of each `input_audio_buffer.append`, in order.
    appends: Vec<usize>,
    audio: Sha256,
    audio_bytes: u64,
    text_frames: u64,
    other_frames: u64,
    pongs: u64,
    /// The client's close frame (code, reason), if one came.
    client_close: Option<(u16, String)>,
    ended: &'static str,
}

impl Record {
    pub fn render(&self) -> Value {
        json!({
            "connection_id": self.connection_id,
            "path": self.path,
            "query_pairs": self.query.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
            "events": self.events,
            "appends": self.appends,
            "audio_bytes": self.audio_bytes,
            "audio_sha256": crate::util::hex(&self.audio.clone().finalize()),
            "text_frames": self.text_frames,
            "other_frames": self.other_frames,
            "pongs": self.pongs,
            "client_close": self.client_close.as_ref().map(|(c, r)| json!({"code": c, "reason": r})),
            "ended": self.ended,
        })
    }
}

/// Steering from the handshake's query: mock-only parameters.
struct Steering {
    /// Text deltas of a text response.
    chunks: u64,
    /// Bytes of an audio response, and per delta.
    audio_bytes: u64,
    audio_chunk_bytes: u64,
    /// Pause between the events of a response.
    delay: Duration,
    /// Answer every audio append at once with an audio delta of the same audio.
    echo_audio: bool,
}

fn steering(query: &[(String, String)]) -> Steering {
    let get = |name: &str| query.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.parse::<u64>().ok());
    Steering {
        chunks: get("mock_chunks").unwrap_or(REPLY_WORDS.len() as u64).min(100_000_000),
        audio_bytes: get("mock_audio_bytes").unwrap_or(48_000).min(1 << 30),
        audio_chunk_bytes: get("mock_audio_chunk_bytes").unwrap_or(4_800).clamp(2, 16 << 20),
        delay: Duration::from_millis(get("mock_delay_ms").unwrap_or(0)),
        echo_audio: query.iter().any(|(k, v)| k == "mock_audio_echo" && (v == "true" || v == "1")),
    }
}

/// Answers an upgrade request: checks it, then runs the session (or plays a refusal script).
/// Owns the connection: it never goes back to HTTP.
pub async fn handle(mut conn: Conn, req: Request, state: Arc<State>, rid: String, fault: Option<Fault>) {
    let Some(endpoint) = endpoint(req.path()).or(fault.as_ref().map(|_| Endpoint::Realtime)) else {
        let resp = Response::error(404, format!("Invalid URL ({} {})", req.method(), req.path()), "invalid_request_error", None, Some("unknown_url"));
        return refuse(conn, &req, resp, &rid).await;
    };
    let query = query_pairs(req.query().unwrap_or(""));
    let key = req.header("sec-websocket-key").unwrap_or("").trim().to_string();
    let problem = if req.method() != "GET" {
        Some(format!("A WebSocket handshake must be a GET, not {}", req.method()))
    } else if !req.header("connection").is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("upgrade"))) {
        Some("The WebSocket handshake is missing 'Connection: Upgrade'".to_string())
    } else if req.header("sec-websocket-version").map(str::trim) != Some("13") {
        Some("The WebSocket handshake must have 'Sec-WebSocket-Version: 13'".to_string())
    } else if base64::engine::general_purpose::STANDARD.decode(&key).map(|k| k.len()) != Ok(16) {
        Some("The WebSocket handshake needs a 'Sec-WebSocket-Key' of 16 base64 bytes".to_string())
    } else {
        None
    };
    if let Some(message) = problem {
        return refuse(conn, &req, Response::invalid_request(400, message, None), &rid).await;
    }
    if let Some(resp) = crate::routes::auth_error(&req) {
        return refuse(conn, &req, resp, &rid).await;
    }
    if endpoint == Endpoint::Realtime && !query.iter().any(|(k, _)| k == "model" || k == "call_id") {
        let resp = Response::invalid_request(400, "Missing required parameter: 'model'.", Some("model"));
        return refuse(conn, &req, resp, &rid).await;
    }
    let mut head = Vec::with_capacity(256);
    http::status_line(&mut head, 101);
    http::header(&mut head, "upgrade", "websocket");
    http::header(&mut head, "connection", "Upgrade");
    http::header(&mut head, "sec-websocket-accept", &derive_accept_key(key.as_bytes()));
    http::header(&mut head, "x-request-id", &rid);
    head.extend_from_slice(b"\r\n");
    if conn.write(&head).await.is_err() {
        return;
    }
    let record = Arc::new(Mutex::new(Record {
        connection_id: conn.id,
        path: req.path().to_string(),
        query: query.clone(),
        ended: "open",
        ..Default::default()
    }));
    state.push_websocket(record.clone());
    let (stream, unread) = conn.into_parts();
    let socket = WebSocketStream::from_partially_read(stream, unread, Role::Server, None).await;
    let model = query.iter().find(|(k, _)| k == "model").map(|(_, v)| v.clone()).unwrap_or_else(|| "gpt-realtime".into());
    let mut session = Session {
        ws: socket,
        endpoint,
        record,
        fault,
        sent: 0,
        next_id: 0,
        steering: steering(&query),
        model,
        output_audio: true,
    };
    session.run().await;
}

async fn refuse(mut conn: Conn, req: &Request, resp: Response, rid: &str) {
    let _ = send(&mut conn, req, resp, rid).await;
    conn.close_gracefully().await;
}

/// One session. It answers client events one at a time, in order, as they come.
struct Session {
    ws: WebSocketStream<TcpStream>,
    endpoint: Endpoint,
    record: Arc<Mutex<Record>>,
    fault: Option<Fault>,
    /// Server events sent so far.
    sent: u64,
    next_id: u64,
    steering: Steering,
    model: String,
    /// The session's output modalities include audio (the API's default).
    output_audio: bool,
}

/// Why the session loop stops.
enum Stop {
    /// The fault was played (or the client left): the connection is done.
    Done,
}

impl Session {
    fn record(&self) -> std::sync::MutexGuard<'_, Record> {
        self.record.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn event_id(&mut self) -> String {
        self.next_id += 1;
        format!("event_mock{:04}", self.next_id)
    }

    async fn run(&mut self) {
        if self.check_fault().await.is_err() {
            return;
        }
        if self.endpoint == Endpoint::Realtime {
            let id = self.event_id();
            let created = json!({
                "type": "session.created",
                "event_id": id,
                "session": {
                    "type": "realtime",
                    "object": "realtime.session",
                    "id": "sess_mock001",
                    "model": self.model,
                    "output_modalities": ["audio"],
                    "audio": {
                        "input": {"format": {"type": "audio/pcm", "rate": 24000}},
                        "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "alloy"}
                    }
                }
            });
            if self.emit(created).await.is_err() {
                return;
            }
        }
        // Pings are the protocol's business: the client must answer without being asked to.
        if self.ws.send(Message::Ping(b"mock".to_vec().into())).await.is_err() {
            return self.ended("client_dropped");
        }
        loop {
            let message = match self.ws.next().await {
                None | Some(Err(_)) => return self.ended("client_dropped"),
                Some(Ok(m)) => m,
            };
            match message {
                Message::Text(text) => {
                    self.record().text_frames += 1;
                    if self.client_event(text.as_str()).await.is_err() {
                        return;
                    }
                }
                Message::Close(frame) => {
                    let close = frame.map(|f| (u16::from(f.code), f.reason.to_string())).unwrap_or((1005, String::new()));
                    self.record().client_close = Some(close);
                    // The protocol layer queued the answering close frame: send it.
                    let _ = tokio::time::timeout(Duration::from_secs(2), self.ws.flush()).await;
                    return self.ended("client_closed");
                }
                Message::Pong(_) => self.record().pongs += 1,
                _ => self.record().other_frames += 1,
            }
        }
    }

    fn ended(&self, how: &'static str) {
        self.record().ended = how;
    }

    /// Sends one server event, then plays the fault when its count is reached.
    async fn emit(&mut self, event: Value) -> Result<(), Stop> {
        if self.ws.send(Message::Text(event.to_string().into())).await.is_err() {
            self.ended("client_dropped");
            return Err(Stop::Done);
        }
        self.sent += 1;
        self.check_fault().await
    }

    async fn check_fault(&mut self) -> Result<(), Stop> {
        let Some(fault) = self.fault.clone().filter(|f| f.after_events == self.sent) else { return Ok(()) };
        match fault.action {
            FaultAction::Close(code, reason) => {
                let frame = (code != 1005).then(|| CloseFrame { code: CloseCode::from(code), reason: reason.into() });
                let _ = self.ws.send(Message::Close(frame)).await;
                // Wait for the client's answer, as a server does.
                let _ = tokio::time::timeout(Duration::from_secs(5), async {
                    while let Some(Ok(m)) = self.ws.next().await {
                        if matches!(m, Message::Close(_)) {
                            break;
                        }
                    }
                })
                .await;
                self.ended("server_closed");
            }
            FaultAction::Drop => {
                // FIN without a close frame: the connection just ends.
                let _ = tokio::io::AsyncWriteExt::shutdown(self.ws.get_mut()).await;
                self.ended("server_dropped");
            }
            FaultAction::Reset => {
                self.ended("server_reset");
                let _ = self.ws.get_ref().set_zero_linger();
            }
            FaultAction::Silent => {
                self.ended("server_silent");
                tokio::time::sleep(Duration::from_secs(600)).await;
            }
        }
        Err(Stop::Done)
    }

    async fn error(&mut self, code: &str, message: String, client_event_id: Option<&str>) -> Result<(), Stop> {
        let id = self.event_id();
        let event = json!({
            "type": "error",
            "event_id": id,
            "error": {"type": "invalid_request_error", "code": code, "message": message, "param": null, "event_id": client_event_id}
        });
        self.emit(event).await
    }

    /// Answers one client event.
    async fn client_event(&mut self, text: &str) -> Result<(), Stop> {
        let event: Map<String, Value> = match serde_json::from_str(text) {
            Ok(Value::Object(map)) => map,
            _ => {
                self.record().events.push(text.to_string());
                return self.error("invalid_json", "The event is not a JSON object.".into(), None).await;
            }
        };
        let kind = event.get("type").and_then(Value::as_str).unwrap_or("").to_string();
        let client_id = event.get("event_id").and_then(Value::as_str).map(str::to_string);
        if kind != "input_audio_buffer.append" {
            self.record().events.push(text.to_string());
        }
        match (self.endpoint, kind.as_str()) {
            (Endpoint::Realtime, "input_audio_buffer.append") => {
                let audio = event.get("audio").and_then(Value::as_str).unwrap_or("");
                match base64::engine::general_purpose::STANDARD.decode(audio) {
                    Ok(pcm) => {
                        {
                            let mut record = self.record();
                            record.appends.push(pcm.len());
                            record.audio_bytes += pcm.len() as u64;
                            record.audio.update(&pcm);
                        }
                        if self.steering.echo_audio {
                            let id = self.event_id();
                            let delta = json!({
                                "type": "response.output_audio.delta", "event_id": id, "response_id": "resp_mock001",
                                "item_id": "item_mock001", "output_index": 0, "content_index": 0, "delta": audio
                            });
                            return self.emit(delta).await;
                        }
                        Ok(())
                    }
                    Err(_) => self.error("invalid_value", "Invalid 'audio': not valid base64.".into(), client_id.as_deref()).await,
                }
            }
            (Endpoint::Realtime, "input_audio_buffer.commit") => {
                let id = self.event_id();
                self.emit(json!({"type": "input_audio_buffer.committed", "event_id": id, "previous_item_id": null, "item_id": "item_mock_input"})).await
            }
            (Endpoint::Realtime, "input_audio_buffer.clear") => {
                let id = self.event_id();
                self.emit(json!({"type": "input_audio_buffer.cleared", "event_id": id})).await
            }
            (Endpoint::Realtime, "session.update") => {
                let session = event.get("session").cloned().unwrap_or(json!({}));
                if let Some(modalities) = session.get("output_modalities").and_then(Value::as_array) {
                    self.output_audio = modalities.iter().any(|m| m == "audio");
                }
                let id = self.event_id();
                let mut updated = json!({"type": "realtime", "object": "realtime.session", "id": "sess_mock001", "model": self.model});
                if let (Some(target), Value::Object(fields)) = (updated.as_object_mut(), session) {
                    for (k, v) in fields {
                        target.insert(k, v);
                    }
                }
                self.emit(json!({"type": "session.updated", "event_id": id, "session": updated})).await
            }
            (Endpoint::Realtime, "conversation.item.create") => {
                let mut item = event.get("item").cloned().unwrap_or(json!({}));
                if let Some(item) = item.as_object_mut() {
                    item.entry("id").or_insert(json!(format!("item_mock{:04}", self.next_id + 1)));
                    item.insert("object".into(), json!("realtime.item"));
                    item.insert("status".into(), json!("completed"));
                }
                let id = self.event_id();
                self.emit(json!({"type": "conversation.item.created", "event_id": id, "previous_item_id": null, "item": item})).await
            }
            (Endpoint::Realtime, "response.create") => {
                let audio = event
                    .get("response")
                    .and_then(|r| r.get("output_modalities"))
                    .and_then(Value::as_array)
                    .map_or(self.output_audio, |m| m.iter().any(|m| m == "audio"));
                self.realtime_response(audio).await
            }
            (Endpoint::Realtime, "response.cancel") => {
                let id = self.event_id();
                self.error("response_cancel_not_active", "Cancellation failed: no active response found".into(), Some(&id)).await
            }
            (Endpoint::Responses, "response.create") => {
                let model = event.get("model").and_then(Value::as_str).unwrap_or("gpt-4o-mini").to_string();
                self.responses_response(&model).await
            }
            _ => {
                let supported = match self.endpoint {
                    Endpoint::Realtime => "'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear', 'conversation.item.create', 'response.create', 'response.cancel'",
                    Endpoint::Responses => "'response.create'",
                };
                let message = format!("Invalid value: '{kind}'. Supported values are: {supported}.");
                self.error("invalid_value", message, client_id.as_deref()).await
            }
        }
    }

    async fn pause(&mut self) {
        if !self.steering.delay.is_zero() {
            tokio::time::sleep(self.steering.delay).await;
        }
    }

    /// The Realtime API's events for one response: text deltas, or audio deltas with their
    /// transcript.
    async fn realtime_response(&mut self, audio: bool) -> Result<(), Stop> {
        let base = json!({"response_id": "resp_mock001", "item_id": "item_mock001", "output_index": 0, "content_index": 0});
        let with = |kind: &str, id: String, extra: Value| {
            let mut event = json!({"type": kind, "event_id": id});
            for source in [&base, &extra] {
                for (k, v) in source.as_object().into_iter().flatten() {
                    event[k] = v.clone();
                }
            }
            event
        };
        let modality = if audio { "audio" } else { "text" };
        let response = |status: &str, output: Value| {
            json!({"object": "realtime.response", "id": "resp_mock001", "status": status, "output_modalities": [modality], "output": output})
        };
        let id = self.event_id();
        self.emit(json!({"type": "response.created", "event_id": id, "response": response("in_progress", json!([]))})).await?;
        let item = |status: &str, content: Value| json!({"id": "item_mock001", "object": "realtime.item", "type": "message", "role": "assistant", "status": status, "content": content});
        let id = self.event_id();
        self.emit(json!({"type": "response.output_item.added", "event_id": id, "response_id": "resp_mock001", "output_index": 0, "item": item("in_progress", json!([]))})).await?;
        let part_type = if audio { "output_audio" } else { "output_text" };
        let id = self.event_id();
        self.emit(with("response.content_part.added", id, json!({"part": {"type": part_type, "text": ""}}))).await?;
        let text: String = (0..self.steering.chunks).map(|i| REPLY_WORDS[(i % REPLY_WORDS.len() as u64) as usize]).collect();
        if audio {
            let (total, size) = (self.steering.audio_bytes, self.steering.audio_chunk_bytes);
            let mut at = 0u64;
            while at < total {
                let n = size.min(total - at);
                let pcm: Vec<u8> = (at..at + n).map(speech_byte).collect();
                at += n;
                self.pause().await;
                let id = self.event_id();
                let delta = base64::engine::general_purpose::STANDARD.encode(&pcm);
                self.emit(with("response.output_audio.delta", id, json!({"delta": delta}))).await?;
            }
            for i in 0..self.steering.chunks {
                let id = self.event_id();
                let word = REPLY_WORDS[(i % REPLY_WORDS.len() as u64) as usize];
                self.emit(with("response.output_audio_transcript.delta", id, json!({"delta": word}))).await?;
            }
            let id = self.event_id();
            self.emit(with("response.output_audio.done", id, json!({}))).await?;
            let id = self.event_id();
            self.emit(with("response.output_audio_transcript.done", id, json!({"transcript": text}))).await?;
        } else {
            for i in 0..self.steering.chunks {
                self.pause().await;
                let id = self.event_id();
                let word = REPLY_WORDS[(i % REPLY_WORDS.len() as u64) as usize];
                self.emit(with("response.output_text.delta", id, json!({"delta": word}))).await?;
            }
            let id = self.event_id();
            self.emit(with("response.output_text.done", id, json!({"text": text}))).await?;
        }
        let part = if audio { json!({"type": "output_audio", "transcript": text}) } else { json!({"type": "output_text", "text": text}) };
        let id = self.event_id();
        self.emit(with("response.content_part.done", id, json!({"part": part.clone()}))).await?;
        let done_item = item("completed", json!([part]));
        let id = self.event_id();
        self.emit(json!({"type": "response.output_item.done", "event_id": id, "response_id": "resp_mock001", "output_index": 0, "item": done_item.clone()})).await?;
        let id = self.event_id();
        let mut done = response("completed", json!([done_item]));
        done["usage"] = json!({"total_tokens": 20 + self.steering.chunks, "input_tokens": 20, "output_tokens": self.steering.chunks});
        self.emit(json!({"type": "response.done", "event_id": id, "response": done})).await
    }

    /// The Responses API's stream events for one `response.create`.
    async fn responses_response(&mut self, model: &str) -> Result<(), Stop> {
        let mut sequence = 0u64;
        let text: String = (0..self.steering.chunks).map(|i| REPLY_WORDS[(i % REPLY_WORDS.len() as u64) as usize]).collect();
        let response = |status: &str, output: Value| {
            json!({"id": "resp_mock001", "object": "response", "created_at": 1700000000, "status": status, "model": model, "output": output})
        };
        let message = |status: &str, content: Value| json!({"id": "msg_mock001", "type": "message", "role": "assistant", "status": status, "content": content});
        let part = json!({"type": "output_text", "text": text, "annotations": []});
        let mut events = vec![
            json!({"type": "response.created", "response": response("in_progress", json!([]))}),
            json!({"type": "response.in_progress", "response": response("in_progress", json!([]))}),
            json!({"type": "response.output_item.added", "output_index": 0, "item": message("in_progress", json!([]))}),
            json!({"type": "response.content_part.added", "item_id": "msg_mock001", "output_index": 0, "content_index": 0, "part": {"type": "output_text", "text": "", "annotations": []}}),
        ];
        for i in 0..self.steering.chunks {
            let word = REPLY_WORDS[(i % REPLY_WORDS.len() as u64) as usize];
            events.push(json!({"type": "response.output_text.delta", "item_id": "msg_mock001", "output_index": 0, "content_index": 0, "delta": word}));
            if events.len() > 4096 {
                // Long replies go out as they are made, not built whole first.
                for mut event in std::mem::take(&mut events) {
                    event["sequence_number"] = json!(sequence);
                    sequence += 1;
                    self.pause().await;
                    self.emit(event).await?;
                }
            }
        }
        events.extend([
            json!({"type": "response.output_text.done", "item_id": "msg_mock001", "output_index": 0, "content_index": 0, "text": text}),
            json!({"type": "response.content_part.done", "item_id": "msg_mock001", "output_index": 0, "content_index": 0, "part": part.clone()}),
            json!({"type": "response.output_item.done", "output_index": 0, "item": message("completed", json!([part.clone()]))}),
            json!({"type": "response.completed", "response": response("completed", json!([message("completed", json!([part]))]))}),
        ]);
        for mut event in events {
            event["sequence_number"] = json!(sequence);
            sequence += 1;
            self.pause().await;
            self.emit(event).await?;
        }
        Ok(())
    }
}
