//! `openai_cancel_token`: cancelling blocking calls from another thread.

use tokio_util::sync::CancellationToken;

use super::call::arg_client;
use super::client::openai_client;
use super::code::openai_code;
use super::error::set_last_error;
use super::handle::{self, Out};

/// A cancel token, for aborting calls from another thread (a GUI's Cancel button): bind it to a
/// client with `openai_client_with_cancel_token`, make calls through that client, and cancel the
/// token from any thread. Created with `openai_cancel_token_new`, freed with
/// `openai_cancel_token_free`; every function on it is thread-safe.
pub struct openai_cancel_token {
    token: CancellationToken,
}

/// Creates a token that is not cancelled.
#[no_mangle]
pub extern "C" fn openai_cancel_token_new() -> *mut openai_cancel_token {
    ffi_boundary! {
        handle::give(openai_cancel_token { token: CancellationToken::new() })
    }
}

/// Cancels the token: every call in flight through a client bound to it ends at once with
/// `OPENAI_CANCELLED` (its connection dropped; a blocking call returns), and later calls through
/// those clients end with `OPENAI_CANCELLED` before sending anything. Idempotent. NULL is
/// ignored.
#[no_mangle]
pub unsafe extern "C" fn openai_cancel_token_cancel(token: *const openai_cancel_token) {
    ffi_boundary! {
        // SAFETY: `token` is NULL or a live token (the header's conventions).
        if let Some(t) = unsafe { handle::borrow(token) } {
            t.token.cancel();
        }
    }
}

/// Whether the token was cancelled. False for NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_cancel_token_is_cancelled(token: *const openai_cancel_token) -> bool {
    ffi_boundary! {
        // SAFETY: `token` is NULL or a live token.
        unsafe { handle::borrow(token) }.is_some_and(|t| t.token.is_cancelled())
    }
}

/// Frees a token. Clients bound to it keep working with their own reference to it. NULL is
/// ignored.
#[no_mangle]
pub unsafe extern "C" fn openai_cancel_token_free(token: *mut openai_cancel_token) {
    ffi_boundary! {
        // SAFETY: `token` is NULL or a token not yet freed, unused from now on.
        drop(unsafe { handle::take(token) });
    }
}

/// Creates a client like `client` (same options, same connection pool) whose calls are cancelled
/// by `token`. Use a fresh token (and client) per operation the user may abort: a cancelled token
/// stays cancelled. Free the new client with `openai_client_free`. `OPENAI_INVALID_ARGUMENT` (and
/// `*out` NULL) for a NULL argument.
#[no_mangle]
pub unsafe extern "C" fn openai_client_with_cancel_token(
    client: *const openai_client,
    token: *const openai_cancel_token,
    out: *mut *mut openai_client,
) -> openai_code {
    ffi_boundary! {
        // SAFETY: `out` is NULL or writable; `client` and `token` are NULL or live handles.
        let out = match unsafe { Out::new(out) } {
            Ok(out) => out,
            Err(code) => return code,
        };
        // SAFETY: as above.
        let client = match unsafe { arg_client(client) } {
            Ok(c) => c,
            Err(e) => {
                set_last_error(e.0);
                return openai_code::OPENAI_INVALID_ARGUMENT;
            }
        };
        // SAFETY: as above.
        let Some(token) = (unsafe { handle::borrow(token) }) else {
            set_last_error("token is NULL");
            return openai_code::OPENAI_INVALID_ARGUMENT;
        };
        out.put(openai_client { inner: client.with_cancel(token.token.clone()) });
        openai_code::OPENAI_OK
    }
}
