//! Scripted responses: tests queue them (POST /__mock/script) to make the next matching API
//! request fail in a chosen way: any status and body, delays, split writes, resets, stalls,
//! truncated bodies.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use serde_json::{Map, Value};

use crate::http::{self, Conn, Outcome, Request};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Respond,
    Close,
    Reset,
    ResetAfterHeaders,
    ResetAfterBytes(usize),
    Stall,
    StallBeforeHeaders,
}

#[derive(Debug)]
pub struct Chunk {
    data: Vec<u8>,
    delay_ms: u64,
}

#[derive(Debug)]
pub struct ScriptResponse {
    status: u16,
    /// Name (lowercased) → value; None removes a default header.
    headers: Vec<(String, Option<String>)>,
    body: Vec<u8>,
    delay_ms: u64,
    chunks: Vec<Chunk>,
    chunked: Option<bool>,
    action: Action,
    content_length: Option<u64>,
    /// Close the connection after the response without announcing it (a stale keep-alive).
    then_close: bool,
    /// For a WebSocket handshake: accept it and fail the session this way (without it, a
    /// script answering a handshake refuses the upgrade).
    pub websocket: Option<crate::websocket::Fault>,
}

#[derive(Debug)]
pub struct Script {
    method: Option<String>,
    path: Option<String>,
    path_prefix: Option<String>,
    /// Requests it still serves.
    pub remaining: u64,
    /// The JSON it was made from, for GET /__mock/script.
    pub source: Value,
    pub response: Arc<ScriptResponse>,
}

impl Script {
    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path.as_deref().is_none_or(|p| p == path)
            && self
                .path_prefix
                .as_deref()
                .is_none_or(|p| path.starts_with(p))
    }
}

fn opt_str(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("'{key}' must be a string")),
    }
}

fn opt_u64(obj: &Map<String, Value>, key: &str) -> Result<Option<u64>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| format!("'{key}' must be a non-negative integer")),
    }
}

fn b64(s: &str, key: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| format!("'{key}' is not valid base64: {e}"))
}

fn check_keys(obj: &Map<String, Value>, allowed: &[&str], what: &str) -> Result<(), String> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!(
            "unknown field '{k}' in {what} (allowed: {})",
            allowed.join(", ")
        )),
        None => Ok(()),
    }
}

