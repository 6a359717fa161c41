//! The request log and the control endpoints, through the library API and over HTTP.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use common::Client;
use openai_mock::MockServer;
use serde_json::{json, Value};

fn control(server: &MockServer, method: &str, path: &str, body: &str) -> common::Resp {
    Client::connect(server.addr()).request_with(method, path, &[], body.as_bytes())
}

#[test]
fn log_entry_fields() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    let r = c.request_with(
        "POST",
        "/v1/threads/th%20x/messages?limit=2&q=a%2Bb+c&flag",
        &[
            ("Authorization", "Bearer sk-1"),
            ("X-Custom", "One"),
            ("x-custom", "Two"),
        ],
        br#"{"role":"user","content":"hi"}"#,
    );
    assert_eq!(r.status, 200);
    let log = server.requests();
    assert_eq!(log.len(), 1);
    let e = &log[0];
    assert_eq!(e["seq"], 1);
    assert_eq!(e["request_id"], r.header("x-request-id").unwrap());
    assert_eq!(e["method"], "POST");
    assert_eq!(e["path"], "/v1/threads/th%20x/messages");
    assert_eq!(
        e["raw_target"],
        "/v1/threads/th%20x/messages?limit=2&q=a%2Bb+c&flag"
    );
    assert_eq!(e["query"], "limit=2&q=a%2Bb+c&flag");
    assert_eq!(
        e["query_pairs"],
        json!([["limit", "2"], ["q", "a+b c"], ["flag", ""]])
    );
    assert_eq!(e["version"], "HTTP/1.1");
    assert_eq!(
        e["headers"],
        json!([
            ["host", "127.0.0.1"],
            ["authorization", "Bearer sk-1"],
            ["x-custom", "One"],
            ["x-custom", "Two"],
            ["content-length", "30"]
        ])
    );
    assert_eq!(e["body"], r#"{"role":"user","content":"hi"}"#);
    assert_eq!(e["body_len"], 30);
    assert_eq!(e["body_truncated"], false);
    assert_eq!(
        e["body_sha256"],
        common::hex_sha256(br#"{"role":"user","content":"hi"}"#)
    );
    assert_eq!(e["parts"], Value::Null);
    assert_eq!(e["connection_id"], 1);
    assert_eq!(e["client_closed_early"], false);
    assert!(e.get("body_base64").is_none());
    assert_eq!(r.json()["thread_id"], "th x");

    // A GET has no query and an empty body; non-UTF-8 bodies come as base64.
    c.request("GET", "/v1/models", b"");
    c.request("POST", "/v1/audio/speech", b"\xff\xfe");
    let log = server.requests();
    assert_eq!(log[1]["query"], Value::Null);
    assert_eq!(log[1]["query_pairs"], json!([]));
    assert_eq!(log[1]["body"], "");
    assert_eq!(log[2]["body"], Value::Null);
    assert_eq!(log[2]["body_base64"], "//4=");
    assert_eq!(log[2]["seq"], 3);
    // Control requests are not logged.
    let over_http = control(&server, "GET", "/__mock/requests", "").json();
    assert_eq!(over_http.as_array().unwrap().len(), 3);
    assert_eq!(over_http, Value::Array(server.requests()));
    let since = control(&server, "GET", "/__mock/requests?since=2", "").json();
    assert_eq!(since.as_array().unwrap().len(), 1);
    assert_eq!(server.requests_since(1).len(), 2);
}

#[test]
fn clearing_config_and_reset() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    c.request("GET", "/v1/models", b"");
    assert_eq!(
        control(&server, "DELETE", "/__mock/requests", "").status,
        200
    );
    assert!(server.requests().is_empty());
    c.request("GET", "/v1/models", b"");
    assert_eq!(
        server.requests()[0]["seq"],
        2,
        "numbering goes on after DELETE"
    );

    let r = control(&server, "POST", "/__mock/config", r#"{"log": false}"#);
    assert_eq!(r.json(), json!({"log": false, "compress": false}));
    c.request("GET", "/v1/models", b"");
    assert_eq!(server.requests().len(), 1);
    assert_eq!(
        control(&server, "GET", "/__mock/config", "").json(),
        json!({"log": false, "compress": false})
    );
    assert_eq!(
        control(&server, "POST", "/__mock/config", r#"{"log": 1}"#).status,
        400
    );
    assert_eq!(
        control(&server, "POST", "/__mock/config", r#"{"lag": true}"#).status,
        400
    );
    server.set_logging(true);

    server.script(json!({"status": 500}));
    let only_c_open = || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while server.connections()["open"] != 1 {
            assert!(std::time::Instant::now() < deadline);
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    };
    only_c_open();
    assert_eq!(
        control(&server, "POST", "/__mock/reset", "").json(),
        json!({"ok": true})
    );
    // Counters restart from zero; `open` is a gauge: `c` stays open. Once the reset's own
    // connection is closed, it is the one close counted.
    only_c_open();
    assert_eq!(
        server.connections(),
        json!({"accepted": 0, "open": 1, "closed": 1, "closed_by_client_mid_response": 0, "requests_in_progress": 0, "bytes_sent": 0})
    );
    let conns = control(&server, "GET", "/__mock/connections", "").json();
    assert_eq!(
        (conns["accepted"].as_u64(), conns["open"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        c.request("GET", "/v1/models", b"").status,
        200,
        "scripts are cleared"
    );
    assert_eq!(
        server.requests()[0]["seq"],
        1,
        "numbering restarts after reset"
    );
    server.reset();
    assert!(server.requests().is_empty());

    let r = control(&server, "GET", "/__mock/health", "");
    assert_eq!((r.status, r.text().as_str()), (200, "ok"));
    assert_eq!(control(&server, "GET", "/__mock/nothing", "").status, 404);
}

#[test]
fn log_is_bounded() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    let body = vec![b'x'; 1 << 20]; // exactly 1 MiB: stored
    let r = c.request_with("POST", "/v1/files", &[], &body);
    assert_eq!(r.status, 401);
    let e = &server.requests()[0];
    assert_eq!(e["body_truncated"], false);
    assert_eq!(e["body"].as_str().unwrap().len(), 1 << 20);
}

#[test]
fn binary_prints_its_url_and_exits_on_stdin_eof() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_openai-mock"))
        .args(["--quiet", "--exit-on-stdin-eof"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("OPENAI_MOCK_URL=http://")
        .expect(&line)
        .to_string();
    assert!(url.starts_with("127.0.0.1:"));
    let addr: std::net::SocketAddr = url.parse().unwrap();
    let r = Client::connect(addr).request("GET", "/v1/models/gpt-4o", b"");
    assert_eq!(r.json()["id"], "gpt-4o");
    let mut stdin = child.stdin.take().unwrap();
    stdin.flush().unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(status.success());
}
