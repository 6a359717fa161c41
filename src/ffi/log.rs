//! The log callback.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use super::error::set_last_error;
use super::handle::UserData;
use crate::log::{self, Level};

/// The level of a log message; a callback is given the messages up to the level it asked for.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum openai_log_level {
    /// A call failed for good.
    OPENAI_LOG_ERROR = 1,
    /// A retry, and why.
    OPENAI_LOG_WARN = 2,
    /// A call that succeeded, its duration and retries.
    OPENAI_LOG_INFO = 3,
    /// Every request sent (method, URL, headers with credentials redacted) and every response
    /// status and request id.
    OPENAI_LOG_DEBUG = 4,
}

/// Receives a log message (NUL-terminated, borrowed for the call) with its level and the
/// `userdata` given to `openai_set_log_callback`. It may run on any thread, several at once;
/// it must not call back into the library. Credentials never appear in messages: `Authorization`
/// and `api-key` values are `[redacted]`, and the client's key is scrubbed.
pub type openai_log_callback = Option<unsafe extern "C" fn(level: openai_log_level, message: *const c_char, userdata: *mut c_void)>;

fn c_level(level: Level) -> openai_log_level {
    match level {
        Level::Error => openai_log_level::OPENAI_LOG_ERROR,
        Level::Warn => openai_log_level::OPENAI_LOG_WARN,
        Level::Info => openai_log_level::OPENAI_LOG_INFO,
        Level::Debug => openai_log_level::OPENAI_LOG_DEBUG,
    }
}

/// Sends the library's log messages up to `max_level` (1 = errors ... 4 = debug) to `callback`,
/// for the whole process. NULL restores the default: messages go to stderr when the
/// `OPENAI_LOG` environment variable is `error`, `warn`, `info` or `debug`, and nowhere
/// otherwise. A `max_level` outside 1..4 is taken as the nearest.
///
/// When this returns, no thread is inside the previous callback and none will enter it again:
/// the previous `userdata` may be freed at once (this waits for calls of the previous callback
/// running on other threads to return). Called from inside the log callback it does nothing and
/// records why in `openai_last_error()`, since it would wait for itself.
#[no_mangle]
pub extern "C" fn openai_set_log_callback(callback: openai_log_callback, max_level: i32, userdata: *mut c_void) {
    ffi_boundary! {
        let level = Level::from_u8(max_level.clamp(1, 4) as u8).expect("clamped to a level");
        let userdata = UserData::new(userdata);
        let sink = callback.map(|callback| {
            let sink: log::Sink = Arc::new(move |level: Level, message: &str| {
                let message = super::response::to_cstring(message.to_string());
                // SAFETY: the caller gave this function and userdata for this purpose, to be
                // called on any thread until it is replaced (see above).
                unsafe { callback(c_level(level), message.as_ptr(), userdata.get()) };
            });
            sink
        });
        if let Err(message) = log::set_sink(sink, level) {
            set_last_error(message);
        }
    }
}