/// Builds a script from its JSON form; the error names the offending field.
pub fn parse(v: &Value) -> Result<Script, String> {
    let obj = v.as_object().ok_or("a script must be a JSON object")?;
    check_keys(
        obj,
        &[
            "match",
            "status",
            "headers",
            "body",
            "body_base64",
            "body_json",
            "delay_ms",
            "chunks",
            "chunked",
            "action",
            "bytes",
            "content_length",
            "then_close",
            "times",
            "name",
            "websocket",
        ],
        "script",
    )?;
    let (mut method, mut path, mut path_prefix) = (None, None, None);
    match obj.get("match") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            check_keys(m, &["method", "path", "path_prefix"], "match")?;
            method = opt_str(m, "method")?;
            path = opt_str(m, "path")?;
            path_prefix = opt_str(m, "path_prefix")?;
        }
        Some(_) => return Err("'match' must be an object".into()),
    }
    let status = opt_u64(obj, "status")?.unwrap_or(200);
    if !(100..=999).contains(&status) {
        return Err("'status' must be between 100 and 999".into());
    }
    let mut headers = Vec::new();
    match obj.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(h)) => {
            for (k, v) in h {
                let value = match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Null => None,
                    Value::Number(n) => Some(n.to_string()),
                    _ => return Err(format!("header '{k}' must be a string or null")),
                };
                if k.is_empty() || k.bytes().any(|b| b <= b' ' || b == b':' || b >= 0x7f) {
                    return Err(format!("invalid header name '{k}'"));
                }
                if value.as_deref().is_some_and(|s| s.contains(['\r', '\n'])) {
                    return Err(format!("header '{k}' contains a line break"));
                }
                headers.push((k.to_ascii_lowercase(), value));
            }
        }
        Some(_) => return Err("'headers' must be an object".into()),
    }
    let bodies = ["body", "body_base64", "body_json"]
        .iter()
        .filter(|k| obj.get(**k).is_some_and(|v| !v.is_null()))
        .count();
    if bodies > 1 {
        return Err("give only one of 'body', 'body_base64', 'body_json'".into());
    }
    let mut body = Vec::new();
    if let Some(s) = opt_str(obj, "body")? {
        body = s.into_bytes();
    } else if let Some(s) = opt_str(obj, "body_base64")? {
        body = b64(&s, "body_base64")?;
    } else if let Some(j) = obj.get("body_json").filter(|v| !v.is_null()) {
        body = serde_json::to_vec(j).unwrap_or_default();
    }
    let mut chunks = Vec::new();
    match obj.get("chunks") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                let c = item
                    .as_object()
                    .ok_or("each of 'chunks' must be an object")?;
                check_keys(c, &["data", "data_base64", "delay_ms"], "chunk")?;
                let data = match (opt_str(c, "data")?, opt_str(c, "data_base64")?) {
                    (Some(_), Some(_)) => {
                        return Err("a chunk has both 'data' and 'data_base64'".into())
                    }
                    (Some(s), None) => s.into_bytes(),
                    (None, Some(s)) => b64(&s, "data_base64")?,
                    (None, None) => Vec::new(),
                };
                chunks.push(Chunk {
                    data,
                    delay_ms: opt_u64(c, "delay_ms")?.unwrap_or(0),
                });
            }
        }
        Some(_) => return Err("'chunks' must be an array".into()),
    }
    let chunked = match obj.get("chunked") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err("'chunked' must be a boolean".into()),
    };
    let bytes = opt_u64(obj, "bytes")?;
    let action = match opt_str(obj, "action")?.as_deref() {
        None | Some("respond") => Action::Respond,
        Some("close") => Action::Close,
        Some("reset") => Action::Reset,
        Some("reset_after_headers") => Action::ResetAfterHeaders,
        Some("reset_after_bytes") => {
            Action::ResetAfterBytes(bytes.ok_or("'reset_after_bytes' needs 'bytes'")? as usize)
        }
        Some("stall") => Action::Stall,
        Some("stall_before_headers") => Action::StallBeforeHeaders,
        Some(other) => return Err(format!("unknown action '{other}'")),
    };
    let times = opt_u64(obj, "times")?.unwrap_or(1);
    if times == 0 {
        return Err("'times' must be at least 1".into());
    }
    Ok(Script {
        method,
        path,
        path_prefix,
        remaining: times,
        source: v.clone(),
        response: Arc::new(ScriptResponse {
            status: status as u16,
            headers,
            body,
            delay_ms: opt_u64(obj, "delay_ms")?.unwrap_or(0),
            chunks,
            chunked,
            action,
            content_length: opt_u64(obj, "content_length")?,
            websocket: match obj.get("websocket") {
                None | Some(Value::Null) => None,
                Some(v) => Some(crate::websocket::parse_fault(v)?),
            },
            then_close: match obj.get("then_close") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err("'then_close' must be a boolean".into()),
            },
        }),
    })
}

/// Frames one piece of body.
fn frame(out: &mut Vec<u8>, data: &[u8], chunked: bool) {
    if chunked {
        http::chunk(out, data);
    } else {
        out.extend_from_slice(data);
    }
}

