//! `openai_response`: the raw response of a call (status, headers, body bytes) and, when the call
//! failed, why.

use std::ffi::{c_char, CStr, CString};
use std::sync::OnceLock;

use super::handle::{self, write_opt};
use super::json::JsonView;

use super::code::openai_code;
use crate::response::Response;

/// The response of one call, successful or not. Created by the library, owned by the caller,
/// freed with `openai_response_free`. Strings returned by its accessors are borrowed from it
/// and stay valid until it is freed. It may be read from any thread, by one thread at a time.
pub struct openai_response {
    code: openai_code,
    inner: Response,
    /// The body followed by a NUL byte.
    body: Vec<u8>,
    message: Option<CString>,
    error_message: Option<CString>,
    error_type: Option<CString>,
    error_param: Option<CString>,
    error_code: Option<CString>,
    /// The headers as C strings, made on first use.
    headers: OnceLock<Vec<(CString, CString)>>,
    /// The body as JSON, for the JSON Pointer accessors.
    json: JsonView,
}

/// A C string of `s`; an interior NUL (impossible in header values, rare elsewhere) is cut there.
pub(crate) fn to_cstring(s: String) -> CString {
    CString::new(s).unwrap_or_else(|e| {
        let end = e.nul_position();
        let mut bytes = e.into_vec();
        bytes.truncate(end);
        CString::new(bytes).expect("no NUL before the first NUL")
    })
}

fn opt_cstring(s: &Option<String>) -> Option<CString> {
    s.clone().map(to_cstring)
}

fn ptr_of(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(std::ptr::null(), |s| s.as_ptr())
}

impl openai_response {
    pub(crate) fn new(mut inner: Response) -> openai_response {
        let mut body = std::mem::take(&mut inner.body);
        body.push(0);
        let api_error = inner.api_error.clone().unwrap_or_default();
        openai_response {
            code: inner.outcome.into(),
            message: opt_cstring(&inner.message),
            error_message: opt_cstring(&api_error.message),
            error_type: opt_cstring(&api_error.kind),
            error_param: opt_cstring(&api_error.param),
            error_code: opt_cstring(&api_error.code),
            inner,
            body,
            headers: OnceLock::new(),
            json: JsonView::default(),
        }
    }

    pub(crate) fn code(&self) -> openai_code {
        self.code
    }

    pub(crate) fn message(&self) -> Option<&CStr> {
        self.message.as_deref()
    }

    fn headers(&self) -> &[(CString, CString)] {
        self.headers.get_or_init(|| {
            self.inner
                .headers
                .iter()
                .map(|(name, value)| {
                    (to_cstring(name.as_str().to_string()), to_cstring(String::from_utf8_lossy(value.as_bytes()).into_owned()))
                })
                .collect()
        })
    }
}

/// Borrows the response behind a pointer that may be NULL.
///
/// # Safety
/// `response` is NULL or a live response (the header's conventions).
unsafe fn borrow<'a>(response: *const openai_response) -> Option<&'a openai_response> {
    // SAFETY: this function's contract.
    unsafe { handle::borrow(response) }
}

/// The code of the call that produced this response: `OPENAI_OK` for a 2xx status, the status's
/// code for an API error, or the reason no response came. `OPENAI_INVALID_ARGUMENT` for NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_response_code(response: *const openai_response) -> openai_code {
    ffi_boundary! {
        // SAFETY: `response` is NULL or a live response (the header's conventions).
        unsafe { borrow(response) }.map_or(openai_code::OPENAI_INVALID_ARGUMENT, |r| r.code)
    }
}

/// The HTTP status code, or 0 when no HTTP response came (connection failure, timeout,
/// cancellation, invalid argument) or `response` is NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_response_status(response: *const openai_response) -> u16 {
    ffi_boundary! {
        // SAFETY: `response` is NULL or a live response (the header's conventions).
        unsafe { borrow(response) }.map_or(0, |r| r.inner.status)
    }
}

/// The body bytes. They are followed by a NUL byte, so a text body can be used as a C string,
/// but may themselves contain NUL bytes: use `len` for binary content. `len` may be NULL.
/// The body of a response without HTTP content is empty (""), never NULL, unless `response` is
/// NULL. The bytes are borrowed from the response.
#[no_mangle]
pub unsafe extern "C" fn openai_response_body(response: *const openai_response, len: *mut usize) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `response` is NULL or live; `len` NULL or writable (the header's conventions).
        let Some(r) = (unsafe { borrow(response) }) else {
            unsafe { write_opt(len, 0) };
            return std::ptr::null();
        };
        // SAFETY: as above.
        unsafe { write_opt(len, r.body.len() - 1) };
        r.body.as_ptr() as *const c_char
    }
}

