//! Every JSON operation through its C export: the exact request the mock server received
//! (method, path, query, headers, body bytes), the realistic response it parsed into, and a
//! scripted response handed back byte for byte.

mod common;

use common::*;
use openai::ffi::operations_gen::*;
use serde_json::{json, Value};

/// Bytes a scripted response carries: valid JSON (operations that return JSON check that) with
/// multi-byte UTF-8, an escaped NUL and odd spacing, so that any re-encoding or reformatting
/// shows. Binary bodies with raw NUL bytes are checked in tests/uploads.rs.
const SCRIPTED: &[u8] = b"{ \"scripted\" : \"\xc3\xa9\xf0\x9f\x98\x80\\u0000\",\n\"n\": 1.50 }";

/// Calls `f` twice: against the realistic route (checking the exact request and returning the
/// parsed body), then against a scripted response that must come back byte for byte.
fn check(
    f: impl Fn(&Harness, *mut *mut openai_response) -> openai_code,
    expected: Expected,
) -> Value {
    let h = Harness::new();
    let r = call(|out| f(&h, out));
    assert_eq!(r.code, OPENAI_OK, "{r:#?}");
    assert_eq!(r.status, 200);
    assert!(r.request_id.as_deref().is_some_and(|id| id.starts_with("req_")), "{r:#?}");
    assert_request(&h.only_request(), &expected);
    let parsed = if expected.accept == "application/json" { r.json() } else { Value::Null };

    h.mock.script(json!({"status": 200, "headers": {"content-type": "application/json"}, "body_base64": base64(SCRIPTED)}));
    let r = call(|out| f(&h, out));
    assert_eq!(r.code, OPENAI_OK);
    assert_eq!(r.body, SCRIPTED);
    assert_request(&h.only_request(), &expected);
    if expected.accept == "application/json" { parsed } else { Value::String(String::from_utf8_lossy(&r.body).into()) }
}

