//! Trust under attack (issue 13), through the C ABI against servers that misbehave on purpose:
//! credentials never follow a redirect to another origin, the key never appears in anything the
//! library hands out, paths and multipart names cannot escape, responses and streams are bounded
//! in size and time, downloads never write through a planted link, and what the header promises
//! about threads (freeing, cancelling, replacing the log callback) holds.
//!
//! Each test names the item of the issue it proves.

mod common;

use std::ffi::{c_char, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use common::tls::{front, pki, Front};
use common::*;
use openai::ffi::error::openai_last_error;
use openai::ffi::future::*;
use openai::ffi::log::*;
use openai::ffi::operations_gen::*;
use openai::ffi::queue::*;
use openai::ffi::request::openai_request;
use openai::ffi::stream::*;
use openai::ffi::upload::*;
use serde_json::{json, Value};

/// Aborts the test process if `f` does not return within `limit`: a hang is a failure with a
/// message rather than a CI run that never ends. The limit is far above the expected time.
fn within<T>(limit: Duration, what: &str, f: impl FnOnce() -> T) -> T {
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let (done, what) = (done.clone(), what.to_string());
        std::thread::spawn(move || {
            let start = std::time::Instant::now();
            while start.elapsed() < limit {
                if done.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            eprintln!("HANG: {what} did not finish within {limit:?}");
            std::process::abort();
        })
    };
    let result = f();
    done.store(true, Ordering::SeqCst);
    watchdog.join().unwrap();
    result
}

fn models_list(client: *mut openai_client) -> Reply {
    call(|out| unsafe { openai_models_list(client, out) })
}

// ---- 1, 2: credentials and redirects -------------------------------------------------------

/// Item 1: a redirect from https://host:P to http://host:P (same host and port, scheme
/// downgraded) must not carry `Authorization` in cleartext; nor a 307 that keeps the body.
#[test]
fn a_redirect_that_downgrades_the_scheme_drops_the_credentials() {
    let mock = MockServer::start();
    let pki = pki();
    let port = front(mock.addr(), &pki, Front::TlsAndPlain);
    let dir = std::env::temp_dir().join(format!("openai-redirect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bundle = dir.join("ca.pem");
    std::fs::write(&bundle, &pki.ca_pem).unwrap();
    let client = new_client(&format!(
        r#"{{"api_key":"{KEY}","base_url":"https://127.0.0.1:{port}/v1","max_retries":0,"ca_bundle":"{}"}}"#,
        bundle.display()
    ))
    .unwrap();
    for status in [302, 307] {
        mock.reset();
        let location = format!("http://127.0.0.1:{port}/v1/plain");
        mock.script(json!({"match": {"path": "/v1/chat/completions"}, "status": status, "headers": {"location": location}, "body": ""}));
        mock.script(json!({"match": {"path": "/v1/plain"}, "status": 200, "body": "{}"}));
        let body = r#"{"model":"m","messages":[]}"#;
        let r = call(|out| unsafe { openai_chat_completions_create(client, c(body).as_ptr(), out) });
        assert_eq!((r.code, r.status), (OPENAI_OK, 200), "{status}: {r:?}");
        let log = mock.requests();
        assert_eq!(log.len(), 2, "{log:#?}");
        assert_eq!(header(&log[0], "authorization"), Some(format!("Bearer {KEY}").as_str()), "over TLS the key is sent");
        assert_eq!(log[1]["path"], "/v1/plain");
        assert_eq!(header(&log[1], "authorization"), None, "{status}: no key over cleartext: {:#}", log[1]);
        // 302 after a POST becomes a GET without a body; 307 keeps the method and the body.
        if status == 302 {
            assert_eq!((log[1]["method"].as_str(), log[1]["body_len"].as_u64()), (Some("GET"), Some(0)));
        } else {
            assert_eq!((log[1]["method"].as_str(), log[1]["body"].as_str()), (Some("POST"), Some(body)));
        }
    }
    unsafe { openai_client_free(client) };
    std::fs::remove_dir_all(dir).unwrap();
}

/// Item 2: `api-key` (and every credential header) given in `default_headers` does not go to
/// another host, for each redirect status; a redirect within the origin keeps them.
#[test]
fn credentials_of_default_headers_do_not_follow_a_redirect_to_another_host() {
    let h = Harness::with_options(r#"{"max_retries":0,"default_headers":{"api-key":"azure-secret-1","x-api-key":"other-secret-2","x-trace":"kept"}}"#);
    let other = MockServer::start();
    for status in [301, 302, 303, 307, 308] {
        other.reset();
        let location = format!("http://localhost:{}/v1/elsewhere", other.port());
        h.mock.script(json!({"match": {"path": "/v1/models"}, "status": status, "headers": {"location": location}, "body": ""}));
        other.script(json!({"match": {"path": "/v1/elsewhere"}, "status": 200, "body": "{\"object\":\"list\",\"data\":[]}"}));
        let r = models_list(h.client);
        assert_eq!((r.code, r.status), (OPENAI_OK, 200), "{status}: {r:?}");
        let first = h.only_request();
        assert_eq!(header(&first, "api-key"), Some("azure-secret-1"));
        let log = other.requests();
        assert_eq!(log.len(), 1, "{status}: {log:#?}");
        for name in ["authorization", "api-key", "x-api-key"] {
            assert_eq!(header(&log[0], name), None, "{status}: {name} went to another host: {:#}", log[0]);
        }
        assert_eq!(header(&log[0], "x-trace"), Some("kept"), "other headers follow");
    }
    // Within the origin the credentials stay.
    h.mock.script(json!({"match": {"path": "/v1/models"}, "status": 307, "headers": {"location": "/v1/models/again"}, "body": ""}));
    h.mock.script(json!({"match": {"path": "/v1/models/again"}, "status": 200, "body": "{}"}));
    assert_eq!(models_list(h.client).code, OPENAI_OK);
    let log = h.take_requests();
    assert_eq!(header(&log[1], "authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert_eq!(header(&log[1], "api-key"), Some("azure-secret-1"));
}

// ---- 3, 4: the key in messages, and outcomes in the log --------------------------------------

/// The key of the scrubbing tests: it contains a `"`, so that its JSON-escaped form differs.
const QUOTED_KEY: &str = "sk-sec\"ret-4f9a-TAILPART";

fn assert_no_key(what: &str, text: Option<&str>) {
    if let Some(text) = text {
        for fragment in ["sk-sec", "ret-4f9a", "TAILPART"] {
            assert!(!text.contains(fragment), "{what} holds part of the key ({fragment}): {text}");
        }
    }
}

/// Item 3: the key is scrubbed from every string handed out: the invalid-response message, the
/// API error's fields, stream error messages (JSON and plain text, blocking and async), and the
/// last error; in raw and JSON-escaped forms.
#[test]
fn the_key_is_scrubbed_from_every_string_handed_out() {
    let key_json = serde_json::to_string(QUOTED_KEY).unwrap();
    let key_escaped = &key_json[1..key_json.len() - 1];
    let h = Harness::with_options(&json!({"api_key": QUOTED_KEY, "max_retries": 0}).to_string());

    // A 2xx non-JSON body that echoes the key.
    h.mock.script(json!({"status": 200, "headers": {"content-type": "text/plain", "x-echo": format!("k={key_escaped}")}, "body": format!("debug: key={QUOTED_KEY}")}));
    let r = models_list(h.client);
    assert_eq!(r.code, OPENAI_INVALID_RESPONSE);
    assert!(r.message.as_deref().unwrap().contains("debug: key=[redacted]"), "{r:?}");
    assert_no_key("the invalid-response message", r.message.as_deref());
    assert_no_key("openai_last_error", text(openai_last_error()).as_deref());
    assert_no_key("a response header", r.header("x-echo"));
    assert_eq!(r.body, format!("debug: key={QUOTED_KEY}").as_bytes(), "the body is the caller's data, kept as it came");

    // A 4xx whose error object echoes it in every field, JSON-escaped in the body.
    let error = json!({"error": {"message": format!("Incorrect API key provided: {QUOTED_KEY}"), "type": format!("t-{QUOTED_KEY}"), "param": QUOTED_KEY, "code": format!("c-{QUOTED_KEY}")}});
    h.mock.script(json!({"status": 401, "body_json": error}));
    let r = models_list(h.client);
    assert_eq!(r.code, OPENAI_AUTHENTICATION);
    assert_eq!(r.message.as_deref(), Some("Error code: 401 - Incorrect API key provided: [redacted]"));
    for (what, field) in [("message", &r.error_message), ("type", &r.error_type), ("param", &r.error_param), ("code", &r.error_code)] {
        assert_no_key(what, field.as_deref());
    }
    assert_eq!(r.error_param.as_deref(), Some("[redacted]"));
    assert_no_key("openai_last_error", text(openai_last_error()).as_deref());

    // A 5xx that is not JSON, quoting the key JSON-escaped: the escaped form goes too.
    h.mock.script(json!({"status": 500, "headers": {"content-type": "text/plain"}, "body": format!("upstream said \"{key_escaped}\" is bad")}));
    let r = models_list(h.client);
    assert_eq!(r.code, OPENAI_INTERNAL_SERVER);
    assert_no_key("a quoted error body", r.message.as_deref());

    // Stream error events: JSON and plain text, blocking and async.
    let events = [
        format!("data: {}\n\n", json!({"error": {"message": format!("bad key {QUOTED_KEY}"), "param": QUOTED_KEY, "code": QUOTED_KEY}})),
        format!("event: error\ndata: key {key_escaped} refused\n\n"),
    ];
    for event in &events {
        for blocking in [true, false] {
            h.mock.script(json!({"match": {"path": "/v1/chat/completions"}, "headers": {"content-type": "text/event-stream"}, "chunks": [{"data": event}]}));
            let body = c(r#"{"model":"m","messages":[]}"#);
            let stream = if blocking {
                let mut stream = std::ptr::null_mut();
                unsafe { openai_chat_completions_create_stream(h.client, body.as_ptr(), &mut stream) };
                stream
            } else {
                unsafe { openai_chat_completions_create_stream_async(h.client, body.as_ptr(), None, std::ptr::null_mut()) }
            };
            let mut event_out = std::ptr::null_mut();
            let code = unsafe { openai_stream_next(stream, 10_000, &mut event_out) };
            assert_eq!(code, OPENAI_STREAM_ERROR, "{event}");
            let message = text(unsafe { openai_stream_error_message(stream) });
            assert!(message.as_deref().unwrap().contains("[redacted]"), "{message:?}");
            assert_no_key("openai_stream_error_message", message.as_deref());
            assert_no_key("openai_last_error after a stream error", text(openai_last_error()).as_deref());
            unsafe { openai_stream_free(stream) };
        }
    }
}

static LOG_LINES: Mutex<Vec<(i32, String)>> = Mutex::new(Vec::new());
/// The log callback is process-wide: the tests that set it take turns.
static LOGGING: Mutex<()> = Mutex::new(());

unsafe extern "C" fn keep_line(level: openai_log_level, message: *const c_char, _: *mut c_void) {
    LOG_LINES.lock().unwrap().push((level as i32, text(message).unwrap()));
}

/// Item 4: a call that ends `OPENAI_INVALID_RESPONSE` is logged as a failure at error level
/// with its real outcome, never as "succeeded".
#[test]
fn every_outcome_is_logged_with_its_real_kind() {
    let _turn = LOGGING.lock().unwrap_or_else(|e| e.into_inner());
    let h = Harness::new();
    h.mock.script(json!({"status": 200, "headers": {"content-type": "text/html"}, "body": "<html>maintenance</html>"}));
    openai_set_log_callback(Some(keep_line), 3, std::ptr::null_mut());
    let r = models_list(h.client);
    openai_set_log_callback(None, 1, std::ptr::null_mut());
    assert_eq!(r.code, OPENAI_INVALID_RESPONSE);
    let lines = std::mem::take(&mut *LOG_LINES.lock().unwrap());
    assert!(lines.iter().all(|(_, m)| !m.contains("succeeded")), "{lines:#?}");
    let errors: Vec<&String> = lines.iter().filter(|(l, _)| *l == 1).map(|(_, m)| m).collect();
    assert_eq!(errors.len(), 1, "{lines:#?}");
    assert!(errors[0].starts_with("GET /models: failed (InvalidResponse) in "), "{}", errors[0]);
    assert!(errors[0].contains("the response is not JSON"), "{}", errors[0]);
}

// ---- 5, 6, 7: files and paths ------------------------------------------------------------------

/// A directory of its own under the temporary directory, removed at the end.
struct Dir(std::path::PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("openai-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Item 5: with `<path>.part` planted as a link to a victim file, a download (blocking, async,
/// speech and file content; succeeding and failing) never writes through it: the victim keeps
/// its bytes, `<path>` becomes a regular file of the downloaded bytes, the link stays a link.
#[test]
fn downloads_never_write_through_a_planted_link() {
    let h = Harness::new();
    let dir = Dir::new("planted");
    let victim = dir.0.join("victim.txt");
    let speech = c(r#"{"model":"tts-1","input":"Hello","voice":"alloy"}"#);
    for (round, succeed) in [(0, true), (1, false), (2, true), (3, false)] {
        std::fs::write(&victim, b"precious").unwrap();
        let target = dir.0.join(format!("out-{round}.mp3"));
        let planted = dir.0.join(format!("out-{round}.mp3.part"));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        if !succeed {
            h.mock.script(json!({"status": 500, "body": "{\"error\":{\"message\":\"boom\"}}"}));
        }
        let path = c(target.to_str().unwrap());
        let code = if round < 2 {
            let r = call(|out| unsafe { openai_audio_speech_create_to_file(h.client, speech.as_ptr(), path.as_ptr(), None, std::ptr::null_mut(), out) });
            r.code
        } else {
            let future = unsafe {
                openai_files_retrieve_content_to_file_async(h.client, c("file-abc").as_ptr(), path.as_ptr(), None, std::ptr::null_mut(), None, std::ptr::null_mut())
            };
            assert_eq!(unsafe { openai_future_wait(future, 10_000) }, OPENAI_OK);
            let mut response = std::ptr::null_mut();
            let r = reply(unsafe { openai_future_take(future, &mut response) }, response);
            unsafe { openai_future_free(future) };
            r.code
        };
        assert_eq!(code == OPENAI_OK, succeed, "round {round}: {code:?}");
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious", "round {round}: the link's target was written");
        assert!(std::fs::symlink_metadata(&planted).unwrap().file_type().is_symlink(), "round {round}: the planted link is left alone");
        if succeed {
            let meta = std::fs::symlink_metadata(&target).unwrap();
            assert!(meta.file_type().is_file(), "round {round}: the target is a regular file");
            assert!(meta.len() > 0);
        } else {
            assert!(!target.exists(), "round {round}: a failed download creates nothing");
        }
        let leftovers: Vec<String> = std::fs::read_dir(&dir.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "round {round}: partial files left behind: {leftovers:?}");
    }
    // A target that is a directory is refused before anything is sent.
    let path = c(dir.0.to_str().unwrap());
    h.take_requests();
    let r = call(|out| unsafe { openai_audio_speech_create_to_file(h.client, speech.as_ptr(), path.as_ptr(), None, std::ptr::null_mut(), out) });
    assert_eq!(r.code, OPENAI_INVALID_ARGUMENT);
    assert!(r.message.as_deref().unwrap().contains("is a directory"), "{r:?}");
    assert!(h.take_requests().is_empty());
}

/// Item 6: a request path never leaves the base URL's path, however it is encoded.
#[test]
fn the_generic_call_cannot_escape_the_base_url() {
    let h = Harness::new();
    for path in [
        "/models/%2e%2e/%2e%2e/admin",
        "/models/%2E%2E/%2e%2E/admin",
        "/models/.%2e/admin",
        "/models\\..\\..\\admin",
        "/models/..%2F..%2Fadmin",
        "/models/..%5C..%5Cadmin",
        "/%2e%2e",
    ] {
        let r = call(|out| unsafe { openai_request(h.client, c("GET").as_ptr(), c(path).as_ptr(), std::ptr::null(), std::ptr::null(), out) });
        assert_eq!(r.code, OPENAI_INVALID_ARGUMENT, "{path}: {r:?}");
    }
    assert!(h.take_requests().is_empty(), "nothing reached the server");
    // Encoded characters that are not dots still pass through untouched.
    let r = call(|out| unsafe { openai_request(h.client, c("GET").as_ptr(), c("/models/ft%3Agpt%2Fx").as_ptr(), std::ptr::null(), std::ptr::null(), out) });
    assert_ne!(r.code, OPENAI_INVALID_ARGUMENT);
    assert_eq!(h.only_request()["path"], "/v1/models/ft%3Agpt%2Fx");
}

/// Item 7: CR and LF in a multipart filename (or a field name) never start a header line: they
/// are escaped as the official SDK's HTTP client escapes them.
#[test]
fn a_multipart_filename_cannot_start_a_header_line() {
    let h = Harness::new();
    let name = "evil.jsonl\r\nX-Injected: 1\r\nContent-Type: text/html\"";
    let data = b"{\"a\":1}\n";
    let upload = unsafe { openai_upload_from_memory(data.as_ptr() as *const c_void, data.len(), c(name).as_ptr(), std::ptr::null()) };
    assert!(!upload.is_null());
    let fields = c(r#"{"purpose":"fine-tune","bad\r\nname":"v"}"#);
    let r = call(|out| unsafe { openai_files_upload(h.client, fields.as_ptr(), upload, out) });
    unsafe { openai_upload_free(upload) };
    assert_eq!(r.code, OPENAI_OK, "{r:?}");
    let request = h.only_request();
    let body = request["body"].as_str().unwrap();
    assert!(body.contains("name=\"file\"; filename=\"evil.jsonl%0D%0AX-Injected: 1%0D%0AContent-Type: text/html%22\"\r\n"), "{body}");
    assert!(body.contains("name=\"bad%0D%0Aname\"\r\n"), "{body}");
    assert!(!body.contains("\r\nX-Injected"), "{body}");
    let parts: Vec<(&str, &str)> =
        request["parts"].as_array().unwrap().iter().map(|p| (p["name"].as_str().unwrap(), p["content_type"].as_str().unwrap_or(""))).collect();
    assert_eq!(parts, [("purpose", ""), ("bad%0D%0Aname", ""), ("file", "application/octet-stream")]);
}

// ---- 8, 9: size and time ------------------------------------------------------------------------

/// Item 8: a response larger than `max_response_size` fails with OPENAI_RESPONSE_TOO_LARGE
/// (with or without a Content-Length, also chunked); so does one event of a stream; a download
/// to a file is not bounded by it.
#[test]
fn responses_and_events_are_bounded_by_max_response_size() {
    let h = Harness::with_options(r#"{"max_retries":2,"max_response_size":100000}"#);
    let big = format!("{{\"data\":\"{}\"}}", "x".repeat(200_000));
    h.mock.script(json!({"status": 200, "body": big}));
    let r = models_list(h.client);
    assert_eq!((r.code, r.status), (OPENAI_RESPONSE_TOO_LARGE, 200));
    assert_eq!(r.retries, 0, "not retried: it would be too large again");
    assert!(r.message.as_deref().unwrap().contains("max_response_size (100000 bytes)"), "{r:?}");
    assert!(r.body.is_empty());
    // Without a length: chunks that never stop before the cap.
    let piece = "y".repeat(50_000);
    let chunks: Vec<Value> = (0..20).map(|_| json!({"data": piece})).collect();
    h.mock.script(json!({"status": 200, "chunked": true, "chunks": chunks}));
    assert_eq!(models_list(h.client).code, OPENAI_RESPONSE_TOO_LARGE);
    // Under the cap is fine.
    h.mock.script(json!({"status": 200, "body": format!("{{\"data\":\"{}\"}}", "z".repeat(90_000))}));
    assert_eq!(models_list(h.client).code, OPENAI_OK);

    // One event larger than the cap ends the stream.
    h.mock.script(json!({"match": {"path": "/v1/chat/completions"}, "headers": {"content-type": "text/event-stream"}, "chunks": [{"data": "data: {\"a\":1}\n\n"}, {"data": format!("data: {}\n\n", "e".repeat(150_000))}]}));
    let mut stream = std::ptr::null_mut();
    assert_eq!(unsafe { openai_chat_completions_create_stream(h.client, c(r#"{"model":"m","messages":[]}"#).as_ptr(), &mut stream) }, OPENAI_OK);
    let mut event = std::ptr::null_mut();
    assert_eq!(unsafe { openai_stream_next(stream, 10_000, &mut event) }, OPENAI_OK);
    unsafe { openai::ffi::event::openai_event_free(event) };
    assert_eq!(unsafe { openai_stream_next(stream, 10_000, &mut event) }, OPENAI_RESPONSE_TOO_LARGE);
    unsafe { openai_stream_free(stream) };

    // A download to a file is bounded by the disk, not by the cap.
    let dir = Dir::new("uncapped");
    let path = c(dir.0.join("big.mp3").to_str().unwrap());
    h.mock.script(json!({"match": {"path": "/v1/audio/speech"}, "headers": {"content-type": "audio/mpeg"}, "body": "s".repeat(300_000)}));
    let r = call(|out| unsafe { openai_audio_speech_create_to_file(h.client, c(r#"{"model":"tts-1","input":"x","voice":"alloy"}"#).as_ptr(), path.as_ptr(), None, std::ptr::null_mut(), out) });
    assert_eq!(r.code, OPENAI_OK, "{r:?}");
    assert_eq!(std::fs::metadata(dir.0.join("big.mp3")).unwrap().len(), 300_000);
}

/// Item 9: keep-alive comments are not events: a stream that sends only comments ends with
/// OPENAI_TIMEOUT after `stream_idle_timeout`, however often they come.
#[test]
fn keep_alive_comments_do_not_keep_an_idle_stream_open() {
    let h = Harness::with_options(r#"{"max_retries":0,"stream_idle_timeout":0.5,"timeout":30}"#);
    let chunks: Vec<Value> = (0..300).map(|_| json!({"data": ": keep-alive\n\n", "delay_ms": 100})).collect();
    h.mock.script(json!({"match": {"path": "/v1/chat/completions"}, "headers": {"content-type": "text/event-stream"}, "chunks": chunks}));
    let (code, message) = within(Duration::from_secs(20), "a comment-only stream", || {
        let mut stream = std::ptr::null_mut();
        assert_eq!(unsafe { openai_chat_completions_create_stream(h.client, c(r#"{"model":"m","messages":[]}"#).as_ptr(), &mut stream) }, OPENAI_OK);
        let mut event = std::ptr::null_mut();
        let code = unsafe { openai_stream_next(stream, -1, &mut event) };
        let message = text(unsafe { openai_stream_error_message(stream) });
        unsafe { openai_stream_free(stream) };
        (code, message)
    });
    assert_eq!(code, OPENAI_TIMEOUT);
    assert_eq!(message.as_deref(), Some("the stream sent no event for 0.5 s"));
}

/// Item 9: `stream_timeout` bounds a stream's whole life, even one that keeps sending events.
#[test]
fn stream_timeout_bounds_a_stream_that_never_ends() {
    let h = Harness::with_options(r#"{"max_retries":0,"stream_timeout":1,"stream_idle_timeout":5}"#);
    let chunks: Vec<Value> = (0..300).map(|i| json!({"data": format!("data: {{\"n\":{i}}}\n\n"), "delay_ms": 50})).collect();
    h.mock.script(json!({"match": {"path": "/v1/chat/completions"}, "headers": {"content-type": "text/event-stream"}, "chunks": chunks}));
    let (events, code, message) = within(Duration::from_secs(20), "a stream that never ends", || {
        let mut stream = std::ptr::null_mut();
        assert_eq!(unsafe { openai_chat_completions_create_stream(h.client, c(r#"{"model":"m","messages":[]}"#).as_ptr(), &mut stream) }, OPENAI_OK);
        let mut events = 0;
        loop {
            let mut event = std::ptr::null_mut();
            let code = unsafe { openai_stream_next(stream, -1, &mut event) };
            if code != OPENAI_OK || event.is_null() {
                let message = text(unsafe { openai_stream_error_message(stream) });
                unsafe { openai_stream_free(stream) };
                return (events, code, message);
            }
            events += 1;
            unsafe { openai::ffi::event::openai_event_free(event) };
        }
    });
    assert_eq!(code, OPENAI_TIMEOUT);
    assert_eq!(message.as_deref(), Some("the stream ran longer than stream_timeout (1 s)"));
    assert!(events > 0 && events < 300, "{events} events");
}

// ---- 10: sockets of a freed client ------------------------------------------------------------

/// Item 10: freeing a client closes its connections, also those kept by the pool of another
/// thread that made a blocking call and is still alive.
#[test]
fn freeing_a_client_closes_the_connections_of_every_threads_pool() {
    let mock = MockServer::start();
    let client = new_client(&format!(r#"{{"api_key":"{KEY}","base_url":"{}","max_retries":0}}"#, mock.base_url())).unwrap();
    let client_address = client as usize;
    let (called, release) = (Arc::new(Barrier::new(2)), Arc::new(Barrier::new(2)));
    let worker = {
        let (called, release) = (called.clone(), release.clone());
        std::thread::spawn(move || {
            assert_eq!(models_list(client_address as *mut openai_client).code, OPENAI_OK);
            called.wait();
            // Alive, idle, holding its pool, until the test is done.
            release.wait();
        })
    };
    called.wait();
    assert_eq!(mock.connections()["open"], 1, "the worker's kept-alive connection");
    unsafe { openai_client_free(client) };
    let open = (0..200)
        .map(|_| {
            std::thread::sleep(Duration::from_millis(10));
            mock.connections()["open"].as_u64().unwrap()
        })
        .find(|open| *open == 0);
    release.wait();
    worker.join().unwrap();
    assert_eq!(open, Some(0), "the connection was still open after the client was freed: {}", mock.connections());
}

// ---- 12, 13, 14: threads and callbacks (11 is in tests/stream_free.rs) ---------------------------------------------------

/// What the slow log callback shares with the test.
struct Inside {
    entered: Barrier,
    inside: AtomicBool,
    armed: AtomicBool,
}

unsafe extern "C" fn slow_log(_: openai_log_level, _: *const c_char, userdata: *mut c_void) {
    let inside = unsafe { &*(userdata as *const Inside) };
    if !inside.armed.swap(false, Ordering::SeqCst) {
        return;
    }
    inside.inside.store(true, Ordering::SeqCst);
    inside.entered.wait();
    std::thread::sleep(Duration::from_millis(300));
    inside.inside.store(false, Ordering::SeqCst);
}

/// Item 12: when `openai_set_log_callback` returns, no thread is (or will be) inside the old
/// callback, so its userdata may be freed at once.
#[test]
fn replacing_the_log_callback_waits_for_the_threads_inside_the_old_one() {
    let _turn = LOGGING.lock().unwrap_or_else(|e| e.into_inner());
    let h = Harness::new();
    let inside = Box::leak(Box::new(Inside { entered: Barrier::new(2), inside: AtomicBool::new(false), armed: AtomicBool::new(true) }));
    openai_set_log_callback(Some(slow_log), 4, inside as *const Inside as *mut c_void);
    let client = h.client as usize;
    let caller = std::thread::spawn(move || models_list(client as *mut openai_client).code);
    inside.entered.wait();
    assert!(inside.inside.load(Ordering::SeqCst));
    openai_set_log_callback(None, 1, std::ptr::null_mut());
    assert!(!inside.inside.load(Ordering::SeqCst), "the setter returned while a thread was inside the old callback");
    assert_eq!(caller.join().unwrap(), OPENAI_OK);
}

/// Item 13: after `openai_future_cancel` returns, the future is complete: take gives
/// OPENAI_CANCELLED, never OPENAI_PENDING.
#[test]
fn a_cancelled_future_is_complete_when_cancel_returns() {
    let h = Harness::new();
    for _ in 0..200 {
        h.mock.script(json!({"match": {"path": "/v1/models"}, "delay_ms": 5000, "body": "{}"}));
    }
    for round in 0..200 {
        let future = unsafe { openai_models_list_async(h.client, None, std::ptr::null_mut()) };
        if round % 2 == 1 {
            std::thread::sleep(Duration::from_millis(1));
        }
        unsafe { openai_future_cancel(future) };
        assert!(unsafe { openai_future_ready(future) }, "round {round}");
        let mut response = std::ptr::null_mut();
        let code = unsafe { openai_future_take(future, &mut response) };
        assert_eq!(code, OPENAI_CANCELLED, "round {round}");
        unsafe { openai_response_free(response) };
        unsafe { openai_future_free(future) };
    }
}

unsafe extern "C" fn drop_response(response: *mut openai_response, _: *mut c_void) {
    unsafe { openai_response_free(response) };
}

/// Item 14: a future started with a callback is refused by a queue whether or not it has
/// completed (the callback has its response), and stays the caller's.
#[test]
fn a_queue_refuses_a_callback_future_whatever_its_timing() {
    let h = Harness::new();
    let queue = openai_queue_new();
    // Completed: its callback has run.
    let done = unsafe { openai_models_list_async(h.client, Some(drop_response), std::ptr::null_mut()) };
    assert_eq!(unsafe { openai_future_wait(done, 10_000) }, OPENAI_OK);
    assert_eq!(unsafe { openai_queue_add(queue, done) }, OPENAI_INVALID_ARGUMENT);
    assert!(text(openai_last_error()).unwrap().contains("with a callback"));
    unsafe { openai_future_free(done) };
    // Pending.
    h.mock.script(json!({"match": {"path": "/v1/models"}, "delay_ms": 300, "body": "{}"}));
    let pending = unsafe { openai_models_list_async(h.client, Some(drop_response), std::ptr::null_mut()) };
    assert_eq!(unsafe { openai_queue_add(queue, pending) }, OPENAI_INVALID_ARGUMENT);
    assert_eq!(unsafe { openai_queue_len(queue) }, 0);
    assert_eq!(unsafe { openai_future_wait(pending, 10_000) }, OPENAI_OK);
    unsafe { openai_future_free(pending) };
    unsafe { openai_queue_free(queue) };
}
