//! Every other route of the OpenAI API specification (docs/openapi/openapi-2026-08.yaml):
//! answered from `examples.json`, which tests/codegen generates from the specification (the
//! specification's example body where it has a valid one, else an instance of the response
//! schema). The hand-written routes of routes.rs come first; this module answers what they do not
//! (a route they lack, another method on their path, a stream they do not make).
//!
//! What a route answers: JSON examples with the path's last id echoed as `id`; binary content
//! (video, archives, audio) as deterministic bytes; an SDP answer as its example's text; nothing
//! for the routes that return nothing; and for a request that asks for a stream (`"stream": true`,
//! a `stream=true` field or query parameter, `"stream_format": "sse"`) the specification's example
//! stream, or one built in the shape of the route's events.

use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::http::Request;
use crate::multipart::Part;
use crate::patterns::{Pattern, DEFAULT_SPEECH_BYTES};
use crate::response::{Body, Response, EVENT_STREAM, JSON};
use crate::sse::{EventStream, ReplayStream};
use crate::util::{percent_decode, query_param};

/// One route of the specification.
struct SpecRoute {
    method: String,
    /// Path segments after `/v1`; `None` for a `{param}`.
    segments: Vec<Option<String>>,
    /// A fixed query the route requires (`beta=true`).
    fixed_query: Option<String>,
    status: u16,
    /// none, json, optional_json, multipart.
    request: String,
    required_files: Vec<String>,
    /// Json, JsonOrText, Bytes, Text, Empty.
    response: String,
    /// How it asks for a stream, if it streams.
    stream: Option<String>,
    content_type: &'static str,
    body: Option<Value>,
    text: Option<String>,
    events: Option<String>,
}

fn routes() -> &'static [SpecRoute] {
    static ROUTES: OnceLock<Vec<SpecRoute>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let doc: Value = serde_json::from_str(include_str!("examples.json")).expect("examples.json is JSON");
        let mut out = Vec::new();
        for r in doc["routes"].as_array().expect("routes") {
            let path = r["path"].as_str().unwrap_or("");
            let (path, fixed_query) = match path.split_once('?') {
                Some((p, q)) => (p, Some(q.to_string())),
                None => (path, None),
            };
            let segments = path
                .trim_start_matches('/')
                .split('/')
                .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
                .collect();
            let content_type = r["content_types"]
                .as_array()
                .and_then(|t| t.iter().filter_map(Value::as_str).find(|t| *t != "text/event-stream"))
                .unwrap_or(JSON);
            let s = |k: &str| r[k].as_str().map(str::to_string);
            out.push(SpecRoute {
                method: s("method").unwrap_or_default(),
                segments,
                fixed_query,
                status: r["status"].as_u64().unwrap_or(200) as u16,
                request: s("request").unwrap_or_default(),
                required_files: r["required_files"].as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect()).unwrap_or_default(),
                response: s("response").unwrap_or_default(),
                stream: s("stream"),
                // Kept for the life of the process, as the routes are.
                content_type: Box::leak(content_type.to_string().into_boxed_str()),
                body: (!r["body"].is_null()).then(|| r["body"].clone()),
                text: s("text"),
                events: s("events"),
            });
        }
        out
    })
}

/// The route a request's path names, and its path ids (decoded); several when methods differ.
fn matching<'a>(req: &Request) -> Vec<(&'a SpecRoute, Vec<String>)> {
    let Some(rest) = req.path().strip_prefix("/v1/") else { return vec![] };
    let segs: Vec<&str> = rest.split('/').collect();
    let query = req.query().unwrap_or("");
    let mut found: Vec<(&SpecRoute, Vec<String>)> = Vec::new();
    for route in routes() {
        if route.segments.len() != segs.len() {
            continue;
        }
        let mut ids = Vec::new();
        let fits = route.segments.iter().zip(&segs).all(|(t, s)| match t {
            Some(lit) => lit == s,
            None if !s.is_empty() => {
                ids.push(percent_decode(s, false));
                true
            }
            None => false,
        });
        if !fits {
            continue;
        }
        // A route with a fixed query (`?beta=true`) answers only requests that carry it, and
        // takes precedence over its plain twin for them.
        match &route.fixed_query {
            Some(q) if !query.split('&').any(|kv| kv == q) => continue,
            _ => {}
        }
        found.push((route, ids));
    }
    found.sort_by_key(|(r, _)| r.fixed_query.is_none());
    found
}

