//! Waiting for a terminal status (the SDKs' `poll` and `*_and_poll` helpers), blocking and
//! async: the C arguments read into the core's `Client::poll` and `Client::create_and_poll`.
//!
//! Every function here takes `options_json` (NULL for the defaults): `interval_ms`, the wait
//! between two retrievals (default: what the server's `openai-poll-after-ms` header suggests,
//! else 1000), and `timeout_ms`, how long the whole call may take (default: no limit).

use std::ffi::{c_char, c_void};

use super::call::{arg_client, arg_opt_str, arg_str, block_on_local, guarded, respond, operation_request, CFiles, CInput};
use super::client::openai_client;
use super::code::openai_code;
use super::future::{openai_callback, openai_future, start};
use super::response::openai_response;
use super::upload::openai_upload;
use crate::client::Client;
use crate::operations::find;
use crate::polling::{PollOptions, Pollable, BATCH, FILE_BATCH, RESPONSE, RUN, VECTOR_STORE_FILE, VIDEO};
use crate::request::Request;
use crate::response::Response;

/// The client, the path parameters (owned, for an async call) and the options of a poll.
///
/// # Safety
/// `client` is NULL or a live client; the strings are NULL or NUL-terminated.
unsafe fn poll_arguments<'a>(
    client: *const openai_client,
    params: &[(&str, *const c_char)],
    options_json: *const c_char,
) -> Result<(&'a Client, Vec<String>, PollOptions), Response> {
    // SAFETY: the export's arguments, NULL or valid by this function's contract.
    let client = unsafe { arg_client(client) }?;
    // SAFETY: as above.
    let (values, options) = unsafe { path_and_options(params, options_json) }?;
    Ok((client, values, options))
}

/// The path parameters of the retrieval (owned, for an async call) and the poll's options.
///
/// # Safety
/// The strings are NULL or NUL-terminated.
unsafe fn path_and_options(
    params: &[(&str, *const c_char)],
    options_json: *const c_char,
) -> Result<(Vec<String>, PollOptions), Response> {
    let mut values = Vec::with_capacity(params.len());
    for (name, ptr) in params {
        // SAFETY: NULL or a C string, by this function's contract.
        values.push(unsafe { arg_str(name, *ptr) }?.to_string());
    }
    // SAFETY: as above.
    let options = PollOptions::parse(unsafe { arg_opt_str("options_json", options_json) }?)?;
    Ok((values, options))
}

fn refs(values: &[String]) -> Vec<&str> {
    values.iter().map(String::as_str).collect()
}

/// The body of the blocking `_poll` exports.
///
/// # Safety
/// As [`poll_arguments`]; `out` is NULL or valid for writing a pointer.
unsafe fn poll(
    client: *const openai_client,
    what: &'static Pollable,
    params: &[(&str, *const c_char)],
    options_json: *const c_char,
    out: *mut *mut openai_response,
) -> openai_code {
    let work = || {
        // SAFETY: the export's arguments, by this function's contract.
        let (client, values, options) = unsafe { poll_arguments(client, params, options_json) }?;
        block_on_local(client.poll(what, &refs(&values), &options))
    };
    // SAFETY: `out` is NULL or writable by this function's contract.
    unsafe { respond(out, work) }
}

/// The body of the `_poll_async` exports.
///
/// # Safety
/// As [`poll_arguments`].
unsafe fn poll_async(
    client: *const openai_client,
    what: &'static Pollable,
    params: &[(&str, *const c_char)],
    options_json: *const c_char,
    callback: openai_callback,
    userdata: *mut c_void,
) -> *mut openai_future {
    let work = guarded(|| {
        // SAFETY: the export's arguments, by this function's contract.
        let (client, values, options) = unsafe { poll_arguments(client, params, options_json) }?;
        let client = client.clone();
        Ok(async move { client.poll(what, &refs(&values), &options).await })
    });
    start(work, callback, userdata)
}

