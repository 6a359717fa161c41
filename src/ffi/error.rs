//! The message of the last failure on the calling thread, for the calls that fail without a
//! response handle to carry it (creating a client, a NULL out pointer, ...).

use std::cell::RefCell;
use std::ffi::{c_char, CString};

thread_local! {
    static LAST_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
}

/// Records `message` as this thread's last error.
pub(crate) fn set_last_error(message: impl Into<String>) {
    let message = super::response::to_cstring(message.into());
    LAST_ERROR.with(|last| *last.borrow_mut() = Some(message));
}

/// The message of the last call on this thread that failed, or NULL if none has.
///
/// Every call that returns a code other than `OPENAI_OK` sets it (and a failed call that hands
/// back a response also puts the message in the response). The string is owned by the library
/// and stays valid until the next failing call on the same thread; copy it to keep it.
#[no_mangle]
pub extern "C" fn openai_last_error() -> *const c_char {
    ffi_boundary! {
        LAST_ERROR.with(|last| last.borrow().as_ref().map_or(std::ptr::null(), |m| m.as_ptr()))
    }
}
