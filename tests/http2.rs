//! HTTP/2, as the real API is served: over TLS the library takes HTTP/2 when the server offers it
//! (ALPN), multiplexes the calls in flight over one connection, and behaves as over HTTP/1.1 for
//! retries, timeouts, cancellation and streams; `http1_only` forces HTTP/1.1. Against the mock's
//! TLS front (tests/mock_server/src/tls.rs), which counts connections and requests by protocol.
//! (tests/run-all.sh also runs the operation and stream suites through the front both ways.)

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::*;
use openai::ffi::future::*;
use openai::ffi::operations_gen::*;
use openai::ffi::queue::*;
use openai::ffi::stream::*;
use openai_mock::tls::TlsFront;
use serde_json::json;

/// A mock, its TLS front, and a client of the front with `extra` options.
fn tls_client(extra: &str) -> (MockServer, TlsFront, *mut openai_client) {
    let mock = MockServer::start();
    let front = mock.tls_front();
    let bundle = std::env::temp_dir().join(format!("openai-h2-ca-{}-{}.pem", std::process::id(), front.addr.port()));
    std::fs::write(&bundle, &front.ca_pem).unwrap();
    let mut options: serde_json::Map<String, serde_json::Value> = serde_json::from_str(extra).unwrap();
    options.insert("api_key".into(), KEY.into());
    options.insert("base_url".into(), front.base_url().into());
    options.insert("ca_bundle".into(), bundle.display().to_string().into());
    let client = new_client(&serde_json::Value::Object(options).to_string()).unwrap();
    (mock, front, client)
}

fn count(counter: &std::sync::atomic::AtomicU64) -> u64 {
    counter.load(Ordering::Relaxed)
}