/// The client, the create request, its path parameters and the options of a create-and-poll.
///
/// # Safety
/// As [`poll_arguments`], and the upload pointers of `input` are NULL or live uploads.
unsafe fn create_arguments<'a>(
    client: *const openai_client,
    create: &str,
    params: &[(&str, *const c_char)],
    input: CInput<'_>,
    options_json: *const c_char,
) -> Result<(&'a Client, Request, Vec<String>, PollOptions), Response> {
    let op = find(create).expect("a create operation of the table");
    // SAFETY: the export's arguments, by this function's contract.
    let (client, request) = unsafe { operation_request(client, op, params, input) }?;
    // SAFETY: as above (the path parameters read once more, as the retrieval's).
    let (values, options) = unsafe { path_and_options(params, options_json) }?;
    Ok((client, request, values, options))
}

/// The body of the blocking `_create_and_poll` exports.
///
/// # Safety
/// As [`create_arguments`]; `out` is NULL or valid for writing a pointer.
unsafe fn create_and_poll(
    client: *const openai_client,
    what: &'static Pollable,
    create: &str,
    params: &[(&str, *const c_char)],
    input: CInput<'_>,
    options_json: *const c_char,
    out: *mut *mut openai_response,
) -> openai_code {
    let work = || {
        // SAFETY: the export's arguments, by this function's contract.
        let (client, request, values, options) = unsafe { create_arguments(client, create, params, input, options_json) }?;
        block_on_local(client.create_and_poll(what, &request, &refs(&values), &options))
    };
    // SAFETY: `out` is NULL or writable by this function's contract.
    unsafe { respond(out, work) }
}

/// The body of the `_create_and_poll_async` exports.
///
/// # Safety
/// As [`create_arguments`].
#[allow(clippy::too_many_arguments)] // the C signature's inputs, options and callback
unsafe fn create_and_poll_async(
    client: *const openai_client,
    what: &'static Pollable,
    create: &str,
    params: &[(&str, *const c_char)],
    input: CInput<'_>,
    options_json: *const c_char,
    callback: openai_callback,
    userdata: *mut c_void,
) -> *mut openai_future {
    let work = guarded(|| {
        // SAFETY: the export's arguments, by this function's contract.
        let (client, request, values, options) = unsafe { create_arguments(client, create, params, input, options_json) }?;
        let client = client.clone();
        Ok(async move { client.create_and_poll(what, &request, &refs(&values), &options).await })
    });
    start(work, callback, userdata)
}

/// Waits for a run to reach a terminal status (`requires_action`, `cancelled`, `completed`,
/// `failed`, `expired`, `incomplete`), as the SDKs' `runs.poll`: the run is retrieved
/// (`beta.threads.runs.retrieve`) while it is `queued`, `in_progress` or `cancelling`, waiting
/// between retrievals as `options_json` says (see below). `*out` receives the last response: the
/// run in its terminal status (`OPENAI_OK`); a failed retrieval as it came (after the client's
/// retries); `OPENAI_TIMEOUT` with the run as last read when `timeout_ms` passed first
/// (`openai_response_error_message` says in which status); `OPENAI_CANCELLED` when the client's
/// cancel token was cancelled; `OPENAI_INVALID_RESPONSE` for an answer without a `status`.
///
/// `options_json` (NULL for the defaults): `interval_ms`, the wait between two retrievals
/// (default: the server's `openai-poll-after-ms` header, else 1000); `timeout_ms`, how long the
/// whole call may take (default: no limit).
#[no_mangle]
pub unsafe extern "C" fn openai_beta_threads_runs_poll(
    client: *const openai_client,
    thread_id: *const c_char,
    run_id: *const c_char,
    options_json: *const c_char,
    out: *mut *mut openai_response,
) -> openai_code {
    ffi_boundary! {
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { poll(client, &RUN, &[("thread_id", thread_id), ("run_id", run_id)], options_json, out) }
    }
}