/// The length in bytes of the body (without the terminating NUL); 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_response_body_len(response: *const openai_response) -> usize {
    ffi_boundary! {
        // SAFETY: `response` is NULL or a live response (the header's conventions).
        unsafe { borrow(response) }.map_or(0, |r| r.body.len() - 1)
    }
}

/// The value of the first header named `name` (compared without regard to case), or NULL if the
/// response has no such header or an argument is NULL. Borrowed from the response.
#[no_mangle]
pub unsafe extern "C" fn openai_response_header(response: *const openai_response, name: *const c_char) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `response` is NULL or live; `name` NULL or a C string.
        let (Some(r), false) = (unsafe { borrow(response) }, name.is_null()) else {
            return std::ptr::null();
        };
        // SAFETY: non-NULL and NUL-terminated (the header's conventions).
        let name = unsafe { CStr::from_ptr(name) }.to_bytes();
        r.headers()
            .iter()
            .find(|(n, _)| n.to_bytes().eq_ignore_ascii_case(name))
            .map_or(std::ptr::null(), |(_, v)| v.as_ptr())
    }
}

/// The number of headers (a header sent twice counts twice); 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_response_header_count(response: *const openai_response) -> usize {
    ffi_boundary! {
        // SAFETY: `response` is NULL or a live response (the header's conventions).
        unsafe { borrow(response) }.map_or(0, |r| r.headers().len())
    }
}

/// The header at `index` (from 0 to count - 1): its lower-case name and its value, both
/// borrowed from the response. Either out pointer may be NULL. Returns
/// `OPENAI_INVALID_ARGUMENT` when `response` is NULL or `index` is out of range, and then
/// leaves the out pointers unchanged.
#[no_mangle]
pub unsafe extern "C" fn openai_response_header_at(
    response: *const openai_response,
    index: usize,
    name: *mut *const c_char,
    value: *mut *const c_char,
) -> openai_code {
    ffi_boundary! {
        // SAFETY: `response` is NULL or live; `name` and `value` NULL or writable.
        let Some(r) = (unsafe { borrow(response) }) else {
            super::error::set_last_error("response is NULL");
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        let Some((n, v)) = r.headers().get(index) else {
            super::error::set_last_error(format!("header index {index} is out of range"));
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        // SAFETY: as above.
        unsafe {
            write_opt(name, n.as_ptr());
            write_opt(value, v.as_ptr());
        }
        openai_code::OPENAI_OK
    }
}

/// The `x-request-id` header (quote it to OpenAI's support), or NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_response_request_id(response: *const openai_response) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `response` is passed on under the same contract; the name is a static C string.
        unsafe { openai_response_header(response, c"x-request-id".as_ptr()) }
    }
}

/// The HTTP version the response came in, "HTTP/1.1" or "HTTP/2" (HTTP/2 is used over TLS when
/// the server offers it, unless the client has `http1_only`), or NULL when no HTTP response came
/// or `response` is NULL. A static string, never freed.
#[no_mangle]
pub unsafe extern "C" fn openai_response_http_version(response: *const openai_response) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `response` is NULL or a live response (the header's conventions).
        // The core's names, as static C strings.
        const NAMES: &[&std::ffi::CStr] = &[c"HTTP/0.9", c"HTTP/1.0", c"HTTP/1.1", c"HTTP/2", c"HTTP/3", c"HTTP"];
        let name = unsafe { borrow(response) }.and_then(|r| r.inner.http_version_name());
        name.and_then(|name| NAMES.iter().find(|c| c.to_bytes() == name.as_bytes())).map_or(std::ptr::null(), |c| c.as_ptr())
    }
}

/// How many retries the call took (0 when its first attempt was the last); 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_response_retries(response: *const openai_response) -> u32 {
    ffi_boundary! {
        // SAFETY: `response` is NULL or a live response (the header's conventions).
        unsafe { borrow(response) }.map_or(0, |r| r.inner.retries)
    }
}

/// Why the call failed, or NULL if it succeeded. For an API error this is the official SDK's
/// text, `Error code: 404 - <the error's message>`; otherwise it says what went wrong
/// ("connection error: ...", "thread_id must not be empty"). Borrowed from the response.
#[no_mangle]
pub unsafe extern "C" fn openai_response_error_message(response: *const openai_response) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `response` is NULL or a live response (the header's conventions).
        unsafe { borrow(response) }.map_or(std::ptr::null(), |r| ptr_of(&r.message))
    }
}

