//! The chunked upload of a large file through the Uploads API (`uploads.upload_file_chunked`),
//! blocking and async: the C arguments read into the core's `ChunkedUpload`.

use std::ffi::{c_char, c_void};
use std::path::Path;

use super::call::{arg_client, arg_opt_str, arg_str, block_on_local, guarded, respond};
use super::client::openai_client;
use super::code::openai_code;
use super::future::{openai_callback, openai_future, start};
use super::handle::UserData;
use super::response::openai_response;
use super::upload::{openai_progress_callback, progress_closure};
use crate::client::Client;
use crate::response::Response;
use crate::upload::Progress;
use crate::uploads::ChunkedUpload;

/// Reads the arguments of both forms.
///
/// # Safety
/// `client` is NULL or a live client; the strings are NULL or NUL-terminated.
unsafe fn arguments<'a>(
    client: *const openai_client,
    path: *const c_char,
    create_json: *const c_char,
    options_json: *const c_char,
    progress: (openai_progress_callback, *mut c_void),
) -> Result<(&'a Client, ChunkedUpload, Option<Progress>), Response> {
    // SAFETY: the export's arguments, NULL or valid by this function's contract.
    let client = unsafe { arg_client(client) }?;
    // SAFETY: as above.
    let (path, create_json, options_json) = unsafe { (arg_str("path", path)?, arg_str("create_json", create_json)?, arg_opt_str("options_json", options_json)?) };
    let upload = ChunkedUpload::new(Path::new(path), create_json, options_json)?;
    Ok((client, upload, progress_closure(progress.0, UserData::new(progress.1))))
}

/// Uploads a large file through the Uploads API, as the official SDK's
/// `uploads.upload_file_chunked`: `uploads.create`, then the file's parts sent several at a
/// time, each streamed from its range of the file at `path` (never read whole into memory),
/// then `uploads.complete` with the part ids in the file's order. `*out` receives the response
/// of `uploads.complete`: the Upload object, whose `file` (`/file/id`) is ready to use; or the
/// first failure.
///
/// `create_json` is the body of `uploads.create`: `purpose` and `mime_type` are required;
/// `filename` defaults to the path's last component and `bytes` to the file's size; other
/// members (`expires_after`) are sent as given. `options_json` (NULL for the defaults):
/// `part_size` (bytes per part, 1 to 64 MiB, default 64 MiB, the API's limit), `parallel` (parts
/// in flight at once, 1 to 16, default 4), `md5` (the whole file's MD5 in hex, for
/// `uploads.complete` to check).
///
/// Each part is retried by the client's retry rules (`max_retries`: connection errors, timeouts,
/// 408, 409, 429, 5xx), its range read again from disk. When a part fails for good the other
/// parts are dropped, the Upload is cancelled (`uploads.cancel`) and the part's failure is
/// returned. A call through a client bound to a cancel token (`openai_client_with_cancel_token`)
/// ends at once with `OPENAI_CANCELLED` when the token is cancelled; the Upload is then cancelled
/// by a request the library sends in the background.
///
/// `progress` (may be NULL) hears (bytes sent, file size), one report at a time, on the calling
/// thread (on a library thread when the call is made inside a callback), with `progress_userdata`;
/// a retried part counts again from its start, so the figure may go back.
/// `OPENAI_INVALID_ARGUMENT` (nothing sent) for a NULL client, path or create_json, a file that
/// cannot be read, a create_json without `purpose` or `mime_type`, or an unknown option.
#[no_mangle]
pub unsafe extern "C" fn openai_uploads_upload_file_chunked(
    client: *const openai_client,
    path: *const c_char,
    create_json: *const c_char,
    options_json: *const c_char,
    progress: openai_progress_callback,
    progress_userdata: *mut c_void,
    out: *mut *mut openai_response,
) -> openai_code {
    ffi_boundary! {
        let work = || {
            // SAFETY: the export's arguments, NULL or valid by the header's conventions.
            let (client, upload, progress) = unsafe { arguments(client, path, create_json, options_json, (progress, progress_userdata)) }?;
            block_on_local(client.upload_file_chunked(&upload, progress))
        };
        // SAFETY: `out` is NULL or writable (the header's conventions).
        unsafe { respond(out, work) }
    }
}

/// `openai_uploads_upload_file_chunked` as a future. Returns at once with the future (never
/// NULL; invalid arguments complete it at once with `OPENAI_INVALID_ARGUMENT`). `progress` runs
/// on a library thread, one report at a time. `openai_future_cancel` (or freeing the future)
/// stops the upload at once, dropping the parts in flight with their connections; the Upload is
/// then cancelled by a request the library sends in the background. `callback` (may be NULL)
/// receives the response once the call completes, fails or is cancelled: exactly once, on a
/// library thread; `userdata` is passed to it.
#[no_mangle]
pub unsafe extern "C" fn openai_uploads_upload_file_chunked_async(
    client: *const openai_client,
    path: *const c_char,
    create_json: *const c_char,
    options_json: *const c_char,
    progress: openai_progress_callback,
    progress_userdata: *mut c_void,
    callback: openai_callback,
    userdata: *mut c_void,
) -> *mut openai_future {
    ffi_boundary! {
        let work = guarded(|| {
            // SAFETY: the export's arguments, NULL or valid by the header's conventions.
            let (client, upload, progress) = unsafe { arguments(client, path, create_json, options_json, (progress, progress_userdata)) }?;
            let client = client.clone();
            Ok(async move { client.upload_file_chunked(&upload, progress).await })
        });
        start(work, callback, userdata)
    }
}
