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
use crate::operations::{Body, Operation};
use crate::request::{Files, Inputs, Request};
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


/// The C arguments of an operation's inputs besides its path parameters, as a generated export
/// has them: which of them its signature takes, and whether it is a `_stream` form.
#[derive(Clone, Copy)]
pub struct CInput<'a> {
    /// `query_json`, when the signature takes it.
    pub query: Option<*const c_char>,
    /// `body_json`, or a multipart operation's `fields_json`, when the signature takes it.
    pub body: Option<*const c_char>,
    /// The file arguments, in the table's order.
    pub files: &'a [CFiles],
    /// A `_stream` form: ask for the event stream.
    pub stream: bool,
}

impl CInput<'static> {
    /// No inputs at all.
    pub const NONE: CInput<'static> = CInput { query: None, body: None, files: &[], stream: false };
}

/// The file arguments of one file field.
#[derive(Clone, Copy)]
pub enum CFiles {
    /// `const openai_upload *name`: one file, or NULL for an optional field.
    One(&'static str, *const openai_upload),
    /// `const openai_upload *const *name, size_t name_count`: an array of files.
    Many(&'static str, *const *const openai_upload, usize),
}

/// Reads the client, path parameters and inputs of an operation into its request: the C
/// arguments decoded, then the core's one request constructor.
///
/// # Safety
/// `client` is NULL or a live client; every string pointer is NULL or NUL-terminated; every
/// upload pointer is NULL or a live upload, every upload array NULL or valid for its count
/// (the header's contract for the export's arguments).
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
    let body_name = if matches!(op.request.body, Body::Multipart(_)) { "fields_json" } else { "body_json" };
    let mut inputs = Inputs {
        // SAFETY: the JSON arguments, NULL or NUL-terminated by this function's contract.
        query: input.query.map(|p| unsafe { arg_opt_str("query_json", p) }).transpose()?.flatten(),
        // SAFETY: as above.
        body: input.body.map(|p| unsafe { arg_opt_str(body_name, p) }).transpose()?.flatten(),
        files: Vec::with_capacity(input.files.len()),
        stream: input.stream,
    };
    for files in input.files {
        inputs.files.push(match *files {
            CFiles::One(name, upload) => {
                let required = op.request.files().iter().any(|f| f.name == name && f.required);
                // SAFETY: an upload argument, NULL or live by this function's contract.
                match unsafe { handle::borrow(upload) } {
                    Some(upload) => Files::One(name, Some(upload.inner.clone())),
                    None if required => return Err(ArgError(format!("{name} is NULL")).into()),
                    None => Files::One(name, None),
                }
            }
            CFiles::Many(name, array, count) => {
                if array.is_null() && count > 0 {
                    return Err(ArgError(format!("{name} is NULL while {name}_count is {count}")).into());
                }
                let mut uploads = Vec::with_capacity(count);
                for i in 0..count {
                    // SAFETY: a non-NULL array holds `count` pointers, each NULL or a live upload.
                    match unsafe { handle::borrow(*array.add(i)) } {
                        Some(upload) => uploads.push(upload.inner.clone()),
                        None => return Err(ArgError(format!("{name}[{i}] is NULL")).into()),
                    }
                }
                Files::Many(name, uploads)
            }
        });
    }
    Ok((client, Request::for_operation(op, &values, inputs)?))
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

/// Runs a blocking call's `work` (a panic in it becomes an internal error) and hands its
/// response, or its failure as a response, to the caller through `out`; returns its code.
///
/// # Safety
/// `out` is NULL or valid for writing a pointer.
pub(crate) unsafe fn respond(out: *mut *mut openai_response, work: impl FnOnce() -> Result<Response, Response>) -> openai_code {
    // SAFETY: `out` is NULL or writable by this function's contract.
    let out = match unsafe { Out::new(out) } {
        Ok(out) => out,
        Err(code) => return code,
    };
    deliver(guarded(work).unwrap_or_else(|failure| failure), out)
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
    let work = || {
        // SAFETY: the arguments are the export's, valid or NULL by this function's contract.
        let (client, request) = unsafe { operation_request(client, op, params, input) }?;
        block_on_local(client.execute(&request))
    };
    // SAFETY: `out` is valid or NULL by this function's contract.
    unsafe { respond(out, work) }
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
    let work = || {
        // SAFETY: the arguments are the export's, valid or NULL by this function's contract.
        let (client, request, path, progress) = unsafe { download_request(client, op, params, input, path, progress) }?;
        block_on(client.download(&request, &path, progress))
    };
    // SAFETY: `out` is valid or NULL by this function's contract.
    unsafe { respond(out, work) }
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
