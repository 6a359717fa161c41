//! Ownership across the boundary, in one place: how a handle is given to C, borrowed back,
//! taken back to be freed, and how an out-pointer is written. Every export goes through these
//! helpers instead of casting pointers itself, so each unsafe step is argued once, here.
//!
//! A handle is a Rust value in a `Box`; C holds the box's pointer from `give` until it passes it
//! to the handle's `_free` function, which calls `take`. Between the two, accessors `borrow` it.

use std::ffi::c_void;
use std::ptr::NonNull;

use super::code::openai_code;
use super::error::set_last_error;

/// Moves `value` to the heap and gives C the pointer; C must hand it back to [`take`] once.
pub(crate) fn give<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Gives C a value already on the heap.
pub(crate) fn give_box<T>(value: Box<T>) -> *mut T {
    Box::into_raw(value)
}

/// Takes back a handle made by [`give`], to free it or to keep it in Rust. `None` for NULL.
///
/// # Safety
/// `ptr` is NULL or a pointer from [`give`]/[`give_box`] for this `T` that was not taken yet;
/// nobody uses it afterwards (the header's `_free` contract).
pub(crate) unsafe fn take<T>(ptr: *mut T) -> Option<Box<T>> {
    // SAFETY: by this function's contract the pointer came from `Box::into_raw` and is unaliased.
    NonNull::new(ptr).map(|ptr| unsafe { Box::from_raw(ptr.as_ptr()) })
}

/// Borrows a handle for the duration of a call. `None` for NULL.
///
/// # Safety
/// `ptr` is NULL or a live handle of this type (given by the library and not yet freed), not
/// mutated by another thread during the borrow (the header's threading rules).
pub(crate) unsafe fn borrow<'a, T>(ptr: *const T) -> Option<&'a T> {
    // SAFETY: by this function's contract a non-NULL pointer is a live handle.
    unsafe { ptr.as_ref() }
}

/// Borrows a handle mutably for the duration of a call. `None` for NULL.
///
/// # Safety
/// As [`borrow`], and no other reference to the handle exists during the call (one thread at a
/// time, as the header says).
pub(crate) unsafe fn borrow_mut<'a, T>(ptr: *mut T) -> Option<&'a mut T> {
    // SAFETY: by this function's contract a non-NULL pointer is a live, unshared handle.
    unsafe { ptr.as_mut() }
}

/// An out-pointer argument (`T **out`): checked for NULL and cleared to NULL when read, so that
/// a failure leaves it NULL; then written once. Writing is safe because the pointer's validity
/// was promised when it was read.
pub(crate) struct Out<'a, T> {
    slot: &'a mut *mut T,
}

impl<'a, T> Out<'a, T> {
    /// Reads an out-pointer argument and sets `*out` to NULL. A NULL `out` is an invalid argument
    /// (recorded as the last error), since the result would have nowhere to go.
    ///
    /// # Safety
    /// `out` is NULL or valid for reading and writing one pointer for the rest of the call.
    pub(crate) unsafe fn new(out: *mut *mut T) -> Result<Out<'a, T>, openai_code> {
        // SAFETY: by this function's contract a non-NULL `out` is valid for writes.
        match unsafe { out.as_mut() } {
            Some(slot) => {
                *slot = std::ptr::null_mut();
                Ok(Out { slot })
            }
            None => {
                set_last_error("out is NULL");
                Err(openai_code::OPENAI_INVALID_ARGUMENT)
            }
        }
    }

    /// Gives `value` to the caller through the out-pointer.
    pub(crate) fn put(self, value: T) {
        *self.slot = give(value);
    }

    /// Gives a value already on the heap to the caller.
    pub(crate) fn put_box(self, value: Box<T>) {
        *self.slot = give_box(value);
    }

    /// Hands the caller an existing pointer (a handle the library already gave out once, such as
    /// a future coming back from a queue).
    pub(crate) fn put_raw(self, value: *mut T) {
        *self.slot = value;
    }
}

/// Writes `value` through an optional out-pointer for a plain value (`size_t *len`), ignoring
/// NULL.
///
/// # Safety
/// `out` is NULL or valid for writing one `T`.
pub(crate) unsafe fn write_opt<T>(out: *mut T, value: T) {
    // SAFETY: by this function's contract a non-NULL `out` is valid for writes.
    if let Some(slot) = unsafe { out.as_mut() } {
        *slot = value;
    }
}

/// The caller's `userdata`, carried to its callbacks on library threads. The library never
/// dereferences it: it only passes it back to the caller's own functions, which the header says
/// run on library threads, so the caller has agreed that it may be used there.
#[derive(Clone, Copy, Debug)]
pub(crate) struct UserData(*mut c_void);

// SAFETY: the pointer is opaque to the library and only handed back to the caller's callbacks,
// whose documented contract is that they run on library threads (see above).
unsafe impl Send for UserData {}
// SAFETY: as for `Send`: the library never reads or writes through the pointer.
unsafe impl Sync for UserData {}

impl UserData {
    pub(crate) fn new(ptr: *mut c_void) -> UserData {
        UserData(ptr)
    }

    pub(crate) fn get(self) -> *mut c_void {
        self.0
    }
}
