//! `openai_item`: one JSON value read by JSON Pointer, for C programs without a JSON library:
//! an item of a list (`openai_pager_next_item`), or JSON text parsed (`openai_item_parse`, for
//! a tool call's arguments).

use std::ffi::{c_char, CString};

use serde_json::Value;

use super::code::openai_code;
use super::error::set_last_error;
use super::handle::{self, Out};
use super::json::JsonView;
use super::response::to_cstring;

/// One JSON value: an item of a list (an element of a page's `data` array) given by
/// `openai_pager_next_item`, or JSON text parsed by `openai_item_parse`. The caller owns it and
/// frees it with `openai_item_free`; strings read from it live until then. Used by one thread at
/// a time.
pub struct openai_item {
    /// The value as compact JSON text.
    text: CString,
    json: JsonView,
}

impl openai_item {
    pub(crate) fn new(value: Value) -> openai_item {
        openai_item { text: to_cstring(value.to_string()), json: JsonView::of_value(value) }
    }
}

/// Parses JSON text (one value: an object, an array, a string, a number...) into an item to read
/// with the `openai_item_json_*` functions: the `arguments` of a tool call, which the API sends
/// as a string of JSON. On success `*out` receives the item (free it with `openai_item_free`);
/// NULL or invalid UTF-8, or text that is not exactly one JSON value, is
/// `OPENAI_INVALID_ARGUMENT` with `*out` NULL and `openai_last_error()` saying where it failed.
#[no_mangle]
pub unsafe extern "C" fn openai_item_parse(json_text: *const c_char, out: *mut *mut openai_item) -> openai_code {
    ffi_boundary! {
        // SAFETY: `out` is NULL or writable; `json_text` NULL or a C string.
        let out = match unsafe { Out::new(out) } {
            Ok(out) => out,
            Err(code) => return code,
        };
        // SAFETY: as above.
        let text = match unsafe { super::call::arg_str("json_text", json_text) } {
            Ok(text) => text,
            Err(e) => {
                set_last_error(e.0);
                return openai_code::OPENAI_INVALID_ARGUMENT;
            }
        };
        match serde_json::from_str::<Value>(text) {
            Ok(value) => {
                out.put(openai_item::new(value));
                openai_code::OPENAI_OK
            }
            Err(e) => {
                set_last_error(format!("json_text is not JSON: {e}"));
                openai_code::OPENAI_INVALID_ARGUMENT
            }
        }
    }
}

/// The item as compact JSON text (an object for the API's lists), borrowed from the item; NULL
/// for NULL.
#[no_mangle]
pub unsafe extern "C" fn openai_item_json(item: *const openai_item) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `item` is NULL or a live item (the header's conventions).
        unsafe { handle::borrow(item) }.map_or(std::ptr::null(), |i| i.text.as_ptr())
    }
}

/// The string at a JSON Pointer in the item (`/id`, `/filename`), unescaped, or NULL when the
/// pointer finds nothing or the value is not a string; as `openai_response_json_string`,
/// relative to the item (`""` is the item itself). Borrowed from the item.
#[no_mangle]
pub unsafe extern "C" fn openai_item_json_string(item: *const openai_item, pointer: *const c_char) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `item` is NULL or a live item; `pointer` NULL or a C string.
        unsafe { handle::borrow(item) }.map_or(std::ptr::null(), |i| unsafe { i.json.string(&[], pointer) })
    }
}

/// The value at a JSON Pointer in the item as compact JSON text (`42`, `true`, `{"a":1}`), or
/// NULL when the pointer finds nothing. Borrowed from the item.
#[no_mangle]
pub unsafe extern "C" fn openai_item_json_value(item: *const openai_item, pointer: *const c_char) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `item` is NULL or a live item; `pointer` NULL or a C string.
        unsafe { handle::borrow(item) }.map_or(std::ptr::null(), |i| unsafe { i.json.value(&[], pointer) })
    }
}

/// The number of elements of the array at a JSON Pointer in the item, in `*len`; as
/// `openai_response_json_array_len`, whose codes it returns.
#[no_mangle]
pub unsafe extern "C" fn openai_item_json_array_len(item: *const openai_item, pointer: *const c_char, len: *mut usize) -> openai_code {
    ffi_boundary! {
        // SAFETY: `item` is NULL or live; `pointer` NULL or a C string; `len` NULL or writable.
        let view = unsafe { handle::borrow(item) }.map(|i| (&i.json, &[][..]));
        // SAFETY: as above.
        unsafe { super::json::array_len_export(view, "item", pointer, len) }
    }
}

/// Frees an item and every string read from it. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn openai_item_free(item: *mut openai_item) {
    ffi_boundary! {
        // SAFETY: `item` is NULL or an item the caller owns, unused from now on.
        drop(unsafe { handle::take(item) });
    }
}
