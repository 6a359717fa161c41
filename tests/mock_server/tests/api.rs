//! The /v1 routes: realistic answers, errors, pagination, streams, binary and multipart bodies.

mod common;

use common::{multipart, sse_events, Client, FormPart};
use openai_mock::MockServer;
use serde_json::{json, Value};

fn get(server: &MockServer, target: &str) -> common::Resp {
    Client::connect(server.addr()).request("GET", target, b"")
}

fn post(server: &MockServer, target: &str, body: &Value) -> common::Resp {
    Client::connect(server.addr()).request("POST", target, body.to_string().as_bytes())
}

#[test]
fn auth_errors() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    for headers in [
        &[][..],
        &[("Authorization", "Basic abc")],
        &[("Authorization", "Bearer ")],
    ] {
        let r = c.request_with("GET", "/v1/models", headers, b"");
        assert_eq!(r.status, 401);
        let e = &r.json()["error"];
        assert!(e["message"]
            .as_str()
            .unwrap()
            .starts_with("You didn't provide an API key."));
        assert_eq!(e["type"], "invalid_request_error");
        assert_eq!(e["code"], Value::Null);
        assert_eq!(e["param"], Value::Null);
    }
    let r = c.request_with(
        "GET",
        "/v1/models",
        &[("authorization", "bearer sk-invalid-123456")],
        b"",
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["code"], "invalid_api_key");
}

#[test]
fn unknown_url_and_wrong_method() {
    let server = MockServer::start();
    let r = post(&server, "/v1/xyz", &json!({}));
    assert_eq!(r.status, 404);
    // Compared as JSON: the key order depends on serde_json's features, which the workspace unifies.
    assert_eq!(
        r.json(),
        json!({"error":{"code":"unknown_url","message":"Invalid URL (POST /v1/xyz)","param":null,"type":"invalid_request_error"}})
    );
    assert_eq!(
        get(&server, "/nope").json()["error"]["message"],
        "Invalid URL (GET /nope)"
    );
    let r = get(&server, "/v1/embeddings");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
    assert_eq!(r.json()["error"]["code"], "method_not_allowed");
}

#[test]
fn missing_objects_are_404() {
    let server = MockServer::start();
    let cases = [
        (
            "/v1/models/missing-model",
            "The model 'missing-model' does not exist",
            json!("model_not_found"),
        ),
        (
            "/v1/files/missing-file",
            "No such File object: missing-file",
            Value::Null,
        ),
        (
            "/v1/files/missing/content",
            "No such File object: missing",
            Value::Null,
        ),
        (
            "/v1/assistants/missing_1",
            "No assistant found with id 'missing_1'.",
            Value::Null,
        ),
        (
            "/v1/threads/missing/messages",
            "No thread found with id 'missing'.",
            Value::Null,
        ),
        (
            "/v1/threads/t/messages/missingmsg",
            "No message found with id 'missingmsg'.",
            Value::Null,
        ),
        (
            "/v1/threads/t/runs/missing",
            "No run found with id 'missing'.",
            Value::Null,
        ),
        (
            "/v1/threads/t/runs/r/steps/missing",
            "No run step found with id 'missing'.",
            Value::Null,
        ),
        (
            "/v1/fine_tuning/jobs/missing",
            "Could not find fine-tuning job: missing",
            json!("fine_tuning_job_not_found"),
        ),
    ];
    for (path, message, code) in cases {
        let r = get(&server, path);
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.json()["error"]["message"], message);
        assert_eq!(r.json()["error"]["code"], code);
        assert_eq!(r.json()["error"]["type"], "invalid_request_error");
    }
    let r = post(
        &server,
        "/v1/chat/completions",
        &json!({"model": "missing-x"}),
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "model_not_found");
}

