//! The library as a whole: shutting it down (the role of libcurl's `curl_global_cleanup`).

use super::code::openai_code;
use super::error::set_last_error;

/// Stops the library: its worker threads are joined and its process-wide state is freed, so
/// that a program checked for leaks (valgrind's `--errors-for-leak-kinds=definite,possible`)
/// ends clean. Optional: a program that never calls it loses nothing.
///
/// Call it at the end of the program, from a thread of the program (not inside a callback),
/// after freeing every handle. Calls still in flight then end: a future completes with
/// `OPENAI_CANCELLED` (its callback runs on the thread calling this function), an open stream
/// ends with `OPENAI_CANCELLED`, and so does an open Realtime session (the callback thread of a
/// session is joined, after its last call). The library may be used again afterwards: the next
/// call starts it afresh.
///
/// Returns `OPENAI_OK`, or `OPENAI_WOULD_DEADLOCK` (with `openai_last_error()` saying why) when
/// called on a library thread or inside another async runtime, where it would wait for itself.
///
/// About fork(): a child process of a program that used the library gets a library of its own
/// (new worker threads, new connections) on its first call; it never uses, nor closes, its
/// parent's connections. Calls and streams that were in flight in the parent at the fork
/// complete at once in the child with `OPENAI_CANCELLED`.
#[no_mangle]
pub extern "C" fn openai_shutdown() -> openai_code {
    ffi_boundary! {
        if super::realtime::on_callback_thread() {
            set_last_error("openai_shutdown cannot be called from a library thread (inside a callback)");
            return openai_code::OPENAI_WOULD_DEADLOCK;
        }
        match crate::runtime::shutdown() {
            Ok(()) => {
                super::realtime::join_callback_threads();
                openai_code::OPENAI_OK
            }
            Err(e) => {
                set_last_error(e.0);
                openai_code::OPENAI_WOULD_DEADLOCK
            }
        }
    }
}