/// `openai_beta_threads_runs_poll` as a future. Returns at once with
/// the future (never NULL; free it with `openai_future_free`, which cancels a wait still going;
/// invalid arguments complete it at once with `OPENAI_INVALID_ARGUMENT`). `callback` (may be
/// NULL) receives the response once the call completes, fails or is cancelled: exactly once, on a
/// library thread; `userdata` is passed to it.
#[no_mangle]
pub unsafe extern "C" fn openai_beta_threads_runs_poll_async(
    client: *const openai_client,
    thread_id: *const c_char,
    run_id: *const c_char,
    options_json: *const c_char,
    callback: openai_callback,
    userdata: *mut c_void,
) -> *mut openai_future {
    ffi_boundary! {
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { poll_async(client, &RUN, &[("thread_id", thread_id), ("run_id", run_id)], options_json, callback, userdata) }
    }
}

/// Creates a run (`beta.threads.runs.create` with `body_json`) and waits for it to reach a
/// terminal status, as the SDKs' `runs.create_and_poll`: a run created in a terminal status is
/// returned at once, else it is polled as by `openai_beta_threads_runs_poll` (same
/// `options_json`; `timeout_ms` counts from the creation). A failed creation is returned as it
/// came.
#[no_mangle]
pub unsafe extern "C" fn openai_beta_threads_runs_create_and_poll(
    client: *const openai_client,
    thread_id: *const c_char,
    body_json: *const c_char,
    options_json: *const c_char,
    out: *mut *mut openai_response,
) -> openai_code {
    ffi_boundary! {
        let input = CInput { body: Some(body_json), ..CInput::NONE };
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { create_and_poll(client, &RUN, "beta.threads.runs.create", &[("thread_id", thread_id)], input, options_json, out) }
    }
}

/// `openai_beta_threads_runs_create_and_poll` as a future. Returns at once with
/// the future (never NULL; free it with `openai_future_free`, which cancels a wait still going;
/// invalid arguments complete it at once with `OPENAI_INVALID_ARGUMENT`). `callback` (may be
/// NULL) receives the response once the call completes, fails or is cancelled: exactly once, on a
/// library thread; `userdata` is passed to it.
#[no_mangle]
pub unsafe extern "C" fn openai_beta_threads_runs_create_and_poll_async(
    client: *const openai_client,
    thread_id: *const c_char,
    body_json: *const c_char,
    options_json: *const c_char,
    callback: openai_callback,
    userdata: *mut c_void,
) -> *mut openai_future {
    ffi_boundary! {
        let input = CInput { body: Some(body_json), ..CInput::NONE };
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { create_and_poll_async(client, &RUN, "beta.threads.runs.create", &[("thread_id", thread_id)], input, options_json, callback, userdata) }
    }
}

/// Waits for a file of a vector store to be processed (`completed`, `failed` or `cancelled`), as
/// the SDKs' `vector_stores.files.poll`: it is retrieved (`vector_stores.files.retrieve`) while
/// `in_progress`. A file that failed is returned with `OPENAI_OK`: read its `status` and
/// `last_error`. Results, `options_json` and timing as for `openai_beta_threads_runs_poll`.
#[no_mangle]
pub unsafe extern "C" fn openai_vector_stores_files_poll(
    client: *const openai_client,
    vector_store_id: *const c_char,
    file_id: *const c_char,
    options_json: *const c_char,
    out: *mut *mut openai_response,
) -> openai_code {
    ffi_boundary! {
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { poll(client, &VECTOR_STORE_FILE, &[("vector_store_id", vector_store_id), ("file_id", file_id)], options_json, out) }
    }
}

/// `openai_vector_stores_files_poll` as a future. Returns at once with
/// the future (never NULL; free it with `openai_future_free`, which cancels a wait still going;
/// invalid arguments complete it at once with `OPENAI_INVALID_ARGUMENT`). `callback` (may be
/// NULL) receives the response once the call completes, fails or is cancelled: exactly once, on a
/// library thread; `userdata` is passed to it.
#[no_mangle]
pub unsafe extern "C" fn openai_vector_stores_files_poll_async(
    client: *const openai_client,
    vector_store_id: *const c_char,
    file_id: *const c_char,
    options_json: *const c_char,
    callback: openai_callback,
    userdata: *mut c_void,
) -> *mut openai_future {
    ffi_boundary! {
        let params = [("vector_store_id", vector_store_id), ("file_id", file_id)];
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { poll_async(client, &VECTOR_STORE_FILE, &params, options_json, callback, userdata) }
    }
}