#[test]
fn invalid_json_is_400() {
    let server = MockServer::start();
    let mut c = Client::connect(server.addr());
    let r = c.request("POST", "/v1/chat/completions", b"{not json");
    assert_eq!(r.status, 400);
    let e = &r.json()["error"];
    assert!(e["message"]
        .as_str()
        .unwrap()
        .starts_with("We could not parse the JSON body of your request."));
    assert_eq!(e["type"], "invalid_request_error");
    // An empty body is an empty object (body-less POSTs such as cancel).
    let r = c.request("POST", "/v1/threads/thread_1/runs/run_1/cancel", b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "cancelling");
}

#[test]
fn chat_completion() {
    let server = MockServer::start();
    let r = post(
        &server,
        "/v1/chat/completions",
        &json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "Say hello"}], "n": 2}),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    assert_eq!(v["object"], "chat.completion");
    assert_eq!(v["id"], "chatcmpl-abc123");
    assert_eq!(v["model"], "gpt-4o");
    assert_eq!(v["created"], 1_700_000_000);
    assert_eq!(v["choices"].as_array().unwrap().len(), 2);
    assert_eq!(v["choices"][1]["message"]["content"], openai_mock::REPLY);
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    assert_eq!(
        v["usage"],
        json!({
            "prompt_tokens": 2, "completion_tokens": 7, "total_tokens": 9,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
        })
    );
    let r = post(
        &server,
        "/v1/chat/completions",
        &json!({"model": "m", "mock_chunks": 3, "mock_chunk_bytes": 4}),
    );
    assert_eq!(r.json()["choices"][0]["message"]["content"], "abcdbcdecdef");
    // A body bigger than one write batch.
    let r = post(
        &server,
        "/v1/chat/completions",
        &json!({"mock_chunks": 100, "mock_chunk_bytes": 3000}),
    );
    let v = r.json();
    let content = v["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .as_bytes();
    assert_eq!(content.len(), 300_000);
    for (k, b) in content.iter().enumerate() {
        let (i, j) = (k / 3000, k % 3000);
        assert_eq!(*b, b'a' + ((i + j) % 26) as u8);
    }
}

#[test]
fn chat_stream_sse_framing() {
    let server = MockServer::start();
    let r = post(
        &server,
        "/v1/chat/completions",
        &json!({"model": "gpt-4o", "stream": true}),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("text/event-stream; charset=utf-8")
    );
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.header("content-length"), None);
    let events = sse_events(&r.body);
    assert_eq!(events.len(), 1 + 7 + 1 + 1);
    assert_eq!(events.last().unwrap(), &(None, "[DONE]".to_string()));
    let chunks: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|(_, d)| serde_json::from_str(d).unwrap())
        .collect();
    for c in &chunks {
        assert_eq!(c["object"], "chat.completion.chunk");
        assert_eq!(c["id"], "chatcmpl-abc123");
        assert_eq!(c["model"], "gpt-4o");
    }
    assert_eq!(
        chunks[0]["choices"][0]["delta"],
        json!({"role": "assistant", "content": "", "refusal": null})
    );
    let text: String = chunks[1..8]
        .iter()
        .map(|c| c["choices"][0]["delta"]["content"].as_str().unwrap())
        .collect();
    assert_eq!(text, openai_mock::REPLY);
    assert_eq!(chunks[8]["choices"][0]["finish_reason"], "stop");
    assert_eq!(chunks[8]["choices"][0]["delta"], json!({}));
    // Exact bytes of one event.
    let first = std::str::from_utf8(&r.body)
        .unwrap()
        .split("\n\n")
        .nth(1)
        .unwrap();
    assert_eq!(
        first,
        r#"data: {"id":"chatcmpl-abc123","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","service_tier":"default","system_fingerprint":"fp_mock","choices":[{"index":0,"delta":{"content":"Hello!"},"logprobs":null,"finish_reason":null}]}"#
    );
}

