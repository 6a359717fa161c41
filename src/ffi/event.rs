//! `openai_event`: one event of a stream (a server-sent event) or of a WebSocket session (a
//! server event, named by its `type`).

use std::ffi::{c_char, c_void, CString};
use std::sync::OnceLock;

use super::code::openai_code;
use super::handle;
use super::json::JsonView;
use super::response::to_cstring;
use crate::sse::Event;

/// One event of a stream: its name (the `event:` field, "" when absent) and its data; or one
/// server event of a WebSocket session: its `type` as the name and its JSON text as the data; or a
/// webhook's event (`openai_webhooks_unwrap`). Events returned by `openai_stream_next` and
/// `openai_webhooks_unwrap` belong to the caller (free them with `openai_event_free`);
/// those passed to a stream callback are borrowed for the duration of the call. Strings returned
/// by its accessors live until the event is freed.
pub struct openai_event {
    /// `None` for an unnamed event, so that the most common kind costs no allocation.
    name: Option<CString>,
    /// The data followed by a NUL byte.
    data: Vec<u8>,
    id: Option<CString>,
    json: JsonView,
    /// The decoded audio of an audio delta, on first request (`None`: not an audio delta).
    audio: OnceLock<Option<Vec<u8>>>,
}

impl openai_event {
    pub(crate) fn new(event: Event) -> openai_event {
        let mut data = event.data;
        data.push(0);
        let name = (!event.name.is_empty()).then(|| to_cstring(event.name));
        openai_event { name, data, id: event.id.map(to_cstring), json: JsonView::default(), audio: OnceLock::new() }
    }

    /// A WebSocket session's server event: its `type` and JSON text.
    pub(crate) fn server_event(event: crate::realtime::ServerEvent) -> openai_event {
        let mut data = event.data;
        data.push(0);
        let name = Some(to_cstring(event.kind));
        openai_event { name, data, id: None, json: JsonView::default(), audio: OnceLock::new() }
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

/// The PCM bytes of an audio delta event of a Realtime session (`response.output_audio.delta`,
/// or the beta API's `response.audio.delta`): its base64 `delta`, decoded by the library on first
/// call. `len` (may be NULL) receives their number. NULL (and 0) for any other event. Borrowed
/// from the event.
#[no_mangle]
pub unsafe extern "C" fn openai_event_audio(event: *const openai_event, len: *mut usize) -> *const c_void {
    ffi_boundary! {
        // SAFETY: `event` is NULL or a live event; `len` NULL or writable (the header's
        // conventions).
        let audio = unsafe { handle::borrow(event) }.and_then(|e| {
            let name = e.name.as_deref().and_then(|n| n.to_str().ok()).unwrap_or("");
            e.audio.get_or_init(|| crate::realtime::decode_audio_delta(name, e.data())).as_deref()
        });
        // SAFETY: as above.
        unsafe { handle::write_opt(len, audio.map_or(0, <[u8]>::len)) };
        audio.map_or(std::ptr::null(), |a| a.as_ptr() as *const c_void)
    }
}

/// The number of elements of the array at a JSON Pointer in the event's data (`/choices` of a
/// chat chunk), in `*len`; as `openai_response_json_array_len`, whose codes it returns.
#[no_mangle]
pub unsafe extern "C" fn openai_event_json_array_len(event: *const openai_event, pointer: *const c_char, len: *mut usize) -> openai_code {
    ffi_boundary! {
        // SAFETY: `event` is NULL or live; `pointer` NULL or a C string; `len` NULL or writable.
        let view = unsafe { handle::borrow(event) }.map(|e| (&e.json, e.data()));
        // SAFETY: as above.
        unsafe { super::json::array_len_export(view, "event", pointer, len) }
    }
}

/// Frees an event returned by `openai_stream_next`, `openai_realtime_next` or
/// `openai_webhooks_unwrap` (never one passed to a callback). NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn openai_event_free(event: *mut openai_event) {
    ffi_boundary! {
        // SAFETY: `event` is NULL or an event the caller owns, unused from now on.
        drop(unsafe { handle::take(event) });
    }
}