/// Attaches a file to a vector store (`vector_stores.files.create` with `body_json`, e.g.
/// `{"file_id": "file-abc"}`) and waits until it is processed, as the SDKs'
/// `vector_stores.files.create_and_poll` (see `openai_vector_stores_files_poll`; `timeout_ms`
/// counts from the creation).
#[no_mangle]
pub unsafe extern "C" fn openai_vector_stores_files_create_and_poll(
    client: *const openai_client,
    vector_store_id: *const c_char,
    body_json: *const c_char,
    options_json: *const c_char,
    out: *mut *mut openai_response,
) -> openai_code {
    ffi_boundary! {
        let input = CInput { body: Some(body_json), ..CInput::NONE };
        let params = [("vector_store_id", vector_store_id)];
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { create_and_poll(client, &VECTOR_STORE_FILE, "vector_stores.files.create", &params, input, options_json, out) }
    }
}

/// `openai_vector_stores_files_create_and_poll` as a future. Returns at once with
/// the future (never NULL; free it with `openai_future_free`, which cancels a wait still going;
/// invalid arguments complete it at once with `OPENAI_INVALID_ARGUMENT`). `callback` (may be
/// NULL) receives the response once the call completes, fails or is cancelled: exactly once, on a
/// library thread; `userdata` is passed to it.
#[no_mangle]
pub unsafe extern "C" fn openai_vector_stores_files_create_and_poll_async(
    client: *const openai_client,
    vector_store_id: *const c_char,
    body_json: *const c_char,
    options_json: *const c_char,
    callback: openai_callback,
    userdata: *mut c_void,
) -> *mut openai_future {
    ffi_boundary! {
        let input = CInput { body: Some(body_json), ..CInput::NONE };
        let params = [("vector_store_id", vector_store_id)];
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { create_and_poll_async(client, &VECTOR_STORE_FILE, "vector_stores.files.create", &params, input, options_json, callback, userdata) }
    }
}

/// Waits for a file batch of a vector store to finish (`completed`, `failed` or `cancelled`), as
/// the SDKs' `vector_stores.file_batches.poll`: it is retrieved
/// (`vector_stores.file_batches.retrieve`) while `in_progress`. Results, `options_json` and
/// timing as for `openai_beta_threads_runs_poll`.
#[no_mangle]
pub unsafe extern "C" fn openai_vector_stores_file_batches_poll(
    client: *const openai_client,
    vector_store_id: *const c_char,
    batch_id: *const c_char,
    options_json: *const c_char,
    out: *mut *mut openai_response,
) -> openai_code {
    ffi_boundary! {
        let params = [("vector_store_id", vector_store_id), ("batch_id", batch_id)];
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { poll(client, &FILE_BATCH, &params, options_json, out) }
    }
}

/// `openai_vector_stores_file_batches_poll` as a future. Returns at once with
/// the future (never NULL; free it with `openai_future_free`, which cancels a wait still going;
/// invalid arguments complete it at once with `OPENAI_INVALID_ARGUMENT`). `callback` (may be
/// NULL) receives the response once the call completes, fails or is cancelled: exactly once, on a
/// library thread; `userdata` is passed to it.
#[no_mangle]
pub unsafe extern "C" fn openai_vector_stores_file_batches_poll_async(
    client: *const openai_client,
    vector_store_id: *const c_char,
    batch_id: *const c_char,
    options_json: *const c_char,
    callback: openai_callback,
    userdata: *mut c_void,
) -> *mut openai_future {
    ffi_boundary! {
        let params = [("vector_store_id", vector_store_id), ("batch_id", batch_id)];
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { poll_async(client, &FILE_BATCH, &params, options_json, callback, userdata) }
    }
}