#[test]
fn chat_stream_usage_and_steering() {
    let server = MockServer::start();
    let r = post(
        &server,
        "/v1/chat/completions",
        &json!({"model": "m", "stream": true, "stream_options": {"include_usage": true}, "mock_chunks": 1000, "mock_chunk_bytes": 100}),
    );
    let events = sse_events(&r.body);
    assert_eq!(events.len(), 1 + 1000 + 1 + 1 + 1);
    let usage: Value = serde_json::from_str(&events[1002].1).unwrap();
    assert_eq!(usage["choices"], json!([]));
    assert_eq!(usage["usage"]["completion_tokens"], 1000);
    for (i, (_, d)) in events[1..1001].iter().enumerate() {
        let c: Value = serde_json::from_str(d).unwrap();
        let text = c["choices"][0]["delta"]["content"].as_str().unwrap();
        assert_eq!(text.len(), 100);
        assert_eq!(text.as_bytes()[0], b'a' + (i % 26) as u8);
        assert_eq!(c["usage"], Value::Null);
    }
    // Without a delay, events are batched into few large chunks.
    assert!(r.chunk_sizes.len() < 10, "{} chunks", r.chunk_sizes.len());
}

#[test]
fn chat_stream_delay_sends_each_event_in_its_own_chunk() {
    let server = MockServer::start();
    let t = std::time::Instant::now();
    let r = post(
        &server,
        "/v1/chat/completions",
        &json!({"stream": true, "mock_chunks": 2, "mock_delay_ms": 50}),
    );
    // role, 2 contents, finish, [DONE]: 4 pauses between 5 events.
    assert!(t.elapsed() >= std::time::Duration::from_millis(200));
    assert_eq!(r.chunk_sizes.len(), 5);
    assert_eq!(sse_events(&r.body).len(), 5);
}

#[test]
fn run_stream_events() {
    let server = MockServer::start();
    let r = post(
        &server,
        "/v1/threads/thread_9/runs",
        &json!({"assistant_id": "asst_9", "stream": true, "mock_chunks": 3}),
    );
    assert_eq!(r.status, 200);
    let events = sse_events(&r.body);
    let names: Vec<&str> = events.iter().map(|(e, _)| e.as_deref().unwrap()).collect();
    assert_eq!(
        names,
        [
            "thread.run.created",
            "thread.run.queued",
            "thread.run.in_progress",
            "thread.run.step.created",
            "thread.run.step.in_progress",
            "thread.message.created",
            "thread.message.in_progress",
            "thread.message.delta",
            "thread.message.delta",
            "thread.message.delta",
            "thread.message.completed",
            "thread.run.step.completed",
            "thread.run.completed",
            "done",
        ]
    );
    let data: Vec<Value> = events[..13]
        .iter()
        .map(|(_, d)| serde_json::from_str(d).unwrap())
        .collect();
    assert_eq!(data[0]["object"], "thread.run");
    assert_eq!(data[0]["thread_id"], "thread_9");
    assert_eq!(data[0]["assistant_id"], "asst_9");
    assert_eq!(data[0]["status"], "queued");
    assert_eq!(data[2]["status"], "in_progress");
    assert_eq!(data[3]["object"], "thread.run.step");
    assert_eq!(data[5]["object"], "thread.message");
    assert_eq!(data[7]["object"], "thread.message.delta");
    assert_eq!(data[7]["delta"]["content"][0]["text"]["value"], "Hello!");
    assert_eq!(data[10]["content"][0]["text"]["value"], "Hello! How can");
    assert_eq!(data[12]["status"], "completed");
    assert_eq!(events[13].1, "[DONE]");

    let r = post(
        &server,
        "/v1/threads/thread_9/runs/run_5/submit_tool_outputs",
        &json!({"tool_outputs": [], "stream": true}),
    );
    let events = sse_events(&r.body);
    let run: Value = serde_json::from_str(&events[0].1).unwrap();
    assert_eq!(run["id"], "run_5");
    let r = post(
        &server,
        "/v1/threads/runs",
        &json!({"assistant_id": "asst_1", "stream": true}),
    );
    assert_eq!(sse_events(&r.body).len(), 7 + 7 + 4);
    // Not streamed: a run object.
    let r = post(
        &server,
        "/v1/threads/thread_9/runs",
        &json!({"assistant_id": "asst_9", "model": "gpt-x", "metadata": {"k": "v"}}),
    );
    let v = r.json();
    assert_eq!(
        (v["id"].as_str(), v["object"].as_str(), v["status"].as_str()),
        (Some("run_abc123"), Some("thread.run"), Some("queued"))
    );
    assert_eq!(v["model"], "gpt-x");
    assert_eq!(v["metadata"], json!({"k": "v"}));
}

