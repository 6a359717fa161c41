//! The library's version, in the header and at run time.

use std::ffi::c_char;

/// The major version this header belongs to (checked against Cargo.toml by a test).
pub const OPENAI_VERSION_MAJOR: u32 = 0;
/// The minor version this header belongs to.
pub const OPENAI_VERSION_MINOR: u32 = 1;
/// The patch version this header belongs to.
pub const OPENAI_VERSION_PATCH: u32 = 0;

/// The version of the loaded library, "MAJOR.MINOR.PATCH": compare it with the header's
/// `OPENAI_VERSION_*` to detect a mismatch. A static string, never freed.
#[no_mangle]
pub extern "C" fn openai_version() -> *const c_char {
    ffi_boundary! {
        concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr() as *const c_char
    }
}
