//! Objects whose state changes: an upload's parts add up or are refused, and processed objects
//! are in progress for two retrievals, then done; ids the server did not make are answered as
//! before.

mod common;

use common::{multipart, Client};
use openai_mock::MockServer;
use serde_json::json;

fn part(c: &mut Client, upload: &str, data: &[u8]) -> common::Resp {
    let form = multipart("B", &[("data", Some("upload"), Some("application/octet-stream"), data)]);
    c.request_with(
        "POST",
        &format!("/v1/uploads/{upload}/parts"),
        &[("Authorization", "Bearer sk-test"), ("Content-Type", "multipart/form-data; boundary=B")],
        &form,
    )
}

#[test]
fn an_upload_completes_when_its_parts_add_up() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    let create = json!({"bytes": 10, "filename": "a.jsonl", "mime_type": "text/jsonl", "purpose": "batch"}).to_string();
    let upload = c.request("POST", "/v1/uploads", create.as_bytes()).json();
    assert_eq!((upload["status"].as_str(), upload["bytes"].as_u64(), upload["filename"].as_str()), (Some("pending"), Some(10), Some("a.jsonl")));
    let id = upload["id"].as_str().unwrap().to_string();
    let first = part(&mut c, &id, b"0123456").json()["id"].as_str().unwrap().to_string();
    let second = part(&mut c, &id, b"789").json()["id"].as_str().unwrap().to_string();
    // Parts that do not add up to `bytes` are refused; in any order they do.
    let r = c.request("POST", &format!("/v1/uploads/{id}/complete"), json!({"part_ids": [first]}).to_string().as_bytes());
    assert_eq!(r.status, 400);
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("(7) does not match the number of bytes expected (10)"));
    let done = c.request("POST", &format!("/v1/uploads/{id}/complete"), json!({"part_ids": [second, first]}).to_string().as_bytes()).json();
    assert_eq!(done["status"], "completed");
    assert_eq!((done["file"]["bytes"].as_u64(), done["file"]["filename"].as_str()), (Some(10), Some("a.jsonl")));
    assert!(done["file"]["id"].as_str().unwrap().starts_with("file-"));
    // No part after completion; a cancelled upload is cancelled.
    assert_eq!(part(&mut c, &id, b"x").status, 400);
    let other = c.request("POST", "/v1/uploads", create.as_bytes()).json()["id"].as_str().unwrap().to_string();
    assert_eq!(c.request("POST", &format!("/v1/uploads/{other}/cancel"), b"").json()["status"], "cancelled");
    assert_eq!(part(&mut c, &other, b"x").status, 400);
    // An upload the server did not make is answered from the specification's example.
    assert_eq!(part(&mut c, "upload_abc123", b"x").json()["id"], "part_def456");
}

#[test]
fn processed_objects_are_in_progress_twice_then_done() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    let batch = c.request("POST", "/v1/batches", br#"{"input_file_id":"file-in","endpoint":"/v1/responses","completion_window":"24h"}"#);
    assert_eq!((batch.json()["status"].as_str(), batch.header("openai-poll-after-ms")), (Some("validating"), Some("10")));
    let path = format!("/v1/batches/{}", batch.json()["id"].as_str().unwrap());
    for _ in 0..2 {
        let r = c.request("GET", &path, b"");
        assert_eq!((r.json()["status"].as_str(), r.header("openai-poll-after-ms")), (Some("in_progress"), Some("10")));
    }
    let done = c.request("GET", &path, b"");
    assert_eq!((done.json()["status"].as_str(), done.header("openai-poll-after-ms")), (Some("completed"), None));
    assert_eq!(done.json()["input_file_id"], "file-in");
    assert!(done.json()["output_file_id"].is_string());
    assert_eq!(c.request("GET", &path, b"").json()["status"], "completed");

    let file = c.request("POST", "/v1/vector_stores/vs_1/files", br#"{"file_id":"file-1"}"#).json();
    assert_eq!((file["id"].as_str(), file["status"].as_str(), file["vector_store_id"].as_str()), (Some("file-1"), Some("in_progress"), Some("vs_1")));
    let statuses: Vec<String> =
        (0..3).map(|_| c.request("GET", "/v1/vector_stores/vs_1/files/file-1", b"").json()["status"].as_str().unwrap().to_string()).collect();
    assert_eq!(statuses, ["in_progress", "in_progress", "completed"]);

    let background = c.request("POST", "/v1/responses", br#"{"model":"gpt-4o-mini","input":"Hi","background":true}"#).json();
    assert_eq!(background["status"], "queued");
    let path = format!("/v1/responses/{}", background["id"].as_str().unwrap());
    let last = (0..3).map(|_| c.request("GET", &path, b"").json()).last().unwrap();
    assert_eq!((last["status"].as_str(), last["output_text"].as_str()), (Some("completed"), Some(openai_mock::REPLY)));

    // What the server did not make is answered as before; a reset forgets what it made.
    assert_eq!(c.request("GET", "/v1/batches/batch_other", b"").json()["status"], "validating");
    server.reset();
    assert_eq!(c.request("GET", "/v1/vector_stores/vs_1/files/file-1", b"").json()["status"], "completed");
    assert_eq!(c.request_with("GET", &path, &[], b"").status, 401);
}