#[test]
fn pagination_of_cursor_lists() {
    let server = MockServer::start();
    let lists = [
        ("/v1/files", "file-abc", "file"),
        ("/v1/assistants", "asst_abc", "assistant"),
        ("/v1/threads/thread_1/messages", "msg_abc", "thread.message"),
        ("/v1/threads/thread_1/runs", "run_abc", "thread.run"),
        (
            "/v1/threads/thread_1/runs/run_1/steps",
            "step_abc",
            "thread.run.step",
        ),
        ("/v1/fine_tuning/jobs", "ftjob-abc", "fine_tuning.job"),
        (
            "/v1/fine_tuning/jobs/ftjob-1/events",
            "ftevent-abc",
            "fine_tuning.job.event",
        ),
    ];
    for (path, prefix, object) in lists {
        let mut ids = Vec::new();
        let mut after: Option<String> = None;
        let mut pages = 0;
        loop {
            let target = match &after {
                Some(a) => format!("{path}?limit=3&after={a}"),
                None => format!("{path}?limit=3"),
            };
            let v = get(&server, &target).json();
            assert_eq!(v["object"], "list");
            pages += 1;
            for item in v["data"].as_array().unwrap() {
                assert_eq!(item["object"], object);
                ids.push(item["id"].as_str().unwrap().to_string());
            }
            assert_eq!(v["first_id"], v["data"][0]["id"]);
            if v["has_more"] == false {
                break;
            }
            after = Some(v["last_id"].as_str().unwrap().to_string());
        }
        assert_eq!(pages, 3, "{path}");
        let expected: Vec<String> = (1..=7).map(|i| format!("{prefix}{i:03}")).collect();
        assert_eq!(ids, expected, "{path}");
        let all = get(&server, path).json();
        assert_eq!(all["data"].as_array().unwrap().len(), 7);
        assert_eq!(all["has_more"], false);
    }
    let v = get(&server, "/v1/files?order=desc&limit=2").json();
    assert_eq!(
        (
            v["first_id"].as_str(),
            v["last_id"].as_str(),
            v["has_more"].as_bool()
        ),
        (Some("file-abc007"), Some("file-abc006"), Some(true))
    );
    let v = get(&server, "/v1/files?before=file-abc004&limit=2").json();
    assert_eq!(
        (
            v["first_id"].as_str(),
            v["last_id"].as_str(),
            v["has_more"].as_bool()
        ),
        (Some("file-abc002"), Some("file-abc003"), Some(true))
    );
    let v = get(&server, "/v1/files?after=file-abc007").json();
    assert_eq!(
        v,
        json!({"object": "list", "data": [], "first_id": null, "last_id": null, "has_more": false})
    );
    let v = get(&server, "/v1/files?purpose=batch&limit=1").json();
    assert_eq!(v["data"][0]["purpose"], "batch");
    assert_eq!(get(&server, "/v1/files?limit=0").status, 400);
    assert_eq!(get(&server, "/v1/files?limit=101").status, 400);
    assert_eq!(get(&server, "/v1/files?order=up").status, 400);
    let v = get(&server, "/v1/threads/thread_x/messages?limit=1").json();
    assert_eq!(v["data"][0]["thread_id"], "thread_x");
    // models.list is a plain list.
    let v = get(&server, "/v1/models").json();
    assert_eq!(v["object"], "list");
    assert!(v.get("has_more").is_none());
    assert_eq!(v["data"][0]["object"], "model");
}