/// `message` of the API error body `{"error": {...}}`, or NULL when the body has none.
#[no_mangle]
pub unsafe extern "C" fn openai_response_api_error_message(response: *const openai_response) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `response` is NULL or a live response (the header's conventions).
        unsafe { borrow(response) }.map_or(std::ptr::null(), |r| ptr_of(&r.error_message))
    }
}

/// `type` of the API error body ("invalid_request_error"), or NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_response_api_error_type(response: *const openai_response) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `response` is NULL or a live response (the header's conventions).
        unsafe { borrow(response) }.map_or(std::ptr::null(), |r| ptr_of(&r.error_type))
    }
}

/// `param` of the API error body ("model"), or NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_response_api_error_param(response: *const openai_response) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `response` is NULL or a live response (the header's conventions).
        unsafe { borrow(response) }.map_or(std::ptr::null(), |r| ptr_of(&r.error_param))
    }
}

/// `code` of the API error body ("model_not_found"; a numeric code as its text), or NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_response_api_error_code(response: *const openai_response) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `response` is NULL or a live response (the header's conventions).
        unsafe { borrow(response) }.map_or(std::ptr::null(), |r| ptr_of(&r.error_code))
    }
}

/// The string at `pointer` in the JSON body, unescaped, or NULL when the body is not JSON, the
/// pointer finds nothing, or the value there is not a string.
///
/// `pointer` is a JSON Pointer (RFC 6901): `/choices/0/message/content` is the reply of a chat
/// completion, `/id` the id of a created object, `""` the whole document. A string containing
/// a NUL character is cut there. The result is borrowed from the response (each call allocates
/// a copy that lives until the response is freed), so C programs can read results without a
/// JSON library.
#[no_mangle]
pub unsafe extern "C" fn openai_response_json_string(response: *const openai_response, pointer: *const c_char) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `response` is NULL or live; `pointer` NULL or a C string.
        match unsafe { borrow(response) } {
            Some(r) => unsafe { r.json.string(&r.body[..r.body.len() - 1], pointer) },
            None => std::ptr::null(),
        }
    }
}

/// The value at `pointer` (a JSON Pointer, as in `openai_response_json_string`) in the JSON body,
/// as compact JSON text (`42`, `true`, `"text"`, `{"a":1}`), or NULL when the body is not JSON or
/// the pointer finds nothing. Borrowed from the response, like `openai_response_json_string`.
#[no_mangle]
pub unsafe extern "C" fn openai_response_json_value(response: *const openai_response, pointer: *const c_char) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `response` is NULL or live; `pointer` NULL or a C string.
        match unsafe { borrow(response) } {
            Some(r) => unsafe { r.json.value(&r.body[..r.body.len() - 1], pointer) },
            None => std::ptr::null(),
        }
    }
}

/// The number of elements of the array at `pointer` (a JSON Pointer, as in
/// `openai_response_json_string`) in the JSON body, in `*len`: `/data` for the items of a list
/// page, `/choices/0/message/tool_calls` for the tool calls of a chat completion. Read element
/// `i` with a pointer ending in `/i`.
///
/// Returns `OPENAI_OK`, or `OPENAI_INVALID_ARGUMENT` with `*len` = 0 when there is no array there
/// (the body is not JSON, the pointer finds nothing or finds another kind of value; the last
/// error says which) or an argument is NULL. A program to which an absent array means "none"
/// may ignore the code and use `*len`.
#[no_mangle]
pub unsafe extern "C" fn openai_response_json_array_len(response: *const openai_response, pointer: *const c_char, len: *mut usize) -> openai_code {
    ffi_boundary! {
        // SAFETY: `response` is NULL or live; `pointer` NULL or a C string; `len` NULL or writable.
        let view = unsafe { borrow(response) }.map(|r| (&r.json, &r.body[..r.body.len() - 1]));
        // SAFETY: as above.
        unsafe { super::json::array_len_export(view, "response", pointer, len) }
    }
}

/// Frees a response and every string borrowed from it. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn openai_response_free(response: *mut openai_response) {
    ffi_boundary! {
        // SAFETY: `response` is NULL or a response the caller owns, unused from now on.
        drop(unsafe { handle::take(response) });
    }
}