/// Whether `path` is a route of the specification (any method).
pub fn knows(req: &Request) -> bool {
    !matching(req).is_empty()
}

/// Whether the request asks for a stream the way the route's operation does.
fn wants_stream(route: &SpecRoute, req: &Request, body: &Value, parts: Option<&[Part]>) -> bool {
    match route.stream.as_deref() {
        Some("JsonStream") => body.get("stream") == Some(&Value::Bool(true)),
        Some("JsonStreamFormatSse") => body.get("stream_format").and_then(Value::as_str) == Some("sse"),
        Some("MultipartStream") => parts.is_some_and(|parts| {
            parts.iter().any(|p| p.name == "stream" && p.filename.is_none() && req.body.get(p.data.clone()) == Some(b"true".as_slice()))
        }),
        Some("QueryStream") => query_param(req.query(), "stream").as_deref() == Some("true"),
        _ => false,
    }
}

/// Whether the request asks a hand-written route for a stream that only this module makes
/// (images, transcriptions, speech): the hand-written routes stream chat and runs themselves.
pub fn wants_spec_stream(req: &Request, parts: Option<&Result<Vec<Part>, &'static str>>) -> bool {
    if req.path() == "/v1/chat/completions" || req.path().starts_with("/v1/threads") {
        return false;
    }
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let parts = parts.and_then(|p| p.as_ref().ok()).map(Vec::as_slice);
    matching(req).iter().any(|(route, _)| route.method == req.method() && wants_stream(route, req, &body, parts))
}

/// Answers a request to a route of the specification; `None` when no route has its path.
/// `auth` has been checked by the caller.
pub fn handle(req: &Request, parts: Option<&Result<Vec<Part>, &'static str>>) -> Option<Response> {
    let candidates = matching(req);
    if candidates.is_empty() {
        return None;
    }
    let Some((route, ids)) = candidates.iter().find(|(r, _)| r.method == req.method()) else {
        let mut allow: Vec<&str> = candidates.iter().map(|(r, _)| r.method.as_str()).collect();
        allow.dedup();
        return Some(
            Response::error(
                405,
                format!("Invalid method for URL ({} {}): expected {}", req.method(), req.path(), allow.join(" or ")),
                "invalid_request_error",
                None,
                Some("method_not_allowed"),
            )
            .with_header("allow", allow.join(", ")),
        );
    };
    if let Some(id) = ids.iter().find(|id| id.starts_with("missing")) {
        return Some(Response::error(404, format!("No such object: '{id}'"), "invalid_request_error", None, None));
    }
    // The body the route takes.
    let mut body = Value::Null;
    let mut form: Option<&[Part]> = None;
    match route.request.as_str() {
        // An empty body (a body-less POST) counts as `{}`.
        "json" | "optional_json" if !req.body.iter().all(u8::is_ascii_whitespace) => match serde_json::from_slice::<Value>(&req.body) {
            Ok(v @ Value::Object(_)) => body = v,
            _ => return Some(Response::invalid_request(400, "We could not parse the JSON body of your request.", None)),
        },
        "multipart" => match parts {
            Some(Ok(parts)) => {
                for name in &route.required_files {
                    let bracketed = format!("{name}[]");
                    if !parts.iter().any(|p| (p.name == *name || p.name == bracketed) && p.filename.is_some()) {
                        return Some(Response::invalid_request(400, format!("Missing required parameter: '{name}'."), Some(name)));
                    }
                }
                form = Some(parts);
            }
            Some(Err(e)) => return Some(Response::invalid_request(400, format!("Invalid multipart body: {e}."), None)),
            None => return Some(Response::invalid_request(400, "Invalid Content-Type header, expected multipart/form-data.", None)),
        },
        _ => {}
    }
    if wants_stream(route, req, &body, form) {
        return Some(stream(route, &body));
    }
    Some(match route.response.as_str() {
        "Empty" => Response::text(route.status, JSON, Vec::new()),
        "Bytes" => {
            let len = query_param(req.query(), "mock_bytes").and_then(|n| n.parse().ok()).unwrap_or(DEFAULT_SPEECH_BYTES);
            Response { status: route.status, content_type: route.content_type, headers: Vec::new(), body: Body::Pattern(Pattern::speech(len)) }
        }
        "Text" => Response::text(route.status, route.content_type, route.text.clone().unwrap_or_default()),
        _ => {
            let mut value = route.body.clone().unwrap_or_else(|| json!({}));
            // The object a path names is that object: its id echoed.
            if let (Some(last), Some(Value::String(_))) = (route.segments.last().filter(|s| s.is_none()).and(ids.last()), value.get("id")) {
                value["id"] = Value::String(last.clone());
            }
            // A list asked for a later page (`after`, `page`) gives its last one.
            let later = ["after", "page"].iter().any(|k| query_param(req.query(), k).is_some());
            if later && value.get("has_more").is_some() {
                value["has_more"] = Value::Bool(false);
                if value.get("next_page").is_some() {
                    value["next_page"] = Value::Null;
                }
            }
            Response::json(route.status, &value)
        }
    })
}

