//! The generated request tests: every export that bindings/operations.json describes (every form
//! of every operation of the table), loaded by name from the built libopenai.so and called with
//! arguments made from its described signature, against the mock server, which answers every
//! route of the specification. For each call: a successful answer of the kind the operation
//! returns (a JSON body, bytes written to a file, events of a stream, pages), and the exact
//! request the mock received: method, path with its encoded parameters, query, every header
//! (Accept, Content-Type, OpenAI-Beta, ...), and the body bytes or the multipart parts.
//!
//! One mock, one client and one loop over the table keep it fast (about two thousand calls).

mod common;

use std::collections::HashMap;
use std::ffi::{c_char, CString};

use common::{header, header_names, KEY};
use openai_mock::MockServer;
use serde_json::Value;

const BODY: &str = r#"{"model":"gpt-4o-mini","input":"Say hi","messages":[{"role":"user","content":"Hi"}],"prompt":"A cat","role":"user","content":"Hi","assistant_id":"asst_abc","training_file":"file-abc","voice":"alloy","tool_outputs":[]}"#;
const QUERY: &str = r#"{"limit":2,"include":["x y"]}"#;
const QUERY_STRING: &str = "limit=2&include[]=x%20y";
const FIELDS: &str = r#"{"purpose":"assistants","model":"whisper-1","prompt":"A cat","n":2}"#;
const FIELD_PARTS: [(&str, &str); 4] = [("purpose", "assistants"), ("model", "whisper-1"), ("prompt", "A cat"), ("n", "2")];

fn library() -> libloading::Library {
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().unwrap().parent().unwrap().join("libopenai.so");
    unsafe { libloading::Library::new(path) }.expect("load libopenai.so")
}

