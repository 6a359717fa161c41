//! Scripted responses and failures.

mod common;

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use common::Client;
use openai_mock::MockServer;
use serde_json::{json, Value};

fn wait_for(mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !cond() {
        assert!(Instant::now() < deadline, "condition not reached");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn status_headers_body_and_times() {
    let server = MockServer::start();
    server.script(json!({
        "match": {"method": "POST", "path": "/v1/chat/completions"},
        "status": 429,
        "headers": {"retry-after-ms": "10", "x-should-retry": "true"},
        "body_json": {"error": {"message": "Rate limit", "type": "rate_limit_error", "param": null, "code": null}},
        "times": 2,
    }));
    let mut c = Client::connect(server.addr());
    // Not matching: GET /v1/models.
    assert_eq!(c.request("GET", "/v1/models", b"").status, 200);
    for _ in 0..2 {
        let r = c.request("POST", "/v1/chat/completions", b"{}");
        assert_eq!(r.status, 429);
        assert_eq!(
            r.head.lines().next(),
            Some("HTTP/1.1 429 Too Many Requests")
        );
        assert_eq!(r.header("retry-after-ms"), Some("10"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert!(r.header("x-request-id").unwrap().starts_with("req_"));
        assert_eq!(r.json()["error"]["type"], "rate_limit_error");
    }
    // Used up: the real route answers again.
    assert_eq!(c.request("POST", "/v1/chat/completions", b"{}").status, 200);
}

#[test]
fn scripts_are_fifo_and_bypass_auth_and_routing() {
    let server = MockServer::start();
    server.script(json!([
        {"status": 500, "body": "first"},
        {"status": 502, "body_base64": "AAEC", "headers": {"content-type": "application/octet-stream", "openai-version": null}},
        {"match": {"path_prefix": "/v1/files"}, "status": 201, "body": "files"},
    ]));
    let mut c = Client::connect(server.addr());
    let r = c.request_with("GET", "/v1/files/x", &[], b"");
    assert_eq!((r.status, r.body.as_slice()), (500, &b"first"[..]));
    let r = c.request_with("GET", "/v1/anything", &[], b"");
    assert_eq!((r.status, r.body.as_slice()), (502, &[0u8, 1, 2][..]));
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    assert_eq!(r.header("openai-version"), None);
    let r = c.request("GET", "/v1/models", b"");
    assert_eq!(r.status, 200);
    let r = c.request("GET", "/v1/files", b"");
    assert_eq!((r.status, r.body.as_slice()), (201, &b"files"[..]));
}

#[test]
fn chunks_are_written_separately() {
    let server = MockServer::start();
    server.script(json!({
        "headers": {"content-type": "text/event-stream"},
        "chunks": [
            {"data": "data: {\"a\":"},
            {"data": "1}\n\ndata: [DO", "delay_ms": 30},
            {"data_base64": "TkVdCgo="},
        ],
    }));
    let mut c = Client::connect(server.addr());
    let r = c.request("POST", "/v1/chat/completions", b"{}");
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.body, b"data: {\"a\":1}\n\ndata: [DONE]\n\n");
    assert_eq!(r.chunk_sizes, vec![11, 13, 5]);
    assert_eq!(
        r.raw_body,
        b"b\r\ndata: {\"a\":\r\nd\r\n1}\n\ndata: [DO\r\n5\r\nNE]\n\n\r\n0\r\n\r\n"
    );

    // Without chunked framing: Content-Length is the total.
    server.script(json!({"body": "ab", "chunks": [{"data": "cd"}, {"data": "e", "delay_ms": 5}], "chunked": false}));
    let r = c.request("GET", "/v1/models", b"");
    assert_eq!(r.header("content-length"), Some("5"));
    assert_eq!(r.body, b"abcde");
}

#[test]
fn action_close() {
    let server = MockServer::start();
    server.script(json!({"action": "close"}));
    let mut c = Client::connect(server.addr());
    c.send(&common::build("GET", "/v1/models", &[], b""));
    let (bytes, end) = c.read_to_end();
    assert!(bytes.is_empty());
    assert!(end.is_ok(), "{end:?}");
}

#[test]
fn action_reset() {
    let server = MockServer::start();
    server.script(json!({"action": "reset"}));
    let mut c = Client::connect(server.addr());
    c.send(&common::build("GET", "/v1/models", &[], b""));
    let (bytes, end) = c.read_to_end();
    assert!(bytes.is_empty());
    assert_eq!(end.unwrap_err().kind(), ErrorKind::ConnectionReset);
}

#[test]
fn action_reset_after_headers() {
    let server = MockServer::start();
    server.script(json!({"action": "reset_after_headers", "body": "never sent"}));
    let mut c = Client::connect(server.addr());
    c.send(&common::build("GET", "/v1/models", &[], b""));
    let (status, _, headers) = c.read_head().unwrap();
    assert_eq!(status, 200);
    assert!(headers
        .iter()
        .any(|(n, v)| n == "content-length" && v == "10"));
    let (bytes, end) = c.read_to_end();
    assert!(bytes.is_empty());
    assert_eq!(end.unwrap_err().kind(), ErrorKind::ConnectionReset);
}

#[test]
fn action_reset_after_bytes() {
    let server = MockServer::start();
    server.script(json!({"action": "reset_after_bytes", "bytes": 20, "body": "hello"}));
    let mut c = Client::connect(server.addr());
    c.send(&common::build("GET", "/v1/models", &[], b""));
    let (bytes, end) = c.read_to_end();
    assert_eq!(bytes, b"HTTP/1.1 200 OK\r\ncon");
    assert_eq!(end.unwrap_err().kind(), ErrorKind::ConnectionReset);
}

#[test]
fn action_stall_and_client_cancel_is_counted() {
    let server = MockServer::start();
    server.script(json!({"action": "stall", "headers": {"content-type": "text/event-stream"}, "chunks": [{"data": "data: {}\n\n"}]}));
    let mut c = Client::connect(server.addr());
    c.send(&common::build(
        "POST",
        "/v1/chat/completions",
        &[("Authorization", "Bearer k")],
        b"{}",
    ));
    let (status, _, headers) = c.read_head().unwrap();
    assert_eq!(status, 200);
    assert!(headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v == "chunked"));
    c.stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let (bytes, end) = c.read_to_end();
    assert_eq!(bytes, b"a\r\ndata: {}\n\n\r\n");
    assert!(matches!(
        end.unwrap_err().kind(),
        ErrorKind::WouldBlock | ErrorKind::TimedOut
    ));
    assert_eq!(server.connections()["closed_by_client_mid_response"], 0);
    drop(c);
    wait_for(|| server.connections()["closed_by_client_mid_response"] == 1);
    assert_eq!(server.connections()["open"], 0);
    assert_eq!(server.requests()[0]["client_closed_early"], true);
}

#[test]
fn action_stall_before_headers() {
    let server = MockServer::start();
    server.script(json!({"action": "stall_before_headers"}));
    let mut c = Client::connect(server.addr());
    c.send(&common::build("GET", "/v1/models", &[], b""));
    c.stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let (bytes, end) = c.read_to_end();
    assert!(bytes.is_empty());
    assert!(end.is_err());
    // Logged at once, before any answer.
    assert_eq!(server.requests().len(), 1);
    drop(c);
    wait_for(|| server.connections()["closed_by_client_mid_response"] == 1);
    assert_eq!(server.requests()[0]["client_closed_early"], true);
}

#[test]
fn content_length_override_truncates_and_closes() {
    let server = MockServer::start();
    server.script(json!({"body": "{\"partial\":", "content_length": 100}));
    let mut c = Client::connect(server.addr());
    c.send(&common::build("GET", "/v1/models", &[], b""));
    let (status, _, headers) = c.read_head().unwrap();
    assert_eq!(status, 200);
    assert!(headers
        .iter()
        .any(|(n, v)| n == "content-length" && v == "100"));
    let (bytes, end) = c.read_to_end();
    assert_eq!(bytes, b"{\"partial\":");
    assert!(end.is_ok());
}

#[test]
fn then_close_answers_then_closes_silently() {
    let server = MockServer::start();
    server.script(json!({"body": "ok", "then_close": true}));
    let mut c = Client::connect(server.addr());
    let r = c.request("GET", "/v1/models", b"");
    assert_eq!(
        (r.status, r.body.as_slice(), r.header("connection")),
        (200, &b"ok"[..], None)
    );
    let (rest, end) = c.read_to_end();
    assert!(rest.is_empty() && end.is_ok());
}

#[test]
fn delay_and_cancel_during_delay() {
    let server = MockServer::start();
    server.script(json!({"delay_ms": 150, "body": "late"}));
    let t = Instant::now();
    let r = Client::connect(server.addr()).request("GET", "/v1/models", b"");
    assert!(t.elapsed() >= Duration::from_millis(150));
    assert_eq!(r.body, b"late");

    server.script(json!({"delay_ms": 60_000, "body": "never"}));
    let mut c = Client::connect(server.addr());
    c.send(&common::build("GET", "/v1/models", &[], b""));
    std::thread::sleep(Duration::from_millis(100));
    drop(c);
    wait_for(|| server.connections()["closed_by_client_mid_response"] == 1);
    assert_eq!(
        server.requests().last().unwrap()["client_closed_early"],
        true
    );
}

#[test]
fn stream_cancel_mid_response_is_counted() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    c.send(&common::build(
        "POST",
        "/v1/chat/completions",
        &[("Authorization", "Bearer k")],
        br#"{"stream":true,"mock_chunks":1000,"mock_delay_ms":20}"#,
    ));
    let (status, _, _) = c.read_head().unwrap();
    assert_eq!(status, 200);
    drop(c);
    wait_for(|| server.connections()["closed_by_client_mid_response"] == 1);
    let conns = server.connections();
    assert_eq!(
        (
            conns["accepted"].as_u64(),
            conns["open"].as_u64(),
            conns["closed"].as_u64()
        ),
        (Some(1), Some(0), Some(1))
    );
}

#[test]
fn invalid_scripts_are_refused() {
    let server = MockServer::start();
    assert!(server
        .try_script(json!({"action": "explode"}))
        .unwrap_err()
        .contains("unknown action"));
    // All or nothing.
    assert!(server
        .try_script(json!([{"status": 500}, {"status": 1}]))
        .is_err());
    let r = Client::connect(server.addr()).request_with(
        "POST",
        "/__mock/script",
        &[],
        br#"{"stauts": 500}"#,
    );
    assert_eq!(r.status, 400);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("unknown field 'stauts'"));
    let r = Client::connect(server.addr()).request_with("GET", "/__mock/script", &[], b"");
    assert_eq!(r.json(), json!([]));
    let r = Client::connect(server.addr()).request_with(
        "POST",
        "/__mock/script",
        &[],
        br#"[{"status": 503, "times": 3}]"#,
    );
    assert_eq!(r.json(), json!({"ok": true, "pending": 1}));
    let r = Client::connect(server.addr()).request_with("GET", "/__mock/script", &[], b"");
    assert_eq!(r.json()[0]["remaining"], 3);
    let r = Client::connect(server.addr()).request_with("DELETE", "/__mock/script", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(
        Client::connect(server.addr())
            .request("GET", "/v1/models", b"")
            .status,
        200
    );
    let _: Value = server.connections();
}