/// 200 calls in flight at once travel over HTTP/2 on one connection (async calls on the shared
/// pool); `http1_only` makes them HTTP/1.1, on as many connections as calls in flight.
#[test]
fn calls_in_flight_share_one_http2_connection_and_http1_only_forces_http1() {
    for http1_only in [false, true] {
        let (mock, front, client) = tls_client(&format!(r#"{{"max_retries":0,"http1_only":{http1_only}}}"#));
        mock.script(json!({"match": {"path": "/v1/models"}, "delay_ms": 100, "body": "{\"object\":\"list\",\"data\":[]}", "times": 200}));
        let queue = openai_queue_new();
        for _ in 0..200 {
            assert_eq!(unsafe { openai_queue_add(queue, openai_models_list_async(client, None, std::ptr::null_mut())) }, OPENAI_OK);
        }
        while unsafe { openai_queue_len(queue) } > 0 {
            let mut done = std::ptr::null_mut();
            assert_eq!(unsafe { openai_queue_next(queue, 30_000, &mut done) }, OPENAI_OK);
            let mut response = std::ptr::null_mut();
            assert_eq!(reply(unsafe { openai_future_take(done, &mut response) }, response).code, OPENAI_OK);
            unsafe { openai_future_free(done) };
        }
        unsafe { openai_queue_free(queue) };
        let c = &front.counters;
        if http1_only {
            assert_eq!((count(&c.h2_requests), count(&c.h1_requests)), (0, 200));
            assert!(count(&c.h1_connections) > 10, "{c:?}");
        } else {
            assert_eq!((count(&c.h2_requests), count(&c.h1_requests)), (200, 0));
            // The first calls race to connect before the server is known to speak HTTP/2.
            assert!(count(&c.h2_connections) <= 3, "200 calls over {} HTTP/2 connections", count(&c.h2_connections));
        }
        unsafe { openai_client_free(client) };
    }
}

/// Cancelling a call resets its HTTP/2 stream, not the connection: the other call in flight on
/// the same connection completes, and the server sees the cancelled one end.
#[test]
fn a_cancelled_call_resets_its_stream_not_the_connection() {
    let (mock, front, client) = tls_client(r#"{"max_retries":0}"#);
    // Warm the async pool's connection, so that both calls share it.
    let warm = unsafe { openai_models_list_async(client, None, std::ptr::null_mut()) };
    assert_eq!(unsafe { openai_future_wait(warm, 10_000) }, OPENAI_OK);
    unsafe { openai_future_free(warm) };
    mock.script(json!({"match": {"path": "/v1/models/slow"}, "delay_ms": 3000, "body": "{\"id\":\"slow\"}"}));
    mock.script(json!({"match": {"path": "/v1/models/other"}, "delay_ms": 500, "body": "{\"id\":\"other\"}"}));
    let slow = unsafe { openai_models_retrieve_async(client, c("slow").as_ptr(), None, std::ptr::null_mut()) };
    let other = unsafe { openai_models_retrieve_async(client, c("other").as_ptr(), None, std::ptr::null_mut()) };
    std::thread::sleep(Duration::from_millis(200));
    unsafe { openai_future_cancel(slow) };
    let mut response = std::ptr::null_mut();
    assert_eq!(unsafe { openai_future_take(slow, &mut response) }, OPENAI_CANCELLED);
    unsafe { openai_response_free(response) };
    assert_eq!(unsafe { openai_future_wait(other, 10_000) }, OPENAI_OK);
    let r = reply(unsafe { openai_future_take(other, &mut response) }, response);
    assert_eq!((r.code, r.json()["id"].as_str()), (OPENAI_OK, Some("other")));
    unsafe {
        openai_future_free(slow);
        openai_future_free(other);
    }
    assert_eq!(count(&front.counters.h2_connections), 1, "one connection served all three calls");
    let log = (0..300)
        .map(|_| {
            std::thread::sleep(Duration::from_millis(10));
            mock.requests()
        })
        .find(|log| log.iter().any(|r| r["path"] == "/v1/models/slow" && r["client_closed_early"] == true));
    assert!(log.is_some(), "the server saw the cancelled call end: {:#?}", mock.requests());
    unsafe { openai_client_free(client) };
}

/// Retries, timeouts and streams over HTTP/2 behave as over HTTP/1.1.
#[test]
fn retries_timeouts_and_streams_behave_the_same_over_http2() {
    let (mock, front, client) = tls_client(r#"{"max_retries":2,"timeout":0.5}"#);
    // A retried status.
    mock.script(json!({"match": {"path": "/v1/models"}, "status": 503, "headers": {"retry-after-ms": "1"}, "body": "busy", "times": 2}));
    let r = call(|out| unsafe { openai_models_list(client, out) });
    assert_eq!((r.code, r.retries), (OPENAI_OK, 2));
    // A timeout per attempt, retried, then failing.
    mock.script(json!({"match": {"path": "/v1/models"}, "delay_ms": 5000, "body": "{}", "times": 3}));
    let r = call(|out| unsafe { openai_models_list(client, out) });
    assert_eq!((r.code, r.retries), (OPENAI_TIMEOUT, 2));
    // A stream, its events in order.
    let mut stream = std::ptr::null_mut();
    let body = c(r#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}"#);
    assert_eq!(unsafe { openai_chat_completions_create_stream(client, body.as_ptr(), &mut stream) }, OPENAI_OK);
    let mut events = 0;
    loop {
        let mut event = std::ptr::null_mut();
        let code = unsafe { openai_stream_next(stream, 10_000, &mut event) };
        assert_eq!(code, OPENAI_OK);
        if event.is_null() {
            break;
        }
        events += 1;
        unsafe { openai::ffi::event::openai_event_free(event) };
    }
    unsafe { openai_stream_free(stream) };
    assert_eq!(events, 9, "role, 7 words, finish");
    assert_eq!(count(&front.counters.h1_requests), 0, "{:?}", front.counters);
    assert!(count(&front.counters.h2_requests) >= 7);
    unsafe { openai_client_free(client) };
}

/// A stream that ends with `[DONE]` is read to the end of its body before it goes, so that it
/// ends cleanly: over HTTP/2 a stream dropped unfinished is reset (and a server cuts the whole
/// connection after too many resets: 10,000 streams on one connection broke that way), and over
/// HTTP/1.1 its connection can be used again. Here the server ends the body 100 ms after
/// `[DONE]`: the mock sees every stream read to its end, pulled and pushed, over both protocols.
#[test]
fn a_stream_is_read_to_its_end_after_done() {
    unsafe extern "C" fn ignore(_: *mut openai_stream, _: *const openai::ffi::event::openai_event, _: *mut std::ffi::c_void) -> bool {
        true
    }
    for http1_only in [false, true] {
        let (mock, _front, client) = tls_client(&format!(r#"{{"max_retries":0,"http1_only":{http1_only}}}"#));
        for pushed in [false, true] {
            mock.reset();
            mock.script(json!({"match": {"path": "/v1/chat/completions"}, "headers": {"content-type": "text/event-stream"},
                "chunks": [{"data": "data: {\"n\":1}\n\n"}, {"data": "data: [DONE]\n\n"}, {"data": "\n", "delay_ms": 100}]}));
            let body = c(r#"{"model":"m","messages":[]}"#);
            let stream = if pushed {
                unsafe { openai_chat_completions_create_stream_async(client, body.as_ptr(), Some(ignore), std::ptr::null_mut()) }
            } else {
                let mut stream = std::ptr::null_mut();
                assert_eq!(unsafe { openai_chat_completions_create_stream(client, body.as_ptr(), &mut stream) }, OPENAI_OK);
                let mut event = std::ptr::null_mut();
                assert_eq!(unsafe { openai_stream_next(stream, 10_000, &mut event) }, OPENAI_OK);
                unsafe { openai::ffi::event::openai_event_free(event) };
                assert_eq!(unsafe { openai_stream_next(stream, 10_000, &mut event) }, OPENAI_OK);
                assert!(event.is_null(), "[DONE]");
                stream
            };
            while unsafe { openai_stream_code(stream) } == OPENAI_PENDING {
                std::thread::sleep(Duration::from_millis(5));
            }
            assert_eq!(unsafe { openai_stream_code(stream) }, OPENAI_OK);
            // The mock logs a request once its answer is complete, or cut.
            let log = (0..300)
                .map(|_| {
                    std::thread::sleep(Duration::from_millis(10));
                    mock.requests()
                })
                .find(|log| !log.is_empty())
                .unwrap_or_default();
            unsafe { openai_stream_free(stream) };
            assert_eq!(log.len(), 1, "http1_only {http1_only}, pushed {pushed}");
            assert_eq!(log[0]["client_closed_early"], false, "http1_only {http1_only}, pushed {pushed}: the stream was dropped before its end");
        }
        unsafe { openai_client_free(client) };
    }
}

/// The response says which HTTP version it came in.
#[test]
fn the_response_says_its_http_version() {
    use openai::ffi::response::openai_response_http_version;
    for (http1_only, version) in [(false, "HTTP/2"), (true, "HTTP/1.1")] {
        let (_mock, _front, client) = tls_client(&format!(r#"{{"max_retries":0,"http1_only":{http1_only}}}"#));
        let mut response = std::ptr::null_mut();
        assert_eq!(unsafe { openai_models_list(client, &mut response) }, OPENAI_OK);
        assert_eq!(text(unsafe { openai_response_http_version(response) }).as_deref(), Some(version));
        unsafe { openai_response_free(response) };
        unsafe { openai_client_free(client) };
    }
    let failed = call(|out| unsafe { openai::ffi::request::openai_request(std::ptr::null(), c("GET").as_ptr(), c("/x").as_ptr(), std::ptr::null(), std::ptr::null(), out) });
    assert_eq!(failed.code, OPENAI_INVALID_ARGUMENT);
    assert!(text(unsafe { openai_response_http_version(std::ptr::null()) }).is_none());
}