/// Calls `name` with `args`, every one an integer-class value (pointers, sizes), as the C ABIs
/// of the supported platforms pass them alike; the result is returned the same way.
unsafe fn call(lib: &libloading::Library, name: &str, args: &[usize]) -> usize {
    macro_rules! f {
        ($($i:tt),*) => {{
            let f = lib.get::<unsafe extern "C" fn($(f!(@ty $i)),*) -> usize>(name.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
            f($(args[$i]),*)
        }};
        (@ty $i:tt) => { usize };
    }
    match args.len() {
        1 => f!(0),
        2 => f!(0, 1),
        3 => f!(0, 1, 2),
        4 => f!(0, 1, 2, 3),
        5 => f!(0, 1, 2, 3, 4),
        6 => f!(0, 1, 2, 3, 4, 5),
        7 => f!(0, 1, 2, 3, 4, 5, 6),
        8 => f!(0, 1, 2, 3, 4, 5, 6, 7),
        9 => f!(0, 1, 2, 3, 4, 5, 6, 7, 8),
        10 => f!(0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
        11 => f!(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
        12 => f!(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
        n => panic!("{name} takes {n} arguments; extend this test"),
    }
}

/// The code (low 32 bits) of an `openai_code` result.
fn code(result: usize) -> u32 {
    result as u32
}

struct Harness {
    lib: libloading::Library,
    mock: MockServer,
    client: usize,
    uploads: HashMap<String, usize>,
    dir: std::path::PathBuf,
}

impl Harness {
    fn new() -> Harness {
        let lib = library();
        let mock = MockServer::start();
        let mut options = common::reach(&mock);
        options.insert("api_key".into(), KEY.into());
        options.insert("max_retries".into(), 0.into());
        let options = CString::new(serde_json::Value::Object(options).to_string()).unwrap();
        let mut client = 0usize;
        let made = unsafe { call(&lib, "openai_client_new", &[options.as_ptr() as usize, &mut client as *mut usize as usize]) };
        assert_eq!(code(made), 0);
        let dir = std::env::temp_dir().join(format!("openai-operations-all-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Harness { lib, mock, client, uploads: HashMap::new(), dir }
    }

    /// An upload handle made by the loaded library: `bytes of <name>` as `<name>.png`.
    fn upload(&mut self, name: &str) -> usize {
        if let Some(u) = self.uploads.get(name) {
            return *u;
        }
        let data = format!("bytes of {name}");
        let filename = CString::new(format!("{name}.png")).unwrap();
        let u = unsafe { call(&self.lib, "openai_upload_from_memory", &[data.as_ptr() as usize, data.len(), filename.as_ptr() as usize, 0]) };
        assert_ne!(u, 0);
        self.uploads.insert(name.to_string(), u);
        u
    }

    /// Status, code and body of a response handle (freed).
    fn read_response(&self, response: usize) -> (u32, u16, Vec<u8>) {
        assert_ne!(response, 0, "no response");
        unsafe {
            let status = call(&self.lib, "openai_response_status", &[response]) as u16;
            let code = code(call(&self.lib, "openai_response_code", &[response]));
            let mut len = 0usize;
            let body = call(&self.lib, "openai_response_body", &[response, &mut len as *mut usize as usize]) as *const u8;
            let body = std::slice::from_raw_parts(body, len).to_vec();
            call(&self.lib, "openai_response_free", &[response]);
            (code, status, body)
        }
    }

    fn future_response(&self, future: usize) -> (u32, u16, Vec<u8>) {
        assert_ne!(future, 0);
        unsafe {
            assert_eq!(code(call(&self.lib, "openai_future_wait", &[future, 20_000])), 0, "the future did not complete");
            let mut response = 0usize;
            call(&self.lib, "openai_future_take", &[future, &mut response as *mut usize as usize]);
            call(&self.lib, "openai_future_free", &[future]);
            self.read_response(response)
        }
    }

    /// Reads a stream to its end: (events, names of the events, how it ended).
    fn drain_stream(&self, stream: usize) -> (usize, Vec<String>, u32) {
        assert_ne!(stream, 0);
        let mut names = Vec::new();
        let mut events = 0;
        unsafe {
            loop {
                let mut event = 0usize;
                let got = code(call(&self.lib, "openai_stream_next", &[stream, 20_000, &mut event as *mut usize as usize]));
                if got != 0 || event == 0 {
                    let end = code(call(&self.lib, "openai_stream_code", &[stream]));
                    call(&self.lib, "openai_stream_free", &[stream]);
                    return (events, names, if got != 0 { got } else { end });
                }
                events += 1;
                let name = call(&self.lib, "openai_event_name", &[event]) as *const c_char;
                if !name.is_null() {
                    names.push(std::ffi::CStr::from_ptr(name).to_string_lossy().into_owned());
                }
                call(&self.lib, "openai_event_free", &[event]);
            }
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        unsafe {
            for u in self.uploads.values() {
                call(&self.lib, "openai_upload_free", &[*u]);
            }
            call(&self.lib, "openai_client_free", &[self.client]);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The request an export must send.
struct Expected {
    method: String,
    path: String,
    query: Option<String>,
    accept: String,
    beta: Option<String>,
    /// JSON body bytes; `Some("")` for an empty body.
    body: Option<String>,
    /// Multipart parts: (name, value for a field or filename for a file).
    parts: Option<Vec<(String, String)>>,
    /// An event stream: asked for uncompressed.
    stream: bool,
}

fn sample_param(name: &str) -> String {
    format!("{name} 1/x")
}

fn encoded_param(name: &str) -> String {
    format!("{name}%201%2Fx")
}

fn expected(op: &Value, export: &Value) -> Expected {
    let has = |role: &str| export["args"].as_array().unwrap().iter().any(|a| a["role"] == role);
    let stream = matches!(export["form"].as_str(), Some("stream" | "stream_async"));
    let flag = op["streaming"]["flag"].as_str();
    let template = op["path"].as_str().unwrap();
    let (template, fixed) = match template.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (template, None),
    };
    let mut path = format!("/v1{template}");
    for p in op["path_params"].as_array().unwrap() {
        let p = p.as_str().unwrap();
        path = path.replace(&format!("{{{p}}}"), &encoded_param(p));
    }
    let mut query: Vec<String> = fixed.map(|q| q.to_string()).into_iter().collect();
    if has("query") {
        query.push(QUERY_STRING.into());
    }
    if stream && flag == Some("query_stream") {
        query.push("stream=true".into());
    }
    let mut body = None;
    let mut parts = None;
    if has("body") {
        body = Some(match (stream, flag) {
            (true, Some("json_stream")) => BODY.replacen('{', "{\"stream\":true,", 1),
            (true, Some("json_stream_format_sse")) => BODY.replacen('{', "{\"stream_format\":\"sse\",", 1),
            _ => BODY.to_string(),
        });
    } else if has("fields") {
        let mut p: Vec<(String, String)> = FIELD_PARTS.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        if stream && flag == Some("multipart_stream") {
            p.push(("stream".into(), "true".into()));
        }
        for a in export["args"].as_array().unwrap() {
            let name = a["name"].as_str().unwrap();
            match a["role"].as_str() {
                Some("file") => p.push((name.to_string(), format!("{name}.png"))),
                Some("file_array") => {
                    p.push((format!("{name}[]"), format!("{name}.png")));
                    p.push((format!("{name}[]"), format!("{name}.png")));
                }
                _ => {}
            }
        }
        parts = Some(p);
    }
    Expected {
        method: op["http_method"].as_str().unwrap().to_string(),
        path,
        query: (!query.is_empty()).then(|| query.join("&")),
        accept: op["accept"].as_str().unwrap().to_string(),
        beta: op["beta"].as_str().map(str::to_string),
        body,
        parts,
        stream,
    }
}

fn check_request(name: &str, request: &Value, e: &Expected) {
    let context = format!("{name}: {request:#}");
    assert_eq!(request["method"], e.method.as_str(), "{context}");
    assert_eq!(request["path"], e.path.as_str(), "{context}");
    assert_eq!(request["query"].as_str(), e.query.as_deref(), "{context}");
    assert_eq!(header(request, "authorization"), Some(format!("Bearer {KEY}").as_str()), "{context}");
    assert_eq!(header(request, "accept"), Some(e.accept.as_str()), "{context}");
    assert_eq!(header(request, "user-agent"), Some(concat!("libopenai/", env!("CARGO_PKG_VERSION"))), "{context}");
    assert_eq!(header(request, "openai-beta"), e.beta.as_deref(), "{context}");
    // Compressed responses as the official SDK's HTTP client asks for them; streams uncompressed.
    let encoding = if e.stream { "identity" } else { "gzip, deflate" };
    assert_eq!(header(request, "accept-encoding"), Some(encoding), "{context}");
    let mut names = vec!["accept", "accept-encoding", "authorization", "host", "user-agent"];
    if e.beta.is_some() {
        names.push("openai-beta");
    }
    match &e.parts {
        Some(parts) => {
            let content_type = header(request, "content-type").unwrap_or("");
            assert!(content_type.starts_with("multipart/form-data; boundary="), "{context}");
            names.extend(["content-type", "content-length"]);
            let got: Vec<(String, String)> = request["parts"]
                .as_array()
                .unwrap_or_else(|| panic!("no parts: {context}"))
                .iter()
                .map(|p| {
                    let value = if p["filename"].is_string() { &p["filename"] } else { &p["value"] };
                    (p["name"].as_str().unwrap().to_string(), value.as_str().unwrap_or("").to_string())
                })
                .collect();
            assert_eq!(&got, parts, "{context}");
        }
        None => {
            let body = e.body.as_deref().unwrap_or("");
            assert_eq!(request["body"].as_str().unwrap_or(""), body, "{context}");
            if e.method != "GET" {
                names.push("content-type");
                assert_eq!(header(request, "content-type"), Some("application/json"), "{context}");
            }
            if e.body.is_some() || e.method == "POST" {
                names.push("content-length");
                assert_eq!(header(request, "content-length"), Some(body.len().to_string().as_str()), "{context}");
            }
        }
    }
    names.sort();
    assert_eq!(header_names(request), names, "{context}");
}

#[test]
fn every_export_sends_its_operations_exact_request() {
    let table: Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/bindings/operations.json")).unwrap()).unwrap();
    let operations: HashMap<&str, &Value> = table["operations"].as_array().unwrap().iter().map(|o| (o["name"].as_str().unwrap(), o)).collect();
    let mut h = Harness::new();
    let mut seen = 0u64;
    let mut checked: HashMap<&str, usize> = HashMap::new();
    for export in table["exports"].as_array().unwrap() {
        let name = export["name"].as_str().unwrap();
        let form = export["form"].as_str().unwrap();
        let op = operations[export["operation"].as_str().unwrap()];
        // The arguments, made from the description; C strings kept alive until the call returns.
        let mut strings: Vec<CString> = Vec::new();
        let mut arrays: Vec<Vec<usize>> = Vec::new();
        let mut out = 0usize;
        let target = h.dir.join(format!("{name}.out"));
        let mut args = Vec::new();
        for a in export["args"].as_array().unwrap() {
            let arg_name = a["name"].as_str().unwrap();
            let mut text = |s: String| {
                strings.push(CString::new(s).unwrap());
                strings.last().unwrap().as_ptr() as usize
            };
            args.push(match a["role"].as_str().unwrap() {
                "client" => h.client,
                "path_param" => text(sample_param(arg_name)),
                "query" => text(QUERY.into()),
                "body" => text(BODY.into()),
                "fields" => text(FIELDS.into()),
                "file" => h.upload(arg_name),
                "file_array" => {
                    let u = h.upload(arg_name);
                    arrays.push(vec![u, u]);
                    arrays.last().unwrap().as_ptr() as usize
                }
                "file_count" => 2,
                "path" => text(target.to_str().unwrap().to_string()),
                "progress" | "progress_userdata" | "callback" | "userdata" => 0,
                "out" => &mut out as *mut usize as usize,
                other => panic!("{name}: unknown role {other}"),
            });
        }
        let result = unsafe { call(&h.lib, name, &args) };
        let response_kind = op["response"].as_str().unwrap();
        let requests_needed = match form {
            "blocking" | "async" => {
                let (code, status, body) = if form == "blocking" { h.read_response(out) } else { h.future_response(result) };
                assert_eq!((code, status / 100), (0, 2), "{name}: {}", String::from_utf8_lossy(&body));
                match response_kind {
                    "json" => assert!(serde_json::from_slice::<Value>(&body).is_ok(), "{name}: a JSON body"),
                    "empty" => assert!(body.is_empty(), "{name}: no body"),
                    _ => assert!(!body.is_empty(), "{name}: a body"),
                }
                1
            }
            "stream" | "stream_async" => {
                let stream = if form == "stream" {
                    assert_eq!(code(result), 0, "{name}");
                    out
                } else {
                    result
                };
                let (events, names, end) = h.drain_stream(stream);
                assert_eq!(end, 0, "{name}: the stream ended with {end}");
                assert!(events >= 2, "{name}: {events} events");
                if op["name"].as_str().unwrap().starts_with("responses.create") {
                    for expected in ["response.created", "response.output_text.delta", "response.completed"] {
                        assert!(names.iter().any(|n| n == expected), "{name}: no {expected} event in {names:?}");
                    }
                }
                1
            }
            "pages" => {
                assert_eq!(code(result), 0, "{name}");
                let mut pages = 0;
                loop {
                    let mut page = 0usize;
                    let got = unsafe { call(&h.lib, "openai_pager_next", &[out, &mut page as *mut usize as usize]) };
                    assert_eq!(code(got), 0, "{name}: page {pages}");
                    if page == 0 {
                        break;
                    }
                    let (code, _, _) = h.read_response(page);
                    assert_eq!(code, 0, "{name}");
                    pages += 1;
                    assert!(pages < 20, "{name}: the pages do not end");
                }
                unsafe { call(&h.lib, "openai_pager_free", &[out]) };
                assert!(pages >= 1, "{name}");
                pages
            }
            "to_file" | "to_file_async" => {
                let (code, status, _) = if form == "to_file" { h.read_response(out) } else { h.future_response(result) };
                assert_eq!((code, status / 100), (0, 2), "{name}");
                let written = std::fs::read(&target).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(!written.is_empty(), "{name}: an empty file");
                std::fs::remove_file(&target).unwrap();
                1
            }
            other => panic!("{name}: unknown form {other}"),
        };
        let requests = h.mock.requests_since(seen);
        seen = requests.last().and_then(|r| r["seq"].as_u64()).unwrap_or(seen);
        assert_eq!(requests.len(), requests_needed, "{name}: {requests:#?}");
        check_request(name, &requests[0], &expected(op, export));
        if form == "pages" {
            for later in &requests[1..] {
                let query = later["query"].as_str().unwrap_or("");
                assert!(query.contains("after=") || query.contains("page="), "{name}: a later page without a cursor: {query}");
            }
        }
        *checked.entry(form).or_default() += 1;
        drop(strings);
    }
    let total: usize = checked.values().sum();
    assert_eq!(total, table["exports"].as_array().unwrap().len());
    eprintln!("checked {total} exports: {checked:?}");
}