/// Like `check`, for endpoints the mock serves only when scripted.
fn check_scripted(f: impl Fn(&Harness, *mut *mut openai_response) -> openai_code, expected: Expected) {
    let h = Harness::new();
    h.mock.script(json!({"status": 200, "headers": {"content-type": "application/json"}, "body_base64": base64(SCRIPTED)}));
    let r = call(|out| f(&h, out));
    assert_eq!(r.code, OPENAI_OK, "{r:#?}");
    assert_eq!(r.body, SCRIPTED);
    assert_request(&h.only_request(), &expected);
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = (chunk[0] as u32) << 16 | (*chunk.get(1).unwrap_or(&0) as u32) << 8 | *chunk.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

const CHAT: &str = r#"{"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi \u00e9 \"there\""}],"temperature":0.2}"#;

#[test]
fn chat_completions_create() {
    let body = check(
        |h, out| unsafe { openai_chat_completions_create(h.client, c(CHAT).as_ptr(), out) },
        Expected::new("POST", "/v1/chat/completions").body(CHAT),
    );
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(body["model"], "gpt-4o-mini");
    assert!(body["choices"][0]["message"]["content"].is_string());
}

#[test]
fn chat_body_is_sent_byte_for_byte_with_unknown_fields() {
    let odd = "{ \"model\" : \"m\",\n  \"future_field\": {\"x\": [1, 2.50, 1e3]},\t\"messages\": [] }";
    check(
        |h, out| unsafe { openai_chat_completions_create(h.client, c(odd).as_ptr(), out) },
        Expected::new("POST", "/v1/chat/completions").body(odd),
    );
}

#[test]
fn models_list() {
    let body = check(|h, out| unsafe { openai_models_list(h.client, out) }, Expected::new("GET", "/v1/models"));
    assert_eq!(body["object"], "list");
}

#[test]
fn models_retrieve() {
    let body = check(
        |h, out| unsafe { openai_models_retrieve(h.client, c("gpt-4o").as_ptr(), out) },
        Expected::new("GET", "/v1/models/gpt-4o"),
    );
    assert_eq!(body["id"], "gpt-4o");
}

#[test]
fn models_retrieve_encodes_its_path_parameter() {
    check(
        |h, out| unsafe { openai_models_retrieve(h.client, c("ft:gpt-4o:acme/x?y#z %").as_ptr(), out) },
        Expected::new("GET", "/v1/models/ft:gpt-4o:acme%2Fx%3Fy%23z%20%25"),
    );
}

#[test]
fn models_delete() {
    let body = check(
        |h, out| unsafe { openai_models_delete(h.client, c("ft:gpt-4o:acme:1").as_ptr(), out) },
        Expected::new("DELETE", "/v1/models/ft:gpt-4o:acme:1"),
    );
    assert_eq!(body["deleted"], true);
}

#[test]
fn edits_create() {
    let req = r#"{"model":"text-davinci-edit-001","input":"What day of the wek is it?","instruction":"Fix the spelling mistakes"}"#;
    let body = check(
        |h, out| unsafe { openai_edits_create(h.client, c(req).as_ptr(), out) },
        Expected::new("POST", "/v1/edits").body(req),
    );
    assert_eq!(body["object"], "edit");
}

#[test]
fn images_generate() {
    let req = r#"{"model":"dall-e-3","prompt":"A cute baby sea otter","n":1,"size":"1024x1024"}"#;
    let body = check(
        |h, out| unsafe { openai_images_generate(h.client, c(req).as_ptr(), out) },
        Expected::new("POST", "/v1/images/generations").body(req),
    );
    assert!(body["data"].is_array());
}

#[test]
fn embeddings_create() {
    let req = r#"{"model":"text-embedding-3-small","input":["one","two"]}"#;
    let body = check(
        |h, out| unsafe { openai_embeddings_create(h.client, c(req).as_ptr(), out) },
        Expected::new("POST", "/v1/embeddings").body(req),
    );
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
}

#[test]
fn files_list() {
    let q = r#"{"purpose":"fine-tune","limit":2,"order":"asc","after":"file-abc"}"#;
    let body = check(
        |h, out| unsafe { openai_files_list(h.client, c(q).as_ptr(), out) },
        Expected::new("GET", "/v1/files").query("purpose=fine-tune&limit=2&order=asc&after=file-abc"),
    );
    assert_eq!(body["object"], "list");
}

#[test]
fn files_list_without_query() {
    check(|h, out| unsafe { openai_files_list(h.client, std::ptr::null(), out) }, Expected::new("GET", "/v1/files"));
}

#[test]
fn files_retrieve() {
    let body = check(
        |h, out| unsafe { openai_files_retrieve(h.client, c("file-abc123").as_ptr(), out) },
        Expected::new("GET", "/v1/files/file-abc123"),
    );
    assert_eq!(body["id"], "file-abc123");
}

#[test]
fn files_delete() {
    let body = check(
        |h, out| unsafe { openai_files_delete(h.client, c("file-abc123").as_ptr(), out) },
        Expected::new("DELETE", "/v1/files/file-abc123"),
    );
    assert_eq!(body["deleted"], true);
}

#[test]
fn files_retrieve_content() {
    check(
        |h, out| unsafe { openai_files_retrieve_content(h.client, c("file-abc123").as_ptr(), out) },
        Expected::new("GET", "/v1/files/file-abc123/content").accept("application/binary"),
    );
}

#[test]
fn fine_tuning_jobs_create() {
    let req = r#"{"model":"gpt-4o-mini","training_file":"file-abc123","hyperparameters":{"n_epochs":2}}"#;
    let body = check(
        |h, out| unsafe { openai_fine_tuning_jobs_create(h.client, c(req).as_ptr(), out) },
        Expected::new("POST", "/v1/fine_tuning/jobs").body(req),
    );
    assert_eq!(body["object"], "fine_tuning.job");
}

#[test]
fn fine_tuning_jobs_list() {
    check(
        |h, out| unsafe { openai_fine_tuning_jobs_list(h.client, c(r#"{"limit":3,"after":"ftjob-1"}"#).as_ptr(), out) },
        Expected::new("GET", "/v1/fine_tuning/jobs").query("limit=3&after=ftjob-1"),
    );
}

#[test]
fn fine_tuning_jobs_retrieve() {
    let body = check(
        |h, out| unsafe { openai_fine_tuning_jobs_retrieve(h.client, c("ftjob-abc").as_ptr(), out) },
        Expected::new("GET", "/v1/fine_tuning/jobs/ftjob-abc"),
    );
    assert_eq!(body["id"], "ftjob-abc");
}

#[test]
fn fine_tuning_jobs_cancel() {
    let body = check(
        |h, out| unsafe { openai_fine_tuning_jobs_cancel(h.client, c("ftjob-abc").as_ptr(), out) },
        Expected::new("POST", "/v1/fine_tuning/jobs/ftjob-abc/cancel"),
    );
    assert_eq!(body["id"], "ftjob-abc");
}

#[test]
fn fine_tuning_jobs_list_events() {
    check(
        |h, out| unsafe { openai_fine_tuning_jobs_list_events(h.client, c("ftjob-abc").as_ptr(), c(r#"{"limit":2}"#).as_ptr(), out) },
        Expected::new("GET", "/v1/fine_tuning/jobs/ftjob-abc/events").query("limit=2"),
    );
}

#[test]
fn moderations_create() {
    let req = r#"{"input":"I want to kill them.","model":"omni-moderation-latest"}"#;
    let body = check(
        |h, out| unsafe { openai_moderations_create(h.client, c(req).as_ptr(), out) },
        Expected::new("POST", "/v1/moderations").body(req),
    );
    assert!(body["results"].is_array());
}

#[test]
fn audio_speech_create() {
    let req = r#"{"model":"tts-1","input":"The quick brown fox.","voice":"alloy"}"#;
    check(
        |h, out| unsafe { openai_audio_speech_create(h.client, c(req).as_ptr(), out) },
        Expected::new("POST", "/v1/audio/speech").body(req).accept("application/octet-stream"),
    );
}

const ASSISTANT: &str = r#"{"model":"gpt-4o","name":"Math Tutor","instructions":"You are a personal math tutor.","tools":[{"type":"code_interpreter"}]}"#;

#[test]
fn beta_assistants_create() {
    let body = check(
        |h, out| unsafe { openai_beta_assistants_create(h.client, c(ASSISTANT).as_ptr(), out) },
        Expected::new("POST", "/v1/assistants").body(ASSISTANT).beta(),
    );
    assert_eq!(body["object"], "assistant");
}

#[test]
fn beta_assistants_retrieve() {
    let body = check(
        |h, out| unsafe { openai_beta_assistants_retrieve(h.client, c("asst_abc").as_ptr(), out) },
        Expected::new("GET", "/v1/assistants/asst_abc").beta(),
    );
    assert_eq!(body["id"], "asst_abc");
}

#[test]
fn beta_assistants_modify() {
    let req = r#"{"instructions":"Be precise."}"#;
    check(
        |h, out| unsafe { openai_beta_assistants_modify(h.client, c("asst_abc").as_ptr(), c(req).as_ptr(), out) },
        Expected::new("POST", "/v1/assistants/asst_abc").body(req).beta(),
    );
}

#[test]
fn beta_assistants_delete() {
    check(
        |h, out| unsafe { openai_beta_assistants_delete(h.client, c("asst_abc").as_ptr(), out) },
        Expected::new("DELETE", "/v1/assistants/asst_abc").beta(),
    );
}

#[test]
fn beta_assistants_list() {
    check(
        |h, out| unsafe { openai_beta_assistants_list(h.client, c(r#"{"order":"desc","limit":20,"before":"asst_9"}"#).as_ptr(), out) },
        Expected::new("GET", "/v1/assistants").query("order=desc&limit=20&before=asst_9").beta(),
    );
}

#[test]
fn beta_threads_create() {
    let req = r#"{"messages":[{"role":"user","content":"Hello"}]}"#;
    let body = check(
        |h, out| unsafe { openai_beta_threads_create(h.client, c(req).as_ptr(), out) },
        Expected::new("POST", "/v1/threads").body(req).beta(),
    );
    assert_eq!(body["object"], "thread");
}

#[test]
fn beta_threads_create_without_a_body_sends_an_empty_object() {
    check(
        |h, out| unsafe { openai_beta_threads_create(h.client, std::ptr::null(), out) },
        Expected::new("POST", "/v1/threads").body("{}").beta(),
    );
}

#[test]
fn beta_threads_retrieve() {
    let body = check(
        |h, out| unsafe { openai_beta_threads_retrieve(h.client, c("thread_abc").as_ptr(), out) },
        Expected::new("GET", "/v1/threads/thread_abc").beta(),
    );
    assert_eq!(body["id"], "thread_abc");
}

#[test]
fn beta_threads_modify() {
    let req = r#"{"metadata":{"user":"u1"}}"#;
    check(
        |h, out| unsafe { openai_beta_threads_modify(h.client, c("thread_abc").as_ptr(), c(req).as_ptr(), out) },
        Expected::new("POST", "/v1/threads/thread_abc").body(req).beta(),
    );
}

#[test]
fn beta_threads_delete() {
    check(
        |h, out| unsafe { openai_beta_threads_delete(h.client, c("thread_abc").as_ptr(), out) },
        Expected::new("DELETE", "/v1/threads/thread_abc").beta(),
    );
}

#[test]
fn beta_threads_messages_create() {
    let req = r#"{"role":"user","content":"How does AI work?"}"#;
    let body = check(
        |h, out| unsafe { openai_beta_threads_messages_create(h.client, c("thread_abc").as_ptr(), c(req).as_ptr(), out) },
        Expected::new("POST", "/v1/threads/thread_abc/messages").body(req).beta(),
    );
    assert_eq!(body["object"], "thread.message");
}

#[test]
fn beta_threads_messages_retrieve() {
    let body = check(
        |h, out| unsafe { openai_beta_threads_messages_retrieve(h.client, c("thread_abc").as_ptr(), c("msg_1").as_ptr(), out) },
        Expected::new("GET", "/v1/threads/thread_abc/messages/msg_1").beta(),
    );
    assert_eq!(body["id"], "msg_1");
}

#[test]
fn beta_threads_messages_modify() {
    let req = r#"{"metadata":{"k":"v"}}"#;
    check(
        |h, out| unsafe {
            openai_beta_threads_messages_modify(h.client, c("thread_abc").as_ptr(), c("msg_1").as_ptr(), c(req).as_ptr(), out)
        },
        Expected::new("POST", "/v1/threads/thread_abc/messages/msg_1").body(req).beta(),
    );
}

#[test]
fn beta_threads_messages_list() {
    check(
        |h, out| unsafe { openai_beta_threads_messages_list(h.client, c("thread_abc").as_ptr(), c(r#"{"order":"asc","run_id":"run_1"}"#).as_ptr(), out) },
        Expected::new("GET", "/v1/threads/thread_abc/messages").query("order=asc&run_id=run_1").beta(),
    );
}

#[test]
fn beta_threads_runs_create() {
    let req = r#"{"assistant_id":"asst_abc","instructions":"Address the user as Jane."}"#;
    let body = check(
        |h, out| unsafe { openai_beta_threads_runs_create(h.client, c("thread_abc").as_ptr(), c(req).as_ptr(), out) },
        Expected::new("POST", "/v1/threads/thread_abc/runs").body(req).beta(),
    );
    assert_eq!(body["object"], "thread.run");
}

#[test]
fn beta_threads_runs_retrieve() {
    let body = check(
        |h, out| unsafe { openai_beta_threads_runs_retrieve(h.client, c("thread_abc").as_ptr(), c("run_1").as_ptr(), out) },
        Expected::new("GET", "/v1/threads/thread_abc/runs/run_1").beta(),
    );
    assert_eq!(body["id"], "run_1");
}

#[test]
fn beta_threads_runs_modify() {
    let req = r#"{"metadata":{"user_id":"u1"}}"#;
    check(
        |h, out| unsafe {
            openai_beta_threads_runs_modify(h.client, c("thread_abc").as_ptr(), c("run_1").as_ptr(), c(req).as_ptr(), out)
        },
        Expected::new("POST", "/v1/threads/thread_abc/runs/run_1").body(req).beta(),
    );
}

#[test]
fn beta_threads_runs_list() {
    check(
        |h, out| unsafe { openai_beta_threads_runs_list(h.client, c("thread_abc").as_ptr(), c(r#"{"limit":1}"#).as_ptr(), out) },
        Expected::new("GET", "/v1/threads/thread_abc/runs").query("limit=1").beta(),
    );
}

#[test]
fn beta_threads_runs_cancel() {
    check(
        |h, out| unsafe { openai_beta_threads_runs_cancel(h.client, c("thread_abc").as_ptr(), c("run_1").as_ptr(), out) },
        Expected::new("POST", "/v1/threads/thread_abc/runs/run_1/cancel").beta(),
    );
}

#[test]
fn beta_threads_runs_submit_tool_outputs() {
    let req = r#"{"tool_outputs":[{"tool_call_id":"call_001","output":"70 degrees and sunny."}]}"#;
    check(
        |h, out| unsafe {
            openai_beta_threads_runs_submit_tool_outputs(h.client, c("thread_abc").as_ptr(), c("run_1").as_ptr(), c(req).as_ptr(), out)
        },
        Expected::new("POST", "/v1/threads/thread_abc/runs/run_1/submit_tool_outputs").body(req).beta(),
    );
}

#[test]
fn beta_threads_runs_steps_list() {
    check(
        |h, out| unsafe {
            openai_beta_threads_runs_steps_list(h.client, c("thread_abc").as_ptr(), c("run_1").as_ptr(), c(r#"{"order":"asc"}"#).as_ptr(), out)
        },
        Expected::new("GET", "/v1/threads/thread_abc/runs/run_1/steps").query("order=asc").beta(),
    );
}

#[test]
fn beta_threads_runs_steps_retrieve() {
    let body = check(
        |h, out| unsafe {
            openai_beta_threads_runs_steps_retrieve(h.client, c("thread_abc").as_ptr(), c("run_1").as_ptr(), c("step_1").as_ptr(), out)
        },
        Expected::new("GET", "/v1/threads/thread_abc/runs/run_1/steps/step_1").beta(),
    );
    assert_eq!(body["id"], "step_1");
}

#[test]
fn beta_files_retrieve() {
    check(
        |h, out| unsafe { openai_beta_files_retrieve(h.client, c("file-abc").as_ptr(), out) },
        Expected::new("GET", "/v1/files/file-abc").beta(),
    );
}

#[test]
fn beta_files_delete() {
    check(
        |h, out| unsafe { openai_beta_files_delete(h.client, c("file-abc").as_ptr(), out) },
        Expected::new("DELETE", "/v1/files/file-abc").beta(),
    );
}

#[test]
fn beta_files_list() {
    check(
        |h, out| unsafe { openai_beta_files_list(h.client, c(r#"{"purpose":"assistants"}"#).as_ptr(), out) },
        Expected::new("GET", "/v1/files").query("purpose=assistants").beta(),
    );
}

#[test]
fn generic_request_reaches_any_endpoint() {
    use openai::ffi::request::openai_request;
    let req = r#"{"model":"gpt-4o","input":"Tell me a joke"}"#;
    check_scripted(
        |h, out| unsafe {
            openai_request(h.client, c("POST").as_ptr(), c("/responses").as_ptr(), c(r#"{"include":["a","b"]}"#).as_ptr(), c(req).as_ptr(), out)
        },
        Expected::new("POST", "/v1/responses").query("include[]=a&include[]=b").body(req),
    );
}

#[test]
fn generic_request_sends_the_beta_header_on_the_beta_family() {
    use openai::ffi::request::openai_request;
    check_scripted(
        |h, out| unsafe { openai_request(h.client, c("GET").as_ptr(), c("/threads/thread_abc").as_ptr(), std::ptr::null(), std::ptr::null(), out) },
        Expected::new("GET", "/v1/threads/thread_abc").beta(),
    );
}
