//! What the integration tests share: a mock server per test, a client pointed at it, and the
//! response of a C call read back into Rust values. Every call goes through the C ABI.
#![allow(dead_code)]

use std::ffi::{c_char, CStr, CString};
use std::sync::atomic::{AtomicU64, Ordering};

pub use openai::ffi::client::*;
pub use openai::ffi::code::openai_code;
pub use openai::ffi::code::openai_code::*;
pub use openai::ffi::response::*;
pub use openai_mock::MockServer;
use serde_json::Value;

pub const KEY: &str = "sk-test-0123456789";

/// A C string for an argument.
pub fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// A borrowed C string as a Rust string (None for NULL).
pub fn text(p: *const c_char) -> Option<String> {
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

/// A mock server and a client of it.
pub struct Harness {
    pub mock: MockServer,
    pub client: *mut openai_client,
    /// The sequence number of the last request `take_requests` returned.
    seen: AtomicU64,
}

unsafe impl Sync for Harness {}
unsafe impl Send for Harness {}

impl Harness {
    /// A client with the test key and no retries (a test of retries sets its own).
    pub fn new() -> Harness {
        Harness::with_options("{\"max_retries\":0}")
    }

    /// A client with `extra` (a JSON object) merged into the base URL and key, reaching the mock
    /// as `OPENAI_TEST_TRANSPORT` says (see [`reach`]).
    pub fn with_options(extra: &str) -> Harness {
        let mock = MockServer::start();
        let mut options: serde_json::Map<String, Value> = serde_json::from_str(extra).unwrap();
        options.entry("api_key").or_insert(Value::String(KEY.into()));
        for (name, value) in reach(&mock) {
            options.entry(name).or_insert(value);
        }
        let client = new_client(&Value::Object(options).to_string()).unwrap_or_else(|e| panic!("client: {e}"));
        Harness { mock, client, seen: AtomicU64::new(0) }
    }

    /// The requests the mock received since the last call of `take_requests`.
    pub fn take_requests(&self) -> Vec<Value> {
        let requests = self.mock.requests_since(self.seen.load(Ordering::SeqCst));
        if let Some(last) = requests.last() {
            self.seen.store(last["seq"].as_u64().unwrap(), Ordering::SeqCst);
        }
        requests
    }

    /// The one request the mock received since the last `take_requests`.
    pub fn only_request(&self) -> Value {
        let mut requests = self.take_requests();
        assert_eq!(requests.len(), 1, "expected one request, got {requests:#?}");
        requests.remove(0)
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        unsafe { openai_client_free(self.client) };
    }
}

/// The options that make a client reach `mock` as `OPENAI_TEST_TRANSPORT` says: `plain` (HTTP/1.1,
/// the default), `h2` (TLS with HTTP/2, as the real API is served) or `h1-tls` (TLS with HTTP/1.1
/// forced by `http1_only`), the last two through the mock's TLS front. tests/run-all.sh runs the
/// operation and stream suites all three ways.
pub fn reach(mock: &MockServer) -> serde_json::Map<String, Value> {
    let mut options = serde_json::Map::new();
    match std::env::var("OPENAI_TEST_TRANSPORT").as_deref() {
        Ok(transport @ ("h2" | "h1-tls")) => {
            let front = mock.tls_front();
            let bundle = std::env::temp_dir().join(format!("openai-test-ca-{}-{}.pem", std::process::id(), front.addr.port()));
            std::fs::write(&bundle, &front.ca_pem).unwrap();
            options.insert("base_url".into(), Value::String(front.base_url()));
            options.insert("ca_bundle".into(), Value::String(bundle.display().to_string()));
            if transport == "h1-tls" {
                options.insert("http1_only".into(), Value::Bool(true));
            }
        }
        Ok("plain") | Err(_) => {
            options.insert("base_url".into(), Value::String(mock.base_url()));
        }
        Ok(other) => panic!("OPENAI_TEST_TRANSPORT={other}: plain, h2 or h1-tls"),
    }
    options
}

/// Creates a client from JSON options, or returns `openai_last_error()`.
pub fn new_client(options: &str) -> Result<*mut openai_client, String> {
    let options = c(options);
    let mut client = std::ptr::null_mut();
    let code = unsafe { openai_client_new(options.as_ptr(), &mut client) };
    if code == OPENAI_OK {
        assert!(!client.is_null());
        Ok(client)
    } else {
        assert!(client.is_null());
        Err(text(openai::ffi::error::openai_last_error()).unwrap_or_default())
    }
}

/// A response read back from its handle (which is then freed).
#[derive(Debug)]
pub struct Reply {
    pub code: openai_code,
    pub returned: openai_code,
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
    pub request_id: Option<String>,
    pub message: Option<String>,
    pub error_message: Option<String>,
    pub error_type: Option<String>,
    pub error_param: Option<String>,
    pub error_code: Option<String>,
    pub retries: u32,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body_text()))
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Reads and frees the response a call handed back; `returned` is the call's return value.
pub fn reply(returned: openai_code, response: *mut openai_response) -> Reply {
    assert!(!response.is_null(), "the call returned {returned:?} without a response");
    unsafe {
        let mut len = 0usize;
        let body_ptr = openai_response_body(response, &mut len);
        let body = std::slice::from_raw_parts(body_ptr as *const u8, len).to_vec();
        assert_eq!(*body_ptr.add(len), 0, "the body is NUL-terminated");
        assert_eq!(openai_response_body_len(response), len);
        let count = openai_response_header_count(response);
        let mut headers = Vec::new();
        for i in 0..count {
            let (mut name, mut value) = (std::ptr::null(), std::ptr::null());
            assert_eq!(openai_response_header_at(response, i, &mut name, &mut value), OPENAI_OK);
            headers.push((text(name).unwrap(), text(value).unwrap()));
        }
        let r = Reply {
            code: openai_response_code(response),
            returned,
            status: openai_response_status(response),
            body,
            headers,
            request_id: text(openai_response_request_id(response)),
            message: text(openai_response_error_message(response)),
            error_message: text(openai_response_api_error_message(response)),
            error_type: text(openai_response_api_error_type(response)),
            error_param: text(openai_response_api_error_param(response)),
            error_code: text(openai_response_api_error_code(response)),
            retries: openai_response_retries(response),
        };
        openai_response_free(response);
        assert_eq!(r.code, r.returned, "the return value is the response's code");
        r
    }
}

