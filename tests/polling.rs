//! Waiting for a terminal status through the C ABI: a status that takes three polls, the
//! server's interval (`openai-poll-after-ms`), the caller's interval and the default, the
//! deadline, cancellation, failures, and every `_poll` and `_create_and_poll` export (blocking
//! and async) against the mock's objects that advance on their own.

mod common;

use std::ffi::{c_char, c_void};
use std::time::Duration;

use common::*;
use openai::ffi::cancel::*;
use openai::ffi::future::*;
use openai::ffi::polling::*;
use openai::ffi::request::openai_request;
use openai::ffi::upload::openai_upload;
use serde_json::{json, Value};

/// A scripted retrieval of `path` answering `status`, with the server's interval when given.
fn answer(path: &str, status: &str, poll_after_ms: Option<u64>, times: u32) -> Value {
    let mut headers = serde_json::Map::new();
    if let Some(ms) = poll_after_ms {
        headers.insert("openai-poll-after-ms".into(), json!(ms.to_string()));
    }
    json!({"match": {"method": "GET", "path": path}, "headers": headers, "times": times,
           "body_json": {"id": path.rsplit('/').next().unwrap(), "object": "batch", "status": status}})
}

fn options(json: Option<&str>) -> Option<std::ffi::CString> {
    json.map(c)
}

fn ptr(s: &Option<std::ffi::CString>) -> *const c_char {
    s.as_ref().map_or(std::ptr::null(), |s| s.as_ptr())
}

fn poll_batch(h: &Harness, id: &str, options_json: Option<&str>) -> Reply {
    let (id, options) = (c(id), options(options_json));
    call(|out| unsafe { openai_batches_poll(h.client, id.as_ptr(), ptr(&options), out) })
}

/// The time between two logged requests.
fn gap(a: &Value, b: &Value) -> Duration {
    Duration::from_micros(b["received_us"].as_u64().unwrap() - a["received_us"].as_u64().unwrap())
}

#[test]
fn a_status_that_takes_three_polls() {
    let h = Harness::new();
    h.mock.script(json!([answer("/v1/batches/batch_1", "in_progress", Some(30), 2), answer("/v1/batches/batch_1", "completed", None, 1)]));
    let reply = poll_batch(&h, "batch_1", None);
    assert_eq!((reply.code, reply.json()["status"].as_str()), (OPENAI_OK, Some("completed")));
    let requests = h.take_requests();
    assert_eq!(requests.len(), 3);
    for r in &requests {
        assert_request(r, &Expected::new("GET", "/v1/batches/batch_1"));
    }
    // Each look came after the interval the previous answer asked for.
    assert!(gap(&requests[0], &requests[1]) >= Duration::from_millis(30));
    assert!(gap(&requests[1], &requests[2]) >= Duration::from_millis(30));
}

