//! HTTP/1.1 handling: keep-alive, framing of request bodies, Expect, pipelining, bad input.

mod common;

use common::{build, Client};
use openai_mock::MockServer;
use serde_json::json;

#[test]
fn keep_alive_serves_many_requests_on_one_connection() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    for i in 1..=5u64 {
        let r = c.request("GET", "/v1/models", b"");
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-request-id").unwrap(), format!("req_{i:032x}"));
        assert!(r
            .header("openai-processing-ms")
            .unwrap()
            .parse::<u64>()
            .is_ok());
        assert_eq!(r.header("connection"), None);
    }
    let counters = server.connections();
    assert_eq!(
        (&counters["accepted"], &counters["open"], &counters["closed"]),
        (&json!(1), &json!(1), &json!(0))
    );
    assert_eq!(counters["closed_by_client_mid_response"], 0);
    let conn_ids: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r["connection_id"].clone())
        .collect();
    assert_eq!(conn_ids, vec![json!(1); 5]);
    drop(c);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while server.connections()["closed"] != 1 {
        assert!(std::time::Instant::now() < deadline, "close not seen");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(server.connections()["open"], 0);
}

#[test]
fn http10_gets_a_response_and_a_close() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    c.send(b"GET /v1/models/gpt-4o HTTP/1.0\r\nAuthorization: Bearer k\r\n\r\n");
    let r = c.read_response().unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("connection"), Some("close"));
    assert_eq!(r.json()["id"], "gpt-4o");
    let (rest, end) = c.read_to_end();
    assert!(rest.is_empty() && end.is_ok());

    // HTTP/1.0 with keep-alive stays open.
    let mut c = Client::connect(server.addr());
    for _ in 0..2 {
        c.send(
            b"GET /v1/models HTTP/1.0\r\nConnection: keep-alive\r\nAuthorization: Bearer k\r\n\r\n",
        );
        let r = c.read_response().unwrap();
        assert_eq!(r.header("connection"), Some("keep-alive"));
    }
}

#[test]
fn connection_close_is_honoured() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    let r = c.request_with(
        "GET",
        "/v1/models",
        &[("Authorization", "Bearer k"), ("Connection", "close")],
        b"",
    );
    assert_eq!(r.header("connection"), Some("close"));
    let (rest, end) = c.read_to_end();
    assert!(rest.is_empty() && end.is_ok());
}

#[test]
fn chunked_request_body_is_decoded() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    c.send(b"POST /v1/chat/completions HTTP/1.1\r\nAuthorization: Bearer k\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n");
    c.send(b"5;ext=1\r\n{\"mod\r\n");
    c.send(b"12\r\nel\":\"gpt-x\",\"a\":1}\r\n0\r\nX-Trailer: y\r\n\r\n");
    let r = c.read_response().unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["model"], "gpt-x");
    let log = server.requests();
    assert_eq!(log[0]["body"], "{\"model\":\"gpt-x\",\"a\":1}");
    assert_eq!(log[0]["body_len"], 23);
    // The connection is still usable.
    assert_eq!(c.request("GET", "/v1/models", b"").status, 200);
}

#[test]
fn expect_100_continue_is_answered_before_the_body() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    c.send(b"POST /v1/embeddings HTTP/1.1\r\nAuthorization: Bearer k\r\nExpect: 100-continue\r\nContent-Length: 13\r\n\r\n");
    let mut interim = [0u8; 25];
    std::io::Read::read_exact(&mut c.stream, &mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    c.send(b"{\"input\":\"a\"}");
    let r = c.read_response().unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["data"][0]["object"], "embedding");
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    let mut both = build("GET", "/v1/models/a", &[("Authorization", "Bearer k")], b"");
    both.extend(build(
        "GET",
        "/v1/models/b",
        &[("Authorization", "Bearer k")],
        b"",
    ));
    c.send(&both);
    assert_eq!(c.read_response().unwrap().json()["id"], "a");
    assert_eq!(c.read_response().unwrap().json()["id"], "b");
}

#[test]
fn garbage_gets_400_and_close() {
    let server = MockServer::start();
    for garbage in [
        &b"\x00\x01\x02 garbage\r\n\r\n"[..],
        b"GET /v1/models HTTP/1.1\r\nContent-Length: nope\r\n\r\n",
        b"POST /v1/models HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"POST /v1/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET no-slash HTTP/1.1\r\n\r\n",
    ] {
        let mut c = Client::connect(server.addr());
        c.send(garbage);
        let r = c.read_response().unwrap();
        assert_eq!(r.status, 400, "{:?}", String::from_utf8_lossy(garbage));
        assert_eq!(r.header("connection"), Some("close"));
        assert_eq!(r.json()["error"]["type"], "invalid_request_error");
        let (_, end) = c.read_to_end();
        assert!(end.is_ok());
    }
    // A head that never ends is cut at 64 KiB.
    let mut c = Client::connect(server.addr());
    let mut big = b"GET /v1/models HTTP/1.1\r\nX: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 70_000));
    c.send(&big);
    assert_eq!(c.read_response().unwrap().status, 400);
    // The server is still fine.
    assert_eq!(
        Client::connect(server.addr())
            .request("GET", "/v1/models", b"")
            .status,
        200
    );
}

#[test]
fn oversized_body_gets_413() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    c.send(
        b"POST /v1/files HTTP/1.1\r\nAuthorization: Bearer k\r\nContent-Length: 4294967297\r\n\r\n",
    );
    let r = c.read_response().unwrap();
    assert_eq!(r.status, 413);
    assert_eq!(r.header("connection"), Some("close"));
}

#[test]
fn large_upload_is_hashed_not_stored() {
    let server = MockServer::start();
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let mut c = Client::connect(server.addr());
    let r = c.request_with(
        "POST",
        "/v1/chat/completions",
        &[("Authorization", "Bearer k")],
        &data,
    );
    assert_eq!(r.status, 400); // not JSON
    let log = server.requests();
    assert_eq!(log[0]["body_len"], 3_000_000);
    assert_eq!(log[0]["body_truncated"], true);
    assert_eq!(log[0]["body"], serde_json::Value::Null);
    assert!(log[0].get("body_base64").is_none());
    assert_eq!(log[0]["body_sha256"], common::hex_sha256(&data));
}

#[test]
fn absolute_form_and_encoded_paths() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    let r = c.request("GET", "/v1/assistants/asst%2Fa%20b?x=1", b"");
    assert_eq!(r.json()["id"], "asst/a b");
    let log = server.requests();
    assert_eq!(log[0]["path"], "/v1/assistants/asst%2Fa%20b");
    assert_eq!(log[0]["raw_target"], "/v1/assistants/asst%2Fa%20b?x=1");
}
