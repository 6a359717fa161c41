//! Clients, options, headers, responses and errors, through the C ABI.

mod common;

use std::ffi::c_char;

use common::*;
use openai::ffi::code::openai_code_name;
use openai::ffi::error::openai_last_error;
use openai::ffi::operations_gen::*;
use openai::ffi::version::*;
use serde_json::json;

fn models_list(client: *const openai_client) -> Reply {
    call(|out| unsafe { openai_models_list(client, out) })
}

#[test]
fn a_missing_api_key_fails_at_creation_with_a_clear_message() {
    // An explicit empty key is the same as none; the environment of this test process has none.
    let e = new_client(r#"{"api_key":"","base_url":"http://127.0.0.1:9/v1"}"#).unwrap_err();
    assert!(e.contains("missing API key") && e.contains("OPENAI_API_KEY"), "{e}");
}

#[test]
fn an_unknown_option_is_an_error_that_names_it() {
    let e = new_client(r#"{"api_key":"k","timout":5}"#).unwrap_err();
    assert!(e.starts_with("unknown option \"timout\""), "{e}");
    let e = new_client(r#"{"api_key":"k","max_retries":"two"}"#).unwrap_err();
    assert!(e.contains("max_retries"), "{e}");
    let e = new_client("{not json").unwrap_err();
    assert!(e.contains("not valid JSON"), "{e}");
}

#[test]
fn client_new_rejects_null_out_and_bad_utf8() {
    let code = unsafe { openai_client_new(c("{}").as_ptr(), std::ptr::null_mut()) };
    assert_eq!(code, OPENAI_INVALID_ARGUMENT);
    assert_eq!(text(openai_last_error()).unwrap(), "out is NULL");
    let bad = b"{\"api_key\":\"\xff\"}\0";
    let mut client = std::ptr::null_mut();
    let code = unsafe { openai_client_new(bad.as_ptr() as *const c_char, &mut client) };
    assert_eq!(code, OPENAI_INVALID_ARGUMENT);
    assert!(client.is_null());
    assert_eq!(text(openai_last_error()).unwrap(), "options_json is not valid UTF-8");
}

#[test]
fn organization_project_and_default_headers_are_sent() {
    let h = Harness::with_options(
        r#"{"max_retries":0,"organization":"org-1","project":"proj_1",
            "default_headers":{"X-Custom":"yes","Accept":"application/x-ndjson","User-Agent":null},
            "default_query":{"api-version":"2024-06-01"}}"#,
    );
    assert_eq!(models_list(h.client).code, OPENAI_OK);
    let request = h.only_request();
    assert_eq!(header(&request, "openai-organization"), Some("org-1"));
    assert_eq!(header(&request, "openai-project"), Some("proj_1"));
    assert_eq!(header(&request, "x-custom"), Some("yes"));
    assert_eq!(header(&request, "accept"), Some("application/x-ndjson"), "default_headers replace the library's");
    assert_eq!(header(&request, "user-agent"), None, "a null default header removes the library's");
    assert_eq!(request["query"], "api-version=2024-06-01");
}

#[test]
fn organization_and_project_are_absent_unless_set() {
    let h = Harness::new();
    models_list(h.client);
    let request = h.only_request();
    assert_eq!(header(&request, "openai-organization"), None);
    assert_eq!(header(&request, "openai-project"), None);
}

#[test]
fn the_beta_header_value_is_an_option() {
    let h = Harness::with_options(r#"{"max_retries":0,"openai_beta":"assistants=v1"}"#);
    call(|out| unsafe { openai_beta_assistants_retrieve(h.client, c("asst_1").as_ptr(), out) });
    assert_eq!(header(&h.only_request(), "openai-beta"), Some("assistants=v1"));
}

#[test]
fn a_derived_client_overrides_options_and_shares_the_pool() {
    let mut h = Harness::new();
    assert_eq!(models_list(h.client).code, OPENAI_OK);
    let mut child = std::ptr::null_mut();
    let options = c(r#"{"organization":"org-child","default_headers":{"X-Child":"1"}}"#);
    assert_eq!(unsafe { openai_client_with_options(h.client, options.as_ptr(), &mut child) }, OPENAI_OK);
    // A finished connection goes back to the pool on a library thread, just after the call
    // returns: a pause lets it get there, so the next call can take it.
    let settle = || std::thread::sleep(std::time::Duration::from_millis(50));
    settle();
    assert_eq!(models_list(child).code, OPENAI_OK);
    settle();
    assert_eq!(models_list(h.client).code, OPENAI_OK);
    let requests = h.take_requests();
    assert_eq!(header(&requests[1], "openai-organization"), Some("org-child"));
    assert_eq!(header(&requests[1], "x-child"), Some("1"));
    assert_eq!(header(&requests[1], "authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert_eq!(header(&requests[2], "openai-organization"), None, "the parent is unchanged");
    // One keep-alive connection served all three calls: the child used the parent's pool.
    assert_eq!(h.mock.connections()["accepted"], 1, "{}", h.mock.connections());
    // Freeing the parent first leaves the child working.
    unsafe { openai_client_free(h.client) };
    h.client = std::ptr::null_mut();
    assert_eq!(models_list(child).code, OPENAI_OK);
    unsafe { openai_client_free(child) };
}

#[test]
fn a_derived_client_rejects_unknown_options() {
    let h = Harness::new();
    let mut child = std::ptr::null_mut();
    let code = unsafe { openai_client_with_options(h.client, c(r#"{"retries":1}"#).as_ptr(), &mut child) };
    assert_eq!(code, OPENAI_INVALID_ARGUMENT);
    assert!(child.is_null());
    assert!(text(openai_last_error()).unwrap().starts_with("unknown option \"retries\""));
    let code = unsafe { openai_client_with_options(std::ptr::null(), std::ptr::null(), &mut child) };
    assert_eq!(code, OPENAI_INVALID_ARGUMENT);
}

#[test]
fn an_api_error_carries_the_sdk_message_and_the_error_fields() {
    let h = Harness::new();
    let r = call(|out| unsafe { openai_models_retrieve(h.client, c("missing-model").as_ptr(), out) });
    assert_eq!(r.code, OPENAI_NOT_FOUND);
    assert_eq!(r.status, 404);
    let api_message = r.error_message.clone().unwrap();
    assert!(api_message.contains("missing-model"), "{api_message}");
    assert_eq!(r.message.as_deref(), Some(format!("Error code: 404 - {api_message}").as_str()));
    assert_eq!(r.error_type.as_deref(), Some("invalid_request_error"));
    assert!(r.request_id.is_some());
    assert_eq!(text(openai_last_error()), r.message, "the last error is set too");
}

#[test]
fn every_error_status_maps_to_its_code() {
    let h = Harness::new();
    for (status, code) in [
        (400, OPENAI_BAD_REQUEST),
        (401, OPENAI_AUTHENTICATION),
        (403, OPENAI_PERMISSION_DENIED),
        (404, OPENAI_NOT_FOUND),
        (409, OPENAI_CONFLICT),
        (422, OPENAI_UNPROCESSABLE_ENTITY),
        (429, OPENAI_RATE_LIMIT),
        (500, OPENAI_INTERNAL_SERVER),
        (503, OPENAI_INTERNAL_SERVER),
        (402, OPENAI_OTHER_STATUS),
    ] {
        let body = json!({"error": {"message": format!("status {status}"), "type": "t", "param": null, "code": "c"}});
        h.mock.script(json!({"status": status, "body_json": body, "headers": {"x-request-id": "req_scripted"}}));
        let r = models_list(h.client);
        assert_eq!((r.status, r.code), (status, code));
        assert_eq!(r.message.as_deref(), Some(format!("Error code: {status} - status {status}").as_str()));
        assert_eq!(r.error_param, None);
        assert_eq!(r.error_code.as_deref(), Some("c"));
        assert_eq!(r.request_id.as_deref(), Some("req_scripted"));
        assert_eq!(r.body, serde_json::to_vec(&body).unwrap(), "the error body is handed back too");
    }
}

#[test]
fn a_refused_connection_is_a_connection_error_without_status() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = new_client(&format!(r#"{{"api_key":"k","base_url":"http://127.0.0.1:{port}/v1","max_retries":0}}"#)).unwrap();
    let r = models_list(client);
    assert_eq!(r.code, OPENAI_CONNECTION);
    assert_eq!(r.status, 0);
    assert!(r.body.is_empty());
    assert!(r.message.as_deref().unwrap().starts_with("connection error"), "{r:?}");
    unsafe { openai_client_free(client) };
}

#[test]
fn retries_follow_retry_after_ms_and_are_counted() {
    let h = Harness::with_options(r#"{"max_retries":2}"#);
    h.mock.script(json!({"status": 500, "headers": {"retry-after-ms": "10"}, "body": "oops", "times": 2}));
    let r = models_list(h.client);
    assert_eq!(r.code, OPENAI_OK);
    assert_eq!(r.retries, 2);
    let requests = h.take_requests();
    assert_eq!(requests.len(), 3);
    assert!(requests.iter().all(|r| r["path"] == "/v1/models"));
}

#[test]
fn a_timeout_ends_with_the_timeout_code() {
    let h = Harness::with_options(r#"{"max_retries":0,"timeout":0.2}"#);
    h.mock.script(json!({"delay_ms": 3000, "status": 200, "body": "{}"}));
    let r = models_list(h.client);
    assert_eq!(r.code, OPENAI_TIMEOUT);
    assert_eq!(r.status, 0);
}

#[test]
fn invalid_arguments_are_rejected_before_anything_is_sent() {
    let h = Harness::new();
    let bad_utf8 = b"gpt-\xff\0";
    let cases: Vec<(&str, Reply)> = vec![
        ("client is NULL", call(|out| unsafe { openai_models_list(std::ptr::null(), out) })),
        ("model is NULL", call(|out| unsafe { openai_models_retrieve(h.client, std::ptr::null(), out) })),
        ("model is not valid UTF-8", call(|out| unsafe { openai_models_retrieve(h.client, bad_utf8.as_ptr() as *const c_char, out) })),
        ("model must not be empty", call(|out| unsafe { openai_models_retrieve(h.client, c("").as_ptr(), out) })),
        ("thread_id must not be empty", call(|out| unsafe { openai_beta_threads_runs_retrieve(h.client, c("").as_ptr(), c("run_1").as_ptr(), out) })),
        ("run_id must not be \"..\"", call(|out| unsafe { openai_beta_threads_runs_retrieve(h.client, c("t").as_ptr(), c("..").as_ptr(), out) })),
        ("body_json is not valid JSON", call(|out| unsafe { openai_chat_completions_create(h.client, c("{\"model\":").as_ptr(), out) })),
        ("body_json must be a JSON object", call(|out| unsafe { openai_chat_completions_create(h.client, c("[1,2]").as_ptr(), out) })),
        ("body_json is NULL", call(|out| unsafe { openai_chat_completions_create(h.client, std::ptr::null(), out) })),
        ("query_json must be a JSON object", call(|out| unsafe { openai_files_list(h.client, c("\"x\"").as_ptr(), out) })),
    ];
    for (message, r) in cases {
        assert_eq!(r.code, OPENAI_INVALID_ARGUMENT, "{message}");
        assert_eq!(r.status, 0);
        assert!(r.message.as_deref().unwrap().starts_with(message), "{message}: {r:?}");
    }
    assert!(h.take_requests().is_empty(), "nothing was sent");
}

#[test]
fn a_null_out_pointer_is_an_invalid_argument() {
    let h = Harness::new();
    let code = unsafe { openai_models_list(h.client, std::ptr::null_mut()) };
    assert_eq!(code, OPENAI_INVALID_ARGUMENT);
    assert!(text(openai_last_error()).unwrap().starts_with("out is NULL"));
    assert!(h.take_requests().is_empty());
}

#[test]
fn response_accessors_accept_null() {
    unsafe {
        let null = std::ptr::null();
        assert_eq!(openai_response_code(null), OPENAI_INVALID_ARGUMENT);
        assert_eq!(openai_response_status(null), 0);
        let mut len = 7usize;
        assert!(openai_response_body(null, &mut len).is_null());
        assert_eq!(len, 0);
        assert_eq!(openai_response_body_len(null), 0);
        assert!(openai_response_header(null, c("x").as_ptr()).is_null());
        assert_eq!(openai_response_header_count(null), 0);
        assert_eq!(openai_response_header_at(null, 0, std::ptr::null_mut(), std::ptr::null_mut()), OPENAI_INVALID_ARGUMENT);
        assert!(openai_response_request_id(null).is_null());
        assert!(openai_response_error_message(null).is_null());
        assert!(openai_response_api_error_type(null).is_null());
        openai_response_free(std::ptr::null_mut());
        openai_client_free(std::ptr::null_mut());
    }
}

#[test]
fn headers_are_found_by_name_without_case_and_by_index() {
    let h = Harness::new();
    h.mock.script(json!({"status": 200, "headers": {"X-Twice": "b", "Content-Type": "application/json"}, "body": "{}"}));
    let mut response = std::ptr::null_mut();
    assert_eq!(unsafe { openai_models_list(h.client, &mut response) }, OPENAI_OK);
    unsafe {
        assert_eq!(text(openai_response_header(response, c("x-TWICE").as_ptr())).as_deref(), Some("b"));
        assert!(openai_response_header(response, c("x-absent").as_ptr()).is_null());
        let count = openai_response_header_count(response);
        assert!(count >= 3);
        assert_eq!(openai_response_header_at(response, count, std::ptr::null_mut(), std::ptr::null_mut()), OPENAI_INVALID_ARGUMENT);
        openai_response_free(response);
    }
}

#[test]
fn codes_have_names_and_the_version_matches_cargo() {
    assert_eq!(text(openai_code_name(404)).as_deref(), Some("OPENAI_NOT_FOUND"));
    assert_eq!(text(openai_code_name(0)).as_deref(), Some("OPENAI_OK"));
    assert_eq!(text(openai_code_name(-3)).as_deref(), Some("OPENAI_UNKNOWN_CODE"));
    for (code, name) in openai::ffi::code::ALL_CODES {
        assert_eq!(text(openai_code_name(*code as i32)).as_deref(), Some(name.to_str().unwrap()));
    }
    assert_eq!(text(openai_version()).as_deref(), Some(env!("CARGO_PKG_VERSION")));
    assert_eq!(OPENAI_VERSION_MAJOR.to_string(), env!("CARGO_PKG_VERSION_MAJOR"));
    assert_eq!(OPENAI_VERSION_MINOR.to_string(), env!("CARGO_PKG_VERSION_MINOR"));
    assert_eq!(OPENAI_VERSION_PATCH.to_string(), env!("CARGO_PKG_VERSION_PATCH"));
}