#[test]
fn object_routes_echo_ids_and_inputs() {
    let server = MockServer::start();
    let cases: Vec<(&str, &str, Value, Value)> = vec![
        (
            "GET",
            "/v1/models/ft:gpt-4o:org::x",
            Value::Null,
            json!({"id": "ft:gpt-4o:org::x", "object": "model", "owned_by": "user-mock"}),
        ),
        (
            "DELETE",
            "/v1/models/ft:m",
            Value::Null,
            json!({"id": "ft:m", "object": "model", "deleted": true}),
        ),
        (
            "GET",
            "/v1/files/file-9",
            Value::Null,
            json!({"id": "file-9", "object": "file"}),
        ),
        (
            "DELETE",
            "/v1/files/file-9",
            Value::Null,
            json!({"id": "file-9", "object": "file", "deleted": true}),
        ),
        (
            "POST",
            "/v1/fine_tuning/jobs",
            json!({"model": "gpt-4o-mini", "training_file": "file-t"}),
            json!({"id": "ftjob-abc123", "object": "fine_tuning.job", "status": "queued", "model": "gpt-4o-mini", "training_file": "file-t"}),
        ),
        (
            "GET",
            "/v1/fine_tuning/jobs/ftjob-7",
            Value::Null,
            json!({"id": "ftjob-7", "object": "fine_tuning.job", "status": "succeeded"}),
        ),
        (
            "POST",
            "/v1/fine_tuning/jobs/ftjob-7/cancel",
            Value::Null,
            json!({"id": "ftjob-7", "status": "cancelled"}),
        ),
        (
            "POST",
            "/v1/assistants",
            json!({"model": "gpt-4o", "name": "N", "tools": [{"type": "code_interpreter"}]}),
            json!({"id": "asst_abc123", "object": "assistant", "name": "N", "tools": [{"type": "code_interpreter"}]}),
        ),
        (
            "GET",
            "/v1/assistants/asst_x",
            Value::Null,
            json!({"id": "asst_x", "object": "assistant"}),
        ),
        (
            "POST",
            "/v1/assistants/asst_x",
            json!({"name": "New"}),
            json!({"id": "asst_x", "name": "New"}),
        ),
        (
            "DELETE",
            "/v1/assistants/asst_x",
            Value::Null,
            json!({"id": "asst_x", "object": "assistant.deleted", "deleted": true}),
        ),
        (
            "POST",
            "/v1/threads",
            json!({"metadata": {"a": "b"}}),
            json!({"id": "thread_abc123", "object": "thread", "metadata": {"a": "b"}}),
        ),
        (
            "GET",
            "/v1/threads/thread_x",
            Value::Null,
            json!({"id": "thread_x", "object": "thread"}),
        ),
        (
            "POST",
            "/v1/threads/thread_x",
            json!({"metadata": {"m": "1"}}),
            json!({"id": "thread_x", "metadata": {"m": "1"}}),
        ),
        (
            "DELETE",
            "/v1/threads/thread_x",
            Value::Null,
            json!({"id": "thread_x", "object": "thread.deleted", "deleted": true}),
        ),
        (
            "POST",
            "/v1/threads/thread_x/messages",
            json!({"role": "user", "content": "Hi!"}),
            json!({"id": "msg_abc123", "object": "thread.message", "thread_id": "thread_x", "role": "user", "content": [{"type": "text", "text": {"value": "Hi!", "annotations": []}}]}),
        ),
        (
            "GET",
            "/v1/threads/thread_x/messages/msg_y",
            Value::Null,
            json!({"id": "msg_y", "thread_id": "thread_x", "object": "thread.message"}),
        ),
        (
            "POST",
            "/v1/threads/thread_x/messages/msg_y",
            json!({"metadata": {"z": "1"}}),
            json!({"id": "msg_y", "metadata": {"z": "1"}}),
        ),
        (
            "GET",
            "/v1/threads/thread_x/runs/run_y",
            Value::Null,
            json!({"id": "run_y", "thread_id": "thread_x", "object": "thread.run", "status": "completed"}),
        ),
        (
            "POST",
            "/v1/threads/thread_x/runs/run_y",
            json!({"metadata": {"z": "2"}}),
            json!({"id": "run_y", "metadata": {"z": "2"}}),
        ),
        (
            "POST",
            "/v1/threads/thread_x/runs/run_y/submit_tool_outputs",
            json!({"tool_outputs": []}),
            json!({"id": "run_y", "status": "queued"}),
        ),
        (
            "GET",
            "/v1/threads/thread_x/runs/run_y/steps/step_z",
            Value::Null,
            json!({"id": "step_z", "run_id": "run_y", "thread_id": "thread_x", "object": "thread.run.step"}),
        ),
        (
            "POST",
            "/v1/threads/runs",
            json!({"assistant_id": "asst_q"}),
            json!({"object": "thread.run", "assistant_id": "asst_q", "thread_id": "thread_abc123"}),
        ),
        (
            "POST",
            "/v1/edits",
            json!({"model": "text-davinci-edit-001", "input": "What day of the wek is it?", "instruction": "Fix the spelling mistakes"}),
            json!({"object": "edit", "choices": [{"text": "What day of the wek is it?", "index": 0, "finish_reason": "stop"}]}),
        ),
        (
            "POST",
            "/v1/images/generations",
            json!({"prompt": "otter", "n": 2}),
            json!({"created": 1_700_000_000}),
        ),
        (
            "POST",
            "/v1/moderations",
            json!({"input": ["a", "b", "c"]}),
            json!({"id": "modr-abc123", "model": "omni-moderation-latest"}),
        ),
    ];
    for (method, path, body, expect) in cases {
        let mut c = Client::connect(server.addr());
        let b = if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        let r = c.request(method, path, &b);
        assert_eq!(r.status, 200, "{method} {path}: {}", r.text());
        let v = r.json();
        for (k, want) in expect.as_object().unwrap() {
            assert_eq!(&v[k], want, "{method} {path} field {k}: {v}");
        }
    }
    let v = post(
        &server,
        "/v1/moderations",
        &json!({"input": ["a", "b", "c"]}),
    )
    .json();
    assert_eq!(v["results"].as_array().unwrap().len(), 3);
    assert_eq!(v["results"][0]["flagged"], false);
    let v = post(
        &server,
        "/v1/images/generations",
        &json!({"prompt": "otter", "n": 2, "response_format": "b64_json"}),
    )
    .json();
    assert_eq!(v["data"].as_array().unwrap().len(), 2);
    assert!(v["data"][0]["b64_json"]
        .as_str()
        .unwrap()
        .starts_with("iVBOR"));
}

