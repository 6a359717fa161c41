//! JSON Pointer reads into a body (a response's or an event's), for C programs without a JSON
//! library. The body is parsed once, on first use; strings handed out live as long as their
//! handle.

use std::ffi::{c_char, CStr, CString};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

use super::response::to_cstring;

#[derive(Default)]
pub(crate) struct JsonView {
    /// The body parsed as JSON (`None`: it is not JSON).
    parsed: OnceLock<Option<Value>>,
    /// Strings handed out, kept until the handle is freed.
    kept: Mutex<Vec<CString>>,
}

impl JsonView {
    /// The string at `pointer`, unescaped; NULL when absent or not a string.
    ///
    /// # Safety
    /// `pointer` is NULL or a NUL-terminated string.
    pub(crate) unsafe fn string(&self, body: &[u8], pointer: *const c_char) -> *const c_char {
        // SAFETY: this function's contract.
        unsafe { self.lookup(body, pointer, |v| v.as_str().map(str::to_string)) }
    }

    /// The value at `pointer` as compact JSON text; NULL when absent.
    ///
    /// # Safety
    /// `pointer` is NULL or a NUL-terminated string.
    pub(crate) unsafe fn value(&self, body: &[u8], pointer: *const c_char) -> *const c_char {
        // SAFETY: this function's contract.
        unsafe { self.lookup(body, pointer, |v| Some(v.to_string())) }
    }

    /// # Safety
    /// `pointer` is NULL or a NUL-terminated string.
    unsafe fn lookup(&self, body: &[u8], pointer: *const c_char, render: impl FnOnce(&Value) -> Option<String>) -> *const c_char {
        if pointer.is_null() {
            return std::ptr::null();
        }
        // SAFETY: non-NULL, and NUL-terminated by this function's contract.
        let Ok(pointer) = unsafe { CStr::from_ptr(pointer) }.to_str() else {
            return std::ptr::null();
        };
        let parsed = self.parsed.get_or_init(|| serde_json::from_slice(body).ok());
        let Some(text) = parsed.as_ref().and_then(|v| v.pointer(pointer)).and_then(render) else {
            return std::ptr::null();
        };
        let text = to_cstring(text);
        let ptr = text.as_ptr();
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).push(text);
        ptr
    }
}
