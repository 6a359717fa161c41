//! `openai_request`: any endpoint by method and path, for what the operation table does not name
//! (the official SDKs' `client.get` / `client.post`).

use std::ffi::{c_char, c_void};

use super::call::{arg_client, arg_opt_str, arg_str, block_on, guarded, respond};
use super::client::openai_client;
use super::code::openai_code;
use super::future::{self, openai_callback, openai_future};
use super::response::openai_response;
use crate::client::Client;
use crate::request::Request;
use crate::response::Response;

/// Reads the arguments of a generic call into a request.
///
/// # Safety
/// `client` is NULL or live; the strings are NULL or NUL-terminated.
pub(crate) unsafe fn generic_request<'a>(
    client: *const openai_client,
    method: *const c_char,
    path: *const c_char,
    query_json: *const c_char,
    body: *const c_char,
    stream: bool,
) -> Result<(&'a Client, Request), Response> {
    // SAFETY: each argument is valid or NULL by this function's contract (a live client,
    // NUL-terminated strings).
    let client = unsafe { arg_client(client) }?;
    // SAFETY: as above.
    let (method, path) = unsafe { (arg_str("method", method), arg_str("path", path)) };
    let (method, path) = (method?, path?);
    // SAFETY: as above.
    let (query, body) = unsafe { (arg_opt_str("query_json", query_json), arg_opt_str("body", body)) };
    let (query, body) = (query?, body?);
    Ok((client, Request::generic(method, path, query, body, stream)?))
}

/// Calls any endpoint of the API and blocks until its response is complete.
///
/// - `method`: "GET", "POST", "DELETE", "PUT" or "PATCH".
/// - `path`: relative to the base URL, starting with "/" ("/responses", "/batches/batch_1");
///   path segments must already be percent-encoded. It may carry a query string.
/// - `query_json`: a JSON object of query parameters (encoded as the official SDK does: arrays
///   as `key[]=v`, objects as `key[sub]=v`, nulls left out), or NULL.
/// - `body`: the JSON request body, sent byte for byte as given, or NULL for none.
///
/// The headers are those of the table's operations: `Content-Type: application/json` unless the
/// method is GET, and `OpenAI-Beta` when the path is one of the assistants family's.
/// `*out` always receives a response (also on failure; NULL only if `out` is NULL), to be freed
/// with `openai_response_free`. Returns the response's code.
#[no_mangle]
pub unsafe extern "C" fn openai_request(
    client: *const openai_client,
    method: *const c_char,
    path: *const c_char,
    query_json: *const c_char,
    body: *const c_char,
    out: *mut *mut openai_response,
) -> openai_code {
    ffi_boundary! {
        let work = || {
            // SAFETY: the arguments are NULL or valid (the header's conventions).
            let (client, request) = unsafe { generic_request(client, method, path, query_json, body, false) }?;
            block_on(client.execute(&request))
        };
        // SAFETY: `out` is NULL or writable (the header's conventions).
        unsafe { respond(out, work) }
    }
}

/// The async form of `openai_request`: same arguments, then an optional `callback` and its
/// `userdata` (see `openai_callback`). Returns the future at once (never NULL); invalid
/// arguments complete it with `OPENAI_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn openai_request_async(
    client: *const openai_client,
    method: *const c_char,
    path: *const c_char,
    query_json: *const c_char,
    body: *const c_char,
    callback: openai_callback,
    userdata: *mut c_void,
) -> *mut openai_future {
    ffi_boundary! {
        let work = guarded(|| {
            // SAFETY: the arguments are NULL or valid (the header's conventions).
            let (client, request) = unsafe { generic_request(client, method, path, query_json, body, false) }?;
            let client = client.clone();
            Ok(async move { client.execute(&request).await })
        });
        future::start(work, callback, userdata)
    }
}