#[test]
fn embeddings() {
    let server = MockServer::start();
    let v = post(
        &server,
        "/v1/embeddings",
        &json!({"model": "text-embedding-3-small", "input": ["a b", "c"]}),
    )
    .json();
    assert_eq!(v["object"], "list");
    assert_eq!(v["model"], "text-embedding-3-small");
    assert_eq!(v["data"].as_array().unwrap().len(), 2);
    assert_eq!(v["data"][1]["index"], 1);
    assert_eq!(v["data"][1]["embedding"].as_array().unwrap().len(), 8);
    assert_eq!(
        v["data"][1]["embedding"][2],
        json!(openai_mock::embedding_value(1, 2))
    );
    assert_eq!(v["usage"], json!({"prompt_tokens": 3, "total_tokens": 3}));
    let v = post(
        &server,
        "/v1/embeddings",
        &json!({"input": "x", "dimensions": 3, "encoding_format": "base64"}),
    )
    .json();
    let b64 = v["data"][0]["embedding"].as_str().unwrap();
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    assert_eq!(bytes.len(), 12);
    assert_eq!(
        f32::from_le_bytes(bytes[4..8].try_into().unwrap()),
        openai_mock::embedding_value(0, 1) as f32
    );
    assert_eq!(
        post(&server, "/v1/embeddings", &json!({"model": "m"})).status,
        400
    );
}

