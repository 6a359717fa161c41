//! `openai_event`: one server-sent event of a stream.

use std::ffi::{c_char, CString};

use super::handle;
use super::json::JsonView;
use super::response::to_cstring;
use crate::sse::Event;

/// One event of a stream: its name (the `event:` field, "" when absent) and its data. Events
/// returned by `openai_stream_next` belong to the caller (free them with `openai_event_free`);
/// those passed to a stream callback are borrowed for the duration of the call. Strings returned
/// by its accessors live until the event is freed.
pub struct openai_event {
    /// `None` for an unnamed event, so that the most common kind costs no allocation.
    name: Option<CString>,
    /// The data followed by a NUL byte.
    data: Vec<u8>,
    id: Option<CString>,
    json: JsonView,
}

impl openai_event {
    pub(crate) fn new(event: Event) -> openai_event {
        let mut data = event.data;
        data.push(0);
        let name = (!event.name.is_empty()).then(|| to_cstring(event.name));
        openai_event { name, data, id: event.id.map(to_cstring), json: JsonView::default() }
    }

    /// The size of the event's data, for the stream's memory bound.
    pub(crate) fn size(&self) -> usize {
        self.data.len()
    }

    fn data(&self) -> &[u8] {
        &self.data[..self.data.len() - 1]
    }
}

/// The event's name (`thread.message.delta`, `error`), or "" for an unnamed event (chat
/// completion chunks). NULL only for a NULL event.
#[no_mangle]
pub unsafe extern "C" fn openai_event_name(event: *const openai_event) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `event` is NULL or a live event (the header's conventions).
        unsafe { handle::borrow(event) }.map_or(std::ptr::null(), |e| e.name.as_deref().unwrap_or(c"").as_ptr())
    }
}

/// The event's data: its `data:` lines joined with "\n", followed by a NUL byte. `len` (may be
/// NULL) receives the length without the NUL. NULL only for a NULL event.
#[no_mangle]
pub unsafe extern "C" fn openai_event_data(event: *const openai_event, len: *mut usize) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `event` is NULL or a live event; `len` NULL or writable.
        let Some(e) = (unsafe { handle::borrow(event) }) else {
            unsafe { handle::write_opt(len, 0) };
            return std::ptr::null();
        };
        // SAFETY: as above.
        unsafe { handle::write_opt(len, e.data().len()) };
        e.data.as_ptr() as *const c_char
    }
}

/// The last `id:` field the stream sent up to this event, or NULL when none.
#[no_mangle]
pub unsafe extern "C" fn openai_event_id(event: *const openai_event) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `event` is NULL or a live event.
        unsafe { handle::borrow(event) }.and_then(|e| e.id.as_ref()).map_or(std::ptr::null(), |id| id.as_ptr())
    }
}

/// The string at a JSON Pointer in the event's data (`/choices/0/delta/content` for a chat
/// chunk, `/delta/content/0/text/value` for an assistant message delta), or NULL when the data
/// is not JSON, the pointer finds nothing or the value is not a string. Borrowed from the event.
#[no_mangle]
pub unsafe extern "C" fn openai_event_json_string(event: *const openai_event, pointer: *const c_char) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `event` is NULL or a live event; `pointer` NULL or a C string.
        unsafe { handle::borrow(event) }.map_or(std::ptr::null(), |e| unsafe { e.json.string(e.data(), pointer) })
    }
}

/// The value at a JSON Pointer in the event's data, as compact JSON text, or NULL. Borrowed
/// from the event.
#[no_mangle]
pub unsafe extern "C" fn openai_event_json_value(event: *const openai_event, pointer: *const c_char) -> *const c_char {
    ffi_boundary! {
        // SAFETY: `event` is NULL or a live event; `pointer` NULL or a C string.
        unsafe { handle::borrow(event) }.map_or(std::ptr::null(), |e| unsafe { e.json.value(e.data(), pointer) })
    }
}

/// Frees an event returned by `openai_stream_next` (never one passed to a callback). NULL is
/// ignored.
#[no_mangle]
pub unsafe extern "C" fn openai_event_free(event: *mut openai_event) {
    ffi_boundary! {
        // SAFETY: `event` is NULL or an event the caller owns, unused from now on.
        drop(unsafe { handle::take(event) });
    }
}