/// Plays a scripted response on the connection.
pub async fn execute(
    conn: &mut Conn,
    req: &Request,
    resp: &ScriptResponse,
    request_id: &str,
) -> Outcome {
    if resp.delay_ms > 0 && !conn.pause(Duration::from_millis(resp.delay_ms)).await {
        return Outcome::ClientClosed;
    }
    match resp.action {
        Action::Close => return Outcome::Close,
        Action::Reset => return Outcome::Reset,
        Action::StallBeforeHeaders => {
            conn.wait_client_close().await;
            return Outcome::ClientClosed;
        }
        _ => {}
    }
    let stall = resp.action == Action::Stall;
    let chunked = resp.chunked.unwrap_or(!resp.chunks.is_empty() || stall);
    let total =
        resp.body.len() as u64 + resp.chunks.iter().map(|c| c.data.len() as u64).sum::<u64>();
    let user = |name: &str| resp.headers.iter().find(|(n, _)| n == name);

    let mut head = Vec::with_capacity(256);
    http::status_line(&mut head, resp.status);
    let processing_ms = req.started.elapsed().as_millis().to_string();
    let defaults = [
        ("content-type", "application/json"),
        ("x-request-id", request_id),
        ("openai-processing-ms", processing_ms.as_str()),
        ("openai-version", "2020-10-01"),
    ];
    for (name, value) in defaults {
        if user(name).is_none() {
            http::header(&mut head, name, value);
        }
    }
    for (name, value) in &resp.headers {
        if let Some(v) = value {
            http::header(&mut head, name, v);
        }
    }
    if user("content-length").is_none() && user("transfer-encoding").is_none() {
        if chunked {
            http::header(&mut head, "transfer-encoding", "chunked");
        } else {
            http::header_num(
                &mut head,
                "content-length",
                resp.content_length.unwrap_or(total),
            );
        }
    }
    if !req.keep_alive && user("connection").is_none() {
        http::header(&mut head, "connection", "close");
    }
    head.extend_from_slice(b"\r\n");
    let user_close = user("connection").is_some_and(|(_, v)| {
        v.as_deref()
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
    });
    let closes = !req.keep_alive || resp.content_length.is_some() || resp.then_close || user_close;

    match resp.action {
        Action::ResetAfterHeaders => {
            let _ = conn.write(&head).await;
            return Outcome::Reset;
        }
        Action::ResetAfterBytes(n) => {
            let mut all = head;
            frame(&mut all, &resp.body, chunked);
            for c in &resp.chunks {
                frame(&mut all, &c.data, chunked);
            }
            if chunked {
                all.extend_from_slice(http::LAST_CHUNK);
            }
            let _ = conn.write(&all[..n.min(all.len())]).await;
            return Outcome::Reset;
        }
        _ => {}
    }

    if resp.chunks.is_empty() {
        frame(&mut head, &resp.body, chunked);
        if chunked && !stall {
            head.extend_from_slice(http::LAST_CHUNK);
        }
        if conn.write(&head).await.is_err() {
            return Outcome::ClientClosed;
        }
    } else {
        // Each piece is its own write, so the client sees the split the test asked for.
        if conn.write(&head).await.is_err() {
            return Outcome::ClientClosed;
        }
        let mut piece = Vec::new();
        if !resp.body.is_empty() {
            frame(&mut piece, &resp.body, chunked);
            if conn.write(&piece).await.is_err() {
                return Outcome::ClientClosed;
            }
        }
        for c in &resp.chunks {
            if c.delay_ms > 0 && !conn.pause(Duration::from_millis(c.delay_ms)).await {
                return Outcome::ClientClosed;
            }
            piece.clear();
            frame(&mut piece, &c.data, chunked);
            if !piece.is_empty() && conn.write(&piece).await.is_err() {
                return Outcome::ClientClosed;
            }
        }
        if chunked && !stall && conn.write(http::LAST_CHUNK).await.is_err() {
            return Outcome::ClientClosed;
        }
    }
    if stall {
        conn.wait_client_close().await;
        return Outcome::ClientClosed;
    }
    if closes {
        Outcome::Close
    } else {
        Outcome::Next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_matches() {
        let s = parse(
            &json!({"match": {"method": "post", "path": "/v1/x"}, "status": 429, "times": 2}),
        )
        .unwrap();
        assert!(s.matches("POST", "/v1/x"));
        assert!(!s.matches("GET", "/v1/x"));
        assert!(!s.matches("POST", "/v1/xy"));
        assert_eq!(s.remaining, 2);
        assert_eq!(s.response.status, 429);
        let s = parse(&json!({"match": {"path_prefix": "/v1/files"}})).unwrap();
        assert!(s.matches("GET", "/v1/files/abc"));
    }

    #[test]
    fn rejects_bad_scripts() {
        for bad in [
            json!([]),
            json!({"status": 99}),
            json!({"action": "explode"}),
            json!({"action": "reset_after_bytes"}),
            json!({"body": "a", "body_json": {}}),
            json!({"body_base64": "!!"}),
            json!({"times": 0}),
            json!({"stauts": 500}),
            json!({"headers": {"bad name": "x"}}),
            json!({"headers": {"x": "a\r\nb"}}),
            json!({"chunks": [{"data": "a", "data_base64": "YQ=="}]}),
        ] {
            assert!(parse(&bad).is_err(), "{bad}");
        }
        let s = parse(
            &json!({"body_base64": "AAEC", "chunks": [{"data_base64": "YQ==", "delay_ms": 5}]}),
        )
        .unwrap();
        assert_eq!(s.response.body, vec![0, 1, 2]);
        assert_eq!(s.response.chunks[0].data, b"a");
        assert_eq!(s.response.chunks[0].delay_ms, 5);
    }
}