#[test]
fn speech_bytes_are_deterministic() {
    let server = MockServer::start();
    let r = post(
        &server,
        "/v1/audio/speech",
        &json!({"model": "tts-1", "input": "hi", "voice": "alloy"}),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("audio/mpeg"));
    assert_eq!(r.body.len(), 4096);
    assert_eq!(r.body, openai_mock::speech_bytes(4096));
    assert_eq!(&r.body[..4], &[7, 38, 69, 100]);
    let r = post(
        &server,
        "/v1/audio/speech",
        &json!({"input": "hi", "response_format": "wav", "mock_bytes": 1_000_001}),
    );
    assert_eq!(r.header("content-type"), Some("audio/wav"));
    assert_eq!(r.body.len(), 1_000_001);
    assert!(r
        .body
        .iter()
        .enumerate()
        .all(|(i, b)| *b == ((i * 31 + 7) % 256) as u8));
    assert_eq!(
        post(
            &server,
            "/v1/audio/speech",
            &json!({"response_format": "ogg"})
        )
        .status,
        400
    );
}

#[test]
fn file_content_is_deterministic() {
    let server = MockServer::start();
    let r = get(&server, "/v1/files/file-xyz/content");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    assert_eq!(r.text(), "{\"id\":\"file-xyz\",\"line\":0}\n{\"id\":\"file-xyz\",\"line\":1}\n{\"id\":\"file-xyz\",\"line\":2}\n");
    let r = get(&server, "/v1/files/file-xyz/content?mock_bytes=300000");
    assert_eq!(r.body.len(), 300_000);
    assert_eq!(
        r.body,
        openai_mock::file_content_bytes("file-xyz", Some(300_000))
    );
    assert!(r.text().contains("{\"id\":\"file-xyz\",\"line\":5000}\n"));
}