#[test]
fn the_servers_interval_the_callers_and_the_default() {
    let h = Harness::new();
    // The server asks for 10 ms: two waits fit a deadline of 1.5 s, two of the default second
    // would not.
    h.mock.script(json!([answer("/v1/batches/b", "validating", Some(10), 1), answer("/v1/batches/b", "finalizing", Some(10), 1), answer("/v1/batches/b", "failed", None, 1)]));
    let reply = poll_batch(&h, "b", Some(r#"{"timeout_ms":1500}"#));
    assert_eq!((reply.code, reply.json()["status"].as_str()), (OPENAI_OK, Some("failed")));
    assert_eq!(h.take_requests().len(), 3);
    // The caller's interval replaces the server's (which would outlast the deadline).
    h.mock.script(json!([answer("/v1/batches/b", "in_progress", Some(60_000), 2), answer("/v1/batches/b", "expired", None, 1)]));
    let reply = poll_batch(&h, "b", Some(r#"{"interval_ms":20,"timeout_ms":5000}"#));
    assert_eq!((reply.code, reply.json()["status"].as_str()), (OPENAI_OK, Some("expired")));
    let requests = h.take_requests();
    assert!(gap(&requests[0], &requests[1]) >= Duration::from_millis(20));
    // Without either, a second: longer than a deadline of half a second, which then ends the
    // call with the object as last read, after one look.
    h.mock.script(json!([answer("/v1/batches/b", "in_progress", None, 1), answer("/v1/batches/b", "completed", None, 1)]));
    let reply = poll_batch(&h, "b", Some(r#"{"timeout_ms":500}"#));
    assert_eq!((reply.code, reply.status, reply.json()["status"].as_str()), (OPENAI_TIMEOUT, 200, Some("in_progress")));
    assert_eq!(reply.message.as_deref(), Some("batches.retrieve: the status was still \"in_progress\" when timeout_ms (500 ms) passed"));
    assert_eq!(h.take_requests().len(), 1);
    // The same wait without a deadline: the second look a second after the first.
    let reply = poll_batch(&h, "b", None);
    assert_eq!(reply.code, OPENAI_OK);
    let requests = h.take_requests();
    assert_eq!(requests.len(), 1, "the scripted completion answered the first look");
    h.mock.script(json!([answer("/v1/batches/b", "in_progress", None, 1), answer("/v1/batches/b", "completed", None, 1)]));
    assert_eq!(poll_batch(&h, "b", None).code, OPENAI_OK);
    let requests = h.take_requests();
    assert!(gap(&requests[0], &requests[1]) >= Duration::from_millis(1000));
}

#[test]
fn a_deadline_that_passes_during_a_look_ends_it() {
    let h = Harness::new();
    h.mock.script(json!({"match": {"path": "/v1/batches/slow"}, "delay_ms": 60_000}));
    let reply = poll_batch(&h, "slow", Some(r#"{"timeout_ms":200}"#));
    assert_eq!((reply.code, reply.status), (OPENAI_TIMEOUT, 0));
    assert_eq!(reply.message.as_deref(), Some("batches.retrieve: no status was read before timeout_ms (200 ms) passed"));
}

#[test]
fn failures_and_answers_without_a_status_are_returned_as_they_came() {
    let h = Harness::new();
    h.mock.script(json!({"match": {"path": "/v1/batches/gone"}, "status": 404,
        "body_json": {"error": {"message": "No batch found", "type": "invalid_request_error"}}}));
    let reply = poll_batch(&h, "gone", None);
    assert_eq!((reply.code, reply.message.as_deref()), (OPENAI_NOT_FOUND, Some("Error code: 404 - No batch found")));
    h.mock.script(json!({"match": {"path": "/v1/batches/odd"}, "body_json": {"id": "odd"}}));
    let reply = poll_batch(&h, "odd", None);
    assert_eq!((reply.code, reply.message.as_deref()), (OPENAI_INVALID_RESPONSE, Some("the batches.retrieve response has no \"status\" string")));
    assert_eq!(h.take_requests().len(), 2);
    // Arguments that are refused before anything is sent.
    for (options, message) in [
        (r#"{"interval_ms":-5}"#, "interval_ms must be a whole number of milliseconds (0 or more), not -5"),
        (r#"{"deadline":5}"#, "options_json has \"deadline\", which is not an option (interval_ms, timeout_ms)"),
        ("{", "options_json is not valid JSON: EOF while parsing an object at line 1 column 1"),
    ] {
        let reply = poll_batch(&h, "b", Some(options));
        assert_eq!((reply.code, reply.message.as_deref()), (OPENAI_INVALID_ARGUMENT, Some(message)));
    }
    let reply = call(|out| unsafe { openai_batches_poll(h.client, std::ptr::null(), std::ptr::null(), out) });
    assert_eq!((reply.code, reply.message.as_deref()), (OPENAI_INVALID_ARGUMENT, Some("batch_id is NULL")));
    assert!(h.take_requests().is_empty());
}

#[test]
fn runs_are_created_then_polled_with_the_beta_header() {
    let h = Harness::new();
    let run = |status: &str| json!({"id": "run_9", "object": "thread.run", "thread_id": "thread_1", "status": status});
    h.mock.script(json!([
        {"match": {"method": "POST", "path": "/v1/threads/thread_1/runs"}, "headers": {"openai-poll-after-ms": "5"}, "body_json": run("queued")},
        {"match": {"method": "GET", "path": "/v1/threads/thread_1/runs/run_9"}, "headers": {"openai-poll-after-ms": "5"}, "body_json": run("in_progress")},
        {"match": {"method": "GET", "path": "/v1/threads/thread_1/runs/run_9"}, "body_json": run("requires_action")}
    ]));
    let (thread, body) = (c("thread_1"), c(r#"{"assistant_id":"asst_1"}"#));
    let reply = call(|out| unsafe { openai_beta_threads_runs_create_and_poll(h.client, thread.as_ptr(), body.as_ptr(), std::ptr::null(), out) });
    assert_eq!((reply.code, reply.json()["status"].as_str()), (OPENAI_OK, Some("requires_action")));
    let requests = h.take_requests();
    assert_eq!(requests.len(), 3);
    assert_request(&requests[0], &Expected::new("POST", "/v1/threads/thread_1/runs").body(r#"{"assistant_id":"asst_1"}"#).beta());
    for r in &requests[1..] {
        assert_request(r, &Expected::new("GET", "/v1/threads/thread_1/runs/run_9").beta());
    }
    // Created in a terminal status: returned without a look.
    h.mock.script(json!({"match": {"method": "POST", "path": "/v1/threads/thread_1/runs"}, "body_json": run("completed")}));
    let reply = call(|out| unsafe { openai_beta_threads_runs_create_and_poll(h.client, thread.as_ptr(), body.as_ptr(), std::ptr::null(), out) });
    assert_eq!((reply.code, reply.json()["status"].as_str()), (OPENAI_OK, Some("completed")));
    assert_eq!(h.take_requests().len(), 1);
    // A failed creation is returned as it came.
    h.mock.script(json!({"match": {"method": "POST", "path": "/v1/threads/thread_1/runs"}, "status": 400,
        "body_json": {"error": {"message": "Thread busy", "type": "invalid_request_error"}}}));
    let reply = call(|out| unsafe { openai_beta_threads_runs_create_and_poll(h.client, thread.as_ptr(), body.as_ptr(), std::ptr::null(), out) });
    assert_eq!((reply.code, reply.message.as_deref()), (OPENAI_BAD_REQUEST, Some("Error code: 400 - Thread busy")));
    assert_eq!(h.take_requests().len(), 1);
}

#[test]
fn cancelling_ends_a_wait_at_once() {
    let h = Harness::new();
    // The server asks for a minute between looks.
    h.mock.script(json!(answer("/v1/batches/b", "in_progress", Some(60_000), 10)));
    let id = c("b");
    let future = unsafe { openai_batches_poll_async(h.client, id.as_ptr(), std::ptr::null(), None, std::ptr::null_mut()) };
    while h.mock.requests().is_empty() {
        std::thread::sleep(Duration::from_millis(5));
    }
    unsafe { openai_future_cancel(future) };
    let mut response = std::ptr::null_mut();
    let reply = reply(unsafe { openai_future_take(future, &mut response) }, response);
    unsafe { openai_future_free(future) };
    assert_eq!(reply.code, OPENAI_CANCELLED);
    // A blocking wait through a client bound to a token another thread cancels.
    let token = openai_cancel_token_new();
    let mut bound = std::ptr::null_mut();
    assert_eq!(unsafe { openai_client_with_cancel_token(h.client, token, &mut bound) }, OPENAI_OK);
    let token_address = token as usize;
    let seen = h.mock.requests().len();
    let reply = std::thread::scope(|scope| {
        scope.spawn(|| {
            while h.mock.requests().len() == seen {
                std::thread::sleep(Duration::from_millis(5));
            }
            unsafe { openai_cancel_token_cancel(token_address as *const openai_cancel_token) };
        });
        call(|out| unsafe { openai_batches_poll(bound, id.as_ptr(), std::ptr::null(), out) })
    });
    assert_eq!((reply.code, reply.message.as_deref()), (OPENAI_CANCELLED, Some("the call was cancelled by its client's cancel token")));
    unsafe {
        openai_client_free(bound);
        openai_cancel_token_free(token);
    }
}

/// An async call's response.
fn finish(future: *mut openai_future) -> Reply {
    assert_eq!(unsafe { openai_future_wait(future, 20_000) }, OPENAI_OK);
    let mut response = std::ptr::null_mut();
    let reply = reply(unsafe { openai_future_take(future, &mut response) }, response);
    unsafe { openai_future_free(future) };
    reply
}

/// The GET paths of `requests`, and how many there were of each.
fn looks(requests: &[Value]) -> Vec<String> {
    requests.iter().filter(|r| r["method"] == "GET").map(|r| r["path"].as_str().unwrap().to_string()).collect()
}

#[test]
fn every_helper_waits_for_the_mocks_objects_blocking_and_async() {
    let h = Harness::new();
    let cs = |s: &str| c(s);
    let post = |path: &str, body: &str| -> Value {
        let (method, path, body) = (cs("POST"), cs(path), cs(body));
        let reply = call(|out| unsafe { openai_request(h.client, method.as_ptr(), path.as_ptr(), std::ptr::null(), body.as_ptr(), out) });
        assert_eq!(reply.code, OPENAI_OK);
        reply.json()
    };
    let none = std::ptr::null::<c_char>();
    let no_upload = std::ptr::null::<openai_upload>();
    let no_userdata = std::ptr::null_mut::<c_void>();
    for blocking in [true, false] {
        let (vs, body) = (cs("vs_1"), cs(r#"{"file_id":"file-1"}"#));
        // Each created pending by the mock, in progress for two looks, then completed.
        let batch = post("/batches", r#"{"input_file_id":"file-in","endpoint":"/v1/responses","completion_window":"24h"}"#);
        let batch_id = cs(batch["id"].as_str().unwrap());
        let response = post("/responses", r#"{"model":"gpt-4o-mini","input":"Hi","background":true}"#);
        let response_id = cs(response["id"].as_str().unwrap());
        let video = {
            let reply = call(|out| unsafe { openai::ffi::operations_gen::openai_videos_create(h.client, cs(r#"{"prompt":"A cat"}"#).as_ptr(), no_upload, out) });
            reply.json()
        };
        let video_id = cs(video["id"].as_str().unwrap());
        let file_batch = post("/vector_stores/vs_1/file_batches", r#"{"file_ids":["file-1","file-2"]}"#);
        let file_batch_id = cs(file_batch["id"].as_str().unwrap());
        h.take_requests();
        let replies: Vec<Reply> = if blocking {
            vec![
                call(|out| unsafe { openai_batches_poll(h.client, batch_id.as_ptr(), none, out) }),
                call(|out| unsafe { openai_responses_poll(h.client, response_id.as_ptr(), none, out) }),
                call(|out| unsafe { openai_videos_poll(h.client, video_id.as_ptr(), none, out) }),
                call(|out| unsafe { openai_vector_stores_file_batches_poll(h.client, vs.as_ptr(), file_batch_id.as_ptr(), none, out) }),
                call(|out| unsafe { openai_vector_stores_files_create_and_poll(h.client, vs.as_ptr(), body.as_ptr(), none, out) }),
                call(|out| unsafe { openai_vector_stores_file_batches_create_and_poll(h.client, vs.as_ptr(), cs(r#"{"file_ids":["f"]}"#).as_ptr(), none, out) }),
                call(|out| unsafe { openai_videos_create_and_poll(h.client, cs(r#"{"prompt":"A dog"}"#).as_ptr(), no_upload, none, out) }),
            ]
        } else {
            let futures = unsafe {
                [
                    openai_batches_poll_async(h.client, batch_id.as_ptr(), none, None, no_userdata),
                    openai_responses_poll_async(h.client, response_id.as_ptr(), none, None, no_userdata),
                    openai_videos_poll_async(h.client, video_id.as_ptr(), none, None, no_userdata),
                    openai_vector_stores_file_batches_poll_async(h.client, vs.as_ptr(), file_batch_id.as_ptr(), none, None, no_userdata),
                    openai_vector_stores_files_create_and_poll_async(h.client, vs.as_ptr(), body.as_ptr(), none, None, no_userdata),
                    openai_vector_stores_file_batches_create_and_poll_async(h.client, vs.as_ptr(), cs(r#"{"file_ids":["f"]}"#).as_ptr(), none, None, no_userdata),
                    openai_videos_create_and_poll_async(h.client, cs(r#"{"prompt":"A dog"}"#).as_ptr(), no_upload, none, None, no_userdata),
                ]
            };
            futures.into_iter().map(finish).collect()
        };
        for reply in &replies {
            assert_eq!((reply.code, reply.json()["status"].as_str()), (OPENAI_OK, Some("completed")), "{}", reply.body_text());
        }
        assert_eq!(replies[1].json()["output_text"], openai_mock::REPLY);
        // Three looks at each object (the mock answers in_progress twice); the ones created here
        // after their creation.
        let requests = h.take_requests();
        let mut looked = looks(&requests);
        looked.sort();
        let created_file_batch = replies[5].json()["id"].as_str().unwrap().to_string();
        let created_video = replies[6].json()["id"].as_str().unwrap().to_string();
        let mut expected: Vec<String> = [
            format!("/v1/batches/{}", batch["id"].as_str().unwrap()),
            format!("/v1/responses/{}", response["id"].as_str().unwrap()),
            format!("/v1/videos/{}", video["id"].as_str().unwrap()),
            format!("/v1/vector_stores/vs_1/file_batches/{}", file_batch["id"].as_str().unwrap()),
            "/v1/vector_stores/vs_1/files/file-1".to_string(),
            format!("/v1/vector_stores/vs_1/file_batches/{created_file_batch}"),
            format!("/v1/videos/{created_video}"),
        ]
        .iter()
        .flat_map(|p| [p.clone(), p.clone(), p.clone()])
        .collect();
        expected.sort();
        assert_eq!(looked, expected);
        let creations: Vec<&str> = requests.iter().filter(|r| r["method"] == "POST").map(|r| r["path"].as_str().unwrap()).collect();
        assert_eq!(creations.len(), 3);
        // A run that is created completed is not looked at again.
        let (thread, run) = (cs("thread_abc"), cs(r#"{"assistant_id":"asst_1"}"#));
        let reply = if blocking {
            call(|out| unsafe { openai_beta_threads_runs_poll(h.client, thread.as_ptr(), cs("run_1").as_ptr(), none, out) })
        } else {
            finish(unsafe { openai_beta_threads_runs_create_and_poll_async(h.client, thread.as_ptr(), run.as_ptr(), none, None, no_userdata) })
        };
        assert_eq!(reply.code, OPENAI_OK);
        h.take_requests();
    }
}
