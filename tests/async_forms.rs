//! Every operation's `_async` export, loaded by name from the built libopenai.so, sends exactly
//! the request its blocking form sends and completes with the same response. The blocking forms
//! are checked against literal expectations in tests/operations.rs; this ties the async forms
//! to them.

mod common;

use std::ffi::{c_char, c_void};

use common::*;
use openai::ffi::future::openai_future;
use openai::operations::{Body, Streaming, OPERATIONS};
use serde_json::Value;

type S = *const c_char;
type Client = *const openai_client;
type Out = *mut *mut openai_response;
type Callback = Option<unsafe extern "C" fn(*mut openai_response, *mut c_void)>;

fn library() -> libloading::Library {
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().unwrap().parent().unwrap().join("libopenai.so");
    unsafe { libloading::Library::new(path) }.expect("load libopenai.so")
}

/// Calls the blocking export `name` with `args` (all C strings after the client).
unsafe fn call_blocking(lib: &libloading::Library, name: &str, client: Client, args: &[S], out: Out) -> openai_code {
    macro_rules! f {
        ($($t:ty),*) => { *lib.get::<unsafe extern "C" fn(Client, $($t,)* Out) -> openai_code>(name.as_bytes()).unwrap() };
    }
    match args {
        [] => f!()(client, out),
        [a] => f!(S)(client, *a, out),
        [a, b] => f!(S, S)(client, *a, *b, out),
        [a, b, c] => f!(S, S, S)(client, *a, *b, *c, out),
        [a, b, c, d] => f!(S, S, S, S)(client, *a, *b, *c, *d, out),
        _ => unreachable!(),
    }
}

/// Calls the async export `name` with `args`, without a callback.
unsafe fn call_async(lib: &libloading::Library, name: &str, client: Client, args: &[S]) -> *mut openai_future {
    let name = format!("{name}_async");
    macro_rules! f {
        ($($t:ty),*) => {
            *lib.get::<unsafe extern "C" fn(Client, $($t,)* Callback, *mut c_void) -> *mut openai_future>(name.as_bytes()).unwrap()
        };
    }
    let (cb, ud) = (None, std::ptr::null_mut());
    match args {
        [] => f!()(client, cb, ud),
        [a] => f!(S)(client, *a, cb, ud),
        [a, b] => f!(S, S)(client, *a, *b, cb, ud),
        [a, b, c] => f!(S, S, S)(client, *a, *b, *c, cb, ud),
        [a, b, c, d] => f!(S, S, S, S)(client, *a, *b, *c, *d, cb, ud),
        _ => unreachable!(),
    }
}

/// The code and status of a response made by the loaded library, which is then freed. (The
/// library's handles are only ever touched through the library's own functions: this test
/// process also holds a second, statically linked copy of the Rust code.)
unsafe fn status_of(lib: &libloading::Library, response: *mut openai_response) -> (i32, u16) {
    assert!(!response.is_null());
    let code = lib.get::<unsafe extern "C" fn(*const openai_response) -> i32>(b"openai_response_code").unwrap();
    let status = lib.get::<unsafe extern "C" fn(*const openai_response) -> u16>(b"openai_response_status").unwrap();
    let free = lib.get::<unsafe extern "C" fn(*mut openai_response)>(b"openai_response_free").unwrap();
    let result = (code(response), status(response));
    free(response);
    result
}

/// A logged request without what differs between two sends (sequence, connection).
fn comparable(mut request: Value) -> Value {
    for field in ["seq", "connection_id", "request_id", "received_us"] {
        request.as_object_mut().unwrap().remove(field);
    }
    request
}

#[test]
fn every_async_form_sends_what_its_blocking_form_sends() {
    let lib = library();
    let h = Harness::new();
    let client = unsafe {
        let new = lib.get::<unsafe extern "C" fn(S, *mut *mut openai_client) -> i32>(b"openai_client_new").unwrap();
        let options = c(&format!(r#"{{"api_key":"{KEY}","base_url":"{}","max_retries":0}}"#, h.mock.base_url()));
        let mut client = std::ptr::null_mut();
        assert_eq!(new(options.as_ptr(), &mut client), 0);
        client as Client
    };
    let mut checked = 0;
    // The 0.1.0 operations through their 0.1.0 signatures (the generated request tests,
    // tests/operations_all.rs, cover every export of today's table).
    for op in OPERATIONS {
        let Some(seed) = op.seed else { continue };
        if matches!(seed.request.body, Body::Multipart(_)) || matches!(op.streaming, Streaming::Always(_)) {
            continue;
        }
        let mut owned: Vec<std::ffi::CString> = op.path_params().iter().map(|p| c(&format!("{p}-value"))).collect();
        match seed.request.body {
            Body::Json | Body::OptionalJson => owned.push(c(r#"{"model":"gpt-4o-mini","input":"x"}"#)),
            _ if seed.request.query => owned.push(c(r#"{"limit":2,"order":"asc"}"#)),
            _ => {}
        }
        let args: Vec<S> = owned.iter().map(|s| s.as_ptr()).collect();
        let name = op.c_name();

        let mut response = std::ptr::null_mut();
        let returned = unsafe { call_blocking(&lib, &name, client, &args, &mut response) };
        let blocking = unsafe { status_of(&lib, response) };
        assert_eq!(returned as i32, blocking.0);
        let blocking_request = comparable(h.only_request());

        let future = unsafe { call_async(&lib, &name, client, &args) };
        assert!(!future.is_null(), "{name}_async returned NULL");
        unsafe {
            let wait = lib.get::<unsafe extern "C" fn(*const openai_future, i64) -> i32>(b"openai_future_wait").unwrap();
            let take = lib.get::<unsafe extern "C" fn(*mut openai_future, Out) -> i32>(b"openai_future_take").unwrap();
            let free = lib.get::<unsafe extern "C" fn(*mut openai_future)>(b"openai_future_free").unwrap();
            assert_eq!(wait(future, 10_000), OPENAI_OK as i32, "{name}_async did not complete");
            let mut response = std::ptr::null_mut();
            let taken = take(future, &mut response);
            let asynchronous = status_of(&lib, response);
            assert_eq!(taken, asynchronous.0);
            free(future);
            assert_eq!(blocking, asynchronous, "{name}");
        }
        let async_request = comparable(h.only_request());

        assert_eq!(blocking_request, async_request, "{name}: the async form sent another request");
        assert_eq!(blocking, (OPENAI_OK as i32, 200), "{name}");
        checked += 1;
    }
    assert_eq!(checked, 42, "every operation with a blocking JSON form");
    unsafe {
        let free = lib.get::<unsafe extern "C" fn(*mut openai_client)>(b"openai_client_free").unwrap();
        free(client as *mut openai_client);
    }
}
