//! JSON Pointer reads into a body (a response's, an event's or a list item's), for C programs
//! without a JSON library. The body is parsed once, on first use; strings handed out live as
//! long as their handle.

use std::ffi::{c_char, CStr, CString};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

use super::code::openai_code;
use super::error::set_last_error;
use super::handle::write_opt;
use super::response::to_cstring;

#[derive(Default)]
pub(crate) struct JsonView {
    /// The body parsed as JSON (`None`: it is not JSON).
    parsed: OnceLock<Option<Value>>,
    /// Strings handed out, kept until the handle is freed.
    kept: Mutex<Vec<CString>>,
}

impl JsonView {
    /// A view of a value already parsed (a list item).
    pub(crate) fn of_value(value: Value) -> JsonView {
        JsonView { parsed: OnceLock::from(Some(value)), kept: Mutex::default() }
    }

    /// The parsed value (`None`: the body is not JSON). `body` is read only on first use.
    pub(crate) fn parsed(&self, body: &[u8]) -> Option<&Value> {
        self.parsed.get_or_init(|| serde_json::from_slice(body).ok()).as_ref()
    }

    /// The length of the array at `pointer`, or why there is none there.
    ///
    /// # Safety
    /// `pointer` is NULL or a NUL-terminated string.
    pub(crate) unsafe fn array_len(&self, body: &[u8], pointer: *const c_char) -> Result<usize, String> {
        if pointer.is_null() {
            return Err("pointer is NULL".into());
        }
        // SAFETY: non-NULL, and NUL-terminated by this function's contract.
        let Ok(pointer) = unsafe { CStr::from_ptr(pointer) }.to_str() else {
            return Err("pointer is not valid UTF-8".into());
        };
        let Some(document) = self.parsed(body) else {
            return Err("the body is not JSON".into());
        };
        match document.pointer(pointer) {
            Some(Value::Array(items)) => Ok(items.len()),
            Some(other) => Err(format!("the value at \"{pointer}\" is {}, not an array", kind(other))),
            None => Err(format!("nothing at \"{pointer}\"")),
        }
    }

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
        let Some(text) = self.parsed(body).and_then(|v| v.pointer(pointer)).and_then(render) else {
            return std::ptr::null();
        };
        let text = to_cstring(text);
        let ptr = text.as_ptr();
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).push(text);
        ptr
    }
}

/// What kind of JSON value `value` is, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The body of the `openai_*_json_array_len` exports: the length in `*len` (0 when there is no
/// array), and the code.
///
/// # Safety
/// `pointer` is NULL or a NUL-terminated string; `len` is NULL or writable.
pub(crate) unsafe fn array_len_export(view: Option<(&JsonView, &[u8])>, what: &str, pointer: *const c_char, len: *mut usize) -> openai_code {
    if len.is_null() {
        set_last_error("len is NULL");
        return openai_code::OPENAI_INVALID_ARGUMENT;
    }
    // SAFETY: `len` is non-NULL and writable by this function's contract.
    unsafe { write_opt(len, 0) };
    let Some((view, body)) = view else {
        set_last_error(format!("{what} is NULL"));
        return openai_code::OPENAI_INVALID_ARGUMENT;
    };
    // SAFETY: this function's contract.
    match unsafe { view.array_len(body, pointer) } {
        Ok(n) => {
            // SAFETY: as above.
            unsafe { write_opt(len, n) };
            openai_code::OPENAI_OK
        }
        Err(message) => {
            set_last_error(message);
            openai_code::OPENAI_INVALID_ARGUMENT
        }
    }
}