#[test]
fn multipart_uploads() {
    let server = MockServer::start();
    let b = "----mockboundary7";
    let ct = format!("multipart/form-data; boundary={b}");
    let body = multipart(
        b,
        &[
            ("purpose", None, None, b"fine-tune"),
            (
                "file",
                Some("train.jsonl"),
                Some("application/jsonl"),
                b"{\"a\":1}\n{\"a\":2}\n",
            ),
        ],
    );
    let mut c = Client::connect(server.addr());
    let r = c.request_with(
        "POST",
        "/v1/files",
        &[("Authorization", "Bearer k"), ("Content-Type", &ct)],
        &body,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(
        (
            v["object"].as_str(),
            v["filename"].as_str(),
            v["purpose"].as_str(),
            v["bytes"].as_u64()
        ),
        (
            Some("file"),
            Some("train.jsonl"),
            Some("fine-tune"),
            Some(16)
        )
    );
    let log = server.requests();
    let parts = log[0]["parts"].as_array().unwrap();
    assert_eq!(
        parts[0],
        json!({"name": "purpose", "filename": null, "content_type": null, "len": 9, "sha256": common::hex_sha256(b"fine-tune"), "value": "fine-tune"})
    );
    assert_eq!(parts[1]["filename"], "train.jsonl");
    assert_eq!(parts[1]["content_type"], "application/jsonl");
    assert_eq!(parts[1]["value"], Value::Null);
    assert_eq!(
        parts[1]["sha256"],
        common::hex_sha256(b"{\"a\":1}\n{\"a\":2}\n")
    );

    // Missing file part, missing purpose, not multipart.
    let no_file = multipart(b, &[("purpose", None, None, b"fine-tune")]);
    let r = c.request_with(
        "POST",
        "/v1/files",
        &[("Authorization", "Bearer k"), ("Content-Type", &ct)],
        &no_file,
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["param"], "file");
    let r = c.request_with(
        "POST",
        "/v1/files",
        &[("Authorization", "Bearer k"), ("Content-Type", &ct)],
        &multipart(b, &[("file", Some("f"), None, b"x")]),
    );
    assert_eq!(r.json()["error"]["param"], "purpose");
    let r = c.request_with(
        "POST",
        "/v1/files",
        &[
            ("Authorization", "Bearer k"),
            ("Content-Type", "application/json"),
        ],
        b"{}",
    );
    assert_eq!(r.status, 400);
    let r = c.request_with(
        "POST",
        "/v1/images/edits",
        &[("Authorization", "Bearer k"), ("Content-Type", &ct)],
        &multipart(b, &[("prompt", None, None, b"p")]),
    );
    assert_eq!(r.json()["error"]["param"], "image");
    let r = c.request_with(
        "POST",
        "/v1/images/variations",
        &[("Authorization", "Bearer k"), ("Content-Type", &ct)],
        &multipart(
            b,
            &[
                ("image", Some("i.png"), Some("image/png"), b"\x89PNG"),
                ("n", None, None, b"3"),
            ],
        ),
    );
    assert_eq!(r.json()["data"].as_array().unwrap().len(), 3);
    let r = c.request_with(
        "POST",
        "/v1/files",
        &[("Authorization", "Bearer k"), ("Content-Type", &ct)],
        b"--nope",
    );
    assert_eq!(r.status, 400);
}

#[test]
fn transcription_formats() {
    let server = MockServer::start();
    let b = "xyzBOUNDARY";
    let ct = format!("multipart/form-data; boundary={b}");
    let send = |path: &str, format: Option<&str>, extra: &[FormPart]| {
        let mut parts: Vec<FormPart> = vec![
            ("file", Some("a.mp3"), Some("audio/mpeg"), b"ID3...."),
            ("model", None, None, b"whisper-1"),
        ];
        if let Some(f) = format {
            parts.push(("response_format", None, None, f.as_bytes()));
        }
        parts.extend_from_slice(extra);
        Client::connect(server.addr()).request_with(
            "POST",
            path,
            &[("Authorization", "Bearer k"), ("Content-Type", &ct)],
            &multipart(b, &parts),
        )
    };
    let r = send("/v1/audio/transcriptions", None, &[]);
    assert_eq!(r.json()["text"], "Hello! This is a mock transcription.");
    let r = send("/v1/audio/transcriptions", Some("text"), &[]);
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    assert_eq!(r.text(), "Hello! This is a mock transcription.\n");
    let r = send("/v1/audio/transcriptions", Some("srt"), &[]);
    assert_eq!(
        r.text(),
        "1\n00:00:00,000 --> 00:00:03,000\nHello! This is a mock transcription.\n\n"
    );
    let r = send("/v1/audio/transcriptions", Some("vtt"), &[]);
    assert_eq!(
        r.text(),
        "WEBVTT\n\n00:00:00.000 --> 00:00:03.000\nHello! This is a mock transcription.\n\n"
    );
    let r = send(
        "/v1/audio/transcriptions",
        Some("verbose_json"),
        &[
            ("language", None, None, b"fr"),
            ("timestamp_granularities[]", None, None, b"word"),
        ],
    );
    let v = r.json();
    assert_eq!(
        (
            v["task"].as_str(),
            v["language"].as_str(),
            v["duration"].as_f64()
        ),
        (Some("transcribe"), Some("fr"), Some(3.0))
    );
    assert_eq!(v["words"].as_array().unwrap().len(), 6);
    assert!(v.get("segments").is_none());
    let r = send("/v1/audio/translations", Some("verbose_json"), &[]);
    assert_eq!(r.json()["task"], "translate");
    assert_eq!(r.json()["segments"][0]["id"], 0);
    let r = send("/v1/audio/translations", None, &[]);
    assert_eq!(
        r.json(),
        json!({"text": "Hello! This is a mock translation."})
    );
    assert_eq!(
        send("/v1/audio/transcriptions", Some("mp4"), &[]).status,
        400
    );
    let r = Client::connect(server.addr()).request_with(
        "POST",
        "/v1/audio/translations",
        &[("Authorization", "Bearer k"), ("Content-Type", &ct)],
        &multipart(b, &[("model", None, None, b"whisper-1")]),
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json()["error"]["message"],
        "Missing required parameter: 'file'."
    );
}