/// Runs a blocking call that takes `&mut *mut openai_response` last and reads its response.
pub fn call(f: impl FnOnce(*mut *mut openai_response) -> openai_code) -> Reply {
    let mut response = std::ptr::null_mut();
    let returned = f(&mut response);
    reply(returned, response)
}

/// The value of a logged request's header (names are logged in lower case).
pub fn header<'a>(request: &'a Value, name: &str) -> Option<&'a str> {
    request["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|pair| pair[0].as_str() == Some(name))
        .and_then(|pair| pair[1].as_str())
}

/// The names of a logged request's headers, sorted.
pub fn header_names(request: &Value) -> Vec<String> {
    let mut names: Vec<String> =
        request["headers"].as_array().unwrap().iter().map(|pair| pair[0].as_str().unwrap().to_string()).collect();
    names.sort();
    names
}

/// What a test expects the server to have received.
pub struct Expected<'a> {
    pub method: &'a str,
    /// Path including the `/v1` prefix, as received (still percent-encoded).
    pub path: &'a str,
    /// The raw query string, or None for no query.
    pub query: Option<&'a str>,
    /// The body bytes as text; None for no body (an empty body).
    pub body: Option<&'a str>,
    pub accept: &'a str,
    pub beta: bool,
    /// An event stream: asked for uncompressed.
    pub stream: bool,
}

impl<'a> Expected<'a> {
    pub fn new(method: &'a str, path: &'a str) -> Expected<'a> {
        Expected { method, path, query: None, body: None, accept: "application/json", beta: false, stream: false }
    }
    pub fn query(mut self, q: &'a str) -> Self {
        self.query = Some(q);
        self
    }
    pub fn body(mut self, b: &'a str) -> Self {
        self.body = Some(b);
        self
    }
    pub fn beta(mut self) -> Self {
        self.beta = true;
        self
    }
    pub fn stream(mut self) -> Self {
        self.stream = true;
        self
    }
    pub fn accept(mut self, a: &'a str) -> Self {
        self.accept = a;
        self
    }
}

/// Asserts the exact request: method, path, query, body bytes, and every header.
pub fn assert_request(request: &Value, expected: &Expected) {
    let context = format!("{} {}: {request:#}", expected.method, expected.path);
    assert_eq!(request["method"], expected.method, "{context}");
    assert_eq!(request["path"], expected.path, "{context}");
    assert_eq!(request["query"].as_str(), expected.query, "{context}");
    assert_eq!(request["body"].as_str().unwrap_or(""), expected.body.unwrap_or(""), "{context}");
    assert_eq!(header(request, "authorization"), Some(format!("Bearer {KEY}").as_str()), "{context}");
    assert_eq!(header(request, "accept"), Some(expected.accept), "{context}");
    assert_eq!(header(request, "user-agent"), Some(concat!("libopenai/", env!("CARGO_PKG_VERSION"))), "{context}");
    let content_type = (expected.method != "GET").then_some("application/json");
    assert_eq!(header(request, "content-type"), content_type, "{context}");
    assert_eq!(header(request, "openai-beta"), expected.beta.then_some("assistants=v2"), "{context}");
    // Compressed responses as the official SDK's HTTP client asks for them; streams uncompressed.
    let encoding = if expected.stream { "identity" } else { "gzip, deflate" };
    assert_eq!(header(request, "accept-encoding"), Some(encoding), "{context}");
    let mut names = vec!["accept", "accept-encoding", "authorization", "host", "user-agent"];
    if expected.method != "GET" {
        names.push("content-type");
    }
    // A body, or a body-less POST (`Content-Length: 0`, as httpx sends it); never on GET or a
    // body-less DELETE.
    if expected.body.is_some() || expected.method == "POST" {
        names.push("content-length");
    }
    if let Some(body) = expected.body {
        assert_eq!(header(request, "content-length"), Some(body.len().to_string().as_str()), "{context}");
    }
    if expected.beta {
        names.push("openai-beta");
    }
    names.sort();
    assert_eq!(header_names(request), names, "{context}");
}
#[allow(dead_code)]
pub mod proxy;
#[allow(dead_code)]
pub mod tls;
#[allow(dead_code)]
pub mod webhooks;
