//! A large file through the Uploads API (`openai_uploads_upload_file_chunked` and its `_async`
//! form) against the mock server, which tracks uploads (the parts' bytes must add up): the exact
//! requests (the create body, each part's bytes by their SHA-256, the part ids in the file's
//! order), parts in flight at once (as many as asked), progress, a part that fails once and
//! is sent again, a part that fails for good (the Upload cancelled), cancellation, and bad
//! arguments that send nothing.

mod common;

use std::ffi::{c_char, c_void, CString};
use std::io::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use common::*;
use openai::ffi::cancel::*;
use openai::ffi::future::*;
use openai::ffi::uploads::*;
use serde_json::{json, Value};

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// A file of `len` bytes of a pattern that differs in every part, in a directory removed when
/// dropped.
struct TempFile {
    dir: std::path::PathBuf,
    path: std::path::PathBuf,
    data: Vec<u8>,
}

impl TempFile {
    fn new(name: &str, len: usize) -> TempFile {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!("openai-chunked-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed)));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        let data: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
        std::fs::File::create(&path).unwrap().write_all(&data).unwrap();
        TempFile { dir, path, data }
    }

    fn c_path(&self) -> CString {
        c(self.path.to_str().unwrap())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What the progress callback heard.
#[derive(Default)]
struct Heard(Mutex<Vec<(u64, u64)>>);

unsafe extern "C" fn record(done: u64, total: u64, userdata: *mut c_void) {
    let heard = unsafe { &*(userdata as *const Heard) };
    heard.0.lock().unwrap().push((done, total));
}

const CREATE: &str = r#"{"purpose":"batch","mime_type":"text/jsonl"}"#;

fn upload(h: &Harness, file: &TempFile, create: &str, options: Option<&str>, heard: &Heard) -> Reply {
    let (create, options) = (c(create), options.map(c));
    call(|out| unsafe {
        openai_uploads_upload_file_chunked(
            h.client,
            file.c_path().as_ptr(),
            create.as_ptr(),
            options.as_ref().map_or(std::ptr::null(), |o| o.as_ptr()),
            Some(record),
            heard as *const Heard as *mut c_void,
            out,
        )
    })
}

/// The requests of one upload, by kind: the create, the parts (in the order received), the
/// complete and the cancel.
struct Sent {
    create: Vec<Value>,
    parts: Vec<Value>,
    complete: Vec<Value>,
    cancel: Vec<Value>,
}

fn sort(requests: Vec<Value>) -> Sent {
    let mut sent = Sent { create: vec![], parts: vec![], complete: vec![], cancel: vec![] };
    for r in requests {
        let path = r["path"].as_str().unwrap().to_string();
        assert_eq!(r["method"], "POST", "{path}");
        let list = match path.rsplit('/').next().unwrap() {
            "uploads" => &mut sent.create,
            "parts" => &mut sent.parts,
            "complete" => &mut sent.complete,
            "cancel" => &mut sent.cancel,
            other => panic!("unexpected request {other}"),
        };
        list.push(r);
    }
    sent
}

/// The one file part of a part request: (name, filename, content type, length, sha256).
fn data_part(request: &Value) -> (String, String, String, u64, String) {
    let parts = request["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 1, "{request:#}");
    let p = &parts[0];
    let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
    (s("name"), s("filename"), s("content_type"), p["len"].as_u64().unwrap(), s("sha256"))
}

#[test]
fn a_file_goes_in_parts_streamed_from_its_ranges_and_completes_in_order() {
    let h = Harness::new();
    // 5 parts of 256 KiB and one of 1,000 bytes, 3 in flight at once.
    let part = 256 << 10;
    let file = TempFile::new("train.jsonl", 5 * part + 1000);
    let heard = Heard::default();
    let reply = upload(&h, &file, CREATE, Some(&format!(r#"{{"part_size":{part},"parallel":3}}"#)), &heard);
    assert_eq!(reply.code, OPENAI_OK, "{:?}", reply.message);
    let upload = reply.json();
    let size = file.data.len() as u64;
    assert_eq!((upload["status"].as_str(), upload["file"]["bytes"].as_u64()), (Some("completed"), Some(size)));
    assert!(upload["file"]["id"].as_str().unwrap().starts_with("file-"));

    let sent = sort(h.take_requests());
    // The create body: the caller's members, then the file's size and name.
    assert_eq!(sent.create.len(), 1);
    assert_eq!(sent.create[0]["body"], format!(r#"{{"purpose":"batch","mime_type":"text/jsonl","bytes":{size},"filename":"train.jsonl"}}"#));
    assert_eq!(header(&sent.create[0], "content-type"), Some("application/json"));
    let id = upload["id"].as_str().unwrap();
    // Each part: the bytes of its range, as the SDK sends a part (`data`, "upload", octet-stream).
    let mut expected: Vec<(String, String, String, u64, String)> = file
        .data
        .chunks(part)
        .map(|range| ("data".into(), "upload".into(), "application/octet-stream".into(), range.len() as u64, sha256_hex(range)))
        .collect();
    let mut got: Vec<_> = sent.parts.iter().map(data_part).collect();
    for r in &sent.parts {
        assert_eq!(r["path"], format!("/v1/uploads/{id}/parts"));
    }
    got.sort_by(|a, b| a.4.cmp(&b.4));
    expected.sort_by(|a, b| a.4.cmp(&b.4));
    assert_eq!(got, expected);
    // Complete: every part id, in the file's order (the mock checks that the bytes add up).
    assert_eq!(sent.complete.len(), 1);
    assert!(sent.cancel.is_empty());
    let part_ids: Vec<String> = serde_json::from_str::<Value>(sent.complete[0]["body"].as_str().unwrap()).unwrap()["part_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(part_ids.len(), 6);
    // The mock numbers its objects in the order it makes them (the upload 1, then each part as it
    // arrives): the ids of the file's ranges, in order, are those of the parts that carried them.
    let id_of_range: Vec<String> = file
        .data
        .chunks(part)
        .map(|range| {
            let sha = sha256_hex(range);
            let at = sent.parts.iter().position(|r| data_part(r).4 == sha).unwrap();
            format!("part_mock_{}", at + 2)
        })
        .collect();
    assert_eq!(part_ids, id_of_range);
    // Progress: every report against the file's size, never backwards (nothing was retried), to
    // the whole file.
    let heard = heard.0.lock().unwrap();
    assert!(heard.iter().all(|(_, total)| *total == size));
    assert!(heard.windows(2).all(|w| w[0].0 <= w[1].0), "{heard:?}");
    assert_eq!(heard.last(), Some(&(size, size)));
}

#[test]
fn parts_go_out_as_many_at_a_time_as_asked() {
    let h = Harness::new();
    let file = TempFile::new("data.jsonl", 6000);
    // No part is answered: the parts in flight are those sent before any answer came.
    h.mock.script(json!({"match": {"method": "POST", "path_prefix": "/v1/uploads/"}, "delay_ms": 60_000, "times": 10}));
    let (create, options) = (c(CREATE), c(r#"{"part_size":1000,"parallel":3}"#));
    let future = unsafe {
        openai_uploads_upload_file_chunked_async(h.client, file.c_path().as_ptr(), create.as_ptr(), options.as_ptr(), None, std::ptr::null_mut(), None, std::ptr::null_mut())
    };
    let parts = || h.mock.requests().iter().filter(|r| r["path"].as_str().unwrap().ends_with("/parts")).count();
    for _ in 0..1000 {
        if parts() >= 3 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    // Three at once, and no fourth while none of them is answered.
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(parts(), 3);
    unsafe { openai_future_cancel(future) };
    let mut response = std::ptr::null_mut();
    assert_eq!(reply(unsafe { openai_future_take(future, &mut response) }, response).code, OPENAI_CANCELLED);
    unsafe { openai_future_free(future) };
}

#[test]
fn a_part_that_fails_once_is_sent_again_from_the_file() {
    let h = Harness::with_options(r#"{"max_retries":1}"#);
    let file = TempFile::new("data.jsonl", 3000);
    h.mock.script(json!({"match": {"method": "POST", "path_prefix": "/v1/uploads/"}, "status": 500, "headers": {"retry-after-ms": "1"},
        "body_json": {"error": {"message": "try again", "type": "server_error"}}}));
    let heard = Heard::default();
    let reply = upload(&h, &file, CREATE, Some(r#"{"part_size":1000,"parallel":1}"#), &heard);
    assert_eq!(reply.code, OPENAI_OK, "{:?}", reply.message);
    let sent = sort(h.take_requests());
    // Four part requests: the first failed and was sent again with the same bytes.
    let parts: Vec<_> = sent.parts.iter().map(data_part).collect();
    assert_eq!(parts.len(), 4);
    assert_eq!(parts[0], parts[1]);
    let ranges: Vec<String> = file.data.chunks(1000).map(sha256_hex).collect();
    assert_eq!(parts.iter().map(|p| p.4.clone()).collect::<Vec<_>>(), [ranges[0].clone(), ranges[0].clone(), ranges[1].clone(), ranges[2].clone()]);
    assert_eq!((sent.complete.len(), sent.cancel.len()), (1, 0));
    assert_eq!(reply.json()["file"]["bytes"], 3000);
    // The retried part counted again from its start; the end is the whole file.
    let heard = heard.0.lock().unwrap();
    assert_eq!(heard.iter().filter(|(done, _)| *done == 1000).count(), 2, "{heard:?}");
    assert_eq!(heard.last(), Some(&(3000, 3000)));
}

#[test]
fn a_part_that_fails_for_good_cancels_the_upload() {
    let h = Harness::new();
    let file = TempFile::new("data.jsonl", 3000);
    // The second part is refused.
    h.mock.script(json!([
        {"match": {"method": "POST", "path_prefix": "/v1/uploads/"}, "status": 200, "body_json": {"id": "part_a", "object": "upload.part"}},
        {"match": {"method": "POST", "path_prefix": "/v1/uploads/"}, "status": 400,
         "body_json": {"error": {"message": "Part too small", "type": "invalid_request_error", "param": "data"}}}
    ]));
    let reply = upload(&h, &file, CREATE, Some(r#"{"part_size":1000,"parallel":1}"#), &Heard::default());
    assert_eq!((reply.code, reply.status), (OPENAI_BAD_REQUEST, 400));
    assert_eq!(reply.message.as_deref(), Some("Error code: 400 - Part too small"));
    let sent = sort(h.take_requests());
    assert_eq!((sent.parts.len(), sent.complete.len(), sent.cancel.len()), (2, 0, 1));
    assert!(sent.cancel[0]["path"].as_str().unwrap().starts_with("/v1/uploads/upload_mock_"), "{}", sent.cancel[0]["path"]);
    assert_eq!(sent.cancel[0]["body"], "");
}

#[test]
fn the_async_form_gives_the_same_upload() {
    let h = Harness::new();
    let file = TempFile::new("data.jsonl", 2500);
    let heard = Heard::default();
    let (create, options) = (c(r#"{"purpose":"assistants","mime_type":"text/plain","filename":"notes.txt"}"#), c(r#"{"part_size":1000}"#));
    let future = unsafe {
        openai_uploads_upload_file_chunked_async(h.client, file.c_path().as_ptr(), create.as_ptr(), options.as_ptr(), Some(record), &heard as *const Heard as *mut c_void, None, std::ptr::null_mut())
    };
    assert_eq!(unsafe { openai_future_wait(future, 20_000) }, OPENAI_OK);
    let mut response = std::ptr::null_mut();
    let reply = reply(unsafe { openai_future_take(future, &mut response) }, response);
    unsafe { openai_future_free(future) };
    assert_eq!(reply.code, OPENAI_OK, "{:?}", reply.message);
    assert_eq!((reply.json()["file"]["filename"].as_str(), reply.json()["file"]["bytes"].as_u64()), (Some("notes.txt"), Some(2500)));
    let sent = sort(h.take_requests());
    assert_eq!((sent.create.len(), sent.parts.len(), sent.complete.len()), (1, 3, 1));
    assert_eq!(heard.0.lock().unwrap().last(), Some(&(2500, 2500)));
}

/// Waits (at most 10 s) for the mock to receive a request whose path ends with `suffix`.
fn wait_for(h: &Harness, suffix: &str) -> Value {
    for _ in 0..1000 {
        if let Some(r) = h.mock.requests().into_iter().find(|r| r["path"].as_str().unwrap().ends_with(suffix)) {
            return r;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("no request to *{suffix} arrived");
}

#[test]
fn cancelling_stops_the_upload_at_once_and_cancels_it_on_the_server() {
    let h = Harness::new();
    let file = TempFile::new("data.jsonl", 2000);
    // Parts that would take a minute to be answered.
    h.mock.script(json!({"match": {"method": "POST", "path_prefix": "/v1/uploads/"}, "delay_ms": 60_000, "times": 10}));
    let (create, options) = (c(CREATE), c(r#"{"part_size":1000}"#));
    let future = unsafe {
        openai_uploads_upload_file_chunked_async(h.client, file.c_path().as_ptr(), create.as_ptr(), options.as_ptr(), None, std::ptr::null_mut(), None, std::ptr::null_mut())
    };
    wait_for(&h, "/parts");
    unsafe { openai_future_cancel(future) };
    let mut response = std::ptr::null_mut();
    let reply = reply(unsafe { openai_future_take(future, &mut response) }, response);
    unsafe { openai_future_free(future) };
    assert_eq!(reply.code, OPENAI_CANCELLED);
    let cancel = wait_for(&h, "/cancel");
    assert!(cancel["path"].as_str().unwrap().starts_with("/v1/uploads/upload_mock_"));
    h.mock.reset();

    // A blocking call through a client bound to a token that another thread cancels.
    h.mock.script(json!({"match": {"method": "POST", "path_prefix": "/v1/uploads/"}, "delay_ms": 60_000, "times": 10}));
    let token = openai_cancel_token_new();
    let mut bound = std::ptr::null_mut();
    assert_eq!(unsafe { openai_client_with_cancel_token(h.client, token, &mut bound) }, OPENAI_OK);
    let token_address = token as usize;
    let reply = std::thread::scope(|scope| {
        scope.spawn(|| {
            wait_for(&h, "/parts");
            unsafe { openai_cancel_token_cancel(token_address as *const openai_cancel_token) };
        });
        call(|out| unsafe {
            openai_uploads_upload_file_chunked(bound, file.c_path().as_ptr(), create.as_ptr(), options.as_ptr(), None, std::ptr::null_mut(), out)
        })
    });
    assert_eq!(reply.code, OPENAI_CANCELLED);
    wait_for(&h, "/cancel");
    unsafe {
        openai_client_free(bound);
        openai_cancel_token_free(token);
    }
}

#[test]
fn bad_arguments_send_nothing() {
    let h = Harness::new();
    let file = TempFile::new("data.jsonl", 10);
    let refused = |path: Option<&CString>, create: Option<&str>, options: Option<&str>| {
        let (create, options) = (create.map(c), options.map(c));
        let p = |s: Option<&CString>| s.map_or(std::ptr::null(), |s| s.as_ptr()) as *const c_char;
        let reply = call(|out| unsafe {
            openai_uploads_upload_file_chunked(h.client, p(path), p(create.as_ref()), p(options.as_ref()), None, std::ptr::null_mut(), out)
        });
        assert_eq!(reply.code, OPENAI_INVALID_ARGUMENT);
        reply.message.unwrap()
    };
    let path = file.c_path();
    assert_eq!(refused(None, Some(CREATE), None), "path is NULL");
    assert_eq!(refused(Some(&path), None, None), "create_json is NULL");
    assert!(refused(Some(&path), Some(r#"{"purpose":"batch"}"#), None).contains("\"mime_type\""));
    assert!(refused(Some(&path), Some(CREATE), Some(r#"{"part_size":67108865}"#)).starts_with("part_size must be"));
    assert!(refused(Some(&c("/nonexistent/big.jsonl")), Some(CREATE), None).contains("cannot be read"));
    assert!(h.take_requests().is_empty());
}
