//! What every per-operation export shares: reading its C arguments, running the call, and
//! handing back a response.

use std::ffi::{c_char, CStr};
use std::future::Future;

use super::client::openai_client;
use super::code::openai_code;
use super::error::set_last_error;
use super::handle::{self, Out};
use super::response::openai_response;
use crate::client::Client;
use super::upload::openai_upload;
use crate::operations::{Operation, RequestKind};
use crate::upload::Form;
use crate::request::{Input, Request};
use crate::response::{Outcome, Response};
use crate::runtime;

/// An argument that could not be read; the message names it.
pub(crate) struct ArgError(pub String);

/// Reads a required string argument.
///
/// # Safety
/// `ptr` is NULL or a NUL-terminated string that stays valid and unchanged for `'a`.
pub(crate) unsafe fn arg_str<'a>(name: &str, ptr: *const c_char) -> Result<&'a str, ArgError> {
    if ptr.is_null() {
        return Err(ArgError(format!("{name} is NULL")));
    }
    // SAFETY: non-NULL, and NUL-terminated by this function's contract.
    let text = unsafe { CStr::from_ptr(ptr) };
    text.to_str().map_err(|_| ArgError(format!("{name} is not valid UTF-8")))
}

/// Reads an optional string argument (NULL is `None`).
///
/// # Safety
/// As [`arg_str`].
pub(crate) unsafe fn arg_opt_str<'a>(name: &str, ptr: *const c_char) -> Result<Option<&'a str>, ArgError> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: this function's contract is `arg_str`'s.
        unsafe { arg_str(name, ptr) }.map(Some)
    }
}

/// Borrows the client behind a pointer.
///
/// # Safety
/// `client` is NULL or a live client handle.
pub(crate) unsafe fn arg_client<'a>(client: *const openai_client) -> Result<&'a Client, ArgError> {
    // SAFETY: by this function's contract.
    unsafe { handle::borrow(client) }.map(|c| &c.inner).ok_or_else(|| ArgError("client is NULL".to_string()))
}

impl From<ArgError> for Response {
    fn from(e: ArgError) -> Response {
        Response::failure(Outcome::InvalidArgument, e.0)
    }
}


/// The C form of an operation's input besides its path parameters.
#[derive(Clone, Copy)]
pub enum CInput<'a> {
    None,
    Json(*const c_char),
    Query(*const c_char),
    /// The fields' JSON object and the file arguments, by name, in the table's order.
    Multipart(*const c_char, &'a [(&'static str, *const openai_upload)]),
}

/// Reads the client, path parameters and input of an operation into a request.
///
/// # Safety
/// `client` is NULL or a live client; every string pointer is NULL or NUL-terminated; every
/// upload pointer is NULL or a live upload (the header's contract for the export's arguments).
pub(crate) unsafe fn operation_request<'a>(
    client: *const openai_client,
    op: &Operation,
    params: &[(&str, *const c_char)],
    input: CInput<'_>,
) -> Result<(&'a Client, Request), Response> {
    // SAFETY: the export's client argument, NULL or live by this function's contract.
    let client = unsafe { arg_client(client) }?;
    let mut values = Vec::with_capacity(params.len());
    for (name, ptr) in params {
        // SAFETY: a path parameter, NULL or NUL-terminated by this function's contract.
        values.push(unsafe { arg_str(name, *ptr) }?);
    }
    let input = match input {
        CInput::None => Input::None,
        // SAFETY: a JSON argument, NULL or NUL-terminated by this function's contract.
        CInput::Json(ptr) => Input::Json(unsafe { arg_opt_str("body_json", ptr) }?),
        // SAFETY: as above.
        CInput::Query(ptr) => Input::Query(unsafe { arg_opt_str("query_json", ptr) }?),
        CInput::Multipart(fields, files) => {
            // SAFETY: as above.
            let fields = unsafe { arg_opt_str("fields_json", fields) }?;
            let RequestKind::Multipart(specs) = op.request else {
                return Err(ArgError(format!("{} does not take files", op.name)).into());
            };
            let mut uploads = Vec::with_capacity(files.len());
            for (spec, (name, upload)) in specs.iter().zip(files) {
                // SAFETY: an upload argument, NULL or live by this function's contract.
                match unsafe { handle::borrow(*upload) } {
                    Some(upload) => uploads.push((spec.name, upload.inner.clone())),
                    None if spec.required => return Err(ArgError(format!("{name} is NULL")).into()),
                    None => {}
                }
            }
            return Ok((client, Request::multipart(op, &values, Form::new(fields, uploads)?)?));
        }
    };
    Ok((client, Request::for_operation(op, &values, input)?))
}

