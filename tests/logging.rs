//! The log callback and OPENAI_LOG: what is logged at each level, and that credentials never
//! are. One test binary of its own: the log sink is process-wide.

mod common;

use std::ffi::{c_char, c_void, CStr};
use std::sync::Mutex;

use common::*;
use openai::ffi::log::*;
use openai::ffi::operations_gen::*;
use serde_json::json;

static LINES: Mutex<Vec<(i32, String)>> = Mutex::new(Vec::new());

unsafe extern "C" fn collect(level: openai_log_level, message: *const c_char, userdata: *mut c_void) {
    assert_eq!(userdata as usize, 7);
    LINES.lock().unwrap().push((level as i32, CStr::from_ptr(message).to_string_lossy().into_owned()));
}

fn take_lines() -> Vec<(i32, String)> {
    std::mem::take(&mut *LINES.lock().unwrap())
}

/// Runs every logging scenario in one test: the sink is process-wide, so tests of it cannot run
/// in parallel.
#[test]
fn the_log_callback_hears_requests_retries_and_failures_without_secrets() {
    let h = Harness::with_options(r#"{"max_retries":1,"organization":"org-visible"}"#);

    // Debug: every request with its headers, credentials redacted.
    openai_set_log_callback(Some(collect), 4, 7 as *mut c_void);
    h.mock.script(json!({"status": 503, "headers": {"retry-after-ms": "1"}, "body": "busy"}));
    let r = call(|out| unsafe { openai_models_list(h.client, out) });
    assert_eq!(r.code, OPENAI_OK);
    let lines = take_lines();
    let text: Vec<&str> = lines.iter().map(|(_, m)| m.as_str()).collect();
    let sending: Vec<&&str> = text.iter().filter(|m| m.starts_with("sending GET http://127.0.0.1:")).collect();
    assert_eq!(sending.len(), 2, "{text:#?}");
    assert!(sending[0].contains("authorization: [redacted]") && sending[0].contains("openai-organization: org-visible"), "{}", sending[0]);
    assert!(lines.iter().any(|(l, m)| *l == 2 && m == "GET /models: status 503; retry 1 of 1 in 0.001 s"), "{text:#?}");
    assert!(lines.iter().any(|(l, m)| *l == 3 && m.starts_with("GET /models: succeeded in ") && m.ends_with(" after 1 retries")), "{text:#?}");
    assert!(
        lines.iter().any(|(l, m)| *l == 4 && m.starts_with("received 200 OK for GET http://127.0.0.1:") && m.contains("/v1/models (request id req_")),
        "{text:#?}"
    );

    // Errors only: a failure is logged, with the key the server echoed scrubbed.
    openai_set_log_callback(Some(collect), 1, 7 as *mut c_void);
    h.mock.script(json!({"status": 401, "body_json": {"error": {"message": format!("Incorrect API key provided: {KEY}")}}}));
    call(|out| unsafe { openai_models_list(h.client, out) });
    let lines = take_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let (level, line) = &lines[0];
    assert_eq!(*level, 1);
    assert!(line.starts_with("GET /models: failed (Authentication) in "), "{line}");
    assert!(line.ends_with(" ms after 0 retries: Error code: 401 - Incorrect API key provided: [redacted]"), "{line}");

    // Nothing anywhere holds the key.
    openai_set_log_callback(Some(collect), 4, 7 as *mut c_void);
    for _ in 0..3 {
        call(|out| unsafe { openai_models_retrieve(h.client, c("missing-model").as_ptr(), out) });
    }
    let all = take_lines();
    assert!(!all.is_empty());
    for (_, message) in &all {
        assert!(!message.contains(KEY), "the key leaked: {message}");
    }

    // NULL restores the default (nothing, as OPENAI_LOG is not set in this process).
    openai_set_log_callback(None, 4, std::ptr::null_mut());
    call(|out| unsafe { openai_models_list(h.client, out) });
    assert!(take_lines().is_empty());

    // OPENAI_LOG=debug sends the same to stderr: run this test binary again with it set.
    let exe = std::env::current_exe().unwrap();
    let child = std::process::Command::new(exe)
        .args(["--exact", "stderr_logging_child", "--nocapture", "--include-ignored"])
        .env("OPENAI_LOG", "debug")
        .env("LOGGING_CHILD", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&child.stderr);
    assert!(child.status.success(), "{stderr}");
    assert!(stderr.contains("libopenai debug: sending GET http://127.0.0.1:"), "{stderr}");
    assert!(stderr.contains("authorization: [redacted]"), "{stderr}");
    assert!(stderr.contains("libopenai info: GET /models: succeeded in"), "{stderr}");
    assert!(!stderr.contains(KEY), "the key leaked to stderr");
}

/// Run by the test above in a child process with OPENAI_LOG=debug.
#[test]
#[ignore = "run by the_log_callback_hears_requests_retries_and_failures_without_secrets"]
fn stderr_logging_child() {
    if std::env::var("LOGGING_CHILD").is_err() {
        return;
    }
    let h = Harness::new();
    assert_eq!(call(|out| unsafe { openai_models_list(h.client, out) }).code, OPENAI_OK);
}