/// Creates a file batch of a vector store (`vector_stores.file_batches.create` with
/// `body_json`, e.g. `{"file_ids": ["file-a", "file-b"]}`) and waits for it to finish, as the
/// SDKs' `vector_stores.file_batches.create_and_poll` (see
/// `openai_vector_stores_file_batches_poll`; `timeout_ms` counts from the creation).
#[no_mangle]
pub unsafe extern "C" fn openai_vector_stores_file_batches_create_and_poll(
    client: *const openai_client,
    vector_store_id: *const c_char,
    body_json: *const c_char,
    options_json: *const c_char,
    out: *mut *mut openai_response,
) -> openai_code {
    ffi_boundary! {
        let input = CInput { body: Some(body_json), ..CInput::NONE };
        let params = [("vector_store_id", vector_store_id)];
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { create_and_poll(client, &FILE_BATCH, "vector_stores.file_batches.create", &params, input, options_json, out) }
    }
}

/// `openai_vector_stores_file_batches_create_and_poll` as a future. Returns at once with
/// the future (never NULL; free it with `openai_future_free`, which cancels a wait still going;
/// invalid arguments complete it at once with `OPENAI_INVALID_ARGUMENT`). `callback` (may be
/// NULL) receives the response once the call completes, fails or is cancelled: exactly once, on a
/// library thread; `userdata` is passed to it.
#[no_mangle]
pub unsafe extern "C" fn openai_vector_stores_file_batches_create_and_poll_async(
    client: *const openai_client,
    vector_store_id: *const c_char,
    body_json: *const c_char,
    options_json: *const c_char,
    callback: openai_callback,
    userdata: *mut c_void,
) -> *mut openai_future {
    ffi_boundary! {
        let input = CInput { body: Some(body_json), ..CInput::NONE };
        let params = [("vector_store_id", vector_store_id)];
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { create_and_poll_async(client, &FILE_BATCH, "vector_stores.file_batches.create", &params, input, options_json, callback, userdata) }
    }
}

/// Waits for a batch to end (`completed`, `failed`, `expired` or `cancelled`): it is retrieved
/// (`batches.retrieve`) while `validating`, `in_progress`, `finalizing` or `cancelling`. A
/// batch that failed or expired is returned with `OPENAI_OK`: read its `status` and `errors`.
/// Results, `options_json` and timing as for `openai_beta_threads_runs_poll`.
#[no_mangle]
pub unsafe extern "C" fn openai_batches_poll(
    client: *const openai_client,
    batch_id: *const c_char,
    options_json: *const c_char,
    out: *mut *mut openai_response,
) -> openai_code {
    ffi_boundary! {
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { poll(client, &BATCH, &[("batch_id", batch_id)], options_json, out) }
    }
}

/// `openai_batches_poll` as a future. Returns at once with
/// the future (never NULL; free it with `openai_future_free`, which cancels a wait still going;
/// invalid arguments complete it at once with `OPENAI_INVALID_ARGUMENT`). `callback` (may be
/// NULL) receives the response once the call completes, fails or is cancelled: exactly once, on a
/// library thread; `userdata` is passed to it.
#[no_mangle]
pub unsafe extern "C" fn openai_batches_poll_async(
    client: *const openai_client,
    batch_id: *const c_char,
    options_json: *const c_char,
    callback: openai_callback,
    userdata: *mut c_void,
) -> *mut openai_future {
    ffi_boundary! {
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { poll_async(client, &BATCH, &[("batch_id", batch_id)], options_json, callback, userdata) }
    }
}

/// Waits for a background response (created with `"background": true`) to end (`completed`,
/// `failed`, `cancelled` or `incomplete`): it is retrieved (`responses.retrieve`) while `queued`
/// or `in_progress`. Results, `options_json` and timing as for `openai_beta_threads_runs_poll`.
#[no_mangle]
pub unsafe extern "C" fn openai_responses_poll(
    client: *const openai_client,
    response_id: *const c_char,
    options_json: *const c_char,
    out: *mut *mut openai_response,
) -> openai_code {
    ffi_boundary! {
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { poll(client, &RESPONSE, &[("response_id", response_id)], options_json, out) }
    }
}

