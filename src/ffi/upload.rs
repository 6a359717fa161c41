//! `openai_upload`: a file for a multipart operation, from a path or from memory.

use std::ffi::{c_char, c_void};
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;

use super::call::{arg_opt_str, arg_str};
use super::code::openai_code;
use super::error::set_last_error;
use super::handle::{self, UserData};
use crate::upload::Upload;

/// A progress callback: `done` bytes of `total` (0 when unknown) sent or received so far, and
/// the `userdata` given with it. It may run on any thread (the caller's or a library thread),
/// once per piece of about 64 KiB; keep it short.
pub type openai_progress_callback = Option<unsafe extern "C" fn(done: u64, total: u64, userdata: *mut c_void)>;

/// A file to send in a multipart operation (files.upload, images.edit, images.create_variation,
/// audio.transcriptions.create, audio.translations.create). Created by
/// `openai_upload_from_path` or `openai_upload_from_memory`, freed with `openai_upload_free`.
/// A call that sends it keeps what it needs, so it may be freed as soon as the call returns
/// (also after an `_async` call); one upload may be sent by several calls.
pub struct openai_upload {
    pub(crate) inner: Arc<Upload>,
}

fn store(upload: Upload) -> *mut openai_upload {
    handle::give(openai_upload { inner: Arc::new(upload) })
}

/// An upload of the file at `path`, read from disk while it is sent (never whole into memory)
/// and opened anew by each attempt, so a retry sends it again.
///
/// `filename` is the name the server sees (NULL: the path's last component); `content_type`
/// its type (NULL: guessed from the name's extension, else `application/octet-stream`).
/// Returns NULL, with `openai_last_error()` saying why, when the file does not exist or cannot
/// be read, or an argument is NULL or not UTF-8.
#[no_mangle]
pub unsafe extern "C" fn openai_upload_from_path(
    path: *const c_char,
    filename: *const c_char,
    content_type: *const c_char,
) -> *mut openai_upload {
    ffi_boundary! {
        // SAFETY: the strings are NULL or NUL-terminated (the header's conventions).
        let args = unsafe { (arg_str("path", path), arg_opt_str("filename", filename), arg_opt_str("content_type", content_type)) };
        let (path, filename, content_type) = match args {
            (Ok(p), Ok(f), Ok(t)) => (p, f, t),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                set_last_error(e.0);
                return std::ptr::null_mut();
            }
        };
        match Upload::from_path(Path::new(path), filename, content_type) {
            Ok(upload) => store(upload),
            Err(e) => {
                set_last_error(e.0);
                std::ptr::null_mut()
            }
        }
    }
}

/// An upload of `len` bytes at `data`, which are copied: the caller may free them as soon as
/// this returns. `filename` (NULL: "file") and `content_type` (NULL: guessed from the name) as
/// for `openai_upload_from_path`. Returns NULL (see `openai_last_error()`) when `data` is NULL
/// with a non-zero `len`, or a string is not UTF-8.
#[no_mangle]
pub unsafe extern "C" fn openai_upload_from_memory(
    data: *const c_void,
    len: usize,
    filename: *const c_char,
    content_type: *const c_char,
) -> *mut openai_upload {
    ffi_boundary! {
        if data.is_null() && len > 0 {
            set_last_error("data is NULL");
            return std::ptr::null_mut();
        }
        // SAFETY: the strings are NULL or NUL-terminated (the header's conventions).
        let (filename, content_type) = match unsafe { (arg_opt_str("filename", filename), arg_opt_str("content_type", content_type)) } {
            (Ok(f), Ok(t)) => (f, t),
            (Err(e), _) | (_, Err(e)) => {
                set_last_error(e.0);
                return std::ptr::null_mut();
            }
        };
        let bytes = if len == 0 {
            Bytes::new()
        } else {
            // SAFETY: `data` is non-NULL (checked above) and points to `len` readable bytes (the
            // function's documented contract); they are copied before this returns.
            Bytes::copy_from_slice(unsafe { std::slice::from_raw_parts(data as *const u8, len) })
        };
        store(Upload::from_memory(bytes, filename, content_type))
    }
}

/// Sets (or, with NULL, removes) the callback that hears how much of this file was sent, by
/// every call that sends it from now on. A retry starts again from 0.
#[no_mangle]
pub unsafe extern "C" fn openai_upload_set_progress(
    upload: *mut openai_upload,
    progress: openai_progress_callback,
    userdata: *mut c_void,
) -> openai_code {
    ffi_boundary! {
        // SAFETY: `upload` is NULL or a live upload.
        let Some(upload) = (unsafe { handle::borrow(upload) }) else {
            set_last_error("upload is NULL");
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        upload.inner.set_progress(progress_closure(progress, UserData::new(userdata)));
        openai_code::OPENAI_OK
    }
}

/// A C progress callback as the core's progress closure.
pub(crate) fn progress_closure(progress: openai_progress_callback, userdata: UserData) -> Option<crate::upload::Progress> {
    let progress = progress?;
    // SAFETY: the caller gave this function and userdata for this purpose, to be called on the
    // threads the header names.
    Some(Arc::new(move |done, total| unsafe { progress(done, total, userdata.get()) }))
}

/// Frees an upload (calls already sending it keep their own reference). NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn openai_upload_free(upload: *mut openai_upload) {
    ffi_boundary! {
        // SAFETY: `upload` is NULL or an upload not yet freed, unused from now on.
        drop(unsafe { handle::take(upload) });
    }
}