/// Runs a future to completion on the calling thread, for a blocking export.
pub(crate) fn block_on<F: Future>(future: F) -> Result<F::Output, Response> {
    runtime::block_on(future).map_err(|_| {
        Response::failure(
            Outcome::WouldDeadlock,
            "a blocking call was made from a thread that runs another async runtime; use the _async form",
        )
    })
}

/// `block_on` for a call read whole before it returns: its I/O runs on the calling thread.
pub(crate) fn block_on_local<F: Future>(future: F) -> Result<F::Output, Response> {
    runtime::block_on_local(future).map_err(|_| {
        Response::failure(
            Outcome::WouldDeadlock,
            "a blocking call was made from a thread that runs another async runtime; use the _async form",
        )
    })
}

/// Hands `response` to the caller through `out` and returns its code; a failure's message
/// also becomes the thread's last error.
pub(crate) fn deliver(response: Response, out: Out<'_, openai_response>) -> openai_code {
    let response = openai_response::new(response);
    let code = response.code();
    if code != openai_code::OPENAI_OK {
        set_last_error(response.message().map_or_else(String::new, |m| m.to_string_lossy().into_owned()));
    }
    out.put(response);
    code
}

/// The body of every blocking per-operation export.
///
/// # Safety
/// The export's arguments as the header describes them (see [`operation_request`]); `out` is
/// NULL or valid for writing a pointer.
pub(crate) unsafe fn blocking(
    client: *const openai_client,
    op: &Operation,
    params: &[(&str, *const c_char)],
    input: CInput<'_>,
    out: *mut *mut openai_response,
) -> openai_code {
    // SAFETY: `out` is valid or NULL by this function's contract.
    let out = match unsafe { Out::new(out) } {
        Ok(out) => out,
        Err(code) => return code,
    };
    let response = guarded(|| {
        // SAFETY: the arguments are the export's, valid or NULL by this function's contract.
        let (client, request) = unsafe { operation_request(client, op, params, input) }?;
        block_on_local(client.execute(&request))
    });
    deliver(response.unwrap_or_else(|failure| failure), out)
}

/// The arguments of a `_to_file` export read into what `Client::download` takes: the client,
/// the request, the path and the progress callback.
///
/// # Safety
/// As [`operation_request`], and `path` is NULL or a NUL-terminated string.
pub(crate) unsafe fn download_request<'a>(
    client: *const openai_client,
    op: &Operation,
    params: &[(&str, *const c_char)],
    input: CInput<'_>,
    path: *const c_char,
    (progress, userdata): (super::upload::openai_progress_callback, *mut std::ffi::c_void),
) -> Result<(&'a Client, Request, std::path::PathBuf, Option<crate::upload::Progress>), Response> {
    // SAFETY: the arguments are the export's, valid or NULL by this function's contract.
    let (client, request) = unsafe { operation_request(client, op, params, input) }?;
    // SAFETY: as above.
    let path = std::path::PathBuf::from(unsafe { arg_str("path", path) }?);
    Ok((client, request, path, super::upload::progress_closure(progress, handle::UserData::new(userdata))))
}

/// The body of the `_to_file` exports: the operation's response body goes to `path`.
///
/// # Safety
/// As [`download_request`]; `out` is NULL or valid for writing a pointer.
pub(crate) unsafe fn download(
    client: *const openai_client,
    op: &Operation,
    params: &[(&str, *const c_char)],
    input: CInput<'_>,
    path: *const c_char,
    progress: (super::upload::openai_progress_callback, *mut std::ffi::c_void),
    out: *mut *mut openai_response,
) -> openai_code {
    // SAFETY: `out` is valid or NULL by this function's contract.
    let out = match unsafe { Out::new(out) } {
        Ok(out) => out,
        Err(code) => return code,
    };
    let response = guarded(|| {
        // SAFETY: the arguments are the export's, valid or NULL by this function's contract.
        let (client, request, path, progress) = unsafe { download_request(client, op, params, input, path, progress) }?;
        block_on(client.download(&request, &path, progress))
    });
    deliver(response.unwrap_or_else(|failure| failure), out)
}

/// Runs `f`, turning a panic into an internal-error response, so that a caller who passed an
/// out pointer still receives a response.
pub(crate) fn guarded<T>(f: impl FnOnce() -> Result<T, Response>) -> Result<T, Response> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        Err(Response::failure(
            Outcome::Internal,
            format!("internal error (a bug in libopenai): {}", super::boundary::panic_message(&*payload)),
        ))
    })
}