/// `openai_responses_poll` as a future. Returns at once with
/// the future (never NULL; free it with `openai_future_free`, which cancels a wait still going;
/// invalid arguments complete it at once with `OPENAI_INVALID_ARGUMENT`). `callback` (may be
/// NULL) receives the response once the call completes, fails or is cancelled: exactly once, on a
/// library thread; `userdata` is passed to it.
#[no_mangle]
pub unsafe extern "C" fn openai_responses_poll_async(
    client: *const openai_client,
    response_id: *const c_char,
    options_json: *const c_char,
    callback: openai_callback,
    userdata: *mut c_void,
) -> *mut openai_future {
    ffi_boundary! {
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { poll_async(client, &RESPONSE, &[("response_id", response_id)], options_json, callback, userdata) }
    }
}

/// Waits for a video to be rendered (`completed` or `failed`), as the SDKs' `videos.poll`: it is
/// retrieved (`videos.retrieve`) while `queued` or `in_progress`. Results, `options_json` and
/// timing as for `openai_beta_threads_runs_poll`.
#[no_mangle]
pub unsafe extern "C" fn openai_videos_poll(
    client: *const openai_client,
    video_id: *const c_char,
    options_json: *const c_char,
    out: *mut *mut openai_response,
) -> openai_code {
    ffi_boundary! {
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { poll(client, &VIDEO, &[("video_id", video_id)], options_json, out) }
    }
}

/// `openai_videos_poll` as a future. Returns at once with
/// the future (never NULL; free it with `openai_future_free`, which cancels a wait still going;
/// invalid arguments complete it at once with `OPENAI_INVALID_ARGUMENT`). `callback` (may be
/// NULL) receives the response once the call completes, fails or is cancelled: exactly once, on a
/// library thread; `userdata` is passed to it.
#[no_mangle]
pub unsafe extern "C" fn openai_videos_poll_async(
    client: *const openai_client,
    video_id: *const c_char,
    options_json: *const c_char,
    callback: openai_callback,
    userdata: *mut c_void,
) -> *mut openai_future {
    ffi_boundary! {
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { poll_async(client, &VIDEO, &[("video_id", video_id)], options_json, callback, userdata) }
    }
}

/// Creates a video (`videos.create`: `fields_json` as its form's fields, `input_reference` an
/// optional image to start from, may be NULL) and waits until it is rendered, as the SDKs'
/// `videos.create_and_poll` (see `openai_videos_poll`; `timeout_ms` counts from the creation).
#[no_mangle]
pub unsafe extern "C" fn openai_videos_create_and_poll(
    client: *const openai_client,
    fields_json: *const c_char,
    input_reference: *const openai_upload,
    options_json: *const c_char,
    out: *mut *mut openai_response,
) -> openai_code {
    ffi_boundary! {
        let files = [CFiles::One("input_reference", input_reference)];
        let input = CInput { body: Some(fields_json), files: &files, ..CInput::NONE };
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { create_and_poll(client, &VIDEO, "videos.create", &[], input, options_json, out) }
    }
}

/// `openai_videos_create_and_poll` as a future. Returns at once with
/// the future (never NULL; free it with `openai_future_free`, which cancels a wait still going;
/// invalid arguments complete it at once with `OPENAI_INVALID_ARGUMENT`). `callback` (may be
/// NULL) receives the response once the call completes, fails or is cancelled: exactly once, on a
/// library thread; `userdata` is passed to it. The upload may be freed as soon as this
/// returns.
#[no_mangle]
pub unsafe extern "C" fn openai_videos_create_and_poll_async(
    client: *const openai_client,
    fields_json: *const c_char,
    input_reference: *const openai_upload,
    options_json: *const c_char,
    callback: openai_callback,
    userdata: *mut c_void,
) -> *mut openai_future {
    ffi_boundary! {
        let files = [CFiles::One("input_reference", input_reference)];
        let input = CInput { body: Some(fields_json), files: &files, ..CInput::NONE };
        // SAFETY: the export's arguments, NULL or valid by the header's conventions.
        unsafe { create_and_poll_async(client, &VIDEO, "videos.create", &[], input, options_json, callback, userdata) }
    }
}
