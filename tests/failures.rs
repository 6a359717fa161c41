//! Failure handling, by fault injection through the mock server: every retryable and
//! non-retryable status with and without the retry headers (the number of attempts and the
//! delays between them), refused connections, resets, stalls, truncated and invalid bodies, huge
//! error bodies, timeouts per client and per derived client, and cancel tokens.
//!
//! Delays are checked from the arrival times the mock logs: lower bounds exactly, upper bounds
//! with a wide margin for a busy machine.

mod common;

use std::time::{Duration, Instant};

use common::*;
use openai::ffi::cancel::*;
use openai::ffi::operations_gen::*;
use serde_json::{json, Value};

fn models_list(client: *const openai_client) -> Reply {
    call(|out| unsafe { openai_models_list(client, out) })
}

/// The gaps between consecutive requests' arrivals, in seconds.
fn gaps(requests: &[Value]) -> Vec<f64> {
    requests.windows(2).map(|w| (w[1]["received_us"].as_f64().unwrap() - w[0]["received_us"].as_f64().unwrap()) / 1e6).collect()
}

/// Generous: a loaded CI machine may be slow to wake a timer, never early.
const SLACK: f64 = 2.0;

#[test]
fn retryable_statuses_back_off_exponentially_with_jitter() {
    for status in [500, 429] {
        let h = Harness::with_options(r#"{"max_retries":2}"#);
        h.mock.script(json!({"match": {"path": "/v1/models"}, "status": status, "body_json": {"error": {"message": "try later"}}, "times": 3}));
        let r = models_list(h.client);
        assert_eq!(r.status, status);
        assert_eq!(r.retries, 2);
        let requests = h.take_requests();
        assert_eq!(requests.len(), 3, "one attempt and two retries");
        let gaps = gaps(&requests);
        // min(0.5 * 2^n, 8) s less up to 25 %: [0.375, 0.5] then [0.75, 1.0].
        assert!(gaps[0] >= 0.375 && gaps[0] <= 0.5 + SLACK, "{status}: {gaps:?}");
        assert!(gaps[1] >= 0.75 && gaps[1] <= 1.0 + SLACK, "{status}: {gaps:?}");
    }
}

#[test]
fn every_retryable_status_is_retried_and_every_other_is_not() {
    let h = Harness::with_options(r#"{"max_retries":1}"#);
    for status in [408, 409, 429, 500, 502, 503, 504, 520] {
        h.mock.script(json!({"status": status, "headers": {"retry-after-ms": "1"}, "body": "x", "times": 2}));
        let r = models_list(h.client);
        assert_eq!((r.status, r.retries), (status, 1), "{status}");
        assert_eq!(h.take_requests().len(), 2, "{status}");
    }
    for status in [400, 401, 402, 403, 404, 405, 413, 422, 301] {
        h.mock.script(json!({"status": status, "headers": {"retry-after-ms": "1"}, "body": "x"}));
        let r = models_list(h.client);
        assert_eq!((r.status, r.retries), (status, 0), "{status}");
        assert_eq!(h.take_requests().len(), 1, "{status}");
    }
}

#[test]
fn x_should_retry_overrides_the_status() {
    let h = Harness::with_options(r#"{"max_retries":1}"#);
    h.mock.script(json!({"status": 400, "headers": {"x-should-retry": "true", "retry-after-ms": "1"}, "body": "x", "times": 2}));
    assert_eq!(models_list(h.client).retries, 1);
    assert_eq!(h.take_requests().len(), 2);
    h.mock.script(json!({"status": 503, "headers": {"x-should-retry": "false"}, "body": "x"}));
    let r = models_list(h.client);
    assert_eq!((r.code, r.retries), (OPENAI_INTERNAL_SERVER, 0));
    assert_eq!(h.take_requests().len(), 1);
}

#[test]
fn the_server_chooses_the_delay_with_retry_after_ms_or_retry_after() {
    let h = Harness::with_options(r#"{"max_retries":1}"#);
    // Each case's headers are made just before it runs: an HTTP date is relative to now.
    // (headers, least delay, most delay)
    type Case = (fn() -> Value, f64, f64);
    let cases: Vec<Case> = vec![
        (|| json!({"retry-after-ms": "300"}), 0.3, 0.3 + SLACK),
        (|| json!({"retry-after": "1"}), 1.0, 1.0 + SLACK),
        (|| json!({"retry-after-ms": "200", "retry-after": "9"}), 0.2, 0.2 + SLACK),
        // An HTTP date two seconds ahead (whole seconds: at least one second away).
        (|| json!({"retry-after": httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2))}), 0.9, 2.0 + SLACK),
        // Zero: the backoff instead.
        (|| json!({"retry-after": "0"}), 0.375, 0.5 + SLACK),
    ];
    for (headers, low, high) in cases {
        let headers = headers();
        h.mock.script(json!({"status": 429, "headers": headers, "body": "x"}));
        assert_eq!(models_list(h.client).code, OPENAI_OK, "{headers}");
        let gap = gaps(&h.take_requests())[0];
        assert!(gap >= low && gap <= high, "{headers}: {gap}");
    }
    // More than 120 s: not retried at all.
    h.mock.script(json!({"status": 429, "headers": {"retry-after": "121"}, "body": "x"}));
    let r = models_list(h.client);
    assert_eq!((r.code, r.retries), (OPENAI_RATE_LIMIT, 0));
    assert_eq!(h.take_requests().len(), 1);
}

#[test]
fn max_retries_belongs_to_each_client_and_derived_client() {
    let h = Harness::with_options(r#"{"max_retries":3}"#);
    let mut child = std::ptr::null_mut();
    assert_eq!(unsafe { openai_client_with_options(h.client, c(r#"{"max_retries":0}"#).as_ptr(), &mut child) }, OPENAI_OK);
    h.mock.script(json!({"status": 500, "headers": {"retry-after-ms": "1"}, "body": "x", "times": 10}));
    assert_eq!(models_list(child).retries, 0);
    assert_eq!(h.take_requests().len(), 1);
    assert_eq!(models_list(h.client).retries, 3);
    assert_eq!(h.take_requests().len(), 4);
    unsafe { openai_client_free(child) };
}

#[test]
fn a_retry_replays_the_body_byte_for_byte() {
    let h = Harness::with_options(r#"{"max_retries":2}"#);
    let body = "{\"model\": \"m\",\n \"messages\": [{\"role\":\"user\",\"content\":\"\u{e9}\u{1F600}\"}], \"x\":1.50}";
    h.mock.script(json!({"status": 502, "headers": {"retry-after-ms": "1"}, "body": "x", "times": 2}));
    let r = call(|out| unsafe { openai_chat_completions_create(h.client, c(body).as_ptr(), out) });
    assert_eq!((r.code, r.retries), (OPENAI_OK, 2));
    let requests = h.take_requests();
    assert_eq!(requests.len(), 3);
    assert!(requests.iter().all(|r| r["body"] == body));
}

#[test]
fn a_refused_connection_is_retried_then_reported() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = new_client(&format!(r#"{{"api_key":"{KEY}","base_url":"http://127.0.0.1:{port}/v1","max_retries":2}}"#)).unwrap();
    let started = Instant::now();
    let r = models_list(client);
    assert_eq!((r.code, r.status, r.retries), (OPENAI_CONNECTION, 0, 2));
    assert!(started.elapsed() >= Duration::from_millis(375 + 750), "two backoffs: {:?}", started.elapsed());
    assert!(r.message.unwrap().contains("onnection refused"));
    unsafe { openai_client_free(client) };
}

#[test]
fn a_reset_mid_body_is_retried() {
    let h = Harness::with_options(r#"{"max_retries":1}"#);
    h.mock.script(json!({"body": "{\"object\":\"list\",\"data\":[] ... and more", "action": "reset_after_bytes", "bytes": 120}));
    let r = models_list(h.client);
    assert_eq!((r.code, r.retries), (OPENAI_OK, 1), "{r:?}");
    assert_eq!(h.take_requests().len(), 2);

    // Without retries left, a reset is a connection error.
    let h = Harness::new();
    h.mock.script(json!({"action": "reset"}));
    let r = models_list(h.client);
    assert_eq!((r.code, r.status), (OPENAI_CONNECTION, 0));
}

#[test]
fn a_truncated_body_is_a_connection_error() {
    let h = Harness::new();
    h.mock.script(json!({"body": "{\"object\":\"li", "content_length": 500}));
    let r = models_list(h.client);
    assert_eq!((r.code, r.status), (OPENAI_CONNECTION, 0), "{r:?}");
}

#[test]
fn a_stall_past_the_timeout_times_out_per_attempt() {
    let h = Harness::with_options(r#"{"max_retries":1,"timeout":0.3}"#);
    h.mock.script(json!({"action": "stall", "body": "{\"partial\":", "times": 2}));
    let started = Instant::now();
    let r = models_list(h.client);
    assert_eq!((r.code, r.status, r.retries), (OPENAI_TIMEOUT, 0, 1));
    assert!(started.elapsed() >= Duration::from_millis(600 + 375));
    assert_eq!(h.take_requests().len(), 2);
    // The server saw both connections given up.
    std::thread::sleep(Duration::from_millis(200));
    assert!(h.mock.connections()["closed_by_client_mid_response"].as_u64().unwrap() >= 2, "{}", h.mock.connections());
}

#[test]
fn the_timeout_belongs_to_each_client_and_derived_client() {
    let h = Harness::with_options(r#"{"timeout":null,"max_retries":0}"#);
    let mut child = std::ptr::null_mut();
    assert_eq!(unsafe { openai_client_with_options(h.client, c(r#"{"timeout":0.2}"#).as_ptr(), &mut child) }, OPENAI_OK);
    h.mock.script(json!({"delay_ms": 800, "body": "{\"object\":\"list\",\"data\":[]}", "times": 2}));
    assert_eq!(models_list(child).code, OPENAI_TIMEOUT);
    assert_eq!(models_list(h.client).code, OPENAI_OK, "the parent has no timeout");
    unsafe { openai_client_free(child) };
}

#[test]
fn the_connect_timeout_bounds_connecting() {
    // A listener whose accept queue is full and never drained: the kernel drops further SYNs,
    // so connecting hangs until the client gives up.
    let socket = socket2_listener();
    let port = socket.local_addr().unwrap().port();
    let mut fillers = Vec::new();
    for _ in 0..8 {
        if let Ok(s) = std::net::TcpStream::connect_timeout(&socket.local_addr().unwrap(), Duration::from_millis(100)) {
            fillers.push(s);
        }
    }
    let client = new_client(&format!(
        r#"{{"api_key":"{KEY}","base_url":"http://127.0.0.1:{port}/v1","max_retries":0,"connect_timeout":0.3,"timeout":30}}"#
    ))
    .unwrap();
    let started = Instant::now();
    let r = models_list(client);
    let elapsed = started.elapsed();
    assert!(matches!(r.code, OPENAI_TIMEOUT | OPENAI_CONNECTION), "{r:?}");
    assert!(r.message.as_deref().unwrap().contains("timed out") || r.message.as_deref().unwrap().contains("timeout"), "{r:?}");
    assert!(elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(10), "{elapsed:?}");
    unsafe { openai_client_free(client) };
    drop(fillers);
}

/// A listening socket with the smallest accept queue.
fn socket2_listener() -> std::net::TcpListener {
    use std::os::fd::FromRawFd;
    // std offers no way to set the backlog; ask the kernel directly for a backlog of 0.
    extern "C" {
        fn socket(domain: i32, ty: i32, protocol: i32) -> i32;
        fn bind(fd: i32, addr: *const u8, len: u32) -> i32;
        fn listen(fd: i32, backlog: i32) -> i32;
    }
    unsafe {
        let fd = socket(2 /* AF_INET */, 1 /* SOCK_STREAM */, 0);
        assert!(fd >= 0);
        // struct sockaddr_in for 127.0.0.1, port 0.
        let addr: [u8; 16] = [2, 0, 0, 0, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(bind(fd, addr.as_ptr(), 16), 0);
        assert_eq!(listen(fd, 0), 0);
        std::net::TcpListener::from_raw_fd(fd)
    }
}

#[test]
fn a_body_that_is_not_json_is_an_invalid_response_with_the_body_kept() {
    let h = Harness::new();
    // A wrong content type, and a body that is not JSON.
    h.mock.script(json!({"status": 200, "headers": {"content-type": "text/html"}, "body": "<html>maintenance</html>"}));
    let r = models_list(h.client);
    assert_eq!((r.code, r.status), (OPENAI_INVALID_RESPONSE, 200));
    assert_eq!(r.body, b"<html>maintenance</html>");
    assert!(r.message.as_deref().unwrap().starts_with("the response is not JSON (status 200, content-type text/html"), "{r:?}");
    // Truncated JSON with a correct length.
    h.mock.script(json!({"status": 200, "body": "{\"object\":\"list\",\"data\":["}));
    assert_eq!(models_list(h.client).code, OPENAI_INVALID_RESPONSE);
    // A wrong content type on a valid JSON body is fine.
    h.mock.script(json!({"status": 200, "headers": {"content-type": "text/plain"}, "body": "{\"object\":\"list\",\"data\":[]}"}));
    assert_eq!(models_list(h.client).code, OPENAI_OK);
    // Text is what a transcription in a text format returns; bytes are what speech returns.
    h.mock.script(json!({"status": 200, "headers": {"content-type": "audio/mpeg"}, "body": "ID3 not json"}));
    let r = call(|out| unsafe { openai_audio_speech_create(h.client, c(r#"{"model":"tts-1","input":"x","voice":"alloy"}"#).as_ptr(), out) });
    assert_eq!(r.code, OPENAI_OK);
}

#[test]
fn a_ten_megabyte_error_body_is_cut_at_one_mebibyte_and_quoted_briefly() {
    let h = Harness::new();
    let page = format!("<html>{}</html>", "x".repeat(10 << 20));
    h.mock.script(json!({"status": 502, "headers": {"content-type": "text/html"}, "body": page}));
    let r = models_list(h.client);
    assert_eq!((r.code, r.status), (OPENAI_INTERNAL_SERVER, 502));
    assert_eq!(r.body.len(), 1 << 20, "an error body is kept up to its first MiB");
    assert_eq!(r.body, page.as_bytes()[..1 << 20]);
    let message = r.message.unwrap();
    assert!(message.len() < 1300 && message.starts_with("Error code: 502 - <html>xxx"), "{}", &message[..100]);
    assert!(message.ends_with("(the error body was cut at 1048576 bytes)"), "{}", &message[message.len() - 80..]);
}

#[test]
fn huge_inputs_are_sent_intact() {
    let h = Harness::new();
    let content = "y".repeat(64 << 20);
    let body = format!("{{\"model\":\"m\",\"messages\":[{{\"role\":\"user\",\"content\":\"{content}\"}}]}}");
    h.mock.script(json!({"status": 200, "body": "{}"}));
    let r = call(|out| unsafe { openai_chat_completions_create(h.client, c(&body).as_ptr(), out) });
    assert_eq!(r.code, OPENAI_OK);
    let request = h.only_request();
    assert_eq!(request["body_len"], body.len());
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(body.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(request["body_sha256"], digest);

    // A URL beyond what HTTP clients and servers accept is refused before sending, clearly.
    let long_id = "f".repeat(100_000);
    let r = call(|out| unsafe { openai_files_retrieve(h.client, c(&long_id).as_ptr(), out) });
    assert_eq!(r.code, OPENAI_INVALID_ARGUMENT, "{r:?}");
    assert!(r.message.as_deref().unwrap().starts_with("the request cannot be made"), "{r:?}");
    assert!(h.take_requests().is_empty());
}

#[test]
fn a_cancel_token_aborts_a_blocking_call_from_another_thread() {
    let h = Harness::new();
    let token = openai_cancel_token_new();
    let mut cancellable = std::ptr::null_mut();
    assert_eq!(unsafe { openai_client_with_cancel_token(h.client, token, &mut cancellable) }, OPENAI_OK);
    h.mock.script(json!({"delay_ms": 10_000, "body": "{}"}));
    let token_address = token as usize;
    let mock_url = h.mock.url();
    let canceller = std::thread::spawn(move || {
        // Cancel once the request is on the server.
        for _ in 0..500 {
            let log: Vec<Value> = serde_json::from_str(&http_get(&mock_url, "/__mock/requests")).unwrap();
            if !log.is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        unsafe { openai_cancel_token_cancel(token_address as *const openai_cancel_token) };
    });
    let started = Instant::now();
    let r = models_list(cancellable);
    canceller.join().unwrap();
    assert_eq!((r.code, r.status), (OPENAI_CANCELLED, 0));
    assert!(started.elapsed() < Duration::from_secs(8), "well before the server's 10 s delay");
    assert!(unsafe { openai_cancel_token_is_cancelled(token) });
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(h.take_requests()[0]["client_closed_early"], true, "the connection was dropped");

    // Later calls through that client end at once, without sending anything.
    let r = models_list(cancellable);
    assert_eq!(r.code, OPENAI_CANCELLED);
    assert!(h.take_requests().is_empty());
    // The parent client is untouched.
    assert_eq!(models_list(h.client).code, OPENAI_OK);
    unsafe {
        openai_client_free(cancellable);
        openai_cancel_token_free(token);
    }
}

/// A plain HTTP GET, for reading the mock's control endpoints from another thread.
fn http_get(base: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response.split_once("\r\n\r\n").map(|(_, body)| body.to_string()).unwrap_or_default()
}

#[test]
fn the_key_never_appears_in_error_messages_even_when_the_server_echoes_it() {
    let h = Harness::new();
    h.mock.script(json!({"status": 401, "body_json": {"error": {"message": format!("Incorrect API key provided: {KEY}."), "type": "invalid_request_error", "code": "invalid_api_key"}}}));
    let r = models_list(h.client);
    assert_eq!(r.code, OPENAI_AUTHENTICATION);
    assert_eq!(r.message.as_deref(), Some("Error code: 401 - Incorrect API key provided: [redacted]."));
    assert_eq!(r.error_message.as_deref(), Some("Incorrect API key provided: [redacted]."));
    assert!(String::from_utf8_lossy(&r.body).contains(KEY), "the raw body stays as the server sent it");
}
