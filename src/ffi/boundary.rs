//! The panic boundary around every export.

use std::any::Any;
use super::code::openai_code;

/// Runs an export's body, turning a panic into the export's fallback value (the internal-error
/// code, NULL, 0, -1 for a descriptor) and recording its message for `openai_last_error`.
/// Exported only so that the tests can check it; not part of any API.
#[doc(hidden)]
#[macro_export]
macro_rules! ffi_boundary {
    ($($body:tt)*) => {
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| { $($body)* })) {
            Ok(value) => value,
            Err(payload) => $crate::ffi::boundary::caught_panic(payload),
        }
    };
}

/// What an export returns when its body panicked.
pub trait PanicFallback {
    fn fallback() -> Self;
}

impl PanicFallback for openai_code {
    fn fallback() -> Self {
        openai_code::OPENAI_INTERNAL
    }
}

impl<T> PanicFallback for *mut T {
    fn fallback() -> Self {
        std::ptr::null_mut()
    }
}

impl<T> PanicFallback for *const T {
    fn fallback() -> Self {
        std::ptr::null()
    }
}

macro_rules! zero_fallback {
    ($($t:ty),*) => { $(impl PanicFallback for $t { fn fallback() -> Self { Default::default() } })* };
}
zero_fallback!((), bool, u16, u32, u64, usize, i64);

/// The `int` results of the API are file descriptors, for which 0 would be a valid answer.
impl PanicFallback for i32 {
    fn fallback() -> Self {
        -1
    }
}

/// Records the panic's message and returns the fallback value.
pub fn caught_panic<T: PanicFallback>(payload: Box<dyn Any + Send>) -> T {
    super::error::set_last_error(format!("internal error (a bug in libopenai): {}", panic_message(&*payload)));
    T::fallback()
}

pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}
