//! Every route of the specification (src/examples.json) is answered: the status and kind of body
//! the specification gives, the example streams, the checks of the routes written by hand.

mod common;

use common::{multipart, sse_events, Client, FormPart};
use openai_mock::MockServer;
use serde_json::{json, Value};

fn routes() -> Vec<Value> {
    let doc: Value = serde_json::from_str(include_str!("../src/examples.json")).unwrap();
    doc["routes"].as_array().unwrap().clone()
}

/// A request to `route` with what it needs: sample path ids, a JSON object or a form with its
/// required files.
fn send(c: &mut Client, route: &Value, extra_body: &Value) -> common::Resp {
    let (template, fixed) = route["path"].as_str().unwrap().split_once('?').map_or((route["path"].as_str().unwrap(), None), |(p, q)| (p, Some(q)));
    let path: String = template
        .split('/')
        .map(|s| if s.starts_with('{') { format!("{}_1", s.trim_matches(['{', '}'])) } else { s.to_string() })
        .collect::<Vec<_>>()
        .join("/");
    let target = match fixed {
        Some(q) => format!("/v1{path}?{q}"),
        None => format!("/v1{path}"),
    };
    let method = route["method"].as_str().unwrap();
    match route["request"].as_str().unwrap() {
        "multipart" => {
            let files: Vec<String> = route["required_files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect();
            let mut parts: Vec<FormPart> = vec![("purpose", None, None, b"assistants".as_slice()), ("model", None, None, b"whisper-1".as_slice())];
            parts.extend(files.iter().map(|f| (f.as_str(), Some("a.bin"), Some("application/octet-stream"), b"bytes".as_slice())));
            let stream = extra_body.get("stream").is_some();
            if stream {
                parts.push(("stream", None, None, b"true".as_slice()));
            }
            let body = multipart("BOUNDARY", &parts);
            c.request_with(method, &target, &[("Authorization", "Bearer sk-test"), ("Content-Type", "multipart/form-data; boundary=BOUNDARY")], &body)
        }
        "json" | "optional_json" => c.request(method, &target, extra_body.to_string().as_bytes()),
        _ => c.request(method, &target, b""),
    }
}

#[test]
fn every_route_answers_as_the_specification_says() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    let routes = routes();
    assert_eq!(routes.len(), 288);
    // What the routes written by hand insist on.
    let body = json!({"model": "gpt-4o-mini", "input": "Hi", "messages": [{"role": "user", "content": "Hi"}], "prompt": "A cat",
        "role": "user", "content": "Hi", "assistant_id": "asst_1", "training_file": "file-abc", "voice": "alloy", "tool_outputs": []});
    for route in &routes {
        let r = send(&mut c, route, &body);
        let what = format!("{} {}", route["method"], route["path"]);
        assert_eq!(r.status / 100, 2, "{what}: {}", r.text());
        match route["response"].as_str().unwrap() {
            "Json" | "JsonOrText" => assert!(r.json().is_object(), "{what}"),
            "Empty" => assert!(r.body.is_empty(), "{what}"),
            _ => assert!(!r.body.is_empty(), "{what}"),
        }
    }
}

#[test]
fn streaming_routes_stream_their_events() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    for route in routes().iter().filter(|r| r["stream"].is_string()) {
        let body = match route["stream"].as_str().unwrap() {
            "JsonStreamFormatSse" => json!({"stream_format": "sse", "model": "gpt-4o-mini-tts"}),
            _ => json!({"stream": true, "assistant_id": "asst_1", "model": "gpt-4o-mini", "prompt": "A cat", "messages": [{"role": "user", "content": "Hi"}]}),
        };
        let mut route = route.clone();
        if route["stream"] == "QueryStream" {
            route["path"] = json!(format!("{}?stream=true", route["path"].as_str().unwrap().replace("?beta=true", "")));
        }
        let r = send(&mut c, &route, &body);
        let what = format!("{} {}", route["method"], route["path"]);
        assert_eq!(r.status, 200, "{what}: {}", r.text());
        assert!(r.header("content-type").unwrap().starts_with("text/event-stream"), "{what}");
        let events = sse_events(&r.body);
        assert!(events.len() >= 2, "{what}: {events:?}");
        if route["path"] == "/responses" {
            let names: Vec<&str> = events.iter().filter_map(|(n, _)| n.as_deref()).collect();
            assert_eq!(names.first(), Some(&"response.created"));
            assert!(names.contains(&"response.output_text.delta"));
            assert_eq!(names.last(), Some(&"response.completed"));
        }
    }
}

#[test]
fn the_checks_apply_to_the_routes_from_the_specification() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    // No key, a missing object, a wrong method, a body that is not an object, a missing file.
    assert_eq!(c.request_with("GET", "/v1/vector_stores", &[], b"").status, 401);
    assert_eq!(c.request("GET", "/v1/vector_stores/missing_1", b"").status, 404);
    let r = c.request("PUT", "/v1/vector_stores", b"");
    assert_eq!((r.status, r.header("allow")), (405, Some("GET, POST")));
    assert_eq!(c.request("POST", "/v1/vector_stores", b"[1]").status, 400);
    let form = multipart("B", &[("purpose", None, None, b"x".as_slice())]);
    let r = c.request_with("POST", "/v1/uploads/u_1/parts", &[("Authorization", "Bearer sk-test"), ("Content-Type", "multipart/form-data; boundary=B")], &form);
    assert_eq!((r.status, r.json()["error"]["param"].as_str()), (400, Some("data")));
    // The path's object is the one answered; a later page is the last.
    assert_eq!(c.request("GET", "/v1/batches/batch_xyz", b"").json()["id"], "batch_xyz");
    let first = c.request("GET", "/v1/evals", b"").json();
    assert_eq!(first["has_more"], true);
    assert_eq!(c.request("GET", "/v1/evals?after=eval_1", b"").json()["has_more"], false);
}