/// The event stream of a route: the specification's example, or events in the route's shape.
fn stream(route: &SpecRoute, body: &Value) -> Response {
    let text = match (&route.events, route.stream.as_deref()) {
        (Some(events), _) => events.clone(),
        (None, Some("JsonStreamFormatSse")) => {
            // Speech: audio in base64 deltas, then the usage.
            let mut out = String::new();
            for i in 0..3u64 {
                let bytes: Vec<u8> = (0..16).map(|j| crate::patterns::speech_byte(i * 16 + j)).collect();
                let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes);
                out.push_str(&format!("data: {}\n\n", json!({"type": "speech.audio.delta", "audio": b64})));
            }
            out.push_str(&format!(
                "data: {}\n\n",
                json!({"type": "speech.audio.done", "usage": {"input_tokens": 14, "output_tokens": 101, "total_tokens": 115}})
            ));
            out
        }
        (None, _) if route.segments.first().and_then(|s| s.as_deref()) == Some("responses") => {
            // Resuming a response: the Responses events of responses.create.
            routes()
                .iter()
                .find(|r| r.method == "POST" && r.segments.len() == 1 && r.fixed_query.is_none() && r.segments[0].as_deref() == Some("responses"))
                .and_then(|r| r.events.clone())
                .unwrap_or_default()
        }
        (None, _) => {
            // A legacy completion: text chunks, then [DONE].
            let model = body.get("model").and_then(Value::as_str).unwrap_or("gpt-3.5-turbo-instruct");
            let mut out = String::new();
            for piece in ["Hello", " there", "!"] {
                let chunk = json!({"id": "cmpl-abc123", "object": "text_completion", "created": 1700000000, "model": model,
                    "choices": [{"text": piece, "index": 0, "logprobs": null, "finish_reason": null}]});
                out.push_str(&format!("data: {chunk}\n\n"));
            }
            out.push_str("data: [DONE]\n\n");
            out
        }
    };
    Response { status: 200, content_type: EVENT_STREAM, headers: Vec::new(), body: Body::Events(EventStream::Replay(ReplayStream::new(&text))) }
}
